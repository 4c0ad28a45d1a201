//! Main-content extraction: which part of a parsed page is the article body.
//!
//! The method (readability / boilerpipe lineage, no per-site rules):
//!
//! 1. **Flatten** the DOM into a pre-order arena (one iterative walk, so 100 000
//!    nested elements cannot overflow the stack). Subtrees that never hold body text
//!    (`script`, `style`, `nav`, `svg`, `iframe`, hidden elements, …) are not entered
//!    (collapsed accordion panels — `role="region"` with `aria-labelledby`,
//!    `hidden="until-found"` — are content, not hidden);
//!    React streaming chunks (`<div hidden id="S:n">`) are walked where their
//!    `<template id="B:n">` (boundary) or `<template id="P:n">` (segment) placeholder stands.
//! 2. **Boilerplate pruning**: `header`/`footer`/`aside`/`form` and elements whose
//!    class/id/role carry a boilerplate hint (comment, share, related, promo, ad, menu,
//!    cookie, newsletter, caption, byline, …; matched as whole tokens, long hints also
//!    inside camelCase/compound names; `hidden-mobile`, `overflow-hidden`,
//!    `field--label-hidden` do not hide the element) are pruned — unless the element
//!    holds at least half of the page's prose (a page wrapper such as
//!    `<body class="has-sidebar">`), or hinted blocks of its class together do (a list
//!    article of "excerpt" boxes).
//! 3. **Scoring**: every block with ≥ 25 characters of its own text (a `<p>`, a `<div>`
//!    of `<br>`-separated text, a text run beside block children) scores
//!    `1 + commas + min(chars/100, 3)` and passes it to up to five ancestors (with
//!    decreasing weight). Candidates start from a tag prior and a class/id weight;
//!    the final score is multiplied by `1 - link density`.
//! 4. **Selection**: the best candidate, widened to a common ancestor when several
//!    strong candidates share one (teaser cards — a linked headline over a small
//!    excerpt — do not count), plus sibling blocks that score high, read like
//!    prose (paragraph clustering) or are prose blocks of the same kind (same tag and
//!    classes: page builders split one article into many blocks), with the
//!    sub-heading before them. Blocks of the best one's kind in separate wrappers
//!    (chapters) that together hold 1.5× its prose and ¾ of their common ancestor's
//!    make that ancestor the selection.
//! 5. **Emission**: one walk over the chosen subtrees emits paragraphs, headings,
//!    list items, quotes, preformatted blocks and table rows (one block a row, cells
//!    joined by " | "; tables in `<figure>` too), dropping in-body boilerplate:
//!    link-dense or image-only boxes (conditional cleaning), "Read also"-style boxes
//!    (their links go to `related`), template placeholders (`{{…}}`), photo credits
//!    ("Photo: X/Reuters", "© Name/Agency"), zero-width spacer paragraphs, the
//!    headline, and second copies of a passage (a run of repeated blocks with two
//!    different long paragraphs: responsive variants rendered side by side,
//!    infinite-scroll repeats).

use std::collections::HashSet;

use ego_tree::NodeRef;
use scraper::{Html, Node};
use trawl_core::{Block, BlockKind, RelatedLink};
use url::Url;

/// `TRAWL_CONTENT_DEBUG=1` prints the pruning and candidate decisions to stderr
/// (a development aid for improving the method).
static DEBUG: once_cell::sync::Lazy<bool> =
    once_cell::sync::Lazy::new(|| std::env::var_os("TRAWL_CONTENT_DEBUG").is_some());

/// The result of main-content extraction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Content {
    /// Body blocks in reading order (the headline excluded).
    pub blocks: Vec<Block>,
    /// "Read also"-style links found in or beside the body.
    pub related: Vec<RelatedLink>,
    /// True when the page reads like one article (enough coherent prose in one
    /// cluster), false for listings, home, search and error pages.
    pub looks_like_article: bool,
}

/// Extract the main content of a parsed page. `title` is the detected headline, kept
/// out of the body. Never panics; an empty or odd page gives an empty `Content`.
pub fn extract_content(doc: &Html, base: &Url, title: Option<&str>) -> Content {
    let arena = Arena::build(doc);
    if arena.nodes.is_empty() {
        return Content::default();
    }
    let mut ex = Extractor::new(&arena, base, title);
    ex.run()
}

// ---------------------------------------------------------------------------
// Tags

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Text,
    /// Generic block container (div, section, …, unknown elements).
    Div,
    Section,
    Article,
    Main,
    Body,
    P,
    H(u8),
    Li,
    Dt,
    Dd,
    Ul,
    Ol,
    Dl,
    Blockquote,
    Pre,
    Table,
    /// `tbody`/`thead`/`tfoot`: judged with their table, never alone.
    TBody,
    Tr,
    Td,
    Th,
    Figure,
    Figcaption,
    Header,
    Footer,
    Aside,
    Form,
    Address,
    A,
    Br,
    Hr,
    Img,
    Input,
    Embed,
    /// Transparent inline element (span, b, em, …).
    Inline,
}

impl Tag {
    fn is_inline(self) -> bool {
        matches!(
            self,
            Tag::Text | Tag::A | Tag::Inline | Tag::Br | Tag::Img | Tag::Input | Tag::Embed
        )
    }
    fn is_block(self) -> bool {
        !self.is_inline()
    }
}

/// How an element is treated when the arena is built.
enum Class {
    /// Not entered at all.
    Skip,
    Keep(Tag),
}

fn classify(name: &str) -> Class {
    use Class::{Keep, Skip};
    let t = match name {
        "script" | "style" | "noscript" | "template" | "svg" | "math" | "iframe" | "button"
        | "select" | "option" | "textarea" | "canvas" | "head" | "title" | "meta" | "link"
        | "nav" | "audio" | "map" | "dialog" | "menu" | "frameset" | "frame" | "object"
        | "source" | "track" | "picture" | "datalist" | "optgroup" | "param" => return Skip,
        "div" | "center" | "details" | "summary" | "fieldset" | "legend" | "hgroup" | "caption"
        | "html" | "font-block" => Tag::Div,
        "tbody" | "thead" | "tfoot" => Tag::TBody,
        "section" => Tag::Section,
        "article" => Tag::Article,
        "main" => Tag::Main,
        "body" => Tag::Body,
        "p" => Tag::P,
        "h1" => Tag::H(1),
        "h2" => Tag::H(2),
        "h3" => Tag::H(3),
        "h4" => Tag::H(4),
        "h5" => Tag::H(5),
        "h6" => Tag::H(6),
        "li" => Tag::Li,
        "dt" => Tag::Dt,
        "dd" => Tag::Dd,
        "ul" => Tag::Ul,
        "ol" => Tag::Ol,
        "dl" => Tag::Dl,
        "blockquote" => Tag::Blockquote,
        "pre" => Tag::Pre,
        "table" => Tag::Table,
        "tr" => Tag::Tr,
        "td" => Tag::Td,
        "th" => Tag::Th,
        "figure" => Tag::Figure,
        "figcaption" => Tag::Figcaption,
        "header" => Tag::Header,
        "footer" => Tag::Footer,
        "aside" => Tag::Aside,
        "form" => Tag::Form,
        "address" => Tag::Address,
        "a" => Tag::A,
        "br" => Tag::Br,
        "hr" => Tag::Hr,
        "img" => Tag::Img,
        "input" => Tag::Input,
        "embed" | "video" => Tag::Embed,
        "span" | "b" | "i" | "em" | "strong" | "u" | "s" | "small" | "big" | "sub" | "sup"
        | "abbr" | "acronym" | "cite" | "code" | "q" | "time" | "mark" | "label" | "font"
        | "tt" | "kbd" | "samp" | "var" | "dfn" | "bdi" | "bdo" | "data" | "wbr" | "nobr"
        | "ins" | "del" | "strike" | "ruby" | "rt" | "rp" => Tag::Inline,
        // custom elements (`<hl-trusted-source>`, `<x-ref>`) mostly wrap inline
        // content; their block children are still blocks
        n if n.contains('-') => Tag::Inline,
        _ => Tag::Div,
    };
    Keep(t)
}

// ---------------------------------------------------------------------------
// Class/id hints

/// Long hints, matched anywhere in the lower-cased class/id (catches `relatedArticles`,
/// `sharebar`, `commentlist`).
const NEG_SUBSTR: &[&str] = &[
    "comment",
    "disqus",
    "related",
    "recommend",
    "sidebar",
    "share",
    "sharing",
    "social",
    "newsletter",
    "subscri",
    "cookie",
    "consent",
    "gdpr",
    "breadcrumb",
    "promo",
    "sponsor",
    "advert",
    "outbrain",
    "taboola",
    "popup",
    "trending",
    "mostread",
    "most-read",
    "most_read",
    "popular",
    "signup",
    "banner",
    // not bare "widget": page builders (Elementor, HubSpot, Next.js component
    // libraries) wrap every block of the article in `…-widget-…` containers
    "widget-area",
    "widgetarea",
    "widget_area",
    "masthead",
    "toolbar",
    "pagination",
    "byline",
    "dateline",
    "timestamp",
    "caption",
    "copyright",
    "skiplink",
    "readmore",
    "read-more",
    "readalso",
    "read-also",
    "see-also",
    "seealso",
    "newsfeed",
    "news-feed",
    "teaser",
    "footnote",
    "tooltip",
    "popover",
    "hovercard",
    "rollover",
];

/// Short hints, matched as whole tokens of the class/id (so `shadow`, `navigable`,
/// `header-ad-free` do not match `ad`/`nav` unless they are a token).
const NEG_TOKENS: &[&str] = &[
    "dek",
    "lede",
    "ad",
    "ads",
    "adv",
    "adsense",
    "advertising",
    "nav",
    "navbar",
    "navigation",
    "menu",
    "tags",
    "tag",
    "tools",
    "tool",
    "modal",
    "overlay",
    "credit",
    "credits",
    "author",
    "authors",
    "meta",
    "date",
    "print",
    "rss",
    "login",
    "search",
    "foot",
    "footer",
    "pager",
    "combx",
    "shoutbox",
    "skyscraper",
    "supplemental",
    "cta",
    "more",
    "extra",
    "topics",
    "keywords",
    "sr",
    "visually",
    "offscreen",
];

/// Screen sizes/media in responsive visibility classes (`hidden-xs`, `hide-on-mobile`).
const RESPONSIVE_TOKENS: &[&str] = &[
    "mobile",
    "tablet",
    "desktop",
    "laptop",
    "phone",
    "xs",
    "sm",
    "md",
    "lg",
    "xl",
    "xxl",
    "print",
    "widescreen",
    "small",
    "medium",
    "large",
    "portrait",
    "landscape",
];

/// Tokens that may stand beside `hidden`/`hide` in a class that hides the element
/// itself (`is-hidden`, `u-hidden`, `js-hide`, `d-none`-style `display-hidden`).
const HIDE_PREFIXES: &[&str] = &[
    "is",
    "u",
    "js",
    "el",
    "display",
    "all",
    "state",
    "invisible",
    "element",
    "block",
    "content",
];

/// Parts of an element that a `…-hidden` class may hide instead of the element:
/// `overflow-hidden` clips, Drupal's `field--label-hidden` hides the field's label.
const PART_TOKENS: &[&str] = &["overflow", "label", "title", "heading", "icon"];

const POS_TOKENS: &[&str] = &[
    "article",
    "articlebody",
    "content",
    "body",
    "main",
    "story",
    "entry",
    "post",
    "text",
    "blog",
    "hentry",
    "prose",
];

