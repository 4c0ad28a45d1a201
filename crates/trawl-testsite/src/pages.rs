//! The site model and every page it serves: pure functions from (host, path, query) to a reply.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::gen::{self, SECTIONS};
use crate::Features;

/// Articles listed per child sitemap.
pub(crate) const SITEMAP_CHUNK: usize = 500;
/// Items in the RSS feed.
pub(crate) const FEED_ITEMS: usize = 20;
/// Articles linked from the home page.
pub(crate) const HOME_LATEST: usize = 10;
/// Section listings have at most this many pages.
pub(crate) const MAX_LISTING_PAGES: usize = 3;
/// Minimum articles per listing page.
pub(crate) const MIN_PER_PAGE: usize = 10;
/// The date the calendar link on every page points at.
pub(crate) const CALENDAR_START: &str = "2026-01-15";
/// Articles per archive page.
pub(crate) const ARCHIVE_PAGE: usize = 10;
/// Articles listed on a tag page.
pub(crate) const TAG_PAGE_ITEMS: usize = 20;
/// Article indices of the deleted articles (never served): far above any real index.
pub(crate) const DEAD_BASE: usize = 900_000_000;
/// Tag names; a host uses the first `Model::tag_count` of them.
pub(crate) const TAGS: &[&str] = &[
    "elections",
    "climate",
    "housing",
    "transport",
    "health",
    "education",
    "energy",
    "trade",
    "courts",
    "water",
    "farming",
    "tourism",
    "research",
    "football",
    "festivals",
    "budget",
];

/// Everything needed to render any page of any host.
#[derive(Debug)]
pub(crate) struct Model {
    pub features: Features,
    /// Articles every host has from the start (indices `0..articles_per_host`).
    pub articles_per_host: usize,
    pub crawl_delay: Option<f64>,
    /// `http://127.0.0.2:40123`, one per host.
    pub bases: Vec<String>,
    /// `127.0.0.2` and port, one per host.
    pub addrs: Vec<(String, u16)>,
    /// Live publishing: more articles appear over time.
    pub live: Option<Live>,
    /// Corrections: every fifth article (index 3, 8, …) gains a correction paragraph this
    /// long after its publication (after `started`, for the initial articles).
    pub correct_after: Option<Duration>,
    /// When the site started serving, and the same moment in Unix milliseconds.
    pub started: (Instant, i64),
}

/// Live mode: host `h` publishes article `articles_per_host + k` at
/// `start + offset(h) + k * every`, where the offsets stagger the hosts across one interval.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Live {
    /// When the site started serving.
    pub start: Instant,
    /// The same moment in Unix milliseconds.
    pub start_unix_ms: i64,
    /// One new article per host per `every` (never zero).
    pub every: Duration,
}

impl Live {
    /// When host `h` (of `hosts`) publishes its first live article, after the start.
    pub(crate) fn offset(&self, h: usize, hosts: usize) -> Duration {
        self.every
            .mul_f64((h + 1) as f64 / (hosts.max(1) + 1) as f64)
    }

    /// When host `h` publishes its live article `k` (0-based), after the start.
    pub(crate) fn appears_after(&self, h: usize, hosts: usize, k: usize) -> Duration {
        self.offset(h, hosts) + self.every.mul_f64(k as f64)
    }

    /// Live articles host `h` has published `elapsed` after the start.
    pub(crate) fn count(&self, h: usize, hosts: usize, elapsed: Duration) -> usize {
        let off = self.offset(h, hosts);
        if elapsed < off || self.every.is_zero() {
            return 0;
        }
        let k = (elapsed - off).as_nanos() / self.every.as_nanos();
        usize::try_from(k).unwrap_or(usize::MAX - 1) + 1
    }
}

/// What a request gets back.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html; charset=utf-8",
            headers: Vec::new(),
            body: body.into_bytes(),
        }
    }

    fn typed(content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            content_type,
            headers: Vec::new(),
            body,
        }
    }

    fn redirect(status: u16, location: String) -> Reply {
        let body = format!(
            "<!DOCTYPE html><html><head><title>Moved</title></head><body><p>Moved to <a href=\"{0}\">{0}</a>.</p></body></html>",
            esc(&location)
        );
        Reply {
            status,
            content_type: "text/html; charset=utf-8",
            headers: vec![("location", location)],
            body: body.into_bytes(),
        }
    }

    fn not_found() -> Reply {
        Reply::html(
            404,
            "<!DOCTYPE html><html><head><title>Not found</title></head><body><h1>Page not found</h1><p><a href=\"/\">Home</a></p></body></html>".to_string(),
        )
    }

    fn bad_request(what: &str) -> Reply {
        Reply::html(
            400,
            format!(
                "<!DOCTYPE html><html><head><title>Bad request</title></head><body><h1>Bad request</h1><p>{}</p></body></html>",
                esc(what)
            ),
        )
    }
}

/// HTML-escape text or an attribute value.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The short-link id of article `i`: its index in base 36.
pub(crate) fn short_id(i: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = i;
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The article index of a short-link id (lower-case base 36, no leading zero, ≤ 12 digits).
pub(crate) fn short_index(id: &str) -> Option<usize> {
    if id.is_empty() || id.len() > 12 || (id.len() > 1 && id.starts_with('0')) {
        return None;
    }
    let mut n: usize = 0;
    for c in id.bytes() {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'z' => c - b'a' + 10,
            _ => return None,
        };
        n = n.checked_mul(36)?.checked_add(usize::from(d))?;
    }
    Some(n)
}

/// How an article page is being shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// At its canonical URL, with a self-referencing canonical link.
    Canonical,
    /// `/print/<slug>`: print chrome, canonical link to the real URL.
    Print,
    /// `/amp/<slug>`: minimal chrome, the same `<article>`, no canonical link.
    Amp,
}

impl Model {
    /// Whether article `i` of a host is one that gets corrected ([`Model::correct_after`]).
    pub(crate) fn corrects(&self, i: usize) -> bool {
        self.correct_after.is_some() && i % 5 == 3
    }

    /// When article `i` of host `h` was corrected, Unix milliseconds, if it has been by now:
    /// `correct_after` after its publication, or after the start for the initial articles
    /// (dated in the past).
    pub(crate) fn corrected_ms(&self, h: usize, i: usize) -> Option<i64> {
        let after = self.correct_after.filter(|_| self.corrects(i))?;
        let after_ms = i64::try_from(after.as_millis()).unwrap_or(i64::MAX / 2);
        let at = self
            .published_ms(h, i)
            .max(self.started.1)
            .saturating_add(after_ms);
        let now = self.started.1.saturating_add(
            i64::try_from(self.started.0.elapsed().as_millis()).unwrap_or(i64::MAX / 2),
        );
        (now >= at).then_some(at)
    }

    pub(crate) fn hosts(&self) -> usize {
        self.bases.len()
    }

    /// Articles host `h` has now (indices `0..n`): the initial ones plus, in live mode, those
    /// published so far.
    pub(crate) fn n(&self, h: usize) -> usize {
        self.n_at(h, self.live.map(|l| l.start.elapsed()))
    }

    /// Articles host `h` has `elapsed` after the start (`None`: not live).
    pub(crate) fn n_at(&self, h: usize, elapsed: Option<Duration>) -> usize {
        let live = match (self.live, elapsed) {
            (Some(l), Some(e)) => l.count(h, self.hosts(), e),
            _ => 0,
        };
        self.articles_per_host.saturating_add(live)
    }

