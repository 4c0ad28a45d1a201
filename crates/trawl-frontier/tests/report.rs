//! `Frontier::handle_report` and `Frontier::dispatch_once` on the in-memory store and broker,
//! playing the worker by hand: tasks are taken off the task queue and answered with reports.
//! Discovered links are admitted once; a redirect's and a canonical's names count as seen; a
//! transient failure is retried until the retry budget is spent and then dead-lettered; a
//! fetch frees its host until its politeness delay has passed; no two tasks for one host are
//! out at once; a finished source is polled again and a published article checked for updates.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use trawl_core::{
    DiscoveredLink, FetchOutcome, FetchReport, FetchTask, LinkKind, RedirectHop,
    MESSAGE_SCHEMA_VERSION,
};
use trawl_frontier::service::{now_ms, task_for_lease};
use trawl_frontier::{Frontier, FrontierConfig};
use trawl_queue::memory::MemoryBroker;
use trawl_queue::{Broker, WorkQueue};
use trawl_store::memory::MemoryStore;
use trawl_store::{FrontierStore, HostField};
use trawl_url::FilterReason;

const HOST: &str = "http://news.test:80";

fn cfg(politeness_delay: Duration) -> FrontierConfig {
    FrontierConfig {
        politeness_delay,
        recrawl_interval: None,
        ..FrontierConfig::default()
    }
}

async fn frontier(cfg: FrontierConfig) -> (Frontier, Arc<MemoryBroker>) {
    let store: Arc<dyn FrontierStore> = Arc::new(MemoryStore::new());
    let broker = Arc::new(MemoryBroker::new());
    let b: Arc<dyn Broker> = broker.clone();
    (Frontier::new(cfg, store, b).await.unwrap(), broker)
}

/// Take every task waiting on the task queue (acked, as a worker would once it reports).
async fn take_tasks(broker: &MemoryBroker) -> Vec<FetchTask> {
    let n = broker.depth(WorkQueue::Tasks).await.unwrap();
    let mut tasks = Vec::new();
    if n == 0 {
        return tasks;
    }
    let mut consumer = broker.consume(WorkQueue::Tasks, 64).await.unwrap();
    for _ in 0..n {
        let d = tokio::time::timeout(Duration::from_secs(5), consumer.next())
            .await
            .expect("a waiting task is delivered")
            .expect("the consumer is open");
        tasks.push(d.json::<FetchTask>().unwrap());
        d.ack().await.unwrap();
    }
    tasks
}

/// The one task dispatched now.
async fn dispatch_one(f: &Frontier, broker: &MemoryBroker) -> FetchTask {
    assert_eq!(f.dispatch_once().await.unwrap(), 1);
    let mut tasks = take_tasks(broker).await;
    assert_eq!(tasks.len(), 1);
    tasks.pop().unwrap()
}

/// What a worker reports for `task`: `outcome`, nothing else found.
fn report(task: &FetchTask, outcome: FetchOutcome) -> FetchReport {
    FetchReport {
        status: (outcome == FetchOutcome::Ok).then_some(200),
        elapsed_seconds: 0.1,
        ..FetchReport::blank(task, outcome)
    }
}

fn page_links(urls: &[&str]) -> Vec<DiscoveredLink> {
    urls.iter()
        .map(|u| DiscoveredLink::new(*u, LinkKind::Page))
        .collect()
}

