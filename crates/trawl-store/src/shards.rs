//! Shard ownership between frontier replicas.
//!
//! Hosts are partitioned into shards (`RedisStore`: `xxh3(host) % shards`; `MemoryStore`: one
//! shard). Each frontier replica dispatches only hosts of the shards it owns. Ownership is a
//! lease per shard, renewed by its owner every few seconds; a replica that stops renewing (dead,
//! partitioned, paused) loses its shards when their leases expire and the other replicas take
//! them over.
//!
//! Two parts:
//! - pure: [`plan`] decides, from a [`ShardView`] (live replicas, current owners), which shards
//!   a replica should hold and which it should give up: at most its fair share
//!   `ceil(shards / live replicas)` ([`fair_share`]), preferring the shards it already holds,
//!   then free shards by rendezvous hashing (so the same replica tends to get the same shards
//!   back). No I/O; unit-tested below.
//! - store operations ([`crate::FrontierStore::shard_view`], [`crate::FrontierStore::shard_apply`],
//!   [`crate::FrontierStore::shard_leave`]) apply a plan atomically: a shard is taken only when
//!   it is free, its lease has expired, or the caller already owns it; a shard is released only
//!   by its owner. [`ShardTable`] is the in-process implementation (used by `MemoryStore`), and
//!   the Lua scripts below are the Redis one (`P:{fr}:replicas`, `P:{fr}:owners`, one hash tag,
//!   so each script runs on one node of a cluster).
//!
//! Shard ownership is what spreads the dispatch work; it is *not* what makes a host's fetches
//! exclusive. That is the host lease (`lease` script): even if two replicas believed they owned
//! the same shard (clock skew, a paused process), each due host would still be leased to one of
//! them only.

use std::collections::BTreeMap;

use redis::Script;
use xxhash_rust::xxh3::xxh3_64;

use crate::redis_store::{map_err, RedisStore};
use crate::StoreError;

/// The lease record of one shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardOwner {
    pub replica: String,
    /// Milliseconds since the Unix epoch (caller's clock).
    pub expires_ms: u64,
}

/// What a replica sees of the others: who is alive, who owns what.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardView {
    /// Replicas whose heartbeat has not expired (the caller included, since `shard_view`
    /// heartbeats first), sorted.
    pub replicas: Vec<String>,
    /// Lease records by shard (expired ones included; a shard without a record is free).
    pub owners: BTreeMap<u16, ShardOwner>,
}

/// What a replica should do: hold (renew or take) these shards, release those.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardPlan {
    pub hold: Vec<u16>,
    pub release: Vec<u16>,
}

/// `ceil(shards / replicas)`; all shards when no replica is known.
pub fn fair_share(shards: u16, replicas: usize) -> u16 {
    if replicas <= 1 {
        return shards;
    }
    let r = u32::try_from(replicas).unwrap_or(u32::MAX);
    u16::try_from(u32::from(shards).div_ceil(r)).unwrap_or(shards)
}

/// Rendezvous score of `shard` for `replica`: free shards are taken highest score first.
fn affinity(replica: &str, shard: u16) -> u64 {
    xxh3_64(format!("{replica}/{shard}").as_bytes())
}

/// The shards `me` should hold and release, given `view` at `now_ms`.
///
/// - target = [`fair_share`] over the live replicas (`me` counted even if the view misses it);
/// - shards `me` owns with an unexpired lease are kept up to the target (highest affinity
///   first), the rest released;
/// - below the target, shards that are free or whose lease expired (its own expired ones
///   first) are taken, highest affinity first.
///
/// A shard owned by another replica with a live lease is never in `hold`.
pub fn plan(shards: u16, me: &str, view: &ShardView, now_ms: u64) -> ShardPlan {
    let live = view.replicas.len() + usize::from(!view.replicas.iter().any(|r| r == me));
    let target = usize::from(fair_share(shards, live));
    let mut mine: Vec<u16> = Vec::new();
    let mut free: Vec<(bool, u64, u16)> = Vec::new();
    for s in 0..shards {
        match view.owners.get(&s) {
            Some(o) if o.expires_ms > now_ms && o.replica == me => mine.push(s),
            Some(o) if o.expires_ms > now_ms => {}
            Some(o) => free.push((o.replica == me, affinity(me, s), s)),
            None => free.push((false, affinity(me, s), s)),
        }
    }
    mine.sort_by_key(|&s| std::cmp::Reverse(affinity(me, s)));
    let release = if mine.len() > target {
        mine.split_off(target)
    } else {
        Vec::new()
    };
    free.sort_by(|a, b| b.cmp(a));
    let room = target.saturating_sub(mine.len());
    mine.extend(free.into_iter().take(room).map(|(_, _, s)| s));
    mine.sort_unstable();
    let mut release = release;
    release.sort_unstable();
    ShardPlan {
        hold: mine,
        release,
    }
}

