//! Page metadata from the DOM: title, lead, authors, dates, section, topics,
//! dateline, language, canonical URL, lead image and outlinks.
//!
//! One iterative walk over the tree ([`walk`]) gathers every source: `<meta>`
//! tags (OpenGraph, Twitter, Dublin Core, `article:*`, `name=author|date|…`),
//! `<link rel=canonical|author>`, JSON-LD scripts, `<time datetime>`, microdata
//! `itemprop`, `<title>`, `<h1>`, every `<a href>`, images with their
//! captions and credits, and visible elements whose class/id names a role
//! (byline, date, section, tags, lead, credit, dateline). Then each field
//! is chosen from its sources by a fixed precedence (see `docs/extraction.md`),
//! one module per field: `title`, `people` (authors), `published` (dates),
//! `image`, `language`; `date` parses date texts, `jsonld` reads structured data.
//!
//! The walk keeps its own stack, so 100,000 nested elements cost no recursion.

pub mod date;
mod image;
pub mod jsonld;
pub mod language;
mod people;
mod published;
mod title;

use rustc_hash::FxHashSet as HashSet;

use chrono::{DateTime, FixedOffset};
use ego_tree::iter::Edge;
use scraper::{Html, Node};
use trawl_core::Image;
use url::Url;

use date::PartialDate;
use image::*;
use jsonld::JsonLd;
use people::*;
use published::*;
use title::*;

/// Signals about the page's kind, for `is_article`.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    /// `og:type`, lowercased.
    pub og_type: Option<String>,
    /// JSON-LD names an object of an article type.
    pub jsonld_article: bool,
    /// JSON-LD page types (`collectionpage`, `searchresultspage`, ...).
    pub jsonld_page_types: Vec<String>,
    /// Every JSON-LD `@type` on the page, nested objects included (lower-cased).
    pub jsonld_all_types: Vec<String>,
    /// Number of `<h1>` elements outside navigation.
    pub h1_count: usize,
    /// A date is shown to the reader (near the headline, or in a date-role element),
    /// not only stated in metadata.
    pub date_shown: bool,
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
    /// A second-level heading outside navigation (some templates mark the headline up as one).
    H2,
    JsonLd,
    Role(usize),
    /// Text of an `<a>` inside a role element (index of the role).
    Anchor(usize),
    /// Text of an element with `itemprop` (index into `itemprops`).
    ItemProp(usize),
    /// Text of a `rel=author` link.
    RelAuthor,
    /// Text of a link to an author page (`/author/…`, `/contributors/…`).
    AuthorLink,
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
    /// The first text inside the element (an author box's name, before the bio).
    first: String,
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
    /// Inside a link to a site's home page (a logo).
    in_home_link: bool,
    /// Inside readers' comments or related stories: names and dates there are others'.
    in_others: bool,
    skip_text: bool,
    container: Option<usize>,
    /// The `<table>` this element is in (numbered from 1), 0 outside tables.
    table: usize,
    /// Position of the element whose class or id made this one navigation-like (a "banner",
    /// a "sidebar" wrapper); 0 when it is not, or when a `<nav>`/`<aside>`/footer made it.
    nav_from: usize,
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
    /// Texts of the first `<h2>`s outside navigation.
    h2s: Vec<String>,
    /// Positions of `<h1>`s that are, or hold, a link to a home page (a logo, the site name).
    home_h1s: Vec<usize>,
    /// The `<h1>` being read is a home link.
    h1_is_home: bool,
    /// Positions (at open) of `<h1>`s inside navigation-like containers.
    nav_h1s: Vec<usize>,
    h1_is_nav: bool,
    /// (position, [`Frame::nav_from`]) of the `<h1>`s inside class-named navigation.
    h1_nav_from: Vec<(usize, usize)>,
    h1_nav_src: usize,
    /// Positions of `<h1>`s holding a link to another page: a teaser's headline in a
    /// list of related stories, not this page's.
    teaser_h1s: Vec<usize>,
    h1_is_teaser: bool,
    /// `alt` texts of images in home links (logos): names of the site.
    logo_texts: Vec<String>,
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
    /// Short visible texts that hold a year (candidate visible dates), outside navigation.
    text_dates: Vec<TextDate>,
    /// Names after a byline label ("By", "Written by", "Author:"), outside navigation.
    text_bylines: Vec<(String, usize)>,
    /// Texts of links to author pages, outside navigation, with their positions.
    author_links: Vec<(String, usize)>,
}

/// A short visible text with a year in it, and the short text just before it
/// (a label such as "Last updated:" in a sibling element).
#[derive(Debug)]
struct TextDate {
    text: String,
    label: String,
    pos: usize,
    /// Bytes of other text in the same block (a date inside a sentence has many).
    block_len: usize,
    /// The table it is a cell of (numbered from 1), 0 outside tables.
    table: usize,
}

const MAX_TEXT_DATES: usize = 300;

/// A byline in text: `label` (the previous short text) is "By"/"Written by"/
/// "Author:" and `t` the name, or `t` itself starts with such a label.
fn byline_text(label: &str, t: &str) -> Option<String> {
    const LABELS: &[&str] = &[
        "by",
        "by:",
        "written by",
        "written by:",
        "article by",
        "story by",
        "text by",
        "reported by",
        "author:",
        "author",
        "authors",
        "authors:",
        "contributor:",
        "contributors:",
        "authored by",
        "words by",
        "posted by",
        "автор:",
        "von",
        "par",
    ];
    let l = label.trim();
    if l.len() <= 14 && {
        let lower = l.to_lowercase();
        LABELS
            .iter()
            .any(|x| l.eq_ignore_ascii_case(x) || lower == *x)
    } {
        return Some(t.to_string());
    }
    for p in ["by ", "written by ", "author: ", "posted by "] {
        if t.len() > p.len() && t.is_char_boundary(p.len()) && t[..p.len()].eq_ignore_ascii_case(p)
        {
            return Some(t[p.len()..].to_string());
        }
    }
    None
}

/// Whether `t` holds a plausible year (19xx/20xx) as a run of exactly four digits.
fn has_year(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4 && (b[start..start + 2] == *b"19" || b[start..start + 2] == *b"20") {
                return true;
            }
        } else {
            i += 1;
        }
    }
    false
}

const MAX_ACTIVE: usize = 24;
const MAX_ROLES: usize = 400;
const MAX_LINKS: usize = 20_000;

fn segments(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|x| !x.is_empty())
}

/// Call `f` on the camelCase parts of `seg` (`authorName` → `author`, `Name`),
/// when it has more than one: CSS-module class names join their words that way.
fn for_camel_parts(seg: &str, mut f: impl FnMut(&str)) {
    let b = seg.as_bytes();
    let mut start = 0;
    for i in 1..b.len() {
        if b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase() {
            f(&seg[start..i]);
            start = i;
        }
    }
    if start > 0 {
        f(&seg[start..]);
    }
}

/// What one class/id segment names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SegKind {
    Role(Role),
    Nav,
    Image,
    /// A person's description beside a byline (`author-bio`, `author-description`).
    Bio,
    /// Readers' comments and related stories: names and dates there are others'
    /// (`comment-author` is a commenter, `entry-related` holds other stories' dates).
    Others,
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
        b"bio" | b"biography" | b"description" | b"desc" | b"about" | b"position" | b"jobtitle" => {
            SegKind::Bio
        }
        b"comment" | b"comments" | b"reply" | b"replies" | b"respond" | b"related"
        | b"recommended" => SegKind::Others,
        _ => return None,
    })
}

/// What a class or id attribute names.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Named {
    role: Option<Role>,
    /// Navigation-like ("menu", "sidebar", "banner").
    nav: bool,
    /// An image container.
    image: bool,
    /// Readers' comments or related stories.
    others: bool,
}

