//! `trawl-testsite`: serve the generated multi-host news site until Ctrl-C.
//!
//! ```text
//! trawl-testsite --hosts N --articles[-per-host] M [--crawl-delay S] [--latency-ms X]
//!                [--port P] [--disable feat1,feat2] [--seeds-out FILE] [--home-only]
//!                [--expected-out FILE.jsonl] [--publish-every DURATION] [--publish-log FILE.jsonl]
//!                [--correct-after DURATION] [--log-out FILE.jsonl]
//! ```
//! Prints the seeds (one per line) to stdout, writes them to `--seeds-out`, writes the expected
//! articles as JSON Lines to `--expected-out`; with `--publish-every` every host publishes one new
//! article per interval, each logged to stderr and to `--publish-log` as it appears; with
//! `--correct-after` every fifth article gains a correction that long after its publication. On Ctrl-C
//! (or SIGTERM) prints a request summary to stderr and writes the request log to `--log-out`.

use std::process::ExitCode;
use std::time::Duration;

use trawl_testsite::{Features, SiteSpec, TestSite};

const USAGE: &str = "usage: trawl-testsite [--hosts N] [--articles[-per-host] M] [--crawl-delay SECONDS] \
[--latency-ms MS] [--port P] [--disable FEATURE,...] [--seeds-out FILE] [--home-only] [--expected-out FILE] \
[--publish-every DURATION] [--publish-log FILE] [--correct-after DURATION] [--log-out FILE]";

struct Args {
    spec: SiteSpec,
    seeds_out: Option<String>,
    expected_out: Option<String>,
    publish_log: Option<String>,
    log_out: Option<String>,
    home_only: bool,
}

