#!/usr/bin/env bash
# Load test (issue #6): a ~100,000-URL crawl of a generated local site (many hosts, politeness 0)
# through 1 frontier + 2 workers over the local RabbitMQ and Redis. Samples `trawl status` every
# INTERVAL seconds to show that throughput holds from start to end, then reports each process's peak
# RSS and the Redis memory the crawl used. Loopback only; cleans up its queues and keys.
#   HOSTS=100 ARTICLES=330 WORKERS=64 INTERVAL=10 scripts/bench-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

HOSTS=${HOSTS:-100}
ARTICLES=${ARTICLES:-330}
WORKERS=${WORKERS:-64}
INTERVAL=${INTERVAL:-10}
TIME=/usr/bin/time

cargo build --release -q -p trawl -p trawl-testsite
bin=./target/release
work=$(mktemp -d)
prefix="load$$"
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  clean_prefix "$prefix"
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

"$bin/trawl-testsite" --hosts "$HOSTS" --articles-per-host "$ARTICLES" --home-only --disable flaky,calendar \
  --seeds-out "$work/seeds.txt" > /dev/null 2> "$work/site.log" &
for _ in $(seq 1 300); do [ -s "$work/seeds.txt" ] && break; sleep 0.1; done

write_bench_config "$work/trawl.toml" "$prefix" $((WORKERS / 2))
export TRAWL_CONFIG="$work/trawl.toml" TRAWL_LOG=warn
redis_before=$(redis-cli info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
$TIME -v "$bin/trawl" frontier 2> "$work/frontier.err" & f_pid=$!
$TIME -v "$bin/trawl" worker 2> "$work/w1.err" & w1_pid=$!
$TIME -v "$bin/trawl" worker 2> "$work/w2.err" & w2_pid=$!
"$bin/trawl" seed --file "$work/seeds.txt" 2>/dev/null
echo "load: $HOSTS hosts x $ARTICLES articles, politeness 0, 2 workers x $((WORKERS / 2)) concurrent"
echo "  t(s)    done   done/s   queued  in-flight     seen"
start=$(date +%s.%N); last_done=0; last_t=$start; drained=0; peak_redis=0
while :; do
  sleep "$INTERVAL"
  s=$("$bin/trawl" status --json 2>/dev/null || echo '{}')
  now=$(date +%s.%N)
  read -r done queued inflight seen dr < <(python3 -c 'import json,sys
s=json.loads(sys.argv[1]); u=s.get("urls",{})
print(u.get("done",0), u.get("queued",0), u.get("in_flight",0), u.get("seen",0), int(bool(s.get("drained"))))' "$s")
  mem=$(redis-cli info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
  [ "$mem" -gt "$peak_redis" ] && peak_redis=$mem
  python3 -c "print(f'{$now-$start:6.0f} {$done:7d} {($done-$last_done)/($now-$last_t):8.0f} {$queued:8d} {$inflight:10d} {$seen:8d}')"
  last_done=$done; last_t=$now
  if [ "$dr" = 1 ] && [ "$seen" -gt 0 ]; then drained=$((drained + 1)); [ $drained -ge 2 ] && break; else drained=0; fi
done
end=$(date +%s.%N)
for p in $w1_pid $w2_pid $f_pid; do pkill -TERM -P "$p" 2>/dev/null || true; done
wait $w1_pid $w2_pid $f_pid 2>/dev/null || true
rss() { peak_rss_mb "$1"; }
python3 -c "t=$end-$start; print(f'total: {$last_done} URLs in {t:.0f}s = {$last_done/t:.0f}/s')"
echo "peak RSS: frontier $(rss "$work/frontier.err") MB, worker 1 $(rss "$work/w1.err") MB, worker 2 $(rss "$work/w2.err") MB"
python3 -c "print(f'redis: used_memory grew {($peak_redis-$redis_before)/1e6:.1f} MB at peak for {$seen} seen URLs')"
