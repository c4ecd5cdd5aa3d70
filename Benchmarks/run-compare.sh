#!/usr/bin/env bash
# Issue 8's side-by-side run (docs/BENCHMARKS.md): one release-built server, one machine, one
# run. The same services on our wire transport and on stock gRPC/HTTP2 (--grpc-port), the
# bare NIO echo of the same frames over the same mutual TLS, LogHours from 64 concurrent
# callers (group commit), Evaluate, batch upload, ExportCredentials, and server RSS per idle
# connection up to HOLD connections. Every step is bounded by a timeout.
#   usage: Benchmarks/run-compare.sh [OUT_DIR]      (OUT_DIR keeps the JSON results and logs)
#   env:   DURATION=10 WARMUP=2 HOLD=10000 CREDENTIALS=2000 SKIP_BUILD=1 PROFILE=1 (perf record)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out_dir=${1:-}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
HOLD=${HOLD:-10000}
CREDENTIALS=${CREDENTIALS:-2000}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --package-path Benchmarks --product wire-load
  swift build -c release --package-path Benchmarks --product volunteer-service
fi
bin=$(swift build -c release --package-path Benchmarks --show-bin-path)
# hold opens HOLD connections: both ends need the descriptors.
ulimit -n $((HOLD * 2 + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

grpc_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
server_args=(--grpc-port "$grpc_port" --grpc-host 127.0.0.1 --metrics-port "$metrics_port")
source Benchmarks/server.sh
echo "== gRPC/HTTP2 port $grpc_port, metrics http://127.0.0.1:$metrics_port/metrics"

echo_port=$(free_port)
"$bin/wire-load" echo-server --port "$echo_port" --cert "$work/pki/server.crt" \
  --key "$work/pki/server.key" --client-ca "$work/pki/ca.crt" >"$work/echo.log" 2>&1 &
echo_pid=$!
keep() { # copy what there is to OUT_DIR, also when a step failed
  if [ -n "$out_dir" ]; then
    mkdir -p "$out_dir"
    cp "$work"/*.json "$work"/*.txt "$work"/*.log "$out_dir/" 2>/dev/null || true
    [ -f "$work/perf.data" ] && cp "$work/perf.data" "$out_dir/" || true
  fi
}
trap 'keep; kill -KILL "$echo_pid" 2>/dev/null || true; cleanup' EXIT
echo "== echo server pid $echo_pid on 127.0.0.1:$echo_port"

timeout 120 "$bin/wire-load" setup "${tls[@]}" --count 200 >"$work/volunteers.txt"
activity=$(timeout 60 "$bin/wire-load" setup-activity "${tls[@]}")
echo "== $(wc -l <"$work/volunteers.txt") volunteers, activity $activity"

runs=()
load() { # NAME, then wire-load run options
  local name=$1; shift
  echo
  kill -0 "$server_pid" 2>/dev/null || { echo "run-compare: the server died" >&2; cat "$work/server.log" >&2; exit 1; }
  timeout $((WARMUP + DURATION + 120)) "$bin/wire-load" run "${tls[@]}" --grpc-port "$grpc_port" \
    --warmup "$WARMUP" --duration "$DURATION" --label "$name" --json-out "$work/$name.json" "$@"
  runs+=("$work/$name.json")
}
commit_batches() { # sum and count of the group-commit batch-size histogram
  curl -sf "http://127.0.0.1:$metrics_port/metrics" |
    awk '/^volunteer_store_commit_batch_size_sum/ {s=$2} /^volunteer_store_commit_batch_size_count/ {c=$2} END {print s+0, c+0}'
}
server=(--server-pid "$server_pid")
echo_server=(--server-pid "$echo_pid")
v=(--volunteers-file "$work/volunteers.txt")

# Unary throughput: 4 connections x 16 calls in flight, then the 1 x 1 latency floor.
load health-wire-4x16 --transport wire --method health --connections 4 --concurrency 16 "${server[@]}"
load health-grpc-4x16 --transport grpc --method health --connections 4 --concurrency 16 "${server[@]}"
load health-echo-4x16 --transport echo --port "$echo_port" --method health --connections 4 --concurrency 16 "${echo_server[@]}"
if [ "${PROFILE:-0}" = 1 ]; then
  perf record -F 999 -g -p "$server_pid" -o "$work/perf.data" -- sleep $((WARMUP + DURATION)) >/dev/null 2>&1 &
  perf_pid=$!
  load health-wire-4x16-profiled --transport wire --method health --connections 4 --concurrency 16 "${server[@]}"
  wait "$perf_pid" || true
  perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -15 >"$work/perf-dso.txt" || true
  perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 >"$work/perf-symbols.txt" || true
fi
load get-volunteer-wire-4x16 --transport wire --method get-volunteer "${v[@]}" --connections 4 --concurrency 16 "${server[@]}"
load get-volunteer-grpc-4x16 --transport grpc --method get-volunteer "${v[@]}" --connections 4 --concurrency 16 "${server[@]}"
load health-wire-1x1 --transport wire --method health --connections 1 --concurrency 1 "${server[@]}"
load health-grpc-1x1 --transport grpc --method health --connections 1 --concurrency 1 "${server[@]}"
load health-echo-1x1 --transport echo --port "$echo_port" --method health --connections 1 --concurrency 1 "${echo_server[@]}"

# Batch upload: slots 0-19,999 of the 200 volunteers (its own activity).
echo
timeout 900 "$bin/wire-load" upload "${tls[@]}" --timeout 300 --volunteers 200 --batches 20 \
  --batch-size 1000 --connections 2 --json-out "$work/upload.json"

# Durable single-record writes: 64 callers, each call acknowledged after its batch commits;
# slots after the upload's, a range per transport.
before=$(commit_batches)
load log-hours-wire-4x16 --transport wire --method log-hours --activity "$activity" "${v[@]}" \
  --first-slot 30000 --connections 4 --concurrency 16 "${server[@]}"
after=$(commit_batches)
load log-hours-grpc-4x16 --transport grpc --method log-hours --activity "$activity" "${v[@]}" \
  --first-slot 150000 --connections 4 --concurrency 16 "${server[@]}"
python3 - "$before" "$after" >"$work/commit-batches.txt" <<'PY'
import sys
(s0, c0), (s1, c1) = (map(float, a.split()) for a in sys.argv[1:3])
print("group commit during log-hours-wire (warm-up included): %d commits, %.1f operations per commit" % (c1 - c0, (s1 - s0) / max(c1 - c0, 1)))
PY
load evaluate-wire-4x16 --transport wire --method evaluate "${v[@]}" --connections 4 --concurrency 16 "${server[@]}"

# Credentials issued, then exported.
echo
timeout 1800 "$bin/wire-load" credentials "${tls[@]}" --timeout 60 --count "$CREDENTIALS" --concurrency 16 | tail -3
load export-wire-1x1 --transport wire --method export --connections 1 --concurrency 1 --warmup 0 --calls 2 "${server[@]}"
load export-grpc-1x1 --transport grpc --method export --connections 1 --concurrency 1 --warmup 0 --calls 2 "${server[@]}"

# Memory: server RSS as idle connections pile up.
echo
timeout 900 "$bin/wire-load" hold "${tls[@]}" --server-pid "$server_pid" \
  --steps 0 $((HOLD / 100)) $((HOLD / 10)) $((HOLD / 2)) "$HOLD" --json-out "$work/hold.json"
echo "== database: $(du -sh "$work/data" | cut -f1); server VmHWM $(grep VmHWM /proc/$server_pid/status | awk '{print $2, $3}')"

stop_server   # sets rc: the server's exit status, or "timeout"

echo
cat "$work/commit-batches.txt"
python3 - "${runs[@]}" <<'PY'
import json, sys
print("| run | calls/s | items/s | p50 µs | p99 µs | p99.9 µs | errors | server µs CPU/call | client µs CPU/call | server RSS MiB | machine busy |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for path in sys.argv[1:]:
    r = json.load(open(path))
    l, s = r["latency_us"], r.get("server", {})
    print("| %s | %.0f | %s | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.0f %% |" % (
        r["label"], r["calls_per_second"], ("%.0f" % r["items_per_second"]) if r["items"] else "",
        l["p50"], l["p99"], l["p99_9"], r["errors"], s.get("cpu_us_per_call", float("nan")),
        r.get("client_cpu_us_per_call", float("nan")), s.get("rss_kib", 0) / 1024,
        r.get("machine_cpu_busy_percent", float("nan"))))
PY
[ -f "$work/perf-dso.txt" ] && { echo; echo "perf, by shared object:"; cat "$work/perf-dso.txt"; }
[ -n "$out_dir" ] && echo "results kept in $out_dir (copied on exit)"
[ "$rc" = 0 ]
