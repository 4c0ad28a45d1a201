//! Input guards run before parsing.
//!
//! html5ever's tree builder checks "is there a `<p>` in button scope?" on every
//! block-level start tag by walking the stack of open elements, so a document
//! nested N deep costs O(N²): 100,000 nested `<div>`s take minutes. Browsers
//! bound this (Blink stops nesting at a depth of 512 and adds deeper elements as
//! siblings). [`limit_nesting`] does the same on the source text, in one cheap
//! scan: start tags that would open an element deeper than the limit are
//! removed (with as many later end tags), keeping all text. Pages under the
//! limit are returned unchanged and uncopied.

use std::borrow::Cow;

/// Default nesting limit (Blink's parser limit).
pub const MAX_DEPTH: usize = 512;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Void elements, and elements closed implicitly by their siblings
    /// (`p`, `li`, `td`, ...): they do not make the tree deeper.
    Flat,
    /// Raw-text elements: their content is not markup.
    Raw,
    Nesting,
}

fn kind(name: &[u8]) -> Kind {
    match name {
        b"area" | b"base" | b"br" | b"col" | b"embed" | b"hr" | b"img" | b"input" | b"link"
        | b"meta" | b"param" | b"source" | b"track" | b"wbr" | b"keygen" | b"frame"
        | b"basefont" | b"bgsound" | b"image" | b"p" | b"li" | b"dt" | b"dd" | b"option"
        | b"optgroup" | b"tr" | b"td" | b"th" | b"thead" | b"tbody" | b"tfoot" | b"rb" | b"rt"
        | b"rp" | b"rtc" | b"colgroup" | b"caption" | b"html" | b"head" | b"body" => Kind::Flat,
        b"script" | b"style" | b"textarea" | b"title" | b"xmp" | b"iframe" | b"noembed"
        | b"noframes" | b"plaintext" => Kind::Raw,
        _ => Kind::Nesting,
    }
}

fn tag_name(bytes: &[u8], start: usize) -> (usize, [u8; 16], usize) {
    let mut name = [0u8; 16];
    let mut n = 0;
    let mut i = start;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
        if n < name.len() {
            name[n] = bytes[i].to_ascii_lowercase();
        }
        n += 1;
        i += 1;
    }
    (i, name, n.min(16))
}

/// Find the `>` closing a tag that starts at `i`, skipping quoted attribute values.
fn tag_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(p) = memchr::memchr3(b'>', b'"', b'\'', &bytes[i.min(bytes.len())..]) {
        let at = i + p;
        let b = bytes[at];
        if b == b'>' {
            return at + 1;
        }
        // Skip the quoted value.
        match memchr::memchr(b, &bytes[at + 1..]) {
            Some(q) => i = at + 1 + q + 1,
            None => return bytes.len(),
        }
    }
    bytes.len()
}

/// Position of `</name` (ASCII case-insensitive) at or after `from`.
fn find_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        let p = memchr::memmem::find(&bytes[i..], b"</")?;
        let at = i + p;
        let rest = &bytes[at + 2..];
        if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name) {
            return Some(at);
        }
        i = at + 2;
    }
    None
}

/// Remove start tags nested deeper than `max_depth` (and as many end tags).
pub fn limit_nesting(html: &str, max_depth: usize) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut dropped_open = 0usize;
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &bytes[i.min(bytes.len())..]) {
        let lt = i + p;
        let next = bytes.get(lt + 1).copied().unwrap_or(0);
        if next == b'!' {
            i = if bytes[lt..].starts_with(b"<!--") {
                memchr::memmem::find(&bytes[lt + 4..], b"-->")
                    .map_or(bytes.len(), |e| lt + 4 + e + 3)
            } else {
                tag_end(bytes, lt + 1)
            };
            continue;
        }
        if next == b'/' {
            let (after, name, n) = tag_name(bytes, lt + 2);
            let end = tag_end(bytes, after);
            let name = &name[..n];
            if n > 0 && kind(name) == Kind::Nesting {
                if dropped_open > 0 {
                    dropped_open -= 1;
                    cuts.push((lt, end));
                } else {
                    depth = depth.saturating_sub(1);
                }
            }
            i = end;
            continue;
        }
        if !next.is_ascii_alphabetic() {
            i = lt + 1;
            continue;
        }
        let (after, name_buf, n) = tag_name(bytes, lt + 1);
        let end = tag_end(bytes, after);
        let name = &name_buf[..n];
        let self_closing = end >= 2 && bytes.get(end - 2) == Some(&b'/');
        let k = kind(name);
        if k == Kind::Raw {
            i = find_end_tag(bytes, end, name).unwrap_or(bytes.len());
            continue;
        }
        if !self_closing && k == Kind::Nesting {
            if depth >= max_depth {
                dropped_open += 1;
                cuts.push((lt, end));
            } else {
                depth += 1;
            }
        }
        i = end;
    }
    if cuts.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (s, e) in cuts {
        // Tag boundaries are ASCII, so these are char boundaries.
        out.push_str(&html[last..s]);
        last = e;
    }
    out.push_str(&html[last..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_are_untouched() {
        let page = "<html><head><script>if (a<b) document.write('<div><div>')</script></head>\
                    <body><div class=\"a>b\"><p>one<p>two<br><img src=x><ul><li>x<li>y</ul></div><!-- <div> --></body></html>";
        assert!(matches!(limit_nesting(page, 3), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_flattened_keeping_text() {
        let mut page = String::new();
        for i in 0..1000 {
            page.push_str(&format!("<div id=d{i}>t{i} "));
        }
        for _ in 0..1000 {
            page.push_str("</div>");
        }
        page.push_str("<p>after</p>");
        let out = limit_nesting(&page, 10);
        assert_eq!(out.matches("<div").count(), 10);
        assert_eq!(out.matches("</div>").count(), 10);
        assert!(out.contains("t999 ") && out.contains("t0 ") && out.contains("<p>after</p>"));
    }

    #[test]
    fn garbage_does_not_panic() {
        for s in [
            "<",
            "</",
            "<a",
            "<!--",
            "<!",
            "<script",
            "<div \"",
            "é<é>",
            "<\u{1F600}>",
        ] {
            let _ = limit_nesting(s, 1);
        }
    }
}