/// The shard-ownership state in process memory, with the same semantics as the Redis
/// scripts (used by `MemoryStore`).
#[derive(Debug, Default, Clone)]
pub struct ShardTable {
    replicas: BTreeMap<String, u64>,
    owners: BTreeMap<u16, ShardOwner>,
}

impl ShardTable {
    /// Heartbeat `me` until `now_ms + ttl_ms`, forget replicas whose heartbeat expired, and
    /// return the view.
    pub fn view(&mut self, me: &str, now_ms: u64, ttl_ms: u64) -> ShardView {
        self.replicas
            .insert(me.to_string(), now_ms.saturating_add(ttl_ms));
        self.replicas.retain(|_, exp| *exp > now_ms);
        ShardView {
            replicas: self.replicas.keys().cloned().collect(),
            owners: self.owners.clone(),
        }
    }

    /// Take or renew `hold` (each only if free, expired or already `me`'s) until
    /// `now_ms + ttl_ms`, release `release` (only those `me` owns); returns the shards `me`
    /// owns afterwards with a live lease, sorted.
    pub fn apply(
        &mut self,
        me: &str,
        now_ms: u64,
        ttl_ms: u64,
        hold: &[u16],
        release: &[u16],
    ) -> Vec<u16> {
        let expires_ms = now_ms.saturating_add(ttl_ms);
        for s in hold {
            let takeable = match self.owners.get(s) {
                None => true,
                Some(o) => o.replica == me || o.expires_ms <= now_ms,
            };
            if takeable {
                self.owners.insert(
                    *s,
                    ShardOwner {
                        replica: me.to_string(),
                        expires_ms,
                    },
                );
            }
        }
        for s in release {
            if self.owners.get(s).is_some_and(|o| o.replica == me) {
                self.owners.remove(s);
            }
        }
        self.owned(me, now_ms)
    }

    /// Release every shard `me` owns and forget its heartbeat; returns the released shards.
    pub fn leave(&mut self, me: &str) -> Vec<u16> {
        let mine: Vec<u16> = self
            .owners
            .iter()
            .filter(|(_, o)| o.replica == me)
            .map(|(s, _)| *s)
            .collect();
        for s in &mine {
            self.owners.remove(s);
        }
        self.replicas.remove(me);
        mine
    }

    fn owned(&self, me: &str, now_ms: u64) -> Vec<u16> {
        self.owners
            .iter()
            .filter(|(_, o)| o.replica == me && o.expires_ms > now_ms)
            .map(|(s, _)| *s)
            .collect()
    }
}

/// Parse the owners hash (`shard` → `"<replica> <expires_ms>"`); malformed entries are
/// treated as free (skipped).
pub(crate) fn parse_owners(flat: &[String]) -> BTreeMap<u16, ShardOwner> {
    let mut out = BTreeMap::new();
    for pair in flat.chunks(2) {
        let [shard, value] = pair else { continue };
        let Ok(shard) = shard.parse::<u16>() else {
            continue;
        };
        let Some((replica, exp)) = value.rsplit_once(' ') else {
            continue;
        };
        let Ok(expires_ms) = exp.parse::<u64>() else {
            continue;
        };
        out.insert(
            shard,
            ShardOwner {
                replica: replica.to_string(),
                expires_ms,
            },
        );
    }
    out
}

/// A replica id may not contain whitespace (the owners hash separates with a space).
pub fn valid_replica_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 200 && !id.chars().any(char::is_whitespace)
}

