#!/usr/bin/env bash
# The resilience soak (issue 5; not part of CI): builds the soak driver (Release, its own
# build directory), starts a throwaway PostgreSQL (scripts/pg-test-server.sh, statement
# logging off), and runs freshness checks through the real connector behind the fault proxy
# for MINUTES minutes (default 10) while outages of every kind alternate with healthy
# periods: refused connections, dropped connections, a black-holed network,
# pg_terminate_backend on the pooled connections, and a real server restart. Prints a
# summary (checks, results by status and error code, resident memory at start, middle and
# end, the connector's sessions left on the server) and exits non-zero when a session
# leaked or checks did not recover after an outage. See docs/resilience.md.
#
#   scripts/soak.sh [MINUTES] [--threads N]
#
# FRESHGUARD_SOAK_BUILD_DIR overrides the build directory (default build/soak).
set -euo pipefail
cd "$(dirname "$0")/.."

minutes="${1:-10}"
[[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]] || {
  echo "usage: $0 [MINUTES] [--threads N]" >&2
  exit 64
}
shift || true
build="${FRESHGUARD_SOAK_BUILD_DIR:-build/soak}"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFRESHGUARD_BUILD_TESTS=ON \
  >/dev/null
cmake --build "$build" -j2 --target freshguard_soak_driver
FRESHGUARD_PG_LOG_STATEMENT=none bash scripts/pg-test-server.sh run -- \
  "$build/tests/freshguard_soak_driver" --minutes "$minutes" \
  --restart-script scripts/pg-test-server.sh "$@"
