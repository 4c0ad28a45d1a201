//! RabbitMQ implementation of [`Broker`] on lapin 2.5.
//!
//! Topology (declared idempotently at connect and after every reconnect):
//!
//! ```text
//!  frontier ──publish──▶ (default exchange) ──▶ <p>.tasks   ──▶ workers
//!  workers  ──publish──▶ (default exchange) ──▶ <p>.reports ──▶ frontier
//!  trawl seed ─publish─▶ (default exchange) ──▶ <p>.seeds   ──▶ frontier
//!  workers  ──publish──▶ <p>.articles (topic) ──<binding key>──▶ <p>.articles.<name> | amq.gen-*
//!  dead_letter() / x-delivery-limit ──▶ <p>.dead (fanout) ──▶ <p>.dead
//! ```
//!
//! - work queues: durable quorum queues with `x-dead-letter-exchange: <p>.dead`
//!   and `x-delivery-limit` ([`AmqpOptions::delivery_limit`]), so a message
//!   that keeps killing consumers is dead-lettered by the broker;
//! - every publish is persistent (`delivery_mode` 2), `application/json`,
//!   carries a `schema_version` header when the payload starts with one, and
//!   waits for the publisher confirm (a nack, a return or a timeout is an
//!   error); publishes that fail before their confirm are retried on a new
//!   connection for up to [`AmqpOptions::publish_retry_timeout`], so a
//!   message may be delivered twice (consumers dedupe by id);
//! - consumers use `basic.qos(prefetch)` and manual acks; a [`Delivery`]
//!   dropped without ack is nacked back to the queue; when the channel or the
//!   connection is lost, the consumer resubscribes by itself (with backoff) and
//!   the unacked deliveries of the lost channel fail to ack (the broker
//!   redelivers them);
//! - reconnects use exponential backoff with jitter, capped at
//!   [`AmqpOptions::max_backoff`]; credentials never appear in logs or errors.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use async_trait::async_trait;
use futures::{FutureExt, StreamExt};
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicGetOptions, BasicNackOptions,
    BasicPublishOptions, BasicQosOptions, ConfirmSelectOptions, ExchangeDeclareOptions,
    ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::publisher_confirm::Confirmation;
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::uri::AMQPUri;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use tokio::sync::watch;
use tokio::time::{timeout, Instant};

use crate::memory::{validate_binding_key, validate_queue_name};
use crate::{Acker, Broker, Consumer, DeadLetter, Delivery, QueueError, WorkQueue};

/// Header with the reason of a dead letter published by [`Broker::dead_letter`].
pub const REASON_HEADER: &str = "x-trawl-reason";
/// Header with the source queue (`tasks`, `reports`, `seeds`, `articles.<name>`) of a dead letter.
pub const SOURCE_HEADER: &str = "x-trawl-source";
/// Header with the payload's `schema_version`, when it has one.
pub const SCHEMA_VERSION_HEADER: &str = "schema_version";

/// Tunables of [`AmqpBroker`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmqpOptions {
    /// `x-delivery-limit` of the quorum queues: a message returned to its queue
    /// (nacked, or its consumer died) more often than this is dead-lettered by
    /// the broker with reason `delivery_limit`. Default 5. Changing it on an
    /// existing deployment fails the declare (406 PRECONDITION_FAILED): the
    /// queues must be re-created (or a policy used).
    pub delivery_limit: u32,
    /// How long [`AmqpBroker::connect`] keeps retrying an unreachable broker;
    /// `None` = forever (the default for services: no crash loop).
    pub connect_timeout: Option<Duration>,
    /// Bound on one broker operation (TCP+AMQP handshake, a declare, a publisher
    /// confirm). Default 30 s.
    pub operation_timeout: Duration,
    /// How long one `publish` keeps retrying across reconnects before it
    /// returns the (transient) error. Default 120 s.
    pub publish_retry_timeout: Duration,
    /// First reconnect delay; doubled per failure, with jitter. Default 250 ms.
    pub initial_backoff: Duration,
    /// Reconnect delay cap. Default 30 s.
    pub max_backoff: Duration,
    /// Confirm-mode channels publishes are spread over (each pipelines its
    /// confirms). Default 4.
    pub publish_channels: usize,
    /// AMQP heartbeat asked for when the URL does not set one. Default 10 s.
    pub heartbeat_seconds: u16,
    /// Connection name shown by `rabbitmqctl list_connections` (a unique suffix
    /// is added). Default `trawl`.
    pub connection_name: String,
}

impl Default for AmqpOptions {
    fn default() -> Self {
        AmqpOptions {
            delivery_limit: 5,
            connect_timeout: None,
            operation_timeout: Duration::from_secs(30),
            publish_retry_timeout: Duration::from_secs(120),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            publish_channels: 4,
            heartbeat_seconds: 10,
            connection_name: "trawl".to_string(),
        }
    }
}

pub use trawl_core::redact_url;

/// Names of the topology for a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    pub tasks: String,
    pub reports: String,
    pub seeds: String,
    pub articles_exchange: String,
    pub dead_exchange: String,
    pub dead_queue: String,
    prefix: String,
}

impl Topology {
    pub fn new(prefix: &str) -> Self {
        Topology {
            tasks: format!("{prefix}.tasks"),
            reports: format!("{prefix}.reports"),
            seeds: format!("{prefix}.seeds"),
            articles_exchange: format!("{prefix}.articles"),
            dead_exchange: format!("{prefix}.dead"),
            dead_queue: format!("{prefix}.dead"),
            prefix: prefix.to_string(),
        }
    }

