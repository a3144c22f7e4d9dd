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

die() {
  echo "mariadb-test-server: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start ENV_FILE | stop ENV_FILE | env ENV_FILE | run -- CMD [ARGS...]" >&2
  exit 64
}

# The system user the server runs as.
owner() {
  if [[ $(id -u) -eq 0 ]]; then echo mysql; else id -un; fi
}

# True when nothing listens on 127.0.0.1:$1.
port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  local tries=0 port
  while ((tries < 200)); do
    port=$((20000 + RANDOM % 40000))
    if port_is_free "$port"; then
      echo "$port"
      return 0
    fi
    tries=$((tries + 1))
  done
  die "no free loopback port found"
}

# The server certificate names only `localhost`, so 127.0.0.1 is a name it does not carry.
make_certs() {
  local dir="$1"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=FreshGuard MariaDB Test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=FreshGuard Unrelated CA" \
    -keyout "$dir/wrong-ca.key" -out "$dir/wrong-ca.crt" 2>/dev/null
  openssl req -new "${ec[@]}" -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -extfile "$dir/san.ext" -out "$dir/server.crt" 2>/dev/null
  rm -f "$dir/ca.key" "$dir/wrong-ca.key" "$dir/server.csr" "$dir/san.ext" "$dir/ca.srl"
  chmod 600 "$dir/server.key"
  chmod 644 "$dir/ca.crt" "$dir/wrong-ca.crt" "$dir/server.crt"
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
  make_certs "$dir"
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
  (
    umask 077
    cat >"$env_file" <<EOF
FRESHGUARD_TEST_MYSQL_HOST=localhost
FRESHGUARD_TEST_MYSQL_PORT=$port
FRESHGUARD_TEST_MYSQL_USER=fg_test
FRESHGUARD_TEST_MYSQL_PASSWORD=$test_pw
FRESHGUARD_TEST_MYSQL_DB=freshguard_test
FRESHGUARD_TEST_MYSQL_CA=$dir/ca.crt
FRESHGUARD_TEST_MYSQL_WRONG_CA=$dir/wrong-ca.crt
FRESHGUARD_TEST_MYSQL_ALT_HOST=127.0.0.1
FRESHGUARD_TEST_MYSQL_ADMIN_USER=fg_admin
FRESHGUARD_TEST_MYSQL_ADMIN_PASSWORD=$admin_pw
FRESHGUARD_TEST_MYSQL_LOG=$dir/server.log
FRESHGUARD_TEST_MYSQL_DIR=$dir
EOF
  )
  echo "mariadb-test-server: MariaDB on localhost:$port (directory $dir, settings in $env_file)"
}

# Reads one KEY=value line of an env file.
env_value() {
  sed -n "s/^$2=//p" "$1" | head -n 1
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

cmd_env() {
  local env_file="$1" line
  [[ -f "$env_file" ]] || die "no such env file: $env_file"
  while IFS= read -r line; do
    printf 'export %s=%q\n' "${line%%=*}" "${line#*=}"
  done <"$env_file"
}

cmd_run() {
  [[ "${1:-}" == "--" ]] && shift
  [[ $# -gt 0 ]] || usage
  # Global, not local: the EXIT trap reads it.
  RUN_ENV_FILE=$(mktemp "${TMPDIR:-/tmp}/freshguard-mariadb-env.XXXXXX")
  trap 'cmd_stop "$RUN_ENV_FILE"' EXIT
  trap 'exit 130' INT TERM
  cmd_start "$RUN_ENV_FILE"
  export FRESHGUARD_TEST_MYSQL_ENV="$RUN_ENV_FILE"
  export FRESHGUARD_REQUIRE_MYSQL=1
  local code=0
  "$@" || code=$?
  exit "$code"
}

case "${1:-}" in
  start) [[ $# -eq 2 ]] || usage; cmd_start "$2" ;;
  stop) [[ $# -eq 2 ]] || usage; cmd_stop "$2" ;;
  env) [[ $# -eq 2 ]] || usage; cmd_env "$2" ;;
  run) shift; cmd_run "$@" ;;
  *) usage ;;
esac
