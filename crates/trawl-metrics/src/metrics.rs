//! The [`Metrics`] struct: every Trawl metric, registered in its own [`Registry`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus::{
    GaugeVec, Histogram, HistogramOpts, HistogramTimer, HistogramVec, IntCounter, IntCounterVec,
    IntGauge, IntGaugeVec, Opts, Registry,
};
use trawl_core::FetchOutcome;

use crate::labels::{
    status_class_opt, AmqpConnectionEvent, BatchResult, ExtractResult, HostState, LabelGuard,
    PublishKind, PublishResult, QueueKind, RetryStage, RobotsDecision, SinkOutcome,
    SinkRejectReason, Stage, TaskResult, AMQP_OPS, DEAD_LETTER_REASONS, LINK_FILTER_REASONS,
    MAX_OPEN_LABEL_VALUES, REDIS_OPS, STATUS_CLASSES, UPDATE_CHECK_RESULTS, WARC_RECORD_TYPES,
};

/// The version reported by `trawl_build_info{version}`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Buckets of `trawl_fetch_duration_seconds` (whole fetch incl. body, seconds).
pub const FETCH_BUCKETS: &[f64] = &[
    0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0,
];
/// Buckets of `trawl_politeness_wait_seconds`.
pub const POLITENESS_BUCKETS: &[f64] = &[
    0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];
/// Buckets of `trawl_extract_duration_seconds`.
pub const EXTRACT_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];
/// Buckets of the Redis and AMQP call-latency histograms.
pub const CALL_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0,
];

/// Buckets of `trawl_sink_batch_seconds` (one batch: write + commit).
pub const SINK_BATCH_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Every Trawl metric. Get the process-wide instance with [`crate::global()`]; tests may build their own with
/// [`Metrics::new`]. Fields are public for direct use, but prefer the typed helper methods: they only take
/// bounded label values.
#[derive(Debug)]
pub struct Metrics {
    /// The registry every metric below (and the process collector) is registered in.
    pub registry: Registry,
    /// `trawl_build_info{version}` = 1.
    pub build_info: IntGaugeVec,
    /// `trawl_fetch_total{outcome, status_class}`.
    pub fetch_total: IntCounterVec,
    /// `trawl_fetch_duration_seconds{outcome}`.
    pub fetch_duration_seconds: HistogramVec,
    /// `trawl_fetch_bytes_total`.
    pub fetch_bytes_total: IntCounter,
    /// `trawl_robots_decisions_total{decision}`.
    pub robots_decisions_total: IntCounterVec,
    /// `trawl_politeness_wait_seconds`.
    pub politeness_wait_seconds: Histogram,
    /// `trawl_extract_duration_seconds`.
    pub extract_duration_seconds: Histogram,
    /// `trawl_extract_total{result}`.
    pub extract_total: IntCounterVec,
    /// `trawl_warc_records_total{type}` (warcinfo, request, response, revisit, metadata).
    pub warc_records_total: IntCounterVec,
    /// `trawl_warc_bytes_total`: compressed bytes written to WARC files.
    pub warc_bytes_total: IntCounter,
    /// `trawl_warc_files_total`: WARC files finished (closed and renamed).
    pub warc_files_total: IntCounter,
    /// `trawl_warc_write_errors_total`: failed WARC writes (the articles are still emitted).
    pub warc_write_errors_total: IntCounter,
    /// `trawl_articles_published_total`.
    pub articles_published_total: IntCounter,
    /// `trawl_amqp_publish_total{kind, result}`.
    pub amqp_publish_total: IntCounterVec,
    /// `trawl_amqp_connection_events_total{event}`.
    pub amqp_connection_events_total: IntCounterVec,
    /// `trawl_amqp_connected`.
    pub amqp_connected: IntGauge,
    /// `trawl_links_discovered_total`.
    pub links_discovered_total: IntCounter,
    /// `trawl_links_accepted_total`.
    pub links_accepted_total: IntCounter,
    /// `trawl_links_deduped_total`.
    pub links_deduped_total: IntCounter,
    /// `trawl_links_filtered_total{reason}`.
    pub links_filtered_total: IntCounterVec,
    /// `trawl_frontier_hosts{state}`.
    pub frontier_hosts: IntGaugeVec,
    /// `trawl_frontier_urls_queued`.
    pub frontier_urls_queued: IntGauge,
    /// `trawl_frontier_shards_owned`.
    pub frontier_shards_owned: IntGauge,
    /// `trawl_frontier_urls_in_flight`.
    pub frontier_urls_in_flight: IntGauge,
    /// `trawl_frontier_urls_done_total`.
    pub frontier_urls_done_total: IntCounter,
    /// `trawl_retries_total{stage}`.
    pub retries_total: IntCounterVec,
    /// `trawl_dead_letters_total{reason}`.
    pub dead_letters_total: IntCounterVec,
    /// `trawl_update_checks_total{result}`: re-fetches of published articles (updates and
    /// corrections), by result ([`UPDATE_CHECK_RESULTS`]).
    pub update_checks_total: IntCounterVec,
    /// `trawl_redis_call_duration_seconds{op}`.
    pub redis_call_duration_seconds: HistogramVec,
    /// `trawl_amqp_call_duration_seconds{op}`.
    pub amqp_call_duration_seconds: HistogramVec,
    /// `trawl_worker_tasks_in_progress`.
    pub worker_tasks_in_progress: IntGauge,
    /// `trawl_worker_tasks_total{result}`.
    pub worker_tasks_total: IntCounterVec,
    /// `trawl_amqp_queue_messages{queue}`.
    pub amqp_queue_messages: IntGaugeVec,
    /// `trawl_stage_last_progress_timestamp_seconds{stage}`.
    pub stage_last_progress_timestamp_seconds: GaugeVec,
    /// `trawl_sink_articles_total{outcome}`.
    pub sink_articles_total: IntCounterVec,
    /// `trawl_sink_rejected_total{reason}`.
    pub sink_rejected_total: IntCounterVec,
    /// `trawl_sink_batches_total{result}`.
    pub sink_batches_total: IntCounterVec,
    /// `trawl_sink_batch_seconds`.
    pub sink_batch_seconds: Histogram,
    /// `trawl_sink_postgres_up`.
    pub sink_postgres_up: IntGauge,
    /// `trawl_sink_search_backlog_rows`.
    pub sink_search_backlog_rows: IntGauge,
    /// `trawl_sink_search_indexed_total`.
    pub sink_search_indexed_total: IntCounter,
    link_reasons: LabelGuard,
    dead_letter_reasons: LabelGuard,
    redis_ops: LabelGuard,
    amqp_ops: LabelGuard,
}

