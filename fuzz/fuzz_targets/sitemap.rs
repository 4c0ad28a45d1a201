//! The sitemap parser and sniffer never panic and respect their caps.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trawl_discover::{parse_sitemap, sniff, Limits};

fuzz_target!(|data: &[u8]| {
    let base = url::Url::parse("https://example.com/sitemap.xml").expect("static base");
    let limits = Limits {
        max_urls: 100,
        max_decoded_bytes: 1 << 20,
        ..Limits::default()
    };
    let _ = sniff(Some("application/xml"), data);
    if let Ok(s) = parse_sitemap(data, &base, limits) {
        assert!(s.urls.len() <= 100 && s.sitemaps.len() <= 100);
        for u in &s.urls {
            assert!(u.loc.starts_with("http://") || u.loc.starts_with("https://"));
        }
    }
});
