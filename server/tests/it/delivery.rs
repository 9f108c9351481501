//! Invitation mail against a real mail server on loopback (Debian's aiosmtpd, scripted to
//! refuse on demand), parsed by a MIME parser: what arrives, in which language, with which
//! link; retries, refusals, a server that is away, STARTTLS; and without a mail server, the
//! data folder's `mail/`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testkit::smtp::SmtpServer;
use testkit::{Api, LIST_PATH, ServerOptions, TestServer};

const FROM: &str = "Acme Invitations <invitations@acme.example>";

fn sending_through(url: &str, extra: &[&str]) -> TestServer {
    let mut args = mail_args(url, "0s,1s");
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    TestServer::start_with(ServerOptions {
        extra_args: args,
        ..Default::default()
    })
}

/// The options that send through `url` as Acme, waiting `retry_delays` between attempts.
fn mail_args(url: &str, retry_delays: &str) -> Vec<String> {
    [
        "--smtp-url",
        url,
        "--mail-from",
        FROM,
        "--org-name",
        "Acme",
        "--mail-retry-delays",
        retry_delays,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// The invitation's `delivery` once `done` says it is where it should be, within ten seconds.
fn delivery_when(api: &Api, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let delivery = api.get(&format!("{LIST_PATH}{id}")).json()["result"]["delivery"].clone();
        if done(&delivery) {
            return delivery;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{delivery}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn state_is(state: &'static str) -> impl Fn(&Value) -> bool {
    move |delivery| delivery["state"] == state
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: `cargo xtask test` installs it"]
fn an_invitation_reaches_a_real_mail_server_in_its_language_with_its_link() {
    let smtp = SmtpServer::start();
    let server = sending_through(&smtp.url(), &[]);
    let api = Api::new(&server);
    let queued = api.post(
        LIST_PATH,
        &json!({"email": "ada@example.com", "locale": "de"}),
    );
    assert_eq!(queued.status, 200);
    let id = queued.json()["result"]["id"].as_str().unwrap().to_owned();
    let delivery = delivery_when(&api, &id, state_is("sent"));
    assert_eq!(delivery["attempts"], 1);
    assert!(delivery["error"].is_null());

    let mail = smtp.wait_for(1, Duration::from_secs(10)).remove(0);
    assert_eq!(mail.to, ["ada@example.com"]);
    assert_eq!(mail.from, "invitations@acme.example");
    assert_eq!(
        mail.subject, "Einladung zu Acme",
        "in the language asked for"
    );
    for header in ["Message-ID", "Date"] {
        assert!(
            mail.header(header).is_some(),
            "{header}: {:?}",
            mail.headers
        );
    }
    assert_eq!(mail.header("Auto-Submitted"), Some("auto-generated"));
    assert!(mail.text.contains("Acme beizutreten"), "{}", mail.text);
    assert!(mail.text.contains("ada@example.com"), "the address invited");
    assert!(
        mail.text.contains("UTC"),
        "the expiry with its time zone: {}",
        mail.text
    );
    let link_start = format!("{}/invitation/", server.base_url);
    let link = mail
        .text
        .split_whitespace()
        .find(|word| word.starts_with(&link_start))
        .unwrap_or_else(|| panic!("a link in {}", mail.text));
    let token = &link[link_start.len()..];
    assert_eq!(token.len(), 64, "{link}");
    assert!(
        mail.html.contains(&format!("href=\"{link}\"")),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("lang=\"de\""), "{}", mail.html);
    assert!(!mail.html.contains("<img"), "no images, nothing fetched");
    // The token is the mail's alone: never in the log, nor in what the API shows.
    assert!(!server.log().contains(token), "the token was logged");
    let listed = api.get(LIST_PATH).body;
    assert!(!listed.contains(token), "the API shows the token");
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: `cargo xtask test` installs it"]
fn a_refusal_for_now_is_tried_again_and_one_for_good_fails_with_its_reason() {
    let smtp = SmtpServer::start();
    smtp.answer("later@example.com", &["451 4.3.0 Try again later"]);
    smtp.answer("nobody@example.com", &["550 5.1.1 No such user here"]);
    let server = sending_through(&smtp.url(), &["--metrics-addr", "127.0.0.1:0"]);
    let api = Api::new(&server);
    let later = api.invite_in("later@example.com", None);
    let nobody = api.invite_in("nobody@example.com", None);

    let delivered = delivery_when(&api, &later, state_is("sent"));
    assert_eq!(delivered["attempts"], 2, "{delivered}");
    let failed = delivery_when(&api, &nobody, state_is("failed"));
    assert_eq!(
        failed["attempts"], 1,
        "a permanent refusal stops at once: {failed}"
    );
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("No such user here"),
        "the mail server's reason: {failed}"
    );
    let received = smtp.wait_for(1, Duration::from_secs(5));
    let to: Vec<&str> = received.iter().map(|mail| mail.to[0].as_str()).collect();
    assert_eq!(to, ["later@example.com"]);

    // Operators see the same story in the metrics: one retry, one sent, one failed.
    let metrics = crate::operations::scrape(&crate::operations::metrics_url(&server));
    let outcomes: Vec<(&str, f64)> = ["sent", "retry", "failed", "written"]
        .into_iter()
        .map(|outcome| {
            let name = format!("org_invitations_mail_total{{outcome=\"{outcome}\"}}");
            (outcome, metrics.get(&name).copied().unwrap_or(0.0))
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("sent", 1.0),
            ("retry", 1.0),
            ("failed", 1.0),
            ("written", 0.0)
        ]
    );
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: `cargo xtask test` installs it"]
fn while_the_mail_server_is_away_mail_waits_and_each_arrives_once_when_it_is_back() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = sending_through(&format!("smtp://127.0.0.1:{port}"), &[]);
    let api = Api::new(&server);
    let started = Instant::now();
    let ids: Vec<String> = (0..3)
        .map(|n| api.invite_in(&format!("away{n}@example.com"), None))
        .collect();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "creating never waits on mail"
    );
    for id in &ids {
        // The attempt is counted as it starts; its refusal is kept once it ends.
        let waiting = delivery_when(&api, id, |delivery| delivery["error"].is_string());
        assert_eq!(
            waiting["state"], "queued",
            "still waiting, saying why: {waiting}"
        );
    }
    assert_eq!(
        api.get("/readyz").status,
        200,
        "ready while only mail is away"
    );

    let smtp = SmtpServer::start_on(port);
    for id in &ids {
        delivery_when(&api, id, state_is("sent"));
    }
    let received = smtp.received();
    let mut to: Vec<String> = received.iter().map(|mail| mail.to[0].clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "away0@example.com",
            "away1@example.com",
            "away2@example.com"
        ]
    );
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: `cargo xtask test` installs it"]
fn mail_committed_before_a_crash_is_sent_once_after_the_restart() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("smtp://127.0.0.1:{port}");
    let folder = tempfile::tempdir().unwrap();
    let options = ServerOptions {
        data_dir: Some(folder.path().join("data")),
        // Long enough that the next attempt is not under way when the process dies.
        extra_args: mail_args(&url, "3s"),
        ..Default::default()
    };
    let server = TestServer::start_with(options.clone());
    let api = Api::new(&server);
    let id = api.invite_in("crash@example.com", None);
    // Committed, tried once while no mail server answers, and not sent.
    let waiting = delivery_when(&api, &id, |delivery| delivery["error"].is_string());
    assert_eq!(waiting["state"], "queued", "{waiting}");
    server.kill_hard();

    let smtp = SmtpServer::start_on(port);
    let restarted = TestServer::start_with(options);
    let api = Api::new(&restarted);
    let sent = delivery_when(&api, &id, state_is("sent"));
    assert_eq!(sent["attempts"], 2, "{sent}");
    let received = smtp.wait_for(1, Duration::from_secs(5));
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["crash@example.com"]);
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: `cargo xtask test` installs it"]
fn starttls_is_used_with_the_mail_servers_own_authority() {
    let smtp = SmtpServer::start_with_starttls();
    let ca = smtp.ca.clone().unwrap();
    let url = format!("smtp://127.0.0.1:{}?tls=required", smtp.port);
    let server = sending_through(&url, &["--smtp-ca", ca.to_str().unwrap()]);
    let api = Api::new(&server);
    let id = api.invite_in("secure@example.com", Some("ar"));
    delivery_when(&api, &id, state_is("sent"));
    let mail = smtp.wait_for(1, Duration::from_secs(5)).remove(0);
    assert!(mail.html.contains("dir=\"rtl\""), "Arabic, right to left");

    // Without the authority, the certificate is not trusted: nothing is sent in the clear.
    let untrusting = sending_through(&url, &[]);
    let api = Api::new(&untrusting);
    let id = api.invite_in("secure2@example.com", None);
    let waiting = delivery_when(&api, &id, |delivery| {
        delivery["attempts"].as_u64() >= Some(1)
    });
    assert_ne!(waiting["state"], "sent", "{waiting}");
    assert_eq!(smtp.received().len(), 1);
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd and python3-dkim: `cargo xtask test` installs them"]
fn mail_is_dkim_signed_for_the_senders_domain_and_the_reference_verifier_agrees() {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    // 1024 bits: the least dkimpy accepts, and quick to make in a debug build.
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let (private, public) = (
        folder.path().join("dkim.pem"),
        folder.path().join("public.pem"),
    );
    // PKCS#8, as `openssl genpkey` writes it.
    std::fs::write(
        &private,
        key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    std::fs::write(
        &public,
        key.to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
    .unwrap();
    let smtp = SmtpServer::start();
    let server = sending_through(
        &smtp.url(),
        &[
            "--dkim-key",
            private.to_str().unwrap(),
            "--dkim-selector",
            "inv2026",
        ],
    );
    assert!(
        server
            .printed
            .iter()
            .any(|line| line == "Mail: DKIM-signed as inv2026._domainkey.acme.example"),
        "{:?}",
        server.printed
    );
    let api = Api::new(&server);
    let id = api.invite_in("signed@example.com", Some("ja"));
    delivery_when(&api, &id, state_is("sent"));
    let mail = smtp.wait_for(1, Duration::from_secs(5)).remove(0);
    let signature = mail.header("DKIM-Signature").expect("a DKIM signature");
    assert!(
        signature.contains("d=acme.example") && signature.contains("s=inv2026"),
        "{signature}"
    );
    let name = "inv2026._domainkey.acme.example";
    assert!(
        testkit::smtp::dkim_verifies(&mail.raw, name, &public),
        "the reference verifier agrees"
    );
    // A subject changed on the way no longer verifies.
    let raw = String::from_utf8(mail.raw.clone()).unwrap();
    let changed = raw.replacen("Subject: ", "Subject: Re: ", 1);
    assert!(!testkit::smtp::dkim_verifies(
        changed.as_bytes(),
        name,
        &public
    ));
    assert!(!server.log().contains("PRIVATE KEY"));
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: `cargo xtask test` installs it"]
fn the_mail_servers_password_is_never_logged_shown_or_printed() {
    let smtp = SmtpServer::start();
    let url = format!("smtp://mailer:s3cret-passw0rd@127.0.0.1:{}", smtp.port);
    let server = sending_through(&url, &[]);
    let api = Api::new(&server);
    let id = api.invite_in("quiet@example.com", None);
    let settled = delivery_when(&api, &id, |delivery| {
        delivery["attempts"].as_u64() >= Some(1)
    });
    let shown = format!(
        "{}\n{}\n{}\n{settled}",
        server.printed.join("\n"),
        server.log(),
        api.get(LIST_PATH).body
    );
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(
        server
            .printed
            .iter()
            .any(|line| line == &format!("Mail: sent through smtp://127.0.0.1:{}", smtp.port)),
        "{:?}",
        server.printed
    );
}

#[test]
fn without_a_mail_server_mail_is_written_to_the_data_folder() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let id = api.invite_in("dev@example.com", Some("fr"));
    let written = delivery_when(&api, &id, state_is("written"));
    assert_eq!(written["attempts"], 1);
    let folder = server.data_dir.join("mail");
    let files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "it holds the link: private");
    let mail = testkit::smtp::parse(std::fs::read(&files[0]).unwrap());
    assert_eq!(mail.to, ["dev@example.com"]);
    assert!(
        mail.subject.contains("Local organization"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("/invitation/"), "{}", mail.text);
    assert!(
        server
            .printed
            .iter()
            .any(|line| line.starts_with("Mail: written to ")),
        "the start says where: {:?}",
        server.printed
    );
}

#[test]
fn past_the_hourly_limit_mail_waits_and_the_invitation_says_why() {
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec!["--max-mails-per-hour".into(), "1".into()],
        ..Default::default()
    });
    let api = Api::new(&server);
    let first = api.invite_in("first@example.com", None);
    delivery_when(&api, &first, state_is("written"));
    let second = api.invite_in("second@example.com", None);
    let waiting = delivery_when(&api, &second, |delivery| delivery["error"].is_string());
    assert_eq!(waiting["state"], "queued", "{waiting}");
    assert_eq!(waiting["attempts"], 0, "{waiting}");
    assert!(
        waiting["error"]
            .as_str()
            .unwrap()
            .contains("--max-mails-per-hour 1"),
        "{waiting}"
    );
}

#[test]
fn a_locale_the_console_does_not_speak_is_refused_clearly() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let refused = api.post(
        LIST_PATH,
        &json!({"email": "x@example.com", "locale": "pt"}),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.detail().contains("en, de, fr, es, ja, ar"),
        "{}",
        refused.body
    );
    let batch = api.post(
        "/api/v2/organization_invitations/batch_create",
        &json!([{"email": "ok@example.com", "locale": "ja"}, {"email": "no@example.com", "locale": "xx"}]),
    );
    let results = batch.json()["results"].clone();
    let statuses: Vec<&Value> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|result| &result["status"])
        .collect();
    assert_eq!(statuses, [&json!(200), &json!(422)]);
}

/// The store operations of one kind counted so far, by the metrics.
fn operations(metrics_url: &str, operation: &str) -> f64 {
    crate::operations::scrape(metrics_url)
        .iter()
        .filter(|(name, _)| {
            name.starts_with("org_invitations_store_operation_duration_seconds_count")
                && name.contains(&format!("operation=\"{operation}\""))
        })
        .map(|(_, count)| count)
        .sum()
}

#[test]
fn a_worker_with_nothing_held_only_reads_while_it_waits() {
    let server = TestServer::start_with(ServerOptions {
        extra_args: vec!["--metrics-addr".into(), "127.0.0.1:0".into()],
        ..Default::default()
    });
    let url = crate::operations::metrics_url(&server);
    let api = Api::new(&server);
    let id = api.invite_in("idle@example.com", None);
    delivery_when(&api, &id, state_is("written"));
    // The worker looks again twice a second: let it look a few times with nothing to hold.
    let looked = operations(&url, "mail_to_hold");
    crate::operations::eventually("the worker looks three times more", || {
        operations(&url, "mail_to_hold") >= looked + 3.0
    });
    assert_eq!(
        operations(&url, "hold_mail"),
        0.0,
        "nothing held: nothing written"
    );
}

/// The link in a mail's text.
fn link_in(mail: &testkit::smtp::Received) -> String {
    mail.text
        .split_whitespace()
        .find(|word| word.contains("/invitation/"))
        .expect("a link")
        .to_owned()
}

/// Brings invitation `id`'s expiry to a day from now, as if most of its week had passed.
fn expiring_tomorrow(server: &TestServer, id: &str) {
    let tomorrow = chrono::Utc::now() + chrono::TimeDelta::days(1);
    server.run_sql(&format!(
        "UPDATE invitations SET expires_at_ms = {} WHERE id = '{id}'",
        tomorrow.timestamp_millis()
    ));
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: `cargo xtask test` installs it"]
fn an_unanswered_invitation_is_reminded_once_and_both_links_work() {
    let smtp = SmtpServer::start();
    let server = sending_through(&smtp.url(), &["--remind-before", "2d"]);
    let api = Api::new(&server);
    let id = api.invite_in("ada@example.com", None);
    let first = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(first.len(), 1);
    expiring_tomorrow(&server, &id);

    let both = smtp.wait_for(2, Duration::from_secs(10));
    assert_eq!(both.len(), 2, "the reminder");
    let reminder = &both[1];
    assert_eq!(reminder.to, ["ada@example.com"]);
    assert_eq!(reminder.subject, "Reminder: You are invited to join Acme");
    assert!(
        reminder.text.starts_with("A reminder: "),
        "{}",
        reminder.text
    );
    let delivery = delivery_when(&api, &id, |delivery| {
        delivery["reminder"] == true && delivery["state"] == "sent"
    });
    assert_eq!(delivery["attempts"], 1);
    let trail = api.get("/api/console/audit?action=mail_queued&email=ada@example.com");
    let records = trail.json()["results"].clone();
    assert!(
        records
            .as_array()
            .unwrap()
            .iter()
            .any(|record| record["detail"] == "reminder" && record["actor"] == "delivery"),
        "{}",
        trail.body
    );

    // The first mail's link and the reminder's both open the invitation.
    let (link, reminded) = (link_in(&both[0]), link_in(reminder));
    assert_ne!(link, reminded);
    for link in [&link, &reminded] {
        let path = link.strip_prefix(&server.base_url).unwrap();
        let page = api.get_with(path, &[]);
        assert_eq!(page.status, 200, "{link}");
        assert!(page.body.contains("Accept"), "{}", page.body);
    }

    // Once: the next invitation's mail goes, and no second reminder came before it.
    api.invite(&["bob@example.com"]);
    let all = smtp.wait_for(3, Duration::from_secs(10));
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].to, ["bob@example.com"]);
    assert_eq!(
        all.iter()
            .filter(|mail| mail.to == ["ada@example.com"])
            .count(),
        2
    );
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: `cargo xtask test` installs it"]
fn without_remind_before_no_reminder_goes() {
    let smtp = SmtpServer::start();
    let server = sending_through(&smtp.url(), &[]);
    let api = Api::new(&server);
    let id = api.invite_in("ada@example.com", None);
    smtp.wait_for(1, Duration::from_secs(10));
    expiring_tomorrow(&server, &id);
    api.invite(&["bob@example.com"]);
    let all = smtp.wait_for(2, Duration::from_secs(10));
    assert_eq!(
        all[1].to,
        ["bob@example.com"],
        "the next mail, and no reminder"
    );
    let refused = std::process::Command::new(testkit::server_binary())
        .args(["--remind-before", "7d", "--port", "0"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("not shorter than an invitation's life"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
