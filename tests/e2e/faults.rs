//! Fault tests that leave the shared RabbitMQ and Redis running (they may run in
//! parallel): a worker SIGKILLed mid-crawl, RabbitMQ or Redis down at start, poison
//! tasks. The broker and Redis restarts are in `faults_restart.rs` (serialized).
//! Each test runs `trawl` roles as processes against a local test site, with a
//! unique prefix, and deletes its queues and keys at the end. See docs/reliability.md.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use trawl_e2e::kit::*;
use trawl_e2e::{amqp_url, read_articles, redis_url, unique};
use trawl_testsite::{Features, SiteSpec, TestSite};

/// SIGKILL one of two workers while it has a task in progress: its unacked tasks go
/// back to the queue and to the other worker, its host leases expire (5 s TTL) or are
/// released by the redelivered task's report, the crawl drains, and every reachable
/// article reaches `trawl tail`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_a_worker_mid_crawl_loses_no_article() {
    kill_a_worker("fkill", "5s", Duration::from_secs(180)).await;
}

/// The same with a 300 s lease: the crawl must still drain within 60 s of the kill,
/// which only the redelivery of the killed worker's unacked tasks can do (waiting for
/// its leases to expire would take 5 minutes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_a_worker_its_tasks_are_redelivered_not_waited_out() {
    kill_a_worker("fredeliver", "300s", Duration::from_secs(60)).await;
}

async fn kill_a_worker(tag: &str, lease_ttl: &str, drain_limit: Duration) {
    let site = fault_site(3, 10, 0.1, Duration::from_millis(150)).await;
    let Scenario {
        prefix,
        dir: _dir,
        config,
        expected,
        seeds,
        tail_out,
        dir_path,
    } = Scenario::new(
        &site,
        tag,
        &amqp_url(),
        &redis_url(),
        &Extra {
            frontier: format!("lease_ttl = \"{lease_ttl}\""),
            worker: "concurrency = 4".into(),
            ..Extra::default()
        },
    );

    let (cfg, tail_path, exp) = (config.clone(), tail_out.clone(), expected.clone());
    let (at_kill, in_progress, drained_in, final_status) = tokio::task::spawn_blocking(move || {
        let mut tail = spawn_tail(&cfg, &tail_path, None);
        let (mut frontier, _) = spawn_role(&cfg, &dir_path, "frontier", "frontier", 0);
        let w1_port = free_port();
        let (mut w1, _) = spawn_role(&cfg, &dir_path, "worker-1", "worker", w1_port);
        let (mut w2, _) = spawn_role(&cfg, &dir_path, "worker-2", "worker", 0);
        seed(&cfg, &seeds, &dir_path);

        // Arm: some articles out, and worker 1 in the middle of a task.
        let mut in_progress = 0.0;
        let armed = wait_until(Duration::from_secs(90), || {
            in_progress = metric(w1_port, "trawl_worker_tasks_in_progress").unwrap_or(0.0);
            canonicals(&tail_path).len() >= 5 && in_progress >= 1.0
        });
        assert!(
            armed,
            "worker 1 never had a task in progress after 5 articles"
        );
        let at_kill = canonicals(&tail_path).len();
        w1.kill();
        assert!(
            at_kill < exp.len(),
            "the crawl finished before the kill; nothing was tested"
        );

        let drained_in = wait_drained(&cfg, drain_limit);
        let caught_up = wait_articles(&tail_path, &exp, Duration::from_secs(30));
        let final_status = status(&cfg);
        stop_roles(
            &mut [("worker 2", &mut w2), ("frontier", &mut frontier)],
            Some(&mut tail),
        );
        assert!(
            drained_in.is_some(),
            "the crawl did not drain after the kill"
        );
        assert!(caught_up, "tail is missing articles after the drain");
        (at_kill, in_progress, drained_in, final_status)
    })
    .await
    .unwrap();

    let articles = read_articles(&tail_out);
    let got: HashSet<String> = articles.iter().map(trawl_e2e::canonical_of).collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(missing.is_empty(), "missing articles: {missing:?}");
    let s = final_status.expect("status at the end");
    assert_eq!(s["urls"]["in_flight"], 0, "URLs still in flight: {s}");
    assert_eq!(s["hosts"]["leased"], 0, "hosts still leased: {s}");
    assert_eq!(s["urls"]["queued"], 0, "URLs still queued: {s}");
    let repeats = repeated_article_requests(&site);
    // Reported, not asserted: a redelivered task does not wait out the politeness delay
    // that followed the killed worker's last request (see docs/reliability.md).
    let impolite = site.politeness_violations(Duration::from_millis(20)).len();
    assert!(
        site.disallowed_requests().is_empty(),
        "robots.txt disobeyed"
    );
    eprintln!(
        "worker kill (lease_ttl {lease_ttl}): killed with {in_progress} task(s) in progress after {at_kill} articles; \
         drained {drained_in:?} after the kill; {} article messages for {} articles; \
         {impolite} politeness gap(s) shorter than the delay; \
         article pages fetched more than once: {repeats:?}",
        articles.len(),
        got.len()
    );
    cleanup(&prefix, &amqp_url(), &redis_url(), None).await;
    site.shutdown().await;
}

