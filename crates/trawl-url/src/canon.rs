//! Canonicalization: one URL per resource, so dedup and politeness work.
//!
//! The rules are written down in `docs/frontier-rules.md`. Parsing, IDNA,
//! scheme/host lowercasing, default-port removal and dot-segment resolution
//! come from the `url` crate (WHATWG URL standard); the rest is here.

use url::Url;

/// Default cap on the length of an input and of a canonical URL, in bytes.
pub const DEFAULT_MAX_URL_LEN: usize = 2048;

/// Query parameters dropped as tracking noise (case-insensitive). An entry
/// ending in `*` is a prefix.
pub const DEFAULT_TRACKING_PARAMS: &[&str] = &[
    "utm_*",
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "yclid",
    "_ga",
    "_gl",
    "igshid",
    "ref_src",
    "ref_url",
    "twclid",
    "ttclid",
    "li_fat_id",
    "mkt_tok",
    "_hsenc",
    "_hsmi",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wickedid",
    "s_cid",
    "cmpid",
    "ncid",
    "ocid",
];

/// Session-id parameters dropped from the query and from `;name=value` path
/// parameters (case-insensitive). An entry ending in `*` is a prefix.
pub const DEFAULT_SESSION_PARAMS: &[&str] = &[
    "jsessionid",
    "phpsessid",
    "sid",
    "sessionid",
    "session_id",
    "sessid",
    "aspsessionid*",
    "cfid",
    "cftoken",
    "zenid",
    "oscsid",
];

/// Configurable parts of canonicalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonRules {
    /// Extra tracking parameters to drop, on top of [`DEFAULT_TRACKING_PARAMS`].
    pub extra_tracking_params: Vec<String>,
    /// Extra session parameters to drop, on top of [`DEFAULT_SESSION_PARAMS`].
    pub extra_session_params: Vec<String>,
    /// Sort query parameters (default true). Sorting makes `?a=1&b=2` and
    /// `?b=2&a=1` one URL; a server that depends on parameter order is rare.
    pub sort_query: bool,
    /// Maximum length in bytes of the input and of the canonical URL.
    pub max_len: usize,
}

impl Default for CanonRules {
    fn default() -> Self {
        CanonRules {
            extra_tracking_params: Vec::new(),
            extra_session_params: Vec::new(),
            sort_query: true,
            max_len: DEFAULT_MAX_URL_LEN,
        }
    }
}

impl CanonRules {
    fn is_dropped_param(&self, name_lower: &str) -> bool {
        let m = |p: &str| param_matches(p, name_lower);
        DEFAULT_TRACKING_PARAMS.iter().any(|p| m(p))
            || DEFAULT_SESSION_PARAMS.iter().any(|p| m(p))
            || self.extra_tracking_params.iter().any(|p| m(p))
            || self.extra_session_params.iter().any(|p| m(p))
    }

    fn is_session_param(&self, name_lower: &str) -> bool {
        DEFAULT_SESSION_PARAMS
            .iter()
            .any(|p| param_matches(p, name_lower))
            || self
                .extra_session_params
                .iter()
                .any(|p| param_matches(p, name_lower))
    }
}

fn param_matches(pattern: &str, name_lower: &str) -> bool {
    let pattern = pattern.trim();
    if let Some(prefix) = pattern.strip_suffix('*') {
        name_lower.len() >= prefix.len()
            && name_lower.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    } else {
        name_lower.eq_ignore_ascii_case(pattern)
    }
}

/// Why a URL could not be canonicalized. All are permanent: the same input
/// always fails the same way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not a URL (parse error from the `url` crate, with its reason).
    #[error("invalid URL: {0}")]
    Invalid(String),
    /// A relative URL with no base to resolve it against.
    #[error("relative URL without a base")]
    Relative,
    /// Scheme other than http or https.
    #[error("unsupported scheme `{0}` (only http and https)")]
    UnsupportedScheme(String),
    /// http(s) URL without a host.
    #[error("URL has no host")]
    NoHost,
    /// Longer than the cap.
    #[error("URL too long: {len} bytes (max {max})")]
    TooLong {
        /// Length of the offending URL in bytes.
        len: usize,
        /// The configured cap.
        max: usize,
    },
}

