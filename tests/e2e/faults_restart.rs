//! Restarts under a running crawl: RabbitMQ (`rabbitmqctl stop_app` / `start_app`
//! on the shared broker) and Redis (a private `redis-server` with AOF, SIGKILLed and
//! started again on the same port and directory). The two tests take one lock, so
//! they never overlap (the broker restart would disturb the other one); other test
//! binaries never run at the same time as this one. A guard restarts RabbitMQ even
//! when a test fails. See docs/reliability.md.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use trawl_e2e::kit::*;
use trawl_e2e::{amqp_url, read_articles, redis_url};
use trawl_testsite::{Features, SiteSpec, TestSite};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// RabbitMQ stops (every connection dropped, unacked deliveries back in their durable
/// queues) for a few seconds mid-crawl and comes back: every role reconnects with
/// backoff and re-declares its topology, `/readyz` goes 503 and back to 200, the crawl
/// resumes and drains, and every article reaches a durable `trawl tail --queue`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_restart_mid_crawl_loses_nothing() {
    let _serial = SERIAL.lock().await;
    let site = fault_site(3, 10, 0.2, Duration::from_millis(50)).await;
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
        "frmq",
        &amqp_url(),
        &redis_url(),
        &Extra {
            frontier: "lease_ttl = \"30s\"".into(),
            worker: "concurrency = 4".into(),
            ..Extra::default()
        },
    );

    let (cfg, tail_path, exp) = (config.clone(), tail_out.clone(), expected.clone());
    let figures = tokio::task::spawn_blocking(move || {
        let guard = RabbitGuard;
        let mut tail = spawn_tail(&cfg, &tail_path, Some("faults"));
        let ports = [free_port(), free_port(), free_port()];
        let (mut frontier, flog) = spawn_role(&cfg, &dir_path, "frontier", "frontier", ports[0]);
        let (mut w1, w1log) = spawn_role(&cfg, &dir_path, "worker-1", "worker", ports[1]);
        let (mut w2, _) = spawn_role(&cfg, &dir_path, "worker-2", "worker", ports[2]);
        let all_ready = |code: u16| {
            ports
                .iter()
                .all(|p| http_get(*p, "/readyz").map(|(c, _)| c) == Some(code))
        };
        assert!(
            wait_until(Duration::from_secs(30), || all_ready(200)),
            "roles not ready before the restart"
        );
        seed(&cfg, &seeds, &dir_path);
        assert!(
            wait_until(Duration::from_secs(90), || canonicals(&tail_path).len()
                >= 6),
            "fewer than 6 articles before the restart"
        );
        let before = read_articles(&tail_path).len();

        let stop_started = Instant::now();
        assert!(guard.stop_app(), "rabbitmqctl stop_app failed");
        let stop_took = stop_started.elapsed();
        // While it is away every role says not ready (readiness polls every 2 s).
        let unready = wait_until(Duration::from_secs(10), || {
            ports
                .iter()
                .all(|p| http_get(*p, "/readyz").map(|(c, _)| c) == Some(503))
        });
        std::thread::sleep(Duration::from_secs(2));
        let down_for = stop_started.elapsed();
        let start_started = Instant::now();
        assert!(
            guard.start_app(),
            "rabbitmqctl start_app / await_startup failed"
        );
        let broker_back = Instant::now();
        let start_took = start_started.elapsed();
        // Recovery: every role ready again, and the first article after the restart.
        let ready_again = wait_until(Duration::from_secs(90), || all_ready(200));
        let ready_after = broker_back.elapsed();
        let flowing = wait_until(Duration::from_secs(90), || {
            read_articles(&tail_path).len() > before
        });
        let first_article_after = broker_back.elapsed();
        let drained_in = wait_drained(&cfg, Duration::from_secs(180));
        let caught_up = wait_articles(&tail_path, &exp, Duration::from_secs(30));
        let final_status = status(&cfg);
        stop_roles(
            &mut [
                ("worker 1", &mut w1),
                ("worker 2", &mut w2),
                ("frontier", &mut frontier),
            ],
            Some(&mut tail),
        );
        assert!(unready, "/readyz stayed 200 while RabbitMQ was stopped");
        assert!(
            ready_again,
            "roles not ready again within 90 s of the restart"
        );
        assert!(flowing, "no article within 90 s of the restart");
        assert!(
            drained_in.is_some(),
            "the crawl did not drain after the restart"
        );
        assert!(caught_up, "tail is missing articles after the drain");
        let flog = read_log(&flog);
        let w1log = read_log(&w1log);
        for (name, log) in [("frontier", &flog), ("worker-1", &w1log)] {
            assert!(
                log.contains("reconnected to RabbitMQ; topology re-declared"),
                "{name} never logged its reconnect:\n{log}"
            );
            assert!(
                !log.contains("guest:guest"),
                "{name} logged the broker password"
            );
        }
        (
            before,
            stop_took,
            down_for,
            start_took,
            ready_after,
            first_article_after,
            drained_in,
            final_status,
        )
    })
    .await
    .unwrap();
    let (before, stop_took, down_for, start_took, ready_after, first_after, drained_in, st) =
        figures;

    let articles = read_articles(&tail_out);
    let got: HashSet<String> = articles.iter().map(trawl_e2e::canonical_of).collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(missing.is_empty(), "missing articles: {missing:?}");
    let s = st.expect("status at the end");
    assert_eq!(s["urls"]["in_flight"], 0, "URLs still in flight: {s}");
    assert_eq!(s["urls"]["queued"], 0, "URLs still queued: {s}");
    eprintln!(
        "rabbitmq restart: {before} article messages before; stop_app took {stop_took:?}, \
         broker away {down_for:?} + start_app/await_startup {start_took:?}; all roles ready \
         {ready_after:?} and first article {first_after:?} after the broker was back; drained \
         {drained_in:?} after that; {} article messages for {} articles",
        articles.len(),
        got.len()
    );
    cleanup(&prefix, &amqp_url(), &redis_url(), Some("faults")).await;
    site.shutdown().await;
}

