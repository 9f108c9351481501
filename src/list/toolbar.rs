//! Search box, expired toggle and time-zone switch above the list.

use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::prelude::*;
use org_invitations_core::listing::ListView;

use crate::i18n::words::{key, t};
use crate::time_zone::TimeZoneChoice;
use crate::widgets::{Searching, search_field};

#[component]
pub fn ListToolbar(
    /// The search text and expired toggle live here.
    list_view: RwSignal<ListView>,
    /// Local time or UTC.
    zone: RwSignal<TimeZoneChoice>,
) -> impl IntoView {
    // Radios of one group share a name; two consoles on a page must not share theirs.
    static INSTANCES: AtomicUsize = AtomicUsize::new(0);
    let group = format!("oi-zone-{}", INSTANCES.fetch_add(1, Ordering::Relaxed));
    view! {
        <div class="oi-toolbar">
            {search_field(
                t(key!("toolbar.search")),
                move || list_view.with(|view| view.search.clone()),
                Searching::AsTyped,
                move |typed| list_view.update(|view| view.search = typed),
            )} <label class="oi-check">
                <input
                    type="checkbox"
                    prop:checked=move || list_view.with(|view| view.show_expired)
                    on:change=move |event| {
                        let checked = event_target_checked(&event);
                        list_view.update(|view| view.show_expired = checked);
                    }
                />
                <span>{t(key!("toolbar.show_expired"))}</span>
            </label> <fieldset class="oi-zone">
                <legend>{t(key!("toolbar.times_in"))}</legend>
                {[
                    (TimeZoneChoice::Local, key!("toolbar.local")),
                    (TimeZoneChoice::Utc, key!("toolbar.utc")),
                ]
                    .map(|(choice, label)| {
                        let group = group.clone();
                        view! {
                            <label class="oi-check">
                                <input
                                    type="radio"
                                    name=group
                                    prop:checked=move || zone.get() == choice
                                    on:change=move |_| zone.set(choice)
                                />
                                <span>{t(label)}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
        </div>
    }
}