/// Two frontier replicas and two workers; one frontier is SIGKILLed mid-crawl while it holds
/// host shards. Its shard claims expire (`shard_lease = 3s`), the other frontier takes them
/// over ("took shard" in its log, `trawl_frontier_shards_owned` = all shards), the reports the
/// dead one had not acked are redelivered to the survivor, any host it had leased comes back
/// when the lease expires (`lease_ttl = 10s`), and the crawl drains with every article. No host
/// ever has two requests in flight at once (one host lease across both replicas).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_a_frontier_its_shards_are_taken_over_and_nothing_is_lost() {
    let started = Instant::now();
    let site = fault_site(6, 8, 0.1, Duration::from_millis(150)).await;
    let Scenario {
        prefix,
        dir: _dir,
        config,
        expected,
        seeds,
        tail_out,
        dir_path,
    } = Scenario::new(
        &site,
        "ffrontier",
        &amqp_url(),
        &redis_url(),
        &Extra {
            frontier: "lease_ttl = \"10s\"\nshard_lease = \"3s\"\nshards = 16".into(),
            worker: "concurrency = 4".into(),
            ..Extra::default()
        },
    );

    let (cfg, tail_path, exp) = (config.clone(), tail_out.clone(), expected.clone());
    let report = tokio::task::spawn_blocking(move || {
        let mut tail = spawn_tail(&cfg, &tail_path, None);
        let (p1, p2) = (free_port(), free_port());
        let (mut f1, _) = spawn_role(&cfg, &dir_path, "frontier-1", "frontier", p1);
        let (mut f2, f2_log) = spawn_role(&cfg, &dir_path, "frontier-2", "frontier", p2);
        let (mut w1, _) = spawn_role(&cfg, &dir_path, "worker-1", "worker", 0);
        let (mut w2, _) = spawn_role(&cfg, &dir_path, "worker-2", "worker", 0);
        // The two replicas split the shards between them before the crawl starts.
        let mut owned = (0.0, 0.0);
        let split = wait_until(Duration::from_secs(30), || {
            owned = (
                metric(p1, "trawl_frontier_shards_owned").unwrap_or(0.0),
                metric(p2, "trawl_frontier_shards_owned").unwrap_or(0.0),
            );
            owned.0 >= 1.0 && owned.1 >= 1.0 && owned.0 + owned.1 == 16.0
        });
        assert!(split, "the frontiers did not split the 16 shards: {owned:?}");
        seed(&cfg, &seeds, &dir_path);
        let armed = wait_until(Duration::from_secs(60), || canonicals(&tail_path).len() >= 6);
        assert!(armed, "no articles from the two frontiers");
        let f1_shards = metric(p1, "trawl_frontier_shards_owned").unwrap_or(0.0);
        let at_kill = canonicals(&tail_path).len();
        f1.kill();
        let killed = Instant::now();
        assert!(
            at_kill < exp.len(),
            "the crawl finished before the kill; nothing was tested"
        );
        let took_all = wait_until(Duration::from_secs(30), || {
            metric(p2, "trawl_frontier_shards_owned") == Some(16.0)
        });
        let takeover = killed.elapsed();
        assert!(took_all, "frontier 2 never took over all 16 shards");
        // `trawl status` shows the same: one live frontier holding every shard (frontier 1's
        // heartbeat expired with its claims).
        let st = status(&cfg).expect("status after the takeover");
        let fr = &st["frontiers"];
        assert_eq!(fr["unclaimed"], 0, "{st}");
        let reps = fr["replicas"].as_array().cloned().unwrap_or_default();
        assert_eq!(reps.len(), 1, "{st}");
        assert_eq!(reps[0]["shards"], 16, "{st}");
        let drained_in = wait_drained(&cfg, Duration::from_secs(90));
        let caught_up = wait_articles(&tail_path, &exp, Duration::from_secs(30));
        let final_status = status(&cfg);
        let log = read_log(&f2_log);
        for p in [&mut w1, &mut w2, &mut f2] {
            assert!(p.terminate(Duration::from_secs(15)), "{} did not stop on SIGTERM", p.name);
        }
        tail.terminate(Duration::from_secs(5));
        assert!(drained_in.is_some(), "the crawl did not drain after the frontier kill");
        assert!(caught_up, "tail is missing articles after the drain");
        let took = log.matches("took shard").count();
        assert!(took >= 16, "frontier 2 logged {took} 'took shard' lines (want its first share plus the takeover):\n{log}");
        let released = read_log(&f2_log).matches("released shard").count();
        (owned, f1_shards, at_kill, takeover, drained_in, final_status, took, released)
    })
    .await
    .unwrap();
    let (owned, f1_shards, at_kill, takeover, drained_in, final_status, took, released) = report;

    let articles = read_articles(&tail_out);
    let got: HashSet<String> = articles.iter().map(trawl_e2e::canonical_of).collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(missing.is_empty(), "missing articles: {missing:?}");
    let s = final_status.expect("status at the end");
    assert_eq!(s["urls"]["in_flight"], 0, "URLs still in flight: {s}");
    assert_eq!(s["hosts"]["leased"], 0, "hosts still leased: {s}");
    assert_eq!(s["urls"]["queued"], 0, "URLs still queued: {s}");
    // One host lease across both replicas: never two requests at once to a host.
    assert_eq!(
        site.max_in_flight_per_host(),
        1,
        "a host was fetched twice at once"
    );
    assert!(
        site.disallowed_requests().is_empty(),
        "robots.txt disobeyed"
    );
    let repeats = repeated_article_requests(&site);
    let impolite = site.politeness_violations(Duration::from_millis(20)).len();
    let elapsed = started.elapsed();
    eprintln!(
        "frontier kill: shards split {owned:?} at start; frontier 1 held {f1_shards} when killed after \
         {at_kill} articles; frontier 2 held all 16 {takeover:?} after the kill; drained \
         {drained_in:?} after that; {} article messages for {} articles; {took} 'took shard' and \
         {released} 'released shard' lines from frontier 2; {impolite} politeness gap(s) shorter \
         than the delay; article pages fetched more than once: {repeats:?}; whole test {elapsed:?}",
        articles.len(),
        got.len()
    );
    assert!(elapsed < Duration::from_secs(120), "took {elapsed:?}");
    cleanup(&prefix, &amqp_url(), &redis_url(), None).await;
    site.shutdown().await;
}

