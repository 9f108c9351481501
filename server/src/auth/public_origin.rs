//! The names this server answers to. A page on another name that resolves to this server (DNS
//! rebinding) is "same origin" to the browser, may send any header and may carry cookies set
//! for that name: so a cookie or the login proxy's identity is honoured only when the request's
//! `Host` is one of this server's names. A bearer token is not something such a page holds,
//! and is honoured whatever the name.

use std::net::IpAddr;

use axum::http::{HeaderMap, header};

/// Which `Host` names requests signed in by cookie or by the proxy must carry.
#[derive(Debug, Clone)]
pub enum PublicHosts {
    /// `--public-origin`: these names, with the port each origin gives (or its scheme's).
    Named(Vec<(String, u16)>),
    /// The default: the address the server listens on (and `localhost` on loopback), any
    /// port (a port chosen at start, or a proxy's, is not known here).
    Listening(Vec<String>),
    /// Listening on every address without `--public-origin`: any name can be right.
    Any,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "invalid --public-origin {0:?}: give an origin as https://invitations.example.com or http://10.0.0.11:8080"
)]
pub struct BadPublicOrigin(String);

impl PublicHosts {
    /// From `--public-origin` values, else from the listening address.
    pub fn new(origins: &[String], listening: IpAddr) -> Result<Self, BadPublicOrigin> {
        if !origins.is_empty() {
            return origins
                .iter()
                .map(|origin| parse_origin(origin).ok_or_else(|| BadPublicOrigin(origin.clone())))
                .collect::<Result<_, _>>()
                .map(Self::Named);
        }
        if listening.is_unspecified() {
            return Ok(Self::Any);
        }
        let mut names = vec![host_of_address(listening)];
        if listening.is_loopback() {
            names.extend(["localhost", "127.0.0.1", "[::1]"].map(str::to_owned));
        }
        Ok(Self::Listening(names))
    }

    /// Whether the request's `Host` names this server.
    pub fn allow(&self, headers: &HeaderMap) -> bool {
        let Some(host) = headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
        else {
            // HTTP/1.0 without a Host: no name a page could have rebound.
            return true;
        };
        let (name, port) = split_host(host);
        match self {
            Self::Any => true,
            Self::Listening(names) => names.iter().any(|known| known.eq_ignore_ascii_case(name)),
            Self::Named(origins) => origins.iter().any(|(known, known_port)| {
                known.eq_ignore_ascii_case(name) && port.is_none_or(|port| port == *known_port)
            }),
        }
    }
}

fn host_of_address(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// `name:port` or `[v6]:port` → the name (brackets kept for IPv6) and the port, if any.
fn split_host(host: &str) -> (&str, Option<u16>) {
    let host = host.trim();
    if host.starts_with('[') {
        return match host.split_once("]:") {
            Some((name, port)) => (&host[..name.len() + 1], port.parse().ok()),
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) => (name, port.parse().ok()),
        None => (host, None),
    }
}

/// `https://name[:port]` → the name and its port (443 or 80 when none is given).
fn parse_origin(origin: &str) -> Option<(String, u16)> {
    let (default_port, rest) = if let Some(rest) = origin.strip_prefix("https://") {
        (443, rest)
    } else {
        (80, origin.strip_prefix("http://")?)
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty()
        || !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    {
        return None;
    }
    let (name, port) = split_host(rest);
    if name.is_empty() || (rest.contains(':') && !rest.ends_with(']') && port.is_none()) {
        return None;
    }
    Some((name.to_ascii_lowercase(), port.unwrap_or(default_port)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn host(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn on_loopback_the_addresses_and_localhost_are_this_server() {
        let hosts = PublicHosts::new(&[], "127.0.0.1".parse().unwrap()).unwrap();
        for known in ["127.0.0.1:8080", "localhost", "LOCALHOST:1", "[::1]:8080"] {
            assert!(hosts.allow(&host(known)), "{known}");
        }
        for other in ["evil.example:8080", "127.0.0.1.evil.example", "10.0.0.1"] {
            assert!(!hosts.allow(&host(other)), "{other}");
        }
    }

    #[test]
    fn named_origins_are_the_only_names_with_their_ports() {
        let origins = [
            "https://invitations.corp.example".to_owned(),
            "http://10.0.0.11:8080".to_owned(),
        ];
        let hosts = PublicHosts::new(&origins, "0.0.0.0".parse().unwrap()).unwrap();
        for known in [
            "invitations.corp.example",
            "Invitations.Corp.Example:443",
            "10.0.0.11:8080",
        ] {
            assert!(hosts.allow(&host(known)), "{known}");
        }
        for other in [
            "invitations.corp.example:8443",
            "10.0.0.11:9090",
            "localhost",
        ] {
            assert!(!hosts.allow(&host(other)), "{other}");
        }
        for bad in [
            "invitations.corp.example",
            "ftp://x",
            "https://",
            "https://x.com/path",
            "https://x:port",
        ] {
            assert!(
                PublicHosts::new(&[bad.to_owned()], "0.0.0.0".parse().unwrap()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_address_without_names_allows_any() {
        let hosts = PublicHosts::new(&[], "0.0.0.0".parse().unwrap()).unwrap();
        assert!(hosts.allow(&host("anything.example")));
    }
}