/// Canonicalize a URL string, resolving it against `base` when relative.
///
/// Never panics. Input longer than `rules.max_len` is refused before parsing.
pub fn canonicalize(input: &str, base: Option<&Url>, rules: &CanonRules) -> Result<Url, UrlError> {
    if input.len() > rules.max_len {
        return Err(UrlError::TooLong {
            len: input.len(),
            max: rules.max_len,
        });
    }
    let parsed = Url::options().base_url(base).parse(input.trim());
    let url = match parsed {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => return Err(UrlError::Relative),
        Err(e) => return Err(UrlError::Invalid(e.to_string())),
    };
    canonicalize_url(&url, rules)
}

/// Canonicalize an already parsed URL. Never panics.
pub fn canonicalize_url(url: &Url, rules: &CanonRules) -> Result<Url, UrlError> {
    let scheme = url.scheme();
    if scheme != "http" && scheme != "https" {
        return Err(UrlError::UnsupportedScheme(truncate(scheme, 32)));
    }
    if url.as_str().len() > rules.max_len.saturating_mul(3) {
        // Cheap early exit for huge parsed inputs; the exact check is below.
        return Err(UrlError::TooLong {
            len: url.as_str().len(),
            max: rules.max_len,
        });
    }
    let mut out = url.clone();
    match out.host_str() {
        None | Some("") => return Err(UrlError::NoHost),
        Some(h) if h.ends_with('.') && h.len() > 1 => {
            let trimmed = h.trim_end_matches('.').to_string();
            if trimmed.is_empty() {
                return Err(UrlError::NoHost);
            }
            out.set_host(Some(&trimmed))
                .map_err(|e| UrlError::Invalid(e.to_string()))?;
        }
        Some(_) => {}
    }
    // Credentials are not part of a resource's identity and must not leak.
    let _ = out.set_username("");
    let _ = out.set_password(None);
    out.set_fragment(None);

    // Path: drop session path parameters, normalize percent-encoding.
    let path = normalize_path(out.path(), rules);
    if path != out.path() {
        out.set_path(&path);
    }

    // Query: drop tracking/session params and empty pairs, normalize, sort.
    if let Some(q) = out.query() {
        let mut pairs: Vec<String> = Vec::new();
        for pair in q.split('&') {
            if pair.is_empty() {
                continue;
            }
            let name = pair.split('=').next().unwrap_or("");
            let decoded_name = percent_decode_lossy(name).to_ascii_lowercase();
            if rules.is_dropped_param(&decoded_name) {
                continue;
            }
            pairs.push(normalize_percent(pair));
        }
        if rules.sort_query {
            pairs.sort();
        }
        if pairs.is_empty() {
            out.set_query(None);
        } else {
            out.set_query(Some(&pairs.join("&")));
        }
    }

    let len = out.as_str().len();
    if len > rules.max_len {
        return Err(UrlError::TooLong {
            len,
            max: rules.max_len,
        });
    }
    Ok(out)
}