// ---- Lua (Redis) -------------------------------------------------------------
// KEYS[1] = P:{fr}:replicas (ZSET replica → heartbeat expiry ms),
// KEYS[2] = P:{fr}:owners (HASH shard → "<replica> <expiry ms>").

/// ARGV: me, now, heartbeat expiry. Returns {replicas, owners flat}.
pub(crate) const SHARD_VIEW_LUA: &str = r#"
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
return {redis.call('ZRANGE', KEYS[1], 0, -1), redis.call('HGETALL', KEYS[2])}
"#;

/// ARGV: me, now, expiry, n_hold, hold shards…, release shards…
/// Returns the shards `me` owns afterwards with a live lease.
pub(crate) const SHARD_APPLY_LUA: &str = r#"
local me, now, exp = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local nhold = tonumber(ARGV[4])
local function owner(v)
  if not v then return nil, 0 end
  local who, e = string.match(v, '^(.*) (%d+)$')
  if not who then return nil, 0 end
  return who, tonumber(e)
end
for i = 5, 4 + nhold do
  local who, e = owner(redis.call('HGET', KEYS[2], ARGV[i]))
  if who == nil or who == me or e <= now then
    redis.call('HSET', KEYS[2], ARGV[i], me .. ' ' .. exp)
  end
end
for i = 5 + nhold, #ARGV do
  local who = owner(redis.call('HGET', KEYS[2], ARGV[i]))
  if who == me then redis.call('HDEL', KEYS[2], ARGV[i]) end
end
local out = {}
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local who, e = owner(all[i + 1])
  if who == me and e > now then out[#out + 1] = all[i] end
end
return out
"#;

/// ARGV: me. Releases every shard `me` owns and removes its heartbeat; returns the shards.
pub(crate) const SHARD_LEAVE_LUA: &str = r#"
local out = {}
local all = redis.call('HGETALL', KEYS[2])
local prefix = ARGV[1] .. ' '
for i = 1, #all, 2 do
  if string.sub(all[i + 1], 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[2], all[i])
    out[#out + 1] = all[i]
  end
end
redis.call('ZREM', KEYS[1], ARGV[1])
return out
"#;

fn keys(store: &RedisStore) -> (String, String) {
    let p = store.prefix();
    (format!("{p}:{{fr}}:replicas"), format!("{p}:{{fr}}:owners"))
}

fn check_replica(id: &str) -> Result<(), StoreError> {
    if valid_replica_id(id) {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "frontier replica id {id:?}: must be 1-200 characters without whitespace"
        )))
    }
}

fn parse_shards(flat: Vec<String>) -> Vec<u16> {
    let mut v: Vec<u16> = flat.iter().filter_map(|s| s.parse().ok()).collect();
    v.sort_unstable();
    v
}

pub(crate) async fn redis_view(
    store: &RedisStore,
    me: &str,
    now_ms: u64,
    ttl_ms: u64,
) -> Result<ShardView, StoreError> {
    check_replica(me)?;
    let (replicas, owners) = keys(store);
    let mut con = store.connection();
    let (live, flat): (Vec<String>, Vec<String>) = Script::new(SHARD_VIEW_LUA)
        .key(replicas)
        .key(owners)
        .arg(me)
        .arg(now_ms)
        .arg(now_ms.saturating_add(ttl_ms))
        .invoke_async(&mut con)
        .await
        .map_err(map_err)?;
    let (shards, _) = store.layout();
    let mut owners = parse_owners(&flat);
    owners.retain(|s, _| *s < shards);
    Ok(ShardView {
        replicas: live,
        owners,
    })
}

pub(crate) async fn redis_apply(
    store: &RedisStore,
    me: &str,
    now_ms: u64,
    ttl_ms: u64,
    hold: &[u16],
    release: &[u16],
) -> Result<Vec<u16>, StoreError> {
    check_replica(me)?;
    let (shards, _) = store.layout();
    let hold: Vec<u16> = hold.iter().copied().filter(|s| *s < shards).collect();
    let (replicas, owners) = keys(store);
    let mut con = store.connection();
    let script = Script::new(SHARD_APPLY_LUA);
    let mut inv = script.prepare_invoke();
    inv.key(replicas)
        .key(owners)
        .arg(me)
        .arg(now_ms)
        .arg(now_ms.saturating_add(ttl_ms))
        .arg(hold.len());
    for s in hold.iter().chain(release) {
        inv.arg(*s);
    }
    let flat: Vec<String> = inv.invoke_async(&mut con).await.map_err(map_err)?;
    Ok(parse_shards(flat))
}