/// Redis (AOF, `appendfsync always`) is SIGKILLed mid-crawl and started again on the
/// same port and directory: the frontier goes on from the state Redis kept, no article
/// page is fetched twice beyond the tasks that were in flight (one per leased host),
/// and every article is emitted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restart_with_aof_mid_crawl_forgets_nothing() {
    let _serial = SERIAL.lock().await;
    // No alias features (redirects, duplicate spellings, print/amp copies, flaky), so
    // that a fault-free crawl requests every article page exactly once.
    let mut features = Features::none();
    features.set("robots", true).unwrap();
    let hosts = 3;
    let site = TestSite::start(SiteSpec {
        hosts,
        articles_per_host: 10,
        crawl_delay: Some(0.2),
        latency: Duration::from_millis(50),
        features,
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let redis_dir = tempfile::tempdir().unwrap();
    let mut redis = RedisServer::start(free_port(), redis_dir.path(), None);
    let rurl = redis.url();
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
        "fredis",
        &amqp_url(),
        &rurl,
        &Extra {
            frontier: "lease_ttl = \"30s\"".into(),
            worker: "concurrency = 4".into(),
            ..Extra::default()
        },
    );

    let (cfg, tail_path, exp) = (config.clone(), tail_out.clone(), expected.clone());
    let (redis, figures) = tokio::task::spawn_blocking(move || {
        let mut tail = spawn_tail(&cfg, &tail_path, None);
        let fport = free_port();
        let (mut frontier, flog) = spawn_role(&cfg, &dir_path, "frontier", "frontier", fport);
        let (mut w1, _) = spawn_role(&cfg, &dir_path, "worker-1", "worker", 0);
        let (mut w2, _) = spawn_role(&cfg, &dir_path, "worker-2", "worker", 0);
        seed(&cfg, &seeds, &dir_path);
        assert!(
            wait_until(Duration::from_secs(90), || canonicals(&tail_path).len()
                >= 6),
            "fewer than 6 articles before the restart"
        );
        let before = read_articles(&tail_path).len();
        redis.kill();
        let unready = wait_until(Duration::from_secs(10), || {
            http_get(fport, "/readyz").map(|(c, _)| c) == Some(503)
        });
        std::thread::sleep(Duration::from_secs(1));
        redis.restart();
        let back = Instant::now();
        let flowing = wait_until(Duration::from_secs(90), || {
            read_articles(&tail_path).len() > before
        });
        let first_article_after = back.elapsed();
        let drained_in = wait_drained(&cfg, Duration::from_secs(180));
        let caught_up = wait_articles(&tail_path, &exp, Duration::from_secs(30));
        let final_status = status(&cfg);
        stop_roles(
            &mut [
                ("worker 1", &mut w1),
                ("worker 2", &mut w2),
                ("frontier", &mut frontier),
            ],
            Some(&mut tail),
        );
        assert!(
            unready,
            "the frontier's /readyz stayed 200 while Redis was down"
        );
        assert!(flowing, "no article within 90 s of the Redis restart");
        assert!(
            drained_in.is_some(),
            "the crawl did not drain after the Redis restart"
        );
        assert!(caught_up, "tail is missing articles after the drain");
        let flog = read_log(&flog);
        (
            redis,
            (before, first_article_after, drained_in, final_status, flog),
        )
    })
    .await
    .unwrap();
    let (before, first_after, drained_in, st, flog) = figures;

    let articles = read_articles(&tail_out);
    let got: HashSet<String> = articles.iter().map(trawl_e2e::canonical_of).collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "missing articles (forgotten URLs): {missing:?}"
    );
    let s = st.expect("status at the end");
    assert_eq!(s["urls"]["in_flight"], 0, "URLs still in flight: {s}");
    assert_eq!(s["urls"]["queued"], 0, "URLs still queued: {s}");
    // One lease per host: at most one task per host was out when Redis died.
    let repeats = repeated_article_requests(&site);
    let extra: usize = repeats.iter().map(|(_, n)| n - 1).sum();
    assert!(
        extra <= hosts,
        "{extra} extra article fetches, more than the {hosts} tasks that can be in flight: {repeats:?}"
    );
    let warned = flog.lines().filter(|l| l.contains("WARN")).count();
    eprintln!(
        "redis restart: {before} article messages before the kill; first article {first_after:?} \
         after Redis was back; drained {drained_in:?} after that; {} article messages for {} \
         articles; {extra} article page(s) fetched again: {repeats:?}; frontier logged {warned} \
         warnings",
        articles.len(),
        got.len()
    );
    cleanup(&prefix, &amqp_url(), &redis.url(), None).await;
    drop(redis);
    site.shutdown().await;
}
