//! The behavioural test suite every store must pass, as a [`FrontierStore`] and as a
//! [`ContentIndex`] (`claim_content_exact_and_near`). Each case gets a fresh, empty store; `memory.rs` and `redis_store.rs` instantiate the cases with
//! [`conformance_tests!`].

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use trawl_core::TaskKind;

use crate::{
    ContentClaim, ContentIndex, FrontierStore, HostField, QueuedUrl, StoreError, StoreSet,
};

/// A store under test: every store implements both traits.
pub trait TestStore: FrontierStore + ContentIndex {}
impl<T: FrontierStore + ContentIndex> TestStore for T {}

pub type Store = Arc<dyn TestStore>;

/// Instantiate every case as a `#[tokio::test]`. `$make` is an async fn returning
/// `(Store, C)`, `$cleanup` an async fn taking `C`; cleanup runs
/// even when the case panics.
macro_rules! conformance_tests {
    ($make:path, $cleanup:path) => {
        conformance_tests!(@cases $make, $cleanup,
            seen_set_reports_newness,
            priority_then_fifo_per_host,
            one_lease_per_host,
            released_host_waits_for_next_due,
            expired_lease_requeues_its_url,
            defer_host_delays_and_never_advances,
            recrawls_replace_and_come_due,
            claim_content_exact_and_near,
            stats_count_everything,
            host_meta_sets_and_validators,
            concurrent_leases_never_share_a_host,
            shard_leases_are_exclusive_and_expire,
            lease_in_shards_serves_only_those_shards,
        );
    };
    // `$make` returns `Option<(store, ctx)>`; `None` skips the case (the maker has said why).
    (optional $make:path, $cleanup:path) => {
        conformance_tests!(@optional $make, $cleanup,
            seen_set_reports_newness,
            priority_then_fifo_per_host,
            one_lease_per_host,
            released_host_waits_for_next_due,
            expired_lease_requeues_its_url,
            defer_host_delays_and_never_advances,
            recrawls_replace_and_come_due,
            claim_content_exact_and_near,
            stats_count_everything,
            host_meta_sets_and_validators,
            concurrent_leases_never_share_a_host,
            shard_leases_are_exclusive_and_expire,
            lease_in_shards_serves_only_those_shards,
        );
    };
    (@optional $make:path, $cleanup:path, $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some((store, ctx)) = $make().await else { return };
                let res = tokio::spawn($crate::conformance::$name(store)).await;
                $cleanup(ctx).await;
                if let Err(e) = res {
                    std::panic::resume_unwind(e.into_panic());
                }
            }
        )*
    };
    (@cases $make:path, $cleanup:path, $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (store, ctx) = $make().await;
                let res = tokio::spawn($crate::conformance::$name(store)).await;
                $cleanup(ctx).await;
                if let Err(e) = res {
                    std::panic::resume_unwind(e.into_panic());
                }
            }
        )*
    };
}
pub(crate) use conformance_tests;

pub fn item(host: &str, n: u32, priority: u8) -> QueuedUrl {
    QueuedUrl {
        url: format!("{host}/page/{n}"),
        host: host.to_string(),
        priority,
        depth: 1,
        kind: TaskKind::Article,
        attempt: 0,
        update: None,
    }
}

/// Lease the one host `host` at `now`, take its URL and release it due `now`.
async fn take_one(store: &Store, now: u64) -> Option<QueuedUrl> {
    let mut leases = store.lease(now, 1, 60_000).await.unwrap();
    let lease = leases.pop()?;
    assert!(store
        .release(&lease.host, &lease.lease_id, now)
        .await
        .unwrap());
    Some(lease.item)
}

pub async fn seen_set_reports_newness(store: Store) {
    // (Stores may keep only 64 bits of a fingerprint, so these differ in the low 64.)
    let fps = [1u128, u128::MAX, 1, (42 << 70) | 42];
    assert_eq!(
        store.insert_seen(&fps).await.unwrap(),
        vec![true, true, false, true]
    );
    assert_eq!(
        store.insert_seen(&[(42 << 70) | 42, 7]).await.unwrap(),
        vec![false, true]
    );
    assert_eq!(store.insert_seen(&[]).await.unwrap(), Vec::<bool>::new());
    // A lookup does not add.
    assert!(store.seen_contains((42 << 70) | 42).await.unwrap());
    assert!(store.seen_contains(7).await.unwrap());
    assert!(!store.seen_contains(8).await.unwrap());
    assert!(!store.seen_contains(8).await.unwrap());
    // A big batch (crosses internal chunking), half already seen.
    let big: Vec<u128> = (0..5000u128)
        .map(|i| (i * 0x9e37_79b9_7f4a_7c15) << 3)
        .collect();
    let first = store.insert_seen(&big[..2500]).await.unwrap();
    assert!(first.iter().all(|n| *n));
    let second = store.insert_seen(&big).await.unwrap();
    assert_eq!(second.iter().filter(|n| **n).count(), 2500);
    assert!(second[..2500].iter().all(|n| !*n));
    assert_eq!(store.stats(0).await.unwrap().seen, 4 + 5000);
}

