//! Fetcher benchmark (see `scripts/bench-fetch.sh`).
//!
//! `bench_fetch server --hosts N [--port P] [--page-bytes B]`: a minimal keep-alive HTTP/1.1
//! server listening on 127.0.0.1..127.0.0.N (same port), serving a fixed HTML page and a
//! permissive robots.txt. Prints `PORT <p>` and runs until killed. Its own ceiling is measured
//! with wrk.
//!
//! `bench_fetch client --hosts N --port P --requests R --concurrency C [--no-gate]`: fetches R
//! URLs spread over the N hosts through one `Fetcher` (robots on, politeness delay 0; with the
//! gate on at most one request per host is in flight) and prints requests/s and p50/p99
//! latency.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trawl_core::FetchOutcome;
use trawl_fetch::{FetchConfig, FetchRequest, Fetcher};

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn serve(
    sock: tokio::net::TcpStream,
    page: std::sync::Arc<Vec<u8>>,
    robots: std::sync::Arc<Vec<u8>>,
) {
    let mut sock = sock;
    let _ = sock.set_nodelay(true);
    let mut buf = Vec::with_capacity(4096);
    let mut tmp = [0u8; 4096];
    loop {
        // Read one request head.
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p;
            }
            match sock.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        };
        let is_robots = buf.starts_with(b"GET /robots.txt ");
        buf.drain(..head_end + 4);
        let resp = if is_robots { &robots } else { &page };
        if sock.write_all(resp).await.is_err() {
            return;
        }
    }
}

fn response(ct: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

async fn server(args: &[String]) {
    let hosts: u8 = arg(args, "--hosts", 50);
    let mut port: u16 = arg(args, "--port", 0);
    let page_bytes: usize = arg(args, "--page-bytes", 20_000);
    let mut html = String::from("<html><head><title>bench</title></head><body><article>");
    while html.len() < page_bytes {
        html.push_str("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>");
    }
    html.push_str("</article></body></html>");
    let page = std::sync::Arc::new(response("text/html; charset=utf-8", html.as_bytes()));
    let robots = std::sync::Arc::new(response("text/plain", b"User-agent: *\nAllow: /\n"));
    let mut listeners = Vec::new();
    for h in 1..=hosts {
        let addr: SocketAddr = format!("127.0.0.{h}:{port}").parse().expect("address");
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .unwrap_or_else(|e| panic!("bind {addr}: {e}"));
        if port == 0 {
            port = l.local_addr().expect("local addr").port();
        }
        listeners.push(l);
    }
    println!("PORT {port}");
    for l in listeners {
        let (page, robots) = (page.clone(), robots.clone());
        tokio::spawn(async move {
            loop {
                if let Ok((s, _)) = l.accept().await {
                    tokio::spawn(serve(s, page.clone(), robots.clone()));
                }
            }
        });
    }
    futures::future::pending::<()>().await;
}

async fn client(args: &[String]) {
    let hosts: u32 = arg(args, "--hosts", 50);
    let port: u16 = arg(args, "--port", 0);
    let requests: usize = arg(args, "--requests", 20_000);
    let concurrency: usize = arg(args, "--concurrency", 100);
    let gate = !args.iter().any(|a| a == "--no-gate");
    let mut cfg = FetchConfig {
        allow_cidrs: vec!["127.0.0.0/8".parse().expect("cidr")],
        pool_max_idle_per_host: 8,
        ..FetchConfig::default()
    };
    cfg.politeness.min_delay = Duration::ZERO;
    cfg.politeness.enabled = gate;
    let fetcher = Fetcher::new(cfg).expect("fetcher");
    let urls: Vec<url::Url> = (0..requests)
        .map(|i| {
            let h = (i as u32 % hosts) + 1;
            url::Url::parse(&format!("http://127.0.0.{h}:{port}/page/{i}")).expect("url")
        })
        .collect();
    // Warm-up: one fetch per host (robots.txt, DNS-free IP hosts, connection setup).
    for h in 1..=hosts {
        let u = url::Url::parse(&format!("http://127.0.0.{h}:{port}/warm")).expect("url");
        fetcher.fetch(FetchRequest::page(u)).await;
    }
    let started = Instant::now();
    let results: Vec<(Duration, FetchOutcome)> = futures::stream::iter(urls)
        .map(|u| {
            let f = fetcher.clone();
            async move {
                let t = Instant::now();
                let r = f.fetch(FetchRequest::page(u)).await;
                (t.elapsed(), r.outcome)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let wall = started.elapsed();
    let ok = results.iter().filter(|r| r.1 == FetchOutcome::Ok).count();
    let mut lat: Vec<Duration> = results.iter().map(|r| r.0).collect();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "fetcher: hosts={hosts} concurrency={concurrency} gate={gate} requests={requests} ok={ok} \
         wall={:.2}s rate={:.0} req/s p50={:.2}ms p99={:.2}ms",
        wall.as_secs_f64(),
        requests as f64 / wall.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
    );
    let s = fetcher.stats();
    println!(
        "stats: attempts={} robots_fetches={} retries={}",
        s.attempts, s.robots_fetches, s.retries
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let threads: usize = arg(&args, "--threads", 1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()
        .expect("runtime");
    match args.get(1).map(|s| s.as_str()) {
        Some("server") => rt.block_on(server(&args)),
        Some("client") => rt.block_on(client(&args)),
        _ => eprintln!("usage: bench_fetch server|client [options] (see the source header)"),
    }
}
