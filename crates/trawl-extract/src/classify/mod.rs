//! `is_article`: is this page one article (news, blog post, guide, review), or a
//! listing, home, product, service, forum, documentation or error page?
//!
//! The decision is a small learned model (a logistic regression over a few dozen
//! general page features), evaluated here by hand: no ML runtime, deterministic.
//! The weights live in `is_article_model.json` (embedded with `include_str!`), written
//! by `scripts/train-is-article.py`, which trains on the shared WCXB-dev pages (all
//! seven page types) plus the Zyte news pages, and checks itself by site-grouped
//! cross-validation. The features come from:
//!
//! - one linear walk over the parsed DOM ([`PageStats::from_doc`]): how much of the
//!   text sits in links, prose paragraphs, headings that are links (teaser cards),
//!   forms/inputs/buttons, prices, `<article>`/`<time>` elements, JSON-LD and
//!   microdata types, `<title>` vs `<h1>`;
//! - the metadata ([`crate::meta::Meta`]): og:type, JSON-LD article, publish date,
//!   authors;
//! - the chosen body ([`crate::content::Content`]): prose paragraphs, words, the
//!   content scorer's own verdict;
//! - the URL's shape: depth, slug length, dated path, numeric id, query;
//! - how the words read ([`style`]): the body's voice ("we", "you", "I"), numbers and
//!   quotations, and whether the title reads as a headline or as a page name.
//!
//! A few explicit overrides hold by construction and run before the model: a search
//! URL, an error title or a body under 50 words is never an article.

use ego_tree::iter::Edge;
use once_cell::sync::Lazy;
use scraper::{Html, Node};

use crate::content::Content;
use crate::meta::Meta;
use trawl_core::BlockKind;

mod style;
pub use style::STYLE_FEATURE_NAMES;

/// Counts gathered in one walk over the DOM.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageStats {
    /// Visible text characters (not whitespace), outside `script`/`style`/…
    pub text_chars: usize,
    /// Of which inside `<a href>`.
    pub link_chars: usize,
    /// Of which inside `nav`/`header`/`footer`/`aside`.
    pub chrome_chars: usize,
    pub links: usize,
    /// `<p>` elements with at least 80 characters of text, and their text.
    pub long_p: usize,
    pub long_p_chars: usize,
    /// Of the long `<p>`s, those with less than 30% of their text in links.
    pub prose_p: usize,
    pub p: usize,
    pub li: usize,
    pub li_link_only: usize,
    pub headings: usize,
    /// `h2`–`h4` whose text is mostly a link (a teaser card's title).
    pub link_headings: usize,
    pub h1: usize,
    pub articles: usize,
    pub times: usize,
    pub forms: usize,
    /// `<input>` other than hidden/submit/button.
    pub inputs: usize,
    pub buttons: usize,
    pub selects: usize,
    pub textareas: usize,
    pub imgs: usize,
    /// Elements in `<body>` (not counting skipped subtrees' insides).
    pub elements: usize,
    pub sections: usize,
    pub iframes: usize,
    pub tables: usize,
    pub pres: usize,
    pub codes: usize,
    /// Text nodes that show a price (currency sign next to a digit).
    pub prices: usize,
    /// Elements whose class/id names a price, cart, rating or SKU.
    pub shop_hints: usize,
    /// Elements whose class/id names a comment/reply/post of a thread.
    pub thread_hints: usize,
    /// Elements whose class/id names an author/byline.
    pub byline_hints: usize,
    /// Elements whose class/id names a card/teaser/tile/item of a grid.
    pub card_hints: usize,
    /// Elements whose class/id names pagination.
    pub pager_hints: usize,
    /// `tel:` and `mailto:` links.
    pub contact_links: usize,
    /// Elements whose class/id names an avatar/user/username (posts of a thread).
    pub user_hints: usize,
    /// Elements whose class/id names a button or call to action (`btn`, `cta`).
    pub cta_hints: usize,
    /// Elements whose class/id names a breadcrumb or a table of contents / sidebar menu.
    pub toc_hints: usize,
    /// Microdata `itemtype`s.
    pub md_product: bool,
    pub md_article: bool,
    pub md_thread: bool,
    /// `<title>` text and first `<h1>` text, both at most 300 characters.
    pub title: String,
    pub h1_text: String,
}

/// JSON-LD `@type` groups seen anywhere in the page's `application/ld+json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LdTypes {
    pub article: bool,
    pub tech_article: bool,
    pub product: bool,
    pub thread: bool,
    pub faq: bool,
    pub collection: bool,
    pub webpage: bool,
    pub howto: bool,
    pub org: bool,
    pub software: bool,
    pub event: bool,
    pub list: bool,
    pub video: bool,
    pub person: bool,
    /// The page declares itself a forum discussion or a question and its answers
    /// (`DiscussionForumPosting`, `QAPage`), not the FAQ entries an article may carry.
    pub discussion: bool,
    /// The page declares itself a collection (`CollectionPage`: an archive, a category).
    pub collection_page: bool,
}

