#!/usr/bin/env bash
# A throwaway PostgreSQL server for the integration tests and the benchmark, made from
# Debian's postgresql packages: a fresh cluster under a temp directory, on a free loopback
# port, with TLS (a server certificate signed by a CA generated here), SCRAM password
# authentication for a generated test role, and every statement logged to a file.
#
#   scripts/pg-test-server.sh start ENV_FILE   start a server; write its connection settings
#                                              (FRESHGUARD_TEST_PG_*) to ENV_FILE (mode 600)
#   scripts/pg-test-server.sh stop ENV_FILE    stop that server, remove its directory and ENV_FILE
#   scripts/pg-test-server.sh env ENV_FILE     print `export` lines for a shell to eval
#   scripts/pg-test-server.sh restart ENV_FILE stop that server (fast shutdown: sessions are
#                                              cut) and start it again on the same port
#   scripts/pg-test-server.sh run -- CMD...    start a server, run CMD with FRESHGUARD_TEST_PG_ENV
#                                              and FRESHGUARD_REQUIRE_PG=1 exported, always stop
#                                              the server afterwards; exits with CMD's code
#
# ENV_FILE holds: FRESHGUARD_TEST_PG_HOST (localhost), _PORT, _USER, _PASSWORD, _DB, _CA (the
# CA that signed the server certificate), _WRONG_CA (an unrelated CA), _LOG (the server log),
# _ADMIN_USER, _ADMIN_PASSWORD (a superuser, for test setup and assertions), _ALT_HOST
# (127.0.0.2: the same server under a name its certificate does not carry; empty when
# unavailable) and _DIR (the cluster's directory).
#
# FRESHGUARD_PG_LOG_STATEMENT (default all) sets log_statement; the benchmark uses none.
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` system
# user (created by the Debian package); as anyone else it belongs to the caller.
set -euo pipefail

PG_BIN="${FRESHGUARD_PG_BIN:-/usr/lib/postgresql/15/bin}"
TS_NAME=pg-test-server
TS_PREFIX=FRESHGUARD_TEST_PG
TS_ENV_VAR=FRESHGUARD_TEST_PG_ENV
TS_REQUIRE=FRESHGUARD_REQUIRE_PG
TS_EXTRA_COMMANDS=restart
# shellcheck source=scripts/lib/test-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test-server.sh"

# Runs a command as the cluster's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

write_config() {
  local dir="$1" port="$2" listen="$3"
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '$listen'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
password_encryption = 'scram-sha-256'
log_statement = '${FRESHGUARD_PG_LOG_STATEMENT:-all}'
log_parameter_max_length = 1024
log_line_prefix = '%m [%p] %a: '
log_connections = on
log_disconnections = on
EOF
  cat >"$dir/data/pg_hba.conf" <<'EOF'
local all all                trust
host  all all 127.0.0.0/8    scram-sha-256
EOF
}

# Tries to start the cluster on a free port; prints the port on success.
start_cluster() {
  local dir="$1" attempt port listen
  for attempt in 1 2 3; do
    port=$(pick_port)
    listen="127.0.0.1"
    if port_free_on 127.0.0.2 "$port"; then listen="127.0.0.1,127.0.0.2"; fi
    cp "$dir/postgresql.conf.orig" "$dir/data/postgresql.conf"
    write_config "$dir" "$port" "$listen"
    if as_owner "$PG_BIN/pg_ctl" start -w -t 30 -D "$dir/data" -l "$dir/server.log" \
      >/dev/null 2>&1; then
      echo "$port"
      return 0
    fi
    echo "pg-test-server: start attempt $attempt on port $port failed" >&2
  done
  tail -n 20 "$dir/server.log" >&2 || true
  return 1
}

psql_admin() {
  local dir="$1" port="$2"
  shift 2
  "$PG_BIN/psql" -X -q -h "$dir" -p "$port" -U fg_admin -d postgres -v ON_ERROR_STOP=1 "$@"
}

cmd_start() {
  local env_file="$1"
  [[ -x "$PG_BIN/initdb" ]] || die "PostgreSQL server binaries not found in $PG_BIN" \
    "(run scripts/install-deps.sh --test)"
  command -v openssl >/dev/null || die "openssl not found (run scripts/install-deps.sh --test)"
  local dir admin_pw test_pw port
  dir=$(mktemp -d "${TMPDIR:-/tmp}/freshguard-pg.XXXXXX")
  chmod 700 "$dir"
  admin_pw=$(openssl rand -hex 16)
  test_pw=$(openssl rand -hex 16)
  printf '%s\n' "$admin_pw" >"$dir/admin.pw"
  make_certs "$dir" "FreshGuard Test CA" "DNS:localhost,IP:127.0.0.1"
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$dir"; fi
  as_owner "$PG_BIN/initdb" -D "$dir/data" -U fg_admin --pwfile="$dir/admin.pw" \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    die "initdb failed"
  }
  rm -f "$dir/admin.pw"
  cp "$dir/data/postgresql.conf" "$dir/postgresql.conf.orig"
  port=$(start_cluster "$dir") || {
    rm -rf "$dir"
    die "the server did not start"
  }
  psql_admin "$dir" "$port" <<EOF
CREATE ROLE fg_test LOGIN PASSWORD '$test_pw';
CREATE DATABASE freshguard_test OWNER fg_test;
EOF
  local alt=""
  if grep -q "127.0.0.2" "$dir/data/postgresql.conf" &&
    ! port_free_on 127.0.0.2 "$port"; then alt="127.0.0.2"; fi
  write_env_file "$env_file" HOST=localhost "PORT=$port" USER=fg_test \
    "PASSWORD=$test_pw" DB=freshguard_test "CA=$dir/ca.crt" "WRONG_CA=$dir/wrong-ca.crt" \
    "LOG=$dir/server.log" ADMIN_USER=fg_admin "ADMIN_PASSWORD=$admin_pw" "ALT_HOST=$alt" \
    "DIR=$dir"
  echo "pg-test-server: PostgreSQL on localhost:$port (cluster $dir, settings in $env_file)"
}

cmd_stop() {
  local env_file="$1" dir
  [[ -f "$env_file" ]] || return 0
  dir=$(env_value "$env_file" FRESHGUARD_TEST_PG_DIR)
  if [[ -n "$dir" && -d "$dir/data" ]]; then
    as_owner "$PG_BIN/pg_ctl" stop -m immediate -w -t 30 -D "$dir/data" >/dev/null 2>&1 || true
  fi
  # Only ever remove a directory this script made.
  if [[ "$dir" == */freshguard-pg.* && -d "$dir" ]]; then rm -rf "$dir"; fi
  rm -f "$env_file"
}

cmd_restart() {
  local env_file="$1" dir
  [[ -f "$env_file" ]] || die "no such env file: $env_file"
  dir=$(env_value "$env_file" FRESHGUARD_TEST_PG_DIR)
  [[ "$dir" == */freshguard-pg.* && -d "$dir/data" ]] || die "no cluster in $env_file"
  as_owner "$PG_BIN/pg_ctl" restart -m fast -w -t 30 -D "$dir/data" -l "$dir/server.log" \
    >/dev/null 2>&1 || die "the server did not restart"
}

ts_main "$@"
