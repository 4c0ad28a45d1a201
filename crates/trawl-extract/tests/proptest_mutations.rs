//! Property test: extraction never panics on mutated real pages (the fixtures,
//! plus the benchmark pages under `/work/shared/bench/extraction/` when present)
//! and its output keeps its invariants. Bounded cases, so it runs in seconds.

use proptest::prelude::*;
use trawl_extract::extract;

fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(load)
}

fn load() -> Vec<Vec<u8>> {
    let mut pages = vec![
        include_bytes!("fixtures/tass-kim-jong-un.html").to_vec(),
        include_bytes!("fixtures/listing-world-news.html").to_vec(),
        include_bytes!("fixtures/ru-windows-1251.html").to_vec(),
    ];
    let shared = std::path::Path::new("/work/shared/bench/extraction/pages");
    match std::fs::read_dir(shared) {
        Ok(entries) => {
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths.into_iter().take(8) {
                if let Ok(b) = std::fs::read(&p) {
                    pages.push(b);
                }
            }
        }
        Err(_) => eprintln!(
            "note: {} absent; mutating the bundled fixtures only",
            shared.display()
        ),
    }
    pages
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Overwrite a byte.
    Set(usize, u8),
    /// Delete a range.
    Delete(usize, usize),
    /// Duplicate a range in place.
    Duplicate(usize, usize),
    /// Insert a markup fragment.
    Insert(usize, &'static str),
    /// Cut the page short.
    Truncate(usize),
}

const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "</div>",
    "<div>",
    "<p>",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "\"",
    "'",
    "&amp",
    "<table><tr><td>",
    "{{item.x}}",
    "<h1>",
    "</h1>",
    "\u{0}",
    "\u{feff}",
    "<meta charset=koi8-r>",
    "<time datetime='2099-99-99'>",
    "<script type='application/ld+json'>{\"@type\":",
    "<a href='javascript:x'>",
    "<a href='http://[::1'>",
    "<img src=''>",
    "<figure><figcaption>©",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), 0usize..2000).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 0usize..4000).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(i, f)| Mutation::Insert(i, FRAGMENTS[f])),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(page: &mut Vec<u8>, m: &Mutation) {
    let len = page.len().max(1);
    match *m {
        Mutation::Set(i, b) => {
            if !page.is_empty() {
                page[i % len] = b;
            }
        }
        Mutation::Delete(i, n) => {
            let s = (i % len).min(page.len());
            let e = (s + n).min(page.len());
            page.drain(s..e);
        }
        Mutation::Duplicate(i, n) => {
            let s = (i % len).min(page.len());
            let e = (s + n).min(page.len());
            let chunk = page[s..e].to_vec();
            page.splice(e..e, chunk);
        }
        Mutation::Insert(i, f) => {
            let s = (i % len).min(page.len());
            page.splice(s..s, f.bytes());
        }
        Mutation::Truncate(i) => page.truncate(i % len),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_pages_never_panic(which in any::<usize>(), muts in proptest::collection::vec(mutation(), 1..12)) {
        let corpus = corpus();
        let mut page = corpus[which % corpus.len()].clone();
        for m in &muts {
            apply(&mut page, m);
        }
        if let Ok(a) = extract(&page, "https://example.com/news/2018/10/08/story", None) {
            prop_assert_eq!(a.word_count as usize, trawl_extract::count_words(&a.body));
            prop_assert_eq!(a.content_fingerprint.len(), 16);
            prop_assert_eq!(a.id.len(), 32);
            prop_assert!(a.links.iter().all(|l| l.starts_with("http://") || l.starts_with("https://")));
            prop_assert!(!a.body.contains("{{"));
            if let Some(c) = &a.canonical_url {
                prop_assert!(c.starts_with("http"));
            }
            // The article serializes and reads back.
            let json = serde_json::to_string(&a).unwrap();
            let back: trawl_core::Article = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, a);
        }
    }
}
