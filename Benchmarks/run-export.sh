#!/usr/bin/env bash
# Credential issuance and export benchmark of the release-built server (docs/BENCHMARKS.md):
# fresh PKI and data, `wire-load credentials` issues COUNT credentials, then
# `vol-admin credential export` streams them into an offline bundle and verifies it; prints
# credentials/s for both, the bundle size and vol-admin's peak memory.
#   usage: Benchmarks/run-export.sh      env: COUNT=10000 CONCURRENCY=16  SKIP_BUILD=1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
COUNT=${COUNT:-10000}
CONCURRENCY=${CONCURRENCY:-16}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --package-path Benchmarks --product wire-load
  swift build -c release --package-path Benchmarks --product volunteer-service
  swift build -c release --package-path Benchmarks --product vol-admin
fi
bin=$(swift build -c release --package-path Benchmarks --show-bin-path)
source Benchmarks/server.sh
timeout 1800 "$bin/wire-load" credentials "${tls[@]}" --timeout 60 --count "$COUNT" --concurrency "$CONCURRENCY"
start=$(date +%s.%N)
/usr/bin/time -f "vol-admin peak RSS: %M KiB" "$bin/vol-admin" credential export --out "$work/bundle" \
  --max-time 1800 "${tls[@]}" 2>&1 | tr '\r' '\n' | grep -v '^exporting: '
end=$(date +%s.%N)
python3 -c "print('export + its self-check: %.2f s for $COUNT credentials' % ($end - $start))"
echo "== bundle: $(du -sh "$work/bundle" | cut -f1); server peak RSS: $(grep VmHWM /proc/$server_pid/status | awk '{print $2, $3}')"
start=$(date +%s.%N)
"$bin/vol-admin" credential verify "$work/bundle" | tail -2
end=$(date +%s.%N)
python3 -c "print('verified offline in %.2f s: %.0f credentials/s' % ($end - $start, $COUNT / ($end - $start)))"
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