const POS_SUBSTR: &[&str] = &[
    "articlebody",
    "article-body",
    "article_body",
    "storybody",
    "story-body",
    "post-body",
    "entry-content",
    "post-content",
    "article-content",
    "articletext",
    "article-text",
];

#[derive(Default, Clone, Copy)]
struct Hints {
    neg: bool,
    pos: bool,
    strong_pos: bool,
    /// Readability-style class weight (±25 per attribute).
    weight: i32,
    related: bool,
    /// a negative hint that positive tokens do not veto (standfirst, deck)
    force: bool,
    /// class/id names an embed (`twitter-tweet`, `social-embed`, `instagram-media`).
    embed: bool,
}

const CAT_NEG: u8 = 1;
const CAT_POS: u8 = 2;
const CAT_RELATED: u8 = 4;
const CAT_EMBED: u8 = 8;
const CAT_FORCE: u8 = 16;

/// One automaton for every substring hint, built once: each class/id value is
/// scanned a single time, case-insensitively, without allocating.
static HINT_AC: once_cell::sync::Lazy<Option<(aho_corasick::AhoCorasick, Vec<u8>)>> =
    once_cell::sync::Lazy::new(|| {
        let mut pats: Vec<&str> = Vec::new();
        let mut cats: Vec<u8> = Vec::new();
        let mut add = |list: &[&'static str], cat: u8| {
            for p in list {
                pats.push(p);
                cats.push(cat);
            }
        };
        add(NEG_SUBSTR, CAT_NEG);
        add(POS_SUBSTR, CAT_POS);
        add(
            &[
                "related",
                "readalso",
                "read-also",
                "see-also",
                "seealso",
                "readmore",
                "read-more",
            ],
            CAT_RELATED,
        );
        add(&["embed", "tweet", "instagram-media"], CAT_EMBED);
        // standfirsts / decks: page furniture around the body even inside an
        // "article-…" wrapper
        add(
            &[
                "standfirst",
                "abstract",
                "lead-text",
                "leadtext",
                "subtitle",
                "subheadline",
                "sub-headline",
                "excerpt",
            ],
            CAT_NEG | CAT_FORCE,
        );
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&pats)
            .ok()
            .map(|ac| (ac, cats))
    });

fn attr_hints(value: &str, h: &mut Hints) {
    let mut cats = 0u8;
    if let Some((ac, pat_cats)) = HINT_AC.as_ref() {
        for m in ac.find_overlapping_iter(value) {
            cats |= pat_cats[m.pattern().as_usize()];
        }
    }
    let mut neg = cats & CAT_NEG != 0;
    let mut pos = cats & CAT_POS != 0;
    if pos {
        h.strong_pos = true;
    }
    if !(neg && pos) {
        // Tailwind-style `hidden md:block`: hidden on small screens only
        let responsive_variant = value.contains(':');
        for name in value.split_ascii_whitespace() {
            let mut hide = false;
            let mut device = false;
            let mut name_neg = false;
            // a token other than a state prefix: `hide-bottom-border`,
            // `overflow-hidden`, `hidden-xs` hide a part or at a size
            let mut other = false;
            for tok in name.split(|c: char| !c.is_ascii_alphanumeric()) {
                if tok.is_empty() || tok.len() > 12 {
                    continue;
                }
                if tok.eq_ignore_ascii_case("hidden") || tok.eq_ignore_ascii_case("hide") {
                    hide = true;
                    continue;
                }
                if !HIDE_PREFIXES.iter().any(|t| t.eq_ignore_ascii_case(tok)) {
                    other = true;
                }
                if RESPONSIVE_TOKENS
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(tok))
                    || PART_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(tok))
                {
                    device = true;
                }
                if !name_neg && NEG_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(tok)) {
                    name_neg = true;
                }
                if !pos && POS_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(tok)) {
                    pos = true;
                }
            }
            // `hidden` alone hides; `hidden-mobile`, `elementor-hidden-tablet`,
            // `hide-on-desktop`, `hidden-xs`, `hidden-print` only hide at some
            // screen sizes or media, and `overflow-hidden` clips, it does not hide
            if hide {
                name_neg = !device && !responsive_variant && !other;
            }
            neg |= name_neg;
        }
    }
    if cats & CAT_RELATED != 0 {
        h.related = true;
    }
    if cats & CAT_EMBED != 0 {
        h.embed = true;
    }
    if cats & CAT_FORCE != 0 {
        h.force = true;
    }
    if neg {
        h.weight -= 25;
        h.neg = true;
    }
    if pos {
        h.weight += 25;
        h.pos = true;
    }
}

fn element_hints(el: &scraper::node::Element) -> Hints {
    let mut h = Hints::default();
    if let Some(c) = el.attr("class") {
        attr_hints(c, &mut h);
    }
    if let Some(i) = el.attr("id") {
        attr_hints(i, &mut h);
    }
    if let Some(role) = el.attr("role") {
        if matches!(
            role,
            "navigation"
                | "banner"
                | "contentinfo"
                | "complementary"
                | "dialog"
                | "alert"
                | "search"
                | "menu"
                | "menubar"
        ) {
            h.neg = true;
            h.weight -= 25;
        }
    }
    if let Some(ip) = el.attr("itemprop") {
        if ip.contains("articleBody") || ip.contains("articlebody") {
            h.pos = true;
            h.strong_pos = true;
            h.weight += 50;
        }
    }
    h
}

fn is_hidden(el: &scraper::node::Element) -> bool {
    // React streaming SSR sends late chunks as `<div hidden id="S:0">` and moves
    // them into place with a script: their content is the page as readers see it
    // a collapsed accordion/disclosure panel (WAI-ARIA pattern: a region labelled by
    // its toggle; `hidden="until-found"`) is content a reader opens with one click
    if (el.attr("role") == Some("region") && el.attr("aria-labelledby").is_some())
        || el.attr("hidden") == Some("until-found")
    {
        return false;
    }
    if el.attr("hidden").is_some() && !el.attr("id").is_some_and(|id| id.starts_with("S:")) {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let s = style.as_bytes();
        // cheap, allocation-free check for display:none / visibility:hidden
        let mut compact = [0u8; 64];
        let mut n = 0;
        for &b in s.iter() {
            if b.is_ascii_whitespace() {
                continue;
            }
            if n == compact.len() {
                // long style attribute: shift window
                compact.copy_within(32.., 0);
                n = 32;
            }
            compact[n] = b.to_ascii_lowercase();
            n += 1;
            let w = &compact[..n];
            if w.ends_with(b"display:none") || w.ends_with(b"visibility:hidden") {
                return true;
            }
        }
    }
    false
}

// ---------------------------------------------------------------------------
// Arena

struct ANode<'a> {
    node: NodeRef<'a, Node>,
    parent: u32,
    /// One past the last descendant (pre-order).
    end: u32,
    tag: Tag,
    hints: Hints,
    /// Text nodes: non-whitespace chars. Elements: 0.
    chars: u32,
    commas: u16,
    in_link: bool,
    in_pre: bool,
}

struct Arena<'a> {
    nodes: Vec<ANode<'a>>,
}

const NONE: u32 = u32::MAX;

/// A candidate scoring at least this share of the best one, outside it, is a
/// second chunk of the same article.
const WIDEN_RATIO: f32 = 0.5;

impl<'a> Arena<'a> {
    fn build(doc: &'a Html) -> Arena<'a> {
        let root = doc.tree.root();
        // start at <body> when there is one, else at the root
        let mut start = root;
        for child in root.children() {
            if let Node::Element(e) = child.value() {
                if e.name() == "html" {
                    start = child;
                    for c in child.children() {
                        if let Node::Element(e2) = c.value() {
                            if e2.name() == "body" {
                                start = c;
                            }
                        }
                    }
                }
            }
        }
        // React streaming SSR: late chunks arrive as `<div hidden id="S:n">` children
        // of <body>, each replacing a `<template id="B:n">` placeholder in the page
        let mut chunks: Vec<(&'a str, NodeRef<'a, Node>)> = Vec::new();
        for c in start.children() {
            if let Node::Element(e) = c.value() {
                if e.name() == "div" && e.attr("hidden").is_some() {
                    if let Some(n) = e.attr("id").and_then(|id| id.strip_prefix("S:")) {
                        chunks.push((n, c));
                    }
                }
            }
        }
        let mut b = Builder {
            // the DOM's node count bounds the arena: one exact allocation, no growth slack
            nodes: Vec::with_capacity(doc.tree.values().len()),
            chunks,
            inlined: Vec::new(),
        };
        b.walk(start, NONE, 0, 0, 0);
        Arena { nodes: b.nodes }
    }
}

/// Flattens a DOM subtree into the arena (see [`Arena::build`]).
struct Builder<'a> {
    nodes: Vec<ANode<'a>>,
    /// Streamed chunks (`S:n` number, the hidden div).
    chunks: Vec<(&'a str, NodeRef<'a, Node>)>,
    /// Chunks already moved to their placeholder.
    inlined: Vec<ego_tree::NodeId>,
}

/// Streamed chunks nest (a chunk holds placeholders of later ones); this bounds it.
const MAX_CHUNK_DEPTH: u32 = 8;

impl<'a> Builder<'a> {
    /// Walk `start`'s subtree (iteratively), attaching top-level nodes to `parent`.
    fn walk(
        &mut self,
        start: NodeRef<'a, Node>,
        parent0: u32,
        link0: u32,
        pre0: u32,
        chunk_depth: u32,
    ) {
        // explicit stack of (arena index) of open elements
        let mut open: Vec<u32> = Vec::with_capacity(64);
        let mut link_depth = link0;
        let mut pre_depth = pre0;
        // iterative pre-order walk over ego_tree with subtree skipping
        let mut cur = Some(start);
        let mut entered_children;
        while let Some(n) = cur {
            entered_children = false;
            let parent = open.last().copied().unwrap_or(parent0);
            match n.value() {
                Node::Text(t) => {
                    let (chars, commas) = text_stats(&t.text);
                    if chars > 0 || t.text.contains(|c: char| c.is_whitespace()) {
                        self.nodes.push(ANode {
                            node: n,
                            parent,
                            end: self.nodes.len() as u32 + 1,
                            tag: Tag::Text,
                            hints: Hints::default(),
                            chars,
                            commas,
                            in_link: link_depth > 0,
                            in_pre: pre_depth > 0,
                        });
                    }
                }
                Node::Element(e) if e.name() == "template" && chunk_depth < MAX_CHUNK_DEPTH => {
                    // a streaming placeholder: the chunk's content goes here
                    let chunk = e
                        .attr("id")
                        .and_then(|id| id.strip_prefix("B:").or_else(|| id.strip_prefix("P:")))
                        .and_then(|k| self.chunks.iter().find(|(n, _)| *n == k).map(|(_, c)| *c));
                    if let Some(c) = chunk {
                        if !self.inlined.contains(&c.id()) {
                            self.inlined.push(c.id());
                            for child in c.children() {
                                self.walk(child, parent, link_depth, pre_depth, chunk_depth + 1);
                            }
                        }
                    }
                }
                Node::Element(e)
                    if e.name() == "div"
                        && e.attr("hidden").is_some()
                        && self.inlined.contains(&n.id()) => {}
                Node::Element(e) => {
                    if let Class::Keep(tag) = classify(e.name()) {
                        if !is_hidden(e) {
                            let hints = if tag == Tag::Br || tag == Tag::Img {
                                Hints::default()
                            } else {
                                element_hints(e)
                            };
                            let idx = self.nodes.len() as u32;
                            self.nodes.push(ANode {
                                node: n,
                                parent,
                                end: idx + 1,
                                tag,
                                hints,
                                chars: 0,
                                commas: 0,
                                in_link: link_depth > 0,
                                in_pre: pre_depth > 0,
                            });
                            if n.has_children() {
                                open.push(idx);
                                if tag == Tag::A {
                                    link_depth += 1;
                                }
                                if tag == Tag::Pre {
                                    pre_depth += 1;
                                }
                                entered_children = true;
                            }
                        }
                    }
                }
                Node::Document | Node::Fragment if n.has_children() => {
                    // not recorded; children attach to the current parent
                    entered_children = true;
                }
                _ => {}
            }
            // advance
            if entered_children {
                cur = n.first_child();
                continue;
            }
            // climb until a next sibling exists, closing elements on the way
            let mut m = n;
            loop {
                if m.id() == start.id() {
                    cur = None;
                    break;
                }
                if let Some(s) = m.next_sibling() {
                    cur = Some(s);
                    break;
                }
                match m.parent() {
                    Some(p) => {
                        m = p;
                        // close p if it is the open element
                        if let Some(&top) = open.last() {
                            if self.nodes[top as usize].node.id() == p.id() {
                                open.pop();
                                let end = self.nodes.len() as u32;
                                let t = self.nodes[top as usize].tag;
                                self.nodes[top as usize].end = end;
                                if t == Tag::A {
                                    link_depth = link_depth.saturating_sub(1);
                                }
                                if t == Tag::Pre {
                                    pre_depth = pre_depth.saturating_sub(1);
                                }
                            }
                        }
                    }
                    None => {
                        cur = None;
                        break;
                    }
                }
            }
        }
        // anything still open ends at the arena end
        let end = self.nodes.len() as u32;
        for idx in open {
            self.nodes[idx as usize].end = end;
        }
    }
}

