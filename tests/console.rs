//! The console's components, mounted in headless Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

mod browser;

use browser::{container, texts, wait_until};
use chrono::{Local, TimeDelta, Utc};
use leptos::prelude::*;
use org_invitations::{App, ConsoleOptions, InvitationTable};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::datetime::{format_cli, rfc3339};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn invitation(id: &str, email: &str, created: &str) -> OrganizationInvitation {
    let created_at = rfc3339::parse(created).unwrap();
    OrganizationInvitation {
        id: id.into(),
        email: email.into(),
        organization_id: "org_test".into(),
        accepted_at: None,
        created_at,
        expires_at: created_at + TimeDelta::days(7),
    }
}

#[wasm_bindgen_test]
fn the_table_has_the_cli_columns_and_dates() {
    let root = container();
    let rows = vec![
        invitation("orginv_a", "ann@example.com", "2024-11-25T22:24:00+00:00"),
        invitation("orginv_b", "bob@example.com", &rfc3339::to_string(&(Utc::now() - TimeDelta::hours(1)))),
    ];
    let expected = rows.clone();
    let _mounted = leptos::mount::mount_to(root.clone(), move || view! { <InvitationTable invitations=rows /> });

    assert_eq!(texts(&root, "thead th"), ["ID", "Email", "Created At", "Expires At"]);
    let cells = texts(&root, "tbody tr:first-child td");
    assert_eq!(cells, ["orginv_a", "ann@example.com", &format_cli(expected[0].created_at, &Local), &format_cli(expected[0].expires_at, &Local)]);
    assert_eq!(texts(&root, "tbody tr").len(), 2);
    let expired = texts(&root, "tbody tr.oi-expired td.oi-id");
    assert_eq!(expired, ["orginv_a"], "only the 2024 invitation is past its expiry");
}

#[wasm_bindgen_test]
fn an_empty_list_says_so() {
    let root = container();
    let _mounted = leptos::mount::mount_to(root.clone(), || view! { <InvitationTable invitations=Vec::new() /> });
    assert_eq!(texts(&root, ".oi-empty"), ["No invitations yet."]);
    assert!(texts(&root, "table").is_empty());
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_reported_with_a_retry() {
    let root = container();
    // Nothing listens on the discard port: the browser's fetch fails outright.
    let options = ConsoleOptions { api_base: "http://127.0.0.1:9".into(), token: Some("sss_test_token_0000".into()) };
    let _mounted = org_invitations::mount(root.clone(), options);
    wait_until("the error notice", || !texts(&root, ".oi-error").is_empty()).await;
    let notice = texts(&root, ".oi-error").join(" ");
    assert!(notice.contains("Server unreachable"), "{notice}");
    assert!(notice.contains("Cannot reach the invitation server"), "{notice}");

    let retry: web_sys::HtmlButtonElement = root.query_selector(".oi-error button").unwrap().unwrap().unchecked_into();
    assert_eq!(retry.text_content().unwrap(), "Retry");
}

#[wasm_bindgen_test]
fn the_app_starts_in_a_visible_loading_state() {
    let root = container();
    let options = ConsoleOptions { api_base: "http://127.0.0.1:9".into(), token: None };
    let _mounted = leptos::mount::mount_to(root.clone(), move || view! { <App options /> });
    assert_eq!(texts(&root, ".oi-status"), ["Loading invitations…"]);
    assert_eq!(texts(&root, "h1"), ["Organization invitations"]);
}
