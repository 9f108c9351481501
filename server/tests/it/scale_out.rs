//! Several server instances on one PostgreSQL database, as behind a load balancer: what only
//! two real processes can show. Each test makes its own database in the cluster `cargo xtask
//! test` starts.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use testkit::postgres::{cluster, database_for, sql, try_sql};
use testkit::{Api, LIST_PATH, ServerOptions, TestServer};

const TOKEN: &str = "sss_scale_out_token_0123456789abc";
/// The migrations a database has had, in order.
/// Every PostgreSQL migration's number, in order, as the history lists them: `1,2,…`.
fn every_migration() -> String {
    let folder = testkit::workspace_root().join("server/migrations/postgres");
    let count = std::fs::read_dir(folder).unwrap().count();
    (1..=count)
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The migrations applied, as refinery's history records them.
const VERSIONS: &str =
    "SELECT string_agg(version::text, ',' ORDER BY version) FROM refinery_schema_history";

/// A fresh database, and the options that put an instance on it with the shared token.
fn shared_database() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = database_for(dir.path());
    (dir, url)
}

fn instance(database_url: &str) -> TestServer {
    instance_with(database_url, &[])
}

/// An instance on `database_url` with the shared token and `extra` arguments.
fn instance_with(database_url: &str, extra: &[&str]) -> TestServer {
    let mut extra_args: Vec<String> = vec![
        "--database-url".into(),
        database_url.into(),
        "--token".into(),
        TOKEN.into(),
    ];
    extra_args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    TestServer::start_with(ServerOptions {
        extra_args,
        ..Default::default()
    })
}

