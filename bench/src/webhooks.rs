//! Webhooks: a batch of invitations made through the API until a receiver on loopback has the
//! last `invitation.created` event, beside a plain HTTP client posting the very same requests
//! (body and signature headers) to a receiver of the same kind, one at a time as the server
//! posts to one endpoint, in the same run. The ratio is what the event outbox costs (an event
//! queued in each change's transaction, a claim, the body made once, a settle) over posting
//! alone.

use std::time::{Duration, Instant};

use testkit::receiver::{Received, Receiver};

use crate::report::{header, line, median, ms};
use crate::server::{Client, unlimited_server_with};

/// How long the events may take before the run is called failed.
const WITHIN: Duration = Duration::from_secs(600);

pub fn run(events: usize, repetitions: usize) {
    let mut through_server = Vec::with_capacity(repetitions);
    let mut plain = Vec::with_capacity(repetitions);
    for repetition in 0..repetitions {
        let (took, received) = invite_and_wait(events, repetition);
        through_server.push(took);
        plain.push(post_plainly(&received));
    }
    let (server, plain) = (median(&mut through_server), median(&mut plain));
    let rate = |took: Duration| events as f64 / took.as_secs_f64();
    header("Webhooks (a receiver on loopback)");
    line(
        &format!("{events} invitations in one batch, until the last event is received"),
        &ms(server),
        &format!("a plain HTTP client posting the same {events} requests, one at a time"),
        &ms(plain),
        server.as_secs_f64() / plain.as_secs_f64(),
    );
    println!(
        "\nRate: {:.0} events/s through the server, {:.0} events/s plainly: {:.2}× the plain \
         client's rate.",
        rate(server),
        rate(plain),
        rate(server) / rate(plain)
    );
}

/// Makes `events` invitations in one batch on a fresh server posting to a fresh receiver;
/// returns how long until the last event arrived, and the requests as they came.
fn invite_and_wait(events: usize, repetition: usize) -> (Duration, Vec<Received>) {
    let receiver = Receiver::start();
    let server = unlimited_server_with(None, &["--webhook-allow-http-loopback"]);
    let client = Client::new(&server);
    client.add_webhook(&format!("{}/in", receiver.origin), "invitation.created");
    let emails: Vec<String> = (0..events)
        .map(|i| format!("hooked{repetition}x{i}@example.com"))
        .collect();
    let started = Instant::now();
    let results = client.batch(&emails);
    assert!(results.iter().all(|result| result["status"] == 200));
    let received = receiver.wait_for(events, WITHIN);
    assert_eq!(received.len(), events, "every event within {WITHIN:?}");
    (started.elapsed(), received)
}

/// Posts `requests` again, as they came, to a fresh receiver, one at a time; returns how long
/// until the last was answered.
fn post_plainly(requests: &[Received]) -> Duration {
    let receiver = Receiver::start();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}/in", receiver.origin);
    let started = Instant::now();
    for request in requests {
        let mut post = agent.post(&url);
        for name in [
            "content-type",
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
        ] {
            post = post.header(name, request.header(name));
        }
        let answer = post.send(&request.body).expect("the receiver answers");
        assert_eq!(answer.status(), 200);
    }
    started.elapsed()
}
