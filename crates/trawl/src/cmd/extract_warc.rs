//! `trawl extract --warc FILE.warc.gz [--format jsonl|json]`: re-run the extractor over an
//! archive, without refetching.
//!
//! - Streams the archive record by record ([`trawl_warc::WarcReader`]: never the whole file in
//!   memory); `.warc.gz`, a cut-short `.warc.gz.open` and uncompressed `.warc` all work.
//! - One output line per HTML `response` record with a 2xx status: the [`Article`] fields plus
//!   `"warc_record_id"` (the response's `WARC-Record-ID`) and `"warc_target_uri"`;
//!   `fetched_at` is the record's `WARC-Date`. Revisits (no payload), non-HTML and error
//!   responses are counted and skipped.
//! - A record the extractor rejects is reported on stderr and counted; a truncated or corrupt
//!   archive ends the run with every complete record before the damage extracted, a message
//!   on stderr, and exit code 2. Exit 1 when the file cannot be opened or holds no record.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use trawl_core::Article;
use trawl_extract::{extract_with, Options};
use trawl_warc::{parse_response, WarcReader};

use super::extract::Format;

#[derive(Serialize)]
struct Record<'a> {
    warc_record_id: &'a str,
    warc_target_uri: &'a str,
    #[serde(flatten)]
    article: &'a Article,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub records: u64,
    pub responses: u64,
    pub extracted: u64,
    pub articles: u64,
    pub skipped: u64,
    pub failed: u64,
}

fn is_html(content_type: Option<&str>, payload: &[u8]) -> bool {
    match content_type {
        Some(ct) => {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "text/html" || mime == "application/xhtml+xml"
        }
        None => {
            let head = &payload[..payload.len().min(512)];
            let text = String::from_utf8_lossy(head).to_ascii_lowercase();
            text.contains("<html") || text.contains("<!doctype html")
        }
    }
}

pub fn run(path: &Path, format: Format, max_bytes: usize) -> anyhow::Result<ExitCode> {
    let reader = WarcReader::open(path)
        .with_context(|| format!("cannot open {}", path.display()))?
        .max_block(
            u64::try_from(max_bytes)
                .unwrap_or(u64::MAX)
                .saturating_add(64 * 1024),
        );
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let options = Options {
        max_input_bytes: max_bytes,
    };
    let mut c = Counts::default();
    let mut damaged = None;
    for item in reader {
        let rec = match item {
            Ok(r) => r,
            Err(e) => {
                damaged = Some(e);
                break;
            }
        };
        c.records += 1;
        if rec.kind() != Some("response") {
            continue;
        }
        c.responses += 1;
        let id = rec.header("WARC-Record-ID").unwrap_or("").to_string();
        let uri = rec.header("WARC-Target-URI").unwrap_or("").to_string();
        let Some(block) = &rec.block else {
            c.failed += 1;
            eprintln!("trawl extract: {uri} ({id}): larger than --max-bytes {max_bytes}");
            continue;
        };
        let Some(http) = parse_response(block) else {
            c.skipped += 1;
            continue;
        };
        if !(200..300).contains(&http.status)
            || !is_html(http.header("content-type"), http.payload)
            || rec.header("WARC-Truncated").is_some()
        {
            c.skipped += 1;
            continue;
        }
        match extract_with(http.payload, &uri, http.header("content-type"), &options) {
            Ok(mut article) => {
                article.fetched_at = rec
                    .header("WARC-Date")
                    .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok());
                c.extracted += 1;
                c.articles += u64::from(article.is_article);
                let record = Record {
                    warc_record_id: &id,
                    warc_target_uri: &uri,
                    article: &article,
                };
                match format {
                    Format::Json => serde_json::to_writer_pretty(&mut out, &record)?,
                    Format::Jsonl => serde_json::to_writer(&mut out, &record)?,
                }
                out.write_all(b"\n")?;
            }
            Err(e) => {
                c.failed += 1;
                eprintln!("trawl extract: {uri} ({id}): {e}");
            }
        }
    }
    out.flush()?;
    eprintln!(
        "trawl extract: {} records, {} responses: {} extracted ({} articles), {} skipped (not 2xx HTML), {} failed",
        c.records, c.responses, c.extracted, c.articles, c.skipped, c.failed
    );
    if let Some(e) = damaged {
        eprintln!("trawl extract: {}: {e}", path.display());
        return Ok(ExitCode::from(2));
    }
    Ok(if c.records == 0 {
        eprintln!("trawl extract: {}: no WARC record", path.display());
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
