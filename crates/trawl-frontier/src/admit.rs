//! Link admission: canonicalize → scope → depth → trap guard. The seen-set check
//! and queueing happen in the store ([`crate::Frontier`]); everything here is pure
//! (in-memory state only) and unit-tested.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, RwLock};

use serde::Serialize;
use trawl_core::{DiscoveredLink, LinkKind, TaskKind};
use trawl_store::QueuedUrl;
use trawl_url::{
    CanonRules, FamilyBudget, FilterReason, Scope, ScopeConfig, TrapConfig, TrapGuard,
};
use url::Url;

use crate::config::FrontierConfig;
use crate::counts::Counts;
use crate::schedule;

/// Trap families remembered per process by [`Admitter::note_family`] before the table is
/// cleared (about 3 MB).
const FAMILY_SEEN_CAPACITY: usize = 100_000;

/// What an admission round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AdmitSummary {
    pub discovered: u64,
    pub accepted: u64,
    /// Of `accepted`, the URLs queued as articles.
    pub accepted_articles: u64,
    pub deduped: u64,
    /// Filtered links by reason.
    pub filtered: Counts<FilterReason>,
}

/// Candidates that passed the pure checks (to be deduped by the store), and counts
/// of the rest.
#[derive(Debug, Default)]
pub struct Judged {
    pub discovered: u64,
    pub accepted: Vec<QueuedUrl>,
    pub rejected: HashMap<FilterReason, u64>,
}

/// What admission knows about the page a set of links came from.
#[derive(Debug, Clone)]
pub struct PageContext {
    /// The page's own URLs (requested, final after redirects, canonical).
    pub page_urls: Vec<String>,
    /// Sitemap and feed entries dated before `now - max_age` are filtered `too_old`.
    pub max_age: Option<std::time::Duration>,
    /// The links come from a re-poll of a seed, feed or sitemap: new article links are the
    /// freshest news and queue at priority 0, ahead of any backlog on their host.
    pub repoll: bool,
    /// The time to judge ages against.
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Default for PageContext {
    fn default() -> Self {
        PageContext {
            page_urls: Vec::new(),
            max_age: None,
            repoll: false,
            now: chrono::Utc::now(),
        }
    }
}

/// The pure half of admission.
pub struct Admitter {
    rules: CanonRules,
    scope: RwLock<Scope>,
    /// Static trap checks and family budgets; the counts live in the store.
    traps: TrapGuard,
    /// How many new URLs of each trap family this process has seen (by a hash of the family),
    /// so that only families with a second member are counted in the store
    /// ([`Admitter::note_family`]). Bounded: cleared when it reaches its capacity.
    family_seen: Mutex<HashMap<u128, u32>>,
    hubs: Mutex<schedule::HubYield>,
}

impl Admitter {
    pub fn new(cfg: &FrontierConfig) -> Self {
        let rules = CanonRules {
            extra_tracking_params: cfg.extra_tracking_params.clone(),
            ..CanonRules::default()
        };
        let scope_cfg = ScopeConfig {
            domains: cfg.allowed_domains.clone(),
            include_subdomains: cfg.include_subdomains,
            max_depth: cfg.max_depth,
            ..ScopeConfig::default()
        };
        // Bad domains were rejected by config validation; fall back to seed hosts only.
        let scope = Scope::new(&scope_cfg).unwrap_or_else(|_| {
            Scope::new(&ScopeConfig {
                max_depth: cfg.max_depth,
                include_subdomains: cfg.include_subdomains,
                ..ScopeConfig::default()
            })
            .expect("a scope without domains or patterns always builds")
        });
        Admitter {
            rules,
            scope: RwLock::new(scope),
            traps: TrapGuard::new(TrapConfig::default()),
            family_seen: Mutex::new(HashMap::new()),
            hubs: Mutex::new(schedule::HubYield::new(100_000)),
        }
    }

