//! Emission: one walk over the selected subtrees that turns elements into body blocks and
//! related links, dropping in-body boilerplate (conditional cleaning, "Read also" boxes,
//! teaser grids).

use super::*;

pub(super) fn node_class<'a>(n: &ANode<'a>) -> Option<&'a str> {
    match n.node.value() {
        Node::Element(e) => crate::dom::attr(e, "class")
            .map(str::trim)
            .filter(|c| !c.is_empty()),
        _ => None,
    }
}

pub(super) fn is_heading(t: Tag) -> bool {
    matches!(t, Tag::H(_))
}

pub(super) fn raw_text(a: &Arena, i: usize, removed: &[bool]) -> String {
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

pub(super) fn collect_links(a: &Arena, i: usize, base: &Url, out: &mut Vec<RelatedLink>) {
    let end = a.nodes[i].end as usize;
    let mut c = i;
    while c < end {
        let node = &a.nodes[c];
        if node.tag == Tag::A {
            if let Node::Element(e) = node.node.value() {
                if let Some(href) = crate::dom::attr(e, "href") {
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
pub(super) fn is_card_furniture(n: &ANode) -> bool {
    let Node::Element(e) = n.node.value() else {
        return false;
    };
    let class = crate::dom::attr(e, "class").unwrap_or("");
    [
        "caption", "credit", "date", "time", "categor", "label", "kicker",
    ]
    .iter()
    .any(|k| class.contains(k))
}

pub(super) fn dedup_related(v: &mut Vec<RelatedLink>) {
    let mut seen = HashSet::default();
    v.retain(|r| seen.insert(r.url.clone()));
}

/// An introduction to other pages rather than to the article's own list: "You may also be
/// interested in the following articles:", "Related articles and links:", "If you liked
/// this post you might also like:", "This might be interesting to you:".
fn points_elsewhere(intro: &str) -> bool {
    const MARKERS: &[&str] = &[
        "related",
        "also like",
        "also enjoy",
        "also be interested",
        "also read",
        "interested in",
        "interesting to you",
        "might like",
        "may like",
        "read more",
        "further reading",
        "more from",
        "more articles",
        "more posts",
        "more stories",
        "recommended",
        "popular",
        "similar",
        "check out",
        "see also",
    ];
    let lower = intro.to_lowercase();
    MARKERS.iter().any(|m| lower.contains(m))
}

pub(super) struct Emitter<'x, 'a, 'b> {
    pub(super) ex: &'x Extractor<'a, 'b>,
    pub(super) s: &'x Stats,
    pub(super) score: &'x [f32],
    pub(super) is_cand: &'x [bool],
    pub(super) blocks: Vec<Block>,
    pub(super) related: Vec<RelatedLink>,
    pub(super) buf: String,
    pub(super) buf_kind: BlockKind,
    pub(super) buf_chars: u32,
    pub(super) buf_link_chars: u32,
    /// The buffered text sits in a table.
    pub(super) buf_in_table: bool,
    /// The emitted blocks that are table rows/cells (they do not count as short
    /// blocks when judging whether the page reads like an article).
    pub(super) table_blocks: usize,
    /// End of the table being walked.
    pub(super) table_end: u32,
    /// The best-scoring candidate (before widening), never dropped.
    pub(super) best: u32,
    /// Page mode ([`extract_page_text`]): no in-body cleaning.
    pub(super) page: bool,
    /// End of a list the article introduces ("Many patches were sent for review:"): its
    /// items are content however many links they hold.
    pub(super) intro_list_end: u32,
    /// The buffered text sits in such a list.
    pub(super) buf_in_intro_list: bool,
}

impl<'x, 'a, 'b> Emitter<'x, 'a, 'b> {
    pub(super) fn new(
        ex: &'x Extractor<'a, 'b>,
        s: &'x Stats,
        score: &'x [f32],
        is_cand: &'x [bool],
    ) -> Self {
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
            page: false,
            intro_list_end: 0,
            buf_in_intro_list: false,
        }
    }

    /// Conditional cleaning (readability's `_cleanConditionally`): should this
    /// container inside the chosen content be dropped? `Some(rule)` names the rule that drops
    /// it (shown by `TRAWL_CONTENT_DEBUG`).
    pub(super) fn drop_container(&self, i: usize) -> Option<&'static str> {
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
            return None;
        }
        // never drop what holds the best candidate, nor a box that is mostly prose,
        // nor an embedded post
        if self.ex.is_embedded_post(i) || self.ex.is_content_class(i) {
            return None;
        }
        if (i as u32) < self.best && self.best < node.end {
            return None;
        }
        // nor a box holding most of the page's prose (as in pruning: a hint such as
        // `node--promoted` on the article's own wrapper does not make it boilerplate)
        if s.prose[i] * 2 >= s.prose[0].max(1) && s.prose[i] as f32 >= 0.6 * s.text[i] as f32 {
            return None;
        }
        if s.prose[i] as f32 >= 0.6 * s.text[i] as f32
            && s.prose[i] >= 150
            && node.hints.weight >= 0
            && (s.img[i] as u32) * 2 <= s.prose_blocks[i]
        {
            return None;
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
            return Some("negative score");
        }
        if s.commas[i] >= 10 {
            return None;
        }
        let p = s.p[i] as f32;
        let img = s.img[i] as f32;
        let input = s.input[i] as f32;
        let embed = s.embed[i];
        let ld = link_density(s, i);
        let len = s.text[i];
        // a section of the article whose sentences cite their sources (a ranking's entries,
        // a changelog's links, a guide's steps): 200+ characters of prose, links under half
        // its text
        let prose_with_links = s.prose[i] >= 200 && ld < 0.5;
        // a data table with a column of links (a comparison's "click for review" names)
        let table_with_links = node.tag == Tag::Table && ld <= 0.5;
        if node.tag == Tag::Figure && !self.figure_holds_content(i) {
            return Some("image figure");
        }
        let rule = if img > 1.0 && p / img < 0.5 && s.prose[i] < 200 {
            "images"
        } else if self.teaser_grid(i) {
            "teaser grid"
        } else if input > (p / 3.0).floor() {
            "inputs"
        } else if !is_list && len < 25 && (img == 0.0 || img > 2.0) {
            "short"
        } else if !is_list && weight < 25.0 && ld > 0.2 && !prose_with_links && !table_with_links {
            "link density"
        } else if weight >= 25.0 && ld > 0.5 {
            "link density (hinted)"
        } else if embed == 1 && len < 75 {
            "embed"
        } else if embed > 1 {
            "embeds"
        } else if is_list && ld > 0.5 && !(ld < 0.8 && self.inside_best(i)) {
            "link list"
        } else {
            return None;
        };
        Some(rule)
    }

    /// Whether `i` lies inside the best-scoring candidate.
    pub(super) fn inside_best(&self, i: usize) -> bool {
        let b = self.best as usize;
        self.best != NONE && b < i && i < self.ex.a.nodes[b].end as usize
    }

    /// A `<figure>` that wraps a table or a code block rather than an image.
    pub(super) fn figure_holds_content(&self, i: usize) -> bool {
        let a = self.ex.a;
        let end = a.nodes[i].end as usize;
        a.nodes[i + 1..end]
            .iter()
            .any(|n| matches!(n.tag, Tag::Table | Tag::Pre))
    }

    /// A grid of teasers: at least three child boxes that each hold a link and an
    /// image (related/popular stories), and little else.
    pub(super) fn teaser_grid(&self, i: usize) -> bool {
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

    pub(super) fn flush(&mut self) {
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
        let in_intro_list = std::mem::take(&mut self.buf_in_intro_list);
        if text.chars().all(is_invisible) {
            // empty or only zero-width characters (`<p>&zwj;</p>` spacers)
            return;
        }
        // a line of glyphs alone: an icon's arrow ("→", "►"), a close button's "×", a toggle's
        // "+" (not code, whose braces stand alone, nor a table's cell, nor a wire story's "___"
        // section rule)
        if kind != BlockKind::Preformatted
            && !in_table
            && !text.chars().any(|c| c.is_alphanumeric() || c == '_')
        {
            return;
        }
        // short link-heavy lines (bare "Read more" links) and link-only runs of any
        // length (tag lists, "more stories" strips)
        if chars > 0
            && !self.page
            && !in_intro_list
            && kind != BlockKind::Heading
            && ((link as f32 >= 0.6 * chars as f32 && chars < 120)
                || link as f32 >= 0.85 * chars as f32)
        {
            return;
        }
        if is_readalso_line(&text) {
            return;
        }
        // A byline or date line at the top of the body belongs to the metadata (a heading
        // "By Audience" and the bylines of teasers further down stay).
        if is_boiler_line(&text)
            || (kind != BlockKind::Heading && self.blocks.len() < 3 && is_top_meta_line(&text))
        {
            return;
        }
        if in_table {
            self.table_blocks += 1;
        }
        self.blocks.push(Block { kind, text });
    }

    pub(super) fn walk(&mut self, root: usize) {
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
                        if (i as u32) < self.intro_list_end {
                            self.buf_in_intro_list = true;
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
                // a page's figures hold its quotes and cards (its content); an article's,
                // images and their captions
                Tag::Figure if self.page => {
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
                    if i != root && !self.page && self.is_readalso_box(i) {
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
                    if matches!(t, Tag::Ul | Tag::Ol) && !self.page && self.introduced_list() {
                        self.intro_list_end = self.intro_list_end.max(node.end);
                    }
                    let dropped = (i != root && !self.page && (i as u32) >= self.intro_list_end)
                        .then(|| self.drop_container(i))
                        .flatten();
                    if let Some(rule) = dropped {
                        if *DEBUG {
                            if let Node::Element(e) = node.node.value() {
                                eprintln!(
                                    "DROP {} ({rule}) class={:?} id={:?} text={} prose={} link={} txt={:?}",
                                    e.name(),
                                    crate::dom::attr(e, "class"),
                                    crate::dom::attr(e, "id"),
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

    /// Whether the list starting here follows a paragraph of the body that introduces it
    /// (a sentence of three or more words ending in a colon that does not point elsewhere;
    /// "Read also" and boilerplate lines never reach `blocks`).
    fn introduced_list(&self) -> bool {
        self.buf.is_empty()
            && self.blocks.last().is_some_and(|b| {
                let t = b.text.trim_end();
                b.kind == BlockKind::Paragraph
                    && t.ends_with(':')
                    && t.split_whitespace().nth(2).is_some()
                    && !points_elsewhere(t)
            })
    }

    /// A small box whose text starts with a "Read also"-style marker and holds links.
    pub(super) fn is_readalso_box(&self, i: usize) -> bool {
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