    /// Publication time of article `i` of host `h`, Unix milliseconds: generated (in the past)
    /// for the initial articles, the moment it appeared for live ones.
    pub(crate) fn published_ms(&self, h: usize, i: usize) -> i64 {
        match self.live {
            Some(l) if i >= self.articles_per_host => {
                let after = l.appears_after(h, self.hosts(), i - self.articles_per_host);
                l.start_unix_ms
                    .saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX / 2))
            }
            _ => gen::published(h, i).saturating_mul(1000),
        }
    }

    /// Publication time of article `i` of host `h`, Unix seconds.
    pub(crate) fn published(&self, h: usize, i: usize) -> i64 {
        self.published_ms(h, i).div_euclid(1000)
    }

    fn special(&self, k: usize) -> Option<usize> {
        let n = self.articles_per_host;
        if n == 0 {
            None
        } else {
            Some(k.min(n - 1))
        }
    }

    /// The article whose `/print/<slug>` copy is linked (canonical feature).
    pub(crate) fn print_index(&self) -> Option<usize> {
        self.special(0).filter(|_| self.features.canonical)
    }

    /// The article served at `/flaky/<slug>` (flaky feature).
    pub(crate) fn flaky_index(&self) -> Option<usize> {
        self.special(1).filter(|_| self.features.flaky)
    }

    /// The article whose `/amp/<slug>` copy is linked (near_duplicate feature).
    pub(crate) fn amp_index(&self) -> Option<usize> {
        self.special(2).filter(|_| self.features.near_duplicate)
    }

    /// The article linked as `/old/<slug>` (one 301 hop).
    pub(crate) fn old_index(&self) -> Option<usize> {
        self.special(3).filter(|_| self.features.redirects)
    }

    /// The article linked as `/moved/<slug>` (302 → `/old/<slug>` → 301 → article).
    pub(crate) fn moved_index(&self) -> Option<usize> {
        self.special(4).filter(|_| self.features.redirects)
    }

    pub(crate) fn section_of(&self, i: usize) -> &'static str {
        SECTIONS[i % SECTIONS.len()]
    }

    /// Path of article `i` on host `h` at its canonical URL.
    pub(crate) fn article_path(&self, h: usize, i: usize) -> String {
        if self.flaky_index() == Some(i) {
            format!("/flaky/{}", gen::slug(h, i))
        } else {
            format!("/news/{}/{}", self.section_of(i), gen::slug(h, i))
        }
    }

    pub(crate) fn article_url(&self, h: usize, i: usize) -> String {
        format!("{}{}", self.bases[h], self.article_path(h, i))
    }

    /// Every linked URL under `/private/` on host `h` (robots feature only).
    pub(crate) fn private_urls(&self, h: usize) -> Vec<String> {
        if !self.features.robots {
            return Vec::new();
        }
        let base = &self.bases[h];
        let mut v = vec![format!("{base}/private/admin")];
        v.extend((0..self.n(h)).map(|i| format!("{base}/private/drafts/{}", gen::slug(h, i))));
        v
    }

    /// Other URLs that lead to article `i` of host `h` and are linked somewhere on the site.
    pub(crate) fn aliases(&self, h: usize, i: usize) -> Vec<String> {
        let base = &self.bases[h];
        let slug = gen::slug(h, i);
        let mut v = Vec::new();
        if self.print_index() == Some(i) {
            v.push(format!("{base}/print/{slug}"));
        }
        if self.amp_index() == Some(i) {
            v.push(format!("{base}/amp/{slug}"));
        }
        if self.old_index() == Some(i) {
            v.push(format!("{base}/old/{slug}"));
        }
        if self.moved_index() == Some(i) {
            v.push(format!("{base}/moved/{slug}"));
        }
        v.extend(self.redirect_aliases(h, i));
        v
    }

    /// Number of tags a host uses: a quarter of its initial articles, 2..=16.
    pub(crate) fn tag_count(&self) -> usize {
        (self.articles_per_host / 4).clamp(2, TAGS.len())
    }

    /// The two (distinct) tags of article `i`, as indices into [`TAGS`].
    pub(crate) fn tags_of(&self, i: usize) -> [usize; 2] {
        let t = self.tag_count();
        let first = i % t;
        let second = (first + 1 + (i / t) % (t - 1)) % t;
        [first, second]
    }

    /// Deleted articles of host `h` that pages link to: (path, status) — 404 then 410.
    pub(crate) fn dead_paths(&self, h: usize) -> Vec<(String, u16)> {
        if !self.features.dead_links {
            return Vec::new();
        }
        vec![
            (format!("/news/world/{}", gen::slug(h, DEAD_BASE)), 404),
            (
                format!("/news/politics/{}", gen::slug(h, DEAD_BASE + 1)),
                410,
            ),
        ]
    }

    /// The alias URLs (aliases feature) of article `i` that answer 301 with its canonical URL.
    pub(crate) fn redirect_aliases(&self, h: usize, i: usize) -> Vec<String> {
        if !self.features.aliases {
            return Vec::new();
        }
        let base = &self.bases[h];
        let path = format!("/news/{}/{}", self.section_of(i), gen::slug(h, i));
        vec![
            format!("{base}/s/{}", short_id(i)),
            format!("{base}/article.php?id={i}"),
            format!("{base}{path}/print"),
            format!("{base}{path}/amp"),
        ]
    }

    /// An article path as a link on a page whose `<base href>` is `<host>/news/` (base_href
    /// feature), else the path itself.
    fn under_base(&self, path: &str) -> String {
        if !self.features.base_href {
            return path.to_string();
        }
        match path.strip_prefix("/news/") {
            Some(rest) => rest.to_string(),
            None => format!("..{path}"),
        }
    }

    /// Articles of section `s` (index into SECTIONS), newest first.
    fn section_articles(&self, h: usize, s: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (s..self.n(h)).step_by(SECTIONS.len()).collect();
        v.reverse();
        v
    }

    fn per_page(&self, count: usize) -> usize {
        MIN_PER_PAGE.max(count.div_ceil(MAX_LISTING_PAGES))
    }

    /// The link text variants that make duplicate URLs (duplicates feature), else the plain path.
    fn dup_tracking(&self, path: &str, source: &str) -> String {
        if self.features.duplicates {
            format!("{path}?utm_source={source}&utm_medium=web&utm_campaign=daily")
        } else {
            path.to_string()
        }
    }

    fn dup_fragment(&self, path: &str) -> String {
        if self.features.duplicates {
            format!("{path}#comments")
        } else {
            path.to_string()
        }
    }

    /// `HTTP://127.0.0.2:040123/path`: upper-case scheme, zero-padded port.
    fn dup_absolute(&self, h: usize, path: &str) -> String {
        if self.features.duplicates {
            let (ip, port) = &self.addrs[h];
            format!("HTTP://{ip}:0{port}{path}")
        } else {
            path.to_string()
        }
    }

    /// `/news/./world/slug` with the first hyphen as `%2D`.
    fn dup_dotted(&self, path: &str) -> String {
        if !self.features.duplicates {
            return path.to_string();
        }
        let mut parts = path.splitn(3, '/');
        let (_, first, rest) = (parts.next(), parts.next(), parts.next());
        let dotted = match (first, rest) {
            (Some(f), Some(r)) => format!("/{f}/./{r}"),
            _ => path.to_string(),
        };
        dotted.replacen('-', "%2D", 1)
    }
}

fn head(out: &mut String, m: &Model, h: usize, title: &str, extra: &str) {
    let site = gen::site_name(h);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} | {}</title>\n<link rel=\"stylesheet\" href=\"/static/site.css\">\n",
        esc(title),
        esc(&site)
    );
    if m.features.feed {
        let _ = writeln!(
            out,
            "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"{}\" href=\"/feed.xml\">",
            esc(&site)
        );
    }
    out.push_str(extra);
    out.push_str("</head>\n");
}

fn masthead(out: &mut String, h: usize) {
    let site = gen::site_name(h);
    let _ = write!(
        out,
        "<body>\n<header class=\"site-header\">\n<a class=\"logo\" href=\"/\">{}</a>\n\
         <nav class=\"menu\" aria-label=\"Sections\"><ul>\n<li><a href=\"/\">Home</a></li>\n",
        esc(&site)
    );
    for s in SECTIONS {
        let _ = writeln!(
            out,
            "<li><a href=\"/section/{s}\">{}</a></li>",
            gen::section_title(s)
        );
    }
    out.push_str(
        "</ul></nav>\n<form class=\"search\" action=\"/search\" method=\"post\"><input name=\"q\" placeholder=\"Search\"></form>\n</header>\n",
    );
}

fn footer(out: &mut String, m: &Model, h: usize) {
    let site = gen::site_name(h);
    out.push_str("<footer class=\"site-footer\">\n<ul class=\"footer-links\">\n<li><a href=\"/about\">About us</a></li>\n");
    if m.features.calendar {
        let _ = writeln!(
            out,
            "<li><a href=\"/calendar?date={CALENDAR_START}\">Events calendar</a></li>"
        );
    }
    if m.features.archive {
        out.push_str("<li><a href=\"/archive\">Archive</a></li>\n");
    }
    if m.features.feed {
        out.push_str("<li><a href=\"/feed.xml\">RSS</a></li>\n");
    }
    if m.features.robots {
        out.push_str("<li><a href=\"/private/admin\">Staff login</a></li>\n");
    }
    let _ = write!(
        out,
        "</ul>\n<p class=\"copyright\">&copy; 2026 {}. All rights reserved. Reproduction without permission is prohibited.</p>\n</footer>\n</body>\n</html>\n",
        esc(&site)
    );
}

