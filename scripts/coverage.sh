#!/usr/bin/env bash
# Builds with gcov instrumentation, runs the whole test suite, and prints line and branch
# coverage of src/. Fails when line coverage is below the bar (95%, or $FRESHGUARD_MIN_LINES).
# The per-file report is written to build/coverage/coverage.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
min_lines="${FRESHGUARD_MIN_LINES:-95}"

bash scripts/install-deps.sh --test
# Run standalone, it starts (and always stops) its own PostgreSQL test server
if [[ -z "${FRESHGUARD_TEST_PG_ENV:-}" ]]; then
  exec bash scripts/pg-test-server.sh run -- bash scripts/coverage.sh "$@"
fi
export FRESHGUARD_REQUIRE_PG=1
# ...and its own MariaDB test server (scripts/mariadb-test-server.sh).
if [[ -z "${FRESHGUARD_TEST_MYSQL_ENV:-}" ]]; then
  exec bash scripts/mariadb-test-server.sh run -- bash scripts/coverage.sh "$@"
fi
export FRESHGUARD_REQUIRE_MYSQL=1
cmake --preset coverage >/dev/null
cmake --build --preset coverage
find build/coverage -name '*.gcda' -delete
ctest --preset coverage -j2 --no-tests=error

gcovr --root . --object-directory build/coverage --filter 'src/' \
  --exclude-unreachable-branches --exclude-throw-branches \
  --txt build/coverage/coverage.txt --print-summary \
  --fail-under-line "$min_lines" \
  build/coverage
