//! DNS resolution with a per-host answer cache and the SSRF filter applied to every answer.
//!
//! [`GuardedResolver`] implements `reqwest::dns::Resolve`, so reqwest only ever connects to
//! addresses that passed the [`SsrfGuard`]. Lookups use the system resolver
//! (`tokio::net::lookup_host`, i.e. `getaddrinfo` on the blocking pool, so many lookups run in
//! parallel and none blocks the runtime). `getaddrinfo` does not expose record TTLs, so answers
//! are kept for the configured `dns_ttl`.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use thiserror::Error;

use crate::ssrf::{Blocked, SsrfGuard};

/// The host name did not resolve (transient: DNS may recover).
#[derive(Debug, Error)]
#[error("DNS lookup of {host:?} failed: {reason}")]
pub struct DnsFailure {
    pub host: String,
    pub reason: String,
}

/// Every address the host resolved to is refused by the SSRF guard (permanent).
#[derive(Debug, Error)]
#[error("{host:?} resolves only to blocked addresses: {blocked}")]
pub struct BlockedResolution {
    pub host: String,
    pub blocked: Blocked,
}

/// All resolved addresses (unfiltered) and when they were looked up.
type CachedAnswer = (Arc<[IpAddr]>, Instant);

const MAX_CACHED_HOSTS: usize = 100_000;

#[derive(Debug)]
struct Shared {
    guard: SsrfGuard,
    ttl: Duration,
    cache: Mutex<HashMap<String, CachedAnswer>>,
    lookups: AtomicU64,
    hits: AtomicU64,
}

/// Caching, SSRF-filtering resolver. Cheap to clone.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    shared: Arc<Shared>,
}

impl GuardedResolver {
    pub fn new(guard: SsrfGuard, ttl: Duration) -> Self {
        GuardedResolver {
            shared: Arc::new(Shared {
                guard,
                ttl,
                cache: Mutex::new(HashMap::new()),
                lookups: AtomicU64::new(0),
                hits: AtomicU64::new(0),
            }),
        }
    }

    /// (system lookups made, answers served from the cache).
    pub fn counters(&self) -> (u64, u64) {
        (
            self.shared.lookups.load(Ordering::Relaxed),
            self.shared.hits.load(Ordering::Relaxed),
        )
    }

    /// Resolve `host` and return only the addresses the guard allows.
    pub async fn resolve_host(
        &self,
        host: &str,
    ) -> Result<Vec<IpAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let key = host.trim_end_matches('.').to_ascii_lowercase();
        let all = match self.cached(&key) {
            Some(a) => a,
            None => {
                self.shared.lookups.fetch_add(1, Ordering::Relaxed);
                let found: Vec<IpAddr> = tokio::net::lookup_host((key.as_str(), 0))
                    .await
                    .map_err(|e| DnsFailure {
                        host: key.clone(),
                        reason: e.to_string(),
                    })?
                    .map(|sa| sa.ip())
                    .collect();
                if found.is_empty() {
                    return Err(Box::new(DnsFailure {
                        host: key,
                        reason: "no addresses".into(),
                    }));
                }
                let found: Arc<[IpAddr]> = found.into();
                self.store(&key, found.clone());
                found
            }
        };
        let mut first_block = None;
        let ok: Vec<IpAddr> = all
            .iter()
            .copied()
            .filter(|ip| match self.shared.guard.check_ip(*ip) {
                Ok(()) => true,
                Err(b) => {
                    first_block.get_or_insert(b);
                    false
                }
            })
            .collect();
        match (ok.is_empty(), first_block) {
            (true, Some(blocked)) => Err(Box::new(BlockedResolution { host: key, blocked })),
            _ => Ok(ok),
        }
    }

    fn cached(&self, key: &str) -> Option<Arc<[IpAddr]>> {
        let cache = self.shared.cache.lock().unwrap_or_else(|p| p.into_inner());
        match cache.get(key) {
            Some((addrs, at)) if at.elapsed() < self.shared.ttl => {
                self.shared.hits.fetch_add(1, Ordering::Relaxed);
                Some(addrs.clone())
            }
            _ => None,
        }
    }

    fn store(&self, key: &str, addrs: Arc<[IpAddr]>) {
        if self.shared.ttl.is_zero() {
            return;
        }
        let mut cache = self.shared.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_CACHED_HOSTS {
            let ttl = self.shared.ttl;
            cache.retain(|_, (_, at)| at.elapsed() < ttl);
            if cache.len() >= MAX_CACHED_HOSTS {
                cache.clear();
            }
        }
        cache.insert(key.to_string(), (addrs, Instant::now()));
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = this.resolve_host(&host).await?;
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn localhost_is_blocked_without_allow_list_and_allowed_with_it() {
        let r = GuardedResolver::new(SsrfGuard::new(true, vec![]), Duration::from_secs(60));
        let err = r.resolve_host("localhost").await.unwrap_err();
        assert!(err.downcast_ref::<BlockedResolution>().is_some(), "{err}");

        let r = GuardedResolver::new(
            SsrfGuard::new(
                true,
                vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()],
            ),
            Duration::from_secs(60),
        );
        let ips = r.resolve_host("localhost").await.unwrap();
        assert!(ips.iter().all(|ip| ip.is_loopback()));
        // Second lookup is served from the cache.
        r.resolve_host("LOCALHOST.").await.unwrap();
        assert_eq!(r.counters(), (1, 1));
    }

    #[tokio::test]
    async fn answers_expire_after_the_ttl() {
        let allow = SsrfGuard::new(true, vec!["127.0.0.0/8".parse().unwrap()]);
        let r = GuardedResolver::new(allow, Duration::from_millis(100));
        r.resolve_host("localhost").await.unwrap();
        r.resolve_host("localhost").await.unwrap();
        assert_eq!(r.counters(), (1, 1));
        tokio::time::sleep(Duration::from_millis(150)).await;
        r.resolve_host("localhost").await.unwrap();
        assert_eq!(r.counters(), (2, 1), "expired answer looked up again");
    }

    #[tokio::test]
    async fn unknown_host_is_a_dns_failure() {
        let r = GuardedResolver::new(SsrfGuard::new(true, vec![]), Duration::from_secs(60));
        let err = tokio::time::timeout(
            Duration::from_secs(20),
            r.resolve_host("no-such-host.invalid"),
        )
        .await
        .expect("lookup bounded")
        .unwrap_err();
        assert!(err.downcast_ref::<DnsFailure>().is_some(), "{err}");
    }
}
