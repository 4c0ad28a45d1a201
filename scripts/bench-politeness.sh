#!/usr/bin/env bash
# Wasted requests under politeness: `trawl crawl` on the local test site with robots.txt
# Crawl-delay 1 s (the real-world case: every wasted request delays every article on its host).
# Reports the time to drain by itself, requests the site served (robots.txt included) per emitted
# article, 404s, tasks denied by robots.txt after being queued, and recall against the site's
# expected articles; Scrapy (DOWNLOAD_DELAY=1, ROBOTSTXT_OBEY) on the same site in the same run.
# Loopback only.
#   HOSTS=4 ARTICLES=60 scripts/bench-politeness.sh
#   TRAWL=/path/to/other/trawl scripts/bench-politeness.sh   # compare another build
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

HOSTS=${HOSTS:-4}
ARTICLES=${ARTICLES:-60}
DELAY=${DELAY:-1}
SKIP_SCRAPY=${SKIP_SCRAPY:-0}

PROFILE=${PROFILE:-release}   # PROFILE=debug: the crawl is politeness-bound, a debug build measures the same
if [ "$PROFILE" = release ]; then cargo build --release -q -p trawl -p trawl-testsite; else cargo build -q -p trawl -p trawl-testsite; fi
T=${CARGO_TARGET_DIR:-target}/$PROFILE
TRAWL=${TRAWL:-$T/trawl}
work=$(mktemp -d)
site_pid=
cleanup() { if [ -n "$site_pid" ]; then kill "$site_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

start_site() {
  rm -f "$work/seeds.txt"
  "$T/trawl-testsite" --hosts "$HOSTS" --articles-per-host "$ARTICLES" --crawl-delay "$DELAY" \
    --seeds-out "$work/seeds.txt" --expected-out "$work/expected.jsonl" > /dev/null 2> "$work/site.log" &
  site_pid=$!
  for _ in $(seq 1 200); do [ -s "$work/seeds.txt" ] && return 0; sleep 0.05; done
  echo "bench: site did not start" >&2; cat "$work/site.log" >&2; exit 1
}
stop_site() { # prints the site's request summary line (called in $(...): a subshell cannot wait)
  kill -TERM "$site_pid"; site_pid=
  for _ in $(seq 1 200); do grep -q "requests (" "$work/site.log" && break; sleep 0.05; done
  grep -h "requests (" "$work/site.log" | tail -1
}

report() { # name articles.jsonl seconds site-summary [summary.json]
  python3 - "$@" "$work/expected.jsonl" <<'PY'
import json, re, sys
name, arts_path, secs, site = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
summary_path = sys.argv[5] if len(sys.argv) > 6 else None
expected = {json.loads(l)["canonical_url"] for l in open(sys.argv[-1]) if l.strip()}
arts = []
for l in open(arts_path):
    l = l.strip()
    if l.startswith("{"):
        a = json.loads(l)
        arts.append(a.get("canonical_url") or a.get("canonical") or a.get("url"))
got = set(arts)
m = re.search(r"(\d+) requests \((\d+) with 200\)", site)
req, ok = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
d = re.search(r"(\d+) answered 404/410 \((\d+) dead links", site)
dead = f", site: {d.group(1)} answered 404/410 for {d.group(2)} dead links" if d else ""
extra = ""
if summary_path:
    s = json.load(open(summary_path))
    f = s["summary"]["fetched"]
    extra = (f", 404s {f.get('client_error', 0)}, queued-then-robots-denied tasks {f.get('robots_denied', 0)}, "
             f"links filtered robots_denied {s['summary']['filtered'].get('robots_denied', 0)}, ended: {s['reason']}")
print(f"{name:<7}: {secs:6.1f} s, {len(arts)} articles ({len(got & expected)}/{len(expected)} expected, recall "
      f"{len(got & expected) / max(1, len(expected)):.3f}, {len(arts) - len(got)} duplicates), {req} requests "
      f"({req - ok} not 200) = {req / max(1, len(got & expected)):.2f} per distinct article{dead}{extra}")
PY
}

echo "site: $HOSTS hosts x $ARTICLES articles, robots.txt Crawl-delay ${DELAY}s"
start_site
t0=$(date +%s.%N)
"$TRAWL" crawl --seeds "$work/seeds.txt" --out "$work/trawl.jsonl" --allow-cidr 127.0.0.0/8 --delay "${DELAY}s" \
  --workers 16 --max-time 900s --summary-json > "$work/summary.json" 2> "$work/crawl.err"
t1=$(date +%s.%N)
site_line=$(stop_site)
report trawl "$work/trawl.jsonl" "$(python3 -c "print($t1 - $t0)")" "$site_line" "$work/summary.json"

if [ "$SKIP_SCRAPY" != 1 ]; then
  SCRAPY=$(find_scrapy)
  if [ -n "$SCRAPY" ]; then
    start_site
    t0=$(date +%s.%N)
    timeout 900 "$SCRAPY" runspider scripts/scrapy_crawl.py -a seeds="$work/seeds.txt" -a delay="$DELAY" -a concurrency=16 \
      -O "$work/scrapy.jsonl" -s LOG_LEVEL=WARNING > "$work/scrapy.out" 2> "$work/scrapy.err" || true
    t1=$(date +%s.%N)
    site_line=$(stop_site)
    report scrapy "$work/scrapy.jsonl" "$(python3 -c "print($t1 - $t0)")" "$site_line"
  else
    echo "scrapy : not installed (pip install scrapy)"
  fi
fi
