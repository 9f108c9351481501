//! The console's frame: loads every invitation, keeps the last good list on screen, and says
//! what is happening (loading, refreshed, failed, signed out).

use std::time::Duration;

use leptos::prelude::*;
use org_invitations_core::status::Summary;

use crate::activity::{ActivityArgs, ActivityFilter, activity_part};
use crate::api::{ApiClient, ApiError, AuditFilter, WaitNotice};
use crate::delete::Deletions;
use crate::embed::host_events::HostEvents;
use crate::hooks::{Invitations, Progress, use_clock, use_invitations};
use crate::i18n::words::{Words, key, t, tf, tn};
use crate::invite::{InviteArgs, invite_form_part};
use crate::later::{Later, Part, Pending, SplitLoaderError, deferred, split};
use crate::list::{InvitationList, TableSkeleton, use_url_view};
use crate::options::ConsoleOptions;
use crate::progress::progress_bar;
use crate::resend::Resends;
use crate::session::access::Access;
use crate::session::sign_out::SignOut;
use crate::webhooks::{WebhooksArgs, webhooks_part};
use org_invitations_core::messages::Catalog;

/// How often statuses and relative phrases are recomputed.
const CLOCK_TICK: Duration = Duration::from_secs(30);

#[component]
pub fn App(
    /// Where the API is and how to authenticate to it.
    options: ConsoleOptions,
) -> impl IntoView {
    let client = ApiClient::new(options.api_base.clone(), options.token.clone());
    // Seconds left while the server's "too many requests" is waited out.
    let waiting = RwSignal::new(None::<u32>);
    let client = client.with_wait_notice(WaitNotice(std::sync::Arc::new(move |left| {
        waiting.try_set(left);
    })));
    let client = match options.token_provider.clone() {
        Some(provider) => client.with_token_provider(provider),
        None => client,
    };
    let host_events = HostEvents::provide(options.events.clone());
    // The host's words over the console's; what cannot be used is said once, not ignored.
    let (mut catalog, mut problems) = if options.locale_table.is_empty() {
        (Catalog::english(), Vec::new())
    } else {
        Catalog::with_locale(&options.locale, options.locale_table.clone())
    };
    problems.extend(options.locale_problem.clone());
    problems.extend(options.strings_refused.clone());
    problems.extend(catalog.merge(options.strings.clone()));
    for problem in problems {
        host_events.error(&[], &problem);
    }
    let language = catalog.language().to_owned();
    Words::provide(catalog);
    let language_menu = options.language_menu;
    provide_context(client.clone());
    let access = Access::provide(client.clone());
    let activity_filter = ActivityFilter(RwSignal::new(AuditFilter::default()));
    provide_context(activity_filter);
    // Someone asked for an address's history before the Activity view was in.
    let history_asked =
        Signal::derive(move || activity_filter.0.with(|filter| !filter.email.is_empty()));
    let later = Later::provide();
    let list_view = use_url_view(options.sync_url);
    let zone = RwSignal::new(options.time_zone);
    let (read_only, show_invite, show_list) = (
        options.read_only,
        options.show_invite && !options.read_only,
        options.show_list,
    );
    let draft_key = options
        .draft_key
        .clone()
        .unwrap_or_else(|| crate::invite::DEFAULT_DRAFT_KEY.to_owned());

    let now = use_clock(CLOCK_TICK);
    let invitations = use_invitations(client.clone(), now, host_events);
    let Invitations {
        rows,
        partial,
        progress,
        failure,
        refreshed_at,
        ..
    } = invitations;
    let load = move || invitations.reload();
    // While a mail is queued, the list is read again, quietly and less often each time (1 s to
    // 16 s), so each row's delivery changes without a reload. One read waits at a time: any
    // load (Refresh, a send) replaces the one that was waiting.
    let following = StoredValue::new(org_invitations_core::retry::Backoff::default());
    let next_read = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        refreshed_at.track();
        if let Some(waiting) = next_read.try_update_value(Option::take).flatten() {
            waiting.clear();
        }
        let now = now.get_untracked();
        let queued = rows.with_untracked(|rows| {
            rows.iter().flat_map(|rows| rows.iter()).any(|row| {
                !row.invitation.is_expired(now)
                    && row.invitation.delivery.as_ref().is_some_and(|delivery| {
                        delivery.state == org_invitations_core::invitation::DeliveryState::Queued
                    })
            })
        });
        if !queued {
            following.update_value(org_invitations_core::retry::Backoff::reset);
            return;
        }
        let wait = following
            .try_update_value(|wait| wait.next_wait_ms())
            .unwrap_or(16_000);
        let read = set_timeout_with_handle(
            move || invitations.follow(),
            Duration::from_millis(u64::from(wait)),
        );
        next_read.set_value(read.ok());
    });
    on_cleanup(move || {
        if let Some(waiting) = next_read.try_update_value(Option::take).flatten() {
            waiting.clear();
        }
    });
    // The later parts are fetched once the list has answered (or at once without a list), and
    // again with its next answer after a fetch failed.
    Effect::new(move |_| {
        refreshed_at.track();
        let answered = rows.with(Option::is_some) || failure.with(Option::is_some);
        if !show_list || answered {
            later.when_idle();
        }
    });

    // Rows the server no longer has leave the list without a reload.
    let on_deleted = Callback::new(move |gone: Vec<String>| {
        invitations.remove(&gone.into_iter().collect());
    });
    Resends::provide(
        client.clone(),
        Signal::derive(move || access.offers_resend()),
        Callback::new(move |()| load()),
    );
    crate::copy_link::LinkCopies::provide(client.clone());
    let deletions = Deletions::provide(client, on_deleted, options.undo_window);
    let summary = Memo::new(move |_| {
        deletions.hidden.with(|hidden| {
            rows.with(|rows| {
                rows.as_ref().map(|rows| {
                    Summary::of(
                        rows.iter()
                            .map(|row| &row.invitation)
                            .filter(|invitation| !hidden.contains(&invitation.id)),
                        now.get(),
                    )
                })
            })
        })
    });
    let loaded_rows = Signal::derive(move || rows.get().unwrap_or_default());
    // Changes the Activity view should show: a reload of the list, a deletion step.
    let changed = Signal::derive(move || {
        refreshed_at.track();
        deletions.last_event.track();
    });
    // A console signed in by the browser's session cookie can sign out; one given a token by
    // its host has no session of its own.
    let by_session = options.token.is_none() && options.token_provider.is_none();
    let signed_out = RwSignal::new(false);

    view! {
        // What the caller's role does not allow is not shown: no form for viewers, nothing
        // that revokes for anyone but admins.
        <div
            class="oi-console"
            class:oi-read-only=move || read_only || !access.may_revoke()
            // The server makes fresh links only where it sends the mail itself.
            class:oi-mailing=move || access.reports_delivery()
            lang=language.clone()
            dir=crate::i18n::locale::direction(&language)
        >
            <header class="oi-header">
                <div>
                    <h1 class="oi-title">{t(key!("app.title"))}</h1>
                    {move || {
                        access.organization.get().map(|name| view! { <p class="oi-org">{name}</p> })
                    }}
                </div>
                {move || access.signed_in_as().map(|text| view! { <p class="oi-who">{text}</p> })}
                {language_menu
                    .then(|| {
                        deferred(
                            || Box::pin(language_menu_part()),
                            language.clone(),
                            Pending::WhenNeeded(Signal::stored(false)),
                        )
                    })}
                {by_session.then(|| view! { <SignOut signed_out /> })}
            </header>
            {move || {
                waiting
                    .get()
                    .map(|left| {
                        view! {
                            <p class="oi-status oi-waiting" role="status">
                                {tf(key!("app.waiting"), &[("seconds", &left.to_string())])}
                            </p>
                        }
                    })
            }}
            {move || {
                signed_out
                    .get()
                    .then(|| {
                        view! {
                            <p class="oi-status" role="status">
                                {t(key!("app.signed_out"))}
                            </p>
                        }
                    })
            }}
            // Hidden rather than removed: nothing typed into the form is lost.
            <div class="oi-body" hidden=move || signed_out.get()>
                {move || {
                    (show_invite && access.may_invite())
                        .then(|| {
                            let props = InviteArgs {
                                rows,
                                now,
                                on_sent: Callback::new(move |()| load()),
                                draft_key: draft_key.clone(),
                            };
                            deferred(|| Box::pin(invite_form_part()), props, Pending::Always)
                        })
                }}
                // Not landmarks: a host page holding two consoles would have look-alike regions;
                // the headings give the structure, the host its landmarks.
                {show_list
                    .then(|| {
                        view! {
                            <div class="oi-list">
                                <h2 class="oi-subtitle" id="oi-list-title">
                                    {t(key!("list.title"))}
                                </h2>
                                <div class="oi-summary-bar">
                                    <p class="oi-summary">
                                        {move || {
                                            summary.get().map(|summary| counts(summary, partial.get()))
                                        }}
                                        {move || {
                                            refreshed_at
                                                .get()
                                                .map(|at| {
                                                    view! {
                                                        <span class="oi-refreshed">
                                                            {tf(
                                                                key!("list.refreshed"),
                                                                &[("time", &zone.get().format_time(at))],
                                                            )}
                                                        </span>
                                                    }
                                                })
                                        }}
                                    </p>
                                    <button
                                        type="button"
                                        class="oi-button"
                                        on:click=move |_| load()
                                        disabled=move || progress.get().is_some()
                                    >
                                        {t(key!("list.refresh"))}
                                    </button>
                                </div>
                                {move || {
                                    progress
                                        .get()
                                        .map(|progress| view! { <LoadProgress progress /> })
                                }}
                                {move || {
                                    failure
                                        .get()
                                        .map(|error| {
                                            view! {
                                                <LoadError error retry=Callback::new(move |()| load()) />
                                            }
                                        })
                                }}
                                <Show
                                    when=move || rows.with(Option::is_some)
                                    fallback=move || {
                                        view! {
                                            <Show when=move || failure.with(Option::is_none)>
                                                <TableSkeleton />
                                            </Show>
                                        }
                                    }
                                >
                                    <InvitationList
                                        invite_here=Signal::derive(move || {
                                            show_invite && access.may_invite()
                                        })
                                        rows=loaded_rows
                                        partial
                                        list_view
                                        zone
                                        now=now.into()
                                    />
                                </Show>
                            </div>
                        }
                    })}
                {move || {
                    (show_list && !read_only && access.may_read_activity())
                        .then(|| {
                            let props = ActivityArgs {
                                zone: zone.into(),
                                changed,
                            };
                            deferred(
                                || Box::pin(activity_part()),
                                props,
                                Pending::WhenNeeded(history_asked),
                            )
                        })
                }}
                // Webhooks are this project's server's, where it keeps the invitations itself.
                {move || {
                    (show_list && !read_only && access.may_read_activity()
                        && access.reports_delivery())
                        .then(|| {
                            let props = WebhooksArgs { zone: zone.into() };
                            deferred(
                                || Box::pin(webhooks_part()),
                                props,
                                Pending::WhenNeeded(Signal::stored(false)),
                            )
                        })
                }}
            </div>
        </div>
    }
}

