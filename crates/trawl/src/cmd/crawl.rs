//! `trawl crawl`: the embedded default. Frontier and workers in one process over the
//! in-memory store and broker — the same components as the distributed deployment —
//! writing articles as JSON Lines.

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
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
use trawl_store::{ContentIndex, FrontierStore};
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

/// Why the crawl stopped: the `reason` of the summary, printed (`crawl finished (…)`) and in
/// `--summary-json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Nothing left to fetch and no report in transit (never with `--follow`).
    Drained,
    /// SIGINT or SIGTERM.
    Interrupted,
    /// `--max-pages` fetches done.
    MaxPages,
    /// `--max-time` elapsed.
    MaxTime,
}

impl StopReason {
    /// The name printed and written in the summary JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Drained => "drained",
            StopReason::Interrupted => "interrupted",
            StopReason::MaxPages => "max-pages",
            StopReason::MaxTime => "max-time",
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The embedded crawl, stage by stage.
async fn crawl(args: Args, seeds: Vec<String>) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // 1. Build the configuration from the flags.
    let settings = Settings::from_args(&args)?;
    // 2. Start the store (resumed from `--state` when there is one) and the broker, and serve
    //    metrics.
    let state = State::open(args.state.as_deref())?;
    let store = state.store();
    let broker: Arc<dyn Broker> = Arc::new(MemoryBroker::new());
    serve_metrics(args.metrics_addr).await?;
    // 3. Start the frontier, the workers (with their WARC writer) and the article writer.
    let frontier = Frontier::new(settings.frontier, store.clone(), broker.clone()).await?;
    let warc = start_warc(&args, &settings.fetch)?;
    let worker = build_worker(
        settings.worker,
        settings.fetch,
        warc.as_ref(),
        state.content(),
        &broker,
    )?;
    let sink = ArticleSink::start(&args.out, state.resuming, broker.as_ref()).await?;
    // 4. Seed, then set the frontier and the workers running.
    seed(&frontier, &seeds).await?;
    let running = Running::spawn(&frontier, &worker);
    // 5. Run until drained, interrupted or a limit.
    let reason = run_until_stop(&args, started, &frontier, &state, &sink).await;
    // 6. Drain the in-flight work, save the state, and summarize.
    let warc_files = drain(running, warc.as_ref(), broker.as_ref(), store.as_ref()).await;
    let written = sink.finish().await?;
    state.save_at_exit().await;
    summarize(
        &args,
        started,
        reason,
        &frontier,
        store.as_ref(),
        written,
        &warc_files,
    )
    .await;
    Ok(ExitCode::SUCCESS)
}

/// Stage 1: what the frontier, the fetcher and the workers run with.
struct Settings {
    frontier: FrontierConfig,
    fetch: trawl_fetch::FetchConfig,
    worker: WorkerConfig,
}

impl Settings {
    fn from_args(args: &Args) -> anyhow::Result<Settings> {
        let frontier = FrontierConfig {
            max_depth: args.max_depth,
            max_pages_per_host: args.max_pages_per_host,
            politeness_delay: args.delay,
            recrawl_interval: args.follow.then_some(args.poll_interval),
            recrawl_min: args.poll_min,
            recrawl_max: args.poll_max,
            entry_max_age: (!args.max_age.is_zero()).then_some(args.max_age),
            first_pass_max_age: (!args.first_pass_max_age.is_zero())
                .then_some(args.first_pass_max_age),
            update_checks: if args.follow {
                update_checks(&args.update_checks)?
            } else {
                Vec::new()
            },
            queue_target: (args.workers * 2).max(4),
            include_subdomains: args.include_subdomains,
            ..FrontierConfig::default()
        };
        let mut fetch = args.fetch.to_config();
        fetch.politeness.min_delay = args.delay;
        // The embedded workers fetch under the frontier, which owns the adaptive part.
        fetch.politeness = fetch.politeness.under_frontier();
        let worker = WorkerConfig {
            concurrency: args.workers.max(1),
            ..WorkerConfig::default()
        };
        Ok(Settings {
            frontier,
            fetch,
            worker,
        })
    }
}

/// Stage 2: the in-memory frontier state, loaded from `--state DIR` when that holds a saved
/// frontier, and snapshotted there while crawling and at exit.
struct State {
    memory: Arc<MemoryStore>,
    /// `DIR/frontier.json` with `--state`.
    file: Option<PathBuf>,
    /// A saved frontier was found: the crawl resumes, and appends to `--out`.
    resuming: bool,
}

