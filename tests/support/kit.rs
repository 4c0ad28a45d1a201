//! Shared pieces of the end-to-end tests (`trawl_e2e::kit`): the embedded crawl runner, config files,
//! role processes with their logs in files, deadlines, a tiny HTTP GET for
//! `/readyz` and `/metrics`, a private `redis-server`, and a guard that brings
//! RabbitMQ back up whatever happens.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{canonical_of, read_articles, trawl_bin, Proc};

/// The site the fault tests crawl: `hosts` × `articles`, a crawl delay, an added
/// response latency, and the endless calendar off (these tests measure recovery,
/// not trap bounding, and the calendar would only make them longer).
pub async fn fault_site(
    hosts: usize,
    articles: usize,
    crawl_delay: f64,
    latency: Duration,
) -> trawl_testsite::TestSite {
    let mut features = trawl_testsite::Features::default();
    features.set("calendar", false).expect("a known feature");
    trawl_testsite::TestSite::start(trawl_testsite::SiteSpec {
        hosts,
        articles_per_host: articles,
        crawl_delay: Some(crawl_delay),
        latency,
        features,
        ..trawl_testsite::SiteSpec::default()
    })
    .await
    .expect("test site")
}

/// The canonical URLs of every article the test site says is reachable.
pub fn expected_of(site: &trawl_testsite::TestSite) -> HashSet<String> {
    site.expected_articles()
        .into_iter()
        .map(|a| a.canonical_url)
        .collect()
}

/// Keys added to the `[frontier]`, `[fetch]` and `[worker]` sections of a test config.
#[derive(Default, Clone)]
pub struct Extra {
    pub frontier: String,
    pub fetch: String,
    pub worker: String,
}

/// Write a config for one crawl (each role gets its own metrics port with `--set`).
pub fn write_config(dir: &Path, amqp: &str, redis: &str, prefix: &str, extra: &Extra) -> PathBuf {
    let path = dir.join("trawl.toml");
    std::fs::write(
        &path,
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
{fetch}
[frontier]
recrawl_interval = "1h"
{frontier}
[worker]
grace_period = "5s"
{worker}
[metrics]
listen = "127.0.0.1:0"
"#,
            fetch = extra.fetch,
            frontier = extra.frontier,
            worker = extra.worker,
        ),
    )
    .expect("writing the config");
    path
}

/// A `trawl` command reading `config`, logging at `info` (or `TRAWL_E2E_LOG`, e.g.
/// `info,trawl_frontier=debug`, when a failing test's role logs need more).
pub fn trawl(config: &Path) -> Command {
    let mut c = Command::new(trawl_bin());
    c.env("TRAWL_CONFIG", config).env(
        "TRAWL_LOG",
        std::env::var("TRAWL_E2E_LOG").unwrap_or_else(|_| "info".into()),
    );
    c
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Start a long-running role (`frontier`, `worker`) with its stderr in `<dir>/<name>.log`
/// and its metrics server on `metrics_port` (0: none).
pub fn spawn_role(
    config: &Path,
    dir: &Path,
    name: &str,
    role: &str,
    metrics_port: u16,
) -> (Proc, PathBuf) {
    let log = dir.join(format!("{name}.log"));
    let file = std::fs::File::create(&log).expect("log file");
    let mut cmd = trawl(config);
    cmd.arg(role);
    if metrics_port != 0 {
        cmd.arg("--set")
            .arg(format!("metrics.listen=127.0.0.1:{metrics_port}"));
    }
    cmd.stdout(Stdio::null()).stderr(file);
    (Proc::spawn(name, &mut cmd), log)
}

/// `trawl tail --out FILE` (optionally on a named durable queue), once it is ready.
pub fn spawn_tail(config: &Path, out: &Path, queue: Option<&str>) -> Proc {
    let mut cmd = trawl(config);
    cmd.env("TRAWL_LOG", "warn")
        .args(["tail", "--out"])
        .arg(out);
    if let Some(q) = queue {
        cmd.args(["--queue", q]);
    }
    let mut tail = Proc::spawn("tail", cmd.stderr(Stdio::piped()));
    let stderr = tail.child.stderr.take().expect("tail stderr");
    let mut lines = BufReader::new(stderr).lines();
    let ready = lines
        .by_ref()
        .take(50)
        .any(|l| l.map(|l| l.contains("tail: ready")).unwrap_or(false));
    assert!(ready, "trawl tail did not become ready");
    std::thread::spawn(move || for _ in lines {});
    tail
}

/// `trawl seed --file FILE`.
pub fn seed(config: &Path, urls: &[String], dir: &Path) {
    let seeds = dir.join("seeds.txt");
    crate::write_lines(&seeds, urls);
    let ok = trawl(config)
        .env("TRAWL_LOG", "warn")
        .args(["seed", "--file"])
        .arg(&seeds)
        .stderr(Stdio::null())
        .status()
        .expect("trawl seed");
    assert!(ok.success(), "trawl seed failed");
}

/// `trawl status --json`.
pub fn status(config: &Path) -> Option<serde_json::Value> {
    let out = trawl(config)
        .env("TRAWL_LOG", "error")
        .args(["status", "--json"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    serde_json::from_slice(&out.stdout).ok()
}

/// Wait until `trawl status` says drained twice in a row (with something seen).
/// Returns the time it took, or `None` past `limit`.
pub fn wait_drained(config: &Path, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut drained = 0;
    while started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(500));
        if let Some(s) = status(config) {
            let seen = s["urls"]["seen"].as_u64().unwrap_or(0);
            if seen > 0 && s["drained"].as_bool() == Some(true) {
                drained += 1;
                if drained >= 2 {
                    return Some(started.elapsed());
                }
            } else {
                drained = 0;
            }
        }
    }
    None
}

/// Poll `f` every 100 ms until it is true or `limit` passes; returns whether it became true.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Canonical URLs in a tail output file.
pub fn canonicals(path: &Path) -> HashSet<String> {
    read_articles(path).iter().map(canonical_of).collect()
}

/// Wait until the tail output holds every expected article (or `limit` passes).
pub fn wait_articles(path: &Path, expected: &HashSet<String>, limit: Duration) -> bool {
    wait_until(limit, || canonicals(path).is_superset(expected))
}

/// A plain HTTP/1.0 GET on 127.0.0.1: `(status, body)`, `None` when nothing answers.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let code = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((code, body))
}