/// Non-whitespace chars and commas of a text.
fn text_stats(s: &str) -> (u32, u16) {
    let mut chars = 0u32;
    let mut commas = 0u16;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' {
            continue;
        }
        chars += 1;
        if matches!(c, ',' | '，' | '、' | '،') {
            commas = commas.saturating_add(1);
        }
    }
    (chars, commas)
}

// ---------------------------------------------------------------------------
// Statistics over the arena (excluding pruned subtrees)

#[derive(Default, Clone)]
struct Stats {
    /// Subtree totals.
    text: Vec<u32>,
    link: Vec<u32>,
    commas: Vec<u32>,
    p: Vec<u16>,
    img: Vec<u16>,
    li: Vec<u16>,
    input: Vec<u16>,
    embed: Vec<u16>,
    /// Text owned directly by a block (not through a nested block).
    own_text: Vec<u32>,
    own_link: Vec<u32>,
    own_commas: Vec<u32>,
    /// Whether the block has block-level element children.
    has_block_child: Vec<bool>,
    /// Prose: own text of blocks that read like paragraphs, summed over the subtree.
    prose: Vec<u32>,
    /// Number of blocks counted in `prose`.
    prose_blocks: Vec<u32>,
}

fn compute_stats(a: &Arena, removed: &[bool]) -> Stats {
    let n = a.nodes.len();
    let mut s = Stats {
        text: vec![0; n],
        link: vec![0; n],
        commas: vec![0; n],
        p: vec![0; n],
        img: vec![0; n],
        li: vec![0; n],
        input: vec![0; n],
        embed: vec![0; n],
        own_text: vec![0; n],
        own_link: vec![0; n],
        own_commas: vec![0; n],
        has_block_child: vec![false; n],
        prose: vec![0; n],
        prose_blocks: vec![0; n],
    };
    // pre-order pass: own text goes to the nearest block ancestor
    let mut block_stack: Vec<u32> = Vec::with_capacity(64);
    let mut i = 0usize;
    while i < n {
        if removed[i] {
            i = a.nodes[i].end as usize;
            continue;
        }
        while let Some(&top) = block_stack.last() {
            if (i as u32) >= a.nodes[top as usize].end {
                block_stack.pop();
            } else {
                break;
            }
        }
        let node = &a.nodes[i];
        match node.tag {
            Tag::Text => {
                if let Some(&b) = block_stack.last() {
                    let b = b as usize;
                    s.own_text[b] += node.chars;
                    s.own_commas[b] += node.commas as u32;
                    if node.in_link {
                        s.own_link[b] += node.chars;
                    }
                }
            }
            t if t.is_block() => {
                if node.parent != NONE {
                    s.has_block_child[node.parent as usize] = true;
                }
                block_stack.push(i as u32);
            }
            _ => {}
        }
        i += 1;
    }
    // reverse pass: subtree totals
    for i in (0..n).rev() {
        if removed[i] {
            continue;
        }
        let node = &a.nodes[i];
        match node.tag {
            Tag::Text => {
                s.text[i] += node.chars;
                s.commas[i] += node.commas as u32;
                if node.in_link {
                    s.link[i] += node.chars;
                }
            }
            Tag::Img => s.img[i] += 1,
            Tag::Li => s.li[i] += 1,
            Tag::Input => s.input[i] += 1,
            Tag::Embed => s.embed[i] += 1,
            _ => {}
        }
        let own = s.own_text[i];
        // paragraphs: <p> elements and any block owning a sentence of text
        if node.tag == Tag::P || (own >= 25 && node.tag != Tag::Text && node.tag.is_block()) {
            s.p[i] += 1;
        }
        if own >= 50 && (s.own_link[i] as f32) < 0.3 * own as f32 {
            s.prose[i] += own;
            s.prose_blocks[i] += 1;
        }
        let p = node.parent;
        if p != NONE && !removed[p as usize] {
            let p = p as usize;
            s.text[p] += s.text[i];
            s.link[p] += s.link[i];
            s.commas[p] += s.commas[i];
            s.p[p] = s.p[p].saturating_add(s.p[i]);
            s.img[p] = s.img[p].saturating_add(s.img[i]);
            s.li[p] = s.li[p].saturating_add(s.li[i]);
            s.input[p] = s.input[p].saturating_add(s.input[i]);
            s.embed[p] = s.embed[p].saturating_add(s.embed[i]);
            s.prose[p] += s.prose[i];
            s.prose_blocks[p] += s.prose_blocks[i];
        }
    }
    s
}

fn link_density(s: &Stats, i: usize) -> f32 {
    let t = s.text[i];
    if t == 0 {
        0.0
    } else {
        s.link[i] as f32 / t as f32
    }
}

// ---------------------------------------------------------------------------
// The extractor

struct Extractor<'a, 'b> {
    a: &'b Arena<'a>,
    base: &'b Url,
    title: Option<String>,
    removed: Vec<bool>,
    /// Pruned subtrees that looked like related-links boxes.
    related_boxes: Vec<u32>,
    /// Classes of hinted blocks that together hold most of the page's prose.
    content_classes: Vec<&'a str>,
}

impl<'a, 'b> Extractor<'a, 'b> {
    fn new(a: &'b Arena<'a>, base: &'b Url, title: Option<&str>) -> Self {
        Extractor {
            a,
            base,
            title: title.map(norm_key).filter(|t| !t.is_empty()),
            removed: vec![false; a.nodes.len()],
            related_boxes: Vec::new(),
            content_classes: Vec::new(),
        }
    }

