//! Page metadata from the DOM: title, lead, authors, dates, section, topics,
//! dateline, language, canonical URL, lead image and outlinks.
//!
//! One iterative walk over the tree ([`walk`]) gathers every source: `<meta>`
//! tags (OpenGraph, Twitter, Dublin Core, `article:*`, `name=author|date|…`),
//! `<link rel=canonical|author>`, JSON-LD scripts, `<time datetime>`, microdata
//! `itemprop`, `<title>`, `<h1>`, every `<a href>`, images with their
//! captions and credits, and visible elements whose class/id names a role
//! (byline, date, section, tags, lead, credit, dateline). Then each field
//! is chosen from its sources by a fixed precedence (see `docs/extraction.md`).
//!
//! The walk keeps its own stack, so 100,000 nested elements cost no recursion.

pub mod date;
pub mod jsonld;

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use ego_tree::iter::Edge;
use scraper::{Html, Node};
use trawl_core::Image;
use url::Url;

use date::PartialDate;
use jsonld::JsonLd;

/// Signals about the page's kind, for `is_article`.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    /// `og:type`, lowercased.
    pub og_type: Option<String>,
    /// JSON-LD names an object of an article type.
    pub jsonld_article: bool,
    /// JSON-LD page types (`collectionpage`, `searchresultspage`, ...).
    pub jsonld_page_types: Vec<String>,
    /// Number of `<h1>` elements outside navigation.
    pub h1_count: usize,
}

/// Everything [`extract_meta`] finds.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub title: Option<String>,
    pub lead: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub modified_at: Option<DateTime<FixedOffset>>,
    pub section: Option<String>,
    pub topics: Vec<String>,
    /// A dateline shown in the article header (the body's first paragraph is
    /// checked by the caller with [`dateline_from_text`], which takes precedence).
    pub dateline: Option<String>,
    pub language: Option<String>,
    pub canonical_url: Option<String>,
    pub image: Option<Image>,
    pub links: Vec<String>,
    pub signals: Signals,
}

// ---------------------------------------------------------------- the walk --

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Byline,
    Date,
    Dateline,
    Credit,
    Caption,
    Tags,
    Section,
    Lead,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    Title,
    H1,
    JsonLd,
    Role(usize),
    /// Text of an `<a>` inside a role element (index of the role).
    Anchor(usize),
    /// Text of an element with `itemprop` (index into `itemprops`).
    ItemProp(usize),
    /// Text of a `rel=author` link.
    RelAuthor,
}

struct Collector {
    sink: Sink,
    text: String,
    cap: usize,
}

#[derive(Debug)]
struct RoleHit {
    role: Role,
    pos: usize,
    in_nav: bool,
    container: Option<usize>,
    text: String,
    links: Vec<String>,
}

#[derive(Debug)]
struct ImgHit<'a> {
    src: &'a str,
    container: Option<usize>,
    pos: usize,
    in_nav: bool,
}

#[derive(Default)]
struct Frame {
    in_nav: bool,
    in_article: bool,
    skip_text: bool,
    container: Option<usize>,
    opened: u8,
}

#[derive(Default)]
struct Walk<'a> {
    metas: Vec<(String, &'a str)>,
    html_lang: Option<&'a str>,
    canonical: Option<&'a str>,
    rel_authors: Vec<String>,
    jsonld: Vec<String>,
    title_tag: Option<String>,
    /// (text, position) of `<h1>`s outside navigation.
    h1s: Vec<(String, usize)>,
    times: Vec<(&'a str, usize, bool)>,
    /// (itemprop, value) for the props we use.
    itemprops: Vec<(String, String)>,
    roles: Vec<RoleHit>,
    imgs: Vec<ImgHit<'a>>,
    links: Vec<String>,
    /// Text of the whole `<body>` is not kept; year hints found in short texts are.
    year_hint_text: Option<(i32, u32)>,
    /// The first full date in any short visible text (e.g. a "today" date in the header).
    year_hint_page: Option<(i32, u32)>,
}

const MAX_ACTIVE: usize = 24;
const MAX_ROLES: usize = 400;
const MAX_LINKS: usize = 20_000;

fn segments(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|x| !x.is_empty())
}

/// What one class/id segment names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SegKind {
    Role(Role),
    Nav,
    Image,
}

fn classify_segment(seg: &str) -> Option<SegKind> {
    if seg.len() < 3 || seg.len() > 16 {
        return None;
    }
    let mut buf = [0u8; 16];
    for (d, s) in buf.iter_mut().zip(seg.bytes()) {
        *d = s.to_ascii_lowercase();
    }
    Some(match &buf[..seg.len()] {
        b"byline" | b"author" | b"authors" | b"writer" | b"reporter" | b"autor"
        | b"contributor" => SegKind::Role(Role::Byline),
        b"dateline" => SegKind::Role(Role::Dateline),
        b"credit" | b"credits" | b"copyright" | b"photographer" | b"photocredit" => {
            SegKind::Role(Role::Credit)
        }
        b"caption" | b"figcaption" => SegKind::Role(Role::Caption),
        b"tags" | b"tag" | b"topics" | b"taglist" | b"keywords" | b"subjects" => {
            SegKind::Role(Role::Tags)
        }
        b"date" | b"time" | b"published" | b"publish" | b"pubdate" | b"posted" | b"timestamp"
        | b"datetime" | b"updated" => SegKind::Role(Role::Date),
        b"section" | b"rubric" | b"rubrics" | b"category" | b"breadcrumb" | b"breadcrumbs" => {
            SegKind::Role(Role::Section)
        }
        b"lead" | b"standfirst" | b"subtitle" | b"subheadline" | b"subhead" | b"dek"
        | b"summary" | b"intro" | b"excerpt" | b"preview" | b"announce" | b"sapo" | b"chapo" => {
            SegKind::Role(Role::Lead)
        }
        b"nav" | b"navbar" | b"navigation" | b"menu" | b"sidebar" | b"feed" | b"newsfeed"
        | b"cookie" | b"banner" => SegKind::Nav,
        b"img" | b"image" | b"images" | b"photo" | b"picture" | b"media" | b"figure"
        | b"gallery" | b"slider" | b"illustration" => SegKind::Image,
        _ => return None,
    })
}

/// What a class/id attribute names: (role, navigation-like, image container).
fn classify_name(class_or_id: &str) -> (Option<Role>, bool, bool) {
    let (mut role, mut nav, mut image) = (None, false, false);
    for seg in segments(class_or_id) {
        match classify_segment(seg) {
            // Credit, byline and dateline are more specific than date/section/...
            Some(SegKind::Role(r))
                if !matches!(role, Some(Role::Credit | Role::Byline | Role::Dateline)) =>
            {
                role = Some(r)
            }
            Some(SegKind::Role(_)) => {}
            Some(SegKind::Nav) => nav = true,
            Some(SegKind::Image) => image = true,
            None => {}
        }
    }
    (role, nav, image)
}

