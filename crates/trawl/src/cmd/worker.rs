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
        let warc = if cfg.warc.enabled() {
            let dir = std::path::PathBuf::from(cfg.warc.dir.trim());
            let wcfg = super::common::warc_writer_config(
                &dir,
                &cfg.warc.prefix,
                cfg.warc.max_file_bytes,
                &cfg.warc.operator,
                usize::try_from(cfg.warc.revisit_digests).unwrap_or(usize::MAX),
                &fetch_cfg,
            );
            let sink = trawl_worker::warc::start_sink(wcfg)
                .with_context(|| format!("warc.dir {}", dir.display()))?;
            info!(dir = %dir.display(), "archiving fetches as WARC");
            Some(sink)
        } else {
            None
        };
        let fetcher = if warc.is_some() {
            trawl_fetch::Fetcher::capturing(fetch_cfg)
        } else {
            trawl_fetch::Fetcher::new(fetch_cfg)
        }
        .context("building the HTTP client")?;
        let mut worker = Worker::new(worker_cfg, role.broker, Some(role.content), fetcher);
        if let Some(sink) = &warc {
            worker = worker.with_warc(sink.clone());
        }
        info!(prefix = %cfg.amqp.prefix, "worker running");
        worker.run(role.stop).await;
        // After the drain (SIGTERM/SIGINT): close the WARC file cleanly.
        if let Some(sink) = warc {
            let files = sink.close().await;
            info!(files = files.len(), "WARC writer closed");
        }
        Ok(ExitCode::SUCCESS)
    })
}
