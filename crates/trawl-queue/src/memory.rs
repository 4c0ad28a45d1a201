//! In-process broker for the embedded `trawl crawl` and for tests.
//!
//! Same contract as the RabbitMQ implementation ([`crate::amqp::AmqpBroker`]):
//! - work queues with real acknowledgements: a delivery is unacked until
//!   [`Delivery::ack`]; [`Delivery::requeue`] puts it back at the head of its
//!   queue; a delivery dropped without ack (its task died or panicked) goes back
//!   too, marked `redelivered`;
//! - `prefetch` bounds the unacked deliveries of one consumer (0 = unbounded,
//!   as in AMQP); any number of consumers share a queue;
//! - a message given back more than `delivery_limit` times is dead-lettered
//!   with reason `delivery_limit` (like a quorum queue's `x-delivery-limit`);
//! - the articles "exchange" routes by topic pattern (`*` = one word, `#` = zero
//!   or more, words separated by `.`) to the subscriptions that exist at publish
//!   time; each subscription buffers at most `article_buffer` ready messages and
//!   a publish waits while a matched buffer is full (backpressure, never
//!   unbounded growth); an article that matches no subscription is dropped, as
//!   an unroutable message is on RabbitMQ;
//! - dead letters are kept in a bounded ring (oldest dropped beyond
//!   `dead_letter_capacity`, counted);
//! - [`MemoryBroker::close`] ends every consumer (`next()` returns `None`);
//!   publishes still succeed after it, and unacked deliveries can still be acked
//!   or requeued, so a shutting-down worker can finish its in-flight tasks.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};

use crate::{Acker, Broker, Consumer, DeadLetter, Delivery, QueueError, WorkQueue};

/// Reason recorded on messages dead-lettered because they were given back too often.
pub const DELIVERY_LIMIT_REASON: &str = "delivery_limit";

/// Tunables of [`MemoryBroker`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryOptions {
    /// Ready messages a work queue holds before `publish` waits; `None` =
    /// unbounded (the default, like a RabbitMQ queue: bounding both the task and
    /// the report queue of one process could deadlock frontier and workers, so
    /// the frontier bounds what it hands out instead).
    pub work_queue_capacity: Option<usize>,
    /// Ready messages an articles subscription buffers before
    /// `publish_article` waits. Default 1024.
    pub article_buffer: usize,
    /// Dead letters kept; the oldest are dropped (and counted) beyond it.
    /// Default 100,000.
    pub dead_letter_capacity: usize,
    /// A message given back (requeued, or dropped unacked) more than this many
    /// times is dead-lettered instead. `None` = no limit. Default `Some(5)`,
    /// the same as [`crate::amqp::AmqpOptions::delivery_limit`].
    pub delivery_limit: Option<u32>,
}

impl Default for MemoryOptions {
    fn default() -> Self {
        MemoryOptions {
            work_queue_capacity: None,
            article_buffer: 1024,
            dead_letter_capacity: 100_000,
            delivery_limit: Some(5),
        }
    }
}

/// In-process [`Broker`]. Cheap to clone (shared state).
#[derive(Clone)]
pub struct MemoryBroker {
    inner: Arc<Inner>,
}

struct Inner {
    options: MemoryOptions,
    work: [Arc<MemQueue>; 3],
    articles: Mutex<Articles>,
    dead: Arc<DeadStore>,
    closed_tx: watch::Sender<bool>,
    closed_rx: watch::Receiver<bool>,
}

#[derive(Default)]
struct Articles {
    bindings: Vec<(String, Arc<MemQueue>)>,
    named: HashMap<String, Arc<MemQueue>>,
}

impl Default for MemoryBroker {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryBroker {
    /// A broker with [`MemoryOptions::default`].
    pub fn new() -> Self {
        Self::with_options(MemoryOptions::default())
    }