/// Sum of every sample of the metric family `name` on a role's `/metrics`.
pub fn metric(port: u16, name: &str) -> Option<f64> {
    let (code, body) = http_get(port, "/metrics")?;
    if code != 200 {
        return None;
    }
    let mut total = None;
    for line in body.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        if !(rest.starts_with(' ') || rest.starts_with('{')) {
            continue;
        }
        if let Some(v) = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) {
            *total.get_or_insert(0.0) += v;
        }
    }
    total
}

/// The setup every distributed-crawl test starts from: a unique prefix for its queues and keys
/// (`tag` plus a random part), a temporary directory with the config ([`write_config`]), the
/// site's expected articles and seeds (its home pages), and where `trawl tail` writes.
pub struct Scenario {
    pub prefix: String,
    /// Kept alive for the test (deleted on drop).
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub expected: HashSet<String>,
    pub seeds: Vec<String>,
    pub tail_out: PathBuf,
    pub dir_path: PathBuf,
}

impl Scenario {
    pub fn new(
        site: &trawl_testsite::TestSite,
        tag: &str,
        amqp: &str,
        redis: &str,
        extra: &Extra,
    ) -> Scenario {
        let prefix = crate::unique(tag);
        let dir = tempfile::tempdir().expect("a temporary directory");
        let config = write_config(dir.path(), amqp, redis, &prefix, extra);
        let tail_out = dir.path().join("tail.jsonl");
        let dir_path = dir.path().to_path_buf();
        Scenario {
            prefix,
            dir,
            config,
            expected: expected_of(site),
            seeds: site.home_pages(),
            tail_out,
            dir_path,
        }
    }
}

/// Stop roles with SIGTERM, in order, asserting each exits within 15 s (a role that does not
/// drain and exit on SIGTERM is a bug); then the tail, if any, without that assertion.
pub fn stop_roles(roles: &mut [(&str, &mut Proc)], tail: Option<&mut Proc>) {
    for (name, p) in roles.iter_mut() {
        assert!(
            p.terminate(Duration::from_secs(15)),
            "{name} did not stop on SIGTERM"
        );
    }
    if let Some(t) = tail {
        t.terminate(Duration::from_secs(5));
    }
}

