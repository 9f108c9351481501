//! The console's words, from one catalog (`org_invitations_core::messages`): English built in,
//! with a host's overrides merged over it key by key. Components ask [`words`] for a message
//! by key instead of writing English themselves.

use std::sync::Arc;

use leptos::prelude::*;
use org_invitations_core::messages::{Catalog, fill};

/// The catalog the console's components read, provided once by the app.
#[derive(Clone)]
pub struct Words(Arc<Catalog>);

impl Words {
    /// Makes `catalog` the console's words for everything below.
    pub fn provide(catalog: Catalog) {
        provide_context(Words(Arc::new(catalog)));
    }
}

// Free functions, not inlined: each of the console's hundreds of messages costs a call, not a
// copy of the lookup.

/// The message for `key`.
#[inline(never)]
pub fn t(key: &str) -> String {
    with_catalog(|catalog| catalog.text(key).to_owned())
}

/// The message for `key`, its placeholders filled.
#[inline(never)]
pub fn tf(key: &str, values: &[(&str, &str)]) -> String {
    with_catalog(|catalog| fill(catalog.text(key), values))
}

/// The plural form of `key` for `count` (named `{count}` in it).
#[inline(never)]
pub fn tn(key: &str, count: usize) -> String {
    with_catalog(|catalog| {
        let category = plural_category(catalog.language(), count);
        fill(
            catalog.plural_text(key, category),
            &[("count", &count.to_string())],
        )
    })
}

/// Runs `read` on the console's catalog; English where none was provided (a component
/// mounted on its own, as the browser tests do).
fn with_catalog<T>(read: impl FnOnce(&Catalog) -> T) -> T {
    match use_context::<Words>() {
        Some(Words(catalog)) => read(&catalog),
        None => read(&Catalog::english()),
    }
}
/// The plural category of `count` in `language`'s rules: the browser's own (`Intl.PluralRules`)
/// for any language but English, whose two forms need no data.
fn plural_category(language: &str, count: usize) -> &'static str {
    if language == "en" {
        return if count == 1 { "one" } else { "other" };
    }
    let locales = js_sys::Array::of1(&language.into());
    let rules = js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new());
    match String::from(rules.select(count as f64)).as_str() {
        "zero" => "zero",
        "one" => "one",
        "two" => "two",
        "few" => "few",
        "many" => "many",
        _ => "other",
    }
}
