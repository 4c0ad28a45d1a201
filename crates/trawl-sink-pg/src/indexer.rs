//! The search indexer: fills `articles.search` after the rows land (migration 0002), in
//! batches, on its own connection, yielding to the batch writers.
//!
//! The rule ([`IndexRule::may_index`]): a batch of up to `search_batch_size` rows is
//! indexed
//! - back to back while the sink's writers are idle: no batch write in flight and none
//!   finished within `search_idle` (the gap between two batches of a burst is far
//!   shorter, so a burst keeps PostgreSQL to itself), and there is work (the last batch
//!   was full, or a write committed since);
//! - and in any case once every `search_interval`, busy or not, so that the lag stays
//!   bounded while ingestion runs below the indexing rate (and rows written by other
//!   replicas or before a restart are found: the state is the table itself).
//!
//! While the writers are idle, `search_concurrency` batches run at once (each its own
//! connection: one database core each). Several sinks on one schema cooperate: each batch takes its rows with
//! `FOR UPDATE SKIP LOCKED` ([`PgStore::index_search`]), so no row is indexed twice.
//! Indexer failures are logged and retried at the next interval; they do not change
//! readiness (search lag is not un-readiness).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use trawl_metrics::Metrics;

use crate::store::PgStore;

/// How often the backlog gauge is refreshed (a count on the partial index).
const BACKLOG_EVERY: Duration = Duration::from_secs(2);
/// How often the indexer looks at the writers while it waits.
const POLL: Duration = Duration::from_millis(10);

/// What the batch writers are doing, as the indexer sees it.
#[derive(Debug)]
pub struct WriterActivity {
    in_flight: AtomicUsize,
    /// Batch writes finished (committed or not).
    finished: AtomicU64,
    last_finished: Mutex<Option<Instant>>,
}

impl Default for WriterActivity {
    fn default() -> Self {
        WriterActivity {
            in_flight: AtomicUsize::new(0),
            finished: AtomicU64::new(0),
            last_finished: Mutex::new(None),
        }
    }
}

impl WriterActivity {
    /// A batch write starts; it ends when the guard is dropped.
    pub fn start(self: &Arc<Self>) -> WriteGuard {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        WriteGuard(self.clone())
    }

    fn snapshot(&self) -> (usize, u64, Option<Instant>) {
        let last = *self.last_finished.lock().unwrap_or_else(|e| e.into_inner());
        (
            self.in_flight.load(Ordering::SeqCst),
            self.finished.load(Ordering::SeqCst),
            last,
        )
    }
}

/// Marks one batch write in flight.
pub struct WriteGuard(Arc<WriterActivity>);

impl Drop for WriteGuard {
    fn drop(&mut self) {
        *self
            .0
            .last_finished
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        self.0.finished.fetch_add(1, Ordering::SeqCst);
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// When the indexer may run (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexRule {
    /// Rows per indexing statement; 0 = this sink does not index.
    pub batch_size: usize,
    /// At least one batch per interval, whatever the writers do.
    pub interval: Duration,
    /// Writers idle this long = PostgreSQL is free for indexing.
    pub idle: Duration,
    /// Batches run at once (each on its own connection) while the writers are idle, to
    /// catch up on several database cores; busy writers get one batch per interval.
    pub concurrency: usize,
}

/// What the indexer knows when it decides.
#[derive(Debug, Clone, Copy)]
pub struct IndexState {
    pub now: Instant,
    /// End of the indexer's last batch.
    pub last_batch: Instant,
    /// The last batch was full (more rows may be waiting).
    pub more: bool,
    /// Batch writes in flight.
    pub writing: usize,
    /// End of the last batch write, if any.
    pub last_write: Option<Instant>,
    /// A batch write finished since the indexer's last batch (new rows may be waiting).
    pub wrote_since: bool,
}

impl IndexRule {
    /// How many indexing batches to run now, at once (pure): `concurrency` while the
    /// writers are idle and there is work, otherwise one when the interval is due, else 0.
    pub fn batches_now(&self, s: &IndexState) -> usize {
        if self.batch_size == 0 {
            return 0;
        }
        let idle = s.writing == 0
            && s.last_write
                .is_none_or(|t| s.now.saturating_duration_since(t) >= self.idle);
        if idle && (s.more || s.wrote_since) {
            return self.concurrency.max(1);
        }
        usize::from(s.now.saturating_duration_since(s.last_batch) >= self.interval)
    }

