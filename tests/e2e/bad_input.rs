//! Bad input and security, end to end through the `trawl` binary: invalid configuration,
//! bad seeds, a hostile web server, SSRF bypass attempts and credentials in service URLs.
//! Each test asserts a clear error or a counted skip — never a panic, never a hang — and
//! that the crawl of the good input goes on. Every child process is bounded in time.

use std::io::Write;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use trawl_e2e::{closed_port, read_articles, run_bounded, trawl_bin, write_lines};
use trawl_testsite::{SiteSpec, TestSite};

/// A `trawl` command with no TRAWL_* settings inherited from the caller's environment.
fn trawl() -> Command {
    let mut c = Command::new(trawl_bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("TRAWL_") {
            c.env_remove(k);
        }
    }
    c.env("TRAWL_LOG", "info");
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn assert_no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked"),
        "the binary panicked:\n{stderr}"
    );
}

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

const BAD_CONFIG: &str = r#"
stray = 1
[amqp]
url = "http://127.0.0.1:5672"
prefetch = 0
[redis]
url = "not a url"
[fetch]
user_agnet = "typo"
allow_cidrs = ["10.0.0.0/33"]
timeout = "soon"
[frontier]
deny_patterns = ["("]
[worker]
concurrency = "many"
[queue]
prefix = "x"
"#;

const BAD_KEYS: &[&str] = &[
    "stray",
    "amqp.url",
    "amqp.prefetch",
    "redis.url",
    "fetch.user_agnet",
    "fetch.allow_cidrs[0]",
    "fetch.timeout",
    "frontier.deny_patterns[0]",
    "worker.concurrency",
    "queue",
];

/// `[log]` applies to a role once its configuration is read: `level` (unless `TRAWL_LOG` is
/// set) and `format` (unless `--log-format` is given).
#[test]
fn the_log_section_sets_level_and_format() {
    let run = |args: &[&str], trawl_log: Option<&str>| {
        let mut cmd = trawl();
        cmd.env_remove("TRAWL_LOG");
        if let Some(l) = trawl_log {
            cmd.env("TRAWL_LOG", l);
        }
        cmd.arg("status").args(args);
        let (out, killed) = run_bounded(&mut cmd, Duration::from_secs(60));
        let stderr = text(&out.stderr);
        assert!(
            !killed && out.status.success(),
            "trawl status {args:?}:\n{stderr}"
        );
        assert_no_panic(&stderr);
        stderr
    };
    let info = run(&[], None);
    assert!(
        info.contains("INFO") && info.contains("connected to RabbitMQ"),
        "{info}"
    );
    assert!(
        !info.trim_start().starts_with('{'),
        "human by default: {info}"
    );
    let json = run(&["--set", "log.format=json"], None);
    let first = json
        .lines()
        .find(|l| l.contains("connected to RabbitMQ"))
        .unwrap_or("");
    let v: serde_json::Value =
        serde_json::from_str(first).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(v["level"], "INFO");
    let quiet = run(&["--set", "log.level=warn"], None);
    assert!(!quiet.contains("connected to RabbitMQ"), "{quiet}");
    let env_wins = run(&["--set", "log.level=warn"], Some("info"));
    assert!(env_wins.contains("connected to RabbitMQ"), "{env_wins}");
    let flag_wins = run(&["--log-format", "human", "--set", "log.format=json"], None);
    assert!(!flag_wins.contains("{\"timestamp\""), "{flag_wins}");
}

