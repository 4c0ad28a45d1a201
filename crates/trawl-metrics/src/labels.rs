//! Bounded label values. Every label of every Trawl metric takes its value from a closed enum here, from
//! [`trawl_core::FetchOutcome`], from [`status_class`], or (for the few open sets: filter reasons, dead-letter
//! reasons, Redis/AMQP operation names) through a [`LabelGuard`] that caps the number of distinct values.

use std::collections::HashSet;
use std::sync::Mutex;

/// Prometheus label value for an HTTP status: `1xx` .. `5xx`, or `none` (no response, or a status outside
/// 100..=599).
pub fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        500..=599 => "5xx",
        _ => "none",
    }
}

/// [`status_class`] for an optional status; `None` (no HTTP response at all) is `none`.
pub fn status_class_opt(status: Option<u16>) -> &'static str {
    status.map_or("none", status_class)
}

/// Every value [`status_class`] can return.
pub const STATUS_CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "none"];

macro_rules! label_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The label value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

label_enum!(
    /// `trawl_robots_decisions_total{decision}`.
    RobotsDecision {
        /// robots.txt allows the URL.
        Allowed => "allowed",
        /// robots.txt disallows the URL.
        Denied => "denied",
        /// robots.txt could not be fetched (5xx/timeout) and the policy treated the host as unavailable.
        Unavailable => "unavailable",
    }
);

label_enum!(
    /// `trawl_extract_total{result}`.
    ExtractResult {
        /// An article was extracted.
        Article => "article",
        /// The page parsed but is not an article (index page, too short, ...).
        NonArticle => "non_article",
        /// Extraction failed.
        Error => "error",
    }
);

label_enum!(
    /// `trawl_amqp_publish_total{kind}`: what was published.
    PublishKind {
        /// A fetch task (frontier -> workers).
        Task => "task",
        /// A fetch report (workers -> frontier).
        Report => "report",
        /// An extracted article (workers -> consumers).
        Article => "article",
        /// A message moved to the dead-letter queue.
        DeadLetter => "dead_letter",
        /// A seed URL (`trawl seed` -> frontier).
        Seed => "seed",
    }
);

label_enum!(
    /// `trawl_amqp_publish_total{result}`: how the broker answered.
    PublishResult {
        /// Publisher confirm: ack.
        Confirmed => "confirmed",
        /// Publisher confirm: nack.
        Nacked => "nacked",
        /// The publish failed (channel/connection error, timeout waiting for the confirm).
        Error => "error",
    }
);

label_enum!(
    /// `trawl_amqp_connection_events_total{event}`: what happened to the AMQP broker's connection or its
    /// users (recorded by `trawl-queue`'s RabbitMQ broker).
    AmqpConnectionEvent {
        /// A lost connection was replaced by a new one (topology re-declared).
        Reconnect => "reconnect",
        /// A connection attempt failed (at start or after a loss; with several nodes, one per round over
        /// all of them).
        ConnectFailure => "connect_failure",
        /// A publish attempt failed transiently and is retried (on a new channel or connection).
        PublishRetry => "publish_retry",
        /// A consumer subscribed again after its channel or connection was lost.
        Resubscribe => "resubscribe",
        /// A reconnect landed on another cluster node than the lost connection's.
        Failover => "failover",
    }
);

label_enum!(
    /// `trawl_frontier_hosts{state}`.
    HostState {
        /// Has queued URLs and may be fetched now.
        Ready => "ready",
        /// Has queued URLs but is waiting for its politeness delay.
        Waiting => "waiting",
        /// A task for it is out at a worker.
        Leased => "leased",
    }
);

label_enum!(
    /// `trawl_retries_total{stage}`.
    RetryStage {
        /// A retry inside one fetch (transient HTTP error).
        Fetch => "fetch",
        /// A whole task redelivered/requeued.
        Task => "task",
    }
);

label_enum!(
    /// `trawl_worker_tasks_total{result}`.
    TaskResult {
        /// Finished (whatever the fetch outcome) and acked.
        Done => "done",
        /// Requeued for another attempt.
        Retried => "retried",
        /// Given up and sent to the dead-letter queue.
        DeadLettered => "dead_lettered",
    }
);

label_enum!(
    /// `trawl_amqp_queue_messages{queue}`: logical queue, independent of the configured name prefix.
    QueueKind {
        /// Fetch tasks (`<prefix>.tasks`).
        Tasks => "tasks",
        /// Fetch reports (`<prefix>.reports`).
        Reports => "reports",
        /// Dead letters (`<prefix>.dead`).
        DeadLetter => "dead_letter",
    }
);

