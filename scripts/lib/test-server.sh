# shellcheck shell=bash
# Shared by the throwaway test-server scripts (scripts/pg-test-server.sh,
# scripts/mariadb-test-server.sh); sourced, never run. The sourcing script sets
#   TS_NAME     its name in messages (pg-test-server)
#   TS_PREFIX   the prefix of its env-file keys (FRESHGUARD_TEST_PG)
#   TS_ENV_VAR  the variable `run` exports with the env file's path (FRESHGUARD_TEST_PG_ENV)
#   TS_REQUIRE  the variable `run` sets to 1 (FRESHGUARD_REQUIRE_PG)
#   TS_EXTRA_COMMANDS  optional: more "NAME ENV_FILE" subcommands, e.g. "restart"
# and defines cmd_start ENV_FILE and cmd_stop ENV_FILE; then it calls ts_main "$@".

die() {
  echo "$TS_NAME: $*" >&2
  exit 1
}

usage() {
  local extra="" c
  for c in ${TS_EXTRA_COMMANDS:-}; do extra+=" | $c ENV_FILE"; done
  echo "usage: $0 start ENV_FILE | stop ENV_FILE | env ENV_FILE$extra | run -- CMD [ARGS...]" >&2
  exit 64
}

# True when nothing listens on $1:$2.
port_free_on() {
  ! (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# True when nothing listens on 127.0.0.1:$1.
port_is_free() {
  port_free_on 127.0.0.1 "$1"
}

# Prints a random loopback port that nothing listens on.
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

# Makes, in directory $1: ca.crt (CN $2), wrong-ca.crt (an unrelated CA), and server.crt /
# server.key for CN=localhost with subjectAltName $3, signed by ca.crt. Removes the CA keys.
make_certs() {
  local dir="$1" ca_cn="$2" san="$3"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=$ca_cn" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=FreshGuard Unrelated CA" \
    -keyout "$dir/wrong-ca.key" -out "$dir/wrong-ca.crt" 2>/dev/null
  openssl req -new "${ec[@]}" -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=%s\n' "$san" >"$dir/san.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -extfile "$dir/san.ext" -out "$dir/server.crt" 2>/dev/null
  rm -f "$dir/ca.key" "$dir/wrong-ca.key" "$dir/server.csr" "$dir/san.ext" "$dir/ca.srl"
  chmod 600 "$dir/server.key"
  chmod 644 "$dir/ca.crt" "$dir/wrong-ca.crt" "$dir/server.crt"
}

# Reads one KEY=value line of an env file: env_value FILE KEY.
env_value() {
  sed -n "s/^$2=//p" "$1" | head -n 1
}

# Writes the env file $1 (mode 600) from KEY=value arguments, each key prefixed with
# ${TS_PREFIX}_.
write_env_file() {
  local env_file="$1" kv
  shift
  (
    umask 077
    for kv in "$@"; do printf '%s_%s\n' "$TS_PREFIX" "$kv"; done >"$env_file"
  )
}

cmd_env() {
  local env_file="$1" line
  [[ -f "$env_file" ]] || die "no such env file: $env_file"
  while IFS= read -r line; do
    printf 'export %s=%q\n' "${line%%=*}" "${line#*=}"
  done <"$env_file"
}

# Starts a server, runs the command with $TS_ENV_VAR and $TS_REQUIRE=1 exported, and always
# stops the server afterwards; exits with the command's code.
cmd_run() {
  [[ "${1:-}" == "--" ]] && shift
  [[ $# -gt 0 ]] || usage
  # Global, not local: the EXIT trap reads it.
  RUN_ENV_FILE=$(mktemp "${TMPDIR:-/tmp}/freshguard-$TS_NAME-env.XXXXXX")
  trap 'cmd_stop "$RUN_ENV_FILE"' EXIT
  trap 'exit 130' INT TERM
  cmd_start "$RUN_ENV_FILE"
  export "$TS_ENV_VAR=$RUN_ENV_FILE"
  export "$TS_REQUIRE=1"
  local code=0
  "$@" || code=$?
  exit "$code"
}

ts_main() {
  local c
  for c in ${TS_EXTRA_COMMANDS:-}; do
    if [[ "${1:-}" == "$c" ]]; then
      [[ $# -eq 2 ]] || usage
      "cmd_$c" "$2"
      return
    fi
  done
  case "${1:-}" in
    start) [[ $# -eq 2 ]] || usage; cmd_start "$2" ;;
    stop) [[ $# -eq 2 ]] || usage; cmd_stop "$2" ;;
    env) [[ $# -eq 2 ]] || usage; cmd_env "$2" ;;
    run) shift; cmd_run "$@" ;;
    *) usage ;;
  esac
}
