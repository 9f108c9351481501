//! How the list arrives: the first page's rows on screen while later pages are on their way,
//! with the API held back page by page by a test proxy in front of the real server.

use e2e::fault_proxy::{Fault, FaultProxy};
use e2e::{Browser, demo_options, signed_in_at, wait_for};
use serde_json::Value;
use testkit::{Api, TestServer, selectors};

const LIST: &str = "GET /api/v2/organization_invitations/?";
/// The demo's invitations, made first.
const DEMO: usize = 5;
/// Invitations beyond the demo's: three pages of the console's 1,000.
const MORE: usize = 2500;
const TOTAL: usize = MORE + DEMO;

/// A server whose later pages hold the addresses that sort first: the server lists in the
/// order invitations were made, and `aaa0000@…` is made last.
fn server_with_three_pages() -> TestServer {
    let server = TestServer::start_with(demo_options());
    let emails: Vec<String> = (0..MORE)
        .map(|i| format!("aaa{:04}@example.com", MORE - 1 - i))
        .collect();
    let api = Api::new(&server);
    api.invite_all(&emails);
    server
}

async fn script(browser: &Browser, body: &str) -> Value {
    browser.script(body, Vec::new()).await
}

async fn row_count(browser: &Browser) -> Option<u64> {
    script(
        browser,
        "const table = document.querySelector('.oi-table[aria-rowcount]');
         return table ? Number(table.getAttribute('aria-rowcount')) - 1 : null;",
    )
    .await
    .as_u64()
}

/// The email of the first row wholly in view under the sticky header, and how far from the
/// viewport's top it sits; `None` while the rows in view are not rendered yet.
async fn row_in_view(browser: &Browser) -> Option<(String, f64)> {
    let found = script(
        browser,
        "const head = document.querySelector('.oi-table thead th').getBoundingClientRect().bottom;
         const row = [...document.querySelectorAll('tr.oi-row')]
           .find(row => row.getBoundingClientRect().top >= head - 1);
         if (!row || row.getBoundingClientRect().top > window.innerHeight / 2) return null;
         return [row.querySelector('td.oi-email').textContent, row.getBoundingClientRect().top];",
    )
    .await;
    Some((
        found[0].as_str()?.to_owned(),
        found[1].as_f64().expect("a position"),
    ))
}

/// [`row_in_view`], once the rows in view are rendered.
async fn settled_row_in_view(browser: &Browser) -> (String, f64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(found) = row_in_view(browser).await {
            return found;
        }
        if std::time::Instant::now() > deadline {
            let state = script(
                browser,
                "return [window.scrollY, window.innerHeight,
                   document.querySelector('.oi-table thead th').getBoundingClientRect().bottom,
                   [...document.querySelectorAll('tr.oi-row')].slice(0, 3)
                     .map(row => [row.getAttribute('aria-rowindex'), row.getBoundingClientRect().top])];",
            )
            .await;
            panic!("no row in view: {state}");
        }
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_first_page_shows_at_once_and_later_pages_join_in_the_chosen_sort() {
    let server = server_with_three_pages();
    let proxy = FaultProxy::start(server.port()).await;
    // The first page is answered; the later ones wait until the test lets them go.
    proxy.fail(LIST, Fault::Hold, 1);
    let browser = signed_in_at(&proxy.origin, &server).await;

    // The first page is on screen while the second is not answered.
    assert_eq!(row_count(&browser).await, Some(1000));
    assert_eq!(
        browser.text_of(".oi-status span").await,
        format!("Loading invitations… 1000 of {TOTAL}")
    );
    assert!(
        browser.text_of(".oi-summary").await.ends_with(" so far"),
        "the counts say they are partial"
    );
    assert_eq!(
        browser
            .client
            .find(fantoccini::Locator::XPath(
                "//button[normalize-space()='Export CSV']"
            ))
            .await
            .unwrap()
            .attr("disabled")
            .await
            .unwrap()
            .is_some(),
        true,
        "no export of part of the list"
    );
    let timeline = script(
        &browser,
        "return document.querySelector('.oi-timeline').getAttribute('aria-label');",
    )
    .await;
    assert_eq!(
        timeline,
        "Invitations loaded so far, by the day they expire"
    );

    // A sort chosen meanwhile works on what has arrived...
    browser.header_button("Email").await.click().await.unwrap();
    // The first page holds the demo's and the first addresses made, down to this one.
    let first_page_first = format!("aaa{:04}@example.com", MORE - (1000 - DEMO));
    wait_for("sorted by email", first_page_first, || async {
        browser.text_of(selectors::ROW_EMAILS).await
    })
    .await;
    // ...and the viewer, scrolled into the list with focus on a row, stays where they are.
    script(&browser, "window.scrollBy(0, 40 * 48);").await;
    let (looked_at, at) = settled_row_in_view(&browser).await;
    assert!(
        looked_at != "aaa1505@example.com",
        "scrolled into the list, not at its top"
    );
    script(
        &browser,
        "const row = [...document.querySelectorAll('tr.oi-row')]
           .find(row => row.querySelector('td.oi-email').textContent === arguments[0]);
         row.querySelector('button.oi-delete').focus();"
            .replace("arguments[0]", &format!("{looked_at:?}"))
            .as_str(),
    )
    .await;

    proxy.heal();
    wait_for("every row", Some(TOTAL as u64), || row_count(&browser)).await;
    wait_for("the load finished", 0, || async {
        browser.texts_now(".oi-status").await.len()
    })
    .await;

    // The sort held: the address made last, on the last page, is now first.
    assert_eq!(
        script(
            &browser,
            "return document.querySelector('.oi-table th[aria-sort=ascending]').textContent;"
        )
        .await
        .as_str()
        .map(|text| text.trim_end_matches(['▲', '▼']).to_owned()),
        Some("Email".to_owned())
    );
    let (still_looked_at, now_at) = settled_row_in_view(&browser).await;
    assert_eq!(
        still_looked_at, looked_at,
        "1,500 rows sorted above it, and the row in view stayed"
    );
    assert!((now_at - at).abs() <= 2.0, "it moved from {at} to {now_at}");
    let focused = script(
        &browser,
        "return document.activeElement.getAttribute('aria-label');",
    )
    .await;
    assert_eq!(
        focused,
        Value::from(format!("Delete invitation for {looked_at}")),
        "focus stayed on the row's button"
    );
    script(&browser, "window.scrollTo(0, 0);").await;
    wait_for(
        "the first address",
        "aaa0000@example.com".to_owned(),
        || async { browser.text_of(selectors::ROW_EMAILS).await },
    )
    .await;
    assert!(!browser.text_of(".oi-summary").await.contains("so far"));
    browser.close().await;
}