/// Whether a child is still running.
fn alive(p: &mut trawl_e2e::Proc) -> bool {
    matches!(p.child.try_wait(), Ok(None))
}

/// For `secs` seconds, every 500 ms: each process alive, `/healthz` 200 and
/// `/readyz` 503 on each of `ports`. Returns the first failure.
fn stays_alive_and_unready(
    procs: &mut [&mut trawl_e2e::Proc],
    ports: &[u16],
    secs: u64,
) -> Result<(), String> {
    let end = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        for p in procs.iter_mut() {
            if !alive(p) {
                return Err(format!("{} exited: {:?}", p.name, p.child.try_wait()));
            }
        }
        for port in ports {
            let health = http_get(*port, "/healthz").map(|(c, _)| c);
            let ready = http_get(*port, "/readyz").map(|(c, _)| c);
            if health != Some(200) || ready != Some(503) {
                return Err(format!(
                    "port {port}: /healthz {health:?}, /readyz {ready:?} (want 200, 503)"
                ));
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Ok(())
}

/// Redis unreachable at start (a closed port, a URL with a password): frontier and
/// worker log one clear, redacted line per retry, serve `/healthz` 200 and `/readyz`
/// 503, and stay up; once a Redis (with that password) listens there, both become ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_at_start_retries_then_becomes_ready() {
    let password = "s3cr3t-redis";
    let port = free_port();
    let url = format!("redis://:{password}@127.0.0.1:{port}");
    let prefix = unique("fredisdown");
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &amqp_url(), &url, &prefix, &Extra::default());
    let dir_path = dir.path().to_path_buf();
    let redis_dir = tempfile::tempdir().unwrap();
    let redis_path = redis_dir.path().to_path_buf();
    let (became_ready, redis) = tokio::task::spawn_blocking(move || {
        let (fport, wport) = (free_port(), free_port());
        let (mut frontier, flog) = spawn_role(&config, &dir_path, "frontier", "frontier", fport);
        let (mut worker, wlog) = spawn_role(&config, &dir_path, "worker", "worker", wport);
        assert!(
            wait_until(Duration::from_secs(30), || {
                http_get(fport, "/healthz").is_some() && http_get(wport, "/healthz").is_some()
            }),
            "metrics servers did not come up"
        );
        if let Err(e) = stays_alive_and_unready(&mut [&mut frontier, &mut worker], &[fport, wport], 6)
        {
            panic!("while Redis is down: {e}");
        }
        let redacted = format!("redis://:***@127.0.0.1:{port}");
        for (name, log) in [("frontier", &flog), ("worker", &wlog)] {
            let text = read_log(log);
            let line = text
                .lines()
                .find(|l| l.contains("Redis unreachable; retrying"))
                .unwrap_or_else(|| panic!("{name}: no retry line in its log:\n{text}"));
            assert!(line.contains(&redacted), "{name}: retry line does not name {redacted}: {line}");
            assert!(!text.contains(password), "{name} logged the Redis password:\n{text}");
        }
        let retries = read_log(&flog).matches("Redis unreachable; retrying").count();
        // Redis comes up (with the password) on that port: both become ready.
        let up = Instant::now();
        let redis = RedisServer::start(port, &redis_path, Some(password));
        let ready = wait_until(Duration::from_secs(60), || {
            [fport, wport]
                .iter()
                .all(|p| http_get(*p, "/readyz").map(|(c, _)| c) == Some(200))
        });
        let became_ready = up.elapsed();
        for (name, log) in [("frontier", &flog), ("worker", &wlog)] {
            assert!(!read_log(log).contains(password), "{name} logged the Redis password");
        }
        assert!(alive(&mut frontier) && alive(&mut worker), "a role exited");
        assert!(frontier.terminate(Duration::from_secs(15)), "frontier did not stop on SIGTERM");
        assert!(worker.terminate(Duration::from_secs(15)), "worker did not stop on SIGTERM");
        assert!(ready, "not ready within 60 s of Redis coming up");
        eprintln!("redis down at start: {retries} retry lines in 6 s; ready {became_ready:?} after Redis came up");
        (became_ready, redis)
    })
    .await
    .unwrap();
    let _ = became_ready;
    cleanup(&prefix, &amqp_url(), &redis.url(), None).await;
    drop(redis);
}

