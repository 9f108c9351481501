//! The console's components, mounted in headless Chromium by wasm-bindgen-test.

use crate::browser::{container, element, selectors, texts, type_into, wait_until};
use chrono::{DateTime, Local, TimeDelta, Utc};
use leptos::prelude::*;
use std::time::Duration;

use org_invitations::api::ApiClient;
use org_invitations::delete::Deletions;
use org_invitations::{App, ConsoleOptions, InvitationList, TimeZoneChoice};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::datetime::format_cli;
use org_invitations_core::listing::ListView;
use org_invitations_core::rows::rows_from;
use org_invitations_core::testing::invitation;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlInputElement};

/// Three invitations whose order differs by every column:
/// id a<b<c; email ann<Bob<carl; created c (oldest) < a < b (newest).
fn sample(now: DateTime<Utc>) -> Vec<OrganizationInvitation> {
    vec![
        invitation("orginv_a", "carl@example.com", now - TimeDelta::days(3)),
        invitation("orginv_b", "ann@example.com", now - TimeDelta::hours(1)),
        invitation("orginv_c", "Bob@example.com", now - TimeDelta::days(9)),
    ]
}

fn mount_list(
    root: &HtmlElement,
    invitations: Vec<OrganizationInvitation>,
    now: DateTime<Utc>,
) -> impl Drop {
    let rows = rows_from(invitations);
    leptos::mount::mount_to(root.clone(), move || {
        Deletions::provide(
            ApiClient::new("http://127.0.0.1:9", None),
            Callback::new(|_| ()),
            Duration::from_secs(1),
        );
        let list_view = RwSignal::new(ListView::default());
        let zone = RwSignal::new(TimeZoneChoice::Local);
        // The console's frame, which its stylesheet is scoped to.
        view! {
            <div class="oi-console">
                <InvitationList rows=Signal::stored(rows) list_view zone now=Signal::stored(now) />
            </div>
        }
    })
}

/// `count` invitations, a minute apart, newest (`orginv_00000`) first.
fn many(count: i64, now: DateTime<Utc>) -> Vec<OrganizationInvitation> {
    (0..count)
        .map(|i| {
            invitation(
                &format!("orginv_{i:05}"),
                &format!("user{i}@example.com"),
                now - TimeDelta::minutes(i),
            )
        })
        .collect()
}

/// Scrolls the page to its end, as a person dragging the scrollbar down: the list has no
/// scrolling box of its own. Returns the table's body, whose bottom the last row should reach.
fn scroll_to_end(root: &HtmlElement) -> HtmlElement {
    let page = web_sys::window().unwrap();
    let height = page
        .document()
        .unwrap()
        .scrolling_element()
        .unwrap()
        .scroll_height();
    page.scroll_to_with_x_and_y(0.0, f64::from(height));
    // The event the browser sends with its next frame, which a test page may not get soon.
    page.dispatch_event(&web_sys::Event::new("scroll").unwrap())
        .unwrap();
    element(root, "tbody")
}

fn shown_ids(root: &HtmlElement) -> Vec<String> {
    texts(root, selectors::ROW_IDS)
}

