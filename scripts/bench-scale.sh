#!/usr/bin/env bash
# Scaling benchmark (issue #11, docs/scaling.md). Two parts (PARTS="crawl memory"):
#
# crawl: pages/s and CPU-seconds per 1,000 pages of every process — frontier(s), workers, RabbitMQ,
# Redis and the test site itself — for 1, 2 and 4 workers and 1 and 2 frontiers, against a fast local
# site (many hosts, no crawl delay, politeness ~0). For each configuration: a fresh site and prefix,
# F frontiers and W workers (each with CONCURRENCY tasks in flight) from the same release build,
# seeded with the home pages; after WARM seconds the script reads `trawl status` (URLs done), Redis
# `INFO` (CPU, commands), RabbitMQ's queue depths and each process's utime+stime from /proc/PID/stat
# (RabbitMQ: the beam.smp whose OS PID `rabbitmqctl status` gives), again WINDOW seconds later, and
# prints pages/s (requests in the site's log) and the CPU deltas per 1,000 pages. Then it stops the
# roles and deletes the prefix's Redis keys and RabbitMQ queues.
#
# memory: Redis bytes per seen URL after SEEN_N URLs and per queued URL after QUEUE_N
# (crates/trawl-store/examples/scale_memory.rs) on the standalone Redis and on the local Redis Cluster
# (scripts/redis-cluster.sh, skipped when it is not up), and per seen URL past seen_capacity.
#
# Loopback only. On a machine with few cores every process competes for the same cores: read the
# CPU-seconds per page (cost) and the ratios between configurations, not the absolute pages/s.
#
#   HOSTS=200 ARTICLES=400 WORKER_COUNTS="1 2 4" FRONTIER_COUNTS="1 2" WARM=10 WINDOW=45 \
#   SEEN_N=10000000 QUEUE_N=1000000 SEEN_OVER_N=3000000 PARTS="crawl memory" scripts/bench-scale.sh
#
# Several frontiers share a prefix and split the host shards (docs/deploy.md "How shards move").
# Redis at 127.0.0.1:6379 (REDIS_PORT), the cluster at 127.0.0.1:7000 (CLUSTER_PORT), RabbitMQ at
# 127.0.0.1:5672 (the defaults of `trawl`); all are shared with whatever else runs on the machine, and
# their CPU deltas include that work. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

HOSTS=${HOSTS:-200}
ARTICLES=${ARTICLES:-400}
WORKER_COUNTS=${WORKER_COUNTS:-"1 2 4"}
FRONTIER_COUNTS=${FRONTIER_COUNTS:-"1 2"}
CONCURRENCY=${CONCURRENCY:-32}
WARM=${WARM:-10}
WINDOW=${WINDOW:-45}
REDIS_PORT=${REDIS_PORT:-6379}
PARTS=${PARTS:-"crawl memory"}
SEEN_N=${SEEN_N:-10000000}
SEEN_OVER_N=${SEEN_OVER_N:-3000000}
QUEUE_N=${QUEUE_N:-1000000}
CLUSTER_PORT=${CLUSTER_PORT:-7000}

cargo build --release -q -p trawl -p trawl-testsite
cargo build --release -q -p trawl-store --example scale_memory
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d)
tck=$(getconf CLK_TCK)
prefix=""
pids=()
site_pid=""

stop_roles() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  pids=()
}
# The current run's keys and queues (lib.sh's clean_prefix), once.
clean_run() {
  clean_prefix "$prefix" "$REDIS_PORT"
  prefix=""
}
mem_prefix="trawlscale$$"
clean_memory() {
  redis-cli -p "$REDIS_PORT" --scan --pattern "$mem_prefix:*" | xargs -r -n 500 redis-cli -p "$REDIS_PORT" unlink > /dev/null || true
  for p in $(cluster_masters); do
    redis-cli -p "${p#*:}" --scan --pattern "$mem_prefix:*" | xargs -r -n 1 redis-cli -c -p "${p#*:}" unlink > /dev/null || true
  done
}
cluster_masters() {
  redis-cli -p "$CLUSTER_PORT" cluster nodes 2> /dev/null | awk '$3 ~ /master/ && $3 !~ /fail/ {sub(/@.*/, "", $2); print $2}' | sort
}
cleanup() {
  stop_roles
  clean_run
  clean_memory
  [ -n "$site_pid" ] && stop_site
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2> /dev/null || true

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2> /dev/null || echo 0; }
redis_cpu() { redis-cli -p "$REDIS_PORT" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ {s += $2} END {printf "%.3f", s}'; }
redis_cmds() { redis-cli -p "$REDIS_PORT" info stats | tr -d '\r' | awk -F: '/^total_commands_processed:/ {print $2}'; }
done_count() {
  "$bin/trawl" status --json 2> /dev/null | python3 -c 'import json,sys
try: print(json.load(sys.stdin).get("urls", {}).get("done", 0))
except Exception: print(0)'
}
# Where the work waits: tasks ready for workers (the frontier keeps about queue_target = 256 there when
# the workers are the bottleneck) / reports not yet taken by the frontier (they pile up when it is).
queue_depths() {
  rabbitmqctl -q list_queues name messages_ready 2> /dev/null |
    awk -v p="$prefix" '$1 == p ".tasks" {t = $2} $1 == p ".reports" {r = $2} END {printf "%d/%d", t, r}'
}
rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2> /dev/null || echo 0; }

