#!/usr/bin/env bash
# README command (2), and what CI runs: install what the tests need, measure line coverage of
# src/ (scripts/coverage.sh, at least 95%), fuzz every untrusted-input parser for a short
# while (scripts/fuzz.sh, 30 s per target), then build with ASan+UBSan and warnings as errors
# (the `ci` preset) and run every test with ctest (fuzz corpora are replayed there too).
#
# FRESHGUARD_SKIP_COVERAGE=1 skips the coverage step, FRESHGUARD_SKIP_FUZZ=1 the fuzz run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test

# The PostgreSQL integration tests need a server: start a throwaway one (temp dir, free
# loopback port) for both runs below and always stop it afterwards; `run` re-runs this
# script with FRESHGUARD_TEST_PG_ENV set. FRESHGUARD_REQUIRE_PG=1 makes those tests fail,
# not skip, when the server is missing.
if [[ -z "${FRESHGUARD_TEST_PG_ENV:-}" ]]; then
  exec bash scripts/pg-test-server.sh run -- bash scripts/test.sh "$@"
fi
export FRESHGUARD_REQUIRE_PG=1
# The same for MariaDB (scripts/mariadb-test-server.sh): nested inside the PostgreSQL run, so
# both servers are up for both runs below. FRESHGUARD_REQUIRE_MYSQL=1 fails, not skips.
if [[ -z "${FRESHGUARD_TEST_MYSQL_ENV:-}" ]]; then
  exec bash scripts/mariadb-test-server.sh run -- bash scripts/test.sh "$@"
fi
export FRESHGUARD_REQUIRE_MYSQL=1

if [[ "${FRESHGUARD_SKIP_COVERAGE:-0}" != "1" ]]; then
  bash scripts/coverage.sh
fi

# A short libFuzzer run of every parser of untrusted input (clang, ASan+UBSan).
if [[ "${FRESHGUARD_SKIP_FUZZ:-0}" != "1" ]]; then
  bash scripts/fuzz.sh "${FRESHGUARD_FUZZ_SECONDS:-30}"
fi

cmake --preset ci >/dev/null
cmake --build --preset ci
ctest --preset ci -j2 --no-tests=error
