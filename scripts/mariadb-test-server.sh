#!/usr/bin/env bash
# A throwaway MariaDB server for the integration tests, made from Debian's mariadb-server
# package: a fresh data directory under a temp directory (mariadb-install-db), mariadbd on a
# free loopback port with its unix socket inside that directory (never /run/mysqld, never
# port 3306), TLS with a server certificate signed by a CA generated here, and password
# authentication for generated users (the grant tables are always on).
#
#   scripts/mariadb-test-server.sh start ENV_FILE   start a server; write its connection
#                                                   settings (FRESHGUARD_TEST_MYSQL_*) to
#                                                   ENV_FILE (mode 600)
#   scripts/mariadb-test-server.sh stop ENV_FILE    stop that server, remove its directory
#                                                   and ENV_FILE
#   scripts/mariadb-test-server.sh env ENV_FILE     print `export` lines for a shell to eval
#   scripts/mariadb-test-server.sh run -- CMD...    start a server, run CMD with
#                                                   FRESHGUARD_TEST_MYSQL_ENV and
#                                                   FRESHGUARD_REQUIRE_MYSQL=1 exported, always
#                                                   stop the server afterwards; exits with
#                                                   CMD's code
#
# ENV_FILE holds: FRESHGUARD_TEST_MYSQL_HOST (localhost), _PORT, _USER, _PASSWORD, _DB (a
# database the user owns; the user may also create and drop databases named fgt_*), _CA (the
# CA that signed the server certificate), _WRONG_CA (an unrelated CA), _ALT_HOST (127.0.0.1:
# the same server under a name its certificate does not carry), _ADMIN_USER,
# _ADMIN_PASSWORD (every privilege, for test assertions), _LOG (the server's error log) and
# _DIR (the server's directory).
#
# The server runs in time zone +05:00, so tests notice a session that forgets to use UTC.
# As root mariadbd runs as the `mysql` system user (created by the Debian package); as
# anyone else it runs as the caller.
set -euo pipefail

MARIADBD="${FRESHGUARD_MARIADBD:-/usr/sbin/mariadbd}"
TS_NAME=mariadb-test-server
TS_PREFIX=FRESHGUARD_TEST_MYSQL
TS_ENV_VAR=FRESHGUARD_TEST_MYSQL_ENV
TS_REQUIRE=FRESHGUARD_REQUIRE_MYSQL
# shellcheck source=scripts/lib/test-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/test-server.sh"

# The system user the server runs as.
owner() {
  if [[ $(id -u) -eq 0 ]]; then echo mysql; else id -un; fi
}

server_options() {
  local dir="$1" port="$2"
  local opts=(
    --no-defaults --datadir="$dir/data" --socket="$dir/mysqld.sock" --port="$port"
    --bind-address=127.0.0.1 --pid-file="$dir/mysqld.pid" --log-error="$dir/server.log"
    --skip-name-resolve --skip-log-bin --max-connections=300 --default-time-zone=+05:00
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
    --innodb-buffer-pool-size=32M --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0
    --performance-schema=OFF --ssl-cert="$dir/server.crt" --ssl-key="$dir/server.key"
    --ssl-ca="$dir/ca.crt"
  )
  if [[ $(id -u) -eq 0 ]]; then opts+=(--user=mysql); fi
  printf '%s\n' "${opts[@]}"
}

# Runs SQL from stdin as the server's root, over its unix socket (socket authentication).
sql_root() {
  local dir="$1"
  mariadb --no-defaults --protocol=socket --socket="$dir/mysqld.sock" -u root --batch
}