/// Starts the server binary on `database_url` with `extra` arguments, expecting it to refuse
/// to start; returns what it said.
fn refused_start(database_url: &str, dir: &std::path::Path, extra: &[String]) -> String {
    let output = std::process::Command::new(testkit::server_binary())
        .args([
            "--port",
            "0",
            "--token",
            TOKEN,
            "--database-url",
            database_url,
        ])
        .args(extra)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env_remove("ORG_INVITATIONS_DATABASE_CA")
        .output()
        .unwrap();
    assert!(!output.status.success(), "it started");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn pair() -> (tempfile::TempDir, String, TestServer, TestServer) {
    let (dir, url) = shared_database();
    let (a, b) = (instance(&url), instance(&url));
    (dir, url, a, b)
}

fn emails_of(listed: &[Value]) -> Vec<String> {
    listed
        .iter()
        .map(|invitation| invitation["email"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn two_instances_see_each_others_changes_tokens_and_organization() {
    let (_dir, url, a, b) = pair();
    assert!(a.serving.contains("PostgreSQL database"), "{}", a.serving);
    assert!(
        !a.serving.contains("postgres://"),
        "the URL is not printed: {}",
        a.serving
    );
    let (api_a, api_b) = (Api::new(&a), Api::new(&b));
    let created = api_a.invite(&["one@x.com", "two@x.com"]);
    assert!(created.iter().all(|result| result["status"] == 200));
    assert_eq!(
        emails_of(&api_b.list_all("count=50")),
        ["one@x.com", "two@x.com"]
    );
    let again = api_b.invite(&["ONE@x.com"]);
    assert_eq!(
        again[0]["status"], 409,
        "one pending invitation per address"
    );
    let id = created[0]["data"]["id"].as_str().unwrap();
    let revoked = api_b.post(
        &format!("/api/v2/organization_invitations/{id}/invalidate"),
        &Value::Null,
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(emails_of(&api_a.list_all("count=50")), ["two@x.com"]);

    // One organization, one audit trail, one set of named tokens.
    let org = |api: &Api| api.get(LIST_PATH).json()["results"][0]["organization_id"].clone();
    assert_eq!(org(&api_a), org(&api_b));
    let trail = api_a.get("/api/console/audit?count=50");
    assert_eq!(trail.status, 200, "{}", trail.body);
    // Two creates and a revoke by people, each create's mail queued in its transaction;
    // the worker's own entries (sent, written) come whenever it gets to them.
    let by_people: Vec<String> = trail.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["action"].as_str().unwrap().to_owned())
        .filter(|action| {
            !matches!(
                action.as_str(),
                "mail_sent" | "mail_written" | "mail_failed"
            )
        })
        .collect();
    assert_eq!(by_people.len(), 6, "{}", trail.body);
    let edited = try_sql(&url, "UPDATE audit SET actor = 'someone else'");
    assert!(
        edited
            .as_ref()
            .is_err_and(|error| error.contains("append-only")),
        "the database keeps the trail append-only: {edited:?}"
    );
    let token = a.new_token("ci-bot", "viewer");
    let listed = Api::new(&b).get_with(LIST_PATH, &[("Authorization", &format!("Bearer {token}"))]);
    assert_eq!(
        listed.status, 200,
        "a token made for one instance works on the other"
    );
    assert_eq!(
        sql(&url, VERSIONS).trim(),
        every_migration(),
        "each migration was applied once"
    );
}

#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn parallel_creates_of_overlapping_addresses_leave_exactly_one_pending_each() {
    let (_dir, _url, a, b) = pair();
    let servers = [&a, &b];
    // 8 clients, each inviting 10 batches of 12 addresses out of the same 40, half through
    // each instance, all at once.
    let successes: Mutex<HashMap<String, usize>> = Mutex::new(HashMap::new());
    std::thread::scope(|scope| {
        for client in 0..8usize {
            let server = servers[client % 2];
            let successes = &successes;
            scope.spawn(move || {
                let api = Api::new(server);
                for batch in 0..10usize {
                    let emails: Vec<String> = (0..12)
                        .map(|i| format!("user{}@x.com", (client * 7 + batch * 5 + i * 3) % 40))
                        .collect();
                    let mut unique = emails.clone();
                    unique.sort();
                    unique.dedup();
                    let refs: Vec<&str> = unique.iter().map(String::as_str).collect();
                    for (email, result) in refs.iter().zip(api.invite(&refs)) {
                        match result["status"].as_u64() {
                            Some(200) => {
                                *successes
                                    .lock()
                                    .unwrap()
                                    .entry(email.to_string())
                                    .or_default() += 1;
                            }
                            Some(409) => {}
                            other => panic!("{email}: {other:?} {result}"),
                        }
                    }
                }
            });
        }
    });
    let successes = successes.into_inner().unwrap();
    assert!(
        successes.values().all(|created| *created == 1),
        "each address was created exactly once: {successes:?}"
    );
    for server in servers {
        let mut listed = emails_of(&Api::new(server).list_all("count=100"));
        let count = listed.len();
        listed.sort();
        listed.dedup();
        assert_eq!(listed.len(), count, "no address twice");
        assert_eq!(count, successes.len(), "every invited address pending once");
        assert_eq!(
            Api::new(server).get(LIST_PATH).json()["metadata"]["total"],
            count,
            "the total the database keeps, after concurrent writes through both instances"
        );
    }
}

#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn paging_through_one_instance_while_the_other_writes_neither_skips_nor_repeats() {
    let (_dir, url, a, b) = pair();
    let (api_a, api_b) = (Api::new(&a), Api::new(&b));
    let seeded: Vec<String> = (0..300).map(|i| format!("seed{i:03}@x.com")).collect();
    let refs: Vec<&str> = seeded.iter().map(String::as_str).collect();
    api_a.invite(&refs);
    let done = AtomicBool::new(false);
    let pages = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            // Until the reader is done: invite new addresses and revoke some of them.
            let mut round = 0;
            while !done.load(Ordering::Relaxed) {
                let fresh: Vec<String> = (0..5).map(|i| format!("new{round}-{i}@x.com")).collect();
                let refs: Vec<&str> = fresh.iter().map(String::as_str).collect();
                let results = api_a.invite(&refs);
                for result in results.iter().step_by(2) {
                    let id = result["data"]["id"].as_str().unwrap();
                    let revoked = api_a.post(
                        &format!("/api/v2/organization_invitations/{id}/invalidate"),
                        &Value::Null,
                    );
                    assert_eq!(revoked.status, 200);
                }
                round += 1;
            }
            round
        });
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = format!("{LIST_PATH}?count=7");
            if let Some(token) = &token {
                path.push_str(&format!("&paging_token={token}"));
            }
            let page = api_b.get(&path).json();
            pages += 1;
            all.extend(emails_of(page["results"].as_array().unwrap()));
            match page["metadata"]["next_paging_token"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => break,
            }
        }
        done.store(true, Ordering::Relaxed);
        let rounds = writer.join().unwrap();
        assert!(rounds > 0, "the other instance wrote while paging");
        (all, pages)
    });
    let (all, pages) = pages;
    assert!(pages > 40, "{pages} pages");
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for email in &all {
        *counts.entry(email).or_default() += 1;
    }
    assert!(
        counts.values().all(|seen| *seen == 1),
        "an invitation repeated"
    );
    for email in &seeded {
        assert!(counts.contains_key(email.as_str()), "{email} skipped");
    }
    let real = sql(
        &url,
        "SELECT COUNT(*) FROM invitations WHERE state = 'open'",
    );
    assert_eq!(
        api_b.get(LIST_PATH).json()["metadata"]["total"].to_string(),
        real.trim(),
        "the kept total is the real count"
    );
}