/// `90`, `1.5s`, `500ms`, `2m`, `1h`: a duration (bare numbers are seconds).
fn parse_duration(v: &str) -> Option<Duration> {
    let v = v.trim();
    let (num, scale) = if let Some(n) = v.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = v.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (v, 1.0)
    };
    let secs = num.trim().parse::<f64>().ok()? * scale;
    (secs.is_finite() && (0.0..=1e9).contains(&secs)).then(|| Duration::from_secs_f64(secs))
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut spec = SiteSpec {
        hosts: 3,
        articles_per_host: 30,
        ..SiteSpec::default()
    };
    let mut features = Features::default();
    let mut seeds_out = None;
    let mut expected_out = None;
    let mut publish_log = None;
    let mut log_out = None;
    let mut home_only = false;
    while let Some(flag) = argv.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (flag.clone(), None),
        };
        if name == "--home-only" {
            home_only = true;
            continue;
        }
        if name == "-h" || name == "--help" {
            return Err(USAGE.to_string());
        }
        let value = match inline {
            Some(v) => v,
            None => argv
                .next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))?,
        };
        let num = |what: &str| -> Result<f64, String> {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("{what}: {value:?} is not a non-negative number"))
        };
        match name.as_str() {
            "--hosts" => spec.hosts = num("--hosts")? as usize,
            "--articles-per-host" | "--articles" => spec.articles_per_host = num(&name)? as usize,
            "--publish-every" => {
                spec.publish_every = Some(parse_duration(&value).ok_or_else(|| {
                    format!("--publish-every: {value:?} is not a duration (e.g. 60s, 2m, 500ms)")
                })?)
            }
            "--correct-after" => {
                spec.correct_after = Some(parse_duration(&value).ok_or_else(|| {
                    format!("--correct-after: {value:?} is not a duration (e.g. 60s, 2m, 500ms)")
                })?)
            }
            "--publish-log" => publish_log = Some(value),
            "--log-out" => log_out = Some(value),
            "--crawl-delay" => spec.crawl_delay = Some(num("--crawl-delay")?),
            "--latency-ms" => spec.latency = Duration::from_secs_f64(num("--latency-ms")? / 1000.0),
            "--port" => {
                spec.port = Some(
                    value
                        .parse::<u16>()
                        .map_err(|_| format!("--port: {value:?} is not a port number"))?,
                )
            }
            "--disable" => {
                for f in value.split(',').filter(|f| !f.is_empty()) {
                    features.set(f.trim(), false)?;
                }
            }
            "--seeds-out" => seeds_out = Some(value),
            "--expected-out" => expected_out = Some(value),
            other => return Err(format!("unknown flag {other}\n{USAGE}")),
        }
    }
    spec.features = features;
    Ok(Args {
        spec,
        seeds_out,
        expected_out,
        publish_log,
        log_out,
        home_only,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let site = match TestSite::start(args.spec.clone()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("trawl-testsite: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    let seeds = if args.home_only {
        site.home_pages()
    } else {
        site.seeds()
    };
    let mut text = seeds.join("\n");
    text.push('\n');
    if let Some(path) = &args.seeds_out {
        if let Err(e) = std::fs::write(path, &text) {
            eprintln!("trawl-testsite: cannot write {path}: {e}");
            return ExitCode::from(1);
        }
    }
    if let Some(path) = &args.expected_out {
        let mut out = String::new();
        for a in site.expected_articles() {
            match serde_json::to_string(&a) {
                Ok(line) => {
                    out.push_str(&line);
                    out.push('\n');
                }
                Err(e) => {
                    eprintln!("trawl-testsite: {e}");
                    return ExitCode::from(1);
                }
            }
        }
        if let Err(e) = std::fs::write(path, out) {
            eprintln!("trawl-testsite: cannot write {path}: {e}");
            return ExitCode::from(1);
        }
    }
    print!("{text}");
    eprintln!(
        "trawl-testsite: serving {} hosts x {} articles ({} expected articles); Ctrl-C to stop",
        args.spec.hosts,
        args.spec.articles_per_host,
        args.spec.hosts * args.spec.articles_per_host
    );
    let site = std::sync::Arc::new(site);
    let publisher = args.spec.publish_every.map(|every| {
        let site = site.clone();
        let path = args.publish_log.clone();
        tokio::spawn(log_publications(site, every, path))
    });
    wait_for_stop().await;
    if let Some(p) = publisher {
        p.abort();
    }
    let log = site.request_log();
    let secs = site.started().elapsed().as_secs_f64();
    let ok = log.iter().filter(|r| r.status == 200).count();
    let dead = log.iter().filter(|r| matches!(r.status, 404 | 410)).count();
    eprintln!(
        "trawl-testsite: {} requests ({} with 200) in {:.1}s; {} to disallowed paths; {} answered 404/410 ({} dead links on the site); {} politeness violations (slack 50 ms)",
        log.len(),
        ok,
        secs,
        site.disallowed_requests().len(),
        dead,
        site.dead_links().len(),
        site.politeness_violations(Duration::from_millis(50)).len()
    );
    if let Some(path) = &args.log_out {
        let started = site.started();
        let mut out = String::new();
        for r in &log {
            let line = serde_json::json!({
                "host_index": r.host_index,
                "path": r.path_and_query,
                "status": r.status,
                "at_ms": r.at.saturating_duration_since(started).as_secs_f64() * 1000.0,
                "end_ms": r.end.saturating_duration_since(started).as_secs_f64() * 1000.0,
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
        if let Err(e) = std::fs::write(path, out) {
            eprintln!("trawl-testsite: cannot write {path}: {e}");
        }
    }
    let Ok(site) = std::sync::Arc::try_unwrap(site) else {
        return ExitCode::SUCCESS;
    };
    site.shutdown().await;
    ExitCode::SUCCESS
}

/// Ctrl-C or SIGTERM.
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Log every live publication as it appears: a line on stderr, and a JSON line in `path`.
async fn log_publications(site: std::sync::Arc<TestSite>, every: Duration, path: Option<String>) {
    use std::io::Write as _;
    let mut file = match &path {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("trawl-testsite: cannot write {p}: {e}");
                None
            }
        },
        None => None,
    };
    let mut logged = std::collections::HashSet::new();
    let mut tick = tokio::time::interval(
        (every / 20).clamp(Duration::from_millis(5), Duration::from_millis(100)),
    );
    loop {
        tick.tick().await;
        for p in site.publications() {
            if !logged.insert((p.host_index, p.index)) {
                continue;
            }
            eprintln!(
                "trawl-testsite: published {} (host {}, article {}) at {} ms",
                p.canonical_url, p.host_index, p.index, p.published_unix_ms
            );
            if let (Some(f), Ok(line)) = (file.as_mut(), serde_json::to_string(&p)) {
                let _ = writeln!(f, "{line}");
                let _ = f.flush();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Args, String> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_flags() {
        let a = p(&[
            "--hosts",
            "20",
            "--articles-per-host=50",
            "--crawl-delay",
            "0.5",
            "--latency-ms",
            "20",
            "--disable",
            "calendar,flaky",
            "--seeds-out",
            "s.txt",
            "--home-only",
        ])
        .expect("valid");
        assert_eq!(a.spec.hosts, 20);
        assert_eq!(a.spec.articles_per_host, 50);
        assert_eq!(a.spec.crawl_delay, Some(0.5));
        assert_eq!(a.spec.latency, Duration::from_millis(20));
        assert!(!a.spec.features.calendar && !a.spec.features.flaky && a.spec.features.robots);
        assert_eq!(a.seeds_out.as_deref(), Some("s.txt"));
        assert!(a.home_only);
        let live = p(&[
            "--articles",
            "5",
            "--publish-every",
            "2s",
            "--publish-log",
            "p.jsonl",
            "--correct-after",
            "90s",
        ])
        .expect("valid");
        assert_eq!(live.spec.correct_after, Some(Duration::from_secs(90)));
        assert_eq!(live.spec.articles_per_host, 5);
        assert_eq!(live.spec.publish_every, Some(Duration::from_secs(2)));
        assert_eq!(live.publish_log.as_deref(), Some("p.jsonl"));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m"), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
    }

    #[test]
    fn rejects_bad_flags() {
        assert!(p(&["--hosts"]).is_err());
        assert!(p(&["--hosts", "-1"]).is_err());
        assert!(p(&["--crawl-delay", "NaN"]).is_err());
        assert!(p(&["--port", "70000"]).is_err());
        assert!(p(&["--disable", "bogus"]).is_err());
        assert!(p(&["--what"]).is_err());
        assert!(p(&["--publish-every", "soon"]).is_err());
        assert!(p(&["--publish-every", "-1s"]).is_err());
    }
}
