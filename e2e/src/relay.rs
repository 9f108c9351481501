//! What the test proxies share: read a request's head, pass it on with some header lines
//! taken out and others added, then relay both ways. One request per connection (the server
//! is asked to close), which is all a browser or the gateway needs.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The request's head, through the blank line; `None` if the client closed first.
pub async fn read_head(client: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await? == 0 {
            return Ok(None);
        }
        head.push(byte[0]);
    }
    Ok(Some(String::from_utf8_lossy(&head).into_owned()))
}

/// Sends `head` to the server at `upstream_port` without its `Connection` line and the lines
/// `drop` names, with the `extra` header lines, then relays the rest both ways.
pub async fn pass_on(
    mut client: TcpStream,
    head: &str,
    drop: impl Fn(&str) -> bool,
    extra: &str,
    upstream_port: u16,
) -> std::io::Result<()> {
    let mut upstream = open(head, drop, extra, upstream_port).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

/// A connection to the server at `upstream_port` with `head` sent, rewritten as
/// [`pass_on`] says; the body is the caller's to send.
pub async fn open(
    head: &str,
    drop: impl Fn(&str) -> bool,
    extra: &str,
    upstream_port: u16,
) -> std::io::Result<TcpStream> {
    let mut lines = head.split("\r\n").filter(|line| !line.is_empty());
    let mut rewritten = format!("{}\r\n", lines.next().unwrap_or_default());
    for line in lines {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("connection") || drop(name) {
            continue;
        }
        rewritten.push_str(line);
        rewritten.push_str("\r\n");
    }
    rewritten.push_str(&format!("{extra}Connection: close\r\n\r\n"));
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream_port)).await?;
    upstream.write_all(rewritten.as_bytes()).await?;
    Ok(upstream)
}
