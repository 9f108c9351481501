//! The invite form in headless Chromium: live preview, removal, and what happens when the
//! server cannot be reached (the end-to-end tests cover a real server).

use std::collections::HashSet;

use crate::browser::{container, element, selectors, texts, type_into, wait_until};
use leptos::prelude::*;
use org_invitations::InviteForm;
use org_invitations::api::ApiClient;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlTextAreaElement};

/// The form against a server that is not there, with `pending@x.com` already invited. Each
/// test names its own draft key: async tests share one page and its session storage.
fn mount_form(root: &HtmlElement, draft_key: &'static str) -> impl Drop {
    storage().remove_item(draft_key).unwrap();
    leptos::mount::mount_to(root.clone(), move || {
        provide_context(ApiClient::new(
            "http://127.0.0.1:9",
            Some("sss_test_token_0000".into()),
        ));
        let pending = Memo::new(|_| HashSet::from(["pending@x.com".to_owned()]));
        view! {
            <div class="oi-console">
                <InviteForm pending on_sent=Callback::new(|()| ()) draft_key />
            </div>
        }
    })
}

fn storage() -> web_sys::Storage {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
}

fn type_emails(root: &HtmlElement, text: &str) {
    type_into(&element(root, "textarea"), text);
}

fn input_text(root: &HtmlElement) -> String {
    element::<HtmlTextAreaElement>(root, "textarea").value()
}

fn tally(root: &HtmlElement) -> String {
    texts(root, selectors::TALLY).join("")
}

#[wasm_bindgen_test]
async fn the_preview_counts_and_explains_every_address() {
    let root = container();
    let _mounted = mount_form(&root, "test-preview");
    assert_eq!(
        texts(&root, "label span").first().map(String::as_str),
        Some("Emails")
    );
    type_emails(
        &root,
        "a@x.com, nope; A@X.com\nPending@x.com\tAnn <ann@x.com>",
    );
    wait_until("the tally", || {
        tally(&root) == "2 valid · 1 invalid · 1 duplicate · 1 already invited"
    })
    .await;
    let problems = texts(&root, ".oi-problem");
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0].starts_with("nope — no @ — is this an address?"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("A@X.com — Appears more than once"),
        "{problems:?}"
    );
    assert!(
        problems[2].starts_with("Pending@x.com — Already has a pending invitation"),
        "{problems:?}"
    );
}

#[wasm_bindgen_test]
async fn a_problem_address_can_be_removed_from_the_input() {
    let root = container();
    let _mounted = mount_form(&root, "test-removal");
    type_emails(&root, "a@x.com, nope, b@x.com");
    wait_until("the invalid one", || tally(&root) == "2 valid · 1 invalid").await;
    let remove: HtmlButtonElement = element(&root, ".oi-problem button");
    assert_eq!(remove.get_attribute("aria-label").unwrap(), "Remove nope");
    remove.click();
    wait_until("it is gone", || input_text(&root) == "a@x.com, b@x.com").await;
    wait_until("the tally", || tally(&root) == "2 valid").await;
}

#[wasm_bindgen_test]
async fn when_the_server_cannot_be_reached_nothing_typed_is_lost() {
    let root = container();
    let _mounted = mount_form(&root, "test-unreachable");
    let typed = "Ann <ann@x.com>, bob@x.com, nope";
    type_emails(&root, typed);
    wait_until("the tally", || tally(&root) == "2 valid · 1 invalid").await;
    let send: HtmlButtonElement = element(&root, "button[type=submit]");
    assert_eq!(send.text_content().unwrap(), "Send invitations");
    send.click();
    // A second click while the first is under way does nothing (the button is disabled too).
    send.click();
    wait_until("the report", || {
        !texts(&root, selectors::RESULTS_HEADLINE).is_empty()
    })
    .await;
    // The browser cannot tell a server that is down from an answer lost on the way: the two
    // sent addresses are "unknown", never "failed".
    assert_eq!(
        texts(&root, selectors::RESULTS_HEADLINE),
        [
            "No invitation confirmed: 1 not sent and 2 unknown (the server's answer was lost: check the list)."
        ]
    );
    let stopped = texts(&root, selectors::RESULTS_NOTICE).join("");
    assert!(
        stopped.contains("Cannot reach the invitation server"),
        "{stopped}"
    );
    assert_eq!(
        texts(&root, selectors::RESULT_LINES).len(),
        3,
        "one line per address"
    );
    assert_eq!(input_text(&root), typed, "the whole input is kept");
    assert!(!send.disabled(), "the form can be used again");
}

