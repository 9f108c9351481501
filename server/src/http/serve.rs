//! The connection loop: serves the router on a listener with a cap on connections overall and
//! per client address (so one client holding idle connections cannot take everybody's), a
//! deadline for request headers (which also closes connections left idle), a deadline for
//! request bodies, and a shutdown that waits a few seconds for requests in flight, then exits.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::client_address::network_of;
use crate::limits::{CONNECTION_BUFFER_BYTES, CONNECTION_MAX_HEADERS, SHUTDOWN_GRACE};
use crate::unread::BodyDeadline;

/// How the connection loop treats clients.
#[derive(Debug, Clone)]
pub struct Serving {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
    /// Connections one client address may hold at once; more are closed as they come.
    pub max_per_client: usize,
    /// Addresses the per-client cap does not apply to: the login proxy, through which every
    /// person comes.
    pub shared_addresses: Vec<IpAddr>,
}

/// How many connections each client address (an IPv6 client's /64) holds now.
#[derive(Default)]
struct PerClient(Mutex<HashMap<IpAddr, usize>>);

impl PerClient {
    /// Counts a connection from `address`, unless it already holds `most`.
    fn admit(self: &Arc<Self>, address: IpAddr, most: usize) -> Option<ClientSlot> {
        let mut held = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = held.entry(address).or_default();
        if *count >= most {
            return None;
        }
        *count += 1;
        Some(ClientSlot {
            clients: self.clone(),
            address,
        })
    }
}

/// One connection of a client, given back when the connection ends.
struct ClientSlot {
    clients: Arc<PerClient>,
    address: IpAddr,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut held = self
            .clients
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = held.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.address);
            }
        }
    }
}

/// Serves `router` until `shutdown` resolves; then stops accepting, lets requests in flight
/// finish for [`SHUTDOWN_GRACE`], and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    serving: Serving,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(serving.max_connections));
    let clients = Arc::new(PerClient::default());
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(serving.header_timeout)
        .max_buf_size(CONNECTION_BUFFER_BYTES)
        .max_headers(CONNECTION_MAX_HEADERS);
    tokio::pin!(shutdown);
    loop {
        if slots.available_permits() == 0 {
            tracing::warn!(
                max_connections = serving.max_connections,
                "connection limit reached; new connections wait"
            );
        }
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, most likely: say so and try again shortly.
                    tracing::error!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let client_slot = if serving.shared_addresses.contains(&peer.ip()) {
            None
        } else {
            match clients.admit(network_of(peer.ip()), serving.max_per_client) {
                Some(held) => Some(held),
                None => {
                    tracing::debug!(client = %peer.ip(), "connection refused: the client holds its most");
                    // Closed at once: the slot goes back to everybody else.
                    drop(stream);
                    continue;
                }
            }
        };
        let router = router.clone();
        let body_deadline = BodyDeadline(serving.body_timeout);
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(body_deadline);
            let router = router.clone();
            async move {
                Ok::<_, Infallible>(
                    router
                        .oneshot(request.map(Body::new))
                        .await
                        .unwrap_or_else(|never| match never {}),
                )
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(client_slot);
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "requests still running at shutdown were cut off");
        }
    }
    Ok(())
}
