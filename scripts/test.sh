#!/usr/bin/env bash
# The whole test suite:
#   1. unit tests beside the code, cross-crate and service tests in tests/ (real RabbitMQ and Redis; the WARC
#      test also runs warcio from a virtualenv made here);
#   2. deployment checks: Kubernetes manifests, Prometheus config and rules, the dashboard/alert metric
#      contract, and a real Prometheus scraping a frontier and a worker during a short crawl.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services-up.sh
# warcio (PyPI): the WARC reader no one here wrote, which tests/e2e/warc.rs checks archives with.
warcio_venv="${CARGO_TARGET_DIR:-$PWD/target}/warcio-venv"
if ! "$warcio_venv/bin/python" -c 'import warcio' 2>/dev/null; then
  { python3 -m venv "$warcio_venv" && "$warcio_venv/bin/pip" install -q warcio; } \
    || echo "test.sh: warcio could not be installed; the WARC e2e test will print SKIPPED for its warcio checks"
fi
export TRAWL_WARCIO_VENV="$warcio_venv"
cargo test --workspace --all-targets
bash scripts/validate-deploy.sh --crawl
