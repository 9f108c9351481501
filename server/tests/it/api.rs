//! The API over real HTTP, against the real server binary and a real SQLite file.

use serde_json::{Value, json};
use testkit::{Api, ServerOptions, TestServer};

use testkit::LIST_PATH as LIST;
const BATCH: &str = "/api/v2/organization_invitations/batch_create";

#[test]
fn every_api_route_needs_the_token() {
    let server = TestServer::start();
    let api = Api::new(&server);
    for path in ["/api/v2/userinfo/", LIST, "/api/v2/nonexistent"] {
        let anonymous = api.get_with(path, &[]);
        assert_eq!(anonymous.status, 401, "{path}");
        assert_eq!(anonymous.detail(), "Missing or invalid API token");
        let wrong = api.get_with(
            path,
            &[("Authorization", "Bearer sss_wrongwrongwrongwrong")],
        );
        assert_eq!(wrong.status, 401, "{path}");
    }
    let cli_cookie = format!("cli_token={}", server.token);
    assert_eq!(api.get_with(LIST, &[("Cookie", &cli_cookie)]).status, 200);
    assert_eq!(api.get(LIST).status, 200);
}

#[test]
fn userinfo_has_every_field_the_cli_requires() {
    let server = TestServer::start();
    let reply = Api::new(&server).get("/api/v2/userinfo/");
    assert_eq!(reply.status, 200);
    let info = &reply.json()["result"];
    for field in [
        "id",
        "email",
        "name",
        "username",
        "verified",
        "organization_permission_level",
        "organization_ids",
        "organizations",
        "ld_hash",
        "ld_hash_fields",
        "pylon_hash",
    ] {
        assert!(!info[field].is_null(), "missing {field} in {info}");
    }
    assert_eq!(info["organization_permission_level"], "owner");
    assert_eq!(info["organizations"][0]["id"], info["organization_ids"][0]);
    assert_eq!(info["organizations"][0]["name"], "Local organization");
}

#[test]
fn the_organization_is_called_what_the_server_was_told() {
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec!["--organization-name".into(), "  Acme Platform  ".into()],
        ..Default::default()
    });
    let reply = Api::new(&server).get("/api/v2/userinfo/");
    assert_eq!(
        reply.json()["result"]["organizations"][0]["name"],
        "Acme Platform"
    );

    let refused = |name: &str| {
        let data = tempfile::tempdir().unwrap();
        let output = std::process::Command::new(testkit::server_binary())
            .args(["--port", "0", "--data-dir"])
            .arg(data.path())
            .args(["--organization-name", name])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{name:?} was accepted");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    assert!(refused(" ").contains("blank"));
    assert!(refused("Acme\nEvil").contains("control character"));
    assert!(refused(&"x".repeat(101)).contains("longer than 100"));
}

