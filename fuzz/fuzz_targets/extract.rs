//! The extractor never panics on arbitrary bytes, and what it returns keeps its invariants.
//! Seeds: fuzz/seeds/extract plus the extractor's fixtures and the benchmark pages (fuzz.sh).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Split off a Content-Type hint from the first byte so the fuzzer explores both paths.
    let (ct, body) = match data.split_first() {
        Some((b, rest)) if b % 4 == 0 => (Some("text/html; charset=windows-1251"), rest),
        Some((b, rest)) if b % 4 == 1 => (Some("application/xhtml+xml"), rest),
        Some((b, rest)) if b % 4 == 2 => (None, rest),
        _ => (Some("text/html"), data),
    };
    if let Ok(a) = trawl_extract::extract(body, "https://example.com/news/2024/01/02/story", ct) {
        assert_eq!(a.word_count as usize, a.body.split_whitespace().count());
        assert!(a
            .links
            .iter()
            .all(|l| l.starts_with("http://") || l.starts_with("https://")));
        let json = serde_json::to_string(&a).expect("an article serializes");
        let back: trawl_core::Article = serde_json::from_str(&json).expect("and reads back");
        assert_eq!(back, a);
    }
});
