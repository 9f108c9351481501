//! Where a webhook may post: `https://` to a public address, or `http://` to a loopback one
//! where the operator allows it (`--webhook-allow-http-loopback`, for development and tests).
//! Private, link-local (the cloud metadata service at 169.254.169.254 among them), shared,
//! unspecified and multicast addresses are refused, so an admin's endpoint cannot make the
//! server reach into its own network, unless the operator allows a network by name
//! (`--webhook-allow-network`). An address written in the URL is judged here, before anything
//! connects; a name is judged by what it resolves to, when the endpoint is added and again
//! every time the server connects (`super::resolver`), so a name that later resolves inside
//! is refused too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::limits::MAX_WEBHOOK_URL_LEN;

/// What the operator allows beyond public `https://` addresses.
#[derive(Debug, Clone, Default)]
pub struct Allowed {
    /// `http://` (and `https://`) to loopback addresses and `localhost`.
    pub http_loopback: bool,
    /// Networks taken although they are private, link-local or shared
    /// (`--webhook-allow-network`).
    pub networks: Vec<ipnet::IpNet>,
}

/// `given` as an endpoint URL, or why not, in words an admin can act on. A name is judged
/// further by what it resolves to ([`judge_addresses`]).
pub fn judge(given: &str, allowed: &Allowed) -> Result<url::Url, String> {
    if given.chars().count() > MAX_WEBHOOK_URL_LEN {
        return Err(format!(
            "The endpoint URL is {} characters long; at most {MAX_WEBHOOK_URL_LEN} are taken",
            given.chars().count()
        ));
    }
    let url = url::Url::parse(given.trim()).map_err(|err| {
        format!("{given:?} is no URL ({err}): give one like https://hooks.example.com/invitations")
    })?;
    // A name may resolve to loopback: plain http to one is judged by its addresses.
    let maybe_loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => {
            refused_address(IpAddr::V4(ip), allowed)?;
            ip.is_loopback()
        }
        Some(url::Host::Ipv6(ip)) => {
            refused_address(IpAddr::V6(ip), allowed)?;
            ip.is_loopback()
        }
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let local = name == "localhost" || name.ends_with(".localhost");
            if local && !allowed.http_loopback {
                return Err(format!(
                    "{given:?} names this machine: endpoints must be reachable addresses of \
                     another system"
                ));
            }
            true
        }
        None => return Err(format!("{given:?} names no host to post to")),
    };
    match url.scheme() {
        "https" => {}
        "http" if maybe_loopback && allowed.http_loopback => {}
        "http" => {
            return Err(format!(
                "{given:?} is plain http: events carry people's addresses, so they go over \
                 https only (http only to a loopback address, where the server is started \
                 with --webhook-allow-http-loopback)"
            ));
        }
        other => {
            return Err(format!(
                "{given:?} is a {other}: URL; endpoints are https:// URLs"
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{given:?} holds credentials: deliveries are signed instead, and a URL's \
             credentials would be shown and logged"
        ));
    }
    if url.fragment().is_some() {
        return Err(format!(
            "{given:?} has a fragment (#…), which is never sent"
        ));
    }
    Ok(url)
}

/// Judges the addresses `url`'s host resolved to: each must be one the server may post to,
/// and for plain `http://` each a loopback address.
pub fn judge_addresses(
    url: &url::Url,
    addresses: &[IpAddr],
    allowed: &Allowed,
) -> Result<(), String> {
    let host = url.host_str().unwrap_or_default();
    for ip in addresses {
        refused_address(*ip, allowed).map_err(|why| {
            format!("{host} resolves to an address the server may not post to: {why}")
        })?;
        if url.scheme() == "http" && !ip.to_canonical().is_loopback() {
            return Err(format!(
                "{host} resolves to {ip}, which is not a loopback address: plain http goes \
                 only to loopback; use https"
            ));
        }
    }
    Ok(())
}

/// Why the server never posts to `ip`, if it does not.
pub fn refused_address(ip: IpAddr, allowed: &Allowed) -> Result<(), String> {
    if allowed
        .networks
        .iter()
        .any(|network| network.contains(&ip.to_canonical()))
    {
        return Ok(());
    }
    let why = match ip {
        IpAddr::V4(ip) => v4_refusal(ip, allowed),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => v4_refusal(v4, allowed),
            None => v6_refusal(ip, allowed),
        },
    };
    match why {
        Some(why) => Err(format!(
            "{ip} is {why}: endpoints must be public addresses of another system"
        )),
        None => Ok(()),
    }
}

