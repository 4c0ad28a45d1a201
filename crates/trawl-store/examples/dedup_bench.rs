//! Seen-set benchmark against a real Redis: checks/s and bytes per URL of
//! `RedisStore::insert_seen` (64-bit fingerprints in intset buckets), beside the
//! naive layout a user would otherwise have (one Redis SET of 40-character hex
//! SHA-1 fingerprints, as scrapy-redis keeps), measured the same way.
//!
//! Memory is `used_memory` from `INFO memory` before and after (so other clients
//! writing to the same Redis at the same time add noise; the sum of `MEMORY USAGE`
//! over the benchmark's own keys is printed beside it as a cross-check).
//! Everything lives under a unique prefix that is deleted at the end.
//!
//! `cargo run --release -p trawl-store --example dedup_bench -- [--url redis://127.0.0.1:6379]
//!   [--n 1000000] [--capacity 10000000] [--call 10000] [--batch 1000] [--pipelines 4]`
//! (run by `scripts/bench-dedup.sh`). Standalone Redis only: the memory figures SCAN one server.

use std::time::Instant;

use trawl_core::url_fingerprint;
use trawl_store::redis_store::RedisConnection;
use trawl_store::redis_store::{RedisStore, RedisStoreOptions};
use trawl_store::FrontierStore;

struct Args {
    url: String,
    n: usize,
    capacity: u64,
    call: usize,
    batch: usize,
    pipelines: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        url: std::env::var("TRAWL_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        n: 1_000_000,
        capacity: 10_000_000,
        call: 10_000,
        batch: 1000,
        pipelines: 4,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = || v.parse::<u64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--url" => a.url = v.clone(),
            "--n" => a.n = num()? as usize,
            "--capacity" => a.capacity = num()?,
            "--call" => a.call = num()?.max(1) as usize,
            "--batch" => a.batch = num()?.max(1) as usize,
            "--pipelines" => a.pipelines = num()?.max(1) as usize,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(a)
}

async fn used_memory(con: &mut RedisConnection) -> Result<i64, redis::RedisError> {
    let info: String = redis::cmd("INFO").arg("memory").query_async(con).await?;
    Ok(info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0))
}

/// Sum of MEMORY USAGE over the keys matching `pattern`, and their count.
async fn memory_usage(
    con: &mut RedisConnection,
    pattern: &str,
) -> Result<(u64, u64), redis::RedisError> {
    let mut cursor = 0u64;
    let (mut bytes, mut keys) = (0u64, 0u64);
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
        if next == 0 {
            return Ok((bytes, keys));
        }
        cursor = next;
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let prefix = format!("trawlbench:{}:{nanos}", std::process::id());
    let store = RedisStore::connect(
        &args.url,
        &prefix,
        RedisStoreOptions {
            seen_capacity: args.capacity,
            seen_batch: args.batch,
            seen_concurrency: args.pipelines,
            ..Default::default()
        },
    )
    .await?;
    let mut con = store.connection();
    let result = run(&args, &store, &mut con, &prefix).await;
    store.purge().await?;
    let _: i64 = redis::cmd("UNLINK")
        .arg(format!("{prefix}:naive"))
        .query_async(&mut con)
        .await?;
    let result = match result {
        Ok(()) => schedule(&args, &store, "RedisStore", Some((&mut con, &prefix))).await,
        e => e,
    };
    let result = match result {
        Ok(()) => {
            let memory = trawl_store::memory::MemoryStore::new();
            schedule(&args, &memory, "MemoryStore", None).await
        }
        e => e,
    };
    store.purge().await?;
    result
}

/// Scheduling throughput of a store (the Redis one, then a MemoryStore for comparison): enqueue `n / 10` URLs over 1,000 hosts,
/// then lease (64 at a time) and release (concurrently) until drained.
async fn schedule(
    args: &Args,
    store: &dyn FrontierStore,
    name: &str,
    redis: Option<(&mut RedisConnection, &str)>,
) -> Result<(), Box<dyn std::error::Error>> {
    use trawl_store::QueuedUrl;
    let n = (args.n / 10).max(1000);
    let items: Vec<QueuedUrl> = (0..n)
        .map(|i| QueuedUrl {
            url: format!("https://site{}.example/news/article-{i}.html", i % 1000),
            host: format!("https://site{}.example", i % 1000),
            priority: (i % 3) as u8,
            depth: 1,
            kind: trawl_core::TaskKind::Article,
            attempt: 0,
            update: None,
        })
        .collect();
    let t = Instant::now();
    for chunk in items.chunks(1000) {
        store.enqueue(chunk, 0).await?;
    }
    let enqueue_s = t.elapsed().as_secs_f64();
    if let Some((con, prefix)) = redis {
        let (bytes, keys) = memory_usage(con, &format!("{prefix}:{{s*}}:q:*")).await?;
        println!(
            "{name:<11} queues: {:.0} bytes per queued URL (MEMORY USAGE over {keys} host queues)",
            bytes as f64 / n as f64
        );
    }
    let t = Instant::now();
    let mut leased = 0usize;
    let mut lease_time = 0.0;
    loop {
        let tl = Instant::now();
        let leases = store.lease(1, 64, 60_000).await?;
        lease_time += tl.elapsed().as_secs_f64();
        if leases.is_empty() {
            break;
        }
        leased += leases.len();
        let releases = leases
            .iter()
            .map(|l| store.release(&l.host, &l.lease_id, 1));
        for r in futures::future::join_all(releases).await {
            if !r? {
                return Err("a live lease was refused".into());
            }
        }
    }
    let lease_s = t.elapsed().as_secs_f64();
    if leased != n {
        return Err(format!("leased {leased} of {n}").into());
    }
    println!(
        "{name:<11} schedule ({n} URLs over 1000 hosts): enqueue {:>8.0} URLs/s, lease+release {:>8.0} URLs/s \
         (lease 64 at a time, releases concurrent; {:.0}% of the time in lease calls)",
        n as f64 / enqueue_s,
        n as f64 / lease_s,
        100.0 * lease_time / lease_s
    );
    Ok(())
}

