//! `trawl worker`: a fetch/extract worker over RabbitMQ (and Redis for near-duplicates).

use std::process::ExitCode;

use anyhow::Context;
use tracing::info;
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
        let Some(role) = service::start_role(&cfg).await? else {
            return Ok(ExitCode::SUCCESS);
        };
        let fetcher = trawl_fetch::Fetcher::new(fetch_cfg).context("building the HTTP client")?;
        let worker = Worker::new(worker_cfg, role.broker, Some(role.store), fetcher);
        info!(prefix = %cfg.amqp.prefix, "worker running");
        worker.run(role.stop).await;
        Ok(ExitCode::SUCCESS)
    })
}
