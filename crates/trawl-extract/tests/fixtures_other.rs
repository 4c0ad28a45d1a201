//! Small fixtures of other shapes: a section listing (not an article) and a
//! windows-1251 Russian article declared only in a `<meta http-equiv>`.

use trawl_extract::extract;

#[test]
fn listing_page_is_not_an_article() {
    let page = include_bytes!("fixtures/listing-world-news.html");
    let a = extract(page, "https://herald.example/world/", Some("text/html")).unwrap();
    assert!(!a.is_article, "a section listing is not an article");
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://herald.example/world/")
    );
    assert_eq!(a.language.as_deref(), Some("en"));
    // Its teasers are outlinks for the frontier.
    assert!(a
        .links
        .contains(&"https://herald.example/world/2018/10/08/storm-hits-coast".to_string()));
    assert!(a
        .links
        .contains(&"https://herald.example/world/?page=2".to_string()));
}

#[test]
fn windows_1251_article() {
    let page = include_bytes!("fixtures/ru-windows-1251.html");
    // No charset in the header: the meta tag decides.
    let a = extract(page, "https://novosti.example/x", Some("text/html")).unwrap();
    assert_eq!(
        a.title.as_deref(),
        Some("Песков: консультации о визите Ким Чен Ына в Россию идут")
    );
    assert_eq!(a.authors, ["Иван Петров"]);
    assert_eq!(
        a.published_at.map(|d| d.to_rfc3339()).as_deref(),
        Some("2018-10-08T13:43:00+03:00")
    );
    assert_eq!(a.section.as_deref(), Some("Политика"));
    assert_eq!(a.topics, ["КНДР", "Кремль"]);
    assert_eq!(
        a.language.as_deref(),
        Some("ru"),
        "guessed from the Cyrillic body"
    );
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://novosti.example/politika/2018/10/08/peskov-konsultacii")
    );
    assert!(
        a.body.contains("Консультации о возможном визите"),
        "{}",
        a.body
    );
    assert_eq!(a.dateline.as_deref(), Some("МОСКВА"));
    assert!(a.is_article);
    // The same bytes with no declaration at all: sniffed.
    let decl: &[u8] =
        b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">";
    let at = page
        .windows(decl.len())
        .position(|w| w == decl)
        .expect("fixture declares its charset");
    let stripped = [&page[..at], &page[at + decl.len()..]].concat();
    let b = extract(&stripped, "https://novosti.example/x", None).unwrap();
    assert_eq!(b.title, a.title);
}

/// A page whose body reads like an article, under a search URL or an error title, is not one.
#[test]
fn search_and_error_pages_are_not_articles() {
    let para = "<p>The committee met on Tuesday to discuss the budget, and members said the plan, which was \
                drafted over the summer, would be put to a vote next month after further hearings.</p>";
    let body = |title: &str| {
        format!(
            "<html><head><title>{title}</title><meta property='og:type' content='article'></head>\
             <body><article><h1>{title}</h1>{}</article></body></html>",
            para.repeat(8)
        )
    };
    let ok = extract(
        body("Budget plan goes to a vote").as_bytes(),
        "https://example.com/news/budget",
        None,
    )
    .unwrap();
    assert!(
        ok.is_article,
        "control: the same page under a normal URL is an article"
    );
    let search = extract(
        body("Budget plan goes to a vote").as_bytes(),
        "https://example.com/search?q=budget",
        None,
    )
    .unwrap();
    assert!(!search.is_article);
    let error = extract(
        body("404 Not Found").as_bytes(),
        "https://example.com/news/x",
        None,
    )
    .unwrap();
    assert!(!error.is_article);
}

/// The TASS article, its JSON-LD type replaced by `ld_type`.
fn tass_as(ld_type: &str) -> String {
    include_str!("fixtures/tass-kim-jong-un.html").replacen(
        "\"@type\": \"NewsArticle\"",
        &format!("\"@type\": \"{ld_type}\""),
        1,
    )
}

#[test]
fn a_front_page_is_not_an_article_unless_its_json_ld_says_so() {
    let plain = tass_as("WebPage");
    let at = |page: &str, url: &str| extract(page.as_bytes(), url, Some("text/html")).unwrap();
    assert!(at(&plain, "http://tass.com/politics/1024890").is_article);
    // the same page served as the site's root, a section's front or a taxonomy archive
    for front in [
        "http://tass.com/",
        "http://tass.com/news",
        "http://tass.com/category/politics/",
        "http://tass.com/news/page/2",
    ] {
        assert!(!at(&plain, front).is_article, "{front}");
    }
    // an article object in the JSON-LD outweighs the URL
    assert!(at(&tass_as("NewsArticle"), "http://tass.com/news").is_article);
}

#[test]
fn a_page_declared_a_forum_discussion_or_collection_is_not_an_article() {
    for declared in ["DiscussionForumPosting", "QAPage", "CollectionPage"] {
        let page = tass_as(declared);
        let a = extract(page.as_bytes(), "http://tass.com/politics/1024890", None).unwrap();
        assert!(!a.is_article, "{declared}");
    }
}