pub async fn priority_then_fifo_per_host(store: Store) {
    let h = "http://a.test";
    let items = [
        item(h, 1, 2),
        item(h, 2, 5),
        item(h, 3, 0),
        item(h, 4, 2),
        item(h, 5, 0),
    ];
    store.enqueue(&items[..3], 0).await.unwrap();
    store.enqueue(&items[3..], 0).await.unwrap();
    let mut order = Vec::new();
    while let Some(it) = take_one(&store, 10).await {
        order.push(it);
    }
    let urls: Vec<&str> = order.iter().map(|i| i.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "http://a.test/page/3",
            "http://a.test/page/5",
            "http://a.test/page/1",
            "http://a.test/page/4",
            "http://a.test/page/2"
        ]
    );
    assert_eq!(order[0], items[2], "items come back intact");
}

pub async fn one_lease_per_host(store: Store) {
    let (a, b) = ("http://a.test", "http://b.test");
    store
        .enqueue(
            &[item(a, 1, 1), item(a, 2, 1), item(a, 3, 1), item(b, 1, 1)],
            0,
        )
        .await
        .unwrap();
    let leases = store.lease(0, 10, 1000).await.unwrap();
    let hosts: HashSet<&str> = leases.iter().map(|l| l.host.as_str()).collect();
    assert_eq!(leases.len(), 2);
    assert_eq!(hosts, HashSet::from([a, b]));
    assert_ne!(leases[0].lease_id, leases[1].lease_id);
    // a still has URLs, but it is leased: nothing more to hand out.
    assert!(store.lease(1, 10, 1000).await.unwrap().is_empty());
    let la = leases.iter().find(|l| l.host == a).unwrap();
    assert!(store.release(a, &la.lease_id, 2).await.unwrap());
    // Releasing twice, or with a wrong id, is refused.
    assert!(!store.release(a, &la.lease_id, 2).await.unwrap());
    let lb = leases.iter().find(|l| l.host == b).unwrap();
    assert!(!store.release(b, "not-a-lease", 2).await.unwrap());
    assert!(!store.release("http://c.test", "x", 2).await.unwrap());
    let again = store.lease(2, 10, 1000).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].host, a);
    assert!(store.release(b, &lb.lease_id, 2).await.unwrap());
    // b has nothing queued: not handed out again.
    assert!(store.lease(3, 10, 1000).await.unwrap().is_empty());
}

pub async fn released_host_waits_for_next_due(store: Store) {
    let h = "http://a.test";
    store
        .enqueue(&[item(h, 1, 1), item(h, 2, 1)], 1000)
        .await
        .unwrap();
    // Due at `now` of the first enqueue, not before.
    assert!(store.lease(999, 5, 500).await.unwrap().is_empty());
    let l = store.lease(1000, 5, 500).await.unwrap().pop().unwrap();
    assert!(store.release(h, &l.lease_id, 3000).await.unwrap());
    let s = store.stats(2000).await.unwrap();
    assert_eq!((s.hosts_ready, s.hosts_waiting), (0, 1));
    assert!(store.lease(2999, 5, 500).await.unwrap().is_empty());
    let s = store.stats(3000).await.unwrap();
    assert_eq!((s.hosts_ready, s.hosts_waiting), (1, 0));
    let l2 = store.lease(3000, 5, 500).await.unwrap();
    assert_eq!(l2.len(), 1);
    assert_eq!(l2[0].item.url, "http://a.test/page/2");
    // An emptied host keeps its due time for URLs queued on it later.
    assert!(store.release(h, &l2[0].lease_id, 9000).await.unwrap());
    store.enqueue(&[item(h, 3, 1)], 4000).await.unwrap();
    assert!(store.lease(8999, 5, 500).await.unwrap().is_empty());
    assert_eq!(store.lease(9000, 5, 500).await.unwrap().len(), 1);
}

