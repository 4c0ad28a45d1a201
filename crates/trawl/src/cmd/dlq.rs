//! `trawl dlq`: list or requeue dead letters.

use std::process::ExitCode;
use std::time::Duration;

use trawl_queue::Broker;

use super::service::{self, ConfigFlags};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigFlags,
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Show dead letters (left in place).
    List {
        #[arg(long, default_value_t = 100)]
        max: usize,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Move dead letters back to the queue they died on.
    Requeue {
        #[arg(long, default_value_t = 1000)]
        max: usize,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cfg = args.config.load()?;
    service::runtime()?.block_on(async move {
        let broker = service::connect_broker(&cfg, Some(Duration::from_secs(30))).await?;
        match args.action {
            Action::List { max, json } => {
                let letters = broker.peek_dead_letters(max).await?;
                for l in &letters {
                    if json {
                        println!("{}", serde_json::to_string(l)?);
                    } else {
                        let preview: String = l.payload.chars().take(160).collect();
                        println!("[{}] {}\n    {}", l.source, l.reason, preview);
                    }
                }
                if !json {
                    eprintln!("{} dead letter(s) shown", letters.len());
                }
            }
            Action::Requeue { max } => {
                let n = broker.requeue_dead_letters(max).await?;
                eprintln!("requeued {n} dead letter(s)");
            }
        }
        broker.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}