fn header_button(root: &HtmlElement, label: &str) -> HtmlButtonElement {
    let buttons = root.query_selector_all("th button").unwrap();
    (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .map(|node| wasm_bindgen::JsCast::unchecked_into::<HtmlButtonElement>(node))
        .find(|button| button.text_content().unwrap_or_default().starts_with(label))
        .unwrap_or_else(|| panic!("no header {label}"))
}

fn aria_sorts(root: &HtmlElement) -> Vec<String> {
    let headers = root.query_selector_all("thead th").unwrap();
    (0..headers.length())
        .filter_map(|i| headers.item(i))
        .map(|node| {
            wasm_bindgen::JsCast::unchecked_into::<web_sys::Element>(node)
                .get_attribute("aria-sort")
                .unwrap_or_default()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn headers_read_as_the_cli_and_sort_every_column_both_ways() {
    let root = container();
    let now = Utc::now();
    let _mounted = mount_list(&root, sample(now), now);
    assert_eq!(
        texts(&root, "thead th button")
            .iter()
            .map(|t| t.trim_end_matches(['▲', '▼']).to_owned())
            .collect::<Vec<_>>(),
        ["ID", "Email", "Created At", "Expires At"]
    );
    assert_eq!(
        shown_ids(&root),
        ["orginv_b", "orginv_a", "orginv_c"],
        "newest first by default"
    );
    assert_eq!(
        aria_sorts(&root),
        ["", "none", "none", "descending", "none", ""]
    );

    let expectations = [
        ("ID", ["orginv_a", "orginv_b", "orginv_c"], "ascending"),
        ("ID", ["orginv_c", "orginv_b", "orginv_a"], "descending"),
        ("Email", ["orginv_b", "orginv_c", "orginv_a"], "ascending"),
        ("Email", ["orginv_a", "orginv_c", "orginv_b"], "descending"),
        (
            "Created At",
            ["orginv_b", "orginv_a", "orginv_c"],
            "descending",
        ),
        (
            "Created At",
            ["orginv_c", "orginv_a", "orginv_b"],
            "ascending",
        ),
        (
            "Expires At",
            ["orginv_b", "orginv_a", "orginv_c"],
            "descending",
        ),
        (
            "Expires At",
            ["orginv_c", "orginv_a", "orginv_b"],
            "ascending",
        ),
    ];
    for (label, order, aria) in expectations {
        header_button(&root, label).click();
        wait_until(&format!("{label} {aria}"), || shown_ids(&root) == order).await;
        // The selection column comes first.
        let column = ["", "ID", "Email", "Created At", "Expires At"]
            .iter()
            .position(|l| *l == label)
            .unwrap();
        assert_eq!(aria_sorts(&root)[column], aria);
        let mark = if aria == "ascending" { "▲" } else { "▼" };
        assert!(
            header_button(&root, label)
                .text_content()
                .unwrap()
                .ends_with(mark)
        );
    }
}

#[wasm_bindgen_test]
async fn search_filters_by_email_as_you_type() {
    let root = container();
    let now = Utc::now();
    let _mounted = mount_list(&root, sample(now), now);
    let search: HtmlInputElement = element(&root, "input[type=search]");
    type_into(&search, "BO");
    wait_until("one match", || shown_ids(&root) == ["orginv_c"]).await;
    type_into(&search, "example.com");
    wait_until("all match", || shown_ids(&root).len() == 3).await;
    type_into(&search, "zzz");
    wait_until("no match", || {
        texts(&root, selectors::EMPTY) == ["No invitations match “zzz”."]
    })
    .await;
    assert!(shown_ids(&root).is_empty());
}

#[wasm_bindgen_test]
async fn status_is_shown_in_words_and_expired_rows_can_be_hidden() {
    let root = container();
    let now = Utc::now();
    let rows = vec![
        invitation("orginv_p", "pending@example.com", now - TimeDelta::days(1)),
        invitation(
            "orginv_s",
            "soon@example.com",
            now - TimeDelta::days(6) - TimeDelta::hours(12),
        ),
        invitation("orginv_x", "expired@example.com", now - TimeDelta::days(8)),
    ];
    let _mounted = mount_list(&root, rows, now);
    assert_eq!(
        texts(&root, selectors::ROW_BADGES),
        ["Pending", "Expiring soon", "Expired"]
    );
    assert_eq!(
        texts(&root, "tr.oi-status-expired td.oi-id .oi-id-full"),
        ["orginv_x"]
    );
    assert_eq!(
        texts(&root, "tr.oi-status-expiring td.oi-id .oi-id-full"),
        ["orginv_s"]
    );
    assert_eq!(
        texts(&root, selectors::ROW_RELATIVE_TIMES),
        ["(in 6 days)", "(in 12 hours)", "(1 day ago)"]
    );

    let toggle: HtmlInputElement = element(&root, ".oi-toolbar input[type=checkbox]");
    toggle.click();
    wait_until("expired hidden", || {
        shown_ids(&root) == ["orginv_p", "orginv_s"]
    })
    .await;
}

#[wasm_bindgen_test]
async fn dates_follow_the_cli_format_and_switch_to_utc() {
    let root = container();
    let now = Utc::now();
    let rows = sample(now);
    let newest = rows[1].clone();
    let _mounted = mount_list(&root, rows, now);
    let first_created = || {
        texts(&root, selectors::ROW_DATES)
            .first()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(first_created(), format_cli(newest.created_at, &Local));
    let utc: HtmlInputElement = element(&root, ".oi-zone label:nth-of-type(2) input");
    utc.click();
    wait_until("UTC dates", || {
        first_created() == format_cli(newest.created_at, &Utc)
    })
    .await;
    let cell: web_sys::Element = element(&root, selectors::ROW_DATES);
    assert_eq!(
        cell.get_attribute("title").unwrap(),
        org_invitations_core::datetime::format_utc_exact(newest.created_at)
    );
}

#[wasm_bindgen_test]
async fn ten_thousand_rows_render_only_what_is_in_view() {
    let root = container();
    let now = Utc::now();
    let _mounted = mount_list(&root, many(10_000, now), now);
    let rendered = texts(&root, selectors::ROWS).len();
    assert!(
        rendered > 10 && rendered < 100,
        "{rendered} rows in the DOM"
    );
    let table: web_sys::Element = element(&root, "table");
    assert_eq!(table.get_attribute("aria-rowcount").unwrap(), "10001");

    // Scrolled again while waiting: the page grows once the rows' real height is measured.
    wait_until("the last row", || {
        scroll_to_end(&root);
        shown_ids(&root).last().map(String::as_str) == Some("orginv_09999")
    })
    .await;
    assert!(texts(&root, selectors::ROWS).len() < 100);
}

#[wasm_bindgen_test]
fn an_empty_list_says_so() {
    let root = container();
    let _mounted = mount_list(&root, Vec::new(), Utc::now());
    assert_eq!(texts(&root, selectors::EMPTY), ["No invitations yet."]);
    assert!(
        !texts(&root, "button").contains(&"Invite people".to_owned()),
        "no way to a form that is not there"
    );
    assert!(texts(&root, "table").is_empty());
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_reported_with_a_retry() {
    let root = container();
    // Nothing listens on the discard port: the browser's fetch fails outright.
    let options = ConsoleOptions {
        api_base: "http://127.0.0.1:9".into(),
        token: Some("sss_test_token_0000".into()),
        sync_url: false,
        ..ConsoleOptions::default()
    };
    let _mounted = org_invitations::mount(root.clone(), options);
    wait_until("the error notice", || {
        !texts(&root, selectors::LOAD_ERROR).is_empty()
    })
    .await;
    let notice = texts(&root, selectors::LOAD_ERROR).join(" ");
    assert!(notice.contains("Server unreachable"), "{notice}");
    assert!(
        notice.contains("Cannot reach the invitation server"),
        "{notice}"
    );
    let retry: HtmlButtonElement = element(&root, ".oi-error button");
    assert_eq!(retry.text_content().unwrap(), "Retry");
    assert!(
        texts(&root, ".oi-skeleton").is_empty(),
        "no placeholder rows under an error"
    );
}

#[wasm_bindgen_test]
fn the_app_starts_with_placeholder_rows_and_a_loading_status() {
    let root = container();
    let options = ConsoleOptions {
        api_base: "http://127.0.0.1:9".into(),
        token: None,
        sync_url: false,
        ..ConsoleOptions::default()
    };
    let _mounted = leptos::mount::mount_to(root.clone(), move || view! { <App options /> });
    assert_eq!(texts(&root, ".oi-status span"), ["Loading invitations…"]);
    assert_eq!(texts(&root, "tr.oi-skeleton").len(), 6);
    assert_eq!(texts(&root, "h1"), ["Organization invitations"]);
}

#[wasm_bindgen_test]
async fn a_row_height_from_the_host_keeps_the_window_right() {
    let root = container();
    // Wide enough for the table's desk layout, whatever the test page's window.
    root.style().set_property("width", "1200px").unwrap();
    root.style()
        .set_property("--org-invitations-row-height", "60px")
        .unwrap();
    let now = Utc::now();
    let _mounted = mount_list(&root, many(2_000, now), now);
    let row: HtmlElement = element(&root, selectors::ROWS);
    wait_until("60 px rows", || row.offset_height() == 60).await;
    let mut body = scroll_to_end(&root);
    wait_until("the last row", || {
        body = scroll_to_end(&root);
        shown_ids(&root).last().map(String::as_str) == Some("orginv_01999")
    })
    .await;
    // The spacers match the rows: the first row rendered sits where 60 px rows put it, and
    // scrolled to the end, the last row sits at the table's end.
    let rows = root.query_selector_all(selectors::ROWS).unwrap();
    let row_at = |i: u32| -> web_sys::Element {
        wasm_bindgen::JsCast::unchecked_into(rows.item(i).unwrap())
    };
    let (first, last) = (row_at(0), row_at(rows.length() - 1));
    let index: f64 = first
        .get_attribute("aria-rowindex")
        .unwrap()
        .parse()
        .unwrap();
    let top = body.get_bounding_client_rect().top();
    let expected = (index - 2.0) * 60.0;
    let offset = first.get_bounding_client_rect().top() - top;
    assert!(
        (offset - expected).abs() <= 4.0,
        "row {index} is {offset} px down the table, not {expected}"
    );
    let gap = body.get_bounding_client_rect().bottom() - last.get_bounding_client_rect().bottom();
    assert!(
        gap.abs() <= 4.0,
        "{gap} px between the last row and the bottom of the list"
    );
}
