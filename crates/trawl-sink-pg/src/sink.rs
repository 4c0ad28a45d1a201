//! The service loop: consume the sink's named subscription, batch, write one
//! transaction per batch, ack after the commit; dead-letter what cannot be stored.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use trawl_metrics::{BatchResult, Component, Health, Metrics, SinkOutcome, SinkRejectReason};
use trawl_queue::{Broker, Consumer, Delivery};

use crate::batch::keep_highest;
use crate::decode::{decode, ArticleRow, Reject};
use crate::error::SinkError;
use crate::indexer::{self, IndexRule, WriterActivity};
use crate::store::{PgStore, WriteCounts};

/// Name of the sink's dependency in `/readyz`.
pub const READY_NAME: Component = Component::Postgres;

/// How the sink consumes and batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkConfig {
    /// Named subscription (queue `<prefix>.articles.<subscription>`).
    pub subscription: String,
    /// Topic binding on the articles exchange.
    pub binding: String,
    /// Most messages per transaction.
    pub batch_size: usize,
    /// Longest wait for a batch to fill.
    pub batch_timeout: Duration,
    /// Batches written at once, each in its own transaction on its own connection (the
    /// next batch fills while earlier ones are written). Rows are written in id order, so
    /// concurrent batches cannot deadlock on each other's rows.
    pub writers: usize,
    /// First retry delay while PostgreSQL is unreachable (doubled up to `max_backoff`).
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// How often `/readyz` and `trawl_sink_postgres_up` are refreshed by a ping.
    pub ping_interval: Duration,
    /// When the search indexer fills `articles.search` (see [`crate::indexer`]).
    pub search: IndexRule,
}

impl Default for SinkConfig {
    fn default() -> Self {
        SinkConfig {
            subscription: "postgres".into(),
            binding: "#".into(),
            batch_size: 500,
            batch_timeout: Duration::from_millis(200),
            writers: 2,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            ping_interval: Duration::from_secs(2),
            search: IndexRule {
                batch_size: 250,
                interval: Duration::from_secs(1),
                idle: Duration::from_millis(50),
                concurrency: 1,
            },
        }
    }
}

impl SinkConfig {
    /// Unacked deliveries the broker may push ahead: one batch per writer plus the one
    /// filling.
    pub fn prefetch(&self) -> u16 {
        u16::try_from(self.batch_size.saturating_mul(self.writers.max(1) + 1)).unwrap_or(u16::MAX)
    }
}

/// `trawl sink postgres`: the article stream into PostgreSQL. Cheap to clone (shared
/// handles): each batch is written by a clone on its own task.
#[derive(Clone)]
pub struct Sink {
    store: Arc<PgStore>,
    broker: Arc<dyn Broker>,
    config: SinkConfig,
    health: Health,
    metrics: &'static Metrics,
    activity: Arc<WriterActivity>,
}

/// The outcome of writing with retries.
enum Written {
    Committed(WriteCounts),
    /// PostgreSQL refused these rows (a data error); not retried as they are.
    Refused(SinkError),
    /// Stopped while waiting for PostgreSQL.
    Stopped,
}

impl Sink {
    pub fn new(
        store: Arc<PgStore>,
        broker: Arc<dyn Broker>,
        config: SinkConfig,
        health: Health,
        metrics: &'static Metrics,
    ) -> Sink {
        // Registered at once: not ready until subscribed and migrated.
        health.set_ready(READY_NAME, false);
        metrics.set_sink_postgres_up(false);
        Sink {
            store,
            broker,
            config,
            health,
            metrics,
            activity: Arc::default(),
        }
    }

