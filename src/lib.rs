//! The org-invitations console: a Leptos app that manages an organization's invitations
//! through the invitation API (`docs/api.md`). The loader mounts it stand-alone
//! ([`mount_standalone`]); hosts mount it with [`mount`] or, from JavaScript, with `mountConsole`.
//!
//! One folder per feature: `list` (the table and its view), `invite` (the form and sending),
//! `delete` (confirmation, undo and revoking), `resend` (fresh invitations and their report),
//! `copy_link` (a fresh link to hand over another way),
//! `session` (who is signed in, signing out), `embed` (what host pages see); the frame
//! ([`App`]), the API client and the reusable `hooks` sit at the top.

mod activity;
pub mod api;
mod app;
pub mod copy_link;
pub mod delete;
mod download;
mod embed;
mod hooks;
mod i18n;
mod invite;
mod later;
mod list;
mod options;
mod progress;
pub mod resend;
mod session;
mod time_zone;
mod webhooks;
mod widgets;

pub use app::App;
pub use embed::{MountedConsole, mount_console};
pub use invite::InviteForm;
pub use list::InvitationList;
pub use options::ConsoleOptions;
pub use time_zone::TimeZoneChoice;

use leptos::prelude::*;

/// What the module does when it starts: in debug builds, panics reported in the browser's
/// console (the hook's formatting machinery stays out of the release build).
#[inline(never)]
pub fn start() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
}

/// Mounts the console into `element`. It stays until the returned handle is dropped.
pub fn mount(
    element: web_sys::HtmlElement,
    options: ConsoleOptions,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    leptos::mount::mount_to(element, move || view! { <App options /> })
}

/// Mounts the stand-alone console into the page's own `#org-invitations` element, talking to
/// the page's origin, with the loader's language options (embed/org-invitations-element.js
/// chooses the language from the page's menu or the browser's and fetches its words).
#[wasm_bindgen::prelude::wasm_bindgen(js_name = mountStandalone)]
pub fn mount_standalone(element: web_sys::HtmlElement, words: wasm_bindgen::JsValue) {
    let options = ConsoleOptions {
        language_menu: true,
        ..embed::language_options(&words)
    };
    // The stand-alone console lives as long as the page.
    std::mem::forget(embed::mount_in_place(element, options));
}