fn classify_name(class_or_id: &str) -> Named {
    let mut n = Named::default();
    // Utility-class variants and arbitrary values (`md:[grid-area:sidebar]`,
    // `hover:text-nav`) style an element; they do not name its role.
    let named = class_or_id
        .split_ascii_whitespace()
        .filter(|tok| !tok.contains([':', '[']));
    for tok in named {
        let (mut role, mut bio) = (None, false);
        let mut take = |seg: &str| match classify_segment(seg) {
            Some(SegKind::Role(r)) if overrides(r, role) => role = Some(r),
            Some(SegKind::Role(_)) => {}
            Some(SegKind::Nav) => n.nav = true,
            Some(SegKind::Image) => n.image = true,
            Some(SegKind::Bio) => bio = true,
            Some(SegKind::Others) => n.others = true,
            None => {}
        };
        for seg in segments(tok) {
            take(seg);
            for_camel_parts(seg, &mut take);
        }
        // "author-bio", "dynamic-author-description": what the author does, not who.
        if bio && role == Some(Role::Byline) {
            continue;
        }
        if let Some(r) = role.filter(|r| overrides(*r, n.role)) {
            n.role = Some(r);
        }
    }
    n
}

/// Whether a role named later in a class or id replaces the one named before: the later
/// wins, except over the more specific credit, byline and dateline, and a section never
/// replaces a date ("date-section-header").
fn overrides(new: Role, old: Option<Role>) -> bool {
    match old {
        Some(Role::Credit | Role::Byline | Role::Dateline) => false,
        Some(Role::Date) => new != Role::Section,
        _ => true,
    }
}