fn teaser(out: &mut String, m: &Model, h: usize, i: usize, href: &str) {
    let published = m.published(h, i);
    let _ = writeln!(
        out,
        "<li class=\"teaser\"><a href=\"{}\">{}</a> <span class=\"meta\">{} &middot; {}</span></li>",
        esc(href),
        esc(&gen::title(h, i)),
        gen::section_title(m.section_of(i)),
        gen::human_date(published)
    );
}

fn home(m: &Model, h: usize) -> Reply {
    let site = gen::site_name(h);
    let mut out = String::with_capacity(8192);
    let extra = format!(
        "<meta name=\"description\" content=\"News from {0}: world, politics, business, science, sport and culture.\">\n\
         <meta property=\"og:site_name\" content=\"{0}\">\n<meta property=\"og:type\" content=\"website\">\n\
         <link rel=\"canonical\" href=\"{1}/\">\n",
        esc(&site),
        m.bases[h]
    );
    head(&mut out, m, h, "Latest news", &extra);
    masthead(&mut out, h);
    out.push_str(
        "<main class=\"home\">\n<section class=\"top-stories\">\n<h2>Top stories</h2>\n<ul>\n",
    );
    let latest: Vec<usize> = (0..m.n(h)).rev().take(HOME_LATEST).collect();
    for (k, &i) in latest.iter().enumerate() {
        let path = m.article_path(h, i);
        let href = match k {
            0 => m.dup_tracking(&path, "homepage"),
            1 => m.dup_fragment(&path),
            2 => m.dup_absolute(h, &path),
            3 | 4 if m.features.aliases => {
                format!("/news/{}/{}/amp", m.section_of(i), gen::slug(h, i))
            }
            _ => path,
        };
        teaser(&mut out, m, h, i, &href);
    }
    out.push_str("</ul>\n</section>\n<section class=\"sections\">\n<h2>Sections</h2>\n<ul>\n");
    for s in SECTIONS {
        let _ = writeln!(
            out,
            "<li><a href=\"/section/{s}\">More {}</a></li>",
            gen::section_title(s).to_lowercase()
        );
    }
    out.push_str("</ul>\n</section>\n<section class=\"more\">\n<h2>More</h2>\n<ul>\n");
    if let Some(i) = m.flaky_index() {
        teaser(&mut out, m, h, i, &m.article_path(h, i));
    }
    if let Some(i) = m.old_index() {
        let _ = writeln!(
            out,
            "<li><a href=\"/old/{}\">From the archive: {}</a></li>",
            gen::slug(h, i),
            esc(&gen::title(h, i))
        );
    }
    if let Some(i) = m.moved_index() {
        let _ = writeln!(
            out,
            "<li><a href=\"/moved/{}\">Revisited: {}</a></li>",
            gen::slug(h, i),
            esc(&gen::title(h, i))
        );
    }
    if let Some(i) = m.print_index() {
        let _ = writeln!(
            out,
            "<li><a href=\"/print/{}\">Print edition: {}</a></li>",
            gen::slug(h, i),
            esc(&gen::title(h, i))
        );
    }
    if let Some(i) = m.amp_index() {
        let _ = writeln!(
            out,
            "<li><a href=\"/amp/{}\">Mobile: {}</a></li>",
            gen::slug(h, i),
            esc(&gen::title(h, i))
        );
    }
    if m.features.non_html {
        out.push_str("<li><a href=\"/files/report.pdf\">Annual report (PDF)</a></li>\n<li><a href=\"/img/photo.jpg\">Photo of the day</a></li>\n");
    }
    for (k, (path, _)) in m.dead_paths(h).iter().enumerate() {
        let _ = writeln!(
            out,
            "<li><a href=\"{path}\">Correction {}: {}</a></li>",
            k + 1,
            esc(&gen::title(h, DEAD_BASE + k))
        );
    }
    if m.features.calendar {
        let _ = writeln!(
            out,
            "<li><a href=\"/calendar?date={CALENDAR_START}\">What's on today</a></li>"
        );
    }
    out.push_str("</ul>\n</section>\n");
    if m.features.cross_host && m.hosts() > 1 {
        out.push_str("<section class=\"partners\">\n<h2>Partner sites</h2>\n<ul>\n");
        for d in 1..=2.min(m.hosts() - 1) {
            let o = (h + d) % m.hosts();
            let _ = writeln!(
                out,
                "<li><a href=\"{}/\">{}</a></li>",
                m.bases[o],
                esc(&gen::site_name(o))
            );
        }
        out.push_str("</ul>\n</section>\n");
    }
    out.push_str("</main>\n");
    footer(&mut out, m, h);
    Reply::html(200, out)
}

fn listing(m: &Model, h: usize, section: &str, query: Option<&str>) -> Reply {
    let Some(s) = SECTIONS.iter().position(|x| *x == section) else {
        return Reply::not_found();
    };
    let page = match query_param(query, "page") {
        None => 1,
        Some(p) => match p.parse::<usize>() {
            Ok(p) if p >= 1 => p,
            _ => return Reply::not_found(),
        },
    };
    let items = m.section_articles(h, s);
    let per_page = m.per_page(items.len());
    let pages = items.len().div_ceil(per_page).max(1);
    if page > pages {
        return Reply::not_found();
    }
    let title = gen::section_title(section);
    let mut out = String::with_capacity(8192);
    let extra = format!(
        "<meta name=\"description\" content=\"{title} news, page {page}.\">\n\
         <link rel=\"canonical\" href=\"{}/section/{section}{}\">\n",
        m.bases[h],
        if page == 1 {
            String::new()
        } else {
            format!("?page={page}")
        }
    );
    head(&mut out, m, h, &format!("{title} – page {page}"), &extra);
    masthead(&mut out, h);
    let _ = write!(
        out,
        "<main class=\"listing\">\n<h1>{title}</h1>\n<ul class=\"teasers\">\n"
    );
    for &i in items.iter().skip((page - 1) * per_page).take(per_page) {
        teaser(&mut out, m, h, i, &m.article_path(h, i));
    }
    out.push_str("</ul>\n<nav class=\"pagination\"><ul>\n");
    for p in 1..=pages {
        let href = if p == 1 {
            format!("/section/{section}")
        } else {
            format!("/section/{section}?page={p}")
        };
        if p == page {
            let _ = writeln!(out, "<li class=\"current\">{p}</li>");
        } else {
            let _ = writeln!(out, "<li><a href=\"{href}\">{p}</a></li>");
        }
    }
    out.push_str("</ul></nav>\n</main>\n");
    footer(&mut out, m, h);
    Reply::html(200, out)
}

/// The `<article>` element of article `i` (identical for every variant).
fn article_element(out: &mut String, m: &Model, h: usize, i: usize) {
    let title = gen::title(h, i);
    let body = gen::body(h, i);
    let published = m.published(h, i);
    let section = m.section_of(i);
    let _ = write!(
        out,
        "<article class=\"story\">\n<header class=\"story-header\">\n<p class=\"kicker\"><a href=\"/section/{section}\">{}</a></p>\n\
         <h1 class=\"headline\">{}</h1>\n<p class=\"lead\">{}</p>\n\
         <p class=\"byline\">By <span class=\"author\">{}</span> &middot; <time datetime=\"{}\">{}</time> &middot; <a href=\"#comments\">Comments</a></p>\n</header>\n",
        gen::section_title(section),
        esc(&title),
        esc(&body.lead),
        esc(&gen::author(h, i)),
        gen::rfc3339(published),
        gen::human_date(published)
    );
    if m.features.non_html {
        let _ = writeln!(
            out,
            "<figure><img src=\"/img/photo.jpg\" alt=\"{0}\" width=\"800\" height=\"450\"><figcaption>{0}</figcaption></figure>",
            esc(&body.caption)
        );
    }
    out.push_str("<div class=\"article-body\">\n");
    for (k, p) in body.paragraphs.iter().enumerate() {
        let _ = writeln!(out, "<p>{}</p>", esc(p));
        if k == 1 && m.n(h) > 1 {
            out.push_str("<aside class=\"read-also\">\n<h2>Read also</h2>\n<ul>\n");
            for d in 1..=3.min(m.n(h) - 1) {
                let j = (i + m.n(h) - d) % m.n(h);
                let href = m.dup_tracking(&m.article_path(h, j), "readalso");
                let _ = writeln!(
                    out,
                    "<li><a href=\"{}\">{}</a></li>",
                    esc(&href),
                    esc(&gen::title(h, j))
                );
            }
            out.push_str("</ul>\n</aside>\n");
        }
    }
    if let Some(at) = m.corrected_ms(h, i) {
        let _ = writeln!(
            out,
            "<p class=\"correction\">Correction ({}): an earlier version of this article misstated the figures in its second paragraph. They have been corrected.</p>",
            gen::human_date(at.div_euclid(1000))
        );
    }
    out.push_str(
        "</div>\n<section id=\"comments\" class=\"comments\">\n<h2>Comments</h2>\n<p>Comments are closed for this story.</p>\n</section>\n</article>\n",
    );
}