#[test]
fn batch_create_answers_each_address_in_order_and_lists_them() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let results = api.invite(&[
        "a@example.com",
        "not-an-address",
        " B@Example.com ",
        "a@example.com",
        "owner@example.com",
    ]);
    assert_eq!(results.len(), 5);
    assert_eq!(results[0]["status"], 200);
    assert!(
        results[0]["data"]["id"]
            .as_str()
            .unwrap()
            .starts_with("orginv_")
    );
    assert_eq!(results[0]["error"], Value::Null);
    assert_eq!(results[1]["status"], 422);
    assert_eq!(results[1]["data"], Value::Null);
    assert!(
        results[1]["error"]["detail"]
            .as_str()
            .unwrap()
            .contains("not-an-address")
    );
    assert_eq!(results[2]["status"], 200);
    assert_eq!(results[3]["status"], 409);
    assert_eq!(
        results[3]["error"]["detail"],
        "a@example.com appears more than once in this batch"
    );
    assert_eq!(results[4]["status"], 409);

    let again = api.invite(&["A@EXAMPLE.COM"]);
    assert_eq!(again[0]["status"], 409);
    assert_eq!(
        again[0]["error"]["detail"],
        "Invitation already exists for A@EXAMPLE.COM"
    );

    let listed = api.list_all("");
    let emails: Vec<&str> = listed
        .iter()
        .map(|inv| inv["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["a@example.com", "B@Example.com"],
        "stored trimmed, case kept, in creation order"
    );
    let first = &listed[0];
    assert_eq!(first["id"], results[0]["data"]["id"]);
    let created =
        chrono::DateTime::parse_from_rfc3339(first["created_at"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(first["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires - created, chrono::TimeDelta::days(7));
    assert!(first["created_at"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(first["accepted_at"], Value::Null);
    assert!(
        first["organization_id"]
            .as_str()
            .unwrap()
            .starts_with("org_")
    );
}

#[test]
fn bad_batches_are_refused_whole_with_the_error_body() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let cases: &[(&str, u16)] = &[
        ("{not json", 400),
        (r#"{"email": "a@x.com"}"#, 422),
        ("[]", 422),
        ("", 400),
    ];
    for (body, status) in cases {
        let reply = api.post_raw(BATCH, body);
        assert_eq!(reply.status, *status, "{body}: {}", reply.body);
        assert!(!reply.detail().is_empty());
    }
    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({"email": format!("u{i}@x.com")}))
        .collect();
    let reply = api.post(BATCH, &Value::from(too_many));
    assert_eq!(reply.status, 413);
    assert!(reply.detail().contains("1000"), "{}", reply.body);

    let huge = format!(r#"[{{"email": "{}@x.com"}}]"#, "a".repeat(600 * 1024));
    let reply = api.post_raw(BATCH, &huge);
    assert_eq!(reply.status, 413);
    assert_eq!(reply.detail(), "Request body is too large");

    let odd_elements = api.post_raw(
        BATCH,
        r#"[{"email": 5}, "x", {"email": "ok@x.com"}, {"email": ""}]"#,
    );
    let results = odd_elements.json()["results"].as_array().unwrap().clone();
    let statuses: Vec<u64> = results
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [422, 422, 200, 422]);
    assert_eq!(
        api.list_all("").len(),
        1,
        "nothing but the good element was stored"
    );
}

#[test]
fn list_filters_by_email_case_insensitively_and_validates_its_query() {
    let server = TestServer::start();
    let api = Api::new(&server);
    api.invite(&["Mixed.Case@Example.com", "other@example.com"]);
    let found = api.list_all("email=mixed.case%40example.COM");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["email"], "Mixed.Case@Example.com");
    assert!(api.list_all("email=nobody%40example.com").is_empty());

    for (query, status) in [
        ("count=0", 422),
        ("count=1001", 422),
        ("count=abc", 400),
        ("paging_token=garbage", 400),
    ] {
        let reply = api.get(&format!("{LIST}?{query}"));
        assert_eq!(reply.status, status, "{query}: {}", reply.body);
        assert!(!reply.detail().is_empty());
    }
}

#[test]
fn paging_visits_every_row_once_with_totals() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let emails: Vec<String> = (0..45).map(|i| format!("user{i:02}@example.com")).collect();
    let refs: Vec<&str> = emails.iter().map(String::as_str).collect();
    api.invite(&refs);

    let first = api.get(&format!("{LIST}?count=20")).json();
    assert_eq!(first["results"].as_array().unwrap().len(), 20);
    assert_eq!(first["metadata"]["total"], 45);
    assert!(first["metadata"]["next_paging_token"].is_string());

    let all = api.list_all("count=20");
    let listed: Vec<&str> = all
        .iter()
        .map(|inv| inv["email"].as_str().unwrap())
        .collect();
    assert_eq!(listed, refs);
}

#[test]
fn unknown_routes_and_methods_answer_with_the_error_body() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let reply = api.get("/api/v2/no_such_thing");
    assert_eq!(reply.status, 404);
    assert!(!reply.detail().is_empty());
    let reply = api.get(BATCH);
    assert_eq!(reply.status, 405);
    assert!(!reply.detail().is_empty());
}

#[test]
fn the_sign_in_url_sets_a_strict_http_only_cookie_and_drops_the_token() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let path = server.sign_in_url.strip_prefix(&server.base_url).unwrap();
    let reply = api.get_with(path, &[]);
    assert_eq!(reply.status, 303);
    assert_eq!(reply.headers["location"], "/");
    let cookie = reply.headers["set-cookie"].to_str().unwrap();
    // A session of its own, never the API token (issue 13, item 8, changed this from the token).
    assert!(cookie.starts_with("oi_session=ses_"), "{cookie}");
    assert!(!cookie.contains(&server.token), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    let wrong = api.get_with("/?token=sss_not_the_right_token", &[]);
    assert_eq!(wrong.status, 401);
    assert!(wrong.headers.get("set-cookie").is_none());
}

#[test]
fn data_files_are_private_and_the_token_survives_a_restart() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let options = ServerOptions {
        data_dir: Some(data_dir.clone()),
        ..Default::default()
    };
    let first = TestServer::start_with(options.clone());
    let token = first.token.clone();
    let in_sqlite = first.database_url.is_none();
    drop(first);
    let mut private = vec![(data_dir.clone(), 0o700), (data_dir.join("token"), 0o600)];
    if in_sqlite {
        private.push((data_dir.join("invitations.sqlite3"), 0o600));
    }
    for (path, mode) in private {
        let actual = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(actual, mode, "{}", path.display());
    }
    let second = TestServer::start_with(options);
    assert_eq!(second.token, token);
}

#[test]
fn an_acknowledged_invitation_survives_sigkill() {
    let temp = tempfile::tempdir().unwrap();
    let options = ServerOptions {
        data_dir: Some(temp.path().join("data")),
        ..Default::default()
    };
    let server = TestServer::start_with(options.clone());
    let id = Api::new(&server).invite(&["durable@example.com"])[0]["data"]["id"].clone();
    server.kill_hard();

    let restarted = TestServer::start_with(options);
    let listed = Api::new(&restarted).list_all("");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id);
}

