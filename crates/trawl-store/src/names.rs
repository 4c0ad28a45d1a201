//! The names a caller passes to the store's small key/value parts: the fields of a host's
//! metadata ([`HostField`], for `host_meta_*`) and the crawl-wide sets ([`StoreSet`], for
//! `set_*`). Each is written once here, so no call site spells one by hand; the strings are
//! the ones stored (Redis hash fields and key suffixes, the `--state` snapshot's keys) and must
//! not change.

use std::borrow::Cow;
use std::fmt;

/// A field of a host's metadata (in Redis, a field of the `<tag>:meta:<host>` hash).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HostField {
    /// The host's robots.txt `Crawl-delay`, in milliseconds (`crawl_delay_ms`).
    CrawlDelayMs,
    /// The host's current adaptive politeness delay, in milliseconds (`delay_ms`).
    DelayMs,
    /// URLs admitted for the host so far, for `max_pages_per_host` (`admitted`).
    Admitted,
    /// Pages charged to a URL-trap family, by the family's fingerprint
    /// (`trap:<32 hex digits>`).
    TrapFamily(u128),
    /// A hub family's sampled yield, by the family's fingerprint (`hub:<32 hex digits>`).
    HubFamily(u128),
    /// A source's last re-poll interval in milliseconds, by the source's URL (`poll:<url>`).
    PollInterval(String),
}

impl HostField {
    /// The field name as stored.
    pub fn name(&self) -> Cow<'_, str> {
        match self {
            HostField::CrawlDelayMs => Cow::Borrowed("crawl_delay_ms"),
            HostField::DelayMs => Cow::Borrowed("delay_ms"),
            HostField::Admitted => Cow::Borrowed("admitted"),
            HostField::TrapFamily(fp) => Cow::Owned(format!("trap:{fp:032x}")),
            HostField::HubFamily(fp) => Cow::Owned(format!("hub:{fp:032x}")),
            HostField::PollInterval(url) => Cow::Owned(format!("poll:{url}")),
        }
    }
}

impl fmt::Display for HostField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// A crawl-wide set of strings (in Redis, the `<prefix>:set:<name>` set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreSet {
    /// The hosts in the crawl's scope: the seeds' hosts (`scope_hosts`).
    ScopeHosts,
}

impl StoreSet {
    /// The set's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreSet::ScopeHosts => "scope_hosts",
        }
    }
}

impl fmt::Display for StoreSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_do_not_change() {
        assert_eq!(HostField::CrawlDelayMs.name(), "crawl_delay_ms");
        assert_eq!(HostField::DelayMs.name(), "delay_ms");
        assert_eq!(HostField::Admitted.name(), "admitted");
        assert_eq!(
            HostField::TrapFamily(0xab).name(),
            "trap:000000000000000000000000000000ab"
        );
        assert_eq!(
            HostField::HubFamily(u128::MAX).to_string(),
            format!("hub:{}", "f".repeat(32))
        );
        assert_eq!(
            HostField::PollInterval("https://a.example/feed.xml".into()).name(),
            "poll:https://a.example/feed.xml"
        );
        assert_eq!(StoreSet::ScopeHosts.as_str(), "scope_hosts");
        assert_eq!(StoreSet::ScopeHosts.to_string(), "scope_hosts");
    }
}
