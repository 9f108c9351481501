//! A real server behind faults: a loopback proxy that passes every request on to the server
//! unchanged until told to fail the requests whose request line starts with some text, in one
//! of the ways networks and upstream APIs fail. One request per connection.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::relay;

/// What the refused requests are told by [`Fault::Refuse`].
pub const REFUSAL: &str = "New invitations are paused upstream";

/// How a matching request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answered by the proxy with a 503 and [`REFUSAL`] in the contract's error body: an
    /// upstream that refuses (an outage, a quota) while its other endpoints work.
    Refuse,
    /// Passed on and carried out by the server, whose answer is then thrown away and the
    /// connection closed: the connection dropped after the request arrived.
    DropAnswer,
    /// Read, and never answered.
    Hang,
    /// Read, and held until [`FaultProxy::heal`], then passed on: a slow upstream whose
    /// answer comes when the test says.
    Hold,
    /// Answered 200 with a body that is not JSON.
    Garbage,
    /// Answered 500 with a plain-text body, as a crashed upstream's front server does.
    ServerError,
}

#[derive(Clone)]
struct Rule {
    request_line: String,
    fault: Fault,
    /// Matching requests still to pass before the fault applies.
    pass_first: usize,
}

pub struct FaultProxy {
    pub origin: String,
    rule: Arc<Mutex<Option<Rule>>>,
    /// Sends `true` when the held requests may go on.
    healed: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// A proxy in front of the server at `upstream_port`, passing everything on.
    pub async fn start(upstream_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let origin = format!("http://{}", listener.local_addr().expect("bound"));
        let rule: Arc<Mutex<Option<Rule>>> = Arc::new(Mutex::new(None));
        let (healed, _) = tokio::sync::watch::channel(false);
        let task = tokio::spawn({
            let rule = rule.clone();
            let healed = healed.clone();
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    let rule = rule.clone();
                    let healed = healed.subscribe();
                    tokio::spawn(async move {
                        let _ = handle(client, rule, healed, upstream_port).await;
                    });
                }
            }
        });
        Self {
            origin,
            rule,
            healed,
            task,
        }
    }

    /// From now on, requests whose request line starts with `request_line` (as
    /// `POST /api/v2/organization_invitations/batch_create`) fail as `fault`, after the first
    /// `pass_first` of them.
    pub fn fail(&self, request_line: &str, fault: Fault, pass_first: usize) {
        self.healed.send_replace(false);
        *self.rule.lock().expect("rule") = Some(Rule {
            request_line: request_line.to_owned(),
            fault,
            pass_first,
        });
    }

    /// From now on, everything passes again, and requests held by [`Fault::Hold`] go on.
    pub fn heal(&self) {
        *self.rule.lock().expect("rule") = None;
        self.healed.send_replace(true);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The fault for a request with this head, counting it against the rule's passes.
fn fault_for(head: &str, rule: &Mutex<Option<Rule>>) -> Option<Fault> {
    let mut rule = rule.lock().expect("rule");
    let active = rule.as_mut()?;
    if !head.starts_with(&active.request_line) {
        return None;
    }
    if active.pass_first > 0 {
        active.pass_first -= 1;
        return None;
    }
    Some(active.fault)
}

async fn handle(
    mut client: TcpStream,
    rule: Arc<Mutex<Option<Rule>>>,
    mut healed: tokio::sync::watch::Receiver<bool>,
    upstream_port: u16,
) -> std::io::Result<()> {
    let Some(head) = relay::read_head(&mut client).await? else {
        return Ok(());
    };
    let answer = |status: &str, content_type: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let canned = match fault_for(&head, &rule) {
        None => return relay::pass_on(client, &head, |_| false, "", upstream_port).await,
        Some(Fault::Refuse) => answer(
            "503 Service Unavailable",
            "application/json",
            &format!(r#"{{"error": {{"detail": "{REFUSAL}"}}}}"#),
        ),
        Some(Fault::Garbage) => answer("200 OK", "application/json", "<html>Gateway says hi"),
        Some(Fault::ServerError) => answer(
            "500 Internal Server Error",
            "text/plain",
            "upstream crashed",
        ),
        Some(Fault::Hang) => {
            tokio::time::sleep(Duration::from_secs(600)).await;
            return Ok(());
        }
        Some(Fault::Hold) => {
            if healed.wait_for(|healed| *healed).await.is_err() {
                return Ok(());
            }
            return relay::pass_on(client, &head, |_| false, "", upstream_port).await;
        }
        Some(Fault::DropAnswer) => {
            let mut upstream = relay::open(&head, |_| false, "", upstream_port).await?;
            let length = content_length(&head);
            let mut body = vec![0u8; length];
            client.read_exact(&mut body).await?;
            upstream.write_all(&body).await?;
            // The server carries the request out and answers; the answer goes nowhere.
            let mut thrown_away = Vec::new();
            upstream.read_to_end(&mut thrown_away).await?;
            return Ok(());
        }
    };
    client.write_all(canned.as_bytes()).await?;
    client.shutdown().await
}

fn content_length(head: &str) -> usize {
    head.split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}
