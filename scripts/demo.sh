#!/usr/bin/env bash
# The main job on the embedded default: build, serve a small generated news site on 127.0.0.x,
# crawl it with `trawl crawl` (no broker, no database), and show what came out.
set -euo pipefail
cd "$(dirname "$0")/.."

HOSTS=${HOSTS:-5}
ARTICLES=${ARTICLES:-20}
OUT=${OUT:-articles.jsonl}

cargo build --release -p trawl -p trawl-testsite
workdir=$(mktemp -d)
trap 'kill "$site_pid" 2>/dev/null || true; rm -rf "$workdir"' EXIT

./target/release/trawl-testsite --hosts "$HOSTS" --articles-per-host "$ARTICLES" \
  --seeds-out "$workdir/seeds.txt" > "$workdir/site.log" 2>&1 &
site_pid=$!
for _ in $(seq 1 100); do [ -s "$workdir/seeds.txt" ] && break; sleep 0.1; done
[ -s "$workdir/seeds.txt" ] || { echo "demo: the test site did not start" >&2; cat "$workdir/site.log" >&2; exit 1; }

echo "demo: crawling $(wc -l < "$workdir/seeds.txt") local hosts (politeness delay 50ms)"
./target/release/trawl crawl --seeds "$workdir/seeds.txt" --out "$OUT" \
  --allow-cidr 127.0.0.0/8 --delay 50ms --workers 16

echo
echo "demo: $(wc -l < "$OUT") articles in $OUT; the first one:"
head -n 1 "$OUT" | python3 -c 'import json,sys; a=json.loads(sys.stdin.read()); a["body"]=a["body"][:300]+"…"; a["links"]=a["links"][:3]; print(json.dumps(a, indent=2, ensure_ascii=False))'
