//! [`RedisStore`]: the frontier state in Redis, for the distributed deployment.
//!
//! No frontier state lives only in a process: a frontier restart (or a Redis restart
//! with AOF on) resumes from what Redis holds, and several frontier replicas can call
//! [`FrontierStore::lease`] at once. Every multi-key change is one Lua script (run
//! with EVALSHA, loaded on first use; the scripts are the files in `src/lua/`), so it
//! is atomic in Redis; every key a script touches shares one hash tag, so the layout
//! works on Redis Cluster. The store talks to one server or to a cluster
//! ([`RedisConnection`]); on a cluster, pipelines that span slots are split per slot
//! ([`RedisStore::connect`] takes `redis+cluster://` seed-node URLs). The key layout,
//! the atomicity argument and the cluster notes are in `docs/redis-layout.md`.
//!
//! Hosts are partitioned into `shards` (default 16) by xxh3 of the host key; a shard
//! `NN` owns the keys tagged `{sNN}` (its schedule, leases, counters and its hosts'
//! queues). The seen-set is bucketed by the top bits of a 64-bit URL fingerprint into
//! Redis SETs of integers, which Redis keeps as compact `intset`s (8 bytes a member)
//! while a set holds at most `set-max-intset-entries` (default 512) members; the
//! number of buckets is chosen from [`RedisStoreOptions::seen_capacity`] so that each
//! holds about 300 at capacity. Beyond that, sets that pass 512 members convert to
//! hashtables: still exact and correct, only several times larger per URL.
//!
//! Semantics are those of [`crate::memory::MemoryStore`] (the same conformance suite
//! runs against both), with one difference: a queue holds a given item (identical
//! JSON) at most once, so queuing an identical item that is still waiting is a no-op.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{MultipleNodeRoutingInfo, RoutingInfo, SingleNodeRoutingInfo, Slot};
use redis::{
    Cmd, ErrorKind, FromRedisValue, RedisError, RedisFuture, Script, ServerErrorKind, Value,
};
use trawl_core::url_fingerprint;
use xxhash_rust::xxh3::xxh3_64;

use crate::neardup;
use crate::{
    ContentClaim, ContentIndex, FrontierStore, HostField, Lease, QueuedUrl, StoreError, StoreSet,
    StoreStats,
};

/// Layout version written to `<prefix>:layout`; bumped on incompatible key changes.
const LAYOUT_VERSION: u32 = 1;
/// Mean seen-bucket size aimed for at `seen_capacity` (below the 512 intset limit
/// with room for the spread between buckets).
const SEEN_BUCKET_TARGET: u64 = 384;
/// Items per enqueue script call (bounds how long one script blocks Redis).
const ENQUEUE_CHUNK: usize = 500;
/// Leases handed out by one script call (one shard); a `lease` call asking for more
/// walks on to the next shards.
const MAX_LEASES_PER_SCRIPT: usize = 1000;
/// Expired leases recovered per shard per `lease` call.
const RECOVER_PER_CALL: usize = 1000;

/// Tuning and layout options of a [`RedisStore`].
#[derive(Debug, Clone)]
pub struct RedisStoreOptions {
    /// Number of host shards (hash tags). Fixed for a prefix once created: a store
    /// connecting to an existing prefix adopts the recorded value (with a warning
    /// if it differs).
    pub shards: u16,
    /// Expected number of distinct URLs; sizes the seen-set buckets. Also fixed per
    /// prefix once created.
    pub seen_capacity: u64,
    /// Fingerprints per pipeline in `insert_seen`.
    pub seen_batch: usize,
    /// Pipelines in flight at once in `insert_seen` (over the one multiplexed
    /// connection).
    pub seen_concurrency: usize,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
}

impl Default for RedisStoreOptions {
    fn default() -> Self {
        RedisStoreOptions {
            shards: 16,
            seen_capacity: 10_000_000,
            seen_batch: 1000,
            seen_concurrency: 4,
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(10),
        }
    }
}

/// Number of seen-set bucket bits for an expected capacity.
pub fn seen_bits_for(capacity: u64) -> u8 {
    let mut bits = 0u8;
    while bits < 24 && capacity >> bits > SEEN_BUCKET_TARGET {
        bits += 1;
    }
    bits
}

/// Pipelines of one slot in flight at once when a cross-slot pipeline is split per
/// slot on a cluster. The seen-set's buckets are each their own slot, so a batch of
/// 1000 fingerprints becomes up to 1000 one-command requests: 16 in flight gave 14,500
/// checks/s (debug build, 3 masters on one machine), 128 gave 32,000 (standalone:
/// 235,000).
const SLOT_PIPELINES_IN_FLIGHT: usize = 128;

/// The connection a [`RedisStore`] talks over: one standalone server (a
/// `ConnectionManager`, which reconnects by itself) or a Redis Cluster (the redis
/// crate's async cluster connection, which routes each command by its key's slot,
/// follows MOVED/ASK and refreshes its slot map after a failover). Cheap to clone:
/// clones share the multiplexed connection(s).
#[derive(Clone)]
pub enum RedisConnection {
    Standalone(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConnection::Standalone(c) => c.req_packed_command(cmd),
            RedisConnection::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConnection::Standalone(c) => c.req_packed_commands(pipeline, offset, count),
            RedisConnection::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConnection::Standalone(c) => c.get_db(),
            RedisConnection::Cluster(c) => c.get_db(),
        }
    }
}

impl RedisConnection {
    /// Whether this is a Redis Cluster connection.
    pub fn is_cluster(&self) -> bool {
        matches!(self, RedisConnection::Cluster(_))
    }
}

/// The frontier state in Redis (standalone or Redis Cluster). Clone-free sharing: wrap
/// in an `Arc`.
pub struct RedisStore {
    con: RedisConnection,
    prefix: String,
    shards: u16,
    seen_bits: u8,
    opts: RedisStoreOptions,
    round_robin: AtomicUsize,
    scripts: Scripts,
}

struct Scripts {
    enqueue: Script,
    lease: Script,
    release: Script,
    defer: Script,
    take_recrawls: Script,
    claim: Script,
}

impl Scripts {
    fn new() -> Self {
        Scripts {
            enqueue: Script::new(ENQUEUE_LUA),
            lease: Script::new(LEASE_LUA),
            release: Script::new(RELEASE_LUA),
            defer: Script::new(DEFER_LUA),
            take_recrawls: Script::new(TAKE_RECRAWLS_LUA),
            claim: Script::new(CLAIM_LUA),
        }
    }
}

/// Keys of one host shard.
struct ShardKeys {
    due: String,
    leases: String,
    inflight: String,
    hostdue: String,
    stats: String,
    seq: String,
    recrawl: String,
    recrawl_items: String,
    /// Prefix of the per-host queue keys (`…:q:<host>`).
    queue_prefix: String,
}

pub use trawl_core::redact_url;

pub(crate) fn map_err(e: RedisError) -> StoreError {
    let transient = e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || matches!(
            e.kind(),
            ErrorKind::Server(
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::ClusterDown
                    | ServerErrorKind::MasterDown
                    | ServerErrorKind::ReadOnly
                    | ServerErrorKind::Moved
                    | ServerErrorKind::Ask
            ) | ErrorKind::ClusterConnectionNotFound
        );
    if transient {
        StoreError::Unavailable(e.to_string())
    } else if matches!(
        e.kind(),
        ErrorKind::AuthenticationFailed | ErrorKind::InvalidClientConfig
    ) {
        StoreError::Config(e.to_string())
    } else {
        StoreError::Corrupt(e.to_string())
    }
}

fn parse_item(json: &str) -> Result<QueuedUrl, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("queued item: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("serialize: {e}")))
}

/// Escape glob metacharacters for SCAN MATCH.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// (host, port) of each master in `CLUSTER NODES` output that is connected and not
/// flagged as failing. Line format: `<id> <ip:port@cport[,hostname]> <flags> <master>
/// <ping> <pong> <epoch> <link> [slots…]`.
fn parse_cluster_masters(text: &str) -> Vec<(String, u16)> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let flags = f.get(2)?;
            if !flags.split(',').any(|x| x == "master")
                || flags.contains("fail")
                || flags.contains("noaddr")
                || f.get(7) != Some(&"connected")
            {
                return None;
            }
            let addr = f.get(1)?.split(['@', ',']).next()?;
            let (host, port) = addr.rsplit_once(':')?;
            let host = host.trim_start_matches('[').trim_end_matches(']');
            Some((host.to_string(), port.parse().ok()?))
        })
        .collect()
}

