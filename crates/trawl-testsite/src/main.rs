//! `trawl-testsite`: serve the generated multi-host news site until Ctrl-C.
//!
//! ```text
//! trawl-testsite --hosts N --articles-per-host M [--crawl-delay S] [--latency-ms X]
//!                [--port P] [--disable feat1,feat2] [--seeds-out FILE] [--home-only]
//!                [--expected-out FILE.jsonl]
//! ```
//! Prints the seeds (one per line) to stdout, writes them to `--seeds-out`, writes the expected
//! articles as JSON Lines to `--expected-out`, and on Ctrl-C prints a request summary to stderr.

use std::process::ExitCode;
use std::time::Duration;

use trawl_testsite::{Features, SiteSpec, TestSite};

const USAGE: &str = "usage: trawl-testsite [--hosts N] [--articles-per-host M] [--crawl-delay SECONDS] \
[--latency-ms MS] [--port P] [--disable FEATURE,...] [--seeds-out FILE] [--home-only] [--expected-out FILE]";

struct Args {
    spec: SiteSpec,
    seeds_out: Option<String>,
    expected_out: Option<String>,
    home_only: bool,
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
            "--articles-per-host" => spec.articles_per_host = num("--articles-per-host")? as usize,
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
    let _ = tokio::signal::ctrl_c().await;
    let log = site.request_log();
    let secs = site.started().elapsed().as_secs_f64();
    let ok = log.iter().filter(|r| r.status == 200).count();
    eprintln!(
        "trawl-testsite: {} requests ({} with 200) in {:.1}s; {} to disallowed paths",
        log.len(),
        ok,
        secs,
        site.disallowed_requests().len()
    );
    site.shutdown().await;
    ExitCode::SUCCESS
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
    }

    #[test]
    fn rejects_bad_flags() {
        assert!(p(&["--hosts"]).is_err());
        assert!(p(&["--hosts", "-1"]).is_err());
        assert!(p(&["--crawl-delay", "NaN"]).is_err());
        assert!(p(&["--port", "70000"]).is_err());
        assert!(p(&["--disable", "bogus"]).is_err());
        assert!(p(&["--what"]).is_err());
    }
}
