//! The SSRF guard: which addresses and URLs the fetcher refuses to connect to.
//!
//! Checked on IP-literal hosts before connecting, on every address a host name resolves to
//! (inside [`crate::dns::GuardedResolver`], so the socket only ever sees vetted addresses),
//! and again on every redirect hop.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use thiserror::Error;
use url::{Host, Url};

/// Why a URL or address was refused. Permanent: retrying gives the same answer.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum Blocked {
    #[error("scheme {0:?} is not fetched (only http and https)")]
    Scheme(String),
    #[error("address {addr} is in a blocked range ({range})")]
    Address { addr: IpAddr, range: &'static str },
    #[error("URL has no host")]
    NoHost,
}

/// The set of ranges refused unless allow-listed.
///
/// IPv4: 0.0.0.0/8 (this network / unspecified), 10/8, 172.16/12, 192.168/16 (RFC 1918),
/// 100.64/10 (CGNAT), 127/8 (loopback), 169.254/16 (link-local, cloud metadata),
/// 192.0.0.0/24 (IETF protocol assignments), 198.18/15 (benchmarking), 224/4 (multicast),
/// 240/4 (reserved, incl. 255.255.255.255 broadcast).
/// IPv6: ::/128, ::1/128, fc00::/7 (unique-local), fe80::/10 (link-local), ff00::/8
/// (multicast), 64:ff9b::/96 NAT64 and ::ffff:0:0/96 IPv4-mapped are judged by the embedded
/// IPv4 address; 2002::/16 (6to4) by the embedded IPv4 address too.
pub fn blocked_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => blocked_v4(v4),
        IpAddr::V6(v6) => blocked_v6(v6),
    }
}

fn blocked_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    Some(match o {
        [0, ..] => "0.0.0.0/8 unspecified",
        [10, ..] => "10.0.0.0/8 private",
        [100, b, ..] if (64..128).contains(&b) => "100.64.0.0/10 CGNAT",
        [127, ..] => "127.0.0.0/8 loopback",
        [169, 254, ..] => "169.254.0.0/16 link-local",
        [172, b, ..] if (16..32).contains(&b) => "172.16.0.0/12 private",
        [192, 0, 0, _] => "192.0.0.0/24 IETF",
        [192, 168, ..] => "192.168.0.0/16 private",
        [198, b, ..] if b == 18 || b == 19 => "198.18.0.0/15 benchmarking",
        [a, ..] if (224..240).contains(&a) => "224.0.0.0/4 multicast",
        [a, ..] if a >= 240 => "240.0.0.0/4 reserved/broadcast",
        _ => return None,
    })
}

fn blocked_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("::/128 unspecified");
    }
    if ip.is_loopback() {
        return Some("::1/128 loopback");
    }
    if let Some(v4) = ip.to_ipv4_mapped() {
        return blocked_v4(v4).map(|_| "::ffff:0:0/96 IPv4-mapped blocked range");
    }
    let s = ip.segments();
    // IPv4-compatible (deprecated ::a.b.c.d) and NAT64 64:ff9b::/96 embed an IPv4 address.
    if s[..6] == [0, 0, 0, 0, 0, 0] || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return blocked_v4(v4).map(|_| "IPv4-embedding IPv6 of a blocked range");
    }
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return blocked_v4(v4).map(|_| "2002::/16 6to4 of a blocked range");
    }
    match s[0] {
        x if x & 0xfe00 == 0xfc00 => Some("fc00::/7 unique-local"),
        x if x & 0xffc0 == 0xfe80 => Some("fe80::/10 link-local"),
        x if x & 0xffc0 == 0xfec0 => Some("fec0::/10 site-local"),
        x if x & 0xff00 == 0xff00 => Some("ff00::/8 multicast"),
        _ => None,
    }
}

/// The guard: blocked ranges minus the allow-list. Disabled → everything passes (only the
/// scheme check remains).
#[derive(Debug, Clone, Default)]
pub struct SsrfGuard {
    enabled: bool,
    allow: Vec<IpNet>,
}