#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn an_instance_killed_right_after_acknowledging_loses_nothing() {
    let (_dir, url, a, b) = pair();
    let api_a = Api::new(&a);
    let mut acknowledged = Vec::new();
    for i in 0..40 {
        let email = format!("kept{i:02}@x.com");
        let reply = api_a.post(LIST_PATH, &serde_json::json!({"email": email}));
        assert_eq!(reply.status, 200, "{}", reply.body);
        acknowledged.push(email);
    }
    drop(api_a);
    a.kill_hard();
    assert_eq!(emails_of(&Api::new(&b).list_all("count=100")), acknowledged);
    // And a restarted instance finds them too.
    let restarted = instance(&url);
    assert_eq!(Api::new(&restarted).list_all("count=100").len(), 40);
}

#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn instances_starting_at_once_apply_the_schema_once() {
    let (_dir, url) = shared_database();
    let servers: Vec<TestServer> = std::thread::scope(|scope| {
        let starting: Vec<_> = (0..3).map(|_| scope.spawn(|| instance(&url))).collect();
        starting
            .into_iter()
            .map(|start| start.join().unwrap())
            .collect()
    });
    assert_eq!(sql(&url, VERSIONS).trim(), every_migration());
    let orgs: Vec<String> = servers
        .iter()
        .map(|server| {
            Api::new(server).invite(&[&format!("{}@x.com", server.port())]);
            Api::new(server).list_all("count=10")[0]["organization_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(orgs.windows(2).all(|pair| pair[0] == pair[1]), "{orgs:?}");
}

#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn a_database_from_a_newer_server_is_refused_untouched() {
    let (dir, url) = shared_database();
    drop(instance(&url));
    sql(&url, "INSERT INTO schema_version (version) VALUES (99)");
    let versions = sql(&url, "SELECT COUNT(*) FROM schema_version");
    let error = refused_start(&url, dir.path(), &testkit::postgres::ca_args());
    assert!(
        error.contains("newer version of this server (schema 99"),
        "{error}"
    );
    assert!(
        !error.contains("postgres://"),
        "no URL in messages: {error}"
    );
    assert_eq!(
        sql(&url, "SELECT COUNT(*) FROM schema_version"),
        versions,
        "nothing was changed"
    );
}

#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn a_bad_database_url_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = refused_start("postgres://[broken", dir.path(), &[]);
    assert!(error.contains("invalid --database-url"), "{error}");
}

