//! JSON-LD (`<script type="application/ld+json">`): finds the article object in
//! plain objects, arrays, `@graph` and nested `mainEntity` values, and reads its
//! fields. Broken JSON is skipped.

use serde_json::Value;

/// Schema.org types treated as an article.
const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "askpublicnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "report",
    "techarticle",
    "scholarlyarticle",
];

/// What the page's JSON-LD says about its article.
#[derive(Debug, Default, Clone)]
pub struct JsonLd {
    /// An object of an article type was found.
    pub is_article: bool,
    pub headline: Option<String>,
    pub description: Option<String>,
    pub authors: Vec<String>,
    pub date_published: Option<String>,
    pub date_modified: Option<String>,
    pub section: Option<String>,
    pub keywords: Vec<String>,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub image_credit: Option<String>,
    pub language: Option<String>,
    pub url: Option<String>,
    pub publisher: Option<String>,
    /// `@type` of a page-level object (`CollectionPage`, `SearchResultsPage`, ...).
    pub page_types: Vec<String>,
}

/// Parse one script body, tolerating HTML comment / CDATA wrappers.
pub fn parse_script(text: &str) -> Option<Value> {
    let t = text.trim();
    let t = t
        .strip_prefix("<!--")
        .map(|x| x.trim_end().trim_end_matches("-->"))
        .unwrap_or(t);
    let t = t
        .trim()
        .strip_prefix("//<![CDATA[")
        .map(|x| x.trim_end().trim_end_matches("//]]>"))
        .unwrap_or(t);
    serde_json::from_str(t.trim()).ok()
}

fn types_of(obj: &serde_json::Map<String, Value>) -> Vec<String> {
    match obj.get("@type") {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_ascii_lowercase))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_article_type(t: &str) -> bool {
    let t = t.rsplit(['/', ':']).next().unwrap_or(t);
    ARTICLE_TYPES.contains(&t)
}

/// Every `@type` named by an object anywhere in the given JSON-LD values (lower-cased; nested
/// offers, authors and list items included), at most 10,000 values visited.
pub fn all_types(values: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = values.iter().collect();
    let mut visited = 0usize;
    while let Some(v) = stack.pop() {
        visited += 1;
        if visited > 10_000 {
            break;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(obj) => {
                out.extend(types_of(obj));
                stack.extend(obj.values().filter(|c| c.is_array() || c.is_object()));
            }
            _ => {}
        }
    }
    out
}

/// Read all the given JSON-LD values (no page URL known).
pub fn read(values: &[Value]) -> JsonLd {
    read_for(values, &[])
}

/// A URL reduced for comparison: host without `www.`, path without a trailing
/// slash; scheme, query and fragment ignored.
fn url_key(u: &str) -> String {
    let u = u.trim();
    let u = u.split_once("://").map_or(u, |(_, r)| r);
    let u = u.split(['?', '#']).next().unwrap_or(u);
    let u = u.strip_prefix("www.").unwrap_or(u);
    u.trim_end_matches('/').to_ascii_lowercase()
}

/// The URLs an object says it describes: `url`, `@id` (without its fragment) and
/// `mainEntityOfPage` (a string or an object's `@id`/`url`).
fn urls_of(obj: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["url", "@id"] {
        if let Some(Value::String(s)) = obj.get(key) {
            out.push(s.clone());
        }
    }
    match obj.get("mainEntityOfPage") {
        Some(Value::String(s)) => out.push(s.clone()),
        Some(Value::Object(o)) => {
            for key in ["@id", "url"] {
                if let Some(Value::String(s)) = o.get(key) {
                    out.push(s.clone());
                }
            }
        }
        _ => {}
    }
    out.retain(|u| u.starts_with("http") || u.starts_with("//"));
    out
}

