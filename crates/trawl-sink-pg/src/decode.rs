//! Article message → row (pure: no I/O). A message is either a row to upsert or a
//! [`Reject`] with a reason; nothing here panics, whatever the bytes.

use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use serde_json::Value;
use trawl_core::{Article, ARTICLE_SCHEMA_VERSION};
use trawl_metrics::SinkRejectReason;

/// Longest accepted `id` (ours are 32 hex characters; the primary key is a btree).
pub const MAX_ID_LEN: usize = 256;
/// Longer alias URLs are not stored in `article_aliases` (a btree key has a ~2.7 kB limit).
pub const MAX_ALIAS_LEN: usize = 2048;

/// One `articles` row (plus its aliases) from one message.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRow {
    pub id: String,
    pub version: i32,
    pub canonical_url: Option<String>,
    pub url: String,
    pub title: Option<String>,
    pub lead: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub modified_at: Option<DateTime<Utc>>,
    pub section: Option<String>,
    pub language: Option<String>,
    pub body: String,
    pub image_url: Option<String>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub is_article: bool,
    /// The message as received (NUL characters removed: PostgreSQL text and jsonb refuse them).
    pub message: Value,
    /// Other URLs of this article: `aliases[]`, and `url` when it is not the canonical URL.
    pub aliases: Vec<String>,
}

/// Why a message is refused, for the dead letter and the metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub reason: SinkRejectReason,
    /// Human-readable detail (goes into the dead letter's reason header and the log).
    pub detail: String,
}

impl Reject {
    fn new(reason: SinkRejectReason, detail: impl Into<String>) -> Self {
        Reject {
            reason,
            detail: detail.into(),
        }
    }

    /// `reason: detail`, the text of the dead letter's `x-trawl-reason`.
    pub fn text(&self) -> String {
        format!("{}: {}", self.reason.as_str(), self.detail)
    }
}

/// Decode and check one article message.
pub fn decode(payload: &[u8]) -> Result<ArticleRow, Reject> {
    let mut value: Value = serde_json::from_slice(payload)
        .map_err(|e| Reject::new(SinkRejectReason::InvalidJson, e.to_string()))?;
    let Some(obj) = value.as_object() else {
        return Err(Reject::new(
            SinkRejectReason::InvalidArticle,
            "not a JSON object",
        ));
    };
    match obj.get("schema_version").and_then(Value::as_u64) {
        Some(v) if v >= 1 && v <= u64::from(ARTICLE_SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(Reject::new(
                SinkRejectReason::UnsupportedSchemaVersion,
                format!(
                "unsupported schema_version {v} (this build reads up to {ARTICLE_SCHEMA_VERSION})"
            ),
            ))
        }
        None => {
            return Err(Reject::new(
                SinkRejectReason::UnsupportedSchemaVersion,
                "schema_version missing or not a positive integer",
            ))
        }
    }
    strip_nul(&mut value);
    // Deserialize from a reference (no copy of the tree): the row keeps the message as
    // received (unknown fields too).
    let a = Article::deserialize(&value)
        .map_err(|e| Reject::new(SinkRejectReason::InvalidArticle, e.to_string()))?;
    if a.id.is_empty() || a.id.len() > MAX_ID_LEN {
        return Err(Reject::new(
            SinkRejectReason::InvalidArticle,
            format!("id must be 1-{MAX_ID_LEN} bytes, got {}", a.id.len()),
        ));
    }
    let version = i32::try_from(a.version)
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| {
            Reject::new(
                SinkRejectReason::InvalidArticle,
                format!("version must be 1..={}, got {}", i32::MAX, a.version),
            )
        })?;
    let mut aliases: Vec<String> = Vec::new();
    let canonical = a.canonical_url.as_deref().unwrap_or(&a.url);
    for alias in a
        .aliases
        .iter()
        .chain(std::iter::once(&a.url))
        .filter(|u| !u.is_empty() && u.as_str() != canonical && u.len() <= MAX_ALIAS_LEN)
    {
        if !aliases.contains(alias) {
            aliases.push(alias.clone());
        }
    }
    Ok(ArticleRow {
        id: a.id,
        version,
        canonical_url: a.canonical_url,
        url: a.url,
        title: a.title,
        lead: a.lead,
        authors: a.authors,
        published_at: a.published_at.and_then(storable),
        modified_at: a.modified_at.and_then(storable),
        section: a.section,
        language: a.language,
        body: a.body,
        image_url: a.image.map(|i| i.url),
        fetched_at: a.fetched_at.and_then(storable),
        is_article: a.is_article,
        message: value,
        aliases,
    })
}