type BoxFut<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, StoreError>> + Send + 'a>>;

fn lease_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

impl RedisStore {
    /// Connect to `url` and use keys under `prefix` (e.g. `trawl`; no `{`, `}` or
    /// whitespace). `url` is one server, `redis://[user:pass@]host:port[/db]`
    /// (`rediss://`, `unix://`), or a Redis Cluster given by seed nodes,
    /// `redis+cluster://[user:pass@]host:port,host:port…` (`rediss+cluster://`).
    /// Errors: `Config` for a bad URL, prefix or options; `Unavailable` (transient:
    /// retry with backoff) when Redis does not answer. After connecting, the connection
    /// reconnects by itself (on a cluster it also follows a failover to the promoted
    /// replica); calls made while Redis, or the master of a key, is away fail with
    /// `Unavailable`.
    pub async fn connect(
        url: &str,
        prefix: &str,
        options: RedisStoreOptions,
    ) -> Result<Self, StoreError> {
        if prefix.is_empty()
            || prefix.len() > 200
            || prefix
                .chars()
                .any(|c| c == '{' || c == '}' || c.is_whitespace() || c.is_control())
        {
            return Err(StoreError::Config(format!(
                "redis key prefix {prefix:?}: must be 1-200 characters without braces or whitespace"
            )));
        }
        if options.shards == 0 || options.shards > 4096 {
            return Err(StoreError::Config(format!(
                "redis shards = {}: must be 1..=4096",
                options.shards
            )));
        }
        if options.seen_batch == 0 || options.seen_concurrency == 0 {
            return Err(StoreError::Config(
                "redis seen_batch and seen_concurrency must be at least 1".into(),
            ));
        }
        let con = if trawl_core::is_redis_cluster_url(url) {
            Self::connect_cluster(url, &options).await?
        } else {
            let client = redis::Client::open(url)
                .map_err(|e| StoreError::Config(format!("redis url {}: {e}", redact_url(url))))?;
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(options.connect_timeout))
                .set_response_timeout(Some(options.response_timeout))
                .set_number_of_retries(3)
                .set_max_delay(Duration::from_secs(2));
            RedisConnection::Standalone(
                ConnectionManager::new_with_config(client, config)
                    .await
                    .map_err(|e| {
                        StoreError::Unavailable(format!("redis at {}: {e}", redact_url(url)))
                    })?,
            )
        };
        let mut store = RedisStore {
            con,
            prefix: prefix.to_string(),
            shards: options.shards,
            seen_bits: seen_bits_for(options.seen_capacity),
            opts: options,
            round_robin: AtomicUsize::new(0),
            scripts: Scripts::new(),
        };
        store.adopt_layout().await?;
        store.check_eviction_policy().await;
        Ok(store)
    }

    async fn connect_cluster(
        url: &str,
        options: &RedisStoreOptions,
    ) -> Result<RedisConnection, StoreError> {
        let nodes = trawl_core::redis_cluster_nodes(url)
            .map_err(|e| StoreError::Config(format!("redis url {}: {e}", redact_url(url))))?;
        // Retries inside the client cover a MOVED after a failover or resharding and a
        // master that just died (100 ms, 200 ms, … 1 s: about 3 s in all, the order of a
        // failover with a 2 s node timeout); past them the call fails `Unavailable` and
        // the caller retries with its own backoff.
        let client = ClusterClientBuilder::new(nodes)
            .connection_timeout(options.connect_timeout)
            .response_timeout(options.response_timeout)
            .retries(5)
            .min_retry_wait(100)
            .max_retry_wait(1000)
            .retry_wait_formula(100, 2)
            .build()
            .map_err(|e| StoreError::Config(format!("redis url {}: {e}", redact_url(url))))?;
        let con = tokio::time::timeout(
            options.connect_timeout + options.response_timeout,
            client.get_async_connection(),
        )
        .await
        .map_err(|_| {
            StoreError::Unavailable(format!(
                "redis cluster at {}: no seed node answered in time",
                redact_url(url)
            ))
        })?
        .map_err(|e| match map_err(e) {
            // The cluster client reports a refused password as an I/O error of the
            // initial connections; retrying will not fix it.
            StoreError::Unavailable(m)
                if m.contains("AuthenticationFailed") || m.contains("WRONGPASS") =>
            {
                StoreError::Config(format!("redis cluster at {}: {m}", redact_url(url)))
            }
            StoreError::Unavailable(m) => {
                StoreError::Unavailable(format!("redis cluster at {}: {m}", redact_url(url)))
            }
            // A seed that answers but refuses (e.g. "cluster support disabled": a
            // standalone server given as a cluster seed) will not change by retrying.
            StoreError::Config(m) | StoreError::Corrupt(m) => {
                StoreError::Config(format!("redis cluster at {}: {m}", redact_url(url)))
            }
        })?;
        Ok(RedisConnection::Cluster(con))
    }

    /// Send `cmds` as pipelines and return their replies in order. Each command is
    /// paired with its key: on a cluster the commands are grouped by the key's slot and
    /// each slot's group goes as one pipeline (a pipeline must not cross slots there),
    /// up to [`SLOT_PIPELINES_IN_FLIGHT`] at once; on one server they go as one
    /// pipeline. Not atomic across slots in either case.
    async fn query_by_slot<T: FromRedisValue>(
        &self,
        cmds: Vec<(String, Cmd)>,
    ) -> Result<Vec<T>, StoreError> {
        let n = cmds.len();
        let mut groups: Vec<(Vec<usize>, redis::Pipeline)> = Vec::new();
        if self.con.is_cluster() {
            let mut by_slot: HashMap<Slot, usize> = HashMap::new();
            for (i, (key, cmd)) in cmds.into_iter().enumerate() {
                let g = *by_slot
                    .entry(Slot::for_key(key.as_bytes()))
                    .or_insert_with(|| {
                        groups.push((Vec::new(), redis::pipe()));
                        groups.len() - 1
                    });
                groups[g].0.push(i);
                groups[g].1.add_command(cmd);
            }
        } else {
            let mut pipe = redis::pipe();
            for (_, cmd) in cmds {
                pipe.add_command(cmd);
            }
            groups.push(((0..n).collect(), pipe));
        }
        let replies: Vec<(Vec<usize>, Vec<Value>)> = futures::stream::iter(groups)
            .map(|(idx, pipe)| {
                let mut con = self.con.clone();
                async move {
                    let vals: Vec<Value> = pipe.query_async(&mut con).await.map_err(map_err)?;
                    Ok::<_, StoreError>((idx, vals))
                }
            })
            .buffer_unordered(SLOT_PIPELINES_IN_FLIGHT)
            .try_collect()
            .await?;
        let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
        for (idx, vals) in replies {
            if idx.len() != vals.len() {
                return Err(StoreError::Corrupt(format!(
                    "pipeline answered {} of {}",
                    vals.len(),
                    idx.len()
                )));
            }
            for (i, v) in idx.into_iter().zip(vals) {
                out[i] = Some(
                    redis::from_redis_value_ref(&v)
                        .map_err(|e| StoreError::Corrupt(format!("pipeline reply: {e}")))?,
                );
            }
        }
        out.into_iter()
            .map(|v| v.ok_or_else(|| StoreError::Corrupt("pipeline reply missing".into())))
            .collect()
    }

    /// The masters of the cluster, as (host, port), from `CLUSTER NODES` (those not
    /// flagged failing). Empty for a standalone connection.
    async fn cluster_masters(&self) -> Result<Vec<(String, u16)>, StoreError> {
        let RedisConnection::Cluster(con) = &self.con else {
            return Ok(Vec::new());
        };
        let mut con = con.clone();
        let v = con
            .route_command(
                redis::cmd("CLUSTER").arg("NODES").clone(),
                RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
            )
            .await
            .map_err(map_err)?;
        let text: String = redis::from_redis_value_ref(&v)
            .map_err(|e| StoreError::Corrupt(format!("CLUSTER NODES: {e}")))?;
        Ok(parse_cluster_masters(&text))
    }

    /// Warn when Redis may evict keys: frontier state must never be evicted.
    /// Best-effort (managed Redis services often refuse CONFIG).
    async fn check_eviction_policy(&self) {
        let mut cmd = redis::cmd("CONFIG");
        cmd.arg("GET").arg("maxmemory-policy");
        // One server answers `[name, value]`; on a cluster every master is asked and the
        // answer is one such pair per master (a map by address).
        let v = match &self.con {
            RedisConnection::Standalone(c) => cmd.query_async::<Value>(&mut c.clone()).await,
            RedisConnection::Cluster(c) => {
                c.clone()
                    .route_command(
                        cmd,
                        RoutingInfo::MultiNode((MultipleNodeRoutingInfo::AllMasters, None)),
                    )
                    .await
            }
        };
        let Ok(v) = v else {
            return;
        };
        let policies: Vec<String> = match redis::from_redis_value_ref::<Vec<String>>(&v) {
            Ok(pair) => pair.into_iter().skip(1).take(1).collect(),
            Err(_) => redis::from_redis_value_ref::<HashMap<String, Vec<String>>>(&v)
                .map(|m| {
                    m.into_values()
                        .filter_map(|p| p.into_iter().nth(1))
                        .collect()
                })
                .unwrap_or_default(),
        };
        if let Some(policy) = policies.iter().find(|p| p.as_str() != "noeviction") {
            tracing::warn!(
                maxmemory_policy = %policy,
                "Redis may evict keys under memory pressure, which would lose frontier \
                 state; set maxmemory-policy noeviction"
            );
        }
    }

    /// Record this prefix's layout on first use, or adopt the recorded one.
    async fn adopt_layout(&mut self) -> Result<(), StoreError> {
        let key = format!("{}:layout", self.prefix);
        let mut con = self.con.clone();
        let (version, shards, bits): (Option<u32>, Option<u16>, Option<u8>) = redis::pipe()
            .cmd("HSETNX")
            .arg(&key)
            .arg("version")
            .arg(LAYOUT_VERSION)
            .ignore()
            .cmd("HSETNX")
            .arg(&key)
            .arg("shards")
            .arg(self.shards)
            .ignore()
            .cmd("HSETNX")
            .arg(&key)
            .arg("seen_bits")
            .arg(self.seen_bits)
            .ignore()
            .cmd("HMGET")
            .arg(&key)
            .arg("version")
            .arg("shards")
            .arg("seen_bits")
            .query_async::<((Option<u32>, Option<u16>, Option<u8>),)>(&mut con)
            .await
            .map_err(map_err)?
            .0;
        if version != Some(LAYOUT_VERSION) {
            return Err(StoreError::Config(format!(
                "redis prefix {:?} holds key layout version {version:?}, this build uses {LAYOUT_VERSION}",
                self.prefix
            )));
        }
        let (Some(shards), Some(bits)) = (shards, bits) else {
            return Err(StoreError::Corrupt(format!(
                "{key}: incomplete layout record"
            )));
        };
        if shards == 0 || bits > 24 {
            return Err(StoreError::Corrupt(format!(
                "{key}: shards={shards} seen_bits={bits}"
            )));
        }
        if shards != self.shards || bits != self.seen_bits {
            tracing::warn!(
                prefix = %self.prefix,
                recorded_shards = shards,
                recorded_seen_bits = bits,
                configured_shards = self.shards,
                configured_seen_bits = self.seen_bits,
                "redis prefix already has a layout; using the recorded one"
            );
            self.shards = shards;
            self.seen_bits = bits;
        }
        Ok(())
    }

    /// The layout in use: (host shards, seen-set bucket bits).
    pub fn layout(&self) -> (u16, u8) {
        (self.shards, self.seen_bits)
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A clone of the connection (for tools and tests, e.g. to read `INFO memory`;
    /// on a cluster a keyless command goes to some node).
    pub fn connection(&self) -> RedisConnection {
        self.con.clone()
    }

    /// Delete every key under this prefix (SCAN + UNLINK; on a cluster, SCAN on every
    /// master and UNLINK per slot). For tests and ops; not atomic with concurrent
    /// writers. Returns the number of keys removed.
    pub async fn purge(&self) -> Result<u64, StoreError> {
        let pattern = format!("{}:*", glob_escape(&self.prefix));
        let nodes: Vec<Option<(String, u16)>> = match &self.con {
            RedisConnection::Standalone(_) => vec![None],
            RedisConnection::Cluster(_) => {
                let masters = self.cluster_masters().await?;
                if masters.is_empty() {
                    return Err(StoreError::Unavailable(
                        "redis cluster: CLUSTER NODES lists no live master".into(),
                    ));
                }
                masters.into_iter().map(Some).collect()
            }
        };
        let mut removed = 0u64;
        for node in nodes {
            let mut cursor: u64 = 0;
            loop {
                let mut scan = redis::cmd("SCAN");
                scan.arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000);
                let (next, keys): (u64, Vec<String>) = match (&node, &self.con) {
                    (Some((host, port)), RedisConnection::Cluster(c)) => {
                        let v = c
                            .clone()
                            .route_command(
                                scan,
                                RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress {
                                    host: host.clone(),
                                    port: *port,
                                }),
                            )
                            .await
                            .map_err(map_err)?;
                        redis::from_redis_value_ref(&v)
                            .map_err(|e| StoreError::Corrupt(format!("SCAN reply: {e}")))?
                    }
                    _ => scan
                        .query_async(&mut self.con.clone())
                        .await
                        .map_err(map_err)?,
                };
                if !keys.is_empty() {
                    let cmds = keys
                        .into_iter()
                        .map(|k| {
                            let mut c = redis::cmd("UNLINK");
                            c.arg(&k);
                            (k, c)
                        })
                        .collect();
                    let n: Vec<u64> = self.query_by_slot(cmds).await?;
                    removed += n.iter().sum::<u64>();
                }
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        }
        Ok(removed)
    }

    fn shard_of(&self, host: &str) -> usize {
        (xxh3_64(host.as_bytes()) % u64::from(self.shards)) as usize
    }

    fn tag(&self, shard: usize) -> String {
        format!("{}:{{s{shard:02}}}", self.prefix)
    }

    fn shard_keys(&self, shard: usize) -> ShardKeys {
        let t = self.tag(shard);
        ShardKeys {
            due: format!("{t}:due"),
            leases: format!("{t}:leases"),
            inflight: format!("{t}:inflight"),
            hostdue: format!("{t}:hostdue"),
            stats: format!("{t}:stats"),
            seq: format!("{t}:seq"),
            recrawl: format!("{t}:recrawl"),
            recrawl_items: format!("{t}:recrawl:items"),
            queue_prefix: format!("{t}:q:"),
        }
    }

    fn seen_key(&self, v: u64) -> String {
        let bucket = if self.seen_bits == 0 {
            0
        } else {
            v >> (64 - u32::from(self.seen_bits))
        };
        format!("{}:seen:{{{bucket:x}}}", self.prefix)
    }

    fn seen_count_key(&self) -> String {
        format!("{}:seen:count", self.prefix)
    }

    fn cd(&self) -> String {
        format!("{}:{{cd}}", self.prefix)
    }

    /// The shards, in round-robin order from a rotating start (so no shard starves),
    /// where one of the two ZSETs named by `zsets` has a member scored ≤ `now_ms`: one
    /// pipelined round trip, so that a poll finding nothing due costs one round trip
    /// instead of one script call per shard. A shard that gains work after this check
    /// is served by the next call.
    /// `only`: look at these shards only (a frontier replica's claimed shards).
    async fn shards_with_work(
        &self,
        now_ms: u64,
        zsets: impl Fn(&ShardKeys) -> [String; 2],
        only: Option<&[u16]>,
    ) -> Result<Vec<usize>, StoreError> {
        let shards = usize::from(self.shards);
        let start = self.round_robin.fetch_add(1, Ordering::Relaxed) % shards;
        let order: Vec<usize> = (0..shards)
            .map(|i| (start + i) % shards)
            .filter(|s| only.is_none_or(|o| o.iter().any(|x| usize::from(*x) == *s)))
            .collect();
        if order.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmds = Vec::with_capacity(2 * order.len());
        for &shard in &order {
            for key in zsets(&self.shard_keys(shard)) {
                let mut c = redis::cmd("ZCOUNT");
                c.arg(&key).arg("-inf").arg(now_ms);
                cmds.push((key, c));
            }
        }
        let counts: Vec<u64> = self.query_by_slot(cmds).await?;
        if counts.len() != 2 * order.len() {
            return Err(StoreError::Corrupt("ZCOUNT pipeline reply".into()));
        }
        Ok(order
            .into_iter()
            .zip(counts.chunks(2))
            .filter(|(_, c)| c.iter().any(|n| *n > 0))
            .map(|(shard, _)| shard)
            .collect())
    }

    /// `lease`, from the shards in `only` (all when `None`).
    async fn lease_where(
        &self,
        now_ms: u64,
        max: usize,
        lease_ttl_ms: u64,
        only: Option<&[u16]>,
    ) -> Result<Vec<Lease>, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("lease");
        if max == 0 || only.is_some_and(|o| o.is_empty()) {
            return Ok(Vec::new());
        }
        let mut con = self.con.clone();
        let mut out = Vec::new();
        for shard in self
            .shards_with_work(now_ms, |k| [k.due.clone(), k.leases.clone()], only)
            .await?
        {
            if out.len() >= max {
                break;
            }
            let k = self.shard_keys(shard);
            let mut inv = self.scripts.lease.prepare_invoke();
            inv.key(&k.due)
                .key(&k.leases)
                .key(&k.inflight)
                .key(&k.hostdue)
                .key(&k.stats)
                .arg(now_ms)
                .arg(lease_ttl_ms)
                .arg(&k.queue_prefix)
                .arg(RECOVER_PER_CALL);
            for _ in 0..(max - out.len()).min(MAX_LEASES_PER_SCRIPT) {
                inv.arg(lease_id());
            }
            let flat: Vec<String> = inv.invoke_async(&mut con).await.map_err(map_err)?;
            for t in flat.chunks(3) {
                let [host, id, json] = t else {
                    return Err(StoreError::Corrupt("lease script reply".into()));
                };
                match parse_item(json) {
                    Ok(item) => out.push(Lease {
                        lease_id: id.clone(),
                        host: host.clone(),
                        item,
                    }),
                    Err(e) => {
                        // Not ours (written by something else, or by an incompatible
                        // build): drop it rather than have it come back forever.
                        tracing::error!(host = %host, error = %e, "dropping an unreadable queued item");
                        self.release(host, id, now_ms).await?;
                    }
                }
            }
        }
        Ok(out)
    }

    async fn insert_seen_chunk(&self, chunk: &[u128]) -> Result<Vec<bool>, StoreError> {
        let mut cmds = Vec::with_capacity(chunk.len());
        for fp in chunk {
            // 64 bits of the fingerprint, stored as a signed integer so Redis keeps
            // the bucket as an intset.
            let v = *fp as u64;
            let key = self.seen_key(v);
            let mut c = redis::cmd("SADD");
            c.arg(&key).arg(v as i64);
            cmds.push((key, c));
        }
        let added: Vec<i64> = self.query_by_slot(cmds).await?;
        if added.len() != chunk.len() {
            return Err(StoreError::Corrupt(format!(
                "SADD pipeline answered {} of {}",
                added.len(),
                chunk.len()
            )));
        }
        Ok(added.into_iter().map(|a| a == 1).collect())
    }
}

