//! Publishing: persistent JSON messages on confirm-mode channels, each call waiting for the
//! broker's confirm and retrying transient failures on a (new) connection.

use std::sync::atomic::Ordering;
use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel};
use tokio::time::{timeout, Instant};

use super::connection::{backoff_delay, Conn, Shared};
use super::metrics::{self, Op, Timer};
use super::SCHEMA_VERSION_HEADER;
use crate::QueueError;
use trawl_metrics::{AmqpConnectionEvent, PublishKind, PublishResult};

/// A publish failure: unroutable messages are told apart so that the caller
/// can re-declare the topology, and nacks so that they are counted as such.
pub(super) enum PubError {
    Unroutable(String),
    Nacked(QueueError),
    Other(QueueError),
}

impl From<QueueError> for PubError {
    fn from(e: QueueError) -> Self {
        PubError::Other(e)
    }
}

/// What to do when the broker returns a message as unroutable.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum OnUnroutable {
    /// Re-declare the topology and retry (work and dead-letter queues).
    Redeclare,
    /// A permanent error (a vanished subscription queue).
    Fail,
}

/// The `schema_version` a JSON payload starts with (`{"schema_version":N,`),
/// as serde writes our messages; `None` otherwise.
pub(super) fn payload_schema_version(payload: &[u8]) -> Option<u32> {
    let rest = payload.strip_prefix(b"{\"schema_version\":")?;
    let digits: Vec<u8> = rest
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .take(9)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

pub(super) fn truncate_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Shared {
    pub(super) fn properties(&self, payload: &[u8], headers: FieldTable) -> BasicProperties {
        let mut headers = headers;
        if let Some(v) = payload_schema_version(payload) {
            headers.insert(SCHEMA_VERSION_HEADER.into(), AMQPValue::LongUInt(v));
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type(ShortString::from("application/json"))
            .with_app_id(ShortString::from("trawl"))
            .with_timestamp(now)
            .with_headers(headers)
    }

    pub(super) async fn open_confirm_channel(&self, conn: &Conn) -> Result<Channel, QueueError> {
        let ch = self
            .bounded("opening a channel", conn.connection.create_channel())
            .await?;
        self.bounded(
            "enabling publisher confirms",
            ch.confirm_select(ConfirmSelectOptions::default()),
        )
        .await?;
        Ok(ch)
    }

    pub(super) async fn publish_once(
        &self,
        conn: &Conn,
        exchange: &str,
        routing_key: &str,
        payload: &[u8],
        properties: BasicProperties,
        mandatory: bool,
    ) -> Result<(), PubError> {
        let i = conn.next_publisher.fetch_add(1, Ordering::Relaxed) % conn.publishers.len();
        let (ch, confirm) = {
            // The slot lock orders "assign a delivery tag + write the frames"
            // on this channel; the confirm is awaited outside it, so many
            // publishes are in flight per channel.
            let mut slot = conn.publishers[i].lock().await;
            let ch = match slot.as_ref() {
                Some(ch) if ch.status().connected() => ch.clone(),
                _ => {
                    let ch = self.open_confirm_channel(conn).await?;
                    *slot = Some(ch.clone());
                    ch
                }
            };
            let confirm = self
                .bounded(
                    "publishing",
                    ch.basic_publish(
                        exchange,
                        routing_key,
                        BasicPublishOptions {
                            mandatory,
                            immediate: false,
                        },
                        payload,
                        properties,
                    ),
                )
                .await?;
            (ch, confirm)
        };
        let confirmation = match timeout(self.op_timeout(), confirm).await {
            Ok(r) => r.map_err(|e| self.map_err(e))?,
            Err(_) => {
                self.retire_publisher(conn, i, &ch).await;
                return Err(PubError::Other(QueueError::Timeout));
            }
        };
        match confirmation {
            Confirmation::Ack(None) => Ok(()),
            Confirmation::Ack(Some(returned)) | Confirmation::Nack(Some(returned)) => {
                Err(PubError::Unroutable(format!(
                    "message to {exchange:?}/{routing_key:?} unroutable: {} {}",
                    returned.reply_code, returned.reply_text
                )))
            }
            Confirmation::Nack(None) => {
                self.retire_publisher(conn, i, &ch).await;
                Err(PubError::Nacked(QueueError::Unavailable(
                    "the broker nacked the publish".into(),
                )))
            }
            Confirmation::NotRequested => Err(PubError::Other(QueueError::Unavailable(
                "publisher confirms are not enabled on the channel".into(),
            ))),
        }
    }

    /// Stop publishing on a channel the broker nacked a message on, or left a
    /// confirm unanswered on: the retry goes out on a fresh channel. (On a
    /// cluster, a channel opened while a quorum queue was electing its leader
    /// can keep its view of the old, lost leader and nack every later publish
    /// to that queue: seen on RabbitMQ 3.10 after SIGKILLing the leader's node.)
    /// Other publishes still waiting on it fail with the channel and are retried.
    async fn retire_publisher(&self, conn: &Conn, i: usize, ch: &Channel) {
        {
            let mut slot = conn.publishers[i].lock().await;
            if slot.as_ref().is_some_and(|c| c.id() == ch.id()) {
                *slot = None;
            }
        }
        let ch = ch.clone();
        tokio::spawn(async move {
            let _ = timeout(
                Duration::from_secs(5),
                ch.close(200, "retired after a nack"),
            )
            .await;
        });
    }

    /// Publish, waiting for the confirm; transient failures are retried on a
    /// (new) connection until `publish_retry_timeout`. Counted once, under `kind`,
    /// with its final result, and timed as a whole (`metrics`).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn publish(
        &self,
        kind: PublishKind,
        exchange: &str,
        routing_key: &str,
        payload: &[u8],
        headers: FieldTable,
        mandatory: bool,
        on_unroutable: OnUnroutable,
    ) -> Result<(), QueueError> {
        let timer = Timer::start(Op::Publish);
        let result = self
            .publish_retrying(
                exchange,
                routing_key,
                payload,
                headers,
                mandatory,
                on_unroutable,
            )
            .await;
        drop(timer);
        match result {
            Ok(()) => {
                metrics::publish(kind, PublishResult::Confirmed);
                Ok(())
            }
            Err((e, result)) => {
                metrics::publish(kind, result);
                Err(e)
            }
        }
    }

    /// [`Shared::publish`] without the metrics; an error comes with its
    /// `trawl_amqp_publish_total{result}` (`nacked` when the last attempt was nacked).
    async fn publish_retrying(
        &self,
        exchange: &str,
        routing_key: &str,
        payload: &[u8],
        headers: FieldTable,
        mandatory: bool,
        on_unroutable: OnUnroutable,
    ) -> Result<(), (QueueError, PublishResult)> {
        let failed = |e| (e, PublishResult::Error);
        let start = Instant::now();
        let mut attempt = 0u32;
        loop {
            let result = match self.conn().await {
                Ok(conn) => {
                    let props = self.properties(payload, headers.clone());
                    self.publish_once(&conn, exchange, routing_key, payload, props, mandatory)
                        .await
                }
                Err(e) => Err(PubError::Other(e)),
            };
            let mut nacked = false;
            let err = match result {
                Ok(()) => {
                    if attempt > 0 {
                        tracing::debug!(retries = attempt, "publish confirmed after retrying");
                    }
                    return Ok(());
                }
                Err(PubError::Unroutable(msg)) if on_unroutable == OnUnroutable::Redeclare => {
                    self.redeclare().await;
                    QueueError::Unavailable(msg)
                }
                Err(PubError::Unroutable(msg)) => return Err(failed(QueueError::Rejected(msg))),
                Err(PubError::Nacked(e)) => {
                    nacked = true;
                    e
                }
                Err(PubError::Other(e)) if e.is_transient() => {
                    if matches!(&e, QueueError::Unavailable(m) if m.starts_with("not found")) {
                        self.redeclare().await;
                    }
                    e
                }
                Err(PubError::Other(e)) => return Err(failed(e)),
            };
            let elapsed = start.elapsed();
            if elapsed >= self.options.publish_retry_timeout {
                tracing::warn!(error = %err, "publish failed; retry budget used up");
                let result = if nacked {
                    PublishResult::Nacked
                } else {
                    PublishResult::Error
                };
                return Err((err, result));
            }
            if attempt == 0 && self.publish_warning_due() {
                tracing::warn!(
                    error = %err,
                    "publish not confirmed; retrying (at-least-once: the message may arrive twice)"
                );
            }
            attempt = attempt.saturating_add(1);
            self.event(AmqpConnectionEvent::PublishRetry);
            let pause = backoff_delay(
                self.options.initial_backoff,
                Duration::from_secs(2),
                attempt.saturating_sub(1),
            )
            .max(self.wait_hint().await.min(Duration::from_secs(2)))
            .min(self.options.publish_retry_timeout - elapsed);
            tokio::time::sleep(pause).await;
        }
    }

    /// At most one "publish retrying" warning per second (hundreds of
    /// publishes may be in flight when the connection drops).
    pub(super) fn publish_warning_due(&self) -> bool {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_publish_warning_ms.load(Ordering::Relaxed);
        (last == 0 || now.saturating_sub(last) >= 1000)
            && self
                .last_publish_warning_ms
                .compare_exchange(last, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_version_is_read_from_the_payload_prefix() {
        assert_eq!(
            payload_schema_version(br#"{"schema_version":3,"x":1}"#),
            Some(3)
        );
        assert_eq!(payload_schema_version(br#"{"x":1}"#), None);
        assert_eq!(payload_schema_version(b"garbage"), None);
        assert_eq!(
            payload_schema_version(br#"{"schema_version":99999999999999}"#),
            Some(999_999_999)
        );
    }
}