impl LdTypes {
    fn add(&mut self, t: &str) {
        let t = t
            .rsplit(['/', ':'])
            .next()
            .unwrap_or(t)
            .to_ascii_lowercase();
        match t.as_str() {
            "article"
            | "newsarticle"
            | "blogposting"
            | "reportagenewsarticle"
            | "analysisnewsarticle"
            | "opinionnewsarticle"
            | "backgroundnewsarticle"
            | "reviewnewsarticle"
            | "liveblogposting"
            | "report"
            | "scholarlyarticle"
            | "socialmediaposting"
            | "review"
            | "posting" => self.article = true,
            "techarticle" | "apireference" => self.tech_article = true,
            "product" | "offer" | "aggregateoffer" | "productgroup" | "individualproduct"
            | "productmodel" | "car" | "vehicle" => self.product = true,
            "discussionforumposting" | "qapage" => {
                self.thread = true;
                self.discussion = true;
            }
            "question" | "answer" | "comment" => self.thread = true,
            "faqpage" => self.faq = true,
            "collectionpage" => {
                self.collection = true;
                self.collection_page = true;
            }
            "searchresultspage" | "profilepage" | "itempage" | "mediagallery" | "imagegallery"
            | "videogallery" => self.collection = true,
            "webpage" | "aboutpage" | "contactpage" | "checkoutpage" => self.webpage = true,
            "howto" | "recipe" => self.howto = true,
            "organization"
            | "localbusiness"
            | "corporation"
            | "service"
            | "professionalservice"
            | "store"
            | "restaurant"
            | "hotel"
            | "medicalorganization"
            | "educationalorganization"
            | "legalservice"
            | "financialservice" => self.org = true,
            "softwareapplication"
            | "webapplication"
            | "mobileapplication"
            | "softwaresourcecode" => self.software = true,
            "event" | "course" | "jobposting" => self.event = true,
            "itemlist" | "offercatalog" => self.list = true,
            "videoobject" => self.video = true,
            "person" => self.person = true,
            _ => {}
        }
    }

    /// The groups of the JSON-LD types the metadata stage read (`Signals::jsonld_all_types`).
    pub fn of(types: &[String]) -> LdTypes {
        let mut t = LdTypes::default();
        for name in types {
            t.add(name);
        }
        t
    }
}

/// ASCII-lowercase substring test without allocating (needles are lowercase).
fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.len() <= h.len()
        && h.windows(n.len())
            .any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

fn any_ci(hay: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| contains_ci(hay, n))
}

/// Characters that are not whitespace.
fn visible_chars(t: &str) -> usize {
    if t.is_ascii() {
        t.bytes()
            .filter(|b| !b.is_ascii_whitespace() && *b != 0x0b)
            .count()
    } else {
        t.chars().filter(|c| !c.is_whitespace()).count()
    }
}

/// Class/id hint words (ASCII case-insensitive substrings), by group: shop, thread,
/// byline, card, pager, user, call to action, breadcrumb/sidebar.
const HINT_WORDS: [&[&str]; HINT_GROUPS] = [
    &["price", "cart", "basket", "sku", "rating"],
    &["comment", "reply", "thread", "forum", "replies"],
    &["author", "byline"],
    &["card", "teaser", "tile", "grid-item"],
    &["pagination", "pager", "paging"],
    &["avatar", "username", "user-info", "userinfo"],
    &["btn", "button", "cta"],
    &["breadcrumb", "toc", "sidebar", "sidenav"],
];
const HINT_GROUPS: usize = 8;

static HINTS: Lazy<aho_corasick::AhoCorasick> = Lazy::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(HINT_WORDS.iter().flat_map(|g| g.iter()))
        .expect("static patterns")
});

/// The group of each pattern of [`HINTS`].
static HINT_GROUP: Lazy<Vec<usize>> = Lazy::new(|| {
    HINT_WORDS
        .iter()
        .enumerate()
        .flat_map(|(i, g)| std::iter::repeat_n(i, g.len()))
        .collect()
});

/// A currency sign directly before or after a digit (`$12`, `12 €`, `£ 9.99`).
fn shows_price(t: &str) -> bool {
    let mut prev_digit = false;
    let mut pending_sign = false;
    for c in t.chars() {
        let sign = matches!(c, '$' | '€' | '£' | '¥' | '₹' | '₽' | '₩' | '₺' | '₴');
        if sign && prev_digit {
            return true;
        }
        if c.is_ascii_digit() && pending_sign {
            return true;
        }
        if c != ' ' && c != '\u{a0}' {
            pending_sign = sign;
            prev_digit = c.is_ascii_digit();
        }
    }
    false
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Skip,
    Link,
    Chrome,
    P,
    Li,
    H(u8),
    Title,
    Other,
}

