//! Spider-trap defences.
//!
//! Stateless checks ([`TrapGuard::check_static`]): URL length, path depth,
//! repeated path segments, non-HTML extensions. Stateful check
//! ([`TrapGuard::admit`]): date-like (calendar) and paginated URLs are counted
//! per URL *family* (the URL with every digit run masked), and a family past
//! its cap is refused. The family table is bounded: past `max_families`
//! entries, the least recently used half is forgotten.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use url::Url;

use crate::FilterReason;

/// Extensions of resources that are not HTML pages, refused by default.
/// `.xml` and `.gz` are not in it: sitemaps are `.xml` or `.xml.gz`.
pub const DEFAULT_BLOCKED_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "bmp", "tif", "tiff", "avif", "heic", "pdf",
    "zip", "rar", "7z", "tar", "tgz", "bz2", "xz", "mp3", "mp4", "m4a", "m4v", "mov", "avi", "wmv",
    "flv", "mkv", "webm", "ogg", "oga", "ogv", "wav", "flac", "css", "js", "mjs", "map", "woff",
    "woff2", "ttf", "otf", "eot", "exe", "dmg", "msi", "apk", "iso", "bin", "doc", "docx", "xls",
    "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "epub", "swf", "wasm",
];

/// Trap-defence settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapConfig {
    /// Maximum number of non-empty path segments.
    pub max_path_depth: usize,
    /// A path segment that occurs this many times or more is a trap.
    pub max_segment_repeats: usize,
    /// Maximum URL length in bytes.
    pub max_url_len: usize,
    /// Calendar-like URLs admitted per URL family.
    pub max_calendar_per_family: u32,
    /// Paginated URLs admitted per URL family.
    pub max_pagination_per_family: u32,
    /// Families remembered at most (memory bound).
    pub max_families: usize,
    /// Extensions refused (lowercase, without the dot).
    pub blocked_extensions: Vec<String>,
}

