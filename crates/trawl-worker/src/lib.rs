//! The fetch/extract worker.
//!
//! A worker consumes [`FetchTask`]s, fetches each through [`trawl_fetch::Fetcher`]
//! (robots, politeness, SSRF guard, limits), and then, by what the body is:
//! - a sitemap or feed: parses it with `trawl-discover` and reports its URLs;
//! - HTML: extracts it with `trawl-extract`; an article (not a near-duplicate of one
//!   already emitted) is published to the articles exchange; its outlinks are reported.
//!
//! Order of effects per task, for at-least-once delivery: publish the article
//! (confirmed) → publish the report (confirmed) → ack the task. A crash anywhere
//! before the ack redelivers the task; consumers dedupe articles by their stable id.
//!
//! With a WARC sink ([`Worker::with_warc`], a capturing fetcher), every fetch's HTTP
//! exchanges and a `metadata` record (outcome, outlinks) are handed to the WARC writer
//! before the outputs are published; a WARC write failure is logged and counted
//! (`trawl_warc_write_errors_total`) and never holds back the article.
//!
//! On shutdown the worker stops taking tasks, lets in-flight ones finish within the
//! grace period, and abandons the rest unacked (the broker redelivers them).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use trawl_core::{
    content_digest, Article, DiscoveredLink, FetchOutcome, FetchReport, FetchTask, LinkKind,
    TaskKind, MESSAGE_SCHEMA_VERSION,
};
use trawl_fetch::{FetchRequest, FetchResponse, Fetcher, Purpose};
use trawl_metrics::{ExtractResult, TaskResult};
use trawl_queue::{Broker, Delivery, QueueError, WorkQueue};
use trawl_store::{ContentClaim, ContentIndex};

pub mod warc;

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Tasks processed at once (also the consumer prefetch).
    pub concurrency: usize,
    /// How long in-flight tasks may take to finish after shutdown was asked.
    pub grace_period: Duration,
    /// SimHash distance at or below which two bodies are the same article.
    pub near_dup_distance: u32,
    /// Extraction gives up on bodies larger than this.
    pub max_extract_bytes: usize,
    /// Extraction of one page may take at most this long.
    pub extract_timeout: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 32,
            grace_period: Duration::from_secs(25),
            near_dup_distance: 3,
            max_extract_bytes: 16 * 1024 * 1024,
            extract_timeout: Duration::from_secs(30),
        }
    }
}

/// What processing one task produced (before anything is published).
#[derive(Debug)]
pub struct Processed {
    pub report: FetchReport,
    /// The article to publish, when the page is one and not a near-duplicate.
    pub article: Option<Article>,
    /// Set when the article was a near-duplicate of this earlier one.
    pub duplicate_of: Option<String>,
}

/// A fetch/extract worker. Cheap to clone.
#[derive(Clone)]
pub struct Worker {
    cfg: WorkerConfig,
    broker: Arc<dyn Broker>,
    /// The near-duplicate index (the only frontier state a worker touches).
    content: Option<Arc<dyn ContentIndex>>,
    fetcher: Fetcher,
    warc: Option<trawl_warc::WarcSink>,
}

impl Worker {
    /// `content` is the near-duplicate index articles are claimed in; without one every
    /// article is emitted.
    pub fn new(
        cfg: WorkerConfig,
        broker: Arc<dyn Broker>,
        content: Option<Arc<dyn ContentIndex>>,
        fetcher: Fetcher,
    ) -> Self {
        Worker {
            cfg,
            broker,
            content,
            fetcher,
            warc: None,
        }
    }

    /// Archive every fetch to `sink` (the fetcher must be a capturing one,
    /// [`Fetcher::capturing`], for the HTTP exchanges to be there).
    pub fn with_warc(mut self, sink: trawl_warc::WarcSink) -> Self {
        if !self.fetcher.captures() {
            warn!("WARC sink given to a worker whose fetcher does not capture exchanges: only metadata records will be written");
        }
        self.warc = Some(sink);
        self
    }

