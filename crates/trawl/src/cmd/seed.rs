//! `trawl seed`: add seeds, sitemaps or feeds to a running deployment.

use std::process::ExitCode;
use std::time::Duration;

use trawl_queue::{publish_json, SeedRequest, WorkQueue};

use super::service::{self, ConfigFlags};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigFlags,
    /// URLs to add.
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
    /// A file of URLs, one per line.
    #[arg(long)]
    pub file: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cfg = args.config.load()?;
    let mut urls = super::common::read_seeds(&args.urls)?;
    urls.extend(super::common::read_seeds(&args.file)?);
    if urls.is_empty() {
        anyhow::bail!("no URLs given (pass URLs or --file FILE)");
    }
    service::runtime()?.block_on(async move {
        let broker = service::connect_broker(&cfg, Some(Duration::from_secs(30))).await?;
        for chunk in urls.chunks(1000) {
            let req = SeedRequest::new(chunk.to_vec());
            publish_json(broker.as_ref(), WorkQueue::Seeds, &req).await?;
        }
        eprintln!("queued {} seed URL(s) for the frontier", urls.len());
        broker.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}
