//! Frontier state: the URL seen-set, per-host URL queues, host leases and the host
//! schedule ([`FrontierStore`]), and the near-duplicate index of emitted articles
//! ([`ContentIndex`], the only part the workers use). Two implementations of both traits:
//! - [`memory::MemoryStore`]: in-process, for the embedded `trawl crawl`;
//! - [`redis_store::RedisStore`]: in Redis, for the distributed deployment (no frontier
//!   state lives only in a process, so a frontier restart loses nothing and several
//!   frontier replicas can share the work).
//!
//! [`shards`] splits the work between frontier replicas: each claims a fair share of the
//! host shards (a lease per shard, renewed, taken over when it expires) and leases hosts only
//! from its shards ([`FrontierStore::lease_in_shards`]).
//!
//! The scheduling *decisions* (when a host is next due) are made by the caller
//! (trawl-frontier, using trawl-fetch's politeness policy); the store applies them
//! atomically. Times are milliseconds since the Unix epoch, passed in by the caller,
//! so tests control the clock.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use trawl_core::TaskKind;

pub mod memory;
mod names;
pub mod neardup;
pub mod redis_store;
pub mod shards;

pub use names::{HostField, StoreSet};
pub use shards::{ShardOwner, ShardPlan, ShardView};

#[cfg(test)]
mod conformance;

/// Store failures. `Unavailable` is transient (retry with backoff); the rest are not.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("store data corrupt: {0}")]
    Corrupt(String),
    #[error("store misconfigured: {0}")]
    Config(String),
}

impl StoreError {
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// A URL waiting in its host's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedUrl {
    /// Canonical URL.
    pub url: String,
    /// Host key (`scheme://host:port`), from `trawl_url::host_key`.
    pub host: String,
    /// 0 is the most urgent (seeds, sitemaps, feeds), larger is later. Within a
    /// priority, first in first out.
    pub priority: u8,
    pub depth: u32,
    pub kind: TaskKind,
    /// Attempts already made.
    pub attempt: u32,
    /// Set when this is a scheduled re-check of a published article (updates and
    /// corrections); handed to the worker in the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<trawl_core::UpdateCheck>,
}

/// A host handed out for one fetch: at most one live lease per host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub lease_id: String,
    pub host: String,
    /// The URL popped from the host's queue for this lease. Until the lease is
    /// released it is "in flight"; if the lease expires first, the store puts the
    /// URL back at the head of the host's queue (at-least-once: nothing is lost).
    pub item: QueuedUrl,
}

/// Result of [`ContentIndex::claim_content`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContentClaim {
    New,
    Duplicate {
        of_article_id: String,
        of_url: String,
    },
}

/// Counts for `trawl status` and the frontier gauges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStats {
    /// URLs ever admitted (size of the seen-set).
    pub seen: u64,
    /// URLs waiting in host queues.
    pub queued: u64,
    /// URLs under a live lease.
    pub in_flight: u64,
    /// Hosts with queued URLs that are due now and not leased.
    pub hosts_ready: u64,
    /// Hosts with queued URLs that are not due yet.
    pub hosts_waiting: u64,
    /// Hosts under a live lease.
    pub hosts_leased: u64,
    /// URLs finished (released leases).
    pub done: u64,
}

impl StoreStats {
    /// Nothing queued and nothing in flight: the crawl has drained.
    pub fn drained(&self) -> bool {
        self.queued == 0 && self.in_flight == 0
    }
}