impl<'a> Walk<'a> {
    fn run(doc: &'a Html, base: &Url) -> Self {
        let mut w = Walk::default();
        let mut frames: Vec<Frame> = Vec::with_capacity(64);
        let mut active: Vec<Collector> = Vec::new();
        let mut seen_links: HashSet<String> = HashSet::new();
        let mut seen_raw: HashSet<&'a str> = HashSet::new();
        let mut pos = 0usize;
        let mut containers = 0usize;
        for edge in doc.tree.root().traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(el) => {
                        pos += 1;
                        let parent = frames.last();
                        let mut f = Frame {
                            in_nav: parent.is_some_and(|p| p.in_nav),
                            in_article: parent.is_some_and(|p| p.in_article),
                            skip_text: parent.is_some_and(|p| p.skip_text),
                            container: parent.and_then(|p| p.container),
                            opened: 0,
                        };
                        let name = el.name();
                        let mut class_attr = "";
                        let mut id_attr = "";
                        let mut itemprop = None;
                        let mut href = None;
                        let mut rel = "";
                        let mut src = None;
                        let mut datetime = None;
                        let mut content = None;
                        let mut role_attr = "";
                        let mut meta_key: Option<&str> = None;
                        let mut ld = false;
                        for (k, v) in el.attrs() {
                            match k {
                                "class" => class_attr = v,
                                "id" => id_attr = v,
                                "itemprop" => {
                                    itemprop = Some(v);
                                    f.in_article |= v == "articleBody";
                                }
                                "href" => href = Some(v),
                                "rel" => rel = v,
                                "src" => src = Some(v),
                                "data-src" | "data-original" | "data-lazy-src" if src.is_none() => {
                                    src = Some(v)
                                }
                                "datetime" => datetime = Some(v),
                                "content" => content = Some(v),
                                "role" => role_attr = v,
                                "itemtype"
                                    if v.contains("Article") || v.contains("BlogPosting") =>
                                {
                                    f.in_article = true
                                }
                                "property" | "name" | "http-equiv"
                                    if name == "meta" && meta_key.is_none() =>
                                {
                                    meta_key = Some(v)
                                }
                                "type" if name == "script" => {
                                    ld = v.trim().eq_ignore_ascii_case("application/ld+json")
                                }
                                "lang" if name == "html" => w.html_lang = Some(v),
                                _ => {}
                            }
                        }
                        match name {
                            // An article's own <footer> holds its tags; the page's does not.
                            "footer" if !f.in_article => f.in_nav = true,
                            "nav" | "aside" => f.in_nav = true,
                            "article" => f.in_article = true,
                            "script" | "style" | "noscript" | "template" | "svg" | "iframe" => {
                                f.skip_text = true
                            }
                            _ => {}
                        }
                        let (class_role, class_nav, class_image) = if class_attr.is_empty() {
                            (None, false, false)
                        } else {
                            classify_name(class_attr)
                        };
                        let (id_role, id_nav, _) = if id_attr.is_empty() {
                            (None, false, false)
                        } else {
                            classify_name(id_attr)
                        };
                        if class_nav
                            || id_nav
                            || role_attr.eq_ignore_ascii_case("navigation")
                            || role_attr.eq_ignore_ascii_case("contentinfo")
                        {
                            f.in_nav = true;
                        }
                        let names_role = matches!(class_role, Some(Role::Credit | Role::Caption));
                        if name == "figure" || (name != "img" && !names_role && class_image) {
                            containers += 1;
                            f.container = Some(containers);
                        }
                        let open =
                            |sink: Sink, cap: usize, f: &mut Frame, active: &mut Vec<Collector>| {
                                if active.len() < MAX_ACTIVE {
                                    active.push(Collector {
                                        sink,
                                        text: String::new(),
                                        cap,
                                    });
                                    f.opened += 1;
                                }
                            };
                        // A separator so that adjacent elements' texts do not run together.
                        for c in active.iter_mut() {
                            if c.text.len() < c.cap && !c.text.ends_with(' ') {
                                c.text.push(' ');
                            }
                        }
                        match name {
                            "meta" => {
                                if let (Some(k), Some(c)) = (meta_key, content) {
                                    w.metas.push((k.trim().to_ascii_lowercase(), c));
                                }
                                if let (Some(p), Some(c)) = (itemprop, content) {
                                    w.itemprops.push((p.to_string(), c.to_string()));
                                }
                            }
                            "link" => {
                                let rels = rel.to_ascii_lowercase();
                                if let Some(h) = href {
                                    if rels.split_ascii_whitespace().any(|r| r == "canonical")
                                        && w.canonical.is_none()
                                    {
                                        w.canonical = Some(h);
                                    }
                                }
                                if let (Some(p), Some(h)) = (itemprop, href) {
                                    w.itemprops.push((p.to_string(), h.to_string()));
                                }
                            }
                            "title" if w.title_tag.is_none() && !f.in_nav => {
                                open(Sink::Title, 2000, &mut f, &mut active)
                            }
                            "h1" if !f.in_nav && w.h1s.len() < 8 => {
                                open(Sink::H1, 2000, &mut f, &mut active)
                            }
                            "script" if ld && w.jsonld.len() < 32 => {
                                open(Sink::JsonLd, 4 << 20, &mut f, &mut active)
                            }
                            "time" => {
                                if let Some(dt) = datetime {
                                    if w.times.len() < 64 {
                                        w.times.push((dt, pos, f.in_nav));
                                    }
                                }
                            }
                            "img" => {
                                if let Some(s) = src {
                                    if w.imgs.len() < 512 {
                                        w.imgs.push(ImgHit {
                                            src: s,
                                            container: f.container.or_else(|| {
                                                // A bare <img> with a sibling credit: its parent is the container.
                                                containers += 1;
                                                Some(containers)
                                            }),
                                            pos,
                                            in_nav: f.in_nav,
                                        });
                                    }
                                }
                            }
                            "a" => {
                                if let Some(h) = href {
                                    if w.links.len() < MAX_LINKS && seen_raw.insert(h) {
                                        if let Some(u) = resolve_http(base, h) {
                                            if seen_links.insert(u.clone()) {
                                                w.links.push(u);
                                            }
                                        }
                                    }
                                    if rel
                                        .split_ascii_whitespace()
                                        .any(|r| r.eq_ignore_ascii_case("author"))
                                    {
                                        open(Sink::RelAuthor, 200, &mut f, &mut active);
                                    }
                                    // Links inside a role element (tags, breadcrumbs).
                                    if let Some(idx) =
                                        active.iter().rev().find_map(|c| match c.sink {
                                            Sink::Role(i) => Some(i),
                                            _ => None,
                                        })
                                    {
                                        open(Sink::Anchor(idx), 200, &mut f, &mut active);
                                    }
                                }
                            }
                            _ => {}
                        }
                        if name == "figcaption" && w.roles.len() < MAX_ROLES {
                            w.roles.push(RoleHit {
                                role: Role::Caption,
                                pos,
                                in_nav: f.in_nav,
                                container: f.container,
                                text: String::new(),
                                links: Vec::new(),
                            });
                            open(Sink::Role(w.roles.len() - 1), 1000, &mut f, &mut active);
                        } else if name != "meta"
                            && name != "link"
                            && name != "body"
                            && name != "html"
                        {
                            let role = class_role.or(id_role).or_else(|| match itemprop {
                                Some(p) if p.eq_ignore_ascii_case("author") => Some(Role::Byline),
                                Some(p) if p.eq_ignore_ascii_case("keywords") => Some(Role::Tags),
                                Some(p) if p.eq_ignore_ascii_case("articleSection") => {
                                    Some(Role::Section)
                                }
                                _ => None,
                            });
                            if let Some(role) = role {
                                if w.roles.len() < MAX_ROLES && !f.skip_text {
                                    w.roles.push(RoleHit {
                                        role,
                                        pos,
                                        in_nav: f.in_nav,
                                        container: f.container,
                                        text: String::new(),
                                        links: Vec::new(),
                                    });
                                    let cap = if role == Role::Tags { 4000 } else { 1000 };
                                    open(Sink::Role(w.roles.len() - 1), cap, &mut f, &mut active);
                                }
                            }
                            if let Some(p) = itemprop {
                                if is_useful_itemprop(p) && w.itemprops.len() < 64 {
                                    if let Some(v) = datetime.or(content) {
                                        w.itemprops.push((p.to_string(), v.to_string()));
                                    } else {
                                        w.itemprops.push((p.to_string(), String::new()));
                                        open(
                                            Sink::ItemProp(w.itemprops.len() - 1),
                                            300,
                                            &mut f,
                                            &mut active,
                                        );
                                    }
                                }
                            }
                        }
                        frames.push(f);
                    }
                    Node::Text(t) => {
                        if frames.last().is_some_and(|f| f.skip_text)
                            && !active.iter().any(|c| c.sink == Sink::JsonLd)
                        {
                            continue;
                        }
                        let t: &str = t;
                        if w.year_hint_page.is_none()
                            && t.len() <= 64
                            && t.bytes().filter(u8::is_ascii_digit).count() >= 6
                        {
                            w.year_hint_page = date::year_hint_in_text(t);
                        }
                        for c in active.iter_mut() {
                            if c.text.len() < c.cap {
                                let room = c.cap - c.text.len();
                                if t.len() <= room {
                                    c.text.push_str(t);
                                } else {
                                    let mut end = room;
                                    while !t.is_char_boundary(end) {
                                        end -= 1;
                                    }
                                    c.text.push_str(&t[..end]);
                                    c.text.push('\u{1}'); // overflow marker
                                }
                            }
                        }
                    }
                    _ => {}
                },
                Edge::Close(node) => {
                    if !node.value().is_element() {
                        continue;
                    }
                    let Some(f) = frames.pop() else { continue };
                    for c in active.iter_mut() {
                        if c.text.len() < c.cap && !c.text.ends_with(' ') {
                            c.text.push(' ');
                        }
                    }
                    for _ in 0..f.opened {
                        let Some(c) = active.pop() else { break };
                        w.finish(c, pos, f.in_nav);
                    }
                }
            }
        }
        w
    }

    fn finish(&mut self, c: Collector, pos: usize, in_nav: bool) {
        let overflow = c.text.contains('\u{1}');
        match c.sink {
            Sink::JsonLd => {
                if !overflow {
                    self.jsonld.push(c.text);
                }
            }
            Sink::Title => self.title_tag = Some(clean_text(&c.text)),
            Sink::H1 => {
                let t = clean_text(&c.text);
                if !t.is_empty() {
                    self.h1s.push((t, pos));
                }
            }
            Sink::Role(i) => {
                if let Some(r) = self.roles.get_mut(i) {
                    r.text = if overflow {
                        String::new()
                    } else {
                        clean_text(&c.text)
                    };
                    if self.year_hint_text.is_none() && r.role == Role::Date && r.text.len() < 100 {
                        self.year_hint_text = date::year_hint_in_text(&r.text);
                    }
                }
            }
            Sink::Anchor(i) => {
                let t = clean_text(&c.text);
                if let Some(r) = self.roles.get_mut(i) {
                    if !t.is_empty() && r.links.len() < 100 {
                        r.links.push(t);
                    }
                }
            }
            Sink::ItemProp(i) => {
                let t = clean_text(&c.text);
                if let Some(p) = self.itemprops.get_mut(i) {
                    p.1 = t;
                }
            }
            Sink::RelAuthor => {
                if !in_nav {
                    let t = clean_text(&c.text);
                    if !t.is_empty() {
                        self.rel_authors.push(t);
                    }
                }
            }
        }
    }

    fn meta(&self, key: &str) -> Option<&'a str> {
        self.metas
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    fn metas_all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.metas
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn itemprop(&self, key: &str) -> Option<&str> {
        self.itemprops
            .iter()
            .find(|(k, v)| {
                k.split_ascii_whitespace()
                    .any(|t| t.eq_ignore_ascii_case(key))
                    && !v.trim().is_empty()
            })
            .map(|(_, v)| v.trim())
    }
}

