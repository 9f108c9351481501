//! A stand-in for a company's authenticating proxy (oauth2-proxy, Pomerium…): it listens on
//! its own loopback port, takes out any identity header a client sent, adds the signed-in
//! person's address, and passes the request on to the server. One request per connection
//! (it asks the server to close), which is all a browser needs.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const IDENTITY_HEADER: &str = "X-Forwarded-Email";

/// Runs until dropped; `origin` is what the browser opens.
pub struct LoginProxy {
    pub origin: String,
    task: tokio::task::JoinHandle<()>,
}

impl LoginProxy {
    /// A proxy at which `person` is signed in, in front of the server at `upstream_port`.
    pub async fn start(person: &str, upstream_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let origin = format!("http://{}", listener.local_addr().expect("bound"));
        let person = person.to_owned();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let person = person.clone();
                tokio::spawn(async move {
                    let _ = pass_on(client, &person, upstream_port).await;
                });
            }
        });
        Self { origin, task }
    }
}

impl Drop for LoginProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pass_on(mut client: TcpStream, person: &str, upstream_port: u16) -> std::io::Result<()> {
    // Read the request head.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n").filter(|line| !line.is_empty());
    let request_line = lines.next().unwrap_or_default().to_owned();
    let mut rewritten = format!("{request_line}\r\n");
    for line in lines {
        let name = line.split(':').next().unwrap_or_default().trim();
        // Whatever the client claims, the proxy alone says who is signed in.
        if name.eq_ignore_ascii_case(IDENTITY_HEADER) || name.eq_ignore_ascii_case("connection") {
            continue;
        }
        rewritten.push_str(line);
        rewritten.push_str("\r\n");
    }
    rewritten.push_str(&format!(
        "{IDENTITY_HEADER}: {person}\r\nConnection: close\r\n\r\n"
    ));
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream_port)).await?;
    upstream.write_all(rewritten.as_bytes()).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}
