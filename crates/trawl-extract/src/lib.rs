//! Article extraction from raw HTML bytes. No I/O, no async.
//!
//! Input: a response body's bytes, its URL and its Content-Type (if known).
//! Output: an [`trawl_core::Article`].
//!
//! Layout (the page is parsed once into a `scraper::Html`; every stage reads that DOM):
//! - [`decode`]: bytes → `String` (BOM, Content-Type charset, `<meta charset>`, sniffing);
//! - [`meta`]: title, lead, authors, dates, section, topics, dateline, language,
//!   canonical URL, image (JSON-LD, OpenGraph, Twitter, `<meta>`, microdata, visible bylines);
//! - [`content`]: the main-content scorer: body blocks, related links, boilerplate removal;
//! - [`simhash`]: the 64-bit SimHash content fingerprint.

pub mod classify;
pub mod content;
pub mod decode;
mod dom;
pub mod guard;
pub mod meta;
pub mod simhash;

use thiserror::Error;
use trawl_core::Article;

/// Why a body could not be extracted at all. (A page that parses but is not an
/// article is not an error: it returns an `Article` with `is_article = false`.)
#[derive(Debug, Error)]
pub enum ExtractError {
    #[error("empty body")]
    Empty,
    #[error("body of {size} bytes exceeds the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("not HTML: {0}")]
    NotHtml(String),
    #[error("invalid URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
}

/// Limits and switches for [`extract_with`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Bodies larger than this are refused with [`ExtractError::TooLarge`].
    pub max_input_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_input_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Extract an article with default [`Options`].
pub fn extract(
    body: &[u8],
    url: &str,
    content_type: Option<&str>,
) -> Result<Article, ExtractError> {
    extract_with(body, url, content_type, &Options::default())
}

/// Extract an article.
///
/// Steps: size check → content-type check → [`decode`] → parse once with
/// `scraper` → [`meta::extract_meta`] and [`content::extract_content`] over the
/// same DOM → composition (body, word count, SimHash, id, `is_article`).
pub fn extract_with(
    body: &[u8],
    url: &str,
    content_type: Option<&str>,
    options: &Options,
) -> Result<Article, ExtractError> {
    extract_with_features(body, url, content_type, options).map(|(a, _)| a)
}