#[test]
fn demo_seeds_once_including_an_expired_invitation() {
    let temp = tempfile::tempdir().unwrap();
    let options = ServerOptions {
        data_dir: Some(temp.path().join("data")),
        demo: true,
        ..Default::default()
    };
    let server = TestServer::start_with(options.clone());
    let api = Api::new(&server);
    let pending = api.list_all("").len();
    let everything = api.list_all("include_expired=true");
    assert_eq!(
        everything.len(),
        pending + 1,
        "exactly one sample is expired and hidden by default"
    );
    drop(server);
    let again = TestServer::start_with(options);
    assert_eq!(
        Api::new(&again).list_all("include_expired=true").len(),
        everything.len(),
        "a second --demo start adds nothing"
    );
}

#[test]
fn refuses_a_public_address_without_an_explicit_token() {
    let output = std::process::Command::new(testkit::server_binary())
        .args(["--host", "0.0.0.0", "--port", "0", "--data-dir"])
        .arg(tempfile::tempdir().unwrap().path())
        .env_remove("ORG_INVITATIONS_TOKEN")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("without an explicit --token"));
}

#[test]
fn a_lowered_page_cap_refuses_larger_pages() {
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec!["--max-page-size".into(), "50".into()],
        ..Default::default()
    });
    let api = Api::new(&server);
    assert_eq!(api.get(&format!("{LIST}?count=50")).status, 200);
    let refused = api.get(&format!("{LIST}?count=51"));
    assert_eq!(refused.status, 422);
    assert_eq!(refused.detail(), "count must be between 1 and 50");
}

/// The console's files as a build writes them, each with its `.br` and `.gz` twin (contents
/// that tell the three apart): serving them needs no real build.
const BUILT: [&str; 5] = [
    "index.html",
    "org-invitations_bg.wasm",
    "org-invitations.js",
    "org-invitations-element.js",
    "console.css",
];

fn serving_a_built_console() -> (TestServer, tempfile::TempDir) {
    let files: Vec<(String, Vec<u8>)> = BUILT
        .iter()
        .flat_map(|file| {
            ["", ".br", ".gz"].map(|suffix| {
                (
                    format!("{file}{suffix}"),
                    format!("{file} as {suffix:?}").into_bytes(),
                )
            })
        })
        .collect();
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, contents)| (name.as_str(), contents.as_slice()))
        .collect();
    testkit::serving_files(&files)
}