#[wasm_bindgen_test]
async fn the_draft_is_kept_in_session_storage() {
    let root = container();
    let mounted = mount_form(&root, "test-draft");
    type_emails(&root, "keep@x.com");
    wait_until("the draft saved", || {
        storage().get_item("test-draft").unwrap().as_deref() == Some("keep@x.com")
    })
    .await;
    drop(mounted);
    assert_eq!(
        storage().get_item("test-draft").unwrap().as_deref(),
        Some("keep@x.com"),
        "unmounting keeps the draft"
    );
    // A new form (as after a reload) starts from the saved draft.
    let again = container();
    let _remounted = leptos::mount::mount_to(again.clone(), || {
        provide_context(ApiClient::new("http://127.0.0.1:9", None));
        view! {
            <InviteForm
                pending=Memo::new(|_| HashSet::new())
                on_sent=Callback::new(|()| ())
                draft_key="test-draft"
            />
        }
    });
    wait_until("the restored draft", || input_text(&again) == "keep@x.com").await;
}

#[wasm_bindgen_test]
async fn sending_with_nothing_valid_reports_each_address_without_a_request() {
    let root = container();
    let _mounted = mount_form(&root, "test-nothing-valid");
    type_emails(&root, "nope, pending@x.com");
    wait_until("the tally", || {
        tally(&root) == "0 valid · 1 invalid · 1 already invited"
    })
    .await;
    element::<HtmlButtonElement>(&root, "button[type=submit]").click();
    wait_until("the report", || {
        !texts(&root, selectors::RESULTS_HEADLINE).is_empty()
    })
    .await;
    assert_eq!(
        texts(&root, selectors::RESULTS_HEADLINE),
        ["No invitations sent: 2 not sent."]
    );
    assert!(
        texts(&root, selectors::RESULTS_NOTICE).is_empty(),
        "no request was made, so none failed"
    );
}

#[wasm_bindgen_test]
async fn a_large_draft_is_saved_when_the_page_is_left() {
    let root = container();
    let _mounted = mount_form(&root, "test-large-draft");
    let large: String = (0..600)
        .map(|i| format!("person{i}@example.com\n"))
        .collect();
    assert!(large.len() > 10_000);
    type_emails(&root, &large);
    // Saved once typing pauses, or at once when the page is hidden (reload, tab closed).
    web_sys::window()
        .unwrap()
        .dispatch_event(&web_sys::Event::new("pagehide").unwrap())
        .unwrap();
    assert_eq!(
        storage().get_item("test-large-draft").unwrap().as_deref(),
        Some(large.as_str())
    );
    wait_until("the preview", || tally(&root) == "600 valid").await;
}

#[wasm_bindgen_test]
async fn a_dropped_text_file_is_added_to_the_input() {
    let root = container();
    let _mounted = mount_form(&root, "test-drop");
    type_emails(&root, "first@x.com");
    let transfer = web_sys::DataTransfer::new().unwrap();
    let parts = js_sys::Array::of1(&"dropped@x.com, second.dropped@x.com".into());
    let file = web_sys::File::new_with_str_sequence(&parts, "people.txt").unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let init = web_sys::DragEventInit::new();
    init.set_data_transfer(Some(&transfer));
    init.set_cancelable(true);
    let drop = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    element::<HtmlTextAreaElement>(&root, "textarea")
        .dispatch_event(&drop)
        .unwrap();
    assert!(
        drop.default_prevented(),
        "the browser does not open the file instead"
    );
    wait_until("the file's addresses", || {
        input_text(&root) == "first@x.com\ndropped@x.com, second.dropped@x.com"
    })
    .await;
    wait_until("the preview", || tally(&root) == "3 valid").await;
}

#[wasm_bindgen_test]
async fn an_address_with_an_invisible_character_is_refused_with_the_reason() {
    let root = container();
    let _mounted = mount_form(&root, "test-invisible");
    type_emails(&root, "ze\u{200b}ro@example.com, zero@example.com");
    wait_until("the tally", || tally(&root) == "1 valid · 1 invalid").await;
    let problems = texts(&root, ".oi-problem");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("has an invisible character (U+200B): retype it"),
        "{problems:?}"
    );
}

