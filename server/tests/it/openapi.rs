//! The API contract: the document the server serves is the one kept in the repository
//! (`docs/openapi.json`), and schemathesis, generating requests from it, finds no server error
//! and no answer that breaks it.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use testkit::{Api, ServerOptions, TestServer};

fn kept_document() -> PathBuf {
    testkit::workspace_root().join("docs/openapi.json")
}

#[test]
fn the_served_contract_is_the_one_in_the_repository() {
    let server = TestServer::start();
    let served = Api::new(&server).get("/api/openapi.json");
    assert_eq!(served.status, 200);
    let printed = Command::new(testkit::server_binary())
        .arg("openapi")
        .output()
        .expect("the server prints its contract");
    assert!(printed.status.success());
    let printed = String::from_utf8(printed.stdout).expect("UTF-8");
    let printed_json: Value = serde_json::from_str(&printed).expect("JSON");
    assert_eq!(served.json(), printed_json, "served and printed differ");
    let kept = std::fs::read_to_string(kept_document()).unwrap_or_default();
    assert!(
        kept == printed,
        "docs/openapi.json is not what the code produces; after checking the change, run \
         `cargo run -p org-invitations-server -- openapi > docs/openapi.json`"
    );
}

#[test]
fn the_contract_needs_no_token_and_names_the_error_body() {
    let server = TestServer::start();
    let answer = Api::new(&server).get_with("/api/openapi.json", &[]);
    assert_eq!(answer.status, 200);
    let document = answer.json();
    assert_eq!(document["openapi"], "3.1.0");
    let list = &document["paths"]["/api/v2/organization_invitations/"]["get"];
    assert_eq!(
        list["responses"]["401"]["$ref"],
        "#/components/responses/Unauthorized"
    );
    assert_eq!(
        document["components"]["responses"]["Unauthorized"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/ErrorBody"
    );
}

/// Where `cargo xtask test` installs schemathesis, unless `SCHEMATHESIS` names another.
fn schemathesis() -> PathBuf {
    testkit::installed_tool("SCHEMATHESIS", "schemathesis-venv/bin/schemathesis")
}

/// Every operation, a bounded number of generated requests each: no 5xx; every status, header, content type and body as the
/// contract says; nothing answered without a valid credential; what was created can be read.
///
/// Two of schemathesis's checks are left out, because the contract itself asks otherwise:
/// `negative_data_rejection` (a `batch_create` element that is not an address fails alone with
/// a 200 for the batch, and `cli_usage` accepts any body) and `positive_data_acceptance`
/// (paging tokens are opaque strings, and most strings are not one).
#[test]
#[ignore = "needs schemathesis: `cargo xtask test contract` installs it"]
fn schemathesis_finds_nothing_the_contract_does_not_allow() {
    let server = TestServer::start_with(ServerOptions {
        // Thousands of generated changes and bad credentials a minute are the point here.
        extra_args: [
            "--write-limit",
            "1000000",
            "--auth-failure-limit",
            "1000000",
        ]
        .map(String::from)
        .to_vec(),
        // Generated endpoints name hosts anywhere: resolved through an empty hosts file, no
        // lookup leaves the machine.
        hosts: Some(Vec::new()),
        ..Default::default()
    });
    // `cargo xtask fuzz` gives a time budget instead: fuzzing repeats until it is spent.
    let budget = match std::env::var("SCHEMATHESIS_MAX_TIME") {
        Ok(seconds) => ["--max-time".to_owned(), seconds],
        Err(_) => ["--max-examples".to_owned(), "25".to_owned()],
    };
    let work = tempfile::tempdir().unwrap();
    let output = Command::new(schemathesis())
        .arg("--config-file")
        .arg(testkit::workspace_root().join("server/tests/schemathesis.toml"))
        .arg("--no-color")
        .arg("run")
        .arg(server.url("/api/openapi.json"))
        .args(["--url", &server.base_url])
        .args(["--checks", CHECKS])
        .args(&budget)
        // One worker: with two, Hypothesis's caches are shared between threads, and a run
        // once failed inside Hypothesis ("Inconsistent results", a KeyError in its cache)
        // with nothing found on the server.
        .args(["--workers", "1"])
        .current_dir(work.path())
        .env("HOME", work.path())
        .env("ORG_INVITATIONS_TOKEN", &server.token)
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .output()
        .expect("schemathesis runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Shown with `--nocapture`, as `cargo xtask fuzz` runs it.
    println!("{report}");
    assert!(output.status.success(), "schemathesis failed:\n{report}");
    // It really ran every operation (a schema it could not read would test nothing).
    assert!(report.contains("22 selected / 22 total"), "{report}");
    assert!(report.contains("No issues found"), "{report}");
}

const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
    response_headers_conformance,response_schema_conformance,ignored_auth,use_after_free,\
    ensure_resource_availability,unsupported_method";
