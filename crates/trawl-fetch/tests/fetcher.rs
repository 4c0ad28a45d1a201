//! Fetcher behaviour against local servers on 127.0.0.1 (allow-listed).
//! Every test is bounded by `bounded()` and asserts the outcome.

mod common;

use common::{Reply, Server};
use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use trawl_core::FetchOutcome;
use trawl_fetch::{FetchConfig, FetchRequest, Fetcher, Purpose, RobotsStatus};

async fn bounded<F: Future<Output = ()>>(f: F) {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("test exceeded its 20 s bound");
}

/// Short timeouts, no politeness delay, 127.0.0.0/8 allowed.
fn cfg() -> FetchConfig {
    let mut c = FetchConfig::default();
    c.user_agent.product = "trawl-test".into();
    c.allow_cidrs = vec!["127.0.0.0/8".parse().unwrap()];
    c.connect_timeout = Duration::from_secs(2);
    c.first_byte_timeout = Duration::from_secs(2);
    c.total_timeout = Duration::from_secs(3);
    c.retry_base_delay = Duration::from_millis(10);
    c.retry_max_delay = Duration::from_secs(2);
    c.max_retries = 2;
    c.politeness.min_delay = Duration::ZERO;
    // A 503 or 429 rests the host 100 ms at least (5 s by default), like the short delays here.
    c.politeness.backoff_min_delay = Duration::from_millis(100);
    c.robots_error_ttl = Duration::from_millis(300);
    c
}

fn no_robots() -> FetchConfig {
    FetchConfig {
        respect_robots: false,
        ..cfg()
    }
}

async fn get(f: &Fetcher, url: url::Url) -> trawl_fetch::FetchResponse {
    f.fetch(FetchRequest::page(url)).await
}

