//! The language the console speaks. The loader (embed/org-invitations-element.js) chooses it,
//! from the element's `lang` (or the host's `locale` option), the host page's, then the
//! browser's languages, else English, and fetches its table (`locales/<language>.json`,
//! precompressed like the rest) while the module loads, so its first frame speaks it too.

use org_invitations_core::messages::is_right_to_left;
use wasm_bindgen::JsCast;

/// Where the stand-alone page keeps the language chosen in its menu.
pub const CHOSEN_KEY: &str = "org-invitations:locale";

/// `"rtl"` or `"ltr"`, for a `dir` attribute.
pub fn direction(language: &str) -> &'static str {
    if is_right_to_left(language) {
        "rtl"
    } else {
        "ltr"
    }
}

/// An object of key → text as pairs, and the keys whose values are not text.
pub fn entries(table: &wasm_bindgen::JsValue) -> (Vec<(String, String)>, Vec<String>) {
    let (mut texts, mut not_text) = (Vec::new(), Vec::new());
    if !table.is_object() {
        return (texts, not_text);
    }
    for entry in js_sys::Object::entries(table.unchecked_ref()).iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        match entry.get(1).as_string() {
            Some(text) => texts.push((key, text)),
            None => not_text.push(key),
        }
    }
    (texts, not_text)
}
