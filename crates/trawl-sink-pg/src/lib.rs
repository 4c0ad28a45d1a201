//! The PostgreSQL sink (`trawl sink postgres`): the article stream into versioned,
//! searchable tables.
//!
//! - [`decode`]: an Article message → an `articles` row, or a [`decode::Reject`] with a
//!   reason (bad JSON, a newer `schema_version`, not an Article); pure;
//! - [`batch`]: within a batch, only the highest `version` of each id is written; pure;
//! - [`migrate`]: the numbered SQL migrations (`migrations/NNNN_name.sql`) embedded in
//!   the binary;
//! - [`store`]: [`PgStore`], the connection pool (deadpool-postgres over tokio-postgres):
//!   migrations under an advisory lock, the batch upsert
//!   (`ON CONFLICT (id) DO UPDATE … WHERE articles.version < EXCLUDED.version`), pings;
//! - [`indexer`]: the search indexer, a task beside the writers that fills
//!   `articles.search` after the rows land (`FOR UPDATE SKIP LOCKED` batches), yielding
//!   to ingestion: back to back while the writers are idle, at least one batch per
//!   `search_interval`;
//! - [`sink`]: [`Sink`], the service loop: a named subscription on the articles exchange,
//!   batches of up to `batch_size` messages or `batch_timeout`, one transaction per
//!   batch, acks only after the commit, malformed messages dead-lettered with a counted
//!   reason, PostgreSQL outages waited out with backoff (not ready, batch held unacked).
//!
//! Delivery is at least once end to end, and the version rule makes a redelivery change
//! nothing: each id ends at its highest version, whatever the order or repetition.
//! Tables, search and example queries: `docs/postgres.md`.

pub mod batch;
pub mod decode;
pub mod error;
pub mod indexer;
pub mod migrate;
pub mod sink;
pub mod store;

pub use error::SinkError;
pub use indexer::IndexRule;
pub use sink::{Sink, SinkConfig, READY_NAME};
pub use store::{PgStore, WriteCounts};
