//! [`Frontier`]: the loops that tie the store and the broker together.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::Utc;
use serde::Serialize;
use thiserror::Error;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use trawl_core::{
    DiscoveredLink, FetchOutcome, FetchReport, FetchTask, TaskKind, MESSAGE_SCHEMA_VERSION,
};
use trawl_queue::{publish_json, Broker, Delivery, QueueError, SeedRequest, WorkQueue};
use trawl_store::{FrontierStore, HostField, Lease, QueuedUrl, StoreError, StoreSet};
use trawl_url::{FamilyBudget, FilterReason};

use crate::admit::{AdmitSummary, Admitter};
use crate::config::FrontierConfig;
use crate::counts::Counts;
use crate::schedule::{self, Disposition};

/// Frontier failures. Both kinds are transient: the loops log them, back off and go on.
#[derive(Debug, Error)]
pub enum FrontierError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// Counters for the end-of-crawl summary (advisory, per process).
#[derive(Debug, Clone, Default, Serialize)]
pub struct CrawlSummary {
    /// Fetches by outcome.
    pub fetched: Counts<FetchOutcome>,
    /// Pages extracted as articles (reported by workers).
    pub articles: u64,
    pub links_discovered: u64,
    pub links_accepted: u64,
    pub links_deduped: u64,
    /// Links filtered, by reason.
    pub filtered: Counts<FilterReason>,
    pub retried: u64,
    pub dead_lettered: u64,
    /// Articles re-fetched by an update check whose title or body had changed, published
    /// again with a higher `version`.
    pub updated: u64,
}

impl CrawlSummary {
    pub fn pages(&self) -> u64 {
        self.fetched.total()
    }
}

struct Inner {
    cfg: FrontierConfig,
    store: Arc<dyn FrontierStore>,
    broker: Arc<dyn Broker>,
    admitter: Admitter,
    summary: Mutex<CrawlSummary>,
    wake: tokio::sync::Notify,
    /// This replica's id in the shard leases (`<hostname>:<pid>:<random>`).
    replica: String,
    /// The host shards this replica may dispatch. `None` until [`Frontier::run`] starts
    /// coordinating: a frontier driven by hand (`dispatch_once` in tests) leases from every shard.
    owned: Mutex<Option<OwnedShards>>,
}

/// Shards held, and until when the claims last (this process's clock).
#[derive(Debug, Clone, Default)]
struct OwnedShards {
    shards: Vec<u16>,
    valid_until_ms: u64,
}

/// A replica id: the host name (the pod name on Kubernetes), the pid and 32 random bits, so a
/// restarted pod never reuses the claims of its previous life.
fn replica_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| {
            h.trim()
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(100)
                .collect::<String>()
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "frontier".to_string());
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// The frontier service. Cheap to clone.
#[derive(Clone)]
pub struct Frontier {
    inner: Arc<Inner>,
}

/// A host's delays as [`Frontier::host_delays`] reads them for a report.
#[derive(Debug, Clone, Copy)]
struct HostDelays {
    /// robots.txt's Crawl-delay, when the host has one.
    crawl_delay: Option<Duration>,
    /// The politeness rule's current adaptive delay (zero when none is stored).
    current: Duration,
}

