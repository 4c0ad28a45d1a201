//! Several `Frontier`s over one store (the in-memory one; the Redis store passes the same
//! store-level suite): shard claims are exclusive and move when a replica leaves, and the
//! spider-trap budgets are shared.

use std::sync::Arc;
use std::time::Duration;

use trawl_core::{DiscoveredLink, LinkKind};
use trawl_frontier::{Frontier, FrontierConfig};
use trawl_queue::memory::MemoryBroker;
use trawl_queue::{Broker, WorkQueue};
use trawl_store::memory::MemoryStore;
use trawl_store::FrontierStore;

fn cfg() -> FrontierConfig {
    FrontierConfig {
        shard_lease: Duration::from_secs(30),
        politeness_delay: Duration::ZERO,
        ..FrontierConfig::default()
    }
}

async fn pair() -> (Frontier, Frontier, Arc<MemoryBroker>) {
    let store: Arc<dyn FrontierStore> = Arc::new(MemoryStore::new());
    let broker = Arc::new(MemoryBroker::new());
    let b: Arc<dyn Broker> = broker.clone();
    let a = Frontier::new(cfg(), store.clone(), b.clone())
        .await
        .unwrap();
    let c = Frontier::new(cfg(), store, b).await.unwrap();
    (a, c, broker)
}

fn link(url: &str) -> DiscoveredLink {
    DiscoveredLink::new(url, LinkKind::Page)
}

#[tokio::test]
async fn only_the_shard_owner_dispatches_and_shards_move_when_it_leaves() {
    let (a, b, broker) = pair().await;
    assert_ne!(a.replica_id(), b.replica_id());
    // Not coordinating yet: a frontier driven by hand leases from every shard.
    assert_eq!(a.owned_shards(), None);
    assert_eq!(a.coordinate_shards().await.unwrap(), vec![0]);
    assert_eq!(b.coordinate_shards().await.unwrap(), Vec::<u16>::new());
    assert_eq!(b.owned_shards(), Some(vec![]));
    a.add_seeds(&["http://one.test/".into(), "http://two.test/".into()])
        .await
        .unwrap();
    assert_eq!(b.dispatch_once().await.unwrap(), 0, "b owns no shard");
    assert_eq!(a.store().stats(0).await.unwrap().queued, 2);
    assert_eq!(a.dispatch_once().await.unwrap(), 2);
    assert_eq!(broker.depth(WorkQueue::Tasks).await.unwrap(), 2);
    // a gives its shard up (clean shutdown); b takes it on its next round.
    assert_eq!(
        a.store().shard_leave(a.replica_id()).await.unwrap(),
        vec![0]
    );
    assert_eq!(b.coordinate_shards().await.unwrap(), vec![0]);
    assert_eq!(a.coordinate_shards().await.unwrap(), Vec::<u16>::new());
}

#[tokio::test]
async fn trap_budgets_are_shared_by_replicas() {
    let (a, b, _broker) = pair().await;
    a.add_seeds(&["http://news.test/".into()]).await.unwrap();
    let cap = trawl_url::TrapConfig::default().max_calendar_per_family as u64;
    let mut accepted = 0;
    let mut refused = 0;
    for day in 0..(3 * cap) {
        let (m, d) = (1 + (day / 28) % 12, 1 + day % 28);
        let url = format!("http://news.test/calendar?date=2024-{m:02}-{d:02}&n={day}");
        // The replicas take turns, as reports land on either.
        let f = if day % 2 == 0 { &a } else { &b };
        let s = f.admit_links(&[link(&url)], 1).await.unwrap();
        accepted += s.accepted;
        refused += s.filtered.get(trawl_url::FilterReason::TrapCalendar);
    }
    // One budget for both replicas (each replica's first URL of a family is charged with its
    // second, so here, where both see many, the cap is exact).
    assert_eq!(accepted, cap, "one budget for both replicas");
    assert_eq!(refused, 2 * cap);
    // The count lives in the host's metadata (the same field the next checks look for).
    let guard = trawl_url::TrapGuard::new(trawl_url::TrapConfig::default());
    let host = "http://news.test:80";
    let cal = url::Url::parse("http://news.test/calendar?date=2024-01-01&n=0").unwrap();
    let family = guard.family_budget(&cal).unwrap().unwrap().family;
    let field = trawl_store::HostField::TrapFamily(trawl_core::url_fingerprint(&family));
    let charged: u64 = a
        .store()
        .host_meta_get(host, &field)
        .await
        .unwrap()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert_eq!(charged, 3 * cap, "every calendar URL was charged");
    // One-URL families (articles under dated paths) are never refused and cost no store field.
    for n in 0..200u32 {
        let slug: String = n
            .to_string()
            .chars()
            .map(|d| char::from(b'a' + d.to_digit(10).unwrap_or(0) as u8))
            .collect();
        let url = format!("http://news.test/2024/05/12/story-{slug}");
        let s = a.admit_links(&[link(&url)], 1).await.unwrap();
        assert_eq!(s.accepted, 1, "{url}: {:?}", s.filtered);
        let family = guard
            .family_budget(&url::Url::parse(&url).unwrap())
            .unwrap()
            .expect("a dated path is calendar-like")
            .family;
        let field = trawl_store::HostField::TrapFamily(trawl_core::url_fingerprint(&family));
        assert_eq!(a.store().host_meta_get(host, &field).await.unwrap(), None);
    }
}

#[tokio::test]
async fn hub_families_turn_barren_on_pages_sampled_by_any_replica() {
    let (a, b, _broker) = pair().await;
    let host = "http://news.test:80";
    let listing = "http://news.test/tag/nothing-new";
    let barren = |f: &Frontier| f.is_barren_family("http://news.test/tag/still-nothing");
    // Three barren pages in all, spread over the replicas: the third report's replica knows.
    a.record_hub_yield(listing, host, 0).await.unwrap();
    b.record_hub_yield(listing, host, 0).await.unwrap();
    assert!(!barren(&a) && !barren(&b));
    b.record_hub_yield(listing, host, 0).await.unwrap();
    assert!(barren(&b), "3 pages in all, none productive");
    // a learns the totals with its next page of the family.
    a.record_hub_yield("http://news.test/tag/another", host, 0)
        .await
        .unwrap();
    assert!(barren(&a));
    // A productive page anywhere makes it productive again for that replica.
    b.record_hub_yield(listing, host, 2).await.unwrap();
    assert!(!barren(&b));
}