/// "3 pending · 1 expiring soon · 1 expired", each count a badge in its status's colour, and
/// "so far" while the list is still arriving.
fn counts(summary: Summary, partial: bool) -> impl IntoView {
    view! {
        <span class="oi-badge oi-count-pending">
            {tn(key!("list.count.pending"), summary.pending)}
        </span>
        " · "
        <span class="oi-badge oi-count-expiring">
            {tn(key!("list.count.expiring"), summary.expiring_soon)}
        </span>
        " · "
        <span class="oi-badge oi-count-expired">
            {tn(key!("list.count.expired"), summary.expired)}
        </span>
        {partial.then(|| view! { <span class="oi-so-far">{t(key!("list.so_far"))}</span> })}
    }
}

#[component]
fn LoadProgress(progress: Progress) -> impl IntoView {
    let loaded = progress.loaded.to_string();
    let text = match (progress.loaded, progress.total) {
        (0, _) => t(key!("list.loading")),
        (_, Some(total)) => tf(
            key!("list.loading.progress"),
            &[("loaded", &loaded), ("total", &total.to_string())],
        ),
        (_, None) => tf(key!("list.loading.so_far"), &[("loaded", &loaded)]),
    };
    let bar = progress
        .total
        .filter(|total| *total > 0)
        .map(|total| progress_bar(progress.loaded, total as usize, t(key!("list.loading.bar"))));
    view! {
        <div class="oi-status" role="status">
            <span>{text}</span>
            {bar}
        </div>
    }
}

