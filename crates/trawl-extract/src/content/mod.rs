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

use rustc_hash::FxHashSet as HashSet;

use ego_tree::NodeRef;
use scraper::{Html, Node};
use trawl_core::{Block, BlockKind, RelatedLink};
use url::Url;

/// Prose (characters of paragraph-like text) a `<main>` needs for the site furniture outside it
/// to be pruned whatever it holds.
const MAIN_MIN_PROSE: u32 = 150;

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

/// Whether an inline style hides its element outright (`display:none`, any case and
/// spacing).
pub fn style_hides_element(style: &str) -> bool {
    hints::style_hides(style) == hints::StyleHide::Display
}

/// The main text of a page that is not one article (a listing, a forum thread, a product,
/// service or documentation page): everything in its main region (`<main>`, else
/// `role="main"`, else the body) that is not navigation, header, footer, sidebar or another
/// boilerplate box, lists, cards and posts included. The article method's in-body
/// cleaning (conditional cleaning of containers, link-heavy lines, "Read also" boxes) is
/// what an article needs and such a page does not: its content is those lists.
pub fn extract_page_text(doc: &Html, base: &Url, title: Option<&str>) -> Vec<Block> {
    let arena = Arena::build(doc);
    if arena.nodes.is_empty() {
        return Vec::new();
    }
    let mut ex = Extractor::new(&arena, base, title);
    ex.run_page()
}

mod arena;
mod emit;
mod hints;
mod lines;

use arena::*;
use emit::*;
use hints::*;
use lines::*;

