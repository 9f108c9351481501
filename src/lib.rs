//! The org-invitations console: a Leptos app that manages an organization's invitations
//! through the invitation API (`docs/api.md`). `main.rs` mounts it stand-alone; hosts mount
//! it with [`mount`] or, from JavaScript, with `mountConsole`.
//!
//! One folder per feature: `list` (the table and its view), `invite` (the form and sending),
//! `delete` (confirmation, undo and revoking), `resend` (fresh invitations and their report),
//! `session` (who is signed in, signing out), `embed` (what host pages see); the frame
//! ([`App`]), the API client and the reusable `hooks` sit at the top.

mod activity;
pub mod api;
mod app;
pub mod delete;
mod download;
mod embed;
mod hooks;
mod intl;
mod invite;
mod list;
mod locale;
mod options;
mod progress;
pub mod resend;
mod session;
mod time_zone;
mod words;

pub use app::App;
pub use embed::{MountedConsole, mount_console};
pub use invite::InviteForm;
pub use list::InvitationList;
pub use options::ConsoleOptions;
pub use time_zone::TimeZoneChoice;

use leptos::prelude::*;

/// The element of `index.html` the stand-alone console fills.
const STANDALONE_ROOT_ID: &str = "org-invitations";

/// Mounts the console into `element`. It stays until the returned handle is dropped.
pub fn mount(
    element: web_sys::HtmlElement,
    options: ConsoleOptions,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    leptos::mount::mount_to(element, move || view! { <App options /> })
}

/// Mounts the console into the stand-alone page's `#org-invitations` element, talking to the
/// page's own origin. On any other page (a host that embeds the console) it does nothing.
pub fn mount_standalone() {
    let Some(root) = document()
        .get_element_by_id(STANDALONE_ROOT_ID)
        .and_then(|element| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element).ok())
    else {
        return;
    };
    // The page is the console's own: it speaks the language chosen in its menu, else the
    // browser's, and says so on `<html>`.
    let chosen = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|storage| storage.get_item(locale::CHOSEN_KEY).ok().flatten());
    let language = locale::choose(chosen.as_deref(), None);
    if let Some(page) = document().document_element() {
        let _ = page.set_attribute("lang", language);
        let _ = page.set_attribute("dir", locale::direction(language));
    }
    let options = ConsoleOptions {
        locale: language.into(),
        language_menu: true,
        ..ConsoleOptions::default()
    };
    // The page's own first frame (index.html) stands in until the console takes its place.
    // The stand-alone console lives as long as the page.
    std::mem::forget(embed::mount_speaking(root, options, "/".into()));
}
