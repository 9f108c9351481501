//! Faults while a person is mid-task, against the real server in headless Chromium: the server
//! killed and restarted, connections dropped after a request arrived, and an upstream that
//! hangs, answers garbage or fails behind a gateway. Nothing may be lost or misreported.

use e2e::fault_proxy::{Fault, FaultProxy};
use e2e::{
    Browser, confirm_delete, demo_options, listed_emails, signed_in_at, wait_for, wait_for_notice,
};
use fantoccini::Locator;
use testkit::selectors;
use testkit::{Api, ServerOptions, TestServer};

const DEMO_ADDRESS: &str = "grace.hopper@example.com";
const BATCH_CREATE: &str = "POST /api/v2/organization_invitations/batch_create ";
const INVALIDATE: &str = "POST /api/v2/organization_invitations/orginv_";
const LIST: &str = "GET /api/v2/organization_invitations/?";

async fn notices(browser: &Browser) -> Vec<String> {
    browser.texts_now(selectors::DELETION_NOTICES).await
}

/// Deletes the row for `email` and skips the undo window.
async fn delete_now(browser: &Browser, email: &str) {
    confirm_delete(browser, email).await;
    browser.click_button("Delete now").await;
}

/// Pastes `text` into the Emails field in one go, as a person pastes.
async fn paste(browser: &Browser, text: &str) {
    browser
        .client
        .execute(
            "const area = document.querySelector('textarea'); area.focus(); \
             document.execCommand('insertText', false, arguments[0]);",
            vec![serde_json::Value::from(text)],
        )
        .await
        .unwrap();
}

/// The server down while a deletion's undo window ends: the deletion is kept, shown as
/// pending, tried again, and reported done only once the restarted server confirms it. The
/// list says the server is unreachable and recovers by itself, without a reload.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_deletion_due_while_the_server_is_down_is_kept_and_finished_once_it_is_back() {
    let data = tempfile::tempdir().unwrap();
    let options = ServerOptions {
        data_dir: Some(data.path().join("data")),
        ..demo_options()
    };
    let server = TestServer::start_with(options.clone());
    let browser = e2e::signed_in(&server).await;
    let port = server.port();
    server.kill_hard();

    delete_now(&browser, DEMO_ADDRESS).await;
    wait_for_notice(
        &browser,
        "Deleting… 0 of 1. The server cannot be reached: the rest is kept and tried again until it answers; nothing is reported deleted before it confirms.",
    )
    .await;
    let rows = browser.texts_now(selectors::ROW_EMAILS).await;
    assert!(!rows.contains(&DEMO_ADDRESS.to_owned()), "{rows:?}");
    browser.click_button("Refresh").await;
    let error = browser.text_of(selectors::LOAD_ERROR).await;
    assert!(error.starts_with("Server unreachable"), "{error}");
    assert!(
        error.contains("The console tries again by itself every few seconds."),
        "{error}"
    );
    browser
        .assert_accessible("server down, a deletion pending")
        .await;

    let server = TestServer::start_with(ServerOptions {
        port: Some(port),
        ..options
    });
    wait_for_notice(&browser, "1 deleted. Dismiss").await;
    assert!(!listed_emails(&server).contains(&DEMO_ADDRESS.to_owned()));
    wait_for("the load error to go by itself", 0, || async {
        browser.texts_now(selectors::LOAD_ERROR).await.len()
    })
    .await;
    let rows = browser.texts_of_all(selectors::ROW_EMAILS).await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    browser.close().await;
}

/// A connection that drops after a revocation reached the server: the console cannot know it
/// was carried out, so it tries again, and the server's 404 then counts as done — by us, not
/// "someone else".
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_revocation_whose_answer_was_lost_is_tried_again_and_counted_once() {
    let server = TestServer::start_with(demo_options());
    let proxy = FaultProxy::start(server.port()).await;
    let browser = signed_in_at(&proxy.origin, &server).await;

    proxy.fail(INVALIDATE, Fault::DropAnswer, 0);
    delete_now(&browser, DEMO_ADDRESS).await;
    wait_for("the server to carry it out", false, || async {
        listed_emails(&server).contains(&DEMO_ADDRESS.to_owned())
    })
    .await;
    wait_for("the pending notice", true, || async {
        notices(&browser)
            .await
            .iter()
            .any(|notice| notice.starts_with("Deleting… 0 of 1. The server cannot be reached"))
    })
    .await;
    proxy.heal();
    wait_for_notice(&browser, "1 deleted. Dismiss").await;
    browser.close().await;
}

