//! Wiring shared by the distributed roles: configuration, connections to RabbitMQ
//! and Redis, the metrics/health server, and signal handling.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use trawl_config::Config;
use trawl_frontier::FrontierConfig;
use trawl_metrics::Component;
use trawl_queue::amqp::{AmqpBroker, AmqpOptions};
use trawl_queue::Broker;
use trawl_store::redis_store::{RedisStore, RedisStoreOptions};
use trawl_store::{ContentIndex, FrontierStore};
use trawl_worker::WorkerConfig;

/// `--config FILE` and `--set section.key=value` (repeatable), over `TRAWL_*` env.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ConfigFlags {
    /// TOML configuration file (see docs/configuration.md).
    #[arg(long, short = 'c', env = "TRAWL_CONFIG")]
    pub config: Option<PathBuf>,
    /// Override one setting, e.g. `--set worker.concurrency=64` (repeatable).
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    pub set: Vec<String>,
}

impl ConfigFlags {
    /// Load and validate; every problem is reported at once.
    pub fn load(&self) -> anyhow::Result<Config> {
        let env: HashMap<String, String> = trawl_config::env_from_process();
        let mut overrides = Vec::new();
        for s in &self.set {
            // A `--set` without `=` is passed on with no `=`-part: the loader reports it
            // alongside every other bad key ("nodot").
            let (k, v) = s.split_once('=').unwrap_or((s.as_str(), ""));
            overrides.push((k.trim().to_string(), v.trim().to_string()));
        }
        // `ConfigErrors` names every bad key at once; `main` maps it to exit code 64.
        let cfg = Config::load_path(self.config.as_deref(), &env, &overrides)
            .map_err(anyhow::Error::new)?;
        super::apply_log_config(&cfg.log);
        Ok(cfg)
    }
}

pub fn frontier_config(cfg: &Config) -> FrontierConfig {
    let f = &cfg.frontier;
    FrontierConfig {
        max_depth: f.max_depth,
        max_pages_per_host: f.max_pages_per_host,
        politeness_delay: cfg.fetch.politeness_delay,
        lease_ttl: f.lease_ttl,
        max_attempts: f.max_attempts,
        recrawl_interval: if f.recrawl_interval.is_zero() {
            None
        } else {
            Some(f.recrawl_interval)
        },
        recrawl_min: f.recrawl_min_interval,
        max_host_delay: f.max_host_delay,
        recrawl_max: f.recrawl_max_interval,
        entry_max_age: (!f.entry_max_age.is_zero()).then_some(f.entry_max_age),
        first_pass_max_age: (!f.first_pass_max_age.is_zero()).then_some(f.first_pass_max_age),
        update_checks: f.update_checks.clone(),
        include_subdomains: f.include_subdomains,
        extra_tracking_params: f.tracking_params.clone(),
        allowed_domains: f.scope_domains.clone(),
        queue_target: (f.dispatch_batch_size as usize).max(16) * 2,
        shard_lease: f.shard_lease,
        ..FrontierConfig::default()
    }
}

pub fn fetch_config(cfg: &Config) -> anyhow::Result<trawl_fetch::FetchConfig> {
    let s = &cfg.fetch;
    let mut f = trawl_fetch::FetchConfig::default();
    f.user_agent.product = s.user_agent.clone();
    f.user_agent.contact_url = s.contact_url.clone();
    for c in &s.allow_cidrs {
        f.allow_cidrs.push(
            c.parse()
                .with_context(|| format!("fetch.allow_cidrs: {c:?}"))?,
        );
    }
    f.connect_timeout = s.connect_timeout;
    f.first_byte_timeout = s.first_byte_timeout;
    f.total_timeout = s.timeout;
    f.max_body_bytes = s.max_body_bytes;
    f.max_redirects = s.max_redirects;
    f.max_retries = s.max_retries;
    f.politeness.min_delay = s.politeness_delay;
    f.politeness.max_crawl_delay = s.max_crawl_delay;
    // Workers fetch under a frontier, which owns the adaptive part of politeness.
    f.politeness = f.politeness.under_frontier();
    f.robots_ttl = s.robots_ttl;
    f.respect_robots = s.respect_robots;
    Ok(f)
}

pub fn worker_config(cfg: &Config) -> WorkerConfig {
    WorkerConfig {
        concurrency: cfg.worker.concurrency.max(1) as usize,
        grace_period: cfg.worker.grace_period,
        ..WorkerConfig::default()
    }
}

/// Connect to RabbitMQ. `patience`: `None` retries forever (services), else gives up.
pub async fn connect_broker(
    cfg: &Config,
    patience: Option<Duration>,
) -> anyhow::Result<Arc<AmqpBroker>> {
    let options = AmqpOptions {
        connect_timeout: patience,
        ..AmqpOptions::default()
    };
    let broker = AmqpBroker::connect(cfg.amqp.url.expose(), &cfg.amqp.prefix, options)
        .await
        .with_context(|| format!("connecting to RabbitMQ at {}", cfg.amqp.url.redacted()))?;
    Ok(Arc::new(broker))
}

