# Sourced by the Benchmarks/run-*.sh scripts (from the repository root, with $bin set to the
# release bin directory): a fresh PKI and data directory in a temporary $work, the server on
# a free loopback port, killed on exit. Sets work, port, server_pid and tls (admin options).
# Optional before sourcing: server_args=(...) more `serve` flags (e.g. --grpc-port N).
# The server runs with $work/bench-config.json: the per-principal rate limit off and the
# per-principal connection cap, keepalive and idle timers raised, because every load
# generator calls as the one bootstrap admin and would otherwise measure the limiter.

work=$(mktemp -d /tmp/vrs-bench.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The binaries are built from the working tree: say when it differs from the commit.
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo '+ uncommitted changes in Sources')"
echo "== $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

bash certs/dev-pki.sh "$work/pki" >/dev/null
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
port=$(free_port)
cat >"$work/bench-config.json" <<'JSON'
{ "limits": { "callsPerSecondPerPrincipal": 0, "maxConnectionsPerPrincipal": 20000,
              "maxConnections": 20000, "keepaliveIntervalSeconds": 3600,
              "idleTimeoutSeconds": 3600 } }
JSON
"$bin/volunteer-service" serve --config "$work/bench-config.json" --data-dir "$work/data" \
  --host 127.0.0.1 --port "$port" \
  --cert "$work/pki/server.crt" --key "$work/pki/server.key" --client-ca "$work/pki/ca.crt" \
  --policy-dir Policies ${server_args[@]+"${server_args[@]}"} >"$work/server.log" 2>&1 &
server_pid=$!
echo "== server pid $server_pid on 127.0.0.1:$port, data in $work/data"
tls=(--host 127.0.0.1 --port "$port" --cert "$work/pki/admin.crt" --key "$work/pki/admin.key"
  --ca "$work/pki/ca.crt")

# SIGTERM, then up to 30 s for a graceful exit; sets rc to the exit status (or "timeout") and
# clears server_pid once the server is gone.
stop_server() {
  kill -TERM "$server_pid"
  rc=timeout
  for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      set +e; wait "$server_pid"; rc=$?; set -e
      break
    fi
    sleep 0.1
  done
  echo "== server stopped by SIGTERM: exit $rc; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$rc" = timeout ] || server_pid=
}