impl State {
    fn open(dir: Option<&Path>) -> anyhow::Result<State> {
        let file = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating state directory {}", dir.display()))?;
                Some(dir.join("frontier.json"))
            }
            None => None,
        };
        let memory = match &file {
            Some(path) => match MemoryStore::load(path)
                .with_context(|| format!("reading {}", path.display()))?
            {
                Some(store) => {
                    info!(state = %path.display(), "resuming the crawl from its saved frontier");
                    Arc::new(store)
                }
                None => Arc::new(MemoryStore::new()),
            },
            None => Arc::new(MemoryStore::new()),
        };
        let resuming = file.as_ref().is_some_and(|p| p.exists());
        Ok(State {
            memory,
            file,
            resuming,
        })
    }

    fn store(&self) -> Arc<dyn FrontierStore> {
        self.memory.clone()
    }

    /// The same store as the workers' near-duplicate index.
    fn content(&self) -> Arc<dyn ContentIndex> {
        self.memory.clone()
    }

    /// Save the frontier (when kept on disk).
    async fn snapshot(&self) {
        if let Some(path) = &self.file {
            save_state(&self.memory, path).await;
        }
    }

    /// The last snapshot, once everything has settled.
    async fn save_at_exit(&self) {
        if let Some(path) = &self.file {
            save_state(&self.memory, path).await;
            eprintln!(
                "frontier saved to {} (run the same command to resume)",
                path.display()
            );
        }
    }
}

/// Stage 2: `/metrics`, `/healthz` and `/readyz` with `--metrics-addr`.
async fn serve_metrics(addr: Option<SocketAddr>) -> anyhow::Result<()> {
    if let Some(addr) = addr {
        let health = trawl_metrics::Health::new();
        let (bound, _handle) = trawl_metrics::serve(addr, health)
            .await
            .with_context(|| format!("serving metrics on {addr}"))?;
        info!(%bound, "metrics at http://{bound}/metrics");
    }
    Ok(())
}

/// Stage 3: the WARC writer with `--warc DIR`.
fn start_warc(
    args: &Args,
    fetch: &trawl_fetch::FetchConfig,
) -> anyhow::Result<Option<trawl_warc::WarcSink>> {
    let Some(dir) = &args.warc else {
        return Ok(None);
    };
    let cfg = common::warc_writer_config(
        dir,
        &args.warc_prefix,
        args.warc_max_file_bytes,
        &args.warc_operator,
        trawl_warc::writer::DEFAULT_DEDUP_CAPACITY,
        fetch,
    );
    let sink = trawl_worker::warc::start_sink(cfg)
        .with_context(|| format!("WARC directory {}", dir.display()))?;
    Ok(Some(sink))
}

/// Stage 3: the workers, over the fetcher (capturing exchanges when archiving).
fn build_worker(
    cfg: WorkerConfig,
    fetch: trawl_fetch::FetchConfig,
    warc: Option<&trawl_warc::WarcSink>,
    content: Arc<dyn ContentIndex>,
    broker: &Arc<dyn Broker>,
) -> anyhow::Result<Worker> {
    let fetcher = if warc.is_some() {
        trawl_fetch::Fetcher::capturing(fetch)
    } else {
        trawl_fetch::Fetcher::new(fetch)
    }
    .context("building the HTTP client")?;
    let worker = Worker::new(cfg, broker.clone(), Some(content), fetcher);
    Ok(match warc {
        Some(sink) => worker.with_warc(sink.clone()),
        None => worker,
    })
}

/// Stage 3: the article writer, subscribed before anything can be published, writing `--out`.
struct ArticleSink {
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    stop: CancellationToken,
    written: Arc<AtomicU64>,
}

impl ArticleSink {
    async fn start(out: &Path, resuming: bool, broker: &dyn Broker) -> anyhow::Result<ArticleSink> {
        let articles = broker.subscribe_articles(None, "#", 256).await?;
        let written = Arc::new(AtomicU64::new(0));
        // A resumed crawl appends, and never writes an article (id and version) that is
        // already in the file.
        let (file, known_ids) = if resuming {
            let ids = existing_ids(out);
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(out)
                .with_context(|| format!("opening {}", out.display()))?;
            (f, ids)
        } else {
            let f = File::create(out).with_context(|| format!("creating {}", out.display()))?;
            (f, HashSet::new())
        };
        let stop = CancellationToken::new();
        let task = tokio::spawn(write_articles(
            articles,
            file,
            known_ids,
            written.clone(),
            stop.clone(),
        ));
        Ok(ArticleSink {
            task,
            stop,
            written,
        })
    }

