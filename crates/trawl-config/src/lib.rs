//! Configuration: one TOML file, TRAWL_* environment overrides, validated at start.
//!
//! Precedence, lowest to highest: built-in defaults < the TOML file <
//! `TRAWL_<SECTION>_<KEY>` environment variables < flags (the binary passes
//! them as `section.key = value` overrides). [`Config::load`] reports *all*
//! problems at once, each naming the key, where its value came from, and why.
//!
//! The environment is passed in as a map ([`env_from_process`] builds it from
//! the process environment), so tests never mutate process-global state.
//!
//! Credentials in URLs are wrapped in [`SecretUrl`], whose `Debug` and
//! `Display` redact the password (`amqp://guest:***@127.0.0.1:5672/%2f`).
//!
//! See `docs/configuration.md` for every key, default and environment variable.

use std::time::Duration;

use serde::{Deserialize, Serialize};

mod load;
mod redact;
mod validate;
pub use validate::check_update_checks;

pub use load::{env_from_process, ConfigError, ConfigErrors, Origin, Sources};
pub use redact::{redact_url, SecretUrl};

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[amqp]`: RabbitMQ.
    pub amqp: AmqpSection,
    /// `[redis]`: Redis.
    pub redis: RedisSection,
    /// `[fetch]`: the HTTP fetcher.
    pub fetch: FetchSection,
    /// `[frontier]`: scope, traps, scheduling.
    pub frontier: FrontierSection,
    /// `[worker]`: fetch/extract workers.
    pub worker: WorkerSection,
    /// `[postgres]`: the PostgreSQL sink (`trawl sink postgres`).
    pub postgres: PostgresSection,
    /// `[warc]`: WARC archiving of every fetch (workers).
    pub warc: WarcSection,
    /// `[metrics]`: the Prometheus endpoint.
    pub metrics: MetricsSection,
    /// `[log]`: logging.
    pub log: LogSection,
}

/// `[amqp]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmqpSection {
    /// Broker URL (`amqp://` or `amqps://`). Redacted in logs.
    pub url: SecretUrl,
    /// Prefix of every exchange and queue name.
    pub prefix: String,
    /// Consumer prefetch (unacked deliveries per consumer), 1..=65535.
    pub prefetch: u32,
    /// How long to wait for a publisher confirm.
    #[serde(with = "humantime_serde")]
    pub confirm_timeout: Duration,
    /// Upper bound of the reconnect backoff after a broker loss.
    #[serde(with = "humantime_serde")]
    pub reconnect_max_backoff: Duration,
}

impl Default for AmqpSection {
    fn default() -> Self {
        AmqpSection {
            url: SecretUrl::new("amqp://guest:guest@127.0.0.1:5672/%2f"),
            prefix: "trawl".into(),
            prefetch: 64,
            confirm_timeout: Duration::from_secs(10),
            reconnect_max_backoff: Duration::from_secs(30),
        }
    }
}

/// `[redis]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisSection {
    /// Redis URL (`redis://`, `rediss://` or `unix://`), or a Redis Cluster given by its
    /// seed nodes: `redis+cluster://[user:pass@]host:port,host:port…` (`rediss+cluster://`
    /// for TLS). Redacted in logs.
    pub url: SecretUrl,
    /// Prefix of every key.
    pub prefix: String,
    /// Timeout of one Redis command or pipeline.
    #[serde(with = "humantime_serde")]
    pub command_timeout: Duration,
    /// URLs the seen-set is laid out for (its bucket count): up to this many it costs about
    /// 9 bytes per URL, beyond it about 80 (docs/scaling.md). Fixed for a prefix by the first
    /// process that creates it; later ones adopt the recorded layout.
    pub seen_capacity: u64,
}

impl Default for RedisSection {
    fn default() -> Self {
        RedisSection {
            url: SecretUrl::new("redis://127.0.0.1:6379"),
            prefix: "trawl".into(),
            command_timeout: Duration::from_secs(5),
            seen_capacity: 10_000_000,
        }
    }
}

