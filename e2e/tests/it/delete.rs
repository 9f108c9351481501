//! Deleting from the console against the real server, in headless Chromium.

use e2e::{
    Browser, confirm_delete, delete_button, demo_options, listed_emails, wait_for, wait_for_notice,
};
use fantoccini::Locator;
use fantoccini::key::Key;
use testkit::selectors;
use testkit::{Api, TestServer};

const DEMO_ADDRESS: &str = "grace.hopper@example.com";

/// Waits until the server's list (including expired) does or does not hold `email`.
async fn wait_until_server(server: &TestServer, email: &str, present: bool) {
    let what = format!("the server holding {email}");
    wait_for(&what, present, || async {
        listed_emails(server).iter().any(|listed| listed == email)
    })
    .await;
}

/// Selects every row shown, deletes them, confirms, and skips the undo window.
async fn delete_all_shown_now(browser: &Browser, count: usize) {
    browser
        .client
        .wait()
        .at_most(e2e::WAIT)
        .for_element(Locator::Css(
            "input[aria-label='Select all shown invitations']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .click_button(&format!("Delete selected ({count})"))
        .await;
    browser.click_button("Delete").await;
    browser.click_button("Delete now").await;
}

async fn rows_shown(browser: &Browser) -> Vec<String> {
    browser.texts_of_all(selectors::ROW_EMAILS).await
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn deleting_one_asks_first_and_the_server_drops_it_after_the_undo_window() {
    let server = TestServer::start_with(demo_options());
    let browser = e2e::signed_in(&server).await;
    delete_button(&browser, DEMO_ADDRESS)
        .await
        .click()
        .await
        .unwrap();

    let title = browser.text_of("dialog[open] h2").await;
    assert_eq!(title, format!("Delete the invitation for {DEMO_ADDRESS}?"));
    browser.assert_accessible("delete confirmation").await;
    // Escape cancels: nothing changes.
    browser
        .client
        .active_element()
        .await
        .unwrap()
        .send_keys(&char::from(Key::Escape).to_string())
        .await
        .unwrap();
    browser
        .client
        .wait()
        .at_most(e2e::WAIT)
        .for_element(Locator::Css("dialog:not([open])"))
        .await
        .unwrap();
    assert!(
        rows_shown(&browser)
            .await
            .contains(&DEMO_ADDRESS.to_owned())
    );

    confirm_delete(&browser, DEMO_ADDRESS).await;
    browser.text_of(selectors::DELETION_NOTICES).await;
    let notice = browser
        .texts_now(selectors::DELETION_NOTICES)
        .await
        .join("");
    assert_eq!(
        notice,
        format!("Invitation for {DEMO_ADDRESS} deleted — Undo Delete now")
    );
    assert!(
        !rows_shown(&browser)
            .await
            .contains(&DEMO_ADDRESS.to_owned()),
        "the row left at once"
    );
    // Focus moved on to the next row's Delete button.
    let focused = browser.client.active_element().await.unwrap();
    let label = focused
        .attr("aria-label")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        label.starts_with("Delete invitation for ") && !label.ends_with(DEMO_ADDRESS),
        "{label}"
    );
    browser.assert_accessible("undo notice").await;

    // Nothing is sent during the undo window; after it, the server no longer lists it.
    assert!(listed_emails(&server).contains(&DEMO_ADDRESS.to_owned()));
    wait_until_server(&server, DEMO_ADDRESS, false).await;
    wait_for_notice(&browser, "1 deleted. Dismiss").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn undo_puts_the_row_back_where_it_was_and_the_server_keeps_it() {
    let server = TestServer::start_with(demo_options());
    let browser = e2e::signed_in(&server).await;
    let before = rows_shown(&browser).await;
    confirm_delete(&browser, DEMO_ADDRESS).await;
    browser.text_of(selectors::DELETION_NOTICES).await;
    browser.click_button("Undo").await;
    wait_for("the row back in place", before.clone(), || {
        rows_shown(&browser)
    })
    .await;
    // Well past the undo window, the server still has it.
    tokio::time::sleep(e2e_undo_window() + std::time::Duration::from_secs(1)).await;
    assert!(listed_emails(&server).contains(&DEMO_ADDRESS.to_owned()));
    assert_eq!(
        server.log().matches("/invalidate ").count(),
        0,
        "no revoke request was sent"
    );
    browser.close().await;
}

fn e2e_undo_window() -> std::time::Duration {
    std::time::Duration::from_secs(6)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn bulk_deleting_twenty_of_thirty_removes_exactly_those() {
    let server = TestServer::start_with(e2e::demo_options());
    let emails: Vec<String> = (0..30).map(|i| format!("bulk{i:02}@example.com")).collect();
    Api::new(&server).invite(&emails.iter().map(String::as_str).collect::<Vec<_>>());
    let browser = e2e::signed_in(&server).await;
    let search = browser
        .client
        .find(Locator::Css("input[type=search]"))
        .await
        .unwrap();
    search.send_keys("bulk").await.unwrap();
    browser
        .client
        .wait()
        .at_most(e2e::WAIT)
        .for_element(Locator::Css(
            "button[aria-label='Delete invitation for bulk29@example.com']",
        ))
        .await
        .unwrap();
    let doomed: Vec<&String> = emails.iter().take(20).collect();
    // Sorted by email, the twenty are the first rows; ticked from the keyboard, top to bottom.
    browser.header_button("Email").await.click().await.unwrap();
    for email in &doomed {
        let css = format!("input[aria-label='Select invitation for {email}']");
        let checkbox = browser
            .client
            .wait()
            .at_most(e2e::WAIT)
            .for_element(Locator::Css(&css))
            .await
            .unwrap_or_else(|err| panic!("no checkbox for {email}: {err}"));
        checkbox.send_keys(" ").await.unwrap();
    }
    browser.click_button("Delete selected (20)").await;
    assert_eq!(
        browser.text_of("dialog[open] h2").await,
        "Delete 20 invitations?"
    );
    let listed = browser.texts_of_all("dialog[open] li").await;
    assert_eq!(listed.len(), 20);
    browser.click_button("Delete").await;
    browser.click_button("Delete now").await;
    wait_for_notice(&browser, "20 deleted. Dismiss").await;
    let remaining = listed_emails(&server);
    for (i, email) in emails.iter().enumerate() {
        assert_eq!(remaining.contains(email), i >= 20, "{email}");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn calls_dropped_mid_bulk_are_kept_pending_and_finished_once_the_network_is_back() {
    let server = TestServer::start_with(demo_options());
    let emails: Vec<String> = (0..6).map(|i| format!("flaky{i}@example.com")).collect();
    let results = Api::new(&server).invite(&emails.iter().map(String::as_str).collect::<Vec<_>>());
    let ids: Vec<String> = results
        .iter()
        .map(|result| result["data"]["id"].as_str().unwrap().to_owned())
        .collect();
    let browser = e2e::signed_in(&server).await;
    // The network drops the requests for three of them: a failure in the middle of the batch.
    browser
        .block_urls(
            &ids[..3]
                .iter()
                .map(|id| format!("*{id}/invalidate"))
                .collect::<Vec<_>>(),
        )
        .await;
    browser
        .client
        .find(Locator::Css("input[type=search]"))
        .await
        .unwrap()
        .send_keys("flaky")
        .await
        .unwrap();
    delete_all_shown_now(&browser, 6).await;
    wait_for_notice(
        &browser,
        "Deleting… 3 of 6. The server cannot be reached: the rest is kept and tried again until it answers; nothing is reported deleted before it confirms.",
    )
    .await;
    assert!(
        browser.texts_now(selectors::ROW_ERRORS).await.is_empty(),
        "nothing is reported failed while it is tried again"
    );
    let remaining = || {
        listed_emails(&server)
            .iter()
            .filter(|email| email.starts_with("flaky"))
            .count()
    };
    assert_eq!(
        remaining(),
        3,
        "the server still has exactly the unsent ones"
    );
    assert!(
        browser.texts_now(selectors::ROW_EMAILS).await.is_empty(),
        "the rows stay out of the list: their deletion is pending"
    );
    browser
        .assert_accessible("deletions waiting for the server")
        .await;

    // The network is back: the kept calls go through, and only then is the batch done.
    browser.block_urls(&[]).await;
    wait_for_notice(&browser, "6 deleted. Dismiss").await;
    assert_eq!(remaining(), 0);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_row_someone_else_deleted_is_reported_as_such() {
    let server = TestServer::start_with(demo_options());
    let browser = e2e::signed_in(&server).await;
    let id = Api::new(&server).list_all(&format!("email={}", DEMO_ADDRESS.replace('@', "%40")))[0]
        ["id"]
        .as_str()
        .unwrap()
        .to_owned();
    confirm_delete(&browser, DEMO_ADDRESS).await;
    // Someone else revokes it during our undo window.
    assert_eq!(
        Api::new(&server)
            .post_raw(
                &format!("/api/v2/organization_invitations/{id}/invalidate"),
                ""
            )
            .status,
        200
    );
    browser.click_button("Delete now").await;
    wait_for_notice(
        &browser,
        "1 had already been deleted by someone else. Dismiss",
    )
    .await;
    assert!(
        browser.texts_now(selectors::ROW_ERRORS).await.is_empty(),
        "not reported as our failure"
    );
    assert!(
        !rows_shown(&browser)
            .await
            .contains(&DEMO_ADDRESS.to_owned())
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn leaving_the_page_during_the_undo_window_still_revokes() {
    let server = TestServer::start_with(demo_options());
    let browser = e2e::signed_in(&server).await;
    confirm_delete(&browser, DEMO_ADDRESS).await;
    browser.text_of(selectors::DELETION_NOTICES).await;
    // Away before the undo window ends: the confirmed deletion goes out as the page unloads.
    browser.client.goto("about:blank").await.unwrap();
    wait_until_server(&server, DEMO_ADDRESS, false).await;
    browser.close().await;
}

/// Past the server's write limit, each refused call waits as the 429 says, the page says it
/// is waiting, and the bulk deletion still ends with every row deleted.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_bulk_delete_past_the_write_limit_waits_as_told_and_finishes() {
    // 60 changes a minute: a burst of 60, then one a second.
    let server = TestServer::start_with(testkit::ServerOptions {
        extra_args: vec!["--write-limit".into(), "60".into()],
        ..e2e::demo_options()
    });
    let emails: Vec<String> = (0..70)
        .map(|i| format!("flood{i:02}@example.com"))
        .collect();
    Api::new(&server).invite(&emails.iter().map(String::as_str).collect::<Vec<_>>());
    let browser = e2e::signed_in(&server).await;
    browser.client.goto(&server.url("/?q=flood")).await.unwrap();
    wait_for("the flood rows", true, || async {
        browser
            .client
            .find(Locator::Css(
                "input[aria-label='Select all shown invitations']",
            ))
            .await
            .is_ok()
            && browser
                .texts_now(".oi-summary")
                .await
                .iter()
                .any(|s| s.starts_with("73 pending"))
    })
    .await;
    delete_all_shown_now(&browser, 70).await;
    // Some calls are refused for a moment: the page says it waits.
    let waiting = browser.text_of(".oi-waiting").await;
    assert!(
        waiting.starts_with("The server asked for a pause: waiting "),
        "{waiting}"
    );
    wait_for_notice(&browser, "70 deleted. Dismiss").await;
    let remaining = listed_emails(&server);
    assert!(
        remaining.iter().all(|email| !email.starts_with("flood")),
        "{remaining:?}"
    );
    assert!(
        server.log().contains("status=429"),
        "the server did refuse some calls"
    );
    browser.close().await;
}
