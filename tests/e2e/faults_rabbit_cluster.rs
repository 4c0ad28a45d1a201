//! A RabbitMQ node lost under a distributed crawl (issue #11): frontier, two workers and a
//! durable `trawl tail --queue` run against the three-node cluster of
//! `scripts/rabbitmq-cluster.sh` through the comma-separated node list. Mid-crawl the node
//! they are connected to is stopped (`rabbitmqctl -n NODE stop_app`) and then killed
//! outright (SIGKILL of its Erlang VM). Asserted: every role fails over to another node
//! and the crawl drains; every article of the site is emitted; nothing is dead-lettered;
//! the duplicate article messages the failover causes are counted and bounded. The node
//! is started again at the end (also when the test fails), so the cluster is whole for
//! the tests after it. Needs the cluster (the test fails saying so unless
//! `TRAWL_SKIP_CLUSTER=1`), Redis on 6379 and the `trawl` binary. See docs/reliability.md.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use trawl_e2e::kit::*;
use trawl_e2e::{canonical_counts, read_articles, redis_url};

/// Tasks a worker runs at once (and its prefetch) in this test.
const CONCURRENCY: usize = 4;
const WORKERS: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_the_connected_rabbitmq_node_mid_crawl_loses_nothing() {
    let Some(cluster) = Cluster::require() else {
        return;
    };
    let test_started = Instant::now();
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
        "fclu",
        &cluster.url,
        &redis_url(),
        &Extra {
            frontier: "lease_ttl = \"30s\"".into(),
            worker: format!("concurrency = {CONCURRENCY}"),
            ..Extra::default()
        },
    );
    let cluster_url = cluster.url.clone();

    let (cfg, tail_path, exp) = (config.clone(), tail_out.clone(), expected.clone());
    let figures = tokio::task::spawn_blocking(move || {
        let guard = RabbitClusterGuard(&cluster);
        let mut tail = spawn_tail(&cfg, &tail_path, Some("faults"));
        let ports = [free_port(), free_port(), free_port()];
        let (mut frontier, flog) = spawn_role(&cfg, &dir_path, "frontier", "frontier", ports[0]);
        let (mut w1, w1log) = spawn_role(&cfg, &dir_path, "worker-1", "worker", ports[1]);
        let (mut w2, w2log) = spawn_role(&cfg, &dir_path, "worker-2", "worker", ports[2]);
        let all_ready = || {
            ports
                .iter()
                .all(|p| http_get(*p, "/readyz").map(|(c, _)| c) == Some(200))
        };
        assert!(
            wait_until(Duration::from_secs(30), all_ready),
            "roles not ready before the node loss"
        );
        // The node the roles are on: the first of the list that answered.
        let logs = [&flog, &w1log, &w2log].map(|p| read_log(p));
        let on: Vec<Option<usize>> = logs.iter().map(|l| cluster.node_in_log(l)).collect();
        let victim = on[0].expect("the frontier logged the node it connected to");
        assert!(
            on.iter().all(|n| *n == Some(victim)),
            "roles on different nodes: {on:?}"
        );
        let victim_name = cluster.nodes[victim].clone();

        seed(&cfg, &seeds, &dir_path);
        assert!(
            wait_until(Duration::from_secs(60), || canonicals(&tail_path).len()
                >= 6),
            "fewer than 6 articles before the node loss"
        );
        let before = read_articles(&tail_path).len();

        // Lose the node: stop the application (connections closed, listeners gone),
        // then kill the VM outright.
        let lost_at = Instant::now();
        assert!(
            cluster.stop_app(victim),
            "rabbitmqctl -n {victim_name} stop_app failed"
        );
        let stop_took = lost_at.elapsed();
        let killed = cluster.kill(victim);
        assert!(killed, "could not kill {victim_name}'s VM");

        // Failover: every role ready on another node, articles flowing again.
        let failed_over = wait_until(Duration::from_secs(30), || {
            [&flog, &w1log, &w2log]
                .iter()
                .all(|p| read_log(p).contains("failed over to another RabbitMQ node"))
        });
        let failover_after = lost_at.elapsed();
        let ready_again = wait_until(Duration::from_secs(30), all_ready);
        let flowing = wait_until(Duration::from_secs(60), || {
            read_articles(&tail_path).len() > before
        });
        let first_article_after = lost_at.elapsed();
        let drained_in = wait_drained(&cfg, Duration::from_secs(90));
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

        // The node back, the cluster whole again (the guard retries if this fails).
        let heal_started = Instant::now();
        let healed = cluster.heal();
        let heal_took = heal_started.elapsed();
        drop(guard);

        assert!(
            failed_over,
            "not every role logged a failover within 30 s of the loss"
        );
        assert!(ready_again, "roles not ready again after the failover");
        assert!(flowing, "no article within 60 s of the node loss");
        assert!(
            drained_in.is_some(),
            "the crawl did not drain after the node loss"
        );
        assert!(caught_up, "tail is missing articles after the drain");
        assert!(healed, "the lost node did not come back into the cluster");
        for (name, p) in [
            ("frontier", &flog),
            ("worker-1", &w1log),
            ("worker-2", &w2log),
        ] {
            let log = read_log(p);
            assert!(
                !log.contains("guest:guest"),
                "{name} logged the broker password"
            );
        }
        (
            victim_name,
            before,
            stop_took,
            failover_after,
            first_article_after,
            drained_in,
            heal_took,
            final_status,
        )
    })
    .await
    .unwrap();
    let (victim, before, stop_took, failover_after, first_after, drained_in, heal_took, st) =
        figures;

    let articles = read_articles(&tail_out);
    let counts = canonical_counts(&articles);
    let got: HashSet<String> = counts.keys().cloned().collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(missing.is_empty(), "missing articles: {missing:?}");
    let s = st.expect("status at the end");
    assert_eq!(s["urls"]["in_flight"], 0, "URLs still in flight: {s}");
    assert_eq!(s["urls"]["queued"], 0, "URLs still queued: {s}");
    assert_eq!(
        s["queues"]["dead_letters"], 0,
        "a healthy site's tasks were dead-lettered: {s}"
    );
    // Duplicates: a task in flight at the loss can run twice (its ack was lost with the
    // channel) and its article publish can be sent twice (its confirm was lost): at most
    // two extra messages per task in flight, CONCURRENCY per worker.
    let duplicates = articles.len() - got.len();
    let bound = 2 * CONCURRENCY * WORKERS;
    eprintln!(
        "cluster node loss: {before} article messages before; stop_app of {victim} took \
         {stop_took:?}, then SIGKILL; every role failed over {failover_after:?} after the \
         loss, first article {first_after:?} after it; drained {drained_in:?} after that; \
         {} article messages for {} articles ({duplicates} duplicates, bound {bound}); node \
         back in {heal_took:?}; whole test {:?}",
        articles.len(),
        got.len(),
        test_started.elapsed()
    );
    assert!(
        duplicates <= bound,
        "{duplicates} duplicate article messages (bound {bound}): {:?}",
        counts.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
    cleanup(&prefix, &cluster_url, &redis_url(), Some("faults")).await;
    site.shutdown().await;
}