fn is_useful_itemprop(p: &str) -> bool {
    p.split_ascii_whitespace().any(|t| {
        [
            "datePublished",
            "dateModified",
            "dateCreated",
            "headline",
            "inLanguage",
        ]
        .iter()
        .any(|k| t.eq_ignore_ascii_case(k))
    })
}

/// Collapse whitespace, trim, and drop unrendered template text.
pub fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.contains("{{") || out.contains("}}") {
        return String::new();
    }
    out
}

/// Resolve `href` against `base`; only http(s) results, without the fragment.
pub fn resolve_http(base: &Url, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty()
        || href.starts_with('#')
        || href.starts_with("javascript:")
        || href.starts_with("mailto:")
        || href.contains("{{")
    {
        return None;
    }
    let mut u = base.join(href).ok()?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return None;
    }
    u.set_fragment(None);
    Some(u.into())
}

// ------------------------------------------------------------- the fields --

/// Normalize for comparisons: lowercase, one space, uniform quotes and dashes.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| match c {
            '’' | '‘' | '`' | '´' => '\'',
            '“' | '”' | '«' | '»' | '„' => '"',
            '—' | '–' | '‑' | '−' => '-',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

const TITLE_SEPARATORS: &[&str] = &[
    " | ", " — ", " – ", " - ", " :: ", " · ", " • ", " « ", " » ", " / ",
];