label_enum!(
    /// `trawl_stage_last_progress_timestamp_seconds{stage}`.
    Stage {
        /// The frontier scheduled or completed something.
        Frontier => "frontier",
        /// A worker finished a task.
        Worker => "worker",
        /// An article was published.
        Publish => "publish",
        /// The PostgreSQL sink committed a batch.
        Sink => "sink",
    }
);

label_enum!(
    /// `trawl_sink_articles_total{outcome}`: what a sink did with one article message.
    SinkOutcome {
        /// A new row.
        Inserted => "inserted",
        /// A stored row replaced by a higher `version`.
        Updated => "updated",
        /// Nothing changed: a redelivery, the same or a lower `version` than the stored one.
        Unchanged => "unchanged",
        /// Refused (malformed, unsupported, or refused by the database) and dead-lettered.
        Rejected => "rejected",
    }
);

label_enum!(
    /// `trawl_sink_rejected_total{reason}`: why a sink refused a message.
    SinkRejectReason {
        /// The payload is not JSON.
        InvalidJson => "invalid_json",
        /// `schema_version` newer than this build knows (or missing).
        UnsupportedSchemaVersion => "unsupported_schema_version",
        /// JSON, but not a valid Article (a field of the wrong type, an empty id...).
        InvalidArticle => "invalid_article",
        /// The database refused the row itself (a data error), alone in its transaction.
        DatabaseRejected => "database_rejected",
    }
);

label_enum!(
    /// `trawl_sink_batches_total{result}`.
    BatchResult {
        /// The batch's transaction committed.
        Committed => "committed",
        /// The write failed (database unreachable or refused); the batch is retried.
        Failed => "failed",
    }
);

/// Known `trawl_links_filtered_total{reason}` values (pre-created at 0): the `FilterReason` names of
/// `trawl-url`, plus `other`. Other snake_case reasons are accepted up to the guard's cap; everything past it
/// becomes `other`.
pub const LINK_FILTER_REASONS: &[&str] = &[
    "out_of_scope",
    "too_deep",
    "trap_path_depth",
    "trap_repeated_segment",
    "trap_calendar",
    "trap_pagination",
    "too_long",
    "bad_scheme",
    "invalid",
    "non_html_extension",
    "robots_denied",
    "duplicate",
    "host_page_limit",
    "barren_family",
    "too_old",
    "other",
];

/// `type` of `trawl_warc_records_total` (WARC-Type values written by trawl).
pub const WARC_RECORD_TYPES: &[&str] = &["warcinfo", "request", "response", "revisit", "metadata"];

/// `result` of `trawl_update_checks_total` (`trawl_frontier::schedule::update_result`).
pub const UPDATE_CHECK_RESULTS: &[&str] = &["changed", "unchanged", "not_modified", "ended"];

/// Known `trawl_dead_letters_total{reason}` values besides the 12 fetch outcome names (a task given up after
/// its last attempt is counted under its final outcome): a report whose processing failed, an undecodable
/// message, and `other`.
pub const DEAD_LETTER_REASONS: &[&str] = &["process_error", "undecodable", "other"];

/// Known `trawl_redis_call_duration_seconds{op}` values.
pub const REDIS_OPS: &[&str] = &[
    "connect", "ping", "dedup", "enqueue", "schedule", "lease", "complete", "stats", "other",
];

/// Known `trawl_amqp_call_duration_seconds{op}` values (what `trawl-queue`'s RabbitMQ broker times: `connect`
/// one connection, `declare` the topology, `publish` one publish until confirmed (retries included),
/// `consume` opening a subscription, `ack`/`nack` settling a delivery, `inspect` reading queue depths and
/// dead letters).
pub const AMQP_OPS: &[&str] = &[
    "connect", "declare", "publish", "consume", "ack", "nack", "inspect", "other",
];

/// The most distinct values an open label ([`LabelGuard`]) takes before new ones fold into `other`.
pub const MAX_OPEN_LABEL_VALUES: usize = 32;

/// Longest accepted open label value; longer ones become `other`.
pub const MAX_LABEL_LEN: usize = 48;

/// Keeps an open label set bounded: a value must be 1..=[`MAX_LABEL_LEN`] chars of `[a-z0-9_]`, and at most
/// `max` distinct values are let through; anything else is reported as `other`.
#[derive(Debug)]
pub struct LabelGuard {
    seen: Mutex<HashSet<String>>,
    max: usize,
}

