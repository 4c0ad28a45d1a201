//! Streaming sitemap parser (urlset, sitemapindex, Google News extension).

use chrono::{DateTime, Utc};
use quick_xml::events::Event;
use quick_xml::Reader;
use url::Url;

use crate::{decode_body, parse_w3c_datetime, resolve, DiscoverError, Limits};

/// One `<url>` of a urlset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapUrl {
    /// Absolute http(s) URL (relative `loc`s are resolved against the sitemap's URL).
    pub loc: String,
    /// `<lastmod>`, when present and parseable.
    pub lastmod: Option<DateTime<Utc>>,
    /// `<news:publication_date>` of a news sitemap, when present and parseable.
    pub publication_date: Option<DateTime<Utc>>,
}

/// A parsed sitemap: URLs (urlset) or child sitemaps (sitemapindex).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// Page URLs, at most [`Limits::max_urls`].
    pub urls: Vec<SitemapUrl>,
    /// Child sitemap URLs of a sitemap index, at most [`Limits::max_urls`].
    pub sitemaps: Vec<String>,
    /// Entries past the cap, counted and skipped.
    pub truncated: usize,
    /// Entries skipped because their `loc` was missing, not a URL or not http(s).
    pub invalid: usize,
    /// True for a `<sitemapindex>`.
    pub is_index: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Root {
    Urlset,
    Index,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Loc,
    Lastmod,
    PubDate,
}

/// Longest text kept for one field; longer values make the entry invalid.
const MAX_FIELD_LEN: usize = 8192;

#[derive(Default)]
struct Entry {
    loc: Option<String>,
    lastmod: Option<String>,
    pubdate: Option<String>,
}

struct State<'b> {
    base: &'b Url,
    limits: Limits,
    root: Option<Root>,
    depth: usize,
    in_entry: bool,
    field: Option<(Field, usize)>,
    buf: String,
    overflow: bool,
    entry: Entry,
    out: Sitemap,
}

