//! Cross-origin access: only the origins the operator allows, and none by default.

use testkit::{Api, ServerOptions, TestServer};

use testkit::LIST_PATH as LIST;
const HOST: &str = "http://admin.example.test:8081";

fn preflight(api: &Api<'_>, origin: &str) -> testkit::Reply {
    api.request(
        "OPTIONS",
        LIST,
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
    )
}

#[test]
fn no_origin_is_allowed_by_default() {
    let server = TestServer::start();
    let api = Api::new(&server);
    assert!(
        preflight(&api, HOST)
            .headers
            .get("access-control-allow-origin")
            .is_none()
    );
    let bearer = format!("Bearer {}", server.token);
    let reply = api.get_with(LIST, &[("Origin", HOST), ("Authorization", &bearer)]);
    assert!(reply.headers.get("access-control-allow-origin").is_none());
}

#[test]
fn an_allowed_origin_may_call_with_a_token_and_others_may_not() {
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec!["--allow-origin".into(), HOST.into()],
        ..Default::default()
    });
    let api = Api::new(&server);
    let allowed = preflight(&api, HOST);
    assert!(allowed.status < 300, "{}", allowed.status);
    assert_eq!(allowed.headers["access-control-allow-origin"], HOST);
    assert!(
        allowed.headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );

    let bearer = format!("Bearer {}", server.token);
    let call = api.get_with(LIST, &[("Origin", HOST), ("Authorization", &bearer)]);
    assert_eq!(call.status, 200);
    assert_eq!(call.headers["access-control-allow-origin"], HOST);
    assert!(
        call.headers
            .get("access-control-allow-credentials")
            .is_none(),
        "cookies are never accepted cross-origin"
    );

    let stranger = preflight(&api, "https://evil.example.test");
    assert!(
        stranger
            .headers
            .get("access-control-allow-origin")
            .is_none()
    );
    let anonymous = api.get_with(LIST, &[("Origin", HOST)]);
    assert_eq!(anonymous.status, 401, "the token is still required");
}

#[test]
fn a_malformed_origin_is_refused_at_start() {
    let output = std::process::Command::new(testkit::server_binary())
        .args([
            "--port",
            "0",
            "--allow-origin",
            "https://admin.example.test/path",
            "--data-dir",
        ])
        .arg(tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid --allow-origin"));
}