/// Read the JSON-LD values for the page at `page_urls` (its URL and canonical):
/// the article object that describes this page is the one whose `url`, `@id`
/// or `mainEntityOfPage` names one of them, else the first one that names no
/// page at all; an object naming another page (a teaser, a related story) never
/// speaks for this one. Without an article object, a `WebPage` object for this
/// page gives the dates.
pub fn read_for(values: &[Value], page_urls: &[&str]) -> JsonLd {
    let keys: Vec<String> = page_urls
        .iter()
        .map(|u| url_key(u))
        .filter(|k| !k.is_empty())
        .collect();
    let hosts: Vec<&str> = keys.iter().filter_map(|k| k.split('/').next()).collect();
    // Which page an object names: Some(true) this one, Some(false) another, None none.
    let names_page = |obj: &serde_json::Map<String, Value>| -> Option<bool> {
        let urls = urls_of(obj);
        if urls.is_empty() || keys.is_empty() {
            return None;
        }
        // An `@id` is often the page URL plus a fragment (`#article`); only a
        // URL with a path of its own names a page.
        // A URL on another host (a template's `https://google.com/article`)
        // identifies nothing on this site.
        let pages: Vec<String> = urls
            .iter()
            .map(|u| url_key(u))
            .filter(|k| k.contains('/') && hosts.iter().any(|h| k.split('/').next() == Some(h)))
            .collect();
        if pages.is_empty() {
            return None;
        }
        Some(pages.iter().any(|k| keys.contains(k)))
    };
    // Walk every object (iteratively, bounded); collect the article-typed ones.
    let mut articles_found: Vec<&serde_json::Map<String, Value>> = Vec::new();
    let mut web_pages: Vec<&serde_json::Map<String, Value>> = Vec::new();
    let mut ids: Vec<(&str, &serde_json::Map<String, Value>)> = Vec::new();
    let mut page_types = Vec::new();
    let mut stack: Vec<(&Value, u8)> = values.iter().rev().map(|v| (v, 0)).collect();
    let mut visited = 0usize;
    let mut articles = 0usize;
    while let Some((v, depth)) = stack.pop() {
        visited += 1;
        if visited > 10_000 || depth > 12 {
            continue;
        }
        match v {
            Value::Array(items) => {
                stack.extend(items.iter().rev().map(|i| (i, depth + 1)));
            }
            Value::Object(obj) => {
                let types = types_of(obj);
                if let Some(Value::String(id)) = obj.get("@id") {
                    if obj.contains_key("name") && ids.len() < 256 {
                        ids.push((id.as_str(), obj));
                    }
                }
                if types.iter().any(|t| is_article_type(t)) {
                    articles += 1;
                    if articles_found.len() < 64 {
                        articles_found.push(obj);
                    }
                } else if types.iter().any(|t| t == "webpage") && web_pages.len() < 8 {
                    web_pages.push(obj);
                }
                if depth <= 2 {
                    page_types.extend(types.into_iter().filter(|t| t.ends_with("page")));
                }
                for key in ["@graph", "mainEntity", "mainEntityOfPage"] {
                    if let Some(child) = obj.get(key) {
                        stack.push((child, depth + 1));
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = JsonLd {
        page_types,
        ..JsonLd::default()
    };
    let article = articles_found
        .iter()
        .find(|a| names_page(a) == Some(true))
        .or_else(|| articles_found.iter().find(|a| names_page(a).is_none()))
        .copied();
    let Some(a) = article else {
        // No article object for this page: a WebPage object for it gives the dates.
        if articles_found.is_empty() {
            if let Some(wp) = web_pages
                .iter()
                .find(|p| names_page(p) == Some(true))
                .or_else(|| web_pages.iter().find(|p| names_page(p).is_none()))
            {
                out.date_published =
                    str_field(wp, "datePublished").or_else(|| str_field(wp, "dateCreated"));
                out.date_modified = str_field(wp, "dateModified");
            }
        }
        return out;
    };
    // Many article objects side by side describe a listing, not one article:
    // none of them speaks for the page (unless one names this page).
    if articles > 2 && names_page(a) != Some(true) {
        return out;
    }
    out.is_article = true;
    out.headline = str_field(a, "headline").or_else(|| str_field(a, "name"));
    out.description = str_field(a, "description");
    out.date_published = str_field(a, "datePublished").or_else(|| str_field(a, "dateCreated"));
    out.date_modified = str_field(a, "dateModified");
    out.section = first_string(a.get("articleSection"));
    out.keywords = keywords(a.get("keywords"));
    out.language = first_string(a.get("inLanguage")).or_else(|| {
        a.get("inLanguage")
            .and_then(|l| l.get("alternateName").or_else(|| l.get("name")))
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    out.url = str_field(a, "url");
    out.publisher = a.get("publisher").and_then(name_of);
    out.authors = people(
        a.get("author").or_else(|| a.get("creator")),
        out.publisher.as_deref(),
        &ids,
    );
    if let Some(img) = a.get("image") {
        let img = match img {
            Value::Array(items) => items.first().unwrap_or(img),
            other => other,
        };
        match img {
            Value::String(s) => out.image_url = Some(s.clone()),
            Value::Object(o) => {
                out.image_url = str_field(o, "url").or_else(|| str_field(o, "contentUrl"));
                out.image_caption = str_field(o, "caption").or_else(|| str_field(o, "description"));
                out.image_credit = str_field(o, "creditText")
                    .or_else(|| o.get("author").and_then(name_of))
                    .or_else(|| o.get("copyrightHolder").and_then(name_of));
            }
            _ => {}
        }
    }
    out
}

fn str_field(obj: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    first_string(obj.get(key))
}

fn first_string(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.as_str(),
        Value::Array(a) => a.iter().find_map(Value::as_str)?,
        Value::Number(n) => return Some(n.to_string()),
        _ => return None,
    };
    let s = unescape(s);
    (!s.is_empty()).then_some(s)
}

/// A JSON-LD string as text: trimmed, with the HTML entities that templates
/// leave in it decoded ("Maria &amp; Katerina", "L&#039;Oréal").
fn unescape(s: &str) -> String {
    let s = s.trim();
    if s.contains('&') {
        html_escape::decode_html_entities(s).trim().to_string()
    } else {
        s.to_string()
    }
}

fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(unescape(s)).filter(|s| !s.is_empty()),
        Value::Object(o) => str_field(o, "name"),
        Value::Array(a) => a.iter().find_map(name_of),
        _ => None,
    }
}

fn keywords(v: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Some(Value::String(s)) => out.extend(s.split(',').map(str::trim).map(str::to_string)),
        Some(Value::Array(a)) => {
            for item in a {
                if let Some(s) = name_of(item) {
                    out.push(s);
                }
            }
        }
        _ => {}
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Authors: strings, `{name}` objects, arrays of either. Organizations are kept
/// only when they are not the publisher (a byline of "TASS" on a TASS page says nothing).
/// An object given only by reference (`{"@id": …}`) is looked up in `ids`
/// (the `@graph`'s named objects).
fn people(
    v: Option<&Value>,
    publisher: Option<&str>,
    ids: &[(&str, &serde_json::Map<String, Value>)],
) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = v.into_iter().collect();
    while let Some(v) = stack.pop() {
        if out.len() > 50 {
            break;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter().rev()),
            Value::String(s) => out.push(unescape(s)),
            Value::Object(o) => {
                let o = match (o.get("name"), o.get("@id")) {
                    (None, Some(Value::String(id))) => ids
                        .iter()
                        .find(|(i, _)| i == id)
                        .map_or(o, |(_, target)| *target),
                    _ => o,
                };
                let types = types_of(o);
                let name = str_field(o, "name").or_else(|| {
                    let given = str_field(o, "givenName")?;
                    Some(match str_field(o, "familyName") {
                        Some(f) => format!("{given} {f}"),
                        None => given,
                    })
                });
                if let Some(name) = name {
                    let is_org = types.iter().any(|t| t.contains("organization"));
                    if !(is_org && publisher.is_some_and(|p| p.eq_ignore_ascii_case(&name))) {
                        out.push(name);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> JsonLd {
        read(&[parse_script(s).expect("valid test JSON")])
    }

    #[test]
    fn graph_with_nested_authors() {
        let j = read_str(
            r#"{"@context":"https://schema.org","@graph":[
                {"@type":"WebSite","name":"Example"},
                {"@type":["NewsArticle","Article"],"headline":"Hello",
                 "author":[{"@type":"Person","name":"Ann Lee"},{"@type":"Person","givenName":"Bob","familyName":"Stone"}],
                 "publisher":{"@type":"Organization","name":"Example"},
                 "datePublished":"2018-10-08T13:43:00+03:00","articleSection":["World","Asia"],
                 "keywords":"a, b ,c","image":[{"@type":"ImageObject","url":"https://x/i.jpg","caption":"Cap","creditText":"AP"}]}
            ]}"#,
        );
        assert!(j.is_article);
        assert_eq!(j.headline.as_deref(), Some("Hello"));
        assert_eq!(j.authors, ["Ann Lee", "Bob Stone"]);
        assert_eq!(j.section.as_deref(), Some("World"));
        assert_eq!(j.keywords, ["a", "b", "c"]);
        assert_eq!(j.image_url.as_deref(), Some("https://x/i.jpg"));
        assert_eq!(j.image_caption.as_deref(), Some("Cap"));
        assert_eq!(j.image_credit.as_deref(), Some("AP"));
        assert_eq!(j.publisher.as_deref(), Some("Example"));
    }

    #[test]
    fn arrays_main_entity_and_publisher_as_author() {
        let j = read_str(
            r#"[{"@type":"BreadcrumbList"},{"@type":"WebPage","mainEntity":{"@type":"ReportageNewsArticle",
               "name":"N","author":{"@type":"Organization","name":"TASS"},"publisher":{"name":"TASS"}}}]"#,
        );
        assert!(j.is_article);
        assert_eq!(j.headline.as_deref(), Some("N"));
        assert!(j.authors.is_empty());
        assert_eq!(j.page_types, ["webpage"]);
    }

    #[test]
    fn the_object_for_this_page_and_id_references() {
        let page = ["https://www.example.com/news/story-1"];
        let v = parse_script(
            r#"{"@graph":[
                {"@type":"Person","@id":"https://example.com/#/person/1","name":"Ann Lee"},
                {"@type":"NewsArticle","url":"https://example.com/news/other-story","headline":"Related",
                 "datePublished":"2020-01-01"},
                {"@type":"NewsArticle","mainEntityOfPage":{"@id":"https://example.com/news/story-1/"},
                 "headline":"This story","datePublished":"2024-10-03",
                 "author":{"@id":"https://example.com/#/person/1"}}
            ]}"#,
        )
        .unwrap();
        let j = read_for(std::slice::from_ref(&v), &page);
        assert_eq!(j.headline.as_deref(), Some("This story"));
        assert_eq!(j.date_published.as_deref(), Some("2024-10-03"));
        assert_eq!(j.authors, ["Ann Lee"]);
        // Only an object naming another page of the site: it does not speak for this one.
        let v = parse_script(
            r#"{"@type":"BlogPosting","url":"https://example.com/news/other","datePublished":"2020-01-01"}"#,
        )
        .unwrap();
        let j = read_for(std::slice::from_ref(&v), &page);
        assert!(j.date_published.is_none() && !j.is_article);
        // A template's placeholder URL on another host names nothing.
        let v = parse_script(
            r#"{"@type":"NewsArticle","mainEntityOfPage":{"@id":"https://google.com/article"},"headline":"H"}"#,
        )
        .unwrap();
        assert_eq!(
            read_for(std::slice::from_ref(&v), &page)
                .headline
                .as_deref(),
            Some("H")
        );
        // No article object: the WebPage for this page gives the dates.
        let v = parse_script(
            r#"{"@graph":[{"@type":"WebPage","@id":"https://example.com/news/story-1","datePublished":"2021-01-27T06:00:00+00:00"}]}"#,
        )
        .unwrap();
        let j = read_for(std::slice::from_ref(&v), &page);
        assert_eq!(
            j.date_published.as_deref(),
            Some("2021-01-27T06:00:00+00:00")
        );
    }

    #[test]
    fn html_entities_in_strings_are_decoded() {
        let j = read_str(
            r#"{"@type":"BlogPosting","headline":"Tips &amp; Tricks","author":{"@type":"Person","name":"Maria &amp; Katerina"}}"#,
        );
        assert_eq!(j.headline.as_deref(), Some("Tips & Tricks"));
        assert_eq!(j.authors, ["Maria & Katerina"]);
    }

    #[test]
    fn broken_and_wrapped_json() {
        assert!(parse_script("{\"@type\": \"NewsArticle\",").is_none());
        assert!(parse_script("<!-- {\"@type\":\"Article\"} -->").is_some());
        assert!(parse_script("//<![CDATA[\n{\"@type\":\"Article\"}\n//]]>").is_some());
        let j = read(&[]);
        assert!(!j.is_article);
        let j = read_str(r#"{"@type":"CollectionPage","name":"World news"}"#);
        assert!(!j.is_article);
        assert_eq!(j.page_types, ["collectionpage"]);
    }

    #[test]
    fn many_articles_are_a_listing() {
        let j = read_str(
            r#"[{"@type":"NewsArticle","headline":"a"},{"@type":"NewsArticle","headline":"b"},{"@type":"NewsArticle","headline":"c"}]"#,
        );
        assert!(!j.is_article);
        let j = read_str(
            r#"{"@type":"ItemList","itemListElement":[{"@type":"NewsArticle","headline":"a"}]}"#,
        );
        assert!(!j.is_article);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut s = String::new();
        for _ in 0..100 {
            s.push_str(r#"{"@type":"WebPage","mainEntity":"#);
        }
        s.push_str(r#"{"@type":"Article"}"#);
        for _ in 0..100 {
            s.push('}');
        }
        // serde_json's own recursion limit (128) may refuse it; either way no panic.
        if let Some(v) = parse_script(&s) {
            let _ = read(&[v]);
        }
    }
}