fn json_ld(m: &Model, h: usize, i: usize) -> String {
    let modified = m.corrected_ms(h, i).map_or_else(
        || gen::rfc3339(m.published(h, i)),
        |ms| gen::rfc3339(ms.div_euclid(1000)),
    );
    let published = gen::rfc3339(m.published(h, i));
    let v = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": gen::title(h, i),
        "datePublished": published,
        "dateModified": modified,
        "articleSection": gen::section_title(m.section_of(i)),
        "author": [{"@type": "Person", "name": gen::author(h, i)}],
        "publisher": {"@type": "Organization", "name": gen::site_name(h)},
        "mainEntityOfPage": m.article_url(h, i),
        "image": [format!("{}/img/photo.jpg", m.bases[h])],
    });
    // `</` inside a script element would end it; JSON allows `\/`.
    v.to_string().replace("</", "<\\/")
}

fn article_page(m: &Model, h: usize, i: usize, variant: Variant) -> Reply {
    let title = gen::title(h, i);
    let url = m.article_url(h, i);
    let lead = gen::body(h, i).lead;
    let mut extra = String::new();
    let _ = writeln!(
        extra,
        "<meta name=\"description\" content=\"{}\">",
        esc(&lead)
    );
    if variant != Variant::Amp {
        let _ = write!(
            extra,
            "<link rel=\"canonical\" href=\"{url}\">\n\
             <meta property=\"og:type\" content=\"article\">\n<meta property=\"og:title\" content=\"{0}\">\n\
             <meta property=\"og:url\" content=\"{url}\">\n<meta property=\"og:site_name\" content=\"{1}\">\n\
             <meta property=\"og:image\" content=\"{2}/img/photo.jpg\">\n\
             <meta property=\"article:published_time\" content=\"{3}\">\n<meta property=\"article:section\" content=\"{4}\">\n\
             <meta name=\"author\" content=\"{5}\">\n\
             <script type=\"application/ld+json\">{6}</script>\n",
            esc(&title),
            esc(&gen::site_name(h)),
            m.bases[h],
            gen::rfc3339(m.published(h, i)),
            gen::section_title(m.section_of(i)),
            esc(&gen::author(h, i)),
            json_ld(m, h, i)
        );
    }
    let mut out = String::with_capacity(16_384);
    head(&mut out, m, h, &title, &extra);
    match variant {
        Variant::Canonical => masthead(&mut out, h),
        Variant::Print => {
            let _ = writeln!(
                out,
                "<body class=\"print\">\n<p class=\"print-note\">Printed from {} &middot; <a href=\"{}\">View online</a></p>",
                esc(&gen::site_name(h)),
                url
            );
        }
        Variant::Amp => {
            let _ = writeln!(
                out,
                "<body class=\"amp\">\n<header class=\"amp-header\"><a href=\"/\">{}</a></header>",
                esc(&gen::site_name(h))
            );
        }
    }
    if variant == Variant::Canonical {
        let section = m.section_of(i);
        let _ = writeln!(
            out,
            "<nav class=\"breadcrumb\"><a href=\"/\">Home</a> &rsaquo; <a href=\"/section/{section}\">{}</a></nav>",
            gen::section_title(section)
        );
    }
    out.push_str("<main>\n");
    article_element(&mut out, m, h, i);
    if variant == Variant::Canonical {
        out.push_str("<div class=\"toolbar\"><ul>\n");
        if m.print_index() == Some(i) {
            let _ = writeln!(
                out,
                "<li><a href=\"/print/{}\">Print</a></li>",
                gen::slug(h, i)
            );
        }
        if m.amp_index() == Some(i) {
            let _ = writeln!(
                out,
                "<li><a href=\"/amp/{}\">Mobile version</a></li>",
                gen::slug(h, i)
            );
        }
        if m.features.aliases {
            let _ = writeln!(
                out,
                "<li><a href=\"/news/{}/{}/print\">Print this story</a></li>\n<li class=\"share\">Short link: <a href=\"/s/{}\">/s/{}</a></li>",
                m.section_of(i),
                gen::slug(h, i),
                short_id(i),
                short_id(i)
            );
        }
        if m.features.non_html {
            out.push_str("<li><a href=\"/files/report.pdf\">Download the report (PDF)</a></li>\n");
        }
        if m.features.robots {
            let _ = writeln!(
                out,
                "<li><a href=\"/private/drafts/{}\">Edit</a></li>",
                gen::slug(h, i)
            );
        }
        out.push_str("</ul></div>\n");
        if m.features.tags {
            out.push_str("<ul class=\"tags\">\n");
            for t in m.tags_of(i) {
                let _ = writeln!(out, "<li><a href=\"/tag/{0}\">#{0}</a></li>", TAGS[t]);
            }
            out.push_str("</ul>\n");
        }
        related(&mut out, m, h, i);
    }
    out.push_str("</main>\n");
    match variant {
        Variant::Canonical => footer(&mut out, m, h),
        _ => out.push_str("</body>\n</html>\n"),
    }
    Reply::html(200, out)
}

fn related(out: &mut String, m: &Model, h: usize, i: usize) {
    let n = m.n(h);
    out.push_str("<aside class=\"related\">\n<h2>Related</h2>\n<ul>\n");
    if n > 1 {
        let j = (i + 1) % n;
        let k = (i + 5) % n;
        let c = (i + 4) % n;
        for (idx, href) in [
            (j, m.dup_absolute(h, &m.article_path(h, j))),
            (k, m.dup_dotted(&m.article_path(h, k))),
            (c, m.dup_fragment(&m.article_path(h, c))),
        ] {
            let _ = writeln!(
                out,
                "<li><a href=\"{}\">{}</a></li>",
                esc(&href),
                esc(&gen::title(h, idx))
            );
        }
    }
    if m.features.aliases && n > 2 {
        let j = (i + 2) % n;
        let _ = writeln!(
            out,
            "<li><a href=\"/article.php?id={j}\">{}</a></li>",
            esc(&gen::title(h, j))
        );
    }
    if i.is_multiple_of(5) {
        if let Some((path, _)) = m.dead_paths(h).first() {
            let _ = writeln!(
                out,
                "<li><a href=\"{path}\">{}</a></li>",
                esc(&gen::title(h, DEAD_BASE))
            );
        }
    }
    if m.features.cross_host && m.hosts() > 1 && n > 0 {
        let hosts = m.hosts();
        for (o, j) in [((h + 1) % hosts, i), ((h + hosts - 1) % hosts, (i + 7) % n)] {
            // In live mode the other host may not have published article j yet.
            if o == h || j >= m.n(o) {
                continue;
            }
            let _ = writeln!(
                out,
                "<li class=\"partner\"><a href=\"{}\">{}</a> <span class=\"source\">{}</span></li>",
                m.article_url(o, j),
                esc(&gen::title(o, j)),
                esc(&gen::site_name(o))
            );
        }
    }
    out.push_str("</ul>\n</aside>\n");
}

/// `<base href>` for the tag and archive pages (base_href feature).
fn base_tag(m: &Model, h: usize) -> String {
    if m.features.base_href {
        format!("<base href=\"{}/news/\">\n", m.bases[h])
    } else {
        String::new()
    }
}

fn tag_page(m: &Model, h: usize, name: &str) -> Reply {
    let Some(t) = TAGS[..m.tag_count()].iter().position(|x| *x == name) else {
        return Reply::not_found();
    };
    let mut out = String::with_capacity(8192);
    let extra = format!(
        "<meta name=\"description\" content=\"Stories tagged {name}.\">\n{}",
        base_tag(m, h)
    );
    head(&mut out, m, h, &format!("#{name}"), &extra);
    masthead(&mut out, h);
    let _ = write!(
        out,
        "<main class=\"tag\">\n<h1>Stories tagged #{name}</h1>\n<ul class=\"teasers\">\n"
    );
    let items = (0..m.n(h))
        .rev()
        .filter(|&i| m.tags_of(i).contains(&t))
        .take(TAG_PAGE_ITEMS);
    for i in items {
        teaser(&mut out, m, h, i, &m.under_base(&m.article_path(h, i)));
    }
    out.push_str("</ul>\n</main>\n");
    footer(&mut out, m, h);
    Reply::html(200, out)
}

