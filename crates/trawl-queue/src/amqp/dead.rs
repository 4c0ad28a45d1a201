//! Dead letters: publishing one with its reason and source, reading them back (from either
//! our headers or RabbitMQ's `x-death` ones), and moving them back to their queues.

use lapin::options::{BasicAckOptions, BasicGetOptions, BasicNackOptions};
use lapin::types::{AMQPValue, FieldTable};

use super::connection::Shared;
use super::metrics::{self, Op, Timer};
use super::publish::{truncate_utf8, OnUnroutable};
use super::{AmqpBroker, REASON_HEADER, SOURCE_HEADER};
use crate::{DeadLetter, QueueError, WorkQueue};
use trawl_metrics::PublishKind;

pub(super) fn header_str(headers: Option<&FieldTable>, key: &str) -> Option<String> {
    let v = headers?.inner().get(key)?;
    match v {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_string()),
        _ => None,
    }
}

impl Shared {
    pub(super) fn to_dead_letter(&self, delivery: &lapin::message::Delivery) -> DeadLetter {
        let headers = delivery.properties.headers().as_ref();
        let source = header_str(headers, SOURCE_HEADER)
            .or_else(|| {
                header_str(headers, "x-first-death-queue")
                    .map(|q| self.topology.short(&q).to_string())
            })
            .unwrap_or_else(|| "unknown".to_string());
        let reason = header_str(headers, REASON_HEADER)
            .or_else(|| header_str(headers, "x-first-death-reason"))
            .unwrap_or_else(|| "unknown".to_string());
        DeadLetter {
            source,
            reason,
            payload: String::from_utf8_lossy(&delivery.data).into_owned(),
        }
    }
}

impl AmqpBroker {
    /// Publish a refused message to the dead-letter exchange under `key` (the queue it
    /// came from), with its reason and source (`tasks`, `articles.<name>`) as headers.
    pub(super) async fn publish_dead(
        &self,
        source: &str,
        key: &str,
        payload: &[u8],
        reason: &str,
    ) -> Result<(), QueueError> {
        let mut headers = FieldTable::default();
        headers.insert(
            REASON_HEADER.into(),
            AMQPValue::LongString(truncate_utf8(reason, 4096).into()),
        );
        headers.insert(SOURCE_HEADER.into(), AMQPValue::LongString(source.into()));
        let exchange = self.shared.topology.dead_exchange.clone();
        self.shared
            .publish(
                PublishKind::DeadLetter,
                &exchange,
                key,
                payload,
                headers,
                true,
                OnUnroutable::Redeclare,
            )
            .await
    }

    pub(super) async fn peek_dead(&self, max: usize) -> Result<Vec<DeadLetter>, QueueError> {
        let _timer = Timer::start(Op::Inspect);
        let s = &self.shared;
        let conn = s.conn().await?;
        let ch = s
            .bounded("opening a channel", conn.connection.create_channel())
            .await?;
        let mut out = Vec::new();
        let mut last_tag = None;
        while out.len() < max {
            let got = s
                .bounded(
                    "reading a dead letter",
                    ch.basic_get(&s.topology.dead_queue, BasicGetOptions { no_ack: false }),
                )
                .await?;
            let Some(msg) = got else { break };
            out.push(s.to_dead_letter(&msg.delivery));
            last_tag = Some(msg.delivery.delivery_tag);
        }
        // Leave them in place: hand every one back (closing the channel would too).
        if let Some(tag) = last_tag {
            let _ = s
                .bounded(
                    "returning dead letters",
                    ch.basic_nack(
                        tag,
                        BasicNackOptions {
                            multiple: true,
                            requeue: true,
                        },
                    ),
                )
                .await;
        }
        let _ = ch.close(200, "OK").await;
        Ok(out)
    }

    pub(super) async fn requeue_dead(&self, max: usize) -> Result<usize, QueueError> {
        let s = &self.shared;
        let conn = s.conn().await?;
        let ch = s
            .bounded("opening a channel", conn.connection.create_channel())
            .await?;
        let mut moved = 0;
        for _ in 0..max {
            let got = s
                .bounded(
                    "reading a dead letter",
                    ch.basic_get(&s.topology.dead_queue, BasicGetOptions { no_ack: false }),
                )
                .await?;
            let Some(msg) = got else { break };
            let dl = s.to_dead_letter(&msg.delivery);
            // Counted under the kind of the queue it goes back to.
            let (kind, target, on_unroutable) = match WorkQueue::from_name(&dl.source) {
                Some(q) => (
                    metrics::work_kind(q),
                    s.topology.work(q).to_string(),
                    OnUnroutable::Redeclare,
                ),
                None if dl.source.starts_with("articles.") => (
                    PublishKind::Article,
                    format!("{}.{}", s.topology.prefix, dl.source),
                    OnUnroutable::Fail,
                ),
                None => {
                    tracing::warn!(source = %dl.source, "dead letter from an unknown queue left in place");
                    continue;
                }
            };
            match s
                .publish(
                    kind,
                    "",
                    &target,
                    &msg.delivery.data,
                    FieldTable::default(),
                    true,
                    on_unroutable,
                )
                .await
            {
                Ok(()) => {}
                Err(QueueError::Rejected(e)) => {
                    tracing::warn!(queue = %target, error = %e, "dead letter's queue is gone; left in place");
                    continue;
                }
                Err(e) => {
                    let _ = ch.close(200, "OK").await;
                    return Err(e);
                }
            }
            // Republished and confirmed: now remove it (a failure here leaves a
            // duplicate in the dead queue, never a loss).
            s.bounded(
                "acking a dead letter",
                msg.delivery.acker.ack(BasicAckOptions::default()),
            )
            .await?;
            moved += 1;
        }
        let _ = ch.close(200, "OK").await;
        Ok(moved)
    }
}
