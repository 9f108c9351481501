//! Which language the console speaks, and its table: chosen from the element's `lang` (or the
//! host's `locale` option), the host page's, then the browser's languages, else English; every
//! locale but English is a file of its own (`locales/<language>.json`, precompressed like the
//! rest), fetched only when chosen.

use org_invitations_core::messages::{choose_locale, is_right_to_left};
use wasm_bindgen::JsCast;

/// Where the stand-alone page keeps the language chosen in its menu.
pub const CHOSEN_KEY: &str = "org-invitations:locale";

/// The language to speak: the first of `explicit` (the element's `lang` or the host's
/// `locale` option), `inherited` (the host page's `lang` around the element) and the browser's
/// languages that the console ships.
pub fn choose(explicit: Option<&str>, inherited: Option<&str>) -> &'static str {
    let browser: Vec<String> = leptos::prelude::window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|language| language.as_string())
        .collect();
    choose_locale(
        explicit
            .into_iter()
            .chain(inherited)
            .chain(browser.iter().map(String::as_str))
            .filter(|tag| !tag.trim().is_empty()),
    )
}

/// `"rtl"` or `"ltr"`, for a `dir` attribute.
pub fn direction(language: &str) -> &'static str {
    if is_right_to_left(language) {
        "rtl"
    } else {
        "ltr"
    }
}

/// The table of `language`, fetched from `base` (a URL ending in `/`, where the console's own
/// files are). English is built in and needs none.
pub async fn fetch_table(base: &str, language: &str) -> Result<Vec<(String, String)>, String> {
    let url = format!("{base}locales/{language}.json");
    let failed =
        |why: &str| format!("the {language} words could not be loaded ({why}): English is shown");
    let response =
        wasm_bindgen_futures::JsFuture::from(leptos::prelude::window().fetch_with_str(&url))
            .await
            .map_err(|_| failed("no answer"))?;
    let response: web_sys::Response = response.unchecked_into();
    if !response.ok() {
        return Err(failed(&format!("HTTP {}", response.status())));
    }
    let json = response.json().map_err(|_| failed("not JSON"))?;
    let table = wasm_bindgen_futures::JsFuture::from(json)
        .await
        .map_err(|_| failed("not JSON"))?;
    // The shipped tables are all text (a test reads each): nothing to report here.
    Ok(entries(&table).0)
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
