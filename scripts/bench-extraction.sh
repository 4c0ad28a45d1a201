#!/usr/bin/env bash
# Extraction quality, speed and memory: trawl beside trafilatura and rs-trafilatura, on every shared
# set, in one run (read-only reference data in ../shared/bench; a set that is absent is skipped and
# said so).
#
#   scripts/bench-extraction.sh            # quality table (all sets, all engines) + speed + memory
#   REPEAT=5 scripts/bench-extraction.sh   # passes for the speed figures (default 3)
#   NO_TRAFILATURA=1 scripts/bench-extraction.sh   # skip the Python peer (it takes ~4 min on WCXB)
# Env: SHARED=/path/to/shared (default ../shared); TRAFILATURA_PY=python with trafilatura 2.3.1
# (default: a virtualenv made under the bench cache with `pip install trafilatura==2.3.1`).
#
# What it does:
#  1. builds the extractor's runner (`examples/extract_dir`, the same library call `trawl extract`
#     makes, with each page's URL as its set records it) and the `trawl-bench` runners;
#  2. quality, per set: Zyte DEV (shingle F1, eval_extraction.py) and WCXB-dev (word F1 over all types
#     and over article pages, is_article, title/author/date; score.py), for trawl, rs-trafilatura
#     (crates.io, a dependency of crates/trawl-bench only; body and title only) and trafilatura
#     (Python, bare_extraction with metadata); printed as one table;
#  3. speed: single thread, each extraction timed in-process, median of REPEAT passes, for trawl,
#     rs-trafilatura and bare scraper parsing (the ceiling), on the Zyte pages;
#  4. peak heap per page as a multiple of the page size (counting allocator).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
ZYTE="$SHARED/bench/extraction"
WCXB="$SHARED/bench/wcxb-dev"
REPEAT="${REPEAT:-3}"
command -v python3 >/dev/null || { echo "bench-extraction: python3 is needed for the scorers; skipped."; exit 0; }
# shellcheck source=scripts/bench/sets.sh
source "$ROOT/scripts/bench/sets.sh"
if ! have_zyte && ! have_wcxb; then
  echo "bench-extraction: no shared set found under $SHARED/bench (extraction/, wcxb-dev/); skipped."
  exit 0
fi

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$(mktemp -d "${TMPDIR:-/tmp}/trawl-bench-extraction.XXXXXX")"
echo "== building (release)"
(cd "$ROOT" && cargo build --release -q -p trawl-bench --bins && cargo build --release -q -p trawl-extract --example extract_dir)
BIN="$TARGET/release"

# --- trafilatura (optional peer)
TRAF=""
if [[ -z "${NO_TRAFILATURA:-}" ]]; then
  if [[ -n "${TRAFILATURA_PY:-}" ]]; then
    TRAF="$TRAFILATURA_PY"
  else
    venv="$CACHE/venv-trafilatura"
    if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import trafilatura' 2>/dev/null; then
      echo "== making $venv (trafilatura 2.3.1)"
      { python3 -m venv "$venv" && "$venv/bin/pip" install -q 'trafilatura==2.3.1' lxml_html_clean; } \
        >"$OUT/pip.log" 2>&1 || echo "   could not install trafilatura (see $OUT/pip.log); its column is skipped"
    fi
    "$venv/bin/python" -c 'import trafilatura' 2>/dev/null && TRAF="$venv/bin/python"
  fi
fi
ENGINES="trawl rs-trafilatura${TRAF:+ trafilatura}"

run_engine() { # engine pages-dir urls.tsv out.jsonl
  case "$1" in
    trawl) "$BIN/examples/extract_dir" "$2" "$3" >"$4" 2>"$4.err" ;;
    rs-trafilatura) "$BIN/bench-extract" --engine rs-trafilatura --pages "$2" --out "$4.raw" 2>"$4.err" ;;
    trafilatura) "$TRAF" "$ROOT/scripts/bench/trafilatura_dir.py" "$2" "$3" >"$4.raw" 2>"$4.err" ;;
  esac
  if [[ "$1" != trawl ]]; then
    # The peers have no article/non-article verdict: every page counts as one (score.py needs the field).
    python3 -c '
import json, sys
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in open(sys.argv[1], encoding="utf-8"):
        if line.strip().startswith("{"):
            r = json.loads(line); r.setdefault("is_article", True)
            out.write(json.dumps(r, ensure_ascii=False) + "\n")' "$4.raw" "$4"
  fi
}

echo "== quality runs ($ENGINES); outputs in $OUT"
for e in $ENGINES; do
  if have_zyte; then
    run_engine "$e" "$ZYTE/pages" "$(zyte_urls)" "$OUT/$e.zyte-pred.jsonl"
    zyte_score "$e" "$OUT/$e.zyte-pred.jsonl" >/dev/null
  fi
  if have_wcxb; then
    run_engine "$e" "$(wcxb_pages)" "$(wcxb_urls)" "$OUT/$e.wcxb-pred.jsonl"
    wcxb_score "$e" "$OUT/$e.wcxb-pred.jsonl" >/dev/null
  fi
done

echo
echo "== Quality, one run. Zyte: shingle F1 (P/R) of the body; WCXB: word F1 (P/R); is_article R/P over all 7 types;"
echo "   title/author/date on WCXB article pages (rs-trafilatura's runner returns body and title only)."
python3 - "$OUT" $ENGINES <<'PY'
import json, os, sys
out, engines = sys.argv[1], sys.argv[2:]
def load(p):
    return json.load(open(p)) if os.path.exists(p) else None
def f(x, n=3):
    return "—" if x is None or x != x else f"{x:.{n}f}"
print("| engine | Zyte DEV F1 (P / R) | WCXB article F1 (P / R) | WCXB all types F1 | is_article R / P | title | author | date |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for e in engines:
    z = load(f"{out}/{e}.zyte.json")
    z = next(iter(z.values())) if z else None
    a, w = load(f"{out}/{e}.wcxb-article.json"), load(f"{out}/{e}.wcxb.json")
    zc = f"{f(z['f1'])} ({f(z['precision'])} / {f(z['recall'])})" if z else "—"
    ac = f"{f(a['f1'])} ({f(a['precision'])} / {f(a['recall'])})" if a else "—"
    wc = f(w["f1"]) if w else "—"
    trawl = e == "trawl"
    isa = f"{f(w['is_article_recall'])} / {f(w['is_article_precision'])}" if (w and trawl) else "—"
    title = f(a["title"]) if a else "—"
    author = f(a["author"]) if (a and e != "rs-trafilatura") else "—"
    date = f(a["date"]) if (a and e != "rs-trafilatura") else "—"
    print(f"| {e} | {zc} | {ac} | {wc} | {isa} | {title} | {author} | {date} |")
PY

if have_zyte; then
  echo
  echo "== Speed: one thread, in-process timing, median of $REPEAT pass(es), Zyte DEV pages"
  for e in parse trawl rs-trafilatura; do
    "$BIN/bench-extract" --engine "$e" --pages "$ZYTE/pages" --repeat "$REPEAT" 2>&1 | sed 's/^/   /'
  done
  echo
  echo "== Peak heap per page (counting allocator, after a warm-up pass)"
  for e in parse trawl rs-trafilatura; do
    "$BIN/bench-memory" --engine "$e" --pages "$ZYTE/pages" | sed 's/^/   /'
  done
fi
echo
echo "per-page scores (worst first): $OUT/*.per-page.*"
