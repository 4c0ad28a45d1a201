#!/usr/bin/env bash
# PostgreSQL sink throughput: N synthetic Article messages through RabbitMQ into PostgreSQL,
# as a backlog drained by one sink and live (publishing while the sink runs): rows landed per
# second, and the time until the sink's search indexer has made every row searchable.
#   scripts/bench-sink.sh [N=50000] [BATCH_SIZE=500] [BATCH_TIMEOUT_MS=200] [WRITERS=2] [BODY_WORDS=450] [SEARCH_BATCH_SIZE=250] [SEARCH_CONCURRENCY=1]
# Needs the local RabbitMQ and PostgreSQL (scripts/services-up.sh); TRAWL_TEST_AMQP_URL and
# TRAWL_TEST_POSTGRES_URL override the addresses. Figures: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services-up.sh >/dev/null
cargo build --release -q -p trawl-sink-pg --example bench_sink
exe="${CARGO_TARGET_DIR:-target}/release/examples/bench_sink"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(psql -h 127.0.0.1 -U postgres -d postgres -Atc 'show server_version' 2>/dev/null | sed 's/^/PostgreSQL /')"
date -u +"date: %Y-%m-%d %H:%M UTC"
"$exe" "${1:-50000}" "${2:-500}" "${3:-200}" "${4:-2}" "${5:-450}" "${6:-250}" "${7:-1}"