    fn run(&mut self) -> Content {
        let n = self.a.nodes.len();
        // pass 1: stats over everything, to know where the prose is
        let s0 = compute_stats(self.a, &self.removed);
        let total_prose = s0.prose[0];
        // hinted blocks of one class that together hold most of the page's prose
        // are its content (a list article whose every item is an "excerpt" box), not
        // boilerplate around it; comments and related boxes excepted
        let mut class_prose: std::collections::HashMap<&str, u32> =
            std::collections::HashMap::new();
        if total_prose > 0 {
            for (i, node) in self.a.nodes.iter().enumerate() {
                if node.hints.neg && !node.hints.related && s0.prose[i] > 0 {
                    if let Some(c) = node_class(node) {
                        *class_prose.entry(c).or_insert(0) += s0.prose[i];
                    }
                }
            }
            class_prose.retain(|c, p| {
                *p * 2 >= total_prose && !c.to_ascii_lowercase().contains("comment")
            });
        }
        self.content_classes = class_prose.keys().copied().collect();
        // pass 2: prune boilerplate
        let mut i = 0usize;
        while i < n {
            let node = &self.a.nodes[i];
            if node.tag == Tag::Text {
                i += 1;
                continue;
            }
            let h = node.hints;
            let boiler_tag = matches!(
                node.tag,
                Tag::Header | Tag::Footer | Tag::Aside | Tag::Figcaption
            );
            let hinted =
                h.neg && (h.related || !h.pos) && !h.strong_pos && !self.is_embedded_post(i);
            let form_boiler = node.tag == Tag::Form && s0.prose[i] * 2 < s0.text[i].max(1);
            let content_class = hinted && self.is_content_class(i);
            if (boiler_tag || hinted || form_boiler)
                && !content_class
                && !matches!(node.tag, Tag::Body | Tag::Main)
                && !(total_prose > 0 && s0.prose[i] * 2 >= total_prose)
            {
                if *DEBUG {
                    if let Node::Element(e) = node.node.value() {
                        eprintln!(
                            "PRUNE {} class={:?} id={:?} prose={} total={} text={:?}",
                            e.name(),
                            e.attr("class"),
                            e.attr("id"),
                            s0.prose[i],
                            total_prose,
                            normalize_ws(&raw_text(self.a, i, &self.removed))
                                .chars()
                                .take(300)
                                .collect::<String>()
                        );
                    }
                }
                self.removed[i] = true;
                if h.related {
                    self.related_boxes.push(i as u32);
                }
                i = node.end as usize;
                continue;
            }
            i += 1;
        }
        drop(s0);
        // pass 3: stats without boilerplate
        let s = compute_stats(self.a, &self.removed);

        // pass 4: score paragraphs into ancestors
        let mut score = vec![0f32; n];
        let mut is_cand = vec![false; n];
        for i in 0..n {
            let node = &self.a.nodes[i];
            if node.tag == Tag::Text || node.tag.is_inline() || self.removed[i] {
                continue;
            }
            if self.is_removed_deep(i) {
                continue;
            }
            let own = s.own_text[i];
            if own < 25 {
                continue;
            }
            let own_ld = s.own_link[i] as f32 / own as f32;
            if own_ld > 0.5 {
                continue;
            }
            let mut ps = 1.0 + s.own_commas[i] as f32 + (own as f32 / 100.0).floor().min(3.0);
            // CJK text packs more meaning per char
            if !matches!(
                node.tag,
                Tag::P
                    | Tag::Div
                    | Tag::Section
                    | Tag::Article
                    | Tag::Main
                    | Tag::Td
                    | Tag::Pre
                    | Tag::Blockquote
                    | Tag::Body
                    | Tag::Address
            ) {
                continue;
            }
            if own_ld > 0.0 {
                ps *= 1.0 - own_ld;
            }
            // a leaf paragraph scores its parent; a text run beside block children
            // scores the block it sits in
            let mut anc = if s.has_block_child[i] {
                i as u32
            } else {
                node.parent
            };
            let mut level = 0;
            while anc != NONE && level < 5 {
                let ai = anc as usize;
                if !is_cand[ai] {
                    is_cand[ai] = true;
                    score[ai] = self.initial_score(ai);
                }
                let div = match level {
                    0 => 1.0,
                    1 => 2.0,
                    l => l as f32 * 3.0,
                };
                score[ai] += ps / div;
                anc = self.a.nodes[ai].parent;
                level += 1;
            }
        }
        let mut top: Option<usize> = None;
        let mut best = f32::MIN;
        let mut finals: Vec<(usize, f32)> = Vec::new();
        for i in 0..n {
            if !is_cand[i] {
                continue;
            }
            let f = score[i] * (1.0 - link_density(&s, i));
            score[i] = f;
            finals.push((i, f));
            if f > best {
                best = f;
                top = Some(i);
            }
        }
        let Some(mut top) = top else {
            return Content {
                blocks: Vec::new(),
                related: Vec::new(),
                looks_like_article: false,
            };
        };
        let best_cand = top;
        // the selection was widened to hold several chunks of the article
        let mut widened = false;
        // several strong candidates sharing an ancestor: widen to it
        finals.sort_by(|x, y| y.1.partial_cmp(&x.1).unwrap_or(std::cmp::Ordering::Equal));
        // strong candidates elsewhere (not ancestors/descendants of the best): the
        // article is split into several chunks; widen to their common ancestor
        let top_end = self.a.nodes[top].end as usize;
        // a teaser card (a linked headline over an excerpt, scoring on its tag and
        // class: `<article class="post">`, `article-item`) holding little prose is no
        // chunk of the article
        let teaser = |c: usize| {
            (s.prose[c] as f32) < 0.2 * s.prose[top] as f32
                && (c..self.a.nodes[c].end as usize).any(|j| {
                    is_heading(self.a.nodes[j].tag)
                        && s.text[j] > 0
                        && s.link[j] as f32 >= 0.8 * s.text[j] as f32
                })
        };
        let strong: Vec<usize> = finals
            .iter()
            .skip(1)
            .take(8)
            .filter(|(c, f)| {
                *f >= best * WIDEN_RATIO
                    && !(*c > top && *c < top_end)
                    && !(*c < top && top < self.a.nodes[*c].end as usize)
            })
            .filter(|(c, _)| !teaser(*c))
            .map(|(i, _)| *i)
            .collect();
        for c in strong {
            // lowest common ancestor of top and c
            let mut p = self.a.nodes[top].parent;
            while p != NONE {
                let pu = p as usize;
                if pu < c && c < self.a.nodes[pu].end as usize {
                    break;
                }
                p = self.a.nodes[pu].parent;
            }
            if p == NONE || matches!(self.a.nodes[p as usize].tag, Tag::Body) {
                continue;
            }
            // only when the common ancestor is still mostly prose, not a page shell
            let pu = p as usize;
            if link_density(&s, pu) < 0.35 && s.prose[pu] as f32 >= 0.5 * s.text[pu] as f32 {
                top = pu;
                widened = true;
            }
        }
        // the article split into blocks of one kind (same tag and class) that sit in
        // separate wrappers (chapters, sections): when those blocks together hold
        // clearly more prose than the best one and most of their common ancestor's,
        // the ancestor is the article
        if !widened {
            let mut kin_prose = s.prose[top];
            let mut lca = top;
            let mut kin: Vec<usize> = vec![top];
            for &(c, _) in finals.iter() {
                let nested = |k: usize| {
                    (c > k && c < self.a.nodes[k].end as usize)
                        || (k > c && k < self.a.nodes[c].end as usize)
                };
                if c == top
                    || s.prose[c] < 100
                    || !self.same_kind(c, top)
                    || kin.iter().any(|&k| nested(k))
                {
                    continue;
                }
                // common ancestor of the blocks so far and c
                let mut p = if c > lca && c < self.a.nodes[lca].end as usize {
                    lca as u32
                } else {
                    self.a.nodes[lca].parent
                };
                while p != NONE {
                    let pu = p as usize;
                    if pu < c && c < self.a.nodes[pu].end as usize {
                        break;
                    }
                    p = self.a.nodes[pu].parent;
                }
                if p == NONE || self.a.nodes[p as usize].tag == Tag::Body {
                    // a block of that kind elsewhere on the page (a sidebar)
                    continue;
                }
                lca = p as usize;
                kin.push(c);
                kin_prose += s.prose[c];
            }
            if *DEBUG {
                eprintln!(
                    "KIN top={} lca={} kin_prose={} prose_top={} prose_lca={} ld={}",
                    top,
                    lca,
                    kin_prose,
                    s.prose[top],
                    s.prose[lca],
                    link_density(&s, lca)
                );
            }
            if lca != top
                && kin_prose as f32 >= 1.5 * s.prose[top] as f32
                && kin_prose as f32 >= 0.75 * s.prose[lca] as f32
                && link_density(&s, lca) < 0.35
            {
                top = lca;
                widened = true;
            }
        }
        // a single-child wrapper chain: go up
        loop {
            let p = self.a.nodes[top].parent;
            if p == NONE || self.a.nodes[p as usize].tag == Tag::Body {
                break;
            }
            if s.text[p as usize] == s.text[top] && self.element_children(p as usize) == 1 {
                top = p as usize;
            } else {
                break;
            }
        }

        if *DEBUG {
            if let Node::Element(e) = self.a.nodes[top].node.value() {
                eprintln!(
                    "TOP {} class={:?} id={:?} score={} prose={}",
                    e.name(),
                    e.attr("class"),
                    e.attr("id"),
                    score[top],
                    s.prose[top]
                );
            }
            for (c, f) in finals.iter().take(8) {
                if let Node::Element(e) = self.a.nodes[*c].node.value() {
                    eprintln!(
                        "  CAND {} class={:?} id={:?} score={} prose={}",
                        e.name(),
                        e.attr("class"),
                        e.attr("id"),
                        f,
                        s.prose[*c]
                    );
                }
            }
        }
        // siblings (paragraph clustering)
        let top_score = score[top].max(0.0);
        let threshold = (top_score * 0.2).max(10.0);
        let parent = self.a.nodes[top].parent;
        let mut chosen: Vec<usize> = Vec::new();
        if parent == NONE {
            chosen.push(top);
        } else {
            let pe = self.a.nodes[parent as usize].end as usize;
            let mut c = parent as usize + 1;
            let mut pending_heading: Option<usize> = None;
            while c < pe {
                let node = &self.a.nodes[c];
                let next = node.end as usize;
                if self.removed[c] {
                    c = next;
                    continue;
                }
                let append = if c == top || (is_cand[c] && score[c] >= threshold) {
                    true
                } else if node.tag == Tag::Text {
                    false
                } else {
                    let len = s.text[c];
                    let ld = link_density(&s, c);
                    let para_like = node.tag == Tag::P
                        || (!s.has_block_child[c]
                            && !node.tag.is_inline()
                            && !is_heading(node.tag));
                    if para_like && len > 80 && ld < 0.25 {
                        true
                    } else if !para_like
                        && s.prose[c] >= 50
                        && ld < 0.5
                        && s.prose[c] as f32 >= 0.5 * len as f32
                        && !widened
                        && self.same_kind(c, top)
                    {
                        // another block of the same kind as the chosen one, holding
                        // prose: the article is split into several blocks (page
                        // builders, CMS "html blocks", paginated sections)
                        true
                    } else if para_like && len > 0 && len <= 80 && ld == 0.0 {
                        self.ends_sentence(c)
                    } else {
                        false
                    }
                };
                if append {
                    // a sub-heading right before an appended block heads it
                    if let Some(h) = pending_heading.take() {
                        chosen.push(h);
                    }
                    chosen.push(c);
                } else if is_heading(node.tag) && s.text[c] > 0 && s.link[c] * 2 < s.text[c] {
                    pending_heading = Some(c);
                } else if node.tag != Tag::Text || node.chars > 0 {
                    pending_heading = None;
                }
                c = next;
            }
        }

        // emission
        let mut em = Emitter::new(self, &s, &score, &is_cand);
        em.best = best_cand as u32;
        for &c in &chosen {
            em.walk(c);
        }
        let table_blocks = em.table_blocks;
        let mut blocks = em.blocks;
        drop_repeated_passages(&mut blocks);
        let mut related = em.related;
        // related boxes pruned inside the chosen region
        let (lo, hi) = if parent == NONE {
            (top as u32, self.a.nodes[top].end)
        } else {
            // the enclosing article/main if any, else the parent
            let mut region = parent as usize;
            let mut p = parent;
            while p != NONE {
                if matches!(self.a.nodes[p as usize].tag, Tag::Article | Tag::Main) {
                    region = p as usize;
                    break;
                }
                p = self.a.nodes[p as usize].parent;
            }
            (region as u32, self.a.nodes[region].end)
        };
        let boxes = std::mem::take(&mut self.related_boxes);
        for b in boxes {
            if b > lo && b < hi {
                collect_links(self.a, b as usize, self.base, &mut related);
            }
        }
        dedup_related(&mut related);
        // headline out of the body
        if let Some(t) = &self.title {
            blocks.retain(|b| !(matches!(b.kind, BlockKind::Heading) && title_matches(t, &b.text)));
            if let Some(first) = blocks.first() {
                if title_matches(t, &first.text) && norm_key(&first.text).len() >= t.len() / 2 {
                    blocks.remove(0);
                }
            }
        }
        let looks_like_article = looks_like_article(&blocks, table_blocks, &s, top);
        Content {
            blocks,
            related,
            looks_like_article,
        }
    }

    fn is_content_class(&self, i: usize) -> bool {
        !self.content_classes.is_empty()
            && node_class(&self.a.nodes[i]).is_some_and(|c| self.content_classes.contains(&c))
    }

    /// An embedded post (tweet, Instagram post) inside the body: its quoted text is
    /// part of the article as readers see it, even in a "social" wrapper.
    fn is_embedded_post(&self, i: usize) -> bool {
        let node = &self.a.nodes[i];
        if !node.hints.embed && node.tag != Tag::Blockquote {
            return false;
        }
        let end = node.end as usize;
        self.a.nodes[i..end]
            .iter()
            .any(|n| n.tag == Tag::Blockquote && n.hints.embed)
    }

    fn is_removed_deep(&self, _i: usize) -> bool {
        // pruned subtrees are skipped by compute_stats, so their blocks have no own text
        false
    }

    fn initial_score(&self, i: usize) -> f32 {
        let node = &self.a.nodes[i];
        let base = match node.tag {
            Tag::Div | Tag::Section | Tag::Article | Tag::Main => 5.0,
            Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
            Tag::Address
            | Tag::Ol
            | Tag::Ul
            | Tag::Dl
            | Tag::Dd
            | Tag::Dt
            | Tag::Li
            | Tag::Form => -3.0,
            Tag::H(_) | Tag::Th => -5.0,
            _ => 0.0,
        };
        let mut w = node.hints.weight as f32;
        if node.tag == Tag::Article {
            w += 10.0;
        }
        if node.tag == Tag::Body {
            w -= 10.0;
        }
        base + w
    }

    fn element_children(&self, i: usize) -> usize {
        let end = self.a.nodes[i].end as usize;
        let mut c = i + 1;
        let mut k = 0;
        while c < end {
            let node = &self.a.nodes[c];
            let counts = if node.tag == Tag::Text {
                node.chars > 0
            } else {
                !self.removed[c]
            };
            if counts {
                k += 1;
            }
            c = node.end as usize;
        }
        k
    }