/// The title (see the module docs of `docs/extraction.md` for the rule):
/// an `<h1>` that agrees with og:title / JSON-LD headline / `<title>` wins; a
/// site-name suffix is stripped only when the `<h1>` or the site name confirms it.
fn choose_title(w: &Walk, ld: &JsonLd, site_names: &[String]) -> Option<String> {
    let candidates: Vec<String> = [
        w.meta("og:title").map(str::to_string),
        ld.headline.clone(),
        w.meta("twitter:title").map(str::to_string),
        w.itemprop("headline").map(str::to_string),
        w.title_tag.clone(),
    ]
    .into_iter()
    .flatten()
    .map(|t| clean_text(&t))
    .filter(|t| !t.is_empty())
    .collect();
    let h1s: Vec<&str> = w.h1s.iter().map(|(t, _)| t.as_str()).collect();
    // 1. An h1 equal to a metadata title, or to its part before a separator.
    for h in &h1s {
        let nh = norm(h);
        for c in &candidates {
            let nc = norm(c);
            if nc == nh {
                return Some((*h).to_string());
            }
            if nh.len() >= 10 && nc.starts_with(&nh) {
                let rest = nc[nh.len()..].trim_start();
                if TITLE_SEPARATORS
                    .iter()
                    .any(|s| rest.starts_with(&norm(s.trim())))
                {
                    return Some((*h).to_string());
                }
            }
        }
    }
    // 2. The first metadata title, with a confirmed site-name suffix (or prefix) removed.
    let first = candidates.first()?;
    Some(strip_site_name(first, site_names))
}

fn strip_site_name(title: &str, site_names: &[String]) -> String {
    let names: Vec<String> = site_names
        .iter()
        .map(|s| norm(s))
        .filter(|s| !s.is_empty())
        .collect();
    let mut t = title.to_string();
    for _ in 0..3 {
        let mut changed = false;
        for sep in TITLE_SEPARATORS {
            if let Some(i) = t.rfind(sep) {
                let tail = norm(&t[i + sep.len()..]);
                if i > 0 && names.contains(&tail) {
                    t.truncate(i);
                    changed = true;
                    break;
                }
            }
            if let Some(i) = t.find(sep) {
                let head = norm(&t[..i]);
                if names.contains(&head) && i + sep.len() < t.len() {
                    t = t[i + sep.len()..].to_string();
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            break;
        }
    }
    t.trim().to_string()
}

fn split_people(s: &str) -> Vec<String> {
    let mut s = s.trim();
    for p in [
        "written by",
        "by:",
        "by ",
        "автор:",
        "авторы:",
        "author:",
        "authors:",
        "text:",
        "von ",
        "par ",
    ] {
        if s.len() > p.len() && s.is_char_boundary(p.len()) && s[..p.len()].eq_ignore_ascii_case(p)
        {
            s = s[p.len()..].trim();
        }
    }
    // "Analysis by Chris Cillizza": the name follows the last " by ".
    if let Some(i) = s.to_ascii_lowercase().rfind(" by ") {
        if s.is_char_boundary(i + 4) {
            s = s[i + 4..].trim();
        }
    }
    // A byline that runs on into its date ("Jeff Foust Monday, November 18"): cut it there.
    let s = cut_at_date_word(s);
    s.split([',', ';', '&', '|'])
        .flat_map(|part| part.split(" and ").flat_map(|x| x.split(" и ")))
        .map(|x| {
            x.trim()
                .trim_matches(|c: char| c == '.' || c == ':')
                .trim()
                .to_string()
        })
        .collect()
}

fn cut_at_date_word(s: &str) -> &str {
    const WORDS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "updated",
        "published",
        "posted",
    ];
    let mut pos = 0;
    for w in s.split(|c: char| !c.is_alphanumeric()) {
        if !w.is_empty()
            && (WORDS.iter().any(|x| w.eq_ignore_ascii_case(x))
                || w.bytes().all(|b| b.is_ascii_digit()))
        {
            return s[..pos].trim_end_matches([' ', ',', '-', '|', '·']).trim();
        }
        pos += w.len() + s[pos + w.len()..].chars().next().map_or(0, char::len_utf8);
    }
    s
}

fn plausible_name(s: &str) -> bool {
    let n = s.chars().count();
    (2..=60).contains(&n)
        && !s.contains('@')
        && !s.contains('*')
        && !s.contains('(')
        && !s.contains("://")
        && !s.starts_with("www.")
        && s.chars().filter(|c| c.is_ascii_digit()).count() < 3
        && s.split_whitespace().count() <= 6
        && s.chars().any(char::is_alphabetic)
}

fn dedupe(items: impl IntoIterator<Item = String>, limit: usize) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for i in items {
        if out.len() >= limit {
            break;
        }
        if seen.insert(norm(&i)) {
            out.push(i);
        }
    }
    out
}

/// Authors from the first source that has any: JSON-LD, `<meta>` author tags,
/// microdata `itemprop=author`, `rel=author` links, visible bylines.
fn choose_authors(w: &Walk, ld: &JsonLd, after: usize) -> Vec<String> {
    let clean = |v: Vec<String>| -> Vec<String> {
        dedupe(
            v.iter()
                .flat_map(|s| split_people(s))
                .filter(|s| plausible_name(s)),
            20,
        )
    };
    let sources: [Vec<String>; 4] = [
        ld.authors.clone(),
        [
            "author",
            "article:author",
            "parsely-author",
            "sailthru.author",
            "dc.creator",
            "byl",
        ]
        .iter()
        .flat_map(|k| w.metas_all(k))
        .filter(|v| !v.contains("://"))
        .map(str::to_string)
        .collect(),
        w.rel_authors.clone(),
        {
            // Visible bylines (and itemprop=author elements): after the h1 first.
            let mut v: Vec<&RoleHit> = w
                .roles
                .iter()
                .filter(|r| {
                    r.role == Role::Byline && !r.in_nav && !r.text.is_empty() && r.text.len() <= 150
                })
                .collect();
            v.sort_by_key(|r| (r.pos < after, r.pos));
            v.into_iter()
                .take(1)
                .map(|r| {
                    if r.links.is_empty() {
                        r.text.clone()
                    } else {
                        r.links.join(", ")
                    }
                })
                .collect()
        },
    ];
    for s in sources {
        let v = clean(s);
        if !v.is_empty() {
            return v;
        }
    }
    Vec::new()
}