/// A TCP relay between the server and PostgreSQL that can be cut, as a database restart or a
/// network failure looks to the server: open connections break, new ones are refused.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    fn to(target_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (up_in, open_in) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !up_in.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", target_port)) else {
                    continue;
                };
                let mut open = open_in.lock().unwrap();
                open.push(client.try_clone().unwrap());
                open.push(server.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let mut buffer = [0; 16 * 1024];
                        while let Ok(read) = from.read(&mut buffer) {
                            if read == 0 || to.write_all(&buffer[..read]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Self { port, up, open }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn heal(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// An instance on a database of its own, reached through a [`Relay`] that can be cut.
fn through_a_relay() -> (tempfile::TempDir, Relay, TestServer) {
    let (dir, url) = shared_database();
    let cluster_port: u16 = cluster().rsplit(':').next().unwrap().parse().unwrap();
    let relay = Relay::to(cluster_port);
    let relayed = url.replace(
        &format!("127.0.0.1:{cluster_port}"),
        &format!("127.0.0.1:{}", relay.port),
    );
    let server = instance(&relayed);
    (dir, relay, server)
}

#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn while_the_database_is_away_requests_get_a_clear_503_and_then_succeed() {
    let (_dir, relay, server) = through_a_relay();
    let api = Api::new(&server);
    api.invite(&["before@x.com"]);

    relay.cut();
    let listed = api.get(LIST_PATH);
    assert_eq!(listed.status, 503, "{}", listed.body);
    assert!(
        listed.detail().contains("database cannot be reached"),
        "{}",
        listed.body
    );
    assert!(listed.headers.get("retry-after").is_some());
    let refused = api.post(LIST_PATH, &serde_json::json!({"email": "during@x.com"}));
    assert_eq!(refused.status, 503, "{}", refused.body);

    relay.heal();
    // The pool replaces its broken connections: the very next requests succeed.
    let first_after = api.get(LIST_PATH);
    assert_eq!(first_after.status, 200, "{}", first_after.body);
    let created = api.post(LIST_PATH, &serde_json::json!({"email": "after@x.com"}));
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(
        emails_of(&api.list_all("count=10")),
        ["before@x.com", "after@x.com"]
    );
}

#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn a_database_from_the_first_schema_is_upgraded_and_its_rows_counted() {
    let (_dir, url) = shared_database();
    let first = instance(&url);
    let api = Api::new(&first);
    let created = api.invite(&["a@x.com", "b@x.com", "c@x.com"]);
    let id = created[0]["data"]["id"].as_str().unwrap();
    api.post(
        &format!("/api/v2/organization_invitations/{id}/invalidate"),
        &Value::Null,
    );
    drop(api);
    drop(first);
    // Back to what the first release of the schema held, before the migration history.
    sql(
        &url,
        "DROP TRIGGER count_open_invitations ON invitations;
         DROP FUNCTION count_open_invitations();
         DROP TABLE open_count;
         DROP INDEX open_invitations_in_order;
         ALTER TABLE sessions DROP COLUMN generation;
         DROP TABLE outbox;
         DROP TABLE webhooks;
         DROP TABLE webhook_deliveries;
         ALTER TABLE invitations DROP COLUMN locale, DROP COLUMN inviter, DROP COLUMN link_hash,
             DROP COLUMN declined_at_ms, DROP COLUMN expiry_noted, DROP COLUMN reminded_at_ms,
             DROP COLUMN reminder_link_hash, DROP CONSTRAINT invitations_state_check,
             ADD CONSTRAINT invitations_state_check
                 CHECK (state IN ('open', 'revoked', 'superseded'));
         DROP TABLE refinery_schema_history;
         DELETE FROM schema_version WHERE version > 1;",
    );
    let upgraded = instance(&url);
    assert_eq!(sql(&url, VERSIONS).trim(), every_migration());
    let api = Api::new(&upgraded);
    assert_eq!(api.get(LIST_PATH).json()["metadata"]["total"], 2);
    api.invite(&["d@x.com"]);
    assert_eq!(api.get(LIST_PATH).json()["metadata"]["total"], 3);
    assert_eq!(
        emails_of(&api.list_all("count=2")),
        ["b@x.com", "c@x.com", "d@x.com"]
    );
}

/// The test cluster offers TLS with a certificate from its own CA, as a team's database would.
#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn instances_use_the_databases_tls_and_check_its_certificate() {
    let ca = std::env::var(testkit::postgres::CA_ENV).unwrap_or_else(|_| {
        panic!(
            "this test needs the TLS of the cluster `cargo xtask test` starts ({} is not set)",
            testkit::postgres::CA_ENV
        )
    });
    let (dir, url) = shared_database();
    let server = instance(&format!("{url}?sslmode=require"));
    Api::new(&server).invite(&["over-tls@x.com"]);
    let database = url.rsplit('/').next().unwrap();
    let connections = sql(
        &url,
        &format!(
            "SELECT string_agg(DISTINCT ssl::text, ',') FROM pg_stat_ssl JOIN pg_stat_activity
             USING (pid) WHERE application_name = 'org-invitations-server'
             AND datname = '{database}'"
        ),
    );
    assert_eq!(connections.trim(), "true", "every connection uses TLS");

    // Without the CA, the certificate is not trusted: the server says so and does not start.
    let error = refused_start(&url, dir.path(), &[]);
    assert!(
        error.contains("certificate") && error.contains("--database-ca"),
        "{error}"
    );
    let missing = ["--database-ca", "/nonexistent/ca.crt"].map(String::from);
    let error = refused_start(&url, dir.path(), &missing);
    assert!(
        error.contains("cannot use --database-ca /nonexistent/ca.crt"),
        "{error}"
    );
    let not_pem = dir.path().join("not-a-certificate.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let empty = ["--database-ca".to_owned(), not_pem.display().to_string()];
    let error = refused_start(&url, dir.path(), &empty);
    assert!(error.contains("holds no PEM certificate"), "{error}");
    assert!(std::path::Path::new(&ca).exists());
}

/// A load balancer's view: `/readyz` turns 503 within seconds of the database going away,
/// naming the store and nothing secret, and back to 200 when it returns; `/healthz` stays 200.
#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn readiness_follows_the_database_and_health_does_not() {
    let (_dir, relay, server) = through_a_relay();
    let api = Api::new(&server);
    let ready = || api.get_with("/readyz", &[]);
    assert_eq!(ready().status, 200);

    relay.cut();
    let started = std::time::Instant::now();
    let refused = loop {
        let reply = ready();
        if reply.status == 503 || started.elapsed() > std::time::Duration::from_secs(10) {
            break reply;
        }
    };
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(refused.json()["status"], "unavailable");
    let said = refused.json()["checks"]["store"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !said.contains("postgres://") && !said.contains("password"),
        "{said}"
    );
    assert_eq!(
        api.get_with("/healthz", &[]).status,
        200,
        "the process still serves"
    );

    relay.heal();
    let started = std::time::Instant::now();
    while ready().status != 200 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "ready again once the database is back"
        );
    }
}