fn robots_then<F>(robots: &'static str, pages: F) -> impl Fn(&common::Request) -> Reply
where
    F: Fn(&common::Request) -> Reply + Send + Sync + 'static,
{
    move |r| {
        if r.path == "/robots.txt" {
            Reply::text(200, "text/plain", robots)
        } else {
            pages(r)
        }
    }
}

// ---------- robots.txt ----------

#[tokio::test]
async fn robots_allow_disallow_wildcards_crawl_delay_and_sitemaps() {
    bounded(async {
        let srv = Server::start(robots_then(
            "User-agent: *\nDisallow: /\n\n\
             User-agent: trawl-test\nDisallow: /private\nAllow: /private/ok\n\
             Disallow: /*.pdf$\nCrawl-delay: 0.2\n\n\
             Sitemap: http://example.test/sitemap.xml\n",
            |_| Reply::html("<p>hi</p>"),
        ))
        .await;
        let f = Fetcher::new(cfg()).unwrap();

        let r = get(&f, srv.url("/private/x")).await;
        assert_eq!(r.outcome, FetchOutcome::RobotsDenied, "{r:?}");
        assert_eq!(r.robots, Some(RobotsStatus::Fetched));
        assert_eq!(r.attempts, 0);

        let r = get(&f, srv.url("/files/doc.pdf")).await;
        assert_eq!(r.outcome, FetchOutcome::RobotsDenied);

        let r = get(&f, srv.url("/private/ok/1")).await;
        assert_eq!(r.outcome, FetchOutcome::Ok, "{r:?}");

        let r = get(&f, srv.url("/news/1")).await;
        assert_eq!(r.outcome, FetchOutcome::Ok);
        assert_eq!(r.crawl_delay, Some(Duration::from_millis(200)));
        assert_eq!(r.robots_sitemaps, vec!["http://example.test/sitemap.xml"]);

        // robots.txt fetched once for the origin; denied URLs never requested.
        assert_eq!(srv.count("/robots.txt"), 1);
        assert_eq!(srv.count("/private/x"), 0);
        assert_eq!(srv.count("/files/doc.pdf"), 0);
        // The user-agent is sent on robots.txt and page requests alike.
        for e in srv.entries() {
            let ua = e.req.header("user-agent").unwrap_or("");
            assert!(ua.starts_with("trawl-test/") && ua.contains("(+"), "{ua}");
        }
        // The decision API agrees.
        let d = f.robots(&srv.url("/private/y")).await;
        assert!(!d.allowed);
        assert_eq!(srv.count("/robots.txt"), 1);
    })
    .await;
}

#[tokio::test]
async fn robots_crawl_delay_spaces_requests_to_the_host() {
    bounded(async {
        let srv = Server::start(robots_then("User-agent: *\nCrawl-delay: 0.3\n", |_| {
            Reply::html("ok")
        }))
        .await;
        let f = Fetcher::new(cfg()).unwrap();
        let jobs: Vec<_> = (0..3)
            .map(|i| {
                let (f, u) = (f.clone(), srv.url(&format!("/p{i}")));
                tokio::spawn(async move { get(&f, u).await })
            })
            .collect();
        for j in jobs {
            assert_eq!(j.await.unwrap().outcome, FetchOutcome::Ok);
        }
        let mut pages: Vec<_> = srv
            .entries()
            .into_iter()
            .filter(|e| e.req.path != "/robots.txt")
            .collect();
        pages.sort_by_key(|e| e.start);
        for w in pages.windows(2) {
            let gap = w[1].start.duration_since(w[0].end);
            assert!(gap >= Duration::from_millis(300), "gap {gap:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn robots_4xx_allows_everything() {
    bounded(async {
        let srv = Server::start(|r| {
            if r.path == "/robots.txt" {
                Reply::status(404)
            } else {
                Reply::html("ok")
            }
        })
        .await;
        let f = Fetcher::new(cfg()).unwrap();
        let r = get(&f, srv.url("/anything")).await;
        assert_eq!(r.outcome, FetchOutcome::Ok);
        assert_eq!(r.robots, Some(RobotsStatus::Unavailable));
    })
    .await;
}

#[tokio::test]
async fn robots_5xx_disallows_then_is_fetched_again_after_the_error_ttl() {
    bounded(async {
        let n = Arc::new(AtomicU32::new(0));
        let n2 = n.clone();
        let srv = Server::start(move |r| {
            if r.path == "/robots.txt" {
                if n2.fetch_add(1, Ordering::SeqCst) == 0 {
                    Reply::status(503)
                } else {
                    Reply::text(200, "text/plain", "User-agent: *\nAllow: /\n")
                }
            } else {
                Reply::html("ok")
            }
        })
        .await;
        let mut c = cfg();
        c.robots_error_ttl = Duration::from_secs(1);
        let f = Fetcher::new(c).unwrap();
        let r = get(&f, srv.url("/page")).await;
        assert_eq!(r.outcome, FetchOutcome::RobotsDenied);
        assert_eq!(r.robots, Some(RobotsStatus::Unreachable));
        assert!(r.error.unwrap().contains("retry later"));
        assert_eq!(srv.count("/page"), 0);
        // Still cached as unreachable right away.
        assert_eq!(
            get(&f, srv.url("/page")).await.outcome,
            FetchOutcome::RobotsDenied
        );
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let r = get(&f, srv.url("/page")).await;
        assert_eq!(r.outcome, FetchOutcome::Ok);
        assert_eq!(srv.count("/robots.txt"), 2);
    })
    .await;
}

#[tokio::test]
async fn robots_unreachable_host_disallows() {
    bounded(async {
        // A port with nothing listening.
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let f = Fetcher::new(cfg()).unwrap();
        let u = url::Url::parse(&format!("http://{addr}/x")).unwrap();
        let r = get(&f, u.clone()).await;
        assert_eq!(r.outcome, FetchOutcome::RobotsDenied, "{r:?}");
        assert_eq!(r.robots, Some(RobotsStatus::Unreachable));
        // Without robots the same URL is a connect error.
        let f = Fetcher::new(no_robots()).unwrap();
        let r = get(&f, u).await;
        assert_eq!(r.outcome, FetchOutcome::ConnectError, "{r:?}");
        assert_eq!(r.attempts, 3, "connection errors are retried");
    })
    .await;
}

#[tokio::test]
async fn robots_redirect_is_followed_and_size_capped() {
    bounded(async {
        let srv = Server::start(|r| match r.path.as_str() {
            "/robots.txt" => Reply::redirect(301, "/real-robots.txt"),
            "/real-robots.txt" => {
                // 600 KiB of comments, then a rule past the 500 KiB cap (ignored).
                let mut body = "User-agent: *\nDisallow: /early\n".to_string();
                body.push_str(&"# padding padding padding\n".repeat(600 * 1024 / 26));
                body.push_str("Disallow: /late\n");
                Reply::text(200, "text/plain", &body)
            }
            _ => Reply::html("ok"),
        })
        .await;
        let f = Fetcher::new(cfg()).unwrap();
        assert_eq!(
            get(&f, srv.url("/early/1")).await.outcome,
            FetchOutcome::RobotsDenied
        );
        assert_eq!(get(&f, srv.url("/late/1")).await.outcome, FetchOutcome::Ok);
    })
    .await;
}

#[tokio::test]
async fn concurrent_fetches_share_one_robots_fetch() {
    bounded(async {
        let srv = Server::start(|r| {
            if r.path == "/robots.txt" {
                Reply::Delay(
                    Duration::from_millis(200),
                    Box::new(Reply::text(
                        200,
                        "text/plain",
                        "User-agent: *\nDisallow: /no\n",
                    )),
                )
            } else {
                Reply::html("ok")
            }
        })
        .await;
        let mut c = cfg();
        c.politeness.enabled = false;
        let f = Fetcher::new(c).unwrap();
        let jobs: Vec<_> = (0..20)
            .map(|i| {
                let (f, u) = (f.clone(), srv.url(&format!("/p/{i}")));
                tokio::spawn(async move { get(&f, u).await.outcome })
            })
            .collect();
        for j in jobs {
            assert_eq!(j.await.unwrap(), FetchOutcome::Ok);
        }
        assert_eq!(srv.count("/robots.txt"), 1);
        assert_eq!(f.stats().robots_fetches, 1);
    })
    .await;
}

// ---------- politeness ----------

#[tokio::test]
async fn politeness_interval_measured_by_the_server() {
    bounded(async {
        let srv =
            Server::start(|_| Reply::Delay(Duration::from_millis(50), Box::new(Reply::html("ok"))))
                .await;
        let mut c = no_robots();
        c.politeness.min_delay = Duration::from_millis(250);
        let f = Fetcher::new(c).unwrap();
        let jobs: Vec<_> = (0..4)
            .map(|i| {
                let (f, u) = (f.clone(), srv.url(&format!("/q{i}")));
                tokio::spawn(async move { get(&f, u).await })
            })
            .collect();
        let mut waited = Duration::ZERO;
        for j in jobs {
            let r = j.await.unwrap();
            assert_eq!(r.outcome, FetchOutcome::Ok);
            waited += r.politeness_wait;
        }
        let mut log = srv.entries();
        assert_eq!(log.len(), 4);
        log.sort_by_key(|e| e.start);
        for w in log.windows(2) {
            // Never two in flight, and ≥ min_delay from one end to the next start.
            let gap = w[1].start.checked_duration_since(w[0].end);
            assert!(
                gap.is_some_and(|g| g >= Duration::from_millis(250)),
                "gap {gap:?}"
            );
        }
        assert!(waited >= Duration::from_millis(750), "{waited:?}");
    })
    .await;
}

#[tokio::test]
async fn a_503_widens_the_host_delay() {
    bounded(async {
        let n = Arc::new(AtomicU32::new(0));
        let n2 = n.clone();
        let srv = Server::start(move |_| {
            if n2.fetch_add(1, Ordering::SeqCst) == 0 {
                Reply::status(503)
            } else {
                Reply::html("ok")
            }
        })
        .await;
        let mut c = no_robots();
        c.max_retries = 0;
        c.politeness.min_delay = Duration::from_millis(200);
        let f = Fetcher::new(c).unwrap();
        assert_eq!(
            get(&f, srv.url("/a")).await.outcome,
            FetchOutcome::ServerError
        );
        assert_eq!(get(&f, srv.url("/b")).await.outcome, FetchOutcome::Ok);
        assert_eq!(get(&f, srv.url("/c")).await.outcome, FetchOutcome::Ok);
        let log = srv.entries();
        let after_503 = log[1].start.duration_since(log[0].end);
        let after_ok = log[2].start.duration_since(log[1].end);
        // 503 doubles the 200 ms delay; the next success decays it (×0.75 → 300 ms).
        assert!(after_503 >= Duration::from_millis(400), "{after_503:?}");
        assert!(after_ok >= Duration::from_millis(300), "{after_ok:?}");
    })
    .await;
}

#[tokio::test]
async fn politeness_disabled_lets_requests_overlap() {
    bounded(async {
        let srv = Server::start(|_| {
            Reply::Delay(Duration::from_millis(800), Box::new(Reply::html("ok")))
        })
        .await;
        let mut c = no_robots();
        c.politeness.enabled = false;
        c.politeness.min_delay = Duration::from_secs(5);
        let f = Fetcher::new(c).unwrap();
        let jobs: Vec<_> = (0..4)
            .map(|i| {
                let (f, u) = (f.clone(), srv.url(&format!("/o{i}")));
                tokio::spawn(async move { get(&f, u).await.outcome })
            })
            .collect();
        for j in jobs {
            assert_eq!(j.await.unwrap(), FetchOutcome::Ok);
        }
        let mut log = srv.entries();
        log.sort_by_key(|e| e.start);
        assert!(log[1].start < log[0].end, "requests should overlap");
    })
    .await;
}

// ---------- redirects ----------

#[tokio::test]
async fn redirect_chain_is_recorded() {
    bounded(async {
        let srv = Server::start(|r| match r.path.as_str() {
            "/a" => Reply::redirect(301, "/b"),
            "/b" => Reply::redirect(302, "c?x=1"),
            "/c?x=1" => Reply::html("final"),
            _ => Reply::status(404),
        })
        .await;
        let f = Fetcher::new(cfg()).unwrap();
        let r = get(&f, srv.url("/a")).await;
        assert_eq!(r.outcome, FetchOutcome::Ok, "{r:?}");
        assert_eq!(r.final_url, srv.url("/c?x=1"));
        let hops: Vec<_> = r
            .redirects
            .iter()
            .map(|h| (h.url.clone(), h.status))
            .collect();
        assert_eq!(
            hops,
            vec![
                (srv.url("/a").to_string(), 301),
                (srv.url("/b").to_string(), 302)
            ]
        );
        assert_eq!(r.body.as_deref(), Some(&b"final"[..]));
    })
    .await;
}

#[tokio::test]
async fn redirect_loop_is_detected() {
    bounded(async {
        let srv = Server::start(|r| match r.path.as_str() {
            "/x" => Reply::redirect(302, "/y"),
            _ => Reply::redirect(302, "/x"),
        })
        .await;
        let f = Fetcher::new(no_robots()).unwrap();
        let r = get(&f, srv.url("/x")).await;
        assert_eq!(r.outcome, FetchOutcome::Redirect);
        assert!(r.error.unwrap().contains("loop"));
        assert_eq!(r.redirects.len(), 2);
        assert_eq!(srv.entries().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn redirect_limit_is_enforced() {
    bounded(async {
        let srv = Server::start(|r| {
            let n: u32 = r.path.trim_start_matches("/r/").parse().unwrap_or(0);
            Reply::redirect(301, &format!("/r/{}", n + 1))
        })
        .await;
        let mut c = no_robots();
        c.max_redirects = 3;
        let f = Fetcher::new(c).unwrap();
        let r = get(&f, srv.url("/r/0")).await;
        assert_eq!(r.outcome, FetchOutcome::Redirect);
        assert!(r.error.unwrap().contains("more than 3"));
        assert_eq!(srv.entries().len(), 4);
        assert_eq!(r.redirects.len(), 4);
    })
    .await;
}

#[tokio::test]
async fn redirect_to_cloud_metadata_is_blocked() {
    bounded(async {
        let srv = Server::start(|r| {
            if r.path == "/robots.txt" {
                Reply::status(404)
            } else {
                Reply::redirect(302, "http://169.254.169.254/latest/meta-data/")
            }
        })
        .await;
        let f = Fetcher::new(cfg()).unwrap();
        let r = get(&f, srv.url("/go")).await;
        assert_eq!(r.outcome, FetchOutcome::BlockedAddress, "{r:?}");
        assert_eq!(r.redirects.len(), 1);
        assert_eq!(r.final_url.host_str(), Some("169.254.169.254"));
        // Also via the decimal form and via a non-http scheme.
        let srv2 = Server::start(|r| {
            if r.path == "/dec" {
                Reply::redirect(302, "http://2852039166/")
            } else {
                Reply::redirect(302, "file:///etc/passwd")
            }
        })
        .await;
        let f = Fetcher::new(no_robots()).unwrap();
        assert_eq!(
            get(&f, srv2.url("/dec")).await.outcome,
            FetchOutcome::BlockedAddress
        );
        assert_eq!(
            get(&f, srv2.url("/file")).await.outcome,
            FetchOutcome::BlockedAddress
        );
    })
    .await;
}

// ---------- SSRF ----------

#[tokio::test]
async fn loopback_is_blocked_without_allow_list_in_every_spelling() {
    bounded(async {
        let srv = Server::start(|_| Reply::html("secret")).await;
        let port = srv.addr.port();
        let mut c = no_robots();
        c.allow_cidrs.clear();
        let f = Fetcher::new(c).unwrap();
        for u in [
            format!("http://127.0.0.1:{port}/"),
            format!("http://localhost:{port}/"),
            format!("http://2130706433:{port}/"),
            format!("http://0177.0.0.1:{port}/"),
            format!("http://0x7f.0.0.1:{port}/"),
            format!("http://[::ffff:127.0.0.1]:{port}/"),
        ] {
            let r = get(&f, url::Url::parse(&u).unwrap()).await;
            assert_eq!(r.outcome, FetchOutcome::BlockedAddress, "{u}: {r:?}");
            assert_eq!(r.attempts, 0);
        }
        assert!(srv.entries().is_empty(), "nothing reached the server");
        // With the allow-list, a host name resolving to 127.0.0.1 is fetched.
        let f = Fetcher::new(no_robots()).unwrap();
        let r = get(
            &f,
            url::Url::parse(&format!("http://localhost:{port}/")).unwrap(),
        )
        .await;
        assert_eq!(r.outcome, FetchOutcome::Ok, "{r:?}");
    })
    .await;
}

#[tokio::test]
async fn unresolvable_host_is_a_dns_error() {
    bounded(async {
        let f = Fetcher::new(cfg()).unwrap();
        let r = get(&f, url::Url::parse("http://no-such-host.invalid/").unwrap()).await;
        assert_eq!(r.outcome, FetchOutcome::DnsError, "{r:?}");
    })
    .await;
}

// ---------- limits ----------

#[tokio::test]
async fn body_cap_stops_large_bodies() {
    bounded(async {
        let srv = Server::start(|r| match r.path.as_str() {
            "/declared" => Reply::html(&"x".repeat(5000)),
            "/undeclared" => {
                let mut raw =
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
                        .to_vec();
                raw.extend(std::iter::repeat_n(b'y', 5000));
                Reply::Raw(raw)
            }
            _ => Reply::html(&"z".repeat(1000)),
        })
        .await;
        let mut c = no_robots();
        c.max_body_bytes = 1000;
        let f = Fetcher::new(c).unwrap();
        let r = get(&f, srv.url("/declared")).await;
        assert_eq!(r.outcome, FetchOutcome::TooLarge);
        assert!(r.body.is_none());
        let r = get(&f, srv.url("/undeclared")).await;
        assert_eq!(r.outcome, FetchOutcome::TooLarge, "{r:?}");
        let r = get(&f, srv.url("/exact")).await;
        assert_eq!(r.outcome, FetchOutcome::Ok);
        assert_eq!(r.body.unwrap().len(), 1000);
    })
    .await;
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[tokio::test]
async fn gzip_is_decoded_and_a_gzip_bomb_is_stopped() {
    bounded(async {
        // 64 MiB of zeros compress to ~64 KiB.
        let bomb = Arc::new(gzip(&vec![0u8; 64 * 1024 * 1024]));
        assert!(bomb.len() < 200 * 1024);
        let small = Arc::new(gzip(b"<html><body>hello gzip</body></html>"));
        let srv = Server::start(move |r| {
            let body = if r.path == "/bomb" {
                bomb.to_vec()
            } else {
                small.to_vec()
            };
            Reply::Full {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "text/html".into()),
                    ("Content-Encoding".into(), "gzip".into()),
                ],
                body,
            }
        })
        .await;
        let mut c = no_robots();
        c.max_body_bytes = 1024 * 1024;
        let f = Fetcher::new(c).unwrap();
        let r = get(&f, srv.url("/small")).await;
        assert_eq!(r.outcome, FetchOutcome::Ok);
        assert_eq!(
            r.body.as_deref(),
            Some(&b"<html><body>hello gzip</body></html>"[..])
        );
        let accept_enc = srv.entries()[0]
            .req
            .header("accept-encoding")
            .unwrap_or("")
            .to_string();
        assert!(
            accept_enc.contains("gzip") && accept_enc.contains("br") && accept_enc.contains("zstd"),
            "{accept_enc}"
        );
        let r = get(&f, srv.url("/bomb")).await;
        assert_eq!(r.outcome, FetchOutcome::TooLarge, "{r:?}");
        assert!(r.body.is_none());
    })
    .await;
}

#[tokio::test]
async fn wrong_content_type_is_dropped_and_discovery_accepts_feeds() {
    bounded(async {
        let srv = Server::start(|r| match r.path.as_str() {
            "/doc.pdf" => Reply::text(200, "application/pdf", &"%PDF".repeat(1000)),
            _ => Reply::text(200, "application/rss+xml", "<rss/>"),
        })
        .await;
        let f = Fetcher::new(no_robots()).unwrap();
        let r = get(&f, srv.url("/doc.pdf")).await;
        assert_eq!(r.outcome, FetchOutcome::WrongType);
        assert_eq!(r.content_type.as_deref(), Some("application/pdf"));
        assert!(r.body.is_none());
        // A feed is the wrong type for a page, the right one for discovery.
        assert_eq!(
            get(&f, srv.url("/feed")).await.outcome,
            FetchOutcome::WrongType
        );
        let r = f
            .fetch(FetchRequest::new(srv.url("/feed"), Purpose::Discovery))
            .await;
        assert_eq!(r.outcome, FetchOutcome::Ok);
        assert_eq!(r.body.as_deref(), Some(&b"<rss/>"[..]));
    })
    .await;
}

#[tokio::test]
async fn a_byte_a_second_times_out() {
    bounded(async {
        let srv = Server::start(|r| {
            if r.path == "/hang" {
                Reply::Hang
            } else {
                Reply::Trickle {
                    headers: vec![("Content-Type".into(), "text/html".into())],
                    body: vec![b'a'; 100],
                    every: Duration::from_secs(1),
                }
            }
        })
        .await;
        let mut c = no_robots();
        c.total_timeout = Duration::from_millis(1500);
        c.first_byte_timeout = Duration::from_millis(500);
        c.max_retries = 0;
        let f = Fetcher::new(c).unwrap();
        let r = get(&f, srv.url("/trickle")).await;
        assert_eq!(r.outcome, FetchOutcome::Timeout, "{r:?}");
        assert!(r.error.unwrap().contains("total timeout"));
        let r = get(&f, srv.url("/hang")).await;
        assert_eq!(r.outcome, FetchOutcome::Timeout, "{r:?}");
        assert!(r.error.unwrap().contains("no response headers"));
    })
    .await;
}

#[tokio::test]
async fn connection_reset_mid_body_is_a_connect_error() {
    bounded(async {
        let srv = Server::start(|_| Reply::ResetAfter {
            declared: 10_000,
            sent: 100,
        })
        .await;
        let mut c = no_robots();
        c.max_retries = 1;
        let f = Fetcher::new(c).unwrap();
        let r = get(&f, srv.url("/reset")).await;
        assert_eq!(r.outcome, FetchOutcome::ConnectError, "{r:?}");
        assert_eq!(r.attempts, 2);
        assert!(r.body.is_none());
    })
    .await;
}

// ---------- conditional GET ----------

#[tokio::test]
async fn not_modified_on_refetch_with_validators() {
    bounded(async {
        let srv = Server::start(|r| {
            if r.header("if-none-match") == Some("\"v1\"")
                || r.header("if-modified-since") == Some("Tue, 01 Jan 2030 00:00:00 GMT")
            {
                Reply::status(304)
            } else {
                Reply::html("page")
                    .with_header("ETag", "\"v1\"")
                    .with_header("Last-Modified", "Tue, 01 Jan 2030 00:00:00 GMT")
            }
        })
        .await;
        let mut c = no_robots();
        c.validator_cache_capacity = 16;
        let f = Fetcher::new(c).unwrap();
        let first = get(&f, srv.url("/n")).await;
        assert_eq!(first.outcome, FetchOutcome::Ok);
        assert_eq!(first.etag.as_deref(), Some("\"v1\""));
        // The caller passes the validators back.
        let req = FetchRequest::page(srv.url("/n")).with_validators(first.etag.clone(), None);
        let r = f.fetch(req).await;
        assert_eq!(r.outcome, FetchOutcome::NotModified);
        assert_eq!(r.status, Some(304));
        assert_eq!(r.etag.as_deref(), Some("\"v1\""));
        let req =
            FetchRequest::page(srv.url("/n")).with_validators(None, first.last_modified.clone());
        assert_eq!(f.fetch(req).await.outcome, FetchOutcome::NotModified);
        // Or the fetcher's own validator cache supplies them.
        assert_eq!(
            get(&f, srv.url("/n")).await.outcome,
            FetchOutcome::NotModified
        );
        // Without a cache and without validators: a full fetch.
        let f2 = Fetcher::new(no_robots()).unwrap();
        assert_eq!(get(&f2, srv.url("/n")).await.outcome, FetchOutcome::Ok);
    })
    .await;
}

// ---------- retries ----------

#[tokio::test]
async fn retry_then_success() {
    bounded(async {
        let n = Arc::new(AtomicU32::new(0));
        let n2 = n.clone();
        let srv = Server::start(move |_| {
            if n2.fetch_add(1, Ordering::SeqCst) < 2 {
                Reply::status(503)
            } else {
                Reply::html("ok")
            }
        })
        .await;
        let f = Fetcher::new(no_robots()).unwrap();
        let r = get(&f, srv.url("/flaky")).await;
        assert_eq!(r.outcome, FetchOutcome::Ok, "{r:?}");
        assert_eq!(r.attempts, 3);
        assert_eq!(f.stats().retries, 2);
    })
    .await;
}

#[tokio::test]
async fn server_errors_exhaust_retries_and_client_errors_are_not_retried() {
    bounded(async {
        let srv = Server::start(|r| match r.path.as_str() {
            "/500" => Reply::status(500),
            "/408" => Reply::status(408),
            _ => Reply::status(404),
        })
        .await;
        let f = Fetcher::new(no_robots()).unwrap();
        let r = get(&f, srv.url("/500")).await;
        assert_eq!(r.outcome, FetchOutcome::ServerError);
        assert_eq!((r.attempts, r.status), (3, Some(500)));
        let r = get(&f, srv.url("/404")).await;
        assert_eq!(r.outcome, FetchOutcome::ClientError);
        assert_eq!(r.attempts, 1);
        let r = get(&f, srv.url("/408")).await;
        assert_eq!(r.outcome, FetchOutcome::ClientError);
        assert_eq!(r.attempts, 3, "408 is retried");
    })
    .await;
}

#[tokio::test]
async fn too_many_requests_honours_retry_after() {
    bounded(async {
        let n = Arc::new(AtomicU32::new(0));
        let n2 = n.clone();
        let srv = Server::start(move |r| {
            if r.path == "/long" {
                return Reply::status(429).with_header("Retry-After", "3600");
            }
            if n2.fetch_add(1, Ordering::SeqCst) == 0 {
                Reply::status(429).with_header("Retry-After", "1")
            } else {
                Reply::html("ok")
            }
        })
        .await;
        let f = Fetcher::new(no_robots()).unwrap();
        let r = get(&f, srv.url("/busy")).await;
        assert_eq!(r.outcome, FetchOutcome::Ok, "{r:?}");
        assert_eq!(r.attempts, 2);
        assert_eq!(r.retry_after, Some(Duration::from_secs(1)));
        let log = srv.entries();
        let gap = log[1].start.duration_since(log[0].end);
        assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
        // A Retry-After beyond the retry budget is handed back, not slept on.
        let r = get(&f, srv.url("/long")).await;
        assert_eq!(r.outcome, FetchOutcome::ClientError);
        assert_eq!(r.status, Some(429));
        assert_eq!(r.attempts, 1);
        assert_eq!(r.retry_after, Some(Duration::from_secs(3600)));
    })
    .await;
}
