#!/usr/bin/env bash
# Extraction quality of the current tree on every shared set, in one run (the development loop;
# scripts/bench-extraction.sh adds the peers, speed and memory):
#   - ../shared/bench/extraction (Zyte DEV, 109 news pages): shingle F1/P/R (eval_extraction.py);
#   - ../shared/bench/wcxb-dev (1,358 pages, 7 types): word F1/P/R all types and article pages,
#     is_article, title/author/date (score.py).
# Each page is extracted with the URL its set records for it (as a crawl would know it).
#
#   scripts/extraction-quality.sh [OUT_DIR]     # per-page worst lists land in OUT_DIR
# Env: SHARED=/path/to/shared (default ../shared), CARGO_TARGET_DIR as usual.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
ZYTE="$SHARED/bench/extraction"
WCXB="$SHARED/bench/wcxb-dev"
OUT="${1:-$(mktemp -d "${TMPDIR:-/tmp}/trawl-quality.XXXXXX")}"
mkdir -p "$OUT"
command -v python3 >/dev/null || { echo "extraction-quality: python3 is needed for the scorers; skipped."; exit 0; }
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
(cd "$ROOT" && cargo build --release -q -p trawl-extract --example extract_dir)
RUN="$TARGET/release/examples/extract_dir"

# shellcheck source=scripts/bench/sets.sh
source "$ROOT/scripts/bench/sets.sh"

if have_zyte; then
  "$RUN" "$ZYTE/pages" "$(zyte_urls)" >"$OUT/zyte.jsonl" 2>"$OUT/zyte.err"
  zyte_score trawl "$OUT/zyte.jsonl"
else
  echo "== zyte: not found at $ZYTE; skipped"
fi
if have_wcxb; then
  "$RUN" "$(wcxb_pages)" "$(wcxb_urls)" >"$OUT/wcxb.jsonl" 2>"$OUT/wcxb.err"
  wcxb_score trawl "$OUT/wcxb.jsonl"
else
  echo "== wcxb-dev: not found at $WCXB; skipped"
fi
echo "per-page lists (worst first): $OUT/*.per-page.*"
