//! The connection: one per broker, shared by publishers and consumers; connected at start
//! and again on demand after a loss, with backoff; errors mapped without credentials.
//!
//! The broker URL may list several nodes of one cluster (comma-separated, see
//! [`trawl_core::split_url_list`]). One connection attempt tries them in turn, starting
//! with the node that worked last — or, after a lost connection, with the node after the
//! one it was on — and only when every node failed does the backoff apply.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use lapin::types::LongString;
use lapin::uri::AMQPUri;
use lapin::{Channel, Connection, ConnectionProperties};
use tokio::sync::watch;
use tokio::time::{timeout, Instant};

use super::metrics::{Op, Timer};
use super::{redact_url, AmqpBroker, AmqpOptions, Topology};
use crate::memory::validate_queue_name;
use crate::QueueError;
use trawl_core::split_url_list;
use trawl_metrics::AmqpConnectionEvent;

/// One RabbitMQ node the broker may connect to.
pub(super) struct Node {
    pub(super) uri: AMQPUri,
    /// The URL with its password redacted, for logs and errors.
    pub(super) redacted: String,
    /// Scrubbed from error texts.
    pub(super) password: String,
}

pub(super) struct Shared {
    /// The nodes, in the configured order (at least one).
    pub(super) nodes: Vec<Node>,
    /// The whole list, redacted.
    pub(super) redacted: String,
    /// The node the next connection attempt starts with (the last that worked).
    pub(super) next_node: AtomicUsize,
    pub(super) topology: Topology,
    pub(super) options: AmqpOptions,
    pub(super) connection_name: String,
    pub(super) state: RwLock<Option<Arc<Conn>>>,
    pub(super) reconnect: tokio::sync::Mutex<BackoffState>,
    pub(super) generation: AtomicU64,
    /// Named article queues declared through this broker (re-declared after a
    /// reconnect by their consumers; deleted by `delete_topology`).
    pub(super) subscriptions: Mutex<BTreeSet<String>>,
    pub(super) closed_tx: watch::Sender<bool>,
    pub(super) closed_rx: watch::Receiver<bool>,
    pub(super) shut_down: AtomicBool,
    pub(super) started: std::time::Instant,
    pub(super) last_publish_warning_ms: AtomicU64,
    pub(super) counters: Counters,
    /// Whether this broker currently counts as connected in `trawl_amqp_connected`
    /// (`Shared::sync_connected`).
    pub(super) counted_connected: AtomicBool,
}

#[derive(Default)]
pub(super) struct Counters {
    pub(super) reconnects: AtomicU64,
    pub(super) connect_failures: AtomicU64,
    pub(super) publish_retries: AtomicU64,
    pub(super) resubscribes: AtomicU64,
    pub(super) failovers: AtomicU64,
}

/// Counters of one [`AmqpBroker`] since it was created. The broker also counts each event in
/// the process-wide `trawl_amqp_connection_events_total{event}` (`reconnect`,
/// `connect_failure`, `publish_retry`, `resubscribe`, `failover`).
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
    /// Reconnects that landed on another node than the lost connection's
    /// (several nodes configured).
    pub failovers: u64,
    /// The broker holds a live connection now.
    pub connected: bool,
}

#[derive(Default)]
pub(super) struct BackoffState {
    pub(super) failures: u32,
    pub(super) next_allowed: Option<Instant>,
}

pub(super) struct Conn {
    pub(super) generation: u64,
    /// Index of its node in [`Shared::nodes`].
    pub(super) node: usize,
    pub(super) connection: Connection,
    pub(super) publishers: Vec<tokio::sync::Mutex<Option<Channel>>>,
    pub(super) next_publisher: AtomicUsize,
}

impl Conn {
    pub(super) fn is_live(&self) -> bool {
        self.connection.status().connected()
    }
}

/// Most nodes one broker URL may list.
pub const MAX_NODES: usize = 16;

