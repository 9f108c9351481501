//! One invitation's life over HTTP: single create, get, invalidate, and what comes after.

use serde_json::{Value, json};
use testkit::{Api, TestServer};

use testkit::LIST_PATH as INVITATIONS;

#[test]
fn create_get_and_invalidate_one_invitation() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let created = api.post(INVITATIONS, &json!({"email": "  solo@example.com "}));
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.json()["result"]["id"].as_str().unwrap().to_owned();

    let fetched = api.get(&format!("{INVITATIONS}{id}"));
    assert_eq!(fetched.status, 200);
    let invitation = fetched.json()["result"].clone();
    assert_eq!(invitation["email"], "solo@example.com");

    let revoked = api.post_raw(&format!("{INVITATIONS}{id}/invalidate"), "");
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    // Its mail moves on by itself meanwhile (the worker starts at once): the rest is as it was.
    let without_delivery = |mut invitation: Value| {
        invitation.as_object_mut().unwrap().remove("delivery");
        invitation
    };
    assert_eq!(
        without_delivery(revoked.json()["result"].clone()),
        without_delivery(invitation),
        "the full object as it was"
    );

    // Gone from every listing and lookup, and a second revoke is a 404.
    assert!(api.list_all("include_expired=true").is_empty());
    assert_eq!(api.get(&format!("{INVITATIONS}{id}")).status, 404);
    let again = api.post_raw(&format!("{INVITATIONS}{id}/invalidate"), "");
    assert_eq!(again.status, 404);
    assert!(again.detail().contains(&id));

    // The address can be invited afresh.
    assert_eq!(api.invite(&["solo@example.com"])[0]["status"], 200);
}

#[test]
fn single_create_refuses_bad_and_duplicate_addresses() {
    let server = TestServer::start();
    let api = Api::new(&server);
    assert_eq!(
        api.post(INVITATIONS, &json!({"email": "dup@example.com"}))
            .status,
        200
    );
    let duplicate = api.post(INVITATIONS, &json!({"email": "DUP@example.com"}));
    assert_eq!(duplicate.status, 409);
    assert_eq!(
        duplicate.detail(),
        "Invitation already exists for DUP@example.com"
    );

    let cases: &[(Value, u16)] = &[
        (json!({"email": "nope"}), 422),
        (json!({"email": 42}), 422),
        (json!({}), 422),
        (json!([{"email": "a@x.com"}]), 422),
        (
            json!({"email": format!("{}@example.com", "a".repeat(250))}),
            422,
        ),
        (json!({"email": "owner@example.com"}), 409),
    ];
    for (body, status) in cases {
        let reply = api.post(INVITATIONS, body);
        assert_eq!(reply.status, *status, "{body}: {}", reply.body);
        assert!(!reply.detail().is_empty());
    }
    assert_eq!(api.list_all("").len(), 1);
}

#[test]
fn unknown_ids_are_404_with_the_error_body() {
    let server = TestServer::start();
    let api = Api::new(&server);
    for id in ["orginv_doesnotexist", "%2E%2E", "x'%20OR%201=1--"] {
        let reply = api.get(&format!("{INVITATIONS}{id}"));
        assert_eq!(reply.status, 404, "{id}");
        assert!(!reply.detail().is_empty());
        assert_eq!(
            api.post_raw(&format!("{INVITATIONS}{id}/invalidate"), "")
                .status,
            404,
            "{id}"
        );
    }
}

#[test]
fn over_long_addresses_fail_alone_in_a_batch() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let long = format!("{}@example.com", "a".repeat(243));
    assert_eq!(long.len(), 255);
    let results = api.invite(&[&long, "fine@example.com"]);
    assert_eq!(results[0]["status"], 422);
    assert_eq!(
        results[0]["error"]["detail"],
        "Email address is longer than 254 characters"
    );
    assert_eq!(results[1]["status"], 200);
}

#[test]
fn cli_telemetry_is_accepted_and_changes_nothing() {
    let server = TestServer::start();
    let api = Api::new(&server);
    for body in [
        r#"{"cli_version": "0.26.112", "cmd_name": "list"}"#,
        "not even json",
    ] {
        let reply = api.post_raw("/api/v2/cli_usage/", body);
        assert_eq!(reply.status, 200, "{body}");
    }
    assert!(api.list_all("include_expired=true").is_empty());
}

#[test]
fn a_body_sent_to_invalidate_is_ignored_and_the_connection_stays_usable() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let id = api.invite(&["body@example.com"])[0]["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = api.post_raw(
        &format!("{INVITATIONS}{id}/invalidate"),
        r#"{"reason": "left the team"}"#,
    );
    assert_eq!(revoked.status, 200);
    // The same pooled connection carries the next requests.
    for _ in 0..3 {
        assert_eq!(api.get(INVITATIONS).status, 200);
    }
    let huge = "x".repeat(600 * 1024);
    let refused = api.post_raw(&format!("{INVITATIONS}{id}/invalidate"), &huge);
    assert_eq!(refused.status, 413);
    assert_eq!(refused.detail(), "Request body is too large");
}
