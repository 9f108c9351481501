//! The console through a gateway: a second server forwarding to a store-mode upstream.

use e2e::{BROWSER_TIME_ZONE, Browser, demo_options};
use testkit::selectors;
use testkit::{ServerOptions, TestServer};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn the_console_works_through_the_gateway_and_reports_an_upstream_outage() {
    let upstream = TestServer::start_with(demo_options());
    let gateway = TestServer::gateway_to(
        &upstream,
        ServerOptions {
            dist_dir: demo_options().dist_dir,
            ..Default::default()
        },
    );
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&gateway.sign_in_url).await.unwrap();
    let rows = browser.texts_of_all(selectors::ROWS).await;
    assert_eq!(rows.len(), 5, "the upstream's demo invitations");
    let page = browser.client.source().await.unwrap();
    assert!(
        !page.contains(&upstream.token),
        "the upstream token reached the page"
    );
    let cookies = browser.client.get_all_cookies().await.unwrap();
    assert!(
        cookies
            .iter()
            .all(|cookie| cookie.value() != upstream.token),
        "the upstream token is in a cookie"
    );

    drop(upstream);
    browser.click_button("Refresh").await;
    let error = browser.text_of(selectors::LOAD_ERROR).await;
    assert!(
        error.contains("The upstream invitation API is unreachable (HTTP 502)"),
        "{error}"
    );
    browser.close().await;
}