impl RedisStore {
    /// A read-only look at the frontier replicas (for `trawl status`): live replicas (heartbeat
    /// after `now_ms`) and the shard claims, without heartbeating.
    pub async fn frontier_view(&self, now_ms: u64) -> Result<ShardView, StoreError> {
        let (replicas, owners) = keys(self);
        let mut con = self.connection();
        let (live, flat): (Vec<String>, Vec<String>) = redis::pipe()
            .cmd("ZRANGEBYSCORE")
            .arg(replicas)
            .arg(format!("({now_ms}"))
            .arg("+inf")
            .cmd("HGETALL")
            .arg(owners)
            .query_async(&mut con)
            .await
            .map_err(map_err)?;
        let (shards, _) = self.layout();
        let mut owners = parse_owners(&flat);
        owners.retain(|s, _| *s < shards);
        Ok(ShardView {
            replicas: live,
            owners,
        })
    }
}

/// Shards per replica with a live claim at `now_ms`, and the number of shards nobody holds.
pub fn claims_by_replica(
    view: &ShardView,
    shards: u16,
    now_ms: u64,
) -> (BTreeMap<String, u16>, u16) {
    let mut by: BTreeMap<String, u16> = view.replicas.iter().map(|r| (r.clone(), 0)).collect();
    let mut held = 0u16;
    for o in view.owners.values().filter(|o| o.expires_ms > now_ms) {
        *by.entry(o.replica.clone()).or_default() += 1;
        held += 1;
    }
    (by, shards.saturating_sub(held))
}

