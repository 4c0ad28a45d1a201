//! Property test (the stable-toolchain twin of the `robots` cargo-fuzz target): realistic
//! robots.txt files, mutated (byte flips, truncations, duplicated ranges, spliced directives
//! and junk), under any HTTP status, never panic the parser or the matcher, and the decision
//! follows RFC 9309's status rules. Bounded cases: runs in seconds.

use proptest::prelude::*;
use trawl_fetch::robots::{RobotsFetch, RobotsRules};
use trawl_fetch::RobotsStatus;

const REAL: &[&str] = &[
    "User-agent: *\nDisallow: /search\nAllow: /search/about\nDisallow: /*?q=\n\
     Crawl-delay: 1.5\nSitemap: https://news.example/sitemap.xml\n\n\
     User-agent: trawl\nDisallow: /private/\nAllow: /private/ok$\nDisallow: /*.pdf$\n",
    "# comment line\nUser-agent: Googlebot\nUser-agent: trawl\nDisallow:\n\n\
     User-agent: *\nDisallow: /\n",
    "User-agent: *\r\nDisallow: /wp-admin/\r\nAllow: /wp-admin/admin-ajax.php\r\n\
     Sitemap: https://blog.example/wp-sitemap.xml\r\n",
    "\u{feff}User-agent: *\nCrawl-delay: 10\nDisallow: /cgi-bin/\nDisallow: /tmp/\n",
];

const SPLICES: &[&str] = &[
    "\nUser-agent: *\n",
    "\nUser-agent: trawl\n",
    "\nDisallow: /\n",
    "\nAllow: /\n",
    "\nDisallow: *\n",
    "\nDisallow: /$\n",
    "\nCrawl-delay: -1\n",
    "\nCrawl-delay: NaN\n",
    "\nCrawl-delay: 1e308\n",
    "\nCrawl-delay: 99999999999999999999\n",
    "\nSitemap: \n",
    "\nSitemap: javascript:alert(1)\n",
    ":::::",
    "\u{0}",
    "\r",
    "\u{fffd}",
    "User-agent",
    "\nDisallow: /%zz%\n",
    "\nDisallow: /**********************************$$$$\n",
];

fn apply(body: &mut Vec<u8>, op: u8, at: usize, arg: usize) {
    let len = body.len().max(1);
    let i = (at % len).min(body.len());
    match op % 5 {
        0 => {
            if !body.is_empty() {
                body[at % len] = arg as u8;
            }
        }
        1 => body.truncate(i),
        2 => {
            let e = (i + arg % 200).min(body.len());
            let chunk = body[i..e].to_vec();
            body.splice(e..e, chunk);
        }
        3 => {
            let s = SPLICES[arg % SPLICES.len()].as_bytes();
            body.splice(i..i, s.iter().copied());
        }
        _ => {
            let e = (i + arg % 50).min(body.len());
            body.drain(i..e);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_real_robots_files_never_panic_and_follow_the_status_rules(
        which in 0..REAL.len(),
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 0..16),
        status in prop_oneof![Just(200u16), Just(200), Just(206), Just(404), Just(401), Just(429), Just(500), Just(503)],
        path in "/[ -~]{0,30}",
    ) {
        let mut body = REAL[which].as_bytes().to_vec();
        for (op, at, arg) in ops {
            apply(&mut body, op, at, arg);
        }
        let rules = RobotsRules::from_fetch(
            "trawl",
            RobotsFetch::Response { status, body: bytes::Bytes::from(body) },
        );
        let base = url::Url::parse("https://news.example/").unwrap();
        let Ok(u) = base.join(&path) else { return Ok(()) };
        let d = rules.decide(&u);
        prop_assert_eq!(&d, &rules.decide(&u), "the same answer twice");
        match status {
            200..=299 => prop_assert!(matches!(d.status, RobotsStatus::Fetched | RobotsStatus::Unparsable)),
            429 | 500..=599 => {
                prop_assert_eq!(d.status, RobotsStatus::Unreachable);
                prop_assert!(!d.allowed || u.path() == "/robots.txt");
            }
            _ => {
                prop_assert_eq!(d.status, RobotsStatus::Unavailable);
                prop_assert!(d.allowed, "a 4xx robots.txt allows everything");
            }
        }
        if let Some(delay) = d.crawl_delay {
            // Converted without overflow or NaN.
            prop_assert!(delay.as_secs_f64().is_finite());
        }
    }
}

/// The unmutated files give the expected answers (so the property above is not vacuous).
#[test]
fn real_files_decide_as_written() {
    let rules = RobotsRules::from_fetch(
        "trawl",
        RobotsFetch::Response {
            status: 200,
            body: bytes::Bytes::from_static(REAL[0].as_bytes()),
        },
    );
    let at = |p: &str| rules.decide(&url::Url::parse(&format!("https://news.example{p}")).unwrap());
    assert!(!at("/private/x").allowed);
    assert!(at("/private/ok").allowed);
    assert!(!at("/a/file.pdf").allowed);
    assert!(at("/search").allowed, "our group replaces the * group");
    assert_eq!(at("/").status, RobotsStatus::Fetched);
    let rules = RobotsRules::from_fetch(
        "trawl",
        RobotsFetch::Response {
            status: 200,
            body: bytes::Bytes::from_static(REAL[1].as_bytes()),
        },
    );
    assert!(
        rules
            .decide(&url::Url::parse("https://x.example/anything").unwrap())
            .allowed
    );
}