/// Dates: machine-readable sources in order (JSON-LD, `article:published_time`
/// and friends, microdata, `<time datetime>`), then the visible date in the
/// article header. When machine sources disagree on the day, the one that
/// agrees with the visible date wins; when the visible date is all there is,
/// its year may come from the URL or another date on the page, its offset from
/// another date on the page — otherwise the date is absent.
fn choose_dates(
    w: &Walk,
    ld: &JsonLd,
    base: &Url,
    after: usize,
) -> (Option<DateTime<FixedOffset>>, Option<DateTime<FixedOffset>>) {
    const PUB_META: &[&str] = &[
        "article:published_time",
        "article:published",
        "og:published_time",
        "og:article:published_time",
        "published_time",
        "pubdate",
        "publishdate",
        "publish-date",
        "parsely-pub-date",
        "sailthru.date",
        "dc.date.issued",
        "dc.date",
        "dcterms.created",
        "date",
        "article.published",
        "cxenseparse:recs:publishtime",
    ];
    const MOD_META: &[&str] = &[
        "article:modified_time",
        "article:modified",
        "og:updated_time",
        "og:article:modified_time",
        "dc.date.modified",
        "dcterms.modified",
        "last-modified",
        "article.updated",
    ];
    let mut published: Vec<PartialDate> = Vec::new();
    published.extend(ld.date_published.as_deref().and_then(date::parse_machine));
    published.extend(
        PUB_META
            .iter()
            .filter_map(|k| w.meta(k))
            .filter_map(date::parse_machine),
    );
    for key in ["datePublished", "dateCreated"] {
        published.extend(w.itemprop(key).and_then(date::parse_machine));
    }
    let mut times: Vec<&(&str, usize, bool)> = w.times.iter().filter(|t| !t.2).collect();
    times.sort_by_key(|t| (t.1 < after, t.1));
    published.extend(times.first().and_then(|t| date::parse_machine(t.0)));

    let mut modified: Vec<PartialDate> = Vec::new();
    modified.extend(ld.date_modified.as_deref().and_then(date::parse_machine));
    modified.extend(
        MOD_META
            .iter()
            .filter_map(|k| w.meta(k))
            .filter_map(date::parse_machine),
    );
    modified.extend(w.itemprop("dateModified").and_then(date::parse_machine));

    // The visible date: a date-role element, after the h1 first.
    let mut vis: Vec<&RoleHit> = w
        .roles
        .iter()
        .filter(|r| r.role == Role::Date && !r.in_nav && !r.text.is_empty() && r.text.len() <= 120)
        .collect();
    vis.sort_by_key(|r| (r.pos < after, r.pos));
    let visible = vis
        .iter()
        .filter(|r| r.pos >= after || after == 0)
        .chain(vis.iter())
        .find_map(|r| date::parse_visible(&r.text));

    // Hints for incomplete dates.
    let offset_hint = published
        .iter()
        .chain(modified.iter())
        .chain(visible.iter())
        .find_map(|d| d.offset);
    let year_hint = published
        .iter()
        .chain(modified.iter())
        .find_map(|d| d.year.map(|y| (y, d.month)))
        .or_else(|| date::date_from_url(base.path()))
        .or(w.year_hint_text)
        .or(w.year_hint_page);

    let resolve = |d: &PartialDate| d.resolve(year_hint, offset_hint);
    let pick =
        |cands: &[PartialDate], visible: Option<&PartialDate>| -> Option<DateTime<FixedOffset>> {
            let resolved: Vec<(PartialDate, DateTime<FixedOffset>)> = cands
                .iter()
                .filter_map(|d| Some((*d, resolve(d)?)))
                .collect();
            // A date-only first candidate yields to a timed one on the same day.
            let first = match resolved.first() {
                Some((d, _)) if d.time.is_none() => resolved
                    .iter()
                    .find(|(o, _)| o.time.is_some() && o.same_day(d))
                    .or(resolved.first()),
                f => f,
            };
            let agree = resolved.iter().all(|(_, r)| Some(r) == first.map(|f| &f.1));
            if let (false, Some(v)) = (agree, visible) {
                if let Some((_, r)) = resolved.iter().find(|(d, _)| d.same_day(v)) {
                    return Some(*r);
                }
            }
            first.map(|f| f.1)
        };
    let published_at =
        pick(&published, visible.as_ref()).or_else(|| visible.as_ref().and_then(resolve));
    let modified_at = pick(&modified, None).filter(|m| published_at.is_none_or(|p| *m >= p));
    (published_at, modified_at)
}

fn iso639_1(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (primary.len() == 2 && primary.bytes().all(|b| b.is_ascii_lowercase())).then_some(primary)
}

/// A cheap language guess from the script of `text`, only where a script
/// names one language with confidence (e.g. Hangul → ko, kana → ja).
pub fn guess_language_from_script(text: &str) -> Option<&'static str> {
    let mut counts = [0usize; 12];
    let (mut letters, mut ru, mut uk, mut be, mut fa) = (0usize, 0usize, 0usize, 0usize, 0usize);
    for c in text.chars().take(4000) {
        if !c.is_alphabetic() {
            continue;
        }
        letters += 1;
        let i = match c {
            'a'..='z' | 'A'..='Z' | '\u{c0}'..='\u{24f}' => 0,
            '\u{400}'..='\u{4ff}' => {
                match c {
                    'ы' | 'э' | 'ъ' | 'ё' | 'Ы' | 'Э' | 'Ё' => ru += 1,
                    'ї' | 'є' | 'ґ' | 'Ї' | 'Є' | 'Ґ' => uk += 1,
                    'ў' | 'Ў' => be += 1,
                    _ => {}
                }
                1
            }
            '\u{370}'..='\u{3ff}' => 2,
            '\u{590}'..='\u{5ff}' => 3,
            '\u{600}'..='\u{6ff}' => {
                if matches!(c, 'پ' | 'چ' | 'ژ' | 'گ' | 'ی') {
                    fa += 1;
                }
                4
            }
            '\u{e00}'..='\u{e7f}' => 5,
            '\u{3040}'..='\u{30ff}' => 6,
            '\u{ac00}'..='\u{d7af}' | '\u{1100}'..='\u{11ff}' => 7,
            '\u{4e00}'..='\u{9fff}' => 8,
            '\u{10a0}'..='\u{10ff}' => 9,
            '\u{530}'..='\u{58f}' => 10,
            _ => 11,
        };
        counts[i] += 1;
    }
    if letters < 20 {
        return None;
    }
    let share = |i: usize| counts[i] * 100 / letters;
    if share(6) >= 5 {
        return Some("ja");
    }
    if share(7) >= 50 {
        return Some("ko");
    }
    if share(8) >= 50 {
        return Some("zh");
    }
    if share(1) >= 60 {
        return if be > 0 {
            Some("be")
        } else if uk > 0 {
            Some("uk")
        } else if ru > 0 {
            Some("ru")
        } else {
            None
        };
    }
    for (i, lang) in [(2, "el"), (3, "he"), (5, "th"), (9, "ka"), (10, "hy")] {
        if share(i) >= 60 {
            return Some(lang);
        }
    }
    if share(4) >= 60 {
        return Some(if fa > 0 { "fa" } else { "ar" });
    }
    None
}

