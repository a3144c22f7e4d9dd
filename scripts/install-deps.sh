#!/usr/bin/env bash
# Installs the Debian 12 packages FreshGuard needs, then DuckDB's library (not packaged by
# Debian; scripts/fetch-duckdb.sh takes it from the npm registry). Idempotent and quiet:
# what is installed is skipped, and apt runs only when something is missing.
#
#   scripts/install-deps.sh          what building and running need
#   scripts/install-deps.sh --test   also what the test suite and coverage need
set -euo pipefail

build_pkgs=(
  g++ cmake ninja-build pkg-config ca-certificates tzdata sqlite3
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libhowardhinnant-date-dev libsqlite3-dev libpq-dev libpg-query-dev
  libmariadb-dev   # MariaDB Connector/C: the mysql connector
  libcpp-httplib-dev   # alert webhooks, HTTP clients and local test servers
  libmicrohttpd-dev    # serve's HTTP endpoints (event-driven, connection limits)
  libcurl4-openssl-dev libssl-dev   # bigquery/snowflake REST connectors, JWT signing
  libbenchmark-dev   # Google Benchmark: the microbenchmarks under bench/ (bench preset)
)
test_pkgs=(
  libgtest-dev libgmock-dev gcovr clang libclang-rt-14-dev
  postgresql openssl   # scripts/pg-test-server.sh: a throwaway server with a generated CA
  mariadb-server       # scripts/mariadb-test-server.sh: the same for MariaDB
  prometheus           # promtool check metrics: validates serve's /metrics in the tests
)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_pkgs[@]}")
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--test]" >&2
  exit 64
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

fetch_duckdb() { bash "$(dirname "$0")/fetch-duckdb.sh"; }

if [[ ${#missing[@]} -eq 0 ]]; then
  fetch_duckdb
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Debian's server packages (mariadb-server, postgresql) start a system service on install,
# on their fixed ports; the tests start throwaway servers of their own. A policy-rc.d that
# denies every start keeps the machine quiet while apt runs (removed afterwards).
policy=/usr/sbin/policy-rc.d
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fetch_duckdb
