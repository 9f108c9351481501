//! Helpers for the console's tests in a real browser.
// Each test file uses some of these helpers, not all.
#![allow(dead_code)]

use std::time::Duration;

/// The selectors the end-to-end tests use too (testkit cannot be built for wasm).
#[path = "../../../testkit/src/selectors.rs"]
pub mod selectors;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

/// How long a condition may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// The console's own stylesheet: layout (such as the list's scroll box) is part of behaviour.
const CONSOLE_CSS: &str = include_str!("../../../style/console.css");

/// A fresh element in the test page's body for one test to mount into, with the console's
/// stylesheet on the page.
pub fn container() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    if document.get_element_by_id("oi-test-style").is_none() {
        let style = document.create_element("style").unwrap();
        style.set_id("oi-test-style");
        style.set_text_content(Some(CONSOLE_CSS));
        document.head().unwrap().append_child(&style).unwrap();
    }
    let element: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&element).unwrap();
    element
}

/// Texts of every element under `root` matching `css`.
pub fn texts(root: &HtmlElement, css: &str) -> Vec<String> {
    let nodes = root.query_selector_all(css).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .map(|node| node.text_content().unwrap_or_default())
        .collect()
}

/// The first element matching `css`; fails the test if there is none.
pub fn element<T: JsCast>(root: &HtmlElement, css: &str) -> T {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no element {css}"))
        .unchecked_into()
}

/// Types into a field as a person would: the value changes and an `input` event fires.
pub fn type_into(field: &web_sys::HtmlElement, text: &str) {
    js_sys::Reflect::set(field, &"value".into(), &text.into()).unwrap();
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

/// Yields to the browser until `condition` holds, failing the test after [`WAIT`].
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let started = js_sys::Date::now();
    while !condition() {
        if js_sys::Date::now() - started > WAIT.as_millis() as f64 {
            panic!("timed out waiting for {what}");
        }
        next_tick().await;
    }
}

/// Resolves on the browser's next timer turn, letting fetches and renders run.
async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 5)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}
