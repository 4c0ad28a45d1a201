//! [`MemoryStore`]: the frontier state in process memory, for the embedded `trawl crawl`.
//!
//! Everything sits behind one `std::sync::Mutex` (no `.await` is ever held under it),
//! so every method is atomic with respect to the others. The structures are chosen
//! so that no call scans all hosts or all URLs:
//! - seen-set: `HashSet<u128>` (the full 128-bit fingerprint, so exact);
//! - per host: a `BTreeMap<(priority, seq), QueuedUrl>` (most urgent first, FIFO
//!   within a priority, via a store-wide sequence number);
//! - the host schedule: a `BTreeSet<(due_ms, host)>` holding exactly the hosts that
//!   have queued URLs and no lease, so `lease` reads the due hosts off its front;
//! - live leases: a `BTreeSet<(expiry_ms, host)>`, so expired leases are found
//!   off its front too.
//!
//! Semantics shared with the Redis store (see `docs/redis-layout.md`):
//! - a host's due time only moves later through `release` and `defer_host`
//!   (the store keeps `max(current, given)`), so a deferral made while a lease is
//!   out is not undone by the release that follows; a host with nothing queued keeps
//!   its due time, which applies again when URLs are queued on it later;
//! - a lease is live until it is released or until a `lease` call after its expiry
//!   recovers it: its URL goes back into the host's queue under its original
//!   (priority, seq) key, i.e. ahead of everything queued after it at the same or a
//!   lower urgency, with `attempt + 1` (the expired lease counts as an attempt, so
//!   a URL that kills its worker every time still uses up its retry budget), and
//!   the host is due at once (or at its deferred due time if later);
//! - `validators_set(url, None, None)` forgets the URL's validators.
//!
//! Persistence (for a resumable embedded crawl): [`MemoryStore::save`] writes a
//! consistent snapshot of the whole state to a file (atomically: temp file, fsync,
//! rename) and [`MemoryStore::load`] reads it back. URLs under a lease at snapshot
//! time come back queued (same attempt count: the interruption was ours, not the
//! URL's), so nothing queued or in flight is lost; what happened after the last
//! snapshot is redone (URLs fetched since then are fetched again).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use trawl_core::url_fingerprint;

use crate::neardup;
use crate::shards::{ShardTable, ShardView};
use crate::{
    ContentClaim, ContentIndex, FrontierStore, HostField, Lease, QueuedUrl, StoreError, StoreSet,
    StoreStats,
};

