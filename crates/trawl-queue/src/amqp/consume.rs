//! Consuming: a subscription per consumer on its own channel with `basic.qos(prefetch)` and
//! manual acks, resubscribed by itself after a lost channel or connection; deliveries
//! dropped unsettled are handed back.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::{FutureExt, StreamExt};
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions,
    QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::Channel;
use tokio::sync::watch;
use tokio::time::{timeout, Instant};

use super::connection::{backoff_delay, Shared};
use super::metrics::{Op, Timer};
use super::topology::{durable, quorum_args};
use super::AmqpBroker;
use crate::{Acker, Consumer, Delivery, QueueError};
use trawl_metrics::AmqpConnectionEvent;

impl AmqpBroker {
    pub(super) async fn consumer(
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

pub(super) enum Target {
    Work(String),
    Articles {
        /// `None`: an exclusive, auto-delete, server-named queue.
        queue: Option<String>,
        binding_key: String,
    },
}

impl Target {
    pub(super) fn describe(&self) -> String {
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

pub(super) struct Active {
    channel: Channel,
    consumer: lapin::Consumer,
    queue: String,
}

pub(super) struct AmqpConsumer {
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
    pub(super) async fn open(&self) -> Result<Active, QueueError> {
        let _timer = Timer::start(Op::Consume);
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
    pub(super) async fn stop(&mut self) {
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
                            self.shared.event(AmqpConnectionEvent::Resubscribe);
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

pub(super) struct AmqpAcker {
    acker: lapin::acker::Acker,
    /// Keeps the channel open until the delivery is settled.
    channel: Option<Channel>,
    settled: AtomicBool,
}

impl AmqpAcker {
    pub(super) fn map(e: lapin::Error) -> QueueError {
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
        let _timer = Timer::start(Op::Ack);
        self.acker
            .ack(BasicAckOptions::default())
            .await
            .map_err(Self::map)
    }

    async fn requeue(&self) -> Result<(), QueueError> {
        if self.settled.swap(true, Ordering::SeqCst) {
            return Err(QueueError::Rejected("delivery already settled".into()));
        }
        let _timer = Timer::start(Op::Nack);
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
                let _timer = Timer::start(Op::Nack);
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
