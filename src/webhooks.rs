//! The Webhooks view, for admins of this project's server: the endpoints that hear of every
//! invitation event, each added with the events it wants, its secret shown once (when made or
//! rotated), paused or resumed, sent a test event, its latest deliveries listed (status, time,
//! answer code) and one redelivered. An endpoint the server disabled for failing is said at
//! the top. All of it is in the `later` module. Reads and changes are plain signals and tasks,
//! as in the Activity view: Leptos's resources, actions and keyed lists cost this view 35 KiB
//! (brotli) more (docs/size.md).

use leptos::prelude::*;
use org_invitations_core::webhook::{
    DeliveryStatus, EVENT_TYPES, NewWebhook, Webhook, WebhookDelivery,
};

use futures::future::LocalBoxFuture;
use leptos::task::spawn_local;

use crate::api::webhooks::EndpointChange;
use crate::api::{ApiClient, ApiError};
use crate::i18n::words::{key, t, tf};
use crate::later::{Part, SplitLoaderError, split};
use crate::time_zone::TimeZoneChoice;
use crate::widgets::notice;

/// What an admin asks of one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    Test,
    Pause,
    Resume,
    Rotate,
    Delete,
}

/// How an asking went, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Done {
    /// A new secret for the endpoint at that URL, shown once.
    Secret(String, String),
    Said(String),
}

#[component]
pub fn Webhooks(
    /// Which clock times are shown in.
    zone: Signal<TimeZoneChoice>,
) -> impl IntoView {
    let client = StoredValue::new(expect_context::<ApiClient>());
    let endpoints = RwSignal::new(None::<Result<Vec<Webhook>, ApiError>>);
    let reload = move || {
        let client = client.get_value();
        spawn_local(async move {
            endpoints.try_set(Some(client.webhooks().await));
        });
    };
    reload();
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<String>::new());
    let done = RwSignal::new(None::<Done>);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // One change at a time: what it did is said, the endpoints read again.
    let run = move |change: LocalBoxFuture<'static, Result<Done, ApiError>>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = change.await;
            busy.try_set(false);
            match result {
                Ok(outcome) => {
                    done.try_set(Some(outcome));
                    failure.try_set(None);
                    reload();
                }
                Err(error) => {
                    failure.try_set(Some(error.in_words()));
                }
            }
        });
    };
    let ask = Asker(std::rc::Rc::new(move |webhook: Webhook, asked: Ask| {
        let client = client.get_value();
        run(Box::pin(
            async move { asked_of(&client, &webhook, asked).await },
        ));
    }));
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let client = client.get_value();
        let new = NewWebhook {
            url: url.get_untracked().trim().to_owned(),
            events: Some(chosen.get_untracked()),
        };
        run(Box::pin(async move {
            let made = client.add_webhook(&new).await?;
            url.try_set(String::new());
            chosen.try_set(Vec::new());
            Ok(Done::Secret(made.url, made.secret))
        }));
    };
    let listed = move || {
        endpoints.with(|endpoints| match endpoints {
            Some(Ok(listed)) => listed.clone(),
            _ => Vec::new(),
        })
    };
    let disabled = move || listed().iter().any(|webhook| webhook.disabled_at.is_some());
    let ask = StoredValue::new_local(ask);

    view! {
        <section class="oi-webhooks" aria-labelledby="oi-webhooks-title">
            <h2 class="oi-subtitle" id="oi-webhooks-title">
                {t(key!("webhooks.title"))}
            </h2>
            <p class="oi-help">{t(key!("webhooks.intro"))}</p>
            {notice(move || disabled().then(|| t(key!("webhooks.disabled_notice"))))}
            {notice(move || {
                let unread = endpoints
                    .with(|endpoints| match endpoints {
                        Some(Err(error)) => Some(error.in_words()),
                        _ => None,
                    });
                unread
                    .or_else(|| failure.get())
                    .map(|error| tf(key!("webhooks.failed"), &[("error", &error)]))
            })}
            // Not `oi-status`, which says the console is still busy.
            <p class="oi-help" role="status">
                {move || match done.get() {
                    Some(Done::Said(text)) => Some(text.into_any()),
                    Some(Done::Secret(url, secret)) => Some(secret_view(url, secret).into_any()),
                    None => None,
                }}
            </p>
            <form class="oi-webhook-form" on:submit=submit>
                <label class="oi-field">
                    <span>{t(key!("webhooks.url"))}</span>
                    <input
                        type="url"
                        required
                        placeholder="https://hooks.example.com/invitations"
                        autocomplete="off"
                        spellcheck="false"
                        prop:value=move || url.get()
                        on:input=move |event| url.set(event_target_value(&event))
                    />
                </label>
                <fieldset class="oi-events">
                    <legend>{t(key!("webhooks.events"))}</legend>
                    {EVENT_TYPES.iter().map(|event| event_choice(event, chosen)).collect_view()}
                </fieldset>
                <button type="submit" class="oi-button oi-primary" disabled=move || busy.get()>
                    {t(key!("webhooks.add"))}
                </button>
            </form>
            <ul class="oi-webhook-list">
                {move || {
                    listed()
                        .into_iter()
                        .map(|webhook| endpoint_view(webhook, ask, busy, zone))
                        .collect_view()
                }}
            </ul>
            {move || {
                endpoints
                    .with(|endpoints| matches!(endpoints, Some(Ok(listed)) if listed.is_empty()))
                    .then(|| view! { <p class="oi-empty">{t(key!("webhooks.none"))}</p> })
            }}
        </section>
    }
}

