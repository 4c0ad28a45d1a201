//! Benchmark harness for article extraction (not part of the product).
//!
//! Runs one of three engines over a folder of HTML pages (by default the benchmark at
//! `../shared/bench/extraction/pages`): trawl's extractor, the `rs-trafilatura` crate,
//! or bare `scraper` parsing (the ceiling for any scraper-based extractor).

use std::path::{Path, PathBuf};
use std::time::Instant;

/// One benchmark page.
pub struct Page {
    pub id: String,
    pub bytes: Vec<u8>,
}

/// The engines compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Trawl,
    RsTrafilatura,
    ParseOnly,
    /// Parse + `content::extract_content` only (no decoding sniff, no metadata):
    /// attributes the cost of the main-content stage.
    ParseContent,
}

impl Engine {
    pub fn parse(name: &str) -> Option<Engine> {
        match name {
            "trawl" => Some(Engine::Trawl),
            "rs-trafilatura" => Some(Engine::RsTrafilatura),
            "parse" | "parse-only" => Some(Engine::ParseOnly),
            "parse+content" | "content" => Some(Engine::ParseContent),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Engine::Trawl => "trawl",
            Engine::RsTrafilatura => "rs-trafilatura",
            Engine::ParseOnly => "parse-only",
            Engine::ParseContent => "parse+content",
        }
    }
}

/// What one engine produced for one page.
pub struct Output {
    pub body: String,
    pub title: Option<String>,
}

/// The benchmark folder (`<repo>/../shared/bench/extraction`), if present.
pub fn default_bench_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.join("../../../shared/bench/extraction")
}

/// Read every `*.html` of `dir`, sorted by name.
pub fn load_pages(dir: &Path) -> std::io::Result<Vec<Page>> {
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        pages.push(Page {
            id,
            bytes: std::fs::read(&path)?,
        });
    }
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(pages)
}

/// Run one engine on one page. The URL is a placeholder (the benchmark gives no
/// tool the page URL).
pub fn run(engine: Engine, page: &Page) -> Output {
    match engine {
        Engine::Trawl => {
            let url = format!("https://bench.invalid/{}", page.id);
            match trawl_extract::extract(&page.bytes, &url, None) {
                Ok(a) => Output {
                    body: a.body,
                    title: a.title,
                },
                Err(_) => Output {
                    body: String::new(),
                    title: None,
                },
            }
        }
        Engine::RsTrafilatura => {
            let html = String::from_utf8_lossy(&page.bytes);
            match rs_trafilatura::extract(&html) {
                Ok(r) => Output {
                    body: r.content_text,
                    title: r.metadata.title,
                },
                Err(_) => Output {
                    body: String::new(),
                    title: None,
                },
            }
        }
        Engine::ParseContent => {
            let html = String::from_utf8_lossy(&page.bytes);
            let doc = scraper::Html::parse_document(&html);
            let base = url::Url::parse("https://bench.invalid/").expect("static URL parses");
            let c = trawl_extract::content::extract_content(&doc, &base, None);
            let body = c
                .blocks
                .iter()
                .map(|b| b.text.as_str())
                .collect::<Vec<_>>()
                .join("\n\n");
            Output { body, title: None }
        }
        Engine::ParseOnly => {
            let html = String::from_utf8_lossy(&page.bytes);
            let doc = scraper::Html::parse_document(&html);
            Output {
                body: String::new(),
                title: Some(doc.tree.values().count().to_string()),
            }
        }
    }
}

/// Run and time one page (seconds).
pub fn timed(engine: Engine, page: &Page) -> (Output, f64) {
    let t = Instant::now();
    let out = run(engine, page);
    (out, t.elapsed().as_secs_f64())
}