    pub fn work(&self, q: WorkQueue) -> &str {
        match q {
            WorkQueue::Tasks => &self.tasks,
            WorkQueue::Reports => &self.reports,
            WorkQueue::Seeds => &self.seeds,
        }
    }

    /// Queue of a named articles subscription: `<prefix>.articles.<name>`.
    pub fn article_queue(&self, name: &str) -> String {
        format!("{}.articles.{name}", self.prefix)
    }

    /// The short source name of a queue (`tasks`, `articles.<name>`).
    fn short<'a>(&self, queue: &'a str) -> &'a str {
        queue
            .strip_prefix(self.prefix.as_str())
            .and_then(|s| s.strip_prefix('.'))
            .unwrap_or(queue)
    }
}

/// The RabbitMQ [`Broker`]. Cheap to clone (shared connection).
#[derive(Clone)]
pub struct AmqpBroker {
    shared: Arc<Shared>,
}

struct Shared {
    uri: AMQPUri,
    redacted: String,
    password: String,
    topology: Topology,
    options: AmqpOptions,
    connection_name: String,
    state: RwLock<Option<Arc<Conn>>>,
    reconnect: tokio::sync::Mutex<BackoffState>,
    generation: AtomicU64,
    /// Named article queues declared through this broker (re-declared after a
    /// reconnect by their consumers; deleted by `delete_topology`).
    subscriptions: Mutex<BTreeSet<String>>,
    closed_tx: watch::Sender<bool>,
    closed_rx: watch::Receiver<bool>,
    shut_down: AtomicBool,
    started: std::time::Instant,
    last_publish_warning_ms: AtomicU64,
    counters: Counters,
}

#[derive(Default)]
struct Counters {
    reconnects: AtomicU64,
    connect_failures: AtomicU64,
    publish_retries: AtomicU64,
    resubscribes: AtomicU64,
}

/// Counters of an [`AmqpBroker`] since it was created, for metrics
/// (`trawl_amqp_reconnects_total`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AmqpStats {
    /// Successful reconnects after a lost connection.
    pub reconnects: u64,
    /// Failed connection attempts (at start and after a loss).
    pub connect_failures: u64,
    /// Publish attempts retried after a transient failure.
    pub publish_retries: u64,
    /// Consumer re-subscriptions after a lost channel or connection.
    pub resubscribes: u64,
    pub connected: bool,
}

#[derive(Default)]
struct BackoffState {
    failures: u32,
    next_allowed: Option<Instant>,
}

struct Conn {
    generation: u64,
    connection: Connection,
    publishers: Vec<tokio::sync::Mutex<Option<Channel>>>,
    next_publisher: AtomicUsize,
}

impl Conn {
    fn is_live(&self) -> bool {
        self.connection.status().connected()
    }
}

/// A publish failure: unroutable messages are told apart so that the caller
/// can re-declare the topology.
enum PubError {
    Unroutable(String),
    Other(QueueError),
}

impl From<QueueError> for PubError {
    fn from(e: QueueError) -> Self {
        PubError::Other(e)
    }
}

/// What to do when the broker returns a message as unroutable.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnUnroutable {
    /// Re-declare the topology and retry (work and dead-letter queues).
    Redeclare,
    /// A permanent error (a vanished subscription queue).
    Fail,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `base · 2^attempt` capped at `max`, with "equal jitter" (uniform in [d/2, d]).
pub fn backoff_delay(initial: Duration, max: Duration, attempt: u32) -> Duration {
    let exp = initial.saturating_mul(1u32 << attempt.min(20));
    let d = exp.min(max).max(Duration::from_millis(1));
    let half = d / 2;
    half + half.mul_f64(rand::random::<f64>())
}

fn quorum_args(dead_exchange: &str, delivery_limit: u32) -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(dead_exchange.into()),
    );
    args.insert(
        "x-delivery-limit".into(),
        AMQPValue::LongLongInt(i64::from(delivery_limit)),
    );
    args
}

fn durable() -> QueueDeclareOptions {
    QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    }
}

/// The `schema_version` a JSON payload starts with (`{"schema_version":N,`),
/// as serde writes our messages; `None` otherwise.
fn payload_schema_version(payload: &[u8]) -> Option<u32> {
    let rest = payload.strip_prefix(b"{\"schema_version\":")?;
    let digits: Vec<u8> = rest
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .take(9)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

fn header_str(headers: Option<&FieldTable>, key: &str) -> Option<String> {
    let v = headers?.inner().get(key)?;
    match v {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_string()),
        _ => None,
    }
}

