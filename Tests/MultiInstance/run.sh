#!/usr/bin/env bash
# Two `volunteer-service serve` processes on one PostgreSQL database, the same records fired
# at both at once (driver.py says what is checked).
#
# Usage: Tests/MultiInstance/run.sh SERVER_BINARY [ROUNDS]
# Needs VOLUNTEER_TEST_POSTGRES_URL (scripts/postgres-test-cluster.sh start prints it); a
# database of its own is created on that server and dropped afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[[ $# -ge 1 && -x $1 ]] || { sed -n '5,7s/^# \{0,1\}//p' "$0" >&2; exit 2; }
rounds=${2:-8}
: "${VOLUNTEER_TEST_POSTGRES_URL:?not set: eval \"\$(bash scripts/postgres-test-cluster.sh start)\" first}"

work=$(mktemp -d /tmp/vrs-multi.XXXXXX)
database="vrs_multi_$$"
base_url=${VOLUNTEER_TEST_POSTGRES_URL%%\?*}
query=""
[[ $VOLUNTEER_TEST_POSTGRES_URL == *\?* ]] && query="?${VOLUNTEER_TEST_POSTGRES_URL#*\?}"
server_url="${base_url%/*}/postgres${query}"
store_url="${base_url%/*}/$database${query}"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  psql "$server_url" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  [[ ${failed:-1} == 1 ]] && echo "scratch directory kept: $work" || rm -rf "$work"
}
trap cleanup EXIT
failed=1

[[ -f $repo/Clients/python/generated/volunteer/wire/v1/frame_pb2.py ]] || "$repo/Clients/python/generate.sh"
psql "$server_url" -qc "CREATE DATABASE $database" >/dev/null
cp "$1" "$work/volunteer-service"
bash "$repo/certs/dev-pki.sh" "$work/pki" >/dev/null
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() { # NAME PORT
  (cd "$repo" && exec "$work/volunteer-service" serve --data-dir "$work/$1" --store "$store_url" \
     --host 127.0.0.1 --port "$2" --cert "$work/pki/server.crt" --key "$work/pki/server.key" \
     --client-ca "$work/pki/ca.crt" --policy-dir Policies --bootstrap-admin spiffe://volunteer/admin/bootstrap) \
    >"$work/$1.log" 2>&1 &
  pids+=($!)
}
wait_ready() { # PORT LOG
  for _ in $(seq 150); do
    if python3 - "$1" "$work/pki" <<'PY' 2>/dev/null; then return 0; fi
import sys, os
sys.path.insert(0, os.path.join(os.getcwd(), "Clients", "python"))
from vrs_client import Connection, Stub
from volunteer.v1 import health_pb2
with Connection("127.0.0.1", int(sys.argv[1]), f"{sys.argv[2]}/admin.crt", f"{sys.argv[2]}/admin.key", f"{sys.argv[2]}/ca.crt", connect_timeout=2) as c:
    Stub(c, "volunteer.v1.Health").Check(health_pb2.HealthCheckRequest(), timeout=2)
PY
    sleep 0.2
  done
  cat "$2" >&2
  echo "FAIL: instance on port $1 did not become ready" >&2
  exit 1
}

cd "$repo"
port_a=$(free_port)
start a "$port_a"
wait_ready "$port_a" "$work/a.log"
# Every instance needs the same personal-data key (duplicate detection hashes with it) and
# signing keys: the second starts from a copy of the first's key files.
mkdir -p "$work/b"
cp -a "$work/a/personal-data.key" "$work/b/"
cp -a "$work/a/keys" "$work/b/"
port_b=$(free_port)
start b "$port_b"
wait_ready "$port_b" "$work/b.log"
echo "instances on 127.0.0.1:$port_a and 127.0.0.1:$port_b, database $database"

python3 "$here/driver.py" --ports "$port_a" "$port_b" --pki "$work/pki" --rounds "$rounds"
failed=0
