//! Who is asking, before any credential says so: the address limits are keyed on until an
//! identity is known. Directly, that is the connection's peer. Behind a trusted login proxy
//! every request comes from the proxy, so the client is the rightmost address of
//! `X-Forwarded-For` (or `Forwarded: for=`) that is not itself a trusted proxy: the one the
//! proxy appended, which a client cannot forge by sending earlier hops of its own (the
//! convention of maintained crates such as axum-client-ip).

use std::net::IpAddr;

use axum::http::HeaderMap;

/// The client behind `peer`: `peer` itself unless it is one of `trusted`.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    forwarded_hops(headers)
        .into_iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .unwrap_or(peer)
}

/// Every address the forwarding headers name, in the order they were added. `Forwarded`
/// (RFC 7239) when present, else `X-Forwarded-For`; a hop that is no address (`unknown`, an
/// obfuscated name) ends the list there, since nothing before it can be trusted either.
fn forwarded_hops(headers: &HeaderMap) -> Vec<IpAddr> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|hop| hop.trim().to_owned())
            .collect()
    };
    let forwarded = values("forwarded");
    let hops: Vec<String> = if forwarded.is_empty() {
        values("x-forwarded-for")
    } else {
        forwarded
            .iter()
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| value.trim().trim_matches('"').to_owned())
                })
            })
            .collect()
    };
    let mut addresses = Vec::new();
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(address) => addresses.push(address),
            None => break,
        }
    }
    addresses.reverse();
    addresses
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

    #[test]
    fn the_client_is_the_rightmost_hop_the_trusted_proxy_did_not_add_itself() {
        let proxy = IpAddr::from(PROXY);
        let trusted = [proxy];
        let from = |pairs: &[(&'static str, &'static str)]| {
            client_address(proxy, &headers(pairs), &trusted)
        };
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(from(&[("x-forwarded-for", "203.0.113.7")]), client);
        assert_eq!(
            from(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7")]),
            client,
            "a forged earlier hop is ignored"
        );
        assert_eq!(
            from(&[
                ("x-forwarded-for", "1.2.3.4"),
                ("x-forwarded-for", "203.0.113.7, 10.0.0.5")
            ]),
            client,
            "repeated headers in order; the proxy's own hop skipped"
        );
        assert_eq!(
            from(&[(
                "forwarded",
                "for=1.2.3.4, for=\"[2001:db8::1]:4711\";proto=https"
            )]),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            from(&[("x-forwarded-for", "203.0.113.7:5000")]),
            client,
            "with a port"
        );
        assert_eq!(from(&[]), proxy, "nothing forwarded: the proxy itself");
        assert_eq!(
            from(&[("x-forwarded-for", "203.0.113.7, unknown")]),
            proxy,
            "an unreadable last hop: nothing before it counts"
        );
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let peer: IpAddr = "198.51.100.9".parse().unwrap();
        let said = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(client_address(peer, &said, &[IpAddr::from(PROXY)]), peer);
    }
}
