//! Prometheus metrics for every Trawl process, and the `/metrics`, `/healthz`, `/readyz` server.
//!
//! ```no_run
//! use std::time::Duration;
//! use trawl_core::FetchOutcome;
//! use trawl_metrics::{global, Component, Health};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let health = Health::new();
//! health.set_ready(Component::Amqp, false); // not ready until the broker connection is up
//! let (addr, _server) = trawl_metrics::serve("0.0.0.0:9090".parse().unwrap(), health.clone()).await?;
//! health.set_ready(Component::Amqp, true);
//! global().fetch(FetchOutcome::Ok, Some(200), Duration::from_millis(120), 53_000);
//! # let _ = addr; Ok(()) }
//! ```
//!
//! Metric names, types and labels are a contract with the dashboards and alerts in `deploy/` and `k8s/`;
//! they are listed in `docs/metrics.md`.

mod health;
pub mod labels;
mod metrics;
mod server;

use std::sync::LazyLock;

pub use health::{Component, Health};
pub use labels::{
    status_class, status_class_opt, AmqpConnectionEvent, BatchResult, ExtractResult, HostState,
    PublishKind, PublishResult, QueueKind, RetryStage, RobotsDecision, SinkOutcome,
    SinkRejectReason, Stage, TaskResult, WARC_RECORD_TYPES,
};
pub use metrics::{InProgressGuard, Metrics, VERSION};
pub use server::{serve, serve_registry};

static GLOBAL: LazyLock<Metrics> = LazyLock::new(|| {
    // Fails only on a programming error in `Metrics::new` (a duplicate or invalid metric name), which the unit
    // tests exercise; there is no input involved.
    Metrics::new().expect("trawl metric definitions are valid")
});

/// The process-wide metrics, registered in their own registry (served by [`serve`]).
pub fn global() -> &'static Metrics {
    &GLOBAL
}