pub async fn expired_lease_requeues_its_url(store: Store) {
    let h = "http://a.test";
    // An awkward URL: the item must come back intact after its round trip.
    let odd = QueuedUrl {
        url: "http://a.test/ünï/\"q\"\\x?a=1&b=%20#".into(),
        depth: 4_000_000_000,
        kind: TaskKind::Listing,
        ..item(h, 1, 1)
    };
    store
        .enqueue(&[odd.clone(), item(h, 2, 1)], 0)
        .await
        .unwrap();
    let first = store.lease(0, 5, 1000).await.unwrap().pop().unwrap();
    assert_eq!(first.item, odd);
    assert!(store.lease(999, 5, 1000).await.unwrap().is_empty());
    // At expiry the URL goes back to the head of its host's queue and is leased again.
    let second = store.lease(1000, 5, 1000).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(
        second[0].item,
        QueuedUrl {
            attempt: 1, // the expired lease counts as an attempt
            ..odd
        }
    );
    assert_ne!(second[0].lease_id, first.lease_id);
    // The dead worker's late release changes nothing.
    assert!(!store.release(h, &first.lease_id, 50_000).await.unwrap());
    let s = store.stats(1000).await.unwrap();
    assert_eq!((s.queued, s.in_flight, s.done), (1, 1, 0));
    assert!(store.release(h, &second[0].lease_id, 1500).await.unwrap());
    let third = store.lease(1500, 5, 1000).await.unwrap();
    assert_eq!(third[0].item.url, "http://a.test/page/2");
    assert!(store.release(h, &third[0].lease_id, 1500).await.unwrap());
    let s = store.stats(1500).await.unwrap();
    assert_eq!((s.queued, s.in_flight, s.done), (0, 0, 2));
    assert!(s.drained());
}

pub async fn defer_host_delays_and_never_advances(store: Store) {
    let (a, b) = ("http://a.test", "http://b.test");
    store
        .enqueue(&[item(a, 1, 1), item(a, 2, 1)], 0)
        .await
        .unwrap();
    store.defer_host(a, 5000).await.unwrap();
    store.defer_host(a, 100).await.unwrap(); // earlier: ignored
    assert!(store.lease(4999, 5, 1000).await.unwrap().is_empty());
    let l = store.lease(5000, 5, 1000).await.unwrap().pop().unwrap();
    // A deferral while leased survives a release asking for an earlier time.
    store.defer_host(a, 8000).await.unwrap();
    assert!(store.release(a, &l.lease_id, 6000).await.unwrap());
    assert!(store.lease(7999, 5, 1000).await.unwrap().is_empty());
    let l = store.lease(8000, 5, 1000).await.unwrap().pop().unwrap();
    assert!(store.release(a, &l.lease_id, 8000).await.unwrap());
    // A host deferred before it has any URL keeps that due time.
    store.defer_host(b, 20_000).await.unwrap();
    store.enqueue(&[item(b, 1, 1)], 10_000).await.unwrap();
    assert!(store.lease(19_999, 5, 1000).await.unwrap().is_empty());
    assert_eq!(store.lease(20_000, 5, 1000).await.unwrap().len(), 1);
}

pub async fn recrawls_replace_and_come_due(store: Store) {
    let (a, b) = ("http://a.test", "http://b.test");
    let feed = QueuedUrl {
        kind: TaskKind::Feed,
        ..item(a, 1, 0)
    };
    let home = QueuedUrl {
        kind: TaskKind::Seed,
        ..item(b, 2, 0)
    };
    store.schedule_recrawl(&feed, 1000).await.unwrap();
    store.schedule_recrawl(&home, 500).await.unwrap();
    store.schedule_recrawl(&feed, 2000).await.unwrap(); // replaces 1000
    assert!(store.take_due_recrawls(499, 10).await.unwrap().is_empty());
    assert_eq!(store.take_due_recrawls(1500, 10).await.unwrap(), vec![home]);
    assert!(store.take_due_recrawls(1999, 10).await.unwrap().is_empty());
    assert_eq!(
        store.take_due_recrawls(2000, 10).await.unwrap(),
        vec![feed.clone()]
    );
    assert!(store.take_due_recrawls(9999, 10).await.unwrap().is_empty());
    // `max` is respected; the rest stays for the next call.
    for i in 0..5 {
        store
            .schedule_recrawl(&item(a, 10 + i, 0), 100)
            .await
            .unwrap();
    }
    assert_eq!(store.take_due_recrawls(100, 3).await.unwrap().len(), 3);
    assert_eq!(store.take_due_recrawls(100, 3).await.unwrap().len(), 2);
}