/// Connect to Redis, retrying with backoff until `patience` runs out (`None` = forever).
pub async fn connect_store(
    cfg: &Config,
    patience: Option<Duration>,
) -> anyhow::Result<Arc<RedisStore>> {
    let started = std::time::Instant::now();
    let mut backoff =
        trawl_core::Backoff::with(Duration::from_millis(200), Duration::from_secs(30));
    loop {
        match RedisStore::connect(
            cfg.redis.url.expose(),
            &cfg.redis.prefix,
            RedisStoreOptions {
                shards: cfg.frontier.shards,
                seen_capacity: cfg.redis.seen_capacity,
                response_timeout: cfg.redis.command_timeout,
                ..RedisStoreOptions::default()
            },
        )
        .await
        {
            Ok(s) => return Ok(Arc::new(s)),
            Err(e) if e.is_transient() && patience.is_none_or(|p| started.elapsed() < p) => {
                let wait = backoff.next_delay();
                warn!(
                    redis = %cfg.redis.url.redacted(),
                    error = %e,
                    retry_in = ?wait,
                    "Redis unreachable; retrying"
                );
                tokio::time::sleep(wait).await;
            }
            Err(e) => {
                return Err(anyhow::anyhow!(e)).with_context(|| {
                    format!("connecting to Redis at {}", cfg.redis.url.redacted())
                })
            }
        }
    }
}

/// Start `/metrics`, `/healthz`, `/readyz` on the configured address.
pub async fn start_metrics(cfg: &Config) -> anyhow::Result<trawl_metrics::Health> {
    let health = trawl_metrics::Health::new();
    if cfg.metrics.listen.trim().is_empty() {
        return Ok(health);
    }
    let addr = cfg
        .metrics
        .listen_addr()
        .with_context(|| format!("metrics.listen {:?} is not host:port", cfg.metrics.listen))?;
    let (bound, _handle) = trawl_metrics::serve(addr, health.clone())
        .await
        .with_context(|| format!("serving metrics on {addr}"))?;
    info!(%bound, "serving /metrics, /healthz and /readyz");
    Ok(health)
}

/// Keep `/readyz` in step with the connections.
pub fn watch_readiness(
    health: trawl_metrics::Health,
    broker: Option<Arc<dyn Broker>>,
    store: Option<Arc<dyn FrontierStore>>,
    stop: CancellationToken,
) {
    tokio::spawn(async move {
        // Log each change (a Redis failover or a broker restart shows in the log as a
        // "not ready" line and a "ready again" line), not every poll.
        let mut last: [Option<bool>; 2] = [None, None];
        let mut note = |i: usize, dep: Component, up: bool| {
            match (last[i], up) {
                (Some(true), false) => {
                    warn!(
                        dependency = dep.as_str(),
                        "not answering; /readyz reports not ready"
                    )
                }
                (Some(false), true) => info!(dependency = dep.as_str(), "answering again; ready"),
                _ => {}
            }
            last[i] = Some(up);
            health.set_ready(dep, up);
        };
        loop {
            if let Some(b) = &broker {
                note(0, Component::Amqp, b.is_connected().await);
            }
            if let Some(s) = &store {
                note(1, Component::Redis, s.ping().await);
            }
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
        }
    });
}

/// What a distributed role runs on once it is connected.
pub struct Role {
    pub store: Arc<dyn FrontierStore>,
    /// The same Redis store, as the near-duplicate index (what a worker uses of it).
    pub content: Arc<dyn ContentIndex>,
    pub broker: Arc<dyn Broker>,
    /// Cancelled on SIGTERM/SIGINT.
    pub stop: CancellationToken,
}

/// The start of every distributed role: signals, the metrics/health server (not
/// ready until connected), then Redis and RabbitMQ, retrying forever. `None` when a
/// SIGTERM arrived while still connecting (a pod deleted while a service is away
/// ends instead of waiting to be killed).
pub async fn start_role(cfg: &Config) -> anyhow::Result<Option<Role>> {
    let stop = shutdown_on_signals();
    let health = start_metrics(cfg).await?;
    health.set_ready(Component::Amqp, false);
    health.set_ready(Component::Redis, false);
    let connect = async {
        let redis = connect_store(cfg, None).await?;
        let broker: Arc<dyn Broker> = connect_broker(cfg, None).await?;
        anyhow::Ok((redis, broker))
    };
    let (redis, broker) = tokio::select! {
        _ = stop.cancelled() => {
            info!("stopped while connecting");
            return Ok(None);
        }
        c = connect => c?,
    };
    let store: Arc<dyn FrontierStore> = redis.clone();
    let content: Arc<dyn ContentIndex> = redis;
    watch_readiness(
        health,
        Some(broker.clone()),
        Some(store.clone()),
        stop.clone(),
    );
    Ok(Some(Role {
        store,
        content,
        broker,
        stop,
    }))
}

/// A token cancelled on SIGTERM or SIGINT (handled alike).
pub fn shutdown_on_signals() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = term.recv() => info!("SIGTERM: shutting down"),
                        _ = tokio::signal::ctrl_c() => info!("SIGINT: shutting down"),
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        t.cancel();
    });
    token
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}
