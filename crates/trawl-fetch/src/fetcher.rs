//! The [`Fetcher`]: one URL in, one named outcome out.

use bytes::{Bytes, BytesMut};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio::sync::Semaphore;
use trawl_core::{FetchOutcome, RedirectHop};
use trawl_warc::{HttpExchange, Truncation};
use url::{Host, Url};

use crate::config::FetchConfig;
use crate::decode::{BodyDecoder, Stop};
use crate::dns::{BlockedResolution, DnsFailure, GuardedResolver};
use crate::politeness::{Completion, HostState, PolitenessPolicy};
use crate::robots::{
    origin_key, robots_url, RobotsCache, RobotsDecision, RobotsFetch, RobotsRules, RobotsStatus,
};
use crate::ssrf::SsrfGuard;
use trawl_core::politeness::Response;

/// Why a [`Fetcher`] could not be built. Permanent (fix the configuration).
#[derive(Debug, Error)]
pub enum FetchError {
    #[error("invalid fetcher configuration: {0}")]
    Config(String),
    #[error("HTTP client could not be built: {0}")]
    Client(#[from] reqwest::Error),
}

/// What the body is for; decides which Content-Types are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// An article or listing page: HTML / XHTML.
    #[default]
    Page,
    /// Sitemaps and feeds: also XML, RSS, Atom, plain-text sitemaps and gzip files.
    Discovery,
}

/// One fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    pub url: Url,
    /// Validators from the last fetch of this URL (conditional GET).
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub purpose: Purpose,
    /// Follow redirects (the default). When false, the first redirect ends the fetch with
    /// outcome `redirect`, no error, the hop in `redirects` and its target in `final_url`, so
    /// the caller decides whether the target is worth a request (a crawler that already knows
    /// it does not fetch it again).
    pub follow_redirects: bool,
}

impl FetchRequest {
    pub fn new(url: Url, purpose: Purpose) -> Self {
        FetchRequest {
            url,
            etag: None,
            last_modified: None,
            purpose,
            follow_redirects: true,
        }
    }

    /// A page fetch of `url`.
    pub fn page(url: Url) -> Self {
        Self::new(url, Purpose::Page)
    }

    /// Parse `url` and make a page fetch.
    pub fn parse(url: &str) -> Result<Self, url::ParseError> {
        Ok(Self::page(Url::parse(url)?))
    }

    pub fn with_validators(mut self, etag: Option<String>, last_modified: Option<String>) -> Self {
        self.etag = etag;
        self.last_modified = last_modified;
        self
    }
}

/// The result of a fetch. `body` is set only for `ok`.
#[derive(Debug, Clone, Serialize)]
pub struct FetchResponse {
    pub outcome: FetchOutcome,
    /// Status of the last response received (absent when none arrived).
    pub status: Option<u16>,
    /// The URL of the last request (after redirects).
    pub final_url: Url,
    /// Every redirect followed: the URL that answered and its 3xx status.
    pub redirects: Vec<RedirectHop>,
    pub content_type: Option<String>,
    #[serde(skip)]
    pub body: Option<Bytes>,
    /// Decoded body size (for display; the body itself is not serialized).
    pub body_bytes: Option<usize>,
    /// Validators to keep for the next fetch (the request's own on 304).
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Wall time of the whole fetch, including robots, politeness waits and retries.
    #[serde(serialize_with = "crate::ser_secs", rename = "elapsed_seconds")]
    pub elapsed: Duration,
    /// HTTP attempts made (retries and redirect hops included; robots.txt not).
    pub attempts: u32,
    /// Retry-After of the last 429/503, if any.
    #[serde(serialize_with = "crate::ser_opt_secs", rename = "retry_after_seconds")]
    pub retry_after: Option<Duration>,
    /// Crawl-delay of the final URL's origin.
    #[serde(serialize_with = "crate::ser_opt_secs", rename = "crawl_delay_seconds")]
    pub crawl_delay: Option<Duration>,
    /// `Sitemap:` lines of the final URL's robots.txt.
    pub robots_sitemaps: Vec<String>,
    /// How robots.txt was judged for the last URL checked (`None` when not consulted).
    pub robots: Option<RobotsStatus>,
    /// Time spent waiting for the per-host politeness gate.
    #[serde(serialize_with = "crate::ser_secs", rename = "politeness_wait_seconds")]
    pub politeness_wait: Duration,
    /// Human-readable cause when the outcome is not ok / not_modified.
    pub error: Option<String>,
    /// Every HTTP exchange this fetch made (robots.txt when it was fetched for this URL,
    /// each redirect hop, each retry), in order; only from a capturing fetcher
    /// ([`Fetcher::capturing`]), for WARC archiving.
    #[serde(skip)]
    pub exchanges: Vec<HttpExchange>,
}

impl FetchResponse {
    fn new(url: Url) -> Self {
        FetchResponse {
            outcome: FetchOutcome::ConnectError,
            status: None,
            final_url: url,
            redirects: Vec::new(),
            content_type: None,
            body: None,
            body_bytes: None,
            etag: None,
            last_modified: None,
            elapsed: Duration::ZERO,
            attempts: 0,
            retry_after: None,
            crawl_delay: None,
            robots_sitemaps: Vec::new(),
            robots: None,
            politeness_wait: Duration::ZERO,
            error: None,
            exchanges: Vec::new(),
        }
    }
}

