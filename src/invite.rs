//! Invite many people at once: paste anything, see what each address will do, send, and see
//! what happened to every address. Nothing typed is lost on failure or reload.

mod preview;
mod results;
mod sender;
mod session_draft;

use crate::i18n::words::{key, t, tf};
use crate::widgets;
use std::collections::HashSet;
use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use org_invitations_core::email_input::{
    Candidate, Tally, Verdict, bring_back, csv_as_spreadsheet, parse, read, remove_span,
};
use org_invitations_core::invite_outcome::{Outcome, merge_in_input_order};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::ApiClient;
use crate::embed::host_events::HostEvents;
use crate::hooks::{Settle, use_settled};
use crate::later::{Part, SplitLoaderError, split};
use crate::progress::progress_bar;
use crate::session::access::Access;
use chrono::{DateTime, Utc};
use org_invitations_core::email::comparison_key;
use org_invitations_core::rows::Rows;
use preview::InvitePreview;
use results::InviteResults;
use sender::{SendReport, send_invitations};
use session_draft::use_session_draft;

/// Where the stand-alone console keeps its draft in session storage.
pub const DEFAULT_DRAFT_KEY: &str = "org-invitations:invite-draft";
/// From 10,000 characters on, the preview waits for typing to pause.
const PREVIEW_SETTLE: Settle = Settle {
    large_from: 10_000,
    delay: Duration::from_millis(150),
};

