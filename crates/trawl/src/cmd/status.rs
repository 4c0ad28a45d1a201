//! `trawl status`: what a deployment is doing.

use std::process::ExitCode;
use std::time::Duration;

use trawl_queue::{Broker, WorkQueue};
use trawl_store::FrontierStore;

use super::service::{self, ConfigFlags};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigFlags,
    /// Machine-readable output (one JSON object); `drained` says whether the crawl is over.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cfg = args.config.load()?;
    service::runtime()?.block_on(async move {
        let store = service::connect_store(&cfg, Some(Duration::from_secs(10))).await?;
        let broker = service::connect_broker(&cfg, Some(Duration::from_secs(10))).await?;
        let stats = store.stats(trawl_frontier::service::now_ms()).await?;
        let tasks = broker.depth(WorkQueue::Tasks).await?;
        let reports = broker.depth(WorkQueue::Reports).await?;
        let seeds = broker.depth(WorkQueue::Seeds).await?;
        let dead = broker.dead_letter_count().await.unwrap_or(0);
        let drained = stats.drained() && tasks == 0 && reports == 0 && seeds == 0;
        let now = trawl_frontier::service::now_ms();
        let (by_replica, unclaimed) = match store.frontier_view(now).await {
            Ok(v) => trawl_store::shards::claims_by_replica(&v, store.shard_count(), now),
            Err(_) => (Default::default(), store.shard_count()),
        };
        if args.json {
            let v = serde_json::json!({
                "drained": drained,
                "urls": {
                    "seen": stats.seen,
                    "queued": stats.queued,
                    "in_flight": stats.in_flight,
                    "done": stats.done,
                },
                "hosts": {
                    "ready": stats.hosts_ready,
                    "waiting": stats.hosts_waiting,
                    "leased": stats.hosts_leased,
                },
                "queues": { "tasks": tasks, "reports": reports, "seeds": seeds, "dead_letters": dead },
                "frontiers": {
                    "shards": store.shard_count(),
                    "unclaimed": unclaimed,
                    "replicas": by_replica
                        .iter()
                        .map(|(id, n)| serde_json::json!({ "id": id, "shards": n }))
                        .collect::<Vec<_>>(),
                },
            });
            println!("{v}");
        } else {
            println!("urls:   {} seen, {} queued, {} in flight, {} done", stats.seen, stats.queued, stats.in_flight, stats.done);
            println!(
                "hosts:  {} ready, {} waiting, {} leased",
                stats.hosts_ready, stats.hosts_waiting, stats.hosts_leased
            );
            println!("queues: {tasks} tasks, {reports} reports, {seeds} seeds, {dead} dead letters");
            let replicas: Vec<String> =
                by_replica.iter().map(|(id, n)| format!("{id} ({n})")).collect();
            println!(
                "frontiers: {} live{}{}; {unclaimed} of {} shards unclaimed",
                by_replica.len(),
                if replicas.is_empty() { "" } else { ": " },
                replicas.join(", "),
                store.shard_count()
            );
            println!("state:  {}", if drained { "drained" } else { "crawling" });
        }
        broker.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}
