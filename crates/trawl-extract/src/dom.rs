//! Small DOM helpers shared by the passes over the parsed page.

use scraper::node::Element;

/// The value of `el`'s attribute `name` (a plain HTML attribute: no namespace, no
/// prefix), as [`Element::attr`] gives it, without interning `name` as an atom: that
/// costs a hash and a table lookup per call, and the passes ask every element for
/// several attributes. Elements have a handful of attributes, so a scan is cheaper.
#[inline]
pub(crate) fn attr<'a>(el: &'a Element, name: &str) -> Option<&'a str> {
    el.attrs
        .iter()
        .find(|(q, _)| q.prefix.is_none() && q.ns.is_empty() && *q.local == *name)
        .map(|(_, v)| &**v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_as_scraper_attr() {
        let doc = scraper::Html::parse_document(
            "<div id=a class='x y' data-k=v hidden><svg><a xlink:href=s href=h></a></svg>\
             <p CLASS=up></p></div>",
        );
        for node in doc.tree.values() {
            if let scraper::Node::Element(el) = node {
                for name in [
                    "id",
                    "class",
                    "data-k",
                    "hidden",
                    "href",
                    "xlink:href",
                    "none",
                ] {
                    assert_eq!(attr(el, name), el.attr(name), "{} {name}", el.name());
                }
            }
        }
    }
}
