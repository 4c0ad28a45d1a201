#!/usr/bin/env bash
# The whole test suite:
#   1. unit tests beside the code, cross-crate and service tests in tests/ (real RabbitMQ and Redis);
#   2. deployment checks: Kubernetes manifests, Prometheus config and rules, the dashboard/alert metric
#      contract, and a real Prometheus scraping a frontier and a worker during a short crawl.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services-up.sh
cargo test --workspace --all-targets
bash scripts/validate-deploy.sh --crawl