rabbit_pid=$(rabbitmqctl status 2> /dev/null | awk '/OS PID:/ {print $3; exit}')
[ -n "$rabbit_pid" ] && [ -r "/proc/$rabbit_pid/stat" ] || { echo "RabbitMQ node not found (rabbitmqctl status)" >&2; exit 1; }
redis-cli -p "$REDIS_PORT" ping > /dev/null

# A fresh site per configuration, so that its request log (written on SIGTERM) counts the requests
# of that configuration's window alone.
start_site() {
  rm -f "$work/seeds.txt" "$work/requests.jsonl"
  site_t0=$(date +%s.%N)
  "$bin/trawl-testsite" --hosts "$HOSTS" --articles-per-host "$ARTICLES" --home-only --disable flaky,calendar \
    --seeds-out "$work/seeds.txt" --log-out "$work/requests.jsonl" > /dev/null 2> "$work/site.log" &
  site_pid=$!
  for _ in $(seq 1 300); do [ -s "$work/seeds.txt" ] && break; sleep 0.1; done
  [ -s "$work/seeds.txt" ] || { echo "test site did not start: $(cat "$work/site.log")" >&2; exit 1; }
}
stop_site() {
  kill -TERM "$site_pid" 2> /dev/null || true
  wait "$site_pid" 2> /dev/null || true
  site_pid=""
}
# requests_between T0 T1: requests whose head arrived in [T0, T1) (wall-clock seconds), from the log.
requests_between() {
  python3 -c 'import json,sys
a, b = (float(x) * 1000 for x in sys.argv[2:4])
print(sum(1 for l in open(sys.argv[1]) if a <= json.loads(l)["at_ms"] < b))' \
    "$work/requests.jsonl" "$(python3 -c "print($1 - $site_t0)")" "$(python3 -c "print($2 - $site_t0)")"
}