/// RabbitMQ unreachable at start: a frontier whose broker never comes (a closed port,
/// a URL with a password) logs a clear redacted retry line, answers `/healthz` 200 and
/// `/readyz` 503 and stays up; a worker whose broker appears later (a TCP proxy to the
/// real RabbitMQ, started after 6 s) connects, declares the topology and becomes ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_down_at_start_retries_then_becomes_ready() {
    let password = "s3cr3t-amqp";
    let closed = free_port();
    let proxy_port = free_port();
    let prefix = unique("frmqdown");
    let dir = tempfile::tempdir().unwrap();
    let fdir = dir.path().join("f");
    let wdir = dir.path().join("w");
    std::fs::create_dir_all(&fdir).unwrap();
    std::fs::create_dir_all(&wdir).unwrap();
    let fconfig = write_config(
        &fdir,
        &format!("amqp://guest:{password}@127.0.0.1:{closed}/%2f"),
        &redis_url(),
        &prefix,
        &Extra::default(),
    );
    let wconfig = write_config(
        &wdir,
        &format!("amqp://guest:guest@127.0.0.1:{proxy_port}/%2f"),
        &redis_url(),
        &prefix,
        &Extra::default(),
    );
    let (fport, wport) = (free_port(), free_port());
    let (mut frontier, flog) = spawn_role(&fconfig, &fdir, "frontier", "frontier", fport);
    let (mut worker, wlog) = spawn_role(&wconfig, &wdir, "worker", "worker", wport);

    let phase1 = tokio::task::spawn_blocking(move || {
        assert!(
            wait_until(Duration::from_secs(30), || {
                http_get(fport, "/healthz").is_some() && http_get(wport, "/healthz").is_some()
            }),
            "metrics servers did not come up"
        );
        let r = stays_alive_and_unready(&mut [&mut frontier, &mut worker], &[fport, wport], 6);
        (frontier, worker, r)
    })
    .await
    .unwrap();
    let (mut frontier, mut worker, r) = phase1;
    if let Err(e) = r {
        panic!("while RabbitMQ is down: {e}");
    }
    let ftext = read_log(&flog);
    let redacted = format!("RabbitMQ at amqp://guest:***@127.0.0.1:{closed}/%2f unreachable");
    assert!(
        ftext.contains(&redacted),
        "frontier: no line with {redacted:?}:\n{ftext}"
    );
    assert!(
        !ftext.contains(password),
        "frontier logged the AMQP password:\n{ftext}"
    );
    let retries = ftext.matches("unreachable").count();

    // The broker "comes up": a TCP proxy to the real RabbitMQ on the worker's port.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", proxy_port))
        .await
        .expect("binding the proxy port");
    let upstream: std::net::SocketAddr = amqp_url()
        .split('@')
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|hp| std::net::ToSocketAddrs::to_socket_addrs(hp).ok()?.next())
        .unwrap_or_else(|| ([127, 0, 0, 1], 5672).into());
    let proxy = tokio::spawn(async move {
        while let Ok((mut down, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut up) = tokio::net::TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
                }
            });
        }
    });
    let up = Instant::now();
    let (ready, frontier_still_503, became_ready) = tokio::task::spawn_blocking(move || {
        let ready = wait_until(Duration::from_secs(60), || {
            http_get(wport, "/readyz").map(|(c, _)| c) == Some(200)
        });
        let became_ready = up.elapsed();
        let f503 = http_get(fport, "/readyz").map(|(c, _)| c) == Some(503) && alive(&mut frontier);
        stop_roles(
            &mut [("worker", &mut worker), ("frontier", &mut frontier)],
            None,
        );
        (ready, f503, became_ready)
    })
    .await
    .unwrap();
    proxy.abort();
    assert!(
        ready,
        "worker not ready within 60 s of the broker coming up"
    );
    assert!(
        frontier_still_503,
        "the frontier without a broker should stay up and unready"
    );
    let wtext = read_log(&wlog);
    assert!(
        wtext.contains("connected to RabbitMQ") || wtext.contains("reconnected to RabbitMQ"),
        "worker never logged its connection:\n{wtext}"
    );
    assert!(
        !read_log(&flog).contains(password),
        "frontier logged the AMQP password"
    );
    eprintln!(
        "rabbitmq down at start: frontier logged {retries} retry lines in 6 s; worker ready {became_ready:?} after the broker came up"
    );
    cleanup(&prefix, &amqp_url(), &redis_url(), None).await;
}

