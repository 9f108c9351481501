//! The console for host pages: a JS function that mounts it into any element, used by the
//! `<org-invitations>` custom element that embed/org-invitations-element.js defines, and the
//! events it tells its host.

pub mod host_events;

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::{ConsoleOptions, TimeZoneChoice, mount};

/// A console mounted by [`mount_console`] (or about to be, once its language's words have
/// arrived); `unmount()` removes it and everything it started.
#[wasm_bindgen]
pub struct MountedConsole {
    handle: Rc<RefCell<Option<Box<dyn Any>>>>,
    /// Set by `unmount()`: a console still waiting for its words is then never mounted.
    gone: Rc<Cell<bool>>,
}

#[wasm_bindgen]
impl MountedConsole {
    /// Tears the console down: its DOM, listeners, timers and pending work.
    pub fn unmount(&mut self) {
        self.gone.set(true);
        self.handle.borrow_mut().take();
    }
}

/// Mounts `options` into `element` once its language's table is in (at once for English):
/// the element keeps what it shows meanwhile (the loader's first frame).
pub fn mount_speaking(
    element: web_sys::HtmlElement,
    options: ConsoleOptions,
    asset_base: String,
) -> MountedConsole {
    let handle: Rc<RefCell<Option<Box<dyn Any>>>> = Rc::new(RefCell::new(None));
    let gone = Rc::new(Cell::new(false));
    if options.locale == "en" {
        // What stood in while the module loaded (the first frame) gives way to the console.
        element.set_text_content(None);
        *handle.borrow_mut() = Some(Box::new(mount(element, options)));
    } else {
        let (waiting, cancelled) = (handle.clone(), gone.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let options = match crate::locale::fetch_table(&asset_base, &options.locale).await {
                Ok(table) => ConsoleOptions {
                    locale_table: table,
                    ..options
                },
                Err(problem) => ConsoleOptions {
                    locale: "en".into(),
                    locale_problem: Some(problem),
                    ..options
                },
            };
            if !cancelled.get() {
                element.set_text_content(None);
                *waiting.borrow_mut() = Some(Box::new(mount(element, options)));
            }
        });
    }
    MountedConsole { handle, gone }
}

/// `mountConsole(element, { apiBase, token, tokenProvider, syncUrl, draftKey, eventTarget,
/// readOnly, parts, timeZone, locale, inheritedLang, assetBase, strings })` from JavaScript; `tokenProvider` returns a token or a promise of one, and is
/// asked again whenever the server refuses the current one. Every option may be left out: the page's origin, its cookies,
/// no URL syncing, the stand-alone draft key, events dispatched on `element`, not read-only,
/// `parts` "list invite" (either or both), `timeZone` "local" (or "utc").
#[wasm_bindgen(js_name = mountConsole)]
pub fn mount_console(
    element: web_sys::HtmlElement,
    options: JsValue,
) -> Result<MountedConsole, JsValue> {
    let options_value = options.clone();
    let text = |name: &str| {
        Reflect::get(&options, &name.into())
            .ok()
            .and_then(|value| value.as_string())
    };
    let flag = |name: &str| {
        Reflect::get(&options, &name.into())
            .ok()
            .and_then(|value| value.as_bool())
    };
    let options = ConsoleOptions {
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
        ..ConsoleOptions::default()
    };
    let (strings, strings_refused) = host_strings(&options_value);
    let explicit = text("locale");
    let inherited = text("inheritedLang");
    let asset_base = text("assetBase").unwrap_or_else(|| "/".into());
    let options = ConsoleOptions {
        strings,
        strings_refused,
        locale: crate::locale::choose(explicit.as_deref(), inherited.as_deref()).into(),
        ..options
    };
    Ok(mount_speaking(element, options, asset_base))
}

/// A host's `strings` option (an object of key → text): the entries that are text, and a
/// sentence for each that is not.
fn host_strings(options: &JsValue) -> (Vec<(String, String)>, Vec<String>) {
    let strings = Reflect::get(options, &"strings".into()).unwrap_or(JsValue::UNDEFINED);
    let (texts, not_text) = crate::locale::entries(&strings);
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
