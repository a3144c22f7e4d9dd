#!/usr/bin/env bash
# The layering rule of src/README.md, checked: a component may include its own headers and
# those of components on a lower layer, never a higher one or a sibling on its own layer.
# Every `#include <freshguard/X/...>` and `#include "X/..."` in include/freshguard/<C>/ and
# src/<C>/ is checked against the table below. Known violations (listed in
# scripts/layers-known.txt as `file -> component`, to be removed as they are fixed) are
# reported but do not fail; any other upward include does, naming file, line and both layers.
#
#   scripts/check-layers.sh [ROOT]     ROOT defaults to the repository; exit 0 clean, 1 not
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
known_file="$root/scripts/layers-known.txt"

# Lower layers first. Components on one line are siblings: none may include another.
layers=(
  "core"
  "sql net observability resilience"
  "security"
  "connectors"
  "config"
  "metadata alerts"
  "monitors"
  "daemon"
  "cli"
)

declare -A layer_of
for i in "${!layers[@]}"; do
  for c in ${layers[$i]}; do layer_of[$c]=$i; done
done

declare -A known
if [[ -f "$known_file" ]]; then
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    known["$line"]=1
  done <"$known_file"
fi

failures=0
tolerated=0
for comp in "${!layer_of[@]}"; do
  for dir in "$root/include/freshguard/$comp" "$root/src/$comp"; do
    [[ -d "$dir" ]] || continue
    while IFS= read -r hit; do
      file="${hit%%:*}"
      rest="${hit#*:}"
      lineno="${rest%%:*}"
      text="${rest#*:}"
      target=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](freshguard\/)?([a-z_]+)\/.*/\2/' <<<"$text")
      [[ -n "${layer_of[$target]:-}" ]] || continue  # a system or third-party header
      [[ "$target" == "$comp" ]] && continue
      if ((layer_of[$target] < layer_of[$comp])); then continue; fi
      rel="${file#"$root"/}"
      if [[ -n "${known["$rel -> $target"]:-}" ]]; then
        tolerated=$((tolerated + 1))
        continue
      fi
      echo "check-layers: $rel:$lineno: $comp (layer $((layer_of[$comp] + 1))) includes" \
        "$target (layer $((layer_of[$target] + 1))); a component includes only lower layers" >&2
      failures=$((failures + 1))
    done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*(<freshguard/[a-z_]+/|"[a-z_]+/)' \
      "$dir" --include='*.hpp' --include='*.cpp' --include='*.h' --include='*.in' || true)
  done
done

if ((failures > 0)); then
  echo "check-layers: $failures upward include(s); see the layer table in scripts/check-layers.sh" >&2
  exit 1
fi
echo "check-layers: ok ($tolerated known violation(s) left in scripts/layers-known.txt)"
