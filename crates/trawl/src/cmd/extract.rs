//! `trawl extract FILE|DIR|- [--url URL] [--format json|jsonl] [--max-bytes N]`
//! `trawl extract --warc FILE.warc.gz [--format jsonl|json]` (see `extract_warc`)
//!
//! Runs the extractor over local files; no network.
//!
//! - One record per input: the [`Article`] fields plus `"input"` (the file's path
//!   as given, relative to DIR for a directory, `-` for stdin).
//! - Format: `json` (pretty) by default for a single file or stdin, `jsonl` (one
//!   record per line) by default for a directory.
//! - A directory is walked recursively (hidden entries skipped); files are
//!   extracted in parallel on every core (rayon) and printed in sorted path order.
//! - Page URL: `--url` for a file or stdin; for a directory `--url` is a base that
//!   each relative path is joined to. Without `--url`, a page's own absolute
//!   `<link rel=canonical>` is used, else `http://localhost/<path>` (a file: URL
//!   would make every link non-http and is not a web page's address).
//! - Failures (unreadable, too large, not HTML) go to stderr with the input's
//!   name and are counted in a summary line on stderr; the rest go on. The exit
//!   code is non-zero only when no input could be processed (or on bad arguments).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use rayon::prelude::*;
use serde::Serialize;
use trawl_core::Article;
use trawl_extract::{extract_with, sniff_canonical_url, Options};
use url::Url;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Pretty-printed JSON, one document per input.
    Json,
    /// One JSON object per line.
    Jsonl,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An HTML file, a directory of HTML files (recursive), or `-` for stdin.
    #[arg(required_unless_present = "warc")]
    pub input: Option<String>,
    /// Extract every HTML response of a WARC archive (`.warc.gz`, `.warc`), one record per
    /// response with its `warc_record_id`; default format jsonl.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["input", "url"])]
    pub warc: Option<PathBuf>,
    /// The page URL (for a directory: a base URL each relative path is joined to).
    /// Default: the page's absolute `<link rel=canonical>`, else `http://localhost/<path>`.
    #[arg(long)]
    pub url: Option<Url>,
    /// Output format. Default: json for a file or stdin, jsonl for a directory.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Inputs larger than this many bytes are skipped (reported on stderr).
    #[arg(long, default_value_t = 32 * 1024 * 1024)]
    pub max_bytes: usize,
}

/// One output record: the input's name beside the article's fields.
#[derive(Serialize)]
struct Record<'a> {
    input: &'a str,
    #[serde(flatten)]
    article: &'a Article,
}

struct Input {
    /// Shown in records and error messages.
    name: String,
    /// `None` for stdin.
    path: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.max_bytes == 0 {
        bail!("--max-bytes must be positive");
    }
    if let Some(warc) = &args.warc {
        return super::extract_warc::run(
            warc,
            args.format.unwrap_or(Format::Jsonl),
            args.max_bytes,
        );
    }
    let input = args.input.clone().unwrap_or_default();
    let (inputs, is_dir) = if input == "-" {
        (
            vec![Input {
                name: "-".into(),
                path: None,
            }],
            false,
        )
    } else {
        let root = PathBuf::from(&input);
        let meta =
            std::fs::metadata(&root).with_context(|| format!("cannot read {}", root.display()))?;
        if meta.is_dir() {
            (list_dir(&root)?, true)
        } else {
            (
                vec![Input {
                    name: input.clone(),
                    path: Some(root),
                }],
                false,
            )
        }
    };
    let format = args
        .format
        .unwrap_or(if is_dir { Format::Jsonl } else { Format::Json });
    let options = Options {
        max_input_bytes: args.max_bytes,
    };

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut ok, mut articles, mut failed) = (0usize, 0usize, 0usize);
    // Chunks bound the memory held for ordered output.
    for chunk in inputs.chunks(256) {
        let results: Vec<Result<(String, bool), String>> = chunk
            .par_iter()
            .map(|input| process(input, &args, is_dir, &options, format))
            .collect();
        for (input, r) in chunk.iter().zip(results) {
            match r {
                Ok((text, is_article)) => {
                    ok += 1;
                    articles += usize::from(is_article);
                    out.write_all(text.as_bytes())?;
                    out.write_all(b"\n")?;
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("trawl extract: {}: {e}", input.name);
                }
            }
        }
    }
    out.flush()?;
    eprintln!(
        "trawl extract: {} inputs, {ok} extracted ({articles} articles), {failed} failed",
        inputs.len()
    );
    Ok(if ok == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn process(
    input: &Input,
    args: &Args,
    is_dir: bool,
    options: &Options,
    format: Format,
) -> Result<(String, bool), String> {
    let body = read_limited(input.path.as_deref(), options.max_input_bytes)?;
    let url = page_url(input, args.url.as_ref(), is_dir, &body)?;
    let article = extract_with(&body, &url, None, options).map_err(|e| e.to_string())?;
    let record = Record {
        input: &input.name,
        article: &article,
    };
    let text = match format {
        Format::Json => serde_json::to_string_pretty(&record),
        Format::Jsonl => serde_json::to_string(&record),
    }
    .map_err(|e| format!("cannot serialize: {e}"))?;
    Ok((text, article.is_article))
}

/// Read at most `limit` bytes; more is an error (without reading it all).
fn read_limited(path: Option<&Path>, limit: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let read = match path {
        Some(p) => std::fs::File::open(p).and_then(|f| f.take(cap).read_to_end(&mut body)),
        None => std::io::stdin().lock().take(cap).read_to_end(&mut body),
    };
    read.map_err(|e| format!("cannot read: {e}"))?;
    if body.len() > limit {
        return Err(format!("larger than --max-bytes {limit}"));
    }
    Ok(body)
}

fn page_url(
    input: &Input,
    given: Option<&Url>,
    is_dir: bool,
    body: &[u8],
) -> Result<String, String> {
    match given {
        Some(base) if is_dir => base
            .join(&input.name)
            .map(String::from)
            .map_err(|e| format!("cannot join --url with {}: {e}", input.name)),
        Some(u) => Ok(u.to_string()),
        None => Ok(sniff_canonical_url(body).unwrap_or_else(|| {
            let name = if input.name == "-" {
                "stdin"
            } else {
                input.name.trim_start_matches("./")
            };
            Url::parse("http://localhost/")
                .and_then(|b| b.join(name))
                .map(String::from)
                .unwrap_or_else(|_| "http://localhost/".to_string())
        })),
    }
}

/// Regular files under `root`, recursively, hidden entries skipped, sorted by path.
fn list_dir(root: &Path) -> anyhow::Result<Vec<Input>> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if dir == root => {
                return Err(e).context(format!("cannot list {}", root.display()))
            }
            Err(e) => {
                eprintln!("trawl extract: {}: cannot list: {e}", dir.display());
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(_) => files.push(path),
                Err(_) => files.push(path),
            }
        }
    }
    files.sort();
    Ok(files
        .into_iter()
        .map(|p| Input {
            name: p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned(),
            path: Some(p),
        })
        .collect())
}
