//! Frontier settings.

use std::time::Duration;

use trawl_core::PolitenessRule;

/// Frontier settings; `Default` gives the documented defaults.
#[derive(Debug, Clone)]
pub struct FrontierConfig {
    /// Links deeper than this (seed = 0) are filtered.
    pub max_depth: u32,
    /// At most this many URLs admitted per host (0 = unlimited).
    pub max_pages_per_host: u64,
    /// Politeness delay between the end of a fetch and the start of the next to
    /// the same host (raised to the host's Crawl-delay): the rule's `min_delay`
    /// ([`FrontierConfig::politeness_rule`]).
    pub politeness_delay: Duration,
    /// Upper bound for any host delay (caps absurd Crawl-delay / Retry-After values and the
    /// adaptive delay): the rule's `max_delay`, `max_crawl_delay` and `max_retry_after`.
    pub max_host_delay: Duration,
    /// How long a host lease lives before the store recovers it.
    pub lease_ttl: Duration,
    /// How long this replica's claim on a host shard lives without renewal (renewed every
    /// third of it, at most every 5 s). A dead replica's shards are taken over once its claims
    /// expire.
    pub shard_lease: Duration,
    /// Attempts (first try included) before a task is dead-lettered.
    pub max_attempts: u32,
    /// Re-fetch seeds, feeds and sitemaps, first after this long; `None` = fetch once. Each
    /// source then adapts its own interval within [`recrawl_min`, `recrawl_max`]
    /// (`schedule::next_poll_interval`).
    pub recrawl_interval: Option<Duration>,
    /// Shortest re-poll interval of a source that keeps finding new articles.
    pub recrawl_min: Duration,
    /// Longest re-poll interval of a source that finds nothing new.
    pub recrawl_max: Duration,
    /// On a re-poll of a sitemap or feed, entries dated (`<news:publication_date>`, else
    /// `<lastmod>`; a feed item's date) longer ago than this are skipped (`too_old`); `None`: no
    /// limit. Default 7 days.
    pub entry_max_age: Option<Duration>,
    /// The same limit for a source's first fetch in a crawl; `None` (the default): take every
    /// entry, however old (a seeded sitemap is usually wanted whole).
    pub first_pass_max_age: Option<Duration>,
    /// Re-fetch each published article this long after its publication (else its first
    /// fetch), with conditional GET; a changed title or body is published again with a higher
    /// `version`. Ascending; the last one is the window. Empty: never. Default 1 h, 6 h, 24 h,
    /// 48 h.
    pub update_checks: Vec<Duration>,
    /// Keep about this many tasks waiting in the task queue.
    pub queue_target: usize,
    /// How often the dispatcher looks for due hosts when idle.
    pub dispatch_tick: Duration,
    /// Reports processed concurrently (consumer prefetch).
    pub report_prefetch: u16,
    /// Near-duplicate SimHash distance (used by workers; kept here for status).
    pub near_dup_distance: u32,
    /// Include subdomains of seed hosts in scope.
    pub include_subdomains: bool,
    /// Extra tracking query parameters to drop.
    pub extra_tracking_params: Vec<String>,
    /// Extra allowed domains (besides the seed hosts).
    pub allowed_domains: Vec<String>,
}

impl Default for FrontierConfig {
    fn default() -> Self {
        FrontierConfig {
            max_depth: 16,
            max_pages_per_host: 0,
            politeness_delay: Duration::from_secs(1),
            max_host_delay: Duration::from_secs(600),
            lease_ttl: Duration::from_secs(600),
            shard_lease: Duration::from_secs(15),
            max_attempts: 4,
            recrawl_interval: Some(Duration::from_secs(15 * 60)),
            recrawl_min: Duration::from_secs(60),
            recrawl_max: Duration::from_secs(24 * 3600),
            entry_max_age: Some(Duration::from_secs(7 * 86_400)),
            first_pass_max_age: None,
            update_checks: [1, 6, 24, 48]
                .map(|h| Duration::from_secs(h * 3600))
                .to_vec(),
            queue_target: 256,
            dispatch_tick: Duration::from_millis(25),
            report_prefetch: 64,
            near_dup_distance: 3,
            include_subdomains: false,
            extra_tracking_params: Vec::new(),
            allowed_domains: Vec::new(),
        }
    }
}

impl FrontierConfig {
    /// The politeness rule the frontier applies to each report (`docs/politeness.md`):
    /// `politeness_delay` is its `min_delay`, `max_host_delay` caps the delay, the Crawl-delay
    /// and Retry-After; the other knobs are the rule's defaults ([`PolitenessRule::default`]).
    pub fn politeness_rule(&self) -> PolitenessRule {
        PolitenessRule {
            min_delay: self.politeness_delay,
            max_delay: self.max_host_delay,
            max_crawl_delay: self.max_host_delay,
            max_retry_after: self.max_host_delay,
            ..PolitenessRule::default()
        }
    }
}
