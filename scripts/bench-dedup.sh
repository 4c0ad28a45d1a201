#!/usr/bin/env bash
# Seen-set benchmark (docs/benchmarks.md, "Dedup store (Redis)"): trawl's RedisStore
# seen-set vs the naive SET of hex SHA-1 strings, then redis-benchmark's own pipelined
# SADD figure on the same machine for reference. Needs a Redis at TRAWL_REDIS_URL
# (default redis://127.0.0.1:6379); all benchmark keys are deleted afterwards.
# Extra arguments go to the example (e.g. --n 200000 --capacity 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
url="${TRAWL_REDIS_URL:-redis://127.0.0.1:6379}"
cargo run --quiet --release -p trawl-store --example dedup_bench -- --url "$url" "$@"
if command -v redis-benchmark >/dev/null; then
  hostport="${url#redis://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
  host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$host" ] && port=6379
  echo "redis-benchmark -P 16 -t sadd -q -n 1000000 (reference, same Redis):"
  # redis-benchmark writes to its own key (myset:__rand_int__ -> "myset" without -r); remove it after.
  redis-benchmark -h "$host" -p "$port" -P 16 -t sadd -q -n 1000000 | tr '\r' '\n' | grep 'requests per second' | tail -1
  redis-cli -h "$host" -p "$port" UNLINK myset >/dev/null
else
  echo "redis-benchmark not found: no reference figure"
fi
