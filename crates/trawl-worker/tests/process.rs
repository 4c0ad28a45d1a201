//! `Worker::process` on the in-memory broker and store, against the local test site:
//! a first fetch publishes version 1 with its digest; an update check publishes nothing when
//! the title and body are as published, and version + 1 when they changed; a near-duplicate
//! (an AMP copy) is not emitted and names the article it copies; a content index that fails
//! turns into a processing error (retried by the frontier), not into an emitted article.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use trawl_core::{FetchOutcome, FetchTask, TaskKind, UpdateCheck, MESSAGE_SCHEMA_VERSION};
use trawl_fetch::{FetchConfig, Fetcher};
use trawl_queue::memory::MemoryBroker;
use trawl_store::memory::MemoryStore;
use trawl_store::{ContentClaim, ContentIndex, StoreError};
use trawl_testsite::{SiteSpec, TestSite};
use trawl_worker::{Worker, WorkerConfig};

fn worker() -> Worker {
    worker_with(Arc::new(MemoryStore::new()))
}

fn worker_with(content: Arc<dyn ContentIndex>) -> Worker {
    let mut c = FetchConfig {
        allow_cidrs: vec!["127.0.0.0/8".parse().unwrap()],
        total_timeout: Duration::from_secs(5),
        ..FetchConfig::default()
    };
    c.politeness.min_delay = Duration::ZERO;
    Worker::new(
        WorkerConfig::default(),
        Arc::new(MemoryBroker::new()),
        Some(content),
        Fetcher::new(c).expect("fetcher"),
    )
}

fn task(url: &str, host: &str, update: Option<UpdateCheck>) -> FetchTask {
    FetchTask {
        schema_version: MESSAGE_SCHEMA_VERSION,
        task_id: format!("t-{}", rand_id()),
        url: url.to_string(),
        host: host.to_string(),
        kind: TaskKind::Article,
        depth: 1,
        attempt: 0,
        etag: None,
        last_modified: None,
        enqueued_at: Utc::now().fixed_offset(),
        update,
    }
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test]
async fn update_checks_publish_only_changed_articles_with_a_higher_version() {
    let site = TestSite::start(SiteSpec {
        hosts: 1,
        articles_per_host: 5,
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let article = site.expected_articles()[2].canonical_url.clone();
    let host = trawl_url::host_key(&url::Url::parse(&article).unwrap());
    let w = worker();

    // First fetch: version 1, with the digest of its title and body and its publication time.
    let first = w.process(&task(&article, &host, None)).await;
    assert_eq!(first.report.outcome, FetchOutcome::Ok);
    let a = first.article.expect("an article");
    assert_eq!(a.version, 1);
    assert_eq!(first.report.article_version, Some(1));
    let digest = first.report.content_digest.clone().expect("a digest");
    assert_eq!(
        digest,
        trawl_core::content_digest(a.title.as_deref(), &a.body)
    );
    assert_eq!(first.report.published_at, a.published_at);

    // A check that finds the title and body as published: nothing to publish.
    let check = UpdateCheck {
        n: 1,
        version: 1,
        digest: digest.clone(),
        anchor_ms: 0,
    };
    let same = w.process(&task(&article, &host, Some(check.clone()))).await;
    assert_eq!(same.report.outcome, FetchOutcome::Ok);
    assert!(same.article.is_none(), "unchanged: no message");
    assert_eq!(same.report.article_version, Some(1));
    assert_eq!(
        same.report.update.as_ref(),
        Some(&check),
        "the check is echoed"
    );

    // A check whose published version had another title or body: version 2, same id.
    let stale = UpdateCheck {
        digest: "0000000000000000".into(),
        ..check
    };
    let changed = w.process(&task(&article, &host, Some(stale))).await;
    let b = changed.article.expect("the new version is published");
    assert_eq!((b.id.as_str(), b.version), (a.id.as_str(), 2));
    assert_eq!(changed.report.article_version, Some(2));
    site.shutdown().await;
}

/// A near-duplicate index whose backing service is away.
struct Unavailable;

#[async_trait::async_trait]
impl ContentIndex for Unavailable {
    async fn claim_content(
        &self,
        _article_id: &str,
        _url: &str,
        _simhash: u64,
        _max_distance: u32,
    ) -> Result<ContentClaim, StoreError> {
        Err(StoreError::Unavailable("index away".into()))
    }

    async fn content_aliases(&self, _article_id: &str) -> Result<Vec<String>, StoreError> {
        Err(StoreError::Unavailable("index away".into()))
    }
}

async fn site() -> TestSite {
    TestSite::start(SiteSpec {
        hosts: 1,
        articles_per_host: 12,
        ..SiteSpec::default()
    })
    .await
    .expect("test site")
}

#[tokio::test]
async fn a_near_duplicate_is_not_emitted_and_names_the_original() {
    let site = site().await;
    let (original, amp) = site
        .expected_articles()
        .iter()
        .find_map(|a| {
            let amp = a.aliases.iter().find(|u| u.contains("/amp/"))?;
            Some((a.canonical_url.clone(), amp.clone()))
        })
        .expect("the site has an AMP copy");
    let host = trawl_url::host_key(&url::Url::parse(&original).unwrap());
    let content = Arc::new(MemoryStore::new());
    let w = worker_with(content.clone());

    let first = w.process(&task(&original, &host, None)).await;
    let a = first.article.expect("the original is emitted");
    assert_eq!(first.duplicate_of, None);

    let copy = w.process(&task(&amp, &host, None)).await;
    assert_eq!(copy.report.outcome, FetchOutcome::Ok);
    assert!(copy.report.is_article, "the copy is an article page");
    assert!(copy.article.is_none(), "a near-duplicate is not emitted");
    assert_eq!(copy.duplicate_of.as_deref(), Some(a.id.as_str()));
    assert_eq!(copy.report.article_version, None);
    assert_eq!(copy.report.process_error, None);
    // The copy's URL is recorded as an alias of the original in the index.
    assert_eq!(content.content_aliases(&a.id).await.unwrap(), vec![amp]);

    // The original again (a redelivered task): emitted again, same id.
    let again = w.process(&task(&original, &host, None)).await;
    assert_eq!(again.article.map(|b| b.id), Some(a.id));
    site.shutdown().await;
}

#[tokio::test]
async fn a_failing_content_index_is_a_processing_error() {
    let site = site().await;
    let article = site.expected_articles()[2].canonical_url.clone();
    let host = trawl_url::host_key(&url::Url::parse(&article).unwrap());
    let w = worker_with(Arc::new(Unavailable));
    let p = w.process(&task(&article, &host, None)).await;
    assert_eq!(p.report.outcome, FetchOutcome::Ok);
    assert!(p.report.is_article);
    assert!(p.article.is_none(), "not emitted without its claim");
    assert_eq!(p.duplicate_of, None);
    let e = p.report.process_error.expect("a processing error");
    assert!(e.starts_with("near-duplicate check:"), "{e}");
    assert_eq!(p.report.article_version, None);
    site.shutdown().await;
}
