#!/usr/bin/env bash
# Discovery latency under live publishing (issue #10): trawl-testsite in live mode (every host
# publishes one article per EVERY, on the home page, sections, feed and news sitemap), robots.txt
# Crawl-delay DELAY, and `trawl crawl --follow` for DURATION with adaptive re-poll intervals and,
# side by side against a second site instance, with a fixed interval (FIXED). Reports, per mode:
# p50/p95 latency from publication to the article line being written (watched while the crawl
# runs), live articles found, requests per new article in the steady state (from WARMUP on, all
# requests of the site log, polls included, divided by the articles published in that window),
# 304s, and politeness violations from the site's request log. Loopback only.
#   scripts/bench-freshness.sh                       # 5 hosts, 1/min each, 10 min, both modes at once
#   DURATION=360 scripts/bench-freshness.sh          # shorter
#   MODES=updates DURATION=480 scripts/bench-freshness.sh   # updates and corrections: every fifth live
#       article gains a correction CORRECT_AFTER after publication; the crawl re-checks articles at
#       UPDATE_CHECKS; reports corrections written as version 2, their delay, and what the checks cost
set -euo pipefail
cd "$(dirname "$0")/.."

HOSTS=${HOSTS:-5}
ARTICLES=${ARTICLES:-20}
DELAY=${DELAY:-1}
EVERY=${EVERY:-60s}
DURATION=${DURATION:-600}
WARMUP=${WARMUP:-150}
TAIL=${TAIL:-120}   # latency is measured over articles published at least TAIL s before the end
FIXED=${FIXED:-15m}
ADAPTIVE_FLAGS=${ADAPTIVE_FLAGS:---poll-interval 1m --poll-min 1m --poll-max 24h}
MODES=${MODES:-adaptive fixed}
CORRECT_AFTER=${CORRECT_AFTER:-90s}
UPDATE_CHECKS=${UPDATE_CHECKS:-1m,3m,6m}
export CORRECT_AFTER UPDATE_CHECKS

PROFILE=${PROFILE:-release}   # PROFILE=debug: the crawl is politeness-bound, a debug build measures the same
if [ "$PROFILE" = release ]; then cargo build --release -q -p trawl -p trawl-testsite; else cargo build -q -p trawl -p trawl-testsite; fi
T=${CARGO_TARGET_DIR:-target}/$PROFILE
TRAWL=${TRAWL:-$T/trawl}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

run_mode() { # name, trawl flags...
  local name=$1; shift
  local d="$work/$name"; mkdir -p "$d"
  local site_extra=()
  [ "$name" = updates ] && site_extra=(--correct-after "$CORRECT_AFTER")
  "$T/trawl-testsite" --hosts "$HOSTS" --articles "$ARTICLES" --crawl-delay "$DELAY" --publish-every "$EVERY" \
    "${site_extra[@]}" \
    --seeds-out "$d/seeds.txt" --publish-log "$d/pub.jsonl" --log-out "$d/log.jsonl" > /dev/null 2> "$d/site.log" &
  local site=$!
  for _ in $(seq 1 200); do [ -s "$d/seeds.txt" ] && break; sleep 0.05; done
  "$TRAWL" crawl --seeds "$d/seeds.txt" --out "$d/articles.jsonl" --allow-cidr 127.0.0.0/8 --delay "${DELAY}s" \
    --workers 16 --follow --max-time "${DURATION}s" --summary-json "$@" > "$d/summary.json" 2> "$d/crawl.err" &
  local crawl=$!
  # Stamp each article line when it appears.
  python3 - "$d/articles.jsonl" "$d/seen.jsonl" "$crawl" <<'PY'
import json, os, sys, time
path, out, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
pos, buf, seen = 0, "", {}
def alive():
    try: os.kill(pid, 0); return True
    except OSError: return False
with open(out, "w") as o:
    while True:
        running = alive()
        try:
            with open(path) as f:
                f.seek(pos); chunk = f.read(); pos = f.tell()
        except FileNotFoundError:
            chunk = ""
        buf += chunk
        *lines, buf = buf.split("\n")
        now = time.time()
        for l in lines:
            try: a = json.loads(l)
            except ValueError: continue
            u = a.get("canonical_url") or a.get("url")
            v = a.get("version", 1)
            if u and (u, v) not in seen:
                seen[(u, v)] = now
                o.write(json.dumps({"url": u, "version": v, "seen_ms": now * 1000}) + "\n"); o.flush()
        if not running: break
        time.sleep(0.2)
PY
  wait "$crawl" || true
  kill -TERM "$site"; wait "$site" 2>/dev/null || true
}

