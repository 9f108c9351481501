//! The page an invitation's link opens, over real HTTP: it changes nothing on GET or HEAD,
//! accepts or declines once on its own form's POST, says what became of an invitation that
//! can no longer be answered, and counts wrong tokens like any wrong credential. The links
//! come from the mail the server wrote to its data folder (no mail server configured).

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testkit::{Api, LIST_PATH, ServerOptions, TestServer};

/// The path of `link` on `server`, for requests.
fn path_of<'a>(server: &TestServer, link: &'a str) -> &'a str {
    link.strip_prefix(&server.base_url).unwrap()
}

/// The page's form token, as its hidden field carries it.
fn form_token(page: &str) -> String {
    let start = page.find("name=\"form\" value=\"").unwrap() + "name=\"form\" value=\"".len();
    page[start..start + 32].to_owned()
}

/// Posts the page's form as a browser on the page's own origin does.
fn answer(api: &Api, server: &TestServer, path: &str, answer: &str, form: &str) -> testkit::Reply {
    api.send(
        "POST",
        path,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", &server.base_url),
        ],
        &format!("answer={answer}&form={form}"),
    )
}

#[test]
fn looking_changes_nothing_and_accepting_happens_once() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let id = api.invite_in("ada@example.com", Some("de"));
    let link = testkit::mail_link(&server, "ada@example.com");
    let path = path_of(&server, &link);

    for _ in 0..10 {
        let page = api.get_with(path, &[]);
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("Annehmen") && page.body.contains("Ablehnen"),
            "{}",
            page.body
        );
        assert_eq!(page.headers["referrer-policy"], "no-referrer");
        assert_eq!(page.headers["cache-control"], "no-store");
        assert_eq!(api.request("HEAD", path, &[]).status, 200);
    }
    assert_eq!(
        api.pending_emails(),
        ["ada@example.com"],
        "still pending after 10 GETs and HEADs"
    );
    let page = api.get_with(path, &[]).body;
    assert!(page.contains("ada@example.com") && page.contains("lang=\"de\""));
    assert!(!page.contains("<script"), "no script on the page");

    let form = form_token(&page);
    let accepted = answer(&api, &server, path, "accept", &form);
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert!(accepted.body.contains("angenommen"), "{}", accepted.body);
    assert!(
        api.pending_emails().is_empty(),
        "it leaves the pending list"
    );
    let again = answer(&api, &server, path, "accept", &form);
    assert_eq!(again.status, 409);
    assert!(again.body.contains("bereits angenommen"), "{}", again.body);
    assert!(api.get_with(path, &[]).body.contains("bereits angenommen"));
    assert!(
        !server
            .log()
            .contains(path.trim_start_matches("/invitation/")),
        "the token is never logged"
    );
    let read = api.get(&format!("{LIST_PATH}{id}"));
    assert_eq!(
        read.status, 200,
        "an accepted invitation stays readable by id"
    );
    assert!(
        read.json()["result"]["accepted_at"].is_string(),
        "{}",
        read.body
    );

    // The trail tells the invitation's story, newest first: accepted once, by the person
    // invited; the mail written; the mail queued with the invitation.
    let trail = api.get("/api/console/audit").json();
    let told: Vec<(&str, &str)> = trail["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| {
            (
                record["action"].as_str().unwrap(),
                record["actor"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        told,
        [
            ("accepted", "ada@example.com"),
            ("mail_written", "delivery"),
            ("mail_queued", "owner"),
            ("create", "owner"),
        ],
        "{trail}"
    );
    assert_eq!(trail["results"][0]["invitation_id"], id.as_str());
    let filtered = api.get("/api/console/audit?action=accepted").json();
    assert_eq!(filtered["results"].as_array().unwrap().len(), 1);
}

#[test]
fn declining_and_what_became_of_an_invitation_are_each_said_in_words() {
    let server = TestServer::start();
    let api = Api::new(&server);
    api.invite_in("no@example.com", Some("en"));
    let declining = testkit::mail_link(&server, "no@example.com");
    let path = path_of(&server, &declining).to_owned();
    let form = form_token(&api.get_with(&path, &[]).body);
    let declined = answer(&api, &server, &path, "decline", &form);
    assert!(declined.body.contains("You declined"), "{}", declined.body);
    assert!(api.get_with(&path, &[]).body.contains("already declined"));

    // Revoked: the old link says it was withdrawn, naming whom to ask.
    let revoked = api.invite_in("gone@example.com", Some("en"));
    let gone = testkit::mail_link(&server, "gone@example.com");
    api.post_raw(&format!("{LIST_PATH}{revoked}/invalidate"), "");
    let page = api.get_with(path_of(&server, &gone), &[]).body;
    assert!(
        page.contains("withdrawn") && page.contains("Local organization"),
        "{page}"
    );

    // Resent: the old link says a newer invitation replaced it; the new one works.
    let first = api.invite_in("twice@example.com", Some("fr"));
    let old = testkit::mail_link(&server, "twice@example.com");
    let resent = api.post_raw(&format!("{LIST_PATH}{first}/resend"), "");
    assert_eq!(resent.status, 200, "{}", resent.body);
    let started = Instant::now();
    let fresh = loop {
        let link = testkit::mail_link(&server, "twice@example.com");
        if link != old {
            break link;
        }
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(25));
    };
    assert!(
        api.get_with(path_of(&server, &old), &[])
            .body
            .contains("plus récente")
    );
    assert!(
        api.get_with(path_of(&server, &fresh), &[])
            .body
            .contains("Accepter")
    );
}

