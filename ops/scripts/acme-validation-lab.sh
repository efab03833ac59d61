# What an ACME benchmark validates against, on loopback (sourced by ops/bench-acme, ops/bench-soak,
# ops/bench-flat): a mock DNS server (pebble-challtestsrv; every A query answers 127.0.0.1) and
# nginx serving the http-01 webroot WORK/webroot. nginx, not python's http.server: a validator
# fetches every challenge several times at once, and 64 clients' fetches overflow a small listen
# backlog. Needs free_port and the caller's pids array (the started processes are added to it).
#   start_acme_validation_lab WORK     sets http01 (the validation port) and dnsport
start_acme_validation_lab() {
  local work=$1 mgmt
  ensure_packages nginx:nginx pebble-challtestsrv:pebble
  http01=$(free_port) dnsport=$(free_port) mgmt=$(free_port)
  # nginx's workers (not root) must reach the webroot inside.
  chmod 711 "$work"
  pebble-challtestsrv -defaultIPv6 "" -dns01 "127.0.0.1:$dnsport" -http01 "" -https01 "" -tlsalpn01 "" \
    -management "127.0.0.1:$mgmt" >"$work/challtestsrv.log" 2>&1 & pids+=($!)
  mkdir -p "$work/webroot" "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<NGINX
daemon off; worker_processes 1; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off; client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$http01 backlog=4096; root $work/webroot; default_type text/plain; }
}
NGINX
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx/stdout.log" 2>&1 & pids+=($!)
}

# The ACME service's limits lifted for a benchmark (its clients are all one host) and loopback
# validation targets allowed: acme_bench_settings FILE
acme_bench_settings() {
  printf 'ordersPerAccountPerHour: 1000000\nordersPerNamePerHour: 1000000\neabOrdersPerAccountPerHour: 1000000\neabOrdersPerNamePerHour: 1000000\nvalidationsPerAccountPerHour: 1000000\nallowLoopback: true\n' \
    > "$1"
}
