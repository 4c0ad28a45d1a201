//! Crawl scope: which hosts and URLs a crawl follows, and how deep.

use std::collections::HashSet;

use regex::RegexSet;
use url::Url;

use crate::FilterReason;

/// Scope settings (usually from the `[frontier]` config section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeConfig {
    /// Domains in scope. Empty with [`Scope::from_seeds`]: the seeds' hosts.
    pub domains: Vec<String>,
    /// Also accept subdomains of the domains (`news.example.com` for `example.com`).
    pub include_subdomains: bool,
    /// Regexes over the full canonical URL; when non-empty, a URL must match one.
    pub allow_patterns: Vec<String>,
    /// Regexes over the full canonical URL; a match puts the URL out of scope.
    pub deny_patterns: Vec<String>,
    /// Maximum link depth from a seed (seeds are depth 0).
    pub max_depth: u32,
}

impl Default for ScopeConfig {
    fn default() -> Self {
        ScopeConfig {
            domains: Vec::new(),
            include_subdomains: false,
            allow_patterns: Vec::new(),
            deny_patterns: Vec::new(),
            max_depth: 10,
        }
    }
}

/// A scope pattern that does not compile. Permanent (a config error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// A regex in allow/deny patterns is invalid; carries the pattern and reason.
    #[error("invalid scope pattern `{pattern}`: {reason}")]
    BadPattern {
        /// The pattern as configured.
        pattern: String,
        /// The regex crate's reason.
        reason: String,
    },
    /// A domain that is not a valid host name.
    #[error("invalid scope domain `{0}`")]
    BadDomain(String),
}

/// The compiled crawl scope.
///
/// A URL is in scope when: its scheme is http(s); its depth is at most
/// `max_depth`; its host is one of the domains (a leading `www.` ignored on
/// both sides; subdomains too with `include_subdomains`), or no domains are
/// configured; it matches an allow pattern when any are configured; and it
/// matches no deny pattern.
#[derive(Debug, Clone)]
pub struct Scope {
    hosts: HashSet<String>,
    include_subdomains: bool,
    allow: Option<RegexSet>,
    deny: Option<RegexSet>,
    max_depth: u32,
}

fn compile(patterns: &[String]) -> Result<Option<RegexSet>, ScopeError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    for p in patterns {
        regex::RegexBuilder::new(p)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| ScopeError::BadPattern {
                pattern: p.clone(),
                reason: e.to_string(),
            })?;
    }
    regex::RegexSetBuilder::new(patterns)
        .size_limit(8 << 20)
        .build()
        .map(Some)
        .map_err(|e| ScopeError::BadPattern {
            pattern: patterns.join(" | "),
            reason: e.to_string(),
        })
}

fn normalize_host(h: &str) -> String {
    let h = h.trim().trim_end_matches('.').to_ascii_lowercase();
    match h.strip_prefix("www.") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => h,
    }
}

fn domain_to_host(d: &str) -> Result<String, ScopeError> {
    let d = d.trim();
    // Accept "example.com", "https://example.com/..." and IDNs.
    let as_url = if d.contains("://") {
        Url::parse(d)
    } else {
        Url::parse(&format!("http://{d}/"))
    };
    match as_url
        .ok()
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_string))
    {
        Some(h) if !h.is_empty() => Ok(normalize_host(&h)),
        _ => Err(ScopeError::BadDomain(d.chars().take(200).collect())),
    }
}

impl Scope {
    /// Scope from configuration alone (configured domains; none = any host).
    pub fn new(cfg: &ScopeConfig) -> Result<Scope, ScopeError> {
        let mut hosts = HashSet::new();
        for d in &cfg.domains {
            hosts.insert(domain_to_host(d)?);
        }
        Ok(Scope {
            hosts,
            include_subdomains: cfg.include_subdomains,
            allow: compile(&cfg.allow_patterns)?,
            deny: compile(&cfg.deny_patterns)?,
            max_depth: cfg.max_depth,
        })
    }

    /// Scope from seeds: the configured domains, or when none are configured,
    /// the seeds' hosts.
    pub fn from_seeds(seeds: &[Url], cfg: &ScopeConfig) -> Result<Scope, ScopeError> {
        let mut scope = Scope::new(cfg)?;
        if cfg.domains.is_empty() {
            for s in seeds {
                scope.add_host(s);
            }
        }
        Ok(scope)
    }

    /// Add a URL's host to the scope (a seed added while running).
    pub fn add_host(&mut self, url: &Url) {
        if let Some(h) = url.host_str() {
            if !h.is_empty() {
                self.hosts.insert(normalize_host(h));
            }
        }
    }

    /// Whether a host is in scope (ignores patterns and depth).
    pub fn host_in_scope(&self, host: &str) -> bool {
        if self.hosts.is_empty() {
            return true;
        }
        let h = normalize_host(host);
        if self.hosts.contains(&h) {
            return true;
        }
        if self.include_subdomains {
            // Walk up the labels: a.b.example.com -> b.example.com -> example.com
            let mut rest = h.as_str();
            while let Some(idx) = rest.find('.') {
                rest = &rest[idx + 1..];
                if self.hosts.contains(rest) {
                    return true;
                }
            }
        }
        false
    }

