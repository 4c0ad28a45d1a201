//! `trawl crawl`: the embedded default. Frontier and workers in one process over the
//! in-memory store and broker — the same components as the distributed deployment —
//! writing articles as JSON Lines.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use trawl_core::Article;
use trawl_frontier::{Frontier, FrontierConfig};
use trawl_queue::memory::MemoryBroker;
use trawl_queue::Broker;
use trawl_store::memory::MemoryStore;
use trawl_store::FrontierStore;
use trawl_worker::{Worker, WorkerConfig};

use super::common;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Seed URLs, or files with one URL per line (`#` comments allowed). Pages,
    /// sitemaps and feeds are all fine.
    #[arg(long, num_args = 1.., required = true, value_name = "FILE|URL")]
    pub seeds: Vec<String>,
    /// Where articles are written, one JSON object per line.
    #[arg(long, default_value = "articles.jsonl")]
    pub out: PathBuf,
    #[command(flatten)]
    pub fetch: common::FetchFlags,
    /// Pages fetched at once (across hosts; one at a time per host).
    #[arg(long, default_value_t = 16)]
    pub workers: usize,
    /// Stop after this many fetches.
    #[arg(long)]
    pub max_pages: Option<u64>,
    /// Stop after this long (e.g. 90s, 10m).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub max_time: Option<Duration>,
    /// Politeness delay between two requests to one host (raised to Crawl-delay).
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    pub delay: Duration,
    /// Maximum link depth from the seeds.
    #[arg(long, default_value_t = 16)]
    pub max_depth: u32,
    /// At most this many URLs per host (0 = no limit).
    #[arg(long, default_value_t = 0)]
    pub max_pages_per_host: u64,
    /// Also follow links to subdomains of the seed hosts.
    #[arg(long)]
    pub include_subdomains: bool,
    /// Serve /metrics, /healthz and /readyz here while crawling (e.g. 127.0.0.1:9090).
    #[arg(long)]
    pub metrics_addr: Option<SocketAddr>,
    /// Print the final summary as JSON on stdout as well.
    #[arg(long)]
    pub summary_json: bool,
    /// Keep the frontier on disk in this directory (snapshotted every few seconds and
    /// at exit): the same command again resumes where it stopped, without refetching
    /// finished URLs or losing queued ones, and appends to `--out`.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Keep crawling after the first pass: re-poll the seeds, feeds and sitemaps (first after
    /// `--poll-interval`, then adaptively: sooner after a poll that found new articles, later
    /// after one that found none, within `--poll-min`..`--poll-max`) until Ctrl-C,
    /// `--max-time` or `--max-pages`.
    #[arg(long)]
    pub follow: bool,
    /// With `--follow`: the first re-poll interval of each source.
    #[arg(long, default_value = "5m", value_parser = humantime::parse_duration)]
    pub poll_interval: Duration,
    /// With `--follow`: the shortest re-poll interval.
    #[arg(long, default_value = "1m", value_parser = humantime::parse_duration)]
    pub poll_min: Duration,
    /// Archive every HTTP exchange (pages, robots.txt, sitemaps, feeds, redirect hops) as
    /// WARC/1.1 files in this directory, with a CDXJ index beside each (see docs/warc.md).
    #[arg(long, value_name = "DIR")]
    pub warc: Option<PathBuf>,
    /// With `--warc`: start a new file when one reaches this many bytes.
    #[arg(long, default_value_t = 1 << 30, value_name = "BYTES")]
    pub warc_max_file_bytes: u64,
    /// With `--warc`: the first part of each file name.
    #[arg(long, default_value = "trawl", value_name = "PREFIX")]
    pub warc_prefix: String,
    /// With `--warc`: the `operator` field of each file's warcinfo record.
    #[arg(long, default_value = "", value_name = "TEXT")]
    pub warc_operator: String,
    /// With `--follow`: the longest re-poll interval.
    #[arg(long, default_value = "24h", value_parser = humantime::parse_duration)]
    pub poll_max: Duration,
    /// On re-polls, skip sitemap and feed entries dated (news:publication_date, else lastmod;
    /// feed item dates) longer ago than this (0 = no limit).
    #[arg(long, default_value = "7d", value_parser = humantime::parse_duration)]
    pub max_age: Duration,
    /// The same limit on the first fetch of each sitemap and feed (default 0 = take every entry,
    /// however old: a seeded sitemap is usually wanted whole).
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    pub first_pass_max_age: Duration,
    /// With `--follow`: re-fetch each published article this long after its publication (else
    /// its first fetch), with conditional GET, and write it again with a higher `version` when
    /// its title or body changed (comma-separated, ascending; `0` turns the checks off).
    #[arg(
        long,
        default_value = "1h,6h,24h,48h",
        value_delimiter = ',',
        value_parser = humantime::parse_duration
    )]
    pub update_checks: Vec<Duration>,
}