impl PageStats {
    /// One linear walk over `doc`.
    pub fn from_doc(doc: &Html) -> PageStats {
        let mut s = PageStats::default();
        let mut skip = 0usize;
        let mut link = 0usize;
        let mut chrome = 0usize;
        // (kind, text chars at open, link chars at open)
        let mut stack: Vec<(Open, usize, usize)> = Vec::with_capacity(64);
        let mut in_title = false;
        let mut in_h1 = false;
        let mut groups_of: rustc_hash::FxHashMap<&str, [bool; HINT_GROUPS]> =
            rustc_hash::FxHashMap::default();
        for edge in doc.tree.root().traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(el) => {
                        let name = el.name();
                        let a = crate::dom::Common::read(el);
                        let kind = match name {
                            "script" | "style" | "noscript" | "template" | "svg" | "head" => {
                                Open::Skip
                            }
                            "title" => Open::Title,
                            "a" if a.href.is_some() => {
                                s.links += 1;
                                let h = a.href.unwrap_or("").trim_start().as_bytes();
                                if h.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"tel:"))
                                    || h.get(..7)
                                        .is_some_and(|p| p.eq_ignore_ascii_case(b"mailto:"))
                                {
                                    s.contact_links += 1;
                                }
                                Open::Link
                            }
                            "nav" | "header" | "footer" | "aside" => Open::Chrome,
                            "p" => {
                                s.p += 1;
                                Open::P
                            }
                            "li" => {
                                s.li += 1;
                                Open::Li
                            }
                            "h1" => {
                                s.h1 += 1;
                                s.headings += 1;
                                Open::H(1)
                            }
                            "h2" | "h3" | "h4" => {
                                s.headings += 1;
                                Open::H(name.as_bytes()[1] - b'0')
                            }
                            _ => Open::Other,
                        };
                        match name {
                            "article" => s.articles += 1,
                            "time" => s.times += 1,
                            "form" => s.forms += 1,
                            "input" => {
                                let t = a.kind.unwrap_or("text");
                                if !matches!(
                                    t.to_ascii_lowercase().as_str(),
                                    "hidden" | "submit" | "button" | "image" | "reset"
                                ) {
                                    s.inputs += 1;
                                }
                            }
                            "button" => s.buttons += 1,
                            "select" => s.selects += 1,
                            "textarea" => s.textareas += 1,
                            "img" => s.imgs += 1,
                            "section" => s.sections += 1,
                            "iframe" => s.iframes += 1,
                            "table" => s.tables += 1,
                            "pre" => s.pres += 1,
                            "code" => s.codes += 1,
                            _ => {}
                        }
                        if skip == 0 {
                            s.elements += 1;
                            for v in [a.class, a.id].into_iter().flatten() {
                                if v.len() > 200 {
                                    continue;
                                }
                                // Templates repeat their class names: match each value once.
                                let seen = *groups_of.entry(v).or_insert_with(|| {
                                    let mut seen = [false; HINT_GROUPS];
                                    for m in HINTS.find_overlapping_iter(v) {
                                        seen[HINT_GROUP[m.pattern().as_usize()]] = true;
                                    }
                                    seen
                                });
                                let counters = [
                                    &mut s.shop_hints,
                                    &mut s.thread_hints,
                                    &mut s.byline_hints,
                                    &mut s.card_hints,
                                    &mut s.pager_hints,
                                    &mut s.user_hints,
                                    &mut s.cta_hints,
                                    &mut s.toc_hints,
                                ];
                                for (c, hit) in counters.into_iter().zip(seen) {
                                    *c += usize::from(hit);
                                }
                            }
                            if let Some(it) = a.itemtype {
                                if any_ci(it, &["product", "offer"]) {
                                    s.md_product = true;
                                }
                                if any_ci(it, &["article", "blogposting"]) {
                                    s.md_article = true;
                                }
                                if any_ci(it, &["question", "answer", "comment", "discussion"]) {
                                    s.md_thread = true;
                                }
                            }
                        }
                        match kind {
                            Open::Skip => skip += 1,
                            Open::Link => link += 1,
                            Open::Chrome => chrome += 1,
                            Open::Title => in_title = true,
                            Open::H(1) if s.h1 == 1 => in_h1 = true,
                            _ => {}
                        }
                        stack.push((kind, s.text_chars, s.link_chars));
                    }
                    Node::Text(t) => {
                        if in_title && s.title.len() < 300 {
                            s.title.push_str(t);
                            continue;
                        }
                        if skip > 0 {
                            continue;
                        }
                        if in_h1 && s.h1_text.len() < 300 {
                            s.h1_text.push_str(t);
                        }
                        let n = visible_chars(t);
                        if n == 0 {
                            continue;
                        }
                        s.text_chars += n;
                        if link > 0 {
                            s.link_chars += n;
                        }
                        if chrome > 0 {
                            s.chrome_chars += n;
                        }
                        if n <= 40 && shows_price(t) {
                            s.prices += 1;
                        }
                    }
                    _ => {}
                },
                Edge::Close(node) => {
                    if !node.value().is_element() {
                        continue;
                    }
                    let Some((kind, text0, link0)) = stack.pop() else {
                        continue;
                    };
                    let text = s.text_chars - text0;
                    let linked = s.link_chars - link0;
                    match kind {
                        Open::Skip => skip -= 1,
                        Open::Link => link -= 1,
                        Open::Chrome => chrome -= 1,
                        Open::Title => in_title = false,
                        Open::P if text >= 80 && chrome == 0 => {
                            s.long_p += 1;
                            s.long_p_chars += text;
                            if linked * 10 < text * 3 {
                                s.prose_p += 1;
                            }
                        }
                        Open::Li if text > 0 && linked * 10 >= text * 8 => s.li_link_only += 1,
                        Open::H(1) => in_h1 = false,
                        Open::H(_) if text > 0 && linked * 10 >= text * 8 => s.link_headings += 1,
                        _ => {}
                    }
                }
            }
        }
        s
    }
}

// ------------------------------------------------------------------ features --

/// The names of the page's structure, metadata, body and URL features, in the order of
/// [`features`]'s output; the style features ([`STYLE_FEATURE_NAMES`]) follow them.
pub const PAGE_FEATURE_NAMES: &[&str] = &[
    // page structure
    "log_text_chars",
    "page_link_density",
    "chrome_share",
    "log_links",
    "log_long_p",
    "log_prose_p",
    "prose_p_share_of_text",
    "log_li_link_only",
    "li_link_only_share",
    "log_link_headings",
    "link_heading_share",
    "log_articles",
    "log_times",
    "log_forms",
    "log_inputs",
    "log_buttons",
    "log_selects_textareas",
    "log_tables",
    "log_code",
    "log_prices",
    "log_shop_hints",
    "log_thread_hints",
    "byline_hint",
    "log_card_hints",
    "pager_hint",
    "log_contact_links",
    "log_user_hints",
    "log_toc_hints",
    "log_cta_hints",
    "md_product",
    "md_article",
    "md_thread",
    // JSON-LD / OpenGraph
    "ld_article",
    "ld_tech_article",
    "ld_product",
    "ld_thread",
    "ld_faq",
    "ld_collection",
    "ld_webpage",
    "ld_howto",
    "ld_org",
    "ld_software",
    "ld_event",
    "ld_list",
    "og_article",
    "og_website",
    "og_product",
    "og_other",
    "og_none",
    // metadata
    "has_published",
    "has_modified",
    "has_author",
    "title_h1_agree",
    "h1_count_not_1",
    // chosen body
    "content_says_article",
    "log_words",
    "log_body_long_paras",
    "body_prose_share",
    "body_list_share",
    "log_related",
    // URL
    "url_depth",
    "url_slug_words",
    "url_slug_len",
    "url_dated",
    "url_numeric_id",
    "url_query",
    "url_root",
    "url_html",
    "url_kw_article",
    "url_kw_docs",
    "url_kw_forum",
    "url_kw_product",
    "url_kw_listing",
    "url_kw_service",
    "url_ends_in_section",
    "url_slug_kw_service",
    "og_article_without_date",
    "log_imgs",
    "log_sections",
    "log_iframes",
    "elements_per_char",
    "body_share_of_page",
    "log_headings",
    "body_heading_share",
    "date_shown",
    "url_front_page",
    "ld_discussion",
    "ld_collection_page",
];

