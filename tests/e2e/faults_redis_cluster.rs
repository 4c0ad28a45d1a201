//! Redis Cluster failover under a running crawl (issue #11): the store is on the local
//! cluster (`scripts/redis-cluster.sh up`: 3 masters, 3 replicas on 127.0.0.1:7000-7005,
//! `cluster-node-timeout` 2 s). Mid-crawl the master holding most of the crawl's keys is
//! SIGKILLed; its replica is promoted, the roles' cluster connections follow the new slot
//! map by themselves, and the crawl completes with no article missing. Afterwards the
//! killed node is started again (it rejoins as a replica), also when the test fails, so
//! the cluster is healthy for whatever runs next. A binary of its own: nothing else uses
//! the cluster while a master is down. See docs/reliability.md.
//!
//! Needs the cluster (an unreachable one fails the test unless `TRAWL_SKIP_CLUSTER=1`),
//! RabbitMQ, `redis-cli` and the `trawl` binary (`cargo build -p trawl`).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use trawl_e2e::kit::*;
use trawl_e2e::{amqp_url, read_articles, redis_cluster_url};
use trawl_testsite::{Features, SiteSpec, TestSite};

const CLUSTER_PORTS: std::ops::RangeInclusive<u16> = 7000..=7005;

/// Some node of the cluster that answers and says `cluster_state:ok`.
fn healthy_node() -> Option<u16> {
    CLUSTER_PORTS.clone().find(|p| cluster_ok(*p))
}

/// The crawl's keys (`prefix:*`) on the node at `port`.
fn keys_on(port: u16, prefix: &str) -> usize {
    redis_cli(port, &["--scan", "--pattern", &format!("{prefix}:*")])
        .map(|t| t.lines().filter(|l| !l.is_empty()).count())
        .unwrap_or(0)
}

