//! A stand-in for a company's authenticating proxy (oauth2-proxy, Pomerium…): it listens on
//! its own loopback port, takes out any identity header a client sent, adds the signed-in
//! person's address, and passes the request on to the server. One request per connection
//! (it asks the server to close), which is all a browser needs.

use tokio::net::{TcpListener, TcpStream};

use crate::relay;

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
    let Some(head) = relay::read_head(&mut client).await? else {
        return Ok(());
    };
    // Whatever the client claims, the proxy alone says who is signed in.
    relay::pass_on(
        client,
        &head,
        |name| name.eq_ignore_ascii_case(IDENTITY_HEADER),
        &format!("{IDENTITY_HEADER}: {person}\r\n"),
        upstream_port,
    )
    .await
}