/// `ln(1 + x)`.
fn lg(x: usize) -> f64 {
    (x as f64).ln_1p()
}

fn b(x: bool) -> f64 {
    f64::from(u8::from(x))
}

/// Share of the shorter of two normalised strings' words found in the other.
fn agreement(a: &str, b: &str) -> f64 {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    let (short, long) = if wa.len() <= wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    let hit = short.iter().filter(|w| long.contains(w)).count();
    hit as f64 / short.len() as f64
}

/// URL shape: (depth, slug words, slug length, dated path, numeric id, query, root, .html).
fn url_shape(url: &url::Url) -> [f64; 8] {
    let segs: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    let last = segs.last().copied().unwrap_or("");
    let stem = last
        .rsplit_once('.')
        .filter(|(_, ext)| ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphanumeric()))
        .map_or(last, |(s, _)| s);
    let slug_words = stem
        .split(['-', '_', '+'])
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    let is_year =
        |s: &str| s.len() == 4 && s.parse::<u32>().is_ok_and(|y| (1990..=2100).contains(&y));
    let dated = segs.windows(2).any(|w| {
        is_year(w[0]) && w[1].len() <= 2 && w[1].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
    }) || segs.iter().any(|s| {
        s.len() >= 8
            && s.as_bytes()[..8].iter().all(u8::is_ascii_digit)
            && is_year(&s[..4])
            && s[4..6].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
    });
    let numeric_id = segs.iter().any(|s| {
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let run = s
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        run >= 5 || (digits >= 4 && digits == s.len() && !is_year(s))
    });
    let html = last.ends_with(".html") || last.ends_with(".htm");
    [
        (segs.len().min(8)) as f64,
        (slug_words.min(20)) as f64,
        lg(stem.chars().count()),
        b(dated),
        b(numeric_id),
        b(url.query().is_some_and(|q| !q.is_empty())),
        b(segs.is_empty()),
        b(html),
    ]
}

/// The conventional section words of a URL path, by kind: article (news, blog, post, story…),
/// docs, forum, product, listing (tag, category, archive…), service.
const SECTION_GROUPS: [&[&str]; 6] = [
    &[
        "news",
        "blog",
        "blogs",
        "article",
        "articles",
        "post",
        "posts",
        "story",
        "stories",
        "opinion",
        "magazine",
        "column",
        "columns",
        "editorial",
        "press",
        "stories",
    ],
    &[
        "docs",
        "doc",
        "documentation",
        "api",
        "reference",
        "manual",
        "wiki",
        "help",
        "support",
        "kb",
        "knowledge-base",
        "knowledgebase",
        "sdk",
        "glossary",
        "developers",
        "developer",
        "handbook",
        "faq",
        "faqs",
    ],
    &[
        "forum",
        "forums",
        "thread",
        "threads",
        "community",
        "discussion",
        "discussions",
        "questions",
        "question",
        "t",
        "r",
        "viewtopic.php",
        "showthread.php",
        "topic",
        "answers",
        "comments",
        "board",
        "boards",
    ],
    &[
        "product", "products", "shop", "store", "item", "items", "p", "dp", "buy", "cart",
    ],
    &[
        "tag",
        "tags",
        "category",
        "categories",
        "topics",
        "archive",
        "archives",
        "author",
        "authors",
        "section",
        "page",
        "list",
        "lists",
        "collections",
        "collection",
        "search",
        "browse",
        "index",
    ],
    &[
        "service",
        "services",
        "solutions",
        "solution",
        "consulting",
        "pricing",
        "contact",
        "about",
        "company",
        "careers",
        "industries",
        "industry",
        "features",
        "platform",
        "programs",
        "program",
        "locations",
        "practice-areas",
        "what-we-do",
    ],
];