#[async_trait]
impl FrontierStore for RedisStore {
    async fn insert_seen(&self, fingerprints: &[u128]) -> Result<Vec<bool>, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("insert_seen");
        if fingerprints.is_empty() {
            return Ok(Vec::new());
        }
        let calls: Vec<BoxFut<'_, Vec<bool>>> = fingerprints
            .chunks(self.opts.seen_batch)
            .map(|chunk| Box::pin(self.insert_seen_chunk(chunk)) as BoxFut<'_, Vec<bool>>)
            .collect();
        let parts: Vec<Vec<bool>> = futures::stream::iter(calls)
            .buffered(self.opts.seen_concurrency)
            .try_collect()
            .await?;
        let out: Vec<bool> = parts.into_iter().flatten().collect();
        let new = out.iter().filter(|n| **n).count();
        if new > 0 {
            // Not atomic with the SADDs: a process dying in between undercounts
            // `seen` (the set itself stays exact).
            let mut con = self.con.clone();
            redis::cmd("INCRBY")
                .arg(self.seen_count_key())
                .arg(new)
                .query_async::<i64>(&mut con)
                .await
                .map_err(map_err)?;
        }
        Ok(out)
    }

    async fn seen_contains(&self, fingerprint: u128) -> Result<bool, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("dedup");
        let v = fingerprint as u64;
        let mut con = self.con.clone();
        redis::cmd("SISMEMBER")
            .arg(self.seen_key(v))
            .arg(v as i64)
            .query_async::<bool>(&mut con)
            .await
            .map_err(map_err)
    }

    async fn enqueue(&self, items: &[QueuedUrl], now_ms: u64) -> Result<(), StoreError> {
        let _timer = trawl_metrics::global().redis_timer("enqueue");
        let mut by_shard: HashMap<usize, Vec<&QueuedUrl>> = HashMap::new();
        for item in items {
            by_shard
                .entry(self.shard_of(&item.host))
                .or_default()
                .push(item);
        }
        let mut calls = Vec::new();
        for (shard, list) in by_shard {
            let k = self.shard_keys(shard);
            for chunk in list.chunks(ENQUEUE_CHUNK) {
                let mut inv = self.scripts.enqueue.prepare_invoke();
                inv.key(&k.due)
                    .key(&k.inflight)
                    .key(&k.hostdue)
                    .key(&k.stats)
                    .key(&k.seq)
                    .arg(now_ms)
                    .arg(&k.queue_prefix);
                for item in chunk {
                    inv.arg(&item.host).arg(item.priority).arg(to_json(item)?);
                }
                calls.push(inv);
            }
        }
        let futs: Vec<BoxFut<'_, i64>> = calls
            .into_iter()
            .map(|inv| {
                let mut con = self.con.clone();
                Box::pin(async move { inv.invoke_async::<i64>(&mut con).await.map_err(map_err) })
                    as BoxFut<'_, i64>
            })
            .collect();
        futures::stream::iter(futs)
            .buffer_unordered(4)
            .try_collect::<Vec<i64>>()
            .await?;
        Ok(())
    }

    async fn lease(
        &self,
        now_ms: u64,
        max: usize,
        lease_ttl_ms: u64,
    ) -> Result<Vec<Lease>, StoreError> {
        self.lease_where(now_ms, max, lease_ttl_ms, None).await
    }

    fn shard_count(&self) -> u16 {
        self.shards
    }

    async fn lease_in_shards(
        &self,
        now_ms: u64,
        max: usize,
        lease_ttl_ms: u64,
        shards: &[u16],
    ) -> Result<Vec<Lease>, StoreError> {
        self.lease_where(now_ms, max, lease_ttl_ms, Some(shards))
            .await
    }

    async fn shard_view(
        &self,
        replica: &str,
        now_ms: u64,
        ttl_ms: u64,
    ) -> Result<crate::ShardView, StoreError> {
        crate::shards::redis_view(self, replica, now_ms, ttl_ms).await
    }

    async fn shard_apply(
        &self,
        replica: &str,
        now_ms: u64,
        ttl_ms: u64,
        hold: &[u16],
        release: &[u16],
    ) -> Result<Vec<u16>, StoreError> {
        crate::shards::redis_apply(self, replica, now_ms, ttl_ms, hold, release).await
    }

    async fn shard_leave(&self, replica: &str) -> Result<Vec<u16>, StoreError> {
        crate::shards::redis_leave(self, replica).await
    }

    async fn release(
        &self,
        host: &str,
        lease_id: &str,
        next_due_ms: u64,
    ) -> Result<bool, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("release");
        let k = self.shard_keys(self.shard_of(host));
        let mut con = self.con.clone();
        let r: i64 = self
            .scripts
            .release
            .key(&k.due)
            .key(&k.leases)
            .key(&k.inflight)
            .key(&k.hostdue)
            .key(&k.stats)
            .key(format!("{}{host}", k.queue_prefix))
            .arg(host)
            .arg(lease_id)
            .arg(next_due_ms)
            .invoke_async(&mut con)
            .await
            .map_err(map_err)?;
        Ok(r == 1)
    }

    async fn defer_host(&self, host: &str, due_ms: u64) -> Result<(), StoreError> {
        let _timer = trawl_metrics::global().redis_timer("defer_host");
        let k = self.shard_keys(self.shard_of(host));
        let mut con = self.con.clone();
        self.scripts
            .defer
            .key(&k.due)
            .key(&k.hostdue)
            .arg(host)
            .arg(due_ms)
            .invoke_async::<i64>(&mut con)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn host_meta_get(
        &self,
        host: &str,
        field: &HostField,
    ) -> Result<Option<String>, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("host_meta_get");
        let key = format!("{}:meta:{host}", self.tag(self.shard_of(host)));
        let mut con = self.con.clone();
        redis::cmd("HGET")
            .arg(key)
            .arg(field.name().as_ref())
            .query_async(&mut con)
            .await
            .map_err(map_err)
    }

    async fn host_meta_get_many(
        &self,
        host: &str,
        fields: &[HostField],
    ) -> Result<Vec<Option<String>>, StoreError> {
        if fields.is_empty() {
            return Ok(Vec::new());
        }
        let _timer = trawl_metrics::global().redis_timer("host_meta_get");
        let key = format!("{}:meta:{host}", self.tag(self.shard_of(host)));
        let mut con = self.con.clone();
        let mut cmd = redis::cmd("HMGET");
        cmd.arg(key);
        for f in fields {
            cmd.arg(f.name().as_ref());
        }
        cmd.query_async(&mut con).await.map_err(map_err)
    }

    async fn host_meta_set(
        &self,
        host: &str,
        field: &HostField,
        value: &str,
    ) -> Result<(), StoreError> {
        let _timer = trawl_metrics::global().redis_timer("host_meta_set");
        let key = format!("{}:meta:{host}", self.tag(self.shard_of(host)));
        let mut con = self.con.clone();
        redis::cmd("HSET")
            .arg(key)
            .arg(field.name().as_ref())
            .arg(value)
            .query_async::<i64>(&mut con)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn host_meta_incr(
        &self,
        host: &str,
        field: &HostField,
        by: i64,
    ) -> Result<i64, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("host_meta_incr");
        let key = format!("{}:meta:{host}", self.tag(self.shard_of(host)));
        let mut con = self.con.clone();
        redis::cmd("HINCRBY")
            .arg(key)
            .arg(field.name().as_ref())
            .arg(by)
            .query_async(&mut con)
            .await
            .map_err(|e| match map_err(e) {
                StoreError::Corrupt(m) => {
                    StoreError::Corrupt(format!("host field {:?}: {m}", field.name()))
                }
                other => other,
            })
    }

    async fn set_add(&self, set: StoreSet, members: &[String]) -> Result<(), StoreError> {
        let _timer = trawl_metrics::global().redis_timer("set_add");
        if members.is_empty() {
            return Ok(());
        }
        let mut con = self.con.clone();
        redis::cmd("SADD")
            .arg(format!("{}:set:{set}", self.prefix))
            .arg(members)
            .query_async::<i64>(&mut con)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn set_members(&self, set: StoreSet) -> Result<Vec<String>, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("set_members");
        let mut con = self.con.clone();
        redis::cmd("SMEMBERS")
            .arg(format!("{}:set:{set}", self.prefix))
            .query_async(&mut con)
            .await
            .map_err(map_err)
    }

    async fn validators_get(
        &self,
        url: &str,
    ) -> Result<Option<(Option<String>, Option<String>)>, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("validators_get");
        let fp = url_fingerprint(url);
        let key = format!("{}:val", self.tag((fp % u128::from(self.shards)) as usize));
        let mut con = self.con.clone();
        let v: Option<String> = redis::cmd("HGET")
            .arg(key)
            .arg(format!("{fp:032x}"))
            .query_async(&mut con)
            .await
            .map_err(map_err)?;
        match v {
            None => Ok(None),
            Some(j) => serde_json::from_str(&j)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("validators: {e}"))),
        }
    }

    async fn validators_set(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<(), StoreError> {
        let _timer = trawl_metrics::global().redis_timer("validators_set");
        let fp = url_fingerprint(url);
        let key = format!("{}:val", self.tag((fp % u128::from(self.shards)) as usize));
        let field = format!("{fp:032x}");
        let mut con = self.con.clone();
        if etag.is_none() && last_modified.is_none() {
            redis::cmd("HDEL")
                .arg(key)
                .arg(field)
                .query_async::<i64>(&mut con)
                .await
                .map_err(map_err)?;
        } else {
            redis::cmd("HSET")
                .arg(key)
                .arg(field)
                .arg(to_json(&(etag, last_modified))?)
                .query_async::<i64>(&mut con)
                .await
                .map_err(map_err)?;
        }
        Ok(())
    }

    async fn schedule_recrawl(&self, item: &QueuedUrl, due_ms: u64) -> Result<(), StoreError> {
        let _timer = trawl_metrics::global().redis_timer("schedule_recrawl");
        let k = self.shard_keys(self.shard_of(&item.host));
        let mut con = self.con.clone();
        redis::pipe()
            .atomic()
            .cmd("ZADD")
            .arg(&k.recrawl)
            .arg(due_ms)
            .arg(&item.url)
            .ignore()
            .cmd("HSET")
            .arg(&k.recrawl_items)
            .arg(&item.url)
            .arg(to_json(item)?)
            .ignore()
            .query_async::<()>(&mut con)
            .await
            .map_err(map_err)
    }

    async fn take_due_recrawls(
        &self,
        now_ms: u64,
        max: usize,
    ) -> Result<Vec<QueuedUrl>, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("take_due_recrawls");
        if max == 0 {
            return Ok(Vec::new());
        }
        let mut con = self.con.clone();
        let mut out = Vec::new();
        for shard in self
            .shards_with_work(now_ms, |k| [k.recrawl.clone(), k.recrawl.clone()], None)
            .await?
        {
            if out.len() >= max {
                break;
            }
            let k = self.shard_keys(shard);
            let items: Vec<String> = self
                .scripts
                .take_recrawls
                .key(&k.recrawl)
                .key(&k.recrawl_items)
                .arg(now_ms)
                .arg(max - out.len())
                .invoke_async(&mut con)
                .await
                .map_err(map_err)?;
            for j in items {
                // Already removed from Redis: failing here would lose the good ones too.
                match parse_item(&j) {
                    Ok(item) => out.push(item),
                    Err(e) => tracing::error!(error = %e, "dropping an unreadable recrawl"),
                }
            }
        }
        Ok(out)
    }

    async fn stats(&self, now_ms: u64) -> Result<StoreStats, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("stats");
        let mut cmds = Vec::with_capacity(1 + 4 * usize::from(self.shards));
        let mut get = redis::cmd("GET");
        get.arg(self.seen_count_key());
        cmds.push((self.seen_count_key(), get));
        for shard in 0..usize::from(self.shards) {
            let k = self.shard_keys(shard);
            let mut hmget = redis::cmd("HMGET");
            hmget
                .arg(&k.stats)
                .arg("queued")
                .arg("inflight")
                .arg("done");
            let mut zcount = redis::cmd("ZCOUNT");
            zcount.arg(&k.due).arg("-inf").arg(now_ms);
            let mut due_card = redis::cmd("ZCARD");
            due_card.arg(&k.due);
            let mut lease_card = redis::cmd("ZCARD");
            lease_card.arg(&k.leases);
            cmds.push((k.stats.clone(), hmget));
            cmds.push((k.due.clone(), zcount));
            cmds.push((k.due.clone(), due_card));
            cmds.push((k.leases.clone(), lease_card));
        }
        let vals: Vec<Value> = self.query_by_slot(cmds).await?;
        let conv = |v: &redis::Value| -> Result<i64, StoreError> {
            Ok(redis::from_redis_value_ref::<Option<i64>>(v)
                .map_err(|e| StoreError::Corrupt(format!("stats: {e}")))?
                .unwrap_or(0))
        };
        let mut s = StoreStats {
            seen: conv(
                vals.first()
                    .ok_or_else(|| StoreError::Corrupt("stats".into()))?,
            )?
            .max(0) as u64,
            ..Default::default()
        };
        for quad in vals[1..].chunks(4) {
            let [counts, ready, due_total, leased] = quad else {
                return Err(StoreError::Corrupt("stats reply".into()));
            };
            let (q, f, d): (Option<i64>, Option<i64>, Option<i64>) =
                redis::from_redis_value_ref(counts)
                    .map_err(|e| StoreError::Corrupt(format!("stats: {e}")))?;
            s.queued += q.unwrap_or(0).max(0) as u64;
            s.in_flight += f.unwrap_or(0).max(0) as u64;
            s.done += d.unwrap_or(0).max(0) as u64;
            let (r, t) = (conv(ready)?.max(0) as u64, conv(due_total)?.max(0) as u64);
            s.hosts_ready += r;
            s.hosts_waiting += t.saturating_sub(r);
            s.hosts_leased += conv(leased)?.max(0) as u64;
        }
        Ok(s)
    }

    /// Standalone: PING. Cluster: the node asked says `cluster_state:ok`, and a cheap
    /// read (EXISTS) reaches the slot of every shard, of the near-duplicate index and of
    /// the seen counter, so a master that died shows as not ready until its replica is
    /// promoted and the client's slot map follows (a PING to "all masters" does not: the
    /// client answers it from the masters it can still reach). Bounded by 1 s.
    async fn ping(&self) -> bool {
        let fut = async {
            match &self.con {
                RedisConnection::Standalone(c) => redis::cmd("PING")
                    .query_async::<String>(&mut c.clone())
                    .await
                    .is_ok(),
                RedisConnection::Cluster(c) => {
                    let state = c
                        .clone()
                        .route_command(
                            redis::cmd("CLUSTER").arg("INFO").clone(),
                            RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
                        )
                        .await
                        .ok()
                        .and_then(|v| redis::from_redis_value_ref::<String>(&v).ok())
                        .is_some_and(|t| t.contains("cluster_state:ok"));
                    let mut keys: Vec<String> = (0..usize::from(self.shards))
                        .map(|s| self.shard_keys(s).due)
                        .collect();
                    keys.push(format!("{}:id:probe", self.cd()));
                    keys.push(self.seen_count_key());
                    let cmds = keys
                        .into_iter()
                        .map(|k| {
                            let mut c = redis::cmd("EXISTS");
                            c.arg(&k);
                            (k, c)
                        })
                        .collect();
                    state && self.query_by_slot::<i64>(cmds).await.is_ok()
                }
            }
        };
        matches!(
            tokio::time::timeout(Duration::from_secs(1), fut).await,
            Ok(true)
        )
    }
}