    /// Host names (lowercase, IDNA) of the URLs that parse.
    pub fn scope_hosts_of(&self, urls: &[String]) -> Vec<String> {
        let mut out: Vec<String> = urls
            .iter()
            .filter_map(|u| trawl_url::canonicalize(u, None, &self.rules).ok())
            .filter_map(|u| u.host_str().map(str::to_string))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Put hosts (as returned by [`Self::scope_hosts_of`]) in scope.
    pub fn add_scope_hosts(&self, hosts: &[String]) {
        if let Ok(mut scope) = self.scope.write() {
            for h in hosts {
                if let Ok(u) = Url::parse(&format!("http://{h}/")) {
                    scope.add_host(&u);
                }
            }
        }
    }

    /// Canonical fingerprints of URLs (those that canonicalize).
    pub fn fingerprints_of(&self, urls: &[String]) -> Vec<u128> {
        urls.iter()
            .filter_map(|u| trawl_url::canonicalize(u, None, &self.rules).ok())
            .map(|u| trawl_core::url_fingerprint(u.as_str()))
            .collect()
    }

    /// Judge seed URLs: canonical, http(s); scope is theirs by definition.
    pub fn judge_seeds(&self, urls: &[String]) -> Judged {
        let mut j = Judged {
            discovered: urls.len() as u64,
            ..Default::default()
        };
        for raw in urls {
            match trawl_url::canonicalize(raw, None, &self.rules) {
                Ok(u) => {
                    let kind = match schedule::task_kind(LinkKind::Page, &u) {
                        TaskKind::Feed if u.path().to_ascii_lowercase().contains("sitemap") => {
                            TaskKind::Sitemap
                        }
                        TaskKind::Feed => TaskKind::Feed,
                        _ => TaskKind::Seed,
                    };
                    j.accepted.push(QueuedUrl {
                        host: trawl_url::host_key(&u),
                        url: u.into(),
                        priority: schedule::priority(kind),
                        depth: 0,
                        kind,
                        attempt: 0,
                        update: None,
                    });
                }
                Err(e) => *j.rejected.entry(FilterReason::from(&e)).or_default() += 1,
            }
        }
        j
    }

    /// Judge links found on a page at `parent_depth`: canonical form, scope, depth
    /// and the stateless trap checks. (Per-family trap budgets are charged later, by
    /// [`Self::trap_budget`], for URLs the seen-set did not know.)
    pub fn judge_links(&self, links: &[DiscoveredLink], parent_depth: u32) -> Judged {
        self.judge_page_links(links, parent_depth, &PageContext::default())
    }

    /// [`Self::judge_links`] with what is known about the page the links came from: an
    /// alternate rendering (`…/amp`, `…/print`, `?amp=1`) of the page itself or of another link
    /// on it is a duplicate; dated sitemap/feed entries older than `ctx.max_age` are `too_old`;
    /// listing links of a barren family are skipped (but for probes) or demoted
    /// ([`schedule::family_verdict`]).
    pub fn judge_page_links(
        &self,
        links: &[DiscoveredLink],
        parent_depth: u32,
        ctx: &PageContext,
    ) -> Judged {
        let mut j = Judged {
            discovered: links.len() as u64,
            ..Default::default()
        };
        // The page's own names and every page link on it, canonical: the originals that make an
        // alternate rendering redundant.
        let on_page: HashSet<String> = ctx
            .page_urls
            .iter()
            .map(String::as_str)
            .chain(
                links
                    .iter()
                    .filter(|l| l.kind == LinkKind::Page)
                    .map(|l| l.url.as_str()),
            )
            .filter_map(|u| trawl_url::canonicalize(u, None, &self.rules).ok())
            .map(String::from)
            .collect();
        let mut seen_here: HashSet<String> = HashSet::new();
        let scope = match self.scope.read() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let traps = &self.traps;
        let hubs = match self.hubs.lock() {
            Ok(h) => h,
            Err(p) => p.into_inner(),
        };
        for link in links {
            let u = match trawl_url::canonicalize(&link.url, None, &self.rules) {
                Ok(u) => u,
                Err(e) => {
                    *j.rejected.entry(FilterReason::from(&e)).or_default() += 1;
                    continue;
                }
            };
            let depth = match link.kind {
                LinkKind::Page => parent_depth.saturating_add(1),
                _ => parent_depth,
            };
            if let Err(reason) = scope.check(&u, depth).and_then(|_| traps.check_static(&u)) {
                *j.rejected.entry(reason).or_default() += 1;
                continue;
            }
            if !seen_here.insert(u.as_str().to_string()) {
                // Same URL twice on one page: counts as a duplicate, like the seen-set would.
                *j.rejected.entry(FilterReason::Duplicate).or_default() += 1;
                continue;
            }
            if matches!(link.kind, LinkKind::Sitemap | LinkKind::Feed)
                && schedule::entry_too_old(
                    link.published.map(|d| d.with_timezone(&chrono::Utc)),
                    ctx.now,
                    ctx.max_age,
                )
            {
                *j.rejected.entry(FilterReason::TooOld).or_default() += 1;
                continue;
            }
            if link.kind == LinkKind::Page
                && schedule::alternate_original(&u)
                    .is_some_and(|o| o != u && on_page.contains(o.as_str()))
            {
                // The original is the page itself or linked beside it.
                *j.rejected.entry(FilterReason::Duplicate).or_default() += 1;
                continue;
            }
            let kind = schedule::task_kind(link.kind, &u);
            let barren = matches!(kind, TaskKind::Listing | TaskKind::Article)
                && link.kind == LinkKind::Page
                && hubs.is_barren(&u);
            let priority = match schedule::family_verdict(kind, barren, &u) {
                schedule::FamilyVerdict::Queue => schedule::admitted_priority(kind, &u, ctx.repoll),
                schedule::FamilyVerdict::Demote => schedule::BARREN_HUB_PRIORITY,
                schedule::FamilyVerdict::Skip => {
                    *j.rejected.entry(FilterReason::BarrenFamily).or_default() += 1;
                    continue;
                }
            };
            j.accepted.push(QueuedUrl {
                host: trawl_url::host_key(&u),
                priority,
                url: u.into(),
                depth,
                kind,
                attempt: 0,
                update: None,
            });
        }
        j
    }

    /// A page at `url` was fetched and found `new_articles` new articles (new article links
    /// queued, or itself a new article): feeds the barren-family rule ([`schedule::HubYield`]).
    pub fn record_hub_yield(&self, url: &str, new_articles: u64) {
        let Ok(u) = Url::parse(url) else { return };
        match self.hubs.lock() {
            Ok(mut h) => h.record(&u, new_articles),
            Err(p) => p.into_inner().record(&u, new_articles),
        }
    }

    /// Set the crawl-wide counts of `url`'s hub family (pages fetched, pages that found a new
    /// article), as read back from the store; see [`schedule::hub_increment`].
    pub fn set_hub_yield(&self, url: &str, pages: u32, found: u64) {
        let Ok(u) = Url::parse(url) else { return };
        match self.hubs.lock() {
            Ok(mut h) => h.set(&u, pages, found),
            Err(p) => p.into_inner().set(&u, pages, found),
        }
    }

    /// Whether `url`'s hub family is barren as this process knows it.
    pub fn is_barren(&self, url: &str) -> bool {
        let Ok(u) = Url::parse(url) else { return false };
        match self.hubs.lock() {
            Ok(h) => h.is_barren(&u),
            Err(p) => p.into_inner().is_barren(&u),
        }
    }

    /// Whether a queued URL is to be dropped when its turn comes: a listing link (not a seed)
    /// whose family turned barren after it was queued, and not one of the family's probes. Links
    /// of a family are usually all queued before any is fetched, so the verdict is applied again
    /// here, at dispatch.
    pub fn skip_at_dispatch(&self, item: &QueuedUrl) -> bool {
        if item.kind != TaskKind::Listing || item.depth == 0 {
            return false;
        }
        let Ok(u) = Url::parse(&item.url) else {
            return false;
        };
        let barren = match self.hubs.lock() {
            Ok(h) => h.is_barren(&u),
            Err(p) => p.into_inner().is_barren(&u),
        };
        schedule::family_verdict(item.kind, barren, &u) == schedule::FamilyVerdict::Skip
    }

    /// The canonical original of a queued alternate rendering (`schedule::alternate_original`:
    /// `…/amp`, `…/print`, `?outputType=amp`) found by a link, or `None`. When the original is
    /// already known by its turn, the alternate is not fetched.
    pub fn alternate_original(&self, item: &QueuedUrl) -> Option<String> {
        if item.depth == 0 || !matches!(item.kind, TaskKind::Article | TaskKind::Listing) {
            return None;
        }
        let u = Url::parse(&item.url).ok()?;
        let original = schedule::alternate_original(&u).filter(|o| *o != u)?;
        trawl_url::canonicalize(original.as_str(), None, &self.rules)
            .ok()
            .map(String::from)
    }

    /// Count one more new URL of trap family `family` in this process; returns the count.
    /// The frontier charges the store only from a family's second URL on (the second charge
    /// counts the first URL too), so the many one-URL families (an article under a dated path
    /// is its own family) cost no Redis call and no Redis memory.
    pub fn note_family(&self, family: &str) -> u32 {
        let key = trawl_core::url_fingerprint(family);
        let mut g = self.family_seen.lock().unwrap_or_else(|p| p.into_inner());
        if g.len() >= FAMILY_SEEN_CAPACITY && !g.contains_key(&key) {
            g.clear();
        }
        let n = g.entry(key).or_default();
        *n = n.saturating_add(1);
        *n
    }

    /// The spider-trap family budget a new (not previously seen) URL is charged to, if any
    /// (seeds are never charged). The frontier keeps the counts in the store
    /// (`host_meta_incr(host, HostField::TrapFamily(<family fingerprint>))`), so every replica charges the same
    /// budget. `Err`: refused by a static trap check.
    pub fn trap_budget(&self, item: &QueuedUrl) -> Result<Option<FamilyBudget>, FilterReason> {
        if item.depth == 0 {
            return Ok(None);
        }
        let Ok(u) = Url::parse(&item.url) else {
            return Err(FilterReason::Invalid);
        };
        self.traps.family_budget(&u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admitter() -> Admitter {
        let a = Admitter::new(&FrontierConfig::default());
        a.add_scope_hosts(&["news.test".to_string()]);
        a
    }

    fn page(u: &str) -> DiscoveredLink {
        DiscoveredLink::new(u.to_string(), LinkKind::Page)
    }

    #[test]
    fn alternates_name_their_canonical_original() {
        let a = Admitter::new(&FrontierConfig::default());
        let item = |u: &str, kind: TaskKind, depth: u32| QueuedUrl {
            url: u.to_string(),
            host: "http://news.test:80".into(),
            priority: 2,
            depth,
            kind,
            attempt: 0,
            update: None,
        };
        let orig = |u: &str, kind, depth| a.alternate_original(&item(u, kind, depth));
        assert_eq!(
            orig(
                "http://news.test/world/a-long-story/amp",
                TaskKind::Article,
                2
            )
            .as_deref(),
            Some("http://news.test/world/a-long-story")
        );
        assert_eq!(
            orig(
                "http://news.test/world/a-long-story?outputType=amp",
                TaskKind::Listing,
                1
            )
            .as_deref(),
            Some("http://news.test/world/a-long-story")
        );
        assert_eq!(
            orig("http://news.test/world/a-long-story", TaskKind::Article, 2),
            None
        );
        // A seed is fetched as given; feeds are not renderings.
        assert_eq!(
            orig(
                "http://news.test/world/a-long-story/amp",
                TaskKind::Article,
                0
            ),
            None
        );
        assert_eq!(orig("http://news.test/feed/amp", TaskKind::Feed, 1), None);
    }

    #[test]
    fn listing_links_of_a_barren_family_queue_last() {
        let a = admitter();
        let links = [
            page("http://news.test/tag/brexit"),
            page("http://news.test/section/world"),
            page("http://news.test/2024/05/01/a-long-article-slug-here"),
        ];
        let prio = |a: &Admitter| -> Vec<u8> {
            a.judge_links(&links, 0)
                .accepted
                .iter()
                .map(|q| q.priority)
                .collect()
        };
        assert_eq!(prio(&a), vec![2, 2, 1]);
        for t in ["x", "y", "z"] {
            a.record_hub_yield(&format!("http://news.test/tag/{t}"), 0);
            a.record_hub_yield(&format!("http://news.test/section/{t}"), 2);
        }
        // The barren tag family: skipped, but for the probes, which queue last.
        let tags: Vec<DiscoveredLink> = (0..64)
            .map(|i| page(&format!("http://news.test/tag/t{i}")))
            .collect();
        let j = a.judge_links(&tags, 0);
        assert!(
            !j.accepted.is_empty() && j.accepted.len() < 16,
            "{}",
            j.accepted.len()
        );
        assert!(j
            .accepted
            .iter()
            .all(|q| q.priority == schedule::BARREN_HUB_PRIORITY));
        assert_eq!(
            j.rejected.get(&FilterReason::BarrenFamily).copied(),
            Some(64 - j.accepted.len() as u64)
        );
        let p = prio(&a);
        assert_eq!(p[p.len() - 2..], [2, 1], "sections and articles unaffected");
        // Already-queued links of the family are dropped at dispatch, but for the probes.
        let queued = |u: &str, kind: TaskKind, depth: u32| QueuedUrl {
            url: u.to_string(),
            host: "http://news.test:80".into(),
            priority: 2,
            depth,
            kind,
            attempt: 0,
            update: None,
        };
        let skipped = (0..64)
            .filter(|i| {
                a.skip_at_dispatch(&queued(
                    &format!("http://news.test/tag/t{i}"),
                    TaskKind::Listing,
                    1,
                ))
            })
            .count();
        assert_eq!(skipped, 64 - j.accepted.len());
        assert!(!a.skip_at_dispatch(&queued("http://news.test/tag/zz", TaskKind::Listing, 0)));
        assert!(!a.skip_at_dispatch(&queued(
            "http://news.test/section/world",
            TaskKind::Listing,
            1
        )));
    }

    #[test]
    fn alternates_of_the_page_or_its_links_are_duplicates() {
        let a = admitter();
        let ctx = PageContext {
            page_urls: vec!["http://news.test/news/world/a-long-story-1".into()],
            ..PageContext::default()
        };
        let j = a.judge_page_links(
            &[
                page("http://news.test/news/world/a-long-story-1/print"),
                page("http://news.test/news/world/other-story-2/amp"),
                page("http://news.test/news/world/third-story-3/amp"),
                page("http://news.test/news/world/third-story-3"),
            ],
            0,
            &ctx,
        );
        let urls: Vec<&str> = j.accepted.iter().map(|q| q.url.as_str()).collect();
        assert_eq!(
            urls,
            vec![
                "http://news.test/news/world/other-story-2/amp",
                "http://news.test/news/world/third-story-3"
            ]
        );
        assert_eq!(j.rejected.get(&FilterReason::Duplicate), Some(&2));
    }

    #[test]
    fn dated_entries_older_than_max_age_are_too_old() {
        let a = admitter();
        let now = chrono::Utc::now();
        let entry = |u: &str, days: i64, kind: LinkKind| DiscoveredLink {
            published: Some((now - chrono::Duration::days(days)).fixed_offset()),
            ..DiscoveredLink::new(u, kind)
        };
        let links = [
            entry("http://news.test/a/old-story-slug-1", 30, LinkKind::Sitemap),
            entry("http://news.test/a/new-story-slug-2", 1, LinkKind::Sitemap),
            entry("http://news.test/a/old-feed-item-3", 30, LinkKind::Feed),
            entry("http://news.test/a/dated-page-link-4", 30, LinkKind::Page),
            DiscoveredLink::new("http://news.test/a/undated-entry-5", LinkKind::Sitemap),
        ];
        let week = PageContext {
            max_age: Some(std::time::Duration::from_secs(7 * 86_400)),
            now,
            ..PageContext::default()
        };
        let j = a.judge_page_links(&links, 0, &week);
        assert_eq!(j.accepted.len(), 3);
        assert!(j.accepted.iter().all(|q| q.priority == 1));
        let repoll = PageContext {
            repoll: true,
            ..week.clone()
        };
        let j = a.judge_page_links(&links, 0, &repoll);
        assert!(
            j.accepted.iter().all(|q| q.priority == 0),
            "fresh news first"
        );
        assert_eq!(j.rejected.get(&FilterReason::TooOld), Some(&2));
        assert_eq!(a.judge_links(&links, 0).accepted.len(), 5, "no limit");
    }

    #[test]
    fn tracking_params_and_fragments_collapse_to_one_url() {
        let a = admitter();
        let j = a.judge_links(
            &[
                page("http://news.test/world/some-long-article-slug?utm_source=x#top"),
                page("http://NEWS.test:80/world/some-long-article-slug"),
            ],
            0,
        );
        assert_eq!(j.accepted.len(), 1);
        assert_eq!(
            j.accepted[0].url,
            "http://news.test/world/some-long-article-slug"
        );
        assert_eq!(j.accepted[0].host, "http://news.test:80");
        assert_eq!(j.accepted[0].depth, 1);
        assert_eq!(j.rejected.get(&FilterReason::Duplicate), Some(&1));
    }

    #[test]
    fn out_of_scope_bad_scheme_and_too_deep_are_filtered_with_reasons() {
        let a = admitter();
        let j = a.judge_links(
            &[
                page("http://elsewhere.test/a"),
                page("mailto:someone@news.test"),
            ],
            0,
        );
        assert!(j.accepted.is_empty());
        assert_eq!(j.rejected.get(&FilterReason::OutOfScope), Some(&1));
        assert_eq!(j.rejected.get(&FilterReason::BadScheme), Some(&1));
        let deep = a.judge_links(
            &[page("http://news.test/deep")],
            FrontierConfig::default().max_depth,
        );
        assert_eq!(deep.rejected.get(&FilterReason::TooDeep), Some(&1));
    }

    #[test]
    fn sitemap_links_keep_their_parent_depth() {
        let a = admitter();
        let j = a.judge_links(
            &[DiscoveredLink::new(
                "http://news.test/sitemap-2.xml",
                LinkKind::Sitemap,
            )],
            3,
        );
        assert_eq!(j.accepted[0].depth, 3);
        assert_eq!(j.accepted[0].kind, TaskKind::Sitemap);
        assert_eq!(j.accepted[0].priority, 0);
    }

    #[test]
    fn seeds_define_the_scope_and_invalid_seeds_are_counted() {
        let a = Admitter::new(&FrontierConfig::default());
        let seeds = vec![
            "http://One.test/".to_string(),
            "http://two.test/feed.xml".to_string(),
            "not a url".to_string(),
            "http://two.test/sitemap_index.xml".to_string(),
        ];
        let hosts = a.scope_hosts_of(&seeds);
        assert_eq!(hosts, vec!["one.test".to_string(), "two.test".to_string()]);
        a.add_scope_hosts(&hosts);
        let j = a.judge_seeds(&seeds);
        assert_eq!(j.accepted.len(), 3);
        assert_eq!(j.accepted[0].kind, TaskKind::Seed);
        assert_eq!(j.accepted[1].kind, TaskKind::Feed);
        assert_eq!(j.accepted[2].kind, TaskKind::Sitemap);
        assert_eq!(j.rejected.values().sum::<u64>(), 1);
        let links = a.judge_links(&[page("http://one.test/x/a-long-article-name-here")], 0);
        assert_eq!(links.accepted.len(), 1);
    }

    #[test]
    fn endless_calendars_share_one_family_budget() {
        let a = admitter();
        let mut families = HashSet::new();
        for day in 0..500 {
            let d = 1 + day % 28;
            let m = 1 + (day / 28) % 12;
            let y = 2000 + day / 336;
            let link = page(&format!(
                "http://news.test/calendar?date={y:04}-{m:02}-{d:02}"
            ));
            let j = a.judge_links(&[link], 1);
            for item in &j.accepted {
                let b = a.trap_budget(item).unwrap().expect("a calendar URL");
                assert_eq!(b.cap, TrapConfig::default().max_calendar_per_family);
                assert_eq!(b.reason, FilterReason::TrapCalendar);
                families.insert(b.family);
            }
        }
        assert_eq!(families.len(), 1, "{families:?}");
        // Seeds are never charged.
        let seed = QueuedUrl {
            depth: 0,
            ..a.judge_links(&[page("http://news.test/calendar?date=2024-01-01")], 1)
                .accepted[0]
                .clone()
        };
        assert_eq!(a.trap_budget(&seed), Ok(None));
    }

    #[test]
    fn subdomains_only_when_configured() {
        let cfg = FrontierConfig {
            include_subdomains: true,
            ..Default::default()
        };
        let a = Admitter::new(&cfg);
        a.add_scope_hosts(&["news.test".to_string()]);
        let j = a.judge_links(
            &[
                page("http://sub.news.test/a"),
                page("http://evilnews.test/a"),
            ],
            0,
        );
        assert_eq!(j.accepted.len(), 1);
        assert_eq!(j.rejected.get(&FilterReason::OutOfScope), Some(&1));
    }
}
