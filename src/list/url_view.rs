//! Keeps the list's view (sort, search, expired toggle, expiry day) in the page's URL query, so a view can
//! be bookmarked or shared and survives a reload.

use leptos::prelude::*;
use org_invitations_core::listing::ListView;

/// The view, read from the URL at start and written back on every change when `sync` is set.
/// An embedded console passes `false` and leaves the host's URL alone.
pub fn use_url_view(sync: bool) -> RwSignal<ListView> {
    let initial = if sync {
        read_view().unwrap_or_default()
    } else {
        ListView::default()
    };
    let view = RwSignal::new(initial);
    if sync {
        Effect::new(move |_| write_view(&view.get()));
    }
    view
}

fn read_view() -> Option<ListView> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let pairs: Vec<(String, String)> = ["sort", "dir", "q", "expired", "expires"]
        .into_iter()
        .filter_map(|key| params.get(key).map(|value| (key.to_owned(), value)))
        .collect();
    Some(ListView::from_query(
        pairs
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str())),
    ))
}

fn write_view(view: &ListView) {
    let Ok(params) = web_sys::UrlSearchParams::new() else {
        return;
    };
    for (key, value) in view.to_query() {
        params.append(key, &value);
    }
    let query: String = params.to_string().into();
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    let url = if query.is_empty() {
        format!("{path}{hash}")
    } else {
        format!("{path}?{query}{hash}")
    };
    if location
        .search()
        .ok()
        .as_deref()
        .unwrap_or_default()
        .trim_start_matches('?')
        != query
    {
        // replaceState: a keystroke in the search box is not a new history entry.
        let _ = window().history().and_then(|history| {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        });
    }
}