/// A tiny HTTP server for poison pages: `/robots.txt` 404, `/sitemap.xml` a malformed
/// sitemap served as `application/xml`, anything else never answered (the connection
/// is held open). Records each request path.
struct PoisonServer {
    port: u16,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl PoisonServer {
    fn start() -> PoisonServer {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("poison server");
        let port = listener.local_addr().unwrap().port();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log2 = log.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { break };
                let log = log2.clone();
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16384 {
                        match conn.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&head);
                    let path = text.split_whitespace().nth(1).unwrap_or("").to_string();
                    log.lock().unwrap().push(path.clone());
                    let reply = |status: &str, ctype: &str, body: &str| {
                        format!(
                            "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        )
                    };
                    let out = match path.as_str() {
                        "/robots.txt" => reply("404 Not Found", "text/plain", ""),
                        "/sitemap.xml" => reply(
                            "200 OK",
                            "application/xml",
                            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>http://127.0.0.1/a</loc></urlset>",
                        ),
                        _ => {
                            // Never answer; hold the connection until the client gives up.
                            std::thread::sleep(Duration::from_secs(20));
                            return;
                        }
                    };
                    let _ = conn.write_all(out.as_bytes());
                });
            }
        });
        PoisonServer { port, log }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn count(&self, path: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == path)
            .count()
    }
}

fn dead_letters(config: &std::path::Path) -> Vec<serde_json::Value> {
    let out = trawl(config)
        .env("TRAWL_LOG", "warn")
        .args(["dlq", "list", "--json"])
        .output()
        .expect("trawl dlq list");
    assert!(out.status.success(), "trawl dlq list failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad dlq line {l:?}: {e}")))
        .collect()
}

/// The dead letter (if any) whose task is for `url`, as (reason, source).
fn letter_for(letters: &[serde_json::Value], url: &str) -> Option<(String, String)> {
    letters.iter().find_map(|l| {
        let task: serde_json::Value =
            serde_json::from_str(l["payload"].as_str().unwrap_or("")).ok()?;
        (task["url"].as_str() == Some(url)).then(|| {
            (
                l["reason"].as_str().unwrap_or("").to_string(),
                l["source"].as_str().unwrap_or("").to_string(),
            )
        })
    })
}