impl<'a> Walk<'a> {
    /// `not_nav`: positions of elements whose class or id does not make them navigation
    /// (the container of the headline, see [`Walk::run_for_headline`]).
    fn run(doc: &'a Html, base: &Url, not_nav: &[usize]) -> Self {
        let mut k = Walker {
            w: Walk::default(),
            base,
            not_nav,
            frames: Vec::with_capacity(64),
            active: Vec::new(),
            seen_links: HashSet::default(),
            seen_raw: HashSet::default(),
            pos: 0,
            containers: 0,
            last_short: "",
            tables: 0,
            block: 0,
            block_len: 0,
            named: rustc_hash::FxHashMap::default(),
            date_block: usize::MAX,
        };
        for edge in doc.tree.root().traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(el) => k.open_element(el),
                    Node::Text(t) => k.text(t),
                    _ => {}
                },
                Edge::Close(node) => k.close(node.value()),
            }
        }
        k.w
    }

    /// The walk again, when the headline at `after` sits in an element that only its class
    /// or id made navigation-like ("article-banner", "content-sidebar-wrap", a hero
    /// "banner"): the element that holds the headline is the article's header, so its
    /// byline and date count. Up to three nested such containers are lifted.
    fn run_for_headline(self, doc: &'a Html, base: &Url, after: usize) -> Self {
        let mut w = self;
        let mut lifted: Vec<usize> = Vec::new();
        while lifted.len() < 3 {
            let Some(&(_, from)) = w.h1_nav_from.iter().find(|(p, _)| *p == after) else {
                break;
            };
            lifted.push(from);
            w = Walk::run(doc, base, &lifted);
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
                    if self.h1_is_home {
                        self.home_h1s.push(pos);
                    }
                    if self.h1_is_nav {
                        self.nav_h1s.push(pos);
                    }
                    if self.h1_nav_src > 0 {
                        self.h1_nav_from.push((pos, self.h1_nav_src));
                    }
                    if self.h1_is_teaser {
                        self.teaser_h1s.push(pos);
                    }
                    self.h1s.push((t, pos));
                }
            }
            Sink::H2 => {
                let t = clean_text(&c.text);
                if !t.is_empty() && !overflow {
                    self.h2s.push(t);
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
            Sink::AuthorLink => {
                let t = clean_text(&c.text);
                if !t.is_empty() {
                    self.author_links.push((t, pos));
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

/// Inline elements: their texts run on with their neighbours' as rendered.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "span"
            | "a"
            | "em"
            | "strong"
            | "b"
            | "i"
            | "u"
            | "small"
            | "mark"
            | "abbr"
            | "font"
            | "q"
            | "s"
            | "cite"
            | "sup"
            | "sub"
            | "code"
    )
}

/// A link to an author's page: a path segment `author(s)`, `autor`,
/// `writer(s)`, `contributor(s)`, `columnist(s)` followed by a slug.
fn is_author_href(href: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or(href);
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    while let Some(seg) = segs.next() {
        if [
            "author",
            "authors",
            "autor",
            "autoren",
            "auteur",
            "writer",
            "writers",
            "contributor",
            "contributors",
            "columnist",
            "columnists",
        ]
        .iter()
        .any(|k| seg.eq_ignore_ascii_case(k))
        {
            return segs.next().is_some();
        }
    }
    false
}

/// The attributes of an element that the walk reads.
#[derive(Default)]
struct Attrs<'a> {
    class: &'a str,
    id: &'a str,
    itemprop: Option<&'a str>,
    href: Option<&'a str>,
    rel: &'a str,
    src: Option<&'a str>,
    datetime: Option<&'a str>,
    content: Option<&'a str>,
    role: &'a str,
    alt: Option<&'a str>,
    /// `property`, `name` or `http-equiv` of a `<meta>`.
    meta_key: Option<&'a str>,
    /// A `<script type="application/ld+json">`.
    ld: bool,
    /// `lang` of `<html>`.
    lang: Option<&'a str>,
    /// `itemprop="articleBody"` or an Article/BlogPosting `itemtype`.
    marks_article: bool,
}

impl<'a> Attrs<'a> {
    fn read(el: &'a scraper::node::Element) -> Attrs<'a> {
        let name = el.name();
        let mut a = Attrs::default();
        for (k, v) in el.attrs() {
            match k {
                "class" => a.class = v,
                "id" => a.id = v,
                "itemprop" => {
                    a.itemprop = Some(v);
                    a.marks_article |= v == "articleBody";
                }
                "href" => a.href = Some(v),
                "rel" => a.rel = v,
                "src" => a.src = Some(v),
                "data-src" | "data-original" | "data-lazy-src" if a.src.is_none() => {
                    a.src = Some(v)
                }
                "datetime" => a.datetime = Some(v),
                "content" => a.content = Some(v),
                "role" => a.role = v,
                "alt" => a.alt = Some(v),
                "itemtype" if v.contains("Article") || v.contains("BlogPosting") => {
                    a.marks_article = true
                }
                "property" | "name" | "http-equiv" if name == "meta" && a.meta_key.is_none() => {
                    a.meta_key = Some(v)
                }
                "type" if name == "script" => {
                    a.ld = v.trim().eq_ignore_ascii_case("application/ld+json")
                }
                "lang" if name == "html" => a.lang = Some(v),
                _ => {}
            }
        }
        a
    }
}

/// One pass over the document: the state of [`Walk::run`] while it reads the nodes in order.
struct Walker<'a, 'u> {
    w: Walk<'a>,
    base: &'u Url,
    not_nav: &'u [usize],
    /// One frame per open element: what its ancestors say about it.
    frames: Vec<Frame>,
    /// Text collectors open at this point (a headline, a byline, a JSON-LD block, …).
    active: Vec<Collector>,
    seen_links: HashSet<String>,
    seen_raw: HashSet<&'a str>,
    /// Pre-order position of the current element.
    pos: usize,
    /// Image containers numbered so far.
    containers: usize,
    /// The last short visible text (a label for a date that follows it).
    last_short: &'a str,
    /// Tables opened so far.
    tables: usize,
    /// Block-level elements opened or closed so far: texts with the same count run together.
    block: usize,
    /// Bytes of text seen in the current block.
    block_len: usize,
    /// What each class or id value seen so far names (templates repeat them).
    named: rustc_hash::FxHashMap<&'a str, Named>,
    /// The block of the last text date.
    date_block: usize,
}

/// Start collecting the text of the current element into `sink` (at most `cap` bytes).
fn open(sink: Sink, cap: usize, f: &mut Frame, active: &mut Vec<Collector>) {
    if active.len() < MAX_ACTIVE {
        active.push(Collector {
            sink,
            text: String::new(),
            cap,
        });
        f.opened += 1;
    }
}

impl<'a> Walker<'a, '_> {
    /// An element opens: its frame (what its ancestors and attributes say about it), a
    /// separator for the texts being collected, the metadata it carries, and the roles and
    /// item properties whose text it starts.
    fn open_element(&mut self, el: &'a scraper::node::Element) {
        self.pos += 1;
        let name = el.name();
        let a = Attrs::read(el);
        if a.lang.is_some() {
            self.w.html_lang = a.lang;
        }
        let (mut f, class_role, id_role) = self.frame(name, &a);
        self.boundary(is_inline(name));
        self.collect(name, &a, &mut f);
        self.start_roles(name, &a, class_role.or(id_role), &mut f);
        self.frames.push(f);
    }

    /// The new element's frame: inherited from its parent, then navigation, article, skipped
    /// text and image container as its name and attributes say; with the roles its class and
    /// id name.
    fn frame(&mut self, name: &str, a: &Attrs<'a>) -> (Frame, Option<Role>, Option<Role>) {
        let parent = self.frames.last();
        let mut f = Frame {
            in_nav: parent.is_some_and(|p| p.in_nav),
            nav_from: parent.map_or(0, |p| p.nav_from),
            in_article: parent.is_some_and(|p| p.in_article) || a.marks_article,
            in_home_link: parent.is_some_and(|p| p.in_home_link),
            in_others: parent.is_some_and(|p| p.in_others),
            skip_text: parent.is_some_and(|p| p.skip_text),
            container: parent.and_then(|p| p.container),
            table: parent.map_or(0, |p| p.table),
            opened: 0,
        };
        match name {
            // An article's own <footer> holds its tags; the page's does not.
            "footer" if !f.in_article => (f.in_nav, f.nav_from) = (true, 0),
            "nav" => (f.in_nav, f.nav_from) = (true, 0),
            // An article's own <aside> holds its details (date, author); the page's does not.
            "aside" if !f.in_article => (f.in_nav, f.nav_from) = (true, 0),
            "article" => f.in_article = true,
            "table" => {
                self.tables += 1;
                f.table = self.tables;
            }
            "script" | "style" | "noscript" | "template" | "svg" | "iframe" => f.skip_text = true,
            _ => {}
        }
        // `<html>` and `<body>` classes describe the page's layout ("profile-right-sidebar",
        // "menu-open", "has-cookie-banner"), never a region of it.
        let page = matches!(name, "html" | "body");
        let class = if a.class.is_empty() || page {
            Named::default()
        } else {
            self.classify(a.class)
        };
        let id = if a.id.is_empty() || page {
            Named::default()
        } else {
            self.classify(a.id)
        };
        f.in_others |= class.others || id.others;
        // <main> is the page's a.content whatever its class says.
        if name == "main" {
            (f.in_nav, f.nav_from) = (false, 0);
        } else if a.role.eq_ignore_ascii_case("navigation")
            || a.role.eq_ignore_ascii_case("contentinfo")
        {
            (f.in_nav, f.nav_from) = (true, 0);
        } else if (class.nav || id.nav) && !f.in_nav && !self.not_nav.contains(&self.pos) {
            (f.in_nav, f.nav_from) = (true, self.pos);
        }
        let names_role = matches!(class.role, Some(Role::Credit | Role::Caption));
        if name == "figure" || (name != "img" && !names_role && class.image) {
            self.containers += 1;
            f.container = Some(self.containers);
        }
        // A byline or date among readers' comments or related stories is another's.
        let role = |r: Option<Role>| {
            r.filter(|r| !(f.in_others && matches!(r, Role::Byline | Role::Date)))
        };
        let (class_role, id_role) = (role(class.role), role(id.role));
        (f, class_role, id_role)
    }

    /// [`classify_name`], once per distinct value.
    fn classify(&mut self, value: &'a str) -> Named {
        *self
            .named
            .entry(value)
            .or_insert_with(|| classify_name(value))
    }

    /// An element starts or ends: a block-level one ends the current block (texts with the
    /// same block count run together), and the texts being collected get a separator so
    /// that adjacent elements' texts do not run together (in a headline, inline elements
    /// run together as shown).
    fn boundary(&mut self, inline: bool) {
        if !inline {
            self.block += 1;
            self.block_len = 0;
        }
        for c in self.active.iter_mut() {
            if c.text.len() < c.cap
                && !c.text.ends_with(' ')
                && !(inline && matches!(c.sink, Sink::H1 | Sink::H2))
            {
                c.text.push(' ');
            }
        }
    }

    /// What the element itself carries: `<meta>`, `<link rel=canonical>`, `<title>`, `<h1>`,
    /// JSON-LD, `<time datetime>`, images (logos in home links), and links (home, teaser,
    /// author, and those inside a role element).
    fn collect(&mut self, name: &str, a: &Attrs<'a>, f: &mut Frame) {
        match name {
            "meta" => {
                if let (Some(k), Some(c)) = (a.meta_key, a.content) {
                    self.w.metas.push((k.trim().to_ascii_lowercase(), c));
                }
                if let (Some(p), Some(c)) = (a.itemprop, a.content) {
                    self.w.itemprops.push((p.to_string(), c.to_string()));
                }
            }
            "link" => {
                let rels = a.rel.to_ascii_lowercase();
                if let Some(h) = a.href {
                    if rels.split_ascii_whitespace().any(|r| r == "canonical")
                        && self.w.canonical.is_none()
                    {
                        self.w.canonical = Some(h);
                    }
                }
                if let (Some(p), Some(h)) = (a.itemprop, a.href) {
                    self.w.itemprops.push((p.to_string(), h.to_string()));
                }
            }
            "title" if self.w.title_tag.is_none() && !f.in_nav => {
                open(Sink::Title, 2000, f, &mut self.active)
            }
            "h1" if self.w.h1s.len() < 12 => {
                self.w.h1_is_home = f.in_home_link;
                self.w.h1_is_nav = f.in_nav;
                self.w.h1_nav_src = if f.in_nav { f.nav_from } else { 0 };
                self.w.h1_is_teaser = false;
                open(Sink::H1, 2000, f, &mut self.active)
            }
            "h2" if self.w.h2s.len() < 16 && !f.in_nav => open(Sink::H2, 400, f, &mut self.active),
            "script" if a.ld && self.w.jsonld.len() < 32 => {
                open(Sink::JsonLd, 4 << 20, f, &mut self.active)
            }
            "time" => {
                if let Some(dt) = a.datetime {
                    if self.w.times.len() < 64 {
                        self.w.times.push((dt, self.pos, f.in_nav || f.in_others));
                    }
                }
            }
            "img" if f.in_home_link && self.w.logo_texts.len() < 8 => {
                if let Some(a) = a.alt.map(clean_text).filter(|a| !a.is_empty()) {
                    self.w.logo_texts.push(a);
                }
                if let Some(s) = a.src {
                    if self.w.imgs.len() < 512 {
                        self.w.imgs.push(ImgHit {
                            src: s,
                            container: f.container,
                            pos: self.pos,
                            in_nav: f.in_nav,
                        });
                    }
                }
            }
            "img" => {
                if let Some(s) = a.src {
                    if self.w.imgs.len() < 512 {
                        self.w.imgs.push(ImgHit {
                            src: s,
                            container: f.container.or_else(|| {
                                // A bare <img> with a sibling credit: its parent is the container.
                                self.containers += 1;
                                Some(self.containers)
                            }),
                            pos: self.pos,
                            in_nav: f.in_nav,
                        });
                    }
                }
            }
            "a" => {
                if let Some(h) = a.href {
                    if is_home_href(self.base, h) {
                        f.in_home_link = true;
                        if self.active.iter().any(|c| c.sink == Sink::H1) {
                            self.w.h1_is_home = true;
                        }
                    } else if self.active.iter().any(|c| c.sink == Sink::H1)
                        && links_elsewhere(self.base, self.w.canonical, h)
                    {
                        self.w.h1_is_teaser = true;
                    }
                    if self.w.links.len() < MAX_LINKS && self.seen_raw.insert(h) {
                        if let Some(u) = resolve_http(self.base, h) {
                            if self.seen_links.insert(u.clone()) {
                                self.w.links.push(u);
                            }
                        }
                    }
                    if a.rel
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("author"))
                    {
                        open(Sink::RelAuthor, 200, f, &mut self.active);
                    } else if !f.in_nav
                        && !f.in_others
                        && self.w.author_links.len() < 16
                        && is_author_href(h)
                    {
                        open(Sink::AuthorLink, 200, f, &mut self.active);
                    }
                    // Links inside a role element (tags, breadcrumbs).
                    if let Some(idx) = self.active.iter().rev().find_map(|c| match c.sink {
                        Sink::Role(i) => Some(i),
                        _ => None,
                    }) {
                        open(Sink::Anchor(idx), 200, f, &mut self.active);
                    }
                }
            }
            _ => {}
        }
    }

    /// The roles (byline, tags, section, caption, …) and item properties whose text this
    /// element starts.
    fn start_roles(&mut self, name: &str, a: &Attrs<'a>, named: Option<Role>, f: &mut Frame) {
        if name == "figcaption" && self.w.roles.len() < MAX_ROLES {
            self.w.roles.push(RoleHit {
                role: Role::Caption,
                pos: self.pos,
                in_nav: f.in_nav,
                container: f.container,
                text: String::new(),
                links: Vec::new(),
                first: String::new(),
            });
            open(
                Sink::Role(self.w.roles.len() - 1),
                1000,
                f,
                &mut self.active,
            );
        } else if name != "meta" && name != "link" && name != "body" && name != "html" {
            let role = named.or_else(|| match a.itemprop {
                Some(p) if p.eq_ignore_ascii_case("author") => Some(Role::Byline),
                Some(p) if p.eq_ignore_ascii_case("keywords") => Some(Role::Tags),
                Some(p) if p.eq_ignore_ascii_case("articleSection") => Some(Role::Section),
                _ => None,
            });
            if let Some(role) = role {
                if self.w.roles.len() < MAX_ROLES && !f.skip_text {
                    self.w.roles.push(RoleHit {
                        role,
                        pos: self.pos,
                        in_nav: f.in_nav,
                        container: f.container,
                        text: String::new(),
                        links: Vec::new(),
                        first: String::new(),
                    });
                    let cap = if role == Role::Tags { 4000 } else { 1000 };
                    open(Sink::Role(self.w.roles.len() - 1), cap, f, &mut self.active);
                }
            }
            if let Some(p) = a.itemprop {
                if is_useful_itemprop(p) && self.w.itemprops.len() < 64 {
                    if let Some(v) = a.datetime.or(a.content) {
                        self.w.itemprops.push((p.to_string(), v.to_string()));
                    } else {
                        self.w.itemprops.push((p.to_string(), String::new()));
                        open(
                            Sink::ItemProp(self.w.itemprops.len() - 1),
                            300,
                            f,
                            &mut self.active,
                        );
                    }
                }
            }
        }
    }

    fn text(&mut self, t: &'a scraper::node::Text) {
        if self.frames.last().is_some_and(|f| f.skip_text)
            && !self.active.iter().any(|c| c.sink == Sink::JsonLd)
        {
            return;
        }
        let t: &'a str = t;
        let tt = t.trim();
        if !tt.is_empty() && self.frames.last().is_some_and(|f| !f.skip_text) {
            // The text around a date in the same block (a sentence that mentions it).
            if self.block == self.date_block {
                if let Some(d) = self.w.text_dates.last_mut() {
                    d.block_len += tt.len();
                }
            }
            // Outside navigation, comments and related stories.
            let own = self
                .frames
                .last()
                .is_some_and(|f| !f.in_nav && !f.in_others);
            if tt.len() <= 100 && self.w.text_dates.len() < MAX_TEXT_DATES && own && has_year(tt) {
                self.w.text_dates.push(TextDate {
                    text: tt.to_string(),
                    label: self.last_short.to_string(),
                    pos: self.pos,
                    block_len: self.block_len,
                    table: self.frames.last().map_or(0, |f| f.table),
                });
                self.date_block = self.block;
            }
            self.block_len += tt.len();
            if own && self.w.text_bylines.len() < 16 && tt.len() <= 80 {
                if let Some(name) = byline_text(self.last_short, tt) {
                    self.w.text_bylines.push((name, self.pos));
                }
            }
            self.last_short = if tt.len() <= 40 { tt } else { "" };
            for c in &self.active {
                if let Sink::Role(i) = c.sink {
                    if let Some(r) = self.w.roles.get_mut(i) {
                        if r.first.is_empty() && tt.len() <= 80 {
                            r.first = tt.to_string();
                        }
                    }
                }
            }
        }
        if self.w.year_hint_page.is_none()
            && t.len() <= 64
            && t.bytes().filter(u8::is_ascii_digit).count() >= 6
        {
            self.w.year_hint_page = date::year_hint_in_text(t);
        }
        for c in self.active.iter_mut() {
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

    fn close(&mut self, node: &Node) {
        if !node.is_element() {
            return;
        }
        let Some(f) = self.frames.pop() else { return };
        self.boundary(node.as_element().is_some_and(|e| is_inline(e.name())));
        for _ in 0..f.opened {
            let Some(c) = self.active.pop() else { break };
            self.w.finish(c, self.pos, f.in_nav);
        }
    }
}

/// A link to a page other than this one (its URL or canonical, compared by host and path):
/// a same-page anchor or a permalink to itself is not elsewhere.
fn links_elsewhere(base: &Url, canonical: Option<&str>, href: &str) -> bool {
    let Some(u) = resolve_http(base, href).and_then(|u| Url::parse(&u).ok()) else {
        return false;
    };
    let key = |u: &Url| {
        (
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_ascii_lowercase()),
            u.path().trim_end_matches('/').to_string(),
        )
    };
    let target = key(&u);
    let same = |p: &Url| key(p) == target;
    !(same(base)
        || canonical
            .and_then(|c| base.join(c).ok())
            .is_some_and(|c| same(&c)))
}

/// Whether the absolute (`http://`, `https://`) or scheme-relative (`//`) URL `h` plainly
/// has a path other than the root: one of only letters, digits, `/`, `-`, `_`, `~` and
/// `.`, with a segment that is not empty, `.` or `..`. No URL normalization turns such a
/// path into `/` (that takes dot segments, percent-encoded dots, backslashes or stripped
/// tabs), so [`is_home_href`] need not parse it.
fn has_plain_path(h: &str) -> bool {
    let Some(rest) = h
        .strip_prefix("//")
        .or_else(|| h.strip_prefix("https://"))
        .or_else(|| h.strip_prefix("http://"))
    else {
        return false;
    };
    // `http:///host` is `http://host`: the host's end is not found that simply.
    let Some(at) = rest.find(['/', '\\', '?', '#']).filter(|&i| i > 0) else {
        return false;
    };
    let path = rest[at..].split(['?', '#']).next().unwrap_or("");
    path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'~' | b'.'))
        && path.split('/').any(|seg| !seg.is_empty())
        && !path.split('/').any(|seg| seg == "." || seg == "..")
}

