//! Gateway mode: a second server in front of a store-mode one, forwarding the API with the
//! upstream's token, which never reaches the client.

use serde_json::json;
use testkit::{Api, ServerOptions, TestServer};

use testkit::LIST_PATH as LIST;

#[test]
fn the_whole_api_works_through_the_gateway_and_its_token_stays_hidden() {
    let upstream = TestServer::start();
    let gateway = TestServer::gateway_to(&upstream, ServerOptions::default());
    assert_ne!(
        gateway.token, upstream.token,
        "browsers get the gateway's own token"
    );
    let through = Api::new(&gateway);

    let created = through.invite(&["via.gateway@example.com", "bad-address"]);
    assert_eq!(created[0]["status"], 200);
    assert_eq!(created[1]["status"], 422);
    assert_eq!(Api::new(&upstream).list_all("").len(), 1, "stored upstream");

    let listed = through.get(&format!("{LIST}?count=10"));
    assert_eq!(listed.status, 200);
    assert_eq!(
        listed.json(),
        Api::new(&upstream).get(&format!("{LIST}?count=10")).json()
    );
    assert_eq!(
        through.get("/api/v2/userinfo/").json()["result"]["organization_permission_level"],
        "owner"
    );
    // The atomic resend is the store's: the gateway tells its console to revoke, then create.
    assert_eq!(
        through.get("/api/console/me").json()["result"]["resend"],
        false
    );

    // Errors pass through as the upstream sent them.
    let duplicate = through.post(LIST, &json!({"email": "via.gateway@example.com"}));
    assert_eq!(duplicate.status, 409);
    assert_eq!(
        duplicate.detail(),
        "Invitation already exists for via.gateway@example.com"
    );
    let missing = through.post_raw(&format!("{LIST}orginv_nothere/invalidate"), "");
    assert_eq!(missing.status, 404);

    let id = created[0]["data"]["id"].as_str().unwrap();
    let revoked = through.post_raw(&format!("{LIST}{id}/invalidate"), "");
    assert_eq!(revoked.status, 200);
    assert!(Api::new(&upstream).list_all("").is_empty());

    for reply in [&listed, &duplicate, &revoked] {
        assert!(!reply.body.contains(&upstream.token));
        for (name, value) in &reply.headers {
            assert!(
                !value.to_str().unwrap_or_default().contains(&upstream.token),
                "{name} carries the upstream token"
            );
        }
        assert!(reply.headers.get("set-cookie").is_none());
    }
    assert!(
        !gateway.log().contains(&upstream.token),
        "the gateway logged the upstream token"
    );
}

#[test]
fn a_request_without_the_gateways_token_never_reaches_the_upstream() {
    let upstream = TestServer::start();
    let gateway = TestServer::gateway_to(&upstream, ServerOptions::default());
    let api = Api::new(&gateway);
    // Not even the upstream's own token opens the gateway.
    for headers in [
        vec![],
        vec![("Authorization", format!("Bearer {}", upstream.token))],
    ] {
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let reply = api.get_with(LIST, &headers);
        assert_eq!(reply.status, 401);
    }
    assert_eq!(
        upstream.log().matches("request").count(),
        0,
        "the upstream saw nothing:\n{}",
        upstream.log()
    );
}

#[test]
fn an_upstream_that_is_down_is_a_clear_502() {
    let upstream = TestServer::start();
    let gateway = TestServer::gateway_to(&upstream, ServerOptions::default());
    drop(upstream);
    let reply = Api::new(&gateway).get(LIST);
    assert_eq!(reply.status, 502);
    assert_eq!(reply.detail(), "The upstream invitation API is unreachable");
}

#[test]
fn gateway_mode_refuses_to_start_without_the_upstream_token_or_with_demo_data() {
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str], token: Option<&str>| {
        let mut command = std::process::Command::new(testkit::server_binary());
        command
            .args(["--port", "0", "--data-dir"])
            .arg(data.path())
            .args(args);
        command
            .env_remove("ORG_INVITATIONS_UPSTREAM_TOKEN")
            .env_remove("ORG_INVITATIONS_TOKEN");
        if let Some(token) = token {
            command.env("ORG_INVITATIONS_UPSTREAM_TOKEN", token);
        }
        let output = command.output().unwrap();
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    assert!(
        run(&["--upstream", "http://127.0.0.1:9"], None).contains("ORG_INVITATIONS_UPSTREAM_TOKEN")
    );
    assert!(
        run(
            &["--upstream", "http://127.0.0.1:9", "--demo"],
            Some("sss_upstreamupstreamupstream")
        )
        .contains("--demo")
    );
    assert!(
        run(
            &["--upstream", "ftp://example.com"],
            Some("sss_upstreamupstreamupstream")
        )
        .contains("http://")
    );
}
