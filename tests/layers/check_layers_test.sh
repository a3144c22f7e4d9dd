#!/usr/bin/env bash
# The layer check's own test: on a small tree of its own it passes what is allowed, fails an
# upward include and a sibling include (naming the file and line), and tolerates only the
# violations its known list names.
set -euo pipefail
check="$(cd "$(dirname "$0")/../.." && pwd)/scripts/check-layers.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/include/freshguard/core" "$tmp/include/freshguard/sql" "$tmp/src/monitors" \
  "$tmp/include/freshguard/net" "$tmp/scripts"

fail() { echo "check_layers_test: $*" >&2; exit 1; }

echo '#include <string>' >"$tmp/include/freshguard/core/error.hpp"
echo '#include <freshguard/core/error.hpp>' >"$tmp/include/freshguard/sql/query.hpp"
printf '#include <freshguard/sql/query.hpp>\n#include "monitors/local.hpp"\n' \
  >"$tmp/src/monitors/freshness.cpp"
bash "$check" "$tmp" >/dev/null || fail "a downward-only tree was refused"

echo '#include <freshguard/sql/query.hpp>' >>"$tmp/include/freshguard/core/error.hpp"
if out=$(bash "$check" "$tmp" 2>&1); then fail "an upward include passed"; fi
grep -q 'include/freshguard/core/error.hpp:2: core (layer 1) includes sql (layer 2)' <<<"$out" ||
  fail "the upward include was not named: $out"

echo 'include/freshguard/core/error.hpp -> sql' >"$tmp/scripts/layers-known.txt"
bash "$check" "$tmp" >/dev/null || fail "a known violation was not tolerated"

echo '#include "sql/query.hpp"' >"$tmp/include/freshguard/net/http.hpp"
if out=$(bash "$check" "$tmp" 2>&1); then fail "a sibling include passed"; fi
grep -q 'net/http.hpp:1: net (layer 2) includes sql (layer 2)' <<<"$out" ||
  fail "the sibling include was not named: $out"
echo "check_layers_test: ok"