/// The frontier's state. All methods are atomic with respect to each other, also
/// across processes for the Redis implementation.
#[async_trait]
pub trait FrontierStore: Send + Sync + 'static {
    /// Add URL fingerprints (from `trawl_core::url_fingerprint`, 128-bit; an
    /// implementation may keep fewer bits) to the seen-set. Returns, per input and
    /// in order, `true` when it was new.
    async fn insert_seen(&self, fingerprints: &[u128]) -> Result<Vec<bool>, StoreError>;

    /// Whether a URL fingerprint is in the seen-set, without adding it.
    async fn seen_contains(&self, fingerprint: u128) -> Result<bool, StoreError>;

    /// Queue URLs on their hosts. A host seen for the first time is due at `now_ms`.
    async fn enqueue(&self, items: &[QueuedUrl], now_ms: u64) -> Result<(), StoreError>;

    /// Lease up to `max` due hosts (due time ≤ `now_ms`, non-empty queue, no live
    /// lease), popping the most urgent URL of each. Expired leases are recovered
    /// first. Each lease lives `lease_ttl_ms`.
    async fn lease(
        &self,
        now_ms: u64,
        max: usize,
        lease_ttl_ms: u64,
    ) -> Result<Vec<Lease>, StoreError>;

    /// Number of host shards; shards are numbered `0..shard_count()`. `MemoryStore` has one.
    fn shard_count(&self) -> u16;

    /// [`FrontierStore::lease`] restricted to hosts of `shards` (expired leases are recovered
    /// in those shards only). A frontier replica calls it with the shards it owns.
    async fn lease_in_shards(
        &self,
        now_ms: u64,
        max: usize,
        lease_ttl_ms: u64,
        shards: &[u16],
    ) -> Result<Vec<Lease>, StoreError>;

    /// Heartbeat frontier replica `replica` until `now_ms + ttl_ms`, forget replicas whose
    /// heartbeat expired, and return the live replicas and the shard lease records
    /// (see [`shards`]).
    async fn shard_view(
        &self,
        replica: &str,
        now_ms: u64,
        ttl_ms: u64,
    ) -> Result<ShardView, StoreError>;

    /// Atomically take or renew the shards in `hold` (each only when it is free, its lease
    /// expired, or `replica` owns it) until `now_ms + ttl_ms`, and release those in `release`
    /// that `replica` owns. Returns the shards `replica` owns afterwards, sorted.
    async fn shard_apply(
        &self,
        replica: &str,
        now_ms: u64,
        ttl_ms: u64,
        hold: &[u16],
        release: &[u16],
    ) -> Result<Vec<u16>, StoreError>;

    /// Release every shard `replica` owns and drop its heartbeat (clean shutdown); returns
    /// the released shards.
    async fn shard_leave(&self, replica: &str) -> Result<Vec<u16>, StoreError>;

    /// The fetch under `lease_id` ended: free the host and make it due again at
    /// `next_due_ms`. Returns false (and changes nothing) when the lease is no
    /// longer live (it expired and its URL was re-queued).
    async fn release(
        &self,
        host: &str,
        lease_id: &str,
        next_due_ms: u64,
    ) -> Result<bool, StoreError>;

    /// Delay a host without a lease (e.g. after robots says crawl-delay, or Retry-After).
    async fn defer_host(&self, host: &str, due_ms: u64) -> Result<(), StoreError>;

    /// Small per-host key/value metadata (crawl delay, pages admitted, trap and hub counts,
    /// re-poll intervals: [`HostField`]).
    async fn host_meta_get(
        &self,
        host: &str,
        field: &HostField,
    ) -> Result<Option<String>, StoreError>;
    /// Several fields of one host's metadata in one round trip, in the order asked.
    async fn host_meta_get_many(
        &self,
        host: &str,
        fields: &[HostField],
    ) -> Result<Vec<Option<String>>, StoreError> {
        let mut out = Vec::with_capacity(fields.len());
        for f in fields {
            out.push(self.host_meta_get(host, f).await?);
        }
        Ok(out)
    }
    async fn host_meta_set(
        &self,
        host: &str,
        field: &HostField,
        value: &str,
    ) -> Result<(), StoreError>;
    /// Atomically add `by` to an integer host field; returns the new value.
    async fn host_meta_incr(
        &self,
        host: &str,
        field: &HostField,
        by: i64,
    ) -> Result<i64, StoreError>;

    /// Crawl-wide small sets ([`StoreSet`], e.g. the scope's hosts).
    async fn set_add(&self, set: StoreSet, members: &[String]) -> Result<(), StoreError>;
    async fn set_members(&self, set: StoreSet) -> Result<Vec<String>, StoreError>;

    /// Validators (ETag, Last-Modified) per URL for conditional re-fetch.
    async fn validators_get(
        &self,
        url: &str,
    ) -> Result<Option<(Option<String>, Option<String>)>, StoreError>;
    async fn validators_set(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Remember a URL (a feed, a sitemap, a home page) to fetch again at `due_ms`
    /// (replaces an earlier schedule of the same URL).
    async fn schedule_recrawl(&self, item: &QueuedUrl, due_ms: u64) -> Result<(), StoreError>;
    /// Remove and return up to `max` recrawls due at `now_ms`.
    async fn take_due_recrawls(
        &self,
        now_ms: u64,
        max: usize,
    ) -> Result<Vec<QueuedUrl>, StoreError>;

    /// Counts (cheap enough to call every second).
    async fn stats(&self, now_ms: u64) -> Result<StoreStats, StoreError>;

    /// Whether the backing service answers (for `/readyz`).
    async fn ping(&self) -> bool;
}

/// The near-duplicate index of emitted articles: which article ids and body SimHashes have
/// been claimed, and by which URL. Kept apart from [`FrontierStore`] because its user is the
/// worker, which needs nothing else of the frontier's state; every store implements both
/// ([`memory::MemoryStore`] and [`redis_store::RedisStore`], on one Redis server or a
/// cluster). Its methods are atomic like those of [`FrontierStore`], also across processes for
/// the Redis implementation (one Lua script per claim).
#[async_trait]
pub trait ContentIndex: Send + Sync + 'static {
    /// Near-duplicate control for emitted articles. `article_id` comes from the
    /// canonical URL, `simhash` is the body's 64-bit SimHash. Returns
    /// [`ContentClaim::New`] when no *other* URL has claimed this id or a body within
    /// Hamming distance `max_distance`; a repeat claim by the same URL is `New` again
    /// (redelivered tasks re-publish; consumers are idempotent by id). Otherwise the
    /// URL is recorded as an alias of the first claimant and `Duplicate` is returned.
    async fn claim_content(
        &self,
        article_id: &str,
        url: &str,
        simhash: u64,
        max_distance: u32,
    ) -> Result<ContentClaim, StoreError>;

    /// The URLs recorded as aliases of `article_id` by [`ContentIndex::claim_content`]
    /// (sorted, without the first claimant's own URL). Added by trawl-store so the
    /// recorded aliases can be read back (by `trawl status`, tests, or a consumer that
    /// wants them); an unknown id has none.
    async fn content_aliases(&self, article_id: &str) -> Result<Vec<String>, StoreError>;
}
