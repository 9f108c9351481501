//! The page an invitation's link opens, in headless Chromium: opening it changes nothing, it
//! is accessible in English and in Arabic (right to left), and Accept works by click and by
//! keyboard. The links come from the mail the server wrote to its data folder.

use e2e::{BROWSER_TIME_ZONE, Browser, wait_for};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::json;
use testkit::{Api, TestServer};

async fn page_text(browser: &Browser) -> String {
    browser
        .script("return document.body.innerText;", Vec::new())
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium: `cargo xtask test e2e` provides it"]
async fn the_invitees_page_is_accessible_and_accepts_by_click() {
    let server = TestServer::start();
    let api = Api::new(&server);
    api.invite_in("ada@example.com", Some("en"));
    let link = testkit::mail_link(&server, "ada@example.com");
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    // Opened twice, as a person and a link scanner do: still pending.
    for _ in 0..2 {
        browser.client.goto(&link).await.unwrap();
    }
    assert_eq!(api.pending_emails(), ["ada@example.com"]);
    let text = page_text(&browser).await;
    assert!(text.contains("ada@example.com"), "{text}");
    browser
        .assert_accessible("the invitee's page, in English")
        .await;

    browser
        .client
        .find(Locator::XPath("//button[normalize-space()='Accept']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for("the page saying it was accepted", true, || async {
        page_text(&browser).await.contains("You accepted")
    })
    .await;
    browser
        .assert_accessible("the invitee's page, accepted")
        .await;
    assert_eq!(api.pending_emails(), Vec::<String>::new());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium: `cargo xtask test e2e` provides it"]
async fn in_arabic_the_page_reads_right_to_left_and_accepts_by_keyboard() {
    let server = TestServer::start();
    let api = Api::new(&server);
    api.invite_in("layla@example.com", Some("ar"));
    let link = testkit::mail_link(&server, "layla@example.com");
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&link).await.unwrap();
    assert_eq!(
        browser
            .script(
                "return [document.documentElement.lang, document.documentElement.dir];",
                Vec::new(),
            )
            .await,
        json!(["ar", "rtl"])
    );
    browser
        .assert_accessible("the invitee's page, in Arabic")
        .await;

    // Tab to the first button (Accept, in the page's words), then Enter.
    let accept = browser
        .script(
            "return document.querySelector('button[value=accept]').textContent.trim();",
            Vec::new(),
        )
        .await;
    let mut reached = false;
    for _ in 0..10 {
        browser
            .client
            .active_element()
            .await
            .unwrap()
            .send_keys(&Key::Tab.to_string())
            .await
            .unwrap();
        let focused = browser
            .script(
                "return document.activeElement?.textContent?.trim() ?? null;",
                Vec::new(),
            )
            .await;
        if focused == accept {
            reached = true;
            break;
        }
    }
    assert!(reached, "Accept ({accept}) is reached by Tab");
    browser
        .client
        .active_element()
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    wait_for("the invitation accepted", Vec::<String>::new(), || async {
        api.pending_emails()
    })
    .await;
    browser
        .assert_accessible("the invitee's page in Arabic, accepted")
        .await;
    browser.close().await;
}