/// Asks one thing of an endpoint.
#[derive(Clone)]
struct Asker(std::rc::Rc<dyn Fn(Webhook, Ask)>);

/// Does `asked` to `webhook`; what to say of it.
async fn asked_of(client: &ApiClient, webhook: &Webhook, asked: Ask) -> Result<Done, ApiError> {
    let id = &webhook.id;
    let said = |key| Ok(Done::Said(t(key)));
    match asked {
        Ask::Test => {
            client.test_webhook(id).await?;
            said(key!("webhooks.tested"))
        }
        Ask::Pause => {
            client.change_webhook(id, EndpointChange::Pause).await?;
            said(key!("webhooks.paused_now"))
        }
        Ask::Resume => {
            client.change_webhook(id, EndpointChange::Resume).await?;
            said(key!("webhooks.resumed_now"))
        }
        Ask::Rotate => {
            let rotated = client.rotate_webhook(id).await?;
            Ok(Done::Secret(webhook.url.clone(), rotated))
        }
        Ask::Delete => {
            client.delete_webhook(id).await?;
            said(key!("webhooks.deleted"))
        }
    }
}

/// One event type's checkbox.
fn event_choice(event: &'static str, chosen: RwSignal<Vec<String>>) -> impl IntoView {
    view! {
        <label class="oi-check">
            <input
                type="checkbox"
                prop:checked=move || chosen.with(|chosen| chosen.iter().any(|e| e == event))
                on:change=move |_| {
                    chosen
                        .update(|chosen| {
                            if let Some(at) = chosen.iter().position(|e| e == event) {
                                chosen.remove(at);
                            } else {
                                chosen.push(event.to_owned());
                            }
                        })
                }
            />
            <code>{event}</code>
        </label>
    }
}

/// A secret made just now: shown once, selected for copying.
fn secret_view(url: String, secret: String) -> impl IntoView {
    view! {
        <span class="oi-secret">
            {tf(key!("webhooks.secret"), &[("url", &url)])} " "
            <code class="oi-secret-value">{secret.clone()}</code> " "
            <button
                type="button"
                class="oi-button"
                on:click=move |_| {
                    let _ = window().navigator().clipboard().write_text(&secret);
                }
            >
                {t(key!("webhooks.copy_secret"))}
            </button>
        </span>
    }
}