#[component]
pub fn InviteForm(
    /// Comparison keys of addresses that already have a pending invitation.
    pending: Memo<HashSet<String>>,
    /// Called after invitations were sent, so the list shows them.
    on_sent: Callback<()>,
    /// The session-storage key of the draft; consoles sharing a page need their own.
    #[prop(into, default = DEFAULT_DRAFT_KEY.to_owned())]
    draft_key: String,
) -> impl IntoView {
    let client = StoredValue::new(expect_context::<ApiClient>());
    let host_events = HostEvents::use_or_silent();
    // Where the server sends the mail itself: in the language this console speaks, and the
    // results say "queued", not "sent".
    let access = use_context::<Access>();
    let delivery = move || access.is_some_and(|access| access.reports_delivery());
    let draft = use_session_draft(draft_key);
    // The field is written only when the text changes other than by typing (removal, import,
    // sending): rewriting a large paste on every keystroke would stall typing.
    let field = NodeRef::<leptos::html::Textarea>::new();
    let replace_text = move |change: &dyn Fn(&mut String)| {
        draft.update(|text| change(text));
        if let Some(field) = field.get_untracked() {
            field.set_value(&draft.get_untracked());
        }
    };
    // The preview follows the text at once while it is small, and once typing pauses when it
    // is a large paste, so every keystroke stays quick.
    let settled = use_settled(draft, PREVIEW_SETTLE);
    let reading =
        Memo::new(move |_| pending.with(|pending| settled.with(|text| read(text, pending))));
    let tally = Memo::new(move |_| reading.with(|reading| Tally::of(&reading.candidates)));
    // (done, total) while sending; `Some` also blocks a second submission.
    let sending = RwSignal::new(None::<(usize, usize)>);
    let report = RwSignal::new(None::<SendReport>);
    let notice = RwSignal::new(None::<String>);

    let submit = move || {
        if sending.get_untracked().is_some() {
            return;
        }
        // Parsed now, not from the preview, which may still be waiting for typing to pause.
        let all =
            pending.with_untracked(|pending| draft.with_untracked(|text| parse(text, pending)));
        if all.is_empty() {
            notice.set(Some(t(key!("invite.nothing_typed"))));
            return;
        }
        notice.set(None);
        let to_send: Vec<Candidate> = all
            .iter()
            .filter(|candidate| candidate.verdict == Verdict::Valid)
            .cloned()
            .collect();
        sending.set(Some((0, to_send.len())));
        let client = client.get_value();
        let locale = delivery().then(crate::i18n::words::language);
        spawn_local(async move {
            let addresses: Vec<String> = to_send
                .iter()
                .map(|candidate| candidate.address.clone())
                .collect();
            let total = addresses.len();
            let sent = if addresses.is_empty() {
                SendReport {
                    outcomes: Vec::new(),
                    stopped_by: None,
                }
            } else {
                send_invitations(&client, &addresses, locale.as_deref(), |done| {
                    sending.try_set(Some((done, total)));
                })
                .await
            };
            // The sent addresses leave the input; everything else stays as it was typed.
            let sent_spans: Vec<_> = to_send
                .iter()
                .zip(&sent.outcomes)
                .filter(|(_, (_, outcome))| *outcome == Outcome::Sent)
                .map(|(candidate, _)| candidate.span.clone())
                .collect();
            if draft.try_get_untracked().is_some() {
                replace_text(&|text| {
                    for span in sent_spans.iter().rev() {
                        *text = remove_span(text, span.clone());
                    }
                });
            }
            let sent_emails: Vec<String> = sent.sent().map(str::to_owned).collect();
            let failed_emails: Vec<String> = sent.failed().map(str::to_owned).collect();
            host_events.created(&sent_emails);
            if let Some(error) = &sent.stopped_by {
                host_events.error(&failed_emails, &error.in_words());
            } else if !failed_emails.is_empty() {
                host_events.error(&failed_emails, &t(key!("event.invite_refused")));
            }
            // A lost answer may hide invitations made: the list shows which.
            let any_sent = !sent_emails.is_empty() || sent.unknown().next().is_some();
            sending.try_set(None);
            report.try_set(Some(SendReport {
                outcomes: merge_in_input_order(&all, sent.outcomes),
                stopped_by: sent.stopped_by,
            }));
            if any_sent {
                on_sent.run(());
            }
        });
    };

    let on_keydown = move |event: ev::KeyboardEvent| {
        if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
            event.prevent_default();
            submit();
        }
    };
    let import = move |file: web_sys::File| {
        spawn_local(async move {
            let is_csv = file.name().to_lowercase().ends_with(".csv") || file.type_() == "text/csv";
            let text = JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|text| text.as_string());
            match text.map(|text| {
                if is_csv {
                    csv_as_spreadsheet(&text)
                } else {
                    text
                }
            }) {
                Some(text) => replace_text(&|draft| {
                    if !draft.is_empty() && !draft.ends_with('\n') {
                        draft.push('\n');
                    }
                    draft.push_str(&text);
                }),
                None => notice.set(Some(tf(
                    key!("invite.unreadable_file"),
                    &[("file", &file.name())],
                ))),
            }
        });
    };
    let on_file = move |event: ev::Event| {
        let input: web_sys::HtmlInputElement = event.target().expect("target").unchecked_into();
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            import(file);
        }
        // Choosing the same file again must fire again.
        input.set_value("");
    };
    let on_drop = move |event: ev::DragEvent| {
        if let Some(file) = event
            .data_transfer()
            .and_then(|transfer| transfer.files())
            .and_then(|files| files.get(0))
        {
            event.prevent_default();
            import(file);
        }
    };

    view! {
        <div class="oi-invite">
            <h2 class="oi-subtitle" id="oi-invite-title">
                {t(key!("invite.title"))}
            </h2>
            <form
                class="oi-invite-form"
                on:submit=move |event| {
                    event.prevent_default();
                    submit();
                }
            >
                <label class="oi-field">
                    <span>{t(key!("invite.emails"))}</span>
                    <textarea
                        node_ref=field
                        rows="4"
                        spellcheck="false"
                        placeholder=t(key!("invite.placeholder"))
                        aria-describedby="oi-invite-help"
                        prop:value=draft.get_untracked()
                        on:input=move |event| draft.set(event_target_value(&event))
                        on:keydown=on_keydown
                        on:dragover=|event: ev::DragEvent| event.prevent_default()
                        on:drop=on_drop
                        readonly=move || sending.get().is_some()
                    ></textarea>
                </label>
                <p class="oi-help" id="oi-invite-help">
                    {t(key!("invite.help"))}
                </p>
                <div class="oi-invite-actions">
                    <button
                        type="submit"
                        class="oi-button oi-primary"
                        disabled=move || sending.get().is_some()
                    >
                        {t(key!("invite.send"))}
                    </button>
                    <label class="oi-button oi-file">
                        {t(key!("invite.import"))}
                        <input
                            type="file"
                            accept=".csv,.txt,text/csv,text/plain"
                            class="oi-sr-only"
                            on:change=on_file
                        />
                    </label>
                </div>
            </form>
            <InvitePreview
                reading
                tally
                remove=Callback::new(move |span: std::ops::Range<usize>| replace_text(
                    &|text| *text = remove_span(text, span.clone()),
                ))
                bring_back=Callback::new(move |span: std::ops::Range<usize>| replace_text(
                    &|text| *text = bring_back(text, span.clone()),
                ))
            />
            {widgets::notice(move || notice.get())}
            {move || {
                sending
                    .get()
                    .map(|(done, total)| {
                        view! {
                            <div class="oi-status" role="status">
                                <span>
                                    {tf(
                                        key!("invite.sending"),
                                        &[
                                            ("done", &done.to_string()),
                                            ("total", &total.to_string()),
                                        ],
                                    )}
                                </span>
                                {progress_bar(done, total, t(key!("invite.sending.bar")))}
                            </div>
                        }
                    })
            }}
            {move || {
                report
                    .get()
                    .map(|report| {
                        view! {
                            <InviteResults
                                report
                                queued=delivery()
                                on_retry=Callback::new(move |()| submit())
                            />
                        }
                    })
            }}
        </div>
    }
}

/// What the invite form is made from, for [`invite_form_part`].
#[derive(Clone)]
pub struct InviteArgs {
    /// The list's rows, for the addresses that already have a pending invitation.
    pub rows: RwSignal<Option<Rows>>,
    pub now: RwSignal<DateTime<Utc>>,
    pub on_sent: Callback<()>,
    pub draft_key: String,
}

split! {
    /// The invite form, in the `later` module (with what it alone needs: the addresses'
    /// comparison keys).
    pub fn invite_form_part() -> Result<Part<InviteArgs>, SplitLoaderError> {
        Ok(|InviteArgs { rows, now, on_sent, draft_key }| {
            let pending = Memo::new(move |_| {
                let now = now.get();
                rows.with(|rows| {
                    rows.iter()
                        .flat_map(|rows| rows.iter())
                        .filter(|row| !row.invitation.is_expired(now))
                        .map(|row| comparison_key(&row.invitation.email))
                        .collect()
                })
            });
            view! { <InviteForm pending on_sent draft_key /> }.into_any()
        })
    }
}
