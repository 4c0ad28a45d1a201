//! Helpers for the end-to-end tests: locating the `trawl` binary, unique names, and
//! reading article files. `kit` holds the fault tests' shared pieces (config files,
//! role processes, deadlines, `/readyz` and `/metrics`, a private `redis-server`).

pub mod kit;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The `trawl` binary built by the same `cargo test` run (target/<profile>/trawl).
pub fn trawl_bin() -> PathBuf {
    if let Ok(p) = std::env::var("TRAWL_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("current_exe");
    // target/<profile>/deps/<test> → target/<profile>/trawl
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let bin = dir.join("trawl");
    assert!(
        bin.exists(),
        "{} not found: build it first (cargo build -p trawl) or set TRAWL_BIN",
        bin.display()
    );
    bin
}

/// A name unique to this test run (process id + time), for queue and key prefixes.
pub fn unique(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("t{}-{}-{:x}", tag, std::process::id(), nanos & 0xffff_ffff)
}

pub fn amqp_url() -> String {
    std::env::var("TRAWL_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

pub fn redis_url() -> String {
    std::env::var("TRAWL_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// The test Redis Cluster (`scripts/redis-cluster.sh up`): every node as a seed.
pub fn redis_cluster_url() -> String {
    std::env::var("TRAWL_TEST_REDIS_CLUSTER_URL").unwrap_or_else(|_| {
        "redis+cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003,\
         127.0.0.1:7004,127.0.0.1:7005"
            .into()
    })
}

/// Articles in a JSON Lines file, as JSON values.
pub fn read_articles(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// The article's canonical URL (or its URL when it has none).
pub fn canonical_of(a: &serde_json::Value) -> String {
    a.get("canonical_url")
        .and_then(|v| v.as_str())
        .or_else(|| a.get("url").and_then(|v| v.as_str()))
        .unwrap_or_default()
        .to_string()
}

/// Count of each canonical URL.
pub fn canonical_counts(articles: &[serde_json::Value]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for a in articles {
        *m.entry(canonical_of(a)).or_insert(0) += 1;
    }
    m
}

/// A child process killed when dropped (so a failing test leaves nothing running).
pub struct Proc {
    pub name: String,
    pub child: Child,
}

impl Proc {
    pub fn spawn(name: &str, cmd: &mut Command) -> Proc {
        let child = cmd
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {name}: {e}"));
        Proc {
            name: name.to_string(),
            child,
        }
    }

    /// SIGTERM, then wait up to `grace`; SIGKILL after that. Returns whether it exited by itself.
    pub fn terminate(&mut self, grace: Duration) -> bool {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Write seeds to a file, one per line.
pub fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").expect("writing seeds");
}

/// Run a command to completion, killing it after `limit` (a hang fails the test instead of
/// blocking it). Returns the output and whether it had to be killed.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> (std::process::Output, bool) {
    use std::io::Read;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    // Drain both pipes on threads so a chatty child never blocks on a full pipe.
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out_pipe.read_to_end(&mut b);
        b
    });
    let err_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err_pipe.read_to_end(&mut b);
        b
    });
    let deadline = Instant::now() + limit;
    let mut killed = false;
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break s;
        }
        if Instant::now() >= deadline {
            killed = true;
            let _ = child.kill();
            break child.wait().expect("waiting for a killed child");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    (
        std::process::Output {
            status,
            stdout,
            stderr,
        },
        killed,
    )
}

/// A free TCP port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = l.local_addr().expect("local addr").port();
    drop(l);
    port
}

/// The Python of a virtualenv with `warcio` (a WARC reader no one here wrote), made on first
/// use under the target directory (`<target>/warcio-venv`, or `TRAWL_WARCIO_VENV`). `None`,
/// with a printed reason, only when it cannot be installed (no python3/venv, PyPI unreachable).
pub fn warcio_python() -> Option<PathBuf> {
    let venv = match std::env::var("TRAWL_WARCIO_VENV") {
        Ok(v) => PathBuf::from(v),
        Err(_) => {
            let bin = trawl_bin();
            let target = bin.parent()?.parent()?.to_path_buf();
            target.join("warcio-venv")
        }
    };
    let py = venv.join("bin").join("python");
    let works = |py: &Path| {
        Command::new(py)
            .args(["-c", "import warcio"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if works(&py) {
        return Some(py);
    }
    // One installer at a time across test processes: a lock directory, polled with a deadline.
    let lock = venv.with_extension("lock");
    let deadline = Instant::now() + Duration::from_secs(300);
    while std::fs::create_dir(&lock).is_err() {
        if works(&py) {
            return Some(py);
        }
        if Instant::now() > deadline {
            eprintln!(
                "SKIPPED warcio checks: timed out waiting for {}",
                lock.display()
            );
            return None;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
        && Command::new(venv.join("bin").join("pip"))
            .args(["install", "-q", "warcio"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
    let _ = std::fs::remove_dir(&lock);
    if made && works(&py) {
        Some(py)
    } else {
        eprintln!(
            "SKIPPED warcio checks: could not install warcio into {} (python3 -m venv + pip install warcio failed)",
            venv.display()
        );
        None
    }
}
