# An optional profile of one benchmark phase (sourced by the ops/bench* scripts). With
# PKI_BENCH_PROFILE=DIR set, the phase between profile_begin and profile_end leaves in DIR:
#   cpu.txt             CPU seconds per process group (ops/scripts/cpu-split.py): each 'pki serve'
#                       service, PostgreSQL, nginx, the load's clients
#   SERVICE.jfr         a JFR recording (settings=profile, with CPU-time samples) of every running
#                       'pki serve' service, and SERVICE-hot.txt: its hottest methods by CPU time
#                       and by execution samples (jfr view)
#   statements.txt      pg_stat_statements: the statements by total time, with calls and rows
# PKI_BENCH_PROFILE_JFR=0 leaves the JFR recordings out (JFR's own start compiles code and adds
# samples' cost; the CPU split alone is near free). Without PKI_BENCH_PROFILE each function does
# nothing, so the figures are taken as before.
#   start_test_postgres durable "$(profile_pg_options)"   loads pg_stat_statements
profile_pg_options() {
  [ -n "${PKI_BENCH_PROFILE:-}" ] || return 0
  echo "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c track_io_timing=on"
}

profile_services() { pgrep -f 'org.medpki.ops.PkiMain serve ' || true; }
profile_service_name() { tr '\0' ' ' <"/proc/$1/cmdline" | sed -n 's/.*PkiMain serve \([a-z0-9-]*\).*/\1/p'; }

# profile_begin ADMIN_URL: a superuser URL of the cluster (pg_stat_statements is cluster-wide)
profile_begin() {
  [ -n "${PKI_BENCH_PROFILE:-}" ] || return 0
  mkdir -p "$PKI_BENCH_PROFILE"
  psql -q "$1" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
  local pid
  [ "${PKI_BENCH_PROFILE_JFR:-1}" = 0 ] || for pid in $(profile_services); do
    "$JAVA_HOME/bin/jcmd" "$pid" JFR.start name=bench settings=profile "jdk.CPUTimeSample#enabled=true" \
      "jdk.CPUTimeSample#throttle=2ms" >/dev/null 2>&1 \
      || "$JAVA_HOME/bin/jcmd" "$pid" JFR.start name=bench settings=profile >/dev/null
  done
  python3 "$medpki_root/ops/scripts/cpu-split.py" snapshot "$PKI_BENCH_PROFILE/cpu-before.json"
}

# profile_end ADMIN_URL
profile_end() {
  [ -n "${PKI_BENCH_PROFILE:-}" ] || return 0
  local dir=$PKI_BENCH_PROFILE pid name
  python3 "$medpki_root/ops/scripts/cpu-split.py" snapshot "$dir/cpu-after.json"
  python3 "$medpki_root/ops/scripts/cpu-split.py" report "$dir/cpu-before.json" "$dir/cpu-after.json" >"$dir/cpu.txt"
  [ "${PKI_BENCH_PROFILE_JFR:-1}" = 0 ] || for pid in $(profile_services); do
    name=$(profile_service_name "$pid")
    "$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name=bench filename="$dir/$name.jfr" >/dev/null || continue
    { for view in cpu-time-hot-methods hot-methods allocation-by-site contention-by-site; do
        "$JAVA_HOME/bin/jfr" view --width 180 "$view" "$dir/$name.jfr" 2>/dev/null || true
      done; } >"$dir/$name-hot.txt"
  done
  psql -q "$1" -P pager=off -c "SELECT calls, round(total_exec_time::numeric) AS total_ms,
      round(mean_exec_time::numeric, 3) AS mean_ms, rows, round(blk_read_time::numeric) AS read_ms,
      left(regexp_replace(query, '\s+', ' ', 'g'), 150) AS query
    FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 40" >"$dir/statements.txt"
  echo "profile of the phase in $dir (cpu.txt, statements.txt, *.jfr, *-hot.txt):" >&2
  cat "$dir/cpu.txt" >&2
}
