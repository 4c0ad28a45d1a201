//! Pipeline messages between the frontier and the workers (version
//! [`MESSAGE_SCHEMA_VERSION`]).
//!
//! - frontier → workers: [`FetchTask`] on the fetch-task queue;
//! - workers → frontier: [`FetchReport`] (outcome + discovered links) on the report queue;
//! - workers → consumers: [`crate::Article`] on the `articles` topic exchange.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::FetchOutcome;

/// Version of [`FetchTask`] and [`FetchReport`].
pub const MESSAGE_SCHEMA_VERSION: u32 = 1;

/// What kind of page a task is expected to fetch; drives priority and parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    Seed,
    Sitemap,
    Feed,
    Article,
    Listing,
}

/// A unit of work handed to a worker: fetch one URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchTask {
    pub schema_version: u32,
    /// Unique per hand-out (a re-queued task gets a new id).
    pub task_id: String,
    /// Canonical URL to fetch.
    pub url: String,
    /// The host key the frontier leased for this task (`scheme://host:port`).
    pub host: String,
    pub kind: TaskKind,
    /// Link depth from the seed (seeds are 0).
    pub depth: u32,
    /// Attempts made before this one.
    pub attempt: u32,
    /// Validators from the last fetch, for conditional GET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When the frontier queued it.
    pub enqueued_at: DateTime<FixedOffset>,
    /// Set when this fetch re-checks an article already published (updates and
    /// corrections): the worker publishes a new version only if its title or body changed.
    /// Additive: absent on first fetches and from older frontiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateCheck>,
}

/// A scheduled re-fetch of a published article (see `docs/frontier-rules.md`, "Updates and
/// corrections"). Carried by the queued URL, the task and, echoed, the report, so that the
/// frontier keeps no other state for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UpdateCheck {
    /// Which check this is: 1 for the first after publication.
    pub n: u32,
    /// The article version published so far under the article's id.
    pub version: u32,
    /// [`crate::id::content_digest`] of that version.
    pub digest: String,
    /// Checks are due this long after this moment, Unix milliseconds: the article's
    /// publication time, or its first fetch when it states none.
    pub anchor_ms: i64,
}

/// One hop of a redirect chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectHop {
    pub url: String,
    pub status: u16,
}

/// How a discovered link was found; the frontier maps it to a priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// From a sitemap `<loc>` or sitemap index.
    Sitemap,
    /// From an RSS/Atom item.
    Feed,
    /// From a page's `<a href>`.
    Page,
    /// A sitemap named in robots.txt.
    RobotsSitemap,
    /// The target of a redirect or canonical link.
    Canonical,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredLink {
    pub url: String,
    pub kind: LinkKind,
    /// For sitemap and feed entries: `<news:publication_date>`, else `<lastmod>` (sitemaps), or
    /// the item's published/updated date (feeds). Additive: absent on page links and from
    /// older workers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<FixedOffset>>,
}