/// [`extract_with`], also returning the `is_article` model's feature vector (named by
/// [`classify::FEATURE_NAMES`]); `scripts/train-is-article.py` trains on these.
pub fn extract_with_features(
    body: &[u8],
    url: &str,
    content_type: Option<&str>,
    options: &Options,
) -> Result<(Article, Vec<f64>), ExtractError> {
    if body.len() > options.max_input_bytes {
        return Err(ExtractError::TooLarge {
            size: body.len(),
            limit: options.max_input_bytes,
        });
    }
    let base = url::Url::parse(url).map_err(|e| ExtractError::BadUrl {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    if let Some(ct) = content_type {
        if !is_html_type(ct) {
            return Err(ExtractError::NotHtml(ct.to_string()));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ExtractError::Empty);
    }
    let decoded = decode::decode(body, content_type);
    if !looks_like_markup(&decoded.text) {
        return Err(ExtractError::NotHtml(match content_type {
            Some(ct) => format!("{ct} body does not look like HTML"),
            None => "body does not look like HTML (binary or plain text)".to_string(),
        }));
    }
    let html = guard::limit_nesting(&decoded.text, guard::MAX_DEPTH);
    let doc = scraper::Html::parse_document(&html);
    drop(html);
    drop(decoded);
    // Every URL in the page (links, related, image, canonical) resolves against the
    // document's base: `<base href>` when present, else the page's (final) URL.
    let base = document_base(&doc, &base);
    let meta = meta::extract_meta(&doc, &base);
    let content = content::extract_content(&doc, &base, meta.title.as_deref());
    let stats = classify::PageStats::from_doc(&doc);
    let verdict = judge(url, &meta, &content, &stats);
    // A page that is not one article keeps its main region's text, lists and all.
    let page_blocks = (!verdict.is_article).then(|| {
        // A client-rendered page that shows next to no text but ships its content for
        // readers without script in a `<noscript>` (Discourse forums, other script apps):
        // the body comes from that markup when it shows more than twice the page's text.
        // The verdict and the metadata stay the page's own.
        let fallback = (verdict.words < classify::MIN_ARTICLE_WORDS)
            .then(|| noscript_document(&doc))
            .flatten()
            .filter(|alt| classify::PageStats::from_doc(alt).text_chars > 2 * stats.text_chars);
        let title = meta.title.as_deref();
        let blocks = content::extract_page_text(fallback.as_ref().unwrap_or(&doc), &base, title);
        // A page whose content waits, hidden with `display:none`, for a script to reveal it
        // (a shop's access or deferred-loading app): with next to no text of its own, the page
        // text comes from the largest such block when that gives at least 100 words and more
        // than twice the page's own.
        let own = block_words(&blocks);
        if fallback.is_none()
            && verdict.words < classify::MIN_ARTICLE_WORDS
            && own < classify::MIN_ARTICLE_WORDS as usize
        {
            if let Some(alt) = revealed_document(&doc) {
                let revealed = content::extract_page_text(&alt, &base, title);
                let words = block_words(&revealed);
                if words >= 100 && words > 2 * own {
                    return revealed;
                }
            }
        }
        blocks
    });
    drop(doc);
    Ok(compose(url, meta, content, page_blocks, verdict))
}

/// The markup of the page's largest `<noscript>` (which the parser, as a browser running
/// scripts does, keeps as raw text), parsed as a document, when it holds a page's worth of
/// markup (at least 2,000 bytes with paragraphs or boxes in it).
fn noscript_document(doc: &scraper::Html) -> Option<scraper::Html> {
    const MIN_BYTES: usize = 2_000;
    let mut best: Option<&str> = None;
    for node in doc.tree.nodes() {
        let scraper::Node::Element(e) = node.value() else {
            continue;
        };
        if e.name() != "noscript" {
            continue;
        }
        for child in node.children() {
            if let scraper::Node::Text(t) = child.value() {
                let text: &str = &t.text;
                if text.len() >= MIN_BYTES && best.is_none_or(|b| text.len() > b.len()) {
                    best = Some(text);
                }
            }
        }
    }
    let markup = best?;
    (markup.contains("<p") || markup.contains("<div"))
        .then(|| scraper::Html::parse_document(markup))
}

/// The children of the page's largest `display:none` block (by the text it holds outside
/// scripts and styles, at least 1,000 bytes), as a document of their own. One walk of the
/// page: a hidden block inside another is part of the outer one's text, never larger.
fn revealed_document(doc: &scraper::Html) -> Option<scraper::Html> {
    use ego_tree::iter::Edge;
    const MIN_TEXT: usize = 1_000;
    let hidden = |n: &ego_tree::NodeRef<'_, scraper::Node>| {
        n.value()
            .as_element()
            .and_then(|e| dom::attr(e, "style"))
            .is_some_and(content::style_hides_element)
    };
    let no_text = |n: &ego_tree::NodeRef<'_, scraper::Node>| {
        n.value()
            .as_element()
            .is_some_and(|e| matches!(e.name(), "script" | "style" | "template"))
    };
    let mut best: Option<(usize, ego_tree::NodeRef<'_, scraper::Node>)> = None;
    // The outermost hidden block open now, and the text seen in it so far.
    let mut open: Option<(ego_tree::NodeId, usize)> = None;
    let mut skip = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => {
                if no_text(&n) {
                    skip += 1;
                } else if open.is_none() && hidden(&n) {
                    open = Some((n.id(), 0));
                } else if let (Some((_, text)), scraper::Node::Text(t), 0) =
                    (open.as_mut(), n.value(), skip)
                {
                    *text += t.trim().len();
                }
            }
            Edge::Close(n) => {
                if no_text(&n) {
                    skip -= 1;
                } else if let Some((_, text)) = open.filter(|(id, _)| *id == n.id()) {
                    if text >= MIN_TEXT && best.is_none_or(|(b, _)| text > b) {
                        best = Some((text, n));
                    }
                    open = None;
                }
            }
        }
    }
    let (_, node) = best?;
    let inner = scraper::ElementRef::wrap(node)?.inner_html();
    Some(scraper::Html::parse_document(&inner))
}

/// The `is_article` verdict and the model's feature vector (from the article method's body).
struct Verdict {
    is_article: bool,
    features: Vec<f64>,
    /// The article method's word count (the body's, unless page text replaces it).
    words: u32,
}

