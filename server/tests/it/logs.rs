//! The request log: a line per request, and never the token.

use testkit::{Api, TestServer};

#[test]
fn one_line_per_request_and_never_the_token() {
    let server = TestServer::start();
    let api = Api::new(&server);
    api.get("/api/v2/organization_invitations/?email=someone%40example.com");
    api.get_with(
        "/api/v2/userinfo/",
        &[("Cookie", &format!("cli_token={}", server.token))],
    );
    let sign_in_path = server
        .sign_in_url
        .strip_prefix(&server.base_url)
        .unwrap()
        .to_owned();
    api.get_with(&sign_in_path, &[]);
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
    let requests: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("request"))
        .collect();
    assert_eq!(requests.len(), 4, "{log}");
    for (line, (method, path, status)) in requests.iter().zip([
        ("GET", "/api/v2/organization_invitations/", 200),
        ("GET", "/api/v2/userinfo/", 200),
        ("GET", "/", 303),
        ("GET", "/api/v2/userinfo/", 401),
    ]) {
        assert!(line.contains(&format!("method={method}")), "{line}");
        assert!(line.contains(&format!("path={path} ")), "{line}");
        assert!(line.contains(&format!("status={status}")), "{line}");
        assert!(line.contains("latency_ms="), "{line}");
    }
}
