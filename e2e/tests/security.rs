//! The console under the server's strict Content-Security-Policy, in headless Chromium.

use e2e::{BROWSER_TIME_ZONE, Browser, demo_options};
use fantoccini::Locator;
use testkit::TestServer;
use testkit::selectors;

#[tokio::test(flavor = "multi_thread")]
async fn every_feature_works_under_the_strict_policy_without_violations() {
    let server = TestServer::start_with(demo_options());
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.record_csp_violations().await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    browser.text_of(selectors::ROWS).await;

    // Scroll, sort, search, type, preview, and open and close the dialog.
    browser.header_button("Email").await.click().await.unwrap();
    browser
        .client
        .find(Locator::Css("input[type=search]"))
        .await
        .unwrap()
        .send_keys("example")
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css("textarea"))
        .await
        .unwrap()
        .send_keys("a@example.com, nope")
        .await
        .unwrap();
    browser.text_of(selectors::TALLY).await;
    browser
        .client
        .find(Locator::Css("button.oi-delete"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.text_of("dialog[open] h2").await;
    browser.click_button("Cancel").await;

    assert_eq!(browser.csp_violations().await, Vec::<String>::new());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inline_script_is_refused_so_the_policy_is_in_force() {
    let server = TestServer::start_with(demo_options());
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.record_csp_violations().await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    browser.text_of(selectors::ROWS).await;
    // What an injected script would do: the policy must block it.
    browser
        .client
        .execute("const s = document.createElement('script'); s.textContent = 'window.__ran = true'; document.body.append(s);", Vec::new())
        .await
        .unwrap();
    let ran = browser
        .client
        .execute("return window.__ran === true;", Vec::new())
        .await
        .unwrap();
    assert_eq!(ran, serde_json::Value::Bool(false));
    let violations = browser.csp_violations().await;
    assert!(
        violations
            .iter()
            .any(|violation| violation.starts_with("script-src")),
        "{violations:?}"
    );
    browser.close().await;
}
