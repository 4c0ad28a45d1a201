//! `trawl fetch URL`: fetch one URL through the polite fetcher (robots.txt, politeness, SSRF
//! guard, redirects, limits, retries) and print, as JSON on stdout, the outcome, the redirect
//! chain, timings, the robots.txt decision and the extracted article: the tool to see why a
//! page was or was not ingested.
//!
//! Exit code: 0 for `ok` / `not_modified`, 2 for any other outcome, 1 for usage errors.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use serde_json::{json, Value};
use trawl_core::FetchOutcome;
use trawl_fetch::{FetchConfig, FetchRequest, Fetcher, Purpose};

use super::common;

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurposeArg {
    /// An article page: HTML/XHTML only.
    Page,
    /// A sitemap or feed: XML, RSS, Atom, gzip accepted too.
    Discovery,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The URL to fetch (http or https).
    pub url: String,
    #[command(flatten)]
    pub fetch: common::FetchFlags,
    /// Retries for connection errors, timeouts, 5xx, 408 and 429.
    #[arg(long, value_name = "N")]
    pub max_retries: Option<u32>,
    /// Body size cap in bytes (decoded).
    #[arg(long, value_name = "BYTES")]
    pub max_body_bytes: Option<u64>,
    /// ETag from an earlier fetch (sent as If-None-Match).
    #[arg(long)]
    pub etag: Option<String>,
    /// Last-Modified from an earlier fetch (sent as If-Modified-Since).
    #[arg(long)]
    pub last_modified: Option<String>,
    /// What the URL is for; decides the accepted Content-Types.
    #[arg(long, value_enum, default_value = "page")]
    pub purpose: PurposeArg,
    /// Skip article extraction.
    #[arg(long)]
    pub no_extract: bool,
    /// Print compact JSON on one line.
    #[arg(long)]
    pub compact: bool,
}

/// `trawl fetch`'s own default total timeout (the fetcher's is 60 s).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

fn config(args: &Args) -> anyhow::Result<FetchConfig> {
    let mut cfg = FetchConfig::default();
    args.fetch.apply(&mut cfg);
    let timeout = args.fetch.timeout.unwrap_or(DEFAULT_TIMEOUT);
    anyhow::ensure!(!timeout.is_zero(), "--timeout must be longer than zero");
    // Connect and first-byte timeouts are capped by the total.
    cfg.total_timeout = timeout;
    cfg.connect_timeout = cfg.connect_timeout.min(timeout);
    cfg.first_byte_timeout = cfg.first_byte_timeout.min(timeout);
    if let Some(n) = args.max_retries {
        cfg.max_retries = n;
    }
    if let Some(n) = args.max_body_bytes {
        cfg.max_body_bytes = n;
    }
    // One URL: no reason to wait for a politeness slot.
    cfg.politeness.min_delay = Duration::ZERO;
    Ok(cfg)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let url = url::Url::parse(&args.url).with_context(|| format!("invalid URL {:?}", args.url))?;
    let cfg = config(&args)?;
    let fetcher = Fetcher::new(cfg).context("building the fetcher")?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let purpose = match args.purpose {
        PurposeArg::Page => Purpose::Page,
        PurposeArg::Discovery => Purpose::Discovery,
    };
    let req = FetchRequest::new(url.clone(), purpose)
        .with_validators(args.etag.clone(), args.last_modified.clone());
    let (resp, robots) = rt.block_on(async {
        let resp = fetcher.fetch(req).await;
        // The decision for the last URL robots.txt was consulted for (cached: no second fetch).
        let robots = match resp.robots {
            Some(_) => Some(fetcher.robots(&resp.final_url).await),
            None => None,
        };
        (resp, robots)
    });

    let mut out = serde_json::to_value(&resp).context("serializing the response")?;
    if let Value::Object(map) = &mut out {
        map.insert("url".into(), json!(url.as_str()));
        map.insert("robots_decision".into(), serde_json::to_value(&robots)?);
        let article = match (&resp.body, args.no_extract, purpose) {
            (Some(body), false, Purpose::Page) if resp.outcome == FetchOutcome::Ok => {
                match trawl_extract::extract(
                    body,
                    resp.final_url.as_str(),
                    resp.content_type.as_deref(),
                ) {
                    Ok(a) => serde_json::to_value(&a)?,
                    Err(e) => json!({ "extract_error": e.to_string() }),
                }
            }
            _ => Value::Null,
        };
        map.insert("article".into(), article);
    }
    let text = if args.compact {
        serde_json::to_string(&out)?
    } else {
        serde_json::to_string_pretty(&out)?
    };
    println!("{text}");
    Ok(match resp.outcome {
        FetchOutcome::Ok | FetchOutcome::NotModified => ExitCode::SUCCESS,
        _ => ExitCode::from(2),
    })
}