#[tokio::test]
async fn discovered_links_are_admitted_once() {
    let (f, broker) = frontier(cfg(Duration::ZERO)).await;
    f.add_seeds(&["http://news.test/".into()]).await.unwrap();
    let seed = dispatch_one(&f, &broker).await;
    let s0 = f.summary();
    let found = FetchReport {
        links: page_links(&[
            "http://news.test/world/story-one",
            "http://news.test/politics/story-two",
            "http://elsewhere.test/out-of-scope",
        ]),
        ..report(&seed, FetchOutcome::Ok)
    };
    f.handle_report(&found).await.unwrap();
    let s = f.summary();
    assert_eq!(
        (
            s.links_discovered - s0.links_discovered,
            s.links_accepted - s0.links_accepted
        ),
        (3, 2)
    );
    assert_eq!(
        s.filtered.get(FilterReason::OutOfScope),
        1,
        "{:?}",
        s.filtered
    );
    assert_eq!(f.store().stats(now_ms()).await.unwrap().queued, 2);

    // The same report again (a redelivery): nothing new is queued.
    f.handle_report(&found).await.unwrap();
    let s = f.summary();
    assert_eq!(
        (
            s.links_accepted - s0.links_accepted,
            s.links_deduped - s0.links_deduped
        ),
        (2, 2)
    );
    assert_eq!(f.store().stats(now_ms()).await.unwrap().queued, 2);
    assert_eq!(s.fetched.get(FetchOutcome::Ok), 2, "both reports counted");
}

#[tokio::test]
async fn redirect_hops_final_and_canonical_urls_count_as_seen() {
    let (f, broker) = frontier(cfg(Duration::ZERO)).await;
    f.add_seeds(&["http://news.test/".into()]).await.unwrap();
    let seed = dispatch_one(&f, &broker).await;
    let names = [
        "http://news.test/hop",
        "http://news.test/final",
        "http://news.test/canonical",
    ];
    let redirected = FetchReport {
        redirects: vec![RedirectHop {
            url: names[0].into(),
            status: 301,
        }],
        final_url: Some(names[1].into()),
        canonical_url: Some(names[2].into()),
        ..report(&seed, FetchOutcome::Ok)
    };
    f.handle_report(&redirected).await.unwrap();

    // A later page naming them: none is queued (they are the page just fetched), while a
    // name never reported is.
    f.add_seeds(&["http://news.test/section/".into()])
        .await
        .unwrap();
    let section = dispatch_one(&f, &broker).await;
    let s0 = f.summary();
    let mut links = names.to_vec();
    links.push("http://news.test/another-story");
    f.handle_report(&FetchReport {
        links: page_links(&links),
        ..report(&section, FetchOutcome::Ok)
    })
    .await
    .unwrap();
    let s = f.summary();
    assert_eq!(
        (
            s.links_accepted - s0.links_accepted,
            s.links_deduped - s0.links_deduped
        ),
        (1, 3)
    );
    let queued = f.store().lease(now_ms(), 10, 60_000).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].item.url, "http://news.test/another-story");
}

#[tokio::test]
async fn transient_failures_are_retried_then_dead_lettered() {
    let config = cfg(Duration::ZERO);
    let max_attempts = config.max_attempts;
    assert!(max_attempts > 1);
    let (f, broker) = frontier(config).await;
    f.add_seeds(&["http://news.test/".into()]).await.unwrap();
    let mut task = dispatch_one(&f, &broker).await;
    for attempt in 0..max_attempts - 1 {
        assert_eq!(task.attempt, attempt);
        let before = now_ms();
        f.handle_report(&report(&task, FetchOutcome::Timeout))
            .await
            .unwrap();
        assert_eq!(f.summary().retried, u64::from(attempt + 1));
        // Queued again, its host resting for the backoff (at least 1 s: half the first step).
        let stats = f.store().stats(now_ms()).await.unwrap();
        assert_eq!((stats.queued, stats.hosts_waiting), (1, 1));
        assert_eq!(f.dispatch_once().await.unwrap(), 0, "the host rests");
        assert!(f
            .store()
            .lease(before + 500, 1, 60_000)
            .await
            .unwrap()
            .is_empty());
        // Later, the retry is handed out with the next attempt count (leased straight from
        // the store at that time; the worker's part is played by hand).
        let lease = f
            .store()
            .lease(now_ms() + 3_600_000, 1, 60_000)
            .await
            .unwrap()
            .pop()
            .expect("the retry is queued");
        assert_eq!(lease.item.url, "http://news.test/");
        assert_eq!(lease.item.attempt, attempt + 1);
        task = FetchTask {
            task_id: lease.lease_id,
            attempt: lease.item.attempt,
            ..task
        };
    }
    assert_eq!(broker.dead_letter_count().await.unwrap(), 0);

    // The last attempt fails too: dead-lettered as a fresh task, not queued again.
    f.handle_report(&report(&task, FetchOutcome::Timeout))
        .await
        .unwrap();
    let s = f.summary();
    assert_eq!(
        (s.retried, s.dead_lettered),
        (u64::from(max_attempts - 1), 1)
    );
    assert_eq!(f.store().stats(now_ms()).await.unwrap().queued, 0);
    let dead = broker.peek_dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].source, WorkQueue::Tasks.as_str());
    assert!(
        dead[0]
            .reason
            .contains(&format!("after {max_attempts} attempts")),
        "{}",
        dead[0].reason
    );
    let letter: FetchTask = serde_json::from_str(&dead[0].payload).unwrap();
    assert_eq!(letter.url, "http://news.test/");
    assert_eq!(letter.attempt, 0, "requeued from the DLQ, it starts afresh");
    assert_eq!(letter.task_id, format!("dlq-{}", task.task_id));
}

