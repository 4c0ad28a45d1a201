#!/usr/bin/env bash
# Supply-chain checks on the dependency tree with cargo-deny (policy: deny.toml).
#   scripts/audit.sh
# - licenses, bans (wildcards), sources (crates.io only): need no network; a finding fails.
# - advisories (RustSec DB, fetched with git): a finding fails. When the database cannot be
#   fetched (no network) and no earlier copy exists, that one check prints
#   "audit: skipped: advisories: ..." and the script still exits 0.
# Installs cargo-deny from crates.io (cargo install --locked) when it is missing; fast after.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! cargo deny --version >/dev/null 2>&1; then
  echo "audit: installing cargo-deny from crates.io (cargo install --locked cargo-deny; a few minutes, once)"
  if ! cargo install --locked cargo-deny; then
    echo "audit: FAILED: cargo-deny could not be installed" >&2
    exit 2
  fi
fi
echo "audit: $(cargo deny --version)"

# 1. Offline checks.
if ! cargo deny --log-level error --offline check licenses bans sources; then
  echo "audit: FAILED: licenses/bans/sources findings above (policy in deny.toml)" >&2
  exit 1
fi
echo "audit: licenses, bans, sources ok"

# 2. Advisories: fetch the database first, so "no network" and "vulnerable" stay apart.
db_dir="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
fetch_log="$(mktemp)"
trap 'rm -f "$fetch_log"' EXIT
if timeout 120 cargo deny --log-level error fetch db >"$fetch_log" 2>&1; then
  offline=()
elif compgen -G "$db_dir/*/crates" >/dev/null; then
  echo "audit: advisory database not refreshed (no network?); using the earlier copy in $db_dir"
  offline=(--offline)
else
  echo "audit: skipped: advisories: the RustSec advisory database cannot be fetched here (no network to its git host) and no local copy exists; licenses, bans and sources were checked"
  sed 's/^/audit:   /' "$fetch_log" | tail -n 3
  exit 0
fi
if ! cargo deny --log-level error "${offline[@]}" check advisories; then
  echo "audit: FAILED: security advisories above (RustSec)" >&2
  exit 1
fi
echo "audit: advisories ok"
