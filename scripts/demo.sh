#!/usr/bin/env bash
# README command (1): build FreshGuard, create the embedded demo warehouse, and check it with
# examples/quickstart.yaml. Exits with `freshguard check`'s code (1: the demo has alerts).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -- --quiet 2>/dev/null || cmake --build --preset release
bash examples/make-demo-warehouse.sh examples/demo-warehouse.db

set +e
build/release/freshguard check -c examples/quickstart.yaml "$@"
code=$?
set -e
echo "(freshguard check exited with code $code: 0 all ok, 1 alert, 2 error)"
exit "$code"