/// The PID of the redis-server on `port`.
fn redis_pid(port: u16) -> Option<String> {
    redis_cli(port, &["info", "server"])?
        .lines()
        .find_map(|l| l.trim().strip_prefix("process_id:").map(str::to_string))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_master_killed_mid_crawl_fails_over_and_loses_no_article() {
    // Idempotent: starts a node an earlier run left down and waits until every replica
    // is in sync (a replica still in its first sync could not take over).
    redis_cluster_script("up");
    let Some(node) = healthy_node() else {
        if std::env::var("TRAWL_SKIP_CLUSTER").is_ok_and(|v| v == "1") {
            eprintln!(
                "SKIPPED (TRAWL_SKIP_CLUSTER=1): no healthy Redis Cluster on 127.0.0.1:7000-7005"
            );
            return;
        }
        panic!(
            "a Redis Cluster on 127.0.0.1:7000-7005 is needed: start it with \
             `scripts/redis-cluster.sh up` (or TRAWL_SKIP_CLUSTER=1 to skip)"
        );
    };
    let _guard = RedisClusterGuard;
    let mut features = Features::none();
    features.set("robots", true).unwrap();
    let site = TestSite::start(SiteSpec {
        hosts: 4,
        articles_per_host: 10,
        crawl_delay: Some(0.2),
        latency: Duration::from_millis(50),
        features,
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let rurl = redis_cluster_url();
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
        "fcluster",
        &amqp_url(),
        &rurl,
        &Extra {
            frontier: "lease_ttl = \"30s\"".into(),
            worker: "concurrency = 4".into(),
            ..Extra::default()
        },
    );

    let (cfg, tail_path, exp, pfx) = (
        config.clone(),
        tail_out.clone(),
        expected.clone(),
        prefix.clone(),
    );
    let figures = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut tail = spawn_tail(&cfg, &tail_path, None);
        let ports = [free_port(), free_port()];
        let (mut frontier, flog) = spawn_role(&cfg, &dir_path, "frontier", "frontier", ports[0]);
        let (mut w1, w1log) = spawn_role(&cfg, &dir_path, "worker-1", "worker", ports[1]);
        let (mut w2, _) = spawn_role(&cfg, &dir_path, "worker-2", "worker", 0);
        let ready = |p: u16| http_get(p, "/readyz").map(|(c, _)| c);
        assert!(
            wait_until(Duration::from_secs(30), || ports
                .iter()
                .all(|p| ready(*p) == Some(200))),
            "roles not ready before the failover"
        );
        seed(&cfg, &seeds, &dir_path);
        assert!(
            wait_until(Duration::from_secs(60), || canonicals(&tail_path).len()
                >= 8),
            "fewer than 8 articles before the failover"
        );
        let before = read_articles(&tail_path).len();

        // The master holding most of this crawl's keys, and its replica.
        let nodes = cluster_nodes(node).expect("CLUSTER NODES");
        let victim = nodes
            .iter()
            .filter(|n| n.master && !n.failed)
            .max_by_key(|n| keys_on(n.port, &pfx))
            .expect("a master")
            .clone();
        let victim_keys = keys_on(victim.port, &pfx);
        assert!(victim_keys > 0, "no key of the crawl on any master");
        let replica = nodes
            .iter()
            .find(|n| n.master_id.as_deref() == Some(victim.id.as_str()))
            .expect("the victim's replica")
            .clone();
        let pid = redis_pid(victim.port).expect("the victim's pid");
        let killed_at = Instant::now();
        assert!(
            std::process::Command::new("kill")
                .args(["-KILL", &pid])
                .status()
                .is_ok_and(|s| s.success()),
            "kill -KILL {pid}"
        );
        // The frontier and the worker say not ready while the master is gone (readiness
        // polls every 2 s; failover takes about node-timeout + election).
        let mut saw_unready = [false, false];
        let promoted = wait_until(Duration::from_secs(20), || {
            for (i, p) in ports.iter().enumerate() {
                if ready(*p) == Some(503) {
                    saw_unready[i] = true;
                }
            }
            redis_cli(replica.port, &["role"]).is_some_and(|r| r.starts_with("master"))
        });
        let promoted_after = killed_at.elapsed();
        assert!(
            promoted,
            "replica {} not promoted within 20 s of killing master {}",
            replica.port, victim.port
        );
        // Readiness may lag the promotion by one poll: keep looking for the 503 a little.
        let _ = wait_until(Duration::from_secs(3), || {
            for (i, p) in ports.iter().enumerate() {
                if ready(*p) == Some(503) {
                    saw_unready[i] = true;
                }
            }
            saw_unready.iter().all(|s| *s)
        });
        let ready_again = wait_until(Duration::from_secs(30), || {
            ports.iter().all(|p| ready(*p) == Some(200))
        });
        let ready_after = killed_at.elapsed();
        let drained_in = wait_drained(&cfg, Duration::from_secs(60));
        let caught_up = wait_articles(&tail_path, &exp, Duration::from_secs(20));
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
            saw_unready.iter().all(|s| *s),
            "/readyz stayed 200 while a master was down (frontier, worker): {saw_unready:?}"
        );
        assert!(
            ready_again,
            "roles not ready again within 30 s of the failover, without a restart"
        );
        assert!(
            drained_in.is_some(),
            "the crawl did not drain after the failover"
        );
        assert!(caught_up, "tail is missing articles after the drain");
        let flog = read_log(&flog);
        let w1log = read_log(&w1log);
        for (name, log) in [("frontier", &flog), ("worker-1", &w1log)] {
            assert!(
                log.lines()
                    .any(|l| l.contains("dependency=\"redis\"") && l.contains("not answering"))
                    || log
                        .lines()
                        .any(|l| l.contains("redis") && l.contains("not answering")),
                "{name} never logged Redis as not answering:\n{log}"
            );
            assert!(
                log.lines()
                    .any(|l| l.contains("redis") && l.contains("answering again")),
                "{name} never logged Redis as answering again:\n{log}"
            );
        }
        (
            before,
            victim.port,
            victim_keys,
            replica.port,
            promoted_after,
            ready_after,
            drained_in,
            final_status,
            started.elapsed(),
        )
    })
    .await
    .unwrap();
    let (before, victim, victim_keys, replica, promoted_after, ready_after, drained_in, st, took) =
        figures;

    let articles = read_articles(&tail_out);
    let got: HashSet<String> = articles.iter().map(trawl_e2e::canonical_of).collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(missing.is_empty(), "missing articles: {missing:?}");
    let s = st.expect("status at the end");
    assert_eq!(s["urls"]["in_flight"], 0, "URLs still in flight: {s}");
    assert_eq!(s["urls"]["queued"], 0, "URLs still queued: {s}");
    let repeats = repeated_article_requests(&site);
    eprintln!(
        "cluster failover: {before} article messages before; killed master {victim} \
         ({victim_keys} keys of the crawl); replica {replica} master {promoted_after:?} after \
         the kill; all roles ready {ready_after:?} after the kill; drained {drained_in:?} \
         after that; {} article messages for {} articles; article pages fetched again: \
         {repeats:?}; test body {took:?}",
        articles.len(),
        got.len()
    );
    // Restore the killed node before the cleanup (the guard does it too on failure).
    assert!(
        redis_cluster_script("up"),
        "scripts/redis-cluster.sh up did not bring the cluster back"
    );
    cleanup(&prefix, &amqp_url(), &rurl, None).await;
    site.shutdown().await;
}
