#!/usr/bin/env bash
# Unary-call benchmark of the release-built server over loopback mutual TLS (docs/BENCHMARKS.md).
# Builds wire-load and volunteer-service in release (Benchmarks/.build), starts the server with a
# fresh PKI and data directory on a free 127.0.0.1 port, registers one volunteer, runs wire-load
# for Health.Check and GetVolunteer (throughput: CONNECTIONS x CONCURRENCY in flight; latency:
# 1 x 1), stops the server with SIGTERM and prints a summary. Bounded: every step has a timeout.
#   usage: Benchmarks/run-unary.sh [OUT_DIR]     (OUT_DIR keeps the JSON results and server log)
#   env:   DURATION=10 WARMUP=2 CONNECTIONS=4 CONCURRENCY=16   SKIP_BUILD=1 reuses the last build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out_dir=${1:-}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-4}
CONCURRENCY=${CONCURRENCY:-16}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  started=$(date +%s)
  swift build -c release --package-path Benchmarks --product wire-load
  swift build -c release --package-path Benchmarks --product volunteer-service
  echo "release build: $(($(date +%s) - started)) s"
fi
bin=$(swift build -c release --package-path Benchmarks --show-bin-path)
for tool in wire-load volunteer-service; do
  [ -x "$bin/$tool" ] || { echo "run-unary: $bin/$tool not built" >&2; exit 1; }
done

source Benchmarks/server.sh

# setup waits up to 10 s for the server to answer, then registers as the bootstrap admin.
if ! number=$(timeout 60 "$bin/wire-load" setup "${tls[@]}"); then
  echo "run-unary: setup failed; server log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
echo "== registered volunteer $number"

runs=()
run() { # NAME, then wire-load run options
  local name=$1; shift
  echo
  kill -0 "$server_pid" 2>/dev/null || { echo "run-unary: the server died" >&2; cat "$work/server.log" >&2; exit 1; }
  timeout $((WARMUP + DURATION + 120)) "$bin/wire-load" run "${tls[@]}" \
    --server-pid "$server_pid" --warmup "$WARMUP" --duration "$DURATION" \
    --label "$name" --json-out "$work/$name.json" "$@"
  runs+=("$work/$name.json")
}
run health-${CONNECTIONS}x${CONCURRENCY} --method health \
  --connections "$CONNECTIONS" --concurrency "$CONCURRENCY"
run get-volunteer-${CONNECTIONS}x${CONCURRENCY} --method get-volunteer --volunteer "$number" \
  --connections "$CONNECTIONS" --concurrency "$CONCURRENCY"
run health-1x1 --method health --connections 1 --concurrency 1
run get-volunteer-1x1 --method get-volunteer --volunteer "$number" --connections 1 --concurrency 1

echo
stop_server   # sets rc: the server's exit status, or "timeout"

echo
python3 - "${runs[@]}" <<'PY'
import json, sys
print("| run | calls/s | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | errors | server µs CPU/call | client µs CPU/call | server RSS MiB (peak) | machine busy |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for path in sys.argv[1:]:
    r = json.load(open(path))
    l, s = r["latency_us"], r.get("server", {})
    rss = "%.1f (%.1f)" % (s.get("rss_kib", 0) / 1024, s.get("peak_rss_kib", 0) / 1024)
    print("| %s | %.0f | %d | %d | %d | %d | %d | %d | %.1f | %.1f | %s | %.0f %% |" % (
        r["label"], r["calls_per_second"], l["p50"], l["p90"], l["p99"], l["p99_9"], l["max"],
        r["errors"], s.get("cpu_us_per_call", float("nan")), r.get("client_cpu_us_per_call", float("nan")),
        rss, r.get("machine_cpu_busy_percent", float("nan"))))
PY

if [ -n "$out_dir" ]; then
  mkdir -p "$out_dir"
  cp "${runs[@]}" "$work/server.log" "$out_dir/"
  echo "results kept in $out_dir"
fi
[ "$rc" = 0 ]