    pub fn with_options(options: MemoryOptions) -> Self {
        let dead = Arc::new(DeadStore {
            capacity: options.dead_letter_capacity.max(1),
            letters: Mutex::new(VecDeque::new()),
            dropped: AtomicU64::new(0),
        });
        let (closed_tx, closed_rx) = watch::channel(false);
        let work_queue = |q: WorkQueue| {
            Arc::new(MemQueue::new(
                q.as_str().to_string(),
                options.work_queue_capacity,
                options.delivery_limit,
                dead.clone(),
            ))
        };
        let work = [
            work_queue(WorkQueue::Tasks),
            work_queue(WorkQueue::Reports),
            work_queue(WorkQueue::Seeds),
        ];
        MemoryBroker {
            inner: Arc::new(Inner {
                options,
                work,
                articles: Mutex::new(Articles::default()),
                dead,
                closed_tx,
                closed_rx,
            }),
        }
    }

    /// End every consumer, present and future: `Consumer::next` returns `None`.
    /// Publishing, acking and requeueing keep working (messages stay queued).
    pub fn close(&self) {
        self.inner.closed_tx.send_replace(true);
        for q in &self.inner.work {
            q.wake_all();
        }
        let articles = lock(&self.inner.articles);
        for (_, q) in &articles.bindings {
            q.wake_all();
        }
    }

    pub fn is_closed(&self) -> bool {
        *self.inner.closed_rx.borrow()
    }

    /// Dead letters dropped because the dead-letter ring was full.
    pub fn dead_letters_dropped(&self) -> u64 {
        self.inner.dead.dropped.load(Ordering::Relaxed)
    }

    /// Deliveries handed out and not yet acked or given back, for a work queue.
    pub fn unacked(&self, queue: WorkQueue) -> usize {
        lock(&self.work(queue).state).unacked
    }

    fn work(&self, queue: WorkQueue) -> &Arc<MemQueue> {
        match queue {
            WorkQueue::Tasks => &self.inner.work[0],
            WorkQueue::Reports => &self.inner.work[1],
            WorkQueue::Seeds => &self.inner.work[2],
        }
    }

    fn consumer(&self, queue: Arc<MemQueue>, prefetch: u16, auto_delete: bool) -> MemConsumer {
        let permits = if prefetch == 0 {
            Semaphore::MAX_PERMITS
        } else {
            usize::from(prefetch)
        };
        MemConsumer {
            _broker: self.inner.clone(),
            queue,
            permits: Arc::new(Semaphore::new(permits)),
            closed: self.inner.closed_rx.clone(),
            auto_delete,
        }
    }
}

#[async_trait]
impl Broker for MemoryBroker {
    async fn publish(&self, queue: WorkQueue, payload: &[u8]) -> Result<(), QueueError> {
        let closed = self.inner.closed_rx.clone();
        self.work(queue).push_wait(Msg::new(payload), closed).await;
        Ok(())
    }

    async fn publish_article(&self, routing_key: &str, payload: &[u8]) -> Result<(), QueueError> {
        if routing_key.len() > 255 {
            return Err(QueueError::Config(format!(
                "routing key longer than 255 bytes ({} bytes)",
                routing_key.len()
            )));
        }
        let targets: Vec<Arc<MemQueue>> = {
            let mut articles = lock(&self.inner.articles);
            articles.bindings.retain(|(_, q)| !q.is_deleted());
            let mut targets: Vec<Arc<MemQueue>> = Vec::new();
            for (pattern, q) in &articles.bindings {
                // A queue bound twice with matching keys still gets one copy (as in AMQP).
                if topic_matches(pattern, routing_key) && !targets.iter().any(|t| Arc::ptr_eq(t, q))
                {
                    targets.push(q.clone());
                }
            }
            targets
        };
        for q in targets {
            q.push_wait(Msg::new(payload), self.inner.closed_rx.clone())
                .await;
        }
        Ok(())
    }

    async fn dead_letter(
        &self,
        source: WorkQueue,
        payload: &[u8],
        reason: &str,
    ) -> Result<(), QueueError> {
        self.inner.dead.push(StoredDead {
            source: source.as_str().to_string(),
            reason: reason.to_string(),
            payload: payload.to_vec(),
        });
        Ok(())
    }

    async fn dead_letter_article(
        &self,
        subscription: &str,
        payload: &[u8],
        reason: &str,
    ) -> Result<(), QueueError> {
        validate_queue_name(subscription)?;
        self.inner.dead.push(StoredDead {
            source: format!("articles.{subscription}"),
            reason: reason.to_string(),
            payload: payload.to_vec(),
        });
        Ok(())
    }