/// The connection drops in the middle of a chunked invite, after the server carried out the
/// second batch: the first batch is "sent", the second "unknown", the third "not sent";
/// sending again is safe and ends with exactly one invitation per address.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_chunked_invite_cut_off_mid_way_reports_every_address_honestly() {
    let server = TestServer::start_with(demo_options());
    let proxy = FaultProxy::start(server.port()).await;
    let browser = signed_in_at(&proxy.origin, &server).await;
    let addresses: Vec<String> = (0..2001)
        .map(|i| format!("cut{i:04}@example.com"))
        .collect();
    paste(&browser, &addresses.join("\n")).await;
    wait_for("the preview", "2001 valid".to_owned(), || {
        browser.text_of(selectors::TALLY)
    })
    .await;

    proxy.fail(BATCH_CREATE, Fault::DropAnswer, 1);
    browser.click_button("Send invitations").await;
    wait_for(
        "the report",
        "Invitations to 1000 queued; 1 not sent and 1000 unknown (the server's answer was lost: check the list).".to_owned(),
        || browser.text_of(selectors::RESULTS_HEADLINE),
    )
    .await;
    let lines = browser.texts_now(selectors::RESULT_LINES).await;
    assert_eq!(lines.len(), 2001);
    assert_eq!(lines[0], "cut0000@example.com — Queued");
    assert_eq!(lines[1000], "cut1000@example.com — Unknown: check the list");
    assert_eq!(lines[2000], "cut2000@example.com — Not sent");
    let notice = browser.text_of(selectors::RESULTS_NOTICE).await;
    assert!(notice.contains("Sending them again is safe"), "{notice}");
    let invited = |server: &TestServer| {
        listed_emails(server)
            .iter()
            .filter(|email| email.starts_with("cut"))
            .count()
    };
    assert_eq!(invited(&server), 2000, "the second batch was carried out");

    // Sending again: the list (reloaded after the lost answer) knows the second batch, and
    // nothing is invited twice.
    proxy.heal();
    browser.click_button("Send invitations").await;
    wait_for("every address invited", 2001, || async { invited(&server) }).await;
    let all = Api::new(&server).list_all("include_expired=true");
    let mut emails: Vec<&str> = all
        .iter()
        .map(|inv| inv["email"].as_str().unwrap())
        .collect();
    let listed = emails.len();
    emails.sort_unstable();
    emails.dedup();
    assert_eq!(emails.len(), listed, "one invitation per address");
    browser.close().await;
}

/// A server that takes a request and never answers (a hung process or network): after 45 s
/// the console stops waiting, says so, and reports the invitation as unknown, not failed.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_server_that_never_answers_is_given_up_on_and_reported_plainly() {
    let server = TestServer::start_with(demo_options());
    let proxy = FaultProxy::start(server.port()).await;
    let browser = signed_in_at(&proxy.origin, &server).await;
    proxy.fail(BATCH_CREATE, Fault::Hang, 0);
    browser
        .client
        .find(Locator::Css("textarea"))
        .await
        .unwrap()
        .send_keys("hung@example.com")
        .await
        .unwrap();
    browser.click_button("Send invitations").await;
    let started = std::time::Instant::now();
    let headline = loop {
        let headlines = browser.texts_now(selectors::RESULTS_HEADLINE).await;
        if let Some(headline) = headlines.into_iter().next() {
            break headline;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "still waiting after a minute"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(
        headline,
        "No invitation confirmed: 1 unknown (the server's answer was lost: check the list)."
    );
    let notice = browser.text_of(selectors::RESULTS_NOTICE).await;
    assert!(
        notice.contains("The server did not answer within 45 seconds."),
        "{notice}"
    );
    browser.close().await;
}

/// A gateway whose upstream hangs, answers garbage or fails: clear messages, nothing
/// reported done that was not, no spinner forever, and the console recovers.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_gateway_upstream_that_hangs_talks_garbage_or_fails_is_reported_plainly() {
    let upstream = TestServer::start_with(demo_options());
    let proxy = FaultProxy::start(upstream.port()).await;
    let mut options = ServerOptions {
        dist_dir: demo_options().dist_dir,
        ..Default::default()
    };
    options
        .extra_args
        .extend(["--upstream", &proxy.origin, "--upstream-timeout", "2"].map(String::from));
    options.envs.push((
        "ORG_INVITATIONS_UPSTREAM_TOKEN".into(),
        upstream.token.clone(),
    ));
    let gateway = TestServer::start_with(options);
    let browser = e2e::signed_in(&gateway).await;

    // Hangs: after the gateway's timeout the list says so, and loads by itself once healed.
    proxy.fail(LIST, Fault::Hang, 0);
    browser.click_button("Refresh").await;
    let error = browser.text_of(selectors::LOAD_ERROR).await;
    assert!(error.contains("(HTTP 504)"), "{error}");
    assert!(error.contains("tries again by itself"), "{error}");
    proxy.heal();
    wait_for("the list back without a reload", 0, || async {
        browser.texts_now(selectors::LOAD_ERROR).await.len()
    })
    .await;
    assert_eq!(browser.texts_now(selectors::ROWS).await.len(), 5);

    // Garbage for a create: not reported sent, and not reported failed either.
    proxy.fail(BATCH_CREATE, Fault::Garbage, 0);
    browser
        .client
        .find(Locator::Css("textarea"))
        .await
        .unwrap()
        .send_keys("garbled@example.com")
        .await
        .unwrap();
    browser.click_button("Send invitations").await;
    wait_for(
        "the report",
        "No invitation confirmed: 1 unknown (the server's answer was lost: check the list)."
            .to_owned(),
        || browser.text_of(selectors::RESULTS_HEADLINE),
    )
    .await;
    let notice = browser.text_of(selectors::RESULTS_NOTICE).await;
    assert!(notice.contains("cannot read"), "{notice}");

    // A 500 for a revocation: the row comes back saying it may be deleted; Retry finishes it.
    proxy.fail(INVALIDATE, Fault::ServerError, 0);
    delete_now(&browser, DEMO_ADDRESS).await;
    wait_for_notice(
        &browser,
        "1 unknown: the server's answer was lost, check the list. Dismiss",
    )
    .await;
    let errors = browser.texts_now(selectors::ROW_ERRORS).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("Maybe deleted:"), "{errors:?}");
    assert!(listed_emails(&upstream).contains(&DEMO_ADDRESS.to_owned()));
    browser
        .assert_accessible("a row whose deletion is unknown")
        .await;
    proxy.heal();
    browser
        .client
        .find(Locator::Css(&format!(
            "button[aria-label='Retry deleting the invitation for {DEMO_ADDRESS}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for("the upstream to drop it", false, || async {
        listed_emails(&upstream).contains(&DEMO_ADDRESS.to_owned())
    })
    .await;
    wait_for_notice(&browser, "1 deleted. Dismiss").await;
    browser.close().await;
}
