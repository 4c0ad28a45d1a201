//! Pure scheduling decisions. No I/O, no clocks: callers pass times in.

use std::time::Duration;

use trawl_core::politeness::Response;
use trawl_core::{FetchOutcome, FetchReport, LinkKind, TaskKind, UpdateCheck};

/// Queue priority of a task kind: 0 first. Seeds, sitemaps and feeds lead discovery,
/// then fresh article links, then listings.
pub fn priority(kind: TaskKind) -> u8 {
    match kind {
        TaskKind::Seed | TaskKind::Sitemap | TaskKind::Feed => 0,
        TaskKind::Article => 1,
        TaskKind::Listing => 2,
    }
}

/// Priority of a URL of `kind`: like [`priority`], but alternate renderings of a page
/// (AMP and print versions, by the URL conventions news sites share) wait behind
/// everything else, so that when both are known the original is fetched first and
/// wins the near-duplicate check.
pub fn url_priority(kind: TaskKind, url: &url::Url) -> u8 {
    let p = priority(kind);
    if p > 0 && is_alternate_rendering(url) {
        3
    } else {
        p
    }
}

/// The priority of a link admitted from a page: [`url_priority`], except that an article link
/// found by a re-poll of a source is the news and goes first (priority 0, ahead of the host's
/// backlog) — unless it is an alternate rendering (`…/amp`, `?outputType=amp`), which still waits
/// behind originals, so that by its turn its original is usually known and it is not fetched.
pub fn admitted_priority(kind: TaskKind, url: &url::Url, repoll: bool) -> u8 {
    if repoll && kind == TaskKind::Article && !is_alternate_rendering(url) {
        priority(TaskKind::Seed)
    } else {
        url_priority(kind, url)
    }
}

fn is_alternate_rendering(url: &url::Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    let segs = path.split('/').filter(|s| !s.is_empty());
    let alt_seg = |s: &str| matches!(s, "amp" | "print" | "printable" | "amp.html");
    path.ends_with(".amp")
        || path.ends_with(".amp.html")
        || segs.into_iter().any(alt_seg)
        || url
            .query_pairs()
            .any(|(k, _)| matches!(k.as_ref(), "amp" | "outputtype" | "print"))
}

/// What a discovered link is expected to be. Page links are guessed from the URL
/// shape: an article URL usually ends in a long slug or an id.
pub fn task_kind(link: LinkKind, url: &url::Url) -> TaskKind {
    match link {
        LinkKind::Sitemap | LinkKind::RobotsSitemap => {
            if looks_like_feed_or_sitemap(url) {
                TaskKind::Sitemap
            } else {
                // A <loc> in a urlset is a page; a sitemap index child ends in .xml.
                TaskKind::Article
            }
        }
        LinkKind::Feed => TaskKind::Article,
        LinkKind::Canonical => TaskKind::Article,
        LinkKind::Page => {
            if looks_like_feed_or_sitemap(url) {
                TaskKind::Feed
            } else if looks_like_article(url) {
                TaskKind::Article
            } else {
                TaskKind::Listing
            }
        }
    }
}

fn looks_like_feed_or_sitemap(url: &url::Url) -> bool {
    let p = url.path().to_ascii_lowercase();
    p.ends_with(".xml")
        || p.ends_with(".xml.gz")
        || p.ends_with(".rss")
        || p.ends_with(".atom")
        || p.ends_with("/feed")
        || p.ends_with("/rss")
}

fn looks_like_article(url: &url::Url) -> bool {
    let last = url
        .path_segments()
        .and_then(|mut s| s.rfind(|seg| !seg.is_empty()))
        .unwrap_or("");
    let digits = last.chars().filter(|c| c.is_ascii_digit()).count();
    let dashes = last.matches('-').count();
    dashes >= 2 || digits >= 4 || last.len() >= 24
}

/// How many hosts one frontier replica leases in a dispatch round: its part of the room left
/// under `queue_target` in the task queue, in proportion to the shards it holds (`owned` of
/// `total`), rounded up, so that R replicas together keep about `queue_target` tasks waiting
/// rather than R times as many. One replica holding every shard gets the whole room.
pub fn dispatch_budget(queue_target: usize, waiting: usize, owned: usize, total: usize) -> usize {
    let room = queue_target.saturating_sub(waiting);
    if owned == 0 || total == 0 || room == 0 {
        return 0;
    }
    if owned >= total {
        return room;
    }
    room.saturating_mul(owned).div_ceil(total)
}

#[cfg(test)]
mod budget_tests {
    use super::dispatch_budget;

