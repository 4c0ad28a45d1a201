//! PostgreSQL access: a small connection pool (deadpool-postgres over tokio-postgres),
//! migrations, and the batch upsert.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::NoTls;
use tracing::warn;
use trawl_core::redact_url;

use crate::decode::ArticleRow;
use crate::error::{from_pg, from_pool, SinkError};
use crate::migrate::{self, MIGRATIONS};

/// One upsert of the batch: rows applied come back with `inserted` (no previous row
/// version: `xmax = 0`) or not (an older `version` was replaced); rows whose stored
/// `version` is the same or higher are not touched and not returned. `search` is left
/// NULL (a new row) or set back to NULL (a replaced one: its body changed) for the search
/// indexer ([`PgStore::index_search`]).
const UPSERT: &str = "
INSERT INTO articles AS a (
    id, version, canonical_url, url, title, lead, authors, published_at, modified_at,
    section, language, body, image_url, fetched_at, is_article, message, updated_at)
SELECT t.id, t.version, t.canonical_url, t.url, t.title, t.lead,
       ARRAY(SELECT jsonb_array_elements_text(t.authors)),
       t.published_at, t.modified_at, t.section, t.language, t.body, t.image_url,
       t.fetched_at, t.is_article, t.message, now()
FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::jsonb[], $8::timestamptz[], $9::timestamptz[], $10::text[], $11::text[],
            $12::text[], $13::text[], $14::timestamptz[], $15::bool[], $16::jsonb[])
     AS t(id, version, canonical_url, url, title, lead, authors, published_at, modified_at,
          section, language, body, image_url, fetched_at, is_article, message)
ON CONFLICT (id) DO UPDATE SET
    version = EXCLUDED.version, canonical_url = EXCLUDED.canonical_url, url = EXCLUDED.url,
    title = EXCLUDED.title, lead = EXCLUDED.lead, authors = EXCLUDED.authors,
    published_at = EXCLUDED.published_at, modified_at = EXCLUDED.modified_at,
    section = EXCLUDED.section, language = EXCLUDED.language, body = EXCLUDED.body,
    image_url = EXCLUDED.image_url, fetched_at = EXCLUDED.fetched_at,
    is_article = EXCLUDED.is_article, message = EXCLUDED.message, updated_at = now(),
    search = NULL
WHERE a.version < EXCLUDED.version
RETURNING a.id, (a.xmax = 0) AS inserted";

/// Fill `search` for up to `$1` rows waiting for it, oldest first. `SKIP LOCKED`: rows
/// another indexer (another sink replica) holds are left to it, and rows a writer is
/// replacing are left until its commit (which sets them back to NULL anyway). The rows are
/// picked once, in a materialized CTE: as `WHERE id IN (SELECT … LIMIT n FOR UPDATE)` the
/// planner may run the subquery more than once and update more than `n` rows.
const INDEX_SEARCH: &str = "
WITH picked AS MATERIALIZED (
    SELECT id FROM articles WHERE search IS NULL
    ORDER BY updated_at LIMIT $1 FOR UPDATE SKIP LOCKED)
UPDATE articles AS a SET search = trawl_search_vector(a.title, a.body, a.language)
FROM picked WHERE a.id = picked.id";

/// Aliases of the rows applied; an alias seen under another id moves to the newer one.
const ALIASES: &str = "
INSERT INTO article_aliases AS al (alias, article_id)
SELECT * FROM unnest($1::text[], $2::text[])
ON CONFLICT (alias) DO UPDATE SET article_id = EXCLUDED.article_id, updated_at = now()
WHERE al.article_id <> EXCLUDED.article_id";

/// What one batch write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteCounts {
    pub inserted: u64,
    pub updated: u64,
    /// Same or lower `version` than the stored row.
    pub unchanged: u64,
}

/// The sink's PostgreSQL connection pool.
pub struct PgStore {
    pool: Pool,
    schema: String,
    redacted: String,
    timeout: Duration,
}

