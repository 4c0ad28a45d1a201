//! `trawl frontier`: the frontier service over RabbitMQ and Redis.

use std::process::ExitCode;

use tracing::info;
use trawl_frontier::Frontier;

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
        let Some(role) = service::start_role(&cfg).await? else {
            return Ok(ExitCode::SUCCESS);
        };
        let frontier = Frontier::new(service::frontier_config(&cfg), role.store, role.broker).await?;
        if !seeds.is_empty() {
            let s = frontier.add_seeds(&seeds).await?;
            info!(accepted = s.accepted, deduped = s.deduped, filtered = ?s.filtered, "seeds added");
        }
        info!(prefix = %cfg.amqp.prefix, "frontier running");
        frontier.run(role.stop).await;
        Ok(ExitCode::SUCCESS)
    })
}
