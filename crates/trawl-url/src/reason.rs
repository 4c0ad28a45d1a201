//! Why a URL is not followed: a closed set, usable as a metric label.

use std::fmt;

/// The bounded set of reasons a URL is filtered out. `as_str()` gives the
/// snake_case label used in metrics and summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterReason {
    /// Host or pattern outside the crawl scope.
    OutOfScope,
    /// Link depth above the configured maximum.
    TooDeep,
    /// Too many path segments.
    TrapPathDepth,
    /// The same path segment repeats (e.g. `/a/b/a/b/a/b`).
    TrapRepeatedSegment,
    /// Too many date-like URLs in one URL family (endless calendar).
    TrapCalendar,
    /// Too many paginated URLs in one URL family.
    TrapPagination,
    /// URL longer than the configured cap.
    TooLong,
    /// Not http or https.
    BadScheme,
    /// Unparseable URL.
    Invalid,
    /// The path ends in an extension of a non-HTML resource (.jpg, .pdf, ...).
    NonHtmlExtension,
    /// Disallowed by robots.txt (set by the frontier).
    RobotsDenied,
    /// Already seen (set by the frontier).
    Duplicate,
    /// The host's page budget is used up (set by the frontier).
    HostPageLimit,
    /// A listing URL of a family whose sampled pages found no new article (set by the frontier).
    BarrenFamily,
    /// A sitemap or feed entry older than the configured maximum age (set by the frontier).
    TooOld,
}

impl FilterReason {
    /// Every variant, e.g. to pre-register metric label values.
    pub const ALL: [FilterReason; 15] = [
        FilterReason::OutOfScope,
        FilterReason::TooDeep,
        FilterReason::TrapPathDepth,
        FilterReason::TrapRepeatedSegment,
        FilterReason::TrapCalendar,
        FilterReason::TrapPagination,
        FilterReason::TooLong,
        FilterReason::BadScheme,
        FilterReason::Invalid,
        FilterReason::NonHtmlExtension,
        FilterReason::RobotsDenied,
        FilterReason::Duplicate,
        FilterReason::HostPageLimit,
        FilterReason::BarrenFamily,
        FilterReason::TooOld,
    ];

    /// snake_case label, stable, for metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterReason::OutOfScope => "out_of_scope",
            FilterReason::TooDeep => "too_deep",
            FilterReason::TrapPathDepth => "trap_path_depth",
            FilterReason::TrapRepeatedSegment => "trap_repeated_segment",
            FilterReason::TrapCalendar => "trap_calendar",
            FilterReason::TrapPagination => "trap_pagination",
            FilterReason::TooLong => "too_long",
            FilterReason::BadScheme => "bad_scheme",
            FilterReason::Invalid => "invalid",
            FilterReason::NonHtmlExtension => "non_html_extension",
            FilterReason::RobotsDenied => "robots_denied",
            FilterReason::Duplicate => "duplicate",
            FilterReason::HostPageLimit => "host_page_limit",
            FilterReason::BarrenFamily => "barren_family",
            FilterReason::TooOld => "too_old",
        }
    }
}

impl fmt::Display for FilterReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&crate::UrlError> for FilterReason {
    fn from(e: &crate::UrlError) -> Self {
        match e {
            crate::UrlError::UnsupportedScheme(_) => FilterReason::BadScheme,
            crate::UrlError::TooLong { .. } => FilterReason::TooLong,
            _ => FilterReason::Invalid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_unique_snake_case_and_match_serde() {
        let mut seen = std::collections::HashSet::new();
        for r in FilterReason::ALL {
            let s = r.as_str();
            assert!(seen.insert(s), "duplicate label {s}");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{s}\""));
            assert_eq!(r.to_string(), s);
        }
        assert_eq!(seen.len(), 15);
    }
}