    /// Fetch and process one task. Never fails: every failure is in the report.
    ///
    /// The stages, in order:
    /// 1. fetch the task's URL (`fetch_request`, `fetch`);
    /// 2. classify the response into the report (`classify`): outcome, validators,
    ///    host facts, an unfollowed redirect and robots.txt sitemaps as links;
    /// 3. read the body (`read_body`): a sitemap's or feed's URLs become links; an
    ///    HTML page is extracted (`extract_page`, `describe_page`) and, when it is an
    ///    article that an update check does not find unchanged, claimed in the near-duplicate
    ///    index (`claim_article`);
    /// 4. leave out links known robots.txt rules disallow (`drop_robots_denied`);
    /// 5. archive the fetch when there is a WARC sink (`archive`).
    ///
    /// Publishing the article and the report is [`Worker::handle`]'s part.
    pub async fn process(&self, task: &FetchTask) -> Processed {
        let started = Instant::now();
        let request = match fetch_request(task) {
            Ok(request) => request,
            Err(e) => {
                let mut report = self.blank_report(task, FetchOutcome::ClientError, started);
                report.error = Some(format!("invalid task URL: {e}"));
                return Processed {
                    report,
                    article: None,
                    duplicate_of: None,
                };
            }
        };
        let mut resp = self.fetch(request).await;
        let mut report = self.classify(task, &resp);
        let emitted = match (resp.outcome, resp.body.clone()) {
            (FetchOutcome::Ok, Some(body)) => self.read_body(task, &resp, body, &mut report).await,
            _ => Emitted::default(),
        };
        self.drop_robots_denied(&mut report);
        let processed = Processed {
            report,
            article: emitted.article,
            duplicate_of: emitted.duplicate_of,
        };
        self.archive(task, &mut resp, &processed).await;
        processed
    }

    /// Fetch through the fetcher (robots, politeness, SSRF guard, limits) and count the fetch.
    async fn fetch(&self, request: FetchRequest) -> FetchResponse {
        let resp = self.fetcher.fetch(request).await;
        record_fetch_metrics(&resp);
        resp
    }

    /// The report of a fetch before its body is read: what [`Self::report_from`] copies from the
    /// response, plus
    /// - a robots.txt that could not be read, as a `process_error` (not a verdict on the URL:
    ///   the frontier tries again later);
    /// - a redirect that was not followed (pages, see [`fetch_request`]): its target as a
    ///   canonical link of this page, at its depth;
    /// - the sitemaps robots.txt names, as links.
    fn classify(&self, task: &FetchTask, resp: &FetchResponse) -> FetchReport {
        let mut report = self.report_from(task, resp);
        if resp.outcome == FetchOutcome::RobotsDenied
            && resp.robots == Some(trawl_fetch::RobotsStatus::Unreachable)
        {
            report.process_error = Some(format!(
                "robots.txt unreachable: {}",
                resp.error.as_deref().unwrap_or("no detail")
            ));
        }
        if resp.outcome == FetchOutcome::Redirect && resp.error.is_none() {
            report.final_url = None;
            report.links.push(DiscoveredLink::new(
                resp.final_url.to_string(),
                LinkKind::Canonical,
            ));
        }
        for s in &resp.robots_sitemaps {
            report
                .links
                .push(DiscoveredLink::new(s.clone(), LinkKind::RobotsSitemap));
        }
        report
    }

    /// Read a fetched body by what it is: a sitemap's or a feed's URLs go into the report as
    /// links ([`sitemap_links`], [`feed_links`]); anything else is read as an HTML page
    /// ([`Self::read_page`]).
    async fn read_body(
        &self,
        task: &FetchTask,
        resp: &FetchResponse,
        body: bytes::Bytes,
        report: &mut FetchReport,
    ) -> Emitted {
        match trawl_discover::sniff(resp.content_type.as_deref(), &body) {
            trawl_discover::Kind::Sitemap => {
                sitemap_links(&body, &resp.final_url, report);
                Emitted::default()
            }
            trawl_discover::Kind::Feed => {
                feed_links(&body, &resp.final_url, report);
                Emitted::default()
            }
            _ => self.read_page(task, resp, body, report).await,
        }
    }

    /// An HTML page: extract it, describe it in the report, and decide whether its article is
    /// emitted. An update check that finds the title and body as published emits nothing
    /// (the report carries the published version); one that finds them changed emits the
    /// next version; either way a new article must first win its near-duplicate claim.
    async fn read_page(
        &self,
        task: &FetchTask,
        resp: &FetchResponse,
        body: bytes::Bytes,
        report: &mut FetchReport,
    ) -> Emitted {
        let Some(mut article) = self.extract_page(body, resp, report).await else {
            return Emitted::default();
        };
        describe_page(report, &article);
        if !article.is_article {
            return Emitted::default();
        }
        if let Some(u) = task
            .update
            .as_ref()
            .filter(|u| report.content_digest.as_ref() == Some(&u.digest))
        {
            debug!(url = %task.url, version = u.version, "update check: unchanged");
            report.article_version = Some(u.version);
            return Emitted::default();
        }
        if let Some(u) = &task.update {
            article.version = u.version.saturating_add(1);
            info!(url = %task.url, version = article.version, "update check: title or body changed; publishing a new version");
        }
        article.fetched_at = Some(Utc::now().fixed_offset());
        self.claim_article(task, article, report).await
    }