/// A dateline at the start of a paragraph: an all-capitals place name followed
/// by a comma, "(Agency)" or a dash: `MOSCOW, October 8. /TASS/.`, `WASHINGTON (Reuters) -`.
pub fn dateline_from_text(text: &str) -> Option<String> {
    let text = text.trim_start();
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if c.is_uppercase() || c == ' ' || c == '.' || c == '-' || c == '\'' || c == '’' {
            end = i + c.len_utf8();
        } else {
            break;
        }
        if i > 60 {
            return None;
        }
    }
    let place = text[..end].trim_end_matches(['-', ' ']).trim();
    let rest = text[place.len()..].trim_start();
    let letters = place.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 3 || place.split_whitespace().count() > 4 {
        return None;
    }
    let follows = rest.starts_with(',')
        || rest.starts_with('(')
        || rest.starts_with('—')
        || rest.starts_with('–')
        || rest.starts_with("- ")
        || rest.starts_with('/');
    if !follows {
        return None;
    }
    // A dateline is followed by a date or an agency tag soon after.
    Some(place.trim_end_matches('.').trim().to_string())
}

fn is_plausible_dateline(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 3
        && s.chars().count() <= 40
        && s.chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
}

fn same_image(a: &str, b: &str) -> bool {
    fn file(s: &str) -> &str {
        let s = s.split(['?', '#']).next().unwrap_or(s);
        s.rsplit('/').next().unwrap_or(s)
    }
    a == b || (!file(a).is_empty() && file(a) == file(b))
}

fn clean_credit(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s
        .trim_start_matches(['©', '(', ')'])
        .trim_start_matches("(c)")
        .trim_start_matches("Photo:")
        .trim_start_matches("Фото:")
        .trim();
    let s = s.strip_prefix("Photo").map(str::trim).unwrap_or(s);
    (!s.is_empty()
        && s.chars().count() <= 120
        && !s.to_ascii_lowercase().contains("rights reserved"))
    .then(|| s.to_string())
}

