//! `trawl sink postgres`: store the article stream in PostgreSQL (crate `trawl-sink-pg`).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tracing::info;
use trawl_config::{Config, SecretUrl};
use trawl_queue::Broker;
use trawl_sink_pg::{IndexRule, PgStore, Sink, SinkConfig};

use super::service::{self, ConfigFlags};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub target: Target,
}

#[derive(clap::Subcommand, Debug)]
pub enum Target {
    /// Consume the articles exchange (own durable queue) into PostgreSQL tables
    /// `articles` and `article_aliases` (see docs/postgres.md).
    Postgres(PostgresArgs),
}

#[derive(clap::Args, Debug)]
pub struct PostgresArgs {
    #[command(flatten)]
    pub config: ConfigFlags,
    /// Database URL (overrides postgres.url / TRAWL_POSTGRES_URL).
    #[arg(long, value_name = "postgres://…")]
    pub url: Option<String>,
    /// Topic binding (overrides postgres.binding), e.g. `example_com.#`.
    #[arg(long)]
    pub binding: Option<String>,
    /// Subscription name: queue `<prefix>.articles.<NAME>` (overrides postgres.queue).
    #[arg(long)]
    pub queue: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.target {
        Target::Postgres(a) => postgres(a),
    }
}

fn sink_config(cfg: &Config) -> SinkConfig {
    let pg = &cfg.postgres;
    SinkConfig {
        subscription: pg.queue.clone(),
        binding: pg.binding.clone(),
        batch_size: pg.batch_size.max(1) as usize,
        batch_timeout: pg.batch_timeout,
        writers: pg.writers.max(1) as usize,
        max_backoff: pg.max_backoff,
        search: IndexRule {
            batch_size: pg.search_batch_size as usize,
            interval: pg.search_interval,
            idle: pg.search_idle,
            concurrency: pg.search_concurrency.max(1) as usize,
        },
        ..SinkConfig::default()
    }
}

fn postgres(args: PostgresArgs) -> anyhow::Result<ExitCode> {
    // Flags go through the loader like `--set`, so they are validated with everything else.
    let mut flags = args.config.clone();
    if let Some(u) = &args.url {
        flags.set.push(format!("postgres.url={u}"));
    }
    if let Some(b) = &args.binding {
        flags.set.push(format!("postgres.binding={b}"));
    }
    if let Some(q) = &args.queue {
        flags.set.push(format!("postgres.queue={q}"));
    }
    let cfg = flags.load()?;
    let url: SecretUrl = cfg.postgres.url.clone();
    let store = Arc::new(
        // One connection per writer and per concurrent indexing batch, plus pings.
        PgStore::with_connections(
            url.expose(),
            &cfg.postgres.schema,
            cfg.postgres.connect_timeout,
            cfg.postgres.writers.max(1) as usize,
            cfg.postgres.search_concurrency.max(1) as usize,
        )
        .with_context(|| format!("PostgreSQL at {}", url.redacted()))?,
    );
    service::runtime()?.block_on(async move {
        let stop = service::shutdown_on_signals();
        let health = service::start_metrics(&cfg).await?;
        health.set_ready(trawl_metrics::Component::Amqp, false);
        let sink_cfg = sink_config(&cfg);
        let metrics = trawl_metrics::global();
        // Registers `postgres` as not ready until subscribed and migrated.
        let broker = tokio::select! {
            _ = stop.cancelled() => {
                info!("stopped while connecting");
                return Ok(ExitCode::SUCCESS);
            }
            b = service::connect_broker(&cfg, None) => b?,
        };
        let dyn_broker: Arc<dyn Broker> = broker.clone();
        service::watch_readiness(health.clone(), Some(dyn_broker.clone()), None, stop.clone());
        let sink = Sink::new(store, dyn_broker, sink_cfg, health, metrics);
        info!(
            prefix = %cfg.amqp.prefix,
            postgres = %url.redacted(),
            "sink starting"
        );
        let result = sink.run(stop).await;
        // Hand back whatever is still buffered, then close.
        broker.close();
        tokio::time::timeout(Duration::from_secs(10), broker.shutdown())
            .await
            .ok();
        result.context("PostgreSQL sink")?;
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_maps_onto_the_sink() {
        let cfg = Config::from_toml_str(
            "t.toml",
            "[postgres]\nqueue = \"pg2\"\nbinding = \"a.*\"\nbatch_size = 42\nbatch_timeout = \"75ms\"\nmax_backoff = \"3s\"\nwriters = 3\nsearch_batch_size = 100\nsearch_interval = \"2s\"\nsearch_idle = \"20ms\"\nsearch_concurrency = 2\n",
        )
        .unwrap();
        let s = sink_config(&cfg);
        assert_eq!(s.subscription, "pg2");
        assert_eq!(s.binding, "a.*");
        assert_eq!(s.batch_size, 42);
        assert_eq!(s.batch_timeout, Duration::from_millis(75));
        assert_eq!(s.max_backoff, Duration::from_secs(3));
        assert_eq!(s.writers, 3);
        assert_eq!(s.prefetch(), 168);
        assert_eq!(
            s.search,
            IndexRule {
                batch_size: 100,
                interval: Duration::from_secs(2),
                idle: Duration::from_millis(20),
                concurrency: 2,
            }
        );
    }
}
