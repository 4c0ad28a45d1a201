//! Capture mode (`Fetcher::capturing`, for WARC archiving): every HTTP exchange is recorded
//! with the request headers as sent, the response headers as received and the decoded
//! payload; bodies are decoded by the fetcher under the same cap.

mod common;

use common::{Reply, Server};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use trawl_core::FetchOutcome;
use trawl_fetch::{FetchConfig, FetchRequest, Fetcher};

fn cfg() -> FetchConfig {
    let mut c = FetchConfig::default();
    c.user_agent.product = "trawl-test".into();
    c.allow_cidrs = vec!["127.0.0.0/8".parse().unwrap()];
    c.total_timeout = Duration::from_secs(3);
    c.first_byte_timeout = Duration::from_secs(2);
    c.retry_base_delay = Duration::from_millis(10);
    c.politeness.min_delay = Duration::ZERO;
    // A 503 or 429 rests the host 100 ms at least (5 s by default), like the short delays here.
    c.politeness.backoff_min_delay = Duration::from_millis(100);
    c
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

async fn bounded<F: std::future::Future<Output = ()>>(f: F) {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("test exceeded its 20 s bound");
}

#[tokio::test]
async fn brotli_and_zstd_bodies_are_decoded_and_archived_decoded() {
    bounded(async {
        let page = b"<html><body>archived page, compressed twice over</body></html>".repeat(40);
        let mut br = Vec::new();
        {
            let mut e = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            e.write_all(&page).unwrap();
        }
        let zst = zstd::stream::encode_all(&page[..], 3).unwrap();
        let (br, zst) = (Arc::new(br), Arc::new(zst));
        let srv = Server::start(move |r| {
            let (enc, body) = match r.path.as_str() {
                "/robots.txt" => return Reply::text(200, "text/plain", "User-agent: *\n"),
                "/br" => ("br", br.to_vec()),
                _ => ("zstd", zst.to_vec()),
            };
            Reply::Full {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "text/html".into()),
                    ("Content-Encoding".into(), enc.into()),
                ],
                body,
            }
        })
        .await;
        let f = Fetcher::capturing(cfg()).unwrap();
        for (path, enc) in [("/br", "br"), ("/zstd", "zstd")] {
            let r = f.fetch(FetchRequest::page(srv.url(path))).await;
            assert_eq!(r.outcome, FetchOutcome::Ok, "{path}: {r:?}");
            assert_eq!(r.body.as_deref(), Some(&page[..]), "{path}");
            let last = r.exchanges.last().unwrap();
            assert!(last.decoded, "{path}");
            assert_eq!(&last.payload[..], &page[..], "{path}");
            let head = String::from_utf8(last.response_head()).unwrap();
            assert!(
                head.contains(&format!("X-Crawler-Content-Encoding: {enc}")),
                "{head}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn robots_redirect_and_page_are_all_captured() {
    bounded(async {
        let page = b"<html><body>archived page</body></html>".to_vec();
        let zipped = Arc::new(gzip(&page));
        let srv = Server::start(move |r| match r.path.as_str() {
            "/robots.txt" => Reply::text(200, "text/plain", "User-agent: *\nAllow: /\n"),
            "/old" => Reply::redirect(301, "/new"),
            _ => Reply::Full {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "text/html".into()),
                    ("Content-Encoding".into(), "gzip".into()),
                ],
                body: zipped.to_vec(),
            },
        })
        .await;
        let f = Fetcher::capturing(cfg()).unwrap();
        assert!(f.captures());
        let r = f.fetch(FetchRequest::page(srv.url("/old"))).await;
        assert_eq!(r.outcome, FetchOutcome::Ok, "{r:?}");
        assert_eq!(
            r.body.as_deref(),
            Some(&page[..]),
            "the extractor gets decoded bytes"
        );
        let urls: Vec<_> = r.exchanges.iter().map(|e| e.url.clone()).collect();
        assert_eq!(
            urls,
            [srv.url("/robots.txt"), srv.url("/old"), srv.url("/new")].map(|u| u.to_string())
        );
        let statuses: Vec<_> = r.exchanges.iter().map(|e| e.status).collect();
        assert_eq!(statuses, [200, 301, 200]);
        let last = &r.exchanges[2];
        assert_eq!(&last.payload[..], &page[..]);
        assert!(last.decoded);
        assert_eq!(
            last.response_header("content-encoding").as_deref(),
            Some("gzip"),
            "headers as received"
        );
        assert_eq!(last.ip, Some("127.0.0.1".parse().unwrap()));
        let sent: Vec<_> = last
            .request_headers
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert!(
            sent.contains(&"User-Agent") && sent.contains(&"Host"),
            "{sent:?}"
        );
        // What the archived header block says matches what went over the wire.
        let entry = srv
            .entries()
            .into_iter()
            .find(|e| e.req.path == "/new")
            .unwrap();
        assert_eq!(
            entry.req.header("accept-encoding"),
            Some("gzip, deflate, br, zstd")
        );
        let head = String::from_utf8(last.response_head()).unwrap();
        assert!(head.contains("X-Crawler-Content-Encoding: gzip"), "{head}");
        assert!(
            head.contains(&format!("Content-Length: {}\r\n", page.len())),
            "{head}"
        );
        // The redirect's own (small) body is archived as well.
        assert_eq!(
            r.exchanges[1].response_header("location").as_deref(),
            Some("/new")
        );

        // A non-capturing fetcher records nothing.
        let plain = Fetcher::new(cfg()).unwrap();
        let r = plain.fetch(FetchRequest::page(srv.url("/new"))).await;
        assert_eq!(r.outcome, FetchOutcome::Ok);
        assert!(r.exchanges.is_empty());
    })
    .await;
}

#[tokio::test]
async fn capture_keeps_the_cap_refusals_and_retries() {
    bounded(async {
        let bomb = Arc::new(gzip(&vec![0u8; 16 * 1024 * 1024]));
        let flaky = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let srv = Server::start(move |r| match r.path.as_str() {
            "/bomb" => Reply::Full {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "text/html".into()),
                    ("Content-Encoding".into(), "gzip".into()),
                ],
                body: bomb.to_vec(),
            },
            "/doc.pdf" => Reply::text(200, "application/pdf", "%PDF-1.4"),
            "/flaky" => {
                if flaky.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    Reply::text(503, "text/plain", "busy")
                } else {
                    Reply::html("<p>ok now</p>")
                }
            }
            _ => Reply::status(404),
        })
        .await;
        let mut c = cfg();
        c.respect_robots = false;
        c.max_body_bytes = 1024 * 1024;
        let f = Fetcher::capturing(c).unwrap();
        let r = f.fetch(FetchRequest::page(srv.url("/bomb"))).await;
        assert_eq!(r.outcome, FetchOutcome::TooLarge);
        assert_eq!(r.exchanges.len(), 1);
        assert_eq!(r.exchanges[0].payload.len(), 1024 * 1024);
        assert_eq!(
            r.exchanges[0].truncated,
            Some(trawl_warc::Truncation::Length)
        );

        let r = f.fetch(FetchRequest::page(srv.url("/doc.pdf"))).await;
        assert_eq!(r.outcome, FetchOutcome::WrongType);
        assert_eq!(r.exchanges.len(), 1, "a refused type is still an exchange");
        assert!(r.exchanges[0].payload.is_empty());

        let r = f.fetch(FetchRequest::page(srv.url("/flaky"))).await;
        assert_eq!(r.outcome, FetchOutcome::Ok);
        let statuses: Vec<_> = r.exchanges.iter().map(|e| e.status).collect();
        assert_eq!(statuses, [503, 200], "each retry is an exchange");
        assert_eq!(&r.exchanges[0].payload[..], b"busy");
    })
    .await;
}
