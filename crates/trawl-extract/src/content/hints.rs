//! Tags and class/id hints: what an element is, and whether its class, id or role says
//! boilerplate (comment, share, related, ad, …), content, a related-links box or an embed.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
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
    pub(super) fn is_inline(self) -> bool {
        matches!(
            self,
            Tag::Text | Tag::A | Tag::Inline | Tag::Br | Tag::Img | Tag::Input | Tag::Embed
        )
    }
    pub(super) fn is_block(self) -> bool {
        !self.is_inline()
    }
}

/// How an element is treated when the arena is built.
pub(super) enum Class {
    /// Not entered at all.
    Skip,
    Keep(Tag),
}

pub(super) fn classify(name: &str) -> Class {
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
/// `commentlist`); with [`CHROME_SUBSTR`] (`sharebar`), the negative substring hints.
pub(super) const NEG_SUBSTR: &[&str] = &[
    "comment",
    "disqus",
    "related",
    "promo",
    "sponsor",
    "trending",
    "mostread",
    "most-read",
    "most_read",
    "popular",
    "banner",
    // not bare "widget": page builders (Elementor, HubSpot, Next.js component
    // libraries) wrap every block of the article in `…-widget-…` containers
    "widget-area",
    "widgetarea",
    "widget_area",
    "pagination",
    "byline",
    "dateline",
    "timestamp",
    "caption",
    "copyright",
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
/// `header-ad-free` do not match `ad`/`nav` unless they are a token); with
/// [`CHROME_TOKENS`], the negative token hints.
pub(super) const NEG_TOKENS: &[&str] = &[
    "dek",
    "lede",
    "tags",
    "tag",
    "tools",
    "tool",
    "credit",
    "credits",
    "author",
    "authors",
    "meta",
    "date",
    "search",
    "pager",
    "combx",
    "shoutbox",
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
pub(super) const RESPONSIVE_TOKENS: &[&str] = &[
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
pub(super) const HIDE_PREFIXES: &[&str] = &[
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
pub(super) const PART_TOKENS: &[&str] = &["overflow", "label", "title", "heading", "icon"];

pub(super) const POS_TOKENS: &[&str] = &[
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

pub(super) const POS_SUBSTR: &[&str] = &[
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
pub(super) struct Hints {
    pub(super) neg: bool,
    pub(super) pos: bool,
    pub(super) strong_pos: bool,
    /// Readability-style class weight (±25 per attribute).
    pub(super) weight: i32,
    pub(super) related: bool,
    /// a negative hint that positive tokens do not veto (standfirst, deck)
    pub(super) force: bool,
    /// class/id names an embed (`twitter-tweet`, `social-embed`, `instagram-media`).
    pub(super) embed: bool,
    /// a negative hint naming site chrome ([`CHROME_SUBSTR`], [`CHROME_TOKENS`]).
    pub(super) chrome: bool,
}

pub(super) const CAT_NEG: u8 = 1;
pub(super) const CAT_POS: u8 = 2;
pub(super) const CAT_RELATED: u8 = 4;
pub(super) const CAT_EMBED: u8 = 8;
pub(super) const CAT_FORCE: u8 = 16;
pub(super) const CAT_CHROME: u8 = 32;

/// Substring hints of site chrome (navigation, ads, sharing, consent, sign-up boxes): what
/// no page's main text holds, unlike comments, teasers, bylines or captions, which are a
/// listing's or a forum's content.
pub(super) const CHROME_SUBSTR: &[&str] = &[
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
    "advert",
    "outbrain",
    "taboola",
    "popup",
    "signup",
    "masthead",
    "toolbar",
    "skiplink",
    // a shop's carousels of other products
    "recommend",
    "recently-viewed",
    "recentlyviewed",
    "recently_viewed",
    "upsell",
    "cross-sell",
    "crosssell",
    "also-like",
    "alsolike",
    "also-bought",
];

/// Token hints of site chrome (see [`CHROME_SUBSTR`]).
pub(super) const CHROME_TOKENS: &[&str] = &[
    "ad",
    "ads",
    "adv",
    "adsense",
    "advertising",
    "nav",
    "navbar",
    "navigation",
    // DocBook's page header and footer (PostgreSQL's and many manuals' "Prev | Up | Next")
    "navheader",
    "navfooter",
    // MediaWiki's furniture around an article (Wikipedia, Fandom, ArchWiki and every other wiki
    // on it): the "From <wiki>" tagline, the "Retrieved from …" print footer, the category links
    "sitesub",
    "printfooter",
    "catlinks",
    "menu",
    "modal",
    "overlay",
    "login",
    "footer",
    "foot",
    "print",
    "rss",
    "skyscraper",
];

/// One automaton for every substring hint, built once: each class/id value is
/// scanned a single time, case-insensitively, without allocating.
pub(super) static HINT_AC: once_cell::sync::Lazy<Option<(aho_corasick::AhoCorasick, Vec<u8>)>> =
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
        add(CHROME_SUBSTR, CAT_NEG | CAT_CHROME);
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

/// Whether a class name with a `hidden`/`hide` token hides the element at every size: no
/// screen-size or part token (`hidden-xs`, `overflow-hidden`), and no token other than a
/// state prefix (`is-hidden`, `js-hide`; but `hide-bottom-border` hides a part).
fn hides_outright(name: &str) -> bool {
    for tok in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        if tok.is_empty()
            || tok.len() > 12
            || tok.eq_ignore_ascii_case("hidden")
            || tok.eq_ignore_ascii_case("hide")
        {
            continue;
        }
        if !HIDE_PREFIXES.iter().any(|t| t.eq_ignore_ascii_case(tok)) {
            return false;
        }
        if RESPONSIVE_TOKENS
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tok))
            || PART_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(tok))
        {
            return false;
        }
    }
    true
}

/// The negative tokens ([`NEG_TOKENS`] and [`CHROME_TOKENS`]), the chrome tokens and
/// [`POS_TOKENS`] as sets, for the tokens of each class/id value.
#[allow(clippy::type_complexity)]
static TOKEN_SETS: once_cell::sync::Lazy<(
    rustc_hash::FxHashSet<&'static [u8]>,
    rustc_hash::FxHashSet<&'static [u8]>,
    rustc_hash::FxHashSet<&'static [u8]>,
)> = once_cell::sync::Lazy::new(|| {
    let set = |list: &[&'static str]| list.iter().map(|t| t.as_bytes()).collect();
    let neg = NEG_TOKENS
        .iter()
        .chain(CHROME_TOKENS)
        .map(|t| t.as_bytes())
        .collect();
    (neg, set(CHROME_TOKENS), set(POS_TOKENS))
});

pub(super) fn attr_hints(value: &str, h: &mut Hints) {
    let mut cats = 0u8;
    if let Some((ac, pat_cats)) = HINT_AC.as_ref() {
        for m in ac.find_overlapping_iter(value) {
            // Not inside a Tailwind variant (`print:…`, `[.sidebar-open_&]:…`): a colon
            // after the match, in the same class name, makes it one.
            let rest = &value.as_bytes()[m.end()..];
            let name_rest = rest
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(rest, |i| &rest[..i]);
            if name_rest.contains(&b':') {
                continue;
            }
            cats |= pat_cats[m.pattern().as_usize()];
        }
    }
    let mut neg = cats & CAT_NEG != 0;
    let mut chrome = cats & CAT_CHROME != 0;
    let mut pos = cats & CAT_POS != 0;
    if pos {
        h.strong_pos = true;
    }
    if !(neg && pos) {
        // Tailwind-style `hidden md:block`: hidden on small screens only
        let responsive_variant = value.contains(':');
        for name in value.split_ascii_whitespace() {
            let mut hide = false;
            let mut name_neg = false;
            // The class proper, after any Tailwind variants (`print:break-inside-avoid`
            // is not a print-only box, `xl:hidden` still reads as `hidden`).
            let utility = name.rsplit(':').next().unwrap_or(name);
            let mut toks = utility
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|t| !t.is_empty())
                .peekable();
            while let Some(tok) = toks.next() {
                if tok.len() > 12 {
                    continue;
                }
                // `adv-heading…`: a block plugin's "advanced heading" (Kadence's
                // `kt-adv-heading356_…` holds every heading and paragraph of its pages), not
                // an advert
                if tok.eq_ignore_ascii_case("adv")
                    && toks.peek().is_some_and(|n| {
                        n.get(..7)
                            .is_some_and(|p| p.eq_ignore_ascii_case("heading"))
                    })
                {
                    continue;
                }
                if tok.eq_ignore_ascii_case("hidden") || tok.eq_ignore_ascii_case("hide") {
                    hide = true;
                    continue;
                }
                if !name_neg || !pos {
                    // `tok` is ASCII alphanumeric, at most 12 bytes: its lower case is
                    // what `eq_ignore_ascii_case` compares with the (lower-case) lists.
                    let mut buf = [0u8; 12];
                    let lower = &mut buf[..tok.len()];
                    lower.copy_from_slice(tok.as_bytes());
                    lower.make_ascii_lowercase();
                    if !name_neg && TOKEN_SETS.0.contains(&*lower) {
                        name_neg = true;
                        chrome |= TOKEN_SETS.1.contains(&*lower);
                    }
                    if !pos && TOKEN_SETS.2.contains(&*lower) {
                        pos = true;
                    }
                }
            }
            // `hidden` alone hides; `hidden-mobile`, `elementor-hidden-tablet`,
            // `hide-on-desktop`, `hidden-xs`, `hidden-print` only hide at some
            // screen sizes or media, and `overflow-hidden` clips, it does not hide
            if hide {
                name_neg = hides_outright(name) && !responsive_variant;
                chrome |= name_neg;
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
        h.chrome |= chrome;
    }
    if pos {
        h.weight += 25;
        h.pos = true;
    }
}

impl Hints {
    /// Add what another attribute's hints say (hints add up, attribute by attribute).
    fn add(&mut self, o: Hints) {
        self.neg |= o.neg;
        self.pos |= o.pos;
        self.strong_pos |= o.strong_pos;
        self.weight += o.weight;
        self.related |= o.related;
        self.force |= o.force;
        self.embed |= o.embed;
        self.chrome |= o.chrome;
    }
}

/// The hints of an element's class, id, role and itemprop (`a`: its attributes); `cache`
/// keeps each class or id value's hints for the rest of the page.
pub(super) fn element_hints<'a>(
    a: &crate::dom::Common<'a>,
    cache: &mut rustc_hash::FxHashMap<&'a str, Hints>,
) -> Hints {
    let mut h = Hints::default();
    for v in [a.class, a.id].into_iter().flatten() {
        h.add(*cache.entry(v).or_insert_with(|| {
            let mut one = Hints::default();
            attr_hints(v, &mut one);
            one
        }));
    }
    if let Some(role) = a.role {
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
    if let Some(ip) = a.itemprop {
        if ip.contains("articleBody") || ip.contains("articlebody") {
            h.pos = true;
            h.strong_pos = true;
            h.weight += 50;
        }
    }
    h
}

/// Whether an element with the attributes `a` is hidden from readers.
pub(super) fn is_hidden(a: &crate::dom::Common) -> bool {
    // React streaming SSR sends late chunks as `<div hidden id="S:0">` and moves
    // them into place with a script: their content is the page as readers see it
    // a collapsed accordion/disclosure panel (WAI-ARIA pattern: a region labelled by
    // its toggle; `hidden="until-found"`) is content a reader opens with one click
    if (a.role == Some("region") && a.aria_labelledby.is_some()) || a.hidden == Some("until-found")
    {
        return false;
    }
    if a.hidden.is_some() && !a.id.is_some_and(|id| id.starts_with("S:")) {
        return true;
    }
    if a.class.is_some_and(is_screen_reader_only) {
        return true;
    }
    a.style
        .is_some_and(|style| style_hides(style) != StyleHide::No)
}

/// The class names of the common "visually hidden" utilities (Bootstrap `sr-only`,
/// `visually-hidden`; WordPress `screen-reader-text`; Foundation `show-for-sr`; Drupal
/// `element-invisible`; HTML5 Boilerplate `visuallyhidden`; SUIT/BEM `u-visually-hidden`; the
/// Skin design system's `clipped`):
/// text clipped to a 1-pixel box for screen readers ("Opens in a new window", a repeated
/// price or title, "Image", a form label). A sighted reader never sees it.
const SCREEN_READER_ONLY: &[&str] = &[
    "sr-only",
    "sr-only-focusable",
    "screen-reader-text",
    "screen-reader-only",
    "screenreader-only",
    "visually-hidden",
    "visually-hidden-focusable",
    "visuallyhidden",
    "is-visually-hidden",
    "u-visually-hidden",
    "u-hidden-visually",
    "show-for-sr",
    "element-invisible",
    "assistive-text",
    "clipped",
];

/// Whether a class attribute names a screen-reader-only utility ([`SCREEN_READER_ONLY`]).
fn is_screen_reader_only(class: &str) -> bool {
    class.split_ascii_whitespace().any(|name| {
        SCREEN_READER_ONLY
            .iter()
            .any(|sr| sr.eq_ignore_ascii_case(name))
    })
}

/// What an inline style hides.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum StyleHide {
    No,
    /// `display:none` (alone or with `visibility:hidden`).
    Display,
    /// `visibility:hidden` only: the element keeps its place (a loading guard may reveal it).
    Visibility,
}

/// Reads `display:none` / `visibility:hidden` in an inline style (any case and spacing),
/// without allocating.
pub(super) fn style_hides(style: &str) -> StyleHide {
    let mut compact = [0u8; 64];
    let mut n = 0;
    let mut visibility = false;
    for &b in style.as_bytes() {
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
        if w.ends_with(b"display:none") {
            return StyleHide::Display;
        }
        visibility |= w.ends_with(b"visibility:hidden");
    }
    if visibility {
        StyleHide::Visibility
    } else {
        StyleHide::No
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    #[test]
    fn inline_styles_that_hide() {
        assert_eq!(style_hides("color: red"), StyleHide::No);
        assert_eq!(style_hides("Display : None"), StyleHide::Display);
        assert_eq!(
            style_hides("visibility:hidden; display:none"),
            StyleHide::Display
        );
        assert_eq!(
            style_hides("visibility: hidden; min-height: 100vh"),
            StyleHide::Visibility
        );
        let long = format!("{}visibility:hidden", "margin:0;".repeat(20));
        assert_eq!(style_hides(&long), StyleHide::Visibility);
    }

    /// The hints of one class or id value.
    pub(in crate::content) fn hints_of(value: &str) -> Hints {
        let mut h = Hints::default();
        attr_hints(value, &mut h);
        h
    }

    #[test]
    fn an_advanced_heading_is_not_an_advert() {
        let hints = hints_of;
        assert!(!hints("kt-adv-heading356_9c83af-2d wp-block-kadence-advancedheading").neg);
        assert!(hints("adv-slot").chrome);
        assert!(hints("box adv").chrome);
    }

    #[test]
    fn token_lists_are_lower_case_and_short() {
        // `attr_hints` looks tokens up lower-cased, and skips those over 12 bytes.
        for t in NEG_TOKENS.iter().chain(CHROME_TOKENS).chain(POS_TOKENS) {
            assert!(t.len() <= 12, "{t}");
            assert!(
                t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{t}"
            );
        }
    }
}
