//! The unmodified Anyscale CLI (PyPI `anyscale`, the version xtask installs) against the real
//! server: it must list, create and delete as its reference shows.

use std::path::PathBuf;
use std::process::Command;

use chrono::Utc;
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::datetime::format_cli;
use testkit::{Api, TestServer};

/// Where `cargo xtask test` installs the CLI, unless `ANYSCALE_CLI` names another.
fn cli_path() -> PathBuf {
    testkit::installed_tool("ANYSCALE_CLI", "anyscale-venv/bin/anyscale")
}

struct CliRun {
    success: bool,
    /// Standard output and error together, without colour codes.
    output: String,
}

fn anyscale(server: &TestServer, token: &str, args: &[&str]) -> CliRun {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(cli_path())
        .args(["organization-invitation"])
        .args(args)
        .env("HOME", home.path())
        .env("ANYSCALE_HOST", &server.base_url)
        .env("ANYSCALE_CLI_TOKEN", token)
        .env("TZ", "UTC")
        .env("COLUMNS", "200")
        .env("NO_COLOR", "1")
        .output()
        .expect("the CLI runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    CliRun {
        success: output.status.success(),
        output: strip_ansi(&text),
    }
}

fn strip_ansi(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI sequences end with a letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

#[test]
#[ignore = "needs the Anyscale CLI: `cargo xtask test cli` installs it"]
fn the_cli_creates_lists_and_deletes_as_its_reference_shows() {
    let server = TestServer::start();
    let token = server.token.clone();

    let created = anyscale(
        &server,
        &token,
        &[
            "create",
            "--emails",
            "test1@anyscale.com,test2@anyscale.com",
        ],
    );
    assert!(created.success, "{}", created.output);
    assert!(
        created
            .output
            .contains("Organization invitations sent to: test1@anyscale.com, test2@anyscale.com"),
        "{}",
        created.output
    );

    let partly = anyscale(
        &server,
        &token,
        &[
            "create",
            "--emails",
            "test1@anyscale.com,not-an-email,test3@anyscale.com",
        ],
    );
    assert!(
        partly.success,
        "the CLI exits 0 when some fail: {}",
        partly.output
    );
    assert!(
        partly
            .output
            .contains("Organization invitations sent to: test3@anyscale.com"),
        "{}",
        partly.output
    );
    assert!(
        partly
            .output
            .contains("Invitation already exists for test1@anyscale.com"),
        "{}",
        partly.output
    );
    assert!(
        partly
            .output
            .contains("Invalid email address 'not-an-email'"),
        "{}",
        partly.output
    );

    let listed = anyscale(&server, &token, &["list"]);
    assert!(listed.success, "{}", listed.output);
    let lines: Vec<Vec<&str>> = listed
        .output
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert!(
        lines.contains(&vec!["ID", "Email", "Created", "At", "Expires", "At"]),
        "{}",
        listed.output
    );
    let invitations: Vec<OrganizationInvitation> = Api::new(&server)
        .list_all("")
        .into_iter()
        .map(|value| serde_json::from_value(value).unwrap())
        .collect();
    assert_eq!(invitations.len(), 3);
    for invitation in &invitations {
        let row = format!(
            "{} {} {} {}",
            invitation.id,
            invitation.email,
            format_cli(invitation.created_at, &Utc),
            format_cli(invitation.expires_at, &Utc)
        );
        assert!(
            lines.iter().any(|line| line.join(" ") == row),
            "no row `{row}` in:\n{}",
            listed.output
        );
    }

    let deleted = anyscale(
        &server,
        &token,
        &["delete", "--email", "test1@anyscale.com"],
    );
    assert!(deleted.success, "{}", deleted.output);
    assert!(
        deleted
            .output
            .contains("Organization invitation for test1@anyscale.com deleted."),
        "{}",
        deleted.output
    );
    let remaining: Vec<String> = Api::new(&server)
        .list_all("")
        .iter()
        .map(|inv| inv["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(remaining, ["test2@anyscale.com", "test3@anyscale.com"]);

    let missing = anyscale(
        &server,
        &token,
        &["delete", "--email", "nobody@anyscale.com"],
    );
    assert!(
        missing
            .output
            .contains("Invitation for email 'nobody@anyscale.com' not found."),
        "{}",
        missing.output
    );
}

#[test]
#[ignore = "needs the Anyscale CLI: `cargo xtask test cli` installs it"]
fn the_cli_works_with_a_named_token_as_far_as_its_role_allows() {
    let server = TestServer::start();
    let inviter = server.new_token("cli-inviter", "inviter");
    let created = anyscale(
        &server,
        &inviter,
        &["create", "--emails", "named@example.com"],
    );
    assert!(created.success, "{}", created.output);
    let listed = anyscale(&server, &inviter, &["list"]);
    assert!(
        listed.success && listed.output.contains("named@example.com"),
        "{}",
        listed.output
    );
    // Revoking needs an admin: the CLI shows the server's reason and deletes nothing.
    let refused = anyscale(
        &server,
        &inviter,
        &["delete", "--email", "named@example.com"],
    );
    assert!(!refused.success, "{}", refused.output);
    assert!(
        refused.output.contains("needs the admin role"),
        "{}",
        refused.output
    );
    assert_eq!(Api::new(&server).list_all("").len(), 1);
    let admin = server.new_token("cli-admin", "admin");
    let deleted = anyscale(&server, &admin, &["delete", "--email", "named@example.com"]);
    assert!(deleted.success, "{}", deleted.output);
    assert!(Api::new(&server).list_all("").is_empty());
}

#[test]
#[ignore = "needs the Anyscale CLI: `cargo xtask test cli` installs it"]
fn the_cli_reports_a_wrong_token_as_invalid_credentials() {
    let server = TestServer::start();
    let run = anyscale(&server, "sss_thisisnotthetokenatall", &["list"]);
    assert!(!run.success);
    assert!(
        run.output.contains("are invalid or have expired"),
        "{}",
        run.output
    );
}

/// Two instances on one PostgreSQL database, as behind a load balancer: whichever instance the
/// CLI reaches, it sees what was done through the other.
#[test]
#[ignore = "needs the Anyscale CLI and a PostgreSQL cluster: `cargo xtask test cli` provides both"]
fn the_cli_against_either_of_two_instances_sees_the_others_changes() {
    let dir = tempfile::tempdir().unwrap();
    let database = testkit::postgres::database_for(dir.path());
    let token = "sss_two_instances_for_the_cli_0123";
    let instance = || {
        TestServer::start_with(testkit::ServerOptions {
            extra_args: vec![
                "--database-url".into(),
                database.clone(),
                "--token".into(),
                token.into(),
            ],
            ..Default::default()
        })
    };
    let (a, b) = (instance(), instance());

    let created = anyscale(&a, token, &["create", "--emails", "both@anyscale.com"]);
    assert!(created.success, "{}", created.output);
    let listed = anyscale(&b, token, &["list"]);
    assert!(
        listed.output.contains("both@anyscale.com"),
        "{}",
        listed.output
    );
    let deleted = anyscale(&b, token, &["delete", "--email", "both@anyscale.com"]);
    assert!(
        deleted
            .output
            .contains("Organization invitation for both@anyscale.com deleted."),
        "{}",
        deleted.output
    );
    let listed = anyscale(&a, token, &["list"]);
    assert!(listed.success, "{}", listed.output);
    assert!(
        !listed.output.contains("both@anyscale.com"),
        "{}",
        listed.output
    );
}

/// The unmodified CLI invites, and the mail reaches a real mail server; the CLI's list reads
/// invitations that carry this server's `delivery` extension.
#[test]
#[ignore = "needs the Anyscale CLI and Debian's python3-aiosmtpd: `cargo xtask test cli` installs both"]
fn an_invitation_made_by_the_cli_reaches_the_mail_server() {
    let smtp = testkit::smtp::SmtpServer::start();
    let server = TestServer::start_with(testkit::ServerOptions {
        extra_args: vec![
            "--smtp-url".into(),
            smtp.url(),
            "--mail-from".into(),
            "Invitations <invitations@acme.example>".into(),
        ],
        ..Default::default()
    });
    let created = anyscale(
        &server,
        &server.token,
        &["create", "--emails", "cli.mail@example.com"],
    );
    assert!(created.success, "{}", created.output);
    let mail = smtp
        .wait_for(1, std::time::Duration::from_secs(10))
        .remove(0);
    assert_eq!(mail.to, ["cli.mail@example.com"]);
    assert!(mail.text.contains("/invitation/"), "{}", mail.text);
    let listed = anyscale(&server, &server.token, &["list"]);
    assert!(listed.success, "{}", listed.output);
    assert!(
        listed.output.contains("cli.mail@example.com"),
        "{}",
        listed.output
    );
}