fn endpoint_view(
    webhook: Webhook,
    ask: StoredValue<Asker, LocalStorage>,
    busy: RwSignal<bool>,
    zone: Signal<TimeZoneChoice>,
) -> impl IntoView {
    let heading = format!("oi-webhook-{}", webhook.id);
    let state = match (&webhook.disabled_at, &webhook.paused_at) {
        (Some(_), _) => t(key!("webhooks.state.disabled")),
        (None, Some(_)) => t(key!("webhooks.state.paused")),
        (None, None) => t(key!("webhooks.state.active")),
    };
    let events = if webhook.events.is_empty() {
        t(key!("webhooks.all_events"))
    } else {
        webhook.events.join(", ")
    };
    let stopped = webhook.paused_at.is_some() || webhook.disabled_at.is_some();
    let showing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let button = {
        let (webhook, heading) = (webhook.clone(), heading.clone());
        move |label: String, asked: Ask| {
            let webhook = webhook.clone();
            view! {
                <button
                    type="button"
                    class="oi-button"
                    aria-describedby=heading.clone()
                    disabled=move || busy.get()
                    on:click=move |_| ask.with_value(|ask| (ask.0)(webhook.clone(), asked))
                >
                    {label}
                </button>
            }
        }
    };
    let id = webhook.id.clone();
    let heading_for_delete = heading.clone();
    let delete_button = button.clone();
    view! {
        <li class="oi-webhook" class:oi-webhook-stopped=stopped>
            <h3 class="oi-webhook-url" id=heading.clone()>
                {webhook.url.clone()}
            </h3>
            <p class="oi-help">
                <span class="oi-badge">{state}</span>
                " "
                {events}
            </p>
            <div class="oi-toolbar">
                {button(t(key!("webhooks.test")), Ask::Test)}
                {if stopped {
                    button(t(key!("webhooks.resume")), Ask::Resume)
                } else {
                    button(t(key!("webhooks.pause")), Ask::Pause)
                }} {button(t(key!("webhooks.rotate")), Ask::Rotate)}
                <button
                    type="button"
                    class="oi-button"
                    aria-describedby=heading.clone()
                    aria-expanded=move || showing.get().to_string()
                    on:click=move |_| showing.update(|showing| *showing = !*showing)
                >
                    {t(key!("webhooks.deliveries"))}
                </button>
                {move || {
                    if confirming.get() {
                        view! {
                            <span role="group" aria-label=t(key!("webhooks.confirm_delete"))>
                                {t(key!("webhooks.confirm_delete"))}
                                " "
                                {delete_button(t(key!("webhooks.delete")), Ask::Delete)}
                                <button
                                    type="button"
                                    class="oi-button"
                                    on:click=move |_| confirming.set(false)
                                >
                                    {t(key!("webhooks.keep"))}
                                </button>
                            </span>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button
                                type="button"
                                class="oi-button oi-danger"
                                aria-describedby=heading_for_delete.clone()
                                on:click=move |_| confirming.set(true)
                            >
                                {t(key!("webhooks.delete"))}
                            </button>
                        }
                            .into_any()
                    }
                }}
            </div>
            {move || showing.get().then(|| deliveries_view(id.clone(), zone))}
        </li>
    }
}

