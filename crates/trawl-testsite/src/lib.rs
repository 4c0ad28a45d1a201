//! A local multi-host news website for end-to-end tests, benchmarks and the Scrapy comparison.
//!
//! [`TestSite::start`] binds one HTTP server per host, each on its own loopback address
//! (127.0.0.2, 127.0.0.3, …; Linux routes all of 127/8 to `lo`), so per-origin robots.txt and
//! per-host politeness behave as they do on the real web. Content is generated deterministically
//! from (host index, article index), so any size of site is cheap and every run is the same.
//!
//! # What each host serves
//!
//! | path | what |
//! | --- | --- |
//! | `/` | home: section menu, the 10 latest articles, a "More" box with the special links below, partner (other host) links |
//! | `/section/<s>[?page=N]` | listing of one of 6 sections, newest first, at most 3 pages (page size grows with the site) |
//! | `/news/<section>/<slug>` | an article (canonical URL; `<link rel=canonical>` to itself) |
//! | `/robots.txt` | `Disallow: /private/`, `Crawl-delay` when set, a `Sitemap:` line (feature `robots`) |
//! | `/private/...` | robots-disallowed pages, linked from every page; they look like articles |
//! | `/sitemap.xml` → `/sitemaps/articles-K.xml` | sitemap index → urlsets of 500 articles (with news: tags) (feature `sitemap`) |
//! | `/feed.xml` | RSS 2.0, the 20 latest articles (feature `feed`) |
//! | `/old/<slug>` | 301 → the article; `/moved/<slug>` is 302 → `/old/<slug>` → 301 → article (feature `redirects`) |
//! | links with `?utm_*`, `#comments`, `HTTP://ip:0port/…`, `/news/./…%2D…` | duplicate spellings of article URLs (feature `duplicates`) |
//! | `/print/<slug>` | the article with print chrome and `<link rel=canonical>` to the real URL (feature `canonical`) |
//! | `/calendar?date=YYYY-MM-DD` | endless calendar, each day links the previous and next (feature `calendar`) |
//! | `/files/report.pdf`, `/img/photo.jpg` | application/pdf and image/jpeg (feature `non_html`) |
//! | `/flaky/<slug>` | an article whose first request gets 503 (`Retry-After: 1`), later ones 200 (feature `flaky`) |
//! | `/amp/<slug>` | the same `<article>` as a real article, minimal chrome, no canonical link (feature `near_duplicate`) |
//! | `/s/<id>`, `/article.php?id=<i>`, `/news/<s>/<slug>/print`, `…/amp` | 301 to the article (feature `aliases`) |
//! | `/tag/<name>` | the 20 newest articles with a tag, linked from each article (feature `tags`) |
//! | `/archive[?page=N]` | every article, 10 per page, linked from every footer (feature `archive`) |
//! | two `/news/…` links per host | deleted articles: 404 and 410 (feature `dead_links`) |
//! | `<base href>` | tag and archive pages link articles relatively to it (feature `base_href`) |
//! | `ETag` / `304` | on every 200; `If-None-Match` honoured (feature `conditional_get`) |
//! | `/about`, `/static/site.css` | a plain page and a stylesheet |
//!
//! Only article pages (canonical, print, amp, flaky and `/private/`) contain an `<article>` element.
//!
//! # Live mode
//! With [`SiteSpec::publish_every`] every host publishes one new article per interval (hosts
//! staggered across it); it appears on the home page, section, tag and archive pages, the feed and
//! the news sitemap with its publication time; [`TestSite::publications`] lists them.
//!
//! # Expected articles
//! [`TestSite::expected_articles`] lists, for every host, each of its `articles_per_host` articles
//! once, at its canonical URL: the regular `/news/…` articles, the flaky article (`/flaky/<slug>`,
//! article 1 of each host when the feature is on), and the articles behind the print, amp and
//! redirect aliases (which are regular articles; the aliases are in [`ExpectedArticle::aliases`]).
//! Not articles: home, listings, calendar, about, files, `/private/` pages. Every expected article is
//! reachable from its host's home page by links within 3 hops (home → section → page N → article),
//! and from the sitemap.

