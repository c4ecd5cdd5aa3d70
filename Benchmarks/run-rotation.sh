#!/usr/bin/env bash
# Personal-data key rotation cost (docs/BENCHMARKS.md): registers VOLUNTEERS volunteers (each
# with an ID and a phone number) through `vol-admin import volunteers` against the release-built
# server, stops it, and times `volunteer-service rotate-personal-data-key` over them; prints
# volunteers re-sealed per second and the database size.
#   usage: Benchmarks/run-rotation.sh [VOLUNTEERS]        (default 20000)
#   env:   SKIP_BUILD=1 reuses the release build; BIN_DIR=dir of a release volunteer-service
#          (default: the Benchmarks package's); VOL_ADMIN=path (default: the debug build's)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
VOLUNTEERS=${1:-20000}

if [ "${SKIP_BUILD:-0}" != 1 ] && [ -z "${BIN_DIR:-}" ]; then
  swift build -c release --package-path Benchmarks --product volunteer-service
fi
bin=${BIN_DIR:-$(swift build -c release --package-path Benchmarks --show-bin-path)}
vol_admin=${VOL_ADMIN:-$(swift build --show-bin-path)/vol-admin}
[ -x "$vol_admin" ] || { echo "no vol-admin at $vol_admin: swift build --product vol-admin, or set VOL_ADMIN" >&2; exit 2; }

source Benchmarks/server.sh

# Distinct valid resident IDs (Chaoyang, born 1970-2000, GB 11643 check character) and phones.
python3 - "$VOLUNTEERS" "$work/volunteers.csv" <<'PY'
import csv, datetime, sys
count, path = int(sys.argv[1]), sys.argv[2]
weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["key", "real_name", "document_type", "document_number", "phone", "organisation_id"])
    for n in range(count):
        born = datetime.date(1970, 1, 1) + datetime.timedelta(days=n // 900)
        body = f"110105{born:%Y%m%d}{100 + n % 900:03d}"
        check = "10X98765432"[sum(int(d) * k for d, k in zip(body, weights)) % 11]
        w.writerow([f"rot-{n}", "志愿者", "resident-id", body + check, f"139{n:08d}", "national"])
PY
for _ in $(seq 1 100); do "$vol_admin" health "${tls[@]}" >/dev/null 2>&1 && break; sleep 0.1; done
start=$(date +%s.%N)
"$vol_admin" import volunteers "$work/volunteers.csv" --concurrency 64 --report "$work/refused.csv" "${tls[@]}" \
  | tail -1
echo "== registered in $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
echo "== database before: $(du -sh "$work/data/volunteer.sqlite" | cut -f1)"
/usr/bin/time -f "== rotation: %e s wall, %U s user, %S s system, max RSS %M KiB" \
  "$bin/volunteer-service" rotate-personal-data-key --data-dir "$work/data" 2>&1 | grep -v "^re-sealing:"
echo "== database after: $(du -sh "$work/data/volunteer.sqlite" | cut -f1)"