    /// Extract the page (timed and counted by result). A failure goes into the report: as its
    /// `error` when permanent, as a `process_error` (retried) when not.
    async fn extract_page(
        &self,
        body: bytes::Bytes,
        resp: &FetchResponse,
        report: &mut FetchReport,
    ) -> Option<Article> {
        let m = trawl_metrics::global();
        let timer = Instant::now();
        let extracted = self
            .extract(body, resp.final_url.to_string(), resp.content_type.clone())
            .await;
        m.extract_duration_seconds
            .observe(timer.elapsed().as_secs_f64());
        match extracted {
            Ok(article) => {
                let result = if article.is_article {
                    ExtractResult::Article
                } else {
                    ExtractResult::NonArticle
                };
                m.extract_total.with_label_values(&[result.as_str()]).inc();
                Some(article)
            }
            Err(e) => {
                m.extract_total
                    .with_label_values(&[ExtractResult::Error.as_str()])
                    .inc();
                let message = Some(format!("extract: {}", e.message));
                if e.permanent {
                    report.error = message;
                } else {
                    report.process_error = message;
                }
                None
            }
        }
    }

    /// The near-duplicate stage: an article is emitted when its claim is new (the report
    /// names its version); a near-duplicate of an earlier article is not, and names it. A
    /// failing index is a `process_error`, so the frontier retries the task.
    async fn claim_article(
        &self,
        task: &FetchTask,
        article: Article,
        report: &mut FetchReport,
    ) -> Emitted {
        match self.claim(&article, &task.url).await {
            Ok(None) => {
                report.article_version = Some(article.version);
                Emitted {
                    article: Some(article),
                    duplicate_of: None,
                }
            }
            Ok(Some(of)) => Emitted {
                article: None,
                duplicate_of: Some(of),
            },
            Err(e) => {
                report.process_error = Some(format!("near-duplicate check: {e}"));
                Emitted::default()
            }
        }
    }

    /// Hand the fetch's HTTP exchanges and a metadata record to the WARC sink, if any. Queued
    /// to the writer thread (waits only when it is behind); a write failure there is logged
    /// and counted and does not affect the article.
    async fn archive(&self, task: &FetchTask, resp: &mut FetchResponse, processed: &Processed) {
        if let Some(sink) = &self.warc {
            sink.submit(warc::capture_of(task, resp, processed)).await;
        }
    }

    /// Leave out of the report the links that the robots.txt rules already known for their
    /// origin disallow (they would be queued, handed out and denied without a request): the
    /// frontier counts them as filtered `robots_denied`. Links to origins whose rules are not
    /// known yet go on; the fetch-time check still guards them. Sitemaps named by robots.txt
    /// itself are kept.
    fn drop_robots_denied(&self, report: &mut FetchReport) {
        let before = report.links.len();
        report.links.retain(|l| {
            l.kind == LinkKind::RobotsSitemap
                || url::Url::parse(&l.url)
                    .ok()
                    .and_then(|u| self.fetcher.known_robots(&u))
                    .is_none_or(|d| d.allowed)
        });
        let dropped = before - report.links.len();
        report.links_robots_denied = u32::try_from(dropped).unwrap_or(u32::MAX);
    }

    async fn extract(
        &self,
        body: bytes::Bytes,
        url: String,
        content_type: Option<String>,
    ) -> Result<Article, ExtractFailure> {
        let opts = trawl_extract::Options {
            max_input_bytes: self.cfg.max_extract_bytes,
        };
        let job = tokio::task::spawn_blocking(move || {
            trawl_extract::extract_with(&body, &url, content_type.as_deref(), &opts)
        });
        match tokio::time::timeout(self.cfg.extract_timeout, job).await {
            Ok(Ok(Ok(a))) => Ok(a),
            Ok(Ok(Err(e))) => Err(ExtractFailure {
                message: e.to_string(),
                permanent: true,
            }),
            Ok(Err(join)) => Err(ExtractFailure {
                message: if join.is_panic() {
                    "extractor panicked".to_string()
                } else {
                    format!("extractor task failed: {join}")
                },
                permanent: false,
            }),
            Err(_) => Err(ExtractFailure {
                message: format!("extraction took longer than {:?}", self.cfg.extract_timeout),
                permanent: false,
            }),
        }
    }

