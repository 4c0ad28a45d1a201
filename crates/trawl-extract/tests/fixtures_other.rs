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