wait_ready() {
  local dir="$1" pid="$2" i
  for i in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    if [[ -S "$dir/mysqld.sock" ]] && echo "SELECT 1" | sql_root "$dir" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# Stops the server whose pid file is in $1: SIGTERM, then SIGKILL after 15 s.
stop_server() {
  local dir="$1" pid i
  [[ -f "$dir/mysqld.pid" ]] || return 0
  pid=$(cat "$dir/mysqld.pid")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Tries to start mariadbd on a free port; prints the port on success.
start_server() {
  local dir="$1" attempt port pid
  for attempt in 1 2 3; do
    port=$(pick_port)
    mapfile -t opts < <(server_options "$dir" "$port")
    "$MARIADBD" "${opts[@]}" </dev/null >>"$dir/server.out" 2>&1 &
    pid=$!
    if wait_ready "$dir" "$pid"; then
      echo "$port"
      return 0
    fi
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "mariadb-test-server: start attempt $attempt on port $port failed" >&2
  done
  tail -n 20 "$dir/server.log" >&2 || true
  return 1
}

create_users() {
  local dir="$1" admin_pw="$2" test_pw="$3"
  sql_root "$dir" <<EOF
CREATE USER 'fg_admin'@'%' IDENTIFIED BY '$admin_pw';
GRANT ALL PRIVILEGES ON *.* TO 'fg_admin'@'%' WITH GRANT OPTION;
CREATE USER 'fg_test'@'%' IDENTIFIED BY '$test_pw';
CREATE DATABASE freshguard_test;
GRANT ALL PRIVILEGES ON \`freshguard_test\`.* TO 'fg_test'@'%';
GRANT ALL PRIVILEGES ON \`fgt\\_%\`.* TO 'fg_test'@'%';
FLUSH PRIVILEGES;
EOF
}

cmd_start() {
  local env_file="$1"
  [[ -x "$MARIADBD" ]] || die "mariadbd not found at $MARIADBD (run scripts/install-deps.sh --test)"
  command -v mariadb-install-db >/dev/null ||
    die "mariadb-install-db not found (run scripts/install-deps.sh --test)"
  command -v openssl >/dev/null || die "openssl not found (run scripts/install-deps.sh --test)"
  local dir admin_pw test_pw port socket_user
  dir=$(mktemp -d "${TMPDIR:-/tmp}/freshguard-mariadb.XXXXXX")
  chmod 755 "$dir"
  admin_pw=$(openssl rand -hex 16)
  test_pw=$(openssl rand -hex 16)
  # The certificate names only `localhost`, so 127.0.0.1 is a name it does not carry.
  make_certs "$dir" "FreshGuard MariaDB Test CA" "DNS:localhost"
  socket_user=$(id -un)
  local install=(--no-defaults --datadir="$dir/data" --auth-root-authentication-method=socket
    --auth-root-socket-user="$socket_user" --skip-test-db --skip-name-resolve)
  if [[ $(id -u) -eq 0 ]]; then
    install+=(--user=mysql)
    chown "$(owner):" "$dir" "$dir/server.key"
  fi
  mariadb-install-db "${install[@]}" >"$dir/install.log" 2>&1 || {
    cat "$dir/install.log" >&2
    rm -rf "$dir"
    die "mariadb-install-db failed"
  }
  port=$(start_server "$dir") || {
    rm -rf "$dir"
    die "the server did not start"
  }
  create_users "$dir" "$admin_pw" "$test_pw" || {
    stop_server "$dir"
    rm -rf "$dir"
    die "could not create the test users"
  }
  write_env_file "$env_file" HOST=localhost "PORT=$port" USER=fg_test \
    "PASSWORD=$test_pw" DB=freshguard_test "CA=$dir/ca.crt" "WRONG_CA=$dir/wrong-ca.crt" \
    ALT_HOST=127.0.0.1 ADMIN_USER=fg_admin "ADMIN_PASSWORD=$admin_pw" \
    "LOG=$dir/server.log" "DIR=$dir"
  echo "mariadb-test-server: MariaDB on localhost:$port (directory $dir, settings in $env_file)"
}

cmd_stop() {
  local env_file="$1" dir
  [[ -f "$env_file" ]] || return 0
  dir=$(env_value "$env_file" FRESHGUARD_TEST_MYSQL_DIR)
  # Only ever stop a server, and remove a directory, that this script made.
  if [[ "$dir" == */freshguard-mariadb.* && -d "$dir" ]]; then
    stop_server "$dir"
    rm -rf "$dir"
  fi
  rm -f "$env_file"
}

ts_main "$@"
