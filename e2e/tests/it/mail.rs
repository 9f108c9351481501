//! The console tells the truth about invitation mail (this project's server, sending through a
//! real SMTP server on loopback): "queued" when invitations are made, then each row's mail as
//! it changes, without a reload: sent, or not delivered with the mail server's reason.

use e2e::{Browser, demo_options, wait_for};
use serde_json::json;
use testkit::smtp::SmtpServer;
use testkit::{TestServer, selectors};

/// The delivery words of the row for `email`, or null while it has none.
async fn delivery_of(browser: &Browser, email: &str) -> serde_json::Value {
    browser
        .script(
            "const row = [...document.querySelectorAll('tr.oi-row')]
                 .find((row) => row.querySelector('td.oi-email').textContent === arguments[0]);
             return row?.querySelector('.oi-delivery')?.textContent ?? null;",
            vec![json!(email)],
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium, the release console and Debian's python3-aiosmtpd: `cargo xtask test e2e` provides them"]
async fn invitations_are_queued_then_each_row_shows_its_mail_as_it_goes() {
    let smtp = SmtpServer::start();
    // Later: refused for now, accepted two seconds on. Refused: refused for good.
    smtp.answer("later@example.com", &["451 4.3.0 Try again later"]);
    smtp.answer("refused@example.com", &["550 5.1.1 No such user here"]);
    let mut options = demo_options();
    options.extra_args.extend(
        [
            "--smtp-url",
            &smtp.url(),
            "--mail-from",
            "Acme <invitations@acme.example>",
            "--mail-retry-delays",
            "2s",
        ]
        .map(str::to_owned),
    );
    let server = TestServer::start_with(options);
    let browser = e2e::signed_in(&server).await;
    e2e::type_emails(&browser, "later@example.com\nrefused@example.com").await;
    browser.click_button("Send invitations").await;
    assert_eq!(
        browser.text_of(selectors::RESULTS_HEADLINE).await,
        "Invitations to 2 addresses queued: each row shows when its mail is sent."
    );
    assert_eq!(
        browser.texts_of_all(selectors::RESULT_LINES).await,
        ["later@example.com — Queued", "refused@example.com — Queued"]
    );
    // Nobody reloads: the rows follow the mail.
    // Queued, or (once refused for now) waiting with the mail server's answer.
    wait_for("the later mail, queued", true, || async {
        delivery_of(&browser, "later@example.com")
            .await
            .as_str()
            .is_some_and(|text| {
                text == "Mail queued"
                    || (text.starts_with("Mail waiting: ") && text.contains("Try again later"))
            })
    })
    .await;
    wait_for(
        "the refused mail, with the mail server's reason",
        true,
        || async {
            delivery_of(&browser, "refused@example.com")
                .await
                .as_str()
                .is_some_and(|text| {
                    text.starts_with("Mail not delivered: ") && text.contains("No such user here")
                })
        },
    )
    .await;
    wait_for("the later mail, sent", json!("Mail sent"), || {
        delivery_of(&browser, "later@example.com")
    })
    .await;
    let received = smtp.received();
    assert_eq!(received.len(), 1, "only the later mail arrived");
    browser.assert_accessible("rows with their mail").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn without_a_mail_server_the_rows_say_the_mail_was_written_to_the_servers_folder() {
    let server = TestServer::start_with(demo_options());
    let browser = e2e::signed_in(&server).await;

    e2e::type_emails(&browser, "folder@example.com").await;
    browser.click_button("Send invitations").await;
    assert_eq!(
        browser.text_of(selectors::RESULTS_HEADLINE).await,
        "Invitation to 1 address queued: its row shows when the mail is sent."
    );
    wait_for(
        "the row's mail, written to the folder",
        json!("Mail written to the server's mail folder"),
        || delivery_of(&browser, "folder@example.com"),
    )
    .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn mail_held_by_the_hourly_limit_says_so_in_its_row() {
    let mut options = demo_options();
    options
        .extra_args
        .extend(["--max-mails-per-hour", "1"].map(str::to_owned));
    let server = TestServer::start_with(options);
    let browser = e2e::signed_in(&server).await;

    e2e::type_emails(&browser, "first@example.com\nsecond@example.com").await;
    browser.click_button("Send invitations").await;
    wait_for(
        "one mail written, the other waiting and saying why",
        (true, true),
        || async {
            let texts = (
                delivery_of(&browser, "first@example.com").await,
                delivery_of(&browser, "second@example.com").await,
            );
            let said = |text: &serde_json::Value, wanted: &str| {
                text.as_str().is_some_and(|text| text.starts_with(wanted))
            };
            let written = "Mail written to the server's mail folder";
            let waiting =
                "Mail waiting: The server's hourly limit of mail (--max-mails-per-hour 1)";
            (
                said(&texts.0, written) || said(&texts.1, written),
                said(&texts.0, waiting) || said(&texts.1, waiting),
            )
        },
    )
    .await;
    browser.close().await;
}

/// Stands in for the browser's clipboard: what the page writes is kept in `window.__copied`;
/// with `refuse`, writing fails as a browser that denies the clipboard does.
async fn watch_clipboard(browser: &Browser, refuse: bool) {
    browser
        .script(
            "window.__copied = null;
             navigator.clipboard.writeText = (text) => {
                 if (arguments[0]) return Promise.reject(new DOMException('denied', 'NotAllowedError'));
                 window.__copied = text;
                 return Promise.resolve();
             };
             return true;",
            vec![json!(refuse)],
        )
        .await;
}

/// Clicks the row's "Copy link" for `email` (by its accessible name).
async fn click_copy_link(browser: &Browser, email: &str) {
    browser
        .script(
            "document.querySelector(`button[aria-label='Copy link for ${arguments[0]}']`).click();
             return true;",
            vec![json!(email)],
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn copy_link_hands_over_a_fresh_link_and_the_mailed_one_stops_working() {
    let server = TestServer::start_with(demo_options());
    let api = testkit::Api::new(&server);
    api.invite_in("spam@example.com", Some("en"));
    let mailed = testkit::mail_link(&server, "spam@example.com");
    let browser = e2e::signed_in(&server).await;
    browser.text_of(selectors::ROWS).await;

    watch_clipboard(&browser, false).await;
    click_copy_link(&browser, "spam@example.com").await;
    wait_for(
        "the report",
        "A new link for spam@example.com is on the clipboard. The link sent before no longer works."
            .to_owned(),
        || async { browser.texts_now(".oi-link-report p").await.join("") },
    )
    .await;
    let copied = browser.script("return window.__copied;", vec![]).await;
    let copied = copied.as_str().expect("a link on the clipboard").to_owned();
    let path_of = |link: &str| link.strip_prefix(&server.base_url).unwrap().to_owned();
    assert!(
        copied.starts_with(&format!("{}/invitation/", server.base_url)),
        "{copied}"
    );
    assert_eq!(
        api.get_with(&path_of(&mailed), &[]).status,
        404,
        "the mailed link ended"
    );
    let page = api.get_with(&path_of(&copied), &[]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("spam@example.com"), "{}", page.body);
    browser.assert_accessible("the link report").await;

    // A browser that refuses the clipboard: the link is shown, selected, to copy by hand.
    watch_clipboard(&browser, true).await;
    browser.click_button("Close").await;
    click_copy_link(&browser, "spam@example.com").await;
    wait_for("the link, shown and focused", true, || async {
        browser
            .script(
                "const field = document.querySelector('.oi-link-report input');
                 return !!field && field.value.includes('/invitation/')
                     && document.activeElement === field;",
                vec![],
            )
            .await
            == json!(true)
    })
    .await;
    let shown = browser
        .script(
            "return document.querySelector('.oi-link-report input').value;",
            vec![],
        )
        .await;
    let shown = shown.as_str().unwrap();
    assert_ne!(shown, copied, "a fresh link each time");
    assert_eq!(api.get_with(&path_of(&copied), &[]).status, 404);
    assert_eq!(api.get_with(&path_of(shown), &[]).status, 200);
    browser.assert_accessible("the shown link").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_reminded_invitation_says_so_in_its_row() {
    let mut options = demo_options();
    options
        .extra_args
        .extend(["--remind-before", "2d"].map(str::to_owned));
    let server = TestServer::start_with(options);
    let browser = e2e::signed_in(&server).await;
    e2e::type_emails(&browser, "soon@example.com").await;
    browser.click_button("Send invitations").await;
    wait_for(
        "the row's mail, written to the folder",
        json!("Mail written to the server's mail folder"),
        || delivery_of(&browser, "soon@example.com"),
    )
    .await;
    // As if most of its week had passed: it expires tomorrow, unanswered.
    let tomorrow = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 24 * 3600 * 1000;
    server.run_sql(&format!(
        "UPDATE invitations SET expires_at_ms = {tomorrow} WHERE email = 'soon@example.com'"
    ));
    wait_for("the row, reminded", json!("Reminder sent"), || async {
        browser.click_button("Refresh").await;
        delivery_of(&browser, "soon@example.com").await
    })
    .await;
    browser.close().await;
}