echo "bench-scale: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
crawl_part() {
echo "site: $HOSTS hosts x $ARTICLES articles, no crawl delay; workers x $CONCURRENCY concurrent; warm-up ${WARM}s, window ${WINDOW}s"
echo "CPU columns: CPU-seconds per 1,000 pages (utime+stime deltas over the window); 'cores' = all listed CPU / window"
results="$work/results.txt"
: > "$results"

for F in $FRONTIER_COUNTS; do
  for W in $WORKER_COUNTS; do
    prefix="scale$$f${F}w${W}"
    start_site
    write_bench_config "$work/trawl.toml" "$prefix" "$CONCURRENCY" "redis://127.0.0.1:$REDIS_PORT" 'grace_period = "5s"'
    export TRAWL_CONFIG="$work/trawl.toml" TRAWL_LOG=warn
    fpids=() wpids=()
    for i in $(seq 1 "$F"); do "$bin/trawl" frontier 2>> "$work/frontier.err" & fpids+=($!); done
    for i in $(seq 1 "$W"); do "$bin/trawl" worker 2>> "$work/worker.err" & wpids+=($!); done
    pids=("${fpids[@]}" "${wpids[@]}")
    "$bin/trawl" seed --file "$work/seeds.txt" 2> /dev/null
    sleep "$WARM"
    snap() { # done frontier-ticks worker-ticks rabbit-ticks site-ticks redis-cpu time
      local f=0 w=0 p
      for p in "${fpids[@]}"; do f=$((f + $(ticks "$p"))); done
      for p in "${wpids[@]}"; do w=$((w + $(ticks "$p"))); done
      echo "$(done_count) $f $w $(ticks "$rabbit_pid") $(ticks "$site_pid") $(redis_cpu) $(date +%s.%N)"
    }
    read -r d0 f0 w0 r0 s0 k0 t0 < <(snap)
    c0=$(redis_cmds)
    q0=$(queue_depths)
    sleep "$WINDOW"
    read -r d1 f1 w1 r1 s1 k1 t1 < <(snap)
    c1=$(redis_cmds)
    queues="$q0 → $(queue_depths)"
    frss=0; for p in "${fpids[@]}"; do frss=$((frss + $(rss_mb "$p"))); done
    wrss=0; for p in "${wpids[@]}"; do wrss=$((wrss + $(rss_mb "$p"))); done
    stop_roles
    clean_run
    stop_site
    req=$(requests_between "$t0" "$t1")
    python3 - "$F" "$W" "$tck" "$d0" "$f0" "$w0" "$r0" "$s0" "$k0" "$t0" "$d1" "$f1" "$w1" "$r1" "$s1" "$k1" "$t1" "$frss" "$wrss" "$req" "$queues" "$((c1 - c0))" >> "$results" << 'PY'
import sys
a = sys.argv[1:]
F, W, tck = int(a[0]), int(a[1]), float(a[2])
d0, f0, w0, r0, s0, k0, t0 = map(float, a[3:10])
d1, f1, w1, r1, s1, k1, t1 = map(float, a[10:17])
frss, wrss, req, queues, cmds = int(a[17]), int(a[18]), int(a[19]), a[20], int(a[21])
# A page is an HTTP request the site answered (robots.txt, redirects and 404s included); URLs done
# (trawl status) are printed beside it.
pages, dt = req, t1 - t0
cpu = {"frontier": (f1 - f0) / tck, "workers": (w1 - w0) / tck, "rabbitmq": (r1 - r0) / tck,
       "redis": k1 - k0, "site": (s1 - s0) / tck}
per = {k: 1000 * v / pages if pages else float("nan") for k, v in cpu.items()}
total = sum(cpu.values())
print(f"| {F} | {W} | {pages:,.0f} | {pages / dt:,.0f} | {(d1 - d0) / dt:,.0f} | " + " | ".join(f"{per[k]:.2f}" for k in cpu)
      + f" | {1000 * total / pages if pages else float('nan'):.2f} | {total / dt:.2f} | {cmds / pages if pages else 0:.1f} | {frss / F:.0f} / {wrss / W:.0f} | {queues} |")
PY
    tail -1 "$results"
  done
done

echo
echo "| frontiers | workers | requests in window | pages/s (requests) | URLs done/s | frontier CPU-s/1k | workers CPU-s/1k | RabbitMQ CPU-s/1k | Redis CPU-s/1k | site CPU-s/1k | total CPU-s/1k | cores busy | Redis commands per page | RSS MB per frontier / worker | ready tasks / reports, window start → end |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
cat "$results"
}

# Redis memory at scale: SEEN_N URLs through the seen-set, then QUEUE_N queued URLs, on the standalone
# Redis and (when scripts/redis-cluster.sh is up) on the cluster, summing used_memory over its masters.
memory_part() {
  echo
  echo "memory: $SEEN_N seen URLs and $QUEUE_N queued URLs (crates/trawl-store/examples/scale_memory.rs)"
  "$bin/examples/scale_memory" --url "redis://127.0.0.1:$REDIS_PORT" --n "$SEEN_N" --queue "$QUEUE_N" --prefix "$mem_prefix"
  clean_memory
  # Past seen_capacity: 3,000,000 URLs in the 512 buckets of a 100,000 capacity (~5,900 per bucket, far
  # over the 512-member intset limit): what each URL costs once buckets have become hashtables (`trawl`
  # itself uses the default capacity of 10 M, so a crawl past ~17 M URLs is in this regime).
  echo "past seen_capacity (hashtable buckets):"
  "$bin/examples/scale_memory" --url "redis://127.0.0.1:$REDIS_PORT" --capacity 100000 --n "$SEEN_OVER_N" --queue 0 --prefix "$mem_prefix"
  clean_memory
  local masters
  masters=$(cluster_masters | paste -sd, -)
  if [ -n "$masters" ] && redis-cli -p "$CLUSTER_PORT" cluster info | grep -q 'cluster_state:ok'; then
    "$bin/examples/scale_memory" --url "redis+cluster://$masters" --nodes "$masters" \
      --n "$SEEN_N" --queue "$QUEUE_N" --prefix "$mem_prefix"
    clean_memory
  else
    echo "no Redis Cluster at 127.0.0.1:$CLUSTER_PORT (scripts/redis-cluster.sh up): cluster figures skipped"
  fi
}

case " $PARTS " in *" crawl "*) crawl_part ;; esac
case " $PARTS " in *" memory "*) memory_part ;; esac
