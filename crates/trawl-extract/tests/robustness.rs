//! Hostile inputs: each returns promptly with an error or a non-article result,
//! and never panics. (Promptness is not timed here; `scripts/` benchmarks time it.
//! A hang would show as a test that does not finish.)

use trawl_extract::{extract, extract_with, ExtractError, Options};

const URL: &str = "https://example.com/news/1";

#[test]
fn empty_body_is_an_error() {
    assert!(matches!(extract(b"", URL, None), Err(ExtractError::Empty)));
    assert!(matches!(
        extract(b"  \n\t ", URL, Some("text/html")),
        Err(ExtractError::Empty)
    ));
}

#[test]
fn empty_document_is_not_an_article() {
    let a = extract(b"<html><body></body></html>", URL, Some("text/html")).unwrap();
    assert!(!a.is_article);
    assert_eq!(a.body, "");
    assert_eq!(a.word_count, 0);
}

#[test]
fn non_html_types_are_refused() {
    for ct in [
        "image/jpeg",
        "application/pdf",
        "application/json",
        "text/css",
    ] {
        assert!(
            matches!(
                extract(b"<p>x</p>", URL, Some(ct)),
                Err(ExtractError::NotHtml(_))
            ),
            "{ct}"
        );
    }
    assert!(extract(b"<p>x</p>", URL, Some("text/html; charset=utf-8")).is_ok());
    assert!(extract(b"<p>x</p>", URL, Some("application/xhtml+xml")).is_ok());
}

#[test]
fn bad_url_is_an_error() {
    assert!(matches!(
        extract(b"<p>x</p>", "not a url", None),
        Err(ExtractError::BadUrl { .. })
    ));
}

#[test]
fn binary_garbage_is_refused_or_not_an_article() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    match extract(&bytes, URL, None) {
        Err(ExtractError::NotHtml(_)) => {}
        Ok(a) => assert!(!a.is_article),
        Err(e) => panic!("unexpected error {e}"),
    }
    // Even when the server claims HTML.
    match extract(&bytes, URL, Some("text/html")) {
        Err(ExtractError::NotHtml(_)) => {}
        Ok(a) => assert!(!a.is_article),
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn only_scripts_is_not_an_article() {
    let mut page = String::from("<html><head><title>App</title></head><body>");
    for i in 0..2000 {
        page.push_str(&format!(
            "<script>var a{i} = \"{}\";</script>",
            "lorem ipsum dolor sit amet, ".repeat(10)
        ));
    }
    page.push_str("</body></html>");
    let a = extract(page.as_bytes(), URL, Some("text/html")).unwrap();
    assert!(!a.is_article);
    assert!(
        !a.body.contains("lorem"),
        "script text leaked into the body"
    );
}

#[test]
fn hundred_thousand_nested_elements() {
    let mut page = String::from("<html><body>");
    for _ in 0..100_000 {
        page.push_str("<div class='date'>");
    }
    page.push_str("<p>deep text</p></body></html>");
    let a = extract(page.as_bytes(), URL, Some("text/html")).unwrap();
    assert!(!a.is_article);
}

#[test]
fn hundred_thousand_nested_inline_elements() {
    let mut page = String::from("<html><body><p>");
    for _ in 0..100_000 {
        page.push_str("<span><b>");
    }
    page.push_str("deep</p></body></html>");
    let _ = extract(page.as_bytes(), URL, None).unwrap();
}

#[test]
fn twenty_megabyte_page() {
    let para = "<p>Words of a long page, with commas, and more words to read for the scorer.</p>\n";
    let mut page = String::from("<html><head><title>Huge</title></head><body><article>");
    while page.len() < 20 * 1024 * 1024 {
        page.push_str(para);
    }
    page.push_str("</article></body></html>");
    // Over the limit: refused before any work.
    let small = Options {
        max_input_bytes: 1024 * 1024,
    };
    assert!(matches!(
        extract_with(page.as_bytes(), URL, None, &small),
        Err(ExtractError::TooLarge { .. })
    ));
    // Under the default limit: processed.
    let a = extract(page.as_bytes(), URL, None).unwrap();
    assert_eq!(a.title.as_deref(), Some("Huge"));
}
