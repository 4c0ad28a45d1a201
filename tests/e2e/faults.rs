//! Fault tests that leave the shared RabbitMQ and Redis running (they may run in
//! parallel): a worker SIGKILLed mid-crawl, RabbitMQ or Redis down at start, poison
//! tasks. The broker and Redis restarts are in `faults_restart.rs` (serialized).
//! Each test runs `trawl` roles as processes against a local test site, with a
//! unique prefix, and deletes its queues and keys at the end. See docs/reliability.md.

#[path = "fault_kit.rs"]
mod kit;

use std::collections::HashSet;
use std::time::Duration;

use kit::*;
use trawl_e2e::{amqp_url, read_articles, redis_url, unique};
use trawl_testsite::{Features, SiteSpec, TestSite};

fn expected_of(site: &TestSite) -> HashSet<String> {
    site.expected_articles()
        .into_iter()
        .map(|a| a.canonical_url)
        .collect()
}

/// SIGKILL one of two workers while it has a task in progress: its unacked tasks go
/// back to the queue and to the other worker, its host leases expire (5 s TTL) or are
/// released by the redelivered task's report, the crawl drains, and every reachable
/// article reaches `trawl tail`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_a_worker_mid_crawl_loses_no_article() {
    let mut features = Features::default();
    features.set("calendar", false).unwrap();
    let site = TestSite::start(SiteSpec {
        hosts: 3,
        articles_per_host: 10,
        crawl_delay: Some(0.1),
        latency: Duration::from_millis(150),
        features,
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let prefix = unique("fkill");
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &amqp_url(),
        &redis_url(),
        &prefix,
        &Extra {
            frontier: "lease_ttl = \"5s\"".into(),
            worker: "concurrency = 4".into(),
            ..Extra::default()
        },
    );
    let expected = expected_of(&site);
    let seeds = site.home_pages();
    let tail_out = dir.path().join("tail.jsonl");
    let dir_path = dir.path().to_path_buf();

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

        let drained_in = wait_drained(&cfg, Duration::from_secs(180));
        let caught_up = wait_articles(&tail_path, &exp, Duration::from_secs(30));
        let final_status = status(&cfg);
        assert!(
            w2.terminate(Duration::from_secs(15)),
            "worker 2 did not stop on SIGTERM"
        );
        assert!(
            frontier.terminate(Duration::from_secs(15)),
            "frontier did not stop on SIGTERM"
        );
        tail.terminate(Duration::from_secs(5));
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
    eprintln!(
        "worker kill: killed with {in_progress} task(s) in progress after {at_kill} articles; \
         drained {drained_in:?} after the kill; {} article messages for {} articles; \
         article pages fetched more than once: {repeats:?}",
        articles.len(),
        got.len()
    );
    cleanup(&prefix, &amqp_url(), &redis_url(), None).await;
    site.shutdown().await;
}