mod gen;
mod pages;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use pages::Model;

/// Which traps and extras the site has. All on by default; [`TestSite::expected_articles`] and
/// [`TestSite::disallowed_paths`] follow the switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// `/robots.txt` with `Disallow: /private/` (and links to `/private/` pages), `Crawl-delay`
    /// when [`SiteSpec::crawl_delay`] is set. Off: `/robots.txt` is 404 and nothing links to `/private/`.
    pub robots: bool,
    /// `/sitemap.xml` (index) and its child urlsets; a `Sitemap:` line in robots.txt.
    pub sitemap: bool,
    /// `/feed.xml` RSS feed and `<link rel=alternate>` to it.
    pub feed: bool,
    /// `/old/<slug>` (301) and `/moved/<slug>` (302 → 301) links.
    pub redirects: bool,
    /// Links to articles with tracking parameters, `#comments`, `HTTP://ip:0port`, dot segments
    /// and `%2D`.
    pub duplicates: bool,
    /// A `/print/<slug>` copy whose canonical link points at the article.
    pub canonical: bool,
    /// The endless `/calendar?date=` trap.
    pub calendar: bool,
    /// Links to a PDF and a JPEG (and an `<img>` in articles).
    pub non_html: bool,
    /// Article 1 of each host lives at `/flaky/<slug>` and answers 503 once.
    pub flaky: bool,
    /// An `/amp/<slug>` copy with the same article body and no canonical link.
    pub near_duplicate: bool,
    /// Links between hosts (partner sites on the home page, related articles).
    pub cross_host: bool,
    /// Alias URLs that answer 301 with the canonical article URL: short links `/s/<id>` (share
    /// box of every article), legacy ids `/article.php?id=<i>` (related box), print and AMP
    /// renderings `/news/<section>/<slug>/print` (toolbar) and `…/amp` (two home teasers).
    pub aliases: bool,
    /// Tag pages `/tag/<name>`: every article links its two tags; a tag page lists the 20
    /// newest articles with that tag (all of them also reachable from sections).
    pub tags: bool,
    /// A paginated archive `/archive?page=N`, 10 articles per page, newest first, linked from
    /// every footer; each page links the previous and next.
    pub archive: bool,
    /// Links to deleted articles: `/news/world/<slug>` answers 404 and `/news/politics/<slug>`
    /// 410 ([`TestSite::dead_links`]), linked from the home page and from every fifth article.
    pub dead_links: bool,
    /// Tag and archive pages carry `<base href="<host>/news/">` and link articles relatively
    /// (`world/<slug>`): resolved against the page URL instead, they are 404s.
    pub base_href: bool,
    /// `ETag` on every 200 response, and `304 Not Modified` when a GET's `If-None-Match`
    /// matches it.
    pub conditional_get: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            robots: true,
            sitemap: true,
            feed: true,
            redirects: true,
            duplicates: true,
            canonical: true,
            calendar: true,
            non_html: true,
            flaky: true,
            near_duplicate: true,
            cross_host: true,
            aliases: true,
            tags: true,
            archive: true,
            dead_links: true,
            base_href: true,
            conditional_get: true,
        }
    }
}

impl Features {
    /// Every feature off: plain home, listings and articles only.
    pub fn none() -> Features {
        Features {
            robots: false,
            sitemap: false,
            feed: false,
            redirects: false,
            duplicates: false,
            canonical: false,
            calendar: false,
            non_html: false,
            flaky: false,
            near_duplicate: false,
            cross_host: false,
            aliases: false,
            tags: false,
            archive: false,
            dead_links: false,
            base_href: false,
            conditional_get: false,
        }
    }