/// Monotonic counters for metrics (read with [`Fetcher::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FetcherStats {
    pub fetches: u64,
    pub attempts: u64,
    pub retries: u64,
    pub robots_fetches: u64,
    pub dns_lookups: u64,
    pub dns_cache_hits: u64,
    pub politeness_wait_micros: u64,
}

#[derive(Debug, Default)]
struct Counters {
    fetches: AtomicU64,
    attempts: AtomicU64,
    retries: AtomicU64,
    robots_fetches: AtomicU64,
    politeness_wait_micros: AtomicU64,
}

#[derive(Debug)]
struct HostGate {
    sem: Arc<Semaphore>,
    state: Mutex<HostState>,
}

type Validators = (Option<String>, Option<String>);

#[derive(Debug, Default)]
struct ValidatorCache {
    map: HashMap<String, Validators>,
    order: VecDeque<String>,
}

/// Exchanges recorded during one fetch (capture mode).
type ExchangeLog = Mutex<Vec<HttpExchange>>;

#[derive(Debug)]
struct Inner {
    cfg: FetchConfig,
    /// Record every HTTP exchange in `FetchResponse::exchanges` (content decoded by us).
    capture: bool,
    client: reqwest::Client,
    guard: SsrfGuard,
    resolver: GuardedResolver,
    policy: PolitenessPolicy,
    gates: Mutex<HashMap<String, Arc<HostGate>>>,
    robots: RobotsCache,
    validators: Mutex<ValidatorCache>,
    counters: Counters,
}

/// The fetcher. Cheap to clone (an `Arc` inside); share one per process.
#[derive(Debug, Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accept {
    Page,
    Discovery,
    Any,
}

#[derive(Debug)]
struct Resp {
    status: u16,
    location: Option<String>,
    content_type: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    retry_after: Option<Duration>,
    body: Option<Bytes>,
    /// 2xx whose body was refused (too_large, wrong_type).
    refused: Option<(FetchOutcome, String)>,
}

#[derive(Debug)]
enum Attempt {
    Response(Resp),
    Failed {
        outcome: FetchOutcome,
        error: String,
    },
}

const MAX_GATES: usize = 50_000;

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Retry-After: delta-seconds or an HTTP-date (relative to now).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.signed_duration_since(chrono::Utc::now());
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

