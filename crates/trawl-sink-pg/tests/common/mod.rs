//! Helpers of the sink's service tests: the real PostgreSQL (`TRAWL_TEST_POSTGRES_URL`,
//! default `postgres://postgres@127.0.0.1:5432/test`) with one schema per test, the real
//! RabbitMQ (`TRAWL_TEST_AMQP_URL`) with one prefix per test, both removed at the end
//! (also when the test fails), and a TCP proxy that can cut PostgreSQL off.
#![allow(dead_code)]

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_postgres::NoTls;
use trawl_core::Article;

/// Upper bound for anything a test waits for.
pub const WAIT: Duration = Duration::from_secs(30);

pub fn pg_url() -> String {
    std::env::var("TRAWL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn amqp_url() -> String {
    std::env::var("TRAWL_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// A name unique to this test (lower case: it is also a schema name).
pub fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("sinktest_{tag}_{}_{nanos}", std::process::id())
}

/// A plain client on the test database (search_path = `schema`).
pub async fn client(schema: &str) -> tokio_postgres::Client {
    let mut last = None;
    for _ in 0..20 {
        match tokio_postgres::connect(&pg_url(), NoTls).await {
            Ok((client, conn)) => {
                tokio::spawn(conn);
                client
                    .batch_execute(&format!("SET search_path TO {schema}"))
                    .await
                    .unwrap();
                return client;
            }
            Err(e) => {
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }
    panic!(
        "PostgreSQL must be reachable at {} (set TRAWL_TEST_POSTGRES_URL): {last:?}",
        pg_url()
    );
}

/// Run `f(schema)` bounded by `limit`, then drop the schema whatever happened.
pub async fn with_schema<F, Fut>(tag: &str, limit: Duration, f: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "trawl_sink_pg=info".into()),
        )
        .with_test_writer()
        .try_init();
    let schema = unique(tag);
    let result = AssertUnwindSafe(tokio::time::timeout(limit, f(schema.clone())))
        .catch_unwind()
        .await;
    // TRAWL_TEST_KEEP_SCHEMA=1 keeps a failed test's tables for a look with psql.
    if result.is_ok() || std::env::var_os("TRAWL_TEST_KEEP_SCHEMA").is_none() {
        let c = client("public").await;
        c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .await
            .unwrap();
    } else {
        eprintln!("schema {schema} kept (TRAWL_TEST_KEEP_SCHEMA)");
    }
    match result {
        Ok(Ok(())) => {}
        Ok(Err(_)) => panic!("test {tag} did not finish within {limit:?}"),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// An article message: `id` is taken as given (tests choose their ids), `version` set.
pub fn article(n: usize, version: u32, lang: &str, title: &str, body: &str) -> Article {
    let url = format!("https://news.example/{lang}/story-{n}");
    let mut a = Article::empty(&url);
    a.id = format!("{n:032x}");
    a.version = version;
    a.canonical_url = Some(url.clone());
    a.url = format!("{url}?utm_source=feed");
    a.title = Some(title.to_string());
    a.body = body.to_string();
    a.language = Some(lang.to_string());
    a.authors = vec!["Jane Doe".into()];
    a.is_article = true;
    a
}

pub fn json(a: &Article) -> Vec<u8> {
    serde_json::to_vec(a).unwrap()
}

/// `select count(*)` style scalar.
pub async fn scalar(c: &tokio_postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).await.unwrap().get(0)
}

/// Poll `f` every 50 ms until true or `limit`; whether it became true.
pub async fn eventually<F, Fut>(limit: Duration, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if f().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A TCP proxy in front of PostgreSQL that can be cut: while down, every connection is
/// closed at once (open ones too), as when the database host goes away.
pub struct PgProxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl PgProxy {
    pub async fn start(target: std::net::SocketAddr, up: bool) -> PgProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(up));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (up2, links2) = (up.clone(), links.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                links2.lock().unwrap().push(link);
            }
        });
        PgProxy {
            port,
            up,
            links,
            accept,
        }
    }

    /// The test database's URL through this proxy.
    pub fn url(&self) -> String {
        let mut u = url::Url::parse(&pg_url()).unwrap();
        u.set_host(Some("127.0.0.1")).unwrap();
        u.set_port(Some(self.port)).unwrap();
        u.to_string()
    }

    pub fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            for link in self.links.lock().unwrap().drain(..) {
                link.abort();
            }
        }
    }
}

impl Drop for PgProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.set_up(false);
    }
}

/// The PostgreSQL server address of the test URL.
pub fn pg_addr() -> std::net::SocketAddr {
    let u = url::Url::parse(&pg_url()).unwrap();
    let host = u.host_str().unwrap_or("127.0.0.1").to_string();
    let port = u.port().unwrap_or(5432);
    std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
        .unwrap()
        .next()
        .unwrap()
}
