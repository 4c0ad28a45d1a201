//! Redis memory at scale (docs/scaling.md): bytes per seen URL after inserting `--n`
//! fingerprints through `RedisStore::insert_seen`, and bytes per queued URL after
//! enqueueing `--queue` `QueuedUrl`s over `--hosts` hosts, on one Redis server or on a
//! Redis Cluster.
//!
//! Memory is the sum of `INFO memory` `used_memory` over the nodes given with `--nodes`
//! (the cluster's masters; default: the server of `--url`), after minus before, so other
//! clients writing at the same time add noise; the sum of `MEMORY USAGE` over the
//! benchmark's own keys (SCAN on each node) is printed beside it. Replicas hold a second
//! copy that is not counted. Everything lives under a unique prefix, deleted at the end
//! (also after an error).
//!
//! `cargo run --release -p trawl-store --example scale_memory -- [--url redis://127.0.0.1:6379]
//!   [--nodes 127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002] [--n 10000000] [--capacity 10000000]
//!   [--queue 1000000] [--hosts 1000] [--prefix P]` (run by `scripts/bench-scale.sh`, which passes
//! `--prefix` so that it can delete the keys itself if the example is interrupted).

use std::time::Instant;

use redis::aio::MultiplexedConnection;
use trawl_core::url_fingerprint;
use trawl_store::redis_store::{RedisStore, RedisStoreOptions};
use trawl_store::{FrontierStore, QueuedUrl};

