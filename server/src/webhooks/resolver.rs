//! Names resolved for webhook deliveries, each address judged before anything connects to it
//! (`super::target`): a name that resolves inside the server's network (private, link-local,
//! the metadata service) is refused whenever the server is about to connect, not only when
//! the endpoint was added, so a name changed later to point inside is refused too.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use super::target::{Allowed, refused_address};
use crate::limits::WEBHOOK_RESOLVE_TIMEOUT;

/// The addresses `host` resolves to (through the system's resolver, within
/// [`WEBHOOK_RESOLVE_TIMEOUT`]), or why none may be used.
pub async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let found: Vec<SocketAddr> = tokio::time::timeout(
        WEBHOOK_RESOLVE_TIMEOUT,
        tokio::net::lookup_host((host, port)),
    )
    .await
    .map_err(|_| {
        format!(
            "{host} did not resolve within {} s",
            WEBHOOK_RESOLVE_TIMEOUT.as_secs()
        )
    })?
    .map_err(|err| format!("{host} does not resolve: {err}"))?
    .collect();
    if found.is_empty() {
        return Err(format!("{host} resolves to no address"));
    }
    Ok(found)
}

/// The resolver the delivery client connects through: every address a name resolves to must
/// be one the server may post to, or the name is refused (one inside address among public
/// ones refuses it all: a receiver has no need of one).
pub struct Vetted {
    pub allowed: Arc<Allowed>,
}

impl reqwest::dns::Resolve for Vetted {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allowed = self.allowed.clone();
        Box::pin(async move {
            let host = name.as_str();
            let found = resolve(host, 0).await?;
            for address in &found {
                refused_address(address.ip(), &allowed).map_err(|why| {
                    format!("{host} resolves to an address the server may not post to: {why}")
                })?;
            }
            let addresses: Box<dyn Iterator<Item = SocketAddr> + Send> =
                Box::new(found.into_iter());
            Ok(addresses)
        })
    }
}

/// The addresses of `url`'s host when it is a name (none for an address written in it).
pub async fn addresses_of(url: &url::Url) -> Result<Vec<IpAddr>, String> {
    match url.host() {
        Some(url::Host::Domain(name)) => Ok(resolve(name, 0)
            .await?
            .into_iter()
            .map(|address| address.ip())
            .collect()),
        _ => Ok(Vec::new()),
    }
}