/// `--update-checks`: `0` alone turns them off; otherwise the `[frontier] update_checks` rule.
fn update_checks(given: &[Duration]) -> anyhow::Result<Vec<Duration>> {
    if given.iter().all(Duration::is_zero) {
        return Ok(Vec::new());
    }
    trawl_config::check_update_checks(given)
        .map_err(|e| anyhow::anyhow!("--update-checks: {e}, or 0 to turn them off"))?;
    Ok(given.to_vec())
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let seeds = common::read_seeds(&args.seeds)?;
    if seeds.is_empty() {
        anyhow::bail!("no seed URLs given");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(crawl(args, seeds))
}

async fn crawl(args: Args, seeds: Vec<String>) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let state_file = match &args.state {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating state directory {}", dir.display()))?;
            Some(dir.join("frontier.json"))
        }
        None => None,
    };
    let memory = match &state_file {
        Some(path) => {
            match MemoryStore::load(path).with_context(|| format!("reading {}", path.display()))? {
                Some(store) => {
                    info!(state = %path.display(), "resuming the crawl from its saved frontier");
                    Arc::new(store)
                }
                None => Arc::new(MemoryStore::new()),
            }
        }
        None => Arc::new(MemoryStore::new()),
    };
    let resuming = state_file.as_ref().is_some_and(|p| p.exists());
    let store: Arc<dyn FrontierStore> = memory.clone();
    let broker: Arc<dyn Broker> = Arc::new(MemoryBroker::new());

    if let Some(addr) = args.metrics_addr {
        let health = trawl_metrics::Health::new();
        let (bound, _handle) = trawl_metrics::serve(addr, health)
            .await
            .with_context(|| format!("serving metrics on {addr}"))?;
        info!(%bound, "metrics at http://{bound}/metrics");
    }

    let frontier_cfg = FrontierConfig {
        max_depth: args.max_depth,
        max_pages_per_host: args.max_pages_per_host,
        politeness_delay: args.delay,
        recrawl_interval: args.follow.then_some(args.poll_interval),
        recrawl_min: args.poll_min,
        recrawl_max: args.poll_max,
        entry_max_age: (!args.max_age.is_zero()).then_some(args.max_age),
        first_pass_max_age: (!args.first_pass_max_age.is_zero()).then_some(args.first_pass_max_age),
        update_checks: if args.follow {
            update_checks(&args.update_checks)?
        } else {
            Vec::new()
        },
        queue_target: (args.workers * 2).max(4),
        include_subdomains: args.include_subdomains,
        ..FrontierConfig::default()
    };
    let frontier = Frontier::new(frontier_cfg, store.clone(), broker.clone()).await?;

    let mut fetch_cfg = args.fetch.to_config();
    fetch_cfg.politeness.min_delay = args.delay;
    let warc = match &args.warc {
        Some(dir) => {
            let cfg = common::warc_writer_config(
                dir,
                &args.warc_prefix,
                args.warc_max_file_bytes,
                &args.warc_operator,
                trawl_warc::writer::DEFAULT_DEDUP_CAPACITY,
                &fetch_cfg,
            );
            Some(
                trawl_worker::warc::start_sink(cfg)
                    .with_context(|| format!("WARC directory {}", dir.display()))?,
            )
        }
        None => None,
    };
    let fetcher = if warc.is_some() {
        trawl_fetch::Fetcher::capturing(fetch_cfg)
    } else {
        trawl_fetch::Fetcher::new(fetch_cfg)
    }
    .context("building the HTTP client")?;
    let worker = Worker::new(
        WorkerConfig {
            concurrency: args.workers.max(1),
            ..WorkerConfig::default()
        },
        broker.clone(),
        Some(store.clone()),
        fetcher,
    );
    let worker = match &warc {
        Some(sink) => worker.with_warc(sink.clone()),
        None => worker,
    };

    // The article sink: subscribed before anything can be published.
    let articles = broker.subscribe_articles(None, "#", 256).await?;
    let written = Arc::new(AtomicU64::new(0));
    // A resumed crawl appends, and never writes an article (id and version) that is already in
    // the file.
    let (out, known_ids) = if resuming {
        let ids = existing_ids(&args.out);
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&args.out)
            .with_context(|| format!("opening {}", args.out.display()))?;
        (f, ids)
    } else {
        let f =
            File::create(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
        (f, HashSet::new())
    };
    let sink_stop = CancellationToken::new();
    let sink = tokio::spawn(write_articles(
        articles,
        out,
        known_ids,
        written.clone(),
        sink_stop.clone(),
    ));

    let admitted = frontier.add_seeds(&seeds).await?;
    if admitted.accepted == 0 {
        warn!(filtered = ?admitted.filtered, "none of the seeds was accepted");
    }

    let frontier_stop = CancellationToken::new();
    let worker_stop = CancellationToken::new();
    let frontier_task = {
        let f = frontier.clone();
        let s = frontier_stop.clone();
        tokio::spawn(async move { f.run(s).await })
    };
    let worker_task = {
        let w = worker.clone();
        let s = worker_stop.clone();
        tokio::spawn(async move { w.run(s).await })
    };
    let mut last_snapshot = Instant::now();

    let interrupted = super::service::shutdown_on_signals();
    let mut reason = "drained";
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut last_progress = Instant::now();
    let mut drained_seen = 0;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = interrupted.cancelled() => { reason = "interrupted"; break; }
        }
        let summary = frontier.summary();
        if let Some(max) = args.max_pages {
            if summary.pages() >= max {
                reason = "max-pages";
                break;
            }
        }
        if let Some(max) = args.max_time {
            if started.elapsed() >= max {
                reason = "max-time";
                break;
            }
        }
        // Two consecutive drained observations, so that a report in transit is not missed.
        // With --follow the crawl never drains: re-polls are due later.
        if !args.follow && frontier.is_drained().await.unwrap_or(false) {
            drained_seen += 1;
            if drained_seen >= 2 {
                break;
            }
        } else {
            drained_seen = 0;
        }
        if let Some(path) = &state_file {
            if last_snapshot.elapsed() >= Duration::from_secs(5) {
                last_snapshot = Instant::now();
                save_state(&memory, path).await;
            }
        }
        if last_progress.elapsed() >= Duration::from_secs(2) {
            last_progress = Instant::now();
            let stats = store
                .stats(trawl_frontier::service::now_ms())
                .await
                .unwrap_or_default();
            eprintln!(
                "[{:>5.0}s] fetched {} | articles {} | queued {} | in flight {} | hosts ready {} waiting {} | seen {}",
                started.elapsed().as_secs_f64(),
                summary.pages(),
                written.load(Ordering::Relaxed),
                stats.queued,
                stats.in_flight,
                stats.hosts_ready,
                stats.hosts_waiting,
                stats.seen,
            );
        }
    }
    // Stop taking tasks and let in-flight ones finish; then let the frontier apply
    // the reports still in the queue (bounded), so finished URLs are recorded as done.
    worker_stop.cancel();
    let _ = worker_task.await;
    // Every fetch is finished: close the WARC file (CDXJ index, `.open` renamed away).
    let warc_files = match &warc {
        Some(sink) => sink.close().await,
        None => Vec::new(),
    };
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(5) {
        let reports = broker
            .depth(trawl_queue::WorkQueue::Reports)
            .await
            .unwrap_or(0);
        let in_flight = store
            .stats(trawl_frontier::service::now_ms())
            .await
            .map(|s| s.in_flight)
            .unwrap_or(0);
        if reports == 0 && in_flight == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    frontier_stop.cancel();
    let _ = frontier_task.await;
    sink_stop.cancel();
    let sink_result = sink.await.context("article writer")?;
    sink_result?;
    if let Some(path) = &state_file {
        save_state(&memory, path).await;
        eprintln!(
            "frontier saved to {} (run the same command to resume)",
            path.display()
        );
    }

    let summary = frontier.summary();
    let stats = store
        .stats(trawl_frontier::service::now_ms())
        .await
        .unwrap_or_default();
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!("crawl finished ({reason}) in {elapsed:.1}s");
    eprintln!(
        "  pages fetched: {} ({:.1}/s)",
        summary.pages(),
        summary.pages() as f64 / elapsed.max(0.001)
    );
    for (outcome, n) in &summary.fetched {
        eprintln!("    {outcome}: {n}");
    }
    eprintln!(
        "  articles written: {} -> {}",
        written.load(Ordering::Relaxed),
        args.out.display()
    );
    eprintln!(
        "  links: {} discovered, {} accepted, {} deduped",
        summary.links_discovered, summary.links_accepted, summary.links_deduped
    );
    for (why, n) in &summary.filtered {
        eprintln!("    filtered {why}: {n}");
    }
    if summary.updated > 0 {
        eprintln!(
            "  updated: {} (articles re-fetched with a changed title or body, written again with a higher version)",
            summary.updated
        );
    }
    if summary.retried > 0 || summary.dead_lettered > 0 {
        eprintln!(
            "  retried: {}, dead-lettered: {}",
            summary.retried, summary.dead_lettered
        );
    }
    if stats.queued > 0 {
        eprintln!("  left in the frontier: {} queued URLs", stats.queued);
    }
    if let Some(dir) = &args.warc {
        eprintln!("  WARC files: {} in {}", warc_files.len(), dir.display());
    }
    if args.summary_json {
        let json = serde_json::json!({
            "reason": reason,
            "elapsed_seconds": elapsed,
            "articles_written": written.load(Ordering::Relaxed),
            "summary": summary,
            "frontier": stats,
            "warc_files": warc_files,
        });
        println!("{json}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn save_state(memory: &Arc<MemoryStore>, path: &std::path::Path) {
    let m = memory.clone();
    let p = path.to_path_buf();
    match tokio::task::spawn_blocking(move || m.save(&p)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => warn!(error = %e, "could not save the frontier state"),
        Err(e) => warn!(error = %e, "frontier snapshot task failed"),
    }
}

/// Id and version of the articles already in a JSON Lines file (unreadable lines are skipped; a
/// line without `version` is version 1).
fn existing_ids(path: &std::path::Path) -> HashSet<(String, u32)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashSet::new();
    };
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let id = v.get("id")?.as_str()?.to_string();
            let version = v.get("version").and_then(|x| x.as_u64()).unwrap_or(1);
            Some((id, u32::try_from(version).unwrap_or(u32::MAX)))
        })
        .collect()
}

/// Write each article version once (by id and version: a redelivery is not written twice, an
/// update is) and ack it after it is written.
async fn write_articles(
    mut consumer: Box<dyn trawl_queue::Consumer>,
    file: File,
    mut ids: HashSet<(String, u32)>,
    written: Arc<AtomicU64>,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let mut out = BufWriter::new(file);
    loop {
        let next = if stop.is_cancelled() {
            // Drain what is already buffered, then finish.
            tokio::time::timeout(Duration::from_millis(300), consumer.next())
                .await
                .ok()
                .flatten()
        } else {
            tokio::select! {
                d = consumer.next() => d,
                _ = stop.cancelled() => continue,
            }
        };
        let Some(delivery) = next else { break };
        match delivery.json::<Article>() {
            Ok(article) => {
                if ids.insert((article.id.clone(), article.version)) {
                    serde_json::to_writer(&mut out, &article)?;
                    out.write_all(b"\n")?;
                    out.flush()?;
                    written.fetch_add(1, Ordering::Relaxed);
                }
            }
            Err(e) => warn!(error = %e, "skipping an undecodable article message"),
        }
        let _ = delivery.ack().await;
    }
    out.flush()?;
    Ok(())
}