/// Which conventional section words the URL path uses (whole directory segments, or a
/// one-word last segment; a title slug's words do not count): article (news, blog,
/// post, story…), docs, forum, product, listing (tag, category, archive…), service;
/// then whether the path ends in such a word (`/news`, `/blog/`: a section's front page);
/// last, whether the last segment is a slug with a service word (`…-consulting-services`).
/// A subdomain label counts too for the first four kinds (`docs.`, `forum.`, `shop.`,
/// `blog.`: the site's software for that kind of page).
fn url_keywords(url: &url::Url) -> [bool; 8] {
    /// Subdomain labels of an article, docs, forum or shop host.
    const HOST_GROUPS: [&[&str]; 4] = [
        &["blog", "blogs", "news", "press", "magazine", "journal"],
        &[
            "docs",
            "doc",
            "developer",
            "developers",
            "learn",
            "wiki",
            "support",
            "help",
            "kb",
            "manual",
            "api",
            "devcenter",
            "reference",
        ],
        &[
            "forum",
            "forums",
            "community",
            "communities",
            "bbs",
            "discuss",
            "discourse",
            "talk",
            "answers",
            "board",
            "boards",
        ],
        &["shop", "store", "buy", "products"],
    ];
    let segs = lower_segments(url);
    let mut out = [false; 8];
    if let Some(host) = url
        .host_str()
        .filter(|h| url.domain().is_some() && h.contains('.'))
    {
        // Every label before the registrable name (two labels: an approximation that a
        // `co.uk` host only makes generous, as `co` is in no group).
        let labels: Vec<&str> = host.split('.').collect();
        // (`url` lower-cases a domain host already.)
        for label in &labels[..labels.len().saturating_sub(2)] {
            for (g, words) in HOST_GROUPS.iter().enumerate() {
                out[g] |= words.contains(label);
            }
        }
    }
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        let stem = seg.rsplit_once('.').map_or(seg.as_str(), |(a, _)| a);
        if last && stem.contains(['-', '_']) {
            // A title slug: only a service word among its words counts, apart.
            out[7] = stem
                .split(['-', '_'])
                .any(|w| SECTION_GROUPS[5].contains(&w));
            continue;
        }
        for (g, words) in SECTION_GROUPS.iter().enumerate() {
            // The whole segment, or one of its words (`technology-solutions`).
            if words.contains(&seg.as_str())
                || words.contains(&stem)
                || (!last
                    && seg
                        .split(['-', '_'])
                        .any(|w| w.len() > 2 && words.contains(&w)))
            {
                out[g] = true;
                out[6] |= last;
            }
        }
    }
    out
}

/// The URL's non-empty path segments, lower-cased.
fn lower_segments(url: &url::Url) -> Vec<String> {
    url.path_segments()
        .map(|s| {
            s.filter(|x| !x.is_empty())
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default()
}

/// The taxonomy archives of a CMS: `/category/<name>`, `/tag/<name>`, `/author/<name>`
/// (WordPress), `/sections/<name>`, `/archive/<name>`, `/label/<name>` (Blogger),
/// `/subjects/<name>`. ("topic" is not one: an encyclopedia's `/topic/<entry>` is an article.)
const TAXONOMY: &[&str] = &[
    "category",
    "categories",
    "tag",
    "tags",
    "author",
    "authors",
    "section",
    "sections",
    "archive",
    "archives",
    "label",
    "labels",
    "subject",
    "subjects",
];

/// A site's or a section's front page, which lists articles and is not one: the site root;
/// a path whose last segment is a section word (`/news`, `/blog/`, `/forums`, `/services`;
/// `/news/index.html` too) with no query (`/article?id=12` is one article); a CMS taxonomy
/// archive ([`TAXONOMY`]: `/category/science/`); any of them paged (`/blog/page/2`).
pub fn is_front_page(url: &url::Url) -> bool {
    let mut segs = lower_segments(url);
    // a listing's later pages: `…/page/2`
    if let [.., page, n] = segs.as_slice() {
        if page == "page" && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            segs.truncate(segs.len() - 2);
        }
    }
    fn stem(seg: &str) -> &str {
        seg.rsplit_once('.').map_or(seg, |(a, _)| a)
    }
    let Some(last) = segs.last() else {
        return url.query().is_none_or(str::is_empty);
    };
    // (a number after it is an item's id: WordPress's numeric permalinks are `/archives/123`)
    if let [.., taxonomy, name] = segs.as_slice() {
        if TAXONOMY.contains(&taxonomy.as_str()) && !name.bytes().all(|b| b.is_ascii_digit()) {
            return true;
        }
    }
    if url.query().is_some_and(|q| !q.is_empty()) {
        return false;
    }
    let mut section = stem(last);
    if matches!(section, "index" | "default" | "home") {
        match segs.len() {
            1 => return true,
            n => section = stem(&segs[n - 2]),
        }
    }
    SECTION_GROUPS.iter().any(|words| words.contains(&section)) || NEWS_FRONTS.contains(&section)
}

/// "News" as a section path in the languages of the larger news markets (`/nachrichten`,
/// `/noticias`, `/novosti`): a front page, as `/news` is.
const NEWS_FRONTS: &[&str] = &[
    "nachrichten",
    "noticias",
    "noticies",
    "novosti",
    "novini",
    "novyny",
    "actualites",
    "actualite",
    "notizie",
    "nieuws",
    "wiadomosci",
    "aktualnosci",
    "haberler",
    "nyheter",
    "nyheder",
    "uutiset",
    "zpravy",
];

/// Every feature name, in the order of [`features`]'s output and of the dumped vectors:
/// [`PAGE_FEATURE_NAMES`], then [`STYLE_FEATURE_NAMES`].
pub static FEATURE_NAMES: Lazy<Vec<&'static str>> = Lazy::new(|| {
    PAGE_FEATURE_NAMES
        .iter()
        .chain(STYLE_FEATURE_NAMES.iter())
        .copied()
        .collect()
});

