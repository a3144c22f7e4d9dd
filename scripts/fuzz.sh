#!/usr/bin/env bash
# Runs every libFuzzer target for a while under ASan+UBSan, starting from its seed corpus in
# fuzz/corpus/<target>. New interesting inputs are kept in build/fuzz-corpus/<target> (not
# committed); a crash leaves its input in build/fuzz-artifacts/ and fails the script: copy it
# into fuzz/corpus/<target>/ so ctest replays it from then on.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     default 60 (or $FRESHGUARD_FUZZ_SECONDS)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-${FRESHGUARD_FUZZ_SECONDS:-60}}"

bash scripts/install-deps.sh --test  # clang and its libFuzzer runtime

cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DFRESHGUARD_FUZZ=ON -DFRESHGUARD_SANITIZE=ON -DFRESHGUARD_BUILD_TESTS=OFF >/dev/null
targets=(identifier config query_analyzer filter)
cmake --build build/fuzz -j2 --target "${targets[@]/#/fuzz_}"

mkdir -p build/fuzz-artifacts
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz-corpus/$t"
  echo "fuzz: $t for ${seconds}s"
  build/fuzz/fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -print_final_stats=1 -artifact_prefix="build/fuzz-artifacts/$t-" \
    "build/fuzz-corpus/$t" "fuzz/corpus/$t" 2>&1 | grep -E '^(Done|#[0-9]+ *DONE|stat::number_of_executed_units|==[0-9]+==ERROR)|SUMMARY' || true
  if compgen -G "build/fuzz-artifacts/$t-*" >/dev/null; then
    echo "fuzz: $t found a failing input: $(ls build/fuzz-artifacts/$t-*)" >&2
    exit 1
  fi
done
echo "fuzz: all targets ran ${seconds}s without a failure"