    #[test]
    fn dispatch_budget_is_the_owned_part_of_the_room() {
        assert_eq!(dispatch_budget(200, 0, 16, 16), 200);
        assert_eq!(dispatch_budget(200, 50, 16, 16), 150);
        assert_eq!(dispatch_budget(200, 0, 8, 16), 100);
        assert_eq!(dispatch_budget(200, 0, 6, 16), 75);
        assert_eq!(dispatch_budget(200, 199, 1, 16), 1, "rounded up");
        assert_eq!(dispatch_budget(200, 200, 8, 16), 0);
        assert_eq!(dispatch_budget(200, 500, 8, 16), 0);
        assert_eq!(dispatch_budget(200, 0, 0, 16), 0);
        assert_eq!(dispatch_budget(200, 0, 3, 0), 0);
        assert_eq!(dispatch_budget(usize::MAX, 0, 5, 16), usize::MAX / 16 + 1);
        // The replicas' budgets add up to the room (give or take rounding).
        let parts: usize = [6, 6, 4]
            .iter()
            .map(|&o| dispatch_budget(200, 20, o, 16))
            .sum();
        assert!((180..=183).contains(&parts), "{parts}");
    }
}

/// Queue priority of listing URLs whose family has proven barren (see [`HubYield`]): behind
/// everything else, alternate renderings included.
pub const BARREN_HUB_PRIORITY: u8 = 4;

/// Listing pages of a family fetched before the family can be judged barren.
pub const HUB_SAMPLE: u32 = 3;

/// The family a listing URL belongs to, for [`HubYield`]: its host, its first path segment and
/// its number of segments, and whether it has a query (`/tag/a`, `/tag/b` are one family;
/// `/section/world?page=2` and `/section/sport?page=3` another).
pub fn hub_family(url: &url::Url) -> String {
    let mut segs = url
        .path_segments()
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty());
    let first = segs.next().unwrap_or("").to_ascii_lowercase();
    let depth = 1 + segs.count();
    format!(
        "{}|{}|{}|{}",
        url.host_str().unwrap_or(""),
        first,
        depth,
        if url.query().is_some() { "?" } else { "" }
    )
}

/// How productive each listing-URL family has been: pages fetched and new article links they
/// yielded. A family whose first [`HUB_SAMPLE`] pages yielded no new article link (tag clouds,
/// author archives, deep pagination of sections already covered) is *barren*: its further URLs
/// queue at [`BARREN_HUB_PRIORITY`], after every article and productive hub, so a crawl under
/// politeness spends its host slots on what finds articles first. No I/O; bounded (the table is
/// cleared when it reaches its capacity, which only forgets demotions).
#[derive(Debug)]
pub struct HubYield {
    families: std::collections::HashMap<String, (u32, u64)>,
    capacity: usize,
}

