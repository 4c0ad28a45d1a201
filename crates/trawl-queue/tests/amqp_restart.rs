//! RabbitMQ restart (issue #6): a private RabbitMQ node (its own ports and
//! data directory, started by the test with `rabbitmq-server`, so the shared
//! broker other tests use is left alone) is stopped and started again while a
//! broker publishes and consumes. Asserted: nothing confirmed before the
//! restart is lost, publishes made during the outage complete once the broker
//! is back, held deliveries cannot be acked (they are redelivered), the
//! consumer resubscribes by itself, readiness follows the connection.
//!
//! Skipped (with a message) when `rabbitmq-server` is not installed or the
//! test does not run as root (the server script switches to the rabbitmq user).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use trawl_queue::amqp::{AmqpBroker, AmqpOptions};
use trawl_queue::{Broker, WorkQueue};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

struct Node {
    name: String,
    dir: PathBuf,
    amqp_port: u16,
    dist_port: u16,
}

impl Node {
    fn new() -> Option<Node> {
        let installed = Command::new("sh")
            .args(["-c", "command -v rabbitmq-server && test $(id -u) = 0"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !installed {
            return None;
        }
        let id = std::process::id();
        let node = Node {
            name: format!("trawlrestart{id}@localhost"),
            dir: std::env::temp_dir().join(format!("trawl-rmq-restart-{id}")),
            amqp_port: free_port(),
            dist_port: free_port(),
        };
        let _ = std::fs::remove_dir_all(&node.dir);
        std::fs::create_dir_all(node.dir.join("log")).ok()?;
        std::fs::create_dir_all(node.dir.join("mnesia")).ok()?;
        std::fs::write(
            node.dir.join("rabbitmq.conf"),
            format!("listeners.tcp.local = 127.0.0.1:{}\n", node.amqp_port),
        )
        .ok()?;
        std::fs::write(node.dir.join("enabled_plugins"), "[].\n").ok()?;
        let chown = Command::new("chown")
            .args(["-R", "rabbitmq"])
            .arg(&node.dir)
            .status()
            .ok()?;
        chown.success().then_some(node)
    }

    fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.amqp_port)
    }

    fn start(&self) {
        let d = &self.dir;
        let status = Command::new("rabbitmq-server")
            .arg("-detached")
            .current_dir(std::env::temp_dir())
            .env("RABBITMQ_NODENAME", &self.name)
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string())
            .env("RABBITMQ_CONFIG_FILE", d.join("rabbitmq"))
            .env("RABBITMQ_MNESIA_BASE", d.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", d.join("log"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", d.join("enabled_plugins"))
            .env("RABBITMQ_PID_FILE", d.join("pid"))
            .status()
            .expect("rabbitmq-server runs");
        assert!(status.success(), "rabbitmq-server -detached failed");
        // The node registers with epmd a moment after `-detached` returns.
        let deadline = std::time::Instant::now() + Duration::from_secs(180);
        loop {
            let ok = Command::new("rabbitmqctl")
                .args(["-n", &self.name, "await_startup", "--timeout", "60"])
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false);
            if ok {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the private RabbitMQ node did not start (logs in {})",
                self.dir.join("log").display()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn stop(&self) {
        let _ = Command::new("rabbitmqctl")
            .args(["-n", &self.name, "stop"])
            .output();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_a_broker_restart_without_losing_confirmed_messages() {
    let Some(node) = Node::new() else {
        eprintln!("skipped: needs rabbitmq-server and root to run a private RabbitMQ node");
        return;
    };
    let node = std::sync::Arc::new(node);
    let _ = tracing_subscriber::fmt()
        .with_env_filter("trawl_queue=info")
        .with_test_writer()
        .try_init();
    let n2 = node.clone();
    blocking(move || n2.start()).await;

    let body = async {
        let options = AmqpOptions {
            connect_timeout: Some(Duration::from_secs(30)),
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
            publish_retry_timeout: Duration::from_secs(150),
            heartbeat_seconds: 5,
            ..AmqpOptions::default()
        };
        let b = AmqpBroker::connect(&node.url(), "trawl", options)
            .await
            .expect("private node reachable");
        for i in 0..50 {
            b.publish(WorkQueue::Tasks, format!("{i}").as_bytes())
                .await
                .unwrap();
        }
        let mut c = b.consume(WorkQueue::Tasks, 10).await.unwrap();
        let mut acked = BTreeSet::new();
        let mut held = Vec::new();
        for k in 0..5 {
            let d = tokio::time::timeout(Duration::from_secs(20), c.next())
                .await
                .unwrap()
                .unwrap();
            if k < 3 {
                acked.insert(String::from_utf8_lossy(&d.payload).into_owned());
                d.ack().await.unwrap();
            } else {
                held.push(d);
            }
        }

        let n2 = node.clone();
        blocking(move || n2.stop()).await;
        // Readiness follows the connection.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while b.is_connected().await {
            assert!(tokio::time::Instant::now() < deadline, "loss not noticed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Publishes during the outage wait for the broker to come back.
        let publishers: Vec<_> = (50..60)
            .map(|i| {
                let b = b.clone();
                tokio::spawn(
                    async move { b.publish(WorkQueue::Tasks, format!("{i}").as_bytes()).await },
                )
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let n2 = node.clone();
        blocking(move || n2.start()).await;
        for p in publishers {
            p.await
                .unwrap()
                .expect("publish completed after the restart");
        }
        for d in held {
            assert!(
                d.ack().await.is_err(),
                "a delivery of the old connection cannot be acked"
            );
        }
        // Everything not acked before the restart arrives (duplicates allowed).
        let want: BTreeSet<String> = (0..60)
            .map(|i| i.to_string())
            .filter(|s| !acked.contains(s))
            .collect();
        let mut got = BTreeSet::new();
        while got.len() < want.len() {
            let d = tokio::time::timeout(Duration::from_secs(60), c.next())
                .await
                .expect("the consumer resubscribed")
                .expect("consumer open");
            let s = String::from_utf8_lossy(&d.payload).into_owned();
            assert!(!acked.contains(&s), "an acked message came back: {s}");
            // An ack can still fail if the new channel drops too; then the
            // message comes again and is counted then.
            if d.ack().await.is_ok() {
                got.insert(s);
            }
        }
        assert_eq!(got, want);
        assert!(b.is_connected().await);
        assert_eq!(b.depth(WorkQueue::Tasks).await.unwrap(), 0);
        b.shutdown().await;
    };
    tokio::time::timeout(Duration::from_secs(400), body)
        .await
        .expect("restart test finished in time");
}
