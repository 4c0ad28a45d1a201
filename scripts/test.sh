#!/usr/bin/env bash
# The whole test suite: unit tests, cross-crate and service tests (real RabbitMQ and Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services-up.sh
cargo test --workspace --all-targets