    async fn consume(
        &self,
        queue: WorkQueue,
        prefetch: u16,
    ) -> Result<Box<dyn Consumer>, QueueError> {
        Ok(Box::new(self.consumer(
            self.work(queue).clone(),
            prefetch,
            false,
        )))
    }

    async fn subscribe_articles(
        &self,
        queue_name: Option<&str>,
        binding_key: &str,
        prefetch: u16,
    ) -> Result<Box<dyn Consumer>, QueueError> {
        validate_binding_key(binding_key)?;
        let mut articles = lock(&self.inner.articles);
        let (queue, auto_delete) = match queue_name {
            Some(name) => {
                validate_queue_name(name)?;
                let q = articles
                    .named
                    .entry(name.to_string())
                    .or_insert_with(|| {
                        Arc::new(MemQueue::new(
                            format!("articles.{name}"),
                            Some(self.inner.options.article_buffer.max(1)),
                            self.inner.options.delivery_limit,
                            self.inner.dead.clone(),
                        ))
                    })
                    .clone();
                (q, false)
            }
            None => (
                Arc::new(MemQueue::new(
                    "articles".to_string(),
                    Some(self.inner.options.article_buffer.max(1)),
                    // Like the exclusive classic queue on RabbitMQ: no delivery limit.
                    None,
                    self.inner.dead.clone(),
                )),
                true,
            ),
        };
        let already_bound = articles
            .bindings
            .iter()
            .any(|(p, q)| p == binding_key && Arc::ptr_eq(q, &queue));
        if !already_bound {
            articles
                .bindings
                .push((binding_key.to_string(), queue.clone()));
        }
        drop(articles);
        Ok(Box::new(self.consumer(queue, prefetch, auto_delete)))
    }

    async fn depth(&self, queue: WorkQueue) -> Result<u64, QueueError> {
        Ok(lock(&self.work(queue).state).ready.len() as u64)
    }

    async fn dead_letter_count(&self) -> Result<u64, QueueError> {
        Ok(lock(&self.inner.dead.letters).len() as u64)
    }

    async fn peek_dead_letters(&self, max: usize) -> Result<Vec<DeadLetter>, QueueError> {
        let letters = lock(&self.inner.dead.letters);
        Ok(letters
            .iter()
            .take(max)
            .map(|d| DeadLetter {
                source: d.source.clone(),
                reason: d.reason.clone(),
                payload: String::from_utf8_lossy(&d.payload).into_owned(),
            })
            .collect())
    }

    async fn requeue_dead_letters(&self, max: usize) -> Result<usize, QueueError> {
        // Take them out first (no lock held across the pushes), put back the
        // ones whose source no longer exists, in their original order.
        let taken: Vec<StoredDead> = {
            let mut letters = lock(&self.inner.dead.letters);
            let n = max.min(letters.len());
            letters.drain(..n).collect()
        };
        let mut moved = 0;
        let mut kept = Vec::new();
        for d in taken {
            let target = match WorkQueue::from_name(&d.source) {
                Some(q) => Some(self.work(q).clone()),
                None => d
                    .source
                    .strip_prefix("articles.")
                    .and_then(|name| lock(&self.inner.articles).named.get(name).cloned()),
            };
            match target {
                Some(q) => {
                    // Dead letters go back regardless of the capacity bound: they
                    // were accepted once already.
                    q.push_now(Msg::new(&d.payload));
                    moved += 1;
                }
                None => {
                    tracing::warn!(
                        source = %d.source,
                        "dead letter from an unknown queue left in place"
                    );
                    kept.push(d);
                }
            }
        }
        if !kept.is_empty() {
            let mut letters = lock(&self.inner.dead.letters);
            for d in kept.into_iter().rev() {
                letters.push_front(d);
            }
        }
        Ok(moved)
    }

