//! `org-invitations-server healthcheck`: asks the server on this machine for `/readyz` and
//! exits 0 when it answers 200, 1 otherwise, saying why. What a container's `HEALTHCHECK`
//! runs: the image holds the server's binary and nothing else, no shell and no curl.

use std::process::ExitCode;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::Config;
use crate::limits::HEALTHCHECK_WITHIN;

pub async fn run(url: Option<&str>, config: &Config) -> ExitCode {
    let address = match url {
        Some(url) => match url.strip_prefix("http://") {
            Some(rest) => rest.trim_end_matches('/').to_owned(),
            None => {
                eprintln!("healthcheck: --url must be http://HOST:PORT, not {url:?}");
                return ExitCode::FAILURE;
            }
        },
        // Listening on every address: this machine's loopback reaches it.
        None if config.host.is_unspecified() => format!("127.0.0.1:{}", config.port),
        None => std::net::SocketAddr::new(config.host, config.port).to_string(),
    };
    match tokio::time::timeout(HEALTHCHECK_WITHIN, ask(&address)).await {
        Ok(Ok(200)) => ExitCode::SUCCESS,
        Ok(Ok(status)) => {
            eprintln!("healthcheck: http://{address}/readyz answered {status}");
            ExitCode::FAILURE
        }
        Ok(Err(err)) => {
            eprintln!("healthcheck: cannot reach http://{address}/readyz: {err}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!(
                "healthcheck: http://{address}/readyz did not answer within {} s",
                HEALTHCHECK_WITHIN.as_secs()
            );
            ExitCode::FAILURE
        }
    }
}

/// The status code of `GET /readyz` at `address`.
async fn ask(address: &str) -> std::io::Result<u16> {
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream
        .write_all(
            format!("GET /readyz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await?;
    let mut head = [0u8; 64];
    let read = stream.read(&mut head).await?;
    String::from_utf8_lossy(&head[..read])
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other("the answer is not HTTP"))
}
