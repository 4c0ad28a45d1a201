//! What can go wrong, and whether waiting helps.

use thiserror::Error;
use trawl_queue::QueueError;

/// Sink failures. `Unavailable` is transient (the sink waits with backoff, not ready,
/// holding its batch unacked); `Data` is permanent for the rows written (the sink
/// retries them one by one and dead-letters the ones refused); `Config` and `Schema`
/// stop the sink.
#[derive(Debug, Error)]
pub enum SinkError {
    /// PostgreSQL cannot be reached or did not answer (connection refused or lost,
    /// timeout, shutdown, serialization failure, ...).
    #[error("PostgreSQL unavailable: {0}")]
    Unavailable(String),
    /// PostgreSQL refused the rows themselves (SQLSTATE class 21, 22, 23 or 54).
    #[error("PostgreSQL refused the data: {0}")]
    Data(String),
    /// Bad configuration (an invalid URL or schema name).
    #[error("invalid sink configuration: {0}")]
    Config(String),
    /// The database's schema is not one this build can write (e.g. migrated by a newer build).
    #[error("database schema: {0}")]
    Schema(String),
    /// The broker refused (transient broker errors are retried by the broker itself).
    #[error("broker: {0}")]
    Queue(#[from] QueueError),
}

impl SinkError {
    /// Whether waiting and retrying can help.
    pub fn is_transient(&self) -> bool {
        match self {
            SinkError::Unavailable(_) => true,
            SinkError::Queue(e) => e.is_transient(),
            SinkError::Data(_) | SinkError::Config(_) | SinkError::Schema(_) => false,
        }
    }
}

/// Classify a tokio-postgres error by its SQLSTATE (no credentials: the client never
/// puts the password in its errors).
pub(crate) fn from_pg(e: tokio_postgres::Error) -> SinkError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let text = match db.detail() {
            Some(d) => format!("{} ({code}): {}; {d}", db.severity(), db.message()),
            None => format!("{} ({code}): {}", db.severity(), db.message()),
        };
        return match code.get(..2) {
            // cardinality, data exception, integrity constraint, program limit (e.g. a
            // tsvector over 1 MB): the rows are at fault, not the connection.
            Some("21" | "22" | "23" | "54") => SinkError::Data(text),
            _ => SinkError::Unavailable(text),
        };
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    SinkError::Unavailable(text)
}

pub(crate) fn from_pool(e: deadpool_postgres::PoolError) -> SinkError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => from_pg(e),
        deadpool_postgres::PoolError::Timeout(t) => {
            SinkError::Unavailable(format!("no connection within the timeout ({t:?})"))
        }
        other => SinkError::Unavailable(other.to_string()),
    }
}