    /// Run until `stop` is cancelled or the consumer ends (broker closed). Readiness
    /// (`/readyz` dependency `postgres`) is false from [`Sink::new`] until the sink is
    /// subscribed and PostgreSQL is migrated, and whenever PostgreSQL fails. Subscribes
    /// first (so the durable queue collects articles even while PostgreSQL is away), then
    /// migrates (waiting for PostgreSQL with backoff, not ready), then consumes. Returns
    /// an error only for what waiting cannot fix (configuration, schema, broker refusal).
    pub async fn run(&self, stop: CancellationToken) -> Result<(), SinkError> {
        self.set_up(false);
        let mut consumer = self
            .broker
            .subscribe_articles(
                Some(&self.config.subscription),
                &self.config.binding,
                self.config.prefetch(),
            )
            .await?;
        if !self.migrate(&stop).await? {
            return Ok(());
        }
        let pinger = stop.child_token();
        let _stop_pinger = pinger.clone().drop_guard();
        self.spawn_pinger(pinger.clone());
        // The search indexer stops with the pinger (when `run` returns).
        tokio::spawn(indexer::run(
            self.store.clone(),
            self.activity.clone(),
            self.config.search,
            self.metrics,
            pinger,
        ));
        info!(
            postgres = %self.store.redacted_url(),
            schema = %self.store.schema(),
            subscription = %self.config.subscription,
            binding = %self.config.binding,
            batch_size = self.config.batch_size,
            batch_timeout = ?self.config.batch_timeout,
            "sink running"
        );
        // Batches in flight (at most `writers`); a batch is acked by its own task after its
        // commit. Dropping the set (the sink aborted) aborts them: their deliveries go back.
        let mut writing: JoinSet<bool> = JoinSet::new();
        let writers = self.config.writers.max(1);
        'consume: loop {
            while writing.len() >= writers {
                if let Some(Ok(false)) = writing.join_next().await {
                    break 'consume; // stopped while PostgreSQL was away
                }
            }
            let (batch, ended) = self.collect(&mut consumer, &stop).await;
            if !batch.is_empty() {
                let this = self.clone();
                let stop = stop.clone();
                writing.spawn(async move { this.process(batch, &stop).await });
            }
            if ended || stop.is_cancelled() {
                break;
            }
        }
        // Let the batches in hand finish (or hand their messages back when stopped while
        // PostgreSQL is away).
        while writing.join_next().await.is_some() {}
        info!("sink stopped");
        Ok(())
    }

    fn set_up(&self, up: bool) {
        self.health.set_ready(READY_NAME, up);
        self.metrics.set_sink_postgres_up(up);
    }

    fn backoff(&self, failures: u32) -> Duration {
        trawl_core::backoff::jittered(
            self.config.initial_backoff,
            self.config.max_backoff,
            failures,
        )
    }

    /// Apply the migrations, waiting for PostgreSQL. `false` when stopped first.
    async fn migrate(&self, stop: &CancellationToken) -> Result<bool, SinkError> {
        let mut failures = 0u32;
        loop {
            match self.store.migrate().await {
                Ok(applied) => {
                    if applied.is_empty() {
                        info!(schema = %self.store.schema(), "database schema up to date");
                    } else {
                        info!(schema = %self.store.schema(), ?applied, "migrations applied");
                    }
                    self.set_up(true);
                    return Ok(true);
                }
                Err(e) if e.is_transient() => {
                    self.set_up(false);
                    let wait = self.backoff(failures);
                    failures = failures.saturating_add(1);
                    warn!(
                        "PostgreSQL at {} unreachable: {e}; retrying in {:.1}s",
                        self.store.redacted_url(),
                        wait.as_secs_f64()
                    );
                    tokio::select! {
                        _ = stop.cancelled() => return Ok(false),
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn spawn_pinger(&self, stop: CancellationToken) {
        let (store, health, metrics) = (self.store.clone(), self.health.clone(), self.metrics);
        let every = self.config.ping_interval;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(every) => {}
                }
                let up = store.ping().await;
                health.set_ready(READY_NAME, up);
                metrics.set_sink_postgres_up(up);
            }
        });
    }

    /// Up to `batch_size` deliveries, waiting at most `batch_timeout` after the first.
    /// The flag: the stream ended or the sink is stopping (the batch is still written).
    async fn collect(
        &self,
        consumer: &mut Box<dyn Consumer>,
        stop: &CancellationToken,
    ) -> (Vec<Delivery>, bool) {
        let first = tokio::select! {
            biased;
            _ = stop.cancelled() => None,
            d = consumer.next() => d,
        };
        let Some(first) = first else {
            return (Vec::new(), true);
        };
        let mut batch = Vec::with_capacity(self.config.batch_size);
        batch.push(first);
        let deadline = Instant::now() + self.config.batch_timeout;
        while batch.len() < self.config.batch_size {
            tokio::select! {
                biased;
                _ = stop.cancelled() => return (batch, true),
                d = consumer.next() => match d {
                    Some(d) => batch.push(d),
                    None => return (batch, true),
                },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        (batch, false)
    }

    /// Store one batch; ack each delivery once its row is committed (or once it was
    /// dead-lettered). `false` when stopped while PostgreSQL was away (the deliveries
    /// are dropped unacked: the broker redelivers them).
    async fn process(&self, batch: Vec<Delivery>, stop: &CancellationToken) -> bool {
        let mut deliveries = Vec::with_capacity(batch.len());
        let mut rows = Vec::with_capacity(batch.len());
        for d in batch {
            match decode(&d.payload) {
                Ok(row) => {
                    deliveries.push(d);
                    rows.push(row);
                }
                Err(reject) => self.reject(d, &reject).await,
            }
        }
        if rows.is_empty() {
            return true;
        }
        let (mut kept, superseded) = keep_highest(&rows);
        // One lock order for every batch: concurrent writers never deadlock.
        kept.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        match self.write_retrying(&kept, stop).await {
            Written::Committed(counts) => {
                debug!(
                    messages = deliveries.len(),
                    rows = kept.len(),
                    superseded,
                    inserted = counts.inserted,
                    updated = counts.updated,
                    unchanged = counts.unchanged,
                    "batch committed"
                );
                self.count(counts, superseded);
                ack_all(deliveries).await;
                true
            }
            Written::Stopped => false,
            Written::Refused(e) => {
                // Some row is refused: find it, alone in its transaction, so the rest land.
                warn!(error = %e, rows = kept.len(), "batch refused; writing its messages one by one");
                for (d, row) in deliveries.into_iter().zip(&rows) {
                    match self.write_retrying(&[row], stop).await {
                        Written::Committed(counts) => {
                            self.count(counts, 0);
                            ack_all(vec![d]).await;
                        }
                        Written::Refused(e) => {
                            let reject = Reject {
                                reason: SinkRejectReason::DatabaseRejected,
                                detail: e.to_string(),
                            };
                            self.reject(d, &reject).await;
                        }
                        Written::Stopped => return false,
                    }
                }
                true
            }
        }
    }

    fn count(&self, c: WriteCounts, superseded: u64) {
        self.metrics
            .sink_articles(SinkOutcome::Inserted, c.inserted);
        self.metrics.sink_articles(SinkOutcome::Updated, c.updated);
        self.metrics
            .sink_articles(SinkOutcome::Unchanged, c.unchanged + superseded);
    }

    /// Write, waiting out PostgreSQL outages with backoff (not ready meanwhile).
    async fn write_retrying(&self, rows: &[&ArticleRow], stop: &CancellationToken) -> Written {
        let mut failures = 0u32;
        loop {
            let started = std::time::Instant::now();
            let writing = self.activity.start();
            let result = self.store.write(rows).await;
            drop(writing);
            match result {
                Ok(counts) => {
                    self.metrics
                        .sink_batch(BatchResult::Committed, started.elapsed());
                    if failures > 0 {
                        info!(
                            after_failures = failures,
                            "PostgreSQL is back; batch written"
                        );
                    }
                    self.set_up(true);
                    return Written::Committed(counts);
                }
                Err(e) => {
                    self.metrics
                        .sink_batch(BatchResult::Failed, started.elapsed());
                    if !e.is_transient() {
                        return Written::Refused(e);
                    }
                    self.set_up(false);
                    let wait = self.backoff(failures);
                    failures = failures.saturating_add(1);
                    warn!(
                        "writing {} article(s) to PostgreSQL at {} failed: {e}; batch held unacked, retrying in {:.1}s",
                        rows.len(),
                        self.store.redacted_url(),
                        wait.as_secs_f64()
                    );
                    tokio::select! {
                        _ = stop.cancelled() => {
                            info!(held = rows.len(), "stopping while PostgreSQL is away: the batch goes back to the queue");
                            return Written::Stopped;
                        }
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }

    /// Dead-letter a message with its reason, then ack it. When the dead letter cannot be
    /// published, the delivery is handed back instead (redelivered later).
    async fn reject(&self, d: Delivery, reject: &Reject) {
        let text = reject.text();
        warn!(
            reason = reject.reason.as_str(),
            detail = %shorten(&reject.detail, 300),
            bytes = d.payload.len(),
            "article message refused: dead-lettered"
        );
        match self
            .broker
            .dead_letter_article(&self.config.subscription, &d.payload, &text)
            .await
        {
            Ok(()) => {
                self.metrics.sink_rejected(reject.reason);
                if let Err(e) = d.ack().await {
                    debug!(error = %e, "ack after dead-lettering failed (redelivered, then refused again)");
                }
            }
            Err(e) => {
                warn!(error = %e, "dead-lettering failed; the message goes back to the queue");
                if let Err(e) = d.requeue().await {
                    debug!(error = %e, "requeue failed (the broker redelivers it)");
                }
            }
        }
    }
}

/// Ack every delivery (concurrently). A failed ack (channel lost) means a redelivery,
/// which the version rule makes harmless.
async fn ack_all(deliveries: Vec<Delivery>) {
    let results = futures::future::join_all(deliveries.into_iter().map(Delivery::ack)).await;
    let failed = results.iter().filter(|r| r.is_err()).count();
    if failed > 0 {
        warn!(
            failed,
            "acks failed after the commit: those messages will be redelivered (and change nothing)"
        );
    }
}

fn shorten(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