/// The politeness and queue key of a URL: `scheme://host:port`, port always
/// explicit (`https://example.com:443`). IPv6 hosts keep their brackets.
pub fn host_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port_or_known_default() {
        Some(port) => format!("{}://{}:{}", url.scheme(), host, port),
        None => format!("{}://{}", url.scheme(), host),
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn normalize_path(path: &str, rules: &CanonRules) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if seg.contains(';') {
            let mut parts = seg.split(';');
            out.push_str(&normalize_percent(parts.next().unwrap_or("")));
            for param in parts {
                let name = param.split('=').next().unwrap_or("");
                let name = percent_decode_lossy(name).to_ascii_lowercase();
                if param.is_empty() || rules.is_session_param(&name) {
                    continue;
                }
                out.push(';');
                out.push_str(&normalize_percent(param));
            }
        } else {
            out.push_str(&normalize_percent(seg));
        }
    }
    out
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decode `%XX` escapes of unreserved characters, uppercase the hex of the
/// others. A `%` not followed by two hex digits becomes `%25`.
fn normalize_percent(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                let v = h * 16 + l;
                if is_unreserved(v) {
                    out.push(v);
                } else {
                    out.push(b'%');
                    out.push(bytes[i + 1].to_ascii_uppercase());
                    out.push(bytes[i + 2].to_ascii_uppercase());
                }
                i += 3;
                continue;
            }
        }
        if bytes[i] == b'%' {
            // A stray `%` is encoded, so that decoding a neighbour can never
            // form a new escape (`%%33a` must not become `%3a`).
            out.extend_from_slice(b"%25");
        } else {
            out.push(bytes[i]);
        }
        i += 1;
    }
    // Only ASCII bytes were replaced by ASCII bytes: still valid UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn percent_decode_lossy(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(s: &str) -> String {
        canonicalize(s, None, &CanonRules::default())
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .to_string()
    }

    fn err(s: &str) -> UrlError {
        canonicalize(s, None, &CanonRules::default()).expect_err(s)
    }

    #[test]
    fn lowercases_scheme_and_host_and_adds_root_path() {
        assert_eq!(c("HTTP://WWW.Example.COM"), "http://www.example.com/");
    }

    #[test]
    fn idna_hosts_become_punycode() {
        assert_eq!(
            c("https://Bücher.example/"),
            "https://xn--bcher-kva.example/"
        );
    }

    #[test]
    fn default_ports_dropped_others_kept() {
        assert_eq!(c("http://example.com:80/a"), "http://example.com/a");
        assert_eq!(c("https://example.com:443/a"), "https://example.com/a");
        assert_eq!(
            c("https://example.com:8443/a"),
            "https://example.com:8443/a"
        );
    }

    #[test]
    fn dot_segments_resolved() {
        assert_eq!(c("http://example.com/a/./b/../c"), "http://example.com/a/c");
        assert_eq!(c("http://example.com/a/%2E%2E/c"), "http://example.com/c");
    }

    #[test]
    fn percent_encoding_normalized() {
        // unreserved decoded, others uppercased
        assert_eq!(
            c("http://example.com/%7euser/%61b%2fc?q=%7e%2f"),
            "http://example.com/~user/ab%2Fc?q=~%2F"
        );
        // non-ASCII encoded by the url crate, uppercase hex
        assert_eq!(c("http://example.com/é"), "http://example.com/%C3%A9");
        // a stray % is encoded, and decoding never forms a new escape
        assert_eq!(c("http://example.com/100%"), "http://example.com/100%25");
        assert_eq!(c("http://example.com/%%33a"), "http://example.com/%253a");
        assert_eq!(
            c("http://example.com/?q=%zz"),
            "http://example.com/?q=%25zz"
        );
    }

    #[test]
    fn fragment_and_credentials_dropped() {
        assert_eq!(c("http://u:p@example.com/a#top"), "http://example.com/a");
    }

    #[test]
    fn tracking_params_dropped_and_query_sorted() {
        assert_eq!(
            c("https://example.com/a?utm_source=x&b=2&UTM_Medium=y&fbclid=1&a=1&gclid=2&msclkid=3&mc_cid=1&mc_eid=2&yclid=1&_ga=1&igshid=1&ref_src=tw"),
            "https://example.com/a?a=1&b=2"
        );
    }

    #[test]
    fn extra_tracking_params_configurable() {
        let rules = CanonRules {
            extra_tracking_params: vec!["src".into(), "pk_*".into()],
            ..CanonRules::default()
        };
        let u = canonicalize("https://e.com/?src=rss&pk_campaign=a&id=7", None, &rules).unwrap();
        assert_eq!(u.as_str(), "https://e.com/?id=7");
    }

    #[test]
    fn session_ids_dropped_from_query_and_path() {
        assert_eq!(
            c("http://example.com/shop;jsessionid=ABC123?PHPSESSID=x&sid=1&id=5&sessionid=9"),
            "http://example.com/shop?id=5"
        );
        assert_eq!(
            c("http://example.com/a;JSESSIONID=1;v=2/b"),
            "http://example.com/a;v=2/b"
        );
    }

    #[test]
    fn empty_query_removed() {
        assert_eq!(c("http://example.com/a?"), "http://example.com/a");
        assert_eq!(c("http://example.com/a?&&"), "http://example.com/a");
        assert_eq!(
            c("http://example.com/a?utm_source=x"),
            "http://example.com/a"
        );
    }

    #[test]
    fn sorting_can_be_turned_off() {
        let rules = CanonRules {
            sort_query: false,
            ..CanonRules::default()
        };
        let u = canonicalize("http://e.com/?b=1&a=2", None, &rules).unwrap();
        assert_eq!(u.as_str(), "http://e.com/?b=1&a=2");
    }

    #[test]
    fn relative_urls_resolve_against_base() {
        let base = Url::parse("https://example.com/news/2024/story.html").unwrap();
        let r = CanonRules::default();
        assert_eq!(
            canonicalize("../other.html#x", Some(&base), &r)
                .unwrap()
                .as_str(),
            "https://example.com/news/other.html"
        );
        assert_eq!(
            canonicalize("//cdn.example.com/a", Some(&base), &r)
                .unwrap()
                .as_str(),
            "https://cdn.example.com/a"
        );
        assert_eq!(err("/just/a/path"), UrlError::Relative);
    }

    #[test]
    fn trailing_dot_in_host_removed() {
        assert_eq!(c("http://example.com./a"), "http://example.com/a");
    }

    #[test]
    fn errors_are_typed() {
        assert!(matches!(err("ftp://example.com/"), UrlError::UnsupportedScheme(s) if s == "ftp"));
        assert!(matches!(
            err("mailto:a@b.c"),
            UrlError::UnsupportedScheme(_)
        ));
        assert!(matches!(
            err("javascript:alert(1)"),
            UrlError::UnsupportedScheme(_)
        ));
        assert!(matches!(err("http://exa mple.com/"), UrlError::Invalid(_)));
        assert!(matches!(err("http://[::1/"), UrlError::Invalid(_)));
        let long = format!("http://example.com/{}", "a".repeat(10_000));
        assert_eq!(
            err(&long),
            UrlError::TooLong {
                len: long.len(),
                max: 2048
            }
        );
        assert_eq!(FilterReasonCheck::of(&err(&long)), "too_long");
    }

    struct FilterReasonCheck;
    impl FilterReasonCheck {
        fn of(e: &UrlError) -> &'static str {
            crate::FilterReason::from(e).as_str()
        }
    }

    #[test]
    fn output_length_is_capped_too() {
        // Input under the cap that grows past it when percent-encoded.
        let rules = CanonRules {
            max_len: 100,
            ..CanonRules::default()
        };
        let input = format!("http://e.com/{}", "é".repeat(40)); // 13 + 80 bytes
        assert!(input.len() <= 100);
        assert!(matches!(
            canonicalize(&input, None, &rules),
            Err(UrlError::TooLong { .. })
        ));
    }

    #[test]
    fn host_key_has_explicit_port() {
        let k = |s: &str| host_key(&Url::parse(s).unwrap());
        assert_eq!(k("https://example.com/a"), "https://example.com:443");
        assert_eq!(k("http://example.com/a"), "http://example.com:80");
        assert_eq!(k("http://127.0.0.2:8080/a"), "http://127.0.0.2:8080");
        assert_eq!(k("http://[::1]/"), "http://[::1]:80");
    }

    fn urlish() -> impl Strategy<Value = String> {
        "(https?|HTTPS?|ftp|Http)://(user:pw@)?[a-zA-Z0-9.-]{1,15}(\\.[a-zA-Z]{2,3})?(:[0-9]{1,5})?(/[a-zA-Z0-9%._~;=@!$'()*+,:-]{0,10}){0,6}(\\?[a-zA-Z0-9%_=&;+./?-]{0,30})?(#[a-z0-9]{0,5})?"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn idempotent_on_urlish_input(s in urlish()) {
            let rules = CanonRules::default();
            if let Ok(once) = canonicalize(&s, None, &rules) {
                let twice = canonicalize(once.as_str(), None, &rules)
                    .expect("a canonical URL canonicalizes again");
                prop_assert_eq!(once.as_str(), twice.as_str());
                prop_assert!(once.scheme() == "http" || once.scheme() == "https");
                prop_assert!(once.fragment().is_none());
                prop_assert!(once.as_str().len() <= rules.max_len);
            }
        }

        #[test]
        fn never_panics_on_arbitrary_strings(s in any::<String>()) {
            let base = Url::parse("https://example.com/a/b").unwrap();
            let rules = CanonRules::default();
            for b in [None, Some(&base)] {
                if let Ok(u) = canonicalize(&s, b, &rules) {
                    prop_assert!(u.scheme() == "http" || u.scheme() == "https");
                    let again = canonicalize(u.as_str(), None, &rules).expect("re-canonicalize");
                    prop_assert_eq!(u.as_str(), again.as_str());
                }
            }
        }

        #[test]
        fn relative_inputs_are_idempotent(s in "[a-zA-Z0-9%./?&=;#_~-]{0,40}") {
            let base = Url::parse("https://Example.com:443/a/b?x=1").unwrap();
            let rules = CanonRules::default();
            if let Ok(u) = canonicalize(&s, Some(&base), &rules) {
                let again = canonicalize(u.as_str(), None, &rules).expect("re-canonicalize");
                prop_assert_eq!(u.as_str(), again.as_str());
            }
        }
    }
}