/// The nodes of a broker URL: one URL, or a comma-separated list of the nodes of one
/// cluster. Every entry must parse; errors name the entry by position, redacted.
fn parse_nodes(url: &str, options: &AmqpOptions) -> Result<Vec<Node>, QueueError> {
    let entries = split_url_list(url);
    if entries.len() > MAX_NODES {
        return Err(QueueError::Config(format!(
            "the AMQP URL lists {} nodes; at most {MAX_NODES} are allowed",
            entries.len()
        )));
    }
    let several = entries.len() > 1;
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let redacted = redact_url(entry);
            let at = if several {
                format!(" (entry {} of the node list)", i + 1)
            } else {
                String::new()
            };
            if entry.is_empty() {
                return Err(QueueError::Config(format!(
                    "empty AMQP URL{at}: a stray comma?"
                )));
            }
            let mut uri: AMQPUri = entry.parse().map_err(|e: String| {
                QueueError::Config(format!("invalid AMQP URL {redacted}{at}: {e}"))
            })?;
            if uri.query.heartbeat.is_none() {
                uri.query.heartbeat = Some(options.heartbeat_seconds);
            }
            if uri.query.connection_timeout.is_none() {
                uri.query.connection_timeout =
                    Some(u64::try_from(options.operation_timeout.as_millis()).unwrap_or(u64::MAX));
            }
            let password = uri.authority.userinfo.password.clone();
            Ok(Node {
                uri,
                redacted,
                password,
            })
        })
        .collect()
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `initial · 2^attempt` capped at `max`, with equal jitter (`trawl_core::backoff::jittered`).
pub use trawl_core::backoff::jittered as backoff_delay;

impl Shared {
    /// Map a lapin error to ours, without credentials.
    pub(super) fn map_err(&self, e: lapin::Error) -> QueueError {
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

    pub(super) fn scrub(&self, text: String) -> String {
        let mut text = text;
        for node in &self.nodes {
            if node.password.len() >= 4 && text.contains(&node.password) {
                text = text.replace(&node.password, "***");
            }
        }
        text
    }

    pub(super) fn op_timeout(&self) -> Duration {
        self.options.operation_timeout
    }

    pub(super) async fn bounded<T, F>(&self, what: &str, f: F) -> Result<T, QueueError>
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

    pub(super) fn live(&self) -> Option<Arc<Conn>> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        state.as_ref().filter(|c| c.is_live()).cloned()
    }

