//! Webhook deliveries to a real receiver on loopback: every event an invitation goes through,
//! each signed and checked by the Standard Webhooks reference verifier (PyPI's
//! `standardwebhooks`); receivers that fail, answer late, redirect or are down, retried on a
//! compressed schedule with the same `webhook-id`; endpoints paused, disabled and resumed; a
//! server killed with an event waiting; names that resolve inside the network refused when
//! added and when connecting. The server runs with its own hosts file and no DNS server, so
//! no lookup leaves the machine, and nothing connects anywhere but 127.0.0.1.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testkit::receiver::{Answer, Received, Receiver, verify};
use testkit::{Api, ServerOptions, TestServer};

const WEBHOOKS: &str = "/api/console/webhooks";
const INVITATIONS: &str = "/api/v2/organization_invitations/";
const WAIT: Duration = Duration::from_secs(20);
const NEEDS: &str =
    "needs the Standard Webhooks verifier and bubblewrap: `cargo xtask test` installs them";

/// A server that lets webhooks post over http to loopback, retrying on `delays`, its names
/// resolved through `hosts` alone.
fn server_with(delays: &str, extra: &[&str], hosts: &[(&str, &str)]) -> TestServer {
    server_in(None, delays, extra, hosts)
}

/// [`server_with`], keeping its data in `data_dir` when given.
fn server_in(
    data_dir: Option<std::path::PathBuf>,
    delays: &str,
    extra: &[&str],
    hosts: &[(&str, &str)],
) -> TestServer {
    let mut extra_args: Vec<String> = vec![
        "--webhook-allow-http-loopback".into(),
        "--webhook-retry-delays".into(),
        delays.into(),
    ];
    extra_args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    TestServer::start_with(ServerOptions {
        data_dir,
        extra_args,
        hosts: Some(
            hosts
                .iter()
                .map(|(name, address)| ((*name).to_owned(), (*address).to_owned()))
                .collect(),
        ),
        ..Default::default()
    })
}

/// Adds an endpoint at `url` for `events` (all when empty); its id and secret.
fn add(api: &Api, url: &str, events: &[&str]) -> (String, String) {
    let body = if events.is_empty() {
        json!({"url": url})
    } else {
        json!({"url": url, "events": events})
    };
    let added = api.post(WEBHOOKS, &body);
    assert_eq!(added.status, 200, "{}", added.body);
    let result = added.json()["result"].clone();
    (
        result["id"].as_str().unwrap().to_owned(),
        result["secret"].as_str().unwrap().to_owned(),
    )
}

/// The endpoint's deliveries, newest first.
fn deliveries(api: &Api, id: &str) -> Vec<Value> {
    let listed = api.get(&format!("{WEBHOOKS}/{id}/deliveries"));
    assert_eq!(listed.status, 200, "{}", listed.body);
    listed.json()["results"].as_array().unwrap().clone()
}

