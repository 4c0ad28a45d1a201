//! The feed parser (feed-rs behind our limits) never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trawl_discover::{parse_feed_with, Limits};

fuzz_target!(|data: &[u8]| {
    let base = url::Url::parse("https://example.com/feed.xml").expect("static base");
    let limits = Limits {
        max_urls: 100,
        max_decoded_bytes: 1 << 20,
        ..Limits::default()
    };
    if let Ok(items) = parse_feed_with(data, &base, limits) {
        assert!(items.len() <= 100);
    }
});