#[wasm_bindgen_test]
async fn spreadsheet_cells_set_aside_are_listed_and_can_be_brought_back() {
    let root = container();
    let _mounted = mount_form(&root, "test-ignored-cells");
    type_emails(
        &root,
        "Name\tEmail\nJane Doe\tjane.doe.example.com\nBob\tbob@x.com",
    );
    wait_until("the tally", || tally(&root) == "1 valid").await;
    assert_eq!(
        texts(&root, selectors::IGNORED_SUMMARY),
        ["5 cells ignored (not addresses)"]
    );
    let cells = texts(&root, selectors::IGNORED_CELLS);
    assert_eq!(cells.len(), 5, "{cells:?}");
    assert!(cells[3].starts_with("jane.doe.example.com"), "{cells:?}");
    let bring: HtmlButtonElement = element(
        &root,
        &format!("{}:nth-child(4) button", selectors::IGNORED_CELLS),
    );
    assert_eq!(
        bring.get_attribute("aria-label").unwrap(),
        "Check as an address: jane.doe.example.com"
    );
    bring.click();
    wait_until("the cell on a line of its own", || {
        input_text(&root) == "Name\tEmail\nJane Doe\t\nBob\tbob@x.com\njane.doe.example.com"
    })
    .await;
    wait_until("it is judged as an address", || {
        tally(&root) == "1 valid · 1 invalid"
    })
    .await;
    assert!(
        texts(&root, ".oi-problem")[0]
            .starts_with("jane.doe.example.com — no @ — is this an address?"),
        "{:?}",
        texts(&root, ".oi-problem")
    );
    assert_eq!(
        texts(&root, selectors::IGNORED_SUMMARY),
        ["4 cells ignored (not addresses)"]
    );
}

#[wasm_bindgen_test]
async fn a_long_list_of_ignored_cells_starts_collapsed() {
    let root = container();
    let _mounted = mount_form(&root, "test-ignored-collapsed");
    type_emails(&root, "A\tB\tC\n1\t2\t3\ta@x.com");
    wait_until("the tally", || tally(&root) == "1 valid").await;
    let details: web_sys::HtmlDetailsElement = element(&root, ".oi-ignored");
    assert!(!details.open(), "six cells are folded away");
    type_emails(&root, "A\tB\ta@x.com");
    wait_until("two cells", || {
        texts(&root, selectors::IGNORED_SUMMARY) == ["2 cells ignored (not addresses)"]
    })
    .await;
    let details: web_sys::HtmlDetailsElement = element(&root, ".oi-ignored");
    assert!(details.open(), "a short list is open");
}

#[wasm_bindgen_test]
async fn each_kind_of_refusal_is_said_in_plain_words() {
    let root = container();
    let _mounted = mount_form(&root, "test-plain-words");
    let too_long = format!("{}@example.com", "a".repeat(250));
    let long_part = format!("{}@example.com", "b".repeat(65));
    let expected = [
        ("jane.doe.example.com", "no @ — is this an address?"),
        ("@example.com", "nothing before the @"),
        ("jane@", "nothing after the @"),
        ("jane@example", "the domain needs a dot"),
        ("jane@example..com", "a dot in the wrong place"),
        (
            "ja]ne@example.com",
            "has a character an address cannot have",
        ),
        ("jane@[127.0.0.1]", "the domain is not one mail can reach"),
        (
            "ja\u{200b}ne@example.com",
            "has an invisible character (U+200B): retype it",
        ),
        (long_part.as_str(), "a part of it is too long"),
        (
            too_long.as_str(),
            "too long: an address has at most 254 characters",
        ),
    ];
    let input: Vec<&str> = expected.iter().map(|(address, _)| *address).collect();
    type_emails(&root, &input.join("\n"));
    wait_until("the preview", || tally(&root).contains("invalid")).await;
    let problems = texts(&root, ".oi-problem");
    assert_eq!(
        tally(&root),
        format!("0 valid · {} invalid", expected.len()),
        "{problems:#?}"
    );
    for ((address, words), problem) in expected.iter().zip(&problems) {
        assert!(
            problem.starts_with(&format!("{address} — {words}")),
            "{address}: {problem}"
        );
    }
}