    /// Articles written so far.
    fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Write what is still buffered, close the file; the number of articles written.
    async fn finish(self) -> anyhow::Result<u64> {
        self.stop.cancel();
        self.task.await.context("article writer")??;
        Ok(self.written.load(Ordering::Relaxed))
    }
}

/// Stage 4: admit the seeds (their hosts join the scope).
async fn seed(frontier: &Frontier, seeds: &[String]) -> anyhow::Result<()> {
    let admitted = frontier.add_seeds(seeds).await?;
    if admitted.accepted == 0 {
        warn!(filtered = ?admitted.filtered, "none of the seeds was accepted");
    }
    Ok(())
}

/// Stage 4: the frontier's and the workers' loops, each with its own stop.
struct Running {
    frontier_stop: CancellationToken,
    frontier_task: tokio::task::JoinHandle<()>,
    worker_stop: CancellationToken,
    worker_task: tokio::task::JoinHandle<()>,
}

impl Running {
    fn spawn(frontier: &Frontier, worker: &Worker) -> Running {
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
        Running {
            frontier_stop,
            frontier_task,
            worker_stop,
            worker_task,
        }
    }
}

/// Stage 5: watch the crawl four times a second until a signal, `--max-pages`, `--max-time` or
/// (without `--follow`) the frontier drains; snapshot `--state` every 5 s and print a progress
/// line every 2 s meanwhile.
async fn run_until_stop(
    args: &Args,
    started: Instant,
    frontier: &Frontier,
    state: &State,
    sink: &ArticleSink,
) -> StopReason {
    let store = frontier.store();
    let interrupted = super::service::shutdown_on_signals();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut last_snapshot = Instant::now();
    let mut last_progress = Instant::now();
    let mut drained_seen = 0;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = interrupted.cancelled() => return StopReason::Interrupted,
        }
        let summary = frontier.summary();
        if args.max_pages.is_some_and(|max| summary.pages() >= max) {
            return StopReason::MaxPages;
        }
        if args.max_time.is_some_and(|max| started.elapsed() >= max) {
            return StopReason::MaxTime;
        }
        // Two consecutive drained observations, so that a report in transit is not missed.
        // With --follow the crawl never drains: re-polls are due later.
        if !args.follow && frontier.is_drained().await.unwrap_or(false) {
            drained_seen += 1;
            if drained_seen >= 2 {
                return StopReason::Drained;
            }
        } else {
            drained_seen = 0;
        }
        if state.file.is_some() && last_snapshot.elapsed() >= Duration::from_secs(5) {
            last_snapshot = Instant::now();
            state.snapshot().await;
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
                sink.written(),
                stats.queued,
                stats.in_flight,
                stats.hosts_ready,
                stats.hosts_waiting,
                stats.seen,
            );
        }
    }
}

/// Stage 6: stop taking tasks and let in-flight ones finish; close the WARC files; let the
/// frontier apply the reports still in the queue (bounded), so finished URLs are recorded as
/// done; then stop the frontier. The WARC files written.
async fn drain(
    running: Running,
    warc: Option<&trawl_warc::WarcSink>,
    broker: &dyn Broker,
    store: &dyn FrontierStore,
) -> Vec<PathBuf> {
    running.worker_stop.cancel();
    let _ = running.worker_task.await;
    // Every fetch is finished: close the WARC file (CDXJ index, `.open` renamed away).
    let warc_files = match warc {
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
    running.frontier_stop.cancel();
    let _ = running.frontier_task.await;
    warc_files
}

/// Stage 6: the end-of-crawl summary on stderr, and as JSON on stdout with `--summary-json`.
async fn summarize(
    args: &Args,
    started: Instant,
    reason: StopReason,
    frontier: &Frontier,
    store: &dyn FrontierStore,
    written: u64,
    warc_files: &[PathBuf],
) {
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
    eprintln!("  articles written: {} -> {}", written, args.out.display());
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
            "reason": reason.as_str(),
            "elapsed_seconds": elapsed,
            "articles_written": written,
            "summary": summary,
            "frontier": stats,
            "warc_files": warc_files,
        });
        println!("{json}");
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_reasons_print_as_before() {
        let names: Vec<String> = [
            StopReason::Drained,
            StopReason::Interrupted,
            StopReason::MaxPages,
            StopReason::MaxTime,
        ]
        .iter()
        .map(|r| r.to_string())
        .collect();
        assert_eq!(names, ["drained", "interrupted", "max-pages", "max-time"]);
        assert_eq!(StopReason::MaxTime.as_str(), "max-time");
    }
}