#[async_trait]
impl ContentIndex for RedisStore {
    async fn claim_content(
        &self,
        article_id: &str,
        url: &str,
        simhash: u64,
        max_distance: u32,
    ) -> Result<ContentClaim, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("claim_content");
        let cd = self.cd();
        let mut inv = self.scripts.claim.prepare_invoke();
        inv.key(format!("{cd}:id:{article_id}"))
            .key(format!("{cd}:aliases:{article_id}"));
        for (i, band) in neardup::bands(simhash).iter().enumerate() {
            inv.key(format!("{cd}:band:{i}:{band:04x}"));
        }
        inv.arg(article_id)
            .arg(url)
            .arg(format!("{simhash:016x}"))
            .arg(max_distance.min(64))
            .arg(format!("{cd}:aliases:"))
            .arg(neardup::encode_entry(simhash, article_id, url));
        let mut con = self.con.clone();
        let r: Vec<String> = inv.invoke_async(&mut con).await.map_err(map_err)?;
        match r.as_slice() {
            [tag] if tag == "new" => Ok(ContentClaim::New),
            [tag, aid, of_url] if tag == "dup" => Ok(ContentClaim::Duplicate {
                of_article_id: aid.clone(),
                of_url: of_url.clone(),
            }),
            other => Err(StoreError::Corrupt(format!("claim script reply {other:?}"))),
        }
    }

    async fn content_aliases(&self, article_id: &str) -> Result<Vec<String>, StoreError> {
        let _timer = trawl_metrics::global().redis_timer("content_aliases");
        let mut con = self.con.clone();
        let mut v: Vec<String> = redis::cmd("SMEMBERS")
            .arg(format!("{}:aliases:{article_id}", self.cd()))
            .query_async(&mut con)
            .await
            .map_err(map_err)?;
        v.sort();
        Ok(v)
    }
}