/// An endpoint's latest deliveries, read when shown and on Refresh, each redelivered on demand.
fn deliveries_view(id: String, zone: Signal<TimeZoneChoice>) -> impl IntoView {
    let client = StoredValue::new(expect_context::<ApiClient>());
    let endpoint = StoredValue::new(id);
    let deliveries = RwSignal::new(None::<Result<Vec<WebhookDelivery>, ApiError>>);
    let failure = RwSignal::new(None::<ApiError>);
    let read = move || {
        let (client, id) = (client.get_value(), endpoint.get_value());
        spawn_local(async move {
            deliveries.try_set(Some(client.webhook_deliveries(&id).await));
        });
    };
    read();
    let redeliver = move |delivery: String| {
        let (client, id) = (client.get_value(), endpoint.get_value());
        spawn_local(async move {
            match client.redeliver(&id, &delivery).await {
                Ok(()) => {
                    failure.try_set(None);
                    read();
                }
                Err(error) => {
                    failure.try_set(Some(error));
                }
            }
        });
    };
    let rows = move || {
        deliveries.with(|deliveries| match deliveries {
            Some(Ok(rows)) => rows.clone(),
            _ => Vec::new(),
        })
    };
    view! {
        <div class="oi-deliveries">
            {notice(move || {
                let unread = deliveries
                    .with(|deliveries| match deliveries {
                        Some(Err(error)) => Some(error.in_words()),
                        _ => None,
                    });
                unread
                    .or_else(|| failure.get().map(|error| error.in_words()))
                    .map(|error| tf(key!("webhooks.failed"), &[("error", &error)]))
            })} <button type="button" class="oi-button" on:click=move |_| read()>
                {t(key!("list.refresh"))}
            </button> <div class="oi-activity-box">
                <table
                    role="table"
                    class="oi-table oi-activity-table"
                    aria-label=t(key!("webhooks.deliveries"))
                >
                    <thead role="rowgroup">
                        <tr role="row">
                            <th role="columnheader" scope="col">
                                {t(key!("webhooks.delivery.event"))}
                            </th>
                            <th role="columnheader" scope="col">
                                {t(key!("webhooks.delivery.status"))}
                            </th>
                            <th role="columnheader" scope="col">
                                {t(key!("webhooks.delivery.when"))}
                            </th>
                            <th role="columnheader" scope="col">
                                {t(key!("webhooks.delivery.answer"))}
                            </th>
                            <th role="columnheader" scope="col">
                                <span class="oi-sr-only">{t(key!("webhooks.redeliver"))}</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody role="rowgroup">
                        {move || {
                            rows()
                                .into_iter()
                                .map(|delivery| delivery_row(delivery, redeliver, zone))
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            {move || {
                deliveries
                    .with(|deliveries| matches!(deliveries, Some(Ok(rows)) if rows.is_empty()))
                    .then(|| view! { <p class="oi-empty">{t(key!("webhooks.no_deliveries"))}</p> })
            }}
        </div>
    }
}

fn delivery_row(
    delivery: WebhookDelivery,
    redeliver: impl Fn(String) + Copy + 'static,
    zone: Signal<TimeZoneChoice>,
) -> impl IntoView {
    let status = match delivery.status {
        DeliveryStatus::Pending => t(key!("webhooks.status.pending")),
        DeliveryStatus::Delivered => t(key!("webhooks.status.delivered")),
        DeliveryStatus::Failed => t(key!("webhooks.status.failed")),
    };
    let attempts = tf(
        key!("webhooks.attempts"),
        &[("count", &delivery.attempts.to_string())],
    );
    let when = delivery.last_attempt_at.unwrap_or(delivery.created_at);
    let answer = match (delivery.response_status, &delivery.error) {
        (_, Some(error)) => error.clone(),
        (Some(code), None) => code.to_string(),
        (None, None) => String::new(),
    };
    let id = delivery.id.clone();
    view! {
        <tr role="row" class="oi-activity-row oi-delivery-row">
            <td role="cell">
                <code>{delivery.event_type.clone()}</code>
            </td>
            <td role="cell">{status} " · " {attempts}</td>
            <td role="cell" class="oi-activity-when">
                {move || zone.get().format(when)}
            </td>
            <td role="cell" class="oi-activity-outcome">
                {answer}
            </td>
            <td role="cell">
                <button type="button" class="oi-button" on:click=move |_| redeliver(id.clone())>
                    {t(key!("webhooks.redeliver"))}
                </button>
            </td>
        </tr>
    }
}

/// The props of the Webhooks view, for [`webhooks_part`].
#[derive(Clone)]
pub struct WebhooksArgs {
    pub zone: Signal<TimeZoneChoice>,
}

split! {
    /// The Webhooks view, in the `later` module.
    pub fn webhooks_part() -> Result<Part<WebhooksArgs>, SplitLoaderError> {
        Ok(|WebhooksArgs { zone }| view! { <Webhooks zone /> }.into_any())
    }
}
