//! Deleting in headless Chromium: the dialog, undo, bulk selection, and a failed call (the
//! server here is unreachable; the end-to-end tests cover a real one).

use std::time::Duration;

use crate::browser::{container, element, selectors, texts, wait_until};
use chrono::{TimeDelta, Utc};
use leptos::prelude::*;
use org_invitations::api::ApiClient;
use org_invitations::delete::Deletions;
use org_invitations::{InvitationList, TimeZoneChoice};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::listing::ListView;
use org_invitations_core::rows::rows_from;
use org_invitations_core::testing::invitation;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlInputElement};

fn invitations() -> Vec<OrganizationInvitation> {
    let now = Utc::now();
    ["ann", "bob", "cy"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            invitation(
                &format!("orginv_{name}"),
                &format!("{name}@example.com"),
                now - TimeDelta::hours(i as i64 + 1),
            )
        })
        .collect()
}

/// The list with a deletion service whose server cannot be reached.
fn mount(root: &HtmlElement, undo_window: Duration) -> impl Drop {
    let rows = rows_from(invitations());
    leptos::mount::mount_to(root.clone(), move || {
        Deletions::provide(
            ApiClient::new("http://127.0.0.1:9", None),
            Callback::new(|_| ()),
            undo_window,
        );
        let list_view = RwSignal::new(ListView::default());
        let zone = RwSignal::new(TimeZoneChoice::Utc);
        view! {
            <div class="oi-console">
                <InvitationList
                    rows=Signal::stored(rows)
                    list_view
                    zone
                    now=Signal::stored(Utc::now())
                />
            </div>
        }
    })
}

fn shown(root: &HtmlElement) -> Vec<String> {
    texts(root, selectors::ROW_EMAILS)
}

fn button(root: &HtmlElement, css: &str) -> HtmlButtonElement {
    element(root, css)
}

fn dialog_open(root: &HtmlElement) -> bool {
    root.query_selector("dialog[open]").unwrap().is_some()
}

/// Presses the row's Delete and confirms in the dialog.
async fn confirm_deleting(root: &HtmlElement, email: &str) {
    button(
        root,
        &format!("button[aria-label='Delete invitation for {email}']"),
    )
    .click();
    wait_until("the dialog", || dialog_open(root)).await;
    button(root, selectors::DIALOG_DELETE).click();
}

#[wasm_bindgen_test]
async fn the_dialog_names_the_address_and_cancel_changes_nothing() {
    let root = container();
    let _mounted = mount(&root, Duration::from_secs(60));
    let delete = button(
        &root,
        "button[aria-label='Delete invitation for bob@example.com']",
    );
    assert_eq!(delete.text_content().unwrap(), "Delete");
    delete.click();
    wait_until("the dialog", || dialog_open(&root)).await;
    assert_eq!(
        texts(&root, "dialog h2"),
        ["Delete the invitation for bob@example.com?"]
    );
    let confirm: Vec<String> = texts(&root, "dialog button");
    assert_eq!(confirm, ["Cancel", "Delete"]);
    button(&root, "dialog button").click();
    wait_until("the dialog closed", || !dialog_open(&root)).await;
    assert_eq!(
        shown(&root),
        ["ann@example.com", "bob@example.com", "cy@example.com"]
    );
}

#[wasm_bindgen_test]
async fn undo_puts_the_row_back_exactly_where_it_was() {
    let root = container();
    let _mounted = mount(&root, Duration::from_secs(60));
    confirm_deleting(&root, "bob@example.com").await;
    wait_until("the row gone", || {
        shown(&root) == ["ann@example.com", "cy@example.com"]
    })
    .await;
    let notice = texts(&root, selectors::DELETION_NOTICES).join("");
    assert!(
        notice.starts_with("Invitation for bob@example.com deleted"),
        "{notice}"
    );
    let announced = texts(&root, "[role=status]").join(" ");
    assert!(
        announced
            .contains("Invitation for bob@example.com deleted. Undo is available for 60 seconds."),
        "{announced}"
    );
    button(&root, ".oi-notice-item button").click();
    wait_until("the row back", || {
        shown(&root) == ["ann@example.com", "bob@example.com", "cy@example.com"]
    })
    .await;
    assert!(texts(&root, selectors::DELETION_NOTICES).is_empty());
}

