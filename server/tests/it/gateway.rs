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
    // The upstream's mail moves on by itself between the two reads: the rest is the same.
    let without_delivery = |mut page: serde_json::Value| {
        for invitation in page["results"].as_array_mut().unwrap() {
            invitation.as_object_mut().unwrap().remove("delivery");
        }
        page
    };
    assert_eq!(
        without_delivery(listed.json()),
        without_delivery(Api::new(&upstream).get(&format!("{LIST}?count=10")).json())
    );
    assert_eq!(
        through.get("/api/v2/userinfo/").json()["result"]["organization_permission_level"],
        "owner"
    );
    // The atomic resend is the store's: the gateway tells its console to revoke, then create;
    // and the upstream sends its own mail, of which it says nothing.
    let me = through.get("/api/console/me").json();
    assert_eq!(me["result"]["resend"], false);
    assert_eq!(me["result"]["delivery"], false);

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

/// An upstream on loopback that reads each request whole and answers it with `answer`'s
/// bytes, then closes the connection: for answers no real server would send.
fn scripted_upstream(answer: &'static [u8]) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            // The head, then as much body as it declares.
            while let Ok(read) = stream.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..read]);
                let text = String::from_utf8_lossy(&request);
                if let Some(end) = text.find("\r\n\r\n") {
                    let declared = text[..end]
                        .lines()
                        .find_map(|line| {
                            let (name, value) = line.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length")
                                .then(|| value.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + declared {
                        break;
                    }
                }
            }
            let _ = stream.write_all(answer);
        }
    });
    origin
}

/// The gateway's audit records, newest first, as an admin reads them.
fn trail(gateway: &TestServer) -> Vec<serde_json::Value> {
    let page = Api::new(gateway).get("/api/console/audit?count=10");
    assert_eq!(page.status, 200, "{}", page.body);
    page.json()["results"].as_array().unwrap().clone()
}

#[test]
fn a_change_whose_answer_cannot_be_read_is_recorded_with_an_unknown_outcome() {
    for (what, answer) in [
        (
            "an answer over the size limit",
            &b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20000000\r\n\r\n[]"[..],
        ),
        (
            "a broken chunk",
            &b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n[{\"status\""[..],
        ),
    ] {
        let origin = scripted_upstream(answer);
        let gateway = TestServer::start_with(ServerOptions {
            extra_args: vec!["--upstream".into(), origin],
            envs: vec![(
                "ORG_INVITATIONS_UPSTREAM_TOKEN".into(),
                "sss_upstream_token_for_tests".into(),
            )],
            ..Default::default()
        });
        let reply = Api::new(&gateway).post(
            "/api/v2/organization_invitations/batch_create",
            &json!([{"email": "maybe@example.com"}]),
        );
        assert_eq!(reply.status, 502, "{what}: {}", reply.body);
        let records = trail(&gateway);
        assert_eq!(records.len(), 1, "{what}: {records:?}");
        assert_eq!(records[0]["email"], "maybe@example.com", "{what}");
        assert!(records[0]["status"].is_null(), "{what}: {records:?}");
        let detail = records[0]["detail"].as_str().unwrap_or_default();
        assert!(detail.starts_with("Outcome unknown"), "{what}: {records:?}");
    }
}
