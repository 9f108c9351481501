//! The console for a team, behind a stand-in for the company's login proxy: each person is
//! known by name, sees only what their role allows, and what they do shows in the Activity
//! view under their name. Headless Chromium, the real server, a real proxy on loopback.

use e2e::login_proxy::LoginProxy;
use e2e::{BROWSER_TIME_ZONE, Browser, demo_options, wait_for};
use fantoccini::Locator;
use serde_json::json;
use testkit::{Api, TestServer, selectors};

const ROLES: &str = r#"
admin = ["alice@corp.example"]
inviter = ["ivan@corp.example"]
viewer = ["*@corp.example"]
"#;

fn team_server(roles: &tempfile::TempDir) -> TestServer {
    let file = roles.path().join("roles.toml");
    std::fs::write(&file, ROLES).unwrap();
    TestServer::start_with(testkit::ServerOptions {
        extra_args: vec![
            "--auth-proxy-header".into(),
            e2e::login_proxy::IDENTITY_HEADER.into(),
            "--roles".into(),
            file.display().to_string(),
        ],
        ..demo_options()
    })
}

/// A browser at the proxy where `person` is signed in, with the list on screen.
async fn as_person(server: &TestServer, person: &str) -> (Browser, LoginProxy) {
    let proxy = LoginProxy::start(person, server.port()).await;
    let browser = Browser::start(BROWSER_TIME_ZONE).await;
    browser
        .client
        .goto(&format!("{}/", proxy.origin))
        .await
        .unwrap();
    browser.text_of(selectors::ROWS).await;
    (browser, proxy)
}

/// How many elements matching `css` a person can see.
async fn visible(browser: &Browser, css: &str) -> u64 {
    browser
        .client
        .execute(
            "return [...document.querySelectorAll(arguments[0])].filter(e => e.offsetParent !== null).length;",
            vec![css.into()],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn each_person_sees_what_their_role_allows_and_their_changes_carry_their_name() {
    let roles = tempfile::tempdir().unwrap();
    let server = team_server(&roles);

    let (viewer, _proxy) = as_person(&server, "vera@corp.example").await;
    let said = viewer.text_of(".oi-who").await;
    assert_eq!(said, "Signed in as vera@corp.example (viewer)");
    assert_eq!(visible(&viewer, "textarea").await, 0, "no invite form");
    assert_eq!(visible(&viewer, "button.oi-delete").await, 0, "no delete");
    assert_eq!(
        visible(&viewer, "input[type=checkbox][aria-label^='Select']").await,
        0
    );
    assert_eq!(visible(&viewer, ".oi-activity").await, 0, "no activity");
    viewer.assert_accessible("a viewer's console").await;
    viewer.close().await;

    let (inviter, _proxy) = as_person(&server, "ivan@corp.example").await;
    assert_eq!(
        inviter.text_of(".oi-who").await,
        "Signed in as ivan@corp.example (inviter)"
    );
    assert_eq!(visible(&inviter, "button.oi-delete").await, 0, "no delete");
    e2e::type_emails(&inviter, "ivan.invited@example.com").await;
    inviter.click_button("Send invitations").await;
    let headline = inviter.text_of(selectors::RESULTS_HEADLINE).await;
    assert_eq!(
        headline,
        "Invitation to 1 address queued: its row shows when the mail is sent."
    );
    inviter.close().await;

    let (admin, _proxy) = as_person(&server, "alice@corp.example").await;
    assert_eq!(
        admin.text_of(".oi-who").await,
        "Signed in as alice@corp.example (admin)"
    );
    // Beside it, what became of its mail (queued by Ivan, written by the delivery worker).
    wait_for("Ivan's invitation in the Activity view", true, || async {
        let rows = admin.texts_now(".oi-activity-row").await;
        let by_ivan = |what: &str| {
            rows.iter().any(|row| {
                row.contains("ivan@corp.example")
                    && row.contains(what)
                    && row.contains("ivan.invited@example.com")
                    && row.contains("done")
            })
        };
        by_ivan("invited") && by_ivan("mail queued")
    })
    .await;
    admin.assert_accessible("the Activity view").await;
    // Revoke the invitation Ivan sent: the trail says who did.
    let id = Api::new(&server)
        .list_all("")
        .into_iter()
        .find(|invitation| invitation["email"] == "ivan.invited@example.com")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin
        .client
        .find(Locator::Css("input[type=search]"))
        .await
        .unwrap()
        .send_keys("ivan.invited")
        .await
        .unwrap();
    admin
        .client
        .wait()
        .for_element(Locator::Css(
            "button[aria-label='Delete invitation for ivan.invited@example.com']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    admin.click_button("Delete").await;
    admin.click_button("Delete now").await;
    wait_for("the revocation in the Activity view", true, || async {
        admin
            .texts_now(".oi-activity-row")
            .await
            .first()
            .is_some_and(|row| row.contains("alice@corp.example") && row.contains("revoked"))
    })
    .await;
    assert!(
        Api::new(&server)
            .list_all("")
            .iter()
            .all(|invitation| invitation["id"] != id.as_str())
    );
    admin.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Chromium and the release console: `cargo xtask test e2e` provides both"]
async fn a_rows_history_shows_who_invited_and_who_revoked_that_address() {
    let roles = tempfile::tempdir().unwrap();
    let server = team_server(&roles);
    let owner = Api::new(&server);
    // An earlier invitation to the same address, revoked, then a new one.
    let first = owner.invite(&["returning@example.com"])[0]["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        owner
            .post(
                &format!("{}{first}/invalidate", testkit::LIST_PATH),
                &json!({})
            )
            .status,
        200
    );
    owner.invite(&["returning@example.com"]);
    let (admin, _proxy) = as_person(&server, "alice@corp.example").await;
    admin.click_button("History").await;
    // What people did, leaving out what became of the mail (its own rows, in its own time).
    let done_by_people = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter()
            .filter(|row| !row.contains("mail "))
            .collect()
    };
    wait_for("the address's history alone", 3, || async {
        let rows = admin.texts_now(".oi-activity-row").await;
        if rows.iter().all(|row| row.contains("returning@example.com")) {
            done_by_people(rows).len()
        } else {
            0
        }
    })
    .await;
    let rows = done_by_people(admin.texts_now(".oi-activity-row").await);
    assert!(
        rows[0].contains("invited") && rows[1].contains("revoked") && rows[2].contains("invited"),
        "{rows:?}"
    );
    admin.close().await;
}
