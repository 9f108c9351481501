//! Who is calling and what they may do: the owner token, named tokens, sessions and an
//! authenticating proxy's header; roles enforced on every endpoint; and the audit trail of
//! every change and refused change. Over real HTTP against the real server.

use serde_json::{Value, json};
use testkit::{Api, LIST_PATH, ServerOptions, TestServer};

const BATCH: &str = "/api/v2/organization_invitations/batch_create";
const ME: &str = "/api/console/me";
const AUDIT: &str = "/api/console/audit";
const HEADER: &str = "X-Forwarded-Email";

const ROLES: &str = r#"
admin = ["alice@corp.example"]
inviter = ["*@platform.corp.example"]
viewer = ["*@corp.example"]
"#;

/// A server behind a login proxy on loopback with these roles.
fn behind_proxy(extra: &[&str]) -> (TestServer, tempfile::TempDir) {
    testkit::behind_proxy(HEADER, ROLES, extra)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// What each role may do, endpoint by endpoint, as status codes.
#[test]
fn each_role_may_do_what_it_allows_and_nothing_more() {
    let server = TestServer::start();
    let owner = Api::new(&server);
    let id_of = |address: &str| {
        owner.invite(&[address])[0]["data"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let api = Api::new(&server);
    for (role, expected) in [
        ("viewer", [200, 200, 200, 403, 403, 403, 403, 403]),
        ("inviter", [200, 200, 200, 200, 200, 403, 403, 403]),
        ("admin", [200, 200, 200, 200, 200, 200, 200, 200]),
    ] {
        let token = server.new_token(&format!("{role}-bot"), role);
        let auth = bearer(&token);
        let json = "application/json";
        let headers = [("Authorization", auth.as_str()), ("Content-Type", json)];
        let id = id_of(&format!("target-{role}@example.com"));
        let to_resend = id_of(&format!("resend-{role}@example.com"));
        let statuses = [
            api.send("GET", "/api/v2/userinfo/", &headers, "").status,
            api.send("GET", LIST_PATH, &headers, "").status,
            api.send("GET", &format!("{LIST_PATH}{id}"), &headers, "")
                .status,
            api.send(
                "POST",
                LIST_PATH,
                &headers,
                &json!({"email": format!("one-{role}@example.com")}).to_string(),
            )
            .status,
            api.send(
                "POST",
                BATCH,
                &headers,
                &json!([{"email": format!("two-{role}@example.com")}]).to_string(),
            )
            .status,
            api.send("POST", &format!("{LIST_PATH}{id}/invalidate"), &headers, "")
                .status,
            // A resend revokes the old invitation: the role that revokes.
            api.send(
                "POST",
                &format!("{LIST_PATH}{to_resend}/resend"),
                &headers,
                "",
            )
            .status,
            api.send("GET", AUDIT, &headers, "").status,
        ];
        assert_eq!(statuses, expected, "{role}");
        let me = api.send("GET", ME, &headers, "").json();
        assert_eq!(me["result"]["actor"], format!("token:{role}-bot"));
        assert_eq!(me["result"]["method"], "named_token");
        assert_eq!(me["result"]["role"], role);
        assert_eq!(
            me["result"]["resend"], true,
            "this server offers the resend"
        );
        assert_eq!(
            me["result"]["delivery"], true,
            "this server sends the mail and says how it fares"
        );
    }
    let refused = api.send(
        "POST",
        BATCH,
        &[(
            "Authorization",
            &bearer(&server.new_token("late", "viewer")),
        )],
        "[]",
    );
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.detail(),
        "This needs the inviter role; token:late has the viewer role"
    );
}

#[test]
fn named_tokens_are_listed_without_secrets_stored_hashed_and_revoked_at_once() {
    let server = TestServer::start();
    let token = server.new_token("ci-bot", "inviter");
    assert!(token.starts_with("sss_"), "{token}");
    let api = Api::new(&server);
    let auth = bearer(&token);
    assert_eq!(
        api.get_with(LIST_PATH, &[("Authorization", &auth)]).status,
        200
    );
    // The Anyscale CLI's way works too: the token as the cli_token cookie.
    let cookie = format!("cli_token={token}");
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &cookie)]).status, 200);

    let (listed, out, _) = server.tokens(&["list"]);
    assert!(listed);
    assert!(out.contains("ci-bot\tinviter\tcreated "), "{out}");
    assert!(!out.contains("last used never"), "it was used: {out}");
    assert!(!out.contains(&token));
    let stored = server.stored_bytes();
    assert!(
        !stored
            .windows(token.len())
            .any(|window| window == token.as_bytes()),
        "the token itself is stored"
    );

    let (again, _, error) = server.tokens(&["create", "ci-bot", "--role", "admin"]);
    assert!(!again && error.contains("exists already"), "{error}");
    let (revoked, _, _) = server.tokens(&["revoke", "ci-bot"]);
    assert!(revoked);
    assert_eq!(
        api.get_with(LIST_PATH, &[("Authorization", &auth)]).status,
        401
    );
    let (missing, _, error) = server.tokens(&["revoke", "ci-bot"]);
    assert!(!missing && error.contains("no token named"), "{error}");
}

