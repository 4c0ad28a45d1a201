//! `trawl tail`: consume the article stream (its own queue bound to the articles exchange).

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use trawl_queue::Broker;

use super::service::{self, ConfigFlags};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigFlags,
    /// Append articles here (JSON Lines) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A named durable queue (keeps articles while this consumer is away); default:
    /// a private queue that lives as long as this process.
    #[arg(long)]
    pub queue: Option<String>,
    /// Topic binding, e.g. `tass_com.#` or `*.world`.
    #[arg(long, default_value = "#")]
    pub binding: String,
    /// Stop after this many articles.
    #[arg(long)]
    pub max: Option<u64>,
    /// Stop when no article arrived for this long (e.g. 30s).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub idle_timeout: Option<Duration>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cfg = args.config.load()?;
    service::runtime()?.block_on(async move {
        let stop = service::shutdown_on_signals();
        let broker = service::connect_broker(&cfg, Some(Duration::from_secs(60))).await?;
        let mut consumer = broker
            .subscribe_articles(args.queue.as_deref(), &args.binding, 256)
            .await?;
        let mut out: Box<dyn Write> = match &args.out {
            Some(p) => Box::new(BufWriter::new(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .with_context(|| format!("opening {}", p.display()))?,
            )),
            None => Box::new(BufWriter::new(std::io::stdout())),
        };
        eprintln!("tail: ready (binding {:?})", args.binding);
        let mut n = 0u64;
        loop {
            let next = async {
                match args.idle_timeout {
                    Some(t) => tokio::time::timeout(t, consumer.next())
                        .await
                        .ok()
                        .flatten(),
                    None => consumer.next().await,
                }
            };
            let d = tokio::select! {
                _ = stop.cancelled() => None,
                d = next => d,
            };
            let Some(d) = d else { break };
            out.write_all(&d.payload)?;
            out.write_all(b"\n")?;
            out.flush()?;
            d.ack().await.ok();
            n += 1;
            if args.max.is_some_and(|m| n >= m) {
                break;
            }
        }
        eprintln!("tail: {n} article(s)");
        broker.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}