    async fn is_connected(&self) -> bool {
        !self.is_closed()
    }
}

/// Lock a std mutex, ignoring poisoning (our critical sections leave the state
/// consistent at every point, so a panic elsewhere does not corrupt it).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Topic-exchange matching on `.`-separated words: `*` matches exactly one
/// word, `#` zero or more.
pub fn topic_matches(pattern: &str, key: &str) -> bool {
    let p: Vec<&str> = pattern.split('.').collect();
    let k: Vec<&str> = key.split('.').collect();
    matches_words(&p, &k)
}

fn matches_words(p: &[&str], k: &[&str]) -> bool {
    // Iterative DP over (pattern index, key index); patterns are short.
    let (n, m) = (p.len(), k.len());
    let mut dp = vec![vec![false; m + 1]; n + 1];
    dp[n][m] = true;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            dp[i][j] = match p[i] {
                "#" => dp[i + 1][j] || (j < m && dp[i][j + 1]),
                "*" => j < m && dp[i + 1][j + 1],
                w => j < m && w == k[j] && dp[i + 1][j + 1],
            };
        }
    }
    dp[0][0]
}

pub(crate) fn validate_binding_key(key: &str) -> Result<(), QueueError> {
    if key.is_empty() || key.len() > 255 {
        return Err(QueueError::Config(format!(
            "binding key must be 1..=255 bytes, got {} bytes",
            key.len()
        )));
    }
    Ok(())
}

pub(crate) fn validate_queue_name(name: &str) -> Result<(), QueueError> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(QueueError::Config(format!(
            "invalid subscription queue name {name:?}: use 1-200 chars of [A-Za-z0-9._-]"
        )))
    }
}

struct Msg {
    payload: Vec<u8>,
    redelivered: bool,
    /// Times given back (requeued or dropped unacked).
    returns: u32,
}

impl Msg {
    fn new(payload: &[u8]) -> Self {
        Msg {
            payload: payload.to_vec(),
            redelivered: false,
            returns: 0,
        }
    }
}

struct StoredDead {
    source: String,
    reason: String,
    payload: Vec<u8>,
}

struct DeadStore {
    capacity: usize,
    letters: Mutex<VecDeque<StoredDead>>,
    dropped: AtomicU64,
}

impl DeadStore {
    fn push(&self, d: StoredDead) {
        let mut letters = lock(&self.letters);
        while letters.len() >= self.capacity {
            letters.pop_front();
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n == 1 || n.is_power_of_two() {
                tracing::warn!(
                    dropped = n,
                    capacity = self.capacity,
                    "dead-letter store full: oldest dead letters dropped"
                );
            }
        }
        letters.push_back(d);
    }
}

struct MemQueue {
    label: String,
    capacity: Option<usize>,
    delivery_limit: Option<u32>,
    dead: Arc<DeadStore>,
    state: Mutex<QState>,
    /// A message became ready (or the broker closed).
    readable: Notify,
    /// Room was made (or the queue was deleted / the broker closed).
    writable: Notify,
}

#[derive(Default)]
struct QState {
    ready: VecDeque<Msg>,
    unacked: usize,
    deleted: bool,
}

impl MemQueue {
    fn new(
        label: String,
        capacity: Option<usize>,
        delivery_limit: Option<u32>,
        dead: Arc<DeadStore>,
    ) -> Self {
        MemQueue {
            label,
            capacity,
            delivery_limit,
            dead,
            state: Mutex::new(QState::default()),
            readable: Notify::new(),
            writable: Notify::new(),
        }
    }

    fn wake_all(&self) {
        self.readable.notify_waiters();
        self.writable.notify_waiters();
    }

    fn is_deleted(&self) -> bool {
        lock(&self.state).deleted
    }

    /// Auto-delete: drop the messages and release blocked publishers.
    fn delete(&self) {
        {
            let mut st = lock(&self.state);
            st.deleted = true;
            st.ready.clear();
        }
        self.wake_all();
    }

    /// Append, ignoring the capacity bound.
    fn push_now(&self, msg: Msg) {
        {
            let mut st = lock(&self.state);
            if st.deleted {
                return;
            }
            st.ready.push_back(msg);
        }
        self.readable.notify_waiters();
    }