    /// `Ok(None)`: emit it; `Ok(Some(id))`: a near-duplicate of article `id`.
    ///
    /// The claim is made in the name of the *task's* URL, not the final URL after
    /// redirects: a redelivered task re-claims as itself (and re-publishes, which
    /// consumers dedupe by id), while a redirect that lands on an article already
    /// claimed under its own URL is a duplicate and is not emitted twice.
    async fn claim(
        &self,
        article: &Article,
        task_url: &str,
    ) -> Result<Option<String>, trawl_store::StoreError> {
        let Some(content) = &self.content else {
            return Ok(None);
        };
        let simhash = u64::from_str_radix(&article.content_fingerprint, 16).unwrap_or(0);
        match content
            .claim_content(&article.id, task_url, simhash, self.cfg.near_dup_distance)
            .await?
        {
            ContentClaim::New => Ok(None),
            ContentClaim::Duplicate { of_article_id, .. } => Ok(Some(of_article_id)),
        }
    }

    fn blank_report(
        &self,
        task: &FetchTask,
        outcome: FetchOutcome,
        started: Instant,
    ) -> FetchReport {
        FetchReport {
            elapsed_seconds: started.elapsed().as_secs_f64(),
            ..FetchReport::blank(task, outcome)
        }
    }

    fn report_from(&self, task: &FetchTask, resp: &FetchResponse) -> FetchReport {
        let mut r = self.blank_report(task, resp.outcome, Instant::now());
        r.status = resp.status;
        if resp.final_url.as_str() != task.url {
            r.final_url = Some(resp.final_url.to_string());
        }
        r.redirects = resp.redirects.clone();
        r.etag = resp.etag.clone();
        r.last_modified = resp.last_modified.clone();
        r.crawl_delay_seconds = resp.crawl_delay.map(|d| d.as_secs_f64());
        r.retry_after_seconds = resp.retry_after.map(|d| d.as_secs_f64());
        r.error = resp.error.clone();
        r.elapsed_seconds = resp.elapsed.as_secs_f64();
        r
    }

    /// Process a delivery end to end: fetch, extract, publish the article and the
    /// report (both confirmed), then ack. If publishing keeps failing until
    /// shutdown, the task is left unacked for redelivery.
    pub async fn handle(&self, delivery: Delivery, stop: &CancellationToken) {
        let m = trawl_metrics::global();
        let task: FetchTask = match delivery.json() {
            Ok(t) => t,
            Err(e) => {
                warn!(error = %e, "undecodable task: dead-lettering it");
                if self
                    .broker
                    .dead_letter(
                        WorkQueue::Tasks,
                        &delivery.payload,
                        &format!("undecodable task: {e}"),
                    )
                    .await
                    .is_ok()
                {
                    let _ = delivery.ack().await;
                }
                m.dead_letter("undecodable");
                return;
            }
        };
        if task.schema_version > MESSAGE_SCHEMA_VERSION {
            let reason = format!("unsupported schema_version {}", task.schema_version);
            warn!(url = %task.url, %reason, "dead-lettering task");
            if self
                .broker
                .dead_letter(WorkQueue::Tasks, &delivery.payload, &reason)
                .await
                .is_ok()
            {
                let _ = delivery.ack().await;
            }
            m.dead_letter("unsupported_schema");
            return;
        }
        m.worker_tasks_in_progress.inc();
        let processed = self.process(&task).await;
        let ok = self.publish_outputs(&processed, stop).await;
        m.worker_tasks_in_progress.dec();
        if ok {
            match delivery.ack().await {
                Ok(()) => {
                    // Also marks `worker` progress.
                    m.worker_task_finished(TaskResult::Done);
                }
                Err(e) => {
                    warn!(url = %task.url, error = %e, "ack failed; the task will be redelivered")
                }
            }
        } else {
            // Shutting down with outputs unconfirmed: leave it for redelivery.
            let _ = delivery.requeue().await;
        }
    }

    /// Publish what processing produced, each confirmed before the next: the article (when
    /// there is one), then the report. False when shutdown came first.
    async fn publish_outputs(&self, p: &Processed, stop: &CancellationToken) -> bool {
        if let Some(article) = &p.article {
            if !self.publish_article(article, stop).await {
                return false;
            }
        }
        self.publish_report(&p.report, stop).await
    }