#[test]
fn the_proxy_names_the_caller_and_the_roles_file_says_what_they_may_do() {
    let (server, _dir) = behind_proxy(&[]);
    let api = Api::new(&server);
    for (address, role) in [
        ("Alice@corp.example", json!("admin")),
        ("bob@platform.corp.example", json!("inviter")),
        ("carol@corp.example", json!("viewer")),
        ("mallory@elsewhere.example", Value::Null),
    ] {
        let me = api.get_with(ME, &[(HEADER, address)]);
        assert_eq!(me.status, 200, "{address}");
        assert_eq!(me.json()["result"]["role"], role, "{address}");
        assert_eq!(me.json()["result"]["method"], "proxy");
    }
    // One person is one actor however the proxy spells the address.
    assert_eq!(
        api.get_with(ME, &[(HEADER, "Alice@corp.example")]).json()["result"]["actor"],
        "alice@corp.example"
    );
    let nobody = api.get_with(LIST_PATH, &[(HEADER, "mallory@elsewhere.example")]);
    assert_eq!(nobody.status, 403);
    assert!(
        nobody.detail().contains("needs the viewer role"),
        "{}",
        nobody.body
    );
    // A browser's credential: a change through the proxy must come from the console's pages.
    let forged = api.send(
        "POST",
        BATCH,
        &[
            (HEADER, "alice@corp.example"),
            ("Origin", "https://evil.example"),
            ("Content-Type", "application/json"),
        ],
        &json!([{"email": "forged@example.com"}]).to_string(),
    );
    assert_eq!(forged.status, 403);
    assert!(forged.detail().contains("Cross-site"));
    let own = server.base_url.clone();
    let made = api.send(
        "POST",
        BATCH,
        &[
            (HEADER, "bob@platform.corp.example"),
            ("Origin", &own),
            ("Content-Type", "application/json"),
        ],
        &json!([{"email": "new.hire@example.com"}]).to_string(),
    );
    assert_eq!(made.status, 200, "{}", made.body);
    // The proxy's header and a token together are two credentials.
    let both = api.get_with(
        LIST_PATH,
        &[
            (HEADER, "alice@corp.example"),
            ("Authorization", &bearer(&server.token)),
        ],
    );
    assert_eq!(both.status, 400);
}

#[test]
fn the_proxy_header_from_an_untrusted_address_is_refused_not_ignored() {
    // Only 192.0.2.1 (no address of this machine) is the proxy: loopback callers are not.
    let (server, _dir) = behind_proxy(&["--trusted-proxy", "192.0.2.1"]);
    let api = Api::new(&server);
    let spoofed = api.get_with(LIST_PATH, &[(HEADER, "alice@corp.example")]);
    assert_eq!(spoofed.status, 401);
    assert!(
        spoofed.detail().contains("only from the trusted proxy"),
        "{}",
        spoofed.body
    );
    // Even with a good token beside it: the header is never quietly dropped.
    let with_token = api.get_with(
        LIST_PATH,
        &[
            (HEADER, "alice@corp.example"),
            ("Authorization", &bearer(&server.token)),
        ],
    );
    assert_eq!(with_token.status, 401);
    assert_eq!(
        api.get(LIST_PATH).status,
        200,
        "the token alone still works"
    );
}