    /// Feature names, as accepted by [`Features::set`].
    pub const NAMES: &'static [&'static str] = &[
        "robots",
        "sitemap",
        "feed",
        "redirects",
        "duplicates",
        "canonical",
        "calendar",
        "non_html",
        "flaky",
        "near_duplicate",
        "cross_host",
        "aliases",
        "tags",
        "archive",
        "dead_links",
        "base_href",
        "conditional_get",
    ];

    /// Switch one feature by name; an unknown name is an error naming the known ones.
    pub fn set(&mut self, name: &str, on: bool) -> Result<(), String> {
        let slot = match name {
            "robots" => &mut self.robots,
            "sitemap" => &mut self.sitemap,
            "feed" => &mut self.feed,
            "redirects" => &mut self.redirects,
            "duplicates" => &mut self.duplicates,
            "canonical" => &mut self.canonical,
            "calendar" => &mut self.calendar,
            "non_html" => &mut self.non_html,
            "flaky" => &mut self.flaky,
            "near_duplicate" => &mut self.near_duplicate,
            "cross_host" => &mut self.cross_host,
            "aliases" => &mut self.aliases,
            "tags" => &mut self.tags,
            "archive" => &mut self.archive,
            "dead_links" => &mut self.dead_links,
            "base_href" => &mut self.base_href,
            "conditional_get" => &mut self.conditional_get,
            other => {
                return Err(format!(
                    "unknown feature {other:?}; known: {}",
                    Features::NAMES.join(", ")
                ))
            }
        };
        *slot = on;
        Ok(())
    }
}

/// The shape of the site.
#[derive(Debug, Clone)]
pub struct SiteSpec {
    /// Number of hosts (1..=60,000), each on its own loopback address.
    pub hosts: usize,
    /// Articles per host.
    pub articles_per_host: usize,
    /// Traps and extras.
    pub features: Features,
    /// `Crawl-delay` in robots.txt, in seconds (every host the same). Needs `features.robots`.
    pub crawl_delay: Option<f64>,
    /// Added to every response before it is sent.
    pub latency: Duration,
    /// Port for every host (0 or `None`: the first host picks a free port and the others try the
    /// same one, each falling back to its own free port).
    pub port: Option<u16>,
    /// Live mode: every host publishes one new article per this interval (hosts staggered
    /// evenly across it), which appears at once on the home page, its section, tag and archive
    /// pages, the feed and the news sitemap, with its publication time
    /// ([`TestSite::publications`]). `None`: the site never changes. At least 10 ms.
    pub publish_every: Option<Duration>,
    /// Corrections: every fifth article of each host (indices 3, 8, …; [`TestSite::corrections`])
    /// gains a correction paragraph at the end of its body and a later `dateModified` this long
    /// after its publication (after the start, for the initial articles, dated in the past): a
    /// changed page that an update check must publish again with a higher `version`. `None`:
    /// articles never change.
    pub correct_after: Option<Duration>,
}

impl Default for SiteSpec {
    fn default() -> Self {
        SiteSpec {
            hosts: 3,
            articles_per_host: 30,
            features: Features::default(),
            crawl_delay: None,
            latency: Duration::ZERO,
            port: None,
            publish_every: None,
            correct_after: None,
        }
    }
}

/// One article a polite, robots-obeying crawler must emit, exactly once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedArticle {
    /// The URL in the article's `<link rel=canonical>` (and in listings and the sitemap).
    pub canonical_url: String,
    /// The `<h1>` headline.
    pub title: String,
    /// Index of the host in [`TestSite::hosts`].
    pub host_index: usize,
    /// Other linked URLs that lead to the same article (print/amp copies, redirects).
    pub aliases: Vec<String>,
}

/// An article published in live mode ([`SiteSpec::publish_every`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publication {
    /// Its canonical URL.
    pub canonical_url: String,
    /// Index of the host in [`TestSite::hosts`].
    pub host_index: usize,
    /// Its article index on that host.
    pub index: usize,
    /// When it appeared, Unix milliseconds (also its `<time datetime>`, feed `pubDate` and
    /// `news:publication_date`, to the second).
    pub published_unix_ms: i64,
}

