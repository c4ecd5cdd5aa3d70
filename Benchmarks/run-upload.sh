#!/usr/bin/env bash
# Batch-upload benchmark of the release-built server over loopback mutual TLS (docs/BENCHMARKS.md):
# starts the server on a fresh PKI and data directory, then runs `wire-load upload` (new, valid
# records streamed through Hours.UploadHours) and prints records/s. Bounded by timeouts.
#   usage: Benchmarks/run-upload.sh [OUT_DIR]
#   env:   BATCHES=20 BATCH_SIZE=1000 CONNECTIONS=2 VOLUNTEERS=200   SKIP_BUILD=1 reuses the build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out_dir=${1:-}
BATCHES=${BATCHES:-20}
BATCH_SIZE=${BATCH_SIZE:-1000}
CONNECTIONS=${CONNECTIONS:-2}
VOLUNTEERS=${VOLUNTEERS:-200}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --package-path Benchmarks --product wire-load
  swift build -c release --package-path Benchmarks --product volunteer-service
fi
bin=$(swift build -c release --package-path Benchmarks --show-bin-path)

work=$(mktemp -d /tmp/vrs-upload.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo '+ uncommitted changes in Sources')"
echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
bash certs/dev-pki.sh "$work/pki" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$bin/volunteer-service" serve --data-dir "$work/data" --host 127.0.0.1 --port "$port" \
  --cert "$work/pki/server.crt" --key "$work/pki/server.key" --client-ca "$work/pki/ca.crt" \
  --policy-dir "$root/Policies" >"$work/server.log" 2>&1 &
server_pid=$!

timeout 900 "$bin/wire-load" upload --host 127.0.0.1 --port "$port" \
  --cert "$work/pki/admin.crt" --key "$work/pki/admin.key" --ca "$work/pki/ca.crt" \
  --timeout 300 --volunteers "$VOLUNTEERS" --batches "$BATCHES" --batch-size "$BATCH_SIZE" \
  --connections "$CONNECTIONS" --json-out "$work/upload.json"
echo "== database: $(du -sh "$work/data" | cut -f1)"

kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
if [ -n "$out_dir" ]; then
  mkdir -p "$out_dir"; cp "$work/upload.json" "$work/server.log" "$out_dir/"
  echo "results kept in $out_dir"
fi
