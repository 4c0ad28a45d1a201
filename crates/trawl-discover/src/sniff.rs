//! What a fetched body is: sitemap, feed, HTML or something else.

use crate::gzip::prefix;

/// The kind of a fetched document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `<urlset>` or `<sitemapindex>`.
    Sitemap,
    /// RSS, RDF, Atom or JSON Feed.
    Feed,
    /// An HTML page.
    Html,
    /// Anything else (images, PDFs, other XML, ...).
    Other,
}

/// Decide what a body is from its first bytes (decompressed when gzip) and
/// its Content-Type. The body wins over the header for XML roots (servers
/// label sitemaps `text/html` or `application/octet-stream` often enough);
/// the header decides for feeds and HTML when the body says nothing clear.
pub fn sniff(content_type: Option<&str>, bytes: &[u8]) -> Kind {
    let head = prefix(bytes, 4096);
    let text = String::from_utf8_lossy(&head);
    if let Some(kind) = sniff_root(&text) {
        return kind;
    }
    let ct = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match ct.as_str() {
        "application/rss+xml"
        | "application/atom+xml"
        | "application/rdf+xml"
        | "application/feed+json" => return Kind::Feed,
        "text/html" | "application/xhtml+xml" => return Kind::Html,
        _ => {}
    }
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') && t.contains("jsonfeed.org/version") {
        return Kind::Feed;
    }
    Kind::Other
}

/// The first element's local name decides, skipping the XML declaration,
/// processing instructions, comments and doctype (`<!DOCTYPE html>` is HTML).
fn sniff_root(text: &str) -> Option<Kind> {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if let Some(r) = rest.strip_prefix("<!") {
            let end = r.find('>')?;
            if r[..end].to_ascii_lowercase().contains("html") {
                return Some(Kind::Html);
            }
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('<') {
            let name: String = r
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .take(64)
                .collect();
            let local = name
                .rsplit(':')
                .next()
                .unwrap_or(&name)
                .to_ascii_lowercase();
            return match local.as_str() {
                "urlset" | "sitemapindex" => Some(Kind::Sitemap),
                "rss" | "feed" | "rdf" => Some(Kind::Feed),
                "html" | "head" | "body" => Some(Kind::Html),
                _ => None,
            };
        } else {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gzip::gzip;

    #[test]
    fn sniffs_by_body_first() {
        let sm = br#"<?xml version="1.0"?><!-- hi --><urlset xmlns="x"></urlset>"#;
        assert_eq!(sniff(Some("text/html"), sm), Kind::Sitemap);
        assert_eq!(sniff(None, b"\xef\xbb\xbf<sitemapindex/>"), Kind::Sitemap);
        assert_eq!(
            sniff(Some("application/octet-stream"), &gzip(sm)),
            Kind::Sitemap
        );
        assert_eq!(
            sniff(Some("text/xml"), b"<rss version=\"2.0\">"),
            Kind::Feed
        );
        assert_eq!(
            sniff(None, b"<feed xmlns=\"http://www.w3.org/2005/Atom\">"),
            Kind::Feed
        );
        assert_eq!(sniff(None, b"<rdf:RDF xmlns:rdf=\"x\">"), Kind::Feed);
        assert_eq!(sniff(None, b"<!DOCTYPE html><html>"), Kind::Html);
        assert_eq!(
            sniff(Some("application/xml"), b"  <html lang=en>"),
            Kind::Html
        );
    }

    #[test]
    fn falls_back_to_content_type() {
        assert_eq!(
            sniff(Some("text/html; charset=utf-8"), b"hello"),
            Kind::Html
        );
        assert_eq!(sniff(Some("application/rss+xml"), b""), Kind::Feed);
        assert_eq!(
            sniff(
                Some("application/json"),
                br#"{"version":"https://jsonfeed.org/version/1.1"}"#
            ),
            Kind::Feed
        );
        assert_eq!(sniff(Some("image/png"), b"\x89PNG\r\n"), Kind::Other);
        assert_eq!(sniff(None, b"<svg/>"), Kind::Other);
        assert_eq!(sniff(None, b""), Kind::Other);
        assert_eq!(sniff(None, b"<?xml unterminated"), Kind::Other);
    }
}