/// Delete this test's queues, exchanges (and a named article queue) and Redis keys.
pub async fn cleanup(prefix: &str, amqp: &str, redis: &str, article_queue: Option<&str>) {
    if let Ok(store) = trawl_store::redis_store::RedisStore::connect(
        redis,
        prefix,
        trawl_store::redis_store::RedisStoreOptions::default(),
    )
    .await
    {
        let _ = store.purge().await;
    }
    if let Ok(broker) = trawl_queue::amqp::AmqpBroker::connect(
        amqp,
        prefix,
        trawl_queue::amqp::AmqpOptions {
            connect_timeout: Some(Duration::from_secs(10)),
            ..Default::default()
        },
    )
    .await
    {
        use trawl_queue::Broker;
        if let Some(q) = article_queue {
            // Registers the named queue with this broker so that delete_topology removes it.
            let _ = broker.subscribe_articles(Some(q), "#", 1).await;
        }
        let _ = broker.delete_topology().await;
        broker.shutdown().await;
    }
}

/// Paths of article pages (`/news/...`) requested more than once, with their counts.
pub fn repeated_article_requests(site: &trawl_testsite::TestSite) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for r in site.request_log() {
        if r.path_and_query.starts_with("/news/") {
            *counts
                .entry(format!("{}{}", r.host, r.path_and_query))
                .or_default() += 1;
        }
    }
    counts.into_iter().filter(|(_, n)| *n > 1).collect()
}

/// A private `redis-server` (AOF on, fsync always) in its own directory; killed on drop.
pub struct RedisServer {
    pub port: u16,
    pub dir: PathBuf,
    pub password: Option<String>,
    proc: Option<Proc>,
}

impl RedisServer {
    pub fn start(port: u16, dir: &Path, password: Option<&str>) -> RedisServer {
        let mut s = RedisServer {
            port,
            dir: dir.to_path_buf(),
            password: password.map(str::to_string),
            proc: None,
        };
        s.restart();
        s
    }

    pub fn url(&self) -> String {
        match &self.password {
            Some(p) => format!("redis://:{p}@127.0.0.1:{}", self.port),
            None => format!("redis://127.0.0.1:{}", self.port),
        }
    }

    /// (Re)start on the same port and directory; waits until it answers PING.
    pub fn restart(&mut self) {
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--appendonly", "yes"])
            .args(["--appendfsync", "always"])
            .args(["--save", ""])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(p) = &self.password {
            cmd.args(["--requirepass", p]);
        }
        self.proc = Some(Proc::spawn("redis-server", &mut cmd));
        let port = self.port;
        let password = self.password.clone();
        assert!(
            wait_until(Duration::from_secs(15), || redis_ping(
                port,
                password.as_deref()
            )),
            "redis-server on port {port} did not answer PING"
        );
    }

    /// SIGKILL (no shutdown save: only what the AOF holds survives).
    pub fn kill(&mut self) {
        if let Some(mut p) = self.proc.take() {
            p.kill();
        }
    }
}

/// Whether a Redis on `port` answers PING (after AUTH when a password is given).
pub fn redis_ping(port: u16, password: Option<&str>) -> bool {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut cmd = String::new();
    if let Some(p) = password {
        cmd.push_str(&format!("AUTH {p}\r\n"));
    }
    cmd.push_str("PING\r\n");
    if s.write_all(cmd.as_bytes()).is_err() {
        return false;
    }
    let mut reader = BufReader::new(s);
    let mut line = String::new();
    for _ in 0..2 {
        line.clear();
        if reader.read_line(&mut line).is_err() {
            return false;
        }
        if line.starts_with("+PONG") {
            return true;
        }
        if line.starts_with('-') {
            return false;
        }
    }
    false
}