pub async fn claim_content_exact_and_near(store: Store) {
    let h: u64 = 0x0f0f_1234_abcd_5555;
    let (u1, u2, u3, u4) = (
        "http://a.test/story",
        "http://a.test/story?print=1",
        "http://b.test/copy:of:story",
        "http://c.test/other",
    );
    assert_eq!(
        store.claim_content("id1", u1, h, 3).await.unwrap(),
        ContentClaim::New
    );
    // The same URL again (a redelivered task): New again.
    assert_eq!(
        store.claim_content("id1", u1, h, 3).await.unwrap(),
        ContentClaim::New
    );
    // Same article id from another URL, even with an unrelated body: duplicate.
    assert_eq!(
        store.claim_content("id1", u2, !h, 3).await.unwrap(),
        ContentClaim::Duplicate {
            of_article_id: "id1".into(),
            of_url: u1.into()
        }
    );
    // Distance 3, one flipped bit in each of three bands: duplicate.
    let near = h ^ (1 << 3) ^ (1 << 20) ^ (1 << 40);
    assert_eq!(
        store.claim_content("id2", u3, near, 3).await.unwrap(),
        ContentClaim::Duplicate {
            of_article_id: "id1".into(),
            of_url: u1.into()
        }
    );
    // Asked twice, still a duplicate (it never became a claimant).
    assert!(matches!(
        store.claim_content("id2", u3, near, 3).await.unwrap(),
        ContentClaim::Duplicate { .. }
    ));
    // Distance 10: new.
    let far = h ^ 0b11_1111_1111;
    assert_eq!(crate::neardup::distance(h, far), 10);
    assert_eq!(
        store.claim_content("id4", u4, far, 3).await.unwrap(),
        ContentClaim::New
    );
    assert_eq!(
        store.content_aliases("id1").await.unwrap(),
        vec![u2.to_string(), u3.to_string()]
    );
    assert!(store.content_aliases("id4").await.unwrap().is_empty());
    assert!(store.content_aliases("nope").await.unwrap().is_empty());
    // max_distance 0 only matches identical bodies.
    assert_eq!(
        store
            .claim_content("id5", "http://d.test/x", far ^ 1, 0)
            .await
            .unwrap(),
        ContentClaim::New
    );
}

pub async fn stats_count_everything(store: Store) {
    let (a, b) = ("http://a.test", "http://b.test");
    assert_eq!(store.stats(0).await.unwrap(), Default::default());
    store.insert_seen(&[1, 2, 3, 4, 5]).await.unwrap();
    store
        .enqueue(
            &[
                item(a, 1, 1),
                item(a, 2, 1),
                item(a, 3, 1),
                item(b, 1, 1),
                item(b, 2, 1),
            ],
            0,
        )
        .await
        .unwrap();
    let l = store.lease(0, 1, 1000).await.unwrap().pop().unwrap();
    let s = store.stats(0).await.unwrap();
    assert_eq!(s.seen, 5);
    assert_eq!((s.queued, s.in_flight, s.done), (4, 1, 0));
    assert_eq!((s.hosts_ready, s.hosts_waiting, s.hosts_leased), (1, 0, 1));
    assert!(!s.drained());
    assert!(store.release(&l.host, &l.lease_id, 100).await.unwrap());
    let s = store.stats(50).await.unwrap();
    assert_eq!((s.queued, s.in_flight, s.done), (4, 0, 1));
    assert_eq!((s.hosts_ready, s.hosts_waiting, s.hosts_leased), (1, 1, 0));
    let mut now = 100;
    while let Some(_it) = take_one(&store, now).await {
        now += 1;
    }
    let s = store.stats(now).await.unwrap();
    assert_eq!((s.queued, s.in_flight, s.done, s.seen), (0, 0, 5, 5));
    assert_eq!((s.hosts_ready, s.hosts_waiting, s.hosts_leased), (0, 0, 0));
    assert!(s.drained());
    assert!(store.ping().await);
}

