//! The API server under measurement: listing 10,000 invitations, a batch of 1,000, and a
//! sustained mixed load, each against a baseline the same server runs in the same process.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testkit::{ServerOptions, TestServer};
use ureq::Agent;

use crate::report::{header, line, median, ms, percentile};

pub struct Plan {
    rows: usize,
    batch: usize,
    repetitions: usize,
    /// The concurrent clients of each sustained-load run.
    clients: Vec<usize>,
    load: Duration,
    baseline_load: Duration,
}

impl Plan {
    pub fn full() -> Self {
        Self {
            rows: 10_000,
            batch: 1000,
            repetitions: 5,
            clients: vec![4, 16, 64],
            load: Duration::from_secs(30),
            baseline_load: Duration::from_secs(10),
        }
    }

    /// A smoke run of every measurement, for checking the benchmark itself.
    pub fn quick() -> Self {
        Self {
            rows: 2000,
            batch: 500,
            repetitions: 2,
            clients: vec![2, 8],
            load: Duration::from_secs(2),
            baseline_load: Duration::from_secs(1),
        }
    }
}

const BASELINE_FILE: &str = "baseline.json";

/// A server whose only limits are its own capacity: the load clients are one identity on one
/// address, to be measured, not limited.
pub(crate) fn unlimited_server(dist_dir: Option<std::path::PathBuf>) -> TestServer {
    unlimited_server_with(dist_dir, &[])
}

/// [`unlimited_server`] with more options.
pub(crate) fn unlimited_server_with(
    dist_dir: Option<std::path::PathBuf>,
    more: &[&str],
) -> TestServer {
    // Every load client comes from loopback: one address, to be measured, not capped.
    let mut extra_args = vec![
        "--write-limit".to_owned(),
        "100000000".to_owned(),
        "--max-connections-per-client".to_owned(),
        "1000000".to_owned(),
        "--max-mails-per-hour".to_owned(),
        "100000000".to_owned(),
    ];
    extra_args.extend(more.iter().map(|arg| arg.to_string()));
    TestServer::start_with(ServerOptions {
        dist_dir,
        extra_args,
        ..Default::default()
    })
}

/// Token shared by the instances on one PostgreSQL database.
const SHARED_TOKEN: &str = "sss_bench_shared_token_0123456789";

/// `count` unlimited instances on one new PostgreSQL database of the cluster `cargo xtask bench`
/// started; `None` when there is none (the benchmark run on its own).
fn postgres_instances(count: usize) -> Option<(tempfile::TempDir, Vec<TestServer>)> {
    std::env::var_os(testkit::postgres::CLUSTER_ENV)?;
    let folder = tempfile::tempdir().expect("a folder naming the database");
    let database = testkit::postgres::database_for(folder.path());
    let servers = (0..count)
        .map(|_| {
            unlimited_server_with(
                None,
                &["--database-url", &database, "--token", SHARED_TOKEN],
            )
        })
        .collect();
    Some((folder, servers))
}

