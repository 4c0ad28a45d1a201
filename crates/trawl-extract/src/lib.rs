//! Article extraction from raw HTML bytes. No I/O, no async.
//!
//! Input: a response body's bytes, its URL and its Content-Type (if known).
//! Output: an [`trawl_core::Article`].
//!
//! Layout (the page is parsed once into a `scraper::Html`; every stage reads that DOM):
//! - [`decode`]: bytes → `String` (BOM, Content-Type charset, `<meta charset>`, sniffing);
//! - [`meta`]: title, lead, authors, dates, section, topics, dateline, language,
//!   canonical URL, image (JSON-LD, OpenGraph, Twitter, `<meta>`, microdata, visible bylines);
//! - [`content`]: the main-content scorer: body blocks, related links, boilerplate removal;
//! - [`simhash`]: the 64-bit SimHash content fingerprint.

pub mod content;
pub mod decode;
pub mod meta;
pub mod simhash;

use thiserror::Error;
use trawl_core::Article;

/// Why a body could not be extracted at all. (A page that parses but is not an
/// article is not an error: it returns an `Article` with `is_article = false`.)
#[derive(Debug, Error)]
pub enum ExtractError {
    #[error("empty body")]
    Empty,
    #[error("body of {size} bytes exceeds the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("not HTML: {0}")]
    NotHtml(String),
    #[error("invalid URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
}

/// Limits and switches for [`extract_with`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Bodies larger than this are refused with [`ExtractError::TooLarge`].
    pub max_input_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_input_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Extract an article with default [`Options`].
pub fn extract(body: &[u8], url: &str, content_type: Option<&str>) -> Result<Article, ExtractError> {
    extract_with(body, url, content_type, &Options::default())
}

/// Extract an article.
pub fn extract_with(
    _body: &[u8],
    _url: &str,
    _content_type: Option<&str>,
    _options: &Options,
) -> Result<Article, ExtractError> {
    todo!("composition of decode, meta and content")
}