fn truncate_utf8(s: &str, max: usize) -> &str {
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
    /// Map a lapin error to ours, without credentials.
    fn map_err(&self, e: lapin::Error) -> QueueError {
        let text = self.scrub(e.to_string());
        match &e {
            lapin::Error::ProtocolError(amqp) => match amqp.get_id() {
                403 => QueueError::Config(format!("access refused: {text}")),
                406 => QueueError::Config(format!(
                    "precondition failed (a queue or exchange exists with other arguments?): {text}"
                )),
                404 => QueueError::Unavailable(format!("not found: {text}")),
                // At connect: the vhost does not exist or may not be used.
                530 => QueueError::Config(format!("not allowed: {text}")),
                _ => QueueError::Unavailable(text),
            },
            _ => QueueError::Unavailable(text),
        }
    }

    fn scrub(&self, text: String) -> String {
        if self.password.len() >= 4 && text.contains(&self.password) {
            text.replace(&self.password, "***")
        } else {
            text
        }
    }

    fn op_timeout(&self) -> Duration {
        self.options.operation_timeout
    }

    async fn bounded<T, F>(&self, what: &str, f: F) -> Result<T, QueueError>
    where
        F: std::future::Future<Output = Result<T, lapin::Error>>,
    {
        match timeout(self.op_timeout(), f).await {
            Ok(r) => r.map_err(|e| self.map_err(e)),
            Err(_) => Err(QueueError::Unavailable(format!(
                "{what} timed out after {:?}",
                self.op_timeout()
            ))),
        }
    }

    fn live(&self) -> Option<Arc<Conn>> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        state.as_ref().filter(|c| c.is_live()).cloned()
    }

    /// The live connection, connecting when there is none (at most one attempt
    /// at a time, spaced by the backoff; callers wait and retry).
    async fn conn(&self) -> Result<Arc<Conn>, QueueError> {
        if let Some(c) = self.live() {
            return Ok(c);
        }
        if self.shut_down.load(Ordering::SeqCst) {
            return Err(QueueError::Unavailable("the broker was shut down".into()));
        }
        let mut backoff = self.reconnect.lock().await;
        if let Some(c) = self.live() {
            return Ok(c);
        }
        if let Some(t) = backoff.next_allowed {
            let now = Instant::now();
            if now < t {
                return Err(QueueError::Unavailable(format!(
                    "RabbitMQ at {} unreachable; next attempt in {:.1}s",
                    self.redacted,
                    (t - now).as_secs_f64()
                )));
            }
        }
        let had_connection = self
            .state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        match self.connect_once().await {
            Ok(c) => {
                if had_connection {
                    self.counters.reconnects.fetch_add(1, Ordering::Relaxed);
                }
                if had_connection || backoff.failures > 0 {
                    tracing::info!(
                        url = %self.redacted,
                        generation = c.generation,
                        after_failures = backoff.failures,
                        "reconnected to RabbitMQ; topology re-declared"
                    );
                } else {
                    tracing::info!(url = %self.redacted, "connected to RabbitMQ");
                }
                *backoff = BackoffState::default();
                *self.state.write().unwrap_or_else(|e| e.into_inner()) = Some(c.clone());
                Ok(c)
            }
            Err(e) => {
                let delay = backoff_delay(
                    self.options.initial_backoff,
                    self.options.max_backoff,
                    backoff.failures,
                );
                backoff.failures = backoff.failures.saturating_add(1);
                backoff.next_allowed = Some(Instant::now() + delay);
                self.counters
                    .connect_failures
                    .fetch_add(1, Ordering::Relaxed);
                if !e.is_transient() {
                    tracing::error!(
                        "RabbitMQ at {} refused us: {}; fix the configuration",
                        self.redacted,
                        e
                    );
                    return Err(e);
                }
                tracing::warn!(
                    "RabbitMQ at {} unreachable: {}; retrying in {:.1}s",
                    self.redacted,
                    e,
                    delay.as_secs_f64()
                );
                Err(e)
            }
        }
    }

    /// How long until the next connection attempt is allowed.
    async fn wait_hint(&self) -> Duration {
        let backoff = self.reconnect.lock().await;
        backoff
            .next_allowed
            .map(|t| t.saturating_duration_since(Instant::now()))
            .unwrap_or_default()
            .max(Duration::from_millis(20))
    }

    async fn connect_once(&self) -> Result<Arc<Conn>, QueueError> {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let props = ConnectionProperties::default()
            .with_connection_name(LongString::from(self.connection_name.clone()));
        let connection = self
            .bounded(
                "connecting",
                Connection::connect_uri(self.uri.clone(), props),
            )
            .await?;
        let redacted = self.redacted.clone();
        connection.on_error(move |e| {
            tracing::warn!(url = %redacted, error = %e, "RabbitMQ connection lost");
        });
        let channel = self
            .bounded("opening a channel", connection.create_channel())
            .await?;
        self.declare_topology(&channel).await?;
        let _ = channel.close(200, "topology declared").await;
        let publishers = (0..self.options.publish_channels.max(1))
            .map(|_| tokio::sync::Mutex::new(None))
            .collect();
        Ok(Arc::new(Conn {
            generation,
            connection,
            publishers,
            next_publisher: AtomicUsize::new(0),
        }))
    }

    async fn declare_topology(&self, ch: &Channel) -> Result<(), QueueError> {
        let t = &self.topology;
        let exchange_opts = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        self.bounded(
            "declaring the dead-letter exchange",
            ch.exchange_declare(
                &t.dead_exchange,
                ExchangeKind::Fanout,
                exchange_opts,
                FieldTable::default(),
            ),
        )
        .await?;
        let mut dead_args = FieldTable::default();
        dead_args.insert(
            "x-queue-type".into(),
            AMQPValue::LongString("quorum".into()),
        );
        self.bounded(
            "declaring the dead-letter queue",
            ch.queue_declare(&t.dead_queue, durable(), dead_args),
        )
        .await?;
        self.bounded(
            "binding the dead-letter queue",
            ch.queue_bind(
                &t.dead_queue,
                &t.dead_exchange,
                "",
                QueueBindOptions::default(),
                FieldTable::default(),
            ),
        )
        .await?;
        self.bounded(
            "declaring the articles exchange",
            ch.exchange_declare(
                &t.articles_exchange,
                ExchangeKind::Topic,
                exchange_opts,
                FieldTable::default(),
            ),
        )
        .await?;
        for q in WorkQueue::ALL {
            self.bounded(
                "declaring a work queue",
                ch.queue_declare(
                    t.work(q),
                    durable(),
                    quorum_args(&t.dead_exchange, self.options.delivery_limit),
                ),
            )
            .await?;
        }
        Ok(())
    }

    /// Re-declare the topology on the live connection (after a "not found").
    async fn redeclare(&self) {
        let Ok(conn) = self.conn().await else { return };
        let Ok(ch) = self
            .bounded("opening a channel", conn.connection.create_channel())
            .await
        else {
            return;
        };
        match self.declare_topology(&ch).await {
            Ok(()) => tracing::warn!("topology was missing on the broker: re-declared"),
            Err(e) => tracing::warn!(error = %e, "re-declaring the topology failed"),
        }
        let _ = ch.close(200, "OK").await;
    }

    fn properties(&self, payload: &[u8], headers: FieldTable) -> BasicProperties {
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

    async fn open_confirm_channel(&self, conn: &Conn) -> Result<Channel, QueueError> {
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

    async fn publish_once(
        &self,
        conn: &Conn,
        exchange: &str,
        routing_key: &str,
        payload: &[u8],
        properties: BasicProperties,
        mandatory: bool,
    ) -> Result<(), PubError> {
        let i = conn.next_publisher.fetch_add(1, Ordering::Relaxed) % conn.publishers.len();
        let confirm = {
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
            self.bounded(
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
            .await?
        };
        let confirmation = match timeout(self.op_timeout(), confirm).await {
            Ok(r) => r.map_err(|e| self.map_err(e))?,
            Err(_) => return Err(PubError::Other(QueueError::Timeout)),
        };
        match confirmation {
            Confirmation::Ack(None) => Ok(()),
            Confirmation::Ack(Some(returned)) | Confirmation::Nack(Some(returned)) => {
                Err(PubError::Unroutable(format!(
                    "message to {exchange:?}/{routing_key:?} unroutable: {} {}",
                    returned.reply_code, returned.reply_text
                )))
            }
            Confirmation::Nack(None) => Err(PubError::Other(QueueError::Unavailable(
                "the broker nacked the publish".into(),
            ))),
            Confirmation::NotRequested => Err(PubError::Other(QueueError::Unavailable(
                "publisher confirms are not enabled on the channel".into(),
            ))),
        }
    }

    /// Publish, waiting for the confirm; transient failures are retried on a
    /// (new) connection until `publish_retry_timeout`.
    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        payload: &[u8],
        headers: FieldTable,
        mandatory: bool,
        on_unroutable: OnUnroutable,
    ) -> Result<(), QueueError> {
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
                Err(PubError::Unroutable(msg)) => return Err(QueueError::Rejected(msg)),
                Err(PubError::Other(e)) if e.is_transient() => {
                    if matches!(&e, QueueError::Unavailable(m) if m.starts_with("not found")) {
                        self.redeclare().await;
                    }
                    e
                }
                Err(PubError::Other(e)) => return Err(e),
            };
            let elapsed = start.elapsed();
            if elapsed >= self.options.publish_retry_timeout {
                tracing::warn!(error = %err, "publish failed; retry budget used up");
                return Err(err);
            }
            if attempt == 0 && self.publish_warning_due() {
                tracing::warn!(
                    error = %err,
                    "publish not confirmed; retrying (at-least-once: the message may arrive twice)"
                );
            }
            attempt = attempt.saturating_add(1);
            self.counters
                .publish_retries
                .fetch_add(1, Ordering::Relaxed);
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
    fn publish_warning_due(&self) -> bool {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_publish_warning_ms.load(Ordering::Relaxed);
        (last == 0 || now.saturating_sub(last) >= 1000)
            && self
                .last_publish_warning_ms
                .compare_exchange(last, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }

    fn to_dead_letter(&self, delivery: &lapin::message::Delivery) -> DeadLetter {
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
    /// Connect, declare the topology, and keep the connection up from then on.
    ///
    /// While the broker is unreachable this logs
    /// `RabbitMQ at amqp://user:***@host:port/vhost unreachable: ...; retrying in Xs`
    /// and retries with backoff, for [`AmqpOptions::connect_timeout`] (forever
    /// when `None`). An invalid URL or prefix, refused credentials or a
    /// conflicting existing topology are permanent errors
    /// ([`QueueError::Config`]).
    pub async fn connect(
        url: &str,
        prefix: &str,
        options: AmqpOptions,
    ) -> Result<Self, QueueError> {
        let redacted = redact_url(url);
        let mut uri: AMQPUri = url
            .parse()
            .map_err(|e: String| QueueError::Config(format!("invalid AMQP URL {redacted}: {e}")))?;
        validate_queue_name(prefix)
            .map_err(|_| QueueError::Config(format!("invalid queue prefix {prefix:?}")))?;
        if uri.query.heartbeat.is_none() {
            uri.query.heartbeat = Some(options.heartbeat_seconds);
        }
        if uri.query.connection_timeout.is_none() {
            uri.query.connection_timeout =
                Some(u64::try_from(options.operation_timeout.as_millis()).unwrap_or(u64::MAX));
        }
        static INSTANCE: AtomicU64 = AtomicU64::new(0);
        let connection_name = format!(
            "{}-{}-{}-{}",
            options.connection_name,
            prefix,
            std::process::id(),
            INSTANCE.fetch_add(1, Ordering::Relaxed)
        );
        let password = uri.authority.userinfo.password.clone();
        let (closed_tx, closed_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            uri,
            redacted,
            password,
            topology: Topology::new(prefix),
            options,
            connection_name,
            state: RwLock::new(None),
            reconnect: tokio::sync::Mutex::new(BackoffState::default()),
            generation: AtomicU64::new(0),
            subscriptions: Mutex::new(BTreeSet::new()),
            closed_tx,
            closed_rx,
            shut_down: AtomicBool::new(false),
            started: std::time::Instant::now(),
            last_publish_warning_ms: AtomicU64::new(0),
            counters: Counters::default(),
        });
        let start = Instant::now();
        loop {
            match shared.conn().await {
                Ok(_) => break,
                Err(e) if !e.is_transient() => return Err(e),
                Err(e) => {
                    let wait = shared.wait_hint().await;
                    if let Some(limit) = shared.options.connect_timeout {
                        if start.elapsed() + wait > limit {
                            return Err(QueueError::Unavailable(format!(
                                "RabbitMQ at {} still unreachable after {:.1}s: {e}",
                                shared.redacted,
                                start.elapsed().as_secs_f64()
                            )));
                        }
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
        // Keep the connection up while idle, so that `is_connected` (readiness)
        // recovers without traffic.
        let weak: Weak<Shared> = Arc::downgrade(&shared);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let Some(shared) = weak.upgrade() else { break };
                if shared.shut_down.load(Ordering::SeqCst) {
                    break;
                }
                if shared.live().is_none() {
                    let _ = shared.conn().await;
                }
            }
        });
        Ok(AmqpBroker { shared })
    }

    pub fn topology(&self) -> &Topology {
        &self.shared.topology
    }

    /// The connection name (as listed by `rabbitmqctl list_connections
    /// client_properties`), e.g. to close it in a fault test.
    pub fn connection_name(&self) -> &str {
        &self.shared.connection_name
    }

    /// Reconnect, retry and resubscribe counters (for metrics).
    pub fn stats(&self) -> AmqpStats {
        let c = &self.shared.counters;
        AmqpStats {
            reconnects: c.reconnects.load(Ordering::Relaxed),
            connect_failures: c.connect_failures.load(Ordering::Relaxed),
            publish_retries: c.publish_retries.load(Ordering::Relaxed),
            resubscribes: c.resubscribes.load(Ordering::Relaxed),
            connected: self.shared.live().is_some(),
        }
    }

    /// The broker URL with its password redacted.
    pub fn redacted_url(&self) -> &str {
        &self.shared.redacted
    }

    /// End every consumer (`Consumer::next` returns `None`; buffered,
    /// undelivered messages are handed back). Publishing and acking the
    /// deliveries already handed out keep working: call this first on SIGTERM.
    pub fn close(&self) {
        self.shared.closed_tx.send_replace(true);
    }

    /// Close the connection for good (after [`AmqpBroker::close`] and once
    /// in-flight deliveries are settled: unacked ones are redelivered).
    pub async fn shutdown(&self) {
        self.close();
        self.shared.shut_down.store(true, Ordering::SeqCst);
        let conn = self
            .shared
            .state
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(conn) = conn {
            let _ = timeout(
                Duration::from_secs(5),
                conn.connection.close(200, "shutdown"),
            )
            .await;
        }
    }

    /// Fault-test hook: close the current connection from the client side, as
    /// if it had been lost (the broker reconnects on next use).
    #[doc(hidden)]
    pub async fn kill_connection(&self) {
        if let Some(c) = self.shared.live() {
            let _ = c.connection.close(320, "closed by a fault test").await;
        }
    }

    /// Publish a refused message to the dead-letter exchange under `key` (the queue it
    /// came from), with its reason and source (`tasks`, `articles.<name>`) as headers.
    async fn publish_dead(
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
                &exchange,
                key,
                payload,
                headers,
                true,
                OnUnroutable::Redeclare,
            )
            .await
    }

    /// Delete every queue and exchange of this prefix (work, dead, articles
    /// and the named subscriptions made through this broker). Destructive: for
    /// tests and for tearing down a crawl.
    ///
    /// Deleting is idempotent, so a connection lost half-way (lapin closes the
    /// connection on a protocol race, e.g. a `cancel-ok` for a consumer dropped
    /// while its queue is deleted) is retried on a new connection within
    /// `publish_retry_timeout`.
    pub async fn delete_topology(&self) -> Result<(), QueueError> {
        let start = Instant::now();
        let mut attempt = 0u32;
        loop {
            match self.delete_topology_once().await {
                Err(e)
                    if e.is_transient()
                        && start.elapsed() < self.shared.options.publish_retry_timeout =>
                {
                    tracing::info!(error = %e, "deleting the topology again on a new connection");
                    tokio::time::sleep(backoff_delay(
                        self.shared.options.initial_backoff,
                        Duration::from_secs(2),
                        attempt,
                    ))
                    .await;
                    attempt = attempt.saturating_add(1);
                }
                other => return other,
            }
        }
    }

    async fn delete_topology_once(&self) -> Result<(), QueueError> {
        let s = &self.shared;
        let conn = s.conn().await?;
        let ch = s
            .bounded("opening a channel", conn.connection.create_channel())
            .await?;
        let t = &s.topology;
        let mut queues: Vec<String> = WorkQueue::ALL
            .iter()
            .map(|q| t.work(*q).to_string())
            .collect();
        queues.push(t.dead_queue.clone());
        queues.extend(lock(&s.subscriptions).iter().cloned());
        for q in &queues {
            s.bounded(
                "deleting a queue",
                ch.queue_delete(q, QueueDeleteOptions::default()),
            )
            .await?;
        }
        for x in [&t.articles_exchange, &t.dead_exchange] {
            s.bounded(
                "deleting an exchange",
                ch.exchange_delete(x, ExchangeDeleteOptions::default()),
            )
            .await?;
        }
        let _ = ch.close(200, "OK").await;
        Ok(())
    }

    /// Ready messages of a queue (passive declare).
    async fn queue_depth(&self, queue: &str) -> Result<u64, QueueError> {
        let s = &self.shared;
        let conn = s.conn().await?;
        let ch = s
            .bounded("opening a channel", conn.connection.create_channel())
            .await?;
        let q = s
            .bounded(
                "reading the queue depth",
                ch.queue_declare(
                    queue,
                    QueueDeclareOptions {
                        passive: true,
                        ..QueueDeclareOptions::default()
                    },
                    FieldTable::default(),
                ),
            )
            .await?;
        let _ = ch.close(200, "OK").await;
        Ok(u64::from(q.message_count()))
    }

    async fn consumer(
        &self,
        target: Target,
        prefetch: u16,
    ) -> Result<Box<dyn Consumer>, QueueError> {
        let mut consumer = AmqpConsumer {
            shared: self.shared.clone(),
            target,
            prefetch,
            active: None,
            closed: self.shared.closed_rx.clone(),
            failures: 0,
            stopped: false,
            opened_once: false,
        };
        // Subscribe now, so that an articles subscription is bound before the
        // caller publishes; a transient failure is retried by `next`.
        match consumer.open().await {
            Ok(active) => {
                consumer.active = Some(active);
                consumer.opened_once = true;
            }
            Err(e) if !e.is_transient() => return Err(e),
            Err(e) => tracing::warn!(
                queue = %consumer.target.describe(),
                error = %e,
                "cannot subscribe yet; the consumer will retry"
            ),
        }
        Ok(Box::new(consumer))
    }
}

#[async_trait]
impl Broker for AmqpBroker {
    async fn publish(&self, queue: WorkQueue, payload: &[u8]) -> Result<(), QueueError> {
        let name = self.shared.topology.work(queue).to_string();
        self.shared
            .publish(
                "",
                &name,
                payload,
                FieldTable::default(),
                true,
                OnUnroutable::Redeclare,
            )
            .await
    }

    async fn publish_article(&self, routing_key: &str, payload: &[u8]) -> Result<(), QueueError> {
        if routing_key.len() > 255 {
            return Err(QueueError::Config(format!(
                "routing key longer than 255 bytes ({} bytes)",
                routing_key.len()
            )));
        }
        let exchange = self.shared.topology.articles_exchange.clone();
        // Not mandatory: an article nobody subscribed to is dropped, as designed.
        self.shared
            .publish(
                &exchange,
                routing_key,
                payload,
                FieldTable::default(),
                false,
                OnUnroutable::Redeclare,
            )
            .await
    }

    async fn dead_letter(
        &self,
        source: WorkQueue,
        payload: &[u8],
        reason: &str,
    ) -> Result<(), QueueError> {
        let key = self.shared.topology.work(source).to_string();
        self.publish_dead(source.as_str(), &key, payload, reason)
            .await
    }

    async fn dead_letter_article(
        &self,
        subscription: &str,
        payload: &[u8],
        reason: &str,
    ) -> Result<(), QueueError> {
        validate_queue_name(subscription)?;
        let key = self.shared.topology.article_queue(subscription);
        self.publish_dead(&format!("articles.{subscription}"), &key, payload, reason)
            .await
    }

    async fn consume(
        &self,
        queue: WorkQueue,
        prefetch: u16,
    ) -> Result<Box<dyn Consumer>, QueueError> {
        let name = self.shared.topology.work(queue).to_string();
        self.consumer(Target::Work(name), prefetch).await
    }

    async fn subscribe_articles(
        &self,
        queue_name: Option<&str>,
        binding_key: &str,
        prefetch: u16,
    ) -> Result<Box<dyn Consumer>, QueueError> {
        validate_binding_key(binding_key)?;
        let queue = match queue_name {
            Some(name) => {
                validate_queue_name(name)?;
                let full = self.shared.topology.article_queue(name);
                lock(&self.shared.subscriptions).insert(full.clone());
                Some(full)
            }
            None => None,
        };
        self.consumer(
            Target::Articles {
                queue,
                binding_key: binding_key.to_string(),
            },
            prefetch,
        )
        .await
    }

    async fn depth(&self, queue: WorkQueue) -> Result<u64, QueueError> {
        let name = self.shared.topology.work(queue).to_string();
        self.queue_depth(&name).await
    }

    async fn dead_letter_count(&self) -> Result<u64, QueueError> {
        let name = self.shared.topology.dead_queue.clone();
        self.queue_depth(&name).await
    }

    async fn peek_dead_letters(&self, max: usize) -> Result<Vec<DeadLetter>, QueueError> {
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

    async fn requeue_dead_letters(&self, max: usize) -> Result<usize, QueueError> {
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
            let (target, on_unroutable) = match WorkQueue::from_name(&dl.source) {
                Some(q) => (s.topology.work(q).to_string(), OnUnroutable::Redeclare),
                None if dl.source.starts_with("articles.") => (
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

    async fn is_connected(&self) -> bool {
        self.shared.live().is_some()
    }
}

enum Target {
    Work(String),
    Articles {
        /// `None`: an exclusive, auto-delete, server-named queue.
        queue: Option<String>,
        binding_key: String,
    },
}

impl Target {
    fn describe(&self) -> String {
        match self {
            Target::Work(q) => q.clone(),
            Target::Articles {
                queue: Some(q),
                binding_key,
            } => format!("{q} ({binding_key})"),
            Target::Articles {
                queue: None,
                binding_key,
            } => format!("anonymous articles queue ({binding_key})"),
        }
    }
}

struct Active {
    channel: Channel,
    consumer: lapin::Consumer,
    queue: String,
}

struct AmqpConsumer {
    shared: Arc<Shared>,
    target: Target,
    prefetch: u16,
    active: Option<Active>,
    closed: watch::Receiver<bool>,
    failures: u32,
    stopped: bool,
    /// A later `open` is a re-subscription.
    opened_once: bool,
}

impl AmqpConsumer {
    async fn open(&self) -> Result<Active, QueueError> {
        let s = &self.shared;
        let conn = s.conn().await?;
        let ch = s
            .bounded("opening a channel", conn.connection.create_channel())
            .await?;
        s.bounded(
            "setting the prefetch",
            ch.basic_qos(self.prefetch, BasicQosOptions::default()),
        )
        .await?;
        let queue = match &self.target {
            Target::Work(q) => q.clone(),
            Target::Articles { queue, binding_key } => {
                let (name, opts, args) = match queue {
                    Some(q) => (
                        q.clone(),
                        durable(),
                        quorum_args(&s.topology.dead_exchange, s.options.delivery_limit),
                    ),
                    None => (
                        String::new(),
                        QueueDeclareOptions {
                            exclusive: true,
                            auto_delete: true,
                            ..QueueDeclareOptions::default()
                        },
                        FieldTable::default(),
                    ),
                };
                let declared = s
                    .bounded(
                        "declaring a subscription queue",
                        ch.queue_declare(&name, opts, args),
                    )
                    .await?;
                let name = declared.name().as_str().to_string();
                s.bounded(
                    "binding a subscription queue",
                    ch.queue_bind(
                        &name,
                        &s.topology.articles_exchange,
                        binding_key,
                        QueueBindOptions::default(),
                        FieldTable::default(),
                    ),
                )
                .await?;
                name
            }
        };
        let consumer = s
            .bounded(
                "subscribing",
                ch.basic_consume(
                    &queue,
                    "",
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                ),
            )
            .await?;
        Ok(Active {
            channel: ch,
            consumer,
            queue,
        })
    }

    /// Cancel the subscription and hand back what lapin buffered but we did
    /// not deliver.
    async fn stop(&mut self) {
        self.stopped = true;
        let Some(mut active) = self.active.take() else {
            return;
        };
        let tag = active.consumer.tag();
        let _ = timeout(
            Duration::from_secs(5),
            active
                .channel
                .basic_cancel(tag.as_str(), BasicCancelOptions::default()),
        )
        .await;
        while let Some(Some(Ok(d))) = active.consumer.next().now_or_never() {
            let _ = d
                .acker
                .nack(BasicNackOptions {
                    multiple: false,
                    requeue: true,
                })
                .await;
        }
    }
}

#[async_trait]
impl Consumer for AmqpConsumer {
    async fn next(&mut self) -> Option<Delivery> {
        let mut closed = self.closed.clone();
        loop {
            if self.stopped {
                return None;
            }
            if *closed.borrow() {
                self.stop().await;
                return None;
            }
            if self.active.is_none() {
                match self.open().await {
                    Ok(active) => {
                        if self.opened_once {
                            tracing::info!(queue = %self.target.describe(), "resubscribed");
                            self.shared
                                .counters
                                .resubscribes
                                .fetch_add(1, Ordering::Relaxed);
                        }
                        self.failures = 0;
                        self.opened_once = true;
                        self.active = Some(active);
                    }
                    Err(e) => {
                        if matches!(&e, QueueError::Unavailable(m) if m.starts_with("not found")) {
                            self.shared.redeclare().await;
                        }
                        let delay = backoff_delay(
                            self.shared.options.initial_backoff,
                            self.shared.options.max_backoff,
                            self.failures,
                        )
                        .max(self.shared.wait_hint().await);
                        self.failures = self.failures.saturating_add(1);
                        tracing::warn!(
                            "consumer of {} cannot subscribe: {}; retrying in {:.1}s",
                            self.target.describe(),
                            e,
                            delay.as_secs_f64()
                        );
                        tokio::select! {
                            biased;
                            _ = closed.wait_for(|c| *c) => {}
                            _ = tokio::time::sleep(delay) => {}
                        }
                        continue;
                    }
                }
            }
            let Some(active) = self.active.as_mut() else {
                continue;
            };
            // lapin does not always wake a consumer whose connection went away
            // (a client-side close, say): check the channel every second too.
            // (Not `interval`: its immediate first tick costs a timer-wheel
            // turn, ~1 ms, per delivery.)
            let health = tokio::time::sleep(Duration::from_secs(1));
            tokio::pin!(health);
            let item = loop {
                tokio::select! {
                    biased;
                    _ = closed.wait_for(|c| *c) => break None,
                    item = active.consumer.next() => break Some(item),
                    _ = &mut health => {
                        health.as_mut().reset(Instant::now() + Duration::from_secs(1));
                        if !active.channel.status().connected() {
                            break Some(Some(Err(lapin::Error::InvalidChannelState(
                                active.channel.status().state(),
                            ))));
                        }
                    }
                }
            };
            let Some(item) = item else { continue };
            {
                match item {
                    Some(Ok(_)) if !active.channel.status().connected() => {
                        // Buffered by lapin before the channel died: it cannot
                        // be acked, and the broker redelivers it. Drop it here
                        // rather than hand out work whose ack must fail.
                        tracing::warn!(queue = %active.queue, "channel lost; resubscribing");
                        self.active = None;
                    }
                    Some(Ok(d)) => {
                        let acker = AmqpAcker {
                            acker: d.acker.clone(),
                            channel: Some(active.channel.clone()),
                            settled: AtomicBool::new(false),
                        };
                        return Some(Delivery::new(d.data, d.redelivered, Box::new(acker)));
                    }
                    Some(Err(e)) => {
                        tracing::warn!(
                            queue = %active.queue,
                            error = %self.shared.scrub(e.to_string()),
                            "consumer lost its channel; resubscribing"
                        );
                        self.active = None;
                    }
                    None => {
                        tracing::warn!(queue = %active.queue, "consumer cancelled by the broker; resubscribing");
                        self.active = None;
                    }
                }
            }
        }
    }
}

struct AmqpAcker {
    acker: lapin::acker::Acker,
    /// Keeps the channel open until the delivery is settled.
    channel: Option<Channel>,
    settled: AtomicBool,
}

impl AmqpAcker {
    fn map(e: lapin::Error) -> QueueError {
        QueueError::Unavailable(format!(
            "could not settle the delivery (its channel is gone; the broker will redeliver it): {e}"
        ))
    }
}

#[async_trait]
impl Acker for AmqpAcker {
    async fn ack(&self) -> Result<(), QueueError> {
        if self.settled.swap(true, Ordering::SeqCst) {
            return Err(QueueError::Rejected("delivery already settled".into()));
        }
        self.acker
            .ack(BasicAckOptions::default())
            .await
            .map_err(Self::map)
    }

    async fn requeue(&self) -> Result<(), QueueError> {
        if self.settled.swap(true, Ordering::SeqCst) {
            return Err(QueueError::Rejected("delivery already settled".into()));
        }
        self.acker
            .nack(BasicNackOptions {
                multiple: false,
                requeue: true,
            })
            .await
            .map_err(Self::map)
    }
}

impl Drop for AmqpAcker {
    fn drop(&mut self) {
        if self.settled.swap(true, Ordering::SeqCst) {
            return;
        }
        // Dropped unacked (the task holding it died): hand it back now rather
        // than when the channel closes, so the prefetch slot is not leaked.
        let acker = self.acker.clone();
        let channel = self.channel.take();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let _ = acker
                    .nack(BasicNackOptions {
                        multiple: false,
                        requeue: true,
                    })
                    .await;
                drop(channel);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let (i, m) = (Duration::from_millis(100), Duration::from_secs(30));
        for attempt in 0..40 {
            let d = backoff_delay(i, m, attempt);
            let full = i.saturating_mul(1 << attempt.min(20)).min(m);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
        assert!(backoff_delay(i, m, 30) >= Duration::from_secs(15));
    }

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

    #[test]
    fn topology_names() {
        let t = Topology::new("trawl");
        assert_eq!(t.work(WorkQueue::Tasks), "trawl.tasks");
        assert_eq!(t.article_queue("tail"), "trawl.articles.tail");
        assert_eq!(t.short("trawl.tasks"), "tasks");
        assert_eq!(t.short("trawl.articles.tail"), "articles.tail");
        assert_eq!(t.short("other.tasks"), "other.tasks");
    }

    #[tokio::test]
    async fn bad_urls_are_permanent_errors_without_secrets() {
        let e = AmqpBroker::connect("http://u:hunter22@x/", "p", AmqpOptions::default())
            .await
            .err()
            .expect("rejected");
        assert!(matches!(e, QueueError::Config(_)), "{e}");
        assert!(!e.to_string().contains("hunter22"), "{e}");
        let e = AmqpBroker::connect("amqp://127.0.0.1/", "bad prefix", AmqpOptions::default())
            .await
            .err()
            .expect("rejected");
        assert!(matches!(e, QueueError::Config(_)), "{e}");
    }
}