pub(crate) async fn redis_leave(store: &RedisStore, me: &str) -> Result<Vec<u16>, StoreError> {
    check_replica(me)?;
    let (replicas, owners) = keys(store);
    let mut con = store.connection();
    let flat: Vec<String> = Script::new(SHARD_LEAVE_LUA)
        .key(replicas)
        .key(owners)
        .arg(me)
        .invoke_async(&mut con)
        .await
        .map_err(map_err)?;
    Ok(parse_shards(flat))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(replicas: &[&str], owners: &[(u16, &str, u64)]) -> ShardView {
        ShardView {
            replicas: replicas.iter().map(|s| s.to_string()).collect(),
            owners: owners
                .iter()
                .map(|(s, r, e)| {
                    (
                        *s,
                        ShardOwner {
                            replica: r.to_string(),
                            expires_ms: *e,
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn fair_share_is_the_ceiling() {
        assert_eq!(fair_share(16, 0), 16);
        assert_eq!(fair_share(16, 1), 16);
        assert_eq!(fair_share(16, 2), 8);
        assert_eq!(fair_share(16, 3), 6);
        assert_eq!(fair_share(16, 17), 1);
        assert_eq!(fair_share(1, 2), 1);
        assert_eq!(fair_share(0, 2), 0);
        assert_eq!(fair_share(4096, usize::MAX), 1);
    }

    #[test]
    fn a_single_replica_takes_every_shard() {
        let p = plan(16, "a", &view(&["a"], &[]), 0);
        assert_eq!(p.hold, (0..16).collect::<Vec<_>>());
        assert!(p.release.is_empty());
        // Even when it does not see itself yet.
        assert_eq!(plan(16, "a", &ShardView::default(), 0).hold.len(), 16);
    }

    #[test]
    fn live_shards_of_others_are_never_taken() {
        let owners: Vec<(u16, &str, u64)> = (0..10).map(|s| (s, "b", 1_000)).collect();
        let p = plan(16, "a", &view(&["a", "b"], &owners), 500);
        assert_eq!(p.hold, (10..16).collect::<Vec<_>>());
        assert!(p.hold.len() <= 8);
    }

    #[test]
    fn expired_shards_of_a_dead_replica_are_taken_over() {
        let owners: Vec<(u16, &str, u64)> = (0..16)
            .map(|s| {
                if s < 8 {
                    (s, "a", 5_000)
                } else {
                    (s, "b", 900)
                }
            })
            .collect();
        // b's heartbeat is gone from the view, its leases expired at 900.
        let p = plan(16, "a", &view(&["a"], &owners), 1_000);
        assert_eq!(p.hold, (0..16).collect::<Vec<_>>());
        // Before they expire, they are left alone even though b looks dead.
        let p = plan(16, "a", &view(&["a"], &owners), 800);
        assert_eq!(p.hold, (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn a_replica_above_its_share_releases_the_excess() {
        let owners: Vec<(u16, &str, u64)> = (0..16).map(|s| (s, "a", 5_000)).collect();
        let p = plan(16, "a", &view(&["a", "b"], &owners), 1_000);
        assert_eq!(p.hold.len(), 8);
        assert_eq!(p.release.len(), 8);
        let mut all = p.hold.clone();
        all.extend(&p.release);
        all.sort_unstable();
        assert_eq!(all, (0..16).collect::<Vec<_>>());
        // The newcomer then takes exactly what was released.
        let after: Vec<(u16, &str, u64)> = p.hold.iter().map(|&s| (s, "a", 5_000)).collect();
        let q = plan(16, "b", &view(&["a", "b"], &after), 1_000);
        assert_eq!(q.hold, p.release);
    }

    #[test]
    fn plans_of_all_replicas_cover_every_shard_without_overlap() {
        for n in 1..=5usize {
            let names: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let mut table = ShardTable::default();
            for r in &refs {
                table.view(r, 0, 1_000);
            }
            // A few rounds, every replica plans and applies in turn.
            for round in 0..3u64 {
                for r in &refs {
                    let v = table.view(r, round, 1_000);
                    let p = plan(16, r, &v, round);
                    table.apply(r, round, 1_000, &p.hold, &p.release);
                }
            }
            let mut seen = std::collections::BTreeSet::new();
            for r in &refs {
                let owned = table.owned(r, 3);
                assert!(
                    owned.len() <= usize::from(fair_share(16, n)),
                    "{n} replicas"
                );
                for s in owned {
                    assert!(seen.insert(s), "shard {s} owned twice");
                }
            }
            assert_eq!(seen.len(), 16, "{n} replicas: every shard owned");
        }
    }

    #[test]
    fn table_takes_only_free_or_expired_and_releases_only_its_own() {
        let mut t = ShardTable::default();
        assert_eq!(t.apply("a", 0, 100, &[0, 1], &[]), vec![0, 1]);
        assert_eq!(t.apply("b", 50, 100, &[1, 2], &[0]), vec![2]);
        assert_eq!(t.owned("a", 50), vec![0, 1]);
        // a's leases expire at 100: b may take them.
        assert_eq!(t.apply("b", 100, 100, &[0, 1], &[]), vec![0, 1, 2]);
        assert_eq!(t.owned("a", 100), Vec::<u16>::new());
        assert_eq!(t.leave("b"), vec![0, 1, 2]);
        assert_eq!(t.view("a", 100, 100).owners, BTreeMap::new());
    }

    #[test]
    fn claims_are_counted_per_replica() {
        let v = view(
            &["a", "b", "c"],
            &[(0, "a", 10), (1, "a", 10), (2, "b", 10), (3, "b", 5)],
        );
        let (by, unclaimed) = claims_by_replica(&v, 6, 7);
        assert_eq!(by.get("a"), Some(&2));
        assert_eq!(by.get("b"), Some(&1));
        assert_eq!(by.get("c"), Some(&0));
        assert_eq!(unclaimed, 3);
    }

    #[test]
    fn owners_hash_parsing_skips_garbage() {
        let flat: Vec<String> = [
            "3", "a:1 77", "x", "b 1", "4", "nospace", "5", "c notnum", "6",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = parse_owners(&flat);
        assert_eq!(o.len(), 1);
        assert_eq!(o[&3].replica, "a:1");
        assert_eq!(o[&3].expires_ms, 77);
        assert!(valid_replica_id("host-1:42:ab"));
        assert!(!valid_replica_id("a b"));
        assert!(!valid_replica_id(""));
    }
}
