//! `Worker::process` on the in-memory broker and store, against the local test site:
//! a first fetch publishes version 1 with its digest; an update check publishes nothing when
//! the title and body are as published, and version + 1 when they changed.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use trawl_core::{FetchOutcome, FetchTask, TaskKind, UpdateCheck, MESSAGE_SCHEMA_VERSION};
use trawl_fetch::{FetchConfig, Fetcher};
use trawl_queue::memory::MemoryBroker;
use trawl_store::memory::MemoryStore;
use trawl_testsite::{SiteSpec, TestSite};
use trawl_worker::{Worker, WorkerConfig};

fn worker() -> Worker {
    let mut c = FetchConfig {
        allow_cidrs: vec!["127.0.0.0/8".parse().unwrap()],
        total_timeout: Duration::from_secs(5),
        ..FetchConfig::default()
    };
    c.politeness.min_delay = Duration::ZERO;
    Worker::new(
        WorkerConfig::default(),
        Arc::new(MemoryBroker::new()),
        Some(Arc::new(MemoryStore::new())),
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