/// One request the site received.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// Base URL of the host that received it (`http://127.0.0.2:40123`).
    pub host: String,
    /// Index of the host in [`TestSite::hosts`].
    pub host_index: usize,
    /// HTTP method.
    pub method: String,
    /// Path and query as sent (undecoded).
    pub path_and_query: String,
    /// When the request head arrived.
    #[serde(skip)]
    pub at: Instant,
    /// When the complete response (bodies are in memory) was handed to the HTTP server, after
    /// [`SiteSpec::latency`].
    #[serde(skip)]
    pub end: Instant,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// Response status.
    pub status: u16,
}

struct HostState {
    model: Arc<Model>,
    index: usize,
    latency: Duration,
    flaky_hits: AtomicU64,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
}

/// A running site. Dropping it stops the servers (abruptly); [`TestSite::shutdown`] stops them
/// gracefully.
pub struct TestSite {
    model: Arc<Model>,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    started: Instant,
}

/// The loopback address of host `k`: 127.0.0.2, 127.0.0.3, …, skipping x.y.z.0 and x.y.z.255.
pub fn host_ip(k: usize) -> Ipv4Addr {
    // 254 usable last octets (1..=254) per /24; host 0 is 127.0.0.2, so start one past .1.
    let slot = k + 1;
    let third_block = slot / 254;
    let last = (slot % 254) as u8 + 1;
    Ipv4Addr::new(
        127,
        ((third_block >> 8) & 0xff) as u8,
        (third_block & 0xff) as u8,
        last,
    )
}

fn lock(log: &Mutex<Vec<LoggedRequest>>) -> MutexGuard<'_, Vec<LoggedRequest>> {
    log.lock().unwrap_or_else(|e| e.into_inner())
}

async fn handle(State(st): State<Arc<HostState>>, req: Request) -> Response {
    let at = Instant::now();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let method = req.method().clone();
    if !st.latency.is_zero() {
        tokio::time::sleep(st.latency).await;
    }
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let reply = if method == Method::GET || method == Method::HEAD {
        let mut r = pages::route(
            &st.model,
            st.index,
            req.uri().path(),
            req.uri().query(),
            &st.flaky_hits,
        );
        if st.model.features.conditional_get && r.status == 200 {
            let etag = etag_of(&r.body);
            let matches = if_none_match
                .as_deref()
                .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
            if matches {
                r.status = 304;
                r.body = Vec::new();
            }
            r.headers.push(("etag", etag));
        }
        r
    } else {
        pages::Reply {
            status: 405,
            content_type: "text/plain; charset=utf-8",
            headers: vec![("allow", "GET, HEAD".to_string())],
            body: b"method not allowed\n".to_vec(),
        }
    };
    let status = reply.status;
    let mut resp = Response::new(Body::from(reply.body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.content_type),
    );
    for (name, value) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    let end = Instant::now();
    lock(&st.log).push(LoggedRequest {
        host: st.model.bases[st.index].clone(),
        host_index: st.index,
        method: method.to_string(),
        path_and_query,
        at,
        end,
        user_agent,
        status,
    });
    resp
}

/// A strong ETag for a body: `"` + 16 hex digits of a 64-bit FNV-1a hash + `"`.
fn etag_of(body: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

async fn bind(ip: Ipv4Addr, port: u16) -> io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(SocketAddr::new(IpAddr::V4(ip), port))
        .await
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot bind {ip}:{port}: {e} (every host needs one file descriptor: for many hosts raise `ulimit -n`)"
                ),
            )
        })
}