/// A link to a home page: the root path, no query.
fn is_home_href(base: &Url, href: &str) -> bool {
    let h = href.trim();
    if h == "/" {
        return true;
    }
    if !(h.starts_with("http") || h.starts_with("//")) || has_plain_path(h) {
        return false;
    }
    base.join(h)
        .is_ok_and(|u| u.path() == "/" && u.query().is_none())
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

/// Extract the page's metadata (one walk over the DOM).
pub fn extract_meta(doc: &Html, base: &Url) -> Meta {
    let w = Walk::run(doc, base, &[]);
    let values: Vec<serde_json::Value> = w
        .jsonld
        .iter()
        .filter_map(|t| jsonld::parse_script(t))
        .collect();
    let page_urls: Vec<String> = [
        Some(base.to_string()),
        w.canonical.and_then(|c| resolve_http(base, c)),
        w.meta("og:url").and_then(|c| resolve_http(base, c)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let page_refs: Vec<&str> = page_urls.iter().map(String::as_str).collect();
    let ld = jsonld::read_for(&values, &page_refs);

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
    .chain(w.logo_texts.iter().cloned())
    .chain(
        w.h1s
            .iter()
            .filter(|(_, p)| w.home_h1s.contains(p))
            .map(|(t, _)| t.clone()),
    )
    .collect();

    let title = choose_title(&w, &ld, &site_names);
    // Position of the headline: visible article fields are looked for after it.
    let after = title
        .as_deref()
        .and_then(|t| {
            let nt = norm(t);
            w.h1s.iter().find(|(h, _)| norm(h).starts_with(&nt))
        })
        .or(w.h1s.iter().find(|(_, p)| !w.nav_h1s.contains(p)))
        .map_or(0, |(_, p)| *p);
    let w = w.run_for_headline(doc, base, after);

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

    let authors = choose_authors(&w, &ld, after, &site_names);
    let ChosenDates {
        published_at,
        modified_at,
        shown: date_shown,
    } = choose_dates(&w, &ld, base, after);

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
        jsonld_all_types: jsonld::all_types(&values),
        h1_count: w.h1s.len() - w.nav_h1s.len(),
        date_shown,
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

    #[test]
    fn plain_paths_are_not_home() {
        let base = Url::parse("https://x.example/news/a.html").unwrap();
        let parsed = |h: &str| {
            base.join(h.trim())
                .is_ok_and(|u| u.path() == "/" && u.query().is_none())
        };
        for h in [
            "https://x.example/",
            "https://x.example",
            "https://x.example/news/story-1.html",
            "https://x.example/a/..",
            "https://x.example/a/../",
            "https://x.example/./",
            "https://x.example/%2e/",
            "https://x.example/a/%2E%2E/",
            "http:///x.example/",
            "http:///x.example/a",
            "https://x.example\\a\\..",
            "https://x.example/a\\..",
            "https://x.example/a/\t..",
            "https://x.example/?q=1",
            "https://x.example/a?q=/",
            "https://x.example/#top",
            "https://x.example/a#/",
            "//x.example/",
            "//x.example/a.b/c",
            "///x.example/a",
            "https://user:pw@x.example/a",
            "https://x.example:8080/a",
            "https://x.example/.../",
            "https://x.example/a/.../..",
        ] {
            assert_eq!(is_home_href(&base, h), parsed(h), "{h:?}");
        }
        assert!(has_plain_path("https://x.example/news/story-1.html"));
        assert!(!has_plain_path("https://x.example/a/.."));
    }

    fn meta_of(html: &str, url: &str) -> Meta {
        let doc = Html::parse_document(html);
        extract_meta(&doc, &Url::parse(url).unwrap())
    }

    #[test]
    fn a_suffix_naming_any_label_of_the_host_is_a_site_name() {
        for (title, url, want) in [
            (
                "The Ultimate Car Maintenance Checklist | Bridgestone Tires",
                "https://tires.bridgestone.com/en-us/learn/checklist",
                "The Ultimate Car Maintenance Checklist",
            ),
            (
                "Top 5 HR Management Software in 2026 | DianaHR",
                "https://www.getdianahr.com/blog/best-hr",
                "Top 5 HR Management Software in 2026",
            ),
            (
                "GAME CHANGER | Newegg.com",
                "https://promotions.newegg.com/zotac/index.html",
                "GAME CHANGER",
            ),
        ] {
            let m = meta_of(&format!("<title>{title}</title>"), url);
            assert_eq!(m.title.as_deref(), Some(want), "{url}");
        }
        // A section after the pipe is no site name (the title then loses it as its shorter
        // part, see `metadata_title_keeps_its_longest_part_when_no_heading_confirms_it`).
        let t = "Homestead gardening makes rural communities more self-reliant | District";
        let names = ["bssnews.net".to_string(), "www.bssnews.net".to_string()];
        assert_eq!(strip_site_name(t, &names), t);
    }

    #[test]
    fn a_lone_heading_that_is_a_call_out_or_a_description_yields_to_the_metadata() {
        let m = meta_of(
            "<title>How Google Cloud runs AI inference at scale - SiliconANGLE</title>\
             <meta property='og:site_name' content='SiliconANGLE'>\
             <h1>A message from John Furrier, co-founder of SiliconANGLE:</h1>",
            "https://siliconangle.com/2025/12/19/google-cloud/",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("How Google Cloud runs AI inference at scale")
        );
        let description = "Learn which home renovations have the best ROI (return on investment)? \
            Get expert tips on how to understand and calculate home improvement ROI. We will help \
            you learn everything you need to know about your home renovation project.";
        let m = meta_of(
            &format!(
                "<meta property='og:title' content='The 10 Best Home Improvement ROI Projects of 2023'>\
                 <h1>{description}</h1>"
            ),
            "https://example.com/blog/roi",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("The 10 Best Home Improvement ROI Projects of 2023")
        );
        // A long post title beside a generic site title stays.
        let long = "FCC Chair to Europe: If You Restrict US Satellite Providers, We Will Ban You \
            Here: New barriers are emerging that constrain US businesses operating abroad, \
            Brendan Carr says in a statement";
        let m = meta_of(
            &format!("<title>The heart of the internet</title><h1>{long}</h1>"),
            "https://forum.example.com/r/news/comments/1",
        );
        assert_eq!(m.title.as_deref(), Some(long));
    }

    #[test]
    fn a_date_in_the_heading_and_a_host_before_the_title_are_not_the_title() {
        let m = meta_of(
            "<meta property='og:title' content='Preparing a transition in Debusine'>\
             <h1><a href='/blog/x.html'><time datetime='2025-12-18'>Dec 18 2025</time> Preparing a transition in Debusine</a></h1>",
            "https://example.org/blog/x.html",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("Preparing a transition in Debusine")
        );
        // A heading that merely starts like the title keeps its own words.
        let m = meta_of(
            "<meta property='og:title' content='Preparing a transition'>\
             <h1>Preparing a transition in Debusine</h1>",
            "https://example.org/blog/x.html",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("Preparing a transition in Debusine")
        );
        // A year alone is part of the headline.
        let m = meta_of(
            "<meta property='og:title' content='Software Price Guide and Rates'>\
             <h1>2025 Software Price Guide and Rates</h1>",
            "https://example.org/blog/x.html",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("2025 Software Price Guide and Rates")
        );
        let m = meta_of(
            "<title>davidbau.com Vibe Coding</title><h1><a href='https://davidbau.com/'>davidbau.com</a></h1>",
            "https://davidbau.com/archives/2025/12/16/vibe_coding.html",
        );
        assert_eq!(m.title.as_deref(), Some("Vibe Coding"));
    }

    #[test]
    fn a_suffix_spelling_the_domain_is_a_site_name() {
        let names = vec![
            "bridgestonetire".to_string(),
            "bridgestonetire.com".to_string(),
        ];
        assert_eq!(
            strip_site_name("The Ultimate Car Checklist | Bridgestone Tires", &names),
            "The Ultimate Car Checklist"
        );
        let names = vec!["johnsonsbaby".to_string()];
        assert_eq!(
            strip_site_name("How To Get Toddlers To Sleep | JOHNSON'S®", &names),
            "How To Get Toddlers To Sleep"
        );
        // Unrelated or long tails, and short names, stay.
        let names = vec!["news".to_string(), "example".to_string()];
        assert_eq!(
            strip_site_name("Markets fall | Newsroom analysis of the week", &names),
            "Markets fall | Newsroom analysis of the week"
        );
        assert_eq!(
            strip_site_name("Talks | Kremlin", &names),
            "Talks | Kremlin"
        );
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
    fn a_heading_with_characters_lost_to_question_marks_takes_the_metadata_spelling() {
        let m = meta_of(
            "<meta property='og:title' content=\"Basics Of Event Planning: Beginner's Guide\">\
             <h1>Basics Of Event Planning? Beginner? Guide</h1>",
            "https://example.com/a",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("Basics Of Event Planning: Beginner's Guide")
        );
        assert!(title::lost_characters_of(
            "Caf\u{FFFD} culture",
            "Café culture"
        ));
        // A real question keeps its heading: the metadata differs in words, not marks.
        assert!(!title::lost_characters_of(
            "Is the budget fair?",
            "Is the budget fairer"
        ));
        assert!(!title::lost_characters_of("Why now?", "Why now"));
        assert!(!title::lost_characters_of("A? B", "Ab B"));
        let m = meta_of(
            "<title>Is the budget fair? | Example Times</title><h1>Is the budget fair?</h1>",
            "https://example.com/a",
        );
        assert_eq!(m.title.as_deref(), Some("Is the budget fair?"));
    }

    #[test]
    fn metadata_title_keeps_its_longest_part_when_no_heading_confirms_it() {
        // A section before, a section after: the headline is the part with most words.
        let m = meta_of(
            "<title>The Agency | Machine learning at a large university</title><h1>Uni</h1>",
            "https://example.com/a",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("Machine learning at a large university")
        );
        let m = meta_of(
            "<title>Homestead gardening makes rural communities self-reliant | District</title>",
            "https://example.com/a",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("Homestead gardening makes rural communities self-reliant")
        );
        // Short parts on both sides keep the whole title.
        assert_eq!(
            longest_part("Talks underway — Kremlin"),
            "Talks underway — Kremlin"
        );
        // A tie keeps the first part.
        assert_eq!(
            longest_part("Industry choice for actuaries - Consulting or insurance work"),
            "Industry choice for actuaries"
        );
    }

    #[test]
    fn labelled_h1_and_h2_headlines_agree_with_metadata() {
        // "Blog:" before the headline the metadata confirms is a label, not the title.
        let m = meta_of(
            "<title>Best social media agencies in 2025 | Example</title>\
             <h1><strong>Blog:</strong> Best social media agencies in 2025</h1>",
            "https://example.com/a",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("Best social media agencies in 2025")
        );
        assert_eq!(without_label("Opinion"), None);
        assert_eq!(without_label("Three words here: two only"), None);
        // The headline marked up as an h2; the h1 is a section of the body.
        let m = meta_of(
            "<title>What do people love about it? | The Blog</title>\
             <h2>What do people love about it?</h2><p>Intro.</p>\
             <h1>But what they love is the sense of empowerment</h1>",
            "https://example.com/a",
        );
        assert_eq!(m.title.as_deref(), Some("What do people love about it?"));
        // A body h2 that only starts like the title ("… for 2026" of "… for 2026-2030") does not.
        let m = meta_of(
            "<title>Five blockchain trends for 2026-2030</title>\
             <h1>Top five blockchain trends to watch</h1><h2>Five blockchain trends for 2026</h2>",
            "https://example.com/a",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("Top five blockchain trends to watch")
        );
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
        assert_eq!(m.authors, ["Chris Cillizza"]);
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
    fn dates_of_others_tables_and_sentences_are_not_the_page_date() {
        let day = |m: &Meta| m.published_at.map(|d| d.date_naive().to_string());
        let meta = "<meta property='article:published_time' content='2023-05-30T18:24:00+00:00'>\
                    <title>Headline of the story</title>";
        // A related story's <time> or a comment's does not outvote the metadata.
        for other in ["entry-related", "comments-area"] {
            let m = meta_of(
                &format!(
                    "{meta}<h1>Headline of the story</h1><p>Body text.</p>\
                     <div class='{other}'><time class='entry-date published' \
                     datetime='2015-12-07T09:32:03-05:00'>December 7, 2015</time></div>"
                ),
                "https://example.com/a",
            );
            assert_eq!(day(&m).as_deref(), Some("2023-05-30"), "{other}");
        }
        // A table of dates under the headline, or a date inside a sentence's link.
        let m = meta_of(
            &format!(
                "{meta}<h1>Headline of the story</h1><table><tr><td>1/1/2013</td><td>+13%</td></tr>\
                 <tr><td>2/1/2013</td><td>+12%</td></tr><tr><td>3/1/2013</td><td>+11%</td></tr></table>"
            ),
            "https://example.com/a",
        );
        assert_eq!(day(&m).as_deref(), Some("2023-05-30"));
        let m = meta_of(
            &format!(
                "{meta}<h1>Headline of the story</h1><p>Japan is looking to switch to a tax refund \
                 model from <strong>1 November 2026</strong>, which will require tourists to act.</p>"
            ),
            "https://example.com/a",
        );
        assert_eq!(day(&m).as_deref(), Some("2023-05-30"));
        // A numeric date the site writes month first: the metadata settles the order.
        let m = meta_of(
            "<meta property='article:published_time' content='2024-09-10T16:07:00Z'>\
             <title>Headline of the story</title><h1>Headline of the story</h1><p>09.10.2024</p>",
            "https://example.com/a",
        );
        assert_eq!(day(&m).as_deref(), Some("2024-09-10"));
        // A shown update later on the publication day leaves the publication shown.
        let m = meta_of(
            "<script type='application/ld+json'>{\"@type\":\"NewsArticle\",\
             \"datePublished\":\"2019-11-19T09:01:42+05:30\"}</script>\
             <title>Headline of the story</title><h1>Headline of the story</h1>\
             <p>Tuesday, November 19, 2019 08:38 AM</p><p>Updated: 19 November 2019, 09:01 AM</p>",
            "https://example.com/a",
        );
        assert_eq!(
            m.published_at.map(|d| d.to_rfc3339()).as_deref(),
            Some("2019-11-19T09:01:42+05:30")
        );
        // With no other date anywhere, a labelled date line far below the headline.
        let filler =
            "<p>Body text of the page, long enough to be a paragraph of its own.</p>".repeat(80);
        let m = meta_of(
            &format!(
                "<title>Webcams</title><h1>Webcams</h1>{filler}\
                 <p style='text-align:right'>Last updated: November 13, 2025</p>"
            ),
            "https://example.com/a",
        );
        assert_eq!(m.published_at, None);
        assert_eq!(
            m.modified_at.map(|d| d.date_naive().to_string()).as_deref(),
            Some("2025-11-13")
        );
        // A UTC timestamp late on the next day is not the shown day seen from any zone.
        let m = meta_of(
            "<meta property='article:published_time' content='2025-12-19T22:02:58Z'>\
             <title>Headline of the story</title><h1>Headline of the story</h1>\
             <div>Dec 18, 2025</div><p>Body text.</p>",
            "https://example.com/a",
        );
        assert_eq!(day(&m).as_deref(), Some("2025-12-18"));
        // A timestamp shown as it is; a `published` meta in words.
        let m = meta_of(
            "<title>Headline of the story</title><h1>Headline of the story</h1>\
             <p><span class='Author_publicationTime'>2022-11-23T08:10+02:00 </span></p>",
            "https://example.com/a",
        );
        assert_eq!(
            m.published_at.map(|d| d.to_rfc3339()).as_deref(),
            Some("2022-11-23T08:10:00+02:00")
        );
        let m = meta_of(
            "<meta name='published' content='July 17, 2025'><title>Headline of the story</title>",
            "https://example.com/a",
        );
        assert_eq!(day(&m).as_deref(), Some("2025-07-17"));
        // A UTC timestamp one day after the shown date is shown in the site's zone.
        let m = meta_of(
            "<meta property='article:published_time' content='2025-12-19T02:41:41+00:00'>\
             <title>Headline of the story</title><h1>Headline of the story</h1>\
             <p class='post-date'>December 18, 2025</p><p>Body text.</p>\
             <ol class='comment-list'><li><time datetime='2025-12-18T21:46:01-05:00'>9:46 pm</time></li></ol>",
            "https://example.com/a",
        );
        assert_eq!(
            m.published_at.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-12-18T21:41:41-05:00")
        );
    }

    #[test]
    fn visible_dates_near_the_headline() {
        // A labelled date in a sibling element, no machine dates.
        let m = meta_of(
            "<h1>Headline of the story</h1><div><div>Last updated:</div><div>Dec 12, 2025</div></div>\
             <p>Published on: February 14, 2025</p><p>Body text.</p>",
            "https://example.com/a",
        );
        assert_eq!(
            m.modified_at.unwrap().to_rfc3339(),
            "2025-12-12T00:00:00+00:00"
        );
        assert_eq!(
            m.published_at.unwrap().to_rfc3339(),
            "2025-02-14T00:00:00+00:00"
        );
        // A sentence that mentions a date is not the page's date.
        let m = meta_of(
            "<h1>Headline of the story</h1><p>Sites plan to remain open after April 15, 2025, the agency said in a note.</p>",
            "https://example.com/a",
        );
        assert!(m.published_at.is_none());
        // The shown date beats a machine date for another day; a machine value
        // for the shown day keeps its time.
        let ld = "<script type='application/ld+json'>{\"@type\":\"Article\",\
                  \"datePublished\":\"2025-06-24T10:00:00+02:00\",\"dateModified\":\"2025-07-01T09:00:00+02:00\"}</script>";
        let m = meta_of(
            &format!(
                "{ld}<h1>Headline of the story</h1><div class='text__meta'>August 25, 2024</div>"
            ),
            "https://example.com/a",
        );
        assert_eq!(
            m.published_at.unwrap().to_rfc3339(),
            "2024-08-25T00:00:00+02:00"
        );
        let m = meta_of(
            &format!("{ld}<h1>Headline of the story</h1><span>June 24, 2025</span>"),
            "https://example.com/a",
        );
        assert_eq!(
            m.published_at.unwrap().to_rfc3339(),
            "2025-06-24T10:00:00+02:00"
        );
        // A shown date that is the modification day is the update the page shows.
        let m = meta_of(
            &format!(
                "{ld}<h1>Headline of the story</h1><time datetime='2025-07-01'>July 1, 2025</time>"
            ),
            "https://example.com/a",
        );
        assert_eq!(
            m.published_at.unwrap().to_rfc3339(),
            "2025-06-24T10:00:00+02:00"
        );
        assert_eq!(
            m.modified_at.unwrap().to_rfc3339(),
            "2025-07-01T09:00:00+02:00"
        );
    }

    #[test]
    fn title_is_the_visible_headline_the_sources_agree_on() {
        // An SEO title reworded from the headline: the h1 still wins.
        let m = meta_of(
            "<meta property='og:title' content='Health And Nutrition Trends For 2026'>\
             <h1>Top 10 Health and Nutrition Trends to Watch</h1>",
            "https://example.com/a",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("Top 10 Health and Nutrition Trends to Watch")
        );
        // The logo h1 (a home link) is not the headline; its text is a site name.
        let m = meta_of(
            "<title>Gardening in a Warming World | Cornell Garden Learning</title>\
             <h1><a href='/'>Cornell Garden Learning</a></h1><p>Intro</p>",
            "https://example.com/a",
        );
        assert_eq!(m.title.as_deref(), Some("Gardening in a Warming World"));
        // An unrelated h1 (a section label) loses to the metadata title.
        let m = meta_of(
            "<title>Actuary's Industry Choice in Practice</title><h1>Our BLOG</h1>",
            "https://example.com/a",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("Actuary's Industry Choice in Practice")
        );
        // A headline in a container named like navigation counts when it agrees.
        let m = meta_of(
            "<title>Top Dental Resolutions for 2025 | Broken Arrow, OK</title>\
             <div class='blog-banner'><h1>Top Dental Resolutions for 2025</h1></div>",
            "https://example.com/a",
        );
        assert_eq!(m.title.as_deref(), Some("Top Dental Resolutions for 2025"));
        // Inline elements inside the h1 run together; a " | tagline" goes.
        let m = meta_of(
            "<h1>Planning C<span>ycle</span> Cut in Half | Opinion</h1>",
            "https://example.com/a",
        );
        assert_eq!(m.title.as_deref(), Some("Planning Cycle Cut in Half"));
    }

    #[test]
    fn layout_classes_do_not_hide_the_article_header() {
        let day = |m: &Meta| m.published_at.map(|d| d.date_naive().to_string());
        // A `<body>` class that names the layout ("profile-right-sidebar") makes nothing
        // navigation: the rel=author link and the date in the article count.
        let m = meta_of(
            "<body class='single profile-right-sidebar'><h1>Headline of the story</h1>\
             <p class='post-date'>Posted on 18 December 2025, posted by \
             <a href='/about/' rel='author'>John Scalzi</a></p><p>Text of the story.</p></body>",
            "https://example.com/2025/12/18/story/",
        );
        assert_eq!(m.authors, ["John Scalzi"]);
        assert_eq!(day(&m).as_deref(), Some("2025-12-18"));
        // The headline inside a "banner" (an article's hero header): the byline and date
        // beside it count; a real sidebar's do not.
        let page = |banner: &str| {
            meta_of(
                &format!(
                    "<title>Top 7 Keyboards for Beginners | Shop</title>\
                     <div class='{banner}'><h1>Top 7 Keyboards for Beginners</h1>\
                     <div class='article__meta'><p><time>Apr 17, 2025</time></p><p>By Jerry Chu</p></div></div>\
                     <div class='sidebar'><p>By Other Writer</p><p>May 2, 2024</p></div><p>Text.</p>"
                ),
                "https://example.com/blogs/keyboards",
            )
        };
        let m = page("article-banner__content");
        assert_eq!(m.authors, ["Jerry Chu"]);
        assert_eq!(day(&m).as_deref(), Some("2025-04-17"));
        // An article's own <aside> holds its details; the page's aside does not.
        let m = meta_of(
            "<title>Headline of the story</title><aside><p>By Side Writer</p></aside><article>\
             <h1>Headline of the story</h1><aside><time datetime='2021-06-06'>June 6, 2021</time>\
             <h3>Author</h3><p>Lisa D. Ellis</p></aside><p>Text of the story.</p></article>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Lisa D. Ellis"]);
        assert_eq!(day(&m).as_deref(), Some("2021-06-06"));
        let m = page("article-header");
        assert_eq!(m.authors, ["Jerry Chu"]);
    }

    #[test]
    fn bylines_after_a_date_and_never_a_bio_a_weekday_or_a_commenter() {
        let page = |inner: &str| {
            meta_of(
                &format!("<title>Headline of the story</title><h1>Headline of the story</h1>{inner}<p>Text.</p>"),
                "https://example.com/blog/story",
            )
            .authors
        };
        // A meta line that opens with the date.
        assert_eq!(
            page("<div class='dateAndAuthorContainer'><span>Dec 17, 2025</span><span>Julian K. Arni</span></div>"),
            ["Julian K. Arni"]
        );
        // A date alone in a byline-named element, time zone and all, names nobody.
        assert!(page("<div class='author'>Sat, 20 Dec, 2025 - 06:36</div>").is_empty());
        assert!(page("<div class='author-name'>20 Nov 2019 08:00 GMT</div>").is_empty());
        // The author's description is not the author.
        assert!(page(
            "<div class='dynamic-author-description'>Licensed Q Arabica Grader, M.A. Journalism</div>"
        )
        .is_empty());
        // A commenter is not the author.
        assert!(page(
            "<ol class='comment-list'><li><div class='comment-author'>Emma Stone</div><p>Nice.</p></li></ol>"
        )
        .is_empty());
        // An author box after the article: the name, not the bio.
        assert_eq!(
            page("<div class='blog-author'><img src='a.jpg'><div><h4>Bence Kovács</h4>\
                  <p>Bence is a software developer specializing in audio and game development. He has \
                  contributed to a wide array of projects, from audio plugins to games and VR.</p></div></div>"),
            ["Bence Kovács"]
        );
        // The site signing as itself in the metadata, a person in the byline beside the
        // headline: the person. Without such a byline the site stays.
        let site = "<meta property='og:site_name' content='USA TODAY'>\
                    <meta name='author' content='USA TODAY'>";
        assert_eq!(
            page(&format!(
                "{site}<div class='article-author'>Brian Truitt</div>"
            )),
            ["Brian Truitt"]
        );
        assert_eq!(page(site), ["USA TODAY"]);
        // A name that starts with a month is a name; a reviewer credited beside the byline
        // is not the author.
        assert_eq!(
            page("<a rel='author' href='/people/april-fulton'>April Fulton</a>"),
            ["April Fulton"]
        );
        assert_eq!(
            page("<div class='byline'>By Shelby Loos, DVM . Reviewed by Molly Price, DVM</div>"),
            ["Shelby Loos, DVM"]
        );
        // Microdata's author as signed.
        assert_eq!(
            page(
                "<div itemscope itemtype='https://schema.org/BlogPosting'>\
                  <meta itemprop='author' content='annette thurmon'></div>"
            ),
            ["annette thurmon"]
        );
        // A label in its own element ("Contributors:") and the name after it.
        assert_eq!(
            page("<div><strong>Contributors:</strong> Janet Loughrey</div>"),
            ["Janet Loughrey"]
        );
        // The first byline after the headline may be a handle (a thread's opening post).
        assert_eq!(
            page(
                "<div class='post'><a class='author'>pelex</a> ,</div>\
                  <div class='post'><a class='author'>CDB</a></div>"
            ),
            ["pelex"]
        );
        assert_eq!(
            people::after_leading_date("Mar 3, 2024 · By Ann Lee"),
            "By Ann Lee"
        );
        assert_eq!(people::after_leading_date("Ann Lee"), "Ann Lee");
        assert_eq!(
            people::after_leading_date("May Day Parade"),
            "May Day Parade"
        );
    }

    #[test]
    fn visible_bylines_give_clean_names() {
        // A label in its own element and the name after it.
        let m = meta_of(
            "<h1>Headline of the story</h1><div><p>Written by</p><p>Edzel Tabing</p></div>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Edzel Tabing"]);
        // "By" and a link.
        let m = meta_of(
            "<h1>Headline of the story</h1><span>By <a href='/p/s'>Sofia Gonzalez</a></span>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Sofia Gonzalez"]);
        // "By" that continues a sentence is no byline; a team signs with "the".
        let m = meta_of(
            "<h1>Headline of the story</h1><p>By the <strong>15th century</strong>, coffee spread.</p>\
             <p>Subscribe by clicking <a href='/s'>here</a>.</p>",
            "https://example.com/a",
        );
        assert!(m.authors.is_empty(), "{:?}", m.authors);
        let m = meta_of(
            "<h1>Headline of the story</h1><span class='article-author'>By the Lavazza Team</span>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["the Lavazza Team"]);
        // An author box: the innermost element that is a name.
        let m = meta_of(
            "<h1>Headline of the story</h1><div class='post-author-info'>Insights from\
             <div class='post-author-name'>Liza Burke</div><div class='post-author-position'>Marketing Director</div>\
             <div>May 14, 2025</div></div>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Liza Burke"]);
        // A link to an author page near the headline.
        let m = meta_of(
            "<h1>Headline of the story</h1><div><span><a href='/authors/trevor-jackins'>Trevor Jackins</a></span></div>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Trevor Jackins"]);
        assert!(!is_author_href("/authors/"));
        // An author column in a sidebar beside the headline.
        let m = meta_of(
            "<h1>Headline of the story</h1><div class='sidebar'><div class='author-name'>Liz Kenny</div></div><p>Text</p>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Liz Kenny"]);
        // A heading label "Article by" and the name after it; an aside in parentheses.
        let m = meta_of(
            "<h1>Headline of the story</h1><h2>Article by</h2><div>Matias Heikkilä</div>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Matias Heikkilä"]);
        let m = meta_of(
            "<meta name='author' content='Jean-Luc Aufranc (CNXSoft)'>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Jean-Luc Aufranc (CNXSoft)"]);
        assert!(!plausible_name("f(x)") && !plausible_name("Ann (2019)"));
        // Template keys, logins, label leftovers and month names are not names.
        for junk in [
            "page.head.extra.author",
            "andrew.keaveney",
            "content:",
            "Nov",
            "September",
        ] {
            assert!(!plausible_name(junk), "{junk}");
        }
        for name in [
            "J. R. R. Tolkien",
            "Jun Li",
            "Genevieve Carlton, Ph.D.",
            "ibby",
        ] {
            assert!(plausible_name(name), "{name}");
        }
        // A one-word handle after an explicit "by".
        let m = meta_of(
            "<h1>Headline of the story</h1><p>by   ibby</p>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["ibby"]);
        // The twitter "Written by" label.
        let m = meta_of(
            "<meta name='twitter:label1' content='Written by'><meta name='twitter:data1' content='Albert Swann'>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Albert Swann"]);
    }

    #[test]
    fn bylines_drop_outlets_and_job_titles_keep_credentials() {
        let m = meta_of(
            "<meta property='og:site_name' content='USA TODAY'><meta name='author' content='Kevin McCoy USA TODAY'>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Kevin McCoy"]);
        let m = meta_of(
            "<meta name='author' content='Benjamin Johnson, Sr. Director of Operations'>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Benjamin Johnson"]);
        let m = meta_of(
            "<meta name='author' content='Genevieve Carlton, Ph.D.'>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Genevieve Carlton, Ph.D."]);
        let m = meta_of(
            "<meta name='author' content='By Ann Lee and Bob Stone'>",
            "https://example.com/a",
        );
        assert_eq!(m.authors, ["Ann Lee", "Bob Stone"]);
    }

    #[test]
    fn camel_case_class_names_name_roles() {
        assert_eq!(
            classify_name("authorDateBlock_authorName__N6j3Y").role,
            Some(Role::Byline)
        );
        assert_eq!(classify_name("postDate").role, Some(Role::Date));
        assert_eq!(classify_name("Authorization").role, None);
    }

    #[test]
    fn utility_classes_do_not_name_navigation() {
        let m = meta_of(
            "<main class='offset-nav'><div class='md:[grid-area:sidebar]'>\
             <h1>Headline of the story</h1><p>Aug 04, 2025</p></div></main>",
            "https://example.com/a",
        );
        assert_eq!(m.title.as_deref(), Some("Headline of the story"));
        assert_eq!(
            m.published_at.unwrap().to_rfc3339(),
            "2025-08-04T00:00:00+00:00"
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
