//! Polite, robots-aware, hardened HTTP fetcher (reqwest/rustls) with an SSRF guard.
//!
//! - [`Fetcher`]: `Fetcher::new(FetchConfig)`, then `fetch(FetchRequest) -> FetchResponse`
//!   (never an `Err`: every fetch ends in one [`trawl_core::FetchOutcome`]) and
//!   `robots(&Url) -> RobotsDecision`.
//! - [`politeness`]: the pure per-host policy ([`PolitenessPolicy`], [`HostState`]) that the
//!   fetcher applies in-process and the frontier can use to schedule hosts across workers.
//! - [`robots`]: RFC 9309 rules (parsed by `texting_robots`), cached per origin.
//! - [`ssrf`]: the address guard; [`dns`]: the caching resolver that applies it.
//! - Capture mode ([`Fetcher::capturing`]): every HTTP exchange (robots.txt, redirect hops,
//!   retries) is recorded in [`FetchResponse::exchanges`] for WARC archiving (`trawl-warc`);
//!   the fetcher then decodes `gzip`/`deflate`/`br`/`zstd` bodies itself (`decode`, same cap).
//!
//! See `docs/fetcher.md` for behaviour, defaults and the outcome table.

pub mod config;
mod decode;
pub mod dns;
pub mod fetcher;
pub mod politeness;
pub mod robots;
pub mod ssrf;

pub use config::{FetchConfig, UserAgent};
pub use fetcher::{FetchError, FetchRequest, FetchResponse, Fetcher, FetcherStats, Purpose};
/// Re-exported so callers can build `allow_cidrs` without their own dependency.
pub use ipnet;
pub use politeness::{Completion, HostState, PolitenessConfig, PolitenessPolicy};
pub use robots::{RobotsDecision, RobotsStatus};
pub use ssrf::{Blocked, SsrfGuard};
/// Re-exported: the exchange type of [`FetchResponse::exchanges`].
pub use trawl_warc::HttpExchange;

use std::time::Duration;

pub(crate) fn ser_opt_secs<S: serde::Serializer>(
    d: &Option<Duration>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

pub(crate) fn ser_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}
