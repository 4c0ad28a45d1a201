//! Development runner: extract every `*.html` file of a directory and print one JSON
//! record per page (the `trawl_core::Article` plus `input`), like `trawl extract DIR
//! --format jsonl`, but without building the `trawl` binary and its service stack.
//!
//!   cargo run --release -p trawl-extract --example extract_dir -- DIR [URLS.tsv] > out.jsonl
//!
//! `URLS.tsv` (optional): `file-stem<TAB>url` lines giving each page's URL (as a crawl
//! knows it); without it the page's `<link rel=canonical>` is used, else a placeholder.
//!
//! `TRAWL_FEATURES=1` adds `features` (the `is_article` model's feature vector, named by
//! `trawl_extract::classify::FEATURE_NAMES`) to each record, for `scripts/train-is-article.py`.
use std::collections::HashMap;
use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: extract_dir DIR [URLS.tsv]");
        std::process::exit(64);
    };
    let urls: HashMap<String, String> = args
        .next()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|s| {
            s.lines()
                .filter_map(|l| l.split_once('\t'))
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("readable directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    files.sort();
    let with_features = std::env::var_os("TRAWL_FEATURES").is_some();
    let out = std::io::stdout();
    let mut out = out.lock();
    for path in files {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(body) = std::fs::read(&path) else {
            continue;
        };
        // A page listed without a URL (a few WCXB pages record none) is a page without
        // one: its canonical link, else a placeholder, as `trawl extract` does.
        let url = urls
            .get(&stem)
            .filter(|u| !u.trim().is_empty())
            .cloned()
            .or_else(|| trawl_extract::sniff_canonical_url(&body))
            .unwrap_or_else(|| format!("http://localhost/{stem}.html"));
        let opts = trawl_extract::Options::default();
        let rec = match trawl_extract::extract_with_features(&body, &url, None, &opts) {
            Ok((a, features)) => {
                let mut v = serde_json::to_value(&a).expect("article serializes");
                v["input"] = serde_json::Value::String(path.display().to_string());
                if with_features {
                    v["features"] = serde_json::json!(features);
                }
                v
            }
            Err(e) => {
                serde_json::json!({"input": path.display().to_string(), "error": e.to_string()})
            }
        };
        let _ = writeln!(out, "{rec}");
    }
}