/// Poison tasks beside a healthy site: a sitemap that is malformed XML (the worker
/// reports a processing error) and a page whose server never answers (a 1 s fetch
/// timeout). Each is tried `max_attempts` (3) times, then dead-lettered with its reason;
/// the rest of the crawl completes. `trawl dlq list --json` shows both; `trawl dlq
/// requeue` hands them back to the workers, which fetch them again (and the frontier
/// dead-letters them again after another 3 attempts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_tasks_are_retried_then_dead_lettered_and_requeueable() {
    let site = fault_site(2, 8, 0.1, Duration::ZERO).await;
    let poison = PoisonServer::start();
    let sitemap_url = format!("{}/sitemap.xml", poison.base());
    let hang_url = format!("{}/news/world/a-page-that-never-answers", poison.base());
    let prefix = unique("fpoison");
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &amqp_url(),
        &redis_url(),
        &prefix,
        &Extra {
            // The poison host times out on every fetch, which the politeness rule answers by
            // doubling the host's delay each time (5, 10, 20 s…, docs/politeness.md; tested in
            // crates/trawl-frontier/tests/report.rs). This test is about retries and dead letters,
            // so the delay is capped low.
            frontier: "max_attempts = 3\nlease_ttl = \"30s\"\nmax_host_delay = \"2s\"".into(),
            fetch: "timeout = \"1s\"\nconnect_timeout = \"1s\"\nfirst_byte_timeout = \"1s\"\nmax_retries = 0"
                .into(),
            worker: "concurrency = 4".into(),
        },
    );
    let expected = expected_of(&site);
    let mut seeds = site.home_pages();
    seeds.push(sitemap_url.clone());
    seeds.push(hang_url.clone());
    let tail_out = dir.path().join("tail.jsonl");
    let dir_path = dir.path().to_path_buf();
    let (cfg, tail_path, exp) = (config.clone(), tail_out.clone(), expected.clone());
    let (su, hu) = (sitemap_url.clone(), hang_url.clone());
    let poison_log = poison.log.clone();
    let count = move |path: &str| {
        poison_log
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == path)
            .count()
    };
    let hang_path = "/news/world/a-page-that-never-answers";

    let (first, second, drained_in, counts_first) = tokio::task::spawn_blocking(move || {
        let mut tail = spawn_tail(&cfg, &tail_path, None);
        let (mut frontier, _) = spawn_role(&cfg, &dir_path, "frontier", "frontier", 0);
        let (mut w1, _) = spawn_role(&cfg, &dir_path, "worker-1", "worker", 0);
        let (mut w2, _) = spawn_role(&cfg, &dir_path, "worker-2", "worker", 0);
        seed(&cfg, &seeds, &dir_path);
        let drained_in = wait_drained(&cfg, Duration::from_secs(120));
        let caught_up = wait_articles(&tail_path, &exp, Duration::from_secs(30));
        let first = dead_letters(&cfg);
        let counts_first = (count("/sitemap.xml"), count(hang_path));

        // Requeue: the workers fetch both again; after 3 more attempts they are back.
        let out = trawl(&cfg)
            .env("TRAWL_LOG", "warn")
            .args(["dlq", "requeue"])
            .output()
            .expect("trawl dlq requeue");
        let requeue_msg = String::from_utf8_lossy(&out.stderr).to_string();
        let refetched = wait_until(Duration::from_secs(30), || {
            count("/sitemap.xml") > counts_first.0 && count(hang_path) > counts_first.1
        });
        let second_round = wait_until(Duration::from_secs(90), || {
            let l = dead_letters(&cfg);
            letter_for(&l, &su).is_some() && letter_for(&l, &hu).is_some()
        }) && wait_drained(&cfg, Duration::from_secs(60)).is_some();
        let second = dead_letters(&cfg);
        stop_roles(
            &mut [
                ("worker 1", &mut w1),
                ("worker 2", &mut w2),
                ("frontier", &mut frontier),
            ],
            Some(&mut tail),
        );
        assert!(
            drained_in.is_some(),
            "the crawl did not drain with poison tasks in it"
        );
        assert!(caught_up, "the healthy hosts' articles are missing");
        assert!(
            out.status.success() && requeue_msg.contains("requeued 2 dead letter(s)"),
            "dlq requeue: {requeue_msg}"
        );
        assert!(refetched, "the requeued tasks were not fetched again");
        assert!(
            second_round,
            "the requeued tasks were not dead-lettered again after their retries"
        );
        (first, second, drained_in, counts_first)
    })
    .await
    .unwrap();

    // First round: both dead-lettered once, with their reasons, after exactly 3 attempts.
    assert_eq!(first.len(), 2, "dead letters: {first:#?}");
    let (reason, source) = letter_for(&first, &sitemap_url).expect("the sitemap's dead letter");
    assert_eq!(source, "tasks");
    assert!(
        reason.contains("process_error: sitemap") && reason.contains("after 3 attempts"),
        "sitemap reason: {reason}"
    );
    let (reason_hang, _) = letter_for(&first, &hang_url).expect("the hanging page's dead letter");
    assert!(
        reason_hang.starts_with("timeout") && reason_hang.contains("after 3 attempts"),
        "hanging page reason: {reason_hang}"
    );
    assert_eq!(
        counts_first,
        (3, 3),
        "(sitemap, hanging page) requests before the requeue"
    );
    // Second round: the same two, again after 3 attempts each.
    assert_eq!(second.len(), 2, "dead letters after requeue: {second:#?}");
    assert_eq!(poison.count("/sitemap.xml"), 6);
    assert_eq!(poison.count(hang_path), 6);
    eprintln!("poison: drained in {drained_in:?}; reasons: {reason:?}, {reason_hang:?}");
    cleanup(&prefix, &amqp_url(), &redis_url(), None).await;
    site.shutdown().await;
}