report() { # name
  python3 - "$work/$1" "$1" "$WARMUP" "$TAIL" "$DURATION" <<'PY'
import json, re, sys
d, name, warmup, tail, duration = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
pubs = [json.loads(l) for l in open(f"{d}/pub.jsonl") if l.strip()]
seen, seen_v2 = {}, {}
for l in open(f"{d}/seen.jsonl"):
    r = json.loads(l)
    if r.get("version", 1) == 1:
        seen.setdefault(r["url"], r["seen_ms"])
    else:
        seen_v2.setdefault(r["url"], r["seen_ms"])
log = [json.loads(l) for l in open(f"{d}/log.jsonl") if l.strip()]
site = open(f"{d}/site.log").read()
viol = re.search(r"(\d+) politeness violations", site)
summary = json.load(open(f"{d}/summary.json"))
end_ms = max([r["seen_ms"] for r in map(json.loads, open(f"{d}/seen.jsonl"))] + [0])
# The site's clock: publication times are Unix ms; the request log is ms since the site started.
start_ms = min(p["published_unix_ms"] for p in pubs) - 0 if pubs else 0
lat, censored = [], 0
run_end = max(seen.values(), default=0)
hosts0 = max((p["host_index"] for p in pubs), default=0) + 1
h0 = sorted(p["published_unix_ms"] for p in pubs if p["host_index"] == 0)
every0 = (h0[1] - h0[0]) if len(h0) > 1 else 60000
t_start = (min(p["published_unix_ms"] for p in pubs) - every0 / (hosts0 + 1)) if pubs else 0
measured = [p for p in pubs if p["published_unix_ms"] <= t_start + (duration - tail) * 1000]
for p in measured:
    s = seen.get(p["canonical_url"])
    if s is None:
        censored += 1
        lat.append(float("inf"))
    else:
        lat.append((s - p["published_unix_ms"]) / 1000)
lat.sort()
def pct(q):
    if not lat: return "-"
    v = lat[min(len(lat) - 1, int(q * len(lat)))]
    return "not found" if v == float("inf") else f"{v:.1f} s"
# Steady state: requests from WARMUP on, over the articles published from WARMUP on.
t0 = None
site_start_unix = None
m = re.findall(r"published (\S+) \(host (\d+), article (\d+)\) at (\d+) ms", site)
first_pub = min((int(x[3]) for x in m), default=None)
# Live offsets: the first publication is at EVERY*(1/(hosts+1)) after the start; recover the start.
req_after = [r for r in log if r["at_ms"] >= warmup * 1000]
hosts = max((p["host_index"] for p in pubs), default=0) + 1
# publications in the window: by their offset from the earliest request (site start ~ first request)
start_unix = min(p["published_unix_ms"] for p in pubs) if pubs else 0
every_ms = (sorted(p["published_unix_ms"] for p in pubs if p["host_index"] == 0)[1:2] or [0])[0] - \
           (sorted(p["published_unix_ms"] for p in pubs if p["host_index"] == 0)[:1] or [0])[0]
site_start = start_unix - every_ms / (hosts + 1)
pub_window = [p for p in pubs if p["published_unix_ms"] - site_start >= warmup * 1000]
statuses = {}
for r in req_after: statuses[r["status"]] = statuses.get(r["status"], 0) + 1
found_all = sum(1 for p in pubs if p["canonical_url"] in seen)
print(f"{name:<9}: {len(pubs)} live articles published, {found_all} written by the end; of the {len(measured)} "
      f"published {tail:.0f}+ s before the end, {censored} never written; latency p50 {pct(0.50)}, p95 {pct(0.95)}, max {pct(0.9999)}; "
      f"from {warmup:.0f} s on: {len(req_after)} requests ({statuses}) for {len(pub_window)} new articles = "
      f"{len(req_after) / max(1, len(pub_window)):.2f} per new article; total requests {len(log)}; "
      f"politeness violations {viol.group(1) if viol else '?'}; ended: {summary.get('reason')}")
if name == "updates":
    # Every fifth article (index % 5 == 3) is corrected CORRECT_AFTER after publication; the
    # crawl re-checks each article at UPDATE_CHECKS after publication.
    def secs(t):
        t = t.strip(); unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
        for u in ("ms", "s", "m", "h"):
            if t.endswith(u) and t[:-len(u)].replace(".", "", 1).isdigit():
                return float(t[:-len(u)]) * unit[u]
        return float(t)
    import os
    after = secs(os.environ.get("CORRECT_AFTER", "90s"))
    checks = [secs(c) for c in os.environ.get("UPDATE_CHECKS", "1m,3m,6m").split(",")]
    end_unix = site_start + duration * 1000
    due, got, delays = 0, 0, []
    for p in pubs:
        if p["index"] % 5 != 3:
            continue
        at = p["published_unix_ms"] + after * 1000
        nxt = [c for c in checks if c > after]
        if not nxt or p["published_unix_ms"] + nxt[0] * 1000 + 30_000 > end_unix:
            continue  # no check after the correction falls inside the run
        due += 1
        v2 = seen_v2.get(p["canonical_url"])
        if v2 is not None:
            got += 1; delays.append((v2 - at) / 1000)
    unchanged_v2 = [u for u in seen_v2 if not any(p["canonical_url"] == u and p["index"] % 5 == 3 for p in pubs)]
    # Requests for an article path after its first one: the update checks (and nothing else).
    firsts, again = set(), {}
    for r in sorted(log, key=lambda r: r["at_ms"]):
        k = (r.get("host_index"), r["path_and_query"])
        if not r["path_and_query"].startswith("/news/"):
            continue
        if k in firsts:
            again[r["status"]] = again.get(r["status"], 0) + 1
        firsts.add(k)
    delays.sort()
    print(f"{'':<9}  corrections due in the run {due}, written as version 2 {got}"
          f"{'' if not delays else f' (delay from correction to version 2: median {delays[len(delays)//2]:.0f} s, max {delays[-1]:.0f} s)'}; "
          f"version 2 of an uncorrected article: {len(unchanged_v2)}; "
          f"article re-fetches (update checks) by status {again}")
PY
}

echo "site: $HOSTS hosts x $ARTICLES articles, one new article per host every $EVERY, Crawl-delay ${DELAY}s, ${DURATION}s runs"
for mode in $MODES; do
  case $mode in
    # shellcheck disable=SC2086
    adaptive) run_mode adaptive $ADAPTIVE_FLAGS & ;;
    fixed) run_mode fixed --poll-interval "$FIXED" --poll-min "$FIXED" --poll-max "$FIXED" & ;;
    # shellcheck disable=SC2086
    updates) run_mode updates $ADAPTIVE_FLAGS --update-checks "$UPDATE_CHECKS" & ;;
    *) echo "unknown mode $mode (adaptive, fixed, updates)" >&2; exit 64 ;;
  esac
  pids+=($!)
done
wait "${pids[@]}"
pids=()
for mode in $MODES; do report "$mode"; done
