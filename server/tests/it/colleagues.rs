//! What a hostile colleague or a careless proxy tries against the team set-up (login proxy,
//! roles, named tokens, sessions), over real HTTP against the real server. Each test here
//! failed before the server was hardened against it; the threat model in SECURITY.md names
//! them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::json;
use testkit::{Api, LIST_PATH, Reply, ServerOptions, TestServer, raw_http, raw_status};

const BATCH: &str = "/api/v2/organization_invitations/batch_create";
const AUDIT: &str = "/api/console/audit";
const HEADER: &str = "X-Forwarded-Email";
const WRONG: &str = "sss_wrong_token_0123456789abcdef0123";

const ROLES: &str = r#"
admin = ["alice@corp.example"]
inviter = ["*@corp.example"]
"#;

/// A server behind a login proxy on loopback with these roles.
fn behind_proxy(extra: &[&str]) -> (TestServer, tempfile::TempDir) {
    testkit::behind_proxy(HEADER, ROLES, extra)
}

fn started_with(args: &[&str]) -> TestServer {
    TestServer::start_with(ServerOptions {
        extra_args: args.iter().map(|arg| (*arg).to_owned()).collect(),
        ..Default::default()
    })
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn invite_as(api: &Api, headers: &[(&str, &str)], email: &str) -> Reply {
    let mut headers = headers.to_vec();
    headers.push(("Content-Type", "application/json"));
    api.send(
        "POST",
        BATCH,
        &headers,
        &json!([{ "email": email }]).to_string(),
    )
}

/// 1. The sign-in link is a way to present the token: wrong ones count toward the failure
/// limit there too, and from an address that is refused, the right token does not sign in.
#[test]
fn guessing_through_the_sign_in_link_is_limited_like_every_other_way() {
    let server = started_with(&["--auth-failure-limit", "3"]);
    let api = Api::new(&server);
    let mut statuses = Vec::new();
    for path in ["/?token=", "/index.html?token=", "/?token="] {
        statuses.push(api.get_with(&format!("{path}{WRONG}"), &[]).status);
    }
    assert_eq!(statuses, [401, 401, 401]);
    let refused = api.get_with(&format!("/?token={WRONG}"), &[]);
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(refused.headers.contains_key("retry-after"));
    let path = server.sign_in_url.strip_prefix(&server.base_url).unwrap();
    let right = api.get_with(path, &[]);
    assert_eq!(right.status, 429, "the right token from a refused address");
    assert!(!right.headers.contains_key("set-cookie"));
}

/// 2. Limits are keyed on who is asking: behind the proxy everyone shares its address, so one
/// person's writes or one client's wrong tokens must not cost anybody else their next request.
#[test]
fn behind_the_proxy_one_callers_limits_never_stop_another() {
    let (server, _dir) = behind_proxy(&["--write-limit", "5", "--auth-failure-limit", "5"]);
    let api = Api::new(&server);
    let alice = [(HEADER, "alice@corp.example")];
    for n in 0..5 {
        let reply = invite_as(&api, &alice, &format!("a{n}@example.com"));
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    assert_eq!(
        invite_as(&api, &alice, "a5@example.com").status,
        429,
        "alice is over her own limit"
    );
    let bob = [(HEADER, "bob@corp.example")];
    assert_eq!(invite_as(&api, &bob, "b@example.com").status, 200, "bob");
    let owner = bearer(&server.token);
    assert_eq!(
        invite_as(&api, &[("Authorization", &owner)], "o@example.com").status,
        200,
        "the owner token"
    );

    // A client behind the proxy guesses tokens: the proxy names it in X-Forwarded-For.
    let wrong = bearer(WRONG);
    let guesser = [
        ("Authorization", wrong.as_str()),
        ("X-Forwarded-For", "203.0.113.7"),
    ];
    let statuses: Vec<u16> = (0..6)
        .map(|_| api.get_with(LIST_PATH, &guesser).status)
        .collect();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
    let colleague = [
        (HEADER, "carol@corp.example"),
        ("X-Forwarded-For", "203.0.113.8"),
    ];
    assert_eq!(api.get_with(LIST_PATH, &colleague).status, 200, "carol");
    assert_eq!(api.get_with(LIST_PATH, &alice).status, 200, "alice reads");
    let owner_elsewhere = [
        ("Authorization", owner.as_str()),
        ("X-Forwarded-For", "198.51.100.2"),
    ];
    assert_eq!(api.get_with(LIST_PATH, &owner_elsewhere).status, 200);
    // The guesser stays refused, right token or not; a spoofed earlier hop changes nothing.
    let spoofed = [
        ("Authorization", owner.as_str()),
        ("X-Forwarded-For", "10.9.9.9, 203.0.113.7"),
    ];
    assert_eq!(api.get_with(LIST_PATH, &spoofed).status, 429);
}

/// 3. A proxy that appends its header instead of replacing the client's leaves two values:
/// neither may win.
#[test]
fn a_repeated_or_combined_identity_header_is_refused() {
    let (server, _dir) = behind_proxy(&[]);
    let api = Api::new(&server);
    let repeated = format!(
        "GET {LIST_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         {HEADER}: alice@corp.example\r\n{HEADER}: mallory@corp.example\r\n\r\n"
    );
    let answer = raw_http(&server, repeated.as_bytes(), Duration::from_secs(10));
    assert_eq!(raw_status(&answer), 400, "{answer}");
    assert!(answer.contains("once"), "{answer}");
    let combined = [(HEADER, "alice@corp.example, mallory@corp.example")];
    let reply = api.get_with(LIST_PATH, &combined);
    assert_eq!(reply.status, 400, "{}", reply.body);
    let me = api.get_with("/api/console/me", &[(HEADER, "mallory@corp.example")]);
    assert_eq!(
        me.json()["result"]["role"],
        "inviter",
        "one value still works"
    );
}

/// 4. Changing the owner token (after a leak) ends the sessions it made; an admin can end
/// every session at once, from the command line or the API.
#[test]
fn sessions_end_with_the_token_that_made_them_and_on_demand() {
    let data = tempfile::tempdir().unwrap();
    let start = |token: &str| {
        TestServer::start_with(ServerOptions {
            data_dir: Some(data.path().join("data")),
            extra_args: vec!["--token".into(), token.into()],
            ..Default::default()
        })
    };
    let first = start("sss_first_owner_token_0123456789abc");
    let api = Api::new(&first);
    let cookie = api.sign_in();
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &cookie)]).status, 200);
    first.kill_hard();

    let second = start("sss_second_owner_token_0123456789ab");
    let api = Api::new(&second);
    assert_eq!(
        api.get_with(LIST_PATH, &[("Cookie", &cookie)]).status,
        401,
        "the old token's session ended with it"
    );

    let one = api.sign_in();
    let two = api.sign_in();
    let (ended, said, error) = {
        let output = std::process::Command::new(testkit::server_binary())
            .args(["sessions", "revoke", "--all", "--data-dir"])
            .arg(&second.data_dir)
            .args(
                second
                    .database_url
                    .iter()
                    .flat_map(|url| ["--database-url", url]),
            )
            .args(testkit::postgres::ca_args())
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    assert!(ended, "{error}");
    // The two made now, and the first token's, which no longer opened anything.
    assert!(said.contains("3 sessions ended"), "{said}");
    for cookie in [&one, &two] {
        assert_eq!(api.get_with(LIST_PATH, &[("Cookie", cookie)]).status, 401);
    }

    // From the API, as an admin: every session but none of the tokens.
    let three = api.sign_in();
    let owner = bearer(&second.token);
    let reply = api.send(
        "POST",
        "/api/console/sessions/revoke-all",
        &[("Authorization", &owner)],
        "",
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["ended"], 1);
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &three)]).status, 401);
    assert_eq!(
        api.get_with(LIST_PATH, &[("Authorization", &owner)]).status,
        200
    );
    let viewer = second.new_token("viewer-bot", "viewer");
    let refused = api.send(
        "POST",
        "/api/console/sessions/revoke-all",
        &[("Authorization", &bearer(&viewer))],
        "",
    );
    assert_eq!(refused.status, 403);
}