/// `rabbitmqctl ARGS` with a deadline; whether it succeeded.
pub fn rabbitmqctl(args: &[&str], limit: Duration) -> bool {
    let Ok(mut child) = Command::new("rabbitmqctl")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(s)) => return s.success(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

/// Brings the RabbitMQ application back up when dropped, so that a failing broker-restart
/// test never leaves the shared broker stopped for the tests after it.
pub struct RabbitGuard;

impl RabbitGuard {
    pub fn stop_app(&self) -> bool {
        rabbitmqctl(&["stop_app"], Duration::from_secs(60))
    }
    pub fn start_app(&self) -> bool {
        rabbitmqctl(&["start_app"], Duration::from_secs(60))
            && rabbitmqctl(&["await_startup"], Duration::from_secs(60))
    }
}

impl Drop for RabbitGuard {
    fn drop(&mut self) {
        let _ = rabbitmqctl(&["start_app"], Duration::from_secs(60));
        let _ = rabbitmqctl(&["await_startup"], Duration::from_secs(60));
    }
}

/// The text of a log file.
pub fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// What an embedded `trawl crawl` run left: its summary (`--summary-json`), its stderr and
/// the articles file it wrote.
pub struct EmbeddedCrawl {
    pub summary: serde_json::Value,
    pub stderr: String,
    pub out: PathBuf,
}

/// Run `trawl crawl` (the embedded default) over `seeds` with the loopback allowed, the articles
/// written under `dir`, `TRAWL_LOG=warn`, and `extra` flags; panics when it fails or prints no
/// summary.
pub async fn embedded_crawl(seeds: &[String], dir: &Path, extra: &[&str]) -> EmbeddedCrawl {
    let seeds_file = dir.join("seeds.txt");
    let out = dir.join("articles.jsonl");
    crate::write_lines(&seeds_file, seeds);
    let mut args: Vec<String> = [
        "crawl",
        "--seeds",
        &seeds_file.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--allow-cidr",
        "127.0.0.0/8",
        "--summary-json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    let output = tokio::task::spawn_blocking(move || {
        Command::new(trawl_bin())
            .args(&args)
            .env("TRAWL_LOG", "warn")
            .output()
    })
    .await
    .expect("crawl task")
    .expect("running trawl crawl");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "trawl crawl failed: {stderr}");
    let summary = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "summary JSON: {e}; stdout: {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    EmbeddedCrawl {
        summary,
        stderr,
        out,
    }
}

/// One node of the local Redis Cluster as `CLUSTER NODES` lists it.
#[derive(Debug, Clone)]
pub struct ClusterNode {
    pub id: String,
    pub port: u16,
    pub master: bool,
    /// The master's id, for a replica.
    pub master_id: Option<String>,
    pub failed: bool,
}

/// `redis-cli -p PORT ARGS…` on 127.0.0.1 (5 s bound): stdout, `None` when it fails.
pub fn redis_cli(port: u16, args: &[&str]) -> Option<String> {
    let mut cmd = Command::new("redis-cli");
    cmd.args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stderr(Stdio::null());
    let (out, killed) = crate::run_bounded(&mut cmd, Duration::from_secs(5));
    (!killed && out.status.success()).then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The nodes of the cluster as seen from the node on `port`.
pub fn cluster_nodes(port: u16) -> Option<Vec<ClusterNode>> {
    let text = redis_cli(port, &["cluster", "nodes"])?;
    let nodes = text
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let port = f.get(1)?.split(['@', ',']).next()?.rsplit_once(':')?.1;
            let flags = *f.get(2)?;
            Some(ClusterNode {
                id: f.first()?.to_string(),
                port: port.parse().ok()?,
                master: flags.split(',').any(|x| x == "master"),
                master_id: f.get(3).filter(|m| **m != "-").map(|m| m.to_string()),
                failed: flags.contains("fail"),
            })
        })
        .collect();
    Some(nodes)
}

/// `cluster_state:ok` on the node at `port`.
pub fn cluster_ok(port: u16) -> bool {
    redis_cli(port, &["cluster", "info"]).is_some_and(|t| t.contains("cluster_state:ok"))
}

/// `scripts/redis-cluster.sh ARG` (up, status, down); whether it succeeded.
pub fn redis_cluster_script(arg: &str) -> bool {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/redis-cluster.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(script).arg(arg);
    let (out, killed) = crate::run_bounded(&mut cmd, Duration::from_secs(60));
    !killed && out.status.success()
}

/// Runs `scripts/redis-cluster.sh up` when dropped, so a node a test killed is started
/// again (it rejoins as a replica) even when the test fails.
pub struct RedisClusterGuard;

impl Drop for RedisClusterGuard {
    fn drop(&mut self) {
        if !redis_cluster_script("up") {
            eprintln!(
                "RedisClusterGuard: scripts/redis-cluster.sh up failed; the cluster may be degraded"
            );
        }
    }
}

/// The three-node RabbitMQ cluster of `scripts/rabbitmq-cluster.sh` (issue #11): its URL
/// list (`TRAWL_TEST_AMQP_CLUSTER_URL`) and Erlang node names in the same order
/// (`TRAWL_TEST_AMQP_CLUSTER_NODES`).
pub struct Cluster {
    /// The comma-separated URL list the roles are configured with.
    pub url: String,
    /// Each node's URL, password redacted (as the roles log it).
    pub entries: Vec<String>,
    /// Each node's Erlang name (`rabbitmqctl -n`).
    pub nodes: Vec<String>,
}

