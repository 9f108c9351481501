//! Resending invitations from the console, against the real server and through a gateway
//! whose upstream refuses new invitations.

use e2e::fault_proxy::{Fault, FaultProxy, REFUSAL};
use e2e::{Browser, demo_options, wait_for};
use fantoccini::Locator;
use serde_json::Value;
use testkit::{Api, ServerOptions, TestServer, selectors};

/// The demo's pending and expired addresses.
const PENDING: &str = "alan.turing@example.org";
const EXPIRED: &str = "edsger.dijkstra@example.com";

/// The server's open invitations (pending and expired) to `email`.
fn invitations_to(server: &TestServer, email: &str) -> Vec<Value> {
    Api::new(server)
        .list_all("include_expired=true")
        .into_iter()
        .filter(|invitation| invitation["email"] == email)
        .collect()
}

async fn click_labelled(browser: &Browser, label: &str) {
    browser
        .client
        .wait()
        .at_most(e2e::WAIT)
        .for_element(Locator::Css(&format!("button[aria-label='{label}']")))
        .await
        .unwrap_or_else(|err| panic!("no button {label:?}: {err}"))
        .click()
        .await
        .unwrap();
}

async fn report(browser: &Browser) -> (String, Vec<String>) {
    let headline = browser
        .text_of(".oi-resend-report .oi-results-headline")
        .await;
    let lines = browser
        .texts_of_all(".oi-resend-report .oi-result-lines li")
        .await;
    (headline, lines)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn resending_a_pending_and_an_expired_invitation_gives_each_a_new_id() {
    let server = TestServer::start_with(demo_options());
    let browser = e2e::signed_in(&server).await;
    for email in [PENDING, EXPIRED] {
        let before = invitations_to(&server, email);
        assert_eq!(before.len(), 1);
        click_labelled(&browser, &format!("Resend invitation for {email}")).await;
        wait_for(
            "the report",
            (
                "Resent 1 invitation.".to_owned(),
                vec![format!("{email} — Resent")],
            ),
            || report(&browser),
        )
        .await;
        let after = invitations_to(&server, email);
        assert_eq!(after.len(), 1, "one invitation per address");
        assert_ne!(after[0]["id"], before[0]["id"], "a new id");
        // The list shows the new one.
        wait_for("the new id in the list", true, || async {
            browser
                .texts_now(selectors::ROW_IDS)
                .await
                .contains(&after[0]["id"].as_str().unwrap().to_owned())
        })
        .await;
    }
    assert!(
        !browser
            .texts_now(selectors::ROW_BADGES)
            .await
            .contains(&"Expired".to_owned()),
        "nothing is expired any more"
    );
    browser.assert_accessible("resend report").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn resend_all_expired_resends_exactly_the_expired_ones() {
    let server = TestServer::start_with(demo_options());
    let api = Api::new(&server);
    // The demo has one expired invitation among pending ones.
    let before: Vec<Value> = api.list_all("include_expired=true");
    let browser = e2e::signed_in(&server).await;
    browser.click_button("Resend all expired (1)").await;
    wait_for(
        "the report",
        (
            "Resent 1 invitation.".to_owned(),
            vec![format!("{EXPIRED} — Resent")],
        ),
        || report(&browser),
    )
    .await;
    let after: Vec<Value> = api.list_all("include_expired=true");
    assert_eq!(after.len(), before.len());
    for invitation in &before {
        let now = after
            .iter()
            .find(|other| other["email"] == invitation["email"])
            .unwrap();
        assert_eq!(
            now["id"] == invitation["id"],
            invitation["email"] != EXPIRED,
            "only the expired one was replaced: {}",
            invitation["email"]
        );
    }
    assert!(
        browser
            .texts_now("button")
            .await
            .iter()
            .all(|text| !text.starts_with("Resend all expired")),
        "no expired invitation is left to resend"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn through_a_gateway_a_refused_create_after_the_revoke_is_said_and_inviting_again_works() {
    let upstream = TestServer::start_with(ServerOptions {
        demo: true,
        ..Default::default()
    });
    let proxy = FaultProxy::start(upstream.port()).await;
    proxy.fail(
        "POST /api/v2/organization_invitations/batch_create ",
        Fault::Refuse,
        0,
    );
    let mut options = demo_options();
    options.demo = false;
    options
        .extra_args
        .extend(["--upstream".to_owned(), proxy.origin.clone()]);
    options.envs.push((
        "ORG_INVITATIONS_UPSTREAM_TOKEN".to_owned(),
        upstream.token.clone(),
    ));
    let gateway = TestServer::start_with(options);
    let browser = e2e::signed_in(&gateway).await;
    let old_id = invitations_to(&upstream, PENDING)[0]["id"].clone();

    click_labelled(&browser, &format!("Resend invitation for {PENDING}")).await;
    let (headline, lines) = report(&browser).await;
    assert_eq!(
        headline,
        "Resent 0 of 1 invitation and 1 revoked without a new one."
    );
    assert_eq!(
        lines,
        [format!(
            "{PENDING} — Revoked, but the new invitation failed, so there is none now: {REFUSAL} (HTTP 503) Invite {PENDING} again"
        )]
    );
    assert!(
        invitations_to(&upstream, PENDING).is_empty(),
        "revoked, as the report says"
    );
    browser.assert_accessible("resend half done").await;

    proxy.heal();
    browser
        .click_button(&format!("Invite {PENDING} again"))
        .await;
    wait_for(
        "the report",
        (
            "Resent 1 invitation.".to_owned(),
            vec![format!("{PENDING} — Resent")],
        ),
        || report(&browser),
    )
    .await;
    let now = invitations_to(&upstream, PENDING);
    assert_eq!(now.len(), 1);
    assert_ne!(now[0]["id"], old_id);
    browser.close().await;
}
