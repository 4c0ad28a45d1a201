//! One frontier, two workers and `trawl tail` as separate processes over the real
//! RabbitMQ and Redis, crawling a local multi-host news site: every reachable
//! article at least once with stable ids, robots.txt first and obeyed, politeness
//! held across workers.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use trawl_e2e::kit::{
    cleanup, expected_of, seed, spawn_role, spawn_tail, stop_roles, wait_articles, wait_drained,
    write_config, Extra,
};
use trawl_e2e::{amqp_url, canonical_of, read_articles, redis_url, unique};
use trawl_testsite::{SiteSpec, TestSite};

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
    let extra = Extra {
        worker: "concurrency = 8".into(),
        ..Extra::default()
    };
    let cfg = write_config(dir.path(), &amqp_url(), &redis_url(), &prefix, &extra);
    let tail_path = dir.path().join("tail.jsonl");
    let expected = expected_of(&site);
    let homes = site.home_pages();
    let dir_path = dir.path().to_path_buf();
    let tail_out = tail_path.clone();
    let expected_in = expected.clone();
    let (articles, elapsed) = tokio::task::spawn_blocking(move || {
        // The consumer first, so that no article is published before it is bound.
        let mut tail = spawn_tail(&cfg, &tail_out, None);
        let (mut frontier, _) = spawn_role(&cfg, &dir_path, "frontier", "frontier", 0);
        let (mut w1, _) = spawn_role(&cfg, &dir_path, "worker-1", "worker", 0);
        let (mut w2, _) = spawn_role(&cfg, &dir_path, "worker-2", "worker", 0);
        seed(&cfg, &homes, &dir_path);
        let elapsed = wait_drained(&cfg, Duration::from_secs(240));
        assert!(elapsed.is_some(), "the crawl did not drain within 240 s");
        // Let the tail catch up, then stop everything.
        wait_articles(&tail_out, &expected_in, Duration::from_secs(30));
        stop_roles(
            &mut [
                ("worker 1", &mut w1),
                ("worker 2", &mut w2),
                ("frontier", &mut frontier),
            ],
            Some(&mut tail),
        );
        (read_articles(&tail_out), elapsed.unwrap_or_default())
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
    cleanup(&prefix, &amqp_url(), &redis_url(), None).await;
    site.shutdown().await;
}