#[wasm_bindgen_test]
async fn a_call_that_cannot_reach_the_server_is_kept_pending_never_reported_failed() {
    let root = container();
    // A short undo window: the revoke is attempted, and cannot be sent, without any click.
    let _mounted = mount(&root, Duration::from_millis(50));
    confirm_deleting(&root, "ann@example.com").await;
    wait_until("the pending notice", || {
        texts(&root, selectors::DELETION_NOTICES)
            .join("")
            .starts_with("Deleting… 0 of 1. The server cannot be reached")
    })
    .await;
    assert_eq!(
        shown(&root),
        ["bob@example.com", "cy@example.com"],
        "the row stays out while its deletion is pending"
    );
    assert!(
        texts(&root, selectors::ROW_ERRORS).is_empty(),
        "not reported failed"
    );
    let announced = texts(&root, "[role=status]").join(" ");
    assert!(
        announced.contains(
            "The server cannot be reached: deleting ann@example.com is kept and will be tried again until it answers."
        ),
        "{announced}"
    );
}

#[wasm_bindgen_test]
async fn select_all_picks_the_shown_rows_and_the_dialog_lists_them() {
    let root = container();
    let _mounted = mount(&root, Duration::from_secs(60));
    let bulk = || button(&root, ".oi-bulk button.oi-danger");
    assert!(bulk().disabled());
    assert_eq!(bulk().text_content().unwrap(), "Delete selected (0)");
    element::<HtmlInputElement>(
        &root,
        "input[aria-label='Select invitation for cy@example.com']",
    )
    .click();
    wait_until("one selected", || {
        bulk().text_content().unwrap() == "Delete selected (1)"
    })
    .await;
    let all: HtmlInputElement = element(&root, "input[aria-label='Select all shown invitations']");
    all.click();
    wait_until("all selected", || {
        bulk().text_content().unwrap() == "Delete selected (3)"
    })
    .await;
    bulk().click();
    wait_until("the dialog", || dialog_open(&root)).await;
    assert_eq!(texts(&root, "dialog h2"), ["Delete 3 invitations?"]);
    assert_eq!(
        texts(&root, "dialog li"),
        ["ann@example.com", "bob@example.com", "cy@example.com"]
    );
    all.click();
    wait_until("none selected", || {
        bulk().text_content().unwrap() == "Delete selected (0)"
    })
    .await;
}

#[wasm_bindgen_test]
async fn with_two_notices_open_every_button_names_its_own_subject() {
    let root = container();
    let _mounted = mount(&root, Duration::from_secs(60));
    for email in ["ann@example.com", "bob@example.com"] {
        confirm_deleting(&root, email).await;
        wait_until("the dialog closed", || !dialog_open(&root)).await;
    }
    wait_until("two notices", || {
        texts(&root, selectors::DELETION_NOTICES).len() == 2
    })
    .await;
    let buttons = root.query_selector_all(".oi-notice-item button").unwrap();
    let names: Vec<String> = (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .map(|node| {
            wasm_bindgen::JsCast::unchecked_into::<web_sys::Element>(node)
                .get_attribute("aria-label")
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        names,
        [
            "Undo deleting ann@example.com",
            "Delete now, ann@example.com, without waiting",
            "Undo deleting bob@example.com",
            "Delete now, bob@example.com, without waiting",
        ]
    );
}

/// Lets queued promise jobs run (the framework's effects), but no timer or event task.
async fn microtasks() {
    for _ in 0..20 {
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(
            &wasm_bindgen::JsValue::NULL,
        ))
        .await
        .unwrap();
    }
}

/// Yields to the browser's task queue (where a dialog's close event waits) for a while.
async fn a_few_tasks() {
    for _ in 0..5 {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    }
}

#[wasm_bindgen_test]
async fn the_next_delete_pressed_at_once_keeps_its_dialog_open() {
    let root = container();
    let _mounted = mount(&root, Duration::from_secs(60));
    confirm_deleting(&root, "ann@example.com").await;
    microtasks().await;
    assert!(!dialog_open(&root), "the dialog closed");
    // Before the closing dialog's "close" event has been delivered, the next Delete.
    button(
        &root,
        "button[aria-label='Delete invitation for bob@example.com']",
    )
    .click();
    microtasks().await;
    a_few_tasks().await;
    assert!(
        dialog_open(&root),
        "the late close event of the first dialog must not cancel the second"
    );
    assert!(texts(&root, "dialog[open] h2")[0].contains("bob@example.com"));
}
