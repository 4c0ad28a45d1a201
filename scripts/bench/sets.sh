# Helpers for the shared extraction sets, sourced by scripts/extraction-quality.sh and
# scripts/bench-extraction.sh. Expects ZYTE, WCXB and OUT to be set.
# Pages, URL lists and gunzipped copies are cached under ${TRAWL_BENCH_CACHE:-/tmp/trawl-bench-cache}.

CACHE="${TRAWL_BENCH_CACHE:-${TMPDIR:-/tmp}/trawl-bench-cache}"

have_zyte() { [[ -f "$ZYTE/truth.json" && -d "$ZYTE/pages" && -f "$ZYTE/eval_extraction.py" ]]; }
have_wcxb() { [[ -f "$WCXB/metadata.json" && -d "$WCXB/html" && -f "$WCXB/score.py" ]]; }

# id<TAB>url for every Zyte page (from truth.json)
zyte_urls() {
  mkdir -p "$CACHE"
  local f="$CACHE/zyte-urls.tsv"
  [[ -s "$f" ]] || python3 -c '
import json, sys
for k, v in json.load(open(sys.argv[1])).items():
    print(k + "\t" + v["url"])' "$ZYTE/truth.json" >"$f"
  echo "$f"
}

# a folder of gunzipped WCXB pages (ID.html)
wcxb_pages() {
  local d="$CACHE/wcxb-html"
  local n
  n=$(find "$WCXB/html" -name '*.html.gz' | wc -l)
  if [[ ! -d "$d" || $(find "$d" -name '*.html' | wc -l) -ne $n ]]; then
    mkdir -p "$d"
    for f in "$WCXB"/html/*.html.gz; do gunzip -c "$f" >"$d/$(basename "$f" .gz)"; done
  fi
  echo "$d"
}

# id<TAB>url for every WCXB page (from its ground truth)
wcxb_urls() {
  mkdir -p "$CACHE"
  local f="$CACHE/wcxb-urls.tsv"
  [[ -s "$f" ]] || python3 -c '
import json, os, sys
d = os.path.join(sys.argv[1], "ground-truth")
for n in sorted(os.listdir(d)):
    print(n[:-5] + "\t" + json.load(open(os.path.join(d, n)))["url"])' "$WCXB" >"$f"
  echo "$f"
}

# zyte_score NAME PRED.jsonl — maps records to the evaluator's {"id","body"} and scores them
zyte_score() {
  python3 -c '
import json, os, sys
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in open(sys.argv[1], encoding="utf-8"):
        if line.strip().startswith("{"):
            r = json.loads(line)
            pid = os.path.basename(r.get("input") or r.get("id") or "").split(".")[0]
            out.write(json.dumps({"id": pid, "body": r.get("body") or ""}, ensure_ascii=False) + "\n")' \
    "$2" "$OUT/$1.zyte-eval.jsonl"
  python3 "$ZYTE/eval_extraction.py" --truth "$ZYTE/truth.json" --pred "$OUT/$1.zyte-eval.jsonl" \
    --json "$OUT/$1.zyte.json" --per-page "$OUT/$1.zyte.per-page.csv" >/dev/null
  python3 -c '
import json, sys
r = next(iter(json.load(open(sys.argv[1])).values()))
print("== %s zyte-dev (%d pages): F1 %.3f  P %.3f  R %.3f" % (sys.argv[2], r.get("pages", 0), r["f1"], r["precision"], r["recall"]))' \
    "$OUT/$1.zyte.json" "$1"
}

# wcxb_score NAME PRED.jsonl — all types, then article pages
wcxb_score() {
  echo "== $1 wcxb-dev, all types"
  python3 "$WCXB/score.py" "$2" --per-page "$OUT/$1.wcxb.per-page.tsv" --json "$OUT/$1.wcxb.json" | sed 's/^/   /'
  echo "== $1 wcxb-dev, article pages"
  python3 "$WCXB/score.py" "$2" --types article --per-page "$OUT/$1.wcxb-article.per-page.tsv" \
    --json "$OUT/$1.wcxb-article.json" 2>/dev/null | grep -v '^  ' | sed 's/^/   /' || true
}