    /// Publish an article on the articles exchange under its [`routing_key`], retrying until
    /// it is confirmed or `stop`.
    async fn publish_article(&self, article: &Article, stop: &CancellationToken) -> bool {
        let m = trawl_metrics::global();
        let payload = match serde_json::to_vec(article) {
            Ok(v) => v,
            Err(e) => {
                warn!(error = %e, "article not serializable");
                return false;
            }
        };
        let key = routing_key(article);
        let ok = retry_until_stopped(stop, "article", || {
            self.broker.publish_article(&key, &payload)
        })
        .await;
        if ok {
            // Also marks `publish` progress.
            m.article_published();
        }
        ok
    }

    /// Publish the report to the frontier, retrying until it is confirmed or `stop`.
    async fn publish_report(&self, report: &FetchReport, stop: &CancellationToken) -> bool {
        let payload = match serde_json::to_vec(report) {
            Ok(v) => v,
            Err(e) => {
                warn!(error = %e, "report not serializable");
                return false;
            }
        };
        retry_until_stopped(stop, "report", || {
            self.broker.publish(WorkQueue::Reports, &payload)
        })
        .await
    }

    /// Consume tasks until `stop`, then drain within the grace period.
    pub async fn run(&self, stop: CancellationToken) {
        let permits = Arc::new(Semaphore::new(self.cfg.concurrency.max(1)));
        let prefetch = self.cfg.concurrency.clamp(1, u16::MAX as usize) as u16;
        let mut in_flight = JoinSet::new();
        let mut backoff = trawl_core::Backoff::new();
        'outer: while !stop.is_cancelled() {
            let consumer = tokio::select! {
                _ = stop.cancelled() => break,
                c = self.broker.consume(WorkQueue::Tasks, prefetch) => c,
            };
            let mut consumer = match consumer {
                Ok(c) => c,
                Err(e) => {
                    let wait = backoff.next_delay();
                    warn!(error = %e, retry_in = ?wait, "cannot consume tasks");
                    tokio::select! {
                        _ = stop.cancelled() => break,
                        _ = tokio::time::sleep(wait) => {}
                    }
                    continue;
                }
            };
            backoff.reset();
            loop {
                let permit = tokio::select! {
                    _ = stop.cancelled() => break 'outer,
                    p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break 'outer },
                };
                let delivery = tokio::select! {
                    _ = stop.cancelled() => break 'outer,
                    d = consumer.next() => d,
                };
                let Some(delivery) = delivery else { break };
                let this = self.clone();
                let task_stop = stop.clone();
                in_flight.spawn(async move {
                    this.handle(delivery, &task_stop).await;
                    drop(permit);
                });
                while let Some(r) = in_flight.try_join_next() {
                    if let Err(e) = r {
                        warn!(error = %e, "task handler failed");
                    }
                }
            }
        }
        let n = in_flight.len();
        if n > 0 {
            info!(in_flight = n, grace = ?self.cfg.grace_period, "draining in-flight tasks");
        }
        let drained = tokio::time::timeout(self.cfg.grace_period, async {
            while in_flight.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            warn!(
                abandoned = in_flight.len(),
                "grace period over: abandoning in-flight tasks (they will be redelivered)"
            );
            in_flight.abort_all();
        }
        info!("worker stopped");
    }
}

/// What the body stage emits: the article to publish, or the earlier article it
/// near-duplicates (neither for pages that are not new articles).
#[derive(Debug, Default)]
struct Emitted {
    article: Option<Article>,
    duplicate_of: Option<String>,
}

/// The fetch request for `task`; `Err` when its URL does not parse. Seeds, sitemaps and feeds
/// are fetched for discovery and follow redirects; a page's redirect target is reported as a
/// link instead of fetched here, so the frontier fetches it only when it is new (an alias of
/// a page already fetched costs one request, not two).
fn fetch_request(task: &FetchTask) -> Result<FetchRequest, url::ParseError> {
    let url = url::Url::parse(&task.url)?;
    Ok(FetchRequest {
        url,
        etag: task.etag.clone(),
        last_modified: task.last_modified.clone(),
        purpose: match task.kind {
            TaskKind::Sitemap | TaskKind::Feed | TaskKind::Seed => Purpose::Discovery,
            TaskKind::Article | TaskKind::Listing => Purpose::Page,
        },
        follow_redirects: !matches!(task.kind, TaskKind::Article | TaskKind::Listing),
    })
}

