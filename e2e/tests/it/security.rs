//! The console under the server's strict Content-Security-Policy, against a page on another
//! origin, and signing out, in headless Chromium.

use e2e::{BROWSER_TIME_ZONE, Browser, demo_options, signed_in};
use fantoccini::Locator;
use testkit::selectors;
use testkit::{StaticHost, TestServer};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
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
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
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

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_form_posted_from_another_origin_changes_nothing() {
    let server = TestServer::start_with(demo_options());
    let before = testkit::Api::new(&server).list_all("").len();
    // Another origin on the same host: same-site, so the browser does send the session
    // cookie (SameSite=Strict does not stop it), and only the server's check can.
    let attacker = StaticHost::start();
    attacker.put(
        "attack.html",
        format!(
            "<!doctype html><title>Win a prize</title>\n\
             <form id=\"f\" method=\"POST\" enctype=\"text/plain\" action=\"{base}/api/v2/organization_invitations/batch_create\">\n\
             <input type=\"hidden\" name='[{{\"email\":\"csrf.victim@example.com\",\"x\":\"' value='\"}}]'>\n\
             </form>\n\
             <script>document.getElementById('f').submit();</script>\n",
            base = server.base_url
        ),
    );
    let browser = signed_in(&server).await;
    browser
        .client
        .goto(&format!("{}/attack.html", attacker.origin))
        .await
        .unwrap();
    // The form lands on the server's answer: refused as cross-site, so the cookie was sent.
    let answer = browser.text_of("body").await;
    assert!(answer.contains("Cross-site request refused"), "{answer}");
    let after = testkit::Api::new(&server).list_all("");
    assert_eq!(after.len(), before, "nothing was created");
    assert!(
        after
            .iter()
            .all(|invitation| invitation["email"] != "csrf.victim@example.com")
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn signing_out_ends_the_session_and_keeps_what_was_typed() {
    let server = TestServer::start_with(demo_options());
    let browser = signed_in(&server).await;
    browser
        .client
        .find(Locator::Css("textarea"))
        .await
        .unwrap()
        .send_keys("kept@example.com")
        .await
        .unwrap();
    browser.click_button("Sign out").await;
    let said = browser.text_of(".oi-console > .oi-status").await;
    assert!(said.contains("You are signed out"), "{said}");
    let rows_shown = browser
        .client
        .execute(
            "return [...document.querySelectorAll(arguments[0])].some(row => row.offsetParent !== null);",
            vec![selectors::ROWS.into()],
        )
        .await
        .unwrap();
    assert_eq!(
        rows_shown,
        serde_json::json!(false),
        "the list is out of sight"
    );
    browser.assert_accessible("signed out").await;
    // The old session is dead: a reload finds the browser signed out, and the draft kept.
    browser.client.refresh().await.unwrap();
    let error = browser.text_of(selectors::LOAD_ERROR).await;
    assert!(error.contains("Not signed in"), "{error}");
    // The form arrives after the list has answered (src/later.rs), with the draft in it.
    e2e::wait_for(
        "the draft, kept",
        serde_json::json!("kept@example.com"),
        || async {
            browser
                .script(
                    "return document.querySelector('textarea')?.value ?? null;",
                    Vec::new(),
                )
                .await
        },
    )
    .await;
    browser.close().await;
}