impl HubYield {
    pub fn new(capacity: usize) -> Self {
        HubYield {
            families: std::collections::HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    /// A listing page of `url`'s family was fetched and yielded `new_articles` new article links.
    pub fn record(&mut self, url: &url::Url, new_articles: u64) {
        if self.families.len() >= self.capacity {
            self.families.clear();
        }
        let e = self.families.entry(hub_family(url)).or_default();
        e.0 = e.0.saturating_add(1);
        e.1 = e.1.saturating_add(new_articles);
    }

    /// Replace the counts of `url`'s family with crawl-wide totals (read back from the store,
    /// where every frontier replica adds its pages: [`hub_increment`], [`hub_totals`]).
    pub fn set(&mut self, url: &url::Url, pages: u32, found: u64) {
        let family = hub_family(url);
        if self.families.len() >= self.capacity && !self.families.contains_key(&family) {
            self.families.clear();
        }
        self.families.insert(family, (pages, found));
    }

    /// Whether `url`'s family is barren (sampled enough, no new article found).
    pub fn is_barren(&self, url: &url::Url) -> bool {
        self.families
            .get(&hub_family(url))
            .is_some_and(|&(pages, found)| pages >= HUB_SAMPLE && found == 0)
    }
}

/// One fetched page of a hub family as an increment of its store counter (the host's metadata
/// field `hub:<family fingerprint>`): pages in the high 32 bits, productive pages (that found at
/// least one new article) in the low 32, so one `HINCRBY` records both and returns the totals.
pub fn hub_increment(new_articles: u64) -> i64 {
    (1i64 << 32) + i64::from(new_articles > 0)
}

/// (pages, productive pages) from a hub counter built by [`hub_increment`]; a negative or
/// garbage value counts as nothing recorded.
pub fn hub_totals(counter: i64) -> (u32, u64) {
    if counter < 0 {
        return (0, 0);
    }
    let pages = u32::try_from(counter >> 32).unwrap_or(u32::MAX);
    (pages, (counter & 0xffff_ffff) as u64)
}

#[cfg(test)]
mod hub_counter_tests {
    use super::*;

    #[test]
    fn hub_counters_pack_pages_and_productive_pages() {
        let mut c = 0i64;
        for found in [0, 0, 5, 0, 1] {
            c += hub_increment(found);
        }
        assert_eq!(hub_totals(c), (5, 2));
        assert_eq!(hub_totals(0), (0, 0));
        assert_eq!(hub_totals(-7), (0, 0));
        assert_eq!(hub_totals(i64::MAX), (u32::MAX >> 1, 0xffff_ffff));
        // Crawl-wide totals make a family barren everywhere.
        let u = url::Url::parse("http://a.test/tag/x").unwrap();
        let mut y = HubYield::new(10);
        y.set(&u, 2, 0);
        assert!(!y.is_barren(&u));
        y.set(&u, HUB_SAMPLE, 0);
        assert!(y.is_barren(&u));
        y.set(&u, HUB_SAMPLE + 1, 1);
        assert!(!y.is_barren(&u));
    }
}

/// Of the further listing URLs of a barren family, one in this many (by a hash of the URL, so
/// the same URL always gets the same answer) is still queued, as a probe at
/// [`BARREN_HUB_PRIORITY`]; the rest are filtered (`barren_family`). A probe that finds a new
/// article makes the family productive again.
pub const BARREN_PROBE_EVERY: u64 = 16;

/// Whether `url` is one of the probes of its barren family (see [`BARREN_PROBE_EVERY`]).
pub fn is_barren_probe(url: &url::Url) -> bool {
    // FNV-1a: stable across processes and builds, unlike std's RandomState.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in url.as_str().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h.is_multiple_of(BARREN_PROBE_EVERY)
}

/// What admission does with a link, given its family's yield so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyVerdict {
    /// Queue at the usual priority.
    Queue,
    /// Queue, but behind everything else ([`BARREN_HUB_PRIORITY`]).
    Demote,
    /// Do not queue (filtered `barren_family`).
    Skip,
}

/// The verdict for a link of `kind` whose family is `barren` (see [`HubYield`]): listing-shaped
/// URLs of a barren family are skipped but for one probe in [`BARREN_PROBE_EVERY`]; article-shaped
/// ones are only demoted (recall first: an article URL is never dropped on a guess).
pub fn family_verdict(kind: TaskKind, barren: bool, url: &url::Url) -> FamilyVerdict {
    match (barren, kind) {
        (false, _) => FamilyVerdict::Queue,
        (true, TaskKind::Listing) if is_barren_probe(url) => FamilyVerdict::Demote,
        (true, TaskKind::Listing) => FamilyVerdict::Skip,
        (true, TaskKind::Article) => FamilyVerdict::Demote,
        (true, _) => FamilyVerdict::Queue,
    }
}

/// The original of an alternate rendering, by the URL conventions news sites share: a last path
/// segment `amp` or `print` (`/news/a/story/amp` → `/news/a/story`), a `.amp`/`.amp.html` suffix,
/// or an `amp`/`print`/`outputType` query parameter (removed). `None` when `url` is not one.
pub fn alternate_original(url: &url::Url) -> Option<url::Url> {
    let mut out = url.clone();
    let mut changed = false;
    let path = url.path();
    let trimmed = path.trim_end_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or("");
    if matches!(last.to_ascii_lowercase().as_str(), "amp" | "print")
        && trimmed.len() > last.len() + 1
    {
        out.set_path(&trimmed[..trimmed.len() - last.len() - 1]);
        changed = true;
    } else {
        let lower = path.to_ascii_lowercase();
        for suffix in [".amp.html", ".amp"] {
            if lower.ends_with(suffix) && path.len() > suffix.len() + 1 {
                out.set_path(&path[..path.len() - suffix.len()]);
                changed = true;
                break;
            }
        }
    }
    if url.query().is_some() {
        let is_alt = |k: &str| {
            matches!(
                k.to_ascii_lowercase().as_str(),
                "amp" | "print" | "outputtype"
            )
        };
        if url.query_pairs().any(|(k, _)| is_alt(&k)) {
            let kept: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, _)| !is_alt(k))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            if kept.is_empty() {
                out.set_query(None);
            } else {
                out.query_pairs_mut().clear().extend_pairs(kept);
            }
            changed = true;
        }
    }
    changed.then_some(out)
}

/// Whether a sitemap or feed entry published (or last modified) at `published` is older than
/// `max_age` at `now`, and so skipped. Entries without a date are never too old; `None` as the
/// age means no limit. A date in the future is not old.
pub fn entry_too_old(
    published: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
    max_age: Option<Duration>,
) -> bool {
    let (Some(published), Some(max_age)) = (published, max_age) else {
        return false;
    };
    let Ok(max_age) = chrono::Duration::from_std(max_age) else {
        return false;
    };
    now.signed_duration_since(published) > max_age
}