/// Writes the head of a request that promises a body, and a little of it, then waits for an
/// answer without sending the rest.
fn half_sent(server: &TestServer, headers: &str) -> (u16, Duration) {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let started = Instant::now();
    write!(
        stream,
        "POST {BATCH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: 400000\r\n{headers}\r\n[{{\"email\":"
    )
    .unwrap();
    let mut answer = [0u8; 512];
    let read = stream.read(&mut answer).unwrap_or(0);
    (
        raw_status(&String::from_utf8_lossy(&answer[..read])),
        started.elapsed(),
    )
}

/// 5. A stranger's body is not waited for: a wrong token is answered from the headers, and an
/// address already refused is refused at once, not after the body deadline.
#[test]
fn strangers_are_answered_from_their_headers_before_any_body() {
    let server = started_with(&["--auth-failure-limit", "2", "--body-timeout", "15"]);
    let wrong = format!("Authorization: Bearer {WRONG}\r\n");
    let (status, took) = half_sent(&server, &wrong);
    assert_eq!(status, 401);
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    half_sent(&server, &wrong);
    let (status, took) = half_sent(&server, &wrong);
    assert_eq!(status, 429, "the address is refused now");
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
}

/// 5. One client holding many idle connections does not stall everybody else.
#[test]
fn one_client_cannot_hold_every_connection() {
    let server = started_with(&[
        "--max-connections",
        "64",
        "--max-connections-per-client",
        "8",
    ]);
    let api = Api::new(&server);
    // Loopback is a whole /8: the hog comes from 127.0.0.2, everyone else from 127.0.0.1.
    let hog: Vec<TcpStream> = (0..64)
        .filter_map(|_| {
            let socket =
                socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).ok()?;
            socket
                .bind(
                    &"127.0.0.2:0"
                        .parse::<std::net::SocketAddr>()
                        .unwrap()
                        .into(),
                )
                .ok()?;
            let to: std::net::SocketAddr = ([127, 0, 0, 1], server.port()).into();
            socket.connect(&to.into()).ok()?;
            Some(socket.into())
        })
        .collect();
    assert_eq!(hog.len(), 64, "the hog's connections were made");
    let started = Instant::now();
    let reply = api.get(LIST_PATH);
    assert_eq!(reply.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "another client waited {:?}",
        started.elapsed()
    );
    drop(hog);
}