// ---- Lua scripts (src/lua/*.lua) ---------------------------------------------
//
// Numbers: Lua 5.1 numbers are doubles and turn into strings with "%.14g" when
// passed to redis.call, so every score or time computed in Lua is formatted with
// `fmt` ("%.0f", exact below 2^53); scores read from Redis are passed on as the
// strings they came as.
//
// In-flight record (HASH inflight, field host): "<lease_id>\n<queue score>\n<item json>".
//
// Cluster: each script names keys of one hash tag only (a shard's `{sNN}`, or `{cd}`),
// including the keys it builds from a declared prefix, so it runs on one node.

const ENQUEUE_LUA: &str = include_str!("lua/enqueue.lua");
const LEASE_LUA: &str = include_str!("lua/lease.lua");
const RELEASE_LUA: &str = include_str!("lua/release.lua");
const DEFER_LUA: &str = include_str!("lua/defer.lua");
const TAKE_RECRAWLS_LUA: &str = include_str!("lua/take_recrawls.lua");
const CLAIM_LUA: &str = include_str!("lua/claim.lua");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::{self, conformance_tests, Store};
    use std::sync::Arc;

    fn redis_url() -> String {
        std::env::var("TRAWL_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
    }

    fn unique_prefix() -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!(
            "trawltest:{}:{nanos}:{:x}",
            std::process::id(),
            rand::random::<u32>()
        )
    }

    async fn connect_with(prefix: &str, opts: RedisStoreOptions) -> RedisStore {
        RedisStore::connect(&redis_url(), prefix, opts)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "Redis at {} is needed for this test (set TRAWL_TEST_REDIS_URL): {e}",
                    redact_url(&redis_url())
                )
            })
    }

    async fn make() -> (Store, Arc<RedisStore>) {
        // Few shards and a small seen capacity so the tests cross shard and bucket
        // boundaries.
        let opts = RedisStoreOptions {
            shards: 4,
            seen_capacity: 4096,
            seen_batch: 700,
            ..Default::default()
        };
        let s = Arc::new(connect_with(&unique_prefix(), opts).await);
        (s.clone(), s)
    }

    async fn cleanup(s: Arc<RedisStore>) {
        s.purge().await.expect("purge");
    }

    conformance_tests!(make, cleanup);

    #[tokio::test]
    async fn state_survives_a_new_connection() {
        let prefix = unique_prefix();
        let a = connect_with(&prefix, RedisStoreOptions::default()).await;
        let h = "http://a.test";
        a.insert_seen(&[11, 12]).await.unwrap();
        a.enqueue(&[conformance::item(h, 1, 1), conformance::item(h, 2, 0)], 0)
            .await
            .unwrap();
        let lease = a.lease(0, 5, 1000).await.unwrap().pop().unwrap();
        a.host_meta_set(h, &HostField::CrawlDelayMs, "ok")
            .await
            .unwrap();
        drop(a);
        // A "restarted frontier", configured differently: adopts the recorded layout.
        let b = connect_with(
            &prefix,
            RedisStoreOptions {
                shards: 7,
                seen_capacity: 1000,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(b.layout(), (16, seen_bits_for(10_000_000)));
        assert_eq!(b.insert_seen(&[11, 13]).await.unwrap(), vec![false, true]);
        let s = b.stats(0).await.unwrap();
        assert_eq!(
            (s.seen, s.queued, s.in_flight, s.hosts_leased),
            (3, 1, 1, 1)
        );
        assert!(b.release(h, &lease.lease_id, 0).await.unwrap());
        let next = b.lease(0, 5, 1000).await.unwrap();
        assert_eq!(next[0].item.url, "http://a.test/page/1");
        assert_eq!(
            b.host_meta_get(h, &HostField::CrawlDelayMs)
                .await
                .unwrap()
                .as_deref(),
            Some("ok")
        );
        assert!(b.purge().await.unwrap() > 0);
        assert_eq!(b.purge().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn replicas_on_separate_connections_share_work_safely() {
        let prefix = unique_prefix();
        let opts = RedisStoreOptions {
            shards: 3,
            ..Default::default()
        };
        let a: Store = Arc::new(connect_with(&prefix, opts.clone()).await);
        let b: Store = Arc::new(connect_with(&prefix, opts).await);
        let res = tokio::spawn(conformance::concurrent_leases(vec![a, b])).await;
        connect_with(&prefix, RedisStoreOptions::default())
            .await
            .purge()
            .await
            .unwrap();
        if let Err(e) = res {
            std::panic::resume_unwind(e.into_panic());
        }
    }

    /// One coordination round of replica `me` (what `Frontier::coordinate_shards` does).
    async fn shard_round(s: &RedisStore, me: &str, now: u64) -> Vec<u16> {
        let v = s.shard_view(me, now, 3_000).await.unwrap();
        let p = crate::shards::plan(16, me, &v, now);
        s.shard_apply(me, now, 3_000, &p.hold, &p.release)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn replicas_split_shards_and_take_over_a_dead_replicas_shards() {
        use crate::shards::fair_share;
        let prefix = unique_prefix();
        let opts = RedisStoreOptions {
            shards: 16,
            ..Default::default()
        };
        let a = connect_with(&prefix, opts.clone()).await;
        let b = connect_with(&prefix, opts).await;
        let res = tokio::spawn(async move {
            // a starts alone and takes everything; b joins; two rounds later they split 8/8.
            assert_eq!(shard_round(&a, "a", 0).await.len(), 16);
            assert!(shard_round(&b, "b", 100).await.is_empty());
            assert_eq!(
                shard_round(&a, "a", 1_000).await.len(),
                usize::from(fair_share(16, 2))
            );
            let hb = shard_round(&b, "b", 1_100).await;
            let ha = shard_round(&a, "a", 2_000).await;
            assert_eq!((ha.len(), hb.len()), (8, 8));
            assert!(ha.iter().all(|s| !hb.contains(s)), "{ha:?} {hb:?}");
            // Hosts of b's shards are leased only through b.
            let items: Vec<QueuedUrl> = (0..32)
                .map(|i| conformance::item(&format!("http://r{i}.test"), i, 1))
                .collect();
            a.enqueue(&items, 0).await.unwrap();
            let la = a.lease_in_shards(2_000, 100, 60_000, &ha).await.unwrap();
            let lb = b.lease_in_shards(2_000, 100, 60_000, &hb).await.unwrap();
            assert_eq!(la.len() + lb.len(), 32);
            for l in &lb {
                assert!(hb.contains(&(a.shard_of(&l.host) as u16)));
            }
            // a dies (stops renewing): after its claims expire b takes all 16.
            let hb = shard_round(&b, "b", 4_000).await;
            assert_eq!(hb.len(), 8, "a's claims are still live at 4 s");
            let hb = shard_round(&b, "b", 5_001).await;
            assert_eq!(hb.len(), 16);
            assert_eq!(b.shard_leave("b").await.unwrap().len(), 16);
            a.purge().await.unwrap();
        })
        .await;
        if let Err(e) = res {
            connect_with(&prefix, RedisStoreOptions::default())
                .await
                .purge()
                .await
                .unwrap();
            std::panic::resume_unwind(e.into_panic());
        }
    }

    #[tokio::test]
    async fn seen_buckets_are_intsets() {
        let prefix = unique_prefix();
        let store = connect_with(
            &prefix,
            RedisStoreOptions {
                seen_capacity: 100_000,
                ..Default::default()
            },
        )
        .await;
        let (_, bits) = store.layout();
        assert_eq!(bits, seen_bits_for(100_000));
        let fps: Vec<u128> = (0..20_000u64)
            .map(|i| url_fingerprint(&format!("https://x.test/{i}")))
            .collect();
        assert!(store.insert_seen(&fps).await.unwrap().iter().all(|n| *n));
        let mut con = store.connection();
        let key = store.seen_key(fps[0] as u64);
        let enc: String = redis::cmd("OBJECT")
            .arg("ENCODING")
            .arg(&key)
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(enc, "intset");
        let card: u64 = redis::cmd("SCARD")
            .arg(&key)
            .query_async(&mut con)
            .await
            .unwrap();
        assert!(card > 1 && card < 512, "{card}");
        store.purge().await.unwrap();
    }

    #[tokio::test]
    async fn unreadable_queued_item_is_dropped_not_handed_out() {
        let (store, s) = make().await;
        let h = "http://a.test";
        store
            .enqueue(&[conformance::item(h, 1, 0), conformance::item(h, 2, 1)], 0)
            .await
            .unwrap();
        // Corrupt the most urgent item in place (same score, garbage member).
        let mut con = s.connection();
        let qkey = format!("{}{h}", s.shard_keys(s.shard_of(h)).queue_prefix);
        let (member, score): (String, f64) = {
            let v: Vec<(String, f64)> = redis::cmd("ZRANGE")
                .arg(&qkey)
                .arg(0)
                .arg(0)
                .arg("WITHSCORES")
                .query_async(&mut con)
                .await
                .unwrap();
            v[0].clone()
        };
        let _: () = redis::pipe()
            .cmd("ZREM")
            .arg(&qkey)
            .arg(&member)
            .ignore()
            .cmd("ZADD")
            .arg(&qkey)
            .arg(score)
            .arg("{not an item")
            .ignore()
            .query_async(&mut con)
            .await
            .unwrap();
        assert!(store.lease(0, 5, 1000).await.unwrap().is_empty());
        let next = store.lease(0, 5, 1000).await.unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].item.url, "http://a.test/page/2");
        s.purge().await.unwrap();
    }

    #[tokio::test]
    async fn bad_prefix_and_options_are_config_errors() {
        for p in ["", "a{b}", "has space"] {
            let e = RedisStore::connect(&redis_url(), p, Default::default())
                .await
                .err()
                .expect("error");
            assert!(matches!(e, StoreError::Config(_)), "{p:?}: {e:?}");
        }
        let e = RedisStore::connect(
            &redis_url(),
            "x",
            RedisStoreOptions {
                shards: 0,
                ..Default::default()
            },
        )
        .await
        .err()
        .expect("error");
        assert!(matches!(e, StoreError::Config(_)));
        let e = RedisStore::connect("notaurl://", "x", Default::default())
            .await
            .err()
            .expect("error");
        assert!(matches!(e, StoreError::Config(_)), "{e:?}");
    }

    #[tokio::test]
    async fn unreachable_redis_is_transient_and_redacted() {
        // Port 1 on loopback: nothing listens.
        let e = RedisStore::connect(
            "redis://user:hunter2@127.0.0.1:1",
            "x",
            RedisStoreOptions {
                connect_timeout: Duration::from_millis(500),
                ..Default::default()
            },
        )
        .await
        .err()
        .expect("error");
        assert!(e.is_transient(), "{e:?}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    /// The conformance suite and the store's own cases on a Redis Cluster
    /// (`scripts/redis-cluster.sh up`; `TRAWL_TEST_REDIS_CLUSTER_URL`, default the
    /// three masters on 127.0.0.1:7000-7002). An unreachable cluster fails the tests
    /// unless `TRAWL_SKIP_CLUSTER=1`.
    mod cluster {
        use super::*;

        pub(super) fn cluster_url() -> String {
            std::env::var("TRAWL_TEST_REDIS_CLUSTER_URL").unwrap_or_else(|_| {
                "redis+cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002".into()
            })
        }

        pub(super) async fn connect_cluster(
            prefix: &str,
            opts: RedisStoreOptions,
        ) -> Option<RedisStore> {
            let skip = std::env::var("TRAWL_SKIP_CLUSTER").is_ok_and(|v| v == "1");
            let mut last = None;
            for _ in 0..3 {
                match RedisStore::connect(&cluster_url(), prefix, opts.clone()).await {
                    Ok(s) => return Some(s),
                    Err(e) => last = Some(e),
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            let e = last.expect("an error");
            if skip {
                eprintln!("SKIPPED (TRAWL_SKIP_CLUSTER=1): Redis Cluster unreachable: {e}");
                return None;
            }
            panic!(
                "a Redis Cluster at {} is needed for this test: start it with \
                 `scripts/redis-cluster.sh up` (or set TRAWL_TEST_REDIS_CLUSTER_URL, or \
                 TRAWL_SKIP_CLUSTER=1 to skip): {e}",
                redact_url(&cluster_url())
            )
        }

        async fn make() -> Option<(Store, Arc<RedisStore>)> {
            let opts = RedisStoreOptions {
                shards: 4,
                seen_capacity: 4096,
                seen_batch: 700,
                ..Default::default()
            };
            let s = Arc::new(connect_cluster(&unique_prefix(), opts).await?);
            Some((s.clone(), s))
        }

        conformance_tests!(optional make, cleanup);

        #[tokio::test]
        async fn frontier_view_reads_the_claims_on_a_cluster() {
            let Some((store, s)) = make().await else {
                return;
            };
            let res = tokio::spawn(async move {
                let v = store.shard_view("r1", 1_000, 5_000).await.unwrap();
                let p = crate::shards::plan(4, "r1", &v, 1_000);
                assert_eq!(
                    store
                        .shard_apply("r1", 1_000, 5_000, &p.hold, &[])
                        .await
                        .unwrap(),
                    vec![0, 1, 2, 3]
                );
            })
            .await;
            let view = s.frontier_view(2_000).await;
            cleanup(s).await;
            if let Err(e) = res {
                std::panic::resume_unwind(e.into_panic());
            }
            let view = view.unwrap();
            assert_eq!(view.replicas, vec!["r1".to_string()]);
            let (by, unclaimed) = crate::shards::claims_by_replica(&view, 4, 2_000);
            assert_eq!((by.get("r1"), unclaimed), (Some(&4), 0));
        }

        #[tokio::test]
        async fn keys_spread_over_masters_and_purge_finds_them_all() {
            let prefix = unique_prefix();
            let Some(store) = connect_cluster(&prefix, RedisStoreOptions::default()).await else {
                return;
            };
            assert!(store.connection().is_cluster());
            let items: Vec<QueuedUrl> = (0..64)
                .map(|i| conformance::item(&format!("http://h{i}.test"), 1, 1))
                .collect();
            store.enqueue(&items, 0).await.unwrap();
            let fps: Vec<u128> = (0..2000u64)
                .map(|i| url_fingerprint(&format!("https://x.test/{i}")))
                .collect();
            assert!(store.insert_seen(&fps).await.unwrap().iter().all(|n| *n));
            assert!(store.insert_seen(&fps).await.unwrap().iter().all(|n| !*n));
            let s = store.stats(0).await.unwrap();
            assert_eq!((s.seen, s.queued, s.hosts_ready), (2000, 64, 64));
            // Keys on every master: count this prefix's keys per master.
            let masters = store.cluster_masters().await.unwrap();
            assert_eq!(masters.len(), 3, "{masters:?}");
            let RedisConnection::Cluster(c) = store.connection() else {
                unreachable!()
            };
            for (host, port) in &masters {
                let v = c
                    .clone()
                    .route_command(
                        redis::cmd("DBSIZE").clone(),
                        RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress {
                            host: host.clone(),
                            port: *port,
                        }),
                    )
                    .await
                    .unwrap();
                let n: u64 = redis::from_redis_value_ref(&v).unwrap();
                assert!(n > 0, "master {host}:{port} holds no key");
            }
            assert!(store.ping().await);
            let removed = store.purge().await.unwrap();
            assert!(removed > 64, "{removed}");
            assert_eq!(store.purge().await.unwrap(), 0);
            assert_eq!(store.stats(0).await.unwrap(), StoreStats::default());
        }

        #[tokio::test]
        async fn replicas_on_separate_cluster_connections_share_work_safely() {
            let prefix = unique_prefix();
            let opts = RedisStoreOptions {
                shards: 5,
                ..Default::default()
            };
            let Some(a) = connect_cluster(&prefix, opts.clone()).await else {
                return;
            };
            let Some(b) = connect_cluster(&prefix, opts).await else {
                return;
            };
            let a: Store = Arc::new(a);
            let b: Store = Arc::new(b);
            let res = tokio::spawn(conformance::concurrent_leases(vec![a, b])).await;
            connect_cluster(&prefix, RedisStoreOptions::default())
                .await
                .expect("cluster")
                .purge()
                .await
                .unwrap();
            if let Err(e) = res {
                std::panic::resume_unwind(e.into_panic());
            }
        }

        #[tokio::test]
        async fn bad_and_unreachable_cluster_urls_are_clear_errors() {
            for bad in [
                "redis+cluster://",
                "redis+cluster://127.0.0.1",
                "redis+cluster://:hunter2@127.0.0.1:7000/1",
            ] {
                let e = RedisStore::connect(bad, "x", Default::default())
                    .await
                    .err()
                    .expect("error");
                assert!(matches!(e, StoreError::Config(_)), "{bad}: {e:?}");
                assert!(!e.to_string().contains("hunter2"), "{e}");
            }
            let e = RedisStore::connect(
                "redis+cluster://u:hunter2@127.0.0.1:1,127.0.0.1:2",
                "x",
                RedisStoreOptions {
                    connect_timeout: Duration::from_millis(300),
                    response_timeout: Duration::from_millis(300),
                    ..Default::default()
                },
            )
            .await
            .err()
            .expect("error");
            assert!(e.is_transient(), "{e:?}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
            // A wrong password: a configuration error, not retried, and not shown.
            let e = RedisStore::connect(
                "redis+cluster://user:hunter2@127.0.0.1:7000",
                "x",
                RedisStoreOptions {
                    connect_timeout: Duration::from_millis(500),
                    ..Default::default()
                },
            )
            .await
            .err()
            .expect("error");
            assert!(!e.to_string().contains("hunter2"), "{e}");
            if e.is_transient() && std::env::var("TRAWL_SKIP_CLUSTER").is_ok_and(|v| v == "1") {
                eprintln!("SKIPPED the wrong-password case (TRAWL_SKIP_CLUSTER=1): {e}");
            } else {
                assert!(matches!(e, StoreError::Config(_)), "{e:?}");
            }
            // A standalone server given as a cluster seed: not a cluster.
            let e = RedisStore::connect(
                "redis+cluster://127.0.0.1:6379",
                "x",
                RedisStoreOptions {
                    connect_timeout: Duration::from_millis(500),
                    ..Default::default()
                },
            )
            .await
            .err()
            .expect("error");
            assert!(matches!(e, StoreError::Config(_)), "{e:?}");
            assert!(
                e.to_string().contains("127.0.0.1:6379")
                    && e.to_string().contains("cluster support disabled"),
                "{e}"
            );
        }
    }

    #[tokio::test]
    async fn every_script_and_transaction_keeps_its_keys_in_one_slot() {
        let (_, s) = make().await;
        let host = "https://a.test:8443";
        for shard in 0..usize::from(s.layout().0) {
            let k = s.shard_keys(shard);
            let keys = [
                k.due,
                k.leases,
                k.inflight,
                k.hostdue,
                k.stats,
                k.seq,
                k.recrawl,
                k.recrawl_items,
                format!("{}{host}", k.queue_prefix),
                format!("{}:meta:{host}", s.tag(shard)),
                format!("{}:val", s.tag(shard)),
            ];
            let slots: std::collections::HashSet<Slot> =
                keys.iter().map(|k| Slot::for_key(k.as_bytes())).collect();
            assert_eq!(slots.len(), 1, "shard {shard}: {keys:?}");
        }
        let cd = s.cd();
        let keys = [
            format!("{cd}:id:abc"),
            format!("{cd}:aliases:abc"),
            format!("{cd}:aliases:other"),
            format!("{cd}:band:3:ffff"),
        ];
        let slots: std::collections::HashSet<Slot> =
            keys.iter().map(|k| Slot::for_key(k.as_bytes())).collect();
        assert_eq!(slots.len(), 1, "{keys:?}");
        cleanup(s).await;
    }

    #[test]
    fn cluster_nodes_output_is_parsed() {
        let text = "\
07c3 127.0.0.1:7002@17002 master - 0 1 3 connected 10923-16383
e7d1 127.0.0.1:7000@17000,node0 myself,master - 0 0 1 connected 0-5460
67ed 127.0.0.1:7001@17001 master,fail - 1 1 2 disconnected
92ab 127.0.0.1:7004@17004 slave 07c3 0 1 3 connected
3e1f 127.0.0.1:7005@17005 master - 0 1 7 connected 5461-10922
";
        assert_eq!(
            parse_cluster_masters(text),
            vec![
                ("127.0.0.1".to_string(), 7002),
                ("127.0.0.1".to_string(), 7000),
                ("127.0.0.1".to_string(), 7005)
            ]
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(
            redact_url("redis://u:p@h:1/0"),
            "redis://u:***@h:1/0".to_string()
        );
        assert_eq!(redact_url("redis://p@h"), "redis://***@h".to_string());
        assert_eq!(redact_url("redis://h:1"), "redis://h:1".to_string());
        assert_eq!(glob_escape("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
        assert_eq!(seen_bits_for(10_000_000), 15);
        assert_eq!(seen_bits_for(1), 0);
        assert!(10_000_000u64 >> seen_bits_for(10_000_000) <= SEEN_BUCKET_TARGET);
        assert_eq!(seen_bits_for(u64::MAX), 24);
    }
}