/// `[fetch]`: plain types; the binary maps them onto the fetcher's own config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchSection {
    /// User-agent product token (matched against robots.txt groups).
    pub user_agent: String,
    /// URL where site owners learn about the crawl (sent in the User-Agent).
    pub contact_url: String,
    /// CIDRs the SSRF guard lets through (e.g. `127.0.0.0/8` for local tests).
    pub allow_cidrs: Vec<String>,
    /// TCP + TLS connect timeout.
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Time to the response headers.
    #[serde(with = "humantime_serde")]
    pub first_byte_timeout: Duration,
    /// Whole request including the body.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Cap on the decoded body.
    pub max_body_bytes: u64,
    /// Redirect hops followed.
    pub max_redirects: u32,
    /// Retries after the first attempt for transient failures.
    pub max_retries: u32,
    /// Minimum gap between two requests to one host (robots Crawl-delay may raise it).
    #[serde(with = "humantime_serde")]
    pub politeness_delay: Duration,
    /// Largest robots.txt Crawl-delay honoured.
    #[serde(with = "humantime_serde")]
    pub max_crawl_delay: Duration,
    /// How long a robots.txt is cached.
    #[serde(with = "humantime_serde")]
    pub robots_ttl: Duration,
    /// Obey robots.txt.
    pub respect_robots: bool,
}

impl Default for FetchSection {
    fn default() -> Self {
        FetchSection {
            user_agent: "trawl".into(),
            contact_url: "https://example.invalid/trawl-bot".into(),
            allow_cidrs: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(20),
            timeout: Duration::from_secs(60),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            max_retries: 2,
            politeness_delay: Duration::from_secs(1),
            max_crawl_delay: Duration::from_secs(30),
            robots_ttl: Duration::from_secs(24 * 3600),
            respect_robots: true,
        }
    }
}

impl FetchSection {
    /// `allow_cidrs` parsed; a bare IP becomes a single-host network
    /// (`127.0.0.1` → `127.0.0.1/32`). Entries that do not parse are skipped
    /// ([`Config::load`] has already refused them).
    pub fn allow_cidrs_parsed(&self) -> Vec<ipnet::IpNet> {
        self.allow_cidrs
            .iter()
            .filter_map(|s| {
                let s = s.trim();
                s.parse::<ipnet::IpNet>()
                    .ok()
                    .or_else(|| s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
            })
            .collect()
    }
}

/// `[frontier]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrontierSection {
    /// Maximum link depth from a seed.
    pub max_depth: u32,
    /// Pages fetched per host at most; 0 = unlimited.
    pub max_pages_per_host: u64,
    /// Domains in scope; empty = the seeds' hosts.
    pub scope_domains: Vec<String>,
    /// Also accept subdomains of the scope domains.
    pub include_subdomains: bool,
    /// Regexes; when non-empty, a URL must match one.
    pub allow_patterns: Vec<String>,
    /// Regexes; a matching URL is out of scope.
    pub deny_patterns: Vec<String>,
    /// Extra tracking query parameters to drop (`name` or `prefix*`).
    pub tracking_params: Vec<String>,
    /// Extra session-id parameters to drop.
    pub session_params: Vec<String>,
    /// Extra extensions treated as non-HTML (without the dot).
    pub blocked_extensions: Vec<String>,
    /// Maximum canonical URL length in bytes.
    pub max_url_len: u32,
    /// Maximum path segments before a URL is a trap.
    pub max_path_depth: u32,
    /// Calendar-like URLs admitted per URL family.
    pub max_calendar_per_family: u32,
    /// Paginated URLs admitted per URL family.
    pub max_pagination_per_family: u32,
    /// When feeds, sitemaps and home pages are first re-fetched (0 = never); each source then
    /// adapts its interval within `recrawl_min_interval`..`recrawl_max_interval`.
    #[serde(with = "humantime_serde")]
    pub recrawl_interval: Duration,
    /// Shortest re-poll interval of a source that keeps finding new articles.
    #[serde(with = "humantime_serde")]
    pub recrawl_min_interval: Duration,
    /// The longest a host rests between two fetches, whatever the politeness rule's backoff,
    /// its Crawl-delay or a Retry-After ask (docs/politeness.md).
    #[serde(with = "humantime_serde")]
    pub max_host_delay: Duration,
    /// Longest re-poll interval of a source that finds nothing new.
    #[serde(with = "humantime_serde")]
    pub recrawl_max_interval: Duration,
    /// On re-polls of sitemaps and feeds, skip entries dated longer ago than this
    /// (`<news:publication_date>`, else `<lastmod>`; feed item dates); 0 = no limit.
    #[serde(with = "humantime_serde")]
    pub entry_max_age: Duration,
    /// The same limit on a source's first fetch; 0 (the default) = take every entry.
    #[serde(with = "humantime_serde")]
    pub first_pass_max_age: Duration,
    /// Updates and corrections: re-fetch each published article this long after its
    /// publication (else its first fetch), with conditional GET, and publish it again with a
    /// higher `version` when its title or body changed. The last one is the window; `[]`: never.
    #[serde(with = "duration_list")]
    pub update_checks: Vec<Duration>,
    /// How long a host lease lasts before a dead worker's claim expires.
    #[serde(with = "humantime_serde")]
    pub lease_ttl: Duration,
    /// Attempts per URL before it is dead-lettered.
    pub max_attempts: u32,
    /// Host shards in Redis (hosts are partitioned by hash; each frontier replica dispatches
    /// the hosts of the shards it holds). Fixed when a prefix is first used: later values
    /// are ignored for that prefix (a warning is logged).
    pub shards: u16,
    /// How long a frontier replica's claim on a shard lives without renewal (renewed every
    /// third of it): after a replica dies, its shards are taken over this long after its
    /// last renewal.
    #[serde(with = "humantime_serde")]
    pub shard_lease: Duration,
    /// URLs checked against the seen-set per Redis round trip.
    pub dedup_batch_size: u32,
    /// Fetch tasks handed out per scheduling round.
    pub dispatch_batch_size: u32,
}

