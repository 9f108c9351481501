//! The release console, served by the real server on a real SQLite file, in headless Chromium.

use chrono::FixedOffset;
use e2e::{BROWSER_TIME_ZONE, Browser, demo_options};
use fantoccini::Locator;
use fantoccini::key::Key;
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::datetime::format_cli;
use org_invitations_core::listing::{Sort, SortColumn};
use testkit::selectors;
use testkit::{Api, ServerOptions, TestServer};

fn india() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600 + 30 * 60).unwrap()
}

fn demo_server() -> TestServer {
    TestServer::start_with(demo_options())
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_sign_in_url_shows_every_invitation_as_the_cli_would() {
    let server = demo_server();
    let expected: Vec<OrganizationInvitation> = Api::new(&server)
        .list_all("include_expired=true")
        .into_iter()
        .map(|value| serde_json::from_value(value).unwrap())
        .collect();
    assert_eq!(expected.len(), 5, "the demo data");

    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    let headers = browser.texts_of_all(".oi-table thead th button").await;
    let headers: Vec<&str> = headers
        .iter()
        .map(|header| header.trim_end_matches(['▲', '▼']))
        .collect();
    assert_eq!(headers, ["ID", "Email", "Created At", "Expires At"]);

    let url = browser.client.current_url().await.unwrap();
    assert_eq!(
        url.as_str(),
        format!("{}/", server.base_url),
        "the token left the address bar"
    );

    let rows = browser.texts_of_all(selectors::ROWS).await;
    assert_eq!(rows.len(), expected.len(), "{rows:#?}");
    for invitation in &expected {
        let row = rows
            .iter()
            .find(|row| row.contains(&invitation.id))
            .unwrap_or_else(|| panic!("no row for {}", invitation.id));
        assert!(row.contains(&invitation.email), "{row}");
        // Dates in the CLI's format, in the browser's own time zone.
        assert!(
            row.contains(&format_cli(invitation.created_at, &india())),
            "{row}"
        );
        assert!(
            row.contains(&format_cli(invitation.expires_at, &india())),
            "{row}"
        );
    }
    // Nothing the page asked for was missing: the favicon among them.
    let log = server.log();
    let missing: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("status=404"))
        .collect();
    assert!(
        missing.is_empty(),
        "answered 404 during a load:\n{missing:#?}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_browser_that_is_not_signed_in_is_told_so() {
    let server = demo_server();
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.url("/")).await.unwrap();
    let error = browser.text_of(selectors::LOAD_ERROR).await;
    assert!(error.contains("Not signed in"), "{error}");
    assert!(error.contains("sign-in link"), "{error}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_server_that_goes_away_is_reported_and_retry_recovers() {
    let data = tempfile::tempdir().unwrap();
    let options = ServerOptions {
        data_dir: Some(data.path().join("data")),
        ..demo_options()
    };
    let server = TestServer::start_with(options.clone());
    let port = server.port();
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    let rows_before = browser.texts_of_all(selectors::ROWS).await;
    server.kill_hard();

    browser.click_button("Refresh").await;
    let error = browser.text_of(selectors::LOAD_ERROR).await;
    assert!(error.contains("Server unreachable"), "{error}");
    assert_eq!(
        browser.texts_of_all(selectors::ROWS).await,
        rows_before,
        "the last good list stays on screen"
    );
    browser
        .assert_accessible("unreachable, with the last good list")
        .await;

    // Retry while it is still away: asked again, still reported, nothing lost.
    browser.click_button("Retry").await;
    let error = browser.text_of(selectors::LOAD_ERROR).await;
    assert!(error.contains("Server unreachable"), "{error}");
    assert_eq!(browser.texts_now(selectors::ROWS).await, rows_before);

    // Back on the same port and data: the browser's session cookie is still good, and the
    // list comes back (the console tries again on its own within seconds, or on Retry).
    let _restarted = TestServer::start_with(ServerOptions {
        port: Some(port),
        ..options
    });
    e2e::wait_for("the list is back", true, || async {
        browser.texts_now(selectors::LOAD_ERROR).await.is_empty()
    })
    .await;
    assert_eq!(browser.texts_of_all(selectors::ROWS).await, rows_before);
    browser.close().await;
}

fn invitations_of(server: &TestServer) -> Vec<OrganizationInvitation> {
    Api::new(server)
        .list_all("include_expired=true")
        .into_iter()
        .map(|value| serde_json::from_value(value).unwrap())
        .collect()
}

fn ids_in_order(mut invitations: Vec<OrganizationInvitation>, sort: Sort) -> Vec<String> {
    invitations.sort_by(|a, b| sort.compare(a, b));
    invitations
        .into_iter()
        .map(|invitation| invitation.id)
        .collect()
}

/// Waits until the table shows exactly these ids, in this order.
async fn wait_for_order(browser: &Browser, expected: &[String]) {
    e2e::wait_for("the table's order", expected.to_vec(), || {
        browser.texts_now(selectors::ROW_IDS)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn every_header_sorts_by_mouse_and_by_keyboard() {
    let server = demo_server();
    let invitations = invitations_of(&server);
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    wait_for_order(
        &browser,
        &ids_in_order(invitations.clone(), Sort::default()),
    )
    .await;

    // The console's rule (tested in core): another column starts in its natural direction,
    // the same column flips.
    let mut sort = Sort::default();
    for column in SortColumn::ALL {
        let label = column.label();
        browser.header_button(label).await.click().await.unwrap();
        sort = sort.toggled(column);
        wait_for_order(&browser, &ids_in_order(invitations.clone(), sort)).await;
        browser
            .header_button(label)
            .await
            .send_keys(&char::from(Key::Enter).to_string())
            .await
            .unwrap();
        sort = sort.toggled(column);
        wait_for_order(&browser, &ids_in_order(invitations.clone(), sort)).await;
        browser
            .header_button(label)
            .await
            .send_keys(" ")
            .await
            .unwrap();
        sort = sort.toggled(column);
        wait_for_order(&browser, &ids_in_order(invitations.clone(), sort)).await;
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn search_and_sort_live_in_the_url_and_survive_a_reload() {
    let server = demo_server();
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    browser.text_of(".oi-table").await;

    let search = browser
        .client
        .find(Locator::Css("input[type=search]"))
        .await
        .unwrap();
    search.send_keys("EXAMPLE.COM").await.unwrap();
    browser.click_button("Email").await;
    let expected: Vec<String> = {
        let mut matching: Vec<OrganizationInvitation> = invitations_of(&server)
            .into_iter()
            .filter(|invitation| invitation.email.ends_with("example.com"))
            .collect();
        matching.sort_by(|a, b| caseless(&a.email).cmp(&caseless(&b.email)));
        matching
            .into_iter()
            .map(|invitation| invitation.id)
            .collect()
    };
    assert_eq!(expected.len(), 3, "three demo addresses are at example.com");
    wait_for_order(&browser, &expected).await;
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(
        url.query(),
        Some("sort=email&dir=asc&q=EXAMPLE.COM"),
        "{url}"
    );

    browser.client.refresh().await.unwrap();
    wait_for_order(&browser, &expected).await;
    let search = browser
        .client
        .find(Locator::Css("input[type=search]"))
        .await
        .unwrap();
    assert_eq!(
        search.prop("value").await.unwrap().as_deref(),
        Some("EXAMPLE.COM")
    );
    browser.close().await;
}

fn caseless(email: &str) -> String {
    email.to_lowercase()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn every_list_state_passes_an_accessibility_scan() {
    let server = demo_server();
    let browser = Browser::start(BROWSER_TIME_ZONE).await;

    browser.client.goto(&server.url("/")).await.unwrap();
    browser.text_of(selectors::LOAD_ERROR).await;
    browser.assert_accessible("signed-out").await;

    browser.client.goto(&server.sign_in_url).await.unwrap();
    browser.text_of(selectors::ROWS).await;
    browser.assert_accessible("loaded list").await;

    browser
        .client
        .find(Locator::Css("input[type=search]"))
        .await
        .unwrap()
        .send_keys("nobody-here")
        .await
        .unwrap();
    browser.text_of(selectors::EMPTY).await;
    browser.assert_accessible("no-match").await;

    // A phone: the page itself never scrolls sideways (the table scrolls inside its box).
    browser.client.set_window_size(320, 640).await.unwrap();
    let overflow = browser
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        overflow.as_i64(),
        Some(0),
        "the page overflows a 320 px screen"
    );
    browser.assert_accessible("narrow screen").await;
    browser.client.set_window_size(1280, 900).await.unwrap();

    let empty = TestServer::start_with(ServerOptions {
        dist_dir: demo_options().dist_dir,
        ..Default::default()
    });
    browser.client.goto(&empty.sign_in_url).await.unwrap();
    assert_eq!(
        browser.text_of(selectors::EMPTY).await,
        "No invitations yet."
    );
    browser.assert_accessible("empty").await;
    // The empty list points at the form: its button takes the keyboard there.
    browser.click_button("Invite people").await;
    let focused = browser
        .client
        .execute("return document.activeElement.tagName;", Vec::new())
        .await
        .unwrap();
    assert_eq!(focused.as_str(), Some("TEXTAREA"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_server_that_caps_pages_at_fifty_still_shows_everything() {
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec!["--max-page-size".into(), "50".into()],
        ..demo_options()
    });
    let emails: Vec<String> = (0..120)
        .map(|i| format!("capped{i:03}@example.com"))
        .collect();
    Api::new(&server).invite(&emails.iter().map(String::as_str).collect::<Vec<_>>());
    let browser = e2e::signed_in(&server).await;
    let summary = browser.text_of(".oi-summary").await;
    // 120 invited here, plus the demo's four pending and one expired.
    assert!(
        summary.starts_with("123 pending · 1 expiring soon · 1 expired"),
        "{summary}"
    );
    browser.close().await;
}

/// Something is on screen at once: while the WebAssembly is still on its way (held back by a
/// proxy), the page shows its title and says the invitations are loading.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_page_shows_its_frame_before_the_webassembly_has_run() {
    let server = demo_server();
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    let sign_in = server.sign_in_url.replace(&server.base_url, "");
    let proxy = e2e::open_with_the_module_held_back(&browser, &server, &sign_in).await;
    e2e::wait_for(
        "the frame's loading line",
        "Loading invitations…".to_owned(),
        || async { browser.text_of(".oi-frame-status").await },
    )
    .await;
    assert_eq!(
        browser.text_of(".oi-title").await,
        "Organization invitations"
    );
    assert!(e2e::module_was_held_back(&server));
    proxy.heal();
    browser.close().await;
}
