//! The console's components, mounted in headless Chromium by wasm-bindgen-test: one wasm
//! module, a Rust module per part of the console.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod browser;
mod console;
mod deletion;
mod invite_form;