impl Default for FrontierSection {
    fn default() -> Self {
        FrontierSection {
            max_depth: 10,
            max_pages_per_host: 0,
            scope_domains: Vec::new(),
            include_subdomains: false,
            allow_patterns: Vec::new(),
            deny_patterns: Vec::new(),
            tracking_params: Vec::new(),
            session_params: Vec::new(),
            blocked_extensions: Vec::new(),
            max_url_len: 2048,
            max_path_depth: 12,
            max_calendar_per_family: 60,
            max_pagination_per_family: 100,
            recrawl_interval: Duration::from_secs(15 * 60),
            recrawl_min_interval: Duration::from_secs(60),
            max_host_delay: Duration::from_secs(600),
            recrawl_max_interval: Duration::from_secs(24 * 3600),
            entry_max_age: Duration::from_secs(7 * 86_400),
            first_pass_max_age: Duration::ZERO,
            update_checks: [1, 6, 24, 48]
                .map(|h| Duration::from_secs(h * 3600))
                .to_vec(),
            lease_ttl: Duration::from_secs(120),
            max_attempts: 3,
            shards: 16,
            shard_lease: Duration::from_secs(15),
            dedup_batch_size: 1000,
            dispatch_batch_size: 100,
        }
    }
}

/// `[worker]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerSection {
    /// Tasks (hosts) in flight per worker.
    pub concurrency: u32,
    /// Time to finish or hand back in-flight tasks after SIGTERM.
    #[serde(with = "humantime_serde")]
    pub grace_period: Duration,
}

impl Default for WorkerSection {
    fn default() -> Self {
        WorkerSection {
            concurrency: 32,
            grace_period: Duration::from_secs(30),
        }
    }
}