/// Text that is page furniture rather than a standfirst: an image credit or a byline.
fn looks_like_furniture(s: &str) -> bool {
    let lower = s.trim_start().to_lowercase();
    [
        "image copyright",
        "©",
        "(c)",
        "photo:",
        "by ",
        "by:",
        "posted ",
        "published ",
        "updated ",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

/// A topic as shown, or `None` for tracking tokens and widget text that sites
/// leave in their tag metadata (`@post-id:1`, `_no-apple-news`, `ctp_video`,
/// `/article`, "Share this with Facebook").
fn clean_topic(t: &str) -> Option<String> {
    let t = clean_text(t);
    let t = match t.split_once(':') {
        Some((k, v)) if k.eq_ignore_ascii_case("category") || k.eq_ignore_ascii_case("tag") => {
            v.trim().to_string()
        }
        _ => t,
    };
    let junk = t.is_empty()
        || t.chars().count() > 80
        || t.starts_with(['@', '_', '/', '#'])
        || t.contains('_')
        || t.contains("://")
        || t.to_ascii_lowercase().starts_with("share ");
    (!junk).then_some(t)
}

fn choose_image(w: &Walk, ld: &JsonLd, base: &Url, after: usize) -> Option<Image> {
    let meta_url = [
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "twitter:image",
        "twitter:image:src",
    ]
    .iter()
    .find_map(|k| w.meta(k))
    .map(str::to_string)
    .or_else(|| ld.image_url.clone())
    .and_then(|u| resolve_http(base, &u));
    // The image element: the one whose file matches the metadata image, else
    // the first image in a container after the headline.
    let content_imgs = || w.imgs.iter().filter(|i| !i.in_nav);
    let matched = meta_url.as_deref().and_then(|mu| {
        content_imgs().find(|i| resolve_http(base, i.src).is_some_and(|s| same_image(&s, mu)))
    });
    let first_after = content_imgs().find(|i| {
        i.pos >= after
            && w.roles.iter().any(|r| {
                r.container == i.container && matches!(r.role, Role::Credit | Role::Caption)
            })
    });
    let el = matched.or(first_after);
    let url = meta_url.or_else(|| el.and_then(|i| resolve_http(base, i.src)))?;
    let in_container = |role: Role| -> Option<String> {
        let c = el?.container;
        w.roles
            .iter()
            .filter(|r| r.role == role && r.container == c && c.is_some() && !r.text.is_empty())
            .map(|r| r.text.clone())
            .next()
    };
    let mut credit = in_container(Role::Credit).and_then(|c| clean_credit(&c));
    let mut caption = in_container(Role::Caption);
    // A "© Name/AGENCY" inside a caption is the credit.
    if let Some(cap) = caption.clone() {
        if let Some(i) = cap.find('©') {
            if credit.is_none() {
                credit = clean_credit(&cap[i..]);
            }
            let rest = cap[..i].trim().to_string();
            caption = (!rest.is_empty()).then_some(rest);
        }
    }
    if credit
        .as_deref()
        .is_some_and(|c| caption.as_deref() == Some(c))
    {
        caption = None;
    }
    Some(Image {
        url,
        caption: caption.or_else(|| ld.image_caption.clone()),
        credit: credit.or_else(|| ld.image_credit.clone()),
    })
}

/// Extract the page's metadata (one walk over the DOM).
pub fn extract_meta(doc: &Html, base: &Url) -> Meta {
    let w = Walk::run(doc, base);
    let values: Vec<serde_json::Value> = w
        .jsonld
        .iter()
        .filter_map(|t| jsonld::parse_script(t))
        .collect();
    let ld = jsonld::read(&values);

    let site_names: Vec<String> = [
        w.meta("og:site_name").map(str::to_string),
        ld.publisher.clone(),
        w.meta("application-name").map(str::to_string),
        base.host_str().map(|h| {
            let h = h.trim_start_matches("www.");
            h.split('.').next().unwrap_or(h).to_string()
        }),
        base.host_str()
            .map(|h| h.trim_start_matches("www.").to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();

    let title = choose_title(&w, &ld, &site_names);
    // Position of the headline: visible article fields are looked for after it.
    let after = title
        .as_deref()
        .and_then(|t| w.h1s.iter().find(|(h, _)| h == t))
        .or(w.h1s.first())
        .map_or(0, |(_, p)| *p);

    let visible = |role: Role, max: usize| -> Option<String> {
        w.roles
            .iter()
            .filter(|r| r.role == role && !r.in_nav && r.pos >= after && !r.text.is_empty())
            .find(|r| r.text.chars().count() <= max)
            .map(|r| r.text.clone())
    };

    let lead = visible(Role::Lead, 600)
        .filter(|l| {
            l.chars().count() >= 20 && Some(l) != title.as_ref() && !looks_like_furniture(l)
        })
        .or_else(|| {
            [
                "og:description",
                "description",
                "twitter:description",
                "dc.description",
            ]
            .iter()
            .find_map(|k| w.meta(k))
            .map(clean_text)
            .or_else(|| ld.description.clone())
        })
        .filter(|l| !l.is_empty());

    let authors = choose_authors(&w, &ld, after);
    let (published_at, modified_at) = choose_dates(&w, &ld, base, after);

    let section = w
        .meta("article:section")
        .map(str::to_string)
        .or_else(|| ld.section.clone())
        .or_else(|| {
            // Visible: a section/rubric element near the headline (after it first, then the last one before it).
            let near: Vec<&RoleHit> = w
                .roles
                .iter()
                .filter(|r| r.role == Role::Section && !r.in_nav && !r.text.is_empty())
                .collect();
            let pick = |r: &RoleHit| -> Option<String> {
                let t = if r.links.len() > 1 {
                    // Breadcrumbs: the last crumb that is not the title.
                    r.links
                        .iter()
                        .rev()
                        .find(|l| Some(*l) != title.as_ref())?
                        .clone()
                } else {
                    r.text.clone()
                };
                (t.chars().count() <= 60).then_some(t)
            };
            near.iter()
                .filter(|r| r.pos >= after && r.pos <= after + 40)
                .find_map(|r| pick(r))
                .or_else(|| {
                    near.iter()
                        .rev()
                        .filter(|r| r.pos < after)
                        .find_map(|r| pick(r))
                })
        })
        .map(|s| {
            clean_text(&s)
                .trim_end_matches([' ', '-', '|', '/', '»', '›', '>'])
                .to_string()
        })
        .filter(|s| !s.is_empty() && !s.starts_with('@') && Some(s) != title.as_ref());
    // A title still ending in " - <section>" (no h1 confirmed it) loses that suffix.
    let title = match (&title, &section) {
        (Some(t), Some(sec)) => Some(strip_site_name(t, std::slice::from_ref(sec))),
        _ => title,
    };

    let topics = {
        let tags: Vec<String> = w.metas_all("article:tag").map(str::to_string).collect();
        let from_meta = if !tags.is_empty() {
            tags
        } else if !ld.keywords.is_empty() {
            ld.keywords.clone()
        } else {
            w.meta("news_keywords")
                .map(|k| k.split(',').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default()
        };
        let list = if !from_meta.is_empty() {
            from_meta
        } else {
            w.roles
                .iter()
                .filter(|r| {
                    r.role == Role::Tags && !r.in_nav && r.pos >= after && !r.links.is_empty()
                })
                .map(|r| r.links.clone())
                .next()
                .unwrap_or_default()
        };
        dedupe(list.into_iter().filter_map(|t| clean_topic(&t)), 50)
    };

    let dateline = w
        .roles
        .iter()
        .filter(|r| r.role == Role::Dateline && !r.in_nav && r.pos >= after)
        .find_map(|r| {
            let t = r.text.trim_end_matches([',', '.', ' ']);
            if is_plausible_dateline(t) {
                Some(t.to_string())
            } else {
                dateline_from_text(&r.text)
            }
        });

    let language = w
        .html_lang
        .and_then(iso639_1)
        .or_else(|| w.meta("content-language").and_then(iso639_1))
        .or_else(|| w.meta("og:locale").and_then(iso639_1))
        .or_else(|| ld.language.as_deref().and_then(iso639_1))
        .or_else(|| w.itemprop("inLanguage").and_then(iso639_1))
        .or_else(|| w.meta("dc.language").and_then(iso639_1));

    let canonical_url = w
        .canonical
        .and_then(|c| resolve_http(base, c))
        .or_else(|| w.meta("og:url").and_then(|c| resolve_http(base, c)));

    let image = choose_image(&w, &ld, base, after);

    let signals = Signals {
        og_type: w.meta("og:type").map(|t| t.to_ascii_lowercase()),
        jsonld_article: ld.is_article,
        jsonld_page_types: ld.page_types.clone(),
        h1_count: w.h1s.len(),
    };

    Meta {
        title,
        lead,
        authors,
        published_at,
        modified_at,
        section,
        topics,
        dateline,
        language,
        canonical_url,
        image,
        links: w.links,
        signals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_of(html: &str, url: &str) -> Meta {
        let doc = Html::parse_document(html);
        extract_meta(&doc, &Url::parse(url).unwrap())
    }

    #[test]
    fn title_prefers_agreeing_h1_and_strips_confirmed_suffix() {
        let m = meta_of(
            "<title>Big news happens today | Example Times</title><h1>Big news happens today</h1>",
            "https://example.com/a",
        );
        assert_eq!(m.title.as_deref(), Some("Big news happens today"));
        // No h1: the suffix goes only when it is the site name.
        let m = meta_of(
            "<meta property='og:site_name' content='Example Times'><title>Big news happens today | Example Times</title>",
            "https://example.com/a",
        );
        assert_eq!(m.title.as_deref(), Some("Big news happens today"));
        let m = meta_of(
            "<title>Talks underway — Kremlin</title>",
            "https://example.com/a",
        );
        assert_eq!(m.title.as_deref(), Some("Talks underway — Kremlin"));
        // A logo h1 that disagrees with og:title does not win.
        let m = meta_of(
            "<meta property='og:title' content='Real headline here'><h1>Example</h1>",
            "https://example.com/a",
        );
        assert_eq!(m.title.as_deref(), Some("Real headline here"));
    }

    #[test]
    fn authors_from_jsonld_meta_and_bylines() {
        let m = meta_of(
            r#"<script type="application/ld+json">{"@type":"NewsArticle","author":[{"@type":"Person","name":"Ann Lee"},{"name":"Ann Lee"}]}</script>
               <meta name="author" content="Somebody Else">"#,
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Ann Lee"]);
        let m = meta_of(
            "<meta name=author content='Ann Lee, Bob Stone'>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Ann Lee", "Bob Stone"]);
        let m = meta_of(
            "<h1>Headline of the story</h1><div class='article__byline'>By <a href='/ann'>Ann Lee</a> and <a href='/bob'>Bob Stone</a></div>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Ann Lee", "Bob Stone"]);
        let m = meta_of(
            "<h1>Headline of the story</h1><span class='byline'>By Ann Lee</span>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Ann Lee"]);
        let m = meta_of(
            "<h1>Headline of the story</h1><div class='byline'>Analysis by Chris Cillizza, CNN Editor</div>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Chris Cillizza", "CNN Editor"]);
        let m = meta_of(
            "<h1>Headline of the story</h1><div class='author'>Jeff Foust Monday, November 18, 2019</div>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Jeff Foust"]);
        let m = meta_of(
            "<h1>Headline of the story</h1><label class='author'>Name *</label>",
            "https://example.com/a",
        );
        assert!(m.authors.is_empty());
        let m = meta_of(
            "<meta name=author content='https://facebook.com/x'>",
            "https://example.com/a",
        );
        assert!(m.authors.is_empty());
    }

    #[test]
    fn dates_keep_offset_and_are_never_invented() {
        let m = meta_of(
            "<meta property='article:published_time' content='2018-10-08T10:43:00Z'>\
             <meta property='article:modified_time' content='2018-10-08T11:00:00Z'>",
            "https://example.com/a",
        );
        assert_eq!(
            m.published_at.unwrap().to_rfc3339(),
            "2018-10-08T10:43:00+00:00"
        );
        assert_eq!(
            m.modified_at.unwrap().to_rfc3339(),
            "2018-10-08T11:00:00+00:00"
        );
        let m = meta_of(
            "<h1>Headline of the story</h1><p>No dates at all.</p>",
            "https://example.com/a",
        );
        assert!(m.published_at.is_none() && m.modified_at.is_none());
        // A visible date without a year and no year anywhere: absent.
        let m = meta_of(
            "<h1>Headline of the story</h1><span class='date'>October 08, 13:43 UTC+3</span>",
            "https://example.com/a",
        );
        assert!(m.published_at.is_none());
        // ... with the year in the URL: present.
        let m = meta_of(
            "<h1>Headline of the story</h1><span class='date'>October 08, 13:43 UTC+3</span>",
            "https://example.com/2018/10/08/story",
        );
        assert_eq!(
            m.published_at.unwrap().to_rfc3339(),
            "2018-10-08T13:43:00+03:00"
        );
        // <time datetime>.
        let m = meta_of(
            "<h1>Headline of the story</h1><time datetime='2018-10-08T13:43:00+03:00'>Oct 8</time>",
            "https://example.com/a",
        );
        assert_eq!(
            m.published_at.unwrap().to_rfc3339(),
            "2018-10-08T13:43:00+03:00"
        );
        // Contradicting metadata: the one agreeing with the visible date wins.
        let m = meta_of(
            "<meta property='article:published_time' content='2018-10-01T09:00:00+03:00'>\
             <script type='application/ld+json'>{\"@type\":\"NewsArticle\",\"datePublished\":\"2018-10-09T00:00:00+03:00\"}</script>\
             <meta itemprop='datePublished' content='2018-10-08T13:43:00+03:00'>\
             <h1>Headline of the story</h1><span class='date'>October 8, 2018</span>",
            "https://example.com/a",
        );
        assert_eq!(
            m.published_at.unwrap().to_rfc3339(),
            "2018-10-08T13:43:00+03:00"
        );
    }

    #[test]
    fn language_canonical_links() {
        let m = meta_of(
            "<html lang='en-GB'><head><link rel=canonical href='/politics/1'><meta property='og:url' content='https://x.example/other'></head>\
             <body><a href='/a#x'>a</a><a href='https://other.example/b'>b</a><a href='/a'>a again</a>\
             <a href='mailto:x@y'>m</a><a href='javascript:void(0)'>j</a><a href='ftp://x/'>f</a></body></html>",
            "https://example.com/politics/1?utm=1",
        );
        assert_eq!(m.language.as_deref(), Some("en"));
        assert_eq!(
            m.canonical_url.as_deref(),
            Some("https://example.com/politics/1")
        );
        assert_eq!(
            m.links,
            ["https://example.com/a", "https://other.example/b"]
        );
        let m = meta_of(
            "<meta property='og:locale' content='ru_RU'>",
            "https://example.com/",
        );
        assert_eq!(m.language.as_deref(), Some("ru"));
        assert_eq!(
            guess_language_from_script("Съешь же ещё этих мягких французских булок, да выпей чаю"),
            Some("ru")
        );
        assert_eq!(
            guess_language_from_script("東京の天気は晴れです。今日はとても暑いですね、本当に。"),
            Some("ja")
        );
        assert_eq!(
            guess_language_from_script("The quick brown fox jumps over the lazy dog"),
            None
        );
    }

    #[test]
    fn datelines() {
        assert_eq!(
            dateline_from_text("MOSCOW, October 8. /TASS/. Talks").as_deref(),
            Some("MOSCOW")
        );
        assert_eq!(
            dateline_from_text("WASHINGTON (Reuters) - The").as_deref(),
            Some("WASHINGTON")
        );
        assert_eq!(
            dateline_from_text("NEW YORK — A man").as_deref(),
            Some("NEW YORK")
        );
        assert_eq!(
            dateline_from_text("МОСКВА, 8 октября. /ТАСС/.").as_deref(),
            Some("МОСКВА")
        );
        assert_eq!(dateline_from_text("Moscow, October 8"), None);
        assert_eq!(dateline_from_text("I, Robot"), None);
        assert_eq!(dateline_from_text("A"), None);
    }

    #[test]
    fn image_credit_and_caption() {
        let m = meta_of(
            "<meta property='og:image' content='https://cdn.example/i/123.jpg?w=1200'><h1>Headline of the story</h1>\
             <figure><img src='/i/123.jpg'><figcaption>Peskov at the Kremlin <span class='credit'>© Mikhail Metzel/TASS</span></figcaption></figure>",
            "https://example.com/a",
        );
        let img = m.image.unwrap();
        assert_eq!(img.url, "https://cdn.example/i/123.jpg?w=1200");
        assert_eq!(img.credit.as_deref(), Some("Mikhail Metzel/TASS"));
        assert_eq!(img.caption.as_deref(), Some("Peskov at the Kremlin"));
        let m = meta_of("<p>© 2018 Example footer</p>", "https://example.com/a");
        assert!(m.image.is_none());
    }

    #[test]
    fn topics_and_section() {
        let m = meta_of(
            "<meta property='article:tag' content='Politics'><meta property='article:tag' content='politics'>\
             <meta property='article:tag' content='Asia'><meta property='article:section' content='World'>",
            "https://example.com/a",
        );
        assert_eq!(m.topics, ["Politics", "Asia"]);
        assert_eq!(m.section.as_deref(), Some("World"));
        let m = meta_of(
            "<nav><a class='section'>Menu</a></nav><h1>Headline of the story</h1><a class='article__rubric' href='/w'>World</a>\
             <div class='tags'><span>Topics</span><a href='/t/1'>Foreign policy</a><a href='/t/2'>{{item.tag}}</a></div>",
            "https://example.com/a",
        );
        assert_eq!(m.section.as_deref(), Some("World"));
        assert_eq!(m.topics, ["Foreign policy"]);
        let m = meta_of(
            "<meta property='article:tag' content='@post-id:19'><meta property='article:tag' content='ctp_video'>\
             <meta property='article:tag' content='Category: Jupiter'><meta property='article:tag' content='Europa'>",
            "https://example.com/a",
        );
        assert_eq!(m.topics, ["Jupiter", "Europa"]);
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        // Built directly (parsing 100k nested divs is html5ever's quadratic case,
        // which `guard::limit_nesting` handles before parsing).
        let mut doc = Html::parse_document(
            "<html><body><div class='date'>October 8, 2018</div></body></html>",
        );
        let div = doc
            .tree
            .nodes()
            .find(|n| n.value().as_element().is_some_and(|e| e.name() == "div"))
            .map(|n| (n.id(), n.value().clone()))
            .unwrap();
        let mut id = div.0;
        for _ in 0..100_000 {
            let mut node = doc.tree.get_mut(id).unwrap();
            id = node.append(div.1.clone()).id();
        }
        let m = extract_meta(&doc, &Url::parse("https://example.com/a").unwrap());
        assert!(m.title.is_none());
    }
}