struct Args {
    url: String,
    nodes: Vec<String>,
    n: usize,
    capacity: u64,
    queue: usize,
    hosts: usize,
    prefix: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        url: std::env::var("TRAWL_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        nodes: Vec::new(),
        n: 10_000_000,
        capacity: 10_000_000,
        queue: 1_000_000,
        hosts: 1000,
        prefix: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = || v.parse::<u64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--url" => a.url = v.clone(),
            "--nodes" => a.nodes = v.split(',').map(str::to_string).collect(),
            "--n" => a.n = num()? as usize,
            "--capacity" => a.capacity = num()?,
            "--queue" => a.queue = num()? as usize,
            "--hosts" => a.hosts = num()?.max(1) as usize,
            "--prefix" => a.prefix = Some(v.clone()),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if a.nodes.is_empty() {
        if a.url.contains("+cluster") {
            return Err("--nodes is needed with a cluster URL (the masters)".into());
        }
        let rest = a.url.split("://").nth(1).unwrap_or("127.0.0.1:6379");
        let hostport = rest.rsplit('@').next().unwrap_or(rest);
        a.nodes = vec![hostport.split('/').next().unwrap_or(hostport).to_string()];
    }
    Ok(a)
}

/// Sum of `used_memory` over the nodes, read once no node has objects left to free in the
/// background (an UNLINK just before, e.g. of an earlier run's keys, would otherwise still be
/// counted in the "before" figure).
async fn used_memory(nodes: &mut [MultiplexedConnection]) -> Result<i64, redis::RedisError> {
    let field = |info: &str, name: &str| -> i64 {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(0)
    };
    for _ in 0..100 {
        let mut sum = 0;
        let mut pending = 0;
        for con in nodes.iter_mut() {
            let info: String = redis::cmd("INFO").arg("memory").query_async(con).await?;
            sum += field(&info, "used_memory:");
            pending += field(&info, "lazyfree_pending_objects:");
        }
        if pending == 0 {
            return Ok(sum);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(redis::RedisError::from((
        redis::ErrorKind::Io,
        "lazyfree_pending_objects stayed above 0 for 10 s",
    )))
}

/// Sum of MEMORY USAGE over the keys matching `pattern` on every node, their count, and
/// how many of up to 200 sampled keys are `intset`-encoded.
async fn memory_usage(
    nodes: &mut [MultiplexedConnection],
    pattern: &str,
) -> Result<(u64, u64, usize, usize), redis::RedisError> {
    let (mut bytes, mut keys, mut intsets, mut sampled) = (0u64, 0u64, 0usize, 0usize);
    for con in nodes {
        let mut cursor = 0u64;
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(con)
                .await?;
            let mut pipe = redis::pipe();
            for k in &batch {
                pipe.cmd("MEMORY").arg("USAGE").arg(k).arg("SAMPLES").arg(0);
            }
            let sizes: Vec<Option<u64>> = pipe.query_async(con).await?;
            bytes += sizes.into_iter().flatten().sum::<u64>();
            keys += batch.len() as u64;
            for k in batch.iter().take(200usize.saturating_sub(sampled)) {
                let enc: String = redis::cmd("OBJECT")
                    .arg("ENCODING")
                    .arg(k)
                    .query_async(con)
                    .await?;
                intsets += usize::from(enc == "intset");
                sampled += 1;
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }
    Ok((bytes, keys, intsets, sampled))
}

fn url(i: usize, hosts: usize) -> String {
    // A news-like URL of about 80 characters (the test site's are 60-90).
    format!(
        "https://www.news-site-{}.example/politics/2026/12/04/a-headline-of-several-words-{i}",
        i % hosts
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let prefix = args
        .prefix
        .clone()
        .unwrap_or_else(|| format!("trawlscale:{}:{nanos}", std::process::id()));
    let store = RedisStore::connect(
        &args.url,
        &prefix,
        RedisStoreOptions {
            seen_capacity: args.capacity,
            ..Default::default()
        },
    )
    .await?;
    let mut nodes = Vec::new();
    for n in &args.nodes {
        let client = redis::Client::open(format!("redis://{n}"))?;
        nodes.push(client.get_multiplexed_async_connection().await?);
    }
    let result = run(&args, &store, &mut nodes, &prefix).await;
    let removed = store.purge().await?;
    println!("removed {removed} keys under {prefix}");
    result
}

async fn run(
    args: &Args,
    store: &RedisStore,
    nodes: &mut [MultiplexedConnection],
    prefix: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let (shards, bits) = store.layout();
    println!(
        "scale_memory: {} on {} node(s) ({}); {} URLs into the seen-set (seen_capacity {}, {} buckets), \
         then {} queued URLs over {} hosts ({shards} shards)",
        if args.url.contains("+cluster") { "Redis Cluster" } else { "one Redis server" },
        nodes.len(),
        args.nodes.join(","),
        args.n,
        args.capacity,
        1u64 << bits,
        args.queue,
        args.hosts,
    );
    if args.n > 0 {
        let before = used_memory(nodes).await?;
        let t = Instant::now();
        let mut new = 0usize;
        let call = 10_000;
        let mut start = 0;
        while start < args.n {
            let end = (start + call).min(args.n);
            let fps: Vec<u128> = (start..end)
                .map(|i| url_fingerprint(&url(i, args.hosts)))
                .collect();
            new += store
                .insert_seen(&fps)
                .await?
                .iter()
                .filter(|b| **b)
                .count();
            start = end;
        }
        let secs = t.elapsed().as_secs_f64();
        let after = used_memory(nodes).await?;
        let (usage, keys, intsets, sampled) =
            memory_usage(nodes, &format!("{prefix}:seen:{{*")).await?;
        let per = (after - before) as f64 / args.n as f64;
        println!(
            "seen-set: {new} new of {} in {secs:.1} s ({:.0} inserts/s); used_memory delta {:.1} MB = \
             {per:.2} bytes/URL ({:.1} GB per billion URLs); MEMORY USAGE over {keys} buckets {:.2} bytes/URL; \
             {intsets}/{sampled} sampled buckets intset",
            args.n,
            args.n as f64 / secs,
            (after - before) as f64 / 1e6,
            per,
            usage as f64 / args.n as f64
        );
        if new != args.n {
            return Err(format!("expected {} new fingerprints, got {new}", args.n).into());
        }
    }
    if args.queue > 0 {
        let before = used_memory(nodes).await?;
        let mut json_bytes = 0usize;
        let t = Instant::now();
        let mut start = 0;
        while start < args.queue {
            let end = (start + 1000).min(args.queue);
            let items: Vec<QueuedUrl> = (start..end)
                .map(|i| {
                    let u = url(i, args.hosts);
                    let host = format!("https://www.news-site-{}.example", i % args.hosts);
                    QueuedUrl {
                        url: u,
                        host,
                        priority: 1,
                        depth: 2,
                        kind: trawl_core::TaskKind::Article,
                        attempt: 0,
                        update: None,
                    }
                })
                .collect();
            json_bytes += items
                .iter()
                .map(|q| serde_json::to_vec(q).map(|v| v.len()).unwrap_or(0))
                .sum::<usize>();
            store.enqueue(&items, 0).await?;
            start = end;
        }
        let secs = t.elapsed().as_secs_f64();
        let after = used_memory(nodes).await?;
        let (usage, keys, _, _) = memory_usage(nodes, &format!("{prefix}:{{s*}}:q:*")).await?;
        let per = (after - before) as f64 / args.queue as f64;
        println!(
            "queues: {} URLs in {secs:.1} s ({:.0} enqueues/s); used_memory delta {:.1} MB = {per:.0} bytes per \
             queued URL ({:.0} GB per billion); MEMORY USAGE over {keys} host queues {:.0} bytes/URL; \
             item JSON {:.0} bytes on average (URL {} bytes)",
            args.queue,
            args.queue as f64 / secs,
            (after - before) as f64 / 1e6,
            per,
            usage as f64 / args.queue as f64,
            json_bytes as f64 / args.queue as f64,
            url(args.queue / 2, args.hosts).len()
        );
    }
    Ok(())
}