fn archive(m: &Model, h: usize, query: Option<&str>) -> Reply {
    let page = match query_param(query, "page") {
        None => 1,
        Some(p) => match p.parse::<usize>() {
            Ok(p) if p >= 1 => p,
            _ => return Reply::not_found(),
        },
    };
    let n = m.n(h);
    let pages = n.div_ceil(ARCHIVE_PAGE).max(1);
    if page > pages {
        return Reply::not_found();
    }
    let mut out = String::with_capacity(8192);
    let extra = format!(
        "<meta name=\"description\" content=\"Archive, page {page}.\">\n{}",
        base_tag(m, h)
    );
    head(&mut out, m, h, &format!("Archive – page {page}"), &extra);
    masthead(&mut out, h);
    let _ = write!(
        out,
        "<main class=\"archive\">\n<h1>Archive</h1>\n<ul class=\"teasers\">\n"
    );
    for i in (0..n)
        .rev()
        .skip((page - 1) * ARCHIVE_PAGE)
        .take(ARCHIVE_PAGE)
    {
        teaser(&mut out, m, h, i, &m.under_base(&m.article_path(h, i)));
    }
    out.push_str("</ul>\n<nav class=\"pagination\">\n");
    if page > 1 {
        let _ = writeln!(
            out,
            "<a rel=\"prev\" href=\"/archive?page={}\">Newer</a>",
            page - 1
        );
    }
    if page < pages {
        let _ = writeln!(
            out,
            "<a rel=\"next\" href=\"/archive?page={}\">Older</a>",
            page + 1
        );
    }
    out.push_str("</nav>\n</main>\n");
    footer(&mut out, m, h);
    Reply::html(200, out)
}

fn robots(m: &Model, h: usize) -> Reply {
    let mut out = format!(
        "# robots.txt for {}\nUser-agent: BadBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n",
        gen::site_name(h)
    );
    if let Some(d) = m.crawl_delay {
        let _ = writeln!(out, "Crawl-delay: {d}");
    }
    if m.features.sitemap {
        let _ = writeln!(out, "\nSitemap: {}/sitemap.xml", m.bases[h]);
    }
    Reply::typed("text/plain; charset=utf-8", out.into_bytes())
}

fn sitemap_index(m: &Model, h: usize) -> Reply {
    let chunks = m.n(h).div_ceil(SITEMAP_CHUNK).max(1);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let last = if m.n(h) == 0 {
        m.published(h, 0)
    } else {
        m.published(h, m.n(h) - 1)
    };
    for k in 1..=chunks {
        let _ = writeln!(
            out,
            "<sitemap><loc>{}/sitemaps/articles-{k}.xml</loc><lastmod>{}</lastmod></sitemap>",
            m.bases[h],
            gen::rfc3339(last)
        );
    }
    out.push_str("</sitemapindex>\n");
    Reply::typed("application/xml", out.into_bytes())
}

fn sitemap_chunk(m: &Model, h: usize, k: usize) -> Reply {
    let chunks = m.n(h).div_ceil(SITEMAP_CHUNK).max(1);
    if k == 0 || k > chunks {
        return Reply::not_found();
    }
    let site = xml_esc(&gen::site_name(h));
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    let start = (k - 1) * SITEMAP_CHUNK;
    for i in start..m.n(h).min(start + SITEMAP_CHUNK) {
        let published = gen::rfc3339(m.published(h, i));
        let _ = writeln!(
            out,
            "<url><loc>{}</loc><lastmod>{published}</lastmod><news:news><news:publication><news:name>{site}</news:name>\
             <news:language>en</news:language></news:publication><news:publication_date>{published}</news:publication_date>\
             <news:title>{}</news:title></news:news></url>",
            xml_esc(&m.article_url(h, i)),
            xml_esc(&gen::title(h, i))
        );
    }
    out.push_str("</urlset>\n");
    Reply::typed("application/xml", out.into_bytes())
}

fn xml_esc(s: &str) -> String {
    esc(s).replace("&#39;", "&apos;")
}

fn feed(m: &Model, h: usize) -> Reply {
    let site = xml_esc(&gen::site_name(h));
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n<title>{site}</title>\n\
         <link>{}/</link>\n<description>Latest news from {site}</description>\n<language>en</language>\n",
        m.bases[h]
    );
    for i in (0..m.n(h)).rev().take(FEED_ITEMS) {
        let url = xml_esc(&m.article_url(h, i));
        let _ = writeln!(
            out,
            "<item><title>{}</title><link>{url}</link><guid isPermaLink=\"true\">{url}</guid>\
             <pubDate>{}</pubDate><description>{}</description></item>",
            xml_esc(&gen::title(h, i)),
            gen::rfc2822(m.published(h, i)),
            xml_esc(&gen::body(h, i).lead)
        );
    }
    out.push_str("</channel>\n</rss>\n");
    Reply::typed("application/rss+xml", out.into_bytes())
}

fn calendar(m: &Model, h: usize, query: Option<&str>) -> Reply {
    let date = query_param(query, "date").unwrap_or_else(|| CALENDAR_START.to_string());
    let Some(day) = gen::parse_date(&date) else {
        return Reply::bad_request("date must be YYYY-MM-DD");
    };
    let (prev, next) = (gen::format_date(day - 1), gen::format_date(day + 1));
    let mut out = String::with_capacity(4096);
    head(
        &mut out,
        m,
        h,
        &format!("Events on {date}"),
        "<meta name=\"robots\" content=\"noarchive\">\n",
    );
    masthead(&mut out, h);
    let _ = write!(
        out,
        "<main class=\"calendar\">\n<h1>Events on {date}</h1>\n<ul class=\"events\">\n"
    );
    let mut r = gen::Rng::new(day as u64 ^ (h as u64) << 32);
    for hour in [10, 14, 19] {
        let _ = writeln!(
            out,
            "<li>{hour}:00 &ndash; Community meeting, room {}</li>",
            r.range(1, 40)
        );
    }
    let _ = write!(
        out,
        "</ul>\n<nav class=\"calendar-nav\"><a rel=\"prev\" href=\"/calendar?date={prev}\">&larr; {prev}</a> \
         <a rel=\"next\" href=\"/calendar?date={next}\">{next} &rarr;</a></nav>\n</main>\n"
    );
    footer(&mut out, m, h);
    Reply::html(200, out)
}

fn about(m: &Model, h: usize) -> Reply {
    let site = gen::site_name(h);
    let mut out = String::new();
    head(&mut out, m, h, "About us", "");
    masthead(&mut out, h);
    let _ = write!(
        out,
        "<main class=\"about\">\n<h1>About {0}</h1>\n<p>{0} is an independent local newspaper. Contact the newsroom by post.</p>\n</main>\n",
        esc(&site)
    );
    footer(&mut out, m, h);
    Reply::html(200, out)
}

/// A page under `/private/`: looks like an article, so a crawler that ignores robots.txt is caught
/// both by the request log and by emitting an article that is not expected.
fn private(m: &Model, h: usize, path: &str) -> Reply {
    let mut out = String::new();
    head(&mut out, m, h, "Internal draft", "");
    let _ = write!(
        out,
        "<body>\n<main>\n<article>\n<h1>Internal draft {}</h1>\n<p>This page is for staff only and must not be crawled.</p>\n</article>\n</main>\n</body>\n</html>\n",
        esc(path)
    );
    Reply::html(200, out)
}

const CSS: &str = "body{font-family:Georgia,serif;max-width:48rem;margin:auto}.menu ul{display:flex;gap:1rem;list-style:none}\n";

/// A tiny valid-looking PDF.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
/// JPEG/JFIF header bytes and an end marker.
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9,
];

/// Look up `name` in a query string (no percent-decoding: the site's own values need none).
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| v.to_string())
    })
}