/// The next re-poll interval of a source (seed, feed, sitemap) after a poll that found `new`
/// new article links. It aims at about one new article per poll: none → the interval grows by
/// half; exactly one → it shrinks by a tenth (about right, creep towards fresher); two or more
/// → it is halved (articles waited for the poll). Always within `[min, max]` (a source never
/// waits less than `min` nor more than `max`, whatever its history). Several sources of one host
/// (home page, feed, sitemaps) share its news: each article is new to the first that lists it,
/// so the redundant ones drift to `max` and the host's polls settle near one per new article.
/// The host's politeness delay still applies on top: a due source waits for its host's slot.
pub fn next_poll_interval(previous: Duration, new: u64, min: Duration, max: Duration) -> Duration {
    let max = max.max(min);
    let next = match new {
        0 => previous + previous / 2,
        1 => previous.mul_f64(0.9),
        _ => previous / 2,
    };
    next.clamp(min, max)
}

/// What the frontier does with a finished task.
#[derive(Debug, Clone, PartialEq)]
pub enum Disposition {
    /// Finished (successfully or permanently failed): nothing more to do.
    Done,
    /// Try again after `after`, as attempt number `attempt` (0-based).
    Retry { attempt: u32, after: Duration },
    /// Give up: send to the dead-letter queue with this reason.
    DeadLetter { reason: String },
}

/// Retry policy: transient fetch outcomes and processing failures are retried with
/// exponential backoff (steps of 2 s, 4 s, 8 s … capped at 5 min, each retry between half and
/// all of its step: `trawl_core::backoff`) until `max_attempts` attempts were made, then
/// dead-lettered; everything else is done. `jitter` in [0, 1] spreads retries (pass a random
/// number).
pub fn disposition(report: &FetchReport, max_attempts: u32, jitter: f64) -> Disposition {
    let failed_reason = if let Some(e) = &report.process_error {
        Some(format!("process_error: {e}"))
    } else if report.outcome.is_transient() {
        Some(match &report.error {
            Some(e) => format!("{}: {e}", report.outcome),
            None => report.outcome.to_string(),
        })
    } else {
        None
    };
    let Some(reason) = failed_reason else {
        return Disposition::Done;
    };
    let next = report.attempt + 1;
    if next >= max_attempts.max(1) {
        return Disposition::DeadLetter {
            reason: format!("{reason} (after {next} attempts)"),
        };
    }
    let after = trawl_core::backoff::delay(
        Duration::from_secs(2),
        Duration::from_secs(300),
        report.attempt,
        jitter,
    );
    Disposition::Retry {
        attempt: next,
        after,
    }
}

/// What the politeness rule (`trawl_core::politeness`) needs to know of a report's fetch: how
/// long it took, its status, its Retry-After, whether it timed out.
pub fn report_response(r: &FetchReport) -> Response {
    Response {
        elapsed: Duration::try_from_secs_f64(r.elapsed_seconds.clamp(0.0, 3600.0))
            .unwrap_or_default(),
        status: r.status,
        retry_after: report_retry_after(r),
        timed_out: r.outcome == FetchOutcome::Timeout,
    }
}

/// The Retry-After a report carries, or `None`.
pub fn report_retry_after(r: &FetchReport) -> Option<Duration> {
    r.retry_after_seconds
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
}

/// Whether a finished fetch of this kind is fetched again later.
pub fn recrawls(kind: TaskKind, outcome: FetchOutcome) -> bool {
    matches!(kind, TaskKind::Seed | TaskKind::Feed | TaskKind::Sitemap)
        && matches!(outcome, FetchOutcome::Ok | FetchOutcome::NotModified)
}

/// The next update check of an article whose check `done` was the last (0: none yet): the
/// first of `checks` (offsets from `anchor_ms`, ascending) still ahead of `now_ms`, as its
/// number (1-based) and due time. Checks already past are skipped (an article first fetched
/// 5 h after publication starts with the 6 h check); `None` once the window is over.
pub fn next_update_check(
    checks: &[Duration],
    anchor_ms: i64,
    done: u32,
    now_ms: u64,
) -> Option<(u32, u64)> {
    checks
        .iter()
        .enumerate()
        .skip(done as usize)
        .map(|(i, d)| {
            let due = anchor_ms.saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            (u32::try_from(i + 1).unwrap_or(u32::MAX), due)
        })
        .find(|(_, due)| *due > i64::try_from(now_ms).unwrap_or(i64::MAX))
        .map(|(n, due)| (n, due.max(0) as u64))
}

