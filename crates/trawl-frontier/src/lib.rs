//! The frontier: admits links, dedups them, schedules them per host and hands out
//! fetch tasks; consumes the workers' reports.
//!
//! Layout:
//! - [`config`]: [`FrontierConfig`], plain values with defaults;
//! - [`schedule`]: pure scheduling decisions (priorities, retry or dead-letter, what a
//!   report tells the politeness rule) — no I/O, unit-tested; a host's delay is the rule it
//!   shares with the fetcher, `trawl_core::politeness` ([`FrontierConfig::politeness_rule`]);
//! - [`admit`]: link admission: canonicalize → scope → trap guard → (seen-set in the
//!   store) → host queue;
//! - [`counts`]: [`Counts`], the summaries' counts per fetch outcome and filter reason;
//! - [`service`]: [`Frontier`], the loops that tie the store ([`trawl_store::FrontierStore`])
//!   and the broker ([`trawl_queue::Broker`]) together.
//!
//! The same `Frontier` runs embedded (memory store + memory broker, `trawl crawl`) and
//! distributed (Redis + RabbitMQ, `trawl frontier`). It keeps no state of its own
//! that a restart would lose: queues, leases, the seen-set, the schedule, the trap budgets
//! the hub-yield counts and each host's politeness delay live in the store; the in-process pieces (the hub-yield table,
//! refreshed from the store's totals; summary counters) are advisory. Several `trawl frontier` replicas share one store: each claims a fair share of
//! the host shards ([`Frontier::coordinate_shards`], `trawl_store::shards`) and dispatches
//! only their hosts; any replica applies any report.

pub mod admit;
pub mod config;
pub mod counts;
pub mod schedule;
pub mod service;

pub use config::FrontierConfig;
pub use counts::Counts;
pub use service::{CrawlSummary, Frontier, FrontierError};
