//! RSS/Atom/JSON Feed parsing via `feed-rs`.

use chrono::{DateTime, Utc};
use url::Url;

use crate::{decode_body, resolve, DiscoverError, Limits};

/// One feed entry's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    /// Absolute http(s) URL of the entry (its alternate link, else its first
    /// link, else an id that is an http(s) URL).
    pub url: String,
    /// Published date, else updated date, when the feed gives one.
    pub published: Option<DateTime<Utc>>,
    /// Entry title, when present.
    pub title: Option<String>,
}

/// Parse a feed with default [`Limits`].
pub fn parse_feed(bytes: &[u8], base: &Url) -> Result<Vec<FeedItem>, DiscoverError> {
    parse_feed_with(bytes, base, Limits::default())
}

/// Parse an RSS 0.9x/1.0/2.0, Atom or JSON feed (plain or gzip). Entries
/// without a usable http(s) link are skipped; at most `limits.max_urls`
/// items are returned.
pub fn parse_feed_with(
    bytes: &[u8],
    base: &Url,
    limits: Limits,
) -> Result<Vec<FeedItem>, DiscoverError> {
    let body = decode_body(bytes, limits.max_decoded_bytes)?;
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DiscoverError::Empty);
    }
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(base.as_str()))
        .sanitize_content(false)
        .build();
    let feed = parser
        .parse(&body[..])
        .map_err(|e| DiscoverError::Feed(e.to_string().chars().take(300).collect()))?;
    let mut items = Vec::new();
    for entry in feed.entries {
        if items.len() >= limits.max_urls {
            break;
        }
        let link = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or_else(|| entry.links.first())
            .map(|l| l.href.as_str());
        let url = link.and_then(|h| resolve(base, h)).or_else(|| {
            let id = entry.id.trim();
            (id.starts_with("http://") || id.starts_with("https://"))
                .then(|| resolve(base, id))
                .flatten()
        });
        if let Some(url) = url {
            items.push(FeedItem {
                url,
                published: entry.published.or(entry.updated),
                title: entry.title.map(|t| t.content),
            });
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gzip::gzip;

    fn base() -> Url {
        Url::parse("https://news.example.com/feed.xml").unwrap()
    }

    const RSS: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Example</title><link>https://news.example.com/</link>
<item><title>One</title><link>https://news.example.com/one</link><pubDate>Sun, 12 May 2024 10:00:00 +0200</pubDate></item>
<item><title>Two</title><link>/two</link></item>
<item><title>No link</title><description>nothing</description></item>
<item><title>Guid only</title><guid isPermaLink="true">https://news.example.com/three</guid></item>
</channel></rss>"#;

    const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Ex</title><id>urn:x</id><updated>2024-05-12T10:00:00Z</updated>
<entry><title>A</title><id>urn:a</id><link rel="alternate" href="https://news.example.com/a"/><link rel="edit" href="https://news.example.com/edit/a"/>
<published>2024-05-11T08:00:00Z</published><updated>2024-05-12T08:00:00Z</updated></entry>
<entry><title>B</title><id>urn:b</id><link href="b.html"/><updated>2024-05-12T09:00:00Z</updated></entry>
</feed>"#;

    #[test]
    fn rss_items() {
        let items = parse_feed(RSS.as_bytes(), &base()).unwrap();
        let urls: Vec<&str> = items.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://news.example.com/one",
                "https://news.example.com/two",
                "https://news.example.com/three"
            ]
        );
        assert_eq!(
            items[0].published.map(|d| d.to_rfc3339()),
            Some("2024-05-12T08:00:00+00:00".into())
        );
        assert_eq!(items[0].title.as_deref(), Some("One"));
    }

    #[test]
    fn atom_entries() {
        let items = parse_feed(ATOM.as_bytes(), &base()).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].url, "https://news.example.com/a");
        assert_eq!(
            items[0].published.map(|d| d.to_rfc3339()),
            Some("2024-05-11T08:00:00+00:00".into())
        );
        assert_eq!(items[1].url, "https://news.example.com/b.html");
        assert_eq!(
            items[1].published.map(|d| d.to_rfc3339()),
            Some("2024-05-12T09:00:00+00:00".into())
        );
    }

    #[test]
    fn gzip_feed_and_cap() {
        let items = parse_feed(&gzip(RSS.as_bytes()), &base()).unwrap();
        assert_eq!(items.len(), 3);
        let limits = Limits {
            max_urls: 1,
            ..Limits::default()
        };
        assert_eq!(
            parse_feed_with(RSS.as_bytes(), &base(), limits)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn malformed_feeds_are_errors() {
        assert_eq!(parse_feed(b"", &base()), Err(DiscoverError::Empty));
        assert!(matches!(
            parse_feed(b"<html><body>hi</body></html>", &base()),
            Err(DiscoverError::Feed(_))
        ));
        assert!(matches!(
            parse_feed(b"<rss><channel><item>", &base()),
            Err(DiscoverError::Feed(_))
        ));
        assert!(matches!(
            parse_feed(b"\xff\xfe\x00garbage", &base()),
            Err(DiscoverError::Feed(_))
        ));
        let mut bomb = b"<rss>".to_vec();
        bomb.resize(8 << 20, b' ');
        let limits = Limits {
            max_decoded_bytes: 1 << 20,
            ..Limits::default()
        };
        assert_eq!(
            parse_feed_with(&gzip(&bomb), &base(), limits),
            Err(DiscoverError::TooLarge { limit: 1 << 20 })
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn never_panics_on_arbitrary_bytes(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let _ = parse_feed(&b, &base());
        }

        #[test]
        fn never_panics_on_feedish_text(s in "(<(rss|channel|item|feed|entry|link|title|pubDate)>|</(rss|channel|item|feed|entry|link)>|<link href=\"[a-z:/.]{0,12}\"/>|https://e.com/[a-z]{0,3}|&amp;|&#[0-9]{0,3};|Mon, 01 Jan 2024){0,25}") {
            let _ = parse_feed(s.as_bytes(), &base());
        }
    }
}