#[test]
fn invalid_config_exits_64_and_names_every_bad_key() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, BAD_CONFIG).unwrap();
    let bad_arg = bad.display().to_string();
    for role in ["frontier", "worker", "status", "seed"] {
        let mut cmd = trawl();
        cmd.args([role, "--config", &bad_arg]);
        if role == "seed" {
            cmd.arg("http://example.com/");
        }
        let (out, killed) = run_bounded(&mut cmd, Duration::from_secs(30));
        let stderr = text(&out.stderr);
        assert!(!killed, "trawl {role} hung on a bad config:\n{stderr}");
        assert_no_panic(&stderr);
        assert_eq!(
            out.status.code(),
            Some(64),
            "trawl {role} --config bad.toml should exit 64 (EX_USAGE):\n{stderr}"
        );
        for key in BAD_KEYS {
            assert!(
                stderr.contains(key),
                "trawl {role}: the error does not name {key}:\n{stderr}"
            );
        }
        assert!(
            stderr.contains(&format!("{} errors", BAD_KEYS.len())),
            "every problem reported at once:\n{stderr}"
        );
    }

    // Bad `--set` overrides and bad environment values are reported alongside the file's.
    let mut cmd = trawl();
    cmd.args([
        "frontier",
        "--config",
        &bad_arg,
        "--set",
        "worker.threads=3",
        "--set",
        "nodot",
    ])
    .env("TRAWL_METRICS_LISTEN", "localhost");
    let (out, killed) = run_bounded(&mut cmd, Duration::from_secs(30));
    let stderr = text(&out.stderr);
    assert!(!killed);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    for key in [
        "worker.threads",
        "nodot",
        "metrics.listen",
        "fetch.user_agnet",
    ] {
        assert!(stderr.contains(key), "{key} not named:\n{stderr}");
    }

    // A missing file is a configuration error too; an unreadable TOML syntax error as well.
    let garbage = dir.path().join("garbage.toml");
    std::fs::write(&garbage, b"[amqp\nurl = \xff\xfe\x00 \"").unwrap();
    for path in [dir.path().join("missing.toml"), garbage] {
        let mut cmd = trawl();
        cmd.args(["worker", "--config", &path.display().to_string()]);
        let (out, killed) = run_bounded(&mut cmd, Duration::from_secs(30));
        let stderr = text(&out.stderr);
        assert!(!killed);
        assert_no_panic(&stderr);
        assert_eq!(out.status.code(), Some(64), "{}: {stderr}", path.display());
    }
}