    /// Append, waiting while the queue is at capacity (unless the broker is
    /// closed, or the queue deleted, in which case it never waits).
    async fn push_wait(&self, msg: Msg, closed: watch::Receiver<bool>) {
        loop {
            let notified = self.writable.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut st = lock(&self.state);
                if st.deleted {
                    return;
                }
                let full = self.capacity.is_some_and(|cap| st.ready.len() >= cap);
                if !full || *closed.borrow() {
                    st.ready.push_back(msg);
                    drop(st);
                    self.readable.notify_waiters();
                    return;
                }
            }
            notified.await;
        }
    }

    fn pop(&self) -> Option<Msg> {
        let msg = {
            let mut st = lock(&self.state);
            let msg = st.ready.pop_front()?;
            st.unacked += 1;
            msg
        };
        self.writable.notify_waiters();
        Some(msg)
    }

    fn acked(&self) {
        let mut st = lock(&self.state);
        st.unacked = st.unacked.saturating_sub(1);
    }

    /// Requeue at the head (or dead-letter past the delivery limit).
    fn give_back(&self, mut msg: Msg) {
        msg.redelivered = true;
        msg.returns = msg.returns.saturating_add(1);
        let over_limit = self.delivery_limit.is_some_and(|l| msg.returns > l);
        {
            let mut st = lock(&self.state);
            st.unacked = st.unacked.saturating_sub(1);
            if !over_limit {
                if st.deleted {
                    return;
                }
                st.ready.push_front(msg);
                drop(st);
                self.readable.notify_waiters();
                return;
            }
        }
        tracing::warn!(
            queue = %self.label,
            returns = msg.returns,
            "message given back past the delivery limit: dead-lettered"
        );
        self.dead.push(StoredDead {
            source: self.label.clone(),
            reason: DELIVERY_LIMIT_REASON.to_string(),
            payload: msg.payload,
        });
    }
}

struct MemConsumer {
    /// Keeps the broker (and its close signal) alive while consuming.
    _broker: Arc<Inner>,
    queue: Arc<MemQueue>,
    permits: Arc<Semaphore>,
    closed: watch::Receiver<bool>,
    auto_delete: bool,
}

impl Drop for MemConsumer {
    fn drop(&mut self) {
        if self.auto_delete {
            self.queue.delete();
        }
    }
}

#[async_trait]
impl Consumer for MemConsumer {
    async fn next(&mut self) -> Option<Delivery> {
        let mut closed = self.closed.clone();
        let permit = tokio::select! {
            biased;
            _ = closed.wait_for(|c| *c) => return None,
            p = self.permits.clone().acquire_owned() => p.ok()?,
        };
        loop {
            let notified = self.queue.readable.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if *self.closed.borrow() {
                return None;
            }
            if let Some(msg) = self.queue.pop() {
                let payload = msg.payload.clone();
                let redelivered = msg.redelivered;
                let acker = MemAcker {
                    queue: self.queue.clone(),
                    msg: Mutex::new(Some(msg)),
                    permit: Mutex::new(Some(permit)),
                };
                return Some(Delivery::new(payload, redelivered, Box::new(acker)));
            }
            tokio::select! {
                biased;
                _ = closed.wait_for(|c| *c) => return None,
                _ = &mut notified => {}
            }
        }
    }
}

struct MemAcker {
    queue: Arc<MemQueue>,
    msg: Mutex<Option<Msg>>,
    permit: Mutex<Option<OwnedSemaphorePermit>>,
}

impl MemAcker {
    fn finish(&self, requeue: bool) -> bool {
        let msg = lock(&self.msg).take();
        let had = msg.is_some();
        if let Some(msg) = msg {
            if requeue {
                self.queue.give_back(msg);
            } else {
                self.queue.acked();
            }
        }
        // Release the prefetch slot only after the message is settled.
        lock(&self.permit).take();
        had
    }
}

#[async_trait]
impl Acker for MemAcker {
    async fn ack(&self) -> Result<(), QueueError> {
        if self.finish(false) {
            Ok(())
        } else {
            Err(QueueError::Rejected("delivery already settled".into()))
        }
    }

    async fn requeue(&self) -> Result<(), QueueError> {
        if self.finish(true) {
            Ok(())
        } else {
            Err(QueueError::Rejected("delivery already settled".into()))
        }
    }
}

