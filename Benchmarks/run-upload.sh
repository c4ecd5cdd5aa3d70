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

source Benchmarks/server.sh

timeout 900 "$bin/wire-load" upload "${tls[@]}" --timeout 300 --volunteers "$VOLUNTEERS" --batches "$BATCHES" --batch-size "$BATCH_SIZE" \
  --connections "$CONNECTIONS" --json-out "$work/upload.json"
echo "== database: $(du -sh "$work/data" | cut -f1)"

kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
if [ -n "$out_dir" ]; then
  mkdir -p "$out_dir"; cp "$work/upload.json" "$work/server.log" "$out_dir/"
  echo "results kept in $out_dir"
fi
