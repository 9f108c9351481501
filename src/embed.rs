//! The console for host pages: a JS function that mounts it into any element, used by the
//! `<org-invitations>` custom element that embed/org-invitations-element.js defines, and the
//! events it tells its host.

pub mod host_events;

use std::any::Any;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::{ConsoleOptions, TimeZoneChoice, mount};

/// A console mounted by [`mount_console`]; `unmount()` removes it and everything it started.
#[wasm_bindgen]
pub struct MountedConsole {
    handle: Option<Box<dyn Any>>,
}

#[wasm_bindgen]
impl MountedConsole {
    /// Tears the console down: its DOM, listeners, timers and pending work.
    pub fn unmount(&mut self) {
        self.handle.take();
    }
}

/// Mounts `options` into `element` in place of what it showed (the loader's first frame).
pub fn mount_in_place(element: web_sys::HtmlElement, options: ConsoleOptions) -> MountedConsole {
    element.set_text_content(None);
    MountedConsole {
        handle: Some(Box::new(mount(element, options))),
    }
}

/// The language options the loader (embed/org-invitations-element.js) passes once it has
/// chosen the language and fetched its words: `locale` with its `localeTable`, or English
/// with the `localeProblem` that kept the table away. A language without a table is English.
pub fn language_options(options: &JsValue) -> ConsoleOptions {
    let table = Reflect::get(options, &"localeTable".into()).unwrap_or(JsValue::UNDEFINED);
    let (locale_table, _) = crate::i18n::locale::entries(&table);
    ConsoleOptions {
        locale: match text_option(options, "locale") {
            Some(locale) if !locale_table.is_empty() => locale,
            _ => "en".into(),
        },
        locale_table,
        locale_problem: text_option(options, "localeProblem"),
        ..ConsoleOptions::default()
    }
}

/// The option `name` of a JavaScript options object, if it is text.
fn text_option(options: &JsValue, name: &str) -> Option<String> {
    Reflect::get(options, &name.into())
        .ok()
        .and_then(|value| value.as_string())
}

/// `mountConsole(element, { apiBase, token, tokenProvider, syncUrl, draftKey, eventTarget,
/// readOnly, parts, timeZone, strings })` from JavaScript, with the loader's language options
/// ([`language_options`]). `tokenProvider` returns a token or a promise of one, and is asked
/// again whenever the server refuses the current one. Every option may be left out: the
/// page's origin, its cookies, no URL syncing, the stand-alone draft key, events dispatched on
/// `element`, not read-only, `parts` "list invite" (either or both), `timeZone` "local" (or
/// "utc").
#[wasm_bindgen(js_name = mountConsole)]
pub fn mount_console(
    element: web_sys::HtmlElement,
    options: JsValue,
) -> Result<MountedConsole, JsValue> {
    let text = |name: &str| text_option(&options, name);
    let flag = |name: &str| {
        Reflect::get(&options, &name.into())
            .ok()
            .and_then(|value| value.as_bool())
    };
    let (strings, strings_refused) = host_strings(&options);
    let console = ConsoleOptions {
        api_base: text("apiBase").unwrap_or_default(),
        token: text("token").filter(|token| !token.is_empty()),
        token_provider: Reflect::get(&options, &"tokenProvider".into())
            .ok()
            .and_then(|source| source.dyn_into::<js_sys::Function>().ok())
            .map(send_wrapper::SendWrapper::new),
        sync_url: flag("syncUrl").unwrap_or(false),
        draft_key: text("draftKey"),
        events: Some(
            Reflect::get(&options, &"eventTarget".into())
                .ok()
                .and_then(|target| target.dyn_into::<web_sys::EventTarget>().ok())
                .unwrap_or_else(|| element.clone().into()),
        ),
        read_only: flag("readOnly").unwrap_or(false),
        show_invite: shows_part(text("parts").as_deref(), "invite"),
        show_list: shows_part(text("parts").as_deref(), "list"),
        time_zone: TimeZoneChoice::from_option(text("timeZone").as_deref()),
        strings,
        strings_refused,
        ..language_options(&options)
    };
    Ok(mount_in_place(element, console))
}

/// A host's `strings` option (an object of key → text): the entries that are text, and a
/// sentence for each that is not.
fn host_strings(options: &JsValue) -> (Vec<(String, String)>, Vec<String>) {
    let strings = Reflect::get(options, &"strings".into()).unwrap_or(JsValue::UNDEFINED);
    let (texts, not_text) = crate::i18n::locale::entries(&strings);
    let refused = not_text
        .into_iter()
        .map(|key| format!("strings: “{key}” is not text"))
        .collect();
    (texts, refused)
}

/// Whether a host's `parts` option ("list", "invite" or both, space-separated) includes
/// `part`; without the option, every part shows.
fn shows_part(parts: Option<&str>, part: &str) -> bool {
    parts.is_none_or(|parts| parts.split_whitespace().any(|listed| listed == part))
}

#[cfg(test)]
mod tests {
    use super::shows_part;

    #[test]
    fn parts_name_what_shows_and_their_absence_shows_everything() {
        assert!(shows_part(None, "list") && shows_part(None, "invite"));
        assert!(shows_part(Some("list"), "list"));
        assert!(!shows_part(Some("list"), "invite"));
        assert!(shows_part(Some(" invite  list "), "invite"));
        assert!(!shows_part(Some("lists"), "list"));
        assert!(!shows_part(Some(""), "list"));
    }
}