pub fn run(plan: Plan) {
    // The baseline file is served by the same server from its static folder.
    let static_dir = tempfile::tempdir().expect("static folder");
    let server = unlimited_server(Some(static_dir.path().to_owned()));
    let client = Client::new(&server);
    println!(
        "Server benchmark (SQLite with group commit; PostgreSQL under sustained load): {} rows, {} repetitions, {:?} load clients on {} cores",
        plan.rows,
        plan.repetitions,
        plan.clients,
        cores()
    );

    header("Writes");
    let mut batch_times = Vec::new();
    let mut created = 0;
    while created < plan.rows {
        let emails: Vec<String> = (created..created + plan.batch)
            .map(|i| format!("seed{i}@example.com"))
            .collect();
        let started = Instant::now();
        client.batch(&emails);
        batch_times.push(started.elapsed());
        created += plan.batch;
    }
    let mut single_times = Vec::new();
    for repetition in 0..plan.repetitions.min(3) {
        let started = Instant::now();
        for i in 0..plan.batch {
            client.create_one(&format!("single{repetition}-{i}@example.com"));
        }
        single_times.push(started.elapsed());
        // Keep the table at `rows` pending invitations for the listing below.
        client.invalidate_all_matching("single");
    }
    let batch = median(&mut batch_times);
    let singles = median(&mut single_times);
    line(
        &format!("one batch_create of {}", plan.batch),
        &ms(batch),
        &format!("{} single creates", plan.batch),
        &ms(singles),
        ratio(batch, singles),
    );

    header("Reads");
    for page_size in [1000, 50] {
        // One untimed pass first, so caches are warm for every timed one.
        let (_, mut bytes) = client.list_everything(page_size);
        let mut times = Vec::new();
        for _ in 0..plan.repetitions {
            let started = Instant::now();
            let (rows, body_bytes) = client.list_everything(page_size);
            times.push(started.elapsed());
            assert_eq!(rows, plan.rows, "every pending invitation listed");
            bytes = body_bytes;
        }
        std::fs::write(static_dir.path().join(BASELINE_FILE), vec![b' '; bytes])
            .expect("baseline file");
        client.get_static(BASELINE_FILE);
        let mut baseline_times = Vec::new();
        for _ in 0..plan.repetitions {
            let started = Instant::now();
            client.get_static(BASELINE_FILE);
            baseline_times.push(started.elapsed());
        }
        let list = median(&mut times);
        let baseline = median(&mut baseline_times);
        line(
            &format!(
                "list all {} (count={page_size}, {} pages, {:.0} KiB)",
                plan.rows,
                plan.rows.div_ceil(page_size),
                bytes as f64 / 1024.0
            ),
            &ms(list),
            "the same bytes as one static file",
            &ms(baseline),
            ratio(list, baseline),
        );
    }

    println!("\n### Sustained load by store\n");
    println!(
        "Mixed list 70% / create 20% / invalidate 10%, {} s per run; baseline: userinfo only (no storage), {} s, on the SQLite server.",
        plan.load.as_secs(),
        plan.baseline_load.as_secs()
    );
    println!("| store | clients | requests/s | p50 | p99 | errors | baseline requests/s | ratio |");
    println!("|---|---|---|---|---|---|---|---|");
    let baselines: Vec<LoadResult> = plan
        .clients
        .iter()
        .map(|&clients| load(&[&server], clients, plan.baseline_load, Mix::Userinfo))
        .collect();
    let mut errors: usize = baselines.iter().map(|baseline| baseline.errors).sum();
    let postgres_one = postgres_instances(1);
    let postgres_two = postgres_instances(2);
    let mut stores: Vec<(&str, Vec<&TestServer>)> =
        vec![("SQLite (group commit), 1 instance", vec![&server])];
    match (&postgres_one, &postgres_two) {
        (Some((_, one)), Some((_, two))) => {
            stores.push(("PostgreSQL 15, 1 instance", one.iter().collect()));
            stores.push(("PostgreSQL 15, 2 instances", two.iter().collect()));
        }
        _ => println!(
            "(PostgreSQL left out: no cluster in {}; `cargo xtask bench` starts one.)",
            testkit::postgres::CLUSTER_ENV
        ),
    }
    for (store, servers) in &stores {
        for (&clients, baseline) in plan.clients.iter().zip(&baselines) {
            let mixed = load(servers, clients, plan.load, Mix::Invitations);
            println!(
                "| {store} | {clients} | {:.0} | {} | {} | {} | {:.0} | {:.2}× |",
                mixed.per_second,
                ms(mixed.p50),
                ms(mixed.p99),
                mixed.errors,
                baseline.per_second,
                mixed.per_second / baseline.per_second
            );
            errors += mixed.errors;
        }
    }
    assert_eq!(errors, 0, "a benchmark with errors measures nothing");
}

fn ratio(figure: Duration, baseline: Duration) -> f64 {
    figure.as_secs_f64() / baseline.as_secs_f64()
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
}

/// A keep-alive HTTP client with the server's token.
pub(crate) struct Client {
    agent: Agent,
    base: String,
    auth: String,
}

impl Client {
    pub(crate) fn new(server: &TestServer) -> Self {
        Self {
            agent: Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
            base: server.base_url.clone(),
            auth: format!("Bearer {}", server.token),
        }
    }

    fn get(&self, path: &str) -> Result<(u16, String), ureq::Error> {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", &self.auth)
            .call()?;
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()?;
        Ok((response.status().as_u16(), body))
    }

    fn post(&self, path: &str, body: &Value) -> Result<(u16, String), ureq::Error> {
        let mut response = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", &self.auth)
            .send_json(body)?;
        Ok((
            response.status().as_u16(),
            response.body_mut().read_to_string()?,
        ))
    }

    /// Adds a webhook endpoint at `url` for one event type.
    pub(crate) fn add_webhook(&self, url: &str, event: &str) {
        let (status, text) = self
            .post(
                "/api/console/webhooks",
                &json!({"url": url, "events": [event]}),
            )
            .expect("a webhook endpoint");
        assert_eq!(status, 200, "{text}");
    }

    pub(crate) fn batch(&self, emails: &[String]) -> Vec<Value> {
        let body: Vec<Value> = emails.iter().map(|email| json!({"email": email})).collect();
        let (status, text) = self
            .post(
                "/api/v2/organization_invitations/batch_create",
                &Value::from(body),
            )
            .expect("batch_create");
        assert_eq!(status, 200, "{text}");
        serde_json::from_str::<Value>(&text).expect("JSON")["results"]
            .as_array()
            .expect("results")
            .clone()
    }