fn accepts(accept: Accept, content_type: Option<&str>, url: &Url) -> bool {
    let Some(ct) = content_type else {
        // No Content-Type: let the consumer sniff.
        return true;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let html = matches!(mime.as_str(), "text/html" | "application/xhtml+xml");
    match accept {
        Accept::Any => true,
        Accept::Page => html,
        Accept::Discovery => {
            let path = url.path().to_ascii_lowercase();
            html || matches!(
                mime.as_str(),
                "application/xml"
                    | "text/xml"
                    | "application/rss+xml"
                    | "application/atom+xml"
                    | "application/rdf+xml"
                    | "text/plain"
                    | "application/gzip"
                    | "application/x-gzip"
            ) || (mime == "application/octet-stream"
                && (path.ends_with(".gz") || path.ends_with(".xml")))
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        src = c.source();
    }
    s
}

fn classify(e: &reqwest::Error) -> (FetchOutcome, String) {
    let msg = error_chain(e);
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if s.is::<BlockedResolution>() {
            return (FetchOutcome::BlockedAddress, msg);
        }
        if s.is::<DnsFailure>() {
            return (FetchOutcome::DnsError, msg);
        }
        src = s.source();
    }
    if e.is_timeout() {
        (FetchOutcome::Timeout, msg)
    } else {
        (FetchOutcome::ConnectError, msg)
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Marks the end of a gated request; records a completion even if the fetch is cancelled.
struct GateTicket {
    gate: Option<Arc<HostGate>>,
    policy: PolitenessPolicy,
    started: Instant,
    _permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl GateTicket {
    fn complete(&mut self, status: Option<u16>, retry_after: Option<Duration>, timed_out: bool) {
        if let Some(gate) = self.gate.take() {
            let end = Instant::now();
            let mut st = gate.state.lock().unwrap_or_else(|p| p.into_inner());
            self.policy.on_complete(
                &mut st,
                Completion {
                    end,
                    response: Response {
                        elapsed: end.saturating_duration_since(self.started),
                        status,
                        retry_after,
                        timed_out,
                    },
                },
            );
        }
    }
}

impl Drop for GateTicket {
    fn drop(&mut self) {
        self.complete(None, None, false);
    }
}

impl Fetcher {
    pub fn new(cfg: FetchConfig) -> Result<Fetcher, FetchError> {
        Self::build(cfg, false)
    }

    /// A fetcher that records every HTTP exchange it makes (request headers as sent,
    /// response headers as received, the decoded payload) in
    /// [`FetchResponse::exchanges`], for WARC archiving. Its client does not decode
    /// content itself (reqwest would drop `Content-Encoding` and `Content-Length`): it offers
    /// `gzip, deflate, br, zstd` and decodes them under the same decoded-size cap. Otherwise it behaves
    /// like [`Fetcher::new`].
    pub fn capturing(cfg: FetchConfig) -> Result<Fetcher, FetchError> {
        Self::build(cfg, true)
    }

    /// Whether this fetcher records exchanges.
    pub fn captures(&self) -> bool {
        self.inner.capture
    }

    fn build(cfg: FetchConfig, capture: bool) -> Result<Fetcher, FetchError> {
        if cfg.user_agent.product.trim().is_empty() {
            return Err(FetchError::Config("user_agent.product is empty".into()));
        }
        let ua = cfg.user_agent.header_value();
        HeaderValue::from_str(&ua).map_err(|e| {
            FetchError::Config(format!("user agent {ua:?} is not a header value: {e}"))
        })?;
        if cfg.total_timeout.is_zero() {
            return Err(FetchError::Config("total_timeout must be > 0".into()));
        }
        let guard = SsrfGuard::new(cfg.ssrf_guard, cfg.allow_cidrs.clone());
        let resolver = GuardedResolver::new(guard.clone(), cfg.dns_ttl);
        let mut builder = reqwest::Client::builder();
        if capture {
            builder = builder.no_gzip().no_brotli().no_deflate().no_zstd();
        }
        let client = builder
            .user_agent(ua)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(cfg.connect_timeout)
            .pool_max_idle_per_host(cfg.pool_max_idle_per_host)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .dns_resolver(Arc::new(resolver.clone()))
            .build()?;
        Ok(Fetcher {
            inner: Arc::new(Inner {
                policy: PolitenessPolicy::new(cfg.politeness.clone()),
                robots: RobotsCache::new(cfg.robots_cache_capacity),
                client,
                guard,
                resolver,
                gates: Mutex::new(HashMap::new()),
                validators: Mutex::new(ValidatorCache::default()),
                counters: Counters::default(),
                capture,
                cfg,
            }),
        })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.inner.cfg
    }

    /// The politeness policy in use (same type the frontier schedules with).
    pub fn policy(&self) -> &PolitenessPolicy {
        &self.inner.policy
    }

    /// Counter snapshot for metrics.
    pub fn stats(&self) -> FetcherStats {
        let c = &self.inner.counters;
        let (dns_lookups, dns_cache_hits) = self.inner.resolver.counters();
        FetcherStats {
            fetches: c.fetches.load(Ordering::Relaxed),
            attempts: c.attempts.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            robots_fetches: c.robots_fetches.load(Ordering::Relaxed),
            dns_lookups,
            dns_cache_hits,
            politeness_wait_micros: c.politeness_wait_micros.load(Ordering::Relaxed),
        }
    }

    /// The robots.txt decision for `url` when its origin's rules are already known (cached and
    /// fresh): no request is made. `None` when they are not known, or robots.txt is not obeyed.
    pub fn known_robots(&self, url: &Url) -> Option<RobotsDecision> {
        if !self.inner.cfg.respect_robots {
            return None;
        }
        self.inner.robots.peek(&origin_key(url)?, url)
    }

    /// The robots.txt decision for `url` (fetching and caching the origin's file if needed).
    pub async fn robots(&self, url: &Url) -> RobotsDecision {
        self.robots_with_note(url, None).await.0
    }

    async fn robots_with_note(
        &self,
        url: &Url,
        log: Option<&ExchangeLog>,
    ) -> (RobotsDecision, Option<String>) {
        if !self.inner.cfg.respect_robots {
            return (RobotsDecision::ignored(), None);
        }
        let Some(origin) = origin_key(url) else {
            return (
                RobotsDecision {
                    allowed: false,
                    status: RobotsStatus::Unreachable,
                    crawl_delay: None,
                    sitemaps: Vec::new(),
                },
                Some("URL has no origin".into()),
            );
        };
        self.inner
            .robots
            .get_or_fetch(&origin, url, || self.fetch_robots(url, log))
            .await
    }

    async fn fetch_robots(&self, url: &Url, log: Option<&ExchangeLog>) -> (RobotsRules, Duration) {
        let cfg = &self.inner.cfg;
        let agent = cfg.user_agent.product.as_str();
        let fetched = self.fetch_robots_body(url, log).await;
        let rules = RobotsRules::from_fetch(agent, fetched);
        let ttl = match rules.status() {
            RobotsStatus::Unreachable => cfg.robots_error_ttl,
            _ => cfg.robots_ttl,
        };
        tracing::debug!(url = %url, status = rules.status().as_str(), "robots.txt");
        (rules, ttl)
    }

    async fn fetch_robots_body(&self, url: &Url, log: Option<&ExchangeLog>) -> RobotsFetch {
        let cfg = &self.inner.cfg;
        let Some(mut u) = robots_url(url) else {
            return RobotsFetch::Failed("no robots.txt URL".into());
        };
        for _ in 0..=cfg.robots_max_redirects {
            if let Err(b) = self.inner.guard.check_url(&u) {
                return RobotsFetch::Failed(format!("robots.txt at {u}: {b}"));
            }
            self.inner
                .counters
                .robots_fetches
                .fetch_add(1, Ordering::Relaxed);
            // robots.txt is a request to the host like any other: it goes through the
            // politeness gate, so the first page fetch after it waits its turn (and the
            // Crawl-delay it announces, which is applied before that page is let through).
            let host = u.host_str().unwrap_or("").to_ascii_lowercase();
            let mut scratch = FetchResponse::new(u.clone());
            let mut ticket = self.enter(&host, &mut scratch).await;
            let attempt = self
                .attempt(
                    &u,
                    (None, None),
                    Accept::Any,
                    cfg.robots_max_bytes,
                    true,
                    log,
                )
                .await;
            match &attempt {
                Attempt::Response(r) => ticket.complete(Some(r.status), r.retry_after, false),
                Attempt::Failed { outcome, .. } => {
                    ticket.complete(None, None, *outcome == FetchOutcome::Timeout)
                }
            }
            drop(ticket);
            match attempt {
                Attempt::Failed { error, .. } => {
                    return RobotsFetch::Failed(format!("robots.txt at {u}: {error}"))
                }
                Attempt::Response(r) => match (is_redirect(r.status), r.location) {
                    (true, Some(loc)) => match u.join(&loc) {
                        Ok(next) => u = next,
                        Err(e) => {
                            return RobotsFetch::Failed(format!("robots.txt bad Location: {e}"))
                        }
                    },
                    _ => {
                        return RobotsFetch::Response {
                            status: r.status,
                            body: r.body.unwrap_or_default(),
                        }
                    }
                },
            }
        }
        // RFC 9309 §2.3.1.2: more than five redirects MAY be treated as unavailable.
        RobotsFetch::Response {
            status: 404,
            body: Bytes::new(),
        }
    }

    fn gate(&self, host: &str) -> Arc<HostGate> {
        let mut gates = self.inner.gates.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(g) = gates.get(host) {
            return g.clone();
        }
        if gates.len() >= MAX_GATES {
            let now = Instant::now();
            let policy = &self.inner.policy;
            gates.retain(|_, g| {
                Arc::strong_count(g) > 1
                    || !policy
                        .wait(&g.state.lock().unwrap_or_else(|p| p.into_inner()), now)
                        .is_zero()
            });
        }
        let g = Arc::new(HostGate {
            sem: Arc::new(Semaphore::new(
                self.inner.cfg.politeness.max_in_flight_per_host.max(1) as usize,
            )),
            state: Mutex::new(HostState::default()),
        });
        gates.insert(host.to_string(), g.clone());
        g
    }

    fn set_crawl_delay(&self, host: &str, crawl_delay: Option<Duration>) {
        if !self.inner.cfg.politeness.enabled {
            return;
        }
        let g = self.gate(host);
        let mut st = g.state.lock().unwrap_or_else(|p| p.into_inner());
        self.inner.policy.set_crawl_delay(&mut st, crawl_delay);
    }

    /// Wait for the host's politeness gate; returns a ticket to complete when the request ends.
    async fn enter(&self, host: &str, resp: &mut FetchResponse) -> GateTicket {
        let policy = self.inner.policy.clone();
        if !self.inner.cfg.politeness.enabled {
            return GateTicket {
                gate: None,
                policy,
                started: Instant::now(),
                _permit: None,
            };
        }
        let gate = self.gate(host);
        let waited_from = Instant::now();
        let permit = gate.sem.clone().acquire_owned().await.ok();
        loop {
            let wait = {
                let mut st = gate.state.lock().unwrap_or_else(|p| p.into_inner());
                let w = policy.wait(&st, Instant::now());
                if w.is_zero() {
                    policy.on_start(&mut st);
                }
                w
            };
            if wait.is_zero() {
                break;
            }
            tokio::time::sleep(wait).await;
        }
        let waited = waited_from.elapsed();
        resp.politeness_wait += waited;
        self.inner
            .counters
            .politeness_wait_micros
            .fetch_add(waited.as_micros() as u64, Ordering::Relaxed);
        GateTicket {
            gate: Some(gate),
            policy,
            started: Instant::now(),
            _permit: permit,
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        let cfg = &self.inner.cfg;
        trawl_core::backoff::jittered(cfg.retry_base_delay, cfg.retry_max_delay, retry)
    }

    /// One HTTP GET, no redirects followed, body streamed under `cap`. With `log` (capture
    /// mode), the exchange is appended to it, whatever the outcome once headers arrived.
    async fn attempt(
        &self,
        url: &Url,
        validators: (Option<&str>, Option<&str>),
        accept: Accept,
        cap: u64,
        truncate: bool,
        log: Option<&ExchangeLog>,
    ) -> Attempt {
        let cfg = &self.inner.cfg;
        let deadline = tokio::time::Instant::now() + cfg.total_timeout;
        let sent_at = chrono::Utc::now();
        let mut rb = self.inner.client.get(url.clone());
        let mut request_headers: Vec<(String, Vec<u8>)> = Vec::new();
        if log.is_some() {
            let host = match (url.host_str(), url.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_string(),
                (None, _) => String::new(),
            };
            request_headers.push(("Host".into(), host.into_bytes()));
            request_headers.push((
                "User-Agent".into(),
                cfg.user_agent.header_value().into_bytes(),
            ));
            request_headers.push(("Accept".into(), b"*/*".to_vec()));
            request_headers.push((
                "Accept-Encoding".into(),
                crate::decode::ACCEPT_ENCODING.as_bytes().to_vec(),
            ));
            rb = rb.header(
                header::ACCEPT_ENCODING,
                HeaderValue::from_static(crate::decode::ACCEPT_ENCODING),
            );
        }
        if let Some(v) = validators.0.and_then(|e| HeaderValue::from_str(e).ok()) {
            request_headers.push(("If-None-Match".into(), v.as_bytes().to_vec()));
            rb = rb.header(header::IF_NONE_MATCH, v);
        }
        if let Some(v) = validators.1.and_then(|e| HeaderValue::from_str(e).ok()) {
            request_headers.push(("If-Modified-Since".into(), v.as_bytes().to_vec()));
            rb = rb.header(header::IF_MODIFIED_SINCE, v);
        }
        let first_byte = cfg.first_byte_timeout.min(cfg.total_timeout);
        let mut r = match tokio::time::timeout(first_byte, rb.send()).await {
            Err(_) => {
                return Attempt::Failed {
                    outcome: FetchOutcome::Timeout,
                    error: format!("no response headers within {first_byte:?}"),
                }
            }
            Ok(Err(e)) => {
                let (outcome, error) = classify(&e);
                return Attempt::Failed { outcome, error };
            }
            Ok(Ok(r)) => r,
        };
        let status = r.status().as_u16();
        let h = r.headers();
        let mut resp = Resp {
            status,
            location: header_str(h, header::LOCATION),
            content_type: header_str(h, header::CONTENT_TYPE),
            etag: header_str(h, header::ETAG),
            last_modified: header_str(h, header::LAST_MODIFIED),
            retry_after: header_str(h, header::RETRY_AFTER)
                .as_deref()
                .and_then(parse_retry_after),
            body: None,
            refused: None,
        };
        let mut exchange = log.map(|_| HttpExchange {
            url: url.to_string(),
            method: "GET".into(),
            version: http_version(r.version()),
            request_headers,
            status,
            reason: r.status().canonical_reason().unwrap_or("").to_string(),
            response_headers: h
                .iter()
                .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
                .collect(),
            payload: Bytes::new(),
            decoded: false,
            truncated: None,
            ip: r.remote_addr().map(|a| a.ip()),
            date: sent_at,
        });
        let content_encoding = header_str(h, header::CONTENT_ENCODING);
        let record = |ex: Option<HttpExchange>| {
            if let (Some(log), Some(ex)) = (log, ex) {
                log.lock().unwrap_or_else(|p| p.into_inner()).push(ex);
            }
        };
        if !(200..300).contains(&status) {
            if let Some(mut ex) = exchange {
                // Archived exchanges keep the (small) bodies of redirects and errors too,
                // bounded in size and time so that a slow error page cannot stall the fetch.
                let short = deadline.min(tokio::time::Instant::now() + Duration::from_secs(5));
                let (payload, decoded, cut) =
                    read_capped(&mut r, content_encoding.as_deref(), 64 * 1024, short).await;
                ex.payload = payload;
                ex.decoded = decoded;
                ex.truncated = cut;
                record(Some(ex));
            }
            return Attempt::Response(resp);
        }
        if !accepts(accept, resp.content_type.as_deref(), url) {
            resp.refused = Some((
                FetchOutcome::WrongType,
                format!(
                    "Content-Type {:?} is not accepted",
                    resp.content_type.as_deref().unwrap_or("")
                ),
            ));
            if let Some(ex) = exchange.as_mut() {
                ex.truncated = Some(Truncation::Unspecified);
            }
            record(exchange);
            return Attempt::Response(resp);
        }
        let encoded = h.contains_key(header::CONTENT_ENCODING);
        let declared = header_str(h, header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
        if !truncate && !encoded && declared.is_some_and(|n| n > cap) {
            resp.refused = Some((
                FetchOutcome::TooLarge,
                format!(
                    "Content-Length {} exceeds the {cap}-byte cap",
                    declared.unwrap_or(0)
                ),
            ));
            if let Some(ex) = exchange.as_mut() {
                ex.truncated = Some(Truncation::Length);
            }
            record(exchange);
            return Attempt::Response(resp);
        }
        let cap_usize = usize::try_from(cap).unwrap_or(usize::MAX);
        // Capture mode: the client does not decode; we do, under the same cap.
        let mut decoder = exchange
            .as_ref()
            .map(|_| BodyDecoder::new(content_encoding.as_deref(), cap_usize));
        let mut buf =
            BytesMut::with_capacity(declared.unwrap_or(16 * 1024).min(cap).min(1 << 20) as usize);
        // Ends the capture of a body cut short: what was decoded, and why it stopped.
        let cut_short =
            |decoder: Option<(BodyDecoder, bool)>, ex: Option<HttpExchange>, why: Truncation| {
                if let (Some((d, decodes)), Some(mut ex)) = (decoder, ex) {
                    ex.payload = Bytes::from(d.finish().unwrap_or_else(|(_, partial)| partial));
                    ex.decoded = decodes;
                    ex.truncated = Some(why);
                    record(Some(ex));
                }
            };
        loop {
            let len = match &decoder {
                Some((d, _)) => d.decoded_len(),
                None => buf.len(),
            };
            match tokio::time::timeout_at(deadline, r.chunk()).await {
                Err(_) => {
                    cut_short(decoder, exchange, Truncation::Time);
                    return Attempt::Failed {
                        outcome: FetchOutcome::Timeout,
                        error: format!(
                            "body incomplete after the {:?} total timeout ({len} bytes read)",
                            cfg.total_timeout,
                        ),
                    };
                }
                Ok(Err(e)) => {
                    cut_short(decoder, exchange, Truncation::Disconnect);
                    let (outcome, error) = classify(&e);
                    return Attempt::Failed {
                        outcome,
                        error: format!("reading body after {len} bytes: {error}"),
                    };
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => {
                    if let Some((d, _)) = decoder.as_mut() {
                        match d.push(&chunk) {
                            Ok(()) => continue,
                            Err(Stop::Full) if truncate => break,
                            Err(Stop::Full) => {
                                cut_short(decoder, exchange, Truncation::Length);
                                resp.refused = Some((
                                    FetchOutcome::TooLarge,
                                    format!(
                                        "decoded body exceeds the {cap}-byte cap; stopped reading"
                                    ),
                                ));
                                return Attempt::Response(resp);
                            }
                            Err(Stop::Corrupt(e)) => {
                                cut_short(decoder, exchange, Truncation::Unspecified);
                                return Attempt::Failed {
                                    outcome: FetchOutcome::ConnectError,
                                    error: format!(
                                        "reading body after {len} bytes: error decoding response body: {e}"
                                    ),
                                };
                            }
                        }
                    }
                    if buf.len() + chunk.len() > cap_usize {
                        if truncate {
                            let room = cap_usize - buf.len();
                            buf.extend_from_slice(&chunk[..room]);
                            break;
                        }
                        resp.refused = Some((
                            FetchOutcome::TooLarge,
                            format!("decoded body exceeds the {cap}-byte cap; stopped reading"),
                        ));
                        return Attempt::Response(resp);
                    }
                    buf.extend_from_slice(&chunk);
                }
            }
        }
        if let Some((d, decodes)) = decoder {
            let full = d.decoded_len() >= cap_usize;
            let body = match d.finish() {
                Ok(b) => b,
                Err((Stop::Full, partial)) => partial,
                Err((Stop::Corrupt(e), partial)) => {
                    if let Some(mut ex) = exchange {
                        ex.payload = Bytes::from(partial);
                        ex.decoded = decodes;
                        ex.truncated = Some(Truncation::Unspecified);
                        record(Some(ex));
                    }
                    return Attempt::Failed {
                        outcome: FetchOutcome::ConnectError,
                        error: format!("error decoding response body: {e}"),
                    };
                }
            };
            let body = Bytes::from(body);
            if let Some(mut ex) = exchange {
                ex.payload = body.clone();
                ex.decoded = decodes;
                if truncate && full {
                    ex.truncated = Some(Truncation::Length);
                }
                record(Some(ex));
            }
            resp.body = Some(body);
            return Attempt::Response(resp);
        }
        resp.body = Some(buf.freeze());
        Attempt::Response(resp)
    }

    /// One URL (no redirect following) with politeness and retries.
    async fn hop(
        &self,
        url: &Url,
        validators: (Option<&str>, Option<&str>),
        accept: Accept,
        resp: &mut FetchResponse,
        log: Option<&ExchangeLog>,
    ) -> Attempt {
        let cfg = &self.inner.cfg;
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let mut retry = 0u32;
        loop {
            let mut ticket = self.enter(&host, resp).await;
            let a = self
                .attempt(url, validators, accept, cfg.max_body_bytes, false, log)
                .await;
            resp.attempts += 1;
            self.inner.counters.attempts.fetch_add(1, Ordering::Relaxed);
            let (status, retry_after, timed_out) = match &a {
                Attempt::Response(r) => (Some(r.status), r.retry_after, false),
                Attempt::Failed { outcome, .. } => (None, None, *outcome == FetchOutcome::Timeout),
            };
            ticket.complete(status, retry_after, timed_out);
            drop(ticket);
            if retry_after.is_some() {
                resp.retry_after = retry_after;
            }
            let retryable = match &a {
                Attempt::Failed { outcome, .. } => {
                    matches!(outcome, FetchOutcome::Timeout | FetchOutcome::ConnectError)
                }
                Attempt::Response(r) => r.status >= 500 || r.status == 408 || r.status == 429,
            };
            if !retryable || retry >= cfg.max_retries {
                return a;
            }
            if retry_after.is_some_and(|ra| ra > cfg.retry_max_delay) {
                // The server asks for a longer pause than we retry within: hand it back.
                return a;
            }
            let wait = self
                .backoff(retry)
                .max(retry_after.unwrap_or(Duration::ZERO));
            retry += 1;
            self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(url = %url, retry, ?wait, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    fn cached_validators(&self, url: &Url) -> Validators {
        if self.inner.cfg.validator_cache_capacity == 0 {
            return (None, None);
        }
        let vc = self
            .inner
            .validators
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        vc.map.get(url.as_str()).cloned().unwrap_or((None, None))
    }

    fn remember_validators(&self, url: &Url, v: Validators) {
        let cap = self.inner.cfg.validator_cache_capacity;
        if cap == 0 || (v.0.is_none() && v.1.is_none()) {
            return;
        }
        let mut vc = self
            .inner
            .validators
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let key = url.as_str().to_string();
        if vc.map.insert(key.clone(), v).is_none() {
            vc.order.push_back(key);
            while vc.order.len() > cap {
                if let Some(old) = vc.order.pop_front() {
                    vc.map.remove(&old);
                }
            }
        }
    }

    /// Pre-resolve a host name so DNS failures and blocked resolutions get their own outcome
    /// (instead of surfacing as an unreachable robots.txt). Warms the DNS cache.
    async fn check_resolution(&self, url: &Url) -> Result<(), (FetchOutcome, String)> {
        let Some(Host::Domain(host)) = url.host() else {
            return Ok(());
        };
        match self.inner.resolver.resolve_host(host).await {
            Ok(_) => Ok(()),
            Err(e) if e.is::<BlockedResolution>() => {
                Err((FetchOutcome::BlockedAddress, e.to_string()))
            }
            Err(e) => Err((FetchOutcome::DnsError, e.to_string())),
        }
    }

    /// Fetch one URL: SSRF guard, robots.txt, politeness, redirects, retries, limits.
    /// Never fails: the outcome says how it ended.
    pub async fn fetch(&self, req: FetchRequest) -> FetchResponse {
        let started = Instant::now();
        self.inner.counters.fetches.fetch_add(1, Ordering::Relaxed);
        let cfg = &self.inner.cfg;
        let mut resp = FetchResponse::new(req.url.clone());
        let validators = if req.etag.is_some() || req.last_modified.is_some() {
            (req.etag.clone(), req.last_modified.clone())
        } else {
            self.cached_validators(&req.url)
        };
        let accept = match req.purpose {
            Purpose::Page => Accept::Page,
            Purpose::Discovery => Accept::Discovery,
        };
        let mut url = req.url.clone();
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(url.as_str().to_string());
        let log: Option<ExchangeLog> = self.inner.capture.then(|| Mutex::new(Vec::new()));
        let (outcome, error) = loop {
            resp.final_url = url.clone();
            if let Err(b) = self.inner.guard.check_url(&url) {
                break (FetchOutcome::BlockedAddress, Some(b.to_string()));
            }
            if let Err((o, e)) = self.check_resolution(&url).await {
                break (o, Some(e));
            }
            let host = url.host_str().unwrap_or("").to_ascii_lowercase();
            if cfg.respect_robots {
                let (d, note) = self.robots_with_note(&url, log.as_ref()).await;
                resp.robots = Some(d.status);
                resp.crawl_delay = d.crawl_delay;
                resp.robots_sitemaps = d.sitemaps;
                self.set_crawl_delay(&host, d.crawl_delay);
                if !d.allowed {
                    let why = match note {
                        Some(n) => format!("robots.txt unreachable, retry later: {n}"),
                        None => "disallowed by robots.txt".to_string(),
                    };
                    break (FetchOutcome::RobotsDenied, Some(why));
                }
            }
            let first = resp.redirects.is_empty();
            let v = if first {
                (validators.0.as_deref(), validators.1.as_deref())
            } else {
                (None, None)
            };
            let r = match self.hop(&url, v, accept, &mut resp, log.as_ref()).await {
                Attempt::Failed { outcome, error } => break (outcome, Some(error)),
                Attempt::Response(r) => r,
            };
            resp.status = Some(r.status);
            resp.content_type = r.content_type.clone();
            if is_redirect(r.status) || (300..400).contains(&r.status) && r.status != 304 {
                let Some(loc) = r.location else {
                    break (
                        FetchOutcome::Redirect,
                        Some(format!("HTTP {} without a Location", r.status)),
                    );
                };
                let next = match url.join(&loc) {
                    Ok(n) => n,
                    Err(e) => {
                        break (
                            FetchOutcome::Redirect,
                            Some(format!("bad Location {loc:?}: {e}")),
                        )
                    }
                };
                resp.redirects.push(RedirectHop {
                    url: url.to_string(),
                    status: r.status,
                });
                if !req.follow_redirects {
                    resp.final_url = next;
                    break (FetchOutcome::Redirect, None);
                }
                if resp.redirects.len() > cfg.max_redirects as usize {
                    resp.final_url = next;
                    break (
                        FetchOutcome::Redirect,
                        Some(format!("more than {} redirects", cfg.max_redirects)),
                    );
                }
                if !seen.insert(next.as_str().to_string()) {
                    resp.final_url = next;
                    break (FetchOutcome::Redirect, Some("redirect loop".to_string()));
                }
                url = next;
                continue;
            }
            match r.status {
                304 => {
                    resp.etag = r.etag.or(validators.0.clone());
                    resp.last_modified = r.last_modified.or(validators.1.clone());
                    break (FetchOutcome::NotModified, None);
                }
                200..=299 => {
                    resp.etag = r.etag;
                    resp.last_modified = r.last_modified;
                    if let Some((o, e)) = r.refused {
                        break (o, Some(e));
                    }
                    resp.body_bytes = r.body.as_ref().map(|b| b.len());
                    resp.body = r.body;
                    break (FetchOutcome::Ok, None);
                }
                400..=499 => {
                    break (
                        FetchOutcome::ClientError,
                        Some(format!("HTTP {}", r.status)),
                    )
                }
                500..=599 => {
                    break (
                        FetchOutcome::ServerError,
                        Some(format!("HTTP {}", r.status)),
                    )
                }
                s => {
                    break (
                        FetchOutcome::ClientError,
                        Some(format!("unexpected HTTP {s}")),
                    )
                }
            }
        };
        resp.outcome = outcome;
        resp.error = error;
        if matches!(outcome, FetchOutcome::Ok | FetchOutcome::NotModified) {
            self.remember_validators(&req.url, (resp.etag.clone(), resp.last_modified.clone()));
        }
        if let Some(log) = log {
            resp.exchanges = log.into_inner().unwrap_or_else(|p| p.into_inner());
        }
        resp.elapsed = started.elapsed();
        resp
    }
}

/// The protocol of a response's status line, as written in the archive.
fn http_version(v: reqwest::Version) -> String {
    match v {
        reqwest::Version::HTTP_09 => "HTTP/0.9",
        reqwest::Version::HTTP_10 => "HTTP/1.0",
        reqwest::Version::HTTP_2 => "HTTP/2",
        reqwest::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
    .to_string()
}

/// Read (and decode) a body for the archive only, up to `cap` decoded bytes and `deadline`;
/// returns the payload, whether it was decoded, and why it is incomplete.
async fn read_capped(
    r: &mut reqwest::Response,
    content_encoding: Option<&str>,
    cap: usize,
    deadline: tokio::time::Instant,
) -> (Bytes, bool, Option<Truncation>) {
    let (mut d, decodes) = BodyDecoder::new(content_encoding, cap);
    let mut cut = None;
    loop {
        match tokio::time::timeout_at(deadline, r.chunk()).await {
            Err(_) => {
                cut = Some(Truncation::Time);
                break;
            }
            Ok(Err(_)) => {
                cut = Some(Truncation::Disconnect);
                break;
            }
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => match d.push(&chunk) {
                Ok(()) => {}
                Err(Stop::Full) => {
                    cut = Some(Truncation::Length);
                    break;
                }
                Err(Stop::Corrupt(_)) => {
                    cut = Some(Truncation::Unspecified);
                    break;
                }
            },
        }
    }
    let body = match d.finish() {
        Ok(b) => b,
        Err((Stop::Full, b)) => {
            cut = cut.or(Some(Truncation::Length));
            b
        }
        Err((Stop::Corrupt(_), b)) => {
            cut = cut.or(Some(Truncation::Unspecified));
            b
        }
    };
    (Bytes::from(body), decodes, cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        let d = parse_retry_after(&later).unwrap();
        assert!(
            d > Duration::from_secs(80) && d <= Duration::from_secs(90),
            "{d:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-5"), None);
    }

    #[test]
    fn content_type_filter() {
        let u = Url::parse("http://a.test/sitemap.xml.gz").unwrap();
        assert!(accepts(Accept::Page, Some("text/html; charset=utf-8"), &u));
        assert!(accepts(Accept::Page, Some("application/xhtml+xml"), &u));
        assert!(accepts(Accept::Page, None, &u));
        assert!(!accepts(Accept::Page, Some("application/pdf"), &u));
        assert!(!accepts(Accept::Page, Some("application/rss+xml"), &u));
        assert!(accepts(Accept::Discovery, Some("application/rss+xml"), &u));
        assert!(accepts(Accept::Discovery, Some("application/atom+xml"), &u));
        assert!(accepts(Accept::Discovery, Some("text/xml"), &u));
        assert!(accepts(Accept::Discovery, Some("application/x-gzip"), &u));
        assert!(accepts(
            Accept::Discovery,
            Some("application/octet-stream"),
            &u
        ));
        let page = Url::parse("http://a.test/a.bin").unwrap();
        assert!(!accepts(
            Accept::Discovery,
            Some("application/octet-stream"),
            &page
        ));
        assert!(!accepts(Accept::Discovery, Some("image/png"), &u));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let f = Fetcher::new(FetchConfig {
            retry_base_delay: Duration::from_millis(100),
            retry_max_delay: Duration::from_secs(1),
            ..FetchConfig::default()
        })
        .unwrap();
        for _ in 0..20 {
            let b0 = f.backoff(0);
            assert!(b0 >= Duration::from_millis(50) && b0 <= Duration::from_millis(100));
            let b2 = f.backoff(2);
            assert!(b2 >= Duration::from_millis(200) && b2 <= Duration::from_millis(400));
            let b30 = f.backoff(30);
            assert!(b30 >= Duration::from_millis(500) && b30 <= Duration::from_secs(1));
        }
    }

    #[test]
    fn bad_config_is_an_error() {
        let mut c = FetchConfig::default();
        c.user_agent.product = " ".into();
        assert!(matches!(Fetcher::new(c), Err(FetchError::Config(_))));
        let mut c = FetchConfig::default();
        c.user_agent.contact_url = "bad\nheader".into();
        assert!(Fetcher::new(c).is_err());
    }
}