#[test]
fn pages_and_files_carry_the_strict_policy_and_revalidate() {
    let (server, _dist) = serving_a_built_console();
    let api = Api::new(&server);
    for path in ["/", "/console.css", "/org-invitations-element.js"] {
        let reply = api.get_with(path, &[]);
        assert_eq!(reply.status, 200, "{path}");
        let policy = reply.headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval'")
                && policy.contains("style-src 'self'"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert_eq!(reply.headers["referrer-policy"], "no-referrer");
        assert_eq!(reply.headers["cache-control"], "no-cache", "{path}");
    }
}

#[test]
fn the_console_is_served_precompressed_as_the_browser_accepts() {
    let (server, dist) = serving_a_built_console();
    let api = Api::new(&server);
    let dist = dist.path();
    for (path, file) in [
        ("/", "index.html"),
        ("/org-invitations_bg.wasm", "org-invitations_bg.wasm"),
        ("/org-invitations.js", "org-invitations.js"),
        ("/org-invitations-element.js", "org-invitations-element.js"),
        ("/console.css", "console.css"),
    ] {
        let on_disk = |suffix: &str| {
            std::fs::read(dist.join(format!("{file}{suffix}")))
                .unwrap_or_else(|err| panic!("{file}{suffix}: {err}"))
        };
        for (accepts, encoding, suffix) in [
            ("gzip, deflate, br", Some("br"), ".br"),
            ("gzip", Some("gzip"), ".gz"),
            ("identity", None, ""),
        ] {
            let (status, headers, body) = api.get_bytes(path, &[("Accept-Encoding", accepts)]);
            assert_eq!(status, 200, "{path} with {accepts}");
            assert_eq!(
                headers
                    .get("content-encoding")
                    .map(|value| value.to_str().unwrap()),
                encoding,
                "{path} with {accepts}"
            );
            assert!(
                body == on_disk(suffix),
                "{path} with {accepts}: not the file the build wrote"
            );
            let vary = headers
                .get("vary")
                .map(|value| value.to_str().unwrap().to_lowercase());
            assert!(
                vary.is_some_and(|vary| vary.contains("accept-encoding")),
                "{path}"
            );
        }
    }
}

#[test]
fn resend_replaces_a_pending_or_an_expired_invitation_in_one_step() {
    let server = TestServer::start_with(ServerOptions {
        demo: true,
        ..Default::default()
    });
    let api = Api::new(&server);
    let all = api.list_all("include_expired=true");
    let now = chrono::Utc::now();
    let expires = |invitation: &Value| {
        chrono::DateTime::parse_from_rfc3339(invitation["expires_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let expired = all
        .iter()
        .find(|invitation| expires(invitation) <= now)
        .expect("the demo has an expired invitation")
        .clone();
    let pending = all
        .iter()
        .find(|invitation| expires(invitation) > now)
        .unwrap()
        .clone();

    for old in [&pending, &expired] {
        let old_id = old["id"].as_str().unwrap();
        let reply = api.post_raw(&format!("{LIST}{old_id}/resend"), "");
        assert_eq!(reply.status, 200, "{}", reply.body);
        let fresh = reply.json()["result"].clone();
        assert_eq!(fresh["email"], old["email"]);
        assert_ne!(fresh["id"], old["id"]);
        let lifetime = expires(&fresh)
            - chrono::DateTime::parse_from_rfc3339(fresh["created_at"].as_str().unwrap())
                .unwrap()
                .with_timezone(&chrono::Utc);
        assert_eq!(lifetime, chrono::Duration::days(7));
        assert!(expires(&fresh) > now + chrono::Duration::days(6));

        let listed = api.list_all("include_expired=true");
        let ids: Vec<&str> = listed.iter().filter_map(|i| i["id"].as_str()).collect();
        assert!(ids.contains(&fresh["id"].as_str().unwrap()));
        assert!(!ids.contains(&old_id), "the old one is gone");
        assert_eq!(
            listed.iter().filter(|i| i["email"] == old["email"]).count(),
            1,
            "one invitation per address"
        );
        assert_eq!(api.get(&format!("{LIST}{old_id}")).status, 404);

        // On record as a resend, with both ids.
        let record = &api
            .get(&format!(
                "/api/console/audit?action=resend&email={}",
                old["email"].as_str().unwrap()
            ))
            .json()["results"][0];
        assert_eq!(record["invitation_id"], fresh["id"]);
        assert_eq!(record["replaces"], old["id"]);
        assert_eq!(record["status"], 200);
    }

    let missing = api.post_raw(&format!("{LIST}orginv_nothere/resend"), "");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.detail(),
        "Organization invitation 'orginv_nothere' not found"
    );
    // The old id is no longer open: resending it again is a 404, not a second invitation.
    let again = api.post_raw(
        &format!("{LIST}{}/resend", pending["id"].as_str().unwrap()),
        "",
    );
    assert_eq!(again.status, 404);
}