#[component]
fn LoadError(
    /// What went wrong.
    error: ApiError,
    /// Loads again.
    retry: Callback<()>,
) -> impl IntoView {
    let title = t(match error {
        ApiError::SignedOut => key!("error.signed_out.title"),
        ApiError::Server { status: 403, .. } => key!("error.forbidden.title"),
        ApiError::Unreachable => key!("error.unreachable.title"),
        ApiError::NoAnswer => key!("error.no_answer.title"),
        _ => key!("error.load.title"),
    });
    let again = error.is_temporary().then(|| t(key!("error.retrying")));
    let detail = error.in_words();
    view! {
        <div class="oi-error" role="alert">
            <p class="oi-error-title">{title}</p>
            <p class="oi-error-detail">{detail}</p>
            {again.map(|text| view! { <p class="oi-help">{text}</p> })}
            <button type="button" class="oi-button" on:click=move |_| retry.run(())>
                {t(key!("error.retry"))}
            </button>
        </div>
    }
}

split! {
    /// The language menu, in the `later` module.
    fn language_menu_part() -> Result<Part<String>, SplitLoaderError> {
        Ok(|current| view! { <LanguageMenu current /> }.into_any())
    }
}

/// The stand-alone page's language menu, each language in its own words; the choice is
/// remembered, and the page loads again in it (what was typed and the list's view survive).
#[component]
fn LanguageMenu(current: String) -> impl IntoView {
    let choose = move |event: leptos::ev::Event| {
        let chosen = event_target_value(&event);
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item(crate::i18n::locale::CHOSEN_KEY, &chosen);
        }
        let _ = window().location().reload();
    };
    view! {
        <label class="oi-language">
            <span class="oi-sr-only">{t(key!("app.language"))}</span>
            <select on:change=choose>
                {org_invitations_core::messages::SHIPPED
                    .iter()
                    .map(|language| {
                        view! {
                            <option value=*language lang=*language selected=*language == current>
                                {org_invitations_core::messages::own_name(language)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