#[test]
fn a_proxy_without_roles_or_a_broken_roles_file_stops_the_server_at_start() {
    let binary = testkit::server_binary();
    let dir = tempfile::tempdir().unwrap();
    let start = |args: &[&str]| {
        std::process::Command::new(&binary)
            .args(["--port", "0", "--data-dir"])
            .arg(dir.path().join("data"))
            .args(args)
            .output()
            .unwrap()
    };
    let without_roles = start(&["--auth-proxy-header", HEADER]);
    assert!(!without_roles.status.success());
    // Declared to go together, so the options themselves are refused, before anything starts.
    let said = String::from_utf8_lossy(&without_roles.stderr);
    assert!(
        said.contains("required arguments were not provided") && said.contains("--roles"),
        "{said}"
    );
    let roles = dir.path().join("roles.toml");
    std::fs::write(
        &roles,
        "admin = [\"alice@corp.example\"]\nboss = [\"bob@corp.example\"]\n",
    )
    .unwrap();
    let broken = start(&[
        "--auth-proxy-header",
        HEADER,
        "--roles",
        roles.to_str().unwrap(),
    ]);
    assert!(!broken.status.success());
    let said = String::from_utf8_lossy(&broken.stderr);
    assert!(
        said.contains("line 2") && said.contains("unknown role \"boss\""),
        "{said}"
    );
}

