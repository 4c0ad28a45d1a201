#!/usr/bin/env bash
# Extraction quality + speed, trawl beside rs-trafilatura, on the article-extraction
# benchmark in ../shared/bench/extraction (read-only reference data; skipped when absent).
#
#   scripts/bench-extraction.sh            # quality table + single-core speed + memory
#   BENCH_DIR=/path/to/extraction scripts/bench-extraction.sh
#   REPEAT=5 scripts/bench-extraction.sh   # passes for the speed figures (default 3)
#
# What it does:
#  1. builds the release `trawl` binary and the `trawl-bench` runners;
#  2. quality: `trawl extract PAGES --format jsonl` (every core), records mapped to the
#     evaluator's {"id","body","title"} format; falls back to the in-process runner
#     (`bench-extract --engine trawl`) when the CLI is not usable;
#  3. rs-trafilatura (crates.io, a dependency of crates/trawl-bench only) over the same
#     pages in the same run;
#  4. the evaluator (eval_extraction.py) for each, printed side by side;
#  5. speed: single thread, each extraction timed in-process, median of REPEAT passes,
#     for trawl, rs-trafilatura and bare scraper parsing (the ceiling);
#  6. peak heap per page as a multiple of the page size (counting allocator).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="${BENCH_DIR:-$ROOT/../shared/bench/extraction}"
REPEAT="${REPEAT:-3}"
if [[ ! -f "$BENCH/truth.json" || ! -d "$BENCH/pages" || ! -f "$BENCH/eval_extraction.py" ]]; then
  echo "bench-extraction: benchmark not found at $BENCH (needs pages/, truth.json, eval_extraction.py); skipped."
  exit 0
fi
command -v python3 >/dev/null || { echo "bench-extraction: python3 is needed for the evaluator; skipped."; exit 0; }

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$(mktemp -d "${TMPDIR:-/tmp}/trawl-bench-extraction.XXXXXX")"
echo "== building (release)"
(cd "$ROOT" && cargo build --release -q -p trawl-bench --bins)
(cd "$ROOT" && cargo build --release -q -p trawl --bin trawl) || echo "   (trawl binary did not build; using the in-process runner)"
BIN="$TARGET/release"

PAGES="$BENCH/pages"
NPAGES=$(ls "$PAGES"/*.html | wc -l)
echo "== $NPAGES pages in $PAGES; outputs in $OUT"

# --- quality: trawl through the CLI when it works, else the runner
TRAWL_SRC="trawl extract (CLI)"
if [[ -x "$BIN/trawl" ]] && "$BIN/trawl" extract "$PAGES" --format jsonl >"$OUT/trawl-cli.jsonl" 2>"$OUT/trawl-cli.err"; then
  python3 - "$OUT/trawl-cli.jsonl" "$OUT/trawl.jsonl" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
n = 0
with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
    for line in f:
        line = line.strip()
        if not line:
            continue
        rec = json.loads(line)
        name = rec.get("input") or rec.get("file") or ""
        pid = os.path.basename(name)
        if pid.endswith(".html"):
            pid = pid[: -len(".html")]
        out.write(json.dumps({"id": pid, "body": rec.get("body") or "", "title": rec.get("title")}, ensure_ascii=False) + "\n")
        n += 1
print(f"   trawl extract: {n} records", file=sys.stderr)
PY
else
  TRAWL_SRC="trawl (in-process runner; CLI not usable: $(head -c 200 "$OUT/trawl-cli.err" 2>/dev/null | tr '\n' ' '))"
  "$BIN/bench-extract" --engine trawl --pages "$PAGES" --out "$OUT/trawl.jsonl" 2>/dev/null
fi

echo "== rs-trafilatura over the same pages"
"$BIN/bench-extract" --engine rs-trafilatura --pages "$PAGES" --out "$OUT/rs-trafilatura.jsonl" 2>/dev/null

eval_one() { # name file
  python3 "$BENCH/eval_extraction.py" --truth "$BENCH/truth.json" --pred "$2" \
    --json "$OUT/$1.summary.json" --per-page "$OUT/$1.per-page.csv" >/dev/null
}
eval_one trawl "$OUT/trawl.jsonl"
eval_one rs-trafilatura "$OUT/rs-trafilatura.jsonl"

echo
echo "== Quality (body; metric of eval_extraction.py, ± = bootstrap std) — trawl source: $TRAWL_SRC"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
print(f"| engine | F1 | precision | recall | accuracy | empty bodies |")
print(f"| --- | --- | --- | --- | --- | --- |")
for name in ("trawl", "rs-trafilatura"):
    s = json.load(open(f"{out}/{name}.summary.json"))
    r = next(iter(s.values()))
    print(f"| {name} | {r['f1']:.3f} ± {r.get('f1_std', 0):.3f} | {r['precision']:.3f} | {r['recall']:.3f} | {r['accuracy']:.3f} | {r['pages_with_empty_prediction']} |")
PY

echo
echo "== Speed: one thread, in-process timing, median of $REPEAT pass(es)"
for e in parse trawl rs-trafilatura; do
  "$BIN/bench-extract" --engine "$e" --pages "$PAGES" --repeat "$REPEAT" 2>&1 | sed 's/^/   /'
done

echo
echo "== Peak heap per page (counting allocator, after a warm-up pass)"
for e in parse trawl rs-trafilatura; do
  "$BIN/bench-memory" --engine "$e" --pages "$PAGES" | sed 's/^/   /'
done
echo
echo "per-page scores: $OUT/trawl.per-page.csv (sort by f1 to find the worst pages)"