/// A sitemap's URLs as links: nested sitemaps as sitemaps, entries with their publication
/// (or last modification) date. A sitemap that does not parse is a `process_error`.
fn sitemap_links(body: &[u8], base: &url::Url, report: &mut FetchReport) {
    match trawl_discover::parse_sitemap(body, base, trawl_discover::Limits::default()) {
        Ok(sm) => {
            for u in sm.sitemaps {
                report
                    .links
                    .push(DiscoveredLink::new(u, LinkKind::RobotsSitemap));
            }
            for u in sm.urls {
                report.links.push(DiscoveredLink {
                    published: u.publication_date.or(u.lastmod).map(|d| d.fixed_offset()),
                    ..DiscoveredLink::new(u.loc, LinkKind::Sitemap)
                });
            }
        }
        Err(e) => report.process_error = Some(format!("sitemap: {e}")),
    }
}

/// A feed's items as links, with their publication dates. A feed that does not parse is a
/// `process_error`.
fn feed_links(body: &[u8], base: &url::Url, report: &mut FetchReport) {
    match trawl_discover::parse_feed(body, base) {
        Ok(items) => {
            for it in items {
                report.links.push(DiscoveredLink {
                    published: it.published.map(|d| d.fixed_offset()),
                    ..DiscoveredLink::new(it.url, LinkKind::Feed)
                });
            }
        }
        Err(e) => report.process_error = Some(format!("feed: {e}")),
    }
}

/// What an extracted page tells the frontier: its outlinks, whether it is an article, its
/// id, fingerprint, canonical URL, publication time and the digest of its title and body
/// (which update checks compare).
fn describe_page(report: &mut FetchReport, article: &Article) {
    for l in &article.links {
        report
            .links
            .push(DiscoveredLink::new(l.clone(), LinkKind::Page));
    }
    report.is_article = article.is_article;
    report.article_id = Some(article.id.clone());
    report.content_fingerprint = Some(article.content_fingerprint.clone());
    report.canonical_url = article.canonical_url.clone();
    report.content_digest = Some(content_digest(article.title.as_deref(), &article.body));
    report.published_at = article.published_at;
}

struct ExtractFailure {
    message: String,
    permanent: bool,
}

/// Routing key of an article on the topic exchange: `<site>.<section>`, each part
/// reduced to `[a-z0-9_]` (dots in host names become `_`), `none` when unknown.
pub fn routing_key(article: &Article) -> String {
    let host = url::Url::parse(&article.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    format!(
        "{}.{}",
        slug(&host),
        slug(article.section.as_deref().unwrap_or(""))
    )
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "none".to_string()
    } else {
        out
    }
}

fn record_fetch_metrics(resp: &FetchResponse) {
    let m = trawl_metrics::global();
    m.fetch(
        resp.outcome,
        resp.status,
        resp.elapsed,
        resp.body.as_ref().map_or(0, |b| b.len() as u64),
    );
    if !resp.politeness_wait.is_zero() {
        m.politeness_wait(resp.politeness_wait);
    }
    use trawl_fetch::RobotsStatus;
    use trawl_metrics::RobotsDecision;
    match (resp.robots, resp.outcome) {
        (None | Some(RobotsStatus::Ignored), _) => {}
        (Some(RobotsStatus::Unreachable), _) => m.robots(RobotsDecision::Unavailable),
        (Some(_), FetchOutcome::RobotsDenied) => m.robots(RobotsDecision::Denied),
        (Some(_), _) => m.robots(RobotsDecision::Allowed),
    }
}

async fn retry_until_stopped<F, Fut>(stop: &CancellationToken, what: &str, mut op: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), QueueError>>,
{
    // The broker counts each publish call (`trawl_amqp_publish_total`) and its own retries.
    let mut backoff =
        trawl_core::Backoff::with(Duration::from_millis(100), Duration::from_secs(10));
    loop {
        match op().await {
            Ok(()) => return true,
            Err(e) => {
                if stop.is_cancelled() {
                    return false;
                }
                let wait = backoff.next_delay();
                debug!(error = %e, what, retry_in = ?wait, "publish failed; retrying");
                tokio::select! {
                    _ = stop.cancelled() => return false,
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_keys_are_two_bounded_words() {
        let mut a = Article::empty("https://www.Tass.com/politics/123");
        a.section = Some("Russian Politics & Diplomacy".into());
        assert_eq!(routing_key(&a), "tass_com.russian_politics_diplomacy");
        let b = Article::empty("https://news.test/a");
        assert_eq!(routing_key(&b), "news_test.none");
    }
}
