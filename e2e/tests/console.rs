//! The release console, served by the real server on a real SQLite file, in headless Chromium.

use chrono::FixedOffset;
use e2e::Browser;
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::datetime::format_cli;
use testkit::{Api, ServerOptions, TestServer};

/// India has no daylight saving time, so its offset is the same on every date a test runs.
const BROWSER_TIME_ZONE: &str = "Asia/Kolkata";

fn india() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600 + 30 * 60).unwrap()
}

fn demo_options() -> ServerOptions {
    ServerOptions { demo: true, dist_dir: std::env::var_os("ORG_INVITATIONS_DIST").map(Into::into), ..Default::default() }
}

fn demo_server() -> TestServer {
    TestServer::start_with(demo_options())
}

#[tokio::test(flavor = "multi_thread")]
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
    let headers = browser.texts_of_all(".oi-table thead th").await;
    assert_eq!(headers, ["ID", "Email", "Created At", "Expires At"]);

    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.as_str(), format!("{}/", server.base_url), "the token left the address bar");

    let rows = browser.texts_of_all(".oi-table tbody tr").await;
    assert_eq!(rows.len(), expected.len(), "{rows:#?}");
    for invitation in &expected {
        let row = rows.iter().find(|row| row.contains(&invitation.id)).unwrap_or_else(|| panic!("no row for {}", invitation.id));
        assert!(row.contains(&invitation.email), "{row}");
        // Dates in the CLI's format, in the browser's own time zone.
        assert!(row.contains(&format_cli(invitation.created_at, &india())), "{row}");
        assert!(row.contains(&format_cli(invitation.expires_at, &india())), "{row}");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_that_is_not_signed_in_is_told_so() {
    let server = demo_server();
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.url("/")).await.unwrap();
    let error = browser.text_of(".oi-error").await;
    assert!(error.contains("Not signed in"), "{error}");
    assert!(error.contains("sign-in link"), "{error}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_goes_away_is_reported_and_retry_recovers() {
    let data = tempfile::tempdir().unwrap();
    let options = ServerOptions { data_dir: Some(data.path().join("data")), ..demo_options() };
    let server = TestServer::start_with(options.clone());
    let port = server.port();
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser.client.goto(&server.sign_in_url).await.unwrap();
    let rows_before = browser.texts_of_all(".oi-table tbody tr").await;
    server.kill_hard();

    browser.click_button("Refresh").await;
    let error = browser.text_of(".oi-error").await;
    assert!(error.contains("Server unreachable"), "{error}");

    // Back on the same port and data: the browser's session cookie is still good.
    let _restarted = TestServer::start_with(ServerOptions { port: Some(port), ..options });
    browser.click_button("Retry").await;
    assert_eq!(browser.texts_of_all(".oi-table tbody tr").await, rows_before);
    browser.close().await;
}
