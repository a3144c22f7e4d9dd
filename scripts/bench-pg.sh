#!/usr/bin/env bash
# One command for the PostgreSQL freshness benchmark: builds bench/pg_freshness_bench (the
# `bench` preset: Release), starts a throwaway PostgreSQL (scripts/pg-test-server.sh, with
# statement logging off), runs the benchmark against it, and always stops the server.
# Arguments go to the benchmark: --tables N (200) --rows N (10000) --concurrency N (10)
# --passes N (5).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test
cmake --preset bench >/dev/null
cmake --build --preset bench --target pg_freshness_bench
FRESHGUARD_PG_LOG_STATEMENT=none \
  bash scripts/pg-test-server.sh run -- build/bench/bench/pg_freshness_bench "$@"
