//! The JSON Schema files in `docs/schemas/` agree with the serde structs:
//! same property names, the same required set (a message with only the
//! required fields parses, one missing any of them does not), same enum values.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::DateTime;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use trawl_core::{
    Article, Block, BlockKind, DiscoveredLink, FetchOutcome, FetchReport, FetchTask, Image,
    LinkKind, RedirectHop, RelatedLink, TaskKind, UpdateCheck, MESSAGE_SCHEMA_VERSION,
};
use trawl_queue::SeedRequest;

fn schema(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schemas")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("object").keys().cloned().collect()
}

fn required(s: &Value) -> BTreeSet<String> {
    s["required"]
        .as_array()
        .expect("required list")
        .iter()
        .map(|v| v.as_str().expect("string").to_string())
        .collect()
}

fn enum_values(s: &Value) -> BTreeSet<String> {
    s["enum"]
        .as_array()
        .expect("enum")
        .iter()
        .map(|v| v.as_str().expect("string").to_string())
        .collect()
}

fn serialized_names<T: serde::Serialize>(values: impl IntoIterator<Item = T>) -> BTreeSet<String> {
    values
        .into_iter()
        .map(|v| {
            serde_json::to_value(v)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// `full`: every field set; `minimal`: every optional field at its default.
fn check<T: serde::Serialize + DeserializeOwned>(file: &str, full: &T, minimal: &T) {
    let s = schema(file);
    let full = serde_json::to_value(full).unwrap();
    let props = keys(&s["properties"]);
    assert_eq!(
        keys(&full),
        props,
        "{file}: properties differ from the struct's fields (update the schema and docs/messaging.md)"
    );
    let req = required(&s);
    let minimal = serde_json::to_value(minimal).unwrap();
    assert!(
        req.is_subset(&keys(&minimal)),
        "{file}: a required field is omitted when unset"
    );
    let only_required: Map<String, Value> = full
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| req.contains(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_json::from_value::<T>(Value::Object(only_required.clone()))
        .unwrap_or_else(|e| panic!("{file}: the required fields alone must parse: {e}"));
    for k in &req {
        let mut missing = only_required.clone();
        missing.remove(k);
        assert!(
            serde_json::from_value::<T>(Value::Object(missing)).is_err(),
            "{file}: {k} is listed as required but the struct does not require it"
        );
    }
    assert_eq!(
        s["properties"]["schema_version"]["const"],
        full["schema_version"]
    );
}

fn time() -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339("2026-01-01T12:00:00+02:00").unwrap()
}

#[test]
fn article_schema_matches() {
    let mut full = Article::empty("https://example.com/a");
    full.canonical_url = Some("https://example.com/a".into());
    full.title = Some("t".into());
    full.lead = Some("l".into());
    full.authors = vec!["x".into()];
    full.published_at = Some(time());
    full.modified_at = Some(time());
    full.section = Some("news".into());
    full.topics = vec!["t".into()];
    full.dateline = Some("PARIS".into());
    full.language = Some("fr".into());
    full.body = "b".into();
    full.paragraphs = vec![Block {
        kind: BlockKind::Paragraph,
        text: "b".into(),
    }];
    full.word_count = 1;
    full.image = Some(Image {
        url: "https://example.com/i.jpg".into(),
        caption: Some("c".into()),
        credit: Some("r".into()),
    });
    full.related = vec![RelatedLink {
        title: "r".into(),
        url: "https://example.com/r".into(),
    }];
    full.links = vec!["https://example.com/r".into()];
    full.is_article = true;
    full.fetched_at = Some(time());
    full.aliases = vec!["https://example.com/a?x".into()];
    check(
        "article.schema.json",
        &full,
        &Article::empty("https://example.com/a"),
    );
    let s = schema("article.schema.json");
    assert_eq!(
        enum_values(&s["properties"]["paragraphs"]["items"]["properties"]["kind"]),
        serialized_names([
            BlockKind::Paragraph,
            BlockKind::Heading,
            BlockKind::ListItem,
            BlockKind::Quote,
            BlockKind::Preformatted
        ])
    );
}

fn task(full: bool) -> FetchTask {
    FetchTask {
        schema_version: MESSAGE_SCHEMA_VERSION,
        task_id: "t".into(),
        url: "https://example.com/".into(),
        host: "https://example.com:443".into(),
        kind: TaskKind::Seed,
        depth: 0,
        attempt: 0,
        etag: full.then(|| "\"e\"".into()),
        last_modified: full.then(|| "Tue, 01 Jan 2026 00:00:00 GMT".into()),
        enqueued_at: time(),
        update: full.then(update_check),
    }
}

fn update_check() -> UpdateCheck {
    UpdateCheck {
        n: 1,
        version: 1,
        digest: "0".repeat(16),
        anchor_ms: 1_767_225_600_000,
    }
}

#[test]
fn fetch_task_schema_matches() {
    check("fetch-task.schema.json", &task(true), &task(false));
    let s = schema("fetch-task.schema.json");
    assert_eq!(
        enum_values(&s["properties"]["kind"]),
        serialized_names([
            TaskKind::Seed,
            TaskKind::Sitemap,
            TaskKind::Feed,
            TaskKind::Article,
            TaskKind::Listing
        ])
    );
}

fn report(full: bool) -> FetchReport {
    FetchReport {
        schema_version: MESSAGE_SCHEMA_VERSION,
        task_id: "t".into(),
        url: "https://example.com/".into(),
        host: "https://example.com:443".into(),
        kind: TaskKind::Article,
        depth: 0,
        attempt: 0,
        outcome: FetchOutcome::Ok,
        status: full.then_some(200),
        final_url: full.then(|| "https://example.com/x".into()),
        redirects: if full {
            vec![RedirectHop {
                url: "https://example.com/".into(),
                status: 301,
            }]
        } else {
            vec![]
        },
        links: if full {
            vec![DiscoveredLink::new("https://example.com/y", LinkKind::Page)]
        } else {
            vec![]
        },
        links_robots_denied: if full { 3 } else { 0 },
        article_id: full.then(|| "0".repeat(32)),
        content_fingerprint: full.then(|| "0".repeat(16)),
        content_digest: full.then(|| "0".repeat(16)),
        published_at: full.then(time),
        article_version: full.then_some(2),
        update: full.then(update_check),
        is_article: full,
        canonical_url: full.then(|| "https://example.com/x".into()),
        etag: full.then(|| "\"e\"".into()),
        last_modified: full.then(|| "x".into()),
        crawl_delay_seconds: full.then_some(1.0),
        retry_after_seconds: full.then_some(2.0),
        elapsed_seconds: 0.5,
        error: full.then(|| "e".into()),
        process_error: full.then(|| "p".into()),
        fetched_at: time(),
    }
}

#[test]
fn fetch_report_schema_matches() {
    check("fetch-report.schema.json", &report(true), &report(false));
    let s = schema("fetch-report.schema.json");
    assert_eq!(
        enum_values(&s["properties"]["outcome"]),
        serialized_names(FetchOutcome::ALL)
    );
    assert_eq!(
        enum_values(&s["properties"]["links"]["items"]["properties"]["kind"]),
        serialized_names([
            LinkKind::Sitemap,
            LinkKind::Feed,
            LinkKind::Page,
            LinkKind::RobotsSitemap,
            LinkKind::Canonical
        ])
    );
}

#[test]
fn seed_request_schema_matches() {
    let full = SeedRequest::new(vec!["https://example.com/".into()]);
    check("seed-request.schema.json", &full, &SeedRequest::new(vec![]));
}