/// A time PostgreSQL's `timestamptz` can hold and that is plausible for a web page
/// (years 1..=9999); anything else is left out of the column (it stays in `message`).
fn storable(t: DateTime<chrono::FixedOffset>) -> Option<DateTime<Utc>> {
    let utc = t.with_timezone(&Utc);
    (1..=9999).contains(&utc.year()).then_some(utc)
}

/// Remove U+0000 from every string and key (PostgreSQL `text` and `jsonb` cannot hold it).
fn strip_nul(v: &mut Value) {
    match v {
        Value::String(s) if s.contains('\0') => s.retain(|c| c != '\0'),
        Value::Array(items) => items.iter_mut().for_each(strip_nul),
        Value::Object(map) => {
            if map.keys().any(|k| k.contains('\0')) {
                let old = std::mem::take(map);
                for (k, val) in old {
                    map.insert(k.replace('\0', ""), val);
                }
            }
            map.values_mut().for_each(strip_nul);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trawl_core::{Article, Image};

    fn article(url: &str) -> Article {
        let mut a = Article::empty(url);
        a.title = Some("Title".into());
        a.body = "Body text.".into();
        a.is_article = true;
        a
    }

    fn bytes(a: &Article) -> Vec<u8> {
        serde_json::to_vec(a).unwrap()
    }

    #[test]
    fn a_full_article_maps_to_its_row() {
        let mut a = article("https://ex.com/news/1?utm_source=x");
        a.canonical_url = Some("https://ex.com/news/1".into());
        a.version = 3;
        a.authors = vec!["A. Writer".into(), "B. Writer".into()];
        a.published_at = Some(DateTime::parse_from_rfc3339("2026-11-28T10:00:00+03:00").unwrap());
        a.language = Some("ru".into());
        a.section = Some("world".into());
        a.image = Some(Image {
            url: "https://ex.com/i.jpg".into(),
            caption: None,
            credit: None,
        });
        a.aliases = vec![
            "https://m.ex.com/news/1".into(),
            "https://ex.com/news/1".into(),
        ];
        let row = decode(&bytes(&a)).unwrap();
        assert_eq!(row.id, a.id);
        assert_eq!(row.version, 3);
        assert_eq!(row.authors, a.authors);
        assert_eq!(
            row.published_at.unwrap().to_rfc3339(),
            "2026-11-28T07:00:00+00:00"
        );
        assert_eq!(row.image_url.as_deref(), Some("https://ex.com/i.jpg"));
        assert_eq!(row.language.as_deref(), Some("ru"));
        // The canonical URL itself is not an alias; the fetch URL is.
        assert_eq!(
            row.aliases,
            vec![
                "https://m.ex.com/news/1".to_string(),
                "https://ex.com/news/1?utm_source=x".to_string()
            ]
        );
        assert_eq!(row.message["title"], "Title");
    }

    #[test]
    fn version_defaults_to_one_and_unknown_fields_are_kept() {
        let mut v = serde_json::to_value(article("https://ex.com/a")).unwrap();
        v.as_object_mut().unwrap().remove("version");
        v["future_field"] = serde_json::json!({"x": 1});
        let row = decode(&serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(row.version, 1);
        assert_eq!(row.message["future_field"]["x"], 1);
        assert!(
            row.aliases.is_empty(),
            "url == canonical (no canonical_url)"
        );
    }

    #[test]
    fn malformed_messages_are_rejected_with_a_reason() {
        let cases: Vec<(Vec<u8>, SinkRejectReason, &str)> = vec![
            (
                b"{not json".to_vec(),
                SinkRejectReason::InvalidJson,
                "key must be a string",
            ),
            (
                vec![0xff, 0xfe],
                SinkRejectReason::InvalidJson,
                "expected value",
            ),
            (
                b"[1,2]".to_vec(),
                SinkRejectReason::InvalidArticle,
                "not a JSON object",
            ),
            (
                br#"{"schema_version":2,"id":"x"}"#.to_vec(),
                SinkRejectReason::UnsupportedSchemaVersion,
                "unsupported schema_version 2",
            ),
            (
                br#"{"id":"x"}"#.to_vec(),
                SinkRejectReason::UnsupportedSchemaVersion,
                "schema_version missing",
            ),
            (
                br#"{"schema_version":1,"id":"x"}"#.to_vec(),
                SinkRejectReason::InvalidArticle,
                "missing field",
            ),
        ];
        for (payload, reason, needle) in cases {
            let r = decode(&payload).unwrap_err();
            assert_eq!(r.reason, reason, "{r:?}");
            assert!(r.detail.contains(needle), "{needle:?} not in {r:?}");
            assert!(r.text().starts_with(reason.as_str()));
        }
        let mut a = article("https://ex.com/a");
        a.id = String::new();
        assert!(decode(&bytes(&a))
            .unwrap_err()
            .detail
            .contains("id must be"));
        a.id = "x".into();
        a.version = u32::MAX;
        assert!(decode(&bytes(&a))
            .unwrap_err()
            .detail
            .contains("version must be"));
        a.version = 0;
        assert_eq!(
            decode(&bytes(&a)).unwrap_err().reason,
            SinkRejectReason::InvalidArticle
        );
        let mut v = serde_json::to_value(article("https://ex.com/a")).unwrap();
        v["published_at"] = "yesterday".into();
        assert_eq!(
            decode(&serde_json::to_vec(&v).unwrap()).unwrap_err().reason,
            SinkRejectReason::InvalidArticle
        );
    }

    #[test]
    fn nul_characters_are_removed_everywhere() {
        let mut a = article("https://ex.com/a");
        a.title = Some("Ti\0tle".into());
        a.body = "bo\0dy".into();
        a.authors = vec!["\0x".into()];
        let mut v = serde_json::to_value(&a).unwrap();
        v["extra\u{0}key"] = serde_json::json!(["a\u{0}b"]);
        let row = decode(&serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(row.title.as_deref(), Some("Title"));
        assert_eq!(row.body, "body");
        assert_eq!(row.authors, vec!["x".to_string()]);
        assert!(
            !row.message.to_string().contains("\\u0000"),
            "{}",
            row.message
        );
        assert_eq!(row.message["extrakey"][0], "ab");
    }

    #[test]
    fn implausible_times_are_left_out_of_the_columns() {
        let mut v = serde_json::to_value(article("https://ex.com/a")).unwrap();
        v["published_at"] = "0000-01-01T00:00:00Z".into();
        v["modified_at"] = "2026-01-01T00:00:00+14:00".into();
        let row = decode(&serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(row.published_at, None);
        assert_eq!(row.message["published_at"], "0000-01-01T00:00:00Z");
        assert!(row.modified_at.is_some());
    }

    #[test]
    fn overlong_aliases_are_not_stored() {
        let mut a = article("https://ex.com/a");
        a.aliases = vec![format!("https://ex.com/{}", "x".repeat(MAX_ALIAS_LEN))];
        assert!(decode(&bytes(&a)).unwrap().aliases.is_empty());
    }
}
