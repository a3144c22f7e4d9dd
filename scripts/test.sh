#!/usr/bin/env bash
# README command (2), and what CI runs: install what the tests need, measure line coverage of
# src/ (scripts/coverage.sh, at least 95%), then build with ASan+UBSan and warnings as errors
# (the `ci` preset) and run every test with ctest.
#
# FRESHGUARD_SKIP_COVERAGE=1 skips the coverage step.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test

if [[ "${FRESHGUARD_SKIP_COVERAGE:-0}" != "1" ]]; then
  bash scripts/coverage.sh
fi

cmake --preset ci >/dev/null
cmake --build --preset ci
ctest --preset ci -j2 --no-tests=error
