#!/usr/bin/env bash
# Installs the Debian 12 packages FreshGuard needs. Idempotent and quiet: packages already
# installed are skipped, and apt runs only when something is missing.
#
#   scripts/install-deps.sh          what building and running need
#   scripts/install-deps.sh --test   also what the test suite and coverage need
set -euo pipefail

build_pkgs=(
  g++ cmake ninja-build pkg-config ca-certificates tzdata sqlite3
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libhowardhinnant-date-dev libsqlite3-dev
)
test_pkgs=(
  libgtest-dev libgmock-dev gcovr
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

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
