//! What the RabbitMQ broker records about itself in `trawl_metrics::global()`, in one place
//! (the Redis store does the same for `trawl_redis_*`; the in-memory broker records nothing):
//!
//! - `trawl_amqp_publish_total{kind, result}`: one per publish call ([`Broker::publish`],
//!   `publish_article`, `dead_letter*`, and each dead letter `requeue_dead_letters` moves back),
//!   with the final answer after the broker's own retries: `confirmed`, `nacked` (the last
//!   attempt was nacked) or `error`;
//! - `trawl_amqp_call_duration_seconds{op}` ([`Op`]): `publish` is the whole publish call as
//!   its caller waits for it (retries and the confirm included);
//! - `trawl_amqp_connection_events_total{event}`: the events also counted in
//!   [`AmqpStats`](super::AmqpStats) (reconnects, failed connection attempts, publish retries,
//!   resubscriptions, failovers);
//! - `trawl_amqp_connected`: 1 per broker holding a live connection, brought up to date on
//!   every (re)connect, within a second of a loss (the keep-alive loop), at shutdown and on drop.
//!
//! [`Broker::publish`]: crate::Broker::publish

use std::sync::atomic::Ordering;
use std::time::Instant;

use trawl_metrics::{AmqpConnectionEvent, PublishKind, PublishResult};

use super::connection::Shared;
use crate::WorkQueue;

/// `trawl_amqp_call_duration_seconds{op}` values the broker uses (a subset of
/// `trawl_metrics::labels::AMQP_OPS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    /// Opening one connection (TCP, AMQP handshake), successful or not.
    Connect,
    /// Declaring the topology (at connect, after a reconnect, after a "not found").
    Declare,
    /// One publish call until confirmed or given up, retries included.
    Publish,
    /// Opening a subscription (channel, prefetch, queue declare/bind, `basic.consume`).
    Consume,
    /// Acking a delivery.
    Ack,
    /// Handing a delivery back (requeue, or dropped unsettled).
    Nack,
    /// Reading a queue depth or dead letters.
    Inspect,
}

impl Op {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Op::Connect => "connect",
            Op::Declare => "declare",
            Op::Publish => "publish",
            Op::Consume => "consume",
            Op::Ack => "ack",
            Op::Nack => "nack",
            Op::Inspect => "inspect",
        }
    }
}

/// Observes the time from [`Timer::start`] to its drop under its [`Op`].
#[must_use = "the call is timed until the timer drops"]
pub(super) struct Timer {
    op: Op,
    start: Instant,
}

impl Timer {
    pub(super) fn start(op: Op) -> Self {
        Timer {
            op,
            start: Instant::now(),
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        trawl_metrics::global().amqp_call(self.op.as_str(), self.start.elapsed());
    }
}

/// The `kind` of a publish to a work queue.
pub(super) fn work_kind(queue: WorkQueue) -> PublishKind {
    match queue {
        WorkQueue::Tasks => PublishKind::Task,
        WorkQueue::Reports => PublishKind::Report,
        WorkQueue::Seeds => PublishKind::Seed,
    }
}

/// Count one publish call's final result.
pub(super) fn publish(kind: PublishKind, result: PublishResult) {
    trawl_metrics::global().amqp_publish(kind, result);
}

impl Shared {
    /// Count a connection event, in this broker's [`AmqpStats`](super::AmqpStats) and in
    /// `trawl_amqp_connection_events_total`.
    pub(super) fn event(&self, event: AmqpConnectionEvent) {
        let c = &self.counters;
        let counter = match event {
            AmqpConnectionEvent::Reconnect => &c.reconnects,
            AmqpConnectionEvent::ConnectFailure => &c.connect_failures,
            AmqpConnectionEvent::PublishRetry => &c.publish_retries,
            AmqpConnectionEvent::Resubscribe => &c.resubscribes,
            AmqpConnectionEvent::Failover => &c.failovers,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        trawl_metrics::global().amqp_connection_event(event);
    }

    /// Bring `trawl_amqp_connected` in line with whether this broker holds a live
    /// connection now (it adds this broker's 0 or 1 to the process's gauge).
    pub(super) fn sync_connected(&self) {
        let live = !self.shut_down.load(Ordering::SeqCst) && self.live().is_some();
        if self.counted_connected.swap(live, Ordering::SeqCst) != live {
            let gauge = &trawl_metrics::global().amqp_connected;
            if live {
                gauge.inc();
            } else {
                gauge.dec();
            }
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if self.counted_connected.swap(false, Ordering::SeqCst) {
            trawl_metrics::global().amqp_connected.dec();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_are_known_label_values() {
        for op in [
            Op::Connect,
            Op::Declare,
            Op::Publish,
            Op::Consume,
            Op::Ack,
            Op::Nack,
            Op::Inspect,
        ] {
            assert!(
                trawl_metrics::labels::AMQP_OPS.contains(&op.as_str()),
                "{op:?}"
            );
        }
    }

    #[test]
    fn every_work_queue_has_its_own_kind() {
        let kinds: Vec<_> = WorkQueue::ALL.iter().map(|q| work_kind(*q)).collect();
        assert_eq!(
            kinds,
            vec![PublishKind::Task, PublishKind::Report, PublishKind::Seed]
        );
    }
}