pub async fn host_meta_sets_and_validators(store: Store) {
    let h = "http://a.test";
    let poll = HostField::PollInterval("http://a.test/feed.xml".into());
    assert_eq!(store.host_meta_get(h, &poll).await.unwrap(), None);
    store.host_meta_set(h, &poll, "ok").await.unwrap();
    assert_eq!(
        store.host_meta_get(h, &poll).await.unwrap().as_deref(),
        Some("ok")
    );
    assert_eq!(
        store.host_meta_get("http://b.test", &poll).await.unwrap(),
        None
    );
    let admitted = HostField::Admitted;
    assert_eq!(store.host_meta_incr(h, &admitted, 2).await.unwrap(), 2);
    // Several fields at once, in the order asked, a missing one as None.
    assert_eq!(
        store
            .host_meta_get_many(h, &[admitted.clone(), HostField::DelayMs, poll.clone()])
            .await
            .unwrap(),
        [Some("2".to_string()), None, Some("ok".to_string())]
    );
    assert_eq!(
        store
            .host_meta_get_many("http://b.test", std::slice::from_ref(&poll))
            .await
            .unwrap(),
        [None]
    );
    assert!(store.host_meta_get_many(h, &[]).await.unwrap().is_empty());
    assert_eq!(store.host_meta_incr(h, &admitted, -5).await.unwrap(), -3);
    assert_eq!(
        store.host_meta_get(h, &admitted).await.unwrap().as_deref(),
        Some("-3")
    );
    let err = store.host_meta_incr(h, &poll, 1).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");

    let scope = StoreSet::ScopeHosts;
    assert!(store.set_members(scope).await.unwrap().is_empty());
    store
        .set_add(scope, &["b".into(), "a".into(), "b".into()])
        .await
        .unwrap();
    store.set_add(scope, &[]).await.unwrap();
    let mut m = store.set_members(scope).await.unwrap();
    m.sort();
    assert_eq!(m, ["a", "b"]);

    let u = "http://a.test/feed.xml";
    assert_eq!(store.validators_get(u).await.unwrap(), None);
    store
        .validators_set(u, Some("\"abc\""), Some("Tue, 01 Jan 2030 00:00:00 GMT"))
        .await
        .unwrap();
    assert_eq!(
        store.validators_get(u).await.unwrap(),
        Some((
            Some("\"abc\"".into()),
            Some("Tue, 01 Jan 2030 00:00:00 GMT".into())
        ))
    );
    store.validators_set(u, None, Some("x")).await.unwrap();
    assert_eq!(
        store.validators_get(u).await.unwrap(),
        Some((None, Some("x".into())))
    );
    assert_eq!(
        store.validators_get("http://a.test/other").await.unwrap(),
        None
    );
    store.validators_set(u, None, None).await.unwrap();
    assert_eq!(store.validators_get(u).await.unwrap(), None);
}

/// Several tasks lease and release concurrently: a host is never held by two
/// leases at once, and every URL comes out exactly once.
pub async fn concurrent_leases_never_share_a_host(store: Store) {
    concurrent_leases(vec![store.clone(), store]).await;
}