impl SsrfGuard {
    pub fn new(enabled: bool, allow: Vec<IpNet>) -> Self {
        SsrfGuard { enabled, allow }
    }

    /// Whether the guard refuses anything at all.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Check one address.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), Blocked> {
        if !self.enabled {
            return Ok(());
        }
        let Some(range) = blocked_range(ip) else {
            return Ok(());
        };
        // An allow-list entry matches the address as written, or its IPv4 form when mapped.
        let canonical = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        if self
            .allow
            .iter()
            .any(|n| n.contains(&ip) || n.contains(&canonical))
        {
            return Ok(());
        }
        Err(Blocked::Address { addr: ip, range })
    }

    /// Check a URL before any connection: scheme http/https, and an IP-literal host.
    /// (Host names are checked after resolution by the resolver.)
    pub fn check_url(&self, url: &Url) -> Result<(), Blocked> {
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(Blocked::Scheme(other.to_string())),
        }
        match url.host() {
            None => Err(Blocked::NoHost),
            Some(Host::Ipv4(v4)) => self.check_ip(IpAddr::V4(v4)),
            Some(Host::Ipv6(v6)) => self.check_ip(IpAddr::V6(v6)),
            Some(Host::Domain(_)) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> SsrfGuard {
        SsrfGuard::new(true, vec![])
    }

    fn url_blocked(u: &str) -> bool {
        let url = Url::parse(u).unwrap();
        guard().check_url(&url).is_err()
    }

    #[test]
    fn blocks_the_private_and_special_ranges() {
        for ip in [
            "127.0.0.1",
            "127.255.255.254",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(guard().check_ip(ip).is_err(), "{ip} should be blocked");
        }
    }

    #[test]
    fn lets_public_addresses_through() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "169.253.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(guard().check_ip(ip).is_ok(), "{ip} should pass");
        }
    }

    #[test]
    fn url_crate_normalizes_numeric_ipv4_forms_and_they_are_blocked() {
        // Decimal, octal, hex and short forms of 127.0.0.1 / 169.254.169.254.
        for u in [
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://0x7f.0.0.1/",
            "http://0x7f000001/",
            "http://127.1/",
            "http://017700000001/",
            "http://2852039166/latest/meta-data/",
            "http://0xa9.0xfe.0xa9.0xfe/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::1]:8080/",
            "http://localhost./", // a domain: resolved, then checked by the resolver
        ] {
            let url = Url::parse(u).unwrap();
            if u.contains("localhost") {
                assert!(matches!(url.host(), Some(Host::Domain(_))));
                continue;
            }
            assert!(
                matches!(url.host(), Some(Host::Ipv4(_)) | Some(Host::Ipv6(_))),
                "{u} parsed as {:?}",
                url.host()
            );
            assert!(url_blocked(u), "{u} should be blocked");
        }
    }

    #[test]
    fn only_http_and_https() {
        assert!(matches!(
            guard().check_url(&Url::parse("file:///etc/passwd").unwrap()),
            Err(Blocked::Scheme(_))
        ));
        assert!(matches!(
            guard().check_url(&Url::parse("gopher://example.com/").unwrap()),
            Err(Blocked::Scheme(_))
        ));
        // Scheme is checked even when the guard is off.
        assert!(SsrfGuard::new(false, vec![])
            .check_url(&Url::parse("ftp://example.com/").unwrap())
            .is_err());
        assert!(guard()
            .check_url(&Url::parse("https://example.com/").unwrap())
            .is_ok());
    }

    #[test]
    fn allow_list_opens_ranges_including_mapped_forms() {
        let g = SsrfGuard::new(true, vec!["127.0.0.0/8".parse().unwrap()]);
        assert!(g.check_ip("127.0.0.1".parse().unwrap()).is_ok());
        assert!(g.check_ip("::ffff:127.0.0.5".parse().unwrap()).is_ok());
        assert!(g.check_ip("169.254.169.254".parse().unwrap()).is_err());
        assert!(g.check_ip("::1".parse().unwrap()).is_err());
    }
}
