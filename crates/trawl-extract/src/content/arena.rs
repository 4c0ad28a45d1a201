//! The arena (the page flattened into a pre-order array, pruned subtrees skipped) and the
//! statistics over it that scoring and selection read (text, commas, links per node).

use super::*;

pub(super) struct ANode<'a> {
    pub(super) node: NodeRef<'a, Node>,
    pub(super) parent: u32,
    /// One past the last descendant (pre-order).
    pub(super) end: u32,
    pub(super) tag: Tag,
    pub(super) hints: Hints,
    /// Text nodes: non-whitespace chars. Elements: 0.
    pub(super) chars: u32,
    pub(super) commas: u16,
    pub(super) in_link: bool,
    pub(super) in_pre: bool,
}

pub(super) struct Arena<'a> {
    pub(super) nodes: Vec<ANode<'a>>,
}

pub(super) const NONE: u32 = u32::MAX;

/// A candidate scoring at least this share of the best one, outside it, is a
/// second chunk of the same article.
pub(super) const WIDEN_RATIO: f32 = 0.5;

impl<'a> Arena<'a> {
    pub(super) fn build(doc: &'a Html) -> Arena<'a> {
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
                if e.name() == "div" && crate::dom::attr(e, "hidden").is_some() {
                    if let Some(n) = crate::dom::attr(e, "id").and_then(|id| id.strip_prefix("S:"))
                    {
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
            hint_cache: rustc_hash::FxHashMap::default(),
        };
        b.walk(start, NONE, 0, 0, 0);
        Arena { nodes: b.nodes }
    }
}

/// Flattens a DOM subtree into the arena (see [`Arena::build`]).
pub(super) struct Builder<'a> {
    pub(super) nodes: Vec<ANode<'a>>,
    /// Streamed chunks (`S:n` number, the hidden div).
    pub(super) chunks: Vec<(&'a str, NodeRef<'a, Node>)>,
    /// Chunks already moved to their placeholder.
    pub(super) inlined: Vec<ego_tree::NodeId>,
    /// The hints of each class or id value seen so far (templates repeat them).
    pub(super) hint_cache: rustc_hash::FxHashMap<&'a str, Hints>,
}

/// Streamed chunks nest (a chunk holds placeholders of later ones); this bounds it.
pub(super) const MAX_CHUNK_DEPTH: u32 = 8;

impl<'a> Builder<'a> {
    /// Walk `start`'s subtree (iteratively), attaching top-level nodes to `parent`.
    pub(super) fn walk(
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
                    let chunk = crate::dom::attr(e, "id")
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
                        && crate::dom::attr(e, "hidden").is_some()
                        && self.inlined.contains(&n.id()) => {}
                Node::Element(e) => {
                    let class = match classify(e.name()) {
                        // An open accordion's toggle (`<h3><button aria-expanded="true"
                        // aria-controls="faq-1">How long does it take?</button></h3>`, the WAI-ARIA
                        // accordion pattern): its label heads the panel shown below it.
                        Class::Skip
                            if e.name() == "button"
                                && crate::dom::attr(e, "aria-expanded")
                                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) =>
                        {
                            Class::Keep(Tag::Inline)
                        }
                        c => c,
                    };
                    if let Class::Keep(mut tag) = class {
                        let a = crate::dom::Common::read(e);
                        // A task list's ticks (`<li><input type="checkbox" disabled> …`, as
                        // Markdown renders `- [ ]`) are not a form to fill in.
                        if tag == Tag::Input
                            && a.kind.is_some_and(|k| k.eq_ignore_ascii_case("checkbox"))
                            && crate::dom::attr(e, "disabled").is_some()
                        {
                            tag = Tag::Inline;
                        }
                        if !is_hidden(&a) || is_loading_guard(n, &a, open.len()) {
                            let hints = if tag == Tag::Br || tag == Tag::Img {
                                Hints::default()
                            } else {
                                element_hints(&a, &mut self.hint_cache)
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

/// A page-wide wrapper hidden until the page's scripts and styles load (a flash-of-unstyled-
/// content guard, `<div id="__next"><div style="visibility:hidden">…the whole page…`): styled
/// `visibility:hidden`, within three levels of `<body>`, and the only element child of its
/// parent. Readers see its content once the page has loaded.
pub(super) fn is_loading_guard(
    n: NodeRef<'_, Node>,
    a: &crate::dom::Common<'_>,
    depth: usize,
) -> bool {
    if depth > 3 || a.hidden.is_some() {
        return false;
    }
    if !a
        .style
        .is_some_and(|s| style_hides(s) == StyleHide::Visibility)
    {
        return false;
    }
    let siblings = n
        .parent()
        .map(|p| p.children().filter(|c| c.value().is_element()).count())
        .unwrap_or(0);
    siblings == 1
}

/// Non-whitespace chars and commas of a text.
pub(super) fn text_stats(s: &str) -> (u32, u16) {
    let mut chars = 0u32;
    let mut commas = 0u16;
    if s.is_ascii() {
        // the same count, byte by byte (ASCII whitespace as `char::is_whitespace` has it)
        for b in s.bytes() {
            if matches!(b, b' ' | b'\t'..=b'\r') {
                continue;
            }
            chars += 1;
            if b == b',' {
                commas = commas.saturating_add(1);
            }
        }
        return (chars, commas);
    }
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
pub(super) struct Stats {
    /// Subtree totals.
    pub(super) text: Vec<u32>,
    pub(super) link: Vec<u32>,
    pub(super) commas: Vec<u32>,
    pub(super) p: Vec<u16>,
    pub(super) img: Vec<u16>,
    pub(super) li: Vec<u16>,
    pub(super) input: Vec<u16>,
    pub(super) embed: Vec<u16>,
    /// Text owned directly by a block (not through a nested block).
    pub(super) own_text: Vec<u32>,
    pub(super) own_link: Vec<u32>,
    pub(super) own_commas: Vec<u32>,
    /// Whether the block has block-level element children.
    pub(super) has_block_child: Vec<bool>,
    /// Prose: own text of blocks that read like paragraphs, summed over the subtree.
    pub(super) prose: Vec<u32>,
    /// Number of blocks counted in `prose`.
    pub(super) prose_blocks: Vec<u32>,
}

pub(super) fn compute_stats(a: &Arena, removed: &[bool]) -> Stats {
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

pub(super) fn link_density(s: &Stats, i: usize) -> f32 {
    let t = s.text[i];
    if t == 0 {
        0.0
    } else {
        s.link[i] as f32 / t as f32
    }
}