fn audit(api: &Api, query: &str) -> Vec<Value> {
    let reply = api.get(&format!("{AUDIT}?{query}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["results"].as_array().unwrap().clone()
}

#[test]
fn every_change_and_refusal_is_on_record_with_who_how_and_the_request() {
    let (server, _dir) = behind_proxy(&[]);
    let api = Api::new(&server);
    let own = server.base_url.clone();
    let as_person = |address: &str, method: &str, path: &str, body: &str| {
        api.send(
            method,
            path,
            &[
                (HEADER, address),
                ("Origin", &own),
                ("Content-Type", "application/json"),
            ],
            body,
        )
    };
    let made = as_person(
        "bob@platform.corp.example",
        "POST",
        BATCH,
        &json!([{"email": "a@example.com"}, {"email": "nope"}, {"email": "a@example.com"}])
            .to_string(),
    );
    assert_eq!(made.status, 200);
    let request_id = made.headers["x-request-id"].to_str().unwrap().to_owned();
    let id = made.json()["results"][0]["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Its mail written before it is revoked, so the trail's story is one order every run.
    let started = std::time::Instant::now();
    while api.get(&format!("{LIST_PATH}{id}")).json()["result"]["delivery"]["state"] != "written" {
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let denied = as_person(
        "bob@platform.corp.example",
        "POST",
        &format!("{LIST_PATH}{id}/invalidate"),
        "",
    );
    assert_eq!(denied.status, 403);
    let revoked = as_person(
        "alice@corp.example",
        "POST",
        &format!("{LIST_PATH}{id}/invalidate"),
        "",
    );
    assert_eq!(revoked.status, 200);
    let missing = as_person(
        "alice@corp.example",
        "POST",
        &format!("{LIST_PATH}orginv_gone/invalidate"),
        "",
    );
    assert_eq!(missing.status, 404);

    // What the requests did (their mail's records are below).
    let records: Vec<Value> = audit(&api, "")
        .into_iter()
        .filter(|record| !record["action"].as_str().unwrap().starts_with("mail_"))
        .collect();
    let summary: Vec<(String, String, Option<u64>, Option<String>)> = records
        .iter()
        .map(|record| {
            (
                record["actor"].as_str().unwrap().to_owned(),
                record["action"].as_str().unwrap().to_owned(),
                record["status"].as_u64(),
                record["email"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let alice = "alice@corp.example".to_owned();
    let bob = "bob@platform.corp.example".to_owned();
    assert_eq!(
        summary,
        [
            (alice.clone(), "invalidate".into(), Some(404), None),
            (
                alice,
                "invalidate".into(),
                Some(200),
                Some("a@example.com".into())
            ),
            (bob.clone(), "denied".into(), Some(403), None),
            (
                bob.clone(),
                "create".into(),
                Some(200),
                Some("a@example.com".into())
            ),
            (
                bob.clone(),
                "create".into(),
                Some(409),
                Some("a@example.com".into())
            ),
            (bob, "create".into(), Some(422), Some("nope".into())),
        ],
        "newest first"
    );
    let created = &records[3];
    assert_eq!(created["invitation_id"], id.as_str());
    assert_eq!(created["method"], "proxy");
    assert_eq!(created["request_id"], request_id.as_str());
    assert_eq!(created["client"], "127.0.0.1");
    assert_eq!(records[2]["invitation_id"], id.as_str());
    assert!(
        records[2]["detail"]
            .as_str()
            .unwrap()
            .contains("needs the admin role")
    );

    // The mail: queued by bob's request, in its transaction; written by the delivery worker.
    let mail: Vec<(String, String)> = audit(&api, "email=a%40example.com")
        .iter()
        .filter(|record| record["action"].as_str().unwrap().starts_with("mail_"))
        .map(|record| {
            (
                record["action"].as_str().unwrap().to_owned(),
                record["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        mail,
        [
            ("mail_written".to_owned(), "delivery".to_owned()),
            (
                "mail_queued".to_owned(),
                "bob@platform.corp.example".to_owned()
            ),
        ]
    );

    // Filters and paging, as the invitation list pages.
    assert_eq!(audit(&api, "actor=bob%40platform.corp.example").len(), 5);
    assert_eq!(audit(&api, "action=denied").len(), 1);
    assert_eq!(audit(&api, "email=A%40EXAMPLE.COM").len(), 5);
    // A form's blank boxes filter nothing.
    assert_eq!(
        audit(&api, "email=&actor=&action=&since=&until=&paging_token=").len(),
        8
    );
    let first = api.get(&format!("{AUDIT}?count=5")).json();
    assert_eq!(first["metadata"]["total"], 8);
    let token = first["metadata"]["next_paging_token"].as_str().unwrap();
    let rest = api
        .get(&format!("{AUDIT}?count=5&paging_token={token}"))
        .json();
    assert_eq!(rest["results"].as_array().unwrap().len(), 3);
    assert!(rest["metadata"]["next_paging_token"].is_null());
    // Only a token this listing wrote: not one with a sign, not the invitation list's.
    let signed = token.replacen("a1.", "a1.+", 1);
    for foreign in [signed.as_str(), "p1.4", "a1.-1"] {
        let refused = api.get(&format!(
            "{AUDIT}?count=5&paging_token={}",
            foreign.replace('+', "%2B")
        ));
        assert_eq!(refused.status, 400, "{foreign}: {}", refused.body);
    }
    assert_eq!(api.get(&format!("{AUDIT}?since=yesterday")).status, 422);
    assert_eq!(api.get(&format!("{AUDIT}?action=deleted")).status, 422);

    let csv = api.get_with(
        AUDIT,
        &[
            ("Authorization", &bearer(&server.token)),
            ("Accept", "text/csv"),
        ],
    );
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "at,actor,method,action,email,invitation_id,status,detail,request_id,client,replaces"
    );
    assert_eq!(lines.len(), 9, "a header and every record");
    assert!(
        lines[1].contains(",alice@corp.example,proxy,invalidate,,orginv_gone,404,"),
        "{}",
        lines[1]
    );
    // Reading the trail is for admins: an inviter is refused.
    assert_eq!(
        as_person("bob@platform.corp.example", "GET", AUDIT, "").status,
        403
    );
}

#[test]
fn the_gateway_records_before_forwarding_and_completes_with_the_answer() {
    let upstream = TestServer::start();
    let gateway = TestServer::gateway_to(&upstream, ServerOptions::default());
    let through = Api::new(&gateway);
    let made = through.invite(&["via.gateway@example.com", "bad"]);
    let id = made[0]["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        through
            .post_raw(&format!("{LIST_PATH}{id}/invalidate"), "")
            .status,
        200
    );
    let records = audit(&through, "");
    let outcomes: Vec<(&str, Option<u64>, Option<&str>)> = records
        .iter()
        .map(|record| {
            (
                record["action"].as_str().unwrap(),
                record["status"].as_u64(),
                record["email"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("invalidate", Some(200), Some("via.gateway@example.com")),
            ("create", Some(422), Some("bad")),
            ("create", Some(200), Some("via.gateway@example.com")),
        ]
    );
    assert_eq!(records[2]["invitation_id"], id.as_str());
    assert_eq!(records[2]["actor"], "owner");

    // The upstream goes away between the record and the answer: the change may or may not
    // have been made, and the record says exactly that.
    drop(upstream);
    let lost = through.post(BATCH, &json!([{"email": "lost@example.com"}]));
    assert_eq!(lost.status, 502);
    let newest = &audit(&through, "")[0];
    assert_eq!(newest["email"], "lost@example.com");
    assert!(newest["status"].is_null(), "{newest}");
    assert!(
        newest["detail"]
            .as_str()
            .unwrap()
            .contains("Outcome unknown"),
        "{newest}"
    );
}
