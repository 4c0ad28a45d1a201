//! [`FetchConfig`]: every knob of the fetcher, with serde (durations in seconds) and defaults.

use ipnet::IpNet;
use serde::Deserialize;
use std::time::Duration;

use crate::politeness::PolitenessConfig;

/// Serde helper: a `Duration` written as (fractional) seconds.
pub mod serde_secs {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs)
            .map_err(|e| serde::de::Error::custom(format!("invalid duration {secs} s: {e}")))
    }
}

/// The user-agent: a product token (what robots.txt groups are matched against) and a
/// contact URL, sent as `token/version (+contact)` on every request including robots.txt.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserAgent {
    /// Product token, e.g. `trawl`. Matched case-insensitively against `User-agent:` lines.
    pub product: String,
    /// Version appended to the token.
    pub version: String,
    /// Where a site owner can learn about the crawler / reach its operator.
    pub contact_url: String,
}

impl Default for UserAgent {
    fn default() -> Self {
        UserAgent {
            product: "trawl".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contact_url: "https://example.invalid/trawl-bot".into(),
        }
    }
}

impl UserAgent {
    /// The header value, e.g. `trawl/0.1.0 (+https://example.invalid/trawl-bot)`.
    pub fn header_value(&self) -> String {
        if self.contact_url.is_empty() {
            format!("{}/{}", self.product, self.version)
        } else {
            format!("{}/{} (+{})", self.product, self.version, self.contact_url)
        }
    }
}

/// Fetcher configuration. `FetchConfig::default()` is the production default.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchConfig {
    pub user_agent: UserAgent,
    /// TCP (+TLS) connect timeout.
    #[serde(with = "serde_secs")]
    pub connect_timeout: Duration,
    /// From sending the request to the response headers.
    #[serde(with = "serde_secs")]
    pub first_byte_timeout: Duration,
    /// Whole request including the body (per attempt, per hop).
    #[serde(with = "serde_secs")]
    pub total_timeout: Duration,
    /// Cap on the *decoded* body size; larger → `too_large`.
    pub max_body_bytes: u64,
    /// Redirect hops followed; one more → outcome `redirect`.
    pub max_redirects: u32,
    /// Retries after the first attempt (connection errors, timeouts, 5xx, 408, 429).
    pub max_retries: u32,
    /// First retry backoff; doubles per retry, with full jitter.
    #[serde(with = "serde_secs")]
    pub retry_base_delay: Duration,
    /// Backoff cap (a Retry-After larger than this ends the retries).
    #[serde(with = "serde_secs")]
    pub retry_max_delay: Duration,
    pub politeness: PolitenessConfig,
    /// Fetch and obey robots.txt.
    pub respect_robots: bool,
    /// How long a fetched robots.txt (2xx, 4xx) is cached.
    #[serde(with = "serde_secs")]
    pub robots_ttl: Duration,
    /// How long a robots.txt failure (5xx, unreachable) is cached: everything is disallowed
    /// for this long, then it is fetched again.
    #[serde(with = "serde_secs")]
    pub robots_error_ttl: Duration,
    /// Cap on the robots.txt body.
    pub robots_max_bytes: u64,
    /// Redirects followed when fetching robots.txt.
    pub robots_max_redirects: u32,
    /// Origins whose robots.txt is cached at once (least recently inserted evicted first).
    pub robots_cache_capacity: usize,
    /// Refuse private/loopback/link-local/... addresses (see `docs/fetcher.md`).
    pub ssrf_guard: bool,
    /// Ranges the SSRF guard lets through anyway (e.g. `127.0.0.0/8` for tests).
    pub allow_cidrs: Vec<IpNet>,
    /// How long a DNS answer is reused.
    #[serde(with = "serde_secs")]
    pub dns_ttl: Duration,
    /// Idle keep-alive connections kept per host.
    pub pool_max_idle_per_host: usize,
    /// Size of the in-memory validator (ETag/Last-Modified) cache used when a request has
    /// none of its own; 0 disables it. Meant for repeated `trawl fetch` in one process.
    pub validator_cache_capacity: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: UserAgent::default(),
            connect_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(60),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            max_retries: 2,
            retry_base_delay: Duration::from_millis(500),
            retry_max_delay: Duration::from_secs(30),
            politeness: PolitenessConfig::default(),
            respect_robots: true,
            robots_ttl: Duration::from_secs(24 * 3600),
            robots_error_ttl: Duration::from_secs(600),
            robots_max_bytes: 500 * 1024,
            robots_max_redirects: 5,
            robots_cache_capacity: 100_000,
            ssrf_guard: true,
            allow_cidrs: Vec::new(),
            dns_ttl: Duration::from_secs(300),
            pool_max_idle_per_host: 4,
            validator_cache_capacity: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Wrap {
        fetch: FetchConfig,
    }

    #[test]
    fn deserializes_partial_config_with_seconds() {
        let w: Wrap = toml::from_str(
            r#"
            [fetch]
            total_timeout = 2.5
            allow_cidrs = ["127.0.0.0/8", "::1/128"]
            [fetch.politeness]
            min_delay = 0
            [fetch.user_agent]
            product = "newsbot"
            "#,
        )
        .unwrap();
        let c = w.fetch;
        assert_eq!(c.total_timeout, Duration::from_millis(2500));
        assert_eq!(c.allow_cidrs.len(), 2);
        assert_eq!(c.politeness.min_delay, Duration::ZERO);
        assert_eq!(c.politeness.max_in_flight_per_host, 1);
        assert_eq!(c.user_agent.product, "newsbot");
        assert_eq!(c.max_body_bytes, 10 * 1024 * 1024);
        assert!(c.user_agent.header_value().starts_with("newsbot/"));
    }

    #[test]
    fn rejects_negative_durations_and_unknown_keys() {
        assert!(toml::from_str::<FetchConfig>("total_timeout = -1.0").is_err());
        assert!(toml::from_str::<FetchConfig>("totl_timeout = 1.0").is_err());
    }
}
