//! Who is asking, before any credential says so (on the ground floor: the connection loop,
//! the credential check and the limits all need it): the address limits are keyed on until an
//! identity is known. Directly, that is the connection's peer. Behind a trusted login proxy
//! every request comes from the proxy, so the client is the rightmost address of the one
//! header the proxy is configured to write (`--client-address-header`, `X-Forwarded-For` by
//! default; `Forwarded` is read as RFC 7239's `for=`) that is not itself a trusted proxy: the
//! hop the proxy appended, which a client cannot forge by sending earlier hops of its own (the
//! convention of maintained crates such as axum-client-ip). Other forwarding headers are never
//! read: a proxy that appends `X-Forwarded-For` passes a client's own `Forwarded` through.

use std::net::IpAddr;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderName};

/// The proxy's header names a hop that is no address where the client should be (`unknown`,
/// an obfuscated name): the client cannot be told apart, and the proxy's own address is no
/// stand-in for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableHop(pub String);

/// The client behind `peer`: `peer` itself unless it is one of `trusted`; then the rightmost
/// hop of `header` that is not trusted (or `peer`, when the header is absent or names only
/// trusted hops: a request the proxy's host made itself).
pub fn client_address(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpAddr],
    header: &HeaderName,
) -> Result<IpAddr, UnreadableHop> {
    if !trusted.contains(&peer) {
        return Ok(peer);
    }
    for hop in hops(headers, header).iter().rev() {
        match parse_hop(hop) {
            Some(address) if trusted.contains(&address) => continue,
            Some(address) => return Ok(address),
            None => return Err(UnreadableHop(crate::logged::cut(hop).into_owned())),
        }
    }
    Ok(peer)
}

/// Every hop `header` names, in the order they were added, over all its lines.
fn hops(headers: &HeaderMap, header: &HeaderName) -> Vec<String> {
    let elements = headers
        .get_all(header)
        .iter()
        .map(|value| value.to_str().unwrap_or("\u{fffd}"))
        .flat_map(|value| value.split(','))
        .map(str::trim);
    if header.as_str() == "forwarded" {
        elements
            .map(|element| {
                element
                    .split(';')
                    .find_map(|pair| {
                        let (name, value) = pair.split_once('=')?;
                        name.trim()
                            .eq_ignore_ascii_case("for")
                            .then(|| value.trim().trim_matches('"').to_owned())
                    })
                    .unwrap_or_default()
            })
            .collect()
    } else {
        elements.map(str::to_owned).collect()
    }
}

/// `203.0.113.7`, `203.0.113.7:4711`, `[2001:db8::1]:4711` or `2001:db8::1`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(address) = hop.parse() {
        return Some(address);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    hop.rsplit_once(':')?.0.parse().ok()
}

/// What a per-address limit is keyed on: an IPv4 address itself (also written as an
/// IPv4-mapped IPv6 one), an IPv6 address's /64, the least a network hands one subscriber, so
/// one client cannot get a fresh allowance from every address of its own prefix.
pub fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from_bits(
                v6.to_bits() & !u128::from(u64::MAX),
            )),
        },
    }
}

/// The client's address, as the connection says.
pub fn address_of(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    const PROXY: [u8; 4] = [10, 0, 0, 5];
    const XFF: HeaderName = HeaderName::from_static("x-forwarded-for");

    fn from(
        header: &HeaderName,
        pairs: &[(&'static str, &'static str)],
    ) -> Result<IpAddr, UnreadableHop> {
        let proxy = IpAddr::from(PROXY);
        client_address(proxy, &headers(pairs), &[proxy], header)
    }

    #[test]
    fn the_client_is_the_rightmost_hop_the_trusted_proxy_did_not_add_itself() {
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(
            from(&XFF, &[("x-forwarded-for", "203.0.113.7")]),
            Ok(client)
        );
        assert_eq!(
            from(&XFF, &[("x-forwarded-for", "1.2.3.4, 203.0.113.7")]),
            Ok(client),
            "a forged earlier hop is ignored"
        );
        assert_eq!(
            from(
                &XFF,
                &[
                    ("x-forwarded-for", "1.2.3.4"),
                    ("x-forwarded-for", "203.0.113.7, 10.0.0.5")
                ]
            ),
            Ok(client),
            "repeated headers in order; the proxy's own hop skipped"
        );
        assert_eq!(
            from(&XFF, &[("x-forwarded-for", "203.0.113.7:5000")]),
            Ok(client),
            "with a port"
        );
        assert_eq!(
            from(&XFF, &[]),
            Ok(IpAddr::from(PROXY)),
            "nothing forwarded: the proxy itself"
        );
    }

    #[test]
    fn only_the_configured_header_is_read() {
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let both = [
            ("forwarded", "for=198.51.100.1"),
            ("x-forwarded-for", "203.0.113.7"),
        ];
        assert_eq!(
            from(&XFF, &both),
            Ok(client),
            "a client's own Forwarded passed through"
        );
        let forwarded = HeaderName::from_static("forwarded");
        assert_eq!(
            from(&forwarded, &both),
            Ok("198.51.100.1".parse().unwrap()),
            "the proxy writes Forwarded: X-Forwarded-For is the client's"
        );
        assert_eq!(
            from(
                &forwarded,
                &[(
                    "forwarded",
                    "for=1.2.3.4, for=\"[2001:db8::1]:4711\";proto=https"
                )]
            ),
            Ok("2001:db8::1".parse().unwrap())
        );
    }

    #[test]
    fn an_unreadable_hop_never_falls_back_to_the_proxy() {
        for hops in ["unknown", "203.0.113.7, unknown", "_hidden", ""] {
            let found = from(&XFF, &[("x-forwarded-for", hops)]);
            assert!(found.is_err(), "{hops:?}: {found:?}");
        }
        let forwarded = HeaderName::from_static("forwarded");
        assert!(from(&forwarded, &[("forwarded", "for=unknown")]).is_err());
        assert!(
            from(&forwarded, &[("forwarded", "proto=https")]).is_err(),
            "no for= at all"
        );
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let peer: IpAddr = "198.51.100.9".parse().unwrap();
        let said = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(
            client_address(peer, &said, &[IpAddr::from(PROXY)], &XFF),
            Ok(peer)
        );
    }
}