    /// The live connection, connecting when there is none (at most one attempt
    /// at a time, spaced by the backoff; callers wait and retry).
    pub(super) async fn conn(&self) -> Result<Arc<Conn>, QueueError> {
        if let Some(c) = self.live() {
            return Ok(c);
        }
        self.sync_connected();
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
        let lost_node = self
            .state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|c| c.node);
        let had_connection = lost_node.is_some();
        let n = self.nodes.len();
        // After a loss, start with the next node: the lost one is likely down.
        let start = match lost_node {
            Some(i) if n > 1 => (i + 1) % n,
            _ => self.next_node.load(Ordering::Relaxed) % n,
        };
        match self.connect_round(start).await {
            Ok(c) => {
                let url = &self.nodes[c.node].redacted;
                if had_connection {
                    self.event(AmqpConnectionEvent::Reconnect);
                }
                if let Some(from) = lost_node.filter(|i| *i != c.node) {
                    self.event(AmqpConnectionEvent::Failover);
                    tracing::warn!(
                        url = %url,
                        from = %self.nodes[from].redacted,
                        "failed over to another RabbitMQ node"
                    );
                }
                if had_connection || backoff.failures > 0 {
                    tracing::info!(
                        url = %url,
                        generation = c.generation,
                        after_failures = backoff.failures,
                        "reconnected to RabbitMQ; topology re-declared"
                    );
                } else {
                    tracing::info!(url = %url, "connected to RabbitMQ");
                }
                self.next_node.store(c.node, Ordering::Relaxed);
                *backoff = BackoffState::default();
                *self.state.write().unwrap_or_else(|e| e.into_inner()) = Some(c.clone());
                self.sync_connected();
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
                self.event(AmqpConnectionEvent::ConnectFailure);
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
    pub(super) async fn wait_hint(&self) -> Duration {
        let backoff = self.reconnect.lock().await;
        backoff
            .next_allowed
            .map(|t| t.saturating_duration_since(Instant::now()))
            .unwrap_or_default()
            .max(Duration::from_millis(20))
    }

    /// One attempt on every node in turn, from `start`: the first connection made wins.
    /// With one node, its error as it is; with several, each node's error, and a permanent
    /// one (refused credentials, a conflicting topology) when any node gave one.
    async fn connect_round(&self, start: usize) -> Result<Arc<Conn>, QueueError> {
        let n = self.nodes.len();
        if n == 1 {
            return self.connect_once(0).await;
        }
        let mut failures = Vec::with_capacity(n);
        let mut permanent = None;
        for k in 0..n {
            let i = (start + k) % n;
            match self.connect_once(i).await {
                Ok(c) => return Ok(c),
                Err(e) => {
                    let url = &self.nodes[i].redacted;
                    if k + 1 < n {
                        tracing::warn!(url = %url, error = %e, "RabbitMQ node unreachable; trying the next one");
                    }
                    failures.push(format!("{url}: {e}"));
                    if !e.is_transient() && permanent.is_none() {
                        permanent = Some(e);
                    }
                }
            }
        }
        let all = failures.join("; ");
        Err(match permanent {
            Some(QueueError::Config(_)) => {
                QueueError::Config(format!("every RabbitMQ node failed: {all}"))
            }
            Some(e) => e,
            None => QueueError::Unavailable(format!("every RabbitMQ node failed: {all}")),
        })
    }

    pub(super) async fn connect_once(&self, node: usize) -> Result<Arc<Conn>, QueueError> {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let props = ConnectionProperties::default()
            .with_connection_name(LongString::from(self.connection_name.clone()));
        let timer = Timer::start(Op::Connect);
        let connection = self
            .bounded(
                "connecting",
                Connection::connect_uri(self.nodes[node].uri.clone(), props),
            )
            .await?;
        drop(timer);
        let redacted = self.nodes[node].redacted.clone();
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
            node,
            connection,
            publishers,
            next_publisher: AtomicUsize::new(0),
        }))
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
        let nodes = parse_nodes(url, &options)?;
        validate_queue_name(prefix)
            .map_err(|_| QueueError::Config(format!("invalid queue prefix {prefix:?}")))?;
        static INSTANCE: AtomicU64 = AtomicU64::new(0);
        let connection_name = format!(
            "{}-{}-{}-{}",
            options.connection_name,
            prefix,
            std::process::id(),
            INSTANCE.fetch_add(1, Ordering::Relaxed)
        );
        let (closed_tx, closed_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            nodes,
            redacted,
            next_node: AtomicUsize::new(0),
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
            counted_connected: AtomicBool::new(false),
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
                shared.sync_connected();
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
            failovers: c.failovers.load(Ordering::Relaxed),
            connected: self.shared.live().is_some(),
        }
    }

    /// The broker URL (or the list of node URLs) with passwords redacted.
    pub fn redacted_url(&self) -> &str {
        &self.shared.redacted
    }

    /// How many nodes the URL lists.
    pub fn node_count(&self) -> usize {
        self.shared.nodes.len()
    }

    /// The node the live connection is on (its redacted URL), if connected.
    pub fn connected_node(&self) -> Option<String> {
        self.shared
            .live()
            .map(|c| self.shared.nodes[c.node].redacted.clone())
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
        self.shared.sync_connected();
    }

    /// Fault-test hook: close the current connection from the client side, as
    /// if it had been lost (the broker reconnects on next use).
    #[doc(hidden)]
    pub async fn kill_connection(&self) {
        if let Some(c) = self.shared.live() {
            let _ = c.connection.close(320, "closed by a fault test").await;
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