/// The path of `scripts/rabbitmq-cluster.sh`.
pub fn cluster_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/rabbitmq-cluster.sh")
}

impl Cluster {
    /// The cluster when every node accepts connections; `None` (the test prints SKIPPED)
    /// only with `TRAWL_SKIP_CLUSTER=1`, a panic naming the fix otherwise.
    pub fn require() -> Option<Cluster> {
        let url = std::env::var("TRAWL_TEST_AMQP_CLUSTER_URL").unwrap_or_else(|_| {
            [5673, 5674, 5675]
                .map(|p| format!("amqp://guest:guest@127.0.0.1:{p}/%2f"))
                .join(",")
        });
        let nodes: Vec<String> = std::env::var("TRAWL_TEST_AMQP_CLUSTER_NODES")
            .unwrap_or_else(|_| "trawl1@localhost,trawl2@localhost,trawl3@localhost".into())
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        let raw: Vec<&str> = trawl_core::split_url_list(&url);
        assert_eq!(
            raw.len(),
            nodes.len(),
            "TRAWL_TEST_AMQP_CLUSTER_NODES needs one node name per URL"
        );
        let down: Vec<String> = raw
            .iter()
            .filter(|e| !tcp_reachable(e))
            .map(|e| trawl_core::redact_url(e))
            .collect();
        if !down.is_empty() {
            if std::env::var("TRAWL_SKIP_CLUSTER").as_deref() == Ok("1") {
                eprintln!(
                    "SKIPPED (TRAWL_SKIP_CLUSTER=1): RabbitMQ cluster nodes unreachable: {down:?}"
                );
                return None;
            }
            panic!(
                "the three-node RabbitMQ cluster is not up ({down:?} unreachable): start it with \
                 `scripts/rabbitmq-cluster.sh up`, point TRAWL_TEST_AMQP_CLUSTER_URL at yours, or \
                 set TRAWL_SKIP_CLUSTER=1 to skip the cluster tests"
            );
        }
        let entries = raw.iter().map(|e| trawl_core::redact_url(e)).collect();
        Some(Cluster {
            url: url.clone(),
            entries,
            nodes,
        })
    }

    /// Index of the node a role's log says it connected to first.
    pub fn node_in_log(&self, log: &str) -> Option<usize> {
        let line = log.lines().find(|l| l.contains("connected to RabbitMQ"))?;
        self.entries.iter().position(|e| line.contains(e.as_str()))
    }

    /// `rabbitmqctl -n NODE stop_app`.
    pub fn stop_app(&self, i: usize) -> bool {
        rabbitmqctl(&["-n", &self.nodes[i], "stop_app"], Duration::from_secs(60))
    }

    /// SIGKILL the node's Erlang VM (after `stop_app` the VM still answers `eval`).
    pub fn kill(&self, i: usize) -> bool {
        let out = Command::new("rabbitmqctl")
            .args(["-q", "-n", &self.nodes[i], "eval", "os:getpid()."])
            .output();
        let Some(pid) = out.ok().and_then(|o| {
            let text = String::from_utf8_lossy(&o.stdout)
                .trim()
                .trim_matches('"')
                .to_string();
            text.parse::<u32>().ok()
        }) else {
            return false;
        };
        Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    /// `scripts/rabbitmq-cluster.sh up`: restarts what is down and waits (bounded).
    pub fn heal(&self) -> bool {
        let (out, killed) = crate::run_bounded(
            Command::new("bash").arg(cluster_script()).arg("up"),
            Duration::from_secs(240),
        );
        if !out.status.success() || killed {
            eprintln!(
                "rabbitmq-cluster.sh up failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        out.status.success() && !killed
    }
}

fn tcp_reachable(entry: &str) -> bool {
    use std::net::ToSocketAddrs;
    let Some(hostport) = entry
        .split_once("://")
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|auth| auth.rsplit('@').next())
    else {
        return false;
    };
    let Some(addr) = hostport.to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        return false;
    };
    TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok()
}

/// Brings the cluster back whole (`rabbitmq-cluster.sh up`) when dropped, so that a
/// failing node-loss test never leaves a node down for the tests after it.
pub struct RabbitClusterGuard<'a>(pub &'a Cluster);

impl Drop for RabbitClusterGuard<'_> {
    fn drop(&mut self) {
        let _ = self.0.heal();
    }
}