#[test]
fn an_answer_from_elsewhere_or_without_the_form_is_refused() {
    let server = TestServer::start();
    let api = Api::new(&server);
    api.invite_in("csrf@example.com", Some("en"));
    let link = testkit::mail_link(&server, "csrf@example.com");
    let path = path_of(&server, &link);
    let form = form_token(&api.get_with(path, &[]).body);
    let elsewhere = api.send(
        "POST",
        path,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", "https://evil.example"),
        ],
        &format!("answer=accept&form={form}"),
    );
    assert_eq!(elsewhere.status, 403);
    let without_form = answer(
        &api,
        &server,
        path,
        "accept",
        "00000000000000000000000000000000",
    );
    assert_eq!(without_form.status, 403);
    assert_eq!(
        api.pending_emails(),
        ["csrf@example.com"],
        "nothing was answered"
    );
}

#[test]
fn guessed_tokens_are_refused_then_limited() {
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec!["--auth-failure-limit".into(), "3".into()],
        ..Default::default()
    });
    let api = Api::new(&server);
    let statuses: Vec<u16> = (0..5)
        .map(|n| api.get_with(&format!("/invitation/{:064x}", n), &[]).status)
        .collect();
    assert_eq!(statuses, [404, 404, 404, 429, 429]);
    let page = api.get_with("/invitation/not-even-a-token", &[]);
    assert_eq!(page.status, 429);
    assert!(page.body.contains("Too many tries"), "{}", page.body);
    let _: Value = json!(null);
}

#[test]
fn an_expired_link_says_when_it_expired_and_whom_to_ask_and_accepts_nothing() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let id = api.invite_in("late@example.com", Some("en"));
    let link = testkit::mail_link(&server, "late@example.com");
    let path = path_of(&server, &link);
    let form = form_token(&api.get_with(path, &[]).body);
    server.expire_invitation(&id);

    let page = api.get_with(path, &[]);
    assert_eq!(page.status, 200, "a page, never an error page");
    assert!(
        page.body.contains("This invitation expired on")
            && page.body.contains("Local organization"),
        "says when, and whom to ask: {}",
        page.body
    );
    assert!(
        !page.body.contains("name=\"form\""),
        "nothing left to answer"
    );

    // The form fetched before it expired is refused, and nothing changes.
    let late = answer(&api, &server, path, "accept", &form);
    assert_eq!(late.status, 409);
    assert!(late.body.contains("expired"), "{}", late.body);
    let kept = api.get(&format!("{LIST_PATH}{id}")).json();
    assert_eq!(kept["result"]["accepted_at"], Value::Null, "{kept}");
}