impl State<'_> {
    fn start(&mut self, name: &str) -> Result<(), DiscoverError> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(DiscoverError::TooDeep(self.limits.max_depth));
        }
        match (self.depth, self.root) {
            (1, _) => {
                self.root = Some(match name {
                    "urlset" => Root::Urlset,
                    "sitemapindex" => Root::Index,
                    other => {
                        return Err(DiscoverError::NotASitemap(other.chars().take(64).collect()))
                    }
                });
                self.out.is_index = self.root == Some(Root::Index);
            }
            (2, Some(Root::Urlset)) if name == "url" => self.begin_entry(),
            (2, Some(Root::Index)) if name == "sitemap" => self.begin_entry(),
            (d, _) if self.in_entry && self.field.is_none() => {
                let f = match (d, name) {
                    (3, "loc") => Some(Field::Loc),
                    (3, "lastmod") => Some(Field::Lastmod),
                    (4, "publication_date") => Some(Field::PubDate),
                    _ => None,
                };
                if let Some(f) = f {
                    self.field = Some((f, d));
                    self.buf.clear();
                    self.overflow = false;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn begin_entry(&mut self) {
        self.in_entry = true;
        self.entry = Entry::default();
    }

    fn text(&mut self, s: &str) {
        if self.field.is_some() && !self.overflow {
            if self.buf.len() + s.len() > MAX_FIELD_LEN {
                self.overflow = true;
            } else {
                self.buf.push_str(s);
            }
        }
    }

    fn end(&mut self) {
        if let Some((f, d)) = self.field {
            if d == self.depth {
                let value = if self.overflow {
                    String::new()
                } else {
                    std::mem::take(&mut self.buf)
                };
                match f {
                    Field::Loc => self.entry.loc = Some(value),
                    Field::Lastmod => self.entry.lastmod = Some(value),
                    Field::PubDate => self.entry.pubdate = Some(value),
                }
                self.field = None;
            }
        }
        if self.depth == 2 && self.in_entry {
            self.finish_entry();
        }
        self.depth = self.depth.saturating_sub(1);
    }

    fn finish_entry(&mut self) {
        self.in_entry = false;
        let entry = std::mem::take(&mut self.entry);
        let full = match self.root {
            Some(Root::Index) => self.out.sitemaps.len() >= self.limits.max_urls,
            _ => self.out.urls.len() >= self.limits.max_urls,
        };
        if full {
            self.out.truncated += 1;
            return;
        }
        let Some(loc) = entry.loc.as_deref().and_then(|l| resolve(self.base, l)) else {
            self.out.invalid += 1;
            return;
        };
        match self.root {
            Some(Root::Index) => self.out.sitemaps.push(loc),
            _ => self.out.urls.push(SitemapUrl {
                loc,
                lastmod: entry.lastmod.as_deref().and_then(parse_w3c_datetime),
                publication_date: entry.pubdate.as_deref().and_then(parse_w3c_datetime),
            }),
        }
    }
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Parse a sitemap (plain or gzip) fetched from `base`.
///
/// Streams the document: memory is bounded by `limits.max_urls` entries plus
/// the decoded body (≤ `limits.max_decoded_bytes`). Entries past the cap are
/// counted in [`Sitemap::truncated`]; entries with a bad `loc` in
/// [`Sitemap::invalid`]. Invalid UTF-8 is replaced (U+FFFD), which makes the
/// affected `loc`s invalid rather than the whole document.
pub fn parse_sitemap(bytes: &[u8], base: &Url, limits: Limits) -> Result<Sitemap, DiscoverError> {
    let body = decode_body(bytes, limits.max_decoded_bytes)?;
    let text = String::from_utf8_lossy(&body);
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(DiscoverError::Empty);
    }
    let mut reader = Reader::from_str(text);
    let mut st = State {
        base,
        limits,
        root: None,
        depth: 0,
        in_entry: false,
        field: None,
        buf: String::new(),
        overflow: false,
        entry: Entry::default(),
        out: Sitemap::default(),
    };
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| DiscoverError::Xml(format!("at byte {}: {e}", reader.error_position())))?;
        match ev {
            Event::Start(e) => st.start(e.local_name().as_ref())?,
            Event::Empty(e) => {
                st.start(e.local_name().as_ref())?;
                st.end();
            }
            Event::End(_) => {
                st.end();
                if st.depth == 0 {
                    break; // root closed; ignore trailing content
                }
            }
            Event::Text(t) => st.text(&t.xml10_content()),
            Event::CData(t) => st.text(&t.xml10_content()),
            Event::GeneralRef(r) if st.field.is_some() => match r.resolve_char_ref() {
                Ok(Some(c)) => st.text(c.encode_utf8(&mut [0u8; 4])),
                Ok(None) => {
                    let name = r.xml10_content();
                    match named_entity(&name) {
                        Some(c) => st.text(c.encode_utf8(&mut [0u8; 4])),
                        None => {
                            return Err(DiscoverError::Xml(format!(
                                "unknown entity &{};",
                                name.chars().take(32).collect::<String>()
                            )))
                        }
                    }
                }
                Err(e) => return Err(DiscoverError::Xml(e.to_string())),
            },
            Event::Eof => {
                if st.root.is_none() {
                    return Err(DiscoverError::Xml("no root element".into()));
                }
                if st.depth > 0 {
                    return Err(DiscoverError::Xml("unexpected end of document".into()));
                }
                break;
            }
            _ => {}
        }
    }
    Ok(st.out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gzip::gzip;

    fn base() -> Url {
        Url::parse("https://news.example.com/sitemap.xml").unwrap()
    }

    fn parse(s: &str) -> Result<Sitemap, DiscoverError> {
        parse_sitemap(s.as_bytes(), &base(), Limits::default())
    }

    const URLSET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url>
    <loc>https://news.example.com/a?x=1&amp;y=2</loc>
    <lastmod>2024-05-12T10:00:00+02:00</lastmod>
    <changefreq>daily</changefreq>
  </url>
  <url><loc> /relative/b </loc></url>
  <url><loc><![CDATA[https://news.example.com/c]]></loc><lastmod>not a date</lastmod></url>
  <url><loc>mailto:someone@example.com</loc></url>
  <url><lastmod>2024-01-01</lastmod></url>
</urlset>"#;

    #[test]
    fn urlset() {
        let s = parse(URLSET).unwrap();
        assert!(!s.is_index);
        let locs: Vec<&str> = s.urls.iter().map(|u| u.loc.as_str()).collect();
        assert_eq!(
            locs,
            [
                "https://news.example.com/a?x=1&y=2",
                "https://news.example.com/relative/b",
                "https://news.example.com/c"
            ]
        );
        assert_eq!(
            s.urls[0].lastmod.map(|d| d.to_rfc3339()),
            Some("2024-05-12T08:00:00+00:00".into())
        );
        assert_eq!(s.urls[2].lastmod, None);
        assert_eq!(s.invalid, 2);
        assert_eq!(s.truncated, 0);
    }

    #[test]
    fn sitemap_index() {
        let s = parse(
            r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.com/s1.xml.gz</loc><lastmod>2024-05-01</lastmod></sitemap>
  <sitemap><loc>s2.xml</loc></sitemap>
</sitemapindex>"#,
        )
        .unwrap();
        assert!(s.is_index);
        assert!(s.urls.is_empty());
        assert_eq!(
            s.sitemaps,
            [
                "https://news.example.com/s1.xml.gz",
                "https://news.example.com/s2.xml"
            ]
        );
    }

    #[test]
    fn news_sitemap_publication_date() {
        let s = parse(
            r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://news.example.com/2024/05/12/story</loc>
    <news:news>
      <news:publication><news:name>Example</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2024-05-12T09:30:00Z</news:publication_date>
      <news:title>Story &#38; more</news:title>
    </news:news>
  </url>
</urlset>"#,
        )
        .unwrap();
        assert_eq!(s.urls.len(), 1);
        assert_eq!(
            s.urls[0].publication_date.map(|d| d.to_rfc3339()),
            Some("2024-05-12T09:30:00+00:00".into())
        );
        assert_eq!(s.urls[0].lastmod, None);
    }

    #[test]
    fn gzip_sitemap() {
        let z = gzip(URLSET.as_bytes());
        let s = parse_sitemap(&z, &base(), Limits::default()).unwrap();
        assert_eq!(s.urls.len(), 3);
    }

    #[test]
    fn gzip_bomb_stops_early() {
        // 64 MiB of zeros compresses to ~64 KiB; the cap is 1 MiB here and the
        // default 50 MiB would stop it the same way.
        let mut doc = b"<urlset><url><loc>https://e.com/".to_vec();
        doc.resize(64 << 20, b'a');
        let z = gzip(&doc);
        assert!(z.len() < 1 << 20, "bomb is small: {}", z.len());
        let limits = Limits {
            max_decoded_bytes: 1 << 20,
            ..Limits::default()
        };
        assert_eq!(
            parse_sitemap(&z, &base(), limits),
            Err(DiscoverError::TooLarge { limit: 1 << 20 })
        );
    }

    #[test]
    fn million_url_sitemap_hits_the_cap() {
        let n = 1_000_000;
        let mut doc = String::with_capacity(n * 40 + 100);
        doc.push_str("<urlset>");
        for i in 0..n {
            doc.push_str("<url><loc>/p");
            doc.push_str(&i.to_string());
            doc.push_str("</loc></url>");
        }
        doc.push_str("</urlset>");
        let s = parse_sitemap(doc.as_bytes(), &base(), Limits::default()).unwrap();
        assert_eq!(s.urls.len(), 50_000);
        assert_eq!(s.truncated, n - 50_000);
        assert_eq!(s.urls[49_999].loc, "https://news.example.com/p49999");
        let small = Limits {
            max_urls: 10,
            ..Limits::default()
        };
        let s = parse_sitemap(
            URLSET.as_bytes(),
            &base(),
            Limits {
                max_urls: 2,
                ..small
            },
        )
        .unwrap();
        // 5 entries: 2 taken, 3 past the cap (the cap is checked before validity)
        assert_eq!((s.urls.len(), s.truncated, s.invalid), (2, 3, 0));
    }

    #[test]
    fn malformed_inputs_are_errors() {
        assert!(matches!(parse(""), Err(DiscoverError::Empty)));
        assert!(matches!(parse("   "), Err(DiscoverError::Empty)));
        assert!(matches!(
            parse("<rss><channel/></rss>"),
            Err(DiscoverError::NotASitemap(r)) if r == "rss"
        ));
        assert!(matches!(
            parse("<urlset><url><loc>x</loc></urlset>"),
            Err(DiscoverError::Xml(_))
        ));
        assert!(matches!(
            parse("<urlset><url><loc>https://e.com/"),
            Err(DiscoverError::Xml(_))
        ));
        assert!(matches!(parse("just text"), Err(DiscoverError::Xml(_))));
        assert!(matches!(
            parse("<urlset><url><loc>https://e.com/&bogus;</loc></url></urlset>"),
            Err(DiscoverError::Xml(_))
        ));
        let deep = format!("<urlset>{}", "<a>".repeat(100_000));
        assert_eq!(parse(&deep), Err(DiscoverError::TooDeep(64)));
    }

    #[test]
    fn invalid_utf8_only_spoils_its_entry() {
        let mut doc = b"<urlset><url><loc>https://e.com/ok</loc></url><url><loc>https://e\xff\xfe.com/</loc></url></urlset>".to_vec();
        doc.extend_from_slice(b"\n");
        let s = parse_sitemap(&doc, &base(), Limits::default()).unwrap();
        assert_eq!(s.urls[0].loc, "https://e.com/ok");
        assert_eq!(s.urls.len() + s.invalid, 2);
    }

    #[test]
    fn empty_root_is_an_empty_sitemap() {
        let s = parse("<urlset/>").unwrap();
        assert!(s.urls.is_empty() && s.sitemaps.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let _ = parse_sitemap(&b, &base(), Limits::default());
        }

        #[test]
        fn never_panics_on_xmlish_text(s in "(<(urlset|url|loc|sitemapindex|sitemap|lastmod)>|</(urlset|url|loc|sitemap)>|&amp;|&#[0-9x]{0,4};|https://e.com/[a-z]{0,3}|<!\\[CDATA\\[|\\]\\]>|<\\?xml ?\\?>){0,30}") {
            let _ = parse_sitemap(s.as_bytes(), &base(), Limits::default());
        }
    }
}
