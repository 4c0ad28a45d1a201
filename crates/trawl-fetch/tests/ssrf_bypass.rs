//! SSRF guard: attempts to get around it that `fetcher.rs` does not already cover —
//! unspecified and IPv6 loopback spellings, userinfo and percent-encoded hosts, full-width
//! digits, trailing-dot and upper-case `localhost`, and redirect chains that step from an
//! allowed address into a blocked one (by IP literal, by mapped IPv6, and by a DNS name).
//! Every case asserts `blocked_address` and that the target server saw no request.

mod common;

use common::{Reply, Server};
use std::future::Future;
use std::time::Duration;
use trawl_core::FetchOutcome;
use trawl_fetch::{FetchConfig, FetchRequest, Fetcher};

async fn bounded<F: Future<Output = ()>>(f: F) {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("test exceeded its 30 s bound");
}

fn cfg(allow: &[&str]) -> FetchConfig {
    let mut c = FetchConfig::default();
    c.user_agent.product = "trawl-test".into();
    c.allow_cidrs = allow.iter().map(|a| a.parse().unwrap()).collect();
    c.connect_timeout = Duration::from_secs(2);
    c.first_byte_timeout = Duration::from_secs(2);
    c.total_timeout = Duration::from_secs(3);
    c.max_retries = 0;
    c.politeness.min_delay = Duration::ZERO;
    c.respect_robots = false;
    c
}

async fn fetch(f: &Fetcher, u: &str) -> trawl_fetch::FetchResponse {
    let url = url::Url::parse(u).unwrap_or_else(|e| panic!("{u}: {e}"));
    f.fetch(FetchRequest::page(url)).await
}

#[tokio::test]
async fn unspecified_ipv6_userinfo_and_encoded_spellings_of_loopback_are_blocked() {
    bounded(async {
        let srv = Server::start(|_| Reply::html("internal")).await;
        let port = srv.addr.port();
        let f = Fetcher::new(cfg(&[])).unwrap();
        for u in [
            // 0.0.0.0 connects to the local host on Linux.
            format!("http://0:{port}/"),
            format!("http://0.0.0.0:{port}/"),
            format!("http://[::]:{port}/"),
            format!("http://[::1]:{port}/"),
            format!("http://[0:0:0:0:0:0:0:1]:{port}/"),
            format!("http://[::127.0.0.1]:{port}/"),
            format!("http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/"),
            format!("http://127.000.000.001:{port}/"),
            format!("http://0x7F.1:{port}/"),
            // Userinfo that looks like a host.
            format!("http://example.com@127.0.0.1:{port}/"),
            format!("http://example.com:80@127.0.0.1:{port}/"),
            // Percent-encoded and full-width digits decode to 127.0.0.1.
            format!("http://%31%32%37.0.0.1:{port}/"),
            format!("http://１２７.０.０.１:{port}/"),
            // Host names resolving to loopback.
            format!("http://LOCALHOST:{port}/"),
            format!("http://localhost.:{port}/"),
        ] {
            let r = fetch(&f, &u).await;
            assert_eq!(r.outcome, FetchOutcome::BlockedAddress, "{u}: {r:?}");
            assert_eq!(r.attempts, 0, "{u}: no attempt is made");
        }
        assert!(srv.entries().is_empty(), "a request reached the server");
    })
    .await;
}

#[tokio::test]
async fn redirect_chains_into_private_space_are_blocked_at_the_hop() {
    bounded(async {
        // The "inside" server: only reachable if the guard fails.
        let inside = Server::start_on("127.0.0.9:0", |_| Reply::html("secret")).await;
        let ip = inside.addr.port();
        let targets = [
            format!("http://127.0.0.9:{ip}/secret"),
            format!("http://2130706441:{ip}/secret"),
            format!("http://0x7f.0.0.9:{ip}/secret"),
            format!("http://[::ffff:127.0.0.9]:{ip}/secret"),
            format!("http://[::1]:{ip}/secret"),
            format!("http://0.0.0.0:{ip}/secret"),
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "http://[fd00:ec2::254]/latest/meta-data/".to_string(),
            "http://10.0.0.1/admin".to_string(),
        ];
        let t2 = targets.clone();
        // The "edge" (allowed) redirects: /N → targets[N], with 301/302/303/307/308, and
        // /hop/N first to /N on itself (a two-hop chain).
        let edge = Server::start(move |r| {
            let p = r.path.trim_start_matches('/');
            let (p, hop) = match p.strip_prefix("hop/") {
                Some(rest) => (rest, true),
                None => (p, false),
            };
            let Ok(n) = p.parse::<usize>() else {
                return Reply::status(404);
            };
            if hop {
                return Reply::redirect(302, &format!("/{n}"));
            }
            let code = [301, 302, 303, 307, 308][n % 5];
            Reply::redirect(code, &t2[n % t2.len()])
        })
        .await;
        let f = Fetcher::new(cfg(&["127.0.0.1/32"])).unwrap();
        for (n, t) in targets.iter().enumerate() {
            for path in [format!("/{n}"), format!("/hop/{n}")] {
                let r = f.fetch(FetchRequest::page(edge.url(&path))).await;
                assert_eq!(
                    r.outcome,
                    FetchOutcome::BlockedAddress,
                    "{path} → {t}: {r:?}"
                );
                assert!(!r.redirects.is_empty(), "{path}: the hop was followed");
            }
        }
        assert!(
            inside.entries().is_empty(),
            "a redirect reached 127.0.0.9: {:?}",
            inside
                .entries()
                .iter()
                .map(|e| &e.req.path)
                .collect::<Vec<_>>()
        );
        assert_eq!(edge.entries().len(), targets.len() * 3);
    })
    .await;
}

#[tokio::test]
async fn a_redirect_to_a_name_that_resolves_into_private_space_is_blocked() {
    bounded(async {
        let inside = Server::start(|_| Reply::html("secret")).await;
        let port = inside.addr.port();
        // The edge lives on 127.0.0.9 and only that address is allowed; it sends the client
        // to `localhost`, which resolves to the (not allowed) 127.0.0.1 / ::1.
        let edge = Server::start_on("127.0.0.9:0", move |_| {
            Reply::redirect(302, &format!("http://localhost:{port}/secret"))
        })
        .await;
        let f = Fetcher::new(cfg(&["127.0.0.9/32"])).unwrap();
        let r = f.fetch(FetchRequest::page(edge.url("/go"))).await;
        assert_eq!(r.outcome, FetchOutcome::BlockedAddress, "{r:?}");
        assert_eq!(r.final_url.host_str(), Some("localhost"));
        assert_eq!(edge.entries().len(), 1);
        assert!(inside.entries().is_empty(), "localhost was reached");
        // With 127.0.0.0/8 allowed the same chain is fetched (the test is not vacuous).
        let f = Fetcher::new(cfg(&["127.0.0.0/8"])).unwrap();
        let r = f.fetch(FetchRequest::page(edge.url("/go"))).await;
        assert_eq!(r.outcome, FetchOutcome::Ok, "{r:?}");
        assert_eq!(inside.entries().len(), 1);
    })
    .await;
}
