//! The RabbitMQ broker on a three-node cluster (issue #11), reached through the
//! comma-separated node list: the behavioural suite, the replication of the quorum
//! queues, skipping unreachable nodes, and a failover when the node the broker is
//! connected to stops under publishes and consumes.
//!
//! The cluster comes from `scripts/rabbitmq-cluster.sh up` (`scripts/services-up.sh`
//! runs it): `TRAWL_TEST_AMQP_CLUSTER_URL` (default: 127.0.0.1:5673,5674,5675, guest)
//! and `TRAWL_TEST_AMQP_CLUSTER_NODES` (the Erlang node names in the same order,
//! default `trawl1@localhost,trawl2@localhost,trawl3@localhost`). When the cluster is
//! not reachable the tests fail with a message saying so, unless `TRAWL_SKIP_CLUSTER=1`.
//! Each test uses its own prefix and deletes its topology; the failover test holds a
//! lock the others share, so no node stops under them.

mod common;

use std::future::Future;
use std::process::Command;
use std::time::{Duration, Instant};

use trawl_queue::amqp::{redact_url, AmqpBroker, AmqpOptions};
use trawl_queue::{Broker, QueueError, WorkQueue};

/// Shared by the suite, exclusive for the test that stops a node.
static NODE_STOP: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

const DEFAULT_URLS: &str = "amqp://guest:guest@127.0.0.1:5673/%2f,amqp://guest:guest@127.0.0.1:5674/%2f,amqp://guest:guest@127.0.0.1:5675/%2f";
const DEFAULT_NODES: &str = "trawl1@localhost,trawl2@localhost,trawl3@localhost";

fn cluster_url() -> String {
    std::env::var("TRAWL_TEST_AMQP_CLUSTER_URL").unwrap_or_else(|_| DEFAULT_URLS.to_string())
}

fn cluster_nodes() -> Vec<String> {
    std::env::var("TRAWL_TEST_AMQP_CLUSTER_NODES")
        .unwrap_or_else(|_| DEFAULT_NODES.to_string())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect()
}

/// The cluster's URL list when every node accepts TCP connections; `None` (skip) only
/// with `TRAWL_SKIP_CLUSTER=1`, a panic naming the fix otherwise.
fn require_cluster() -> Option<String> {
    let url = cluster_url();
    let down: Vec<String> = trawl_core::split_url_list(&url)
        .into_iter()
        .filter(|entry| {
            let addr = url_addr(entry);
            addr.and_then(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)).ok())
                .is_none()
        })
        .map(redact_url)
        .collect();
    if down.is_empty() {
        return Some(url);
    }
    if std::env::var("TRAWL_SKIP_CLUSTER").as_deref() == Ok("1") {
        eprintln!("SKIPPED (TRAWL_SKIP_CLUSTER=1): RabbitMQ cluster nodes not reachable: {down:?}");
        return None;
    }
    panic!(
        "the three-node RabbitMQ cluster is not up ({down:?} unreachable): start it with \
         `scripts/rabbitmq-cluster.sh up`, point TRAWL_TEST_AMQP_CLUSTER_URL at yours, or set \
         TRAWL_SKIP_CLUSTER=1 to skip the cluster tests"
    );
}

fn url_addr(entry: &str) -> Option<std::net::SocketAddr> {
    let rest = entry.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let hostport = authority.rsplit('@').next()?;
    use std::net::ToSocketAddrs;
    hostport.to_socket_addrs().ok()?.next()
}

fn unique_prefix(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("trawlcluster-{name}-{}-{nanos}", std::process::id())
}

fn test_options() -> AmqpOptions {
    AmqpOptions {
        connect_timeout: Some(Duration::from_secs(30)),
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(2),
        operation_timeout: Duration::from_secs(15),
        publish_retry_timeout: Duration::from_secs(60),
        connection_name: "trawl-cluster-test".to_string(),
        ..AmqpOptions::default()
    }
}

