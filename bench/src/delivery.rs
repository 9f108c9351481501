//! Invitation mail: a batch of invitations made through the API until the mail server has
//! accepted the last of their mail, beside a plain SMTP client (lettre, the library the server
//! sends with, as many connections at once as the server's worker uses) sending the very same
//! messages straight to a mail server of the same kind, in the same run. Both mail servers are
//! Debian's aiosmtpd on loopback; the ratio is what the outbox costs (a transaction to queue,
//! one to claim, one to settle each message, its audit records) over sending alone.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use testkit::smtp::SmtpServer;

use crate::report::{header, line, median, ms};
use crate::server::{Client, unlimited_server_with};

/// What the server's worker sends at once (`MAIL_BATCH` in server/src/limits.rs).
const AT_ONCE: usize = 16;

/// How long the mail may take before the run is called failed.
const WITHIN: Duration = Duration::from_secs(600);

pub fn run(mails: usize, repetitions: usize) {
    let mut through_server = Vec::with_capacity(repetitions);
    let mut plain = Vec::with_capacity(repetitions);
    for repetition in 0..repetitions {
        let (took, messages) = invite_and_wait(mails, repetition);
        through_server.push(took);
        plain.push(send_plainly(&messages));
    }
    let (server, plain) = (median(&mut through_server), median(&mut plain));
    let rate = |took: Duration| mails as f64 / took.as_secs_f64();
    header("Invitation mail (aiosmtpd on loopback)");
    line(
        &format!("{mails} invitations in one batch, until the last mail is accepted"),
        &ms(server),
        &format!("a plain SMTP client sending the same {mails} messages"),
        &ms(plain),
        server.as_secs_f64() / plain.as_secs_f64(),
    );
    println!(
        "\nRate: {:.0} mails/s through the server, {:.0} mails/s plainly: {:.2}× the plain \
         client's rate.",
        rate(server),
        rate(plain),
        rate(server) / rate(plain)
    );
}

/// Makes `mails` invitations in one batch on a fresh server sending through a fresh mail
/// server; returns how long until the last mail was accepted, and the messages as they came.
fn invite_and_wait(mails: usize, repetition: usize) -> (Duration, Vec<(String, Vec<u8>)>) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let server = unlimited_server_with(
        None,
        &[
            "--smtp-url",
            &url,
            "--mail-from",
            "Bench <invitations@bench.example>",
        ],
    );
    let emails: Vec<String> = (0..mails)
        .map(|i| format!("member{repetition}x{i}@example.com"))
        .collect();
    let client = Client::new(&server);
    let started = Instant::now();
    let results = client.batch(&emails);
    assert!(results.iter().all(|result| result["status"] == 200));
    wait_for(&smtp, mails);
    let took = started.elapsed();
    let messages = smtp
        .received()
        .into_iter()
        .map(|mail| (mail.to[0].clone(), mail.raw))
        .collect();
    (took, messages)
}

/// Sends `messages` to a fresh mail server, `AT_ONCE` at a time over pooled connections;
/// returns how long until the last was accepted.
fn send_plainly(messages: &[(String, Vec<u8>)]) -> Duration {
    let smtp = SmtpServer::start();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let from: lettre::Address = "invitations@bench.example".parse().expect("an address");
    let started = Instant::now();
    runtime.block_on(async {
        // Made and dropped inside the runtime: its pool lives on it.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(smtp.port)
            .build();
        futures_util::stream::iter(messages)
            .map(|(to, raw)| {
                let envelope =
                    Envelope::new(Some(from.clone()), vec![to.parse().expect("an address")])
                        .expect("an envelope");
                let transport = &transport;
                async move {
                    transport
                        .send_raw(&envelope, raw)
                        .await
                        .expect("the mail server accepts it")
                }
            })
            .buffer_unordered(AT_ONCE)
            .collect::<Vec<_>>()
            .await
    });
    wait_for(&smtp, messages.len());
    started.elapsed()
}

fn wait_for(smtp: &SmtpServer, count: usize) {
    let started = Instant::now();
    while smtp.count() < count {
        assert!(
            started.elapsed() < WITHIN,
            "{} of {count} mails accepted within {WITHIN:?}",
            smtp.count()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}
