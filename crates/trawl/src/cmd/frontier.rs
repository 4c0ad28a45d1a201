//! `trawl frontier`: the frontier service over RabbitMQ and Redis.

use std::process::ExitCode;
use std::sync::Arc;

use tracing::info;
use trawl_frontier::Frontier;
use trawl_queue::Broker;
use trawl_store::FrontierStore;

use super::service::{self, ConfigFlags};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigFlags,
    /// Seeds to add at start (also possible later with `trawl seed`).
    #[arg(long, value_name = "FILE|URL")]
    pub seeds: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cfg = args.config.load()?;
    let seeds = super::common::read_seeds(&args.seeds)?;
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
        service::watch_readiness(health, Some(broker.clone()), Some(store.clone()), stop.clone());
        let frontier = Frontier::new(service::frontier_config(&cfg), store, broker).await?;
        if !seeds.is_empty() {
            let s = frontier.add_seeds(&seeds).await?;
            info!(accepted = s.accepted, deduped = s.deduped, filtered = ?s.filtered, "seeds added");
        }
        info!(prefix = %cfg.amqp.prefix, "frontier running");
        frontier.run(stop).await;
        Ok(ExitCode::SUCCESS)
    })
}