impl TestSite {
    /// Bind every host and start serving on the current tokio runtime.
    pub async fn start(spec: SiteSpec) -> io::Result<TestSite> {
        let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
        if spec.hosts == 0 || spec.hosts > 60_000 {
            return Err(invalid(format!(
                "hosts must be 1..=60000, got {}",
                spec.hosts
            )));
        }
        if let Some(every) = spec.publish_every {
            if every < Duration::from_millis(10) {
                return Err(invalid(format!(
                    "publish_every must be at least 10 ms, got {every:?}"
                )));
            }
        }
        if let Some(d) = spec.crawl_delay {
            if !d.is_finite() || !(0.0..=3600.0).contains(&d) {
                return Err(invalid(format!(
                    "crawl_delay must be 0..=3600 seconds, got {d}"
                )));
            }
        }
        let mut listeners = Vec::with_capacity(spec.hosts);
        let explicit = spec.port.filter(|p| *p != 0);
        let first = bind(host_ip(0), explicit.unwrap_or(0)).await?;
        let shared = first.local_addr()?.port();
        listeners.push(first);
        for k in 1..spec.hosts {
            let l = match bind(host_ip(k), shared).await {
                Ok(l) => l,
                Err(e) if explicit.is_some() => return Err(e),
                Err(_) => bind(host_ip(k), 0).await?,
            };
            listeners.push(l);
        }
        let mut addrs = Vec::with_capacity(spec.hosts);
        let mut bases = Vec::with_capacity(spec.hosts);
        for l in &listeners {
            let a = l.local_addr()?;
            addrs.push((a.ip().to_string(), a.port()));
            bases.push(format!("http://{}:{}", a.ip(), a.port()));
        }
        let started = (
            Instant::now(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0),
        );
        let model = Arc::new(Model {
            features: spec.features,
            articles_per_host: spec.articles_per_host,
            crawl_delay: spec.crawl_delay.filter(|_| spec.features.robots),
            bases,
            addrs,
            live: spec.publish_every.map(|every| pages::Live {
                start: started.0,
                start_unix_ms: started.1,
                every,
            }),
            correct_after: spec.correct_after,
            started,
        });
        let log = Arc::new(Mutex::new(Vec::new()));
        let (stop, stop_rx) = watch::channel(false);
        let mut tasks = Vec::with_capacity(spec.hosts);
        for (index, listener) in listeners.into_iter().enumerate() {
            let state = Arc::new(HostState {
                model: model.clone(),
                index,
                latency: spec.latency,
                flaky_hits: AtomicU64::new(0),
                log: log.clone(),
            });
            let app = Router::new().fallback(handle).with_state(state);
            let mut rx = stop_rx.clone();
            tasks.push(tokio::spawn(async move {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = rx.wait_for(|stop| *stop).await;
                    })
                    .await;
            }));
        }
        Ok(TestSite {
            model,
            log,
            stop,
            tasks,
            started: Instant::now(),
        })
    }

    /// Where a crawl starts: each host's home page, plus its `/sitemap.xml` and `/feed.xml` when
    /// those features are on.
    pub fn seeds(&self) -> Vec<String> {
        let f = &self.model.features;
        let mut v = Vec::new();
        for b in &self.model.bases {
            v.push(format!("{b}/"));
            if f.sitemap {
                v.push(format!("{b}/sitemap.xml"));
            }
            if f.feed {
                v.push(format!("{b}/feed.xml"));
            }
        }
        v
    }

    /// Each host's home page only.
    pub fn home_pages(&self) -> Vec<String> {
        self.model.bases.iter().map(|b| format!("{b}/")).collect()
    }

    /// Base URLs, e.g. `http://127.0.0.2:40123`, in host order.
    pub fn hosts(&self) -> Vec<String> {
        self.model.bases.clone()
    }

    /// The spec's feature switches.
    pub fn features(&self) -> Features {
        self.model.features
    }

    /// Every article a polite, robots-obeying crawler can reach, once each (see the crate docs).
    pub fn expected_articles(&self) -> Vec<ExpectedArticle> {
        let m = &self.model;
        let mut v = Vec::with_capacity(m.hosts() * m.articles_per_host);
        for h in 0..m.hosts() {
            for i in 0..m.n(h) {
                v.push(ExpectedArticle {
                    canonical_url: m.article_url(h, i),
                    title: gen::title(h, i),
                    host_index: h,
                    aliases: m.aliases(h, i),
                });
            }
        }
        v
    }

    /// Articles published in live mode so far, oldest first (empty when not live).
    pub fn publications(&self) -> Vec<Publication> {
        let m = &self.model;
        let mut v = Vec::new();
        for h in 0..m.hosts() {
            for i in m.articles_per_host..m.n(h) {
                v.push(Publication {
                    canonical_url: m.article_url(h, i),
                    host_index: h,
                    index: i,
                    published_unix_ms: m.published_ms(h, i),
                });
            }
        }
        v.sort_by_key(|p| p.published_unix_ms);
        v
    }

    /// Canonical URLs of the articles published so far that get a correction
    /// ([`SiteSpec::correct_after`]), whether or not it has appeared yet, with when it appears
    /// (Unix milliseconds).
    pub fn corrections(&self) -> Vec<(String, i64)> {
        let m = &self.model;
        let after = m
            .correct_after
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2));
        (0..m.hosts())
            .flat_map(|h| {
                (0..m.n(h)).filter(|i| m.corrects(*i)).map(move |i| {
                    let at = m.published_ms(h, i).max(m.started.1).saturating_add(after);
                    (m.article_url(h, i), at)
                })
            })
            .collect()
    }

    /// Full URLs of the deleted articles that pages link to (dead_links feature), with the
    /// status they answer (404 or 410). A crawler requests each at most once.
    pub fn dead_links(&self) -> Vec<(String, u16)> {
        (0..self.model.hosts())
            .flat_map(|h| {
                self.model
                    .dead_paths(h)
                    .into_iter()
                    .map(move |(p, st)| (format!("{}{p}", self.model.bases[h]), st))
            })
            .collect()
    }

    /// Full URLs that robots.txt disallows and that pages link to (a crawler must never request
    /// them). Everything under `<host>/private/` is disallowed; see [`TestSite::is_disallowed`].
    pub fn disallowed_paths(&self) -> Vec<String> {
        (0..self.model.hosts())
            .flat_map(|h| self.model.private_urls(h))
            .collect()
    }

    /// Whether a request path (as in [`LoggedRequest::path_and_query`]) is disallowed by robots.txt.
    pub fn is_disallowed(&self, path_and_query: &str) -> bool {
        self.model.features.robots && path_and_query.starts_with("/private/")
    }

    /// The crawl delay of a host, given as base URL (`http://127.0.0.2:40123`), `ip:port` or a
    /// URL on it; zero when robots.txt sets none or the host is unknown.
    pub fn crawl_delay_for(&self, host: &str) -> Duration {
        let known = self.host_index(host).is_some();
        match self.model.crawl_delay {
            Some(d) if known => Duration::from_secs_f64(d),
            _ => Duration::ZERO,
        }
    }

    /// The index of a host given as base URL, `ip:port` or any URL on it.
    pub fn host_index(&self, host: &str) -> Option<usize> {
        let rest = host
            .strip_prefix("http://")
            .or_else(|| host.strip_prefix("HTTP://"))
            .unwrap_or(host);
        let authority = rest.split('/').next().unwrap_or(rest);
        self.model.addrs.iter().position(|(ip, port)| {
            authority
                .split_once(':')
                .map(|(a, p)| a == ip && p.parse::<u16>().ok() == Some(*port))
                .unwrap_or(false)
        })
    }

    /// What the site serves for a GET of `url` (status and body bytes), computed without a
    /// request: for byte-for-byte comparisons (e.g. of archived payloads). The flaky article
    /// answers as it does after its first 503. `None` for a URL of another site.
    pub fn render(&self, url: &str) -> Option<(u16, Vec<u8>)> {
        let parsed = url::Url::parse(url).ok()?;
        let h = self.host_index(url)?;
        let served = AtomicU64::new(1);
        let r = pages::route(&self.model, h, parsed.path(), parsed.query(), &served);
        Some((r.status, r.body))
    }

    /// Every request received so far, in order of completion.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        lock(&self.log).clone()
    }

    /// Number of requests received so far.
    pub fn request_count(&self) -> usize {
        lock(&self.log).len()
    }

    /// When the site started (for rates).
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Requests for `/private/` URLs (robots feature on). Empty for a polite crawler.
    pub fn disallowed_requests(&self) -> Vec<LoggedRequest> {
        lock(&self.log)
            .iter()
            .filter(|r| self.is_disallowed(&r.path_and_query))
            .cloned()
            .collect()
    }

    /// Hosts whose first request was not `/robots.txt` (robots feature on), as messages.
    pub fn robots_first_violations(&self) -> Vec<String> {
        if !self.model.features.robots {
            return Vec::new();
        }
        let log = lock(&self.log);
        let mut out = Vec::new();
        for h in 0..self.model.hosts() {
            let first = log
                .iter()
                .filter(|r| r.host_index == h)
                .min_by_key(|r| r.at);
            if let Some(r) = first {
                if r.path_and_query != "/robots.txt" {
                    out.push(format!(
                        "{}: first request was {} (not /robots.txt)",
                        r.host, r.path_and_query
                    ));
                }
            }
        }
        out
    }

    /// Pairs of consecutive requests to one host whose gap (end of the earlier → start of the
    /// next) is shorter than the host's crawl delay minus `slack`, as messages. With no crawl
    /// delay nothing is a violation.
    pub fn politeness_violations(&self, slack: Duration) -> Vec<String> {
        let Some(delay) = self.model.crawl_delay else {
            return Vec::new();
        };
        let need = Duration::from_secs_f64(delay).saturating_sub(slack);
        let log = lock(&self.log);
        let mut out = Vec::new();
        for h in 0..self.model.hosts() {
            let mut reqs: Vec<&LoggedRequest> = log.iter().filter(|r| r.host_index == h).collect();
            reqs.sort_by_key(|r| r.at);
            for w in reqs.windows(2) {
                let gap = w[1].at.checked_duration_since(w[0].end);
                if gap.is_none_or(|g| g < need) {
                    out.push(format!(
                        "{}: {} started {} after {} ended (delay {:?})",
                        w[0].host,
                        w[1].path_and_query,
                        match gap {
                            Some(g) => format!("{g:?}"),
                            None => "before".to_string(),
                        },
                        w[0].path_and_query,
                        Duration::from_secs_f64(delay)
                    ));
                }
            }
        }
        out
    }

    /// The largest number of requests in flight at once to any single host.
    pub fn max_in_flight_per_host(&self) -> usize {
        let log = lock(&self.log);
        let mut best = 0;
        for h in 0..self.model.hosts() {
            let mut events: Vec<(Instant, i32)> = log
                .iter()
                .filter(|r| r.host_index == h)
                .flat_map(|r| [(r.at, 1), (r.end, -1)])
                .collect();
            // Ends before starts at the same instant.
            events.sort();
            let mut cur = 0i32;
            for (_, d) in events {
                cur += d;
                best = best.max(cur.max(0) as usize);
            }
        }
        best
    }

    /// Stop serving: in-flight requests finish (up to 5 s), then the servers end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in std::mem::take(&mut self.tasks) {
            let abort = t.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), t)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for TestSite {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_ips_are_distinct_loopback_and_skip_network_and_broadcast() {
        assert_eq!(host_ip(0), Ipv4Addr::new(127, 0, 0, 2));
        assert_eq!(host_ip(1), Ipv4Addr::new(127, 0, 0, 3));
        assert_eq!(host_ip(252), Ipv4Addr::new(127, 0, 0, 254));
        assert_eq!(host_ip(253), Ipv4Addr::new(127, 0, 1, 1));
        let mut seen = std::collections::HashSet::new();
        for k in 0..60_000 {
            let ip = host_ip(k);
            assert!(ip.is_loopback());
            assert!(ip.octets()[3] != 0 && ip.octets()[3] != 255);
            assert_ne!(ip, Ipv4Addr::new(127, 0, 0, 1));
            assert!(seen.insert(ip));
        }
    }

    #[test]
    fn features_by_name() {
        let mut f = Features::default();
        for name in Features::NAMES {
            f.set(name, false).expect("known name");
        }
        assert_eq!(f, Features::none());
        assert!(f.set("nope", true).is_err());
    }
}
