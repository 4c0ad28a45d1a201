//! `trawl worker`: a fetch/extract worker over RabbitMQ (and Redis for near-duplicates).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tracing::info;
use trawl_queue::Broker;
use trawl_store::FrontierStore;
use trawl_worker::Worker;

use super::common::FetchFlags;
use super::service::{self, ConfigFlags};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigFlags,
    #[command(flatten)]
    pub fetch: FetchFlags,
    /// Tasks processed at once (overrides worker.concurrency).
    #[arg(long)]
    pub concurrency: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cfg = args.config.load()?;
    let mut fetch_cfg = service::fetch_config(&cfg)?;
    args.fetch.apply(&mut fetch_cfg);
    let mut worker_cfg = service::worker_config(&cfg);
    if let Some(c) = args.concurrency {
        worker_cfg.concurrency = c.max(1);
    }
    service::runtime()?.block_on(async move {
        let stop = service::shutdown_on_signals();
        let health = service::start_metrics(&cfg).await?;
        health.set_ready("amqp", false);
        health.set_ready("redis", false);
        // Connecting retries forever; a SIGTERM meanwhile (a pod deleted while Redis or
        // RabbitMQ is away) ends the process instead of leaving it to be killed.
        let connect = async {
            let store: Arc<dyn FrontierStore> = service::connect_store(&cfg, None).await?;
            let broker: Arc<dyn Broker> = service::connect_broker(&cfg, None).await?;
            anyhow::Ok((store, broker))
        };
        let (store, broker) = tokio::select! {
            _ = stop.cancelled() => {
                info!("stopped while connecting");
                return Ok(ExitCode::SUCCESS);
            }
            c = connect => c?,
        };
        service::watch_readiness(
            health,
            Some(broker.clone()),
            Some(store.clone()),
            stop.clone(),
        );
        let fetcher = trawl_fetch::Fetcher::new(fetch_cfg).context("building the HTTP client")?;
        let worker = Worker::new(worker_cfg, broker, Some(store), fetcher);
        info!(prefix = %cfg.amqp.prefix, "worker running");
        worker.run(stop).await;
        Ok(ExitCode::SUCCESS)
    })
}