/// What a finished article fetch leaves to check later (updates and corrections): the
/// [`UpdateCheck`] to queue and when, or `None` (no checks configured, not an article, not
/// published, a duplicate, gone, or the window is over).
///
/// The anchor is the article's publication time when the page states one (never later than
/// the fetch), else the first fetch; a re-check keeps the anchor, version and digest it
/// carried unless this fetch published a new version.
pub fn follow_up(
    report: &FetchReport,
    checks: &[Duration],
    now_ms: u64,
) -> Option<(UpdateCheck, u64)> {
    if checks.is_empty() || !matches!(report.kind, TaskKind::Article | TaskKind::Listing) {
        return None;
    }
    let prev = report.update.as_ref();
    let (version, digest) = match report.outcome {
        FetchOutcome::Ok if report.is_article => (
            report.article_version.or(prev.map(|u| u.version))?,
            report
                .content_digest
                .clone()
                .or(prev.map(|u| u.digest.clone()))?,
        ),
        FetchOutcome::NotModified => (prev?.version, prev?.digest.clone()),
        _ => return None,
    };
    let anchor_ms = match prev {
        Some(u) => u.anchor_ms,
        None => {
            let fetched = report.fetched_at.timestamp_millis();
            report
                .published_at
                .map_or(fetched, |p| p.timestamp_millis().min(fetched))
        }
    };
    let (n, due) = next_update_check(checks, anchor_ms, prev.map_or(0, |u| u.n), now_ms)?;
    Some((
        UpdateCheck {
            n,
            version,
            digest,
            anchor_ms,
        },
        due,
    ))
}

