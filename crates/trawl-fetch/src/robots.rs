//! robots.txt (RFC 9309): rules per origin, parsed with `texting_robots`, cached with a TTL,
//! one fetch per origin even under concurrent demand.

use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;

/// How the rules for an origin were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RobotsStatus {
    /// 2xx: the file was parsed and its rules apply.
    Fetched,
    /// 4xx (incl. 404): no restrictions (RFC 9309 §2.3.1.3).
    Unavailable,
    /// 5xx, network failure, redirect trouble or a blocked address: everything is disallowed
    /// for now (RFC 9309 §2.3.1.4) and the file is fetched again after the short error TTL.
    Unreachable,
    /// 2xx but the parser gave up: treated as no restrictions (logged).
    Unparsable,
    /// robots.txt is not consulted (`respect_robots = false`).
    Ignored,
}

impl RobotsStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RobotsStatus::Fetched => "fetched",
            RobotsStatus::Unavailable => "unavailable",
            RobotsStatus::Unreachable => "unreachable",
            RobotsStatus::Unparsable => "unparsable",
            RobotsStatus::Ignored => "ignored",
        }
    }
}

/// The answer for one URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobotsDecision {
    pub allowed: bool,
    pub status: RobotsStatus,
    /// Crawl-delay of our group (or the file's global one).
    #[serde(serialize_with = "crate::ser_opt_secs", rename = "crawl_delay_seconds")]
    pub crawl_delay: Option<Duration>,
    /// `Sitemap:` lines (they apply to every agent).
    pub sitemaps: Vec<String>,
}

impl RobotsDecision {
    pub fn ignored() -> Self {
        RobotsDecision {
            allowed: true,
            status: RobotsStatus::Ignored,
            crawl_delay: None,
            sitemaps: Vec::new(),
        }
    }
}

/// What a robots.txt fetch produced (input to [`RobotsRules::from_fetch`]).
#[derive(Debug)]
pub enum RobotsFetch {
    /// Final HTTP status and (possibly truncated) body.
    Response { status: u16, body: bytes::Bytes },
    /// No usable response: network error, timeout, too many redirects, blocked address.
    Failed(String),
}

/// Parsed rules of one origin. Pure.
pub struct RobotsRules {
    status: RobotsStatus,
    robot: Option<texting_robots::Robot>,
    crawl_delay: Option<Duration>,
    sitemaps: Vec<String>,
    /// Why the file is unreachable / unparsable (for the response's `error`).
    pub note: Option<String>,
}

impl std::fmt::Debug for RobotsRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RobotsRules")
            .field("status", &self.status)
            .field("crawl_delay", &self.crawl_delay)
            .field("sitemaps", &self.sitemaps)
            .finish()
    }
}

impl RobotsRules {
    /// Interpret a robots.txt fetch for the agent with product token `agent`.
    pub fn from_fetch(agent: &str, fetch: RobotsFetch) -> Self {
        let mut rules = RobotsRules {
            status: RobotsStatus::Unreachable,
            robot: None,
            crawl_delay: None,
            sitemaps: Vec::new(),
            note: None,
        };
        match fetch {
            RobotsFetch::Failed(why) => rules.note = Some(why),
            RobotsFetch::Response { status, body } => match status {
                200..=299 => match texting_robots::Robot::new(agent, &body) {
                    Ok(robot) => {
                        rules.status = RobotsStatus::Fetched;
                        rules.crawl_delay = robot
                            .delay
                            .filter(|d| d.is_finite() && *d >= 0.0)
                            // f32 seconds → whole milliseconds (0.2 must stay 200 ms).
                            .map(|d| (f64::from(d) * 1000.0).round().min(u64::MAX as f64))
                            .map(|ms| Duration::from_millis(ms as u64));
                        rules.sitemaps = robot.sitemaps.clone();
                        rules.robot = Some(robot);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "robots.txt unparsable; treating as allow-all");
                        rules.status = RobotsStatus::Unparsable;
                        rules.note = Some(format!("robots.txt unparsable: {e}"));
                    }
                },
                // 429 means "slow down", not "no file": treated like 5xx (as Google does).
                400..=499 if status != 429 => rules.status = RobotsStatus::Unavailable,
                _ => rules.note = Some(format!("robots.txt answered HTTP {status}")),
            },
        }
        rules
    }

    pub fn status(&self) -> RobotsStatus {
        self.status
    }

    /// The decision for `url` (its path and query are matched).
    pub fn decide(&self, url: &Url) -> RobotsDecision {
        let allowed = match self.status {
            RobotsStatus::Unreachable => url.path() == "/robots.txt",
            RobotsStatus::Fetched => self
                .robot
                .as_ref()
                .map(|r| r.allowed(url.as_str()))
                .unwrap_or(true),
            _ => true,
        };
        RobotsDecision {
            allowed,
            status: self.status,
            crawl_delay: self.crawl_delay,
            sitemaps: self.sitemaps.clone(),
        }
    }
}