/// 6. What one refused batch puts on the trail is bounded: long text is cut and marked, and
/// past the first few refusals a batch's refusals are one record with a count.
#[test]
fn a_refused_batch_costs_the_trail_a_bounded_amount() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let long = format!("{}@", "x".repeat(300));
    let batch: Vec<_> = (0..1000)
        .map(|n| json!({ "email": format!("{long}{n}") }))
        .collect();
    let reply = api.post(BATCH, &json!(batch));
    assert_eq!(reply.status, 200);
    let records = api.get(&format!("{AUDIT}?count=1000")).json()["results"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        records.len() <= 11,
        "{} records for one batch",
        records.len()
    );
    let summary = records
        .iter()
        .find(|record| {
            record["detail"]
                .as_str()
                .is_some_and(|detail| detail.contains("990 more"))
        })
        .expect("a summary of the rest, with its count");
    assert_eq!(summary["status"], 422);
    for record in &records {
        let email = record["email"].as_str().unwrap_or_default();
        assert!(email.chars().count() <= 300, "{email}");
        let detail = record["detail"].as_str().unwrap_or_default();
        assert!(detail.chars().count() <= 600, "{detail}");
    }
    assert!(
        records.iter().any(|record| record["email"]
            .as_str()
            .is_some_and(|email| email.contains("[truncated"))),
        "a cut text says so"
    );
}

/// One person is one actor, however the proxy spells the address: one limit, one filter.
#[test]
fn a_person_is_one_actor_whatever_the_case_of_their_address() {
    let (server, _dir) = behind_proxy(&["--write-limit", "2"]);
    let api = Api::new(&server);
    for (n, spelled) in ["ALICE@CORP.EXAMPLE", "alice@corp.example"]
        .iter()
        .enumerate()
    {
        let reply = invite_as(&api, &[(HEADER, spelled)], &format!("c{n}@example.com"));
        assert_eq!(reply.status, 200, "{spelled}: {}", reply.body);
    }
    assert_eq!(
        invite_as(&api, &[(HEADER, "Alice@Corp.Example")], "c2@example.com").status,
        429,
        "one limit for all three spellings"
    );
    let found = api
        .get(&format!("{AUDIT}?actor=Alice%40CORP.example&action=create"))
        .json()["results"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(found, 2, "the filter finds every spelling");
}
