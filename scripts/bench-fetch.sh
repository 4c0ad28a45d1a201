#!/usr/bin/env bash
# Fetcher benchmark: one fetcher process against a local keep-alive server listening on many
# loopback hosts (127.0.0.1..127.0.0.N, politeness delay 0), beside the server's own ceiling
# measured with wrk. Prints the figures recorded in docs/benchmarks.md ("Fetcher").
#
# Usage: scripts/bench-fetch.sh [HOSTS] [REQUESTS] [CONCURRENCY]
# Needs: wrk (apt-get install wrk) for the server ceiling; skipped with a message if absent.
set -euo pipefail
cd "$(dirname "$0")/.."

HOSTS=${1:-50}
REQUESTS=${2:-20000}
CONCURRENCY=${3:-100}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}

cargo build --release -q -p trawl-fetch --example bench_fetch
BIN="$CARGO_TARGET_DIR/release/examples/bench_fetch"

OUT=$(mktemp)
"$BIN" server --hosts "$HOSTS" --threads 1 >"$OUT" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 50); do grep -q PORT "$OUT" && break; sleep 0.1; done
PORT=$(awk '/PORT/{print $2}' "$OUT")
echo "server: 1 thread, $HOSTS hosts on port $PORT, 20 kB page; machine: $(nproc) cores"

if command -v wrk >/dev/null; then
  echo "--- server ceiling (wrk -t1 -c$CONCURRENCY -d10s, one host, keep-alive)"
  wrk -t1 -c"$CONCURRENCY" -d10s --latency "http://127.0.0.1:$PORT/page" \
    | grep -E "Requests/sec|50%|99%|Latency "
else
  echo "wrk not installed: server ceiling skipped (apt-get install wrk)"
fi

echo "--- fetcher, politeness gate on (<= 1 in flight per host, delay 0), robots.txt on"
"$BIN" client --threads 1 --hosts "$HOSTS" --port "$PORT" --requests "$REQUESTS" --concurrency "$CONCURRENCY"
echo "--- fetcher, gate off"
"$BIN" client --threads 1 --hosts "$HOSTS" --port "$PORT" --requests "$REQUESTS" --concurrency "$CONCURRENCY" --no-gate
