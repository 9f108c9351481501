//! A real server behind a fault: a loopback proxy that passes every request on to the server
//! unchanged, except that, while told to, it answers batch creates itself with a 503 in the
//! contract's error body. It stands for an upstream API that refuses new invitations (an
//! outage, a quota) while its other endpoints work. One request per connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
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
    let mut rewritten = String::new();
    for line in head.split("\r\n").filter(|line| !line.is_empty()) {
        let name = line.split(':').next().unwrap_or_default().trim();
        if !name.eq_ignore_ascii_case("connection") {
            rewritten.push_str(line);
            rewritten.push_str("\r\n");
        }
    }
    rewritten.push_str("Connection: close\r\n\r\n");
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream_port)).await?;
    upstream.write_all(rewritten.as_bytes()).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}