    /// The maximum depth.
    pub fn max_depth(&self) -> u32 {
        self.max_depth
    }

    /// Check a (canonical) URL found at `depth` links from a seed.
    pub fn check(&self, url: &Url, depth: u32) -> Result<(), FilterReason> {
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(FilterReason::BadScheme);
        }
        if depth > self.max_depth {
            return Err(FilterReason::TooDeep);
        }
        let host = url.host_str().ok_or(FilterReason::Invalid)?;
        if !self.host_in_scope(host) {
            return Err(FilterReason::OutOfScope);
        }
        if let Some(allow) = &self.allow {
            if !allow.is_match(url.as_str()) {
                return Err(FilterReason::OutOfScope);
            }
        }
        if let Some(deny) = &self.deny {
            if deny.is_match(url.as_str()) {
                return Err(FilterReason::OutOfScope);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn seed_hosts_by_default_with_www_equivalence() {
        let s =
            Scope::from_seeds(&[u("https://www.example.com/")], &ScopeConfig::default()).unwrap();
        assert_eq!(s.check(&u("https://example.com/a"), 1), Ok(()));
        assert_eq!(s.check(&u("https://www.example.com/a"), 1), Ok(()));
        assert_eq!(
            s.check(&u("https://news.example.com/a"), 1),
            Err(FilterReason::OutOfScope)
        );
        assert_eq!(
            s.check(&u("https://other.org/a"), 1),
            Err(FilterReason::OutOfScope)
        );
        // suffix tricks are not subdomains
        assert_eq!(
            s.check(&u("https://badexample.com/a"), 1),
            Err(FilterReason::OutOfScope)
        );
    }

    #[test]
    fn subdomains_when_enabled() {
        let cfg = ScopeConfig {
            include_subdomains: true,
            ..ScopeConfig::default()
        };
        let s = Scope::from_seeds(&[u("https://example.com/")], &cfg).unwrap();
        assert_eq!(s.check(&u("https://a.b.example.com/x"), 0), Ok(()));
        assert_eq!(
            s.check(&u("https://badexample.com/x"), 0),
            Err(FilterReason::OutOfScope)
        );
    }

    #[test]
    fn configured_domains_override_seeds() {
        let cfg = ScopeConfig {
            domains: vec!["news.example.org".into(), "https://Bücher.example/".into()],
            ..ScopeConfig::default()
        };
        let s = Scope::from_seeds(&[u("https://example.com/")], &cfg).unwrap();
        assert_eq!(
            s.check(&u("https://example.com/"), 0),
            Err(FilterReason::OutOfScope)
        );
        assert_eq!(s.check(&u("https://news.example.org/"), 0), Ok(()));
        assert_eq!(s.check(&u("https://xn--bcher-kva.example/"), 0), Ok(()));
    }

    #[test]
    fn depth_limit() {
        let cfg = ScopeConfig {
            max_depth: 2,
            ..ScopeConfig::default()
        };
        let s = Scope::from_seeds(&[u("http://e.com/")], &cfg).unwrap();
        assert_eq!(s.check(&u("http://e.com/a"), 2), Ok(()));
        assert_eq!(s.check(&u("http://e.com/a"), 3), Err(FilterReason::TooDeep));
    }

    #[test]
    fn allow_and_deny_patterns() {
        let cfg = ScopeConfig {
            allow_patterns: vec![r"^https://e\.com/(news|sport)/".into()],
            deny_patterns: vec![r"/news/live/".into()],
            ..ScopeConfig::default()
        };
        let s = Scope::from_seeds(&[u("https://e.com/")], &cfg).unwrap();
        assert_eq!(s.check(&u("https://e.com/news/a"), 1), Ok(()));
        assert_eq!(
            s.check(&u("https://e.com/shop/a"), 1),
            Err(FilterReason::OutOfScope)
        );
        assert_eq!(
            s.check(&u("https://e.com/news/live/1"), 1),
            Err(FilterReason::OutOfScope)
        );
    }

    #[test]
    fn bad_scheme_and_bad_patterns() {
        let s = Scope::new(&ScopeConfig::default()).unwrap();
        assert_eq!(s.check(&u("ftp://e.com/"), 0), Err(FilterReason::BadScheme));
        let cfg = ScopeConfig {
            deny_patterns: vec!["(".into()],
            ..ScopeConfig::default()
        };
        assert!(matches!(
            Scope::new(&cfg),
            Err(ScopeError::BadPattern { pattern, .. }) if pattern == "("
        ));
        let cfg = ScopeConfig {
            domains: vec!["exa mple.com".into()],
            ..ScopeConfig::default()
        };
        assert!(matches!(Scope::new(&cfg), Err(ScopeError::BadDomain(_))));
    }

    #[test]
    fn add_host_extends_scope() {
        let mut s = Scope::from_seeds(&[u("https://a.com/")], &ScopeConfig::default()).unwrap();
        assert!(s.check(&u("https://b.com/"), 0).is_err());
        s.add_host(&u("https://b.com/x"));
        assert_eq!(s.check(&u("https://b.com/"), 0), Ok(()));
    }
}
