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

/// The plain attributes that the content walk and the page statistics read, found in one
/// scan of the element's attributes (each as [`attr`] would give it).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Common<'a> {
    pub(crate) class: Option<&'a str>,
    pub(crate) id: Option<&'a str>,
    pub(crate) role: Option<&'a str>,
    pub(crate) itemprop: Option<&'a str>,
    pub(crate) itemtype: Option<&'a str>,
    pub(crate) hidden: Option<&'a str>,
    pub(crate) style: Option<&'a str>,
    pub(crate) aria_labelledby: Option<&'a str>,
    pub(crate) href: Option<&'a str>,
    pub(crate) kind: Option<&'a str>,
}

impl<'a> Common<'a> {
    pub(crate) fn read(el: &'a Element) -> Common<'a> {
        let mut c = Common::default();
        for (q, v) in &el.attrs {
            if q.prefix.is_some() || !q.ns.is_empty() {
                continue;
            }
            let slot = match &*q.local {
                "class" => &mut c.class,
                "id" => &mut c.id,
                "role" => &mut c.role,
                "itemprop" => &mut c.itemprop,
                "itemtype" => &mut c.itemtype,
                "hidden" => &mut c.hidden,
                "style" => &mut c.style,
                "aria-labelledby" => &mut c.aria_labelledby,
                "href" => &mut c.href,
                "type" => &mut c.kind,
                _ => continue,
            };
            // The parser keeps one attribute per name; the first is `attr`'s answer.
            if slot.is_none() {
                *slot = Some(&**v);
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_as_scraper_attr() {
        let doc = scraper::Html::parse_document(
            "<div id=a class='x y' data-k=v hidden style='display:none' role=region \
             aria-labelledby=t itemprop=articleBody itemtype=x:Article><svg><a xlink:href=s \
             href=h></a></svg><p CLASS=up></p><input type=hidden></div>",
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
                let c = Common::read(el);
                let pairs = [
                    (c.class, "class"),
                    (c.id, "id"),
                    (c.role, "role"),
                    (c.itemprop, "itemprop"),
                    (c.itemtype, "itemtype"),
                    (c.hidden, "hidden"),
                    (c.style, "style"),
                    (c.aria_labelledby, "aria-labelledby"),
                    (c.href, "href"),
                    (c.kind, "type"),
                ];
                for (got, name) in pairs {
                    assert_eq!(got, el.attr(name), "{} {name}", el.name());
                }
            }
        }
    }
}