/// Two instances on one database share the outbox: 200 invitations made through both, 200
/// mails at the mail server, none twice.
#[test]
#[ignore = "needs a PostgreSQL cluster and Debian's python3-aiosmtpd: `cargo xtask test postgres` provides both"]
fn two_instances_send_each_invitations_mail_once() {
    let smtp = testkit::smtp::SmtpServer::start();
    let (_dir, url) = shared_database();
    let smtp_url = smtp.url();
    let sending = |database_url: &str| {
        instance_with(
            database_url,
            &[
                "--smtp-url",
                &smtp_url,
                "--mail-from",
                "Invitations <invitations@acme.example>",
            ],
        )
    };
    let (a, b) = (sending(&url), sending(&url));
    let addresses: Vec<String> = (0..200)
        .map(|n| format!("twice{n:03}@example.com"))
        .collect();
    let (first, second) = addresses.split_at(100);
    Api::new(&a).invite_all(first);
    Api::new(&b).invite_all(second);
    smtp.wait_for(200, std::time::Duration::from_secs(60));
    // Once every message is settled as sent, no instance will send any of them again: what
    // arrived by then is all that ever will.
    let started = std::time::Instant::now();
    while !Api::new(&a)
        .list_all("count=1000")
        .iter()
        .all(|invitation| invitation["delivery"]["state"] == "sent")
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "all settled as sent"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut to: Vec<String> = smtp
        .received()
        .into_iter()
        .map(|mail| mail.to[0].clone())
        .collect();
    to.sort();
    assert_eq!(to, addresses, "each address once, none twice");
}