fn judge(
    url: &str,
    meta: &meta::Meta,
    content: &content::Content,
    stats: &classify::PageStats,
) -> Verdict {
    let word_count = u32::try_from(block_words(&content.blocks)).unwrap_or(u32::MAX);
    let features = classify::features(url, stats, meta, content, word_count);
    let is_article =
        !classify::overruled(url, meta, word_count) && classify::model_says_article(&features);
    Verdict {
        is_article,
        features,
        words: word_count,
    }
}

/// Drops an author's bio after the article: one of the last three paragraphs (of five or more
/// blocks) that opens with an author's full name and a predicate ("Rebecca Norris is a
/// full-time freelance writer …", "Scott Levine has no position in …"). Whether any went.
fn drop_author_bios(blocks: &mut Vec<trawl_core::Block>, authors: &[String]) -> bool {
    const PREDICATES: &[&str] = &[
        " is ", " has ", " was ", " writes ", " covers ", " joined ", " serves ", " holds ",
        " lives ", ", a ", ", an ", ", the ",
    ];
    if blocks.len() < 5 {
        return false;
    }
    let names: Vec<&str> = authors
        .iter()
        .map(|a| a.trim())
        .filter(|a| a.split_whitespace().nth(1).is_some())
        .collect();
    if names.is_empty() {
        return false;
    }
    let is_bio = |b: &trawl_core::Block| {
        b.kind == trawl_core::BlockKind::Paragraph
            && names.iter().any(|n| {
                b.text
                    .strip_prefix(n)
                    .is_some_and(|rest| PREDICATES.iter().any(|p| rest.starts_with(p)))
            })
    };
    let before = blocks.len();
    let tail = blocks.split_off(before - 3);
    blocks.extend(tail.into_iter().filter(|b| !is_bio(b)));
    blocks.len() != before
}

/// The words of the blocks joined into a body (no word spans two blocks).
fn block_words(blocks: &[trawl_core::Block]) -> usize {
    blocks.iter().map(|b| count_words(&b.text)).sum()
}

fn join_blocks(blocks: &[trawl_core::Block]) -> String {
    let mut body = String::new();
    for b in blocks {
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(&b.text);
    }
    body
}

/// The URL relative references in `doc` resolve against (HTML "document base URL"): the
/// first `<base href>`, itself resolved against the page URL, when it is an http(s) URL;
/// otherwise the page URL.
pub fn document_base(doc: &scraper::Html, page: &url::Url) -> url::Url {
    // The first `base[href]` in document order (a selector match, without the selector).
    doc.tree
        .root()
        .descendants()
        .filter_map(|n| n.value().as_element())
        .find_map(|e| (e.name() == "base").then(|| dom::attr(e, "href")).flatten())
        .and_then(|href| page.join(href.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page.clone())
}

/// Media types we parse. Unknown binary types are refused; a missing type is sniffed.
fn is_html_type(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime.is_empty()
        || mime == "text/html"
        || mime == "application/xhtml+xml"
        || mime.ends_with("+html")
        || mime == "application/octet-stream"
}

/// Cheap sniff: markup in the first KiB, and not binary (NULs / many control chars).
fn looks_like_markup(text: &str) -> bool {
    // Leading blank lines (template engines emit many) do not count.
    let text = text.trim_start();
    let head: &str = {
        let mut end = text.len().min(1024);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    };
    let controls = head
        .chars()
        .filter(|c| (c.is_control() && !c.is_whitespace()) || *c == '\u{fffd}')
        .count();
    head.contains('<') && controls * 20 < head.chars().count().max(1)
}

fn compose(
    url: &str,
    meta: meta::Meta,
    content: content::Content,
    page_blocks: Option<Vec<trawl_core::Block>>,
    verdict: Verdict,
) -> (Article, Vec<f64>) {
    let Verdict {
        is_article,
        features,
        words,
    } = verdict;
    let (blocks, word_count) = match page_blocks {
        Some(page) => {
            let words = u32::try_from(block_words(&page)).unwrap_or(u32::MAX);
            (page, words)
        }
        None => {
            let mut blocks = content.blocks;
            let words = if drop_author_bios(&mut blocks, &meta.authors) {
                u32::try_from(block_words(&blocks)).unwrap_or(u32::MAX)
            } else {
                words
            };
            (blocks, words)
        }
    };
    let body = join_blocks(&blocks);
    let dateline = blocks
        .first()
        .and_then(|b| meta::dateline_from_text(&b.text))
        .or(meta.dateline);
    let language = meta::language::choose(meta.language, &body);
    let id = trawl_core::article_id(meta.canonical_url.as_deref().unwrap_or(url));
    let content_fingerprint = format!("{:016x}", simhash::simhash64(&body));
    let article = Article {
        schema_version: trawl_core::ARTICLE_SCHEMA_VERSION,
        id,
        version: 1,
        url: url.to_string(),
        canonical_url: meta.canonical_url,
        title: meta.title,
        lead: meta.lead,
        authors: meta.authors,
        published_at: meta.published_at,
        modified_at: meta.modified_at,
        section: meta.section,
        topics: meta.topics,
        dateline,
        language,
        body,
        paragraphs: blocks,
        word_count,
        image: meta.image,
        related: content.related,
        links: meta.links,
        content_fingerprint,
        is_article,
        fetched_at: None,
        aliases: Vec::new(),
    };
    (article, features)
}

/// Words: whitespace-separated tokens, except that each CJK character (Han,
/// kana) counts as one word, since Chinese and Japanese do not separate words
/// with spaces (Korean does).
pub fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .map(|tok| {
            let cjk = tok.chars().filter(|&c| is_cjk(c)).count();
            if cjk == 0 {
                1
            } else {
                // The CJK characters, plus one for any run of other letters/digits.
                cjk + usize::from(tok.chars().any(|c| c.is_alphanumeric() && !is_cjk(c)))
            }
        })
        .sum()
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}' // kana
        | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' // Han
    )
}