    /// Whether to run at least one batch now.
    pub fn may_index(&self, s: &IndexState) -> bool {
        self.batches_now(s) > 0
    }
}

/// Run the indexer until `stop`. Also refreshes `trawl_sink_search_backlog_rows`
/// (even with `batch_size` 0, when other replicas do the indexing).
pub async fn run(
    store: Arc<PgStore>,
    activity: Arc<WriterActivity>,
    rule: IndexRule,
    metrics: &'static Metrics,
    stop: CancellationToken,
) {
    info!(
        batch_size = rule.batch_size,
        interval = ?rule.interval,
        idle = ?rule.idle,
        concurrency = rule.concurrency,
        "search indexer running"
    );
    let mut last_batch = Instant::now();
    let mut more = true; // a restart may find a backlog
    let mut finished_at_batch = u64::MAX; // "wrote since" at first
    let mut last_count: Option<Instant> = None;
    let mut failures = 0u32;
    loop {
        let now = Instant::now();
        if last_count.is_none_or(|t| now.saturating_duration_since(t) >= BACKLOG_EVERY) {
            last_count = Some(now);
            match store.search_backlog().await {
                Ok(n) => metrics.set_sink_search_backlog(n),
                Err(e) => debug!(error = %e, "search backlog not counted"),
            }
        }
        let (writing, finished, last_write) = activity.snapshot();
        let state = IndexState {
            now: Instant::now(),
            last_batch,
            more,
            writing,
            last_write,
            wrote_since: finished != finished_at_batch,
        };
        let batches = rule.batches_now(&state);
        if batches == 0 {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep(POLL) => continue,
            }
        }
        finished_at_batch = finished;
        let limit = i64::try_from(rule.batch_size).unwrap_or(i64::MAX);
        let started = std::time::Instant::now();
        // Concurrent batches take disjoint rows (SKIP LOCKED).
        let all = futures::future::join_all((0..batches).map(|_| store.index_search(limit)));
        let results = tokio::select! {
            _ = stop.cancelled() => break,
            r = all => r,
        };
        last_batch = Instant::now();
        let mut indexed = 0u64;
        let mut full = false;
        let mut error = None;
        for r in results {
            match r {
                Ok(n) => {
                    indexed += n;
                    full |= n >= rule.batch_size as u64;
                }
                Err(e) => error = Some(e),
            }
        }
        metrics.sink_search_indexed(indexed);
        match error.map_or(Ok(indexed), Err) {
            Ok(n) => {
                if failures > 0 {
                    info!(after_failures = failures, "search indexer resumed");
                    failures = 0;
                }
                more = full;
                if n > 0 {
                    debug!(rows = n, batches, took = ?started.elapsed(), more, "search batches indexed");
                }
                if !more {
                    // Caught up: let the gauge say so now rather than within BACKLOG_EVERY.
                    last_count = None;
                }
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                if failures == 1 || failures.is_power_of_two() {
                    warn!(error = %e, failures, "search indexing failed; retrying next interval");
                }
                // Retried at the next interval (or idle moment after new writes), not in a
                // tight loop.
                more = false;
                finished_at_batch = activity.snapshot().1;
            }
        }
    }
    debug!("search indexer stopped");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> IndexRule {
        IndexRule {
            batch_size: 250,
            interval: Duration::from_secs(1),
            idle: Duration::from_millis(50),
            concurrency: 1,
        }
    }

    fn state(base: Instant) -> IndexState {
        IndexState {
            now: base + Duration::from_millis(500),
            last_batch: base,
            more: true,
            writing: 0,
            last_write: None,
            wrote_since: false,
        }
    }

    #[test]
    fn idle_writers_and_work_waiting_index_at_once() {
        let b = Instant::now();
        assert!(rule().may_index(&state(b)));
        // Last write ended 100 ms ago (> idle): still idle.
        let s = IndexState {
            last_write: Some(b + Duration::from_millis(400)),
            ..state(b)
        };
        assert!(rule().may_index(&s));
    }

    #[test]
    fn busy_writers_get_priority_until_the_interval() {
        let b = Instant::now();
        let busy = IndexState {
            writing: 1,
            ..state(b)
        };
        assert!(!rule().may_index(&busy));
        // Between two batches of a burst (a write ended 1 ms ago): not idle.
        let gap = IndexState {
            last_write: Some(b + Duration::from_millis(499)),
            ..state(b)
        };
        assert!(!rule().may_index(&gap));
        // One batch per interval whatever the writers do.
        let due = IndexState {
            now: b + Duration::from_secs(1),
            ..busy
        };
        assert!(rule().may_index(&due));
    }

    #[test]
    fn caught_up_waits_for_new_writes_or_the_interval() {
        let b = Instant::now();
        let caught_up = IndexState {
            more: false,
            ..state(b)
        };
        assert!(!rule().may_index(&caught_up));
        let new_rows = IndexState {
            wrote_since: true,
            last_write: Some(b + Duration::from_millis(300)),
            ..caught_up
        };
        assert!(rule().may_index(&new_rows));
        let due = IndexState {
            now: b + Duration::from_millis(1500),
            ..caught_up
        };
        assert!(rule().may_index(&due));
    }

    #[test]
    fn concurrent_batches_only_while_the_writers_are_idle() {
        let b = Instant::now();
        let two = IndexRule {
            concurrency: 2,
            ..rule()
        };
        assert_eq!(two.batches_now(&state(b)), 2);
        // Busy writers, interval due: a single batch.
        let due_busy = IndexState {
            now: b + Duration::from_secs(2),
            writing: 1,
            ..state(b)
        };
        assert_eq!(two.batches_now(&due_busy), 1);
        // Caught up and nothing new: one probe per interval.
        let due_idle = IndexState {
            more: false,
            ..due_busy
        };
        let due_idle = IndexState {
            writing: 0,
            ..due_idle
        };
        assert_eq!(two.batches_now(&due_idle), 1);
        assert_eq!(rule().batches_now(&state(b)), 1);
    }

    #[test]
    fn batch_size_zero_never_indexes() {
        let b = Instant::now();
        let off = IndexRule {
            batch_size: 0,
            ..rule()
        };
        let due = IndexState {
            now: b + Duration::from_secs(60),
            ..state(b)
        };
        assert!(!off.may_index(&due));
    }

    #[tokio::test(start_paused = true)]
    async fn write_guards_track_in_flight_and_last_end() {
        let a = Arc::new(WriterActivity::default());
        assert_eq!(a.snapshot(), (0, 0, None));
        let g1 = a.start();
        let g2 = a.start();
        assert_eq!(a.snapshot().0, 2);
        drop(g1);
        tokio::time::advance(Duration::from_millis(30)).await;
        drop(g2);
        let (n, finished, last) = a.snapshot();
        assert_eq!((n, finished), (0, 2));
        assert_eq!(last, Some(Instant::now()));
    }
}