/// The `result` label of an update check's report: `changed`, `unchanged`, `not_modified`
/// or `ended` (gone, moved, no longer an article, or failed for good).
pub fn update_result(report: &FetchReport) -> Option<&'static str> {
    let prev = report.update.as_ref()?;
    Some(match report.outcome {
        FetchOutcome::NotModified => "not_modified",
        FetchOutcome::Ok if report.is_article => match report.article_version {
            Some(v) if v > prev.version => "changed",
            _ => "unchanged",
        },
        _ => "ended",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn report(outcome: FetchOutcome, attempt: u32) -> FetchReport {
        FetchReport {
            schema_version: 1,
            task_id: "t".into(),
            url: "http://a.test/".into(),
            host: "http://a.test:80".into(),
            kind: TaskKind::Article,
            depth: 0,
            attempt,
            outcome,
            status: None,
            final_url: None,
            redirects: vec![],
            links: vec![],
            links_robots_denied: 0,
            article_id: None,
            content_fingerprint: None,
            content_digest: None,
            published_at: None,
            article_version: None,
            update: None,
            is_article: false,
            canonical_url: None,
            etag: None,
            last_modified: None,
            crawl_delay_seconds: None,
            retry_after_seconds: None,
            elapsed_seconds: 0.1,
            error: None,
            process_error: None,
            fetched_at: DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap(),
        }
    }

    const HOUR: u64 = 3_600_000;

    fn hours(h: &[u64]) -> Vec<Duration> {
        h.iter().map(|h| Duration::from_secs(h * 3600)).collect()
    }

    /// An article published (first version) by this fetch, 30 minutes after its publication.
    fn published_article() -> FetchReport {
        let mut r = report(FetchOutcome::Ok, 0);
        r.is_article = true;
        r.content_digest = Some("d1".into());
        r.article_version = Some(1);
        r.published_at = Some(DateTime::parse_from_rfc3339("2025-12-31T23:30:00Z").unwrap());
        r
    }

    #[test]
    fn update_checks_follow_the_schedule_from_publication() {
        let checks = hours(&[1, 6, 24, 48]);
        let r = published_article();
        let fetched = r.fetched_at.timestamp_millis() as u64;
        let anchor = fetched - HOUR / 2;
        let (check, due) = follow_up(&r, &checks, fetched).unwrap();
        assert_eq!(
            (check.n, check.version, check.digest.as_str()),
            (1, 1, "d1")
        );
        assert_eq!(check.anchor_ms as u64, anchor);
        assert_eq!(due, anchor + HOUR);
        // The first check: unchanged (304): the second is due at 6 h, same version.
        let mut again = report(FetchOutcome::NotModified, 0);
        again.update = Some(check.clone());
        let (second, due) = follow_up(&again, &checks, anchor + HOUR).unwrap();
        assert_eq!((second.n, second.version), (2, 1));
        assert_eq!(due, anchor + 6 * HOUR);
        assert_eq!(update_result(&again), Some("not_modified"));
        // The second: changed, published as version 2 with its new digest.
        let mut changed = published_article();
        changed.update = Some(second);
        changed.article_version = Some(2);
        changed.content_digest = Some("d2".into());
        assert_eq!(update_result(&changed), Some("changed"));
        let (third, due) = follow_up(&changed, &checks, anchor + 6 * HOUR).unwrap();
        assert_eq!(
            (third.n, third.version, third.digest.as_str()),
            (3, 2, "d2")
        );
        assert_eq!(third.anchor_ms as u64, anchor, "the anchor never moves");
        assert_eq!(due, anchor + 24 * HOUR);
        // After the last check the window is over.
        let mut last = report(FetchOutcome::NotModified, 0);
        last.update = Some(UpdateCheck { n: 4, ..third });
        assert_eq!(follow_up(&last, &checks, anchor + 48 * HOUR), None);
    }

    #[test]
    fn update_checks_already_past_are_skipped() {
        let checks = hours(&[1, 6, 24, 48]);
        let mut r = published_article();
        // Published 5 h before the fetch: the 1 h check is past.
        r.published_at = Some(DateTime::parse_from_rfc3339("2025-12-31T19:00:00Z").unwrap());
        let now = r.fetched_at.timestamp_millis() as u64;
        let (check, due) = follow_up(&r, &checks, now).unwrap();
        assert_eq!(check.n, 2);
        assert_eq!(due, now + HOUR);
        // Published three days ago: nothing left to check.
        r.published_at = Some(DateTime::parse_from_rfc3339("2025-12-29T00:00:00Z").unwrap());
        assert_eq!(follow_up(&r, &checks, now), None);
        // A publication time in the future is read as the fetch time.
        r.published_at = Some(DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap());
        assert_eq!(follow_up(&r, &checks, now).unwrap().0.anchor_ms as u64, now);
        // No date on the page: the first fetch anchors.
        r.published_at = None;
        assert_eq!(follow_up(&r, &checks, now).unwrap().1, now + HOUR);
    }

    #[test]
    fn only_published_articles_are_checked_for_updates() {
        let checks = hours(&[1]);
        let now = published_article().fetched_at.timestamp_millis() as u64;
        assert!(follow_up(&published_article(), &[], now).is_none(), "off");
        let mut dup = published_article();
        dup.article_version = None; // a near-duplicate: not published
        assert!(follow_up(&dup, &checks, now).is_none());
        let mut listing = published_article();
        listing.is_article = false;
        assert!(follow_up(&listing, &checks, now).is_none());
        let mut feed = published_article();
        feed.kind = TaskKind::Feed;
        assert!(follow_up(&feed, &checks, now).is_none());
        // A first fetch answering 304 carries nothing to compare with.
        assert!(follow_up(&report(FetchOutcome::NotModified, 0), &checks, now).is_none());
        // Gone: the checks end.
        let mut gone = report(FetchOutcome::ClientError, 0);
        gone.update = follow_up(&published_article(), &hours(&[1, 6]), now).map(|c| c.0);
        assert!(follow_up(&gone, &hours(&[1, 6]), now).is_none());
        assert_eq!(update_result(&gone), Some("ended"));
        assert_eq!(update_result(&published_article()), None, "not a check");
    }

    #[test]
    fn seeds_come_before_articles_before_listings() {
        assert!(priority(TaskKind::Seed) < priority(TaskKind::Article));
        assert!(priority(TaskKind::Article) < priority(TaskKind::Listing));
        assert_eq!(priority(TaskKind::Feed), priority(TaskKind::Sitemap));
    }

    #[test]
    fn news_from_a_repoll_goes_first_but_not_its_alternate_renderings() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        let story = u("http://a.test/world/some-long-article-slug");
        let amp = u("http://a.test/world/some-long-article-slug/amp");
        assert_eq!(admitted_priority(TaskKind::Article, &story, true), 0);
        assert_eq!(
            admitted_priority(TaskKind::Article, &story, false),
            priority(TaskKind::Article)
        );
        assert_eq!(admitted_priority(TaskKind::Article, &amp, true), 3);
        assert_eq!(admitted_priority(TaskKind::Article, &amp, false), 3);
        assert_eq!(
            admitted_priority(TaskKind::Listing, &u("http://a.test/world/"), true),
            priority(TaskKind::Listing)
        );
    }

    #[test]
    fn alternate_renderings_wait_behind_originals() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        let original = u("http://a.test/world/some-long-article-slug");
        assert_eq!(url_priority(TaskKind::Article, &original), 1);
        assert_eq!(
            url_priority(
                TaskKind::Article,
                &u("http://a.test/amp/some-long-article-slug")
            ),
            3
        );
        assert_eq!(
            url_priority(
                TaskKind::Article,
                &u("http://a.test/print/some-long-article-slug")
            ),
            3
        );
        assert_eq!(
            url_priority(TaskKind::Article, &u("http://a.test/world/slug?amp=1")),
            3
        );
        assert_eq!(url_priority(TaskKind::Seed, &u("http://a.test/amp/")), 0);
        assert_eq!(
            url_priority(TaskKind::Listing, &u("http://a.test/sections/campus")),
            2
        );
    }

    #[test]
    fn link_kinds_are_guessed_from_url_shape() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(
            task_kind(
                LinkKind::Page,
                &u("http://a.test/world/2024/05/some-long-article-slug")
            ),
            TaskKind::Article
        );
        assert_eq!(
            task_kind(LinkKind::Page, &u("http://a.test/world/")),
            TaskKind::Listing
        );
        assert_eq!(
            task_kind(LinkKind::Page, &u("http://a.test/news/1234567")),
            TaskKind::Article
        );
        assert_eq!(
            task_kind(LinkKind::Page, &u("http://a.test/rss.xml")),
            TaskKind::Feed
        );
        assert_eq!(
            task_kind(LinkKind::RobotsSitemap, &u("http://a.test/sitemap.xml")),
            TaskKind::Sitemap
        );
        assert_eq!(
            task_kind(LinkKind::Sitemap, &u("http://a.test/a/story")),
            TaskKind::Article
        );
    }

    #[test]
    fn permanent_outcomes_are_done_transient_ones_retried_then_dead_lettered() {
        assert_eq!(
            disposition(&report(FetchOutcome::Ok, 0), 4, 0.0),
            Disposition::Done
        );
        assert_eq!(
            disposition(&report(FetchOutcome::ClientError, 0), 4, 0.0),
            Disposition::Done
        );
        assert_eq!(
            disposition(&report(FetchOutcome::RobotsDenied, 0), 4, 0.0),
            Disposition::Done
        );
        match disposition(&report(FetchOutcome::Timeout, 0), 4, 0.0) {
            Disposition::Retry { attempt, after } => {
                assert_eq!(attempt, 1);
                assert_eq!(
                    after,
                    Duration::from_secs(1),
                    "half the 2 s step with jitter 0"
                );
            }
            d => panic!("expected retry, got {d:?}"),
        }
        match disposition(&report(FetchOutcome::ServerError, 3), 4, 0.0) {
            Disposition::DeadLetter { reason } => {
                assert!(reason.starts_with("server_error"), "{reason}");
                assert!(reason.contains("4 attempts"), "{reason}");
            }
            d => panic!("expected dead letter, got {d:?}"),
        }
    }

    #[test]
    fn processing_failures_are_retried_like_transient_ones() {
        let mut r = report(FetchOutcome::Ok, 0);
        r.process_error = Some("extractor panicked".into());
        assert!(matches!(
            disposition(&r, 2, 0.5),
            Disposition::Retry { attempt: 1, .. }
        ));
        r.attempt = 1;
        match disposition(&r, 2, 0.5) {
            Disposition::DeadLetter { reason } => assert!(reason.contains("extractor panicked")),
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let mut last = Duration::ZERO;
        for attempt in 0..30 {
            if let Disposition::Retry { after, .. } =
                disposition(&report(FetchOutcome::Timeout, attempt), 100, 1.0)
            {
                assert!(after >= last);
                assert!(after <= Duration::from_secs(300));
                last = after;
            }
        }
        assert_eq!(last, Duration::from_secs(300));
        // The first retry waits between 1 and 2 s.
        let first = |j| match disposition(&report(FetchOutcome::Timeout, 0), 100, j) {
            Disposition::Retry { after, .. } => after,
            d => panic!("{d:?}"),
        };
        assert_eq!(
            (first(0.0), first(1.0)),
            (Duration::from_secs(1), Duration::from_secs(2))
        );
    }

    #[test]
    fn a_report_tells_the_politeness_rule_what_came_back() {
        let mut r = report(FetchOutcome::ClientError, 0);
        r.status = Some(429);
        r.retry_after_seconds = Some(30.0);
        r.elapsed_seconds = 2.5;
        assert_eq!(
            report_response(&r),
            Response {
                elapsed: Duration::from_millis(2500),
                status: Some(429),
                retry_after: Some(Duration::from_secs(30)),
                timed_out: false,
            }
        );
        let mut t = report(FetchOutcome::Timeout, 0);
        t.elapsed_seconds = f64::NAN;
        let resp = report_response(&t);
        assert!(resp.timed_out);
        assert_eq!(
            resp.elapsed,
            Duration::ZERO,
            "a NaN elapsed time is ignored"
        );
    }

    #[test]
    fn only_discovery_pages_are_recrawled() {
        assert!(recrawls(TaskKind::Feed, FetchOutcome::Ok));
        assert!(recrawls(TaskKind::Seed, FetchOutcome::NotModified));
        assert!(!recrawls(TaskKind::Article, FetchOutcome::Ok));
        assert!(!recrawls(TaskKind::Feed, FetchOutcome::ClientError));
    }

    #[test]
    fn barren_hub_families_are_judged_after_a_sample() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        let mut y = HubYield::new(100);
        // Tag pages that only link articles already known.
        for t in ["a", "b"] {
            y.record(&u(&format!("http://h.test/tag/{t}")), 0);
        }
        assert!(
            !y.is_barren(&u("http://h.test/tag/c")),
            "sample not complete"
        );
        y.record(&u("http://h.test/tag/c"), 0);
        assert!(y.is_barren(&u("http://h.test/tag/zzz")));
        // Other families, hosts and shapes are not affected.
        assert!(!y.is_barren(&u("http://h.test/section/world")));
        assert!(!y.is_barren(&u("http://other.test/tag/a")));
        assert!(!y.is_barren(&u("http://h.test/tag/a?page=2")));
        // A family that found one new article is productive.
        for s in ["world", "sport", "arts", "science"] {
            y.record(
                &u(&format!("http://h.test/section/{s}")),
                u64::from(s == "arts"),
            );
        }
        assert!(!y.is_barren(&u("http://h.test/section/culture")));
    }

    #[test]
    fn hub_families() {
        let f = |s: &str| hub_family(&url::Url::parse(s).unwrap());
        assert_eq!(f("http://h.test/tag/a"), f("http://h.test/TAG/b/"));
        assert_ne!(f("http://h.test/tag/a"), f("http://h.test/tag/a/2"));
        assert_ne!(f("http://h.test/tag/a"), f("http://h.test/tag/a?p=2"));
        assert_eq!(f("http://h.test/"), "h.test||1|");
    }

    #[test]
    fn barren_listing_families_are_sampled_not_exhausted() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        let tag = u("http://h.test/tag/x");
        assert_eq!(
            family_verdict(TaskKind::Listing, false, &tag),
            FamilyVerdict::Queue
        );
        assert_eq!(
            family_verdict(
                TaskKind::Article,
                true,
                &u("http://h.test/a/long-story-slug")
            ),
            FamilyVerdict::Demote
        );
        assert_eq!(
            family_verdict(TaskKind::Feed, true, &u("http://h.test/feed.xml")),
            FamilyVerdict::Queue
        );
        // About one listing URL in BARREN_PROBE_EVERY is kept as a probe, always the same ones.
        let urls: Vec<url::Url> = (0..1600)
            .map(|i| u(&format!("http://h.test/tag/t{i}")))
            .collect();
        let probes = urls.iter().filter(|x| is_barren_probe(x)).count();
        assert!((50..=150).contains(&probes), "{probes}");
        for x in &urls {
            let v = family_verdict(TaskKind::Listing, true, x);
            assert_eq!(v, family_verdict(TaskKind::Listing, true, x));
            assert_ne!(v, FamilyVerdict::Queue);
        }
    }

    #[test]
    fn alternate_renderings_map_to_their_original() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        let orig = |s: &str| alternate_original(&u(s)).map(|x| x.to_string());
        assert_eq!(
            orig("http://h.test/news/world/story-1/amp").as_deref(),
            Some("http://h.test/news/world/story-1")
        );
        assert_eq!(
            orig("http://h.test/news/world/story-1/print/").as_deref(),
            Some("http://h.test/news/world/story-1")
        );
        assert_eq!(
            orig("http://h.test/story-1.amp.html").as_deref(),
            Some("http://h.test/story-1")
        );
        assert_eq!(
            orig("http://h.test/story?id=3&amp=1").as_deref(),
            Some("http://h.test/story?id=3")
        );
        assert_eq!(
            orig("http://h.test/story?outputType=amp").as_deref(),
            Some("http://h.test/story")
        );
        assert_eq!(orig("http://h.test/amp"), None);
        assert_eq!(orig("http://h.test/news/world/story-1"), None);
        assert_eq!(orig("http://h.test/examples/ampersand"), None);
    }

    #[test]
    fn old_entries_are_skipped_only_with_a_max_age() {
        let now = DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let day = Duration::from_secs(86_400);
        let ago = |d: i64| Some(now - chrono::Duration::days(d));
        assert!(entry_too_old(ago(8), now, Some(7 * day)));
        assert!(!entry_too_old(ago(6), now, Some(7 * day)));
        assert!(!entry_too_old(ago(-3), now, Some(7 * day)), "future");
        assert!(!entry_too_old(None, now, Some(7 * day)), "undated");
        assert!(!entry_too_old(ago(4000), now, None), "no limit");
        assert!(
            !entry_too_old(ago(1), now, Some(Duration::MAX)),
            "huge limit"
        );
    }

    #[test]
    fn poll_intervals_adapt_within_bounds() {
        let (min, max) = (Duration::from_secs(60), Duration::from_secs(3600));
        let m = Duration::from_secs;
        assert_eq!(next_poll_interval(m(900), 2, min, max), m(450));
        assert_eq!(next_poll_interval(m(900), 1, min, max), m(810));
        assert_eq!(next_poll_interval(m(900), 0, min, max), m(1350));
        // bounded both ways, from any start
        assert_eq!(next_poll_interval(m(90), 5, min, max), min);
        assert_eq!(next_poll_interval(m(3000), 0, min, max), max);
        assert_eq!(next_poll_interval(m(0), 0, min, max), min);
        // a source that keeps finding news converges to min, a quiet one to max
        let mut d = m(900);
        for _ in 0..10 {
            d = next_poll_interval(d, 3, min, max);
        }
        assert_eq!(d, min);
        for _ in 0..20 {
            d = next_poll_interval(d, 0, min, max);
        }
        assert_eq!(d, max);
        // one new article per poll: the interval creeps down, slowly
        let d1 = next_poll_interval(m(600), 1, min, max);
        assert!(d1 < m(600) && d1 > m(500));
    }
}