/// Decode `%XX` escapes of unreserved characters and resolve `.`/`..` segments, as a browser or
/// URL library would before sending; a raw client may send them as they were written.
pub(crate) fn normalize_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut k = 0;
    while k < bytes.len() {
        if bytes[k] == b'%' {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(a), Some(b)) = (
                bytes.get(k + 1).and_then(|b| hex(*b)),
                bytes.get(k + 2).and_then(|b| hex(*b)),
            ) {
                let c = (a * 16 + b) as u8;
                if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
                    decoded.push(c);
                    k += 3;
                    continue;
                }
            }
        }
        decoded.push(bytes[k]);
        k += 1;
    }
    let decoded = String::from_utf8_lossy(&decoded);
    let mut segs: Vec<&str> = Vec::new();
    let trailing = decoded.ends_with('/') || decoded.ends_with("/.") || decoded.ends_with("/..");
    for seg in decoded.split('/').skip(1) {
        match seg {
            "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    let mut out = String::with_capacity(decoded.len());
    for s in &segs {
        out.push('/');
        out.push_str(s);
    }
    if out.is_empty() || (trailing && !out.ends_with('/')) {
        out.push('/');
    }
    out
}

/// Find article `i` of host `h` by slug.
fn article_by_slug(h: usize, slug: &str, n: usize) -> Option<usize> {
    let i = gen::index_of_slug(slug)?;
    (i < n && gen::slug(h, i) == slug).then_some(i)
}

/// Answer one GET for host `h`. `flaky_hits` counts requests for the flaky article on this host.
pub(crate) fn route(
    m: &Model,
    h: usize,
    raw_path: &str,
    query: Option<&str>,
    flaky_hits: &AtomicU64,
) -> Reply {
    let path = normalize_path(raw_path);
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let f = &m.features;
    let n = m.n(h);
    match segs.as_slice() {
        [""] => home(m, h),
        ["robots.txt"] if f.robots => robots(m, h),
        ["sitemap.xml"] if f.sitemap => sitemap_index(m, h),
        ["sitemaps", file] if f.sitemap => {
            match file
                .strip_prefix("articles-")
                .and_then(|r| r.strip_suffix(".xml"))
                .and_then(|k| k.parse::<usize>().ok())
            {
                Some(k) => sitemap_chunk(m, h, k),
                None => Reply::not_found(),
            }
        }
        ["feed.xml"] if f.feed => feed(m, h),
        ["section", s] => listing(m, h, s, query),
        ["news", section, slug] => match article_by_slug(h, slug, n) {
            Some(i) if m.section_of(i) == *section && m.flaky_index() != Some(i) => {
                article_page(m, h, i, Variant::Canonical)
            }
            _ => match m.dead_paths(h).into_iter().find(|(p, _)| *p == path) {
                Some((_, 410)) => Reply::html(
                    410,
                    "<!DOCTYPE html><html><head><title>Gone</title></head><body><h1>This story has been removed</h1></body></html>".to_string(),
                ),
                _ => Reply::not_found(),
            },
        },
        ["news", section, slug, "print" | "amp"] if f.aliases => {
            match article_by_slug(h, slug, n) {
                Some(i) if m.section_of(i) == *section => Reply::redirect(301, m.article_url(h, i)),
                _ => Reply::not_found(),
            }
        }
        ["s", id] if f.aliases => match short_index(id).filter(|i| *i < n) {
            Some(i) => Reply::redirect(301, m.article_url(h, i)),
            None => Reply::not_found(),
        },
        ["article.php"] if f.aliases => {
            match query_param(query, "id").and_then(|v| {
                v.parse::<usize>()
                    .ok()
                    .filter(|i| *i < n && v == i.to_string())
            }) {
                Some(i) => Reply::redirect(301, m.article_url(h, i)),
                None => Reply::not_found(),
            }
        }
        ["tag", name] if f.tags => tag_page(m, h, name),
        ["archive"] if f.archive => archive(m, h, query),
        ["flaky", slug] => match article_by_slug(h, slug, n) {
            Some(i) if m.flaky_index() == Some(i) => {
                if flaky_hits.fetch_add(1, Ordering::SeqCst) == 0 {
                    let mut r = Reply::html(
                        503,
                        "<!DOCTYPE html><html><head><title>Service unavailable</title></head><body><h1>Temporarily unavailable</h1><p>Please try again shortly.</p></body></html>".to_string(),
                    );
                    r.headers.push(("retry-after", "1".to_string()));
                    r
                } else {
                    article_page(m, h, i, Variant::Canonical)
                }
            }
            _ => Reply::not_found(),
        },
        ["print", slug] if f.canonical => match article_by_slug(h, slug, n) {
            Some(i) => article_page(m, h, i, Variant::Print),
            None => Reply::not_found(),
        },
        ["amp", slug] if f.near_duplicate => match article_by_slug(h, slug, n) {
            Some(i) => article_page(m, h, i, Variant::Amp),
            None => Reply::not_found(),
        },
        ["old", slug] if f.redirects => match article_by_slug(h, slug, n) {
            Some(i) => Reply::redirect(301, m.article_url(h, i)),
            None => Reply::not_found(),
        },
        ["moved", slug] if f.redirects => match article_by_slug(h, slug, n) {
            Some(_) => Reply::redirect(302, format!("{}/old/{slug}", m.bases[h])),
            None => Reply::not_found(),
        },
        ["calendar"] if f.calendar => calendar(m, h, query),
        ["files", "report.pdf"] if f.non_html => Reply::typed("application/pdf", PDF.to_vec()),
        ["img", "photo.jpg"] if f.non_html => Reply::typed("image/jpeg", JPEG.to_vec()),
        ["about"] => about(m, h),
        ["static", "site.css"] => Reply::typed("text/css", CSS.as_bytes().to_vec()),
        ["private", ..] => private(m, h, &path),
        _ => Reply::not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(features: Features, n: usize, hosts: usize) -> Model {
        Model {
            features,
            articles_per_host: n,
            crawl_delay: Some(0.25),
            bases: (0..hosts)
                .map(|h| format!("http://127.0.0.{}:4000", h + 2))
                .collect(),
            addrs: (0..hosts)
                .map(|h| (format!("127.0.0.{}", h + 2), 4000))
                .collect(),
            live: None,
            correct_after: None,
            started: (
                Instant::now(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64),
            ),
        }
    }

    #[test]
    fn corrected_articles_change_after_the_delay_and_only_they() {
        let mut m = model(Features::default(), 10, 1);
        let page = |m: &Model, i: usize| {
            let r = get(m, 0, &m.article_path(0, i));
            assert_eq!(r.status, 200);
            String::from_utf8(r.body).unwrap()
        };
        let before: Vec<String> = (0..10).map(|i| page(&m, i)).collect();
        m.correct_after = Some(Duration::from_secs(3600));
        assert_eq!(
            (0..10).filter(|i| m.corrects(*i)).collect::<Vec<_>>(),
            [3, 8]
        );
        assert_eq!(m.corrected_ms(0, 3), None);
        assert!((0..10).all(|i| page(&m, i) == before[i]), "not yet");
        m.correct_after = Some(Duration::ZERO);
        let at = m.published_ms(0, 3).max(m.started.1);
        assert_eq!(m.corrected_ms(0, 3), Some(at));
        let modified = format!("\"dateModified\":\"{}\"", gen::rfc3339(at.div_euclid(1000)));
        for (i, old) in before.iter().enumerate() {
            let now = page(&m, i);
            if i % 5 == 3 {
                assert!(now.contains("<p class=\"correction\">Correction ("), "{i}");
                assert!(now.contains(&modified), "{i}");
            } else {
                assert_eq!(&now, old, "article {i} must not change");
            }
        }
    }

    fn get(m: &Model, h: usize, pq: &str) -> Reply {
        let (p, q) = match pq.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (pq, None),
        };
        route(m, h, p, q, &AtomicU64::new(5))
    }

    fn text(r: &Reply) -> String {
        String::from_utf8_lossy(&r.body).into_owned()
    }

    /// Every `href="..."` of a page.
    fn hrefs(page: &str) -> Vec<String> {
        page.split("href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(|s| s.replace("&amp;", "&"))
            .collect()
    }

    #[test]
    fn normalize_path_decodes_unreserved_and_resolves_dots() {
        assert_eq!(normalize_path("/news/./world/a%2Db-1"), "/news/world/a-b-1");
        assert_eq!(normalize_path("/a/../b/"), "/b/");
        assert_eq!(normalize_path("/%2f/x"), "/%2f/x");
        assert_eq!(normalize_path("/%"), "/%");
        assert_eq!(normalize_path("/%4"), "/%4");
        assert_eq!(normalize_path(""), "/");
        assert_eq!(normalize_path("/../../.."), "/");
    }

    #[test]
    fn every_article_served_at_its_path_and_only_there() {
        let m = model(Features::default(), 40, 2);
        for i in 0..40 {
            let path = m.article_path(1, i);
            let r = get(&m, 1, &path);
            assert_eq!(r.status, 200, "{path}");
            let page = text(&r);
            assert!(page.contains("<article"));
            assert!(page.contains(&format!(
                "<link rel=\"canonical\" href=\"{}\">",
                m.article_url(1, i)
            )));
            assert!(page.contains(&esc(&gen::title(1, i))));
            // The other host has no such article.
            if gen::slug(0, i) != gen::slug(1, i) {
                assert_eq!(get(&m, 0, &path).status, 404);
            }
        }
        // Wrong section, unknown slug, index out of range.
        let s = gen::slug(1, 6);
        assert_eq!(get(&m, 1, &format!("/news/politics/{s}")).status, 404);
        assert_eq!(get(&m, 1, "/news/world/nothing-here-7").status, 404);
        assert_eq!(get(&m, 1, "/news/world/x-99999").status, 404);
    }

    #[test]
    fn listings_reach_every_article_within_three_pages() {
        for n in [0, 1, 7, 60, 1000] {
            let m = model(Features::default(), n, 1);
            let mut found = std::collections::HashSet::new();
            for s in SECTIONS {
                let first = get(&m, 0, &format!("/section/{s}"));
                assert_eq!(first.status, 200);
                let mut pages = vec![text(&first)];
                for p in 2..=MAX_LISTING_PAGES + 1 {
                    let r = get(&m, 0, &format!("/section/{s}?page={p}"));
                    if p > MAX_LISTING_PAGES {
                        assert_eq!(r.status, 404);
                    } else if r.status == 200 {
                        // linked from page 1
                        assert!(pages[0].contains(&format!("/section/{s}?page={p}")));
                        pages.push(text(&r));
                    }
                }
                for page in pages {
                    assert!(!page.contains("<article"));
                    for href in hrefs(&page) {
                        if href.starts_with("/news/") || href.starts_with("/flaky/") {
                            found.insert(href);
                        }
                    }
                }
            }
            let expected: std::collections::HashSet<String> =
                (0..n).map(|i| m.article_path(0, i)).collect();
            assert_eq!(found, expected, "n={n}");
        }
    }

    #[test]
    fn duplicate_links_present_only_with_the_feature() {
        let m = model(Features::default(), 30, 2);
        let home = text(&get(&m, 0, "/"));
        assert!(home.contains("utm_source=homepage"));
        assert!(home.contains("#comments\""));
        assert!(home.contains("HTTP://127.0.0.2:04000/"));
        let art = text(&get(&m, 0, &m.article_path(0, 10)));
        assert!(art.contains("utm_source=readalso"));
        assert!(art.contains("/./"));
        assert!(art.contains("%2D"));
        let off = model(
            Features {
                duplicates: false,
                ..Features::default()
            },
            30,
            2,
        );
        for page in [
            text(&get(&off, 0, "/")),
            text(&get(&off, 0, &off.article_path(0, 10))),
        ] {
            assert!(!page.contains("utm_"));
            assert!(!page.contains("HTTP://"));
            assert!(!page.contains("%2D"));
            assert!(!page.contains("/./"));
        }
    }

    #[test]
    fn every_link_on_every_page_resolves_or_is_known() {
        // Crawl the model itself (both hosts) and check that each linked same-site path answers
        // 200, 301/302 or is a /private/ page; nothing links to a 404.
        let m = model(Features::default(), 25, 2);
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![(0usize, "/".to_string()), (1usize, "/".to_string())];
        let mut articles = std::collections::HashSet::new();
        while let Some((h, pq)) = todo.pop() {
            if !seen.insert((h, pq.clone())) || seen.len() > 5000 {
                continue;
            }
            let r = get(&m, h, &pq);
            let dead = m.dead_paths(h).into_iter().find(|(p, _)| *p == pq);
            if let Some((_, status)) = dead {
                assert_eq!(r.status, status, "{pq}");
                continue;
            }
            assert!(
                [200, 301, 302].contains(&r.status),
                "{pq} on host {h}: {}",
                r.status
            );
            if pq.starts_with("/calendar") {
                continue; // endless by design
            }
            if r.content_type.starts_with("text/html") {
                let page = text(&r);
                if page.contains("<article") && !pq.starts_with("/private/") {
                    articles.insert((h, pq.split('?').next().unwrap_or("").to_string()));
                }
                // <base href> is not a link.
                for href in hrefs(&page.replace("<base href=", "<base data-b=")) {
                    let href = href.split('#').next().unwrap_or("").to_string();
                    if href.is_empty() {
                        continue;
                    }
                    let (host, path) = if let Some(o) = m
                        .bases
                        .iter()
                        .position(|b| href.starts_with(&format!("{b}/")))
                    {
                        (o, href[m.bases[o].len()..].to_string())
                    } else if let Some(rest) = href.strip_prefix("HTTP://") {
                        let slash = rest.find('/').unwrap_or(rest.len());
                        (h, rest[slash..].to_string())
                    } else if href.starts_with('/') {
                        (h, href)
                    } else if page.contains("<base href=") {
                        // Relative to the page's <base href="<host>/news/">.
                        (h, normalize_path(&format!("/news/{href}")))
                    } else {
                        panic!("unexpected link {href}");
                    };
                    todo.push((host, path));
                }
            }
        }
        // Canonical article pages found: every article of both hosts (print/amp copies are extra).
        let canonical: std::collections::HashSet<(usize, String)> = articles
            .into_iter()
            .filter(|(_, p)| p.starts_with("/news/") || p.starts_with("/flaky/"))
            .map(|(h, p)| (h, normalize_path(&p)))
            .collect();
        assert_eq!(canonical.len(), 50);
    }

    #[test]
    fn print_and_amp_copies() {
        let m = model(Features::default(), 10, 1);
        let i = m.print_index().unwrap_or(usize::MAX);
        let print = text(&get(&m, 0, &format!("/print/{}", gen::slug(0, i))));
        assert!(print.contains(&format!(
            "<link rel=\"canonical\" href=\"{}\">",
            m.article_url(0, i)
        )));
        let a = m.amp_index().unwrap_or(usize::MAX);
        let amp = text(&get(&m, 0, &format!("/amp/{}", gen::slug(0, a))));
        let canonical = text(&get(&m, 0, &m.article_path(0, a)));
        assert!(!amp.contains("rel=\"canonical\""));
        let element = |p: &str| {
            let s = p.find("<article").unwrap_or(0);
            let e = p.find("</article>").unwrap_or(0);
            p[s..e].to_string()
        };
        assert_eq!(element(&amp), element(&canonical));
        assert!(!element(&amp).is_empty());
    }

    #[test]
    fn redirects_and_flaky() {
        let m = model(Features::default(), 10, 1);
        let o = m.old_index().unwrap_or(0);
        let r = get(&m, 0, &format!("/old/{}", gen::slug(0, o)));
        assert_eq!(r.status, 301);
        assert_eq!(r.headers, vec![("location", m.article_url(0, o))]);
        let mv = m.moved_index().unwrap_or(0);
        let r = get(&m, 0, &format!("/moved/{}", gen::slug(0, mv)));
        assert_eq!(r.status, 302);
        assert_eq!(
            r.headers,
            vec![(
                "location",
                format!("{}/old/{}", m.bases[0], gen::slug(0, mv))
            )]
        );
        let fl = m.flaky_index().unwrap_or(0);
        let hits = AtomicU64::new(0);
        let path = m.article_path(0, fl);
        assert!(path.starts_with("/flaky/"));
        assert_eq!(route(&m, 0, &path, None, &hits).status, 503);
        assert_eq!(route(&m, 0, &path, None, &hits).status, 200);
        assert_eq!(route(&m, 0, &path, None, &hits).status, 200);
    }

    #[test]
    fn features_off_serve_404() {
        let m = model(Features::none(), 10, 1);
        for p in [
            "/robots.txt",
            "/sitemap.xml",
            "/feed.xml",
            "/calendar",
            "/files/report.pdf",
            "/img/photo.jpg",
        ] {
            assert_eq!(get(&m, 0, p).status, 404, "{p}");
        }
        let s = gen::slug(0, 1);
        assert_eq!(get(&m, 0, &format!("/flaky/{s}")).status, 404);
        assert_eq!(get(&m, 0, &format!("/old/{s}")).status, 404);
        assert_eq!(get(&m, 0, &format!("/news/politics/{s}")).status, 200);
        let home = text(&get(&m, 0, "/"));
        for bad in [
            "/private/",
            "/calendar",
            "/old/",
            "/print/",
            "/amp/",
            ".pdf",
            "utm_",
        ] {
            assert!(!home.contains(bad), "{bad}");
        }
    }

    #[test]
    fn calendar_is_endless_and_rejects_bad_dates() {
        let m = model(Features::default(), 3, 1);
        let page = text(&get(&m, 0, "/calendar?date=2026-12-31"));
        assert!(page.contains("/calendar?date=2027-01-01"));
        assert!(page.contains("/calendar?date=2026-12-30"));
        assert!(!page.contains("<article"));
        assert_eq!(get(&m, 0, "/calendar?date=9999-99-99").status, 400);
        assert_eq!(get(&m, 0, "/calendar?date=%00").status, 400);
    }

    #[test]
    fn robots_sitemap_feed_content() {
        let m = model(Features::default(), 1200, 1);
        let robots = text(&get(&m, 0, "/robots.txt"));
        assert!(robots.contains("User-agent: *\nDisallow: /private/\nCrawl-delay: 0.25\n"));
        assert!(robots.contains("Sitemap: http://127.0.0.2:4000/sitemap.xml"));
        let index = text(&get(&m, 0, "/sitemap.xml"));
        assert_eq!(index.matches("<sitemap>").count(), 3);
        let mut listed = 0;
        for k in 1..=3 {
            let chunk = text(&get(&m, 0, &format!("/sitemaps/articles-{k}.xml")));
            listed += chunk.matches("<loc>").count();
        }
        assert_eq!(listed, 1200);
        assert_eq!(get(&m, 0, "/sitemaps/articles-4.xml").status, 404);
        assert_eq!(get(&m, 0, "/sitemaps/articles-0.xml").status, 404);
        let feed = text(&get(&m, 0, "/feed.xml"));
        assert_eq!(feed.matches("<item>").count(), FEED_ITEMS);
        assert!(feed.contains(&m.article_url(0, 1199)));
    }

    #[test]
    fn alias_urls_redirect_to_the_canonical_article() {
        let m = model(Features::default(), 30, 1);
        for i in [0, 1, 7, 29] {
            for alias in m.redirect_aliases(0, i) {
                let path = alias.trim_start_matches(&m.bases[0]);
                let r = get(&m, 0, path);
                assert_eq!(r.status, 301, "{path}");
                assert_eq!(r.headers, vec![("location", m.article_url(0, i))], "{path}");
            }
        }
        let page = text(&get(&m, 0, &m.article_path(0, 7)));
        assert!(page.contains(&format!("href=\"/s/{}\"", short_id(7))));
        assert!(page.contains(&format!("{}/print\"", m.article_path(0, 7))));
        assert!(page.contains("href=\"/article.php?id=9\""));
        assert!(text(&get(&m, 0, "/")).contains("/amp\""));
        for bad in [
            "/s/zzzzzz",
            "/s/",
            "/s/0a",
            "/article.php?id=99",
            "/article.php?id=07",
        ] {
            assert_eq!(get(&m, 0, bad).status, 404, "{bad}");
        }
        for i in [0, 1, 35, 36, 1295, 123_456] {
            assert_eq!(short_index(&short_id(i)), Some(i));
        }
        assert_eq!(short_index("ZZ"), None);
        assert_eq!(short_index("zzzzzzzzzzzzz"), None);
    }

    #[test]
    fn tags_archive_and_base_href() {
        let m = model(Features::default(), 40, 1);
        assert_eq!(m.tag_count(), 10);
        for i in 0..200 {
            let [a, b] = m.tags_of(i);
            assert_ne!(a, b);
            assert!(a < 10 && b < 10);
        }
        let art = text(&get(&m, 0, &m.article_path(0, 5)));
        let [t0, _] = m.tags_of(5);
        assert!(art.contains(&format!("href=\"/tag/{}\"", TAGS[t0])));
        let tag = text(&get(&m, 0, &format!("/tag/{}", TAGS[t0])));
        assert!(tag.contains("<base href=\"http://127.0.0.2:4000/news/\">"));
        let slug = gen::slug(0, 5);
        assert!(tag.contains(&format!("href=\"{}/{slug}\"", m.section_of(5))));
        assert!(!tag.contains("<article"));
        assert_eq!(get(&m, 0, "/tag/nonsense").status, 404);
        assert_eq!(get(&m, 0, &format!("/tag/{}", TAGS[12])).status, 404);
        let first = text(&get(&m, 0, "/archive"));
        assert!(first.contains("/archive?page=2"));
        assert_eq!(first.matches("class=\"teaser\"").count(), ARCHIVE_PAGE);
        assert_eq!(get(&m, 0, "/archive?page=4").status, 200);
        assert_eq!(get(&m, 0, "/archive?page=5").status, 404);
        assert_eq!(get(&m, 0, "/archive?page=0").status, 404);
        // Without base_href the links are root-relative.
        let plain = model(
            Features {
                base_href: false,
                ..Features::default()
            },
            40,
            1,
        );
        let tag = text(&get(&plain, 0, &format!("/tag/{}", TAGS[t0])));
        assert!(!tag.contains("<base"));
        assert!(tag.contains(&format!("href=\"{}\"", plain.article_path(0, 5))));
    }

    #[test]
    fn dead_links_answer_404_and_410() {
        let m = model(Features::default(), 20, 1);
        let dead = m.dead_paths(0);
        assert_eq!(dead.len(), 2);
        for (path, status) in &dead {
            assert_eq!(get(&m, 0, path).status, *status, "{path}");
        }
        let home = text(&get(&m, 0, "/"));
        assert!(dead.iter().all(|(p, _)| home.contains(p.as_str())));
        assert!(text(&get(&m, 0, &m.article_path(0, 10))).contains(dead[0].0.as_str()));
        assert!(model(Features::none(), 20, 1).dead_paths(0).is_empty());
    }

    #[test]
    fn live_articles_appear_on_schedule_everywhere() {
        let every = Duration::from_secs(60);
        let live = Live {
            start: Instant::now(),
            start_unix_ms: 1_800_000_000_000,
            every,
        };
        // Two hosts: offsets 20 s and 40 s.
        assert_eq!(live.count(0, 2, Duration::from_secs(19)), 0);
        assert_eq!(live.count(0, 2, Duration::from_secs(20)), 1);
        assert_eq!(live.count(1, 2, Duration::from_secs(39)), 0);
        assert_eq!(live.count(1, 2, Duration::from_secs(100)), 2);
        assert_eq!(live.appears_after(1, 2, 1), Duration::from_secs(100));
        let mut m = model(Features::default(), 12, 2);
        // Started 150 s ago: host 0 has published 3, host 1 has published 2.
        let start = Instant::now()
            .checked_sub(Duration::from_secs(150))
            .unwrap_or_else(Instant::now);
        m.live = Some(Live { start, ..live });
        assert_eq!(m.n(0), 15);
        assert_eq!(m.n(1), 14);
        assert_eq!(m.published_ms(0, 12), 1_800_000_020_000);
        assert_eq!(m.published_ms(1, 13), 1_800_000_100_000);
        let newest = m.article_path(0, 14);
        assert_eq!(get(&m, 0, &newest).status, 200);
        assert_eq!(get(&m, 0, &m.article_path(0, 15)).status, 404);
        assert!(text(&get(&m, 0, "/")).contains(&newest));
        assert!(text(&get(&m, 0, "/feed.xml")).contains(&m.article_url(0, 14)));
        let sitemap = text(&get(&m, 0, "/sitemaps/articles-1.xml"));
        assert!(sitemap.contains(&m.article_url(0, 14)));
        assert!(sitemap.contains(&gen::rfc3339(m.published(0, 14))));
        let section = m.section_of(14);
        assert!(text(&get(&m, 0, &format!("/section/{section}"))).contains(&newest));
    }

    #[test]
    fn empty_site_does_not_panic() {
        let m = model(Features::default(), 0, 1);
        for p in [
            "/",
            "/section/world",
            "/sitemap.xml",
            "/sitemaps/articles-1.xml",
            "/feed.xml",
            "/news/world/a-0",
            "/flaky/a-1",
        ] {
            let _ = get(&m, 0, p);
        }
        assert_eq!(get(&m, 0, "/").status, 200);
    }
}
