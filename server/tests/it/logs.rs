//! The request log: a line per request, and never the token, in either format.

use serde_json::Value;
use testkit::{Api, ServerOptions, TestServer};

/// Makes four requests (one with a query, one with the token as a cookie, the sign-in link,
/// a wrong bearer token) and returns the server with its log.
fn logged(format: &str) -> (TestServer, String) {
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec!["--log-format".into(), format.into()],
        ..Default::default()
    });
    let api = Api::new(&server);
    api.get("/api/v2/organization_invitations/?email=someone%40example.com");
    api.get_with(
        "/api/v2/userinfo/",
        &[("Cookie", &format!("cli_token={}", server.token))],
    );
    api.sign_in();
    api.get_with(
        "/api/v2/userinfo/",
        &[("Authorization", "Bearer sss_a_wrong_guess_of_a_token")],
    );
    let log = server.log();
    assert!(!log.contains(&server.token), "the token was logged:\n{log}");
    assert!(
        !log.contains("sss_a_wrong_guess"),
        "a presented token was logged:\n{log}"
    );
    assert!(
        !log.contains("someone%40example.com"),
        "a query was logged:\n{log}"
    );
    (server, log)
}

const EXPECTED: [(&str, &str, u16); 4] = [
    ("GET", "/api/v2/organization_invitations/", 200),
    ("GET", "/api/v2/userinfo/", 200),
    ("GET", "/", 303),
    ("GET", "/api/v2/userinfo/", 401),
];

#[test]
fn one_line_per_request_and_never_the_token() {
    let (_server, log) = logged("text");
    let requests: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("request"))
        .collect();
    assert_eq!(requests.len(), 4, "{log}");
    for (line, (method, path, status)) in requests.iter().zip(EXPECTED) {
        assert!(line.contains(&format!("method={method}")), "{line}");
        assert!(line.contains(&format!("path={path} ")), "{line}");
        assert!(line.contains(&format!("status={status}")), "{line}");
        assert!(line.contains("latency_ms="), "{line}");
    }
}

#[test]
fn in_json_one_object_per_request_and_never_the_token() {
    let (_server, log) = logged("json");
    let requests: Vec<Value> = log
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap_or_else(|err| panic!("{err}: {line}"))
        })
        .filter(|line| line["message"] == "request")
        .collect();
    assert_eq!(requests.len(), 4, "{log}");
    for (line, (method, path, status)) in requests.iter().zip(EXPECTED) {
        assert_eq!(line["method"], method, "{line}");
        assert_eq!(line["path"], path, "{line}");
        assert_eq!(line["status"], status, "{line}");
        assert!(
            line["latency_ms"].is_string() || line["latency_ms"].is_number(),
            "{line}"
        );
    }
    assert_eq!(
        requests[1]["actor"], "owner",
        "the cookie's caller is named"
    );
    assert!(requests[3]["actor"].is_null(), "a refused caller is nobody");
}