/// The absolute http(s) `<link rel="canonical" href="…">` in the first 64 KiB of
/// a raw body, found without parsing (for callers that must choose a page URL
/// before extracting, such as `trawl extract` on local files).
pub fn sniff_canonical_url(body: &[u8]) -> Option<String> {
    use once_cell::sync::Lazy;
    use regex::bytes::Regex;
    static LINK: Lazy<Regex> =
        Lazy::new(|| Regex::new(r#"(?i-u)<link\b[^>]{0,400}>"#).expect("static regex"));
    static REL: Lazy<Regex> =
        Lazy::new(|| Regex::new(r#"(?i-u)\brel\s*=\s*["']?canonical\b"#).expect("static regex"));
    static HREF: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r#"(?i-u)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).expect("static regex")
    });
    let head = &body[..body.len().min(64 * 1024)];
    for tag in LINK.find_iter(head) {
        let tag = tag.as_bytes();
        if !REL.is_match(tag) {
            continue;
        }
        let caps = HREF.captures(tag)?;
        let raw = caps.get(1).or(caps.get(2)).or(caps.get(3))?.as_bytes();
        let href = std::str::from_utf8(raw).ok()?.trim();
        let u = url::Url::parse(href).ok()?;
        return matches!(u.scheme(), "http" | "https").then(|| u.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_sniffing() {
        assert_eq!(
            sniff_canonical_url(
                b"<head><link rel=\"canonical\" href=\"http://tass.com/politics/1024890\">"
            )
            .as_deref(),
            Some("http://tass.com/politics/1024890")
        );
        assert_eq!(
            sniff_canonical_url(b"<link href='https://x.example/a' rel='canonical'/>").as_deref(),
            Some("https://x.example/a")
        );
        assert_eq!(
            sniff_canonical_url(b"<link rel=canonical href=/relative>"),
            None
        );
        assert_eq!(
            sniff_canonical_url(b"<link rel=stylesheet href=https://x/a.css>"),
            None
        );
        assert_eq!(sniff_canonical_url(b"\xff\xfe garbage"), None);
    }

    #[test]
    fn markup_sniffing() {
        assert!(looks_like_markup(&format!(
            "{}<html><p>hi</p>",
            "\n".repeat(5000)
        )));
        assert!(!looks_like_markup("just some plain text, no tags at all"));
        assert!(!looks_like_markup(
            "<\u{0}\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{e}\u{f}\u{10}\u{11}"
        ));
    }

    #[test]
    fn a_page_whose_content_waits_hidden_for_a_script_takes_its_body_from_that_block() {
        let specs: String = (0..12)
            .map(|i| {
                format!(
                    "<li>Feature {i}: a roast of arabica beans for flavour and robusta for strength, \
                     ground for drip machines.</li>"
                )
            })
            .collect();
        let page = format!(
            "<html><head><title>Dark Roast Coffee - Shop</title>\
             <script type=\"application/ld+json\">{{\"@type\":\"Product\",\"name\":\"Dark Roast Coffee\"}}</script>\
             </head><body><header><a href=\"/\">Shop</a></header>\
             <main><div class=\"lockdown-content\" style=\"display: none;\">\
             <h1>Dark Roast Coffee</h1><p>$19.99</p><div class=\"product__description\">\
             <p>Meet the yin to your yang: a bold dark roast that has your back all day long.</p>\
             <ul>{specs}</ul></div></div></main>\
             <div style=\"display:none\" class=\"modal\"><p>Sign up for offers.</p></div>\
             <footer>Shop footer</footer></body></html>"
        );
        let url = "https://shop.example/products/dark-roast";
        let a = extract(page.as_bytes(), url, None).unwrap();
        assert!(!a.is_article, "{a:?}");
        assert!(a.body.contains("Meet the yin to your yang"), "{}", a.body);
        assert!(a.body.contains("Feature 11: a roast"), "{}", a.body);
        assert!(!a.body.contains("Sign up for offers"), "{}", a.body);
        // A page with text of its own keeps it: the hidden block does not replace it.
        let own = page.replace(
            "<main>",
            &format!(
                "<main><p>{}</p>",
                "The shop's own visible words. ".repeat(40)
            ),
        );
        let b = extract(own.as_bytes(), url, None).unwrap();
        assert!(
            b.body.contains("The shop's own visible words."),
            "{}",
            b.body
        );
        assert!(!b.body.contains("Meet the yin"), "{}", b.body);
    }

    #[test]
    fn a_script_app_page_takes_its_body_from_its_noscript_markup() {
        let mut posts = String::new();
        for i in 0..12 {
            posts.push_str(&format!(
                "<div class=\"post\"><span class=\"creator\">user{i}</span><p>Reply number {i}: \
                 I upgraded the resolver last week, and the build, which used to fail, now passes \
                 on every platform we test.</p></div>"
            ));
        }
        let page = format!(
            "<html><head><title>Confusing resolver structure - Forum</title></head><body>\
             <noscript><style>#splash{{display:none}}</style></noscript>\
             <div id=\"app\"></div><noscript data-path=\"/t/confusing-resolver/1\">\
             <header><a href=\"/\">Forum</a></header><div id=\"main-outlet\">\
             <h1>Confusing resolver structure</h1>{posts}</div><footer>Powered by a forum</footer>\
             </noscript><script>start()</script></body></html>"
        );
        let a = extract(
            page.as_bytes(),
            "https://forum.example/t/confusing-resolver/1",
            None,
        )
        .unwrap();
        assert!(a.word_count > 150, "{a:?}");
        assert!(a.body.contains("Reply number 0: I upgraded"), "{}", a.body);
        assert!(a.body.contains("Reply number 11:"), "{}", a.body);
        assert!(!a.body.contains("Powered by"), "{}", a.body);
        // a page with text of its own keeps it; a small noscript box does not replace it
        let own = page.replace(
            "<div id=\"app\"></div>",
            &format!(
                "<div id=\"app\"><p>{}</p></div>",
                "The page's own words. ".repeat(60)
            ),
        );
        let b = extract(
            own.as_bytes(),
            "https://forum.example/t/confusing-resolver/1",
            None,
        )
        .unwrap();
        assert!(b.body.contains("The page's own words."), "{}", b.body);
        assert!(!b.body.contains("Reply number"), "{}", b.body);
    }

    #[test]
    fn a_page_that_is_not_an_article_keeps_its_lists_and_cards() {
        let mut cards = String::new();
        for i in 0..15 {
            cards.push_str(&format!(
                "<li class=\"card\"><a href=\"/story/{i}\">Headline number {i} about the city budget</a>\
                 <span class=\"date\">2 hours ago</span></li>"
            ));
        }
        let page = format!(
            "<html><head><title>Latest news - Example</title></head><body>\
             <nav><a href=\"/\">Home</a><a href=\"/world\">World</a></nav>\
             <div class=\"share-tools\"><a href=\"/share\">Share this page with a friend today</a></div>\
             <main><h1>Latest news</h1><ul class=\"stories\">{cards}</ul></main>\
             <footer><p>Copyright Example News, all rights reserved.</p></footer></body></html>"
        );
        let a = extract(page.as_bytes(), "https://news.example/latest", None).unwrap();
        assert!(!a.is_article);
        for i in [0, 7, 14] {
            assert!(
                a.body
                    .contains(&format!("Headline number {i} about the city budget")),
                "{}",
                a.body
            );
        }
        assert!(!a.body.contains("Share this page"), "{}", a.body);
        assert!(!a.body.contains("Copyright"), "{}", a.body);
        assert!(!a.body.contains("World"), "{}", a.body);
    }

    #[test]
    fn an_authors_bio_after_the_article_is_not_body() {
        let para = |n: u32| {
            format!(
                "<p>Paragraph {n} of the story says that the council approved the budget on Tuesday, \
                 after a long debate about schools, roads and the buses of the city.</p>"
            )
        };
        let paras: String = (1..=5).map(para).collect();
        let page = format!(
            "<html><head><title>Council approves the budget</title>\
             <meta name=\"author\" content=\"Rebecca Norris\"></head><body><article>\
             <h1>Council approves the budget</h1>{paras}\
             <p>Rebecca Norris is a freelance writer living in the Washington, D.C. metro area.</p>\
             </article></body></html>"
        );
        let a = extract(page.as_bytes(), "https://news.example/2024/budget", None).unwrap();
        assert_eq!(a.authors, ["Rebecca Norris"]);
        assert!(a.body.contains("Paragraph 5 of the story"), "{}", a.body);
        assert!(!a.body.contains("freelance writer"), "{}", a.body);
        assert_eq!(a.word_count as usize, count_words(&a.body));
        // The same sentence inside the story, or naming someone else, stays.
        let mut blocks: Vec<trawl_core::Block> = ["Jane Roe is the mayor.", "a", "b", "c", "d"]
            .iter()
            .map(|t| trawl_core::Block {
                kind: trawl_core::BlockKind::Paragraph,
                text: t.to_string(),
            })
            .collect();
        assert!(!drop_author_bios(&mut blocks, &["Jane Roe".into()]));
        blocks.push(trawl_core::Block {
            kind: trawl_core::BlockKind::Paragraph,
            text: "John Doe is a reporter.".into(),
        });
        assert!(!drop_author_bios(&mut blocks, &["Jane Roe".into()]));
        assert!(drop_author_bios(&mut blocks, &["John Doe".into()]));
        assert_eq!(blocks.len(), 5);
    }

    #[test]
    fn base_href_governs_every_url() {
        let page = b"<html><head><base href=\"/news/\"><link rel=canonical href=\"a-1.html\">\
            <meta property=\"og:image\" content=\"img/p.jpg\"></head><body><article>\
            <h1>Headline of the story</h1><p>A paragraph long enough to be the body of this article, \
            with commas, clauses, and a full stop.</p><p>See <a href=\"b-2.html\">the other story</a> \
            for more, and more, and more text here.</p></article></body></html>";
        let a = extract(page, "https://x.example/2024/01/02/a-1.html", None).unwrap();
        assert_eq!(
            a.canonical_url.as_deref(),
            Some("https://x.example/news/a-1.html")
        );
        assert_eq!(
            a.image.as_ref().map(|i| i.url.as_str()),
            Some("https://x.example/news/img/p.jpg")
        );
        assert!(
            a.links
                .iter()
                .any(|l| l == "https://x.example/news/b-2.html"),
            "{:?}",
            a.links
        );
        // no <base>: the page URL; a non-http base is ignored
        let doc = scraper::Html::parse_document("<base href=\"javascript:alert(1)\">");
        let u = url::Url::parse("https://x.example/a/b").unwrap();
        assert_eq!(document_base(&doc, &u), u);
    }

    #[test]
    fn words() {
        assert_eq!(count_words("Hello, world  again"), 3);
        assert_eq!(count_words("東京の天気"), 5);
        assert_eq!(count_words("iPhone 15を買った"), 2 + 4);
        assert_eq!(count_words(""), 0);
    }

    #[test]
    fn html_types() {
        assert!(is_html_type("text/html; charset=utf-8"));
        assert!(is_html_type("application/xhtml+xml"));
        assert!(is_html_type(""));
        assert!(!is_html_type("image/png"));
        assert!(!is_html_type("application/json"));
    }
}
