//! Property tests: the guard and the robots parser never panic and agree with themselves.

use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use trawl_fetch::robots::{RobotsFetch, RobotsRules};
use trawl_fetch::ssrf::{blocked_range, SsrfGuard};

proptest! {
    /// An IPv4 address and its IPv4-mapped IPv6 form get the same verdict.
    #[test]
    fn mapped_ipv6_has_the_ipv4_verdict(bits in any::<u32>()) {
        let v4 = Ipv4Addr::from(bits);
        let mapped = v4.to_ipv6_mapped();
        prop_assert_eq!(
            blocked_range(IpAddr::V4(v4)).is_some(),
            blocked_range(IpAddr::V6(mapped)).is_some()
        );
    }

    /// Every address the url crate accepts as a host gets a verdict without panicking, and a
    /// numeric IPv4 host (any spelling) gets the same verdict as its dotted form.
    #[test]
    fn numeric_hosts_are_normalized_before_the_check(bits in any::<u32>()) {
        let g = SsrfGuard::new(true, vec![]);
        let dotted = url::Url::parse(&format!("http://{}/", Ipv4Addr::from(bits))).unwrap();
        let decimal = url::Url::parse(&format!("http://{bits}/")).unwrap();
        let hex = url::Url::parse(&format!("http://0x{bits:x}/")).unwrap();
        prop_assert_eq!(dotted.host(), decimal.host());
        prop_assert_eq!(dotted.host(), hex.host());
        prop_assert_eq!(g.check_url(&dotted).is_ok(), g.check_url(&decimal).is_ok());
    }

    /// Arbitrary IPv6 addresses never panic.
    #[test]
    fn any_ipv6_gets_a_verdict(bits in any::<u128>()) {
        let _ = blocked_range(IpAddr::V6(Ipv6Addr::from(bits)));
    }

    /// Garbage robots.txt bodies never panic the parser or the matcher.
    #[test]
    fn robots_garbage_never_panics(body in proptest::collection::vec(any::<u8>(), 0..2048),
                                   path in "[ -~]{0,40}") {
        let rules = RobotsRules::from_fetch(
            "trawl",
            RobotsFetch::Response { status: 200, body: bytes::Bytes::from(body) },
        );
        if let Ok(u) = url::Url::parse("http://a.test/").and_then(|b| b.join(&path)) {
            let _ = rules.decide(&u);
        }
    }

    /// Robots-like text built from real directives never panics either.
    #[test]
    fn robots_directive_soup_never_panics(lines in proptest::collection::vec(
        prop_oneof![
            Just("User-agent: *".to_string()),
            Just("User-agent: trawl".to_string()),
            "Disallow: [ -~]{0,20}",
            "Allow: [ -~]{0,20}",
            "Crawl-delay: [0-9.]{0,6}",
            "Sitemap: [ -~]{0,20}",
            "[ -~]{0,30}",
        ], 0..30)) {
        let rules = RobotsRules::from_fetch(
            "trawl",
            RobotsFetch::Response { status: 200, body: bytes::Bytes::from(lines.join("\n")) },
        );
        let _ = rules.decide(&url::Url::parse("http://a.test/a/b*c$d?e=f").unwrap());
    }
}