fn v4_refusal(ip: Ipv4Addr, allowed: &Allowed) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        return (!allowed.http_loopback).then_some("a loopback address (this machine)");
    }
    if ip.is_link_local() {
        return Some("link-local (the cloud metadata service lives there)");
    }
    if ip.is_private() {
        return Some("a private address");
    }
    if a == 100 && (64..128).contains(&b) {
        return Some("a shared (carrier-grade NAT) address");
    }
    if ip.is_unspecified() || a == 0 {
        return Some("no address of a host");
    }
    if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        return Some("not a host's address (multicast, broadcast or reserved)");
    }
    None
}

fn v6_refusal(ip: Ipv6Addr, allowed: &Allowed) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        return (!allowed.http_loopback).then_some("a loopback address (this machine)");
    }
    if ip.is_unspecified() {
        return Some("no address of a host");
    }
    if first & 0xffc0 == 0xfe80 {
        return Some("link-local");
    }
    if first & 0xfe00 == 0xfc00 {
        return Some("a private (unique local) address");
    }
    if ip.is_multicast() {
        return Some("not a host's address (multicast)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> String {
        judge(url, &Allowed::default()).unwrap_err()
    }

    #[test]
    fn public_https_is_taken_and_every_kind_of_inside_address_is_refused_saying_why() {
        assert!(judge("https://hooks.example.com/in?x=1", &Allowed::default()).is_ok());
        assert!(judge("https://93.184.215.14/in", &Allowed::default()).is_ok());
        assert!(refused("not a url").contains("is no URL"));
        assert!(refused("http://hooks.example.com/in").contains("plain http"));
        assert!(refused("file:///etc/passwd").contains("names no host"));
        assert!(refused("ftp://hooks.example.com/in").contains("ftp: URL"));
        assert!(refused("https://10.0.0.1/in").contains("a private address"));
        assert!(refused("https://169.254.169.254/latest/meta-data").contains("metadata"));
        assert!(refused("https://[fd00::1]/in").contains("unique local"));
        assert!(refused("https://[fe80::1]/in").contains("link-local"));
        assert!(refused("https://[::ffff:10.0.0.1]/in").contains("a private address"));
        assert!(refused("https://100.64.0.1/in").contains("carrier-grade"));
        assert!(refused("https://0.0.0.0/in").contains("no address"));
        assert!(refused("https://127.0.0.1/in").contains("loopback"));
        assert!(refused("https://localhost/in").contains("this machine"));
        assert!(refused("https://user:pw@hooks.example.com/in").contains("credentials"));
        let long = format!("https://hooks.example.com/{}", "a".repeat(10_000));
        assert!(refused(&long).contains("at most"));
    }

    #[test]
    fn loopback_over_http_only_where_the_operator_allows_it() {
        let allowed = &Allowed {
            http_loopback: true,
            networks: Vec::new(),
        };
        assert!(judge("http://127.0.0.1:8080/in", allowed).is_ok());
        assert!(judge("http://[::1]:8080/in", allowed).is_ok());
        assert!(judge("http://localhost:8080/in", allowed).is_ok());
        assert!(
            judge("http://93.184.215.14/in", allowed)
                .unwrap_err()
                .contains("plain http")
        );
        // A name is taken for now, and judged by what it resolves to.
        let named = judge("http://hooks.example.com/in", allowed).unwrap();
        assert!(judge_addresses(&named, &["127.0.0.1".parse().unwrap()], allowed).is_ok());
        assert!(
            judge_addresses(&named, &["93.184.215.14".parse().unwrap()], allowed)
                .unwrap_err()
                .contains("not a loopback address")
        );
        assert!(
            judge("https://10.0.0.1/in", allowed)
                .unwrap_err()
                .contains("private")
        );
    }

    #[test]
    fn a_network_the_operator_allows_is_taken_and_no_other() {
        let allowed = &Allowed {
            http_loopback: false,
            networks: vec!["10.1.0.0/16".parse().unwrap()],
        };
        assert!(judge("https://10.1.2.3/in", allowed).is_ok());
        assert!(judge("https://[::ffff:10.1.2.3]/in", allowed).is_ok());
        assert!(
            judge("https://10.2.0.1/in", allowed)
                .unwrap_err()
                .contains("private")
        );
        let named = judge("https://hooks.example.com/in", allowed).unwrap();
        let inside: IpAddr = "169.254.169.254".parse().unwrap();
        assert!(
            judge_addresses(&named, &[inside], allowed)
                .unwrap_err()
                .contains("hooks.example.com resolves to an address the server may not post to: 169.254.169.254 is link-local")
        );
    }
}
