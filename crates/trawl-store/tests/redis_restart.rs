//! Redis restart (issue #6): a private `redis-server` with AOF (appendfsync always)
//! is SIGKILLed and started again on the same port and directory while a
//! `RedisStore` is connected. Calls during the outage fail with a transient error;
//! afterwards the same store (its `ConnectionManager` reconnects by itself) sees the
//! state as it was: seen-set, queues, the live lease.
//!
//! Needs the `redis-server` binary on PATH (it is on the development machine and in
//! CI); without it the test prints why and returns.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use trawl_core::TaskKind;
use trawl_store::redis_store::{RedisStore, RedisStoreOptions};
use trawl_store::{FrontierStore, QueuedUrl};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn start_redis(port: u16, dir: &std::path::Path) -> Option<Child> {
    Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--dir",
            dir.to_str()?,
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
            "--daemonize",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

async fn wait_until<F, Fut, T, E>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    let start = Instant::now();
    loop {
        match f().await {
            Ok(v) => return v,
            Err(e) if start.elapsed() > Duration::from_secs(20) => {
                panic!("{what}: still failing after 20s: {e:?}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

fn item(n: u32) -> QueuedUrl {
    QueuedUrl {
        url: format!("http://a.test/{n}"),
        host: "http://a.test".into(),
        priority: 1,
        depth: 0,
        kind: TaskKind::Seed,
        attempt: 0,
        update: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_resumes_after_redis_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let Some(mut redis) = start_redis(port, dir.path()) else {
        eprintln!("SKIPPED store_resumes_after_redis_restart: no redis-server binary on PATH");
        return;
    };
    let url = format!("redis://127.0.0.1:{port}");
    let opts = RedisStoreOptions {
        connect_timeout: Duration::from_millis(500),
        response_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let store = wait_until("connect", || {
        RedisStore::connect(&url, "trawl", opts.clone())
    })
    .await;
    assert!(store.ping().await);
    store.insert_seen(&[1, 2, 3]).await.unwrap();
    store.enqueue(&[item(1), item(2)], 0).await.unwrap();
    let lease = store.lease(0, 1, 60_000).await.unwrap().pop().unwrap();

    redis.kill().expect("kill redis-server");
    redis.wait().expect("reap redis-server");
    let err = store.stats(0).await.expect_err("Redis is down");
    assert!(err.is_transient(), "{err:?}");
    assert!(!store.ping().await);

    let mut redis = start_redis(port, dir.path()).expect("restart redis-server");
    let stats = wait_until("stats after restart", || store.stats(0)).await;
    assert_eq!(
        (
            stats.seen,
            stats.queued,
            stats.in_flight,
            stats.hosts_leased
        ),
        (3, 1, 1, 1)
    );
    assert!(store.ping().await);
    assert_eq!(store.insert_seen(&[3, 4]).await.unwrap(), vec![false, true]);
    assert!(store
        .release(&lease.host, &lease.lease_id, 0)
        .await
        .unwrap());
    let next = store.lease(0, 1, 60_000).await.unwrap();
    assert_eq!(next[0].item, item(2));
    let _ = redis.kill();
    let _ = redis.wait();
}
