//! Sitemap and RSS/Atom parsing for link discovery. Pure logic, no I/O.
//!
//! - [`parse_sitemap`]: sitemap index, urlset and news sitemaps (streaming with
//!   `quick-xml`, so memory is bounded by the URL cap, not the document).
//! - [`parse_feed`]: RSS 0.9x/1.0/2.0, Atom and JSON Feed via `feed-rs`.
//! - [`sniff`]: what a fetched body is (sitemap, feed, HTML, other).
//!
//! Gzip bodies (magic bytes `1f 8b`) are decompressed with a cap on the
//! decoded size ([`Limits::max_decoded_bytes`], default 50 MiB): a gzip bomb
//! stops with [`DiscoverError::TooLarge`] as soon as the cap is passed.
//! Every error is permanent (the same bytes always fail the same way).

mod feed;
mod gzip;
mod sitemap;
mod sniff;

pub use feed::{parse_feed, parse_feed_with, FeedItem};
pub use gzip::{decode_body, is_gzip};
pub use sitemap::{parse_sitemap, Sitemap, SitemapUrl};
pub use sniff::{sniff, Kind};

/// Default cap on a decoded (gunzipped) body: 50 MiB, the sitemap protocol's limit.
pub const DEFAULT_MAX_DECODED_BYTES: usize = 50 * 1024 * 1024;
/// Default cap on URLs taken from one sitemap: 50,000, the sitemap protocol's limit.
pub const DEFAULT_MAX_URLS: usize = 50_000;

/// Resource limits for parsing one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum decoded body size in bytes (after gunzip).
    pub max_decoded_bytes: usize,
    /// Maximum number of URLs (or child sitemaps, or feed items) taken; the
    /// rest are counted in [`Sitemap::truncated`].
    pub max_urls: usize,
    /// Maximum element nesting depth before the document is refused.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decoded_bytes: DEFAULT_MAX_DECODED_BYTES,
            max_urls: DEFAULT_MAX_URLS,
            max_depth: 64,
        }
    }
}

/// Why a sitemap or feed could not be parsed. All permanent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoverError {
    /// Corrupt gzip stream.
    #[error("gzip decode failed: {0}")]
    Gzip(String),
    /// Decoded body larger than the cap (e.g. a gzip bomb).
    #[error("decoded body exceeds {limit} bytes")]
    TooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// Malformed XML.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// Well-formed XML whose root is not `urlset` or `sitemapindex`.
    #[error("not a sitemap (root element `{0}`)")]
    NotASitemap(String),
    /// Elements nested deeper than the limit.
    #[error("elements nested deeper than {0}")]
    TooDeep(usize),
    /// The feed parser refused the document.
    #[error("malformed feed: {0}")]
    Feed(String),
    /// Empty body.
    #[error("empty document")]
    Empty,
}

/// Resolve a `loc`/`href` against the document's URL; only absolute http(s)
/// URLs are kept.
pub(crate) fn resolve(base: &url::Url, raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 8192 {
        return None;
    }
    let u = base.join(raw).ok()?;
    match u.scheme() {
        "http" | "https" if u.host_str().is_some_and(|h| !h.is_empty()) => Some(u.into()),
        _ => None,
    }
}

/// Parse a W3C datetime as used in sitemaps and feeds: `2024-05-12`,
/// `2024-05-12T10:00:00+02:00`, `2024-05-12T10:00Z`, `2024-05`, `2024`.
pub(crate) fn parse_w3c_datetime(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M:%S%.f%:z"] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    let z = s.strip_suffix('Z').unwrap_or(s);
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(z, fmt) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d"))
        .or_else(|_| NaiveDate::parse_from_str(&format!("{s}-01-01"), "%Y-%m-%d"))
        .ok()?;
    Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_dates() {
        let d = |s| parse_w3c_datetime(s).map(|d| d.to_rfc3339());
        assert_eq!(d("2024-05-12"), Some("2024-05-12T00:00:00+00:00".into()));
        assert_eq!(
            d("2024-05-12T10:00:00+02:00"),
            Some("2024-05-12T08:00:00+00:00".into())
        );
        assert_eq!(
            d("2024-05-12T10:00Z"),
            Some("2024-05-12T10:00:00+00:00".into())
        );
        assert_eq!(
            d("2024-05-12T10:00+01:00"),
            Some("2024-05-12T09:00:00+00:00".into())
        );
        assert_eq!(d("2024-05"), Some("2024-05-01T00:00:00+00:00".into()));
        assert_eq!(d("2024"), Some("2024-01-01T00:00:00+00:00".into()));
        assert_eq!(d("yesterday"), None);
        assert_eq!(d(""), None);
    }

    #[test]
    fn resolve_keeps_only_http() {
        let base = url::Url::parse("https://e.com/sitemaps/index.xml").unwrap();
        assert_eq!(
            resolve(&base, " a.xml "),
            Some("https://e.com/sitemaps/a.xml".into())
        );
        assert_eq!(resolve(&base, "ftp://e.com/x"), None);
        assert_eq!(resolve(&base, "javascript:x"), None);
        assert_eq!(resolve(&base, ""), None);
    }
}