impl LabelGuard {
    /// A guard pre-seeded with `known` values (they count towards `max`).
    pub fn new(known: &[&str], max: usize) -> Self {
        let seen = known.iter().map(|s| (*s).to_owned()).collect();
        LabelGuard {
            seen: Mutex::new(seen),
            max,
        }
    }

    /// `value` if it is acceptable, else `"other"`.
    pub fn clamp<'a>(&self, value: &'a str) -> &'a str {
        let well_formed = !value.is_empty()
            && value.len() <= MAX_LABEL_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return "other";
        }
        let mut seen = match self.seen.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if seen.contains(value) {
            return value;
        }
        if seen.len() < self.max {
            seen.insert(value.to_owned());
            value
        } else {
            "other"
        }
    }

    /// How many distinct values have been let through (including the pre-seeded ones).
    pub fn len(&self) -> usize {
        match self.seen.lock() {
            Ok(g) => g.len(),
            Err(poisoned) => poisoned.into_inner().len(),
        }
    }

    /// True when no value has been let through.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes() {
        assert_eq!(status_class(100), "1xx");
        assert_eq!(status_class(200), "2xx");
        assert_eq!(status_class(299), "2xx");
        assert_eq!(status_class(304), "3xx");
        assert_eq!(status_class(404), "4xx");
        assert_eq!(status_class(599), "5xx");
        assert_eq!(status_class(0), "none");
        assert_eq!(status_class(99), "none");
        assert_eq!(status_class(600), "none");
        assert_eq!(status_class(u16::MAX), "none");
        assert_eq!(status_class_opt(None), "none");
        assert_eq!(status_class_opt(Some(503)), "5xx");
        for s in 0..=u16::MAX {
            assert!(STATUS_CLASSES.contains(&status_class(s)));
        }
    }

    #[test]
    fn guard_rejects_malformed_values() {
        let g = LabelGuard::new(&["a"], 10);
        assert_eq!(g.clamp("https://example.com/x"), "other");
        assert_eq!(g.clamp("Upper"), "other");
        assert_eq!(g.clamp(""), "other");
        assert_eq!(g.clamp(&"x".repeat(MAX_LABEL_LEN + 1)), "other");
        assert_eq!(g.clamp("fine_reason_2"), "fine_reason_2");
        assert_eq!(g.len(), 2);
    }

    #[test]
    fn guard_caps_distinct_values() {
        let g = LabelGuard::new(&["known"], 4);
        assert_eq!(g.clamp("known"), "known");
        assert_eq!(g.clamp("b"), "b");
        assert_eq!(g.clamp("c"), "c");
        assert_eq!(g.clamp("d"), "d");
        assert_eq!(g.clamp("e"), "other");
        // Already seen values keep passing.
        assert_eq!(g.clamp("c"), "c");
        assert_eq!(g.len(), 4);
    }

    #[test]
    fn enum_values_are_distinct_snake_case() {
        fn check(values: Vec<&'static str>) {
            let set: HashSet<_> = values.iter().collect();
            assert_eq!(set.len(), values.len(), "{values:?}");
            for v in values {
                assert!(
                    v.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{v}"
                );
            }
        }
        check(RobotsDecision::ALL.iter().map(|v| v.as_str()).collect());
        check(ExtractResult::ALL.iter().map(|v| v.as_str()).collect());
        check(PublishKind::ALL.iter().map(|v| v.as_str()).collect());
        check(PublishResult::ALL.iter().map(|v| v.as_str()).collect());
        check(
            AmqpConnectionEvent::ALL
                .iter()
                .map(|v| v.as_str())
                .collect(),
        );
        check(HostState::ALL.iter().map(|v| v.as_str()).collect());
        check(RetryStage::ALL.iter().map(|v| v.as_str()).collect());
        check(TaskResult::ALL.iter().map(|v| v.as_str()).collect());
        check(QueueKind::ALL.iter().map(|v| v.as_str()).collect());
        check(Stage::ALL.iter().map(|v| v.as_str()).collect());
        check(SinkOutcome::ALL.iter().map(|v| v.as_str()).collect());
        check(SinkRejectReason::ALL.iter().map(|v| v.as_str()).collect());
        check(BatchResult::ALL.iter().map(|v| v.as_str()).collect());
        assert_eq!(PublishKind::DeadLetter.to_string(), "dead_letter");
    }
}