impl PgStore {
    /// A pool for `url` with `schema` as the connections' `search_path`. Connects lazily:
    /// this fails only on a bad URL or schema name. `timeout` bounds one connection
    /// attempt, the wait for a pooled connection, and pings.
    pub fn new(url: &str, schema: &str, timeout: Duration) -> Result<PgStore, SinkError> {
        Self::with_connections(url, schema, timeout, 2, 1)
    }

    /// [`PgStore::new`] with room for `writers` concurrent batch writes and `indexers`
    /// concurrent search-indexing statements, plus one connection for pings.
    pub fn with_connections(
        url: &str,
        schema: &str,
        timeout: Duration,
        writers: usize,
        indexers: usize,
    ) -> Result<PgStore, SinkError> {
        let redacted = redact_url(url);
        let valid_schema = !schema.is_empty()
            && schema.len() <= 63
            && !schema.starts_with(|c: char| c.is_ascii_digit())
            && schema
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_schema {
            return Err(SinkError::Config(format!(
                "schema must be a lower-case SQL identifier, got {schema:?}"
            )));
        }
        let mut cfg: tokio_postgres::Config = url
            .parse()
            .map_err(|e| SinkError::Config(format!("invalid PostgreSQL URL {redacted}: {e}")))?;
        let options = match cfg.get_options() {
            Some(o) if !o.trim().is_empty() => format!("{o} -c search_path={schema}"),
            _ => format!("-c search_path={schema}"),
        };
        cfg.options(&options);
        if cfg.get_connect_timeout().is_none() {
            cfg.connect_timeout(timeout);
        }
        if cfg.get_application_name().is_none() {
            cfg.application_name("trawl-sink");
        }
        let manager = Manager::from_config(
            cfg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        // The writers' connections, the search indexer's, and one for pings.
        let pool = Pool::builder(manager)
            .max_size(writers.max(1) + indexers.max(1) + 1)
            .runtime(Runtime::Tokio1)
            .timeouts(Timeouts {
                wait: Some(timeout),
                create: Some(timeout),
                recycle: Some(timeout),
            })
            .build()
            .map_err(|e| SinkError::Config(e.to_string()))?;
        Ok(PgStore {
            pool,
            schema: schema.to_string(),
            redacted,
            timeout,
        })
    }

    /// The URL with its password redacted, for logs.
    pub fn redacted_url(&self) -> &str {
        &self.redacted
    }

    /// The schema written to.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Whether PostgreSQL answers `SELECT 1` within the timeout.
    pub async fn ping(&self) -> bool {
        let check = async {
            let client = self.pool.get().await.ok()?;
            client.simple_query("SELECT 1").await.ok()
        };
        matches!(tokio::time::timeout(self.timeout, check).await, Ok(Some(_)))
    }

    /// Create the schema when missing and apply the migrations not yet applied, all in
    /// one transaction holding an advisory lock (two sinks starting together: the second
    /// waits, then finds nothing to do). Returns the versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i32>, SinkError> {
        let mut client = self.pool.get().await.map_err(from_pool)?;
        let tx = client.transaction().await.map_err(from_pg)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))",
            &[&migrate::LOCK_KEY, &self.schema],
        )
        .await
        .map_err(from_pg)?;
        // The schema name was checked to be a plain identifier.
        tx.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {s};
             SET LOCAL search_path TO {s};
             CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    integer PRIMARY KEY,
                 name       text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now());",
            s = self.schema
        ))
        .await
        .map_err(from_pg)?;
        let applied: Vec<i32> = tx
            .query(
                "SELECT version FROM schema_migrations ORDER BY version",
                &[],
            )
            .await
            .map_err(from_pg)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if let Some(&newest) = applied.last() {
            if newest > migrate::latest() {
                return Err(SinkError::Schema(format!(
                    "schema {} is at migration {newest}, newer than this build knows ({}): \
                     upgrade the sink",
                    self.schema,
                    migrate::latest()
                )));
            }
        }
        let mut now_applied = Vec::new();
        for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
            tx.batch_execute(m.sql).await.map_err(|e| {
                // A refusal by the server (not a lost connection) will not go away by waiting.
                let refused = e.as_db_error().is_some();
                match from_pg(e) {
                    SinkError::Unavailable(t) | SinkError::Data(t) if refused => SinkError::Schema(
                        format!("migration {:04}_{} failed: {t}", m.version, m.name),
                    ),
                    other => other,
                }
            })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[&m.version, &m.name],
            )
            .await
            .map_err(from_pg)?;
            now_applied.push(m.version);
        }
        tx.commit().await.map_err(from_pg)?;
        Ok(now_applied)
    }

    /// Upsert `rows` (distinct ids: see [`crate::batch::keep_highest`]; concurrent
    /// callers should pass them in id order, so their row locks cannot deadlock) and their
    /// aliases in one transaction. Returns once it committed.
    pub async fn write(&self, rows: &[&ArticleRow]) -> Result<WriteCounts, SinkError> {
        if rows.is_empty() {
            return Ok(WriteCounts::default());
        }
        let n = rows.len();
        let mut id = Vec::with_capacity(n);
        let mut version = Vec::with_capacity(n);
        let mut canonical_url = Vec::with_capacity(n);
        let mut url = Vec::with_capacity(n);
        let mut title = Vec::with_capacity(n);
        let mut lead = Vec::with_capacity(n);
        let mut authors = Vec::with_capacity(n);
        let mut published_at: Vec<Option<DateTime<Utc>>> = Vec::with_capacity(n);
        let mut modified_at: Vec<Option<DateTime<Utc>>> = Vec::with_capacity(n);
        let mut section = Vec::with_capacity(n);
        let mut language = Vec::with_capacity(n);
        let mut body = Vec::with_capacity(n);
        let mut image_url = Vec::with_capacity(n);
        let mut fetched_at: Vec<Option<DateTime<Utc>>> = Vec::with_capacity(n);
        let mut is_article = Vec::with_capacity(n);
        let mut message = Vec::with_capacity(n);
        for r in rows {
            id.push(r.id.as_str());
            version.push(r.version);
            canonical_url.push(r.canonical_url.as_deref());
            url.push(r.url.as_str());
            title.push(r.title.as_deref());
            lead.push(r.lead.as_deref());
            authors.push(serde_json::Value::from(r.authors.clone()));
            published_at.push(r.published_at);
            modified_at.push(r.modified_at);
            section.push(r.section.as_deref());
            language.push(r.language.as_deref());
            body.push(r.body.as_str());
            image_url.push(r.image_url.as_deref());
            fetched_at.push(r.fetched_at);
            is_article.push(r.is_article);
            message.push(&r.message);
        }

        let mut client = self.pool.get().await.map_err(from_pool)?;
        let tx = client.transaction().await.map_err(from_pg)?;
        let upsert = tx.prepare_cached(UPSERT).await.map_err(from_pg)?;
        let returned = tx
            .query(
                &upsert,
                &[
                    &id,
                    &version,
                    &canonical_url,
                    &url,
                    &title,
                    &lead,
                    &authors,
                    &published_at,
                    &modified_at,
                    &section,
                    &language,
                    &body,
                    &image_url,
                    &fetched_at,
                    &is_article,
                    &message,
                ],
            )
            .await
            .map_err(from_pg)?;
        let mut counts = WriteCounts::default();
        let mut applied: HashSet<&str> = HashSet::with_capacity(returned.len());
        for row in &returned {
            let row_id: &str = row.get(0);
            if row.get::<_, bool>(1) {
                counts.inserted += 1;
            } else {
                counts.updated += 1;
            }
            applied.insert(row_id);
        }
        counts.unchanged = n as u64 - counts.inserted - counts.updated;

        // Aliases of the applied rows; one entry per alias (the last row naming it wins:
        // a statement may not update one row twice).
        let mut alias_of: HashMap<&str, &str> = HashMap::new();
        for r in rows.iter().filter(|r| applied.contains(r.id.as_str())) {
            for a in &r.aliases {
                alias_of.insert(a.as_str(), r.id.as_str());
            }
        }
        if !alias_of.is_empty() {
            let mut pairs: Vec<(&str, &str)> = alias_of.into_iter().collect();
            pairs.sort_unstable(); // one lock order across concurrent writers
            let (aliases, ids): (Vec<&str>, Vec<&str>) = pairs.into_iter().unzip();
            let stmt = tx.prepare_cached(ALIASES).await.map_err(from_pg)?;
            tx.execute(&stmt, &[&aliases, &ids])
                .await
                .map_err(from_pg)?;
        }
        tx.commit().await.map_err(from_pg)?;
        Ok(counts)
    }

    /// Fill the `search` vector of up to `limit` rows that have none (new rows, replaced
    /// versions), oldest first, in one statement; rows locked by another indexer or a
    /// writer are skipped. Returns how many were indexed: fewer than `limit` means
    /// nothing else was waiting (and unlocked) at that moment.
    ///
    /// A row whose vector PostgreSQL refuses (a data or program-limit error, e.g. over the
    /// 1 MB tsvector limit) would fail its batch forever: on such an error the batch is
    /// redone row by row, and a refused row gets an empty vector (logged), so it is not
    /// picked again (the row itself stays stored; only its search is empty).
    pub async fn index_search(&self, limit: i64) -> Result<u64, SinkError> {
        let client = self.pool.get().await.map_err(from_pool)?;
        let stmt = client.prepare_cached(INDEX_SEARCH).await.map_err(from_pg)?;
        match client.execute(&stmt, &[&limit]).await.map_err(from_pg) {
            Err(SinkError::Data(why)) => {
                warn!(error = %why, "search batch refused; indexing its rows one by one");
                drop(client);
                self.index_search_row_by_row(limit).await
            }
            other => other,
        }
    }

    async fn index_search_row_by_row(&self, limit: i64) -> Result<u64, SinkError> {
        let mut client = self.pool.get().await.map_err(from_pool)?;
        let mut tx = client.transaction().await.map_err(from_pg)?;
        let ids: Vec<String> = tx
            .query(
                "SELECT id FROM articles WHERE search IS NULL
                 ORDER BY updated_at LIMIT $1 FOR UPDATE SKIP LOCKED",
                &[&limit],
            )
            .await
            .map_err(from_pg)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for id in &ids {
            let sp = tx.savepoint("row").await.map_err(from_pg)?;
            let done = sp
                .execute(
                    "UPDATE articles SET search = trawl_search_vector(title, body, language)
                     WHERE id = $1",
                    &[id],
                )
                .await
                .map_err(from_pg);
            match done {
                Ok(_) => sp.commit().await.map_err(from_pg)?,
                Err(SinkError::Data(why)) => {
                    sp.rollback().await.map_err(from_pg)?;
                    warn!(id = %id, error = %why, "article's search vector refused: stored with an empty one");
                    tx.execute(
                        "UPDATE articles SET search = ''::tsvector WHERE id = $1",
                        &[id],
                    )
                    .await
                    .map_err(from_pg)?;
                }
                Err(e) => return Err(e),
            }
        }
        tx.commit().await.map_err(from_pg)?;
        Ok(ids.len() as u64)
    }

    /// Rows whose `search` is not filled yet (counted on the partial index
    /// `articles_search_pending_idx`).
    pub async fn search_backlog(&self) -> Result<i64, SinkError> {
        let client = self.pool.get().await.map_err(from_pool)?;
        let row = client
            .query_one("SELECT count(*) FROM articles WHERE search IS NULL", &[])
            .await
            .map_err(from_pg)?;
        Ok(row.get(0))
    }
}