impl Default for TrapConfig {
    fn default() -> Self {
        TrapConfig {
            max_path_depth: 12,
            max_segment_repeats: 3,
            max_url_len: 1024,
            max_calendar_per_family: 60,
            max_pagination_per_family: 100,
            max_families: 100_000,
            blocked_extensions: DEFAULT_BLOCKED_EXTENSIONS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Calendar,
    Pagination,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    count: u32,
    last_used: u64,
}

/// The spider-trap budget a URL is charged to (see [`TrapGuard::family_budget`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyBudget {
    /// The URL with every digit run masked (fragment dropped).
    pub family: String,
    /// URLs of the family that may be admitted.
    pub cap: u32,
    /// The filter reason once the family is over its cap.
    pub reason: FilterReason,
}

/// Spider-trap guard. Pure (no I/O); the stateful part is bounded in memory.
#[derive(Debug, Clone)]
pub struct TrapGuard {
    cfg: TrapConfig,
    families: HashMap<u64, Entry>,
    tick: u64,
}

const CALENDAR_KEYS: &[&str] = &[
    "date",
    "day",
    "month",
    "year",
    "week",
    "cal",
    "calendar",
    "d",
    "m",
    "y",
    "from",
    "to",
    "start_date",
    "end_date",
    "ym",
    "yearmonth",
];
const PAGE_KEYS: &[&str] = &[
    "page", "p", "pg", "paged", "pagenum", "page_num", "pageno", "offset", "start", "skip",
];

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_year(s: &str) -> bool {
    s.len() == 4 && is_digits(s) && matches!(&s[..2], "19" | "20" | "21")
}

fn is_month_or_day(s: &str) -> bool {
    (1..=2).contains(&s.len())
        && is_digits(s)
        && s.parse::<u8>().is_ok_and(|v| (1..=31).contains(&v))
}

/// `2024-05-12`, `2024_05_12`, `20240512`, `2024-05`.
fn is_date_token(s: &str) -> bool {
    let parts: Vec<&str> = s.split(['-', '_', '.']).collect();
    match parts.as_slice() {
        [y, m, d] => is_year(y) && is_month_or_day(m) && is_month_or_day(d),
        [y, m] => is_year(y) && is_month_or_day(m),
        [one] => one.len() == 8 && is_year(&one[..4]) && is_digits(one),
        _ => false,
    }
}

fn query_pairs(url: &Url) -> Vec<(String, String)> {
    url.query()
        .map(|q| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let mut it = p.splitn(2, '=');
                    (
                        it.next().unwrap_or("").to_ascii_lowercase(),
                        it.next().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn classify(url: &Url) -> Option<Kind> {
    let segs: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    // Path calendar: /2024/05[/12] or a date token segment.
    let path_calendar = segs
        .windows(2)
        .any(|w| is_year(w[0]) && is_month_or_day(w[1]))
        || segs.iter().any(|s| is_date_token(s));
    let pairs = query_pairs(url);
    let query_calendar = pairs
        .iter()
        .any(|(k, v)| is_date_token(v) || (CALENDAR_KEYS.contains(&k.as_str()) && is_digits(v)));
    if path_calendar || query_calendar {
        return Some(Kind::Calendar);
    }
    let path_page = segs.windows(2).any(|w| {
        matches!(
            w[0].to_ascii_lowercase().as_str(),
            "page" | "p" | "seite" | "pagina"
        ) && is_digits(w[1])
    });
    let query_page = pairs
        .iter()
        .any(|(k, v)| PAGE_KEYS.contains(&k.as_str()) && is_digits(v));
    if path_page || query_page {
        return Some(Kind::Pagination);
    }
    None
}

/// The URL with every run of ASCII digits replaced by `0`, without fragment.
fn family_of(url: &Url) -> String {
    let s = url.as_str();
    let s = s.split('#').next().unwrap_or(s);
    let mut out = String::with_capacity(s.len());
    let mut in_digits = false;
    for ch in s.chars() {
        if ch.is_ascii_digit() {
            if !in_digits {
                out.push('0');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(ch);
        }
    }
    out
}

impl TrapGuard {
    /// A guard with the given settings and an empty family table.
    pub fn new(cfg: TrapConfig) -> TrapGuard {
        TrapGuard {
            cfg,
            families: HashMap::new(),
            tick: 0,
        }
    }

    /// The settings.
    pub fn config(&self) -> &TrapConfig {
        &self.cfg
    }

    /// Number of URL families currently remembered (≤ `max_families`).
    pub fn families_len(&self) -> usize {
        self.families.len()
    }

    /// Stateless checks: length, path depth, repeated segments, extension.
    pub fn check_static(&self, url: &Url) -> Result<(), FilterReason> {
        if url.as_str().len() > self.cfg.max_url_len {
            return Err(FilterReason::TooLong);
        }
        let segs: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
        if segs.len() > self.cfg.max_path_depth {
            return Err(FilterReason::TrapPathDepth);
        }
        if self.cfg.max_segment_repeats > 0 && segs.len() >= self.cfg.max_segment_repeats {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for s in &segs {
                let c = counts.entry(s).or_insert(0);
                *c += 1;
                if *c >= self.cfg.max_segment_repeats {
                    return Err(FilterReason::TrapRepeatedSegment);
                }
            }
        }
        if let Some(last) = segs.last() {
            let name = last.split(';').next().unwrap_or(last);
            if let Some((_, ext)) = name.rsplit_once('.') {
                if !ext.is_empty()
                    && self
                        .cfg
                        .blocked_extensions
                        .iter()
                        .any(|b| b.trim_start_matches('.').eq_ignore_ascii_case(ext))
                {
                    return Err(FilterReason::NonHtmlExtension);
                }
            }
        }
        Ok(())
    }

    /// The static checks, then the family budget `url` is charged to (`None`: neither
    /// calendar-like nor paginated), for a caller that keeps the counts itself (the frontier
    /// keeps them in its store, so that every replica charges the same budget). Admitting
    /// `cap` URLs of one `family` and refusing the next with `reason` is what
    /// [`admit`](Self::admit) does in memory.
    pub fn family_budget(&self, url: &Url) -> Result<Option<FamilyBudget>, FilterReason> {
        self.check_static(url)?;
        Ok(classify(url).map(|kind| match kind {
            Kind::Calendar => FamilyBudget {
                family: family_of(url),
                cap: self.cfg.max_calendar_per_family,
                reason: FilterReason::TrapCalendar,
            },
            Kind::Pagination => FamilyBudget {
                family: family_of(url),
                cap: self.cfg.max_pagination_per_family,
                reason: FilterReason::TrapPagination,
            },
        }))
    }

    /// All checks, counting the URL in its family when it is calendar-like or
    /// paginated. Call once per *new* URL (after dedup), so duplicates do not
    /// use up a family's budget; use [`check_static`](Self::check_static)
    /// before dedup.
    pub fn admit(&mut self, url: &Url) -> Result<(), FilterReason> {
        self.check_static(url)?;
        let Some(kind) = classify(url) else {
            return Ok(());
        };
        let cap = match kind {
            Kind::Calendar => self.cfg.max_calendar_per_family,
            Kind::Pagination => self.cfg.max_pagination_per_family,
        };
        let mut h = DefaultHasher::new();
        family_of(url).hash(&mut h);
        let key = h.finish();
        self.tick += 1;
        if !self.families.contains_key(&key) && self.families.len() >= self.cfg.max_families.max(1)
        {
            self.evict_half();
        }
        let e = self.families.entry(key).or_insert(Entry {
            count: 0,
            last_used: 0,
        });
        e.last_used = self.tick;
        if e.count >= cap {
            return Err(match kind {
                Kind::Calendar => FilterReason::TrapCalendar,
                Kind::Pagination => FilterReason::TrapPagination,
            });
        }
        e.count += 1;
        Ok(())
    }

    /// Forget the least recently used half of the families (amortized O(1)
    /// per admitted URL).
    fn evict_half(&mut self) {
        let mut ticks: Vec<u64> = self.families.values().map(|e| e.last_used).collect();
        if ticks.is_empty() {
            return;
        }
        let mid = ticks.len() / 2;
        let (_, median, _) = ticks.select_nth_unstable(mid);
        let median = *median;
        self.families.retain(|_, e| e.last_used > median);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn g() -> TrapGuard {
        TrapGuard::new(TrapConfig::default())
    }

    #[test]
    fn path_depth_limit() {
        let deep = format!("http://e.com{}", "/x".repeat(13));
        let ok = "http://e.com/x/y1/y2/y3/y4/y5/y6/y7/y8/y9/y10/y11".to_string();
        assert_eq!(
            g().check_static(&u(&deep)),
            Err(FilterReason::TrapPathDepth)
        );
        assert_eq!(g().check_static(&u(&ok)), Ok(()));
    }

    #[test]
    fn repeated_segments() {
        assert_eq!(
            g().check_static(&u("http://e.com/a/b/a/b/a/b")),
            Err(FilterReason::TrapRepeatedSegment)
        );
        assert_eq!(g().check_static(&u("http://e.com/a/b/a/b")), Ok(()));
        assert_eq!(
            g().check_static(&u("http://e.com/2024/01/01/story")),
            Ok(())
        );
    }

    #[test]
    fn long_urls() {
        let long = format!("http://e.com/{}", "a".repeat(1100));
        assert_eq!(g().check_static(&u(&long)), Err(FilterReason::TooLong));
    }

    #[test]
    fn non_html_extensions() {
        for s in [
            "http://e.com/a.jpg",
            "http://e.com/a.PDF",
            "http://e.com/x/style.css?v=3",
            "http://e.com/app.js",
            "http://e.com/v.mp4",
            "http://e.com/a.zip",
        ] {
            assert_eq!(
                g().check_static(&u(s)),
                Err(FilterReason::NonHtmlExtension),
                "{s}"
            );
        }
        for s in [
            "http://e.com/a.html",
            "http://e.com/sitemap.xml",
            "http://e.com/sitemap.xml.gz",
            "http://e.com/feed.rss",
            "http://e.com/story",
            "http://e.com/v1.2/story",
        ] {
            assert_eq!(g().check_static(&u(s)), Ok(()), "{s}");
        }
        let cfg = TrapConfig {
            blocked_extensions: vec![".php".into()],
            ..TrapConfig::default()
        };
        let t = TrapGuard::new(cfg);
        assert_eq!(
            t.check_static(&u("http://e.com/a.php")),
            Err(FilterReason::NonHtmlExtension)
        );
        assert_eq!(t.check_static(&u("http://e.com/a.jpg")), Ok(()));
    }

    #[test]
    fn endless_calendar_bounded_per_family() {
        let mut t = TrapGuard::new(TrapConfig {
            max_calendar_per_family: 10,
            ..TrapConfig::default()
        });
        let mut admitted = 0;
        for day in 0..100 {
            let y = 2000 + day / 12;
            let m = 1 + day % 12;
            if t.admit(&u(&format!("http://e.com/calendar/{y}/{m:02}/")))
                .is_ok()
            {
                admitted += 1;
            } else {
                assert_eq!(
                    t.admit(&u(&format!("http://e.com/calendar/{y}/{m:02}/"))),
                    Err(FilterReason::TrapCalendar)
                );
            }
        }
        assert_eq!(admitted, 10);
        // query calendars, both date tokens and month/year keys
        let mut admitted = 0;
        for i in 0..50 {
            if t.admit(&u(&format!(
                "http://e.com/events?date=2024-05-{:02}",
                1 + i % 28
            )))
            .is_ok()
            {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 10);
        let mut admitted = 0;
        for i in 0..50 {
            if t.admit(&u(&format!(
                "http://e.com/cal?month={}&year={}",
                1 + i % 12,
                2000 + i
            )))
            .is_ok()
            {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 10);
        // Articles under dated paths each have their own family (slug differs).
        for i in 0..50 {
            assert_eq!(
                t.admit(&u(&format!(
                    "http://e.com/2024/05/12/story-title-{}",
                    char::from(b'a' + (i % 26) as u8)
                        .to_string()
                        .repeat(1 + i / 26)
                ))),
                Ok(())
            );
        }
    }

    #[test]
    fn pagination_bounded_per_family() {
        let mut t = TrapGuard::new(TrapConfig {
            max_pagination_per_family: 5,
            ..TrapConfig::default()
        });
        let ok = (1..50)
            .filter(|n| t.admit(&u(&format!("http://e.com/news?page={n}"))).is_ok())
            .count();
        assert_eq!(ok, 5);
        assert_eq!(
            t.admit(&u("http://e.com/news?page=99")),
            Err(FilterReason::TrapPagination)
        );
        let ok = (1..50)
            .filter(|n| {
                t.admit(&u(&format!("http://e.com/sport/page/{n}/")))
                    .is_ok()
            })
            .count();
        assert_eq!(ok, 5);
        // another family is unaffected
        assert_eq!(t.admit(&u("http://e.com/world?page=2")), Ok(()));
        // plain pages are not counted at all
        for n in 0..100 {
            assert_eq!(t.admit(&u(&format!("http://e.com/story-{n}"))), Ok(()));
        }
    }

    #[test]
    fn family_table_is_bounded() {
        let mut t = TrapGuard::new(TrapConfig {
            max_families: 100,
            ..TrapConfig::default()
        });
        for i in 0..10_000 {
            // distinct families: letters differ
            let fam: String = format!("{i:x}")
                .chars()
                .map(|c| {
                    if c.is_ascii_digit() {
                        (b'g' + c as u8 - b'0') as char
                    } else {
                        c
                    }
                })
                .collect();
            let _ = t.admit(&u(&format!("http://e.com/{fam}?page=1")));
            assert!(t.families_len() <= 100);
        }
        assert!(t.families_len() > 0);
    }

    #[test]
    fn family_budget_matches_admit() {
        let cfg = TrapConfig {
            max_calendar_per_family: 2,
            max_pagination_per_family: 3,
            ..TrapConfig::default()
        };
        let g = TrapGuard::new(cfg);
        let b = g
            .family_budget(&u("http://e.com/events/2024/05/12/"))
            .unwrap()
            .unwrap();
        assert_eq!((b.cap, b.reason), (2, FilterReason::TrapCalendar));
        assert_eq!(
            b.family,
            g.family_budget(&u("http://e.com/events/1999/1/7/"))
                .unwrap()
                .unwrap()
                .family
        );
        let p = g
            .family_budget(&u("http://e.com/a?page=3"))
            .unwrap()
            .unwrap();
        assert_eq!((p.cap, p.reason), (3, FilterReason::TrapPagination));
        assert_eq!(
            g.family_budget(&u("http://e.com/story-about-things")),
            Ok(None)
        );
        assert!(g.family_budget(&u("http://e.com/a.pdf")).is_err());
    }

    #[test]
    fn family_masks_digits() {
        assert_eq!(
            family_of(&u("http://e.com/2024/05/12/?page=3")),
            family_of(&u("http://e.com/1999/1/7/?page=10"))
        );
        assert_ne!(
            family_of(&u("http://e.com/a?page=3")),
            family_of(&u("http://e.com/b?page=3"))
        );
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use crate::{canonicalize, CanonRules, Scope, ScopeConfig};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Scope and trap checks never panic; without eviction no family
        /// admits more than its cap; with a small table the table stays bounded.
        #[test]
        fn checks_never_panic_and_caps_hold(
            paths in proptest::collection::vec("(/[a-z0-9]{0,4}){0,8}(\\?(page|p|date|month|x)=[0-9-]{0,10}){0,2}", 1..60)
        ) {
            let rules = CanonRules::default();
            let scope = Scope::new(&ScopeConfig::default()).unwrap();
            let caps = TrapConfig {
                max_calendar_per_family: 3,
                max_pagination_per_family: 3,
                ..TrapConfig::default()
            };
            let mut big = TrapGuard::new(caps.clone());
            let mut small = TrapGuard::new(TrapConfig { max_families: 4, ..caps });
            let mut admitted: HashMap<String, u32> = HashMap::new();
            for p in paths {
                if let Ok(u) = canonicalize(&format!("http://e.com{p}"), None, &rules) {
                    prop_assert_eq!(scope.check(&u, 1), Ok(()));
                    if big.admit(&u).is_ok() && classify(&u).is_some() {
                        *admitted.entry(family_of(&u)).or_default() += 1;
                    }
                    let _ = small.admit(&u);
                    prop_assert!(small.families_len() <= 4);
                }
            }
            for (fam, n) in &admitted {
                prop_assert!(*n <= 3, "family {} admitted {} times", fam, n);
            }
        }
    }
}