/// In-process frontier store. Cheap to share behind an `Arc`.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Write a snapshot of the whole state to `path` (replaced atomically: written to
    /// `<path>.tmp`, fsynced, renamed). Blocking file I/O: from async code call it in
    /// `spawn_blocking` or accept the short block. The store is locked only while the
    /// snapshot is serialized, not while it is written.
    /// Errors: `Unavailable` when the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), StoreError> {
        let bytes = {
            let g = self.lock();
            serde_json::to_vec(&Snapshot::of(&g))
                .map_err(|e| StoreError::Corrupt(format!("snapshot: {e}")))?
        };
        let io = |what: &str, e: std::io::Error| {
            StoreError::Unavailable(format!("{what} {}: {e}", path.display()))
        };
        let mut tmp_name = path.as_os_str().to_owned();
        tmp_name.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp_name);
        let mut f = std::fs::File::create(&tmp).map_err(|e| io("creating", e))?;
        f.write_all(&bytes).map_err(|e| io("writing", e))?;
        f.sync_all().map_err(|e| io("syncing", e))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(|e| io("renaming into", e))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Make the rename itself durable; not possible everywhere, so best-effort.
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }

    /// Read a snapshot written by [`MemoryStore::save`]. `Ok(None)` when `path` does
    /// not exist; `Corrupt` when it is not a snapshot of this version; `Unavailable`
    /// when it cannot be read.
    pub fn load(path: &Path) -> Result<Option<Self>, StoreError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StoreError::Unavailable(format!(
                    "reading {}: {e}",
                    path.display()
                )))
            }
        };
        let snap: Snapshot = serde_json::from_slice(&bytes).map_err(|e| {
            StoreError::Corrupt(format!("frontier snapshot {}: {e}", path.display()))
        })?;
        let inner = snap.restore().map_err(|e| {
            StoreError::Corrupt(format!("frontier snapshot {}: {e}", path.display()))
        })?;
        Ok(Some(MemoryStore {
            inner: Mutex::new(inner),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the structures half-updated in
        // a way later calls would trip over more than the panic itself did; keep going.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Default)]
struct Inner {
    seen: HashSet<u128>,
    hosts: HashMap<String, HostState>,
    /// Hosts with queued URLs and no lease, by due time.
    due: BTreeSet<(u64, String)>,
    /// Hosts under a lease, by lease expiry.
    leases: BTreeSet<(u64, String)>,
    seq: u64,
    lease_counter: u64,
    queued: u64,
    in_flight: u64,
    done: u64,
    meta: HashMap<String, HashMap<String, String>>,
    sets: HashMap<String, BTreeSet<String>>,
    validators: HashMap<u128, (Option<String>, Option<String>)>,
    recrawl_due: BTreeSet<(u64, String)>,
    recrawl_items: HashMap<String, (u64, QueuedUrl)>,
    content: ContentClaims,
    /// Shard ownership (one shard; not snapshotted: it belongs to the running process).
    shards: ShardTable,
}

struct HostState {
    queue: BTreeMap<(u8, u64), QueuedUrl>,
    due_ms: u64,
    lease: Option<LiveLease>,
}

impl HostState {
    fn new(due_ms: u64) -> Self {
        HostState {
            queue: BTreeMap::new(),
            due_ms,
            lease: None,
        }
    }

    /// Whether the host belongs in the due set.
    fn schedulable(&self) -> bool {
        self.lease.is_none() && !self.queue.is_empty()
    }
}

struct LiveLease {
    id: String,
    expires_ms: u64,
    key: (u8, u64),
    item: QueuedUrl,
}

/// A New claim as indexed under its bands: (simhash, article_id, url).
type BandEntry = (u64, String, String);

/// The near-duplicate claims behind [`MemoryStore`]'s [`ContentIndex`] implementation.
#[derive(Default)]
struct ContentClaims {
    /// article_id → URL of the first claimant.
    ids: HashMap<String, String>,
    /// Per band: band value → (simhash, article_id, url) of New claims.
    bands: [HashMap<u16, Vec<BandEntry>>; neardup::BANDS],
    aliases: HashMap<String, BTreeSet<String>>,
}

impl ContentClaims {
    fn claim(&mut self, article_id: &str, url: &str, simhash: u64, max: u32) -> ContentClaim {
        if let Some(owner) = self.ids.get(article_id) {
            if owner == url {
                return ContentClaim::New;
            }
            let owner = owner.clone();
            self.aliases
                .entry(article_id.to_string())
                .or_default()
                .insert(url.to_string());
            return ContentClaim::Duplicate {
                of_article_id: article_id.to_string(),
                of_url: owner,
            };
        }
        // Closest earlier claim by another URL within `max` (first found on ties).
        let mut best: Option<(u32, &str, &str)> = None;
        for (i, band) in neardup::bands(simhash).iter().enumerate() {
            if let Some(entries) = self.bands[i].get(band) {
                for (h, aid, u) in entries {
                    let d = neardup::distance(*h, simhash);
                    if u != url && d <= max && best.is_none_or(|(bd, _, _)| d < bd) {
                        best = Some((d, aid, u));
                    }
                }
            }
        }
        if let Some((_, aid, u)) = best {
            let (aid, u) = (aid.to_string(), u.to_string());
            self.aliases
                .entry(aid.clone())
                .or_default()
                .insert(url.to_string());
            return ContentClaim::Duplicate {
                of_article_id: aid,
                of_url: u,
            };
        }
        self.ids.insert(article_id.to_string(), url.to_string());
        for (i, band) in neardup::bands(simhash).iter().enumerate() {
            self.bands[i].entry(*band).or_default().push((
                simhash,
                article_id.to_string(),
                url.to_string(),
            ));
        }
        ContentClaim::New
    }
}

impl Inner {
    fn recover_expired(&mut self, now_ms: u64) {
        while let Some((expires, host)) = self.leases.first().cloned() {
            if expires > now_ms {
                break;
            }
            self.leases.pop_first();
            let Some(hs) = self.hosts.get_mut(&host) else {
                continue;
            };
            let Some(mut live) = hs.lease.take() else {
                continue;
            };
            live.item.attempt = live.item.attempt.saturating_add(1);
            hs.queue.insert(live.key, live.item);
            hs.due_ms = hs.due_ms.max(now_ms);
            self.queued += 1;
            self.in_flight = self.in_flight.saturating_sub(1);
            self.due.insert((hs.due_ms, host));
        }
    }
}

const SNAPSHOT_VERSION: u32 = 1;

/// A queued item with its (priority, seq) key, as snapshotted.
type KeyedItem = (u8, u64, QueuedUrl);

/// The serialized form of [`Inner`] (see [`MemoryStore::save`]).
#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    seen: Vec<u128>,
    /// (host, due_ms, queued items with their (priority, seq) keys; the leased item
    /// included).
    hosts: Vec<(String, u64, Vec<KeyedItem>)>,
    seq: u64,
    lease_counter: u64,
    done: u64,
    meta: HashMap<String, HashMap<String, String>>,
    sets: HashMap<String, BTreeSet<String>>,
    validators: Vec<(u128, Option<String>, Option<String>)>,
    recrawls: Vec<(u64, QueuedUrl)>,
    content_ids: HashMap<String, String>,
    /// Every New claim once: (simhash, article_id, url).
    content_claims: Vec<BandEntry>,
    aliases: HashMap<String, BTreeSet<String>>,
}

impl Snapshot {
    fn of(g: &Inner) -> Self {
        let hosts = g
            .hosts
            .iter()
            .map(|(h, hs)| {
                let mut q: Vec<KeyedItem> = hs
                    .queue
                    .iter()
                    .map(|(k, it)| (k.0, k.1, it.clone()))
                    .collect();
                if let Some(l) = &hs.lease {
                    q.push((l.key.0, l.key.1, l.item.clone()));
                }
                (h.clone(), hs.due_ms, q)
            })
            .collect();
        Snapshot {
            version: SNAPSHOT_VERSION,
            seen: g.seen.iter().copied().collect(),
            hosts,
            seq: g.seq,
            lease_counter: g.lease_counter,
            done: g.done,
            meta: g.meta.clone(),
            sets: g.sets.clone(),
            validators: g
                .validators
                .iter()
                .map(|(k, (e, l))| (*k, e.clone(), l.clone()))
                .collect(),
            recrawls: g.recrawl_items.values().cloned().collect(),
            content_ids: g.content.ids.clone(),
            // Every claim sits in all four bands; band 0 lists each once.
            content_claims: g.content.bands[0].values().flatten().cloned().collect(),
            aliases: g.content.aliases.clone(),
        }
    }

    fn restore(self) -> Result<Inner, String> {
        if self.version != SNAPSHOT_VERSION {
            return Err(format!(
                "version {} (this build reads {SNAPSHOT_VERSION})",
                self.version
            ));
        }
        let mut g = Inner {
            seen: self.seen.into_iter().collect(),
            seq: self.seq,
            lease_counter: self.lease_counter,
            done: self.done,
            meta: self.meta,
            sets: self.sets,
            validators: self
                .validators
                .into_iter()
                .map(|(k, e, l)| (k, (e, l)))
                .collect(),
            ..Default::default()
        };
        for (host, due_ms, items) in self.hosts {
            let mut hs = HostState::new(due_ms);
            for (p, seq, item) in items {
                g.seq = g.seq.max(seq);
                if hs.queue.insert((p, seq), item).is_none() {
                    g.queued += 1;
                }
            }
            if hs.schedulable() {
                g.due.insert((due_ms, host.clone()));
            }
            g.hosts.insert(host, hs);
        }
        for (due, item) in self.recrawls {
            g.recrawl_due.insert((due, item.url.clone()));
            g.recrawl_items.insert(item.url.clone(), (due, item));
        }
        g.content.ids = self.content_ids;
        g.content.aliases = self.aliases;
        for (h, aid, url) in self.content_claims {
            for (i, band) in neardup::bands(h).iter().enumerate() {
                g.content.bands[i]
                    .entry(*band)
                    .or_default()
                    .push((h, aid.clone(), url.clone()));
            }
        }
        Ok(g)
    }
}

#[async_trait]
impl FrontierStore for MemoryStore {
    async fn insert_seen(&self, fingerprints: &[u128]) -> Result<Vec<bool>, StoreError> {
        let mut g = self.lock();
        Ok(fingerprints.iter().map(|fp| g.seen.insert(*fp)).collect())
    }

    async fn seen_contains(&self, fingerprint: u128) -> Result<bool, StoreError> {
        Ok(self.lock().seen.contains(&fingerprint))
    }

    async fn enqueue(&self, items: &[QueuedUrl], now_ms: u64) -> Result<(), StoreError> {
        let mut g = self.lock();
        let inner = &mut *g;
        for item in items {
            inner.seq += 1;
            let seq = inner.seq;
            let hs = inner
                .hosts
                .entry(item.host.clone())
                .or_insert_with(|| HostState::new(now_ms));
            let was_schedulable = hs.schedulable();
            hs.queue.insert((item.priority, seq), item.clone());
            inner.queued += 1;
            if !was_schedulable && hs.schedulable() {
                inner.due.insert((hs.due_ms, item.host.clone()));
            }
        }
        Ok(())
    }

    async fn lease(
        &self,
        now_ms: u64,
        max: usize,
        lease_ttl_ms: u64,
    ) -> Result<Vec<Lease>, StoreError> {
        let mut g = self.lock();
        let inner = &mut *g;
        inner.recover_expired(now_ms);
        let picked: Vec<(u64, String)> = inner
            .due
            .iter()
            .take_while(|(due, _)| *due <= now_ms)
            .take(max)
            .cloned()
            .collect();
        let mut out = Vec::with_capacity(picked.len());
        for entry in picked {
            inner.due.remove(&entry);
            let host = entry.1;
            let Some(hs) = inner.hosts.get_mut(&host) else {
                continue;
            };
            let Some((key, item)) = hs.queue.pop_first() else {
                continue;
            };
            inner.lease_counter += 1;
            let id = format!("m{:x}", inner.lease_counter);
            let expires_ms = now_ms.saturating_add(lease_ttl_ms);
            hs.lease = Some(LiveLease {
                id: id.clone(),
                expires_ms,
                key,
                item: item.clone(),
            });
            inner.leases.insert((expires_ms, host.clone()));
            inner.queued = inner.queued.saturating_sub(1);
            inner.in_flight += 1;
            out.push(Lease {
                lease_id: id,
                host,
                item,
            });
        }
        Ok(out)
    }

    fn shard_count(&self) -> u16 {
        1
    }

    async fn lease_in_shards(
        &self,
        now_ms: u64,
        max: usize,
        lease_ttl_ms: u64,
        shards: &[u16],
    ) -> Result<Vec<Lease>, StoreError> {
        // One shard (0) holds every host.
        if shards.contains(&0) {
            self.lease(now_ms, max, lease_ttl_ms).await
        } else {
            Ok(Vec::new())
        }
    }

    async fn shard_view(
        &self,
        replica: &str,
        now_ms: u64,
        ttl_ms: u64,
    ) -> Result<ShardView, StoreError> {
        Ok(self.lock().shards.view(replica, now_ms, ttl_ms))
    }

    async fn shard_apply(
        &self,
        replica: &str,
        now_ms: u64,
        ttl_ms: u64,
        hold: &[u16],
        release: &[u16],
    ) -> Result<Vec<u16>, StoreError> {
        let hold: Vec<u16> = hold.iter().copied().filter(|s| *s == 0).collect();
        Ok(self
            .lock()
            .shards
            .apply(replica, now_ms, ttl_ms, &hold, release))
    }

    async fn shard_leave(&self, replica: &str) -> Result<Vec<u16>, StoreError> {
        Ok(self.lock().shards.leave(replica))
    }

    async fn release(
        &self,
        host: &str,
        lease_id: &str,
        next_due_ms: u64,
    ) -> Result<bool, StoreError> {
        let mut g = self.lock();
        let inner = &mut *g;
        let Some(hs) = inner.hosts.get_mut(host) else {
            return Ok(false);
        };
        match &hs.lease {
            Some(live) if live.id == lease_id => {}
            _ => return Ok(false),
        }
        let Some(live) = hs.lease.take() else {
            return Ok(false);
        };
        inner.leases.remove(&(live.expires_ms, host.to_string()));
        inner.in_flight = inner.in_flight.saturating_sub(1);
        inner.done += 1;
        hs.due_ms = hs.due_ms.max(next_due_ms);
        if hs.schedulable() {
            inner.due.insert((hs.due_ms, host.to_string()));
        }
        Ok(true)
    }

    async fn defer_host(&self, host: &str, due_ms: u64) -> Result<(), StoreError> {
        let mut g = self.lock();
        let inner = &mut *g;
        let hs = inner
            .hosts
            .entry(host.to_string())
            .or_insert_with(|| HostState::new(due_ms));
        if due_ms <= hs.due_ms {
            return Ok(());
        }
        if hs.schedulable() {
            inner.due.remove(&(hs.due_ms, host.to_string()));
            inner.due.insert((due_ms, host.to_string()));
        }
        hs.due_ms = due_ms;
        Ok(())
    }

    async fn host_meta_get(
        &self,
        host: &str,
        field: &HostField,
    ) -> Result<Option<String>, StoreError> {
        let g = self.lock();
        Ok(g.meta
            .get(host)
            .and_then(|m| m.get(field.name().as_ref()))
            .cloned())
    }

    async fn host_meta_get_many(
        &self,
        host: &str,
        fields: &[HostField],
    ) -> Result<Vec<Option<String>>, StoreError> {
        let g = self.lock();
        let m = g.meta.get(host);
        Ok(fields
            .iter()
            .map(|f| m.and_then(|m| m.get(f.name().as_ref())).cloned())
            .collect())
    }

    async fn host_meta_set(
        &self,
        host: &str,
        field: &HostField,
        value: &str,
    ) -> Result<(), StoreError> {
        let mut g = self.lock();
        g.meta
            .entry(host.to_string())
            .or_default()
            .insert(field.to_string(), value.to_string());
        Ok(())
    }

    async fn host_meta_incr(
        &self,
        host: &str,
        field: &HostField,
        by: i64,
    ) -> Result<i64, StoreError> {
        let field = field.name();
        let mut g = self.lock();
        let m = g.meta.entry(host.to_string()).or_default();
        let current = match m.get(field.as_ref()) {
            None => 0,
            Some(v) => v.parse::<i64>().map_err(|_| {
                StoreError::Corrupt(format!("host field {field:?} is not an integer: {v:?}"))
            })?,
        };
        let new = current
            .checked_add(by)
            .ok_or_else(|| StoreError::Corrupt(format!("host field {field:?} overflows")))?;
        m.insert(field.into_owned(), new.to_string());
        Ok(new)
    }

    async fn set_add(&self, set: StoreSet, members: &[String]) -> Result<(), StoreError> {
        let mut g = self.lock();
        g.sets
            .entry(set.as_str().to_string())
            .or_default()
            .extend(members.iter().cloned());
        Ok(())
    }

    async fn set_members(&self, set: StoreSet) -> Result<Vec<String>, StoreError> {
        let g = self.lock();
        Ok(g.sets
            .get(set.as_str())
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default())
    }

    async fn validators_get(
        &self,
        url: &str,
    ) -> Result<Option<(Option<String>, Option<String>)>, StoreError> {
        let g = self.lock();
        Ok(g.validators.get(&url_fingerprint(url)).cloned())
    }

    async fn validators_set(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut g = self.lock();
        let fp = url_fingerprint(url);
        if etag.is_none() && last_modified.is_none() {
            g.validators.remove(&fp);
        } else {
            g.validators.insert(
                fp,
                (etag.map(str::to_string), last_modified.map(str::to_string)),
            );
        }
        Ok(())
    }

    async fn schedule_recrawl(&self, item: &QueuedUrl, due_ms: u64) -> Result<(), StoreError> {
        let mut g = self.lock();
        let inner = &mut *g;
        if let Some((old_due, _)) = inner
            .recrawl_items
            .insert(item.url.clone(), (due_ms, item.clone()))
        {
            inner.recrawl_due.remove(&(old_due, item.url.clone()));
        }
        inner.recrawl_due.insert((due_ms, item.url.clone()));
        Ok(())
    }

    async fn take_due_recrawls(
        &self,
        now_ms: u64,
        max: usize,
    ) -> Result<Vec<QueuedUrl>, StoreError> {
        let mut g = self.lock();
        let inner = &mut *g;
        let mut out = Vec::new();
        while out.len() < max {
            match inner.recrawl_due.first() {
                Some((due, _)) if *due <= now_ms => {}
                _ => break,
            }
            let Some((_, url)) = inner.recrawl_due.pop_first() else {
                break;
            };
            if let Some((_, item)) = inner.recrawl_items.remove(&url) {
                out.push(item);
            }
        }
        Ok(out)
    }

    async fn stats(&self, now_ms: u64) -> Result<StoreStats, StoreError> {
        let g = self.lock();
        let ready = g
            .due
            .range(..(now_ms.saturating_add(1), String::new()))
            .count() as u64;
        Ok(StoreStats {
            seen: g.seen.len() as u64,
            queued: g.queued,
            in_flight: g.in_flight,
            hosts_ready: ready,
            hosts_waiting: g.due.len() as u64 - ready,
            hosts_leased: g.leases.len() as u64,
            done: g.done,
        })
    }

    async fn ping(&self) -> bool {
        true
    }
}

#[async_trait]
impl ContentIndex for MemoryStore {
    async fn claim_content(
        &self,
        article_id: &str,
        url: &str,
        simhash: u64,
        max_distance: u32,
    ) -> Result<ContentClaim, StoreError> {
        let mut g = self.lock();
        Ok(g.content.claim(article_id, url, simhash, max_distance))
    }

    async fn content_aliases(&self, article_id: &str) -> Result<Vec<String>, StoreError> {
        let g = self.lock();
        Ok(g.content
            .aliases
            .get(article_id)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::{self, conformance_tests, Store};
    use std::sync::Arc;

    async fn make() -> (Store, ()) {
        (Arc::new(MemoryStore::new()), ())
    }
    async fn cleanup(_: ()) {}

    conformance_tests!(make, cleanup);

    #[tokio::test]
    async fn snapshot_round_trip_resumes_the_crawl() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frontier.json");
        assert!(MemoryStore::load(&path).unwrap().is_none());
        let a = MemoryStore::new();
        let (h, g) = ("http://a.test", "http://b.test");
        a.insert_seen(&[1, 2, u128::MAX]).await.unwrap();
        a.enqueue(
            &[
                conformance::item(h, 1, 1),
                conformance::item(h, 2, 0),
                conformance::item(g, 1, 1),
            ],
            0,
        )
        .await
        .unwrap();
        let leased = a.lease(0, 1, 1000).await.unwrap().pop().unwrap();
        assert_eq!(leased.item.url, "http://a.test/page/2");
        let other = a.lease(0, 1, 1000).await.unwrap().pop().unwrap();
        assert!(a.release(&other.host, &other.lease_id, 5000).await.unwrap());
        a.host_meta_set(h, &HostField::CrawlDelayMs, "ok")
            .await
            .unwrap();
        a.set_add(StoreSet::ScopeHosts, &[h.into()]).await.unwrap();
        a.validators_set("http://a.test/feed", Some("e"), None)
            .await
            .unwrap();
        a.schedule_recrawl(&conformance::item(h, 9, 0), 7000)
            .await
            .unwrap();
        assert_eq!(
            a.claim_content("id1", "http://a.test/s", 0xabcd, 3)
                .await
                .unwrap(),
            ContentClaim::New
        );
        a.claim_content("id1", "http://a.test/s2", 0, 3)
            .await
            .unwrap();
        a.save(&path).unwrap();
        a.save(&path).unwrap(); // replacing an existing snapshot works too
        drop(a);

        let b = MemoryStore::load(&path).unwrap().expect("snapshot");
        let s = b.stats(0).await.unwrap();
        // The leased URL is back in its queue; the released host keeps its due time.
        assert_eq!((s.seen, s.queued, s.in_flight, s.done), (3, 2, 0, 1));
        assert_eq!(b.insert_seen(&[2, 3]).await.unwrap(), vec![false, true]);
        let l = b.lease(0, 5, 1000).await.unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].item, leased.item);
        b.enqueue(&[conformance::item(h, 3, 1)], 0).await.unwrap();
        assert!(b.release(h, &l[0].lease_id, 0).await.unwrap());
        // New items queue behind restored ones of the same priority.
        let next = b.lease(0, 5, 1000).await.unwrap();
        assert_eq!(next[0].item.url, "http://a.test/page/1");
        assert_eq!(
            b.host_meta_get(h, &HostField::CrawlDelayMs)
                .await
                .unwrap()
                .as_deref(),
            Some("ok")
        );
        assert_eq!(b.set_members(StoreSet::ScopeHosts).await.unwrap(), vec![h]);
        assert_eq!(
            b.validators_get("http://a.test/feed").await.unwrap(),
            Some((Some("e".into()), None))
        );
        assert_eq!(b.take_due_recrawls(7000, 5).await.unwrap().len(), 1);
        assert!(matches!(
            b.claim_content("id9", "http://c.test/x", 0xabcd ^ 0b111, 3)
                .await
                .unwrap(),
            ContentClaim::Duplicate { .. }
        ));
        assert_eq!(
            b.content_aliases("id1").await.unwrap(),
            vec!["http://a.test/s2", "http://c.test/x"]
        );

        std::fs::write(&path, b"{not json").unwrap();
        assert!(matches!(
            MemoryStore::load(&path),
            Err(StoreError::Corrupt(_))
        ));
        let missing_dir = dir.path().join("no/such/dir/f.json");
        assert!(matches!(
            b.save(&missing_dir),
            Err(StoreError::Unavailable(_))
        ));
    }

    #[tokio::test]
    async fn large_frontier_leases_every_url_once() {
        // 100k URLs over 1,000 hosts: every URL comes out exactly once, hosts in
        // due order, and no lease call scans everything (this would take minutes
        // with a per-call scan of all hosts).
        let store = MemoryStore::new();
        let items: Vec<QueuedUrl> = (0..100_000u32)
            .map(|i| conformance::item(&format!("http://h{}.test", i % 1000), i, 1))
            .collect();
        store.enqueue(&items, 0).await.unwrap();
        let mut seen = HashSet::new();
        let mut now = 0;
        loop {
            let leases = store.lease(now, 64, 10_000).await.unwrap();
            if leases.is_empty() {
                break;
            }
            for l in leases {
                assert!(seen.insert(l.item.url.clone()));
                assert!(store.release(&l.host, &l.lease_id, now).await.unwrap());
            }
            now += 1;
        }
        assert_eq!(seen.len(), 100_000);
        let s = store.stats(now).await.unwrap();
        assert!(s.drained());
        assert_eq!(s.done, 100_000);
    }
}