#[test]
fn a_copied_link_replaces_the_mailed_one_and_withdraws_mail_still_waiting() {
    // One mail an hour: the first invitation's mail is written, the second's waits.
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec!["--max-mails-per-hour".into(), "1".into()],
        ..Default::default()
    });
    let api = Api::new(&server);
    let mailed_id = api.invite_in("spam@example.com", Some("en"));
    let mailed = testkit::mail_link(&server, "spam@example.com");
    let copy = |id: &str| api.post(&format!("{LIST_PATH}{id}/link"), &Value::Null);

    let copied = copy(&mailed_id);
    assert_eq!(copied.status, 200, "{}", copied.body);
    let result = copied.json()["result"].clone();
    let url = result["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{}/invitation/", server.base_url)),
        "{url}"
    );
    assert_eq!(result["mail_withdrawn"], false, "its mail had gone");
    assert_eq!(
        api.get_with(path_of(&server, &mailed), &[]).status,
        404,
        "the mailed link no longer works"
    );
    let path = path_of(&server, &url);
    let page = api.get_with(path, &[]).body;
    assert!(page.contains("spam@example.com"), "{page}");
    let accepted = answer(&api, &server, path, "accept", &form_token(&page));
    assert_eq!(
        accepted.status, 200,
        "the copied one does: {}",
        accepted.body
    );

    // Mail still waiting is withdrawn: sent later, it would end the link handed over.
    let waiting_id = api.invite_in("waiting@example.com", Some("en"));
    let waiting = copy(&waiting_id);
    assert_eq!(waiting.status, 200, "{}", waiting.body);
    assert_eq!(waiting.json()["result"]["mail_withdrawn"], true);
    let read = api.get(&format!("{LIST_PATH}{waiting_id}")).json();
    assert_eq!(read["result"]["delivery"], Value::Null, "{read}");

    // Each copy is on record, by whom; the link never is, nor in the log.
    let trail = api.get("/api/console/audit?action=link_copied");
    assert_eq!(trail.status, 200, "{}", trail.body);
    let records = trail.json()["results"].as_array().unwrap().clone();
    assert_eq!(records.len(), 2, "{}", trail.body);
    assert_eq!(records[0]["actor"], "owner");
    assert_eq!(records[0]["email"], "waiting@example.com");
    assert_eq!(records[0]["detail"], "The mail still waiting was withdrawn");
    for token in [&url, waiting.json()["result"]["url"].as_str().unwrap()] {
        let token = token.rsplit('/').next().unwrap();
        assert!(!trail.body.contains(token), "no link in the trail");
        assert!(!server.log().contains(token), "no link in the log");
    }
}

#[test]
fn a_link_is_copied_only_by_admins_and_only_for_an_open_unexpired_invitation() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let id = api.invite_in("open@example.com", Some("en"));
    let path = format!("{LIST_PATH}{id}/link");

    let viewer = server.new_token("reader", "viewer");
    let refused = api.send(
        "POST",
        &path,
        &[("Authorization", &format!("Bearer {viewer}"))],
        "",
    );
    assert_eq!(refused.status, 403, "{}", refused.body);

    let unknown = api.post(
        &format!("{LIST_PATH}orginv_nosuchinvitation/link"),
        &Value::Null,
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert!(unknown.body.contains("not found"), "{}", unknown.body);

    server.expire_invitation(&id);
    let expired = api.post(&path, &Value::Null);
    assert_eq!(expired.status, 409, "{}", expired.body);
    assert!(
        expired.body.contains("expired") && expired.body.contains("Resend it"),
        "says why and what to do instead: {}",
        expired.body
    );

    let revoked_id = api.invite_in("revoked@example.com", Some("en"));
    let revoked = api.post(&format!("{LIST_PATH}{revoked_id}/invalidate"), &Value::Null);
    assert_eq!(revoked.status, 200);
    let after = api.post(&format!("{LIST_PATH}{revoked_id}/link"), &Value::Null);
    assert_eq!(after.status, 404, "{}", after.body);
}

/// The attribute `name`'s value on the first element of `page` that has it.
fn attribute<'a>(page: &'a str, name: &str) -> &'a str {
    let start = page.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = start + page[start..].find('"').unwrap();
    &page[start..end]
}

