//! Flags and helpers shared by several subcommands.

use std::time::Duration;

use anyhow::Context;
use ipnet::IpNet;

/// Fetcher flags common to `fetch`, `crawl` and `worker`.
#[derive(clap::Args, Debug, Clone)]
pub struct FetchFlags {
    /// Let the SSRF guard through for this range (repeatable), e.g. 127.0.0.0/8 for a local test site.
    #[arg(long = "allow-cidr", value_name = "CIDR")]
    pub allow_cidr: Vec<IpNet>,
    /// User-agent product token (robots.txt groups are matched against it).
    #[arg(long, env = "TRAWL_FETCH_USER_AGENT")]
    pub user_agent: Option<String>,
    /// Contact URL sent in the User-Agent header.
    #[arg(long, env = "TRAWL_FETCH_CONTACT_URL")]
    pub contact_url: Option<String>,
    /// Total timeout of one request (e.g. 30s).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub timeout: Option<Duration>,
    /// Ignore robots.txt (for testing your own site only).
    #[arg(long)]
    pub no_robots: bool,
}

impl FetchFlags {
    pub fn to_config(&self) -> anyhow::Result<trawl_fetch::FetchConfig> {
        let mut cfg = trawl_fetch::FetchConfig::default();
        self.apply(&mut cfg);
        Ok(cfg)
    }

    pub fn apply(&self, cfg: &mut trawl_fetch::FetchConfig) {
        cfg.allow_cidrs.extend(self.allow_cidr.iter().cloned());
        if let Some(ua) = &self.user_agent {
            cfg.user_agent.product = ua.clone();
        }
        if let Some(c) = &self.contact_url {
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