fn counter(registry: &Registry, name: &str, help: &str) -> prometheus::Result<IntCounter> {
    let c = IntCounter::new(name, help)?;
    registry.register(Box::new(c.clone()))?;
    Ok(c)
}

fn counter_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> prometheus::Result<IntCounterVec> {
    let c = IntCounterVec::new(Opts::new(name, help), labels)?;
    registry.register(Box::new(c.clone()))?;
    Ok(c)
}

fn gauge(registry: &Registry, name: &str, help: &str) -> prometheus::Result<IntGauge> {
    let g = IntGauge::new(name, help)?;
    registry.register(Box::new(g.clone()))?;
    Ok(g)
}

fn gauge_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> prometheus::Result<IntGaugeVec> {
    let g = IntGaugeVec::new(Opts::new(name, help), labels)?;
    registry.register(Box::new(g.clone()))?;
    Ok(g)
}

fn histogram(
    registry: &Registry,
    name: &str,
    help: &str,
    buckets: &[f64],
) -> prometheus::Result<Histogram> {
    let h = Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.to_vec()))?;
    registry.register(Box::new(h.clone()))?;
    Ok(h)
}

fn histogram_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
    buckets: &[f64],
) -> prometheus::Result<HistogramVec> {
    let h = HistogramVec::new(
        HistogramOpts::new(name, help).buckets(buckets.to_vec()),
        labels,
    )?;
    registry.register(Box::new(h.clone()))?;
    Ok(h)
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl Metrics {
    /// A fresh set of metrics in a fresh registry, with every known label combination created at zero (so
    /// dashboards and `rate()` see the series before the first event), plus the process collector (Linux).
    pub fn new() -> prometheus::Result<Self> {
        let r = Registry::new();
        let m = Metrics {
            build_info: gauge_vec(&r, "trawl_build_info", "Build information; the value is always 1.", &["version"])?,
            fetch_total: counter_vec(
                &r,
                "trawl_fetch_total",
                "Fetches finished, by outcome and HTTP status class (none = no response).",
                &["outcome", "status_class"],
            )?,
            fetch_duration_seconds: histogram_vec(
                &r,
                "trawl_fetch_duration_seconds",
                "Wall time of one fetch including redirects, retries and the body, by outcome.",
                &["outcome"],
                FETCH_BUCKETS,
            )?,
            fetch_bytes_total: counter(&r, "trawl_fetch_bytes_total", "Response body bytes downloaded (decoded).")?,
            robots_decisions_total: counter_vec(
                &r,
                "trawl_robots_decisions_total",
                "robots.txt decisions for candidate fetches.",
                &["decision"],
            )?,
            politeness_wait_seconds: histogram(
                &r,
                "trawl_politeness_wait_seconds",
                "Time a fetch waited for its host's politeness delay.",
                POLITENESS_BUCKETS,
            )?,
            extract_duration_seconds: histogram(
                &r,
                "trawl_extract_duration_seconds",
                "Wall time of article extraction for one page.",
                EXTRACT_BUCKETS,
            )?,
            extract_total: counter_vec(&r, "trawl_extract_total", "Pages run through extraction, by result.", &["result"])?,
            warc_records_total: counter_vec(
                &r,
                "trawl_warc_records_total",
                "WARC records written, by record type.",
                &["type"],
            )?,
            warc_bytes_total: counter(&r, "trawl_warc_bytes_total", "Bytes written to WARC files (compressed).")?,
            warc_files_total: counter(&r, "trawl_warc_files_total", "WARC files finished (closed and renamed to .warc.gz).")?,
            warc_write_errors_total: counter(
                &r,
                "trawl_warc_write_errors_total",
                "WARC writes that failed (disk full, I/O error); the fetch's articles are still emitted.",
            )?,
            articles_published_total: counter(
                &r,
                "trawl_articles_published_total",
                "Articles published to the article stream (confirmed by the broker, or written in embedded mode).",
            )?,
            amqp_publish_total: counter_vec(
                &r,
                "trawl_amqp_publish_total",
                "AMQP publishes (one per publish call, retries included), by message kind and final broker answer.",
                &["kind", "result"],
            )?,
            amqp_connection_events_total: counter_vec(
                &r,
                "trawl_amqp_connection_events_total",
                "AMQP connection events: reconnects, failed connection attempts, publish retries, consumer resubscriptions, failovers to another node.",
                &["event"],
            )?,
            amqp_connected: gauge(
                &r,
                "trawl_amqp_connected",
                "1 while the process's RabbitMQ broker holds a live connection, 0 while it is disconnected (the number of connected brokers when a process holds several).",
            )?,
            links_discovered_total: counter(
                &r,
                "trawl_links_discovered_total",
                "Outlinks found in fetched pages, sitemaps and feeds, before any filtering.",
            )?,
            links_accepted_total: counter(
                &r,
                "trawl_links_accepted_total",
                "Discovered links that passed filters and dedup and were queued.",
            )?,
            links_deduped_total: counter(&r, "trawl_links_deduped_total", "Discovered links dropped as already seen.")?,
            links_filtered_total: counter_vec(
                &r,
                "trawl_links_filtered_total",
                "Discovered links dropped by a filter, by reason.",
                &["reason"],
            )?,
            frontier_hosts: gauge_vec(&r, "trawl_frontier_hosts", "Hosts known to the frontier, by state.", &["state"])?,
            frontier_urls_queued: gauge(&r, "trawl_frontier_urls_queued", "URLs waiting in the frontier.")?,
            frontier_shards_owned: gauge(
                &r,
                "trawl_frontier_shards_owned",
                "Host shards this frontier replica holds a live claim on (it dispatches their hosts).",
            )?,
            frontier_urls_in_flight: gauge(
                &r,
                "trawl_frontier_urls_in_flight",
                "URLs handed to workers whose report has not come back yet.",
            )?,
            frontier_urls_done_total: counter(
                &r,
                "trawl_frontier_urls_done_total",
                "URLs the frontier has received a final report for.",
            )?,
            retries_total: counter_vec(&r, "trawl_retries_total", "Retries, by stage.", &["stage"])?,
            dead_letters_total: counter_vec(
                &r,
                "trawl_dead_letters_total",
                "Messages sent to the dead-letter queue, by reason.",
                &["reason"],
            )?,
            update_checks_total: counter_vec(
                &r,
                "trawl_update_checks_total",
                "Re-fetches of published articles (updates and corrections), by result: changed (published again with a higher version), unchanged, not_modified (304), ended.",
                &["result"],
            )?,
            redis_call_duration_seconds: histogram_vec(
                &r,
                "trawl_redis_call_duration_seconds",
                "Latency of Redis calls, by operation.",
                &["op"],
                CALL_BUCKETS,
            )?,
            amqp_call_duration_seconds: histogram_vec(
                &r,
                "trawl_amqp_call_duration_seconds",
                "Latency of AMQP calls (publish incl. confirm, ack, declare...), by operation.",
                &["op"],
                CALL_BUCKETS,
            )?,
            worker_tasks_in_progress: gauge(
                &r,
                "trawl_worker_tasks_in_progress",
                "Fetch tasks this worker is processing right now.",
            )?,
            worker_tasks_total: counter_vec(
                &r,
                "trawl_worker_tasks_total",
                "Fetch tasks a worker finished, by result.",
                &["result"],
            )?,
            amqp_queue_messages: gauge_vec(
                &r,
                "trawl_amqp_queue_messages",
                "Ready messages in a Trawl queue as last seen by the poller.",
                &["queue"],
            )?,
            stage_last_progress_timestamp_seconds: GaugeVec::new(
                Opts::new(
                    "trawl_stage_last_progress_timestamp_seconds",
                    "Unix time of the last unit of progress of a pipeline stage.",
                ),
                &["stage"],
            )?,
            sink_articles_total: counter_vec(
                &r,
                "trawl_sink_articles_total",
                "Article messages a sink settled, by outcome (inserted, updated, unchanged, rejected).",
                &["outcome"],
            )?,
            sink_rejected_total: counter_vec(
                &r,
                "trawl_sink_rejected_total",
                "Article messages a sink refused and dead-lettered, by reason.",
                &["reason"],
            )?,
            sink_batches_total: counter_vec(
                &r,
                "trawl_sink_batches_total",
                "Batch writes of a sink, by result (a failed one is retried).",
                &["result"],
            )?,
            sink_batch_seconds: histogram(
                &r,
                "trawl_sink_batch_seconds",
                "Wall time of one sink batch write (one transaction, commit included).",
                SINK_BATCH_BUCKETS,
            )?,
            sink_postgres_up: gauge(
                &r,
                "trawl_sink_postgres_up",
                "1 while the sink's last PostgreSQL call succeeded, 0 while it cannot reach or write to it.",
            )?,
            sink_search_backlog_rows: gauge(
                &r,
                "trawl_sink_search_backlog_rows",
                "Rows of the sink's articles table waiting for their full-text search vector (whole table: every replica reports the same count).",
            )?,
            sink_search_indexed_total: counter(
                &r,
                "trawl_sink_search_indexed_total",
                "Article rows whose full-text search vector this sink's indexer filled.",
            )?,
            link_reasons: LabelGuard::new(LINK_FILTER_REASONS, MAX_OPEN_LABEL_VALUES),
            dead_letter_reasons: LabelGuard::new(
                &FetchOutcome::ALL.map(FetchOutcome::as_str).iter().chain(DEAD_LETTER_REASONS).copied().collect::<Vec<_>>(),
                MAX_OPEN_LABEL_VALUES,
            ),
            redis_ops: LabelGuard::new(REDIS_OPS, MAX_OPEN_LABEL_VALUES),
            amqp_ops: LabelGuard::new(AMQP_OPS, MAX_OPEN_LABEL_VALUES),
            registry: r,
        };
        m.registry
            .register(Box::new(m.stage_last_progress_timestamp_seconds.clone()))?;

        #[cfg(target_os = "linux")]
        m.registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;

        m.build_info.with_label_values(&[VERSION]).set(1);
        m.init_series();
        Ok(m)
    }

    /// Create every known label combination at zero.
    fn init_series(&self) {
        for o in FetchOutcome::ALL {
            for sc in STATUS_CLASSES {
                self.fetch_total.with_label_values(&[o.as_str(), sc]);
            }
            self.fetch_duration_seconds.with_label_values(&[o.as_str()]);
            self.dead_letters_total.with_label_values(&[o.as_str()]);
        }
        for d in RobotsDecision::ALL {
            self.robots_decisions_total.with_label_values(&[d.as_str()]);
        }
        for r in ExtractResult::ALL {
            self.extract_total.with_label_values(&[r.as_str()]);
        }
        for t in WARC_RECORD_TYPES {
            self.warc_records_total.with_label_values(&[t]);
        }
        for k in PublishKind::ALL {
            for r in PublishResult::ALL {
                self.amqp_publish_total
                    .with_label_values(&[k.as_str(), r.as_str()]);
            }
        }
        for e in AmqpConnectionEvent::ALL {
            self.amqp_connection_events_total
                .with_label_values(&[e.as_str()]);
        }
        for reason in LINK_FILTER_REASONS {
            self.links_filtered_total.with_label_values(&[reason]);
        }
        for s in HostState::ALL {
            self.frontier_hosts.with_label_values(&[s.as_str()]);
        }
        for s in RetryStage::ALL {
            self.retries_total.with_label_values(&[s.as_str()]);
        }
        for reason in DEAD_LETTER_REASONS {
            self.dead_letters_total.with_label_values(&[reason]);
        }
        for result in UPDATE_CHECK_RESULTS {
            self.update_checks_total.with_label_values(&[result]);
        }
        for op in REDIS_OPS {
            self.redis_call_duration_seconds.with_label_values(&[op]);
        }
        for op in AMQP_OPS {
            self.amqp_call_duration_seconds.with_label_values(&[op]);
        }
        for r in TaskResult::ALL {
            self.worker_tasks_total.with_label_values(&[r.as_str()]);
        }
        for q in QueueKind::ALL {
            self.amqp_queue_messages.with_label_values(&[q.as_str()]);
        }
        for s in Stage::ALL {
            self.stage_last_progress_timestamp_seconds
                .with_label_values(&[s.as_str()]);
        }
        for o in SinkOutcome::ALL {
            self.sink_articles_total.with_label_values(&[o.as_str()]);
        }
        for r in SinkRejectReason::ALL {
            self.sink_rejected_total.with_label_values(&[r.as_str()]);
        }
        for r in BatchResult::ALL {
            self.sink_batches_total.with_label_values(&[r.as_str()]);
        }
    }

    /// Record one finished fetch: `trawl_fetch_total`, `trawl_fetch_duration_seconds` and
    /// `trawl_fetch_bytes_total`. `status` is the final HTTP status, `None` when there was no response.
    pub fn fetch(
        &self,
        outcome: FetchOutcome,
        status: Option<u16>,
        duration: Duration,
        body_bytes: u64,
    ) {
        let o = outcome.as_str();
        self.fetch_total
            .with_label_values(&[o, status_class_opt(status)])
            .inc();
        self.fetch_duration_seconds
            .with_label_values(&[o])
            .observe(duration.as_secs_f64());
        self.fetch_bytes_total.inc_by(body_bytes);
    }

    /// Count one robots.txt decision.
    pub fn robots(&self, decision: RobotsDecision) {
        self.robots_decisions_total
            .with_label_values(&[decision.as_str()])
            .inc();
    }

    /// Observe one politeness wait.
    pub fn politeness_wait(&self, waited: Duration) {
        self.politeness_wait_seconds.observe(waited.as_secs_f64());
    }

    /// Record one extraction: result counter and duration.
    pub fn extract(&self, result: ExtractResult, duration: Duration) {
        self.extract_total
            .with_label_values(&[result.as_str()])
            .inc();
        self.extract_duration_seconds
            .observe(duration.as_secs_f64());
    }

    /// Count one published article (and mark `publish` progress).
    pub fn article_published(&self) {
        self.articles_published_total.inc();
        self.progress(Stage::Publish);
    }

    /// Count one AMQP publish by kind and broker answer.
    pub fn amqp_publish(&self, kind: PublishKind, result: PublishResult) {
        self.amqp_publish_total
            .with_label_values(&[kind.as_str(), result.as_str()])
            .inc();
    }

    /// Count one AMQP connection event.
    pub fn amqp_connection_event(&self, event: AmqpConnectionEvent) {
        self.amqp_connection_events_total
            .with_label_values(&[event.as_str()])
            .inc();
    }

    /// Count links from one page: `discovered` found, of which `accepted` queued and `deduped` already seen
    /// (filtered ones go through [`Metrics::link_filtered`]).
    pub fn links(&self, discovered: u64, accepted: u64, deduped: u64) {
        self.links_discovered_total.inc_by(discovered);
        self.links_accepted_total.inc_by(accepted);
        self.links_deduped_total.inc_by(deduped);
    }

    /// Count one link dropped by a filter. `reason` should be one of [`LINK_FILTER_REASONS`]; other
    /// snake_case values are accepted up to a cap, anything else counts as `other`.
    pub fn link_filtered(&self, reason: &str) {
        self.links_filtered_by(reason, 1);
    }

    /// Count `n` links dropped by a filter for `reason` (see [`Metrics::link_filtered`]).
    pub fn links_filtered_by(&self, reason: &str, n: u64) {
        let reason = self.link_reasons.clamp(reason);
        self.links_filtered_total
            .with_label_values(&[reason])
            .inc_by(n);
    }

    /// Set the frontier host gauges.
    pub fn set_frontier_hosts(&self, ready: i64, waiting: i64, leased: i64) {
        self.frontier_hosts
            .with_label_values(&[HostState::Ready.as_str()])
            .set(ready);
        self.frontier_hosts
            .with_label_values(&[HostState::Waiting.as_str()])
            .set(waiting);
        self.frontier_hosts
            .with_label_values(&[HostState::Leased.as_str()])
            .set(leased);
    }

    /// Set the frontier URL gauges.
    pub fn set_frontier_urls(&self, queued: i64, in_flight: i64) {
        self.frontier_urls_queued.set(queued);
        self.frontier_urls_in_flight.set(in_flight);
    }

    /// Count one URL the frontier got a final report for (and mark `frontier` progress).
    pub fn frontier_url_done(&self) {
        self.frontier_urls_done_total.inc();
        self.progress(Stage::Frontier);
    }

    /// Count one retry.
    pub fn retry(&self, stage: RetryStage) {
        self.retries_total
            .with_label_values(&[stage.as_str()])
            .inc();
    }

    /// Count one dead-lettered message. `reason` should be a fetch outcome name or one of
    /// [`DEAD_LETTER_REASONS`] (clamped like [`Metrics::link_filtered`]).
    pub fn dead_letter(&self, reason: &str) {
        let reason = self.dead_letter_reasons.clamp(reason);
        self.dead_letters_total.with_label_values(&[reason]).inc();
    }

    /// Observe one Redis call. `op` should be one of [`REDIS_OPS`] (clamped).
    pub fn redis_call(&self, op: &str, duration: Duration) {
        self.redis_histogram(op).observe(duration.as_secs_f64());
    }

    /// A timer that observes a Redis call's duration when dropped (or on `observe_duration()`).
    pub fn redis_timer(&self, op: &str) -> HistogramTimer {
        self.redis_histogram(op).start_timer()
    }

    fn redis_histogram(&self, op: &str) -> Histogram {
        let op = self.redis_ops.clamp(op);
        self.redis_call_duration_seconds.with_label_values(&[op])
    }

    /// Observe one AMQP call. `op` should be one of [`AMQP_OPS`] (clamped).
    pub fn amqp_call(&self, op: &str, duration: Duration) {
        self.amqp_histogram(op).observe(duration.as_secs_f64());
    }

    /// A timer that observes an AMQP call's duration when dropped (or on `observe_duration()`).
    pub fn amqp_timer(&self, op: &str) -> HistogramTimer {
        self.amqp_histogram(op).start_timer()
    }

    fn amqp_histogram(&self, op: &str) -> Histogram {
        let op = self.amqp_ops.clamp(op);
        self.amqp_call_duration_seconds.with_label_values(&[op])
    }

    /// Mark a worker task as started; the returned guard decrements `trawl_worker_tasks_in_progress` when
    /// dropped (also on early return or panic unwinding).
    pub fn worker_task_started(&self) -> InProgressGuard {
        self.worker_tasks_in_progress.inc();
        InProgressGuard {
            gauge: self.worker_tasks_in_progress.clone(),
        }
    }

    /// Count one finished worker task (and mark `worker` progress).
    pub fn worker_task_finished(&self, result: TaskResult) {
        self.worker_tasks_total
            .with_label_values(&[result.as_str()])
            .inc();
        self.progress(Stage::Worker);
    }

    /// Set the last-seen depth of a queue.
    pub fn set_queue_messages(&self, queue: QueueKind, messages: i64) {
        self.amqp_queue_messages
            .with_label_values(&[queue.as_str()])
            .set(messages);
    }

    /// Count `n` article messages a sink settled with `outcome`.
    pub fn sink_articles(&self, outcome: SinkOutcome, n: u64) {
        self.sink_articles_total
            .with_label_values(&[outcome.as_str()])
            .inc_by(n);
    }

    /// Count one refused message: `trawl_sink_rejected_total{reason}` and
    /// `trawl_sink_articles_total{outcome="rejected"}`.
    pub fn sink_rejected(&self, reason: SinkRejectReason) {
        self.sink_rejected_total
            .with_label_values(&[reason.as_str()])
            .inc();
        self.sink_articles(SinkOutcome::Rejected, 1);
    }

    /// Record one batch write: its result and, when committed, its duration (and `sink` progress).
    pub fn sink_batch(&self, result: BatchResult, duration: Duration) {
        self.sink_batches_total
            .with_label_values(&[result.as_str()])
            .inc();
        if result == BatchResult::Committed {
            self.sink_batch_seconds.observe(duration.as_secs_f64());
            self.progress(Stage::Sink);
        }
    }

    /// Set `trawl_sink_postgres_up`.
    pub fn set_sink_postgres_up(&self, up: bool) {
        self.sink_postgres_up.set(i64::from(up));
    }

    /// Set `trawl_sink_search_backlog_rows`.
    pub fn set_sink_search_backlog(&self, rows: i64) {
        self.sink_search_backlog_rows.set(rows);
    }

    /// Count `n` rows given their search vector.
    pub fn sink_search_indexed(&self, n: u64) {
        self.sink_search_indexed_total.inc_by(n);
    }

    /// Record that `stage` made progress now.
    pub fn progress(&self, stage: Stage) {
        self.stage_last_progress_timestamp_seconds
            .with_label_values(&[stage.as_str()])
            .set(now_seconds());
    }

    /// The registry's content in the Prometheus text exposition format.
    pub fn encode_text(&self) -> prometheus::Result<String> {
        use prometheus::Encoder;
        let mut buf = Vec::new();
        prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut buf)?;
        String::from_utf8(buf).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// Decrements `trawl_worker_tasks_in_progress` on drop. See [`Metrics::worker_task_started`].
#[derive(Debug)]
#[must_use = "the task counts as in progress only while the guard lives"]
pub struct InProgressGuard {
    gauge: IntGauge,
}

impl Drop for InProgressGuard {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    /// Every metric family name in the contract (docs/metrics.md).
    pub(crate) const CONTRACT: &[&str] = &[
        "trawl_build_info",
        "trawl_fetch_total",
        "trawl_fetch_duration_seconds",
        "trawl_fetch_bytes_total",
        "trawl_robots_decisions_total",
        "trawl_politeness_wait_seconds",
        "trawl_extract_duration_seconds",
        "trawl_extract_total",
        "trawl_articles_published_total",
        "trawl_amqp_publish_total",
        "trawl_amqp_connection_events_total",
        "trawl_amqp_connected",
        "trawl_links_discovered_total",
        "trawl_links_accepted_total",
        "trawl_links_deduped_total",
        "trawl_links_filtered_total",
        "trawl_frontier_hosts",
        "trawl_frontier_urls_queued",
        "trawl_frontier_shards_owned",
        "trawl_frontier_urls_in_flight",
        "trawl_frontier_urls_done_total",
        "trawl_retries_total",
        "trawl_dead_letters_total",
        "trawl_update_checks_total",
        "trawl_redis_call_duration_seconds",
        "trawl_amqp_call_duration_seconds",
        "trawl_worker_tasks_in_progress",
        "trawl_worker_tasks_total",
        "trawl_amqp_queue_messages",
        "trawl_stage_last_progress_timestamp_seconds",
        "trawl_sink_articles_total",
        "trawl_sink_rejected_total",
        "trawl_sink_batches_total",
        "trawl_sink_batch_seconds",
        "trawl_sink_postgres_up",
        "trawl_sink_search_backlog_rows",
        "trawl_sink_search_indexed_total",
        "trawl_warc_records_total",
        "trawl_warc_bytes_total",
        "trawl_warc_files_total",
        "trawl_warc_write_errors_total",
    ];

    fn families(m: &Metrics) -> HashMap<String, prometheus::proto::MetricFamily> {
        m.registry
            .gather()
            .into_iter()
            .map(|f| (f.name().to_owned(), f))
            .collect()
    }

    /// label name -> distinct values, for one family.
    fn label_values(m: &Metrics, name: &str) -> HashMap<String, BTreeSet<String>> {
        let fams = families(m);
        let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
        for metric in fams[name].get_metric() {
            for l in metric.get_label() {
                out.entry(l.name().to_owned())
                    .or_default()
                    .insert(l.value().to_owned());
            }
        }
        out
    }

    #[test]
    fn exposition_contains_every_contract_name() {
        let m = Metrics::new().unwrap();
        let text = m.encode_text().unwrap();
        for name in CONTRACT {
            assert!(text.contains(&format!("# TYPE {name} ")), "missing {name}");
        }
        assert!(text.contains(&format!("trawl_build_info{{version=\"{VERSION}\"}} 1")));
        #[cfg(target_os = "linux")]
        assert!(
            text.contains("process_resident_memory_bytes"),
            "process collector missing"
        );
        // No family outside the contract sneaks in under the trawl_ prefix.
        for f in m.registry.gather() {
            if f.name().starts_with("trawl_") {
                assert!(
                    CONTRACT.contains(&f.name()),
                    "undocumented metric {}",
                    f.name()
                );
            }
        }
    }

    #[test]
    fn names_follow_conventions() {
        let m = Metrics::new().unwrap();
        for f in m.registry.gather() {
            let name = f.name();
            if !name.starts_with("trawl_") {
                continue;
            }
            match f.get_field_type() {
                prometheus::proto::MetricType::COUNTER => {
                    assert!(name.ends_with("_total"), "{name}")
                }
                _ => assert!(!name.ends_with("_total"), "{name}"),
            }
            if f.get_field_type() == prometheus::proto::MetricType::HISTOGRAM {
                assert!(name.ends_with("_seconds"), "{name}");
            }
        }
    }

    #[test]
    fn two_instances_do_not_conflict() {
        let a = Metrics::new().unwrap();
        let b = Metrics::new().unwrap();
        a.fetch_bytes_total.inc_by(5);
        assert_eq!(b.fetch_bytes_total.get(), 0);
    }

    #[test]
    fn fetch_helper_records_all_three() {
        let m = Metrics::new().unwrap();
        m.fetch(
            FetchOutcome::Ok,
            Some(200),
            Duration::from_millis(300),
            1000,
        );
        m.fetch(FetchOutcome::Timeout, None, Duration::from_secs(30), 0);
        m.fetch(
            FetchOutcome::ServerError,
            Some(503),
            Duration::from_secs(1),
            10,
        );
        assert_eq!(m.fetch_total.with_label_values(&["ok", "2xx"]).get(), 1);
        assert_eq!(
            m.fetch_total.with_label_values(&["timeout", "none"]).get(),
            1
        );
        assert_eq!(
            m.fetch_total
                .with_label_values(&["server_error", "5xx"])
                .get(),
            1
        );
        assert_eq!(m.fetch_bytes_total.get(), 1010);
        let h = m.fetch_duration_seconds.with_label_values(&["ok"]);
        assert_eq!(h.get_sample_count(), 1);
        assert!((h.get_sample_sum() - 0.3).abs() < 1e-9);
    }

    #[test]
    fn labels_are_bounded_whatever_callers_pass() {
        let m = Metrics::new().unwrap();
        // Hostile open-label input: URLs, hosts, thousands of distinct values.
        for i in 0..5000 {
            m.link_filtered(&format!("https://host{i}.example/path"));
            m.link_filtered(&format!("reason_{i}"));
            m.dead_letter(&format!("r{i}"));
            m.redis_call(&format!("op{i}"), Duration::from_micros(10));
            m.amqp_call(&format!("op{i}"), Duration::from_micros(10));
        }
        // Every closed-set helper with every value.
        for o in FetchOutcome::ALL {
            for s in [
                None,
                Some(100),
                Some(200),
                Some(301),
                Some(404),
                Some(500),
                Some(999),
                Some(0),
            ] {
                m.fetch(o, s, Duration::ZERO, 0);
            }
        }
        for d in RobotsDecision::ALL {
            m.robots(*d);
        }
        for k in PublishKind::ALL {
            for r in PublishResult::ALL {
                m.amqp_publish(*k, *r);
            }
        }
        for e in AmqpConnectionEvent::ALL {
            m.amqp_connection_event(*e);
        }
        let limit = MAX_OPEN_LABEL_VALUES + 1; // + "other"
        for name in [
            "trawl_links_filtered_total",
            "trawl_dead_letters_total",
            "trawl_redis_call_duration_seconds",
            "trawl_amqp_call_duration_seconds",
        ] {
            for (label, values) in label_values(&m, name) {
                assert!(
                    values.len() <= limit,
                    "{name}{{{label}}} has {} values",
                    values.len()
                );
                assert!(
                    values.contains("other"),
                    "{name}: overflow must fold into other"
                );
                assert!(
                    values.iter().all(|v| !v.contains('/') && !v.contains('.')),
                    "{name}: {values:?}"
                );
            }
        }
        let fetch = label_values(&m, "trawl_fetch_total");
        assert_eq!(fetch["outcome"].len(), 12);
        assert_eq!(
            fetch["status_class"]
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            STATUS_CLASSES_SORTED
        );
        assert_eq!(
            label_values(&m, "trawl_amqp_publish_total")["kind"].len(),
            PublishKind::ALL.len()
        );
        assert_eq!(
            label_values(&m, "trawl_amqp_connection_events_total")["event"].len(),
            AmqpConnectionEvent::ALL.len()
        );
        // Overall series count stays small.
        let series: usize = m
            .registry
            .gather()
            .iter()
            .map(|f| f.get_metric().len())
            .sum();
        assert!(series < 600, "{series} series");
    }

    const STATUS_CLASSES_SORTED: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "none"];

    #[test]
    fn gauges_guard_and_progress() {
        let m = Metrics::new().unwrap();
        {
            let _a = m.worker_task_started();
            let _b = m.worker_task_started();
            assert_eq!(m.worker_tasks_in_progress.get(), 2);
        }
        assert_eq!(m.worker_tasks_in_progress.get(), 0);
        m.worker_task_finished(TaskResult::Done);
        let ts = m
            .stage_last_progress_timestamp_seconds
            .with_label_values(&["worker"])
            .get();
        assert!(ts > 1.6e9, "{ts}");
        assert_eq!(
            m.stage_last_progress_timestamp_seconds
                .with_label_values(&["publish"])
                .get(),
            0.0
        );
        m.article_published();
        assert!(
            m.stage_last_progress_timestamp_seconds
                .with_label_values(&["publish"])
                .get()
                > 1.6e9
        );
        m.set_frontier_hosts(3, 2, 1);
        m.set_frontier_urls(100, 7);
        m.set_queue_messages(QueueKind::Tasks, 42);
        let text = m.encode_text().unwrap();
        assert!(
            text.contains("trawl_frontier_hosts{state=\"waiting\"} 2"),
            "{text}"
        );
        assert!(text.contains("trawl_frontier_urls_in_flight 7"));
        assert!(text.contains("trawl_amqp_queue_messages{queue=\"tasks\"} 42"));
        m.links(10, 4, 5);
        m.link_filtered("scheme");
        assert_eq!(m.links_discovered_total.get(), 10);
        assert_eq!(
            m.links_filtered_total.with_label_values(&["scheme"]).get(),
            1
        );
        {
            let _t = m.redis_timer("dedup");
        }
        assert_eq!(
            m.redis_call_duration_seconds
                .with_label_values(&["dedup"])
                .get_sample_count(),
            1
        );
    }

    #[test]
    fn sink_helpers() {
        let m = Metrics::new().unwrap();
        m.sink_articles(SinkOutcome::Inserted, 3);
        m.sink_rejected(SinkRejectReason::InvalidJson);
        m.sink_batch(BatchResult::Committed, Duration::from_millis(20));
        m.sink_batch(BatchResult::Failed, Duration::from_secs(3));
        m.set_sink_postgres_up(true);
        m.set_sink_search_backlog(1200);
        m.sink_search_indexed(250);
        m.sink_search_indexed(7);
        let text = m.encode_text().unwrap();
        assert!(
            text.contains("trawl_sink_articles_total{outcome=\"inserted\"} 3"),
            "{text}"
        );
        assert!(text.contains("trawl_sink_articles_total{outcome=\"rejected\"} 1"));
        assert!(text.contains("trawl_sink_articles_total{outcome=\"unchanged\"} 0"));
        assert!(text.contains("trawl_sink_rejected_total{reason=\"invalid_json\"} 1"));
        assert!(text.contains("trawl_sink_batches_total{result=\"failed\"} 1"));
        assert!(text.contains("trawl_sink_postgres_up 1"));
        assert!(
            text.contains("trawl_sink_search_backlog_rows 1200"),
            "{text}"
        );
        assert!(
            text.contains("trawl_sink_search_indexed_total 257"),
            "{text}"
        );
        // Only committed batches are timed.
        assert_eq!(m.sink_batch_seconds.get_sample_count(), 1);
        assert!(
            m.stage_last_progress_timestamp_seconds
                .with_label_values(&["sink"])
                .get()
                > 1.6e9
        );
    }

    #[test]
    fn metrics_is_send_sync() {
        fn is<T: Send + Sync>() {}
        is::<Metrics>();
    }
}
