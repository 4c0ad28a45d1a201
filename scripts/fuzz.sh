#!/usr/bin/env bash
# Run the cargo-fuzz targets in fuzz/ for a bounded time each.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s; all targets)
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Seeds: fuzz/seeds/<target>,
# plus, for the canonicalizer, the href values of ../shared/bench/extraction/pages when present.
# A crash leaves its input in fuzz/artifacts/<target>/; turn it into a regression test beside the code.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(canonicalize sitemap feed extract robots)

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: no nightly toolchain; skipping (the proptest properties in cargo test are the fallback)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: cargo-fuzz not installed (cargo install cargo-fuzz); skipping"
  exit 0
fi

export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/fuzz/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pages=../shared/bench/extraction/pages
for t in "${targets[@]}"; do
  corpus="$work/$t"
  mkdir -p "$corpus"
  cp fuzz/seeds/"$t"/* "$corpus"/ 2>/dev/null || true
  if [ "$t" = canonicalize ]; then
    if [ -d "$pages" ]; then
      i=0
      grep -ohE 'href="[^"]{1,300}"' "$pages"/*.html 2>/dev/null | sed -E 's/^href="(.*)"$/\1/' | sort -u | sed -n '1,2000p' |
        while IFS= read -r h; do i=$((i + 1)); printf '%s' "$h" >"$corpus/page-$i"; done
      echo "fuzz: seeded canonicalize with hrefs from $pages"
    else
      echo "fuzz: $pages absent; seeding from fuzz/seeds only"
    fi
  fi
  if [ "$t" = extract ]; then
    cp crates/trawl-extract/tests/fixtures/*.html "$corpus"/ 2>/dev/null || true
    if [ -d "$pages" ]; then
      # libFuzzer's -max_len below keeps the first 64 KiB of each page.
      cp "$pages"/*.html "$corpus"/ 2>/dev/null || true
      echo "fuzz: seeded extract with $pages"
    else
      echo "fuzz: $pages absent; seeding extract from fixtures only"
    fi
  fi
  echo "fuzz: $t for ${secs}s"
  (cargo +nightly fuzz run "$t" "$corpus" -- -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1)
done
echo "fuzz: no crashes in ${targets[*]}"