// ---------------------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_seeds_are_counted_as_filtered_and_the_good_ones_are_crawled() {
    let site = TestSite::start(SiteSpec {
        hosts: 1,
        articles_per_host: 5,
        crawl_delay: None,
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let dir = tempfile::tempdir().unwrap();
    let seeds_file = dir.path().join("seeds.txt");
    let out_file = dir.path().join("articles.jsonl");

    let long = format!("http://example.com/{}", "a".repeat(10_000));
    // Rejected at the door, each with a reason.
    let rejected: Vec<String> = vec![
        "not a url".into(),
        "/relative/path".into(),
        "relative/path.html".into(),
        "ftp://example.com/file.txt".into(),
        "javascript:alert(1)".into(),
        "mailto:news@example.com".into(),
        "file:///etc/passwd".into(),
        "data:text/html,<h1>x</h1>".into(),
        "http://".into(),
        "http://exa mple.com/".into(),
        "http://[::1/".into(),
        "http://example.com:99999/".into(),
        long,
    ];
    // Odd but valid: canonicalized, admitted, and then fail to resolve (no internet here).
    let odd_but_valid: Vec<String> = vec![
        "http://bücher.example/k%C3%BCche/ü?q=ä".into(),
        "http://EXAMPLE.com:80/%7euser/../a".into(),
        "HTTP://WWW.Example.COM./%e2%82%ac/%zz/%".into(),
    ];
    let mut lines = site.home_pages();
    lines.extend(rejected.iter().cloned());
    lines.extend(odd_but_valid.iter().cloned());
    // Invalid UTF-8 in the seed file itself: that line is a counted bad seed too.
    write_lines(&seeds_file, &lines);
    {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&seeds_file)
            .unwrap();
        f.write_all(b"http://caf\xe9.example/\xff\xfe\n").unwrap();
    }

    let mut cmd = trawl();
    cmd.args([
        "crawl",
        "--seeds",
        &seeds_file.display().to_string(),
        "--out",
        &out_file.display().to_string(),
        "--allow-cidr",
        "127.0.0.0/8",
        "--delay",
        "0s",
        "--max-time",
        "90s",
        "--summary-json",
    ]);
    let (out, killed) =
        tokio::task::spawn_blocking(move || run_bounded(&mut cmd, Duration::from_secs(150)))
            .await
            .unwrap();
    let stderr = text(&out.stderr);
    assert!(!killed, "trawl crawl hung:\n{stderr}");
    assert_no_panic(&stderr);
    assert!(out.status.success(), "trawl crawl failed:\n{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("summary JSON: {e}: {}\n{stderr}", text(&out.stdout)));
    assert_eq!(summary["reason"], "drained", "{summary}");

    // Every rejected seed is counted, with a reason.
    let filtered = summary["summary"]["filtered"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let total: u64 = filtered.values().filter_map(|v| v.as_u64()).sum();
    assert!(
        total > rejected.len() as u64,
        "{} bad seeds, {total} filtered: {filtered:?}",
        rejected.len()
    );
    for reason in ["bad_scheme", "invalid", "too_long"] {
        assert!(
            filtered.get(reason).and_then(|v| v.as_u64()).unwrap_or(0) > 0,
            "no seed filtered as {reason}: {filtered:?}"
        );
    }
    // The odd-but-valid ones were admitted and fetched (DNS fails: no network), not dropped.
    let fetched = &summary["summary"]["fetched"];
    let dns = fetched["dns_error"].as_u64().unwrap_or(0);
    assert!(
        dns >= odd_but_valid.len() as u64 - 1,
        "IDN / odd-encoding seeds should reach the fetcher: {fetched}"
    );
    // The crawl of the good seed completed.
    let articles = read_articles(&out_file);
    let expected = site.expected_articles();
    let got: std::collections::HashSet<String> =
        articles.iter().map(trawl_e2e::canonical_of).collect();
    for a in &expected {
        assert!(
            got.contains(&a.canonical_url),
            "missing {} despite bad seeds:\n{stderr}",
            a.canonical_url
        );
    }

    // Bad seeds on the command line (not in a file): a clear error, not a panic.
    let mut cmd = trawl();
    cmd.args([
        "crawl",
        "--seeds",
        "javascript:alert(1)",
        "--max-time",
        "5s",
    ]);
    cmd.current_dir(dir.path());
    let (out, killed) = run_bounded(&mut cmd, Duration::from_secs(30));
    let stderr = text(&out.stderr);
    assert!(!killed);
    assert_no_panic(&stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("javascript:alert(1)"), "{stderr}");
    site.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// A hostile web server
// ---------------------------------------------------------------------------------------

const ARTICLE: &str = "<html><head><title>Harbour reopens after repairs</title></head><body>\
<article><h1>Harbour reopens after repairs</h1>\
<p>The harbour reopened on Monday after repairs that took three months, the port \
authority said in a statement, adding that ferries would run on the summer timetable.</p>\
<p>Fishermen, who had moored their boats in the neighbouring bay since the spring storms, \
welcomed the news and said the new breakwater looked sturdier than the old one.</p>\
<p>The works cost four million euros, a third of it paid by the regional government.</p>\
</article></body></html>";

/// Paths the home page links to (or that are seeded), each misbehaving in its own way.
const HOSTILE_PATHS: &[&str] = &[
    "/news/good-harbour-reopens-after-repairs",
    "/sitemap-million.xml",
    "/sitemap.xml.gz",
    "/feed.xml",
    "/news/content-length-too-long-for-the-body",
    "/news/content-length-too-short-for-the-body",
    "/news/png-posing-as-html-page",
    "/news/html-posing-as-png-image",
    "/news/trickle-a-byte-a-second",
    "/news/reset-in-the-middle-of-the-body",
    "/news/hundred-thousand-nested-elements",
    "/news/invalid-utf8-everywhere-in-the-page",
    "/news/redirect-with-invalid-utf8-location",
];

struct Hostile {
    addr: SocketAddr,
    links: Arc<Vec<String>>,
    log: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// `links`: the paths its home page links to.
    async fn start(
        bind: &str,
        robots: Arc<Vec<u8>>,
        bomb: Arc<Vec<u8>>,
        links: Vec<String>,
    ) -> Hostile {
        let links = Arc::new(links);
        let links2 = links.clone();
        let listener = TcpListener::bind(bind).await.expect("bind hostile server");
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let l2 = log.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    continue;
                };
                let (log, robots, bomb) = (l2.clone(), robots.clone(), bomb.clone());
                let links = links2.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(
                        Duration::from_secs(60),
                        serve_hostile(sock, addr, log, robots, bomb, links),
                    )
                    .await;
                });
            }
        });
        Hostile {
            addr,
            links,
            log,
            task,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    fn requested(&self, path: &str) -> bool {
        self.log.lock().unwrap().iter().any(|p| p == path)
    }
}

fn head(status: &str, headers: &[(&str, &[u8])]) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status}\r\n").into_bytes();
    for (k, v) in headers {
        h.extend_from_slice(k.as_bytes());
        h.extend_from_slice(b": ");
        h.extend_from_slice(v);
        h.extend_from_slice(b"\r\n");
    }
    h.extend_from_slice(b"Connection: close\r\n\r\n");
    h
}

