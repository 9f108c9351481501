//! Webhook endpoints over HTTP: admins add them (the secret shown in that answer only),
//! list and delete them; every URL the server may not post to is refused before anything
//! connects, saying why; other roles are refused; a secret is never listed, logged or put in
//! the audit trail. Each server resolves names through its own hosts file alone (an
//! endpoint's name is looked up when it is added), so no lookup leaves the machine.

use serde_json::{Value, json};
use testkit::{Api, ServerOptions, TestServer};

const WEBHOOKS: &str = "/api/console/webhooks";

/// A server with `extra_args` whose names resolve through an empty hosts file.
fn sandboxed(extra_args: &[&str]) -> TestServer {
    TestServer::start_with(ServerOptions {
        extra_args: extra_args.iter().map(|arg| (*arg).to_owned()).collect(),
        hosts: Some(Vec::new()),
        ..Default::default()
    })
}

#[test]
#[ignore = "needs bubblewrap: `cargo xtask test` installs it"]
fn an_admin_adds_lists_and_deletes_an_endpoint_and_its_secret_is_shown_once() {
    let server = sandboxed(&[]);
    let api = Api::new(&server);
    let added = api.post(
        WEBHOOKS,
        &json!({"url": "https://hooks.example.com/invitations?token=theirs",
                "events": ["invitation.accepted", "invitation.created"]}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let result = added.json()["result"].clone();
    let secret = result["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert!(
        secret.len() >= "whsec_".len() + 32,
        "24 random bytes or more: {secret}"
    );
    let id = result["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("wh_"), "{id}");
    assert_eq!(
        result["events"],
        json!(["invitation.created", "invitation.accepted"]),
        "known events, in the documented order"
    );

    let listed = api.get(WEBHOOKS);
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.json()["results"][0]["id"], id.as_str());
    assert_eq!(
        listed.json()["results"][0]["url"],
        "https://hooks.example.com/invitations?token=theirs"
    );
    assert!(!listed.body.contains(&secret), "never listed");
    assert!(listed.json()["results"][0].get("secret").is_none());

    let all = api.post(WEBHOOKS, &json!({"url": "https://other.example.com/in"}));
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(
        all.json()["result"]["events"],
        json!([]),
        "no events named: every one"
    );

    let deleted = api.delete(&format!("{WEBHOOKS}/{id}"));
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.json()["result"]["id"], id.as_str());
    let again = api.delete(&format!("{WEBHOOKS}/{id}"));
    assert_eq!(again.status, 404, "{}", again.body);
    assert_eq!(
        api.get(WEBHOOKS).json()["results"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // On record, by whom, where (without the receiver's own query token); never the secret.
    let trail = api.get("/api/console/audit?count=50");
    let records = trail.json()["results"].clone();
    let actions: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["webhook_deleted", "webhook_created", "webhook_created"],
        "{}",
        trail.body
    );
    assert!(
        trail.body.contains("https://hooks.example.com/invitations"),
        "{}",
        trail.body
    );
    assert!(!trail.body.contains("token=theirs"), "{}", trail.body);
    assert!(!trail.body.contains(&secret), "no secret in the trail");
    assert!(!server.log().contains(&secret), "no secret in the log");
}

#[test]
#[ignore = "needs bubblewrap: `cargo xtask test` installs it"]
fn urls_the_server_may_not_post_to_are_refused_before_anything_connects() {
    let server = sandboxed(&[]);
    let api = Api::new(&server);
    let long = format!("https://hooks.example.com/{}", "a".repeat(10_000));
    for (url, said) in [
        ("not a url", "is no URL"),
        ("http://hooks.example.com/in", "plain http"),
        ("http://127.0.0.1:9/in", "loopback"),
        ("file:///etc/passwd", "names no host"),
        ("https://10.0.0.1/in", "a private address"),
        ("https://169.254.169.254/latest/meta-data/", "metadata"),
        ("https://[fd12:3456::1]/in", "unique local"),
        ("https://[::ffff:192.168.1.1]/in", "a private address"),
        ("https://localhost/in", "this machine"),
        (long.as_str(), "at most 2048"),
    ] {
        let refused = api.post(WEBHOOKS, &json!({"url": url}));
        assert_eq!(refused.status, 422, "{url}: {}", refused.body);
        assert!(refused.detail().contains(said), "{url}: {}", refused.body);
    }
    let unknown = api.post(
        WEBHOOKS,
        &json!({"url": "https://hooks.example.com/in", "events": ["invitation.eaten"]}),
    );
    assert_eq!(unknown.status, 422);
    assert!(
        unknown.detail().contains("invitation.accepted"),
        "lists the types: {}",
        unknown.body
    );
    assert!(
        api.get(WEBHOOKS).json()["results"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was kept"
    );
}

#[test]
#[ignore = "needs bubblewrap: `cargo xtask test` installs it"]
fn loopback_over_http_only_where_the_operator_allows_it() {
    let server = sandboxed(&["--webhook-allow-http-loopback"]);
    let api = Api::new(&server);
    let added = api.post(WEBHOOKS, &json!({"url": "http://127.0.0.1:9/in"}));
    assert_eq!(added.status, 200, "{}", added.body);
    let elsewhere = api.post(WEBHOOKS, &json!({"url": "http://hooks.example.com/in"}));
    assert_eq!(elsewhere.status, 422, "{}", elsewhere.body);
    assert!(
        elsewhere
            .detail()
            .contains("plain http goes only to loopback"),
        "{}",
        elsewhere.body
    );
}

#[test]
#[ignore = "needs bubblewrap: `cargo xtask test` installs it"]
fn viewers_and_inviters_may_not_see_or_change_endpoints() {
    let server = sandboxed(&[]);
    let api = Api::new(&server);
    let kept = api.post(WEBHOOKS, &json!({"url": "https://hooks.example.com/kept"}));
    let id = kept.json()["result"]["id"].as_str().unwrap().to_owned();
    for role in ["viewer", "inviter"] {
        let token = server.new_token(&format!("a-{role}"), role);
        let bearer = format!("Bearer {token}");
        let headers = [("Authorization", bearer.as_str())];
        assert_eq!(api.get_with(WEBHOOKS, &headers).status, 403, "{role} lists");
        let added = api.send(
            "POST",
            WEBHOOKS,
            &[
                ("Authorization", bearer.as_str()),
                ("Content-Type", "application/json"),
            ],
            &json!({"url": "https://hooks.example.com/in"}).to_string(),
        );
        assert_eq!(added.status, 403, "{role} adds: {}", added.body);
        for (method, path) in [
            ("GET", format!("{WEBHOOKS}/{id}/deliveries")),
            ("POST", format!("{WEBHOOKS}/{id}/test")),
            ("POST", format!("{WEBHOOKS}/{id}/pause")),
            ("POST", format!("{WEBHOOKS}/{id}/resume")),
            ("POST", format!("{WEBHOOKS}/{id}/rotate")),
            (
                "POST",
                format!("{WEBHOOKS}/{id}/deliveries/whd_1/redeliver"),
            ),
            ("DELETE", format!("{WEBHOOKS}/{id}")),
        ] {
            let answer = api.request(method, &path, &headers);
            assert_eq!(
                answer.status, 403,
                "{role}: {method} {path}: {}",
                answer.body
            );
        }
    }
    let listed = api.get(WEBHOOKS).json()["results"].clone();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "only the admin's: {listed}"
    );
    assert!(listed[0]["paused_at"].is_null(), "not paused by them");
}

#[test]
#[ignore = "needs bubblewrap: `cargo xtask test` installs it"]
fn rotating_gives_a_new_secret_once_and_keeps_the_old_one_a_day() {
    let server = sandboxed(&[]);
    let api = Api::new(&server);
    let added = api.post(WEBHOOKS, &json!({"url": "https://hooks.example.com/in"}));
    let first = added.json()["result"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = added.json()["result"]["id"].as_str().unwrap().to_owned();

    let rotated = api.post(&format!("{WEBHOOKS}/{id}/rotate"), &Value::Null);
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let second = rotated.json()["result"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(second.starts_with("whsec_") && second != first, "{second}");
    let until = chrono::DateTime::parse_from_rfc3339(
        rotated.json()["result"]["previous_until"].as_str().unwrap(),
    )
    .unwrap();
    let overlap = until.signed_duration_since(chrono::Utc::now());
    assert!(
        overlap > chrono::TimeDelta::hours(23) && overlap <= chrono::TimeDelta::hours(24),
        "the old secret signs for a day more: {overlap}"
    );

    let listed = api.get(WEBHOOKS).body;
    let trail = api.get("/api/console/audit?action=webhook_rotated");
    assert_eq!(
        trail.json()["results"].as_array().unwrap().len(),
        1,
        "{}",
        trail.body
    );
    for secret in [&first, &second] {
        assert!(!listed.contains(secret.as_str()), "never listed");
        assert!(!trail.body.contains(secret.as_str()), "never in the trail");
        assert!(!server.log().contains(secret.as_str()), "never logged");
    }
    let unknown = api.post(
        &format!("{WEBHOOKS}/wh_nosuchendpoint/rotate"),
        &Value::Null,
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}
