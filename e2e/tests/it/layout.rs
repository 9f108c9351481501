//! How the console looks and fits: a phone's stacked rows, the desk's table, both colour
//! schemes, with screenshots saved for the docs (`target/screenshots/`).

use e2e::{BROWSER_TIME_ZONE, Browser, demo_options};
use fantoccini::Locator;
use serde_json::Value;
use testkit::{Api, TestServer, selectors};

/// A phone's viewport width, in CSS pixels (an iPhone 14).
const PHONE: (u32, u32) = (390, 844);
const DESK: (u32, u32) = (1280, 900);
/// The stacked row's height on a phone (`--oi-row-height` under the breakpoint).
const PHONE_ROW_PX: f64 = 132.0;

/// The demo data and enough more invitations that the list scrolls.
fn busy_server() -> TestServer {
    let server = TestServer::start_with(demo_options());
    let emails: Vec<String> = (0..60)
        .map(|i| format!("person.number.{i:02}@a-rather-long-company-name.example.com"))
        .collect();
    let emails: Vec<&str> = emails.iter().map(String::as_str).collect();
    Api::new(&server).invite(&emails);
    server
}

async fn script(browser: &Browser, body: &str) -> Value {
    browser.script(body, Vec::new()).await
}

/// How far the page and the list's own box scroll sideways, in px (0: not at all).
async fn sideways_overflow(browser: &Browser) -> (i64, i64) {
    let found = script(
        browser,
        "const page = document.documentElement, box = document.querySelector('.oi-scroller');
         return [page.scrollWidth - page.clientWidth, box.scrollWidth - box.clientWidth];",
    )
    .await;
    (
        found[0].as_i64().expect("a number"),
        found[1].as_i64().expect("a number"),
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn on_a_phone_rows_stack_and_nothing_scrolls_sideways() {
    let server = busy_server();
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser
        .client
        .set_window_size(PHONE.0, PHONE.1)
        .await
        .unwrap();
    browser.client.goto(&server.sign_in_url).await.unwrap();
    browser.text_of(selectors::ROWS).await;
    let width = script(&browser, "return window.innerWidth;").await;
    assert_eq!(
        width.as_u64(),
        Some(u64::from(PHONE.0)),
        "a phone's viewport"
    );

    assert_eq!(sideways_overflow(&browser).await, (0, 0));

    // Address first, then status and expiry, then the dates and ID, then the actions.
    let tops = script(
        &browser,
        "const row = document.querySelector('tr.oi-row');
         const top = css => row.querySelector(css).getBoundingClientRect().top;
         const middle = css => { const box = row.querySelector(css).getBoundingClientRect();
                                 return Math.round(box.top + box.height / 2); };
         return [top('.oi-email'), top('.oi-expires'), top('.oi-created'), top('.oi-actions'),
                 row.getBoundingClientRect().height, middle('.oi-created'), middle('.oi-id')];",
    )
    .await;
    let at = |i: usize| tops[i].as_f64().expect("a number");
    assert!(
        at(0) < at(1) && at(1) < at(2) && at(2) < at(3),
        "stacked in order: {tops}"
    );
    assert!(
        (at(5) - at(6)).abs() <= 1.0,
        "the ID shares the dates' line: {tops}"
    );
    assert_eq!(
        at(4),
        PHONE_ROW_PX,
        "the row is as tall as the windowing assumes"
    );

    // Assistive technology still reads a table of rows and cells.
    assert_eq!(browser.computed_role(".oi-table").await, "table");
    assert_eq!(browser.computed_role(selectors::ROWS).await, "row");
    assert_eq!(
        browser
            .computed_role(&format!("{} td.oi-email", selectors::ROWS))
            .await,
        "cell"
    );
    assert_eq!(
        browser.computed_role(".oi-table thead th").await,
        "columnheader"
    );

    // Every row's actions are on screen, and they work.
    let outside = script(
        &browser,
        "return [...document.querySelectorAll('button.oi-delete')]
           .map(b => b.getBoundingClientRect())
           .filter(r => r.left < 0 || r.right > window.innerWidth || r.width === 0).length;",
    )
    .await;
    assert_eq!(outside.as_u64(), Some(0), "a Delete button is off screen");
    let first_email = browser
        .text_of(&format!("{} td.oi-email", selectors::ROWS))
        .await;
    browser
        .client
        .find(Locator::Css("button.oi-delete"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let asked = browser.text_of("dialog[open]").await;
    assert!(asked.contains(&first_email), "{asked}");
    browser.click_button("Cancel").await;

    // The windowing follows the taller rows: scrolling the page reaches the end of the list.
    script(&browser, SCROLL_TO_THE_LISTS_END).await;
    let row_count = script(
        &browser,
        "return Number(document.querySelector('.oi-table').getAttribute('aria-rowcount'));",
    )
    .await
    .as_u64();
    assert!(row_count > Some(60), "{row_count:?}");
    e2e::wait_for("the last row rendered", row_count, || async {
        script(
            &browser,
            "const rows = document.querySelectorAll('tr.oi-row');
             return rows.length ? Number(rows[rows.length - 1].getAttribute('aria-rowindex')) : null;",
        )
        .await
        .as_u64()
    })
    .await;
    let last_visible = script(
        &browser,
        "const rows = document.querySelectorAll('tr.oi-row'), last = rows[rows.length - 1];
         const r = last.getBoundingClientRect();
         return r.bottom <= window.innerHeight + 1 && r.top >= 0;",
    )
    .await;
    assert_eq!(last_visible, Value::Bool(true), "the last row is in view");
    assert_eq!(sideways_overflow(&browser).await, (0, 0));
    browser.assert_accessible("phone").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn desk_and_phone_in_light_and_dark_fit_and_are_saved_for_the_readme() {
    let server = busy_server();
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    for (layout, (width, height)) in [("desk", DESK), ("phone", PHONE)] {
        browser.client.set_window_size(width, height).await.unwrap();
        for dark in [false, true] {
            browser.prefer_dark(dark).await;
            browser.client.goto(&server.sign_in_url).await.unwrap();
            browser.text_of(selectors::ROWS).await;
            let state = format!("{layout}-{}", if dark { "dark" } else { "light" });
            // Saved first: when a check below fails, the picture shows why. On a phone the
            // list is what is worth seeing, below the form.
            browser.text_of(".oi-org").await;
            if layout == "phone" {
                script(
                    &browser,
                    "document.querySelector('.oi-list').scrollIntoView();",
                )
                .await;
            }
            browser.save_screenshot(&state).await;
            // The organization's name (from userinfo) and the counts as badges.
            assert_eq!(browser.text_of(".oi-org").await, "Local organization");
            assert_eq!(
                browser.texts_of_all(".oi-summary .oi-badge").await,
                ["63 pending", "1 expiring soon", "1 expired"]
            );
            let background = script(
                &browser,
                "return getComputedStyle(document.querySelector('.oi-console')).backgroundColor;",
            )
            .await;
            let expected = if dark {
                "rgb(13, 17, 23)"
            } else {
                "rgb(255, 255, 255)"
            };
            assert_eq!(
                background.as_str(),
                Some(expected),
                "{layout}, dark: {dark}"
            );
            assert_eq!(
                sideways_overflow(&browser).await,
                (0, 0),
                "{layout}, dark: {dark}"
            );
            browser.assert_accessible(&state).await;
            // A visible focus ring in the scheme's accent colour.
            browser
                .client
                .find(Locator::Css("textarea"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            let ring = script(
                &browser,
                "const s = getComputedStyle(document.activeElement);
                 return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth, s.outlineColor];",
            )
            .await;
            let accent = if dark {
                "rgb(68, 147, 248)"
            } else {
                "rgb(11, 92, 173)"
            };
            assert_eq!(
                ring,
                serde_json::json!(["TEXTAREA", "solid", "2px", accent]),
                "{state}"
            );
        }
    }
    browser.close().await;
}

/// The expiry timeline's day labels never run into each other, at a phone's width or a desk's,
/// in either scheme, and every bar keeps its full name for screen readers.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn timeline_labels_never_overlap_at_any_width() {
    let server = TestServer::start_with(demo_options());
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    browser.text_of(".oi-timeline .oi-bar").await;
    for dark in [false, true] {
        browser.prefer_dark(dark).await;
        for width in [320, 390, 768, 1280] {
            browser.client.set_window_size(width, 900).await.unwrap();
            let found = script(
                &browser,
                "const shown = [...document.querySelectorAll('.oi-timeline .oi-bar-day')]
                   .filter(label => label.getBoundingClientRect().width > 1)
                   .map(label => { const box = label.getBoundingClientRect();
                                   return [box.left, box.right, label.textContent,
                                           label.scrollWidth <= label.clientWidth + 1]; });
                 const names = [...document.querySelectorAll('.oi-timeline .oi-bar')]
                   .map(bar => bar.textContent.replace(/\\s+/g, ' ').trim());
                 return [window.innerWidth, shown, names];",
            )
            .await;
            let shown = found[1].as_array().expect("labels");
            assert_eq!(shown.len(), 9, "one label a bar at {width} px: {found}");
            for pair in shown.windows(2) {
                let (right, next_left) =
                    (pair[0][1].as_f64().unwrap(), pair[1][0].as_f64().unwrap());
                assert!(
                    right <= next_left,
                    "at {width} px (dark: {dark}), {} runs into {}",
                    pair[0][2],
                    pair[1][2]
                );
            }
            for name in found[2].as_array().unwrap() {
                let name = name.as_str().unwrap();
                assert!(
                    name.contains("Expired")
                        || name.contains("Today")
                        || name.contains("Tomorrow")
                        || ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                            .iter()
                            .any(|day| name.contains(day)),
                    "the full day name stays in the bar at {width} px: {name}"
                );
            }
        }
    }
    browser.close().await;
}

/// Scrolls the page (the list has no scrolling box of its own) until the list's end is at the
/// bottom of the window, as a person scrolling down to the last invitation.
const SCROLL_TO_THE_LISTS_END: &str = "const list = document.querySelector('.oi-scroller');
     window.scrollTo(0, list.getBoundingClientRect().bottom + window.scrollY - window.innerHeight);";

/// The widths the layout tests look at, a small phone's to a desk's.
const WIDTHS: [u32; 4] = [320, 390, 768, 1280];

/// Elements that scroll (or could) on their own, across shadow roots: each as its class and
/// how far it scrolls down and sideways. The page itself is not one of them.
const OWN_SCROLLERS: &str = "
    const found = [];
    const visit = root => root.querySelectorAll('*').forEach(element => {
      if (element.shadowRoot) visit(element.shadowRoot);
      if (element === document.scrollingElement || element === document.body) return;
      const style = getComputedStyle(element);
      const down = element.scrollHeight - element.clientHeight;
      const across = element.scrollWidth - element.clientWidth;
      const scrolls = value => value === 'auto' || value === 'scroll';
      if ((scrolls(style.overflowY) && down > 0) || (scrolls(style.overflowX) && across > 0)) {
        found.push([element.className || element.tagName, down, across]);
      }
    });
    visit(document);
    return found;";

/// With 10,000 invitations, at every width in both schemes, the page is the one thing that
/// scrolls (no box of the list's own fighting it), and scrolling the page reaches the last row.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn with_ten_thousand_rows_the_page_is_the_only_scroller_at_any_width() {
    let server = TestServer::start_with(testkit::ServerOptions {
        demo: false,
        ..demo_options()
    });
    let api = Api::new(&server);
    let emails: Vec<String> = (0..10_000)
        .map(|i| format!("user{i:05}@example.com"))
        .collect();
    api.invite_all(&emails);
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    for dark in [false, true] {
        browser.prefer_dark(dark).await;
        for width in WIDTHS {
            browser.client.set_window_size(width, 900).await.unwrap();
            script(&browser, "window.scrollTo(0, 0);").await;
            e2e::wait_for("all 10,000 rows", Some(10_001), || async {
                script(
                    &browser,
                    "return document.querySelector('.oi-status') ? null
                       : Number(document.querySelector('.oi-table').getAttribute('aria-rowcount'));",
                )
                .await
                .as_u64()
            })
            .await;
            let state = format!("{width} px, dark: {dark}");
            assert_eq!(
                script(&browser, OWN_SCROLLERS).await,
                serde_json::json!([]),
                "{state}"
            );
            let page = script(
                &browser,
                "const page = document.scrollingElement;
                 return [page.scrollHeight > window.innerHeight, page.scrollWidth - page.clientWidth];",
            )
            .await;
            assert_eq!(
                page,
                serde_json::json!([true, 0]),
                "{state}: the page scrolls down only"
            );

            script(&browser, SCROLL_TO_THE_LISTS_END).await;
            e2e::wait_for("the last row in view", true, || async {
                script(
                    &browser,
                    "const rows = document.querySelectorAll('tr.oi-row'), last = rows[rows.length - 1];
                     if (!last) return false;
                     const box = last.getBoundingClientRect();
                     return last.getAttribute('aria-rowindex') === '10001'
                       && box.top >= 0 && box.bottom <= window.innerHeight + 1;",
                )
                .await
                == Value::Bool(true)
            })
            .await;
        }
    }
    browser.close().await;
}

/// A 40-character address shows whole at a desk's width: it takes what the other columns
/// leave, and they give way first as the list narrows (the ID to its copy button, then the
/// rows stack), so at no width is the address cut while the ID is shown beside it.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_forty_character_address_shows_whole_at_a_desk_and_is_cut_last() {
    const ADDRESS: &str = "margaret.hamilton.apollo@example-mit.org";
    assert_eq!(ADDRESS.len(), 40);
    let server = TestServer::start_with(demo_options());
    let id = Api::new(&server).invite(&[ADDRESS])[0]["data"]["id"]
        .as_str()
        .map(str::to_owned);
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    browser.text_of(selectors::ROWS).await;
    let measure = "const row = [...document.querySelectorAll('tr.oi-row')]
           .find(row => row.querySelector('td.oi-email').textContent === arguments[0]);
         const cell = row.querySelector('td.oi-email');
         const short = row.querySelector('.oi-id-short');
         return [cell.scrollWidth <= cell.clientWidth, getComputedStyle(short).display !== 'none',
                 getComputedStyle(row).display === 'grid', short.textContent];";
    for width in [1280, 1180, 1024, 900, 768, 390] {
        browser.client.set_window_size(width, 900).await.unwrap();
        let found = browser
            .client
            .execute(measure, vec![Value::from(ADDRESS)])
            .await
            .unwrap();
        let (whole, id_shown, stacked) = (
            found[0] == Value::Bool(true),
            found[1] == Value::Bool(true),
            found[2] == Value::Bool(true),
        );
        if width == 1280 {
            assert!(whole && id_shown && !stacked, "at a desk: {found}");
        }
        if width == 768 {
            assert!(
                whole && stacked,
                "a stacked row gives the address its own line: {found}"
            );
        }
        assert!(
            whole || stacked || !id_shown,
            "at {width} px the address is cut while the ID is shown: {found}"
        );
    }

    // The ID is shortened in the middle for the eye; the whole is its accessible name and
    // what its button copies.
    browser.client.set_window_size(1280, 900).await.unwrap();
    let id = id.expect("the new invitation's id");
    let cell = format!(
        "//tr[td[contains(@class, 'oi-email')][.='{ADDRESS}']]/td[contains(@class, 'oi-id')]"
    );
    let short = browser
        .client
        .find(Locator::XPath(&format!(
            "{cell}/span[contains(@class, 'oi-id-short')]"
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        short.contains('…') && short.len() < id.len(),
        "{short} for {id}"
    );
    assert_eq!(
        browser
            .computed_role(&format!("button.oi-copy[aria-label='Copy ID {id}']"))
            .await,
        "button"
    );
    browser
        .client
        .find(Locator::XPath(&format!("{cell}/button")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    e2e::wait_for("the copy announced", true, || async {
        browser
            .texts_now("[role=status]")
            .await
            .contains(&format!("ID {id} copied"))
    })
    .await;
    browser.close().await;
}
