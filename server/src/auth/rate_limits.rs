//! Rate limits, so one noisy caller cannot starve the others. They are keyed on who is
//! asking: changes on the identity that makes them (always known by then), failed
//! authentications on the client's own address (`crate::auth::client`: behind a trusted proxy,
//! the address the proxy forwarded, not the proxy's). What one caller does never uses up
//! another's allowance. Over a limit, the answer is 429 with `Retry-After` (whole seconds) and
//! the contract's error body. An address that keeps failing to authenticate is refused
//! outright until its wait is over, valid credential or not, on every way of presenting one,
//! so guessing tokens gains nothing by going faster.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::client_address::network_of;
use crate::error::ApiError;

/// The limits a server runs with (`--write-limit`, `--auth-failure-limit`).
#[derive(Clone)]
pub struct RateLimits {
    inner: Arc<Limiters>,
}

struct Limiters {
    writes_by_identity: DefaultKeyedRateLimiter<String>,
    failures_by_address: DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses refused until then, for failing to authenticate too often.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

/// Over a limit: how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooMany(pub Duration);

impl TooMany {
    /// Whole seconds, rounded up, at least one: what `Retry-After` says.
    pub fn seconds(self) -> u64 {
        self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)
    }
}

impl IntoResponse for TooMany {
    fn into_response(self) -> Response {
        let seconds = self.seconds().max(1);
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many requests: try again in {seconds} s"),
        )
        .into_response();
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(seconds),
        );
        response
    }
}

impl RateLimits {
    /// `writes_per_minute` changes per identity; `failures_per_minute` failed authentications
    /// per client address.
    pub fn new(writes_per_minute: NonZeroU32, failures_per_minute: NonZeroU32) -> Self {
        Self {
            inner: Arc::new(Limiters {
                writes_by_identity: RateLimiter::keyed(Quota::per_minute(writes_per_minute)),
                failures_by_address: RateLimiter::keyed(Quota::per_minute(failures_per_minute)),
                blocked: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// One change by `actor`.
    pub fn write(&self, actor: &str) -> Result<(), TooMany> {
        let now = DefaultClock::default().now();
        self.inner
            .writes_by_identity
            .check_key(&actor.to_owned())
            .map_err(|wait| TooMany(wait.wait_time_from(now)))
    }

    /// Whether `address` is refused for now, after too many failed authentications.
    pub fn blocked(&self, address: IpAddr) -> Result<(), TooMany> {
        let address = network_of(address);
        let mut blocked = self.inner.blocked.lock().unwrap_or_else(|p| p.into_inner());
        match blocked.get(&address) {
            Some(until) if *until > Instant::now() => Err(TooMany(*until - Instant::now())),
            Some(_) => {
                blocked.remove(&address);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// One failed authentication from `address`; past the limit, the address is refused
    /// until its allowance has come back.
    pub fn failed(&self, address: IpAddr) -> Result<(), TooMany> {
        let address = network_of(address);
        let now = DefaultClock::default().now();
        let Err(wait) = self.inner.failures_by_address.check_key(&address) else {
            return Ok(());
        };
        let wait = wait.wait_time_from(now);
        self.inner
            .blocked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(address, Instant::now() + wait);
        Err(TooMany(wait))
    }

    /// Forgets keys whose allowance is whole again, so memory follows the active clients.
    pub fn forget_idle(&self) {
        self.inner.writes_by_identity.retain_recent();
        self.inner.failures_by_address.retain_recent();
        let now = Instant::now();
        self.inner
            .blocked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, until| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(writes: u32, failures: u32) -> RateLimits {
        RateLimits::new(
            NonZeroU32::new(writes).unwrap(),
            NonZeroU32::new(failures).unwrap(),
        )
    }

    #[test]
    fn writes_are_limited_per_identity_and_one_identity_never_costs_another() {
        let limits = limits(3, 10);
        for _ in 0..3 {
            assert_eq!(limits.write("alice"), Ok(()));
        }
        let refused = limits.write("alice").unwrap_err();
        assert!(
            refused.seconds() >= 1 && refused.seconds() <= 20,
            "{refused:?}"
        );
        // Behind one proxy, everyone shares its address: bob is untouched by alice's writes.
        assert_eq!(limits.write("bob"), Ok(()));
    }

    #[test]
    fn too_many_failures_block_the_address_for_the_wait() {
        let limits = limits(100, 2);
        let address: IpAddr = "10.0.0.9".parse().unwrap();
        assert_eq!(limits.blocked(address), Ok(()));
        assert_eq!(limits.failed(address), Ok(()));
        assert_eq!(limits.failed(address), Ok(()));
        let refused = limits.failed(address).unwrap_err();
        assert!(refused.seconds() >= 1);
        assert!(
            limits.blocked(address).is_err(),
            "blocked until the wait is over"
        );
        assert_eq!(limits.blocked("10.0.0.10".parse().unwrap()), Ok(()));
    }

    #[test]
    fn an_ipv6_client_is_limited_by_its_64_and_a_mapped_ipv4_one_as_itself() {
        let limits = limits(100, 2);
        for address in ["2001:db8:0:7::1", "2001:db8:0:7::2", "2001:db8:0:7:ffff::9"] {
            let _ = limits.failed(address.parse().unwrap());
        }
        assert!(
            limits
                .blocked("2001:db8:0:7::abcd".parse().unwrap())
                .is_err()
        );
        assert_eq!(limits.blocked("2001:db8:0:8::1".parse().unwrap()), Ok(()));
        for address in ["10.0.0.9", "::ffff:10.0.0.9", "10.0.0.9"] {
            let _ = limits.failed(address.parse().unwrap());
        }
        assert!(limits.blocked("::ffff:10.0.0.9".parse().unwrap()).is_err());
        assert_eq!(
            network_of("2001:db8:1:2:3:4:5:6".parse().unwrap()),
            "2001:db8:1:2::".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(TooMany(Duration::from_millis(1)).seconds(), 1);
        assert_eq!(TooMany(Duration::from_secs(2)).seconds(), 2);
        assert_eq!(TooMany(Duration::from_millis(2001)).seconds(), 3);
    }
}