/// `trawl crawl --state DIR` SIGKILLed (no chance to save at exit) after its first
/// snapshot: the same command again resumes from the last snapshot (taken every 5 s),
/// so only URLs fetched in the last snapshot interval before the kill are fetched
/// again, and every article ends up in the output exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_crawl_sigkilled_resumes_from_its_last_snapshot() {
    let mut features = Features::default();
    features.set("calendar", false).unwrap();
    // Without the AMP copy: with 15 articles a host, article 2 is off the home page, so
    // its AMP copy (linked from home) is fetched first and wins the near-duplicate claim
    // whether or not the crawl is interrupted; that is not what this test is about.
    features.set("near_duplicate", false).unwrap();
    let site = TestSite::start(SiteSpec {
        hosts: 2,
        articles_per_host: 15,
        crawl_delay: Some(0.4),
        features,
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds.txt");
    let out = dir.path().join("articles.jsonl");
    let state = dir.path().join("state");
    trawl_e2e::write_lines(&seeds, &site.home_pages());
    let args: Vec<String> = [
        "crawl",
        "--seeds",
        &seeds.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--state",
        &state.display().to_string(),
        "--allow-cidr",
        "127.0.0.0/8",
        "--delay",
        "50ms",
        "--workers",
        "4",
        "--max-time",
        "240s",
        "--summary-json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let expected = expected_of(&site);

    let (first_args, out_path, snapshot) = (args.clone(), out.clone(), state.join("frontier.json"));
    let n_expected = expected.len();
    let (killed_at, after_first) = tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(trawl_e2e::trawl_bin());
        cmd.args(&first_args)
            .env("TRAWL_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut first = trawl_e2e::Proc::spawn("crawl-1", &mut cmd);
        let started = Instant::now();
        // Past the first snapshot (5 s), with articles written and more to come.
        let armed = wait_until(Duration::from_secs(60), || {
            started.elapsed() > Duration::from_secs(6)
                && snapshot.exists()
                && read_articles(&out_path).len() >= 4
        });
        assert!(armed, "no snapshot and 4 articles within 60 s");
        first.kill();
        let killed_at = Instant::now();
        let after_first = read_articles(&out_path).len();
        assert!(
            after_first < n_expected,
            "the first run finished before the kill; nothing was tested"
        );
        (killed_at, after_first)
    })
    .await
    .unwrap();
    let first_log_len = site.request_log().len();

    let second = tokio::task::spawn_blocking(move || {
        std::process::Command::new(trawl_e2e::trawl_bin())
            .args(&args)
            .env("TRAWL_LOG", "warn")
            .output()
            .expect("second run")
    })
    .await
    .unwrap();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&second.stdout).expect("summary");
    assert_eq!(summary["reason"], "drained", "{summary}");

    let articles = read_articles(&out);
    let counts = trawl_e2e::canonical_counts(&articles);
    let got: HashSet<String> = counts.keys().cloned().collect();
    assert_eq!(got, expected, "every article, across both runs");
    assert!(counts.values().all(|n| *n == 1), "exactly once: {counts:?}");

    // Refetched in the second run: only what the first run fetched after the last
    // snapshot (≤ 5 s before the kill, plus the time one snapshot takes).
    let log = site.request_log();
    let (first_run, second_run) = log.split_at(first_log_len);
    let window = Duration::from_millis(6500);
    let mut refetched = 0;
    let mut too_old = Vec::new();
    for r in second_run
        .iter()
        .filter(|r| r.path_and_query != "/robots.txt")
    {
        let earlier = first_run
            .iter()
            .filter(|f| f.host == r.host && f.path_and_query == r.path_and_query && f.status == 200)
            .map(|f| f.at)
            .max();
        if let Some(at) = earlier {
            refetched += 1;
            if killed_at.duration_since(at) > window {
                too_old.push(format!(
                    "{}{} (first fetched {:?} before the kill)",
                    r.host,
                    r.path_and_query,
                    killed_at.duration_since(at)
                ));
            }
        }
    }
    assert!(
        too_old.is_empty(),
        "refetched from before the last snapshot: {too_old:#?}"
    );
    eprintln!(
        "embedded SIGKILL: {after_first} articles before the kill; {} requests in the first run, \
         {} in the second, {refetched} of them refetches (all from the last snapshot interval)",
        first_run.len(),
        second_run.len()
    );
    site.shutdown().await;
}