/// Connect to the cluster on a unique prefix, run `f`, then delete the topology
/// whatever happened; bounded.
async fn run<F, Fut>(name: &str, url: &str, options: AmqpOptions, f: F)
where
    F: FnOnce(AmqpBroker) -> Fut,
    Fut: Future<Output = ()>,
{
    common::init_logs();
    let b = AmqpBroker::connect(url, &unique_prefix(name), options)
        .await
        .unwrap_or_else(|e| panic!("the cluster at {} refused us: {e}", redact_url(url)));
    assert_eq!(b.node_count(), trawl_core::split_url_list(url).len());
    common::guarded(
        name,
        b,
        Duration::from_secs(150),
        Duration::from_secs(60),
        f,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behavioural_suite_on_the_cluster_through_the_node_list() {
    let Some(url) = require_cluster() else { return };
    let _shared = NODE_STOP.read().await;
    run("pca", &url, test_options(), |b| async move {
        common::publish_consume_ack(&b).await
    })
    .await;
    run("drop", &url, test_options(), |b| async move {
        common::dropped_delivery_is_redelivered(&b).await
    })
    .await;
    run("requeue", &url, test_options(), |b| async move {
        common::requeue_puts_back(&b).await
    })
    .await;
    run("prefetch", &url, test_options(), |b| async move {
        common::prefetch_bounds_unacked(&b).await
    })
    .await;
    run("fanout", &url, test_options(), |b| async move {
        common::articles_fan_out(&b, "downstream").await
    })
    .await;
    run("named", &url, test_options(), |b| async move {
        common::named_subscription_keeps_messages(&b, "keeper").await
    })
    .await;
    run("dlq", &url, test_options(), |b| async move {
        common::dead_letter_peek_requeue(&b).await
    })
    .await;
    run("depth", &url, test_options(), |b| async move {
        common::depth_counts_ready_messages(&b).await
    })
    .await;
    let poison = AmqpOptions {
        delivery_limit: 3,
        ..test_options()
    };
    run("poison", &url, poison, |b| async move {
        common::poison_message_is_dead_lettered(&b, 3).await
    })
    .await;
    run("concurrent", &url, test_options(), |b| async move {
        common::concurrent_publishes_all_arrive(&b, 500).await
    })
    .await;
}

/// `rabbitmqctl -n NODE ARGS` with a deadline: (success, stdout).
fn ctl(node: &str, args: &[&str], limit: Duration) -> (bool, String) {
    let child = Command::new("rabbitmqctl")
        .args(["-q", "-n", node])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return (false, String::new());
    };
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return (false, String::new());
            }
        }
    }
    match child.wait_with_output() {
        Ok(o) => (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        ),
        Err(_) => (false, String::new()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_queues_are_quorum_queues_replicated_on_every_node() {
    let Some(url) = require_cluster() else { return };
    let _shared = NODE_STOP.read().await;
    let nodes = cluster_nodes();
    run("quorum", &url, test_options(), |b| async move {
        let prefix = b.topology().tasks.trim_end_matches(".tasks").to_string();
        let node = nodes[0].clone();
        let (ok, out) = tokio::task::spawn_blocking(move || {
            ctl(
                &node,
                &[
                    "list_queues",
                    "name",
                    "type",
                    "members",
                    "--formatter",
                    "json",
                ],
                Duration::from_secs(30),
            )
        })
        .await
        .unwrap();
        assert!(ok, "rabbitmqctl list_queues failed on {}", nodes[0]);
        let queues: Vec<serde_json::Value> =
            serde_json::from_str(&out).expect("JSON from rabbitmqctl");
        let mine: Vec<&serde_json::Value> = queues
            .iter()
            .filter(|q| {
                q["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with(&format!("{prefix}.")))
            })
            .collect();
        assert_eq!(mine.len(), 4, "tasks, reports, seeds, dead: {mine:?}");
        for q in mine {
            assert_eq!(q["type"], "quorum", "{q}");
            let mut members: Vec<String> = q["members"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            members.sort();
            let mut want = nodes.clone();
            want.sort();
            assert_eq!(members, want, "{} is replicated on every node", q["name"]);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_node_in_the_list_is_skipped() {
    let Some(url) = require_cluster() else { return };
    let _shared = NODE_STOP.read().await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let first_cluster_node = redact_url(trawl_core::split_url_list(&url)[0]);
    let list = format!("amqp://guest:guest@127.0.0.1:{closed}/%2f,{url}");
    run("skip", &list, test_options(), |b| async move {
        assert_eq!(
            b.connected_node().as_deref(),
            Some(first_cluster_node.as_str()),
            "connected to the first node that answers"
        );
        common::publish_consume_ack(&b).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_node_down_is_a_transient_error_naming_each_node_without_secrets() {
    common::init_logs();
    let ports: Vec<u16> = (0..2)
        .map(|_| {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        })
        .collect();
    let list = format!(
        "amqp://guest:s3cr3tpw@127.0.0.1:{}/%2f,amqp://guest:s3cr3tpw@127.0.0.1:{}/%2f",
        ports[0], ports[1]
    );
    let options = AmqpOptions {
        connect_timeout: Some(Duration::from_secs(2)),
        initial_backoff: Duration::from_millis(100),
        ..AmqpOptions::default()
    };
    let started = Instant::now();
    let err = tokio::time::timeout(
        Duration::from_secs(20),
        AmqpBroker::connect(&list, "trawlcluster-down", options),
    )
    .await
    .expect("connect gives up at its deadline")
    .err()
    .expect("no broker there");
    assert!(matches!(err, QueueError::Unavailable(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let text = err.to_string();
    assert!(!text.contains("s3cr3tpw"), "{text}");
    for p in &ports {
        assert!(
            text.contains(&format!("guest:***@127.0.0.1:{p}")),
            "names node {p}: {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_node_lists_are_permanent_errors() {
    for (list, want) in [
        (
            "amqp://127.0.0.1:5673/%2f,,amqp://127.0.0.1:5674/%2f",
            "entry 2",
        ),
        ("amqp://127.0.0.1:5673/%2f,", "entry 2"),
        (
            "amqp://u:hunter22@127.0.0.1:5673/%2f,http://u:hunter22@x/",
            "entry 2",
        ),
    ] {
        let err = AmqpBroker::connect(list, "trawlcluster-bad", AmqpOptions::default())
            .await
            .err()
            .expect("rejected");
        assert!(matches!(err, QueueError::Config(_)), "{list}: {err}");
        let text = err.to_string();
        assert!(text.contains(want), "{list}: {text}");
        assert!(!text.contains("hunter22"), "{text}");
    }
}

/// Brings the cluster back whole when dropped (`scripts/rabbitmq-cluster.sh up`: starts a
/// stopped application or a killed node again and waits), so that a failing test leaves
/// the cluster whole for the tests after it.
struct ClusterGuard;

impl ClusterGuard {
    fn heal(&self) -> bool {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scripts/rabbitmq-cluster.sh");
        let mut child = match Command::new("bash").arg(script).arg("up").spawn() {
            Ok(c) => c,
            Err(_) => return false,
        };
        let deadline = Instant::now() + Duration::from_secs(240);
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return status.success(),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(200))
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return false;
                }
            }
        }
    }
}

impl Drop for ClusterGuard {
    fn drop(&mut self) {
        let _ = self.heal();
    }
}

/// How the node is lost.
#[derive(Clone, Copy, Debug)]
enum Loss {
    /// `rabbitmqctl stop_app`: connections closed by the broker.
    StopApp,
    /// SIGKILL of the node's Erlang VM: sockets reset, nothing said.
    Kill,
}

fn lose(node: &str, how: Loss) -> bool {
    match how {
        Loss::StopApp => ctl(node, &["stop_app"], Duration::from_secs(60)).0,
        Loss::Kill => {
            let (ok, out) = ctl(node, &["eval", "os:getpid()."], Duration::from_secs(30));
            let Some(pid) = ok
                .then(|| out.trim().trim_matches('"').parse::<u32>().ok())
                .flatten()
            else {
                return false;
            };
            Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        }
    }
}

/// The node the broker is connected to stops (`stop_app`) while messages are published
/// and consumed: the broker fails over to another node of the list, the quorum queue
/// elects a leader among the two left, every message published (confirmed) arrives,
/// nothing is dead-lettered, and the duplicates (redeliveries of unacked messages,
/// republishes of unconfirmed ones) stay within the prefetch plus the publishes in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_when_the_connected_node_stops() {
    failover(Loss::StopApp).await;
}

/// The same with the node's VM SIGKILLed: no goodbye, the queues' leader gone mid-write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_when_the_connected_node_is_killed() {
    failover(Loss::Kill).await;
}

async fn failover(how: Loss) {
    let Some(url) = require_cluster() else { return };
    let _exclusive = NODE_STOP.write().await;
    let entries: Vec<String> = trawl_core::split_url_list(&url)
        .into_iter()
        .map(redact_url)
        .collect();
    let nodes = cluster_nodes();
    assert_eq!(entries.len(), nodes.len(), "one node name per URL");
    const TOTAL: usize = 400;
    const PREFETCH: u16 = 20;
    let name = format!("failover-{how:?}").to_lowercase();
    run(&name, &url, test_options(), |b| async move {
        let on = b.connected_node().expect("connected");
        let idx = entries
            .iter()
            .position(|e| *e == on)
            .expect("a listed node");
        let guard = ClusterGuard;

        // A consumer that acks everything, recording each payload.
        let mut consumer = b.consume(WorkQueue::Tasks, PREFETCH).await.unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, bool)>();
        let consuming = tokio::spawn(async move {
            while let Some(d) = consumer.next().await {
                let n: usize = String::from_utf8_lossy(&d.payload)
                    .parse()
                    .unwrap_or(usize::MAX);
                let redelivered = d.redelivered;
                // An ack on a channel lost with its node fails: the broker redelivers.
                if d.ack().await.is_ok() {
                    let _ = tx.send((n, redelivered));
                } else {
                    let _ = tx.send((usize::MAX, redelivered));
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });

        // Publish the first half, then stop the node while publishing the rest.
        for i in 0..TOTAL / 2 {
            b.publish(WorkQueue::Tasks, i.to_string().as_bytes())
                .await
                .expect("publish before the stop");
        }
        let publisher = {
            let b = b.clone();
            tokio::spawn(async move {
                let mut in_flight = tokio::task::JoinSet::new();
                for i in TOTAL / 2..TOTAL {
                    let b = b.clone();
                    in_flight.spawn(async move {
                        b.publish(WorkQueue::Tasks, i.to_string().as_bytes()).await
                    });
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                let mut failed = Vec::new();
                while let Some(r) = in_flight.join_next().await {
                    if let Ok(Err(e)) = r {
                        failed.push(e.to_string());
                    }
                }
                failed
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let node = nodes[idx].clone();
        let stopped = tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            (lose(&node, how), t.elapsed())
        })
        .await
        .unwrap();
        assert!(stopped.0, "{how:?} of {} failed", nodes[idx]);
        let stop_took = stopped.1;
        let failed = publisher.await.unwrap();
        assert!(failed.is_empty(), "publishes failed: {failed:?}");

        // Every message arrives.
        let mut counts = vec![0usize; TOTAL];
        let mut failed_acks = 0usize;
        let mut redelivered = 0usize;
        let deadline = Instant::now() + Duration::from_secs(60);
        while counts.contains(&0) && Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_secs(1), rx.recv()).await {
                Ok(Some((n, r))) => {
                    if n < TOTAL {
                        counts[n] += 1;
                    } else {
                        failed_acks += 1;
                    }
                    redelivered += usize::from(r);
                }
                Ok(None) => break,
                Err(_) => {}
            }
        }
        // Drain whatever else arrives within a second (late duplicates).
        while let Ok(Some((n, r))) = tokio::time::timeout(Duration::from_secs(1), rx.recv()).await {
            if n < TOTAL {
                counts[n] += 1;
            } else {
                failed_acks += 1;
            }
            redelivered += usize::from(r);
        }
        consuming.abort();
        let missing: Vec<usize> = (0..TOTAL).filter(|i| counts[*i] == 0).collect();
        let duplicates: usize = counts.iter().map(|c| c.saturating_sub(1)).sum();
        let stats = b.stats();
        let now_on = b.connected_node();
        eprintln!(
            "cluster failover ({how:?}): losing {} took {stop_took:?}; now on {now_on:?}; \
             {duplicates} duplicate(s) of {TOTAL}, {redelivered} redelivered, {failed_acks} \
             ack(s) lost with the channel; {stats:?}",
            nodes[idx]
        );
        assert!(missing.is_empty(), "messages never delivered: {missing:?}");
        assert!(stats.failovers >= 1, "{stats:?}");
        // The broker's failovers are in the process-wide metric too (other tests of this
        // binary can only add to it).
        let recorded = trawl_metrics::global()
            .amqp_connection_events_total
            .with_label_values(&[trawl_metrics::AmqpConnectionEvent::Failover.as_str()])
            .get();
        assert!(recorded >= stats.failovers, "{recorded} < {stats:?}");
        assert_ne!(
            now_on.as_deref(),
            Some(on.as_str()),
            "moved off the stopped node"
        );
        // Bound: the unacked deliveries of the lost channel (prefetch) plus the
        // publishes whose confirm was lost (at most one per publish in flight; the
        // publisher sends one per 10 ms, confirms take a few ms, say 50).
        assert!(
            duplicates <= usize::from(PREFETCH) + 50,
            "{duplicates} duplicates"
        );
        common::eventually_dead_count(&b, 0).await;
        common::eventually_depth(&b, WorkQueue::Tasks, 0).await;

        // Bring the node back; the cluster is whole for the tests after this one.
        let healed = tokio::task::spawn_blocking(move || guard.heal())
            .await
            .unwrap();
        assert!(healed, "the lost node did not come back into the cluster");
    })
    .await;
}
