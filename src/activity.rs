//! The Activity view, for admins: the audit trail newest first, filtered by address or actor,
//! a page at a time, and exported as CSV. A row's "History" button filters it to that row's
//! address: who invited, when, earlier invitations to it, who revoked.

use crate::i18n::words::{key, t, tf};
use leptos::prelude::*;
use leptos::task::spawn_local;
use org_invitations_core::wire::AuditRecord;

use crate::api::{ApiClient, ApiError, AuditFilter};
use crate::download::download_csv;
use crate::later::{Part, SplitLoaderError, split};
use crate::time_zone::TimeZoneChoice;
use crate::widgets::{Searching, notice, search_field};

/// The filter, shared with the list's History buttons.
#[derive(Clone, Copy)]
pub struct ActivityFilter(pub RwSignal<AuditFilter>);

impl ActivityFilter {
    /// Shows the history of one address and brings the Activity view into sight.
    pub fn show_history_of(&self, email: &str) {
        self.0.set(AuditFilter {
            email: email.to_owned(),
            actor: String::new(),
        });
        if let Some(heading) = document().get_element_by_id("oi-activity-title") {
            heading.scroll_into_view();
        }
    }
}

#[component]
pub fn Activity(
    /// Which clock times are shown in.
    zone: Signal<TimeZoneChoice>,
    /// Notifies when the invitations change, so the trail is read again.
    changed: Signal<()>,
) -> impl IntoView {
    let client = StoredValue::new(expect_context::<ApiClient>());
    let ActivityFilter(filter) = expect_context::<ActivityFilter>();
    let records = RwSignal::new(Vec::<AuditRecord>::new());
    let next = RwSignal::new(None::<String>);
    let total = RwSignal::new(None::<u64>);
    let failure = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);
    // Only the newest load may write: a filter typed meanwhile supersedes an older one.
    let generation = StoredValue::new(0u64);
    let load = move |more: bool| {
        generation.update_value(|generation| *generation += 1);
        let this_load = generation.get_value();
        let paging_token = if more { next.get_untracked() } else { None };
        let filter = filter.get_untracked();
        let client = client.get_value();
        loading.set(true);
        spawn_local(async move {
            let page = client.audit_page(&filter, paging_token.as_deref()).await;
            if generation.try_get_value() != Some(this_load) {
                return;
            }
            loading.try_set(false);
            match page {
                Ok(page) => {
                    records.try_update(|records| {
                        if !more {
                            records.clear();
                        }
                        records.extend(page.results);
                    });
                    next.try_set(page.metadata.next_paging_token);
                    total.try_set(page.metadata.total);
                    failure.try_set(None);
                }
                Err(error) => {
                    failure.try_set(Some(error));
                }
            }
        });
    };
    Effect::new(move |_| {
        filter.track();
        changed.track();
        load(false);
    });
    let export = move |_| {
        let client = client.get_value();
        let filter = filter.get_untracked();
        spawn_local(async move {
            match client.audit_csv(&filter).await {
                Ok(csv) => download_csv("invitation-activity.csv", &csv),
                Err(error) => {
                    failure.try_set(Some(error));
                }
            }
        });
    };
    // A filter asks the server: once the field is left or Enter pressed, not per keystroke.
    let field = move |label,
                      shown: fn(&AuditFilter) -> &String,
                      typed: fn(&mut AuditFilter) -> &mut String| {
        search_field(
            t(label),
            move || filter.with(|filter| shown(filter).clone()),
            Searching::OnChange,
            move |text| filter.update(|filter| *typed(filter) = text),
        )
    };
    let summary = move || {
        let shown = records.with(Vec::len);
        match total.get() {
            Some(total) => tf(
                key!("activity.summary"),
                &[("shown", &shown.to_string()), ("total", &total.to_string())],
            ),
            None => String::new(),
        }
    };

    view! {
        <section class="oi-activity" aria-labelledby="oi-activity-title">
            <h2 class="oi-subtitle" id="oi-activity-title">
                {t(key!("activity.title"))}
            </h2>
            <div class="oi-toolbar">
                {field(
                    key!("activity.address"),
                    |filter| &filter.email,
                    |filter| &mut filter.email,
                )}
                {field(key!("activity.actor"), |filter| &filter.actor, |filter| &mut filter.actor)}
                <button type="button" class="oi-button" on:click=export>
                    {t(key!("activity.export"))}
                </button>
            </div>
            <p class="oi-summary" role="status">
                {summary}
            </p>
            {notice(move || {
                failure
                    .get()
                    .map(|error| tf(key!("activity.failed"), &[("error", &error.in_words())]))
            })}
            // A table on a desk; on a narrow screen each record stacks, so nothing scrolls
            // but the page. The roles keep it a table for assistive technology either way.
            <div class="oi-activity-box">
                <table
                    role="table"
                    class="oi-table oi-activity-table"
                    aria-label=t(key!("activity.records"))
                >
                    <thead role="rowgroup">
                        <tr role="row">
                            <th role="columnheader" scope="col">
                                {t(key!("activity.when"))}
                            </th>
                            <th role="columnheader" scope="col">
                                {t(key!("activity.who"))}
                            </th>
                            <th role="columnheader" scope="col">
                                {t(key!("activity.what"))}
                            </th>
                            <th role="columnheader" scope="col">
                                {t(key!("activity.address"))}
                            </th>
                            <th role="columnheader" scope="col">
                                {t(key!("activity.outcome"))}
                            </th>
                        </tr>
                    </thead>
                    <tbody role="rowgroup">
                        <For
                            each=move || records.get().into_iter().enumerate()
                            key=|(position, record)| (*position, record.request_id.clone())
                            children=move |(_, record)| {
                                view! {
                                    <tr role="row" class="oi-activity-row">
                                        <td role="cell" class="oi-activity-when">
                                            {move || zone.get().format(record.at)}
                                        </td>
                                        <td role="cell" class="oi-activity-who">
                                            {record.actor.clone()}
                                        </td>
                                        <td role="cell" class="oi-activity-what">
                                            {what(&record)}
                                        </td>
                                        <td role="cell" class="oi-activity-address">
                                            {record.email.clone().unwrap_or_default()}
                                        </td>
                                        <td role="cell" class="oi-activity-outcome">
                                            {outcome(&record)}
                                        </td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
            <Show when=move || next.with(Option::is_some)>
                <button
                    type="button"
                    class="oi-button"
                    disabled=move || loading.get()
                    on:click=move |_| load(true)
                >
                    {t(key!("activity.more"))}
                </button>
            </Show>
        </section>
    }
}

/// What the record's caller did, in words.
fn what(record: &AuditRecord) -> String {
    match record.action.as_str() {
        "create" => t(key!("activity.invited")),
        "invalidate" => t(key!("activity.revoked")),
        "resend" => match &record.replaces {
            Some(old) => tf(key!("activity.resent_replacing"), &[("id", old)]),
            None => t(key!("activity.resent")),
        },
        "denied" => t(key!("activity.refused")),
        "mail_queued" => t(key!("activity.mail_queued")),
        "mail_sent" => t(key!("activity.mail_sent")),
        "mail_written" => t(key!("activity.mail_written")),
        "mail_failed" => t(key!("activity.mail_failed")),
        "accepted" => t(key!("activity.accepted")),
        "declined" => t(key!("activity.declined")),
        "link_copied" => t(key!("activity.link_copied")),
        "webhook_created" => t(key!("activity.webhook_created")),
        "webhook_deleted" => t(key!("activity.webhook_deleted")),
        "webhook_rotated" => t(key!("activity.webhook_rotated")),
        "webhook_paused" => t(key!("activity.webhook_paused")),
        "webhook_resumed" => t(key!("activity.webhook_resumed")),
        "webhook_disabled" => t(key!("activity.webhook_disabled")),
        other => other.to_owned(),
    }
}

/// How it ended, in words.
fn outcome(record: &AuditRecord) -> String {
    match (record.status, &record.detail) {
        // The mail server's own reason; its status is this server's, not the mail server's.
        (Some(_), Some(detail)) if record.action == "mail_failed" => detail.clone(),
        (None, _) => t(key!("activity.unknown")),
        (Some(status), _) if (200..300).contains(&status) => t(key!("activity.done")),
        (Some(status), Some(detail)) => tf(
            key!("activity.failed_with"),
            &[("status", &status.to_string()), ("detail", detail)],
        ),
        (Some(status), None) => tf(
            key!("activity.failed_status"),
            &[("status", &status.to_string())],
        ),
    }
}

/// The props of the Activity view, for [`activity_part`].
#[derive(Clone)]
pub struct ActivityArgs {
    pub zone: Signal<TimeZoneChoice>,
    pub changed: Signal<()>,
}

split! {
    /// The Activity view, in the `later` module.
    pub fn activity_part() -> Result<Part<ActivityArgs>, SplitLoaderError> {
        Ok(|ActivityArgs { zone, changed }| view! { <Activity zone changed /> }.into_any())
    }
}