/// Tasks lost outright (both workers SIGKILLed, then `<p>.tasks` purged, as if the
/// messages had vanished): their hosts stay leased until `frontier.lease_ttl` (5 s)
/// passes, then the lease recovery puts the URLs back in their queues and a fresh
/// worker finishes the crawl with every article.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_tasks_come_back_when_their_leases_expire() {
    let site = fault_site(3, 8, 0.1, Duration::from_millis(100)).await;
    let Scenario {
        prefix,
        dir: _dir,
        config,
        expected,
        seeds,
        tail_out,
        dir_path,
    } = Scenario::new(
        &site,
        "flease",
        &amqp_url(),
        &redis_url(),
        &Extra {
            frontier: "lease_ttl = \"5s\"".into(),
            worker: "concurrency = 4".into(),
            ..Extra::default()
        },
    );
    let tasks_queue = format!("{prefix}.tasks");

    let (cfg, tail_path, exp) = (config.clone(), tail_out.clone(), expected.clone());
    let (leased_after_purge, recovered_in, drained_in) = tokio::task::spawn_blocking(move || {
        let mut tail = spawn_tail(&cfg, &tail_path, None);
        let (mut frontier, _) = spawn_role(&cfg, &dir_path, "frontier", "frontier", 0);
        let (mut w1, _) = spawn_role(&cfg, &dir_path, "worker-1", "worker", 0);
        let (mut w2, _) = spawn_role(&cfg, &dir_path, "worker-2", "worker", 0);
        seed(&cfg, &seeds, &dir_path);
        assert!(
            wait_until(Duration::from_secs(90), || canonicals(&tail_path).len()
                >= 5),
            "fewer than 5 articles"
        );
        w1.kill();
        w2.kill();
        std::thread::sleep(Duration::from_millis(500));
        assert!(
            rabbitmqctl(&["purge_queue", &tasks_queue], Duration::from_secs(30)),
            "rabbitmqctl purge_queue failed"
        );
        let purged = Instant::now();
        let before = canonicals(&tail_path).len();
        let leased_after_purge = status(&cfg)
            .and_then(|s| s["hosts"]["leased"].as_u64())
            .unwrap_or(0);
        let (mut w3, _) = spawn_role(&cfg, &dir_path, "worker-3", "worker", 0);
        let progressed = wait_until(Duration::from_secs(60), || {
            canonicals(&tail_path).len() > before
        });
        let recovered_in = purged.elapsed();
        let drained_in = wait_drained(&cfg, Duration::from_secs(180));
        let caught_up = wait_articles(&tail_path, &exp, Duration::from_secs(30));
        stop_roles(
            &mut [("worker 3", &mut w3), ("frontier", &mut frontier)],
            Some(&mut tail),
        );
        assert!(progressed, "no article within 60 s of losing the tasks");
        assert!(
            drained_in.is_some(),
            "the crawl did not drain after losing its tasks"
        );
        assert!(caught_up, "tail is missing articles after the drain");
        (leased_after_purge, recovered_in, drained_in)
    })
    .await
    .unwrap();

    assert!(
        leased_after_purge > 0,
        "no host was leased after the purge: nothing was lost, nothing tested"
    );
    let got = canonicals(&tail_out);
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(missing.is_empty(), "missing articles: {missing:?}");
    eprintln!(
        "lost tasks: {leased_after_purge} host(s) leased with their tasks gone; first article \
         {recovered_in:?} after the purge; drained {drained_in:?} after that"
    );
    cleanup(&prefix, &amqp_url(), &redis_url(), None).await;
    site.shutdown().await;
}