fn full(status: &str, ct: &[u8], body: &[u8]) -> Vec<u8> {
    let len = body.len().to_string();
    let mut r = head(
        status,
        &[("Content-Type", ct), ("Content-Length", len.as_bytes())],
    );
    r.extend_from_slice(body);
    r
}

/// Deterministic pseudo-random bytes (xorshift), so a failure reproduces.
fn noise(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

async fn serve_hostile(
    mut sock: TcpStream,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    robots: Arc<Vec<u8>>,
    bomb: Arc<Vec<u8>>,
    links: Arc<Vec<String>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let path = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..pos]).into_owned();
            break head.split_whitespace().nth(1).unwrap_or("/").to_string();
        }
        if buf.len() > 64 * 1024 {
            return Ok(());
        }
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    log.lock().unwrap().push(path.clone());
    let html = b"text/html; charset=utf-8".as_slice();
    match path.as_str() {
        "/robots.txt" => {
            sock.write_all(&full("200 OK", b"text/plain", &robots))
                .await?;
        }
        "/" => {
            let mut body = String::from("<html><head><title>Hostile</title></head><body><ul>");
            for p in links.iter() {
                body.push_str(&format!("<li><a href=\"{p}\">{p}</a></li>"));
            }
            body.push_str("</ul></body></html>");
            sock.write_all(&full("200 OK", html, body.as_bytes()))
                .await?;
        }
        "/news/good-harbour-reopens-after-repairs" => {
            sock.write_all(&full("200 OK", html, ARTICLE.as_bytes()))
                .await?;
        }
        "/sitemap-million.xml" => {
            // A million <url> entries (~60 MB), generated while streaming; the client may
            // hang up early (body cap), which ends the loop.
            sock.write_all(&head("200 OK", &[("Content-Type", b"application/xml")]))
                .await?;
            sock.write_all(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                  <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
            )
            .await?;
            let mut chunk = String::with_capacity(64 * 1024);
            for i in 0..1_000_000u32 {
                chunk.push_str(&format!(
                    "<url><loc>http://elsewhere.example/story/{i}</loc></url>\n"
                ));
                if chunk.len() >= 60 * 1024 {
                    sock.write_all(chunk.as_bytes()).await?;
                    chunk.clear();
                }
            }
            chunk.push_str("</urlset>\n");
            sock.write_all(chunk.as_bytes()).await?;
        }
        "/sitemap.xml.gz" => {
            sock.write_all(&full("200 OK", b"application/x-gzip", &bomb))
                .await?;
        }
        "/feed.xml" => {
            let mut body = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Broken \
                <item><title>One</title><link>http://"
                .to_vec();
            body.extend_from_slice(addr.to_string().as_bytes());
            body.extend_from_slice(
                b"/news/from-the-feed-\xff\xfe</link><item><item><description><![CDATA[ \
                  &bogus; <guid>",
            );
            body.extend(noise(2000, 7));
            sock.write_all(&full("200 OK", b"application/rss+xml", &body))
                .await?;
        }
        "/news/content-length-too-long-for-the-body" => {
            // Announces 50,000 bytes, sends the article (~700), closes.
            let mut r = head(
                "200 OK",
                &[("Content-Type", html), ("Content-Length", b"50000")],
            );
            r.extend_from_slice(ARTICLE.as_bytes());
            sock.write_all(&r).await?;
        }
        "/news/content-length-too-short-for-the-body" => {
            // Announces 40 bytes, sends the whole article: the rest is junk on the wire.
            let mut r = head(
                "200 OK",
                &[("Content-Type", html), ("Content-Length", b"40")],
            );
            r.extend_from_slice(ARTICLE.as_bytes());
            r.extend_from_slice(b"HTTP/1.1 200 OK\r\nX-Smuggled: yes\r\n\r\n");
            sock.write_all(&r).await?;
        }
        "/news/png-posing-as-html-page" => {
            let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
            png.extend(noise(8000, 11));
            sock.write_all(&full("200 OK", html, &png)).await?;
        }
        "/news/html-posing-as-png-image" => {
            sock.write_all(&full("200 OK", b"image/png", ARTICLE.as_bytes()))
                .await?;
        }
        "/news/trickle-a-byte-a-second" => {
            let len = ARTICLE.len().to_string();
            sock.write_all(&head(
                "200 OK",
                &[("Content-Type", html), ("Content-Length", len.as_bytes())],
            ))
            .await?;
            for b in ARTICLE.bytes() {
                sock.write_all(&[b]).await?;
                sock.flush().await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        "/news/reset-in-the-middle-of-the-body" => {
            let mut r = head(
                "200 OK",
                &[("Content-Type", html), ("Content-Length", b"100000")],
            );
            r.extend_from_slice(&ARTICLE.as_bytes()[..300]);
            sock.write_all(&r).await?;
            sock.flush().await?;
            // SO_LINGER 0: closing sends a TCP RST instead of a FIN.
            #[allow(deprecated)] // blocking on drop is the point: a zero linger sends a RST
            sock.set_linger(Some(Duration::ZERO))?;
            drop(sock);
            return Ok(());
        }
        "/news/hundred-thousand-nested-elements" => {
            let mut body = String::with_capacity(1_300_000);
            body.push_str("<html><head><title>Deep</title></head><body>");
            for _ in 0..100_000 {
                body.push_str("<div>");
            }
            body.push_str("<p>At the bottom of a very deep document there is a sentence.</p>");
            for _ in 0..100_000 {
                body.push_str("</div>");
            }
            body.push_str("</body></html>");
            sock.write_all(&full("200 OK", html, body.as_bytes()))
                .await?;
        }
        "/news/invalid-utf8-everywhere-in-the-page" => {
            let mut body = b"<html><head><title>Caf\xe9 \xff\xfe titre \xc3\x28</title>\
                <meta name=\"author\" content=\"Jos\xe9 \xf0\x28\x8c\xbc\"></head><body><article>\
                <h1>Invalid \xc3\x28 UTF-8 \xed\xa0\x80 everywhere</h1>"
                .to_vec();
            for i in 0..6 {
                body.extend_from_slice(
                    format!("<p>Paragraph {i} of a page whose bytes are not valid UTF-8: ")
                        .as_bytes(),
                );
                body.extend_from_slice(
                    b"na\xefve r\xe9sum\xe9 \xff\xfe\xfd, the text goes on. </p>",
                );
            }
            body.extend_from_slice(
                b"<a href=\"/news/caf\xe9-\xff\xfe-story\">link</a>\
                  <a href=\"http://\xff\xfe.example/\">bad host</a></article></body></html>",
            );
            let r = {
                let len = body.len().to_string();
                let mut r = head(
                    "200 OK",
                    &[
                        ("Content-Type", b"text/html; charset=\xff\xfe"),
                        ("Content-Length", len.as_bytes()),
                        ("X-Junk", b"\xff\xfe\x80 value"),
                        ("Last-Modified", b"Mon, 32 Foo 20\xff GMT"),
                        ("ETag", b"\"\xff\""),
                    ],
                );
                r.extend_from_slice(&body);
                r
            };
            sock.write_all(&r).await?;
        }
        "/news/redirect-with-invalid-utf8-location" => {
            sock.write_all(&head(
                "302 Found",
                &[
                    ("Location", b"/news/\xff\xfe-moved\xc3\x28"),
                    ("Content-Length", b"0"),
                ],
            ))
            .await?;
        }
        _ => {
            sock.write_all(&full("404 Not Found", b"text/plain", b"not found"))
                .await?;
        }
    }
    sock.flush().await?;
    let _ = sock.shutdown().await;
    Ok(())
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_server_crawl_terminates_and_counts_every_outcome() {
    // 64 MiB of zeros compress to ~64 KiB: the gzip bomb posing as a sitemap.
    let bomb = Arc::new(gzip(&vec![0u8; 64 * 1024 * 1024]));
    assert!(bomb.len() < 200 * 1024);
    // Host A: robots.txt is binary garbage. Host B: 1 MB of Disallow lines (over the cap).
    let mut garbage = noise(4096, 3);
    garbage.extend_from_slice(b"\nUser-agent: \xff\nDisallow: \x00/\n");
    let mut huge = b"User-agent: *\n".to_vec();
    let mut i = 0;
    while huge.len() < 1024 * 1024 {
        huge.extend_from_slice(format!("Disallow: /private-{i}/\n").as_bytes());
        i += 1;
    }
    // One host per misbehaviour: a failing URL makes its host rest for the retry backoff
    // (politeness), so spreading them lets the crawl finish within its time budget.
    let garbage = Arc::new(garbage);
    let mut hosts = Vec::new();
    for (i, p) in HOSTILE_PATHS.iter().enumerate() {
        let links = vec![p.to_string(), HOSTILE_PATHS[0].to_string()];
        let bind = format!("127.0.0.{}:0", 20 + i);
        hosts.push(Hostile::start(&bind, garbage.clone(), bomb.clone(), links).await);
    }
    // Host B: robots.txt of 1 MB of Disallow lines (twice the robots size cap).
    let b = Hostile::start(
        "127.0.0.7:0",
        Arc::new(huge),
        bomb,
        vec![HOSTILE_PATHS[0].to_string(), "/private-7/x".to_string()],
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    let seeds_file = dir.path().join("seeds.txt");
    let out_file = dir.path().join("articles.jsonl");
    let mut seeds = Vec::new();
    for h in hosts.iter().chain([&b]) {
        seeds.push(h.url("/"));
        for p in h.links.iter() {
            if p.contains(".xml") {
                seeds.push(h.url(p));
            }
        }
    }
    write_lines(&seeds_file, &seeds);

    let mut cmd = trawl();
    cmd.args([
        "crawl",
        "--seeds",
        &seeds_file.display().to_string(),
        "--out",
        &out_file.display().to_string(),
        "--allow-cidr",
        "127.0.0.0/8",
        "--delay",
        "0s",
        "--timeout",
        "3s",
        "--workers",
        "8",
        "--max-time",
        "90s",
        "--summary-json",
    ]);
    let (out, killed) =
        tokio::task::spawn_blocking(move || run_bounded(&mut cmd, Duration::from_secs(150)))
            .await
            .unwrap();
    let stderr = text(&out.stderr);
    assert!(!killed, "trawl crawl did not stop within 150 s:\n{stderr}");
    assert_no_panic(&stderr);
    assert!(out.status.success(), "trawl crawl failed:\n{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("summary JSON: {e}: {}\n{stderr}", text(&out.stdout)));
    eprintln!("{summary:#}");
    let reason = summary["reason"].as_str().unwrap_or_default();
    assert!(
        reason == "drained" || reason == "max-time",
        "the crawl ends by itself or at --max-time: {summary}"
    );
    if reason != "drained" {
        eprintln!("note: the crawl ran into --max-time (retry backoffs on a loaded machine)");
    }

    // Every hostile path was requested (robots garbage = no rules = allowed), so the crawl
    // went on past each bad response.
    for (h, p) in hosts.iter().zip(HOSTILE_PATHS) {
        assert!(h.requested(p), "{p} never requested:\n{stderr}");
        assert!(h.requested("/robots.txt"), "robots.txt first on {}", h.addr);
    }
    assert!(b.requested("/robots.txt"));

    let fetched = summary["summary"]["fetched"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let count = |k: &str| fetched.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    let pages: u64 = fetched.values().filter_map(|v| v.as_u64()).sum();
    assert!(
        pages >= 2 * HOSTILE_PATHS.len() as u64,
        "every seed and link accounted for: {fetched:?}"
    );
    // The byte-a-second trickle times out; the million-URL sitemap hits the body cap;
    // the HTML posing as a PNG has the wrong type.
    assert!(count("timeout") >= 1, "{fetched:?}");
    assert!(count("too_large") >= 1, "{fetched:?}");
    assert!(count("wrong_type") >= 1, "{fetched:?}");
    assert!(count("ok") > HOSTILE_PATHS.len() as u64, "{fetched:?}");

    // The good article (on both hosts) was written.
    let articles = read_articles(&out_file);
    let titles: Vec<&str> = articles
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("Harbour reopens")),
        "the good article is missing: {titles:?}\n{stderr}"
    );
    // Articles from bad input are still well-formed (their strings are valid UTF-8 JSON).
    for a in &articles {
        assert!(a["url"].as_str().is_some_and(|u| u.starts_with("http://")));
    }
    // The million-URL sitemap never got its URLs in: nothing from elsewhere.example.
    let frontier_seen = summary["frontier"]["seen"].as_u64().unwrap_or(0);
    assert!(
        frontier_seen < 1000,
        "the frontier grew to {frontier_seen} URLs"
    );
}

// ---------------------------------------------------------------------------------------
// SSRF through `trawl fetch`
// ---------------------------------------------------------------------------------------

/// A server on 127.0.0.1 that counts requests; `/go?to=X` redirects to X.
async fn counting_server(bind: &str) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind(bind).await.expect("bind");
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let l2 = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                continue;
            };
            let log = l2.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                log.lock().unwrap().push(path.clone());
                let reply = if let Some(to) = path.strip_prefix("/go?to=") {
                    format!(
                        "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                } else if path == "/robots.txt" {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_string()
                } else {
                    let body = "<html><body><p>internal secret</p></body></html>";
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    (addr, log)
}

fn trawl_fetch(args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut cmd = trawl();
    cmd.arg("fetch")
        .args(args)
        .args(["--timeout", "5", "--compact", "--max-retries", "0"]);
    let (out, killed) = run_bounded(&mut cmd, Duration::from_secs(30));
    let stderr = text(&out.stderr);
    assert!(!killed, "trawl fetch {args:?} hung");
    assert_no_panic(&stderr);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), json, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssrf_guard_holds_end_to_end_through_trawl_fetch() {
    let (internal, internal_log) = counting_server("127.0.0.1:0").await;
    let (other, other_log) = counting_server("127.0.0.9:0").await;
    let port = internal.port();
    let attempts = vec![
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
        format!("http://2130706433:{port}/"),
        format!("http://0177.0.0.1:{port}/"),
        format!("http://0x7f.0.0.1:{port}/"),
        format!("http://0x7f000001:{port}/"),
        format!("http://127.1:{port}/"),
        format!("http://0:{port}/"),
        format!("http://0.0.0.0:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://[::ffff:7f00:1]:{port}/"),
        format!("http://[::127.0.0.1]:{port}/"),
        format!("http://[::1]:{port}/"),
        format!("http://[::]:{port}/"),
        format!("http://user:pw@127.0.0.1:{port}/"),
        format!("http://example.com@127.0.0.1:{port}/"),
        format!("http://%31%32%37.0.0.1:{port}/"),
        format!("http://１２７.０.０.１:{port}/"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[fd00:ec2::254]/latest/meta-data/".to_string(),
        "http://10.0.0.1/".to_string(),
        "http://192.168.0.1/".to_string(),
    ];
    let mut seen = Vec::new();
    for u in &attempts {
        let u = u.clone();
        let (code, j, stderr) = tokio::task::spawn_blocking(move || trawl_fetch(&[&u]))
            .await
            .unwrap();
        seen.push((code, j, stderr));
    }
    for (u, (code, j, stderr)) in attempts.iter().zip(&seen) {
        assert_ne!(*code, Some(0), "{u} was fetched: {j}\n{stderr}");
        if j.is_null() {
            // Refused before any fetch (e.g. a URL the parser rejects): a clear error.
            assert_eq!(*code, Some(1), "{u}: {stderr}");
            assert!(stderr.contains("invalid URL"), "{u}: {stderr}");
        } else {
            assert_eq!(j["outcome"], "blocked_address", "{u}: {j}");
            assert_eq!(*code, Some(2), "{u}");
        }
    }
    assert!(
        internal_log.lock().unwrap().is_empty(),
        "a request reached the internal server: {:?}",
        internal_log.lock().unwrap()
    );

    // Redirects into private space: the first hop is allowed (127.0.0.1/32 only), the
    // redirect target is not — also when it is a DNS name (localhost resolves to loopback).
    let other_port = other.port();
    let targets = [
        format!("http://127.0.0.9:{other_port}/secret"),
        format!("http://2130706441:{other_port}/secret"),
        format!("http://[::ffff:127.0.0.9]:{other_port}/secret"),
        format!("http://[::1]:{port}/secret"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[::ffff:a9fe:a9fe]/latest/meta-data/".to_string(),
    ];
    for t in &targets {
        let go = format!("http://127.0.0.1:{port}/go?to={t}");
        let (code, j, stderr) = tokio::task::spawn_blocking(move || {
            trawl_fetch(&[&go, "--allow-cidr", "127.0.0.1/32"])
        })
        .await
        .unwrap();
        assert_eq!(
            j["outcome"], "blocked_address",
            "redirect to {t}: {j}\n{stderr}"
        );
        assert_eq!(code, Some(2));
        assert!(
            j["redirects"].as_array().is_some_and(|r| !r.is_empty()),
            "the hop was followed and then refused: {j}"
        );
    }
    assert!(
        other_log.lock().unwrap().is_empty(),
        "a redirect reached 127.0.0.9: {:?}",
        other_log.lock().unwrap()
    );
    // A DNS name resolving into private space, reached by redirect, with only the
    // redirecting server's address allowed.
    let (edge, edge_log) = counting_server("127.0.0.9:0").await;
    let go = format!(
        "http://127.0.0.9:{}/go?to=http://localhost:{port}/secret",
        edge.port()
    );
    let (code, j, stderr) =
        tokio::task::spawn_blocking(move || trawl_fetch(&[&go, "--allow-cidr", "127.0.0.9/32"]))
            .await
            .unwrap();
    assert_eq!(j["outcome"], "blocked_address", "{j}\n{stderr}");
    assert_eq!(code, Some(2));
    assert!(!edge_log.lock().unwrap().is_empty(), "the edge was fetched");
    // (The internal server was the redirecting hop above: only those requests are allowed.)
    let reached: Vec<String> = internal_log
        .lock()
        .unwrap()
        .iter()
        .filter(|p| !p.starts_with("/go?") && *p != "/robots.txt")
        .cloned()
        .collect();
    assert!(
        reached.is_empty(),
        "a redirect to localhost reached the internal server: {reached:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Credentials in service URLs
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_in_amqp_and_redis_urls_are_never_printed_or_exported() {
    const AMQP_PW: &str = "amqpS3cretPassw0rd";
    const REDIS_PW: &str = "redisS3cretPassw0rd";
    let amqp = format!("amqp://trawluser:{AMQP_PW}@127.0.0.1:{}/%2f", closed_port());
    let redis = format!("redis://:{REDIS_PW}@127.0.0.1:{}/0", closed_port());
    let metrics_port = closed_port();

    // `trawl status` gives up after its patience with an error naming the redacted URL.
    let mut cmd = trawl();
    cmd.args(["status", "--json"])
        .env("TRAWL_AMQP_URL", &amqp)
        .env("TRAWL_REDIS_URL", &redis)
        .env("TRAWL_LOG", "debug");
    let (out, killed) =
        tokio::task::spawn_blocking(move || run_bounded(&mut cmd, Duration::from_secs(60)))
            .await
            .unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!killed, "trawl status hung:\n{all}");
    assert_no_panic(&all);
    assert!(!out.status.success(), "status against closed ports: {all}");
    assert!(
        all.contains("127.0.0.1"),
        "the error names the address: {all}"
    );
    for pw in [AMQP_PW, REDIS_PW] {
        assert!(!all.contains(pw), "password leaked by trawl status:\n{all}");
    }

    // `trawl worker` retries forever with its metrics server up: logs, /metrics and /readyz
    // never show a password.
    let mut cmd = trawl();
    cmd.args(["worker"])
        .env("TRAWL_AMQP_URL", &amqp)
        .env("TRAWL_REDIS_URL", &redis)
        .env("TRAWL_METRICS_LISTEN", format!("127.0.0.1:{metrics_port}"))
        .env("TRAWL_LOG", "debug");
    let worker = std::thread::spawn(move || run_bounded(&mut cmd, Duration::from_secs(8)));
    let mut scraped = String::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut body = String::new();
        for path in ["/metrics", "/readyz", "/healthz"] {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", metrics_port)).await {
                let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let _ = s.write_all(req.as_bytes()).await;
                let mut b = Vec::new();
                let _ = tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut b)).await;
                body.push_str(&text(&b));
            }
        }
        if body.contains("trawl_") {
            scraped = body;
            break;
        }
    }
    let (out, killed) = tokio::task::spawn_blocking(move || worker.join().unwrap())
        .await
        .unwrap();
    let logs = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(killed, "the worker should keep retrying, not exit:\n{logs}");
    assert_no_panic(&logs);
    assert!(
        logs.contains("retrying") || logs.contains("unreachable"),
        "the worker says it is retrying:\n{logs}"
    );
    assert!(
        scraped.contains("trawl_"),
        "/metrics was not served while the worker waited for its services"
    );
    for pw in [AMQP_PW, REDIS_PW] {
        assert!(
            !logs.contains(pw),
            "password leaked in worker logs:\n{logs}"
        );
        assert!(
            !scraped.contains(pw),
            "password leaked on /metrics:\n{scraped}"
        );
    }
}
