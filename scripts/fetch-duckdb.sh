#!/usr/bin/env bash
# Fetches DuckDB's official libduckdb.so and the matching duckdb.h at a pinned version from
# the npm registry (DuckDB is not packaged by Debian) into build/duckdb/{lib,include}.
# Idempotent: does nothing when that version is already there. Nothing here is committed.
#
#   libduckdb.so  from @duckdb/node-bindings-linux-x64@${DUCKDB_BINDINGS_VERSION}
#   duckdb.h      from duckdb@${DUCKDB_VERSION} (the same DuckDB release)
set -euo pipefail
cd "$(dirname "$0")/.."

DUCKDB_VERSION=1.4.4
DUCKDB_BINDINGS_VERSION=1.4.4-r.1
dest=build/duckdb
stamp="$dest/VERSION"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$DUCKDB_VERSION" && -f "$dest/lib/libduckdb.so" &&
      -f "$dest/include/duckdb.h" ]]; then
  exit 0
fi
if [[ "$(uname -m)" != "x86_64" ]]; then
  echo "fetch-duckdb: only x86_64 is supported; DuckDB sources are disabled" >&2
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
  else
    echo "fetch-duckdb: npm is needed to fetch DuckDB; install it or run as root" >&2
    exit 1
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-duckdb: fetching DuckDB $DUCKDB_VERSION from the npm registry"
# npm pack checks each tarball against the registry's integrity hash.
(cd "$work" && npm pack --silent "@duckdb/node-bindings-linux-x64@$DUCKDB_BINDINGS_VERSION" \
  "duckdb@$DUCKDB_VERSION" >/dev/null)
mkdir -p "$work/bindings" "$work/duckdb"
tar -xzf "$work"/duckdb-node-bindings-linux-x64-*.tgz -C "$work/bindings" package/libduckdb.so
tar -xzf "$work"/duckdb-"$DUCKDB_VERSION".tgz -C "$work/duckdb" \
  package/src/duckdb/src/include/duckdb.h

rm -rf "$dest"
mkdir -p "$dest/lib" "$dest/include"
cp "$work/bindings/package/libduckdb.so" "$dest/lib/"
cp "$work/duckdb/package/src/duckdb/src/include/duckdb.h" "$dest/include/"
echo "$DUCKDB_VERSION" >"$stamp"
echo "fetch-duckdb: DuckDB $DUCKDB_VERSION in $dest"
