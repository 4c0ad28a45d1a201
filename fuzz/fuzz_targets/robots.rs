//! robots.txt handling (trawl-fetch's parser entry point and matcher) never panics on
//! arbitrary bodies, statuses or paths, and its decisions are consistent.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trawl_fetch::robots::{RobotsFetch, RobotsRules};

fuzz_target!(|data: &[u8]| {
    // Layout: 2 bytes status selector, then "<path>\n<body>".
    let (sel, rest) = if data.len() >= 2 {
        (u16::from_le_bytes([data[0], data[1]]), &data[2..])
    } else {
        (200, data)
    };
    let status = [200u16, 200, 200, 404, 410, 500, 503, 301][(sel % 8) as usize];
    let (path, body) = match rest.iter().position(|b| *b == b'\n') {
        Some(i) => (
            String::from_utf8_lossy(&rest[..i]).into_owned(),
            &rest[i + 1..],
        ),
        None => (String::from("/"), rest),
    };
    let rules = RobotsRules::from_fetch(
        "trawl",
        RobotsFetch::Response {
            status,
            body: bytes::Bytes::copy_from_slice(body),
        },
    );
    let base = url::Url::parse("http://a.test/").expect("static base");
    if let Ok(u) = base.join(&path) {
        let first = rules.decide(&u);
        let again = rules.decide(&u);
        assert_eq!(
            format!("{first:?}"),
            format!("{again:?}"),
            "decisions are stable"
        );
    }
});
