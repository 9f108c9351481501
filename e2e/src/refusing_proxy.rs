//! A real server behind a fault: a loopback proxy that passes every request on to the server
//! unchanged, except that, while told to, it answers batch creates itself with a 503 in the
//! contract's error body. It stands for an upstream API that refuses new invitations (an
//! outage, a quota) while its other endpoints work. One request per connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::relay;

/// What the refused creates are told.
pub const REFUSAL: &str = "New invitations are paused upstream";

pub struct RefusingProxy {
    pub origin: String,
    refusing: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl RefusingProxy {
    /// A proxy in front of the server at `upstream_port`, refusing creates from the start.
    pub async fn start(upstream_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let origin = format!("http://{}", listener.local_addr().expect("bound"));
        let refusing = Arc::new(AtomicBool::new(true));
        let task = tokio::spawn({
            let refusing = refusing.clone();
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    let refusing = refusing.load(Ordering::SeqCst);
                    tokio::spawn(async move {
                        let _ = pass_on(client, refusing, upstream_port).await;
                    });
                }
            }
        });
        Self {
            origin,
            refusing,
            task,
        }
    }

    /// From now on, creates reach the server again.
    pub fn stop_refusing(&self) {
        self.refusing.store(false, Ordering::SeqCst);
    }
}

impl Drop for RefusingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pass_on(mut client: TcpStream, refusing: bool, upstream_port: u16) -> std::io::Result<()> {
    let Some(head) = relay::read_head(&mut client).await? else {
        return Ok(());
    };
    if refusing && head.starts_with("POST /api/v2/organization_invitations/batch_create ") {
        let body = format!(r#"{{"error": {{"detail": "{REFUSAL}"}}}}"#);
        let answer = format!(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        client.write_all(answer.as_bytes()).await?;
        return client.shutdown().await;
    }
    relay::pass_on(client, &head, |_| false, "", upstream_port).await
}
