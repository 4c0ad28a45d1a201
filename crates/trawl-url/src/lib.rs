//! URL canonicalization, scope and spider-trap rules. Pure logic, no I/O.
//!
//! - [`canonicalize`] / [`canonicalize_url`]: the written canonicalization rules
//!   (see `docs/frontier-rules.md`), typed [`UrlError`]s, never a panic.
//! - [`host_key`]: `scheme://host:port`, the politeness and queue key.
//! - [`Scope`]: which URLs a crawl follows (seed hosts or configured domains,
//!   allow/deny patterns, max depth).
//! - [`TrapGuard`]: spider-trap defences (path depth, repeated segments, long
//!   URLs, non-HTML extensions, calendars and pagination bounded per URL family).
//! - [`FilterReason`]: the bounded set of reasons a URL is not followed, with
//!   snake_case labels for metrics.

mod canon;
mod reason;
mod scope;
mod trap;

pub use canon::{
    canonicalize, canonicalize_url, host_key, CanonRules, UrlError, DEFAULT_MAX_URL_LEN,
    DEFAULT_SESSION_PARAMS, DEFAULT_TRACKING_PARAMS,
};
pub use reason::FilterReason;
pub use scope::{Scope, ScopeConfig, ScopeError};
pub use trap::{FamilyBudget, TrapConfig, TrapGuard, DEFAULT_BLOCKED_EXTENSIONS};