/// The feature vector of a page (see [`FEATURE_NAMES`]).
pub fn features(
    url: &str,
    stats: &PageStats,
    meta: &Meta,
    content: &Content,
    words: u32,
) -> Vec<f64> {
    let s = stats;
    let text = s.text_chars.max(1) as f64;
    let sig = &meta.signals;
    let ld = LdTypes::of(&sig.jsonld_all_types);
    let og = sig.og_type.as_deref().unwrap_or("");
    let og_article = og.starts_with("article") || og == "blog" || og == "news";
    let og_product = is_og_product(og);
    let og_website = og == "website";
    let mut long_paras = 0usize;
    let mut prose_chars = 0usize;
    let mut list_chars = 0usize;
    let mut body_chars = 0usize;
    for bl in &content.blocks {
        let n = bl.text.chars().count();
        body_chars += n;
        match bl.kind {
            BlockKind::Paragraph | BlockKind::Quote if n >= 80 => {
                long_paras += 1;
                prose_chars += n;
            }
            BlockKind::ListItem => list_chars += n,
            _ => {}
        }
    }
    let body = body_chars.max(1) as f64;
    let parsed = url::Url::parse(url).ok();
    let shape = parsed.as_ref().map_or([0.0; 8], url_shape);
    let title_h1 = if s.h1_text.trim().is_empty() {
        0.0
    } else {
        agreement(&s.title, &s.h1_text)
    };
    let mut v = vec![
        lg(s.text_chars),
        s.link_chars as f64 / text,
        s.chrome_chars as f64 / text,
        lg(s.links),
        lg(s.long_p),
        lg(s.prose_p),
        s.long_p_chars as f64 / text,
        lg(s.li_link_only),
        s.li_link_only as f64 / (s.li.max(1) as f64),
        lg(s.link_headings),
        s.link_headings as f64 / (s.headings.max(1) as f64),
        lg(s.articles),
        lg(s.times),
        lg(s.forms),
        lg(s.inputs),
        lg(s.buttons),
        lg(s.selects + s.textareas),
        lg(s.tables),
        lg(s.pres + s.codes),
        lg(s.prices),
        lg(s.shop_hints),
        lg(s.thread_hints),
        b(s.byline_hints > 0),
        lg(s.card_hints),
        b(s.pager_hints > 0),
        lg(s.contact_links),
        lg(s.user_hints),
        lg(s.toc_hints),
        lg(s.cta_hints),
        b(s.md_product),
        b(s.md_article),
        b(s.md_thread),
        b(names_an_article(sig, &ld)),
        b(ld.tech_article),
        b(ld.product),
        b(ld.thread),
        b(ld.faq),
        b(ld.collection),
        b(ld.webpage),
        b(ld.howto),
        b(ld.org),
        b(ld.software),
        b(ld.event),
        b(ld.list),
        b(og_article),
        b(og_website),
        b(og_product),
        b(!og.is_empty() && !og_article && !og_website && !og_product),
        b(og.is_empty()),
        b(meta.published_at.is_some()),
        b(meta.modified_at.is_some()),
        b(!meta.authors.is_empty()),
        title_h1,
        b(s.h1 != 1),
        b(content.looks_like_article),
        lg(words as usize),
        lg(long_paras),
        prose_chars as f64 / body,
        list_chars as f64 / body,
        lg(content.related.len()),
    ];
    v.extend_from_slice(&shape);
    let kw = parsed.as_ref().map_or([false; 8], url_keywords);
    v.extend(kw.iter().map(|&k| b(k)));
    // WordPress/Yoast mark every page og:type=article; only posts carry a publish date.
    v.push(b(og_article && meta.published_at.is_none()));
    let heading_blocks = content
        .blocks
        .iter()
        .filter(|bl| bl.kind == BlockKind::Heading)
        .count();
    v.extend([
        lg(s.imgs),
        lg(s.sections),
        lg(s.iframes),
        (s.elements as f64 / text).min(2.0),
        (body_chars as f64 / text).min(2.0),
        lg(s.headings),
        heading_blocks as f64 / (content.blocks.len().max(1) as f64),
        b(sig.date_shown),
        b(parsed.as_ref().is_some_and(is_front_page)),
        b(ld.discussion),
        b(ld.collection_page),
    ]);
    v.extend(style::style_features(
        meta.title.as_deref().unwrap_or(""),
        content.blocks.iter().map(|bl| bl.text.as_str()),
    ));
    debug_assert_eq!(v.len(), FEATURE_NAMES.len());
    v
}

// --------------------------------------------------------------------- model --

/// The trained model: `score = bias + Σ w_i · (x_i - mean_i) / scale_i` over the features
/// it names (a subset of [`FEATURE_NAMES`], chosen by the training script); article when
/// `score ≥ threshold`.
#[derive(Debug, serde::Deserialize)]
struct Model {
    features: Vec<String>,
    mean: Vec<f64>,
    scale: Vec<f64>,
    weights: Vec<f64>,
    bias: f64,
    threshold: f64,
    /// Index into the full feature vector of each of `features` (filled at load).
    #[serde(skip)]
    index: Vec<usize>,
}

static MODEL: Lazy<Model> = Lazy::new(|| {
    let mut m: Model =
        serde_json::from_str(include_str!("is_article_model.json")).expect("valid model JSON");
    assert!(
        m.mean.len() == m.features.len()
            && m.scale.len() == m.features.len()
            && m.weights.len() == m.features.len(),
        "model vectors differ in length"
    );
    m.index = m
        .features
        .iter()
        .map(|f| {
            FEATURE_NAMES
                .iter()
                .position(|n| n == f)
                .unwrap_or_else(|| panic!("model feature {f:?} is not computed"))
        })
        .collect();
    m
});

/// The model's score (log-odds of "article") for a full feature vector.
pub fn score(x: &[f64]) -> f64 {
    let m = &*MODEL;
    m.bias
        + m.index
            .iter()
            .zip(&m.mean)
            .zip(&m.scale)
            .zip(&m.weights)
            .map(|(((&i, mu), sd), w)| w * (x[i] - mu) / sd)
            .sum::<f64>()
}

/// The model's verdict.
pub fn model_says_article(x: &[f64]) -> bool {
    score(x) >= MODEL.threshold
}