/// Same as above, over several store handles that share one state (for Redis:
/// independent connections, as separate frontier replicas would have).
pub async fn concurrent_leases(stores: Vec<Store>) {
    let hosts = 40;
    let per_host = 5;
    let items: Vec<QueuedUrl> = (0..hosts * per_host)
        .map(|i| item(&format!("http://h{}.test", i % hosts), i, 1))
        .collect();
    stores[0].enqueue(&items, 0).await.unwrap();
    let held: Arc<Mutex<HashSet<String>>> = Default::default();
    let got: Arc<Mutex<Vec<String>>> = Default::default();
    let mut tasks = Vec::new();
    for t in 0..4 {
        let store = stores[t % stores.len()].clone();
        let (held, got) = (held.clone(), got.clone());
        tasks.push(tokio::spawn(async move {
            let mut idle = 0;
            while idle < 20 {
                let leases = store.lease(1, 3, 600_000).await.unwrap();
                if leases.is_empty() {
                    idle += 1;
                    tokio::task::yield_now().await;
                    continue;
                }
                idle = 0;
                for l in &leases {
                    assert!(
                        held.lock().unwrap().insert(l.host.clone()),
                        "host {} leased twice",
                        l.host
                    );
                    got.lock().unwrap().push(l.item.url.clone());
                }
                tokio::task::yield_now().await;
                for l in leases {
                    held.lock().unwrap().remove(&l.host);
                    assert!(store.release(&l.host, &l.lease_id, 1).await.unwrap());
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let got = got.lock().unwrap().clone();
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(got.len(), (hosts * per_host) as usize);
    assert_eq!(unique.len(), got.len());
    assert!(stores[0].stats(1).await.unwrap().drained());
}

/// Shard leases: one owner at a time; renewal by the owner; takeover only after expiry;
/// release and leave only by the owner; dead replicas drop out of the view.
pub async fn shard_leases_are_exclusive_and_expire(store: Store) {
    let n = store.shard_count();
    assert!(n >= 1);
    let all: Vec<u16> = (0..n).collect();
    let v = store.shard_view("a", 1_000, 500).await.unwrap();
    assert_eq!(v.replicas, vec!["a".to_string()]);
    assert!(v.owners.is_empty());
    let p = crate::shards::plan(n, "a", &v, 1_000);
    assert_eq!(p.hold, all);
    assert_eq!(
        store
            .shard_apply("a", 1_000, 500, &p.hold, &p.release)
            .await
            .unwrap(),
        all
    );
    // b sees a, and cannot take a's live shards.
    let v = store.shard_view("b", 1_100, 500).await.unwrap();
    assert_eq!(v.replicas, vec!["a".to_string(), "b".to_string()]);
    assert_eq!(v.owners.len(), usize::from(n));
    assert!(v
        .owners
        .values()
        .all(|o| o.replica == "a" && o.expires_ms == 1_500));
    assert!(store
        .shard_apply("b", 1_100, 500, &all, &all)
        .await
        .unwrap()
        .is_empty());
    // a renews at 1_400 (until 1_900); at 1_600 they are still a's.
    assert_eq!(
        store.shard_apply("a", 1_400, 500, &all, &[]).await.unwrap(),
        all
    );
    assert!(store
        .shard_apply("b", 1_600, 500, &all, &[])
        .await
        .unwrap()
        .is_empty());
    // a stops renewing: at 1_900 its heartbeat and its leases are gone, b takes over.
    let v = store.shard_view("b", 1_900, 500).await.unwrap();
    assert_eq!(v.replicas, vec!["b".to_string()]);
    let p = crate::shards::plan(n, "b", &v, 1_900);
    assert_eq!(p.hold, all);
    assert_eq!(
        store
            .shard_apply("b", 1_900, 500, &p.hold, &[])
            .await
            .unwrap(),
        all
    );
    // a's late release changes nothing; b's leave frees everything.
    assert!(store
        .shard_apply("a", 1_950, 500, &[], &all)
        .await
        .unwrap()
        .is_empty());
    assert!(store.shard_leave("a").await.unwrap().is_empty());
    assert_eq!(store.shard_leave("b").await.unwrap(), all);
    let v = store.shard_view("c", 2_000, 500).await.unwrap();
    assert_eq!(v.replicas, vec!["c".to_string()]);
    assert!(v.owners.is_empty());
    store.shard_leave("c").await.unwrap();
    // Bad replica ids are refused or harmless, never a panic.
    let _ = store.shard_view("", 2_000, 500).await;
    let _ = store.shard_apply("a b", 2_000, 500, &all, &[]).await;
}

/// `lease_in_shards` hands out hosts of the given shards only; together the shards cover
/// every host.
pub async fn lease_in_shards_serves_only_those_shards(store: Store) {
    let n = store.shard_count();
    let items: Vec<QueuedUrl> = (0..24)
        .map(|i| item(&format!("http://s{i}.test"), i, 1))
        .collect();
    store.enqueue(&items, 0).await.unwrap();
    assert!(store
        .lease_in_shards(1, 100, 60_000, &[])
        .await
        .unwrap()
        .is_empty());
    let mut hosts = HashSet::new();
    for s in 0..n {
        for l in store.lease_in_shards(1, 100, 60_000, &[s]).await.unwrap() {
            // Leasing the same shard again finds nothing more of that host.
            assert!(hosts.insert(l.host.clone()), "{} leased twice", l.host);
            assert!(store
                .lease_in_shards(1, 100, 60_000, &[s])
                .await
                .unwrap()
                .is_empty());
        }
    }
    assert_eq!(hosts.len(), 24);
    // Shards beyond the store's count hold nothing.
    assert!(store
        .lease_in_shards(1, 100, 60_000, &[n])
        .await
        .unwrap()
        .is_empty());
}