impl Drop for MemAcker {
    fn drop(&mut self) {
        // Unacked when dropped (the worker's task died): back to the queue.
        self.finish(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_patterns() {
        assert!(topic_matches("#", "a.b.c"));
        assert!(topic_matches("#", ""));
        assert!(topic_matches("a.*", "a.b"));
        assert!(!topic_matches("a.*", "a.b.c"));
        assert!(!topic_matches("a.*", "a"));
        assert!(topic_matches("a.#", "a"));
        assert!(topic_matches("a.#", "a.b.c"));
        assert!(topic_matches("*.news", "site.news"));
        assert!(!topic_matches("*.news", "site.sport"));
        assert!(topic_matches("#.news", "x.y.news"));
        assert!(topic_matches("a.#.z", "a.z"));
        assert!(topic_matches("a.#.z", "a.b.c.z"));
        assert!(!topic_matches("a.#.z", "a.b.c"));
        assert!(topic_matches("site.news", "site.news"));
        assert!(!topic_matches("site.news", "site.newsx"));
    }

    #[test]
    fn queue_names_are_checked() {
        assert!(validate_queue_name("downstream-1.x_y").is_ok());
        assert!(validate_queue_name("").is_err());
        assert!(validate_queue_name("has space").is_err());
        assert!(validate_queue_name(&"x".repeat(201)).is_err());
        assert!(validate_binding_key("").is_err());
    }

    #[tokio::test]
    async fn dead_store_is_bounded() {
        let b = MemoryBroker::with_options(MemoryOptions {
            dead_letter_capacity: 3,
            ..MemoryOptions::default()
        });
        for i in 0..5u8 {
            b.dead_letter(WorkQueue::Tasks, &[b'0' + i], "r")
                .await
                .unwrap();
        }
        let dl = b.peek_dead_letters(10).await.unwrap();
        let payloads: Vec<&str> = dl.iter().map(|d| d.payload.as_str()).collect();
        assert_eq!(payloads, ["2", "3", "4"]);
        assert_eq!(b.dead_letters_dropped(), 2);
    }

    #[tokio::test]
    async fn bounded_work_queue_applies_backpressure() {
        let b = MemoryBroker::with_options(MemoryOptions {
            work_queue_capacity: Some(2),
            ..MemoryOptions::default()
        });
        b.publish(WorkQueue::Tasks, b"1").await.unwrap();
        b.publish(WorkQueue::Tasks, b"2").await.unwrap();
        let third = tokio::time::timeout(
            std::time::Duration::from_millis(100),
            b.publish(WorkQueue::Tasks, b"3"),
        )
        .await;
        assert!(third.is_err(), "publish into a full queue must wait");
        let mut c = b.consume(WorkQueue::Tasks, 10).await.unwrap();
        let d = c.next().await.unwrap();
        tokio::time::timeout(
            std::time::Duration::from_secs(5),
            b.publish(WorkQueue::Tasks, b"3"),
        )
        .await
        .expect("room was made")
        .unwrap();
        d.ack().await.unwrap();
        assert_eq!(b.depth(WorkQueue::Tasks).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn close_ends_consumers_but_keeps_messages() {
        let b = MemoryBroker::new();
        let mut c = b.consume(WorkQueue::Reports, 1).await.unwrap();
        let waiter = tokio::spawn(async move { c.next().await.is_none() });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        b.close();
        let ended = tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("consumer ended")
            .unwrap();
        assert!(ended);
        b.publish(WorkQueue::Reports, b"x").await.unwrap();
        assert_eq!(b.depth(WorkQueue::Reports).await.unwrap(), 1);
        let mut c2 = b.consume(WorkQueue::Reports, 1).await.unwrap();
        assert!(c2.next().await.is_none());
        assert!(!b.is_connected().await);
    }

    #[tokio::test]
    async fn anonymous_subscription_is_deleted_with_its_consumer() {
        let b = MemoryBroker::with_options(MemoryOptions {
            article_buffer: 1,
            ..MemoryOptions::default()
        });
        let c = b.subscribe_articles(None, "#", 1).await.unwrap();
        b.publish_article("a.b", b"1").await.unwrap();
        drop(c);
        // Would block on the full buffer if the queue were still bound.
        tokio::time::timeout(
            std::time::Duration::from_secs(5),
            b.publish_article("a.b", b"2"),
        )
        .await
        .expect("no subscriber left: publish does not wait")
        .unwrap();
    }
}
