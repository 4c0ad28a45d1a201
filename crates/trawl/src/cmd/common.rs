//! Flags and helpers shared by several subcommands.

use std::time::Duration;

use anyhow::Context;
use ipnet::IpNet;

/// Fetcher flags shared by `fetch`, `crawl` and `worker` (`#[command(flatten)]`): one spelling
/// and one duration format for each option, whichever command it is given to.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FetchFlags {
    /// Let the SSRF guard through to this range (repeatable), e.g. 127.0.0.0/8 for a local test
    /// server or 10.0.0.0/8 for an intranet crawl.
    #[arg(long = "allow-cidr", value_name = "CIDR")]
    pub allow_cidr: Vec<IpNet>,
    /// User-agent product token (also the name matched in robots.txt groups).
    #[arg(long, value_name = "TOKEN", env = "TRAWL_FETCH_USER_AGENT")]
    pub user_agent: Option<String>,
    /// Contact URL sent in the User-Agent header.
    // `--contact-url` was the `crawl`/`worker` spelling: kept as a hidden alias.
    #[arg(
        long = "contact",
        alias = "contact-url",
        value_name = "URL",
        env = "TRAWL_FETCH_CONTACT_URL"
    )]
    pub contact: Option<String>,
    /// Total timeout of one request, e.g. 30s or 2m (a bare number is seconds). Default: 30s for
    /// `fetch`, 60s for `crawl`, `fetch.timeout` for `worker`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Do not fetch or obey robots.txt (for testing your own sites only).
    #[arg(long)]
    pub no_robots: bool,
}

impl FetchFlags {
    /// The fetcher's defaults with these flags applied.
    pub fn to_config(&self) -> trawl_fetch::FetchConfig {
        let mut cfg = trawl_fetch::FetchConfig::default();
        self.apply(&mut cfg);
        cfg
    }

    /// Apply the flags that were given over `cfg` (defaults or the configuration file).
    pub fn apply(&self, cfg: &mut trawl_fetch::FetchConfig) {
        cfg.allow_cidrs.extend(self.allow_cidr.iter().cloned());
        if let Some(ua) = &self.user_agent {
            cfg.user_agent.product = ua.clone();
        }
        if let Some(c) = &self.contact {
            cfg.user_agent.contact_url = c.clone();
        }
        if let Some(t) = self.timeout {
            cfg.total_timeout = t;
        }
        if self.no_robots {
            cfg.respect_robots = false;
        }
    }
}

/// The one duration format of the command line: humantime (`30s`, `1m30s`, `250ms`), or a bare
/// number of seconds (`5`, `2.5`), the form `trawl fetch --timeout` took first.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<f64>() {
        return Duration::try_from_secs_f64(secs)
            .map_err(|_| format!("{t:?} is not a non-negative number of seconds"));
    }
    humantime::parse_duration(t).map_err(|e| format!("{t:?}: {e} (e.g. 30s, 2m, 1h30m)"))
}

/// Seeds from arguments: each is a URL, or a file of URLs (one per line, `#` comments).
pub fn read_seeds(args: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for a in args {
        let looks_like_url = a.contains("://");
        if !looks_like_url && std::path::Path::new(a).is_file() {
            // Bytes that are not UTF-8 become U+FFFD: such a line is then judged (and counted
            // as filtered) like any other bad URL, instead of failing the whole file.
            let bytes = std::fs::read(a).with_context(|| format!("reading seed file {a}"))?;
            let text = String::from_utf8_lossy(&bytes);
            if matches!(text, std::borrow::Cow::Owned(_)) {
                tracing::warn!(file = %a, "seed file is not valid UTF-8; bad bytes replaced");
            }
            for line in text.lines() {
                let line = line.trim();
                if !line.is_empty() && !line.starts_with('#') {
                    out.push(line.to_string());
                }
            }
        } else if looks_like_url {
            out.push(a.clone());
        } else {
            anyhow::bail!("seed {a:?} is neither a URL (scheme://...) nor a readable file");
        }
    }
    Ok(out)
}

/// The WARC writer settings for a crawl or a worker: where, how big, and the `warcinfo`
/// fields (operator, robots policy, user agent).
pub fn warc_writer_config(
    dir: &std::path::Path,
    prefix: &str,
    max_file_bytes: u64,
    operator: &str,
    revisit_digests: usize,
    fetch: &trawl_fetch::FetchConfig,
) -> trawl_warc::WriterConfig {
    let mut cfg = trawl_warc::WriterConfig::new(dir);
    cfg.prefix = prefix.to_string();
    cfg.max_file_bytes = max_file_bytes;
    cfg.dedup_capacity = revisit_digests;
    if !operator.trim().is_empty() {
        cfg.info
            .push(("operator".into(), operator.trim().to_string()));
    }
    cfg.info.push((
        "robots".into(),
        if fetch.respect_robots {
            "obey"
        } else {
            "ignore"
        }
        .into(),
    ));
    cfg.info.push((
        "http-header-user-agent".into(),
        fetch.user_agent.header_value(),
    ));
    cfg
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        fetch: FetchFlags,
    }

    fn parse(args: &[&str]) -> Result<FetchFlags, clap::Error> {
        Cli::try_parse_from(std::iter::once("trawl").chain(args.iter().copied())).map(|c| c.fetch)
    }

    #[test]
    fn durations_are_humantime_or_bare_seconds() {
        assert_eq!(parse_duration("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("NaN").is_err());
    }

    #[test]
    fn one_spelling_each_and_the_old_contact_url_still_works() {
        let f = parse(&[
            "--allow-cidr",
            "127.0.0.0/8",
            "--user-agent",
            "bot",
            "--contact",
            "https://a.example/",
            "--timeout",
            "3s",
            "--no-robots",
        ])
        .unwrap();
        assert_eq!(f.allow_cidr, vec!["127.0.0.0/8".parse::<IpNet>().unwrap()]);
        assert_eq!(f.user_agent.as_deref(), Some("bot"));
        assert_eq!(f.contact.as_deref(), Some("https://a.example/"));
        assert_eq!(f.timeout, Some(Duration::from_secs(3)));
        assert!(f.no_robots);
        assert_eq!(
            parse(&["--timeout", "5"]).unwrap().timeout,
            Some(Duration::from_secs(5))
        );
        let old = parse(&["--contact-url", "https://b.example/"]).unwrap();
        assert_eq!(old.contact.as_deref(), Some("https://b.example/"));

        let cfg = old.to_config();
        assert_eq!(cfg.user_agent.contact_url, "https://b.example/");
        assert!(cfg.respect_robots);
    }

    #[test]
    fn the_old_spelling_is_hidden_from_help() {
        use clap::CommandFactory;
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("--contact <URL>"), "{help}");
        assert!(!help.contains("contact-url"), "{help}");
    }
}
