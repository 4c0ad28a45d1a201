//! Golden test: the TASS article page fixture (`tests/fixtures/tass-kim-jong-un.html`,
//! written after `/work/shared/seed/tass-article-page.txt`, the text a reader sees).
//!
//! Two variants: the page as served (OpenGraph + JSON-LD NewsArticle), and the same
//! page without JSON-LD and without machine-readable dates, so that the visible
//! date "October 08, 13:43 UTC+3" (year from the page header's "2018-10-08") and
//! the visible section/lead/tags are what is read.

use trawl_core::Article;
use trawl_extract::extract;

const URL: &str = "http://tass.com/politics/1024890";
const PAGE: &str = include_str!("fixtures/tass-kim-jong-un.html");

const TITLE: &str = "Consultations on Kim Jong-un’s visit to Russia underway — Kremlin";
const LEAD: &str = "The Russian Federation Council speaker earlier confirmed that the North Korean leader had expressed willingness to make a visit to Russia in the near future";
const PARAGRAPHS: [&str; 4] = [
    "MOSCOW, October 8. /TASS/. Consultations concerning North Koran leader Kim Jong-un’s possible visit to Russia are underway, Kremlin Spokesman Dmitry Peskov told reporters, adding that further details would follow if a final agreement was made.",
    "\"Indeed, consultations on the possible date, place and format of such a visit are underway,\" the Russian presidential spokesman said.",
    "Peskov pointed out that an invitation to visit Russia had been conveyed to the North Korean leader. \"In case the details of such a visit are agreed on through diplomatic channels, we will make an announcement,\" he said. \"As of now, I cannot provide you with any specific information,\" the Kremlin spokesman added.",
    "Russian Federation Council (upper house of parliament) Speaker Valentina Matviyenko told reporters following her official visit to Pyongyang in early September that Kim Jong-un highly valued Moscow’s support. She also confirmed that the North Korean leader had expressed willingness to make a visit to Russia in the near future.",
];
const RELATED: &str = "Kim Jong-un expects Russia to help ease sanctions on North Korea — speaker";

/// The fixture without JSON-LD and without any machine-readable date or section.
fn without_structured_data() -> String {
    let start = PAGE
        .find("<script type=\"application/ld+json\">")
        .expect("fixture has JSON-LD");
    let end = start + PAGE[start..].find("</script>").expect("closed") + "</script>".len();
    let mut page = format!("{}{}", &PAGE[..start], &PAGE[end..]);
    page = page
        .lines()
        .filter(|l| !l.contains("published_time") && !l.contains("mediator_theme"))
        .collect::<Vec<_>>()
        .join("\n");
    page = page
        .replace(" itemprop=\"description\"", "")
        .replace(" itemprop=\"headline\"", "");
    assert!(!page.contains("2018-10-08T"), "no machine date left");
    page
}

fn check_metadata(a: &Article) {
    assert_eq!(a.title.as_deref(), Some(TITLE));
    assert_eq!(a.section.as_deref(), Some("Russian Politics & Diplomacy"));
    assert_eq!(
        a.published_at.map(|d| d.to_rfc3339()).as_deref(),
        Some("2018-10-08T13:43:00+03:00")
    );
    assert_eq!(a.dateline.as_deref(), Some("MOSCOW"));
    assert_eq!(a.lead.as_deref(), Some(LEAD));
    let image = a.image.as_ref().expect("lead image");
    assert!(
        image
            .credit
            .as_deref()
            .is_some_and(|c| c.contains("Mikhail Metzel/TASS")),
        "credit: {:?}",
        image.credit
    );
    assert!(image.url.ends_with("/1233925.jpg"), "{}", image.url);
    assert_eq!(a.topics, ["Foreign policy"]);
    assert_eq!(a.language.as_deref(), Some("en"));
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("http://tass.com/politics/1024890")
    );
    assert_eq!(
        a.id,
        trawl_core::article_id("http://tass.com/politics/1024890")
    );
    assert!(
        a.authors.is_empty(),
        "TASS names no author: {:?}",
        a.authors
    );
    // Outlinks: absolute, deduplicated, in document order, templates skipped.
    assert_eq!(
        a.links.first().map(String::as_str),
        Some("http://tass.com/")
    );
    assert!(a
        .links
        .contains(&"http://tass.com/world/1024830".to_string()));
    assert!(a
        .links
        .contains(&"http://tass.com/foreign-policy".to_string()));
    assert!(a
        .links
        .iter()
        .all(|l| l.starts_with("http") && !l.contains("{{")));
    let mut uniq = a.links.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(uniq.len(), a.links.len(), "links are deduplicated");
}

fn check_content(a: &Article) {
    let got: Vec<&str> = a.paragraphs.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(got, PARAGRAPHS, "body blocks");
    assert_eq!(a.body, PARAGRAPHS.join("\n\n"));
    assert_eq!(a.word_count as usize, trawl_extract::count_words(&a.body));
    assert!(
        a.related
            .iter()
            .any(|r| r.title == RELATED && r.url == "http://tass.com/world/1024830"),
        "related: {:?}",
        a.related
    );
    assert!(a.is_article);
    assert_eq!(a.content_fingerprint.len(), 16);
}

#[test]
fn tass_metadata_as_served() {
    let a = extract(PAGE.as_bytes(), URL, Some("text/html; charset=utf-8")).expect("extracts");
    check_metadata(&a);
    assert_eq!(
        a.modified_at.map(|d| d.to_rfc3339()).as_deref(),
        Some("2018-10-08T13:43:00+03:00")
    );
}

#[test]
fn tass_metadata_from_visible_page_only() {
    let page = without_structured_data();
    let a = extract(page.as_bytes(), URL, None).expect("extracts");
    check_metadata(&a);
    assert!(a.modified_at.is_none());
}

#[test]
fn tass_body_related_and_is_article() {
    let a = extract(PAGE.as_bytes(), URL, Some("text/html")).expect("extracts");
    check_content(&a);
    let b = extract(without_structured_data().as_bytes(), URL, None).expect("extracts");
    check_content(&b);
    assert_eq!(a.content_fingerprint, b.content_fingerprint);
}

#[test]
fn tass_json_round_trip() {
    let a = extract(PAGE.as_bytes(), URL, None).expect("extracts");
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.contains("\"published_at\":\"2018-10-08T13:43:00+03:00\""));
    let back: Article = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
}
