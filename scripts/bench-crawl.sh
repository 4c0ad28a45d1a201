#!/usr/bin/env bash
# End-to-end crawl throughput on a generated local news site (politeness delay 0, many hosts):
#   1. `trawl crawl` (embedded: memory store and broker, one process)
#   2. 1 frontier + 2 workers over the local RabbitMQ and Redis (+ `trawl tail`)
#   3. Scrapy over the same site, as the reference a user would otherwise pick
# The site's flaky page (a 503 that widens the adaptive politeness delay) is disabled.
# Prints pages/s, articles/s and peak RSS of each process. Loopback only.
# 1b. `trawl crawl --warc DIR` (the same embedded crawl archiving every exchange as WARC), for the
#     cost of archiving (docs/warc.md). ONLY_EMBEDDED=1 stops after 1 and 1b.
#   HOSTS=50 ARTICLES=40 WORKERS=64 scripts/bench-crawl.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

HOSTS=${HOSTS:-50}
ARTICLES=${ARTICLES:-40}
WORKERS=${WORKERS:-64}
SKIP_SCRAPY=${SKIP_SCRAPY:-0}
TIME=/usr/bin/time
[ -x "$TIME" ] || { apt-get install -y time >/dev/null 2>&1 || true; }

cargo build --release -q -p trawl -p trawl-testsite
bin=${CARGO_TARGET_DIR:-./target}/release
work=$(mktemp -d)
site_pid=
cleanup() { if [ -n "$site_pid" ]; then kill "$site_pid" 2>/dev/null || true; fi; jobs -p | xargs -r kill 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

start_site() {
  [ -n "$site_pid" ] && { kill "$site_pid" 2>/dev/null; wait "$site_pid" 2>/dev/null || true; }
  rm -f "$work/seeds.txt"
  "$bin/trawl-testsite" --hosts "$HOSTS" --articles-per-host "$ARTICLES" --home-only --disable flaky \
    --seeds-out "$work/seeds.txt" --expected-out "$work/expected.jsonl" > /dev/null 2> "$work/site.log" &
  site_pid=$!
  for _ in $(seq 1 200); do [ -s "$work/seeds.txt" ] && return 0; sleep 0.05; done
  echo "bench: site did not start" >&2; cat "$work/site.log" >&2; exit 1
}
rss_mb() { peak_rss_mb "$1"; }

expected=$((HOSTS * ARTICLES))
echo "site: $HOSTS hosts x $ARTICLES articles ($expected articles), delay 0, workers $WORKERS"

# 1. embedded
start_site
$TIME -v "$bin/trawl" crawl --seeds "$work/seeds.txt" --out "$work/embedded.jsonl" --allow-cidr 127.0.0.0/8 \
  --delay 0s --workers "$WORKERS" --summary-json > "$work/embedded.json" 2> "$work/embedded.err"
python3 - "$work/embedded.json" "$(rss_mb "$work/embedded.err")" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); t = s["elapsed_seconds"]; pages = sum(s["summary"]["fetched"].values())
print(f"embedded      : {pages} pages, {s['articles_written']} articles in {t:.1f}s = {pages/t:.0f} pages/s, {s['articles_written']/t:.0f} articles/s, peak RSS {sys.argv[2]} MB")
PY

# 1b. embedded with --warc
start_site
$TIME -v "$bin/trawl" crawl --seeds "$work/seeds.txt" --out "$work/embedded-warc.jsonl" --allow-cidr 127.0.0.0/8 \
  --delay 0s --workers "$WORKERS" --summary-json --warc "$work/warc" > "$work/embedded-warc.json" 2> "$work/embedded-warc.err"
python3 - "$work/embedded-warc.json" "$(rss_mb "$work/embedded-warc.err")" "$(du -sb "$work/warc" | cut -f1)" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); t = s["elapsed_seconds"]; pages = sum(s["summary"]["fetched"].values())
mb = int(sys.argv[3]) / 1e6
print(f"embedded+warc : {pages} pages, {s['articles_written']} articles in {t:.1f}s = {pages/t:.0f} pages/s, {s['articles_written']/t:.0f} articles/s, peak RSS {sys.argv[2]} MB, WARC {mb:.1f} MB in {len(s['warc_files'])} file(s)")
PY
[ "${ONLY_EMBEDDED:-0}" = 1 ] && exit 0

# 2. distributed
start_site
prefix="bench$$"
write_bench_config "$work/trawl.toml" "$prefix" $((WORKERS / 2))
export TRAWL_CONFIG="$work/trawl.toml" TRAWL_LOG=warn
"$bin/trawl" tail --out "$work/dist.jsonl" 2> "$work/tail.err" & tail_pid=$!
for _ in $(seq 1 100); do grep -q "tail: ready" "$work/tail.err" 2>/dev/null && break; sleep 0.1; done
$TIME -v "$bin/trawl" frontier 2> "$work/frontier.err" & f_pid=$!
$TIME -v "$bin/trawl" worker 2> "$work/w1.err" & w1_pid=$!
$TIME -v "$bin/trawl" worker 2> "$work/w2.err" & w2_pid=$!
t0=$(date +%s.%N)
"$bin/trawl" seed --file "$work/seeds.txt" 2>/dev/null
drained=0
while :; do
  sleep 0.5
  s=$("$bin/trawl" status --json 2>/dev/null || echo '{}')
  if python3 -c 'import json,sys; s=json.loads(sys.argv[1]); sys.exit(0 if s.get("drained") and s["urls"]["seen"]>0 else 1)' "$s"; then
    drained=$((drained + 1)); [ $drained -ge 2 ] && break
  else drained=0; fi
done
t1=$(date +%s.%N)
done_urls=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["urls"]["done"])' "$s")
sleep 1
for p in $w1_pid $w2_pid $f_pid; do pkill -TERM -P "$p" 2>/dev/null || true; done
wait $w1_pid $w2_pid $f_pid 2>/dev/null || true
kill -TERM $tail_pid 2>/dev/null; wait $tail_pid 2>/dev/null || true
arts=$(python3 -c 'import json,sys; print(len({json.loads(l)["id"] for l in open(sys.argv[1]) if l.strip()}))' "$work/dist.jsonl")
python3 -c "t=$t1-$t0; print(f'distributed   : {$done_urls} pages, {$arts} articles in {t:.1f}s = {$done_urls/t:.0f} pages/s, {$arts/t:.0f} articles/s, peak RSS frontier $(rss_mb "$work/frontier.err") MB, workers $(rss_mb "$work/w1.err") / $(rss_mb "$work/w2.err") MB')"
clean_prefix "$prefix"
for x in articles dead; do rabbitmqadmin delete exchange name="$prefix.$x" >/dev/null 2>&1 || true; done
unset TRAWL_CONFIG

# 3. Scrapy
if [ "$SKIP_SCRAPY" != 1 ]; then
  SCRAPY=$(find_scrapy)
  if [ -n "$SCRAPY" ]; then
    start_site
    $TIME -v "$SCRAPY" runspider scripts/scrapy_crawl.py -a seeds="$work/seeds.txt" -a delay=0 -a concurrency="$WORKERS" \
      -O "$work/scrapy.jsonl" -s LOG_LEVEL=WARNING > "$work/scrapy.out" 2> "$work/scrapy.err" || true
    line=$(grep -h "scrapy-summary" "$work/scrapy.out" "$work/scrapy.err" | tail -1)
    echo "scrapy        : ${line#*scrapy-summary: }, peak RSS $(rss_mb "$work/scrapy.err") MB"
  else
    echo "scrapy        : not installed (pip install scrapy)"
  fi
fi
