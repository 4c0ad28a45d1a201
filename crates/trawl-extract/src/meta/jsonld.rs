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

/// Read all the given JSON-LD values.
pub fn read(values: &[Value]) -> JsonLd {
    // Walk every object (iteratively, bounded) and pick the first article-typed one.
    let mut article: Option<&serde_json::Map<String, Value>> = None;
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
                if types.iter().any(|t| is_article_type(t)) {
                    articles += 1;
                    if article.is_none() {
                        article = Some(obj);
                    }
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
    let Some(a) = article else {
        return out;
    };
    // Many article objects side by side describe a listing, not one article:
    // none of them speaks for the page.
    if articles > 2 {
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
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
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
fn people(v: Option<&Value>, publisher: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = v.into_iter().collect();
    while let Some(v) = stack.pop() {
        if out.len() > 50 {
            break;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter().rev()),
            Value::String(s) => out.push(s.trim().to_string()),
            Value::Object(o) => {
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