#[test]
#[ignore = "needs Debian's python3-jwt: `cargo xtask test` installs it"]
fn accepting_sends_the_person_on_with_a_ticket_the_application_verifies() {
    const SECRET: &str = "a-secret-the-application-holds-0123456789";
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec![
            "--accept-redirect".into(),
            "https://app.example/join?from=invite".into(),
        ],
        envs: vec![("ORG_INVITATIONS_ACCEPT_SECRET".into(), SECRET.into())],
        ..Default::default()
    });
    let api = Api::new(&server);
    let id = api.invite_in("member@example.com", Some("fr"));
    let link = testkit::mail_link(&server, "member@example.com");
    let path = path_of(&server, &link);
    let form = form_token(&api.get_with(path, &[]).body);

    let accepted = answer(&api, &server, path, "accept", &form);
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert!(
        accepted.body.contains("Continuer vers Local organization"),
        "{}",
        accepted.body
    );
    assert_eq!(
        attribute(&accepted.body, "action"),
        "https://app.example/join?from=invite",
        "the form posts the ticket to the application"
    );
    let policy = accepted.headers["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        policy.contains("form-action 'self' https://app.example;"),
        "this page's form may post there, and only there: {policy}"
    );
    assert!(
        !accepted.headers.contains_key("location"),
        "the ticket is never in a URL"
    );
    let ticket = attribute(&accepted.body, "value");
    assert!(!server.log().contains(ticket), "the ticket is never logged");

    let claims = testkit::verify_ticket(ticket, SECRET, "https://app.example", &server.base_url)
        .expect("the application's JWT library verifies it");
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["email"], "member@example.com");
    assert_eq!(claims["organization_name"], "Local organization");
    assert!(
        claims["organization_id"]
            .as_str()
            .unwrap()
            .starts_with("org_"),
        "{claims}"
    );
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 300, "short-lived: five minutes");
    assert_eq!(claims["jti"].as_str().unwrap().len(), 32, "{claims}");

    // Any other secret, audience or issuer, or a changed ticket: refused.
    let wrong_secret = "another-secret-of-the-same-length-0123456";
    assert!(
        testkit::verify_ticket(
            ticket,
            wrong_secret,
            "https://app.example",
            &server.base_url
        )
        .is_err()
    );
    assert!(
        testkit::verify_ticket(ticket, SECRET, "https://evil.example", &server.base_url).is_err()
    );
    assert!(
        testkit::verify_ticket(
            ticket,
            SECRET,
            "https://app.example",
            "https://other.example"
        )
        .is_err()
    );
    let mut changed = ticket.to_owned();
    changed.insert(ticket.find('.').unwrap() + 3, 'x');
    assert!(
        testkit::verify_ticket(&changed, SECRET, "https://app.example", &server.base_url).is_err()
    );

    // Accepted once: the page after says so, and gives no second ticket.
    let again = api.get_with(path, &[]).body;
    assert!(!again.contains("name=\"ticket\""), "{again}");
}

#[test]
fn an_accept_redirect_without_its_secret_or_with_a_short_one_stops_the_start_saying_why() {
    let cases: [(Vec<&str>, Vec<(&str, &str)>, &str); 3] = [
        (
            vec!["--accept-redirect", "https://app.example/join"],
            vec![],
            "--accept-secret",
        ),
        (
            vec!["--accept-redirect", "https://app.example/join"],
            vec![("ORG_INVITATIONS_ACCEPT_SECRET", "short")],
            "at least 32",
        ),
        (
            vec!["--accept-redirect", "app.example/join"],
            vec![(
                "ORG_INVITATIONS_ACCEPT_SECRET",
                "a-secret-the-application-holds-0123456789",
            )],
            "no absolute URL",
        ),
    ];
    for (args, envs, said) in cases {
        let data = tempfile::tempdir().unwrap();
        let output = std::process::Command::new(testkit::server_binary())
            .args(["--port", "0", "--data-dir"])
            .arg(data.path())
            .args(&args)
            .env_remove("ORG_INVITATIONS_ACCEPT_SECRET")
            .envs(envs.iter().copied())
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?} started");
        let refused = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(refused.contains(said), "{args:?}: {refused}");
        assert!(
            !refused.contains("a-secret-the-application"),
            "the secret is never printed"
        );
    }
}