/// `[postgres]`: where and how `trawl sink postgres` stores the article stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostgresSection {
    /// Database URL (`postgres://` or `postgresql://`, libpq query parameters allowed).
    /// Redacted in logs.
    pub url: SecretUrl,
    /// Schema holding the tables (created when missing); the connections' `search_path`.
    pub schema: String,
    /// Name of the sink's durable subscription: queue `<amqp.prefix>.articles.<queue>`.
    pub queue: String,
    /// Topic binding of that queue on the articles exchange (`#` = every article).
    pub binding: String,
    /// Most article messages written in one transaction.
    pub batch_size: u32,
    /// Longest wait for a batch to fill before it is written anyway.
    #[serde(with = "humantime_serde")]
    pub batch_timeout: Duration,
    /// Batches written at once (each its own transaction and connection).
    pub writers: u32,
    /// Bound on connecting to PostgreSQL (one attempt) and on waiting for a pooled connection.
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Upper bound of the retry backoff while PostgreSQL is unreachable.
    #[serde(with = "humantime_serde")]
    pub max_backoff: Duration,
    /// Rows per statement of the search indexer, which fills `articles.search` after the
    /// rows land; 0 = this sink does not index (another replica does).
    pub search_batch_size: u32,
    /// The indexer runs at least one batch per interval, even while the writers are busy.
    #[serde(with = "humantime_serde")]
    pub search_interval: Duration,
    /// Writers idle (no batch in flight) this long: the indexer runs batches back to back.
    #[serde(with = "humantime_serde")]
    pub search_idle: Duration,
    /// Indexing batches run at once (one connection and database core each) while the
    /// writers are idle.
    pub search_concurrency: u32,
}

impl Default for PostgresSection {
    fn default() -> Self {
        PostgresSection {
            url: SecretUrl::new("postgres://postgres@127.0.0.1:5432/trawl"),
            schema: "public".into(),
            queue: "postgres".into(),
            binding: "#".into(),
            batch_size: 500,
            batch_timeout: Duration::from_millis(200),
            writers: 2,
            connect_timeout: Duration::from_secs(5),
            max_backoff: Duration::from_secs(30),
            search_batch_size: 250,
            search_interval: Duration::from_secs(1),
            search_idle: Duration::from_millis(50),
            search_concurrency: 1,
        }
    }
}

/// `[warc]`: archive every HTTP exchange a worker makes as WARC/1.1 (see `docs/warc.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarcSection {
    /// Directory of the WARC files; empty (the default) = no archiving. Each worker process
    /// writes its own files (names carry hostname and pid), so replicas can share it.
    pub dir: String,
    /// A file is closed and the next one started at this size (compressed bytes).
    pub max_file_bytes: u64,
    /// First part of each file name: `{prefix}-{timestamp14}-{serial}-{hostname}-{pid}.warc.gz`.
    pub prefix: String,
    /// `operator` field of each file's `warcinfo` record (who runs the crawl; optional).
    pub operator: String,
    /// Payload digests remembered for `revisit` records (0 = no payload deduplication).
    pub revisit_digests: u64,
}

impl Default for WarcSection {
    fn default() -> Self {
        WarcSection {
            dir: String::new(),
            max_file_bytes: 1 << 30,
            prefix: "trawl".into(),
            operator: String::new(),
            revisit_digests: 100_000,
        }
    }
}

impl WarcSection {
    /// Whether archiving is on.
    pub fn enabled(&self) -> bool {
        !self.dir.trim().is_empty()
    }
}

/// `[metrics]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSection {
    /// Address of the /metrics, /healthz and /readyz server.
    pub listen: String,
}

impl Default for MetricsSection {
    fn default() -> Self {
        MetricsSection {
            listen: "0.0.0.0:9090".into(),
        }
    }
}

impl MetricsSection {
    /// The listen address (validated by [`Config::load`]).
    pub fn listen_addr(&self) -> Option<std::net::SocketAddr> {
        self.listen.parse().ok()
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

/// `[log]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSection {
    /// `human` or `json`.
    pub format: LogFormat,
    /// Level or `tracing` filter directives, e.g. `info` or `info,trawl_fetch=debug`.
    pub level: String,
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection {
            format: LogFormat::Human,
            level: "info".into(),
        }
    }
}

#[cfg(test)]
mod tests;

/// A list of durations written the humantime way (`["1h", "6h"]`).
mod duration_list {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[Duration], s: S) -> Result<S::Ok, S::Error> {
        v.iter()
            .map(|d| humantime_serde::re::humantime::format_duration(*d).to_string())
            .collect::<Vec<_>>()
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Duration>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|t| {
                humantime_serde::re::humantime::parse_duration(t)
                    .map_err(|e| serde::de::Error::custom(format!("{t:?}: {e}")))
            })
            .collect()
    }
}