async fn run(
    args: &Args,
    store: &RedisStore,
    con: &mut RedisConnection,
    prefix: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = args.n;
    let urls: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "https://site{}.example/news/2026/11/article-{i}.html",
                i % 1000
            )
        })
        .collect();
    let fps: Vec<u128> = urls.iter().map(|u| url_fingerprint(u)).collect();
    let (shards, bits) = store.layout();
    println!(
        "dedup bench: {n} URLs, seen_capacity {} ({} buckets, {bits} bits; host shards {shards}), \
         {} fingerprints per insert_seen call, {} per pipeline, {} pipelines in flight",
        args.capacity,
        1u64 << bits,
        args.call,
        args.batch,
        args.pipelines
    );

    // --- trawl layout -----------------------------------------------------------
    let before = used_memory(con).await?;
    let t = Instant::now();
    let mut new = 0usize;
    for chunk in fps.chunks(args.call) {
        new += store
            .insert_seen(chunk)
            .await?
            .iter()
            .filter(|b| **b)
            .count();
    }
    let insert_s = t.elapsed().as_secs_f64();
    let after = used_memory(con).await?;
    if new != n {
        return Err(format!("expected {n} new fingerprints, got {new}").into());
    }
    let t = Instant::now();
    let mut again = 0usize;
    for chunk in fps.chunks(args.call) {
        again += store
            .insert_seen(chunk)
            .await?
            .iter()
            .filter(|b| **b)
            .count();
    }
    let recheck_s = t.elapsed().as_secs_f64();
    if again != 0 {
        return Err(format!("{again} fingerprints reported new twice").into());
    }
    let (usage, keys) = memory_usage(con, &format!("{prefix}:seen:{{*")).await?;
    // Encoding of a sample of buckets.
    let mut cursor = 0u64;
    let mut sample: Vec<String> = Vec::new();
    while sample.len() < 200 {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{prefix}:seen:{{*"))
            .arg("COUNT")
            .arg(500)
            .query_async(con)
            .await?;
        sample.extend(batch);
        if next == 0 {
            break;
        }
        cursor = next;
    }
    let mut intsets = 0;
    for k in &sample {
        let enc: String = redis::cmd("OBJECT")
            .arg("ENCODING")
            .arg(k)
            .query_async(con)
            .await?;
        intsets += usize::from(enc == "intset");
    }
    println!(
        "trawl  (64-bit ints in {keys} intset buckets): insert {:>9.0} checks/s, re-check {:>9.0} checks/s, \
         used_memory delta {:>6.2} bytes/URL (MEMORY USAGE sum {:.2} bytes/URL), {intsets}/{} sampled buckets intset",
        n as f64 / insert_s,
        n as f64 / recheck_s,
        (after - before) as f64 / n as f64,
        usage as f64 / n as f64,
        sample.len()
    );
    store.purge().await?;

    // --- naive layout: one SET of 40-hex SHA-1 strings, one SADD per URL -----------
    let naive = format!("{prefix}:naive");
    let hexes: Vec<String> = urls
        .iter()
        .map(|u| sha1_smol::Sha1::from(u.as_bytes()).digest().to_string())
        .collect();
    let before = used_memory(con).await?;
    let t = Instant::now();
    for call in hexes.chunks(args.call) {
        let mut pending = Vec::new();
        for batch in call.chunks(args.batch) {
            let mut pipe = redis::pipe();
            for h in batch {
                pipe.cmd("SADD").arg(&naive).arg(h);
            }
            let mut c = con.clone();
            pending.push(async move { pipe.query_async::<Vec<i64>>(&mut c).await });
            if pending.len() == args.pipelines {
                for r in futures::future::join_all(pending.drain(..)).await {
                    r?;
                }
            }
        }
        for r in futures::future::join_all(pending).await {
            r?;
        }
    }
    let naive_s = t.elapsed().as_secs_f64();
    let after = used_memory(con).await?;
    let card: u64 = redis::cmd("SCARD").arg(&naive).query_async(con).await?;
    let usage: Option<u64> = redis::cmd("MEMORY")
        .arg("USAGE")
        .arg(&naive)
        .arg("SAMPLES")
        .arg(0)
        .query_async(con)
        .await?;
    println!(
        "naive  (SET of {card} hex SHA-1 strings):          insert {:>9.0} checks/s,                          \
         used_memory delta {:>6.2} bytes/URL (MEMORY USAGE {:.2} bytes/URL)",
        n as f64 / naive_s,
        (after - before) as f64 / n as f64,
        usage.unwrap_or(0) as f64 / n as f64
    );
    Ok(())
}