/// `scheme://host:port` — the robots.txt scope (RFC 9309 §2.3).
pub fn origin_key(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    Some(format!(
        "{}://{}:{}",
        url.scheme(),
        host.to_ascii_lowercase(),
        port
    ))
}

/// The robots.txt URL of `url`'s origin.
pub fn robots_url(url: &Url) -> Option<Url> {
    let mut u = url.join("/robots.txt").ok()?;
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    Some(u)
}

struct Entry {
    rules: RobotsRules,
    expires: Instant,
}

#[derive(Default)]
struct Slot {
    cell: tokio::sync::OnceCell<Arc<Entry>>,
}

/// Origin → rules, with TTLs and single-flight fetching: concurrent lookups of an origin whose
/// rules are missing or expired share one fetch.
pub struct RobotsCache {
    map: Mutex<HashMap<String, Arc<Slot>>>,
    capacity: usize,
}

impl std::fmt::Debug for RobotsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RobotsCache")
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl RobotsCache {
    pub fn new(capacity: usize) -> Self {
        RobotsCache {
            map: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// Origins currently cached.
    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The decision for `url` from rules of `origin` already cached and still fresh, without
    /// fetching anything; `None` when the rules are not known (yet, or any more).
    pub fn peek(&self, origin: &str, url: &Url) -> Option<RobotsDecision> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.get(origin)?.cell.get()?;
        (entry.expires > Instant::now()).then(|| entry.rules.decide(url))
    }

    /// Get the rules of `origin`, running `fetch` (at most once across concurrent callers) when
    /// they are missing or expired. `fetch` returns the rules and how long they stay valid.
    pub async fn get_or_fetch<F, Fut>(
        &self,
        origin: &str,
        url: &Url,
        fetch: F,
    ) -> (RobotsDecision, Option<String>)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = (RobotsRules, Duration)>,
    {
        let slot = {
            let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let fresh = map
                .get(origin)
                .filter(|s| s.cell.get().is_none_or(|e| e.expires > now))
                .cloned();
            match fresh {
                Some(s) => s,
                None => {
                    if map.len() >= self.capacity {
                        map.retain(|_, s| s.cell.get().is_none_or(|e| e.expires > now));
                        if map.len() >= self.capacity {
                            // Still full of live entries: drop the initialized ones (refetched
                            // on demand). Crude but bounded.
                            map.retain(|_, s| s.cell.get().is_none());
                        }
                    }
                    let s = Arc::new(Slot::default());
                    map.insert(origin.to_string(), s.clone());
                    s
                }
            }
        };
        let entry = slot
            .cell
            .get_or_init(|| async {
                let (rules, ttl) = fetch().await;
                Arc::new(Entry {
                    rules,
                    expires: Instant::now() + ttl,
                })
            })
            .await;
        (entry.rules.decide(url), entry.rules.note.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(txt: &str) -> RobotsRules {
        RobotsRules::from_fetch(
            "trawl",
            RobotsFetch::Response {
                status: 200,
                body: bytes::Bytes::from(txt.to_string()),
            },
        )
    }

    fn allowed(r: &RobotsRules, u: &str) -> bool {
        r.decide(&Url::parse(u).unwrap()).allowed
    }

    #[test]
    fn our_group_longest_match_and_wildcards() {
        let r = rules(
            "User-agent: *\nDisallow: /\n\n\
             User-agent: Trawl\nDisallow: /private\nAllow: /private/public\n\
             Disallow: /*.pdf$\nDisallow: /search?*q=\nCrawl-delay: 2.5\n\n\
             Sitemap: https://example.com/sitemap.xml\n",
        );
        assert_eq!(r.status(), RobotsStatus::Fetched);
        assert!(allowed(&r, "https://example.com/news/1"));
        assert!(!allowed(&r, "https://example.com/private/x"));
        assert!(allowed(&r, "https://example.com/private/public/x"));
        assert!(!allowed(&r, "https://example.com/files/a.pdf"));
        assert!(allowed(&r, "https://example.com/files/a.pdf?x=1"));
        assert!(!allowed(&r, "https://example.com/search?lang=en&q=x"));
        let d = r.decide(&Url::parse("https://example.com/").unwrap());
        assert_eq!(d.crawl_delay, Some(Duration::from_millis(2500)));
        assert_eq!(d.sitemaps, vec!["https://example.com/sitemap.xml"]);
    }

    #[test]
    fn falls_back_to_star_group() {
        let r = rules("User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /tmp/\n");
        assert!(allowed(&r, "http://a.test/x"));
        assert!(!allowed(&r, "http://a.test/tmp/x"));
    }

    #[test]
    fn status_classes() {
        let r4 = RobotsRules::from_fetch(
            "trawl",
            RobotsFetch::Response {
                status: 404,
                body: bytes::Bytes::new(),
            },
        );
        assert!(allowed(&r4, "http://a.test/anything"));
        assert_eq!(r4.status(), RobotsStatus::Unavailable);
        let r5 = RobotsRules::from_fetch(
            "trawl",
            RobotsFetch::Response {
                status: 503,
                body: bytes::Bytes::new(),
            },
        );
        assert!(!allowed(&r5, "http://a.test/anything"));
        assert_eq!(r5.status(), RobotsStatus::Unreachable);
        let rf = RobotsRules::from_fetch("trawl", RobotsFetch::Failed("refused".into()));
        assert!(!allowed(&rf, "http://a.test/"));
        assert!(rf.note.is_some());
    }

    #[test]
    fn garbage_does_not_panic() {
        let r = RobotsRules::from_fetch(
            "trawl",
            RobotsFetch::Response {
                status: 200,
                body: bytes::Bytes::from_static(b"\xff\xfe\x00garbage\nDisallow: /[\n\x00\x00"),
            },
        );
        let _ = allowed(&r, "http://a.test/x");
    }

    #[test]
    fn origin_and_robots_url() {
        let u = Url::parse("https://User:pw@Example.COM/a/b?c#d").unwrap();
        assert_eq!(origin_key(&u).unwrap(), "https://example.com:443");
        assert_eq!(
            robots_url(&u).unwrap().as_str(),
            "https://example.com/robots.txt"
        );
        let u = Url::parse("http://example.com:8080/").unwrap();
        assert_eq!(origin_key(&u).unwrap(), "http://example.com:8080");
    }

    #[tokio::test]
    async fn concurrent_lookups_coalesce_and_ttl_expires() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let cache = Arc::new(RobotsCache::new(10));
        let calls = Arc::new(AtomicU32::new(0));
        let url = Url::parse("http://a.test/x").unwrap();
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (cache, calls, url) = (cache.clone(), calls.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_fetch("http://a.test:80", &url, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        (
                            rules("User-agent: *\nDisallow: /x"),
                            Duration::from_millis(200),
                        )
                    })
                    .await
            }));
        }
        for t in tasks {
            assert!(!t.await.unwrap().0.allowed);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(250)).await;
        let (d, _) = cache
            .get_or_fetch("http://a.test:80", &url, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                (rules(""), Duration::from_secs(60))
            })
            .await;
        assert!(d.allowed);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn peek_answers_only_from_fresh_cached_rules() {
        let cache = RobotsCache::new(10);
        let denied = Url::parse("http://a.test/private/x").unwrap();
        let open = Url::parse("http://a.test/news/1").unwrap();
        assert_eq!(cache.peek("http://a.test:80", &denied), None);
        cache
            .get_or_fetch("http://a.test:80", &open, || async {
                (
                    rules("User-agent: *\nDisallow: /private"),
                    Duration::from_millis(300),
                )
            })
            .await;
        assert!(!cache.peek("http://a.test:80", &denied).unwrap().allowed);
        assert!(cache.peek("http://a.test:80", &open).unwrap().allowed);
        assert_eq!(cache.peek("http://b.test:80", &denied), None);
        // Expired rules are not known any more (the TTL runs on the real clock).
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert_eq!(cache.peek("http://a.test:80", &denied), None);
    }
}