/// Waits until `done` holds of the endpoint's deliveries; them.
fn deliveries_until(
    api: &Api,
    id: &str,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let listed = deliveries(api, id);
        if done(&listed) {
            return listed;
        }
        assert!(started.elapsed() < WAIT, "{what}: {listed:#?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn types(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|request| request.json()["type"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits for a request of `event_type`; it.
fn wait_for_type(receiver: &Receiver, event_type: &str) -> Received {
    let started = Instant::now();
    loop {
        if let Some(found) = receiver
            .received()
            .into_iter()
            .find(|request| request.json()["type"] == event_type)
        {
            return found;
        }
        assert!(
            started.elapsed() < WAIT,
            "no {event_type}; received {:?}",
            types(&receiver.received())
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
#[ignore = "needs the Standard Webhooks verifier and bubblewrap: `cargo xtask test` installs them"]
fn every_event_of_an_invitation_reaches_the_receiver_signed_as_the_standard_says() {
    let _ = NEEDS;
    let receiver = Receiver::start();
    let server = server_with("0s,1s,1s", &[], &[]);
    let api = Api::new(&server);
    let (endpoint, secret) = add(&api, &format!("{}/hooks?tenant=7", receiver.origin), &[]);

    // Created, then delivered (its mail written to the data folder).
    let id = api.invite_in("ada@example.com", Some("fr"));
    let created = wait_for_type(&receiver, "invitation.created");
    let delivered = wait_for_type(&receiver, "invitation.delivered");
    for request in [&created, &delivered] {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/hooks?tenant=7");
        assert_eq!(request.header("content-type"), "application/json");
        verify(&secret, request).unwrap_or_else(|err| panic!("{err}: {request:#?}"));
        assert!(request.header("webhook-id").starts_with("msg_"));
        assert!(request.header("webhook-signature").starts_with("v1,"));
    }
    assert_ne!(created.header("webhook-id"), delivered.header("webhook-id"));
    let body = created.json();
    assert_eq!(body["data"]["id"], id.as_str());
    assert_eq!(body["data"]["email"], "ada@example.com");
    assert_eq!(body["data"]["actor"], "owner");
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    let invitation = api.get(&format!("{INVITATIONS}{id}")).json()["result"].clone();
    for field in ["id", "email", "organization_id", "created_at", "expires_at"] {
        assert_eq!(body["data"][field], invitation[field], "{field}");
    }
    assert_eq!(delivered.json()["data"]["delivery"]["state"], "written");
    assert!(
        delivered.json()["data"].get("actor").is_none(),
        "the courier is no one"
    );

    // A tampered body, or another secret, does not verify.
    let mut tampered = created.clone();
    tampered.body = tampered.body.replace("ada@", "eve@");
    assert!(verify(&secret, &tampered).is_err());
    assert!(verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &created).is_err());

    // Accepted through the link in the mail.
    let link = testkit::mail_link(&server, "ada@example.com");
    let path = link.strip_prefix(&server.base_url).unwrap();
    let page = api.get_with(path, &[]).body;
    let start = page.find("name=\"form\" value=\"").unwrap() + "name=\"form\" value=\"".len();
    let form = &page[start..start + 32];
    let accepted = api.send(
        "POST",
        path,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", &server.base_url),
        ],
        &format!("answer=accept&form={form}"),
    );
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let accepted = wait_for_type(&receiver, "invitation.accepted");
    assert_eq!(accepted.json()["data"]["id"], id.as_str());
    assert_eq!(accepted.json()["data"]["actor"], "ada@example.com");
    assert!(accepted.json()["data"]["accepted_at"].is_string());

    // Resent, then revoked; one expires by itself.
    let other = api.invite_in("bob@example.com", None);
    let resent = api.post(&format!("{INVITATIONS}{other}/resend"), &Value::Null);
    assert_eq!(resent.status, 200, "{}", resent.body);
    let fresh = resent.json()["result"]["id"].as_str().unwrap().to_owned();
    let resent = wait_for_type(&receiver, "invitation.resent");
    assert_eq!(resent.json()["data"]["id"], fresh.as_str());
    assert_eq!(resent.json()["data"]["replaces"], other.as_str());
    let revoked = api.post(&format!("{INVITATIONS}{fresh}/invalidate"), &Value::Null);
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(
        wait_for_type(&receiver, "invitation.revoked").json()["data"]["id"],
        fresh.as_str()
    );
    let late = api.invite_in("cy@example.com", None);
    server.expire_invitation(&late);
    let expired = wait_for_type(&receiver, "invitation.expired");
    assert_eq!(expired.json()["data"]["id"], late.as_str());

    // A test event, on demand.
    let tested = api.post(&format!("{WEBHOOKS}/{endpoint}/test"), &Value::Null);
    assert_eq!(tested.status, 202, "{}", tested.body);
    let test = wait_for_type(&receiver, "webhook.test");
    assert_eq!(test.json()["data"]["webhook_id"], endpoint.as_str());

    // Every request verifies, each event came once, and none holds a link, token or secret.
    let received = receiver.received();
    let mut ids: Vec<&str> = received.iter().map(|r| r.header("webhook-id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        received.len(),
        "each event once: {:?}",
        types(&received)
    );
    let token = link.rsplit('/').next().unwrap();
    for request in &received {
        verify(&secret, request).unwrap_or_else(|err| panic!("{err}: {request:#?}"));
        assert!(!request.body.contains(token), "no token: {}", request.body);
        assert!(!request.body.contains("/i/"), "no link: {}", request.body);
        assert!(!request.body.contains(&secret));
    }
    assert!(
        expired.json()["data"].get("actor").is_none(),
        "the server found it"
    );

    // The log lists them, delivered, with the answer code; the secret is in no log line and
    // no audit record.
    let listed = deliveries_until(&api, &endpoint, "all delivered", |listed| {
        listed.len() == received.len() && listed.iter().all(|d| d["status"] == "delivered")
    });
    assert!(
        listed
            .iter()
            .all(|d| d["response_status"] == 200 && d["attempts"] == 1)
    );
    assert!(!server.log().contains(&secret));
    assert!(
        !server.log().contains("tenant=7"),
        "a URL's query is never logged"
    );
    assert!(
        !api.get("/api/console/audit?count=200")
            .body
            .contains(&secret)
    );
}

#[test]
#[ignore = "needs the Standard Webhooks verifier and bubblewrap: `cargo xtask test` installs them"]
fn a_failing_receiver_is_retried_with_the_same_id_until_it_answers_and_redirects_are_not_followed()
{
    let receiver = Receiver::start();
    receiver.answer(Answer::Status(500));
    let elsewhere = Receiver::start();
    let server = server_with("0s,1s,1s,1s,1s,1s", &[], &[]);
    let api = Api::new(&server);
    let (endpoint, secret) = add(
        &api,
        &format!("{}/in", receiver.origin),
        &["invitation.created"],
    );
    api.invite(&["ada@example.com"]);

    let failed = deliveries_until(&api, &endpoint, "a failed attempt", |listed| {
        listed
            .first()
            .is_some_and(|d| d["attempts"] == 1 && d["response_status"] == 500)
    });
    assert_eq!(failed[0]["status"], "pending", "to be retried");
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("Answered 500")
    );
    assert!(failed[0]["next_attempt_at"].is_string());

    receiver.answer(Answer::Redirect(format!("{}/stolen", elsewhere.origin)));
    deliveries_until(&api, &endpoint, "a redirect not followed", |listed| {
        listed[0]["response_status"] == 307
    });
    let redirected = deliveries(&api, &endpoint);
    assert!(
        redirected[0]["error"]
            .as_str()
            .unwrap()
            .contains("redirects are not followed"),
        "{redirected:#?}"
    );

    // A long answer is read only up to a bound, and the log keeps a short part of it.
    receiver.answer(Answer::Long(500, 1 << 20));
    let long = deliveries_until(&api, &endpoint, "a long refusal", |listed| {
        listed[0]["error"]
            .as_str()
            .is_some_and(|error| error.starts_with("Answered 500: xxx"))
    });
    assert!(long[0]["error"].as_str().unwrap().len() < 300, "{long:#?}");

    receiver.answer(Answer::Status(204));
    let delivered = deliveries_until(&api, &endpoint, "delivered at last", |listed| {
        listed[0]["status"] == "delivered"
    });
    assert_eq!(delivered[0]["response_status"], 204);
    assert!(delivered[0]["attempts"].as_u64().unwrap() >= 3);
    let received = receiver.received();
    assert!(received.len() >= 3);
    let first = received[0].header("webhook-id");
    assert!(
        received
            .iter()
            .all(|request| request.header("webhook-id") == first),
        "every retry is the same message"
    );
    assert!(
        received
            .iter()
            .all(|request| request.body == received[0].body)
    );
    verify(&secret, received.last().unwrap()).unwrap();
    assert!(
        elsewhere.received().is_empty(),
        "the redirect was not followed"
    );

    // Redelivered on demand: the same message again, as a new delivery.
    let redelivered = api.post(
        &format!(
            "{WEBHOOKS}/{endpoint}/deliveries/{}/redeliver",
            delivered[0]["id"].as_str().unwrap()
        ),
        &Value::Null,
    );
    assert_eq!(redelivered.status, 202, "{}", redelivered.body);
    let again = receiver.wait_for(received.len() + 1, WAIT);
    assert_eq!(again.last().unwrap().header("webhook-id"), first);
    let missing = api.post(
        &format!("{WEBHOOKS}/{endpoint}/deliveries/whd_999999/redeliver"),
        &Value::Null,
    );
    assert_eq!(missing.status, 404, "{}", missing.body);
}

#[test]
#[ignore = "needs the Standard Webhooks verifier and bubblewrap: `cargo xtask test` installs them"]
fn a_receiver_that_is_down_gets_the_event_when_it_comes_back() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = server_with("0s,1s,1s,1s,1s,1s,1s,1s", &[], &[]);
    let api = Api::new(&server);
    let (endpoint, secret) = add(&api, &format!("http://127.0.0.1:{port}/in"), &[]);
    let id = api.invite_in("ada@example.com", None);
    let refused = deliveries_until(&api, &endpoint, "a refused connection", |listed| {
        listed
            .iter()
            .any(|d| d["attempts"].as_u64() >= Some(1) && d["error"].is_string())
    });
    let error = refused.iter().find_map(|d| d["error"].as_str()).unwrap();
    assert!(error.contains("Cannot connect"), "{error}");

    let receiver = Receiver::start_on(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let created = wait_for_type(&receiver, "invitation.created");
    assert_eq!(created.json()["data"]["id"], id.as_str());
    verify(&secret, &created).unwrap();
}

#[test]
#[ignore = "needs the Standard Webhooks verifier and bubblewrap: `cargo xtask test` installs them"]
fn a_late_receiver_times_out_and_never_holds_up_another() {
    let slow = Receiver::start();
    slow.answer(Answer::Late(Duration::from_secs(20), 200));
    let quick = Receiver::start();
    let server = server_with("0s,1h", &[], &[]);
    let api = Api::new(&server);
    let (slow_endpoint, _) = add(&api, &format!("{}/slow", slow.origin), &[]);
    let (_, quick_secret) = add(&api, &format!("{}/quick", quick.origin), &[]);

    let started = Instant::now();
    api.invite(&["ada@example.com"]);
    let created = wait_for_type(&quick, "invitation.created");
    verify(&quick_secret, &created).unwrap();
    wait_for_type(&quick, "invitation.delivered");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the quick receiver had both events while the slow one was still answering"
    );
    let timed_out = deliveries_until(&api, &slow_endpoint, "a timeout", |listed| {
        listed.iter().any(|d| d["error"].is_string())
    });
    let error = timed_out.iter().find_map(|d| d["error"].as_str()).unwrap();
    assert!(error.contains("No answer within 15 s"), "{error}");
}

#[test]
#[ignore = "needs the Standard Webhooks verifier and bubblewrap: `cargo xtask test` installs them"]
fn an_endpoint_failing_too_long_is_disabled_on_record_and_a_paused_one_loses_nothing() {
    let receiver = Receiver::start();
    receiver.answer(Answer::Status(503));
    let server = server_with("0s,1s", &["--webhook-disable-after", "2s"], &[]);
    let api = Api::new(&server);
    let (endpoint, _) = add(
        &api,
        &format!("{}/in", receiver.origin),
        &["invitation.created"],
    );
    api.invite(&["one@example.com"]);
    deliveries_until(&api, &endpoint, "the schedule ends", |listed| {
        listed[0]["status"] == "failed" && listed[0]["attempts"] == 2
    });
    // Another failure, two seconds after the first: the endpoint is disabled.
    std::thread::sleep(Duration::from_millis(2100));
    api.invite(&["two@example.com"]);
    let started = Instant::now();
    let disabled = loop {
        let listed = api.get(WEBHOOKS).json()["results"][0].clone();
        if listed["disabled_at"].is_string() {
            break listed;
        }
        assert!(started.elapsed() < WAIT, "not disabled: {listed:#}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(disabled["failing_since"].is_string());
    let trail = api.get("/api/console/audit?action=webhook_disabled");
    assert_eq!(
        trail.json()["results"][0]["actor"],
        "webhooks",
        "{}",
        trail.body
    );

    // Disabled, its events wait; resumed, they go.
    receiver.answer(Answer::Status(200));
    let before = receiver.received().len();
    api.invite(&["three@example.com"]);
    let resumed = api.post(&format!("{WEBHOOKS}/{endpoint}/resume"), &Value::Null);
    assert_eq!(resumed.status, 200, "{}", resumed.body);
    assert!(resumed.json()["result"].get("disabled_at").is_none());
    let arrived = receiver.wait_for(before + 1, WAIT);
    assert!(
        arrived[before..]
            .iter()
            .any(|request| request.json()["data"]["email"] == "three@example.com")
    );

    // Paused: nothing goes, nothing is lost.
    let paused = api.post(&format!("{WEBHOOKS}/{endpoint}/pause"), &Value::Null);
    assert_eq!(paused.status, 200, "{}", paused.body);
    assert!(paused.json()["result"]["paused_at"].is_string());
    let waiting = receiver
        .wait_for(usize::MAX, Duration::from_millis(300))
        .len();
    api.invite(&["four@example.com"]);
    let pending = deliveries_until(&api, &endpoint, "queued while paused", |listed| {
        listed[0]["status"] == "pending"
    });
    assert_eq!(pending[0]["attempts"], 0);
    assert_eq!(
        receiver.received().len(),
        waiting,
        "nothing posted while paused"
    );
    api.post(&format!("{WEBHOOKS}/{endpoint}/resume"), &Value::Null);
    let arrived = receiver.wait_for(waiting + 1, WAIT);
    assert_eq!(
        arrived.last().unwrap().json()["data"]["email"],
        "four@example.com"
    );
    for action in ["webhook_paused", "webhook_resumed"] {
        let trail = api.get(&format!("/api/console/audit?action={action}"));
        assert_eq!(
            trail.json()["results"][0]["actor"],
            "owner",
            "{action}: {}",
            trail.body
        );
    }
}

#[test]
#[ignore = "needs the Standard Webhooks verifier and bubblewrap: `cargo xtask test` installs them"]
fn an_event_waiting_when_the_server_is_killed_is_posted_after_the_restart() {
    let receiver = Receiver::start();
    let folder = tempfile::tempdir().unwrap();
    let data_dir = folder.path().join("data");
    let token = "sss_webhooks_restart_token_0123456789";
    let extra = ["--token", token];
    let server = server_in(Some(data_dir.clone()), "0s,1s", &extra, &[]);
    let api = Api::new(&server);
    let (endpoint, secret) = add(
        &api,
        &format!("{}/in", receiver.origin),
        &["invitation.created"],
    );
    api.post(&format!("{WEBHOOKS}/{endpoint}/pause"), &Value::Null);
    let id = api.invite_in("ada@example.com", None);
    server.kill_hard();

    let restarted = server_in(Some(data_dir), "0s,1s", &extra, &[]);
    let api = Api::new(&restarted);
    assert_eq!(deliveries(&api, &endpoint)[0]["status"], "pending");
    api.post(&format!("{WEBHOOKS}/{endpoint}/resume"), &Value::Null);
    let created = wait_for_type(&receiver, "invitation.created");
    assert_eq!(created.json()["data"]["id"], id.as_str());
    verify(&secret, &created).unwrap();
    assert_eq!(
        receiver.wait_for(2, Duration::from_millis(500)).len(),
        1,
        "once"
    );
}

#[test]
#[ignore = "needs the Standard Webhooks verifier and bubblewrap: `cargo xtask test` installs them"]
fn after_a_rotation_both_secrets_verify_for_a_day() {
    let receiver = Receiver::start();
    let server = server_with("0s,1s", &[], &[]);
    let api = Api::new(&server);
    let (endpoint, old) = add(&api, &format!("{}/in", receiver.origin), &["webhook.test"]);
    let rotated = api.post(&format!("{WEBHOOKS}/{endpoint}/rotate"), &Value::Null);
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new = rotated.json()["result"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    api.post(&format!("{WEBHOOKS}/{endpoint}/test"), &Value::Null);
    let test = wait_for_type(&receiver, "webhook.test");
    assert_eq!(test.header("webhook-signature").split(' ').count(), 2);
    verify(&new, &test).unwrap();
    verify(&old, &test).unwrap();
}

#[test]
#[ignore = "needs the Standard Webhooks verifier and bubblewrap: `cargo xtask test` installs them"]
fn names_that_resolve_inside_are_refused_when_added_and_when_connecting() {
    let receiver = Receiver::start();
    let port = receiver.origin.rsplit(':').next().unwrap().to_owned();
    let server = server_with(
        "0s,1s,1s,1s,1s,1s,1s,1s,1s,1s",
        &[],
        &[
            ("inside.example", "10.0.0.1"),
            ("metadata.example", "169.254.169.254"),
            ("v6.example", "fd00::1"),
            ("hook.example", "127.0.0.1"),
            ("later.example", "127.0.0.1"),
            ("public.example", "93.184.215.14"),
        ],
    );
    let api = Api::new(&server);
    for (url, why) in [
        ("https://inside.example/in", "10.0.0.1 is a private address"),
        (
            "https://metadata.example/in",
            "169.254.169.254 is link-local",
        ),
        (
            "https://v6.example/in",
            "fd00::1 is a private (unique local) address",
        ),
        (
            "http://public.example/in",
            "not a loopback address: plain http goes only to loopback",
        ),
    ] {
        let refused = api.post(WEBHOOKS, &json!({"url": url}));
        assert_eq!(refused.status, 422, "{url}: {}", refused.body);
        assert!(
            refused.detail().contains(why),
            "{url}: {}",
            refused.detail()
        );
    }
    let (endpoint, _) = add(&api, &format!("http://hook.example:{port}/in"), &[]);
    let (secure, _) = add(&api, &format!("https://later.example:{port}/in"), &[]);

    // A network the operator allows is taken; the rest of the inside stays refused.
    let allowing = server_with(
        "0s",
        &["--webhook-allow-network", "10.0.0.0/24"],
        &[
            ("inside.example", "10.0.0.1"),
            ("further.example", "10.0.1.1"),
        ],
    );
    let allowed = Api::new(&allowing);
    add(&allowed, "https://inside.example/in", &[]);
    let refused = allowed.post(WEBHOOKS, &json!({"url": "https://further.example/in"}));
    assert_eq!(refused.status, 422, "{}", refused.body);
    api.post(&format!("{WEBHOOKS}/{endpoint}/test"), &Value::Null);
    wait_for_type(&receiver, "webhook.test");

    // The name now resolves inside: refused when connecting, and nothing is sent.
    server.set_hosts(&[
        ("hook.example".into(), "10.0.0.1".into()),
        // What the client's own resolver refuses as it connects (https is not looked up
        // before); were it not, 0.0.0.0 would still only reach this machine.
        ("later.example".into(), "0.0.0.0".into()),
    ]);
    api.post(&format!("{WEBHOOKS}/{endpoint}/test"), &Value::Null);
    let refused = deliveries_until(&api, &endpoint, "refused at connect time", |listed| {
        listed[0]["error"].is_string()
    });
    let error = refused[0]["error"].as_str().unwrap();
    assert!(
        error.contains("hook.example resolves to an address the server may not post to: 10.0.0.1 is a private address"),
        "{error}"
    );
    api.post(&format!("{WEBHOOKS}/{secure}/test"), &Value::Null);
    let refused = deliveries_until(&api, &secure, "refused by the resolver", |listed| {
        listed[0]["error"].is_string()
    });
    let error = refused[0]["error"].as_str().unwrap();
    assert!(
        error.contains(
            "later.example resolves to an address the server may not post to: 0.0.0.0 is no address of a host"
        ),
        "{error}"
    );
    assert_eq!(receiver.received().len(), 1);
}

/// The receiver docs/webhooks.md shows, as written there.
fn documented_receiver() -> String {
    let doc = std::fs::read_to_string(testkit::workspace_root().join("docs/webhooks.md")).unwrap();
    let start = doc.find("```python\n").expect("a Python example") + "```python\n".len();
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_owned()
}

#[test]
#[ignore = "needs the Standard Webhooks verifier and bubblewrap: `cargo xtask test` installs them"]
fn the_documented_receiver_verifies_what_the_server_posts_and_refuses_a_forgery() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = server_with("0s,1s,1s,1s,1s,1s,1s,1s,1s,1s", &[], &[]);
    let api = Api::new(&server);
    let (_, secret) = add(
        &api,
        &format!("http://127.0.0.1:{port}/hooks"),
        &["invitation.created"],
    );
    let mut receiver = std::process::Command::new(testkit::receiver::verifier_python())
        .args(["-c", &documented_receiver()])
        .env("WEBHOOK_SECRET", &secret)
        .env("PORT", port.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines =
        std::io::BufRead::lines(std::io::BufReader::new(receiver.stdout.take().unwrap()));
    api.invite(&["ada@example.com"]);
    let printed = lines.next().unwrap().unwrap();
    assert_eq!(printed, "invitation.created ada@example.com");

    // A request it did not get from the server: refused.
    let forged = ureq::post(&format!("http://127.0.0.1:{port}/hooks"))
        .header("webhook-id", "msg_forged")
        .header("webhook-timestamp", &seconds_now().to_string())
        .header(
            "webhook-signature",
            "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
        )
        .config()
        .http_status_as_error(false)
        .build()
        .send(r#"{"type":"invitation.accepted","timestamp":"x","data":{}}"#)
        .unwrap();
    assert_eq!(forged.status(), 400);
    let _ = receiver.kill();
}

fn seconds_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