#[test]
#[ignore = "needs a PostgreSQL cluster: `cargo xtask test postgres` starts one"]
fn two_instances_post_each_event_once() {
    let receiver = testkit::receiver::Receiver::start();
    let (_dir, url) = shared_database();
    let posting = |database_url: &str| {
        TestServer::start_with(ServerOptions {
            extra_args: [
                "--database-url",
                database_url,
                "--token",
                TOKEN,
                "--webhook-allow-http-loopback",
            ]
            .map(String::from)
            .to_vec(),
            hosts: Some(Vec::new()),
            ..Default::default()
        })
    };
    let (a, b) = (posting(&url), posting(&url));
    let added = Api::new(&a).post(
        "/api/console/webhooks",
        &serde_json::json!({"url": format!("{}/in", receiver.origin),
                            "events": ["invitation.created"]}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let addresses: Vec<String> = (0..100)
        .map(|n| format!("hook{n:03}@example.com"))
        .collect();
    let (first, second) = addresses.split_at(50);
    Api::new(&a).invite_all(first);
    Api::new(&b).invite_all(second);
    // Once every delivery is settled, no instance posts any of them again: what arrived by
    // then is all that ever will.
    let started = std::time::Instant::now();
    while sql(
        &url,
        "SELECT count(*) FROM webhook_deliveries WHERE state <> 'delivered'",
    )
    .trim()
        != "0"
        || receiver.received().len() < 100
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "all delivered: {} received",
            receiver.received().len()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let received = receiver.received();
    let mut ids: Vec<String> = received
        .iter()
        .map(|request| request.header("webhook-id").to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 100, "each event once");
    assert_eq!(received.len(), 100, "none twice");
    let mut emails: Vec<String> = received
        .iter()
        .map(|request| request.json()["data"]["email"].as_str().unwrap().to_owned())
        .collect();
    emails.sort();
    assert_eq!(emails, addresses);

    // Both instances look for expired invitations: each is reported once.
    let expiries = testkit::receiver::Receiver::start();
    let added = Api::new(&b).post(
        "/api/console/webhooks",
        &serde_json::json!({"url": format!("{}/in", expiries.origin),
                            "events": ["invitation.expired"]}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    sql(
        &url,
        "UPDATE invitations SET expires_at_ms = 1000 WHERE email LIKE 'hook00%'",
    );
    let started = std::time::Instant::now();
    while sql(
        &url,
        "SELECT count(*) FROM webhook_deliveries
         WHERE event_type = 'invitation.expired' AND state = 'delivered'",
    )
    .trim()
        != "10"
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "ten expiries delivered"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut expired: Vec<String> = expiries
        .received()
        .iter()
        .map(|request| request.json()["data"]["email"].as_str().unwrap().to_owned())
        .collect();
    expired.sort();
    assert_eq!(expired, &addresses[..10], "each once");
}
