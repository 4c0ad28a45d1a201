//! The Article schema (version [`ARTICLE_SCHEMA_VERSION`]).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// Version of the [`Article`] JSON schema. Bump on any incompatible change and
/// document it in `docs/schemas.md`.
pub const ARTICLE_SCHEMA_VERSION: u32 = 1;

/// A structured article (or a non-article page's metadata, with `is_article = false`).
///
/// Serialized as snake_case JSON. Optional fields are omitted when unknown:
/// nothing is invented (a date the page does not state is absent, not "now").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub schema_version: u32,
    /// Stable id derived from the canonical URL (or the URL when there is none):
    /// 32 lowercase hex chars. Consumers use it to be idempotent.
    pub id: String,
    /// Revision of the article under this `id`: 1 when first seen; a re-fetch
    /// whose title or body changed publishes the same `id` with a higher
    /// `version`. A consumer keeps the highest version it has seen (absent in
    /// messages written before 2026-12-04: read as 1).
    #[serde(default = "first_version")]
    pub version: u32,
    /// The URL the page was fetched from (after redirects).
    pub url: String,
    /// `<link rel=canonical>` or `og:url`, resolved against `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Standfirst / description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    /// RFC 3339 with the page's own offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    /// E.g. `MOSCOW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateline: Option<String>,
    /// ISO 639-1 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Plain text, one paragraph per block, blocks separated by a blank line.
    pub body: String,
    /// The body's blocks with their structure (paragraph, heading, list item, quote).
    #[serde(default)]
    pub paragraphs: Vec<Block>,
    pub word_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// The site's "Read also"-style links found in or beside the article.
    #[serde(default)]
    pub related: Vec<RelatedLink>,
    /// Every outlink of the page, absolute, deduplicated, in document order.
    #[serde(default)]
    pub links: Vec<String>,
    /// 64-bit SimHash of the body as 16 lowercase hex chars (a string, so that
    /// JavaScript consumers do not lose precision).
    pub content_fingerprint: String,
    /// False for home pages, section/tag listings, search and error pages.
    pub is_article: bool,
    /// Set by the pipeline: when the page was fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<DateTime<FixedOffset>>,
    /// Set by the pipeline: other URLs under which the same article was seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

fn first_version() -> u32 {
    1
}

impl Article {
    /// An empty article for `url` (no content, `is_article = false`).
    pub fn empty(url: &str) -> Self {
        Article {
            schema_version: ARTICLE_SCHEMA_VERSION,
            id: crate::id::article_id(url),
            version: 1,
            url: url.to_string(),
            canonical_url: None,
            title: None,
            lead: None,
            authors: Vec::new(),
            published_at: None,
            modified_at: None,
            section: None,
            topics: Vec::new(),
            dateline: None,
            language: None,
            body: String::new(),
            paragraphs: Vec::new(),
            word_count: 0,
            image: None,
            related: Vec::new(),
            links: Vec::new(),
            content_fingerprint: format!("{:016x}", 0u64),
            is_article: false,
            fetched_at: None,
            aliases: Vec::new(),
        }
    }
}

/// One block of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Paragraph,
    Heading,
    ListItem,
    Quote,
    Preformatted,
}

/// The lead image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// A "Read also"-style link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedLink {
    pub title: String,
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_article_round_trips_and_omits_unknowns() {
        let a = Article::empty("https://example.com/a");
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["schema_version"], ARTICLE_SCHEMA_VERSION);
        assert!(json.get("published_at").is_none());
        assert!(json.get("title").is_none());
        let back: Article = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn published_at_keeps_the_page_offset() {
        let mut a = Article::empty("https://example.com/a");
        a.published_at = Some(DateTime::parse_from_rfc3339("2018-10-08T13:43:00+03:00").unwrap());
        let json = serde_json::to_string(&a).unwrap();
        assert!(
            json.contains("\"published_at\":\"2018-10-08T13:43:00+03:00\""),
            "{json}"
        );
    }
}