/// Below this many body words a page is a stub (a teaser, an event list, a failed
/// extraction), not an article, whatever it looks like.
pub const MIN_ARTICLE_WORDS: u32 = 50;

/// Whether the page's JSON-LD (or its metadata stage's reading of it) names an article.
fn names_an_article(sig: &crate::meta::Signals, ld: &LdTypes) -> bool {
    sig.jsonld_article || ld.article
}

/// Whether an `og:type` (lower-cased by the metadata stage) is a product's.
fn is_og_product(og: &str) -> bool {
    og.contains("product")
}

/// Overrides that hold by construction: a search-results URL, an error page, a front page
/// ([`is_front_page`]) without an article in its JSON-LD, a page whose JSON-LD declares a
/// forum discussion, a Q&A page or a collection page (and no article), a page whose `og:type`
/// is a product, or a body shorter than [`MIN_ARTICLE_WORDS`] is not an article, whatever it
/// looks like.
pub fn overruled(url: &str, meta: &Meta, words: u32) -> bool {
    let error_page = meta.title.as_deref().is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        t.contains("404")
            || t.contains("not found")
            || t.contains("page unavailable")
            || t.starts_with("error")
    });
    let parsed = url::Url::parse(url).ok();
    let search = parsed.as_ref().is_some_and(|u| {
        u.path()
            .split('/')
            .any(|seg| seg.eq_ignore_ascii_case("search"))
            || u.query_pairs()
                .any(|(k, _)| k == "q" || k == "query" || k == "s")
    });
    let sig = &meta.signals;
    let ld = LdTypes::of(&sig.jsonld_all_types);
    let ld_article = names_an_article(sig, &ld);
    // a site's or a section's front page lists articles (unless its JSON-LD says it is one)
    let front = parsed.as_ref().is_some_and(is_front_page) && !ld_article;
    // a page whose JSON-LD says it is a forum discussion, a Q&A page or a collection (and
    // names no article)
    let declared = (ld.discussion || ld.collection_page) && !ld_article;
    // a page whose Open Graph type says it is a product (`og:type` `product`, `product.item`)
    let product = sig.og_type.as_deref().is_some_and(is_og_product);
    error_page || search || front || declared || product || words < MIN_ARTICLE_WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ld_type_scan() {
        let types = |json: &str| {
            let v = crate::meta::jsonld::parse_script(json)
                .into_iter()
                .collect::<Vec<_>>();
            LdTypes::of(&crate::meta::jsonld::all_types(&v))
        };
        let t = types(
            r#"{"@context":"https://schema.org","@graph":[{"@type" : ["NewsArticle","Thing"]},{"@type":"Product","offers":{"@type":"Offer"}}]}"#,
        );
        assert!(t.article && t.product && !t.thread);
        // Nested anywhere (here an answer inside a question page's main entity).
        let t = types(
            r#"{"@type":"WebPage","mainEntity":{"@type":"Question","acceptedAnswer":{"@type":"Answer"}}}"#,
        );
        assert!(t.thread && t.webpage);
        // Broken JSON names nothing.
        assert_eq!(types(r#"{"@type": "QAPage""#), LdTypes::default());
    }

    #[test]
    fn prices() {
        assert!(shows_price("$12.99"));
        assert!(shows_price("12,00 €"));
        assert!(shows_price("£ 9"));
        assert!(!shows_price("US$ and more"));
        assert!(!shows_price("2024"));
    }

    #[test]
    fn url_keywords_read_path_segments_and_subdomains() {
        let kw = |u: &str| url_keywords(&url::Url::parse(u).unwrap());
        // [article, docs, forum, product, listing, service, ends in section, service slug]
        assert!(kw("https://docs.example.org/3/tutorial/intro.html")[1]);
        assert!(kw("https://forum.example.com/t/how-do-i-start/123")[2]);
        assert!(kw("https://blog.example.com/2024/05/a-long-post-title")[0]);
        assert!(kw("https://shop.example.co.uk/red-scarf")[3]);
        // The registrable name is not a subdomain, nor is an IP address.
        assert_eq!(kw("https://docs.com/a-page"), [false; 8]);
        assert!(!kw("https://news.example/a-page")[0]);
        assert_eq!(kw("http://127.0.0.1/a-page"), [false; 8]);
        assert!(kw("https://example.com/news/")[0] && kw("https://example.com/news/")[6]);
    }

    #[test]
    fn front_pages_are_roots_and_section_paths() {
        let front = |u: &str| is_front_page(&url::Url::parse(u).unwrap());
        for u in [
            "https://example.com/",
            "https://example.com/index.html",
            "https://example.com/news",
            "https://example.com/blog/",
            "https://example.com/en/news/index.php",
            "https://forum.example.com/forums/",
            "https://example.com/services",
            "https://example.com/category/science/",
            "https://example.com/magazine/tag/space-flight",
            "https://example.com/blog/page/3",
            "https://example.com/author/jane-doe/page/2/",
            "https://example.de/nachrichten/",
        ] {
            assert!(front(u), "{u}");
        }
        for u in [
            "https://example.com/news/2024/05/12/city-votes-on-budget",
            "https://example.com/blog/a-long-post-title/",
            "https://example.com/article?id=1024",
            "https://example.com/index.php?option=com_content&view=article&id=7",
            "https://example.com/2023/homelab/index.html",
            "https://example.com/news/1024890",
            "https://example.com/?p=123",
            "https://example.com/topic/history-of-coffee",
            "https://example.com/category/science/why-the-sky-is-blue/",
            "https://example.com/archives/1234",
        ] {
            assert!(!front(u), "{u}");
        }
    }

    #[test]
    fn url_shapes() {
        let u = url::Url::parse("https://x.example/2024/05/12/city-votes-on-budget.html").unwrap();
        let s = url_shape(&u);
        assert_eq!(s[0], 4.0);
        assert_eq!(s[1], 4.0);
        assert_eq!(s[3], 1.0);
        assert_eq!(s[7], 1.0);
        let u = url::Url::parse("https://x.example/").unwrap();
        assert_eq!(url_shape(&u)[6], 1.0);
        let u = url::Url::parse("https://x.example/news/1024890?ref=a").unwrap();
        let s = url_shape(&u);
        assert_eq!((s[4], s[5]), (1.0, 1.0));
    }

    #[test]
    fn stats_walk() {
        let p = "A paragraph of plain prose that runs on long enough, with commas and clauses, to count as prose here.";
        let html = format!(
            r#"<html><head><title>Budget approved | News</title>
            <script type="application/ld+json">{{"@type":"NewsArticle"}}</script></head><body>
            <nav><a href="/">Home</a></nav><h1>Budget approved</h1><p>{p}</p><p>{p}</p>
            <h3><a href="/x">Another story</a></h3><form><input type="text"><input type="hidden"><button>Go</button></form>
            <span class="price">$10</span></body></html>"#
        );
        let doc = Html::parse_document(&html);
        let s = PageStats::from_doc(&doc);
        assert_eq!((s.long_p, s.prose_p, s.link_headings, s.h1), (2, 2, 1, 1));
        assert_eq!((s.forms, s.inputs, s.buttons, s.prices), (1, 1, 1, 1));
        // JSON-LD types come from the metadata stage's one parse.
        let base = url::Url::parse("https://x.example/a").unwrap();
        let ld = LdTypes::of(
            &crate::meta::extract_meta(&doc, &base)
                .signals
                .jsonld_all_types,
        );
        assert!(ld.article && s.shop_hints == 1);
        assert_eq!(s.h1_text, "Budget approved");
        assert!(agreement(&s.title, &s.h1_text) > 0.99);
        assert_eq!(s.link_chars, "Home".len() + "Anotherstory".len());
    }

    const PARA: &str =
        "The council voted on Tuesday to approve the new budget, which raises spending on \
        schools, roads and public transport by almost ten percent over last year, officials said.";

    fn article_page() -> String {
        format!(
            r#"<html><head><title>Council approves budget | Herald</title>
            <meta property="og:type" content="article">
            <meta property="article:published_time" content="2024-05-12T10:00:00Z">
            <meta name="author" content="Jane Roe"></head><body>
            <header><nav><a href="/">Home</a><a href="/news">News</a></nav></header>
            <article><h1>Council approves budget</h1><p class="byline">By Jane Roe</p>{}</article>
            <footer><a href="/about">About</a></footer></body></html>"#,
            format!("<p>{PARA}</p>").repeat(6)
        )
    }

    #[test]
    fn a_plain_news_article_is_one() {
        let a = crate::extract(
            article_page().as_bytes(),
            "https://herald.example/news/2024/05/12/council-approves-budget",
            None,
        )
        .unwrap();
        assert!(a.is_article);
    }

    #[test]
    fn a_product_page_is_not_an_article() {
        let html = format!(
            r#"<html><head><title>Acme kettle 1.7 l</title><meta property="og:type" content="product">
            <script type="application/ld+json">{{"@type":"Product","offers":{{"@type":"Offer","price":"39.99"}}}}</script>
            </head><body><h1>Acme kettle 1.7 l</h1><div class="product-price">$39.99</div>
            <form class="cart"><select><option>Red</option></select><input type="number" value="1">
            <button class="btn add-to-cart">Add to cart</button></form>
            <div class="description"><p>{PARA}</p><p>{PARA}</p></div>
            <div class="rating">4.5</div></body></html>"#
        );
        let a = crate::extract(
            html.as_bytes(),
            "https://shop.example/products/acme-kettle",
            None,
        )
        .unwrap();
        assert!(!a.is_article);
    }

    #[test]
    fn a_section_front_of_teasers_is_not_an_article() {
        let mut cards = String::new();
        for i in 0..20 {
            cards.push_str(&format!(
                r#"<div class="card"><h3><a href="/news/2024/05/{i}/story-number-{i}">Story number {i} of the day</a></h3>
                <p>A short teaser for story {i}.</p><time>May {i}</time></div>"#
            ));
        }
        let html = format!(
            r#"<html><head><title>News</title><meta property="og:type" content="website"></head><body>
            <h1>News</h1>{cards}<div class="pagination"><a href="?page=2">Next</a></div></body></html>"#
        );
        let a = crate::extract(html.as_bytes(), "https://herald.example/news/", None).unwrap();
        assert!(!a.is_article);
    }

    #[test]
    fn a_short_event_list_is_not_an_article() {
        let html = r#"<html><head><title>Events on 2026-01-05</title></head><body>
            <header><a href="/">Home</a></header><main><h1>Events on 2026-01-05</h1><ul>
            <li>10:00 - Community meeting, room 4</li><li>14:00 - Community meeting, room 9</li>
            <li>19:00 - Community meeting, room 31</li></ul>
            <nav><a rel="prev" href="/calendar?date=2026-01-04">prev</a></nav></main></body></html>"#;
        let a = crate::extract(
            html.as_bytes(),
            "https://x.example/calendar?date=2026-01-05",
            None,
        )
        .unwrap();
        assert!(!a.is_article);
    }

    #[test]
    fn model_loads_and_matches_features() {
        assert!(!MODEL.index.is_empty() && MODEL.index.len() <= FEATURE_NAMES.len());
    }
}