impl DiscoveredLink {
    /// A link without a date.
    pub fn new(url: impl Into<String>, kind: LinkKind) -> Self {
        DiscoveredLink {
            url: url.into(),
            kind,
            published: None,
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A worker's report on a task: its outcome, and what it found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchReport {
    pub schema_version: u32,
    pub task_id: String,
    /// The task's URL.
    pub url: String,
    pub host: String,
    /// The task's kind, as handed out.
    pub kind: TaskKind,
    pub depth: u32,
    pub attempt: u32,
    pub outcome: FetchOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Final URL after redirects (absent when there were none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    #[serde(default)]
    pub redirects: Vec<RedirectHop>,
    /// Links to consider for the frontier.
    #[serde(default)]
    pub links: Vec<DiscoveredLink>,
    /// Links found on the page that the worker left out of `links` because the robots.txt rules
    /// it already holds for their origin disallow them (counted by the frontier as filtered
    /// `robots_denied`, never queued).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub links_robots_denied: u32,
    /// Set when the page was extracted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_fingerprint: Option<String>,
    /// [`crate::id::content_digest`] of the extracted title and body. Additive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_digest: Option<String>,
    /// The article's publication time, when the page states one. Additive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<FixedOffset>>,
    /// The `version` of the article under `article_id` after this fetch: the one published
    /// now, or on an unchanged update check the one published before. Additive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_version: Option<u32>,
    /// The task's [`UpdateCheck`], echoed. Additive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateCheck>,
    #[serde(default)]
    pub is_article: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Crawl-delay from robots.txt, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crawl_delay_seconds: Option<f64>,
    /// Retry-After from a 429/503, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<f64>,
    /// How long the fetch took, seconds.
    pub elapsed_seconds: f64,
    /// Human-readable cause for failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Set when the body was fetched but could not be processed (extraction or
    /// feed/sitemap parsing failed or panicked). The frontier retries such a task a
    /// bounded number of times, then dead-letters it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_error: Option<String>,
    pub fetched_at: DateTime<FixedOffset>,
}

impl FetchReport {
    /// The report of `task` with `outcome` and nothing else found yet (no status, links or
    /// article; fetched now, in no time): what a worker fills in, and what it sends as is when
    /// the fetch did not get as far as a response.
    pub fn blank(task: &FetchTask, outcome: FetchOutcome) -> FetchReport {
        FetchReport {
            schema_version: MESSAGE_SCHEMA_VERSION,
            task_id: task.task_id.clone(),
            url: task.url.clone(),
            host: task.host.clone(),
            kind: task.kind,
            depth: task.depth,
            attempt: task.attempt,
            outcome,
            status: None,
            final_url: None,
            redirects: Vec::new(),
            links: Vec::new(),
            links_robots_denied: 0,
            article_id: None,
            content_fingerprint: None,
            content_digest: None,
            published_at: None,
            article_version: None,
            update: task.update.clone(),
            is_article: false,
            canonical_url: None,
            etag: None,
            last_modified: None,
            crawl_delay_seconds: None,
            retry_after_seconds: None,
            elapsed_seconds: 0.0,
            error: None,
            process_error: None,
            fetched_at: chrono::Utc::now().fixed_offset(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_report_carries_its_task_and_the_outcome_only() {
        let task = FetchTask {
            schema_version: MESSAGE_SCHEMA_VERSION,
            task_id: "t9".into(),
            url: "https://example.com/a".into(),
            host: "https://example.com:443".into(),
            kind: TaskKind::Article,
            depth: 3,
            attempt: 2,
            etag: None,
            last_modified: None,
            enqueued_at: DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap(),
            update: None,
        };
        let r = FetchReport::blank(&task, FetchOutcome::Timeout);
        assert_eq!(
            (r.task_id.as_str(), r.url.as_str(), r.host.as_str()),
            ("t9", "https://example.com/a", "https://example.com:443")
        );
        assert_eq!((r.kind, r.depth, r.attempt), (TaskKind::Article, 3, 2));
        assert_eq!(r.outcome, FetchOutcome::Timeout);
        assert!(r.status.is_none() && r.links.is_empty() && !r.is_article);
        assert_eq!(r.schema_version, MESSAGE_SCHEMA_VERSION);
    }

    #[test]
    fn task_round_trips() {
        let t = FetchTask {
            schema_version: MESSAGE_SCHEMA_VERSION,
            task_id: "t1".into(),
            url: "https://example.com/".into(),
            host: "https://example.com:443".into(),
            kind: TaskKind::Seed,
            depth: 0,
            attempt: 0,
            etag: None,
            last_modified: None,
            enqueued_at: DateTime::parse_from_rfc3339("2026-01-01T00:00:00+00:00").unwrap(),
            update: None,
        };
        let s = serde_json::to_string(&t).unwrap();
        assert!(s.contains("\"kind\":\"seed\""));
        assert_eq!(serde_json::from_str::<FetchTask>(&s).unwrap(), t);
        assert!(!s.contains("update"), "absent on a first fetch: {s}");
        let checked = FetchTask {
            update: Some(UpdateCheck {
                n: 2,
                version: 1,
                digest: "00ff00ff00ff00ff".into(),
                anchor_ms: 1_767_225_600_000,
            }),
            ..t
        };
        let s = serde_json::to_string(&checked).unwrap();
        assert!(s.contains("\"update\":{\"n\":2,\"version\":1"), "{s}");
        assert_eq!(serde_json::from_str::<FetchTask>(&s).unwrap(), checked);
    }
}