#[tokio::test]
async fn a_permanent_failure_is_done_at_once() {
    let (f, broker) = frontier(cfg(Duration::ZERO)).await;
    f.add_seeds(&["http://news.test/".into()]).await.unwrap();
    let task = dispatch_one(&f, &broker).await;
    f.handle_report(&report(&task, FetchOutcome::ClientError))
        .await
        .unwrap();
    let s = f.summary();
    assert_eq!((s.retried, s.dead_lettered), (0, 0));
    let stats = f.store().stats(now_ms()).await.unwrap();
    assert_eq!((stats.queued, stats.in_flight, stats.done), (0, 0, 1));
    assert_eq!(broker.dead_letter_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_fetch_frees_its_host_after_the_politeness_delay() {
    let delay = Duration::from_secs(60);
    let (f, broker) = frontier(cfg(delay)).await;
    f.add_seeds(&["http://news.test/".into(), "http://news.test/world/".into()])
        .await
        .unwrap();
    let first = dispatch_one(&f, &broker).await;
    assert_eq!(f.dispatch_once().await.unwrap(), 0, "the host is leased");
    let before = now_ms();
    f.handle_report(&report(&first, FetchOutcome::Ok))
        .await
        .unwrap();
    let after = now_ms();
    let stats = f.store().stats(after).await.unwrap();
    assert_eq!(
        (stats.hosts_leased, stats.hosts_waiting, stats.hosts_ready),
        (0, 1, 0),
        "released, resting"
    );
    assert_eq!(f.dispatch_once().await.unwrap(), 0, "still resting");
    let ms = delay.as_millis() as u64;
    let store = f.store();
    assert_eq!(
        store
            .host_meta_get(HOST, &HostField::DelayMs)
            .await
            .unwrap(),
        None,
        "a delay at its base is not written"
    );
    assert!(store
        .lease(before + ms - 1_000, 1, 60_000)
        .await
        .unwrap()
        .is_empty());
    let next = store.lease(after + ms + 1_000, 1, 60_000).await.unwrap();
    assert_eq!(next.len(), 1, "due once the delay has passed");
    assert_eq!(next[0].host, HOST);
}

#[tokio::test]
async fn a_crawl_delay_is_kept_for_the_hosts_later_fetches() {
    // Leases that expire at once, so that a report can arrive after its lease was recovered
    // and its host handed out again.
    let (f, broker) = frontier(FrontierConfig {
        lease_ttl: Duration::from_millis(1),
        ..cfg(Duration::ZERO)
    })
    .await;
    f.add_seeds(&["http://news.test/".into(), "http://news.test/a/".into()])
        .await
        .unwrap();
    let late = dispatch_one(&f, &broker).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let current = dispatch_one(&f, &broker).await;
    assert_ne!(
        current.task_id, late.task_id,
        "the expired lease was recovered"
    );

    // The late report brings the host's Crawl-delay: kept, though its lease is gone (so it
    // does not move the host's due time itself).
    f.handle_report(&FetchReport {
        crawl_delay_seconds: Some(30.0),
        ..report(&late, FetchOutcome::Ok)
    })
    .await
    .unwrap();
    let store = f.store();
    assert_eq!(
        store
            .host_meta_get(HOST, &HostField::CrawlDelayMs)
            .await
            .unwrap()
            .as_deref(),
        Some("30000")
    );

    // The current fetch's report says nothing of robots.txt: the stored delay applies.
    let before = now_ms();
    f.handle_report(&report(&current, FetchOutcome::Ok))
        .await
        .unwrap();
    let after = now_ms();
    assert!(store
        .lease(before + 29_000, 1, 60_000)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.lease(after + 31_000, 1, 60_000).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn dispatch_never_hands_out_two_tasks_for_one_host() {
    let (f, broker) = frontier(cfg(Duration::ZERO)).await;
    let mut seeds: Vec<String> = (0..4).map(|i| format!("http://a.test/{i}")).collect();
    seeds.extend((0..3).map(|i| format!("http://b.test/{i}")));
    f.add_seeds(&seeds).await.unwrap();
    assert_eq!(f.dispatch_once().await.unwrap(), 2);
    assert_eq!(f.dispatch_once().await.unwrap(), 0, "both hosts are leased");
    let tasks = take_tasks(&broker).await;
    let mut hosts: Vec<&str> = tasks.iter().map(|t| t.host.as_str()).collect();
    hosts.sort();
    assert_eq!(hosts, ["http://a.test:80", "http://b.test:80"]);

    // One host's fetch ends: only that host is handed out again.
    let a = tasks
        .iter()
        .find(|t| t.host == "http://a.test:80")
        .unwrap()
        .clone();
    f.handle_report(&report(&a, FetchOutcome::Ok))
        .await
        .unwrap();
    let again = dispatch_one(&f, &broker).await;
    assert_eq!(again.host, a.host);
    assert_ne!(again.url, a.url);
    assert_eq!(f.dispatch_once().await.unwrap(), 0);

    // Drain the rest, one report at a time: at every dispatch, the tasks out are for
    // distinct hosts, and every URL is handed out exactly once.
    let mut handed: Vec<String> = tasks.iter().map(|t| t.url.clone()).collect();
    handed.push(again.url.clone());
    let mut out = vec![again];
    out.extend(tasks.into_iter().filter(|t| t.host != a.host));
    while let Some(t) = out.pop() {
        f.handle_report(&report(&t, FetchOutcome::Ok))
            .await
            .unwrap();
        f.dispatch_once().await.unwrap();
        let new = take_tasks(&broker).await;
        handed.extend(new.iter().map(|t| t.url.clone()));
        out.extend(new);
        let mut hosts: Vec<&str> = out.iter().map(|t| t.host.as_str()).collect();
        let n = hosts.len();
        hosts.sort();
        hosts.dedup();
        assert_eq!(hosts.len(), n, "two tasks out for one host: {out:?}");
    }
    handed.sort();
    let mut want = seeds.clone();
    want.sort();
    assert_eq!(handed, want);
}

#[tokio::test]
async fn a_finished_source_keeps_its_validators_and_is_polled_again() {
    let (f, broker) = frontier(FrontierConfig {
        recrawl_interval: Some(Duration::from_secs(15 * 60)),
        ..cfg(Duration::ZERO)
    })
    .await;
    f.add_seeds(&["http://news.test/".into()]).await.unwrap();
    let seed = dispatch_one(&f, &broker).await;
    let before = now_ms();
    f.handle_report(&FetchReport {
        etag: Some("\"v1\"".into()),
        ..report(&seed, FetchOutcome::Ok)
    })
    .await
    .unwrap();
    let after = now_ms();
    let store = f.store();
    assert_eq!(
        store.validators_get(&seed.url).await.unwrap(),
        Some((Some("\"v1\"".into()), None)),
        "kept for the conditional re-poll"
    );
    // The next poll is due after the source's (adapted) interval, stored for the next round.
    let every: u64 = store
        .host_meta_get(HOST, &HostField::PollInterval(seed.url.clone()))
        .await
        .unwrap()
        .expect("the poll interval is stored")
        .parse()
        .unwrap();
    assert!(every >= 60_000, "{every} ms");
    assert!(store
        .take_due_recrawls(before + every - 1_000, 10)
        .await
        .unwrap()
        .is_empty());
    let due = store
        .take_due_recrawls(after + every + 1_000, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].url.as_str(), due[0].kind),
        (seed.url.as_str(), seed.kind)
    );
}

#[tokio::test]
async fn a_published_article_is_checked_for_updates_later() {
    let (f, _broker) = frontier(cfg(Duration::ZERO)).await;
    let first_check = f.config().update_checks[0];
    let published = Utc::now() - chrono::Duration::minutes(10);
    let task = FetchTask {
        schema_version: MESSAGE_SCHEMA_VERSION,
        task_id: "t-article".into(),
        url: "http://news.test/world/story-one".into(),
        host: HOST.into(),
        kind: trawl_core::TaskKind::Article,
        depth: 1,
        attempt: 0,
        etag: None,
        last_modified: None,
        enqueued_at: Utc::now().fixed_offset(),
        update: None,
    };
    let article = FetchReport {
        is_article: true,
        article_version: Some(1),
        content_digest: Some("00112233aabbccdd".into()),
        published_at: Some(published.fixed_offset()),
        ..report(&task, FetchOutcome::Ok)
    };
    // A near-duplicate (the worker published nothing, so no version): no check.
    f.handle_report(&FetchReport {
        article_version: None,
        ..article.clone()
    })
    .await
    .unwrap();
    let store = f.store();
    assert!(store
        .take_due_recrawls(u64::MAX / 2, 10)
        .await
        .unwrap()
        .is_empty());

    // The published article: its first check is due the first offset after publication.
    f.handle_report(&article).await.unwrap();
    let anchor = published.timestamp_millis() as u64;
    let at = anchor + first_check.as_millis() as u64;
    assert!(store
        .take_due_recrawls(at - 1_000, 10)
        .await
        .unwrap()
        .is_empty());
    let due = store.take_due_recrawls(at + 1_000, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].url, task.url);
    let check = due[0].update.clone().expect("an update check");
    assert_eq!(
        (
            check.n,
            check.version,
            check.digest.as_str(),
            check.anchor_ms
        ),
        (1, 1, "00112233aabbccdd", published.timestamp_millis())
    );
}

/// The task of a lease taken from the store directly (what `dispatch_once` would publish).
fn task_of(lease: &trawl_store::Lease) -> FetchTask {
    task_for_lease(lease, None, None)
}

/// `f` handles `r`; the host then rests `secs` (± 0.5 s): not leased before, leased after.
/// Returns the task of that next lease. (Leases are taken at a clock `secs` ahead, and a host's
/// due time never moves back: a shorter rest after this one is not visible in the due time.)
async fn handle_and_expect_rest(f: &Frontier, r: FetchReport, secs: u64) -> FetchTask {
    let before = now_ms();
    f.handle_report(&r).await.unwrap();
    let after = now_ms();
    let ms = secs * 1000;
    let store = f.store();
    assert!(
        store
            .lease(before + ms - 500, 1, 60_000)
            .await
            .unwrap()
            .is_empty(),
        "still resting just before {secs} s"
    );
    let next = store.lease(after + ms + 500, 1, 60_000).await.unwrap();
    assert_eq!(next.len(), 1, "due after {secs} s");
    task_of(&next[0])
}

/// The host's next task, leased at a clock far enough ahead for any rest here.
async fn next_task(f: &Frontier) -> FetchTask {
    let next = f
        .store()
        .lease(now_ms() + 600_000, 1, 60_000)
        .await
        .unwrap();
    assert_eq!(next.len(), 1);
    task_of(&next[0])
}

/// A 429 (the fetcher's `client_error` carrying status 429) for `task`.
fn throttled(task: &FetchTask) -> FetchReport {
    FetchReport {
        status: Some(429),
        ..report(task, FetchOutcome::ClientError)
    }
}

async fn stored_delay(f: &Frontier) -> Option<String> {
    f.store()
        .host_meta_get(HOST, &HostField::DelayMs)
        .await
        .unwrap()
}

fn article_seeds(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("http://news.test/world/story-{i}"))
        .collect()
}

