# Starts a throw-away PostgreSQL cluster for one test run (sourced by ops/test).
# Exports PKI_TEST_PG_ADMIN_URL, a superuser URL that tests use to create their own databases.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' user.

# start_test_postgres [durable] [SERVER_OPTIONS]: tests run with fsync off (speed; the cluster is
# thrown away); benchmarks pass "durable" to measure with fsync and synchronous commit as in
# production, and may add server options ("-c name=value ...", e.g. profile_pg_options).
start_test_postgres() {
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${1:-}" = durable ] && durability=""
  durability="$durability ${2:-}"
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    ensure_packages /usr/lib/postgresql:postgresql
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  local runas=()
  pg_dir=$(mktemp -d /tmp/medpki-test-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    chown postgres "$pg_dir"
    runas=(runuser -u postgres --)
  fi
  chmod 700 "$pg_dir"
  local port password
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
  password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  printf '%s\n' "$password" > "$pg_dir/pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir/pwfile"
  "${runas[@]}" "$bindir/initdb" -D "$pg_dir/data" -U medpki_admin --pwfile="$pg_dir/pwfile" \
      -A scram-sha-256 -E UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; die "initdb failed"; }
  "${runas[@]}" "$bindir/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
      -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 $durability" \
      start >/dev/null || { cat "$pg_dir/server.log" >&2; die "PostgreSQL did not start"; }
  export PKI_TEST_PG_ADMIN_URL="postgresql://medpki_admin:${password}@127.0.0.1:${port}/postgres"
  pg_stop_cmd=("${runas[@]}" "$bindir/pg_ctl" -D "$pg_dir/data" -m immediate stop)
}

stop_test_postgres() {
  [ -n "${pg_dir:-}" ] || return 0
  "${pg_stop_cmd[@]}" >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