/// The fetch task a lease is published as: the URL's queue entry, the lease's id, and the
/// validators (`etag`, `last_modified`) for a conditional GET when the URL has them.
pub fn task_for_lease(
    lease: &Lease,
    etag: Option<String>,
    last_modified: Option<String>,
) -> FetchTask {
    FetchTask {
        schema_version: MESSAGE_SCHEMA_VERSION,
        task_id: lease.lease_id.clone(),
        url: lease.item.url.clone(),
        host: lease.host.clone(),
        kind: lease.item.kind,
        depth: lease.item.depth,
        attempt: lease.item.attempt,
        etag,
        last_modified,
        enqueued_at: Utc::now().fixed_offset(),
        update: lease.item.update.clone(),
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Frontier {
    /// A frontier over `store` and `broker`. Loads the persisted scope (seed hosts).
    pub async fn new(
        cfg: FrontierConfig,
        store: Arc<dyn FrontierStore>,
        broker: Arc<dyn Broker>,
    ) -> Result<Self, FrontierError> {
        let admitter = Admitter::new(&cfg);
        let hosts = store.set_members(StoreSet::ScopeHosts).await?;
        admitter.add_scope_hosts(&hosts);
        Ok(Frontier {
            inner: Arc::new(Inner {
                cfg,
                store,
                broker,
                admitter,
                summary: Mutex::new(CrawlSummary::default()),
                wake: tokio::sync::Notify::new(),
                replica: replica_id(),
                owned: Mutex::new(None),
            }),
        })
    }

    pub fn config(&self) -> &FrontierConfig {
        &self.inner.cfg
    }

    pub fn store(&self) -> &Arc<dyn FrontierStore> {
        &self.inner.store
    }

    /// This replica's id in the shard claims.
    pub fn replica_id(&self) -> &str {
        &self.inner.replica
    }

    /// The shards this replica currently dispatches (`None`: not coordinating, all of them).
    pub fn owned_shards(&self) -> Option<Vec<u16>> {
        let now = now_ms();
        self.lock_owned().as_ref().map(|o| {
            if o.valid_until_ms > now {
                o.shards.clone()
            } else {
                Vec::new()
            }
        })
    }

    fn lock_owned(&self) -> std::sync::MutexGuard<'_, Option<OwnedShards>> {
        self.inner.owned.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One round of shard coordination: heartbeat, read who is alive and who holds what,
    /// plan this replica's fair share ([`trawl_store::shards::plan`]) and apply it atomically.
    /// Logs every shard taken, released or lost, and sets `trawl_frontier_shards_owned`.
    pub async fn coordinate_shards(&self) -> Result<Vec<u16>, FrontierError> {
        let inner = &self.inner;
        let store = &inner.store;
        let me = inner.replica.as_str();
        let ttl = (inner.cfg.shard_lease.as_millis() as u64).max(1);
        let now = now_ms();
        let view = store.shard_view(me, now, ttl).await?;
        let plan = trawl_store::shards::plan(store.shard_count(), me, &view, now);
        let held = store
            .shard_apply(me, now, ttl, &plan.hold, &plan.release)
            .await?;
        let before = {
            let mut g = self.lock_owned();
            let before = g.as_ref().map(|o| o.shards.clone()).unwrap_or_default();
            *g = Some(OwnedShards {
                shards: held.clone(),
                valid_until_ms: now.saturating_add(ttl),
            });
            before
        };
        let replicas = view.replicas.len();
        let mut took = false;
        for s in held.iter().filter(|s| !before.contains(s)) {
            took = true;
            info!(shard = s, replica = me, replicas, "took shard");
        }
        for s in before.iter().filter(|s| !held.contains(s)) {
            if plan.release.contains(s) {
                info!(shard = s, replica = me, replicas, "released shard");
            } else {
                warn!(
                    shard = s,
                    replica = me,
                    "lost shard (its claim expired and another replica took it)"
                );
            }
        }
        trawl_metrics::global()
            .frontier_shards_owned
            .set(held.len() as i64);
        if took {
            inner.wake.notify_one();
        }
        Ok(held)
    }

    /// Give up every shard (clean shutdown), so the other replicas take them at once.
    async fn leave_shards(&self) {
        match self.inner.store.shard_leave(&self.inner.replica).await {
            Ok(released) => {
                for s in released {
                    info!(shard = s, replica = %self.inner.replica, "released shard");
                }
            }
            Err(e) => {
                warn!(error = %e, "could not release the shards; they move when their claims expire")
            }
        }
        *self.lock_owned() = Some(OwnedShards::default());
        trawl_metrics::global().frontier_shards_owned.set(0);
    }

    /// The summary counters so far.
    pub fn summary(&self) -> CrawlSummary {
        self.inner
            .summary
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// Add seed URLs (pages, sitemaps or feeds): their hosts join the scope, and
    /// each URL is admitted at depth 0 with seed priority. Invalid seeds are counted
    /// as filtered and returned in the summary's `rejected`.
    pub async fn add_seeds(&self, urls: &[String]) -> Result<AdmitSummary, FrontierError> {
        let inner = &self.inner;
        let hosts = inner.admitter.scope_hosts_of(urls);
        if !hosts.is_empty() {
            inner.store.set_add(StoreSet::ScopeHosts, &hosts).await?;
            inner.admitter.add_scope_hosts(&hosts);
        }
        let candidates = inner.admitter.judge_seeds(urls);
        self.admit_judged(candidates).await
    }

    /// Admit links found on a page at `depth` (children get `depth + 1`; sitemap,
    /// feed and canonical targets keep the parent's depth).
    pub async fn admit_links(
        &self,
        links: &[DiscoveredLink],
        parent_depth: u32,
    ) -> Result<AdmitSummary, FrontierError> {
        let candidates = self.inner.admitter.judge_links(links, parent_depth);
        self.admit_judged(candidates).await
    }

    async fn admit_judged(
        &self,
        judged: crate::admit::Judged,
    ) -> Result<AdmitSummary, FrontierError> {
        let inner = &self.inner;
        let m = trawl_metrics::global();
        let mut summary = AdmitSummary {
            discovered: judged.discovered,
            ..Default::default()
        };
        for (reason, n) in &judged.rejected {
            summary.filtered.add(*reason, *n);
        }
        let fps: Vec<u128> = judged
            .accepted
            .iter()
            .map(|q| trawl_core::url_fingerprint(&q.url))
            .collect();
        let fresh = if fps.is_empty() {
            Vec::new()
        } else {
            inner.store.insert_seen(&fps).await?
        };
        let mut candidates: Vec<(QueuedUrl, Option<FamilyBudget>)> = Vec::new();
        for (item, is_new) in judged.accepted.into_iter().zip(fresh) {
            if !is_new {
                summary.deduped += 1;
                continue;
            }
            match inner.admitter.trap_budget(&item) {
                Ok(budget) => candidates.push((item, budget)),
                Err(reason) => summary.filtered.add(reason, 1),
            }
        }
        let mut to_queue = self.charge_trap_families(candidates, &mut summary).await?;
        // Per-host page budget.
        if inner.cfg.max_pages_per_host > 0 && !to_queue.is_empty() {
            let mut per_host: BTreeMap<String, i64> = BTreeMap::new();
            for q in &to_queue {
                *per_host.entry(q.host.clone()).or_default() += 1;
            }
            let mut allowed: BTreeMap<String, i64> = BTreeMap::new();
            for (host, n) in per_host {
                let after = inner
                    .store
                    .host_meta_incr(&host, &HostField::Admitted, n)
                    .await?;
                let before = after - n;
                let room = (inner.cfg.max_pages_per_host as i64 - before).clamp(0, n);
                allowed.insert(host, room);
            }
            to_queue.retain(|q| match allowed.get_mut(&q.host) {
                Some(room) if *room > 0 => {
                    *room -= 1;
                    true
                }
                _ => {
                    summary.filtered.add(FilterReason::HostPageLimit, 1);
                    false
                }
            });
        }
        summary.accepted = to_queue.len() as u64;
        summary.accepted_articles = to_queue
            .iter()
            .filter(|q| q.kind == TaskKind::Article)
            .count() as u64;
        if !to_queue.is_empty() {
            inner.store.enqueue(&to_queue, now_ms()).await?;
            inner.wake.notify_one();
        }
        m.links_discovered_total.inc_by(summary.discovered);
        m.links_accepted_total.inc_by(summary.accepted);
        m.links_deduped_total.inc_by(summary.deduped);
        for (reason, n) in &summary.filtered {
            m.links_filtered_by(reason.as_str(), n);
        }
        if let Ok(mut s) = inner.summary.lock() {
            s.links_discovered += summary.discovered;
            s.links_accepted += summary.accepted;
            s.links_deduped += summary.deduped;
            s.filtered.add_all(&summary.filtered);
        }
        Ok(summary)
    }

    /// Charge new URLs to their spider-trap families (calendar-like, paginated) and keep those
    /// within budget. The counts live in the store, one `host_meta_incr` per (host, family) and
    /// round, in the host's metadata field `trap:<family fingerprint>`, so every frontier replica
    /// charges the same budget and it survives restarts. A family's first URL in this process is
    /// admitted without a store call and charged together with its second
    /// ([`crate::admit::Admitter::note_family`]): one-URL families cost nothing in Redis, and a
    /// family can exceed its cap by at most one URL per further replica (a replica that only
    /// ever sees one of its URLs).
    async fn charge_trap_families(
        &self,
        candidates: Vec<(QueuedUrl, Option<FamilyBudget>)>,
        summary: &mut AdmitSummary,
    ) -> Result<Vec<QueuedUrl>, FrontierError> {
        // Per candidate: the weight charged (0: not charged, 2: this URL and the family's first).
        let mut weights: Vec<i64> = Vec::with_capacity(candidates.len());
        let mut per_family: BTreeMap<(String, String), i64> = BTreeMap::new();
        for (item, budget) in &candidates {
            let w = match budget {
                None => 0,
                Some(b) => match self.inner.admitter.note_family(&b.family) {
                    1 => 0,
                    2 => 2,
                    _ => 1,
                },
            };
            if let (Some(b), true) = (budget, w > 0) {
                *per_family
                    .entry((item.host.clone(), b.family.clone()))
                    .or_default() += w;
            }
            weights.push(w);
        }
        // The family's count in the store before this round's charges.
        let mut running: BTreeMap<(String, String), i64> = BTreeMap::new();
        for ((host, family), w) in per_family {
            let field = HostField::TrapFamily(trawl_core::url_fingerprint(&family));
            let after = self.inner.store.host_meta_incr(&host, &field, w).await?;
            running.insert((host, family), after - w);
        }
        let mut out = Vec::with_capacity(candidates.len());
        for ((item, budget), w) in candidates.into_iter().zip(weights) {
            let Some(b) = budget else {
                out.push(item);
                continue;
            };
            if w == 0 {
                out.push(item);
                continue;
            }
            let count = running.entry((item.host.clone(), b.family)).or_default();
            *count += w;
            if *count <= i64::from(b.cap) {
                out.push(item);
            } else {
                summary.filtered.add(b.reason, 1);
            }
        }
        Ok(out)
    }

    /// Whether `url`'s hub family is barren as this replica knows it ([`schedule::HubYield`]).
    pub fn is_barren_family(&self, url: &str) -> bool {
        self.inner.admitter.is_barren(url)
    }

    /// A page at `url` (on `host`) was fetched and found `found` new articles: add it to its hub
    /// family's counter in the store (one `HINCRBY` on the host's metadata field
    /// `hub:<family fingerprint>`) and take the crawl-wide totals it returns into this
    /// replica's table, so a family sampled by several replicas turns barren after
    /// [`schedule::HUB_SAMPLE`] pages in all, not per replica.
    pub async fn record_hub_yield(
        &self,
        url: &str,
        host: &str,
        found: u64,
    ) -> Result<(), FrontierError> {
        let Ok(u) = url::Url::parse(url) else {
            return Ok(());
        };
        let field = HostField::HubFamily(trawl_core::url_fingerprint(&schedule::hub_family(&u)));
        let total = self
            .inner
            .store
            .host_meta_incr(host, &field, schedule::hub_increment(found))
            .await?;
        let (pages, productive) = schedule::hub_totals(total);
        self.inner.admitter.set_hub_yield(url, pages, productive);
        Ok(())
    }

    /// Lease due hosts and publish one task for each, keeping about
    /// `queue_target` tasks waiting. Returns how many tasks were published.
    pub async fn dispatch_once(&self) -> Result<usize, FrontierError> {
        let inner = &self.inner;
        let waiting = inner.broker.depth(WorkQueue::Tasks).await? as usize;
        if waiting >= inner.cfg.queue_target {
            return Ok(0);
        }
        let now = now_ms();
        let ttl = inner.cfg.lease_ttl.as_millis() as u64;
        let room = inner.cfg.queue_target - waiting;
        let leases = match self.owned_shards() {
            None => inner.store.lease(now, room, ttl).await?,
            Some(shards) => {
                let total = usize::from(inner.store.shard_count());
                let budget =
                    schedule::dispatch_budget(inner.cfg.queue_target, waiting, shards.len(), total);
                if budget == 0 {
                    return Ok(0);
                }
                inner
                    .store
                    .lease_in_shards(now, budget, ttl, &shards)
                    .await?
            }
        };
        if leases.is_empty() {
            return Ok(0);
        }
        let n = leases.len();
        let mut set = JoinSet::new();
        for lease in leases {
            let this = self.clone();
            set.spawn(async move { this.publish_task(lease).await });
        }
        let mut published = 0;
        while let Some(r) = set.join_next().await {
            match r {
                Ok(Ok(())) => published += 1,
                Ok(Err(e)) => warn!(error = %e, "could not hand out a task; its URL was put back"),
                Err(e) => warn!(error = %e, "task publisher failed"),
            }
        }
        debug!(leased = n, published, "dispatched");
        Ok(published)
    }

    /// Drop a leased URL without fetching it, counted as filtered for `reason`; its host is
    /// free at once.
    async fn skip_leased(
        &self,
        lease: &Lease,
        reason: trawl_url::FilterReason,
    ) -> Result<(), FrontierError> {
        let inner = &self.inner;
        trawl_metrics::global().link_filtered(reason.as_str());
        if let Ok(mut s) = inner.summary.lock() {
            s.filtered.add(reason, 1);
        }
        inner
            .store
            .release(&lease.host, &lease.lease_id, now_ms())
            .await?;
        inner.wake.notify_one();
        Ok(())
    }

    async fn publish_task(&self, lease: Lease) -> Result<(), FrontierError> {
        let inner = &self.inner;
        if inner.admitter.skip_at_dispatch(&lease.item) {
            // Its family turned barren while it waited: no request.
            return self
                .skip_leased(&lease, trawl_url::FilterReason::BarrenFamily)
                .await;
        }
        if let Some(original) = inner.admitter.alternate_original(&lease.item) {
            // An AMP or print rendering whose original is known by now (it waited behind it):
            // the request would only confirm a duplicate (or a redirect to it).
            if inner
                .store
                .seen_contains(trawl_core::url_fingerprint(&original))
                .await?
            {
                debug!(url = %lease.item.url, %original, "alternate rendering of a known page: not fetched");
                return self
                    .skip_leased(&lease, trawl_url::FilterReason::Duplicate)
                    .await;
            }
        }
        let (etag, last_modified) = if lease.item.update.is_some()
            || schedule::recrawls(lease.item.kind, trawl_core::FetchOutcome::Ok)
        {
            inner
                .store
                .validators_get(&lease.item.url)
                .await?
                .unwrap_or((None, None))
        } else {
            (None, None)
        };
        let task = task_for_lease(&lease, etag, last_modified);
        // The broker counts and times its publishes (`trawl_amqp_publish_total`,
        // `trawl_amqp_call_duration_seconds`).
        match publish_json(inner.broker.as_ref(), WorkQueue::Tasks, &task).await {
            Ok(()) => Ok(()),
            Err(e) => {
                // Put the URL back, then free the host: nothing is lost.
                inner.store.enqueue(&[lease.item], now_ms()).await?;
                inner
                    .store
                    .release(&lease.host, &lease.lease_id, now_ms())
                    .await?;
                Err(e.into())
            }
        }
    }

    /// Apply a worker's report, in stages:
    /// 1. count the outcome (`count_outcome`);
    /// 2. record the page's other names (redirect hops, final and canonical URL) as seen
    ///    (`mark_names_seen`);
    /// 3. admit the links it discovered (`admit_discovered`) and note the page's hub
    ///    yield (`note_page_yield`);
    /// 4. record the host's crawl delay and read its delays in one round trip
    ///    (`host_delays`);
    /// 5. finish, retry or dead-letter the URL (`dispose`): a finished URL may be
    ///    scheduled for a re-poll or an update check;
    /// 6. free the host until its politeness delay has passed (`release_host`).
    ///
    /// The decisions are pure functions of [`schedule`] and [`crate::admit`]; these stages
    /// apply them to the store and the broker.
    pub async fn handle_report(&self, report: &FetchReport) -> Result<(), FrontierError> {
        let now = now_ms();
        self.count_outcome(report);
        let reached_known = self.mark_names_seen(report).await?;
        let new_articles = self.admit_discovered(report).await?;
        self.note_page_yield(report, new_articles, reached_known)
            .await?;
        let delays = self.host_delays(report).await?;
        self.dispose(report, new_articles, now).await?;
        self.release_host(report, delays, now).await
    }

    /// Count the fetch by outcome (and as an article when it was one) in the summary.
    fn count_outcome(&self, report: &FetchReport) {
        if let Ok(mut s) = self.inner.summary.lock() {
            s.fetched.add(report.outcome, 1);
            if report.is_article {
                s.articles += 1;
            }
        }
    }

    /// Redirect targets, every hop of a redirect chain and canonical URLs count as seen: the
    /// same page is not fetched again under another of its names, whichever link names it
    /// next. Returns whether this fetch reached a page already known under its final or
    /// canonical name (an alias of something fetched before).
    async fn mark_names_seen(&self, report: &FetchReport) -> Result<bool, FrontierError> {
        let inner = &self.inner;
        let own_fp = inner
            .admitter
            .fingerprints_of(std::slice::from_ref(&report.url));
        let mut names: Vec<String> = report.redirects.iter().map(|h| h.url.clone()).collect();
        let mut targets = Vec::new();
        for t in [&report.final_url, &report.canonical_url]
            .into_iter()
            .flatten()
        {
            names.push(t.clone());
            targets.extend(inner.admitter.fingerprints_of(std::slice::from_ref(t)));
        }
        let alias_fps: Vec<u128> = inner
            .admitter
            .fingerprints_of(&names)
            .into_iter()
            .filter(|fp| !own_fp.contains(fp))
            .collect();
        if alias_fps.is_empty() {
            return Ok(false);
        }
        let fresh = inner.store.insert_seen(&alias_fps).await?;
        Ok(alias_fps
            .iter()
            .zip(fresh)
            .any(|(fp, is_new)| !is_new && targets.contains(fp)))
    }

    /// Admit the links the page named (and count those the worker left out because known
    /// robots.txt rules disallow them as filtered). Returns how many new article links were
    /// queued.
    async fn admit_discovered(&self, report: &FetchReport) -> Result<u64, FrontierError> {
        if report.links.is_empty() && report.links_robots_denied == 0 {
            return Ok(0);
        }
        let (max_age, repoll) = self.entry_max_age(report).await?;
        let ctx = crate::admit::PageContext {
            page_urls: std::iter::once(report.url.clone())
                .chain(report.final_url.clone())
                .chain(report.canonical_url.clone())
                .collect(),
            max_age,
            repoll,
            now: Utc::now(),
        };
        let mut judged = self
            .inner
            .admitter
            .judge_page_links(&report.links, report.depth, &ctx);
        let denied = u64::from(report.links_robots_denied);
        if denied > 0 {
            judged.discovered += denied;
            *judged
                .rejected
                .entry(trawl_url::FilterReason::RobotsDenied)
                .or_default() += denied;
        }
        Ok(self.admit_judged(judged).await?.accepted_articles)
    }

    /// A fetched listing or article page feeds its hub family's yield
    /// ([`Self::record_hub_yield`]): it is productive when it queued new article links or is
    /// itself a new article (not a known one reached through an alias).
    async fn note_page_yield(
        &self,
        report: &FetchReport,
        new_articles: u64,
        reached_known: bool,
    ) -> Result<(), FrontierError> {
        if !matches!(report.kind, TaskKind::Listing | TaskKind::Article)
            || !matches!(report.outcome, FetchOutcome::Ok | FetchOutcome::Redirect)
        {
            return Ok(());
        }
        let found = new_articles + u64::from(report.is_article && !reached_known);
        self.record_hub_yield(&report.url, &report.host, found)
            .await
    }

    /// The host's delays, read in one round trip: its crawl delay (the one robots.txt gave
    /// with this report, stored in the host's metadata as `crawl_delay_ms` for later reports,
    /// else the one stored before) and its current adaptive delay (`delay_ms`, see
    /// [`Self::release_host`]).
    async fn host_delays(&self, report: &FetchReport) -> Result<HostDelays, FrontierError> {
        let store = &self.inner.store;
        let ms = |v: Option<String>| {
            v.and_then(|v| v.parse::<u64>().ok())
                .map(Duration::from_millis)
        };
        match report
            .crawl_delay_seconds
            .filter(|s| s.is_finite() && *s >= 0.0)
        {
            Some(cd) => {
                store
                    .host_meta_set(
                        &report.host,
                        &HostField::CrawlDelayMs,
                        &((cd * 1000.0) as u64).to_string(),
                    )
                    .await?;
                let current = store
                    .host_meta_get(&report.host, &HostField::DelayMs)
                    .await?;
                Ok(HostDelays {
                    crawl_delay: Some(Duration::from_secs_f64(cd.min(86_400.0))),
                    current: ms(current).unwrap_or_default(),
                })
            }
            None => {
                let mut v = store
                    .host_meta_get_many(
                        &report.host,
                        &[HostField::CrawlDelayMs, HostField::DelayMs],
                    )
                    .await?
                    .into_iter();
                Ok(HostDelays {
                    crawl_delay: ms(v.next().flatten()),
                    current: ms(v.next().flatten()).unwrap_or_default(),
                })
            }
        }
    }

    /// Apply [`schedule::disposition`]: the URL is done ([`Self::finish`]), retried
    /// ([`Self::retry`]) or dead-lettered ([`Self::dead_letter`]).
    async fn dispose(
        &self,
        report: &FetchReport,
        new_articles: u64,
        now: u64,
    ) -> Result<(), FrontierError> {
        let item = report_item(report);
        match schedule::disposition(report, self.inner.cfg.max_attempts, rand::random::<f64>()) {
            Disposition::Done => self.finish(report, &item, new_articles, now).await,
            Disposition::Retry { attempt, after } => {
                self.retry(report, QueuedUrl { attempt, ..item }, after, now)
                    .await
            }
            Disposition::DeadLetter { reason } => self.dead_letter(report, &reason).await,
        }
    }

    /// A URL done with: a source that is polled again (feed, sitemap, seed) keeps its
    /// validators and is scheduled for its next poll, at an interval adapted to how many new
    /// articles it gave (when recrawling is on); an article may get its next update check.
    async fn finish(
        &self,
        report: &FetchReport,
        item: &QueuedUrl,
        new_articles: u64,
        now: u64,
    ) -> Result<(), FrontierError> {
        let inner = &self.inner;
        trawl_metrics::global().frontier_urls_done_total.inc();
        if schedule::recrawls(report.kind, report.outcome) {
            self.keep_validators(report).await?;
            if let Some(first) = inner.cfg.recrawl_interval {
                let every = self.next_poll_interval(report, first, new_articles).await?;
                let due = now + every.as_millis() as u64;
                inner.store.schedule_recrawl(item, due).await?;
            }
        }
        self.check_for_updates_later(report, item, now).await
    }

    /// Queue `retry` (the URL with its next attempt count) again, and rest its host at least
    /// as long as the backoff `after`.
    async fn retry(
        &self,
        report: &FetchReport,
        retry: QueuedUrl,
        after: Duration,
        now: u64,
    ) -> Result<(), FrontierError> {
        let inner = &self.inner;
        trawl_metrics::global().retry(trawl_metrics::RetryStage::Task);
        if let Ok(mut s) = inner.summary.lock() {
            s.retried += 1;
        }
        inner.store.enqueue(&[retry], now).await?;
        inner
            .store
            .defer_host(&report.host, now + after.as_millis() as u64)
            .await?;
        Ok(())
    }

    /// Give up on the URL: publish its task ([`dead_letter_task`]) to the dead-letter queue
    /// with `reason`.
    async fn dead_letter(&self, report: &FetchReport, reason: &str) -> Result<(), FrontierError> {
        let inner = &self.inner;
        let m = trawl_metrics::global();
        let label = if report.process_error.is_some() {
            "process_error"
        } else {
            report.outcome.as_str()
        };
        m.dead_letter(label);
        if let Ok(mut s) = inner.summary.lock() {
            s.dead_lettered += 1;
        }
        warn!(url = %report.url, %reason, "dead-lettering task");
        let payload = serde_json::to_vec(&dead_letter_task(report)).unwrap_or_default();
        inner
            .broker
            .dead_letter(WorkQueue::Tasks, &payload, reason)
            .await?;
        Ok(())
    }

    /// Free the report's host, due again after its politeness delay, and wake the dispatcher.
    ///
    /// The delay is the one politeness rule (`trawl_core::politeness`, with
    /// [`FrontierConfig::politeness_rule`]): the host's current adaptive delay is kept in its
    /// metadata (`delay_ms`: read with the crawl delay by [`Self::host_delays`], one round trip
    /// per report; a write only when the rule changed it), so a
    /// restart keeps it and every replica shares it; the host is due at
    /// `now + max(delay, Retry-After hold)`.
    async fn release_host(
        &self,
        report: &FetchReport,
        delays: HostDelays,
        now: u64,
    ) -> Result<(), FrontierError> {
        let inner = &self.inner;
        let rule = inner.cfg.politeness_rule();
        let HostDelays {
            crawl_delay,
            current,
        } = delays;
        let decision = rule.next_delay(current, crawl_delay, &schedule::report_response(report));
        if decision.delay != rule.delay(current, crawl_delay) {
            inner
                .store
                .host_meta_set(
                    &report.host,
                    &HostField::DelayMs,
                    &decision.delay.as_millis().to_string(),
                )
                .await?;
        }
        let delay = decision.wait();
        let released = inner
            .store
            .release(
                &report.host,
                &report.task_id,
                now + delay.as_millis() as u64,
            )
            .await?;
        if !released {
            debug!(url = %report.url, "report for a lease that had expired or was already released");
        }
        trawl_metrics::global().progress(trawl_metrics::Stage::Frontier);
        inner.wake.notify_one();
        Ok(())
    }

    /// Keep the `ETag` / `Last-Modified` of a fetch that will be repeated (a re-poll, an update
    /// check), for its conditional GET.
    async fn keep_validators(&self, report: &FetchReport) -> Result<(), FrontierError> {
        if report.etag.is_some() || report.last_modified.is_some() {
            self.inner
                .store
                .validators_set(
                    &report.url,
                    report.etag.as_deref(),
                    report.last_modified.as_deref(),
                )
                .await?;
        }
        Ok(())
    }

    /// Updates and corrections: count the result of an update check, and queue the article's
    /// next check (`schedule::follow_up`) with the validators of this fetch, for a conditional
    /// GET.
    async fn check_for_updates_later(
        &self,
        report: &FetchReport,
        item: &QueuedUrl,
        now: u64,
    ) -> Result<(), FrontierError> {
        let inner = &self.inner;
        if let Some(result) = schedule::update_result(report) {
            trawl_metrics::global()
                .update_checks_total
                .with_label_values(&[result])
                .inc();
            if result == "changed" {
                if let Ok(mut s) = inner.summary.lock() {
                    s.updated += 1;
                }
            }
        }
        let Some((check, due)) = schedule::follow_up(report, &inner.cfg.update_checks, now) else {
            return Ok(());
        };
        self.keep_validators(report).await?;
        let next = QueuedUrl {
            attempt: 0,
            update: Some(check),
            ..item.clone()
        };
        inner.store.schedule_recrawl(&next, due).await?;
        Ok(())
    }

    /// The maximum age of the sitemap/feed entries in `report`: `entry_max_age` when the source
    /// was polled before in this crawl (a re-poll: it has a stored interval), else
    /// `first_pass_max_age`. Page links have no date, so only sources need the lookup.
    ///
    /// Also returns whether this was a re-poll.
    async fn entry_max_age(
        &self,
        report: &FetchReport,
    ) -> Result<(Option<Duration>, bool), FrontierError> {
        let cfg = &self.inner.cfg;
        if !schedule::recrawls(report.kind, FetchOutcome::Ok) || cfg.recrawl_interval.is_none() {
            return Ok((cfg.first_pass_max_age, false));
        }
        let polled_before = self
            .inner
            .store
            .host_meta_get(&report.host, &HostField::PollInterval(report.url.clone()))
            .await?
            .is_some();
        Ok(if polled_before {
            (cfg.entry_max_age, true)
        } else {
            (cfg.first_pass_max_age, false)
        })
    }

    /// The interval until `report`'s source is polled again, adapted from its previous one
    /// (`first` when it has none) and stored in the host's metadata (`poll:<url>`, ms), so it
    /// survives restarts with the store (Redis, or the embedded `--state` snapshot).
    async fn next_poll_interval(
        &self,
        report: &FetchReport,
        first: Duration,
        new_articles: u64,
    ) -> Result<Duration, FrontierError> {
        let inner = &self.inner;
        let field = HostField::PollInterval(report.url.clone());
        let previous = inner
            .store
            .host_meta_get(&report.host, &field)
            .await?
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(first, Duration::from_millis);
        let next = schedule::next_poll_interval(
            previous,
            new_articles,
            inner.cfg.recrawl_min.min(first),
            inner.cfg.recrawl_max.max(first),
        );
        inner
            .store
            .host_meta_set(&report.host, &field, &next.as_millis().to_string())
            .await?;
        Ok(next)
    }

    /// Move due recrawls (feeds, sitemaps, seeds) back into their host queues.
    pub async fn requeue_recrawls(&self) -> Result<usize, FrontierError> {
        let due = self.inner.store.take_due_recrawls(now_ms(), 1000).await?;
        if !due.is_empty() {
            let fresh: Vec<QueuedUrl> = due
                .into_iter()
                .map(|q| QueuedUrl { attempt: 0, ..q })
                .collect();
            self.inner.store.enqueue(&fresh, now_ms()).await?;
            self.inner.wake.notify_one();
            return Ok(fresh.len());
        }
        Ok(0)
    }

    /// Nothing queued, nothing in flight, no report waiting: the crawl is over
    /// (recrawls aside).
    pub async fn is_drained(&self) -> Result<bool, FrontierError> {
        let stats = self.inner.store.stats(now_ms()).await?;
        if !stats.drained() {
            return Ok(false);
        }
        let tasks = self.inner.broker.depth(WorkQueue::Tasks).await?;
        let reports = self.inner.broker.depth(WorkQueue::Reports).await?;
        Ok(tasks == 0 && reports == 0)
    }

    /// Refresh the frontier gauges from the store and the broker.
    pub async fn update_gauges(&self) -> Result<trawl_store::StoreStats, FrontierError> {
        let m = trawl_metrics::global();
        let stats = self.inner.store.stats(now_ms()).await?;
        m.set_frontier_hosts(
            stats.hosts_ready as i64,
            stats.hosts_waiting as i64,
            stats.hosts_leased as i64,
        );
        m.frontier_urls_queued.set(stats.queued as i64);
        m.frontier_urls_in_flight.set(stats.in_flight as i64);
        // Queue depths are the frontier's periodic sampling of the crawl (one poller, not every
        // process holding a broker), so they are set here rather than by the broker, which
        // records its own publishes, call latencies and connection events.
        for (q, kind) in [
            (WorkQueue::Tasks, trawl_metrics::QueueKind::Tasks),
            (WorkQueue::Reports, trawl_metrics::QueueKind::Reports),
        ] {
            if let Ok(d) = self.inner.broker.depth(q).await {
                m.set_queue_messages(kind, d as i64);
            }
        }
        if let Ok(d) = self.inner.broker.dead_letter_count().await {
            m.set_queue_messages(trawl_metrics::QueueKind::DeadLetter, d as i64);
        }
        Ok(stats)
    }

    /// Run the frontier until `shutdown`: the dispatcher, the report consumer, the
    /// seed consumer, recrawls and gauges. Errors are logged and retried with backoff.
    pub async fn run(&self, shutdown: CancellationToken) {
        // Dispatch only from claimed shards from now on; claim them before the first dispatch.
        self.lock_owned().get_or_insert_with(OwnedShards::default);
        if let Err(e) = self.coordinate_shards().await {
            warn!(error = %e, "shard coordination failed; retrying");
        }
        let mut set = JoinSet::new();
        {
            let this = self.clone();
            let stop = shutdown.clone();
            set.spawn(async move { this.shard_loop(stop).await });
        }
        {
            let this = self.clone();
            let stop = shutdown.clone();
            set.spawn(async move { this.dispatch_loop(stop).await });
        }
        {
            let this = self.clone();
            let stop = shutdown.clone();
            set.spawn(async move { this.report_loop(stop).await });
        }
        {
            let this = self.clone();
            let stop = shutdown.clone();
            set.spawn(async move { this.seed_loop(stop).await });
        }
        {
            let this = self.clone();
            let stop = shutdown.clone();
            set.spawn(async move { this.housekeeping_loop(stop).await });
        }
        while set.join_next().await.is_some() {}
        self.leave_shards().await;
        info!("frontier stopped");
    }

    /// Renew and rebalance the shard claims every third of `shard_lease` (at most every 5 s,
    /// at least every 100 ms).
    async fn shard_loop(&self, stop: CancellationToken) {
        let every = (self.inner.cfg.shard_lease / 3)
            .clamp(Duration::from_millis(100), Duration::from_secs(5));
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        let mut backoff = Backoff::new();
        while !stop.is_cancelled() {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {}
            }
            match self.coordinate_shards().await {
                Ok(_) => backoff.reset(),
                Err(e) => {
                    // Claims not renewed lapse by themselves (`owned_shards` checks their
                    // expiry), so this replica stops dispatching them in time.
                    let wait = backoff.next_delay().min(every);
                    warn!(error = %e, retry_in = ?wait, "shard coordination failed");
                    tokio::select! {
                        _ = stop.cancelled() => break,
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }

    async fn dispatch_loop(&self, stop: CancellationToken) {
        let mut backoff = Backoff::new();
        while !stop.is_cancelled() {
            match self.dispatch_once().await {
                Ok(n) => {
                    backoff.reset();
                    if n == 0 {
                        tokio::select! {
                            _ = stop.cancelled() => break,
                            _ = self.inner.wake.notified() => {}
                            _ = tokio::time::sleep(self.inner.cfg.dispatch_tick) => {}
                        }
                    }
                }
                Err(e) => {
                    let wait = backoff.next_delay();
                    warn!(error = %e, retry_in = ?wait, "dispatch failed");
                    tokio::select! {
                        _ = stop.cancelled() => break,
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }

    /// Consume `queue` until `stop`, reopening the consumer with backoff after a
    /// broker failure, and hand each delivery to `handle`, which acks it itself.
    /// `handle` returns false to end the loop (shutdown in the middle of a delivery).
    async fn consume_loop<F, Fut>(
        &self,
        queue: WorkQueue,
        prefetch: u16,
        stop: CancellationToken,
        mut handle: F,
    ) where
        F: FnMut(Delivery) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let mut backoff = Backoff::new();
        while !stop.is_cancelled() {
            let consumer = tokio::select! {
                _ = stop.cancelled() => break,
                c = self.inner.broker.consume(queue, prefetch) => c,
            };
            let mut consumer = match consumer {
                Ok(c) => c,
                Err(e) => {
                    let wait = backoff.next_delay();
                    warn!(error = %e, queue = queue.as_str(), retry_in = ?wait, "cannot consume");
                    tokio::select! {
                        _ = stop.cancelled() => break,
                        _ = tokio::time::sleep(wait) => {}
                    }
                    continue;
                }
            };
            backoff.reset();
            loop {
                let delivery = tokio::select! {
                    _ = stop.cancelled() => return,
                    d = consumer.next() => d,
                };
                let Some(delivery) = delivery else { break };
                if !handle(delivery).await {
                    return;
                }
            }
        }
    }

    /// Decode a delivery, dead-lettering (and acking) what is undecodable or of a
    /// schema version newer than this build knows.
    async fn decode<T: serde::de::DeserializeOwned>(
        &self,
        queue: WorkQueue,
        delivery: &Delivery,
        known_version: u32,
        version_of: impl Fn(&T) -> u32,
    ) -> Option<T> {
        let reason = match delivery.json::<T>() {
            Ok(msg) if version_of(&msg) <= known_version => return Some(msg),
            Ok(msg) => format!("unsupported schema_version {}", version_of(&msg)),
            Err(e) => format!("undecodable: {e}"),
        };
        warn!(queue = queue.as_str(), %reason, "dead-lettering a message");
        let _ = self
            .inner
            .broker
            .dead_letter(queue, &delivery.payload, &reason)
            .await;
        None
    }

    async fn report_loop(&self, stop: CancellationToken) {
        let prefetch = self.inner.cfg.report_prefetch;
        let s = stop.clone();
        self.consume_loop(WorkQueue::Reports, prefetch, stop, |delivery| {
            let stop = s.clone();
            async move {
                let Some(report) = self
                    .decode::<FetchReport>(WorkQueue::Reports, &delivery, MESSAGE_SCHEMA_VERSION, |r| {
                        r.schema_version
                    })
                    .await
                else {
                    let _ = delivery.ack().await;
                    return true;
                };
                let mut backoff = Backoff::new();
                loop {
                    match self.handle_report(&report).await {
                        Ok(()) => {
                            if let Err(e) = delivery.ack().await {
                                warn!(error = %e, "could not ack a report (it will be redelivered)");
                            }
                            return true;
                        }
                        Err(e) => {
                            let wait = backoff.next_delay();
                            warn!(error = %e, url = %report.url, retry_in = ?wait, "report handling failed");
                            tokio::select! {
                                _ = stop.cancelled() => return false,
                                _ = tokio::time::sleep(wait) => {}
                            }
                        }
                    }
                }
            }
        })
        .await;
    }

    async fn seed_loop(&self, stop: CancellationToken) {
        let s = stop.clone();
        self.consume_loop(WorkQueue::Seeds, 8, stop, |delivery| {
            let stop = s.clone();
            async move {
                let Some(req) = self
                    .decode::<SeedRequest>(
                        WorkQueue::Seeds,
                        &delivery,
                        trawl_queue::SEED_SCHEMA_VERSION,
                        |r| r.schema_version,
                    )
                    .await
                else {
                    let _ = delivery.ack().await;
                    return true;
                };
                match self.add_seeds(&req.urls).await {
                    Ok(s) => {
                        info!(accepted = s.accepted, deduped = s.deduped, filtered = ?s.filtered, "seeds added");
                        let _ = delivery.ack().await;
                        true
                    }
                    Err(e) => {
                        warn!(error = %e, "could not add seeds; requeueing");
                        let _ = delivery.requeue().await;
                        tokio::select! {
                            _ = stop.cancelled() => false,
                            _ = tokio::time::sleep(Duration::from_secs(1)) => true,
                        }
                    }
                }
            }
        })
        .await;
    }

    async fn housekeeping_loop(&self, stop: CancellationToken) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !stop.is_cancelled() {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {}
            }
            if self.inner.cfg.recrawl_interval.is_some() {
                if let Err(e) = self.requeue_recrawls().await {
                    warn!(error = %e, "recrawl scheduling failed");
                }
            }
            if let Err(e) = self.update_gauges().await {
                debug!(error = %e, "gauge update failed");
            }
        }
    }
}

/// The queue entry of a reported URL (attempt count as reported, priority by its kind), as
/// it is retried or scheduled again.
fn report_item(report: &FetchReport) -> QueuedUrl {
    QueuedUrl {
        url: report.url.clone(),
        host: report.host.clone(),
        priority: schedule::priority(report.kind),
        depth: report.depth,
        kind: report.kind,
        attempt: report.attempt,
        update: report.update.clone(),
    }
}

/// The dead letter of a reported URL: the task itself with a fresh attempt count and no
/// validators, so that `trawl dlq requeue` hands it straight back to the workers.
fn dead_letter_task(report: &FetchReport) -> FetchTask {
    FetchTask {
        schema_version: MESSAGE_SCHEMA_VERSION,
        task_id: format!("dlq-{}", report.task_id),
        url: report.url.clone(),
        host: report.host.clone(),
        kind: report.kind,
        depth: report.depth,
        attempt: 0,
        etag: None,
        last_modified: None,
        enqueued_at: Utc::now().fixed_offset(),
        update: report.update.clone(),
    }
}

/// The service loops' backoff: 100 ms doubling to 30 s, with jitter (`trawl_core::backoff`).
pub use trawl_core::Backoff;