    fn create_one(&self, email: &str) -> String {
        let (status, text) = self
            .post(
                "/api/v2/organization_invitations/",
                &json!({"email": email}),
            )
            .expect("create");
        assert_eq!(status, 200, "{text}");
        serde_json::from_str::<Value>(&text).expect("JSON")["result"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    fn invalidate(&self, id: &str) -> Result<(u16, String), ureq::Error> {
        self.post(
            &format!("/api/v2/organization_invitations/{id}/invalidate"),
            &Value::Null,
        )
    }

    fn invalidate_all_matching(&self, prefix: &str) {
        let mut token: Option<String> = None;
        let mut doomed = Vec::new();
        loop {
            let page = self.page(1000, token.as_deref());
            for invitation in page["results"].as_array().expect("results") {
                if invitation["email"]
                    .as_str()
                    .is_some_and(|email| email.starts_with(prefix))
                {
                    doomed.push(invitation["id"].as_str().expect("id").to_owned());
                }
            }
            match page["metadata"]["next_paging_token"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => break,
            }
        }
        for id in doomed {
            let (status, text) = self.invalidate(&id).expect("invalidate");
            assert_eq!(status, 200, "{text}");
        }
    }

    fn page(&self, count: usize, token: Option<&str>) -> Value {
        let mut path = format!("/api/v2/organization_invitations/?count={count}");
        if let Some(token) = token {
            path.push_str(&format!("&paging_token={token}"));
        }
        let (status, text) = self.get(&path).expect("list");
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).expect("JSON")
    }

    /// Every page; returns the row count and the bytes of all bodies.
    fn list_everything(&self, count: usize) -> (usize, usize) {
        let (mut rows, mut bytes) = (0, 0);
        let mut token: Option<String> = None;
        loop {
            let mut path = format!("/api/v2/organization_invitations/?count={count}");
            if let Some(token) = &token {
                path.push_str(&format!("&paging_token={token}"));
            }
            let (status, text) = self.get(&path).expect("list");
            assert_eq!(status, 200, "{text}");
            bytes += text.len();
            let page: Value = serde_json::from_str(&text).expect("JSON");
            rows += page["results"].as_array().expect("results").len();
            match page["metadata"]["next_paging_token"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => return (rows, bytes),
            }
        }
    }

    fn get_static(&self, file: &str) {
        let (status, _) = self.get(&format!("/{file}")).expect("static file");
        assert_eq!(status, 200);
    }
}

pub(crate) enum Mix {
    Invitations,
    Userinfo,
}

pub(crate) struct LoadResult {
    pub(crate) requests: usize,
    pub(crate) per_second: f64,
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
    pub(crate) errors: usize,
}

/// `clients` threads send requests back to back for `duration`, spread evenly over `servers`
/// (as a load balancer would).
pub(crate) fn load(
    servers: &[&TestServer],
    clients: usize,
    duration: Duration,
    mix: Mix,
) -> LoadResult {
    let started = Instant::now();
    let per_client: Vec<(Vec<Duration>, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client_number| {
                let mix = &mix;
                let server = servers[client_number % servers.len()];
                scope.spawn(move || {
                    let client = Client::new(server);
                    let mut latencies = Vec::new();
                    let mut errors = 0;
                    let mut own_ids: Vec<String> = Vec::new();
                    let mut sequence = 0usize;
                    while started.elapsed() < duration {
                        sequence += 1;
                        let request_started = Instant::now();
                        let outcome = match mix {
                            Mix::Userinfo => client.get("/api/v2/userinfo/"),
                            Mix::Invitations => match sequence % 10 {
                                0 if !own_ids.is_empty() => {
                                    client.invalidate(&own_ids.swap_remove(0))
                                }
                                1 | 2 => {
                                    let email =
                                        format!("load{client_number}-{sequence}@example.com");
                                    let reply = client.post(
                                        "/api/v2/organization_invitations/batch_create",
                                        &json!([{"email": email}]),
                                    );
                                    if let Ok((200, text)) = &reply {
                                        let body: Value =
                                            serde_json::from_str(text).unwrap_or_default();
                                        if let Some(id) = body["results"][0]["data"]["id"].as_str()
                                        {
                                            own_ids.push(id.to_owned());
                                        }
                                    }
                                    reply
                                }
                                _ => client.get("/api/v2/organization_invitations/?count=50"),
                            },
                        };
                        latencies.push(request_started.elapsed());
                        if !matches!(outcome, Ok((200, _))) {
                            errors += 1;
                        }
                    }
                    (latencies, errors)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("load client"))
            .collect()
    });
    let elapsed = started.elapsed();
    let errors = per_client.iter().map(|(_, errors)| errors).sum();
    let mut latencies: Vec<Duration> = per_client
        .into_iter()
        .flat_map(|(latencies, _)| latencies)
        .collect();
    let per_second = latencies.len() as f64 / elapsed.as_secs_f64();
    let p50 = percentile(&mut latencies, 50.0);
    let p99 = percentile(&mut latencies, 99.0);
    LoadResult {
        requests: latencies.len(),
        per_second,
        p50,
        p99,
        errors,
    }
}
