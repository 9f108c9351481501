//! Inviting from the console against the real server, in headless Chromium.

use e2e::{BROWSER_TIME_ZONE, Browser, demo_options, wait_for};
use fantoccini::Locator;
use fantoccini::key::Key;
use testkit::selectors;
use testkit::{Api, TestServer};

const BATCH_CREATE_LOG: &str = "path=/api/v2/organization_invitations/batch_create ";

async fn textarea_value(browser: &Browser) -> String {
    // After a reload the field appears only once the console has started: wait for it.
    let area = e2e::invite_field(browser).await;
    area.prop("value").await.expect("value").unwrap_or_default()
}

async fn row_count(browser: &Browser) -> usize {
    browser.texts_of_all(selectors::ROWS).await.len()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn inviting_three_of_which_one_is_invalid_and_one_already_invited() {
    let server = TestServer::start_with(demo_options());
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    let before = row_count(&browser).await;

    e2e::type_emails(
        &browser,
        "New Person <new.person@example.com>, not-an-address; ADA.LOVELACE@example.com",
    )
    .await;
    assert_eq!(
        browser.text_of(selectors::TALLY).await,
        "1 valid · 1 invalid · 1 already invited"
    );
    browser.assert_accessible("invite preview").await;
    browser.click_button("Send invitations").await;

    let headline = browser.text_of(selectors::RESULTS_HEADLINE).await;
    assert_eq!(headline, "Invitations to 1 queued; 2 not sent.");
    let lines = browser.texts_of_all(selectors::RESULT_LINES).await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], "new.person@example.com — Queued");
    assert!(
        lines[1] == "not-an-address — Not sent: no @ — is this an address?",
        "{lines:?}"
    );
    assert_eq!(
        lines[2],
        "ADA.LOVELACE@example.com — Not sent: Already has a pending invitation"
    );
    browser.assert_accessible("invite results").await;

    // The list gains exactly the one row, without reloading the page; the rest stays typed.
    wait_for("rows", before + 1, || row_count(&browser)).await;
    let emails = browser.texts_of_all(selectors::ROW_EMAILS).await;
    assert!(
        emails.contains(&"new.person@example.com".to_owned()),
        "{emails:?}"
    );
    assert_eq!(
        textarea_value(&browser).await,
        "not-an-address; ADA.LOVELACE@example.com"
    );
    let stored = Api::new(&server).list_all("email=new.person%40example.com");
    assert_eq!(stored.len(), 1);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_server_refusing_an_address_is_reported_with_its_detail() {
    let server = TestServer::start_with(demo_options());
    let browser = e2e::signed_in(&server).await;
    // Invited by someone else after the page loaded: only the server knows.
    Api::new(&server).invite(&["raced@example.com"]);
    e2e::type_emails(&browser, "raced@example.com, fresh@example.com").await;
    // Ctrl+Enter sends from the keyboard.
    let area = browser.client.find(Locator::Css("textarea")).await.unwrap();
    area.send_keys(&format!(
        "{}{}",
        char::from(Key::Control),
        char::from(Key::Enter)
    ))
    .await
    .unwrap();
    let lines = browser.texts_of_all(selectors::RESULT_LINES).await;
    assert_eq!(
        lines,
        [
            "raced@example.com — Failed: Invitation already exists for raced@example.com",
            "fresh@example.com — Queued"
        ]
    );
    assert_eq!(
        textarea_value(&browser).await,
        "raced@example.com, ",
        "the failed address stays for a retry"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_double_click_sends_once() {
    let server = TestServer::start_with(demo_options());
    let browser = e2e::signed_in(&server).await;
    e2e::type_emails(&browser, "one@example.com two@example.com").await;
    browser
        .client
        .execute("const button = document.querySelector('button[type=submit]'); button.click(); button.click();", Vec::new())
        .await
        .unwrap();
    assert_eq!(
        browser.text_of(selectors::RESULTS_HEADLINE).await,
        "Invitations to 2 addresses queued: each row shows when its mail is sent."
    );
    assert_eq!(
        server.log().matches(BATCH_CREATE_LOG).count(),
        1,
        "exactly one batch_create request"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_server_that_is_down_loses_nothing_typed_and_the_draft_survives_a_reload() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(testkit::ServerOptions {
        data_dir: Some(data.path().join("data")),
        ..demo_options()
    });
    let browser = e2e::signed_in(&server).await;
    let typed = "Keep Me <keep.me@example.com>, also.me@example.com";
    e2e::type_emails(&browser, typed).await;

    browser.client.refresh().await.unwrap();
    wait_for("the draft after a reload", typed.to_owned(), || {
        textarea_value(&browser)
    })
    .await;

    let port = server.port();
    server.kill_hard();
    browser.click_button("Send invitations").await;
    let notice = browser.text_of(selectors::RESULTS_NOTICE).await;
    assert!(
        notice.contains("Cannot reach the invitation server"),
        "{notice}"
    );
    // A request that gets no answer may have been carried out: the console cannot tell a
    // server that is down from a connection dropped after sending, so it does not say "failed".
    assert_eq!(
        browser.text_of(selectors::RESULTS_HEADLINE).await,
        "No invitation confirmed: 2 unknown (the server's answer was lost: check the list)."
    );
    assert_eq!(
        textarea_value(&browser).await,
        typed,
        "the whole input is kept"
    );

    // Back up: "Retry failed" sends what is left.
    let _restarted = TestServer::start_with(testkit::ServerOptions {
        data_dir: Some(data.path().join("data")),
        port: Some(port),
        ..demo_options()
    });
    browser.click_button("Retry failed").await;
    wait_for(
        "the retry",
        "Invitations to 2 addresses queued: each row shows when its mail is sent.".to_owned(),
        || browser.text_of(selectors::RESULTS_HEADLINE),
    )
    .await;
    assert_eq!(textarea_value(&browser).await, "");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_csv_file_feeds_the_same_parser() {
    let server = TestServer::start_with(demo_options());
    let folder = tempfile::tempdir().unwrap();
    let csv = folder.path().join("people.csv");
    std::fs::write(
        &csv,
        "Name,Email,Team\nCsv One,csv.one@example.com,Sales\nCsv Two,csv.two@example.com,Ops\n",
    )
    .unwrap();
    let browser = e2e::signed_in(&server).await;
    let picker = browser
        .client
        .find(Locator::Css("input[type=file]"))
        .await
        .unwrap();
    picker.send_keys(&csv.display().to_string()).await.unwrap();
    // Read as a spreadsheet: only the cells that hold addresses count.
    assert_eq!(browser.text_of(selectors::TALLY).await, "2 valid");
    assert!(
        textarea_value(&browser)
            .await
            .contains("csv.two@example.com")
    );
    // The other seven cells are set aside, and said so: folded, as they are more than five.
    assert_eq!(
        browser.text_of(selectors::IGNORED_SUMMARY).await,
        "7 cells ignored (not addresses)"
    );
    browser.assert_accessible("ignored cells, folded").await;
    browser
        .client
        .find(Locator::Css(selectors::IGNORED_SUMMARY))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        browser.texts_of_all(selectors::IGNORED_CELLS).await.len(),
        7
    );
    browser.assert_accessible("ignored cells, open").await;
    // One is brought back from the keyboard, to be checked as an address.
    browser
        .client
        .find(Locator::Css(
            "button[aria-label='Check as an address: Sales']",
        ))
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    wait_for(
        "Sales judged as an address",
        "2 valid · 1 invalid".to_owned(),
        || browser.text_of(selectors::TALLY),
    )
    .await;
    assert!(textarea_value(&browser).await.ends_with("\nSales"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn more_than_a_batch_is_sent_in_chunks_one_after_another() {
    let server = TestServer::start_with(demo_options());
    let browser = e2e::signed_in(&server).await;
    let paste: String = (0..1500)
        .map(|i| format!("bulk{i:04}@example.com"))
        .collect::<Vec<_>>()
        .join("\n");
    // Pasted in one go, as a person pastes.
    browser
        .client
        .execute(
            "const area = document.querySelector('textarea'); area.focus(); document.execCommand('insertText', false, arguments[0]);",
            vec![serde_json::Value::from(paste)],
        )
        .await
        .unwrap();
    wait_for("the preview", "1500 valid".to_owned(), || {
        browser.text_of(selectors::TALLY)
    })
    .await;
    browser.click_button("Send invitations").await;
    wait_for(
        "the report",
        "Invitations to 1500 addresses queued: each row shows when its mail is sent.".to_owned(),
        || browser.text_of(selectors::RESULTS_HEADLINE),
    )
    .await;
    assert_eq!(
        server.log().matches(BATCH_CREATE_LOG).count(),
        2,
        "1000, then 500"
    );
    assert_eq!(Api::new(&server).list_all("count=1000").len(), 1500 + 4);
    browser.close().await;
}
