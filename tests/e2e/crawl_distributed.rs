//! One frontier, two workers and `trawl tail` as separate processes over the real
//! RabbitMQ and Redis, crawling a local multi-host news site: every reachable
//! article at least once with stable ids, robots.txt first and obeyed, politeness
//! held across workers.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use trawl_e2e::{
    amqp_url, canonical_of, read_articles, redis_url, trawl_bin, unique, write_lines, Proc,
};
use trawl_testsite::{SiteSpec, TestSite};

fn trawl(config: &std::path::Path) -> Command {
    let mut c = Command::new(trawl_bin());
    c.env("TRAWL_CONFIG", config).env("TRAWL_LOG", "warn");
    c
}

fn status(config: &std::path::Path) -> Option<serde_json::Value> {
    let out = trawl(config).args(["status", "--json"]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    serde_json::from_slice(&out.stdout).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frontier_and_two_workers_over_rabbitmq_and_redis() {
    let site = TestSite::start(SiteSpec {
        hosts: 3,
        articles_per_host: 10,
        crawl_delay: Some(0.2),
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let prefix = unique("dist");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("trawl.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[amqp]
url = "{amqp}"
prefix = "{prefix}"
[redis]
url = "{redis}"
prefix = "{prefix}"
[fetch]
allow_cidrs = ["127.0.0.0/8"]
politeness_delay = "50ms"
[frontier]
recrawl_interval = "1h"
[worker]
concurrency = 8
grace_period = "5s"
[metrics]
listen = "127.0.0.1:0"
"#,
            amqp = amqp_url(),
            redis = redis_url(),
        ),
    )
    .unwrap();
    let seeds = dir.path().join("seeds.txt");
    write_lines(&seeds, &site.home_pages());
    let tail_out = dir.path().join("tail.jsonl");

    let cfg = config.clone();
    let tail_path = tail_out.clone();
    let seeds_path = seeds.clone();
    let expected: HashSet<String> = site
        .expected_articles()
        .into_iter()
        .map(|a| a.canonical_url)
        .collect();

    let expected_in = expected.clone();
    let (articles, elapsed) = tokio::task::spawn_blocking(move || {
        // The consumer first, so that no article is published before it is bound.
        let mut tail = Proc::spawn(
            "tail",
            trawl(&cfg)
                .args(["tail", "--out"])
                .arg(&tail_path)
                .stderr(Stdio::piped()),
        );
        let stderr = tail.child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let ready = lines
            .by_ref()
            .take(50)
            .any(|l| l.map(|l| l.contains("tail: ready")).unwrap_or(false));
        assert!(ready, "trawl tail did not become ready");
        std::thread::spawn(move || for _ in lines {});

        let mut frontier = Proc::spawn("frontier", trawl(&cfg).arg("frontier"));
        let mut w1 = Proc::spawn("worker-1", trawl(&cfg).arg("worker"));
        let mut w2 = Proc::spawn("worker-2", trawl(&cfg).arg("worker"));
        let seeded = trawl(&cfg)
            .args(["seed", "--file"])
            .arg(&seeds_path)
            .status()
            .expect("trawl seed");
        assert!(seeded.success());

        let started = Instant::now();
        let mut drained_twice = 0;
        while started.elapsed() < Duration::from_secs(240) {
            std::thread::sleep(Duration::from_millis(500));
            if let Some(s) = status(&cfg) {
                let seen = s["urls"]["seen"].as_u64().unwrap_or(0);
                if seen > 0 && s["drained"].as_bool() == Some(true) {
                    drained_twice += 1;
                    if drained_twice >= 2 {
                        break;
                    }
                } else {
                    drained_twice = 0;
                }
            }
        }
        let elapsed = started.elapsed();
        assert!(drained_twice >= 2, "the crawl did not drain within 240 s");
        // Let the tail catch up, then stop everything.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got: HashSet<String> = read_articles(&tail_path).iter().map(canonical_of).collect();
            if got.is_superset(&expected_in) || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        assert!(
            w1.terminate(Duration::from_secs(15)),
            "worker 1 did not stop on SIGTERM"
        );
        assert!(
            w2.terminate(Duration::from_secs(15)),
            "worker 2 did not stop on SIGTERM"
        );
        assert!(
            frontier.terminate(Duration::from_secs(15)),
            "frontier did not stop on SIGTERM"
        );
        tail.terminate(Duration::from_secs(5));
        (read_articles(&tail_path), elapsed)
    })
    .await
    .unwrap();
    eprintln!(
        "distributed crawl drained in {elapsed:?}, {} article messages",
        articles.len()
    );

    // Every reachable article at least once; ids stable per canonical URL.
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    for a in &articles {
        ids.entry(canonical_of(a))
            .or_default()
            .insert(a["id"].as_str().unwrap_or_default().to_string());
    }
    let got: HashSet<String> = ids.keys().cloned().collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(missing.is_empty(), "missing articles: {missing:?}");
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(extra.is_empty(), "unexpected articles: {extra:?}");
    for (canonical, set) in &ids {
        assert_eq!(set.len(), 1, "unstable ids for {canonical}: {set:?}");
        assert_eq!(
            set.iter().next().unwrap(),
            &trawl_core::article_id(canonical),
            "id derives from the canonical URL"
        );
    }

    // Polite across two workers.
    assert!(
        site.disallowed_requests().is_empty(),
        "{:?}",
        site.disallowed_requests()
    );
    assert!(
        site.robots_first_violations().is_empty(),
        "{:?}",
        site.robots_first_violations()
    );
    let violations = site.politeness_violations(Duration::from_millis(20));
    assert!(
        violations.is_empty(),
        "politeness violations: {violations:#?}"
    );

    // Clean up this test's queues and keys.
    if let Ok(store) = trawl_store::redis_store::RedisStore::connect(
        &redis_url(),
        &prefix,
        trawl_store::redis_store::RedisStoreOptions::default(),
    )
    .await
    {
        let _ = store.purge().await;
    }
    if let Ok(broker) = trawl_queue::amqp::AmqpBroker::connect(
        &amqp_url(),
        &prefix,
        trawl_queue::amqp::AmqpOptions {
            connect_timeout: Some(Duration::from_secs(10)),
            ..Default::default()
        },
    )
    .await
    {
        let _ = broker.delete_topology().await;
        broker.shutdown().await;
    }
    site.shutdown().await;
}