    /// Two elements of the same kind: same tag and same class attribute (page
    /// builders give every block of one type the same classes).
    fn same_kind(&self, x: usize, y: usize) -> bool {
        let (nx, ny) = (&self.a.nodes[x], &self.a.nodes[y]);
        if nx.tag != ny.tag {
            return false;
        }
        match (nx.node.value(), ny.node.value()) {
            (Node::Element(ex), Node::Element(ey)) => match (ex.attr("class"), ey.attr("class")) {
                (Some(cx), Some(cy)) => {
                    // without instance names such as `elementor-element-a77952e`,
                    // `block-580fb349`, `post-3767` (a last segment of 4+ chars with
                    // a digit); `mt-5`, `col-sm-8` are layout and stay
                    let kind = |c: &'a str| {
                        c.split_ascii_whitespace().filter(|n| {
                            let last = n.rsplit(['-', '_']).next().unwrap_or(n);
                            !(last.len() >= 4 && last.bytes().any(|b| b.is_ascii_digit()))
                        })
                    };
                    kind(cx).next().is_some() && kind(cx).eq(kind(cy))
                }
                _ => false,
            },
            _ => false,
        }
    }

    fn ends_sentence(&self, i: usize) -> bool {
        let text = raw_text(self.a, i, &self.removed);
        let t = text.trim_end();
        t.ends_with('.')
            || t.contains(". ")
            || t.ends_with('。')
            || t.ends_with('!')
            || t.ends_with('?')
    }
}

/// The class attribute of an element node.
/// A prose block at least this long counts towards a repeated passage.
const DUP_MIN_BYTES: usize = 80;

/// Drops second copies of a passage: a run of consecutive blocks that each repeat
/// an earlier block, with at least two different long prose blocks among them (responsive or
/// print variants rendered side by side, an infinite-scroll page that appends the
/// article again, a thread page that repeats the opening post). A lone repeated
/// line (the same "Warm up" step in several workouts) stays.
fn drop_repeated_passages(blocks: &mut Vec<Block>) {
    use std::hash::{Hash, Hasher};
    if blocks.len() < 4 {
        return;
    }
    let mut seen: HashSet<u64> = HashSet::with_capacity(blocks.len());
    let hashes: Vec<u64> = blocks
        .iter()
        .map(|b| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            b.text.hash(&mut h);
            h.finish()
        })
        .collect();
    let dup: Vec<bool> = hashes.iter().map(|&h| !seen.insert(h)).collect();
    if !dup.iter().any(|&d| d) {
        return;
    }
    let long = |b: &Block| {
        matches!(
            b.kind,
            BlockKind::Paragraph | BlockKind::Quote | BlockKind::ListItem
        ) && b.text.len() >= DUP_MIN_BYTES
    };
    let mut keep = vec![true; blocks.len()];
    let mut i = 0;
    while i < blocks.len() {
        if !dup[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < blocks.len() && dup[i] {
            i += 1;
        }
        // at least two different long blocks: one paragraph said over and over is not
        // a copy of a passage
        let mut run_long = (start..i).filter(|&j| long(&blocks[j])).map(|j| hashes[j]);
        let first = run_long.next();
        if first.is_some() && run_long.any(|h| Some(h) != first) {
            keep[start..i].iter_mut().for_each(|k| *k = false);
        }
    }
    let mut k = keep.iter();
    blocks.retain(|_| *k.next().unwrap_or(&true));
}

fn node_class<'a>(n: &ANode<'a>) -> Option<&'a str> {
    match n.node.value() {
        Node::Element(e) => e.attr("class").map(str::trim).filter(|c| !c.is_empty()),
        _ => None,
    }
}

fn is_heading(t: Tag) -> bool {
    matches!(t, Tag::H(_))
}

fn raw_text(a: &Arena, i: usize, removed: &[bool]) -> String {
    let end = a.nodes[i].end as usize;
    let mut out = String::new();
    let mut c = i;
    while c < end {
        if removed[c] {
            c = a.nodes[c].end as usize;
            continue;
        }
        if let Node::Text(t) = a.nodes[c].node.value() {
            out.push_str(&t.text);
        }
        c += 1;
    }
    out
}

fn collect_links(a: &Arena, i: usize, base: &Url, out: &mut Vec<RelatedLink>) {
    let end = a.nodes[i].end as usize;
    let mut c = i;
    while c < end {
        let node = &a.nodes[c];
        if node.tag == Tag::A {
            if let Node::Element(e) = node.node.value() {
                if let Some(href) = e.attr("href") {
                    let mut title = String::new();
                    // the link's text, without captions/dates/labels inside a teaser card
                    let ae = node.end as usize;
                    let mut t = c + 1;
                    while t < ae {
                        let tn = &a.nodes[t];
                        if tn.hints.neg && is_card_furniture(tn) {
                            t = tn.end as usize;
                            continue;
                        }
                        if let Node::Text(tx) = tn.node.value() {
                            title.push_str(&tx.text);
                            title.push(' ');
                        }
                        t += 1;
                    }
                    let title = normalize_ws(&title);
                    if title.chars().count() >= 10 {
                        if let Ok(u) = base.join(href.trim()) {
                            if matches!(u.scheme(), "http" | "https") {
                                out.push(RelatedLink {
                                    title,
                                    url: u.to_string(),
                                });
                            }
                        }
                    }
                }
            }
            c = node.end as usize;
            continue;
        }
        c += 1;
    }
}

/// Caption, credit, date or category label inside a teaser card.
fn is_card_furniture(n: &ANode) -> bool {
    let Node::Element(e) = n.node.value() else {
        return false;
    };
    let class = e.attr("class").unwrap_or("");
    [
        "caption", "credit", "date", "time", "categor", "label", "kicker",
    ]
    .iter()
    .any(|k| class.contains(k))
}

fn dedup_related(v: &mut Vec<RelatedLink>) {
    let mut seen = HashSet::new();
    v.retain(|r| seen.insert(r.url.clone()));
}

// ---------------------------------------------------------------------------
// Emission

struct Emitter<'x, 'a, 'b> {
    ex: &'x Extractor<'a, 'b>,
    s: &'x Stats,
    score: &'x [f32],
    is_cand: &'x [bool],
    blocks: Vec<Block>,
    related: Vec<RelatedLink>,
    buf: String,
    buf_kind: BlockKind,
    buf_chars: u32,
    buf_link_chars: u32,
    /// The buffered text sits in a table.
    buf_in_table: bool,
    /// The emitted blocks that are table rows/cells (they do not count as short
    /// blocks when judging whether the page reads like an article).
    table_blocks: usize,
    /// End of the table being walked.
    table_end: u32,
    /// The best-scoring candidate (before widening), never dropped.
    best: u32,
}

impl<'x, 'a, 'b> Emitter<'x, 'a, 'b> {
    fn new(ex: &'x Extractor<'a, 'b>, s: &'x Stats, score: &'x [f32], is_cand: &'x [bool]) -> Self {
        Emitter {
            ex,
            s,
            score,
            is_cand,
            blocks: Vec::new(),
            related: Vec::new(),
            buf: String::with_capacity(1024),
            buf_kind: BlockKind::Paragraph,
            buf_chars: 0,
            buf_link_chars: 0,
            buf_in_table: false,
            table_blocks: 0,
            table_end: 0,
            best: NONE,
        }
    }

    /// Conditional cleaning (readability's `_cleanConditionally`): should this
    /// container inside the chosen content be dropped?
    fn drop_container(&self, i: usize) -> bool {
        let a = self.ex.a;
        let node = &a.nodes[i];
        let s = self.s;
        let is_list = matches!(node.tag, Tag::Ul | Tag::Ol | Tag::Dl);
        let container = matches!(
            node.tag,
            Tag::Div
                | Tag::Section
                | Tag::Ul
                | Tag::Ol
                | Tag::Dl
                | Tag::Table
                | Tag::Form
                | Tag::Figure
                | Tag::Article
        );
        if !container {
            return false;
        }
        // never drop what holds the best candidate, nor a box that is mostly prose,
        // nor an embedded post
        if self.ex.is_embedded_post(i) || self.ex.is_content_class(i) {
            return false;
        }
        if (i as u32) < self.best && self.best < node.end {
            return false;
        }
        // nor a box holding most of the page's prose (as in pruning: a hint such as
        // `node--promoted` on the article's own wrapper does not make it boilerplate)
        if s.prose[i] * 2 >= s.prose[0].max(1) && s.prose[i] as f32 >= 0.6 * s.text[i] as f32 {
            return false;
        }
        if s.prose[i] as f32 >= 0.6 * s.text[i] as f32
            && s.prose[i] >= 150
            && node.hints.weight >= 0
            && (s.img[i] as u32) * 2 <= s.prose_blocks[i]
        {
            return false;
        }
        let weight = node.hints.weight as f32;
        // the content score, without the negative tag prior of lists and forms (a
        // list of short sentences is not boilerplate for its tag)
        let cs = if self.is_cand[i] {
            self.score[i].max(0.0)
        } else {
            0.0
        };
        if weight + cs < 0.0 {
            return true;
        }
        if s.commas[i] >= 10 {
            return false;
        }
        let p = s.p[i] as f32;
        let img = s.img[i] as f32;
        let input = s.input[i] as f32;
        let embed = s.embed[i];
        let ld = link_density(s, i);
        let len = s.text[i];
        if node.tag == Tag::Figure && !self.figure_holds_content(i) {
            return true;
        }
        (img > 1.0 && p / img < 0.5 && s.prose[i] < 200)
            || self.teaser_grid(i)
            || input > (p / 3.0).floor()
            || (!is_list && len < 25 && (img == 0.0 || img > 2.0))
            || (!is_list && weight < 25.0 && ld > 0.2)
            || (weight >= 25.0 && ld > 0.5)
            || (embed == 1 && len < 75)
            || embed > 1
            || (is_list && ld > 0.5 && !(ld < 0.8 && self.inside_best(i)))
    }

    /// Whether `i` lies inside the best-scoring candidate.
    fn inside_best(&self, i: usize) -> bool {
        let b = self.best as usize;
        self.best != NONE && b < i && i < self.ex.a.nodes[b].end as usize
    }

    /// A `<figure>` that wraps a table or a code block rather than an image.
    fn figure_holds_content(&self, i: usize) -> bool {
        let a = self.ex.a;
        let end = a.nodes[i].end as usize;
        a.nodes[i + 1..end]
            .iter()
            .any(|n| matches!(n.tag, Tag::Table | Tag::Pre))
    }

    /// A grid of teasers: at least three child boxes that each hold a link and an
    /// image (related/popular stories), and little else.
    fn teaser_grid(&self, i: usize) -> bool {
        let a = self.ex.a;
        let s = self.s;
        let end = a.nodes[i].end as usize;
        let mut c = i + 1;
        let (mut children, mut teasers) = (0u32, 0u32);
        while c < end {
            let node = &a.nodes[c];
            if !self.ex.removed[c] && node.tag != Tag::Text && node.tag.is_block() {
                children += 1;
                if s.link[c] > 0 && s.img[c] >= 1 && s.text[c] < 400 {
                    teasers += 1;
                }
            }
            c = node.end as usize;
        }
        teasers >= 3 && teasers * 10 >= children * 6
    }

    fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let kind = self.buf_kind;
        let text = if kind == BlockKind::Preformatted {
            self.buf.trim().to_string()
        } else {
            normalize_ws(&self.buf)
        };
        let text = strip_placeholders(text);
        let chars = self.buf_chars;
        let link = self.buf_link_chars;
        self.buf.clear();
        self.buf_chars = 0;
        self.buf_link_chars = 0;
        let in_table = std::mem::take(&mut self.buf_in_table);
        if text.chars().all(is_invisible) {
            // empty or only zero-width characters (`<p>&zwj;</p>` spacers)
            return;
        }
        // very short link-heavy lines (bare "Read more" links, tag clouds)
        // short link-heavy lines (bare "Read more" links) and link-only runs of any
        // length (tag lists, "more stories" strips)
        if chars > 0
            && kind != BlockKind::Heading
            && ((link as f32 >= 0.6 * chars as f32 && chars < 120)
                || link as f32 >= 0.85 * chars as f32)
        {
            return;
        }
        if is_readalso_line(&text) {
            return;
        }
        if is_boiler_line(&text) {
            return;
        }
        if in_table {
            self.table_blocks += 1;
        }
        self.blocks.push(Block { kind, text });
    }

    fn walk(&mut self, root: usize) {
        let a = self.ex.a;
        let removed = &self.ex.removed;
        let end = a.nodes[root].end as usize;
        // stack of open block elements: (end, kind)
        let mut stack: Vec<(u32, BlockKind)> = Vec::with_capacity(32);
        let mut i = root;
        while i < end {
            while let Some(&(e, _)) = stack.last() {
                if i as u32 >= e {
                    stack.pop();
                    self.flush();
                } else {
                    break;
                }
            }
            let node = &a.nodes[i];
            if removed[i] {
                i = node.end as usize;
                continue;
            }
            match node.tag {
                Tag::Text => {
                    if let Node::Text(t) = node.node.value() {
                        if self.buf.is_empty() {
                            if node.chars == 0 {
                                i += 1;
                                continue;
                            }
                            self.buf_kind =
                                stack.last().map(|x| x.1).unwrap_or(BlockKind::Paragraph);
                        }
                        self.buf.push_str(&t.text);
                        self.buf_chars += node.chars;
                        if node.in_link {
                            self.buf_link_chars += node.chars;
                        }
                        if (i as u32) < self.table_end {
                            self.buf_in_table = true;
                        }
                    }
                    i += 1;
                }
                Tag::Br | Tag::Hr => {
                    if !node.in_pre {
                        self.flush();
                    } else {
                        self.buf.push('\n');
                    }
                    i += 1;
                }
                Tag::Figure if self.figure_holds_content(i) => {
                    // a table or code block in a `<figure>` (block editors wrap
                    // tables so): its caption stays out
                    self.flush();
                    i += 1;
                }
                Tag::Figure | Tag::Figcaption => {
                    i = node.end as usize;
                }
                t if t.is_inline() => {
                    i += 1;
                }
                t => {
                    // in-body "Read also" box: links to related
                    if i != root && self.is_readalso_box(i) {
                        collect_links(a, i, self.ex.base, &mut self.related);
                        i = node.end as usize;
                        continue;
                    }
                    if matches!(t, Tag::Td | Tag::Th) && !self.s.has_block_child[i] {
                        // a plain cell: the row is the block, its cells joined
                        if !self.buf.is_empty() {
                            self.buf.push_str(" | ");
                        }
                        i += 1;
                        continue;
                    }
                    if i != root && self.drop_container(i) {
                        if *DEBUG {
                            if let Node::Element(e) = node.node.value() {
                                eprintln!(
                                    "DROP {} class={:?} id={:?} text={} prose={} link={} txt={:?}",
                                    e.name(),
                                    e.attr("class"),
                                    e.attr("id"),
                                    self.s.text[i],
                                    self.s.prose[i],
                                    self.s.link[i],
                                    normalize_ws(&raw_text(a, i, removed))
                                        .chars()
                                        .take(300)
                                        .collect::<String>()
                                );
                            }
                        }
                        i = node.end as usize;
                        continue;
                    }
                    self.flush();
                    if t == Tag::Table {
                        self.table_end = self.table_end.max(node.end);
                    }
                    let kind = match t {
                        Tag::H(_) => BlockKind::Heading,
                        Tag::Li | Tag::Dd | Tag::Dt => BlockKind::ListItem,
                        Tag::Blockquote => BlockKind::Quote,
                        Tag::Pre => BlockKind::Preformatted,
                        _ => stack.last().map(|x| x.1).unwrap_or(BlockKind::Paragraph),
                    };
                    let kind = match (kind, stack.last()) {
                        // a paragraph inside a quote stays a quote
                        (BlockKind::Paragraph, Some(&(_, BlockKind::Quote))) => BlockKind::Quote,
                        (k, _) => k,
                    };
                    stack.push((node.end, kind));
                    i += 1;
                }
            }
        }
        while stack.pop().is_some() {
            self.flush();
        }
        self.flush();
    }

    /// A small box whose text starts with a "Read also"-style marker and holds links.
    fn is_readalso_box(&self, i: usize) -> bool {
        let s = self.s;
        if s.link[i] == 0 || s.text[i] > 600 {
            return false;
        }
        let a = self.ex.a;
        let end = a.nodes[i].end as usize;
        // first ~40 chars of text
        let mut head = String::new();
        let mut c = i;
        while c < end && head.len() < 60 {
            if self.ex.removed[c] {
                c = a.nodes[c].end as usize;
                continue;
            }
            if let Node::Text(t) = a.nodes[c].node.value() {
                head.push_str(&t.text);
                head.push(' ');
            }
            c += 1;
        }
        let h = normalize_ws(&head);
        starts_with_readalso(&h)
    }
}

const READ_ALSO: &[&str] = &[
    "read also",
    "read more",
    "also read",
    "see also",
    "related:",
    "related articles",
    "related stories",
    "related news",
    "related content",
    "more on this",
    "more from",
    "you may also like",
    "you might also like",
    "recommended",
    "читайте также",
    "смотрите также",
    "см. также",
    "читать также",
    "leia também",
    "leia mais",
    "veja também",
    "lea también",
    "lee también",
    "lire aussi",
    "à lire aussi",
    "lesen sie auch",
    "mehr zum thema",
    "leggi anche",
    "関連記事",
    "관련기사",
];

fn starts_with_readalso(text: &str) -> bool {
    let lower = text.chars().take(40).collect::<String>().to_lowercase();
    READ_ALSO.iter().any(|m| lower.starts_with(m))
}

fn is_readalso_line(text: &str) -> bool {
    // "READ MORE: headline" / "Read also: …" lines
    if text.chars().count() > 300 {
        return false;
    }
    let lower = text.chars().take(40).collect::<String>().to_lowercase();
    READ_ALSO.iter().any(|m| {
        lower.starts_with(m) && {
            let rest = lower[m.len()..].trim_start();
            rest.starts_with(':')
                || rest.starts_with('»')
                || rest.starts_with('-')
                || rest.starts_with('–')
                || m.ends_with(':')
        }
    })
}

fn is_boiler_line(text: &str) -> bool {
    let n = text.chars().count();
    if n > 300 {
        return false;
    }
    let lower = text.to_lowercase();
    // newsletter sign-up promos inside the body
    if lower.contains("newsletter")
        && (lower.contains("sign up") || lower.contains("subscribe") || lower.contains("signup"))
    {
        return true;
    }
    // author contact / follow-us lines
    if n <= 200
        && ["twitter", "facebook", "instagram", "@"]
            .iter()
            .any(|k| lower.contains(k))
        && (lower.starts_with("follow")
            || lower.starts_with("email")
            || [
                "follow us",
                "follow him",
                "follow her",
                "follow me",
                "follow them",
            ]
            .iter()
            .any(|k| lower.contains(k)))
    {
        return true;
    }
    // photo captions and credits: "Photo: Jane Doe/Reuters", "© Name/Agency"
    if is_credit_line(&lower, n) {
        return true;
    }
    // gallery chrome: "Image 3 of 5"
    if n <= 30 && is_n_of_m(&lower) {
        return true;
    }
    // tag/category lines
    if [
        "tags:",
        "tags :",
        "tagged:",
        "tagged with",
        "filed under",
        "categories:",
        "category:",
        "temas:",
        "теги:",
        "метки:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return true;
    }
    if n > 80 {
        return false;
    }
    if is_date_line(&lower) {
        return true;
    }
    const LINES: &[&str] = &[
        "advertisement",
        "advertisements",
        "comments",
        "comment",
        "leave a comment",
        "leave a reply",
        "add a comment",
        "show comments",
        "view comments",
        "tell us what you think",
        "tags",
        "related",
        "related articles",
        "related posts",
        "more",
        "back to top",
        "print",
        "email",
        "facebook",
        "twitter",
        "whatsapp",
        "linkedin",
        "pinterest",
        "sponsored",
        "share this article",
        "share this",
        "share",
        "tweet",
        "click to share",
        "story continues below advertisement",
        "article continues below",
        "continue reading below",
        "continue reading",
        "скрыть рекламу",
        "реклама",
        "publicidade",
        "publicidad",
        "anzeige",
        "광고",
        "広告",
    ];
    let t = lower.trim_matches(|c: char| !c.is_alphanumeric());
    LINES.contains(&t)
}

/// A photo credit or caption line: it starts with a credit label, or it is short and
/// carries a copyright sign (captions end in "© Name/Agency").
/// Characters that show nothing: white space, zero-width and format characters,
/// soft hyphens.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

fn is_credit_line(lower: &str, n: usize) -> bool {
    const LABELS: &[&str] = &[
        "photo:",
        "photo by",
        "photos:",
        "photos by",
        "photo credit",
        "photograph:",
        "photograph by",
        "photography:",
        "photography by",
        "image:",
        "image credit",
        "image source",
        "image via",
        "images:",
        "picture:",
        "pictured:",
        "credit:",
        "credits:",
        "foto:",
        "fotos:",
        "фото:",
        "bild:",
    ];
    if n <= 160 && LABELS.iter().any(|l| lower.starts_with(l)) {
        return true;
    }
    n <= 160 && lower.contains('©') && !lower.trim_end().ends_with(['.', '!', '?'])
        || n <= 160 && lower.starts_with('©')
}

fn is_n_of_m(lower: &str) -> bool {
    let toks: Vec<&str> = lower.split_whitespace().collect();
    toks.len() <= 4
        && toks.len() >= 3
        && toks.contains(&"of")
        && toks
            .iter()
            .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
            .count()
            == 2
}

/// A line that is only a date/time ("November 20, 2019", "22 de janeiro de 2018 às 0:13"):
/// at least two digit groups, one of them a year, at most six words, no sentence end.
fn is_date_line(lower: &str) -> bool {
    if lower.ends_with('.') && !lower.ends_with("m.") {
        return false;
    }
    let mut digit_groups = 0;
    let mut year = false;
    let mut words = 0;
    for tok in lower.split(|c: char| !c.is_alphanumeric()) {
        if tok.is_empty() {
            continue;
        }
        if tok.chars().all(|c| c.is_ascii_digit()) {
            digit_groups += 1;
            if tok.len() == 4 && (tok.starts_with("19") || tok.starts_with("20")) {
                year = true;
            }
        } else {
            words += 1;
        }
    }
    year && digit_groups >= 2 && words <= 6
}

