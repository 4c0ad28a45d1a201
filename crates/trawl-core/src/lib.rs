//! Trawl's shared vocabulary, at the bottom of the crate graph.
//!
//! This crate owns the wire formats every other crate agrees on:
//! - [`article`]: the [`Article`] the extractor produces and workers publish;
//! - [`message`]: the pipeline messages between frontier and workers
//!   ([`FetchTask`], [`FetchReport`]);
//! - [`outcome`]: the closed set of named fetch outcomes;
//! - [`id`]: stable ids and URL fingerprints;
//! - [`politeness`]: the one rule for how a response changes a host's delay, shared by the
//!   fetcher and the frontier;
//! - [`redact`]: URL redaction for logs and errors.
//!
//! Every message carries a `schema_version`; a change to a schema bumps it and
//! is written down in `docs/schemas.md`. It has no I/O and no async.

pub mod article;
pub mod backoff;
pub mod id;
pub mod message;
pub mod outcome;
pub mod politeness;
pub mod redact;
pub mod redis_url;

pub use article::{Article, Block, BlockKind, Image, RelatedLink, ARTICLE_SCHEMA_VERSION};
pub use backoff::Backoff;
pub use id::{article_id, content_digest, url_fingerprint};
pub use message::{
    DiscoveredLink, FetchReport, FetchTask, LinkKind, RedirectHop, TaskKind, UpdateCheck,
    MESSAGE_SCHEMA_VERSION,
};
pub use outcome::FetchOutcome;
pub use politeness::PolitenessRule;
pub use redact::{redact_url, split_url_list};
pub use redis_url::{is_redis_cluster_url, redis_cluster_nodes};