/// The candidates after scoring: the best one, its final score, and all of them best first.
struct Ranked {
    best: usize,
    best_score: f32,
    finals: Vec<(usize, f32)>,
}

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

    /// The method's stages, in order (see the module docs).
    fn run(&mut self) -> Content {
        // Where the prose is before pruning: hinted boxes that hold most of it are content.
        let s0 = compute_stats(self.a, &self.removed);
        self.content_classes = self.content_classes(&s0);
        self.prune(&s0, false);
        drop(s0);
        let s = compute_stats(self.a, &self.removed);
        let (mut score, is_cand) = self.score_blocks(&s);
        let Some(Ranked {
            best: best_cand,
            best_score: best,
            finals,
        }) = self.rank_candidates(&s, &mut score, &is_cand)
        else {
            return Content::default();
        };
        let (mut top, mut widened) = self.widen_to_chunks(&s, best_cand, best, &finals);
        if !widened {
            if let Some(lca) = self.widen_to_kin(&s, top, &finals) {
                top = lca;
                widened = true;
            }
        }
        top = self.climb_single_child_wrappers(&s, top);
        if *DEBUG {
            self.debug_selection(&s, top, &score, &finals);
        }
        let chosen = self.cluster_siblings(&s, top, &score, &is_cand, widened);

        let mut em = Emitter::new(self, &s, &score, &is_cand);
        em.best = best_cand as u32;
        for &c in &chosen {
            em.walk(c);
        }
        let table_blocks = em.table_blocks;
        let mut blocks = em.blocks;
        let mut related = em.related;
        drop_repeated_passages(&mut blocks);
        drop_trailing_teasers(&mut blocks);
        self.collect_pruned_related(top, &mut related);
        dedup_related(&mut related);
        self.drop_headline(&mut blocks);
        let looks_like_article = looks_like_article(&blocks, table_blocks, &s, top);
        Content {
            blocks,
            related,
            looks_like_article,
        }
    }

    /// [`extract_page_text`]: page-mode pruning, then every block of the main region.
    fn run_page(&mut self) -> Vec<Block> {
        let s0 = compute_stats(self.a, &self.removed);
        self.prune(&s0, true);
        self.prune_recommendations(&s0);
        drop(s0);
        let s = compute_stats(self.a, &self.removed);
        let root = self.main_region(&s);
        let n = self.a.nodes.len();
        let (score, is_cand) = (vec![0f32; n], vec![false; n]);
        let mut em = Emitter::new(self, &s, &score, &is_cand);
        em.page = true;
        em.walk(root);
        let mut blocks = em.blocks;
        drop_repeated_passages(&mut blocks);
        self.drop_headline(&mut blocks);
        blocks
    }

    /// The page's main region: its `<main>` (the largest, when a template nests or repeats
    /// them), else the element with `role="main"`, else the whole body; one that was
    /// pruned or holds under a third of the page's text does not count.
    fn main_region(&self, s: &Stats) -> usize {
        let mut best: Option<usize> = None;
        for (i, node) in self.a.nodes.iter().enumerate() {
            if self.removed[i] {
                continue;
            }
            let is_main = node.tag == Tag::Main
                || matches!(node.node.value(),
                    Node::Element(e) if crate::dom::attr(e, "role") == Some("main"));
            if is_main && best.is_none_or(|b| s.text[i] > s.text[b]) {
                best = Some(i);
            }
        }
        match best {
            Some(b) if s.text[b] * 3 >= s.text[0] => b,
            _ => 0,
        }
    }

    /// Classes of hinted blocks that together hold most of the page's prose (`s0`: before
    /// pruning): its content (a list article whose every item is an "excerpt" box), not
    /// boilerplate around it; comments and related boxes excepted.
    fn content_classes(&self, s0: &Stats) -> Vec<&'a str> {
        let total_prose = s0.prose[0];
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
        class_prose.keys().copied().collect()
    }

    /// Stage 2: mark boilerplate subtrees removed (boilerplate tags, hinted boxes, forms of
    /// little prose), keeping any that holds half the page's prose; remember pruned
    /// related-links boxes. In page mode (`page`), only the boilerplate tags and boxes
    /// hinted as site chrome: comments, teasers and bylines are a forum's or a listing's
    /// content.
    fn prune(&mut self, s0: &Stats, page: bool) {
        let n = self.a.nodes.len();
        let total_prose = s0.prose[0];
        // A `<main>` with prose of its own: a site footer, header or aside outside it is
        // boilerplate even when it holds most of the page's prose (a long legal disclaimer
        // under a short article).
        let main = (0..n)
            .filter(|&i| self.a.nodes[i].tag == Tag::Main && s0.prose[i] >= MAIN_MIN_PROSE)
            .max_by_key(|&i| s0.prose[i])
            .map(|i| (i, self.a.nodes[i].end as usize));
        let mut i = 0usize;
        while i < n {
            let node = &self.a.nodes[i];
            if node.tag == Tag::Text {
                // template placeholder text ("Lorem ipsum dolor sit amet…") left in an unused
                // section of a page builder is never content
                if node.chars >= 11 && is_placeholder_text(node.node.value()) {
                    self.removed[i] = true;
                }
                i += 1;
                continue;
            }
            let h = node.hints;
            let boiler_tag = match node.tag {
                // in page mode, an `<article>`'s own header that holds a heading is a teaser's
                // (a listing's cards are `<article><header><h2>title</h2>excerpt</header>`)
                Tag::Header => !(page && self.has_heading(i) && self.inside_article(i)),
                Tag::Footer | Tag::Aside => true,
                Tag::Figcaption => !page,
                _ => false,
            };
            let named = if page {
                h.chrome
            } else {
                h.neg && (h.related || !h.pos)
            };
            // (inside `<pre>`, classes are a syntax highlighter's: `hljs-comment` and Prism's
            // `token comment` mark a code comment, not a comment thread)
            let hinted = named && !h.strong_pos && !node.in_pre && !self.is_embedded_post(i);
            let form_boiler = !page && node.tag == Tag::Form && s0.prose[i] * 2 < s0.text[i].max(1);
            // (before or after the main region, never around it: an unclosed `<aside>` can hold
            // the whole page)
            let site_furniture =
                boiler_tag && main.is_some_and(|(m, end)| (node.end as usize) <= m || i >= end);
            let content_class = !page && hinted && !site_furniture && self.is_content_class(i);
            if (boiler_tag || hinted || form_boiler)
                && !content_class
                && !matches!(node.tag, Tag::Body | Tag::Main)
                && !(total_prose > 0 && s0.prose[i] * 2 >= total_prose && !site_furniture)
            {
                if *DEBUG {
                    if let Node::Element(e) = node.node.value() {
                        eprintln!(
                            "PRUNE {} class={:?} id={:?} prose={} total={} text={:?}",
                            e.name(),
                            crate::dom::attr(e, "class"),
                            crate::dom::attr(e, "id"),
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
    }

    /// Page mode: a shop's recommendation carousel ("You may also like", "Customers also
    /// viewed", "Frequently bought together", "Similar items") is other products, not this
    /// page's. The section a recommendation heading titles goes: the largest ancestor whose
    /// text starts with the heading, holding less than half the page's text, when it holds
    /// more than the heading.
    fn prune_recommendations(&mut self, s0: &Stats) {
        let n = self.a.nodes.len();
        let mut i = 0usize;
        while i < n {
            let node = &self.a.nodes[i];
            if self.removed[i] {
                i = node.end as usize;
                continue;
            }
            if !matches!(node.tag, Tag::H(_)) || s0.text[i] == 0 || s0.text[i] > 80 {
                i += 1;
                continue;
            }
            let heading = normalize_ws(&raw_text(self.a, i, &self.removed));
            if !is_recommendation_heading(&heading) {
                i = node.end as usize;
                continue;
            }
            let mut section = i;
            let mut p = node.parent;
            // (a carousel's heading sits a few wrappers deep; the climb is bounded so a
            // pathological page cannot make it quadratic)
            let mut levels = 0;
            while p != NONE && levels < 12 {
                levels += 1;
                let pi = p as usize;
                let pn = &self.a.nodes[pi];
                if matches!(pn.tag, Tag::Body | Tag::Main)
                    || s0.text[pi] * 2 > s0.text[0]
                    || self
                        .first_text(pi)
                        .is_none_or(|t| t < i || t >= node.end as usize)
                {
                    break;
                }
                section = pi;
                p = pn.parent;
            }
            // a heading with no section of its own (it opens a larger block, or its cards
            // are not in a box with it) stays: it may title the page's own text
            if s0.text[section] <= s0.text[i] {
                i = node.end as usize;
                continue;
            }
            if *DEBUG {
                eprintln!(
                    "PRUNE recommendations {heading:?}: {} chars",
                    s0.text[section]
                );
            }
            self.removed[section] = true;
            i = self.a.nodes[section].end as usize;
        }
    }

    /// The first text node with visible characters in node `i`'s subtree (removed parts
    /// skipped).
    fn first_text(&self, i: usize) -> Option<usize> {
        let end = self.a.nodes[i].end as usize;
        let mut c = i + 1;
        while c < end {
            if self.removed[c] {
                c = self.a.nodes[c].end as usize;
                continue;
            }
            if let Node::Text(t) = self.a.nodes[c].node.value() {
                if !t.text.trim().is_empty() {
                    return Some(c);
                }
            }
            c += 1;
        }
        None
    }

    /// Whether node `i` holds a heading (`<h1>`–`<h6>`).
    fn has_heading(&self, i: usize) -> bool {
        let end = self.a.nodes[i].end as usize;
        self.a.nodes[i + 1..end]
            .iter()
            .any(|n| matches!(n.tag, Tag::H(_)))
    }

    /// Whether node `i` has an `<article>` ancestor.
    fn inside_article(&self, i: usize) -> bool {
        let mut p = self.a.nodes[i].parent;
        while p != NONE {
            if self.a.nodes[p as usize].tag == Tag::Article {
                return true;
            }
            p = self.a.nodes[p as usize].parent;
        }
        false
    }

    /// Stage 3: every block with 25+ characters of its own text scores
    /// `1 + commas + min(chars/100, 3)` (less its link share) into up to five ancestors, with
    /// decreasing weight; returns the scores and which nodes are candidates.
    fn score_blocks(&self, s: &Stats) -> (Vec<f32>, Vec<bool>) {
        let n = self.a.nodes.len();
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
        (score, is_cand)
    }

    /// Each candidate's final score (its score × (1 − link density), written back into
    /// `score`); the best candidate, its score, and every candidate best first. `None`: no
    /// candidate at all.
    fn rank_candidates(&self, s: &Stats, score: &mut [f32], is_cand: &[bool]) -> Option<Ranked> {
        let mut top: Option<usize> = None;
        let mut best = f32::MIN;
        let mut finals: Vec<(usize, f32)> = Vec::new();
        for i in 0..score.len() {
            if !is_cand[i] {
                continue;
            }
            let f = score[i] * (1.0 - link_density(s, i));
            score[i] = f;
            finals.push((i, f));
            if f > best {
                best = f;
                top = Some(i);
            }
        }
        finals.sort_by(|x, y| y.1.partial_cmp(&x.1).unwrap_or(std::cmp::Ordering::Equal));
        top.map(|t| Ranked {
            best: t,
            best_score: best,
            finals,
        })
    }

    /// Stage 4a: strong candidates elsewhere (not ancestors or descendants of the best) mean
    /// the article is split into chunks: widen to their common ancestor while it is still
    /// mostly prose. Teaser cards (a linked headline over a little excerpt) are no chunk.
    /// Returns the selection and whether it was widened.
    fn widen_to_chunks(
        &self,
        s: &Stats,
        best_cand: usize,
        best: f32,
        finals: &[(usize, f32)],
    ) -> (usize, bool) {
        let mut top = best_cand;
        let mut widened = false;
        let top_end = self.a.nodes[top].end as usize;
        let teaser = |c: usize| {
            (s.prose[c] as f32) < 0.2 * s.prose[best_cand] as f32
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
                    && !(*c > best_cand && *c < top_end)
                    && !(*c < best_cand && best_cand < self.a.nodes[*c].end as usize)
            })
            .filter(|(c, _)| !teaser(*c))
            .map(|(i, _)| *i)
            .collect();
        for c in strong {
            // lowest common ancestor of the selection and c
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
            if link_density(s, pu) < 0.35 && s.prose[pu] as f32 >= 0.5 * s.text[pu] as f32 {
                top = pu;
                widened = true;
            }
        }
        (top, widened)
    }

    /// Stage 4b: the article split into blocks of one kind (same tag and class) in separate
    /// wrappers (chapters, sections): when those blocks together hold clearly more prose than
    /// the selection (1.5×) and most of their common ancestor's (¾), that ancestor.
    fn widen_to_kin(&self, s: &Stats, top: usize, finals: &[(usize, f32)]) -> Option<usize> {
        let mut kin_prose = s.prose[top];
        let mut lca = top;
        let mut kin: Vec<usize> = vec![top];
        for &(c, _) in finals {
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
                link_density(s, lca)
            );
        }
        (lca != top
            && kin_prose as f32 >= 1.5 * s.prose[top] as f32
            && kin_prose as f32 >= 0.75 * s.prose[lca] as f32
            && link_density(s, lca) < 0.35)
            .then_some(lca)
    }

    /// Up a chain of single-child wrappers with the same text.
    fn climb_single_child_wrappers(&self, s: &Stats, mut top: usize) -> usize {
        loop {
            let p = self.a.nodes[top].parent;
            if p == NONE || self.a.nodes[p as usize].tag == Tag::Body {
                return top;
            }
            if s.text[p as usize] == s.text[top] && self.element_children(p as usize) == 1 {
                top = p as usize;
            } else {
                return top;
            }
        }
    }

    /// `TRAWL_CONTENT_DEBUG`: the selection and the best candidates.
    fn debug_selection(&self, s: &Stats, top: usize, score: &[f32], finals: &[(usize, f32)]) {
        if let Node::Element(e) = self.a.nodes[top].node.value() {
            eprintln!(
                "TOP {} class={:?} id={:?} score={} prose={}",
                e.name(),
                crate::dom::attr(e, "class"),
                crate::dom::attr(e, "id"),
                score[top],
                s.prose[top]
            );
        }
        for (c, f) in finals.iter().take(8) {
            if let Node::Element(e) = self.a.nodes[*c].node.value() {
                eprintln!(
                    "  CAND {} class={:?} id={:?} score={} prose={}",
                    e.name(),
                    crate::dom::attr(e, "class"),
                    crate::dom::attr(e, "id"),
                    f,
                    s.prose[*c]
                );
            }
        }
    }

    /// Stage 4c (paragraph clustering): the selection and those of its siblings that score
    /// high, read like prose, or are prose blocks of its kind (page builders split one article
    /// into many blocks), each with the sub-heading right before it.
    fn cluster_siblings(
        &self,
        s: &Stats,
        top: usize,
        score: &[f32],
        is_cand: &[bool],
        widened: bool,
    ) -> Vec<usize> {
        let top_score = score[top].max(0.0);
        let threshold = (top_score * 0.2).max(10.0);
        let parent = self.a.nodes[top].parent;
        let mut chosen: Vec<usize> = Vec::new();
        if parent == NONE {
            chosen.push(top);
            return chosen;
        }
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
                let ld = link_density(s, c);
                let para_like = node.tag == Tag::P
                    || (!s.has_block_child[c] && !node.tag.is_inline() && !is_heading(node.tag));
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
        chosen
    }

    /// The links of related boxes pruned inside the selection's region (its enclosing
    /// `<article>`/`<main>`, else its parent).
    fn collect_pruned_related(&mut self, top: usize, related: &mut Vec<RelatedLink>) {
        let parent = self.a.nodes[top].parent;
        let (lo, hi) = if parent == NONE {
            (top as u32, self.a.nodes[top].end)
        } else {
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
        for b in std::mem::take(&mut self.related_boxes) {
            if b > lo && b < hi {
                collect_links(self.a, b as usize, self.base, related);
            }
        }
    }

    /// The headline out of the body: headings that match it, and a first block that does.
    fn drop_headline(&self, blocks: &mut Vec<Block>) {
        if let Some(t) = &self.title {
            blocks.retain(|b| !(matches!(b.kind, BlockKind::Heading) && title_matches(t, &b.text)));
            if let Some(first) = blocks.first() {
                if title_matches(t, &first.text) && norm_key(&first.text).len() >= t.len() / 2 {
                    blocks.remove(0);
                }
            }
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
            (Node::Element(ex), Node::Element(ey)) => {
                match (crate::dom::attr(ex, "class"), crate::dom::attr(ey, "class")) {
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
                }
            }
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

/// Lorem-ipsum filler: a text run that starts "Lorem ipsum" (any case).
fn is_placeholder_text(node: &Node) -> bool {
    let Node::Text(t) = node else { return false };
    let s = t.text.trim_start().as_bytes();
    s.len() >= 11 && s[..11].eq_ignore_ascii_case(b"lorem ipsum")
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

    /// The blocks' text of `html` in page mode.
    fn page_text(html: &str, url: &str) -> Vec<String> {
        let doc = Html::parse_document(html);
        let base = Url::parse(url).unwrap();
        extract_page_text(&doc, &base, None)
            .into_iter()
            .map(|b| b.text)
            .collect()
    }

    /// Every line of `boiler` is furniture, no line of `kept` is.
    fn boiler_lines(boiler: &[&str], kept: &[&str]) {
        for line in boiler {
            assert!(is_boiler_line(line), "{line}");
        }
        for line in kept {
            assert!(!is_boiler_line(line), "{line}");
        }
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
    fn a_section_whose_sentences_cite_links_stays_a_link_box_goes() {
        // a ranking's entry: a linked heading, a paragraph, a line of links (links about 45% of
        // its text, prose under 60%): the article's. A box with as much prose and more links
        // than prose (links over half its text) is a link box.
        let entry = r#"<div class="rank"><h2><a href="/harbour">2. Harbour School of Business</a></h2><p>The school, founded in 1908, is known for its finance programme and its ties to the city's banks, which hire a third of each class; its exchange scheme sends students abroad for a term, and its new library, opened last spring, stays open through the night.</p><p><a href="/h/admissions">Admissions and deadlines</a> <a href="/h/tuition">Tuition and financial aid</a> <a href="/h/profile">Class profile and outcomes</a> <a href="/h/visit">Visit the campus</a> <a href="/h/faculty">Faculty and research</a> <a href="/h/alumni">Alumni network</a> <a href="/h/grants">Scholarships and grants</a> <a href="/h/careers">Careers service</a></p></div>"#;
        let links = r#"<div class="guides"><p>Our other guides cover the schools in the rest of the country, with their fees, their deadlines and the jobs their graduates take, updated every spring by our editors, who visit each campus, talk to its students and staff and read its annual accounts.</p><p><a href="/a">Northern Institute of Management: fees and deadlines</a> <a href="/b">Eastern Business Academy: rankings explained in full</a> <a href="/c">Western College of Commerce: the admissions guide</a> <a href="/d">Southern School of Economics: what graduates earn</a> <a href="/e">Central Academy of Finance: the scholarships on offer</a> <a href="/f">Coastal School of Trade: student life and housing</a></p></div>"#;
        let html = page(&format!(
            r#"<article><h1>Budget approved</h1><div class="article-body"><p>{P1}</p>{entry}<p>{P2}</p>{links}<p>{P3}</p></div></article>"#
        ));
        let text = body(&run(&html, Some("Budget approved")));
        assert!(text.contains("known for its finance programme"), "{text}");
        assert!(text.contains("2. Harbour School of Business"), "{text}");
        assert!(!text.contains("Our other guides"), "{text}");
        assert!(text.ends_with(P3), "{text}");
    }

    #[test]
    fn a_code_blocks_highlighted_comments_stay() {
        // highlight.js and Prism mark a code comment `hljs-comment` / `token comment`: the
        // "comment" hint is a comment thread's, not a code block's
        let code = r#"<pre><code><span class="hljs-comment"># initialize the repository</span>
git init
<span class="token comment"># stage every modified file</span>
git add .</code></pre>"#;
        let html = page(&format!(
            r#"<article><h1>Budget approved</h1><div class="article-body"><p>{P1}</p>{code}<p>{P2}</p><p>{P3}</p></div></article>"#
        ));
        let text = body(&run(&html, Some("Budget approved")));
        assert!(
            text.contains(
                "# initialize the repository\ngit init\n# stage every modified file\ngit add ."
            ),
            "{text}"
        );
    }

    #[test]
    fn a_comparison_table_with_a_column_of_links_stays() {
        // a buyer's guide's table: each row's name links to its review (links about a third
        // of the table's text)
        let table = r#"<table><tr><th>Shoe</th><th>Score</th><th>Price</th><th>Weight</th></tr>
            <tr><td><a href="/r/1">Speedgoat 7</a></td><td>9.6</td><td>$165</td><td>9.1 oz, cushioned</td></tr>
            <tr><td><a href="/r/2">Peregrine 15</a></td><td>9.2</td><td>$140</td><td>9.8 oz, grippy</td></tr>
            <tr><td><a href="/r/3">Mafate X</a></td><td>9.0</td><td>$225</td><td>10.2 oz, plated</td></tr></table>"#;
        let html = page(&format!(
            r#"<article><h1>Budget approved</h1><div class="article-body"><p>{P1}</p>{table}<p>{P2}</p><p>{P3}</p></div></article>"#
        ));
        let text = body(&run(&html, Some("Budget approved")));
        assert!(text.contains("Speedgoat 7 | 9.6 | $165"), "{text}");
    }

    #[test]
    fn a_site_footer_outside_main_is_pruned_whatever_it_holds() {
        let disclaimer = "This material is not intended to replace the advice of a qualified advisor, and information has been obtained from sources believed to be reliable. ";
        let footer = |wrap: &str| {
            format!(
                r#"<!doctype html><html><body>{wrap}<main><div class="text"><p>{P1}</p><p>{P2}</p></div></main>
                <footer class="l-footer"><div class="text"><p>{}</p></div></footer></body></html>"#,
                disclaimer.repeat(6)
            )
        };
        let b = body(&run(&footer(""), None));
        assert_eq!(b, format!("{P1}\n\n{P2}"));
        // An unclosed `<aside>` around the whole page is not furniture outside the main region.
        let b = body(&run(&footer("<aside class=\"banner\">"), None));
        assert!(b.contains(P1) && b.contains(P2), "{b}");
    }

    #[test]
    fn an_open_accordion_keeps_its_question() {
        let html = page(&format!(
            r#"<article><p>{P1}</p><p>{P2}</p>
               <h3><button aria-expanded="true" aria-controls="q1">How long does the budget last?</button></h3>
               <div id="q1"><p>{P3}</p></div>
               <h3><button aria-expanded="false" aria-controls="q2">Who voted against the plan?</button></h3>
               <div id="q2" hidden><p>Four members of the council voted against it, citing the cost of buses.</p></div>
               <button class="share" aria-label="Share">Share on Facebook</button></article>"#
        ));
        let b = body(&run(&html, None));
        assert!(b.contains("How long does the budget last?"), "{b}");
        assert!(b.contains(P3), "{b}");
        assert!(!b.contains("Who voted against"), "{b}");
        assert!(!b.contains("Share on Facebook"), "{b}");
    }

    #[test]
    fn glyph_only_lines_are_not_body() {
        let html = page(&format!(
            r#"<article><p>{P1}</p><p>→</p><div>×</div><p>___</p><p>{P2}</p>
               <pre>fn main() {{
}}</pre><pre>}}</pre><p>{P3}</p></article>"#
        ));
        let c = run(&html, None);
        let texts: Vec<&str> = c.blocks.iter().map(|b| b.text.as_str()).collect();
        assert!(!texts.contains(&"→") && !texts.contains(&"×"), "{texts:?}");
        assert!(texts.contains(&"___"), "{texts:?}");
        assert!(texts.contains(&"}"), "{texts:?}");
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
    fn a_page_wide_loading_guard_does_not_hide_the_page() {
        let article = format!("<article><p>{P1}</p><p>{P2}</p><p>{P3}</p></article>");
        let guarded = page(&format!(
            r#"<div id="__next"><div style="visibility: hidden; min-height: 100vh">{article}</div></div>"#
        ));
        assert_eq!(body(&run(&guarded, None)), format!("{P1}\n\n{P2}\n\n{P3}"));
        // a hidden box beside other content stays hidden
        let boxed = page(&format!(
            r#"<div><div style="visibility:hidden"><p>{P3}</p></div><article><p>{P1}</p><p>{P2}</p></article></div>"#
        ));
        assert_eq!(body(&run(&boxed, None)), format!("{P1}\n\n{P2}"));
    }

    #[test]
    fn lorem_ipsum_filler_sections_are_not_the_article() {
        let lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua, ut enim ad minim veniam, quis nostrud.";
        let html = page(&format!(
            r#"<section class="row"><h3>Lorem Ipsum</h3><p>{lorem}</p><p>{lorem}</p><p>{lorem}</p><p>{lorem}</p></section>
            <section class="row"><h3>What changes</h3><p>{P1}</p><p>{P2}</p></section>
            <section class="row"><p>LOREM IPSUM dolor sit amet, consectetur, adipiscing, elit.</p></section>"#
        ));
        let c = run(&html, None);
        assert_eq!(body(&c), format!("What changes\n\n{P1}\n\n{P2}"));
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
    fn tailwind_variants_are_not_the_class_they_prefix() {
        let hints = hints::tests::hints_of;
        // A paragraph that avoids page breaks when printed, in a page whose sidebar is filled.
        let h = hints("mx-auto print:break-inside-avoid [html.sidebar-filled_&]:bg-tint");
        assert!(!h.neg && !h.chrome);
        assert!(!hints("xl:hidden lg:block").neg);
        assert!(hints("sidebar-left").chrome);
        assert!(hints("print-only").chrome);
        // Page mode keeps such paragraphs.
        let html = page(&format!(
            r#"<main><p class="print:break-inside-avoid">{P1}</p><p class="print:break-inside-avoid">{P2}</p></main>"#
        ));
        let text = page_text(&html, "https://example.com/a");
        assert_eq!(text.len(), 2, "{text:?}");
    }

    #[test]
    fn page_mode_drops_a_shops_recommendations_section() {
        // the carousel a recommendation heading titles goes, heading and cards; a heading that
        // merely mentions a related product, and the product's own text, stay
        let html = page(&format!(
            r#"<main><h1>Trail running shoe</h1><p>{P1}</p>
               <h2>Related product care</h2><p>{P2}</p>
               <section class="carousel"><div class="head"><h2>Customers also viewed</h2></div>
                 <ul><li><a href="/p/1">Road shoe</a> $89.00</li><li><a href="/p/2">Hiking boot</a> $129.00</li></ul></section>
               <div><h3>You may also like</h3><div class="card"><a href="/p/3">Socks, three pairs</a></div></div></main>"#
        ));
        let text = page_text(&html, "https://example.com/p/trail-shoe");
        assert_eq!(text, ["Trail running shoe", P1, "Related product care", P2],);
    }

    #[test]
    fn page_mode_keeps_a_recommendation_heading_that_opens_the_main_content() {
        // a heading at the start of a section holding most of the page is not a carousel
        let html = page(&format!(
            r#"<main><div><h2>Similar items</h2><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></main>"#
        ));
        let text = page_text(&html, "https://example.com/similar");
        assert_eq!(text, ["Similar items", P1, P2, P3]);
    }

    #[test]
    fn page_mode_drops_a_wikis_tagline_print_footer_and_category_links() {
        // MediaWiki's furniture around the page: "From <wiki>", "Retrieved from …", categories
        let html = page(&format!(
            r#"<main><h1>Portage</h1><div id="siteSub">From ExampleWiki</div><p>{P1}</p><p>{P2}</p>
               <div class="printfooter">Retrieved from "https://wiki.example/index.php?title=Portage&amp;oldid=1"</div>
               <div id="catlinks" class="catlinks"><a href="/c">Categories</a>: <a href="/c/1">Package managers</a></div></main>"#
        ));
        let text = page_text(&html, "https://wiki.example/wiki/Portage");
        assert_eq!(text, ["Portage", P1, P2]);
    }

    #[test]
    fn screen_reader_only_text_is_not_body() {
        // a visually hidden label repeats the price or title for screen readers; a sighted
        // reader, and so the body, sees it once
        let html = page(&format!(
            r#"<main><h1>Trail running shoe</h1><p>{P1}<span class="sr-only"> (opens in a new window)</span></p>
               <p>$89.00<span class="visually-hidden">Current price is: $89.00</span></p>
               <p class="screen-reader-text">Skip to the reviews</p><p>{P2}</p></main>"#
        ));
        let text = page_text(&html, "https://example.com/p/trail-shoe");
        assert_eq!(text, ["Trail running shoe", P1, "$89.00", P2]);
    }

    #[test]
    fn page_mode_keeps_teaser_cards_headed_inside_their_article() {
        // a listing's cards: `<article><header><h2>title</h2><p>excerpt</p></header>`; a
        // forum post's header (poster, date: no heading) and the site header stay out
        let html = page(&format!(
            r#"<main><article><header><h2><a href="/1">Council approves the budget</a></h2><p>{P1}</p></header></article>
               <article><header><h2><a href="/2">Opponents warn of a shortfall</a></h2><p>{P2}</p></header></article>
               <article class="post"><header><a href="/u/jo">jo_smith</a> <span>3 days ago</span></header><p>{P3}</p></article></main>"#
        ));
        let text = page_text(&html, "https://example.com/topic/budget");
        assert_eq!(
            text,
            [
                "Council approves the budget",
                P1,
                "Opponents warn of a shortfall",
                P2,
                P3
            ],
        );
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
    fn a_list_the_article_introduces_is_kept_however_many_links_it_holds() {
        let html = page(&format!(
            r#"<article><div class="entry-content"><p>{P1}</p><p>{P2}</p>
               <p>Many patches were sent for review this month:</p>
               <ul><li><a href="/pull/97">libgccjit: support floating point types</a></li><li><a href="/pull/98">libgccjit: allow casts between integers and pointers</a></li></ul>
               <p>{P3}</p>
               <p>You may also be interested in the following articles:</p>
               <ul><li><a href="/c">Another story about the council budget</a></li><li><a href="/d">The mayor's new bus routes</a></li></ul>
               </div></article>"#
        ));
        let c = run(&html, None);
        let b = body(&c);
        assert!(b.contains("libgccjit: allow casts between integers"), "{b}");
        assert!(!b.contains("Another story"), "{b}");
    }

    #[test]
    fn a_task_list_with_disabled_checkboxes_is_not_a_form() {
        let html = page(&format!(
            r#"<article><div class="entry-content"><p>{P1}</p><p>{P2}</p>
               <h3>Venue and rentals</h3>
               <ul><li><input disabled type="checkbox"> Venue rental fee, about six thousand</li>
               <li><input disabled type="checkbox"> Tables, chairs and linens if not included</li>
               <li><input disabled type="checkbox"> Dance floor, lighting and sound</li></ul>
               <p>{P3}</p>
               <form><ul><li><input type="checkbox" name="a"> Email me news</li><li><input type="checkbox" name="b"> Email me offers</li></ul></form>
               </div></article>"#
        ));
        let b = body(&run(&html, None));
        assert!(b.contains("Tables, chairs and linens"), "{b}");
        assert!(!b.contains("Email me offers"), "{b}");
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
        boiler_lines(
            &[
                "Photo: Jane Doe/Reuters",
                "Photograph by John Smith for The Paper",
                "© Jane Doe/Agency",
                "The harbour at dawn. © Jane Doe",
                "Image credit: NASA",
                "Photo : Jean Dupont / AFP",
                "Fot. Jan Kowalski/PAP",
                "Фото — Иван Петров",
                "EFE / Juan Pérez",
                "ТАСС",
            ],
            &[
                "Photography is the art of capturing light, and it has changed a lot.",
                "Apple shares rose after the results.",
                "EFEKT: the council said the plan worked.",
                "The company said the logo © was registered in 1999.",
            ],
        );
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
        assert_eq!(
            strip_placeholders("News {{lter-title\">Feed".to_string()),
            "News"
        );
    }

    #[test]
    fn metadata_lines_at_the_top_of_the_body() {
        for line in [
            "By Rick Steves",
            "Written by Cassidy Horton",
            "September 1st, 2023 By Emily Norwood",
            "Last Updated: December 15th 2025",
            "By Ann Lee and Bob Stone",
        ] {
            assert!(is_top_meta_line(line), "{line}");
        }
        for line in [
            "By the way, the council approved the budget",
            "Pride and Prejudice by Jane Austen",
            "By clicking Accept you agree.",
            "Deadline to apply: March 1st, 2026 for all students who enrolled before the summer.",
        ] {
            assert!(!is_top_meta_line(line), "{line}");
        }
        assert!(is_boiler_line(
            "Copyright © 2025 WABC-TV. All Rights Reserved."
        ));
        assert!(is_boiler_line("You may also like..."));
        assert!(!is_boiler_line(
            "All rights reserved, the company said of its patents."
        ));
        assert!(is_boiler_line("Reading Time: 11 minutes"));
        assert!(is_boiler_line("5 min read"));
        assert!(!is_boiler_line("Read the 5 minutes that changed it"));
        // An ordinal date counts only at the top of the body (elsewhere it may be content).
        assert!(!is_boiler_line("Deadline to apply: March 1st, 2026"));
        // In the body: the byline at the top goes, a teaser's byline further down stays.
        let p = "<p>The council approved the 2025 budget after a long debate on Tuesday evening, \
                 officials said, and the mayor welcomed it.</p>";
        let page = format!(
            "<html><body><article><h1>Budget approved</h1><p>By Rick Steves</p>{p}{p}{p}\
             <p>By Other Writer</p>{p}</article></body></html>"
        );
        let body = body(&run(&page, Some("Budget approved")));
        assert!(!body.contains("By Rick Steves"), "{body}");
        assert!(body.contains("By Other Writer"), "{body}");
    }

    #[test]
    fn teaser_excerpts_after_the_article_are_dropped_one_ellipsis_stays() {
        let para = |t: &str| Block {
            kind: BlockKind::Paragraph,
            text: t.to_string(),
        };
        let article = [
            "The council voted on Tuesday to extend the programme.",
            "Its members said the money would come from reserves.",
            "The vote was close, and the debate went on for hours.",
        ];
        let teasers = [
            "MEMBERS of the Traffic department won the Police Carolling Contest for the third ...",
            "WHEN YOU DONATE blood, you not only help to save a life, you are given a full…",
        ];
        let mut blocks: Vec<Block> = article.iter().chain(&teasers).map(|t| para(t)).collect();
        drop_trailing_teasers(&mut blocks);
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, article);
        // One paragraph ending in an ellipsis is the article's own.
        let mut blocks: Vec<Block> = article
            .iter()
            .chain(&teasers[..1])
            .map(|t| para(t))
            .collect();
        drop_trailing_teasers(&mut blocks);
        assert_eq!(blocks.len(), 4);
        // A body of excerpts only is not cut to nothing.
        let mut blocks: Vec<Block> = teasers.iter().map(|t| para(t)).collect();
        drop_trailing_teasers(&mut blocks);
        assert_eq!(blocks.len(), 2);
    }

    #[test]
    fn metadata_strips_at_the_top_are_not_body() {
        for line in [
            "05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde - Tags: sad",
            "On Behalf of Smith Tunstall PLLC | Apr 21, 2017 | Products Liability",
            "Fitzg | Posted in General Discussion on February 24, 2006 02:01am",
            "Posted in News · 2024-05-12",
        ] {
            assert!(is_top_meta_line(line), "{line}");
        }
        for line in [
            "Posted in 2019, the report - later revised - changed the rules.",
            "The category: winners of the 2021 prize - all 12 of them",
        ] {
            assert!(!is_top_meta_line(line), "{line}");
        }
    }

    #[test]
    fn boilerplate_lines() {
        assert!(is_boiler_line("November 20, 2019"));
        assert!(!is_boiler_line(
            "— Governor Kristi Noem (@govkristinoem) November 18, 2019"
        ));
        assert!(is_boiler_line(
            "segunda-feira, 22 de janeiro de 2018 às 0:13"
        ));
        assert!(!is_boiler_line("In 2018 he won the race."));
        assert!(!is_boiler_line(
            "The plan costs 20 million euros in 2019 and 2020 and will be reviewed."
        ));
        assert!(is_boiler_line("Tags: politics, economy"));
        assert!(is_boiler_line("Advertisement"));
        for ui in [
            "Loading...",
            "Skip to main content",
            "Sort by:",
            "Filters",
            "12",
            "Click to expand...",
            "Click to shrink...",
            "Reaction score",
            "-3",
            "1 2 3 4",
            "1,284 reviews",
            "Follow",
            "Leg.Interest",
            "Last edited by Minoa on Wed Aug 28, 2019 11:24 am, edited 1 time in total.",
            "Oops! Something went wrong while submitting the form.",
            "Do Not Sell or Share My Personal Information",
            "Sorry, your browser doesn’t support embedded videos.",
            "Well-known member",
            "Original Poster",
            "1 like",
            "You must log in or register to reply here.",
            "Posts: 1,024",
            "1,234 5 gold badges 12 silver badges 30 bronze badges",
            "Sign in",
            "View all",
            "Strictly Necessary Cookies",
            "Your browser does not support the video tag.",
            "Use limited data to select advertising",
            "| Show 2 more comments",
            "Price: Low to High",
            "Select a size",
            "Get in touch",
            "Read the case study",
            "Next article",
            "Choose Options",
            "Add to Wishlist",
            "Qty:",
            "Start free trial",
            "Read more",
            "See more »",
            "Next page",
            "Free Shipping",
            "Verified Buyer",
            "Price: High to Low",
            "Sort",
            "Jump to navigationJump to search",
        ] {
            assert!(is_boiler_line(ui), "{ui}");
        }
        assert!(!is_boiler_line("12 dead"));
        assert!(!is_boiler_line("1,113 ratings"));
        assert!(!is_boiler_line("-12.5"));
        assert!(!is_boiler_line("Follow the money, the auditor said."));
        assert!(!is_boiler_line("#3"));
        assert!(!is_boiler_line(
            "Members of the council voted against the plan."
        ));
        assert!(!is_boiler_line("2024 was the hottest year on record."));
        assert!(is_boiler_line("Image 3 of 5"));
        assert!(is_boiler_line(
            "Follow The Daily Opinion section on Facebook, Twitter (@DailyOpinion) and Instagram."
        ));
        assert!(!is_boiler_line(
            "He said he would follow the rules, as Twitter users demanded."
        ));
        assert!(is_boiler_line("Sign up for our free daily newsletter."));
        assert!(is_boiler_line("Getty Images / Holger Leue"));
        boiler_lines(
            &[
                "(Visited 1,902 times, 364 visits today)",
                "Average rating 5 / 5. Vote count: 1",
                "This slideshow requires JavaScript.",
                "Pages: 1 2 3",
                "[convertkit form=1630175]",
                "[CTA_MODULE]",
                "Image used under license from Shutterstock",
            ],
            &[
                "[edit]",
                "[New York Times]",
                "Pages: the first three",
                "[Sources]",
            ],
        );
        assert!(is_boiler_line("AFP via Getty Images"));
        assert!(is_boiler_line(
            "A portrait of the Queen in 2004 (Picture credit: Getty)"
        ));
        assert!(!is_boiler_line("Reuters reported the deal on Monday."));
        assert!(!is_boiler_line(
            "The council met on Monday (see the minutes: page 4)"
        ));
        assert!(is_boiler_line(
            "By signing up, you agree to receive recurring automated SMS marketing messages."
        ));
        assert!(is_boiler_line(
            "By clicking “Post Your Answer”, you agree to our terms of service."
        ));
        assert!(is_boiler_line(
            "Get the latest articles and workbooks delivered to your inbox."
        ));
        assert!(!is_boiler_line(
            "By signing up early, the city secured a lower price for the buses."
        ));
        assert!(!is_boiler_line(
            "Readers told us which stories they want delivered to your inbox, and why."
        ));
        assert!(is_readalso_line("READ MORE: Council approves the budget"));
        assert!(!is_readalso_line("Read more books, the mayor said."));
    }

    #[test]
    fn furniture_lines_in_other_languages() {
        boiler_lines(
            &[
                "Поделиться",
                "Комментарии",
                "Kommentare",
                "Lire la suite →",
                "Compartir",
                "Czytaj więcej",
                "Torna su ↑",
                "Reklama",
            ],
            &[
                "Поделиться мнением с журналистами он отказался.",
                "Die Kommentare des Ministers lösten eine Debatte aus.",
                "Lire la suite du rapport prendra des semaines, selon le juge.",
            ],
        );
        assert!(is_readalso_line("Читайте також: Уряд ухвалив бюджет"));
        assert!(is_readalso_line(
            "Siehe auch: Der Stadtrat beschließt den Haushalt"
        ));
        assert!(is_readalso_line(
            "Zobacz także - Rada miasta przyjęła budżet"
        ));
        assert!(!is_readalso_line(
            "Siehe auch die Antwort der Regierung vom Montag."
        ));
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
