//! The console's words, from one catalog (`org_invitations_core::messages`): English built in,
//! with a host's overrides merged over it key by key. Components ask [`words`] for a message
//! by key instead of writing English themselves.

use std::sync::Arc;

use leptos::prelude::*;
pub use org_invitations_core::key;
use org_invitations_core::messages::{Catalog, Key, fill, is_right_to_left};

/// The catalog the console's components read, provided once by the app.
#[derive(Clone)]
pub struct Words(Arc<Catalog>);

impl Words {
    /// Makes `catalog` the console's words for everything below, and the words of work that
    /// runs outside any component (a deletion's steps after the server answers).
    pub fn provide(catalog: Catalog) {
        let catalog = Arc::new(catalog);
        LATEST.with(|latest| *latest.borrow_mut() = Some(catalog.clone()));
        provide_context(Words(catalog));
    }
}

thread_local! {
    /// The catalog provided last, for words asked for outside a component's owner. (Two
    /// consoles on one page with different words share it there: both are the page's.)
    static LATEST: std::cell::RefCell<Option<Arc<Catalog>>> = const { std::cell::RefCell::new(None) };
}

// Free functions, not inlined: each of the console's hundreds of messages costs a call, not a
// copy of the lookup.

/// The message for `key`.
#[inline(never)]
pub fn t(key: Key) -> String {
    with_catalog(|catalog| catalog.text(key).to_owned())
}

/// The message for `key`, its placeholders filled.
#[inline(never)]
pub fn tf(key: Key, values: &[(&str, &str)]) -> String {
    with_catalog(|catalog| filled(catalog, catalog.text(key), values))
}

/// `template` filled; in a right-to-left language each value is isolated (first strong
/// isolate … pop), so an address or a number keeps its own direction inside the sentence.
fn filled(catalog: &Catalog, template: &str, values: &[(&str, &str)]) -> String {
    if !is_right_to_left(catalog.language()) {
        return fill(template, values);
    }
    let isolated: Vec<String> = values
        .iter()
        .map(|(_, value)| format!("\u{2068}{value}\u{2069}"))
        .collect();
    let values: Vec<(&str, &str)> = values
        .iter()
        .zip(&isolated)
        .map(|((name, _), value)| (*name, value.as_str()))
        .collect();
    fill(template, &values)
}

/// The plural form of `key` for `count` (named `{count}` in it).
pub fn tn(key: Key, count: usize) -> String {
    tnv(key, count, &[])
}

/// The plural form of `key` for `count` (named `{count}` in it), its other placeholders filled.
#[inline(never)]
pub fn tnv(key: Key, count: usize, values: &[(&str, &str)]) -> String {
    with_catalog(|catalog| {
        let category = plural_category(catalog.language(), count);
        let number = match catalog.language() {
            "en" => count.to_string(),
            language => crate::i18n::intl::number(language, count),
        };
        let mut all = vec![("count", number.as_str())];
        all.extend_from_slice(values);
        filled(catalog, catalog.plural_text(key, category), &all)
    })
}

/// Several phrases as one list in the console's language, for a sentence that names them all.
#[inline(never)]
pub fn listed(phrases: &[String]) -> String {
    crate::i18n::intl::list(&language(), phrases)
}

/// The language the console speaks ("en", "de"…).
pub fn language() -> String {
    with_catalog(|catalog| catalog.language().to_owned())
}

/// `target` relative to `now` in the largest whole unit: "in 6 days", "vor 2 Stunden".
pub fn relative_time(
    target: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let language = language();
    if language == "en" {
        return org_invitations_core::status::relative_phrase(target, now);
    }
    let (value, unit) = org_invitations_core::status::relative_amount(target, now);
    crate::i18n::intl::relative(&language, value, unit)
}

/// Runs `read` on the console's catalog; English where none was provided (a component
/// mounted on its own, as the browser tests do).
fn with_catalog<T>(read: impl FnOnce(&Catalog) -> T) -> T {
    if let Some(Words(catalog)) = use_context::<Words>() {
        return read(&catalog);
    }
    match LATEST.with(|latest| latest.borrow().clone()) {
        Some(catalog) => read(&catalog),
        None => read(&Catalog::english()),
    }
}

/// The plural category of `count` in `language`'s rules: the browser's own for any language
/// but English, whose two forms need no data.
fn plural_category(language: &str, count: usize) -> &'static str {
    match language {
        "en" if count == 1 => "one",
        "en" => "other",
        language => crate::i18n::intl::plural_category(language, count),
    }
}