#[tokio::test]
async fn repeated_429s_escalate_the_host_delay_and_normal_reports_decay_it() {
    let (f, broker) = frontier(cfg(Duration::from_secs(1))).await;
    f.add_seeds(&article_seeds(8)).await.unwrap();
    let first = dispatch_one(&f, &broker).await;
    // The politeness rule (docs/politeness.md): the first 429 rests the host 5 s
    // (`backoff_min_delay`), each further one doubles it.
    let t = handle_and_expect_rest(&f, throttled(&first), 5).await;
    assert_eq!(stored_delay(&f).await.as_deref(), Some("5000"));
    let t = handle_and_expect_rest(&f, throttled(&t), 10).await;
    let t = handle_and_expect_rest(&f, throttled(&t), 20).await;
    assert_eq!(stored_delay(&f).await.as_deref(), Some("20000"));
    // A normal response decays it by 0.75 per report.
    f.handle_report(&report(&t, FetchOutcome::Ok))
        .await
        .unwrap();
    assert_eq!(stored_delay(&f).await.as_deref(), Some("15000"));
    let t = next_task(&f).await;
    f.handle_report(&report(&t, FetchOutcome::Ok))
        .await
        .unwrap();
    assert_eq!(stored_delay(&f).await.as_deref(), Some("11250"));
    let t = next_task(&f).await;
    // A Retry-After longer than the delay holds the host that long, without becoming its
    // delay.
    let held = FetchReport {
        retry_after_seconds: Some(60.0),
        ..throttled(&t)
    };
    handle_and_expect_rest(&f, held, 60).await;
    assert_eq!(
        stored_delay(&f).await.as_deref(),
        Some("22500"),
        "2 × 11.25 s"
    );
}

#[tokio::test]
async fn a_hosts_delay_is_kept_in_the_store_across_frontier_instances() {
    let store: Arc<dyn FrontierStore> = Arc::new(MemoryStore::new());
    let broker = Arc::new(MemoryBroker::new());
    let b: Arc<dyn Broker> = broker.clone();
    let cfg = cfg(Duration::from_secs(1));
    let one = Frontier::new(cfg.clone(), store.clone(), b.clone())
        .await
        .unwrap();
    one.add_seeds(&article_seeds(4)).await.unwrap();
    let first = dispatch_one(&one, &broker).await;
    let t = handle_and_expect_rest(&one, throttled(&first), 5).await;
    drop(one);

    // Another frontier (a restart, or a second replica) on the same store carries on from
    // 5 s rather than starting over.
    let two = Frontier::new(cfg, store, b).await.unwrap();
    let t = handle_and_expect_rest(&two, throttled(&t), 10).await;
    two.handle_report(&report(&t, FetchOutcome::Ok))
        .await
        .unwrap();
    assert_eq!(stored_delay(&two).await.as_deref(), Some("7500"));
}