/// Remove unrendered template placeholders such as `{{item.group_date}}`.
fn strip_placeholders(text: String) -> String {
    if !text.contains("{{") && !text.contains("{%") {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    loop {
        let a = rest.find("{{");
        let b = rest.find("{%");
        let (start, close) = match (a, b) {
            (Some(x), Some(y)) if y < x => (y, "%}"),
            (Some(x), _) => (x, "}}"),
            (None, Some(y)) => (y, "%}"),
            (None, None) => {
                out.push_str(rest);
                break;
            }
        };
        out.push_str(&rest[..start]);
        match rest[start..].find(close) {
            Some(e) => rest = &rest[start + e + 2..],
            None => {
                out.push_str(&rest[start..]);
                break;
            }
        }
    }
    normalize_ws(&out)
}

/// Collapse every run of Unicode whitespace (and zero-width spaces) to one space, trim.
pub(crate) fn normalize_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' || c == '\u{00ad}' {
            if c == '\u{00ad}' || c == '\u{200b}' || c == '\u{feff}' {
                continue;
            }
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Lower-cased alphanumerics only: for comparing headlines.
fn norm_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

fn title_matches(title_key: &str, text: &str) -> bool {
    let k = norm_key(text);
    if k.is_empty() || title_key.is_empty() {
        return false;
    }
    k == title_key
        || (k.len() >= 20 && title_key.starts_with(&k))
        || (title_key.len() >= 20 && k.starts_with(title_key) && k.len() < title_key.len() + 40)
}

/// `table_blocks`: how many of the blocks are table rows (data, not page chrome).
fn looks_like_article(blocks: &[Block], table_blocks: usize, s: &Stats, top: usize) -> bool {
    let mut prose = 0usize;
    let mut long_paras = 0usize;
    let mut short = 0usize;
    for b in blocks {
        let n = b.text.chars().count();
        if matches!(b.kind, BlockKind::Paragraph | BlockKind::Quote) && n >= 80 {
            prose += n;
            long_paras += 1;
        } else {
            short += 1;
        }
    }
    let short = short.saturating_sub(table_blocks);
    let ld = link_density(s, top);
    prose >= 400 && (long_paras >= 2 || prose >= 800) && ld < 0.5 && short <= long_paras * 4 + 4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(html: &str, title: Option<&str>) -> Content {
        let doc = Html::parse_document(html);
        let base = Url::parse("https://example.com/news/story.html").unwrap();
        extract_content(&doc, &base, title)
    }

    fn body(c: &Content) -> String {
        c.blocks
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    const P1: &str = "The city council voted on Tuesday to approve the new budget, which raises spending on schools, roads and public transport by almost ten percent over last year.";
    const P2: &str = "Opponents said the plan, drafted in a hurry, would leave the city exposed if tax receipts fall, while supporters argued that the investment was long overdue.";
    const P3: &str = "The mayor, who campaigned on the promise of better buses, said the first new routes would open in the spring, with more to follow later in the year.";

    fn page(inner: &str) -> String {
        format!(
            r#"<!doctype html><html><head><title>Budget approved</title><script>var x = "{P1}";</script></head><body>
            <header class="site-header"><a href="/">Home</a><a href="/news">News</a></header>
            <nav><ul><li><a href="/a">World news and more</a></li><li><a href="/b">Business</a></li></ul></nav>
            {inner}
            <footer><p>Copyright 2024 Example News, all rights reserved, by the owners.</p></footer>
            </body></html>"#
        )
    }

    #[test]
    fn keeps_paragraphs_and_drops_nav_ads_related() {
        let html = page(&format!(
            r##"<div class="sidebar"><p>Most read: something else entirely, another thing, and a third one here.</p></div>
            <article><h1>Budget approved</h1>
              <div class="article-body">
                <p>{P1}</p>
                <div class="ad-slot">Advertisement</div>
                <p>{P2}</p>
                <div class="related-links"><h3>Related</h3><ul><li><a href="/x">Council election results announced today</a></li></ul></div>
                <p>{P3}</p>
              </div>
              <div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Tweet this</a></div>
            </article>"##
        ));
        let c = run(&html, Some("Budget approved"));
        assert_eq!(body(&c), format!("{P1}\n\n{P2}\n\n{P3}"));
        assert!(c.looks_like_article);
        assert_eq!(c.related.len(), 1);
        assert_eq!(
            c.related[0].title,
            "Council election results announced today"
        );
        assert_eq!(c.related[0].url, "https://example.com/x");
    }

    #[test]
    fn br_separated_text_in_divs() {
        let html = page(&format!(
            r#"<div id="story">{P1}<br><br>{P2}<br/><br/>{P3}</div>"#
        ));
        let c = run(&html, None);
        let texts: Vec<&str> = c.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, vec![P1, P2, P3]);
    }

    #[test]
    fn headings_lists_quotes_kept_with_kinds() {
        let html = page(&format!(
            r#"<main><div class="content"><h1>Budget approved</h1><p>{P1}</p><h2>What changes</h2>
            <ul><li>More buses on every main route</li><li>New bike lanes downtown</li></ul>
            <blockquote><p>It is a good day for the city, and for everyone who lives here.</p></blockquote>
            <p>{P2}</p><pre>line 1
line 2</pre><p>{P3}</p></div></main>"#
        ));
        let c = run(&html, Some("Budget approved"));
        let kinds: Vec<BlockKind> = c.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            vec![
                BlockKind::Paragraph,
                BlockKind::Heading,
                BlockKind::ListItem,
                BlockKind::ListItem,
                BlockKind::Quote,
                BlockKind::Paragraph,
                BlockKind::Preformatted,
                BlockKind::Paragraph
            ]
        );
        assert_eq!(c.blocks[1].text, "What changes");
        assert_eq!(c.blocks[6].text, "line 1\nline 2");
        assert!(!body(&c).contains("Budget approved"));
    }

    #[test]
    fn read_also_box_goes_to_related_and_placeholders_vanish() {
        let html = page(&format!(
            r#"<div class="text-content"><p>{P1}</p>
            <div class="box"><strong>Read also</strong> <a href="https://example.com/other">Kim expects Russia to help ease sanctions</a></div>
            <p>{P2} {{{{item.group_date}}}}</p><p>{P3}</p></div>"#
        ));
        let c = run(&html, None);
        assert_eq!(body(&c), format!("{P1}\n\n{P2}\n\n{P3}"));
        assert_eq!(c.related.len(), 1);
        assert_eq!(c.related[0].url, "https://example.com/other");
    }

    #[test]
    fn token_hints_do_not_match_inside_words() {
        let html = page(&format!(
            r#"<div class="article-header-ad-free shadow navigable"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>"#
        ));
        let c = run(&html, None);
        assert_eq!(c.blocks.len(), 3);
    }

    #[test]
    fn page_builder_widgets_and_responsive_visibility_keep_the_article() {
        // every block of the article in its own `…-widget-…` wrapper, a paragraph
        // shown only on desktop; a truly hidden box and a call-to-action box dropped
        let html = page(&format!(
            r#"<div class="elementor-widget-wrap"><div class="elementor-widget elementor-widget-text-editor">
                 <div class="elementor-widget-container"><p>{P1}</p></div></div>
               <div class="elementor-widget elementor-hidden-mobile elementor-hidden-tablet"><p>{P2}</p></div>
               <div class="widget-span dnd-module overflow-hidden field--label-hidden"><p>{P3}</p></div>
               <div class="hidden"><p>Subscribe now to keep reading every story, without limits, for a dollar.</p></div>
               <div class="card cta-letter cta"><p>Support our newsroom, because good journalism costs money, and we need you.</p></div>
             </div>"#
        ));
        let c = run(&html, None);
        assert_eq!(body(&c), format!("{P1}\n\n{P2}\n\n{P3}"));
    }

    #[test]
    fn a_box_with_most_of_the_prose_is_not_cleaned_away_for_its_hint() {
        // the article's own wrapper carries a "promoted" flag; a second strong
        // block (a summary) makes the selection widen to their common parent
        let html = page(&format!(
            r#"<div class="page"><div class="summary-box"><p>{P1}</p><p>{P1} Again, and once more.</p></div>
               <div class="node node--promoted"><h2>Steps</h2><p>{P2}</p><p>{P3}</p>
               <p>{P2} And then some more words.</p><p>{P3} With a longer ending.</p></div></div>"#
        ));
        let c = run(&html, None);
        let b = body(&c);
        assert!(b.contains(P1) && b.contains(P2) && b.contains(P3), "{b}");
    }

    #[test]
    fn article_split_into_blocks_of_one_kind_is_kept_whole() {
        // a CMS "html block" per section: each block is its own wrapper with the
        // same classes; the sibling blocks score less than the best one
        let long = format!("{P1} {P2} {P3} {P1}");
        let html = page(&format!(
            r#"<div class="col"><div class="sqs-block html-block block-580fb349"><div class="inner"><p>{long}</p><p>{long}</p><p>{long}</p></div></div>
               <div class="sqs-block image-block"><img src="/a.jpg"></div>
               <div class="sqs-block html-block block-77aa1234"><div class="inner"><h2>Second part</h2><p>{P2}</p></div></div>
               <div class="sqs-block html-block block-0b3c9f12"><div class="inner"><p>{P3}</p></div></div></div>"#
        ));
        let c = run(&html, None);
        let b = body(&c);
        assert!(
            b.contains("Second part") && b.contains(P2) && b.ends_with(P3),
            "{b}"
        );
    }

    #[test]
    fn tables_in_figures_are_body_one_row_a_block() {
        let html = page(&format!(
            r#"<article><div class="entry-content"><p>{P1}</p><p>{P2}</p>
               <figure class="wp-block-table"><table><thead><tr><th>Rank</th><th>Company</th></tr></thead>
               <tbody><tr><td>1</td><td>State Farm</td></tr><tr><td>2</td><td>Progressive</td></tr></tbody></table>
               <figcaption>Source: company filings</figcaption></figure>
               <figure><img src="/a.jpg"><figcaption>The council chamber on Tuesday</figcaption></figure>
               <p>{P3}</p></div></article>"#
        ));
        let c = run(&html, None);
        assert_eq!(
            body(&c),
            format!("{P1}\n\n{P2}\n\nRank | Company\n\n1 | State Farm\n\n2 | Progressive\n\n{P3}")
        );
        assert!(c.looks_like_article);
    }

    #[test]
    fn lists_of_short_sentences_in_paragraphs_are_kept() {
        let html = page(&format!(
            r#"<article><div class="entry-content"><p>{P1}</p><h2>Key takeaways</h2>
               <ul><li><p>Set clear goals for the event.</p></li><li><p>Assign roles to the team.</p></li></ul>
               <p>{P2}</p><p>{P3}</p></div></article>"#
        ));
        let c = run(&html, None);
        let b = body(&c);
        assert!(
            b.contains("Key takeaways")
                && b.contains("Set clear goals")
                && b.contains("Assign roles"),
            "{b}"
        );
    }

    #[test]
    fn react_streaming_chunks_take_their_placeholders_place() {
        let html = page(&format!(
            r#"<main><article><div class="article-body"><p>{P1}</p><template id="B:0"></template>
               <p>{P3}</p></div></article></main>
               <div hidden id="S:0"><div class="chunk"><p>{P2}</p></div></div>
               <script>$RC("B:0","S:0")</script>"#
        ));
        let c = run(&html, None);
        assert_eq!(body(&c), format!("{P1}\n\n{P2}\n\n{P3}"));
    }

    #[test]
    fn react_streaming_segments_fill_their_placeholders_too() {
        // a boundary chunk holds a segment placeholder (`P:n`) a later chunk fills
        let html = page(&format!(
            r#"<main><article><div class="article-body"><p>{P1}</p><template id="B:0"></template>
               </div></article></main>
               <div hidden id="S:0"><div id="toc_a"><template id="P:2"></template></div></div>
               <div hidden id="S:2"><div class="chunk"><p>{P2}</p><p>{P3}</p></div></div>
               <script>$RC("B:0","S:0");$RS("S:2","P:2")</script>"#
        ));
        let c = run(&html, None);
        assert_eq!(body(&c), format!("{P1}\n\n{P2}\n\n{P3}"));
    }

    #[test]
    fn a_passage_rendered_twice_is_kept_once_a_lone_repeated_line_twice() {
        // responsive variants: the same article body twice side by side
        let step = "Warm up: ten minutes of easy jogging, then five short strides at a brisk pace.";
        let html = page(&format!(
            r#"<main><article><div class="content">
               <div class="v-desktop"><h2>Intro</h2><p>{P1}</p><p>{P2}</p></div>
               <div class="v-mobile"><h2>Intro</h2><p>{P1}</p><p>{P2}</p></div>
               <h3>Day one</h3><p>{step}</p><p>{P3}</p><h3>Day two</h3><p>{step}</p>
               <p>Then run for forty minutes at an even, comfortable pace, and walk home.</p>
               </div></article></main>"#
        ));
        let b = body(&run(&html, None));
        assert_eq!(b.matches(P1).count(), 1, "{b}");
        assert_eq!(b.matches(P2).count(), 1, "{b}");
        assert_eq!(b.matches("Intro").count(), 1, "{b}");
        assert_eq!(b.matches(step).count(), 2, "{b}");
    }

    #[test]
    fn collapsed_accordion_panels_are_content_other_hidden_parts_are_not() {
        let html = page(&format!(
            r#"<main><article><p>{P1}</p>
               <div class="acc"><a id="h0" role="button" aria-controls="c0">1. First step</a>
               <div id="c0" role="region" aria-labelledby="h0" style="display:none"><p>{P2}</p></div></div>
               <div hidden="until-found"><p>{P3}</p></div>
               <div style="display: none"><p>Sign in to read more of this and other stories every day.</p></div>
               </article></main>"#
        ));
        let b = body(&run(&html, None));
        assert!(b.contains(P2) && b.contains(P3), "{b}");
        assert!(!b.contains("Sign in"), "{b}");
    }

    #[test]
    fn article_blocks_of_one_kind_in_separate_chapters_are_kept_together() {
        // a long chapter and three short ones, each body block (one class) in a
        // wrapper of its own kind
        let long = format!("<p>{P1}</p><p>{P2}</p><p>{P3}</p>").repeat(2);
        let short = |n: u32, t: &str| {
            format!(
                r#"<div class="layout-{n}"><h2>Part</h2><div class="x"><div class="rte"><p>{t}</p></div></div></div>"#
            )
        };
        let html = page(&format!(
            r#"<main><div class="chapters">
               <div class="layout-a"><h2>Start</h2><div class="inner"><div class="rte">{long}</div></div></div>
               {}{}{}
               </div></main>"#,
            short(2, "Chapter two tells how the plan came together over a long summer of meetings and drafts and votes in the old town hall and how the council at last agreed on it after the mayor spoke for an hour about the buses."),
            short(3, "Chapter three follows the money that came from three sources and was spent in two years on roads and schools and two new bus lines that now run from the station to the hospital and back every ten minutes."),
            short(4, "Chapter four asks what comes next and who will pay for the upkeep once the grant runs out and whether the buses will keep running at night when the drivers ask for better pay next year."),
        ));
        let b = body(&run(&html, None));
        assert!(
            b.contains(P1) && b.contains("Chapter two") && b.contains("Chapter four"),
            "{b}"
        );
    }

    #[test]
    fn spacer_paragraphs_of_zero_width_characters_are_not_blocks() {
        let html = page(&format!(
            "<main><article><p>{P1}</p><p>\u{200D}</p><p>&zwj;&#8203;</p><p>\u{FEFF} </p><p>{P2}</p></article></main>"
        ));
        let c = run(&html, None);
        assert_eq!(body(&c), format!("{P1}\n\n{P2}"));
    }

    #[test]
    fn teaser_cards_scoring_high_do_not_widen_the_selection() {
        let card = |t: &str| {
            format!(
                r#"<article class="article-item"><h3><a href="/{t}">{t}</a></h3>
                   <p>An excerpt of the story, with a sentence or two, that stands for the whole of it on the list, {t}.</p></article>"#
            )
        };
        let html = page(&format!(
            r#"<div class="page"><div class="main-col"><div class="article-body"><p>{P1}</p><p>{P2}</p><p>{P3}</p>
               <p>{P1} {P2}</p><p>{P3} {P2}</p></div></div>
               <div class="side-col"><div class="grid">{}{}{}{}</div></div></div>"#,
            card("Alpha"),
            card("Beta"),
            card("Gamma"),
            card("Delta")
        ));
        let b = body(&run(&html, None));
        assert!(b.contains(P1), "{b}");
        assert!(!b.contains("An excerpt"), "{b}");
    }

    #[test]
    fn hide_classes_that_hide_a_part_do_not_prune() {
        for v in [
            "hide-bottom-border",
            "hide-from-toc",
            "field--label-hidden",
            "overflow-hidden",
        ] {
            let mut h = Hints::default();
            attr_hints(v, &mut h);
            assert!(!h.neg, "{v}");
        }
        for v in ["hidden", "is-hidden", "js-hide"] {
            let mut h = Hints::default();
            attr_hints(v, &mut h);
            assert!(h.neg, "{v}");
        }
    }

    #[test]
    fn lists_with_some_links_inside_the_article_are_kept_link_lists_are_not() {
        let html = page(&format!(
            r#"<article><div class="entry-content"><p>{P1}</p><p>{P2}</p>
               <ul><li><a href="/a">Official website</a>: Six Senses</li><li><a href="/b">Flagship hotel</a>: Yao Noi</li></ul>
               <p>{P3}</p>
               <ul><li><a href="/c">Another story about the council budget</a></li><li><a href="/d">The mayor's new bus routes</a></li></ul>
               </div></article>"#
        ));
        let c = run(&html, None);
        let b = body(&c);
        assert!(b.contains("Official website: Six Senses"), "{b}");
        assert!(!b.contains("Another story"), "{b}");
    }

    #[test]
    fn hinted_boxes_of_one_class_holding_most_prose_are_the_content() {
        // a list article: every item's text sits in an "excerpt" box
        let html = page(&format!(
            r#"<main><div class="list"><h2>First place</h2><div class="venue-excerpt"><p>{P1}</p></div>
               <h2>Second place</h2><div class="venue-excerpt"><p>{P2}</p></div>
               <h2>Third place</h2><div class="venue-excerpt"><p>{P3}</p></div></div>
               <div class="comment-item"><p>Great list, thanks for sharing it with all of us here today!</p></div></main>"#
        ));
        let c = run(&html, None);
        let b = body(&c);
        assert!(b.contains(P1) && b.contains(P2) && b.contains(P3), "{b}");
        assert!(!b.contains("Great list"), "{b}");
    }

    #[test]
    fn a_sub_heading_before_an_appended_sibling_paragraph_is_kept() {
        let long = format!("{P1} {P2} {P3}");
        let html = page(&format!(
            r#"<article><div class="story"><div class="main-text"><p>{long}</p><p>{long}</p><p>{long}</p></div>
               <h2>What comes next</h2><p>{P2}</p></div></article>"#
        ));
        let c = run(&html, None);
        let b = body(&c);
        assert!(b.contains("What comes next\n\n"), "{b}");
    }

    #[test]
    fn photo_credits_are_not_body() {
        for line in [
            "Photo: Jane Doe/Reuters",
            "Photograph by John Smith for The Paper",
            "© Jane Doe/Agency",
            "The harbour at dawn. © Jane Doe",
            "Image credit: NASA",
        ] {
            assert!(is_boiler_line(line), "{line}");
        }
        for line in [
            "Photography is the art of capturing light, and it has changed a lot.",
            "The company said the logo © was registered in 1999.",
        ] {
            assert!(!is_boiler_line(line), "{line}");
        }
    }

    #[test]
    fn react_streaming_chunks_are_not_hidden_content() {
        // `<div hidden id="S:0">` holds a streamed chunk a script moves into place
        let html = page(&format!(
            r#"<main><div id="article"><p>{P1}</p></div></main>
               <div hidden id="S:0"><p>{P2}</p><p>{P3}</p></div>
               <div hidden><p>A hidden paragraph that readers never see on the rendered page at all.</p></div>"#
        ));
        let c = run(&html, None);
        let b = body(&c);
        assert!(b.contains(P2) && b.contains(P3), "{b}");
        assert!(!b.contains("never see"), "{b}");
    }

    #[test]
    fn listing_page_is_not_an_article() {
        let mut items = String::new();
        for i in 0..30 {
            items.push_str(&format!(
                r#"<div class="item"><a href="/story/{i}">Headline number {i} about something</a><span>2 hours ago</span></div>"#
            ));
        }
        let html = page(&format!(r#"<div class="list">{items}</div>"#));
        let c = run(&html, None);
        assert!(!c.looks_like_article);
    }

    #[test]
    fn empty_and_garbage_inputs_do_not_panic() {
        for html in [
            "",
            "<html></html>",
            "<script>only()</script>",
            "\u{0}\u{1}\u{fffd}<<<>>>",
            "<p>short</p>",
        ] {
            let c = run(html, None);
            assert!(!c.looks_like_article);
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut html = String::new();
        for _ in 0..5_000 {
            html.push_str("<div>");
        }
        html.push_str(P1);
        let c = run(&html, None);
        assert!(c.blocks.len() <= 1);
    }

    #[test]
    fn whitespace_is_normalized() {
        assert_eq!(normalize_ws("  a\u{a0}\u{2009}b\n\tc\u{200b}d  "), "a b cd");
        assert_eq!(
            strip_placeholders("x {{item.group_date}} y".to_string()),
            "x y"
        );
    }

    #[test]
    fn boilerplate_lines() {
        assert!(is_boiler_line("November 20, 2019"));
        assert!(is_boiler_line(
            "segunda-feira, 22 de janeiro de 2018 às 0:13"
        ));
        assert!(!is_boiler_line("In 2018 he won the race."));
        assert!(!is_boiler_line(
            "The plan costs 20 million euros in 2019 and 2020 and will be reviewed."
        ));
        assert!(is_boiler_line("Tags: politics, economy"));
        assert!(is_boiler_line("Advertisement"));
        assert!(is_boiler_line("Image 3 of 5"));
        assert!(is_boiler_line(
            "Follow The Daily Opinion section on Facebook, Twitter (@DailyOpinion) and Instagram."
        ));
        assert!(!is_boiler_line(
            "He said he would follow the rules, as Twitter users demanded."
        ));
        assert!(is_boiler_line("Sign up for our free daily newsletter."));
        assert!(is_readalso_line("READ MORE: Council approves the budget"));
        assert!(!is_readalso_line("Read more books, the mayor said."));
    }

    #[test]
    fn embedded_tweet_in_social_wrapper_is_kept_and_custom_inline_elements_join() {
        let html = page(&format!(
            r#"<div class="story-text"><p>{P1}</p>
            <div class="social-media-embed"><blockquote class="twitter-tweet"><p>This budget is a disgrace, and voters will remember it next year.</p>- Someone (@someone) <a href="https://twitter.com/x/status/1">November 18, 2019</a></blockquote></div>
            <p>{P2} (<x-source><a href="https://pubmed.example/1">1</a></x-source>).</p><p>{P3}</p></div>"#
        ));
        let c = run(&html, None);
        let b = body(&c);
        assert!(b.contains("This budget is a disgrace"), "{b}");
        assert!(b.contains("overdue. (1)."), "{b}");
    }
}
