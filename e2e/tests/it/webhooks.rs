//! The Webhooks view in headless Chromium, for an admin of this project's server: an endpoint
//! added with the events it wants (its secret shown once), a test event that reaches a real
//! receiver on loopback, the delivery log with its status and answer code, a redelivery, a
//! pause; axe-core finds nothing at each step.

use e2e::{Browser, wait_for};
use fantoccini::Locator;
use serde_json::json;
use testkit::TestServer;
use testkit::receiver::Receiver;

/// The texts of the elements matching `css` inside the Webhooks view.
async fn texts(browser: &Browser, css: &str) -> Vec<String> {
    browser
        .script(
            "return [...document.querySelectorAll('.oi-webhooks ' + arguments[0])]
                 .map((element) => element.textContent.replace(/\\s+/g, ' ').trim());",
            vec![json!(css)],
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|text| text.as_str().unwrap().to_owned())
        .collect()
}

/// Clicks the button labelled `label` within the Webhooks view.
async fn click(browser: &Browser, label: &str) {
    let xpath = format!(
        "//section[contains(@class, 'oi-webhooks')]//button[normalize-space() = '{label}']"
    );
    browser
        .client
        .wait()
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|err| panic!("no button {label:?}: {err}"))
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides them"]
async fn an_admin_adds_an_endpoint_sends_a_test_event_and_reads_its_deliveries() {
    let receiver = Receiver::start();
    let mut options = e2e::demo_options();
    options
        .extra_args
        .push("--webhook-allow-http-loopback".into());
    let server = TestServer::start_with(options);
    let browser = e2e::signed_in(&server).await;
    e2e::later_parts_in(&browser).await;
    wait_for("the view", true, || async {
        texts(&browser, ".oi-empty")
            .await
            .contains(&"No endpoints yet.".to_owned())
    })
    .await;
    browser.assert_accessible("no endpoints").await;

    // Added with one event: its secret is shown once.
    let url = format!("{}/hooks", receiver.origin);
    let field = browser
        .client
        .find(Locator::Css(".oi-webhooks input[type=url]"))
        .await
        .unwrap();
    field.send_keys(&url).await.unwrap();
    browser
        .client
        .find(Locator::XPath(
            "//section[contains(@class, 'oi-webhooks')]//label[code = 'webhook.test']/input",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&browser, "Add endpoint").await;
    wait_for("the secret, shown once", true, || async {
        texts(&browser, ".oi-secret-value")
            .await
            .first()
            .is_some_and(|secret| secret.starts_with("whsec_"))
    })
    .await;
    assert_eq!(texts(&browser, ".oi-webhook-url").await, [url.clone()]);
    assert_eq!(
        texts(&browser, ".oi-webhook .oi-help").await,
        ["Active webhook.test"]
    );
    browser
        .assert_accessible("an endpoint and its secret")
        .await;

    // A test event reaches the receiver; the log says so.
    click(&browser, "Send test event").await;
    let received = receiver.wait_for(1, std::time::Duration::from_secs(20));
    assert_eq!(received.len(), 1, "the test event arrived");
    assert_eq!(received[0].json()["type"], "webhook.test");
    click(&browser, "Deliveries").await;
    wait_for("the delivery, delivered", true, || async {
        texts(&browser, ".oi-delivery-row")
            .await
            .first()
            .is_some_and(|row| row.contains("webhook.test") && row.contains("Delivered"))
    })
    .await;
    assert!(texts(&browser, ".oi-delivery-row").await[0].contains("200"));
    browser.assert_accessible("the delivery log").await;

    // Redelivered: the same message again, a second row.
    click(&browser, "Redeliver").await;
    wait_for("a second delivery", 2, || async {
        texts(&browser, ".oi-delivery-row").await.len()
    })
    .await;
    let again = receiver.wait_for(2, std::time::Duration::from_secs(20));
    assert_eq!(again[1].header("webhook-id"), again[0].header("webhook-id"));

    // Paused: said, and the button offers to resume.
    click(&browser, "Pause").await;
    wait_for("paused", true, || async {
        texts(&browser, ".oi-webhook .oi-help")
            .await
            .first()
            .is_some_and(|text| text.starts_with("Paused"))
    })
    .await;
    click(&browser, "Resume").await;
    wait_for("active again", true, || async {
        texts(&browser, ".oi-webhook .oi-help")
            .await
            .first()
            .is_some_and(|text| text.starts_with("Active"))
    })
    .await;
    browser
        .assert_accessible("after pausing and resuming")
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides them"]
async fn an_endpoint_the_server_disabled_is_said_at_the_top_and_resumed_from_there() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut options = e2e::demo_options();
    options.extra_args.extend(
        [
            "--webhook-allow-http-loopback",
            "--webhook-retry-delays",
            "0s",
            "--webhook-disable-after",
            "1s",
        ]
        .map(str::to_owned),
    );
    let server = TestServer::start_with(options);
    let api = testkit::Api::new(&server);
    let added = api.post(
        "/api/console/webhooks",
        &json!({"url": format!("http://127.0.0.1:{closed}/in")}),
    );
    let id = added.json()["result"]["id"].as_str().unwrap().to_owned();
    // Test events to a port nobody listens on, until the endpoint has failed for a second.
    let started = std::time::Instant::now();
    while api.get("/api/console/webhooks").json()["results"][0]["disabled_at"].is_null() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "never disabled"
        );
        api.post(
            &format!("/api/console/webhooks/{id}/test"),
            &serde_json::Value::Null,
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    let browser = e2e::signed_in(&server).await;
    e2e::later_parts_in(&browser).await;
    wait_for("the notice", true, || async {
        texts(&browser, ".oi-notice")
            .await
            .iter()
            .any(|text| text.starts_with("An endpoint kept failing and was disabled"))
    })
    .await;
    assert!(texts(&browser, ".oi-webhook .oi-help").await[0].starts_with("Disabled after failing"));
    browser.assert_accessible("a disabled endpoint").await;
    click(&browser, "Resume").await;
    wait_for("the notice gone", false, || async {
        texts(&browser, ".oi-notice")
            .await
            .iter()
            .any(|text| text.starts_with("An endpoint kept failing"))
    })
    .await;
    browser.close().await;
}
