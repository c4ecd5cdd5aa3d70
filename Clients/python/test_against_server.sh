#!/usr/bin/env bash
# End-to-end test of the Python client against a real server.
#
# Usage: Clients/python/test_against_server.sh SERVER_BINARY [VOL_ADMIN_BINARY]
#   e.g. Clients/python/test_against_server.sh Benchmarks/.build/release/volunteer-service \
#                                              Benchmarks/.build/release/vol-admin
#
# Copies the binaries to a scratch directory (builds may relink them), makes a fresh PKI
# (certs/dev-pki.sh) and data directory, starts the server on a free port, runs example.py
# as the admin twice (the second run must replay) and checks its results, verifies the export
# with `vol-admin credential verify` when VOL_ADMIN_BINARY is given, runs protocol_checks.py
# (bad method path, 1 ms deadline, ...), and finally stops the server with SIGTERM, checking
# that an open connection gets GoAway code 0 and that the server exits.
# Needs python3 with the protobuf package and openssl. Exit 0 only if everything passed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[[ $# -ge 1 && $# -le 2 ]] || { sed -n '4,6s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[[ -x $1 ]] || { echo "not executable: $1" >&2; exit 2; }
[[ $# -lt 2 || -x $2 ]] || { echo "not executable: $2" >&2; exit 2; }

work=$(mktemp -d /tmp/vrs-python-test.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [[ ${KEEP:-0} == 1 || ${failed:-1} == 1 ]]; then echo "scratch directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
failed=1

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok:   $*"; }

cp "$1" "$work/volunteer-service"
vol_admin=""
if [[ $# -eq 2 ]]; then cp "$2" "$work/vol-admin"; vol_admin="$work/vol-admin"; fi

python3 -c 'import google.protobuf' 2>/dev/null || fail "python3 has no protobuf package (pip install protobuf)"
[[ -f $here/generated/volunteer/wire/v1/frame_pb2.py ]] || "$here/generate.sh"

pki="$work/pki"
bash "$repo/certs/dev-pki.sh" "$pki" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

admin_id="spiffe://volunteer/admin/bootstrap"   # the URI SAN of $pki/admin.crt (certs/dev-pki.sh)
(cd "$repo" && exec "$work/volunteer-service" serve --data-dir "$work/data" --host 127.0.0.1 --port "$port" \
   --cert "$pki/server.crt" --key "$pki/server.key" --client-ca "$pki/ca.crt" --policy-dir Policies \
   --bootstrap-admin "$admin_id") >"$work/server.log" 2>&1 &
server_pid=$!
echo "server pid $server_pid on 127.0.0.1:$port, scratch $work"

# Wait until it answers Health.Check over the protocol (not just until the port is open).
ready=0
for _ in $(seq 100); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "server exited at start"; }
  if HERE="$here" python3 -c '
import os, sys
sys.path.insert(0, os.environ["HERE"])
from vrs_client import Connection, Stub
from volunteer.v1 import health_pb2
port, pki = int(sys.argv[1]), sys.argv[2]
with Connection("127.0.0.1", port, f"{pki}/admin.crt", f"{pki}/admin.key", f"{pki}/ca.crt", connect_timeout=2) as c:
    r = Stub(c, "volunteer.v1.Health").Check(health_pb2.HealthCheckRequest(), timeout=2)
    sys.exit(0 if r.status == health_pb2.HealthCheckResponse.SERVING_STATUS_SERVING else 1)
' "$port" "$pki" 2>/dev/null; then ready=1; break; fi
  sleep 0.2
done
[[ $ready == 1 ]] || { cat "$work/server.log" >&2; fail "server did not answer Health.Check within 20 s"; }
pass "server answers Health.Check"

run_example() { # RUN_ID EXPORT_DIR SUMMARY
  python3 "$here/example.py" --host 127.0.0.1 --port "$port" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    --ca "$pki/ca.crt" --run-id "$1" --export-dir "$2" --summary "$3"
}

echo "--- example.py, first run"
run_example t1 "$work/export1" "$work/summary1.json" || fail "example.py (first run) exited $?"
echo "--- example.py, second run with the same run id (must replay)"
run_example t1 "$work/export2" "$work/summary2.json" >"$work/example2.log" || { cat "$work/example2.log"; fail "example.py (second run) exited non-zero"; }
sed -n '1,/^{/p' "$work/example2.log" | sed '$d'

# Check the results, not just the exit codes.
python3 - "$here/hours.csv" "$work/summary1.json" "$work/summary2.json" <<'EOF' || fail "result checks"
import csv, datetime as dt, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
expected = sum(int((dt.datetime.fromisoformat(r["end_time"]) - dt.datetime.fromisoformat(r["start_time"])).total_seconds() // 60) for r in rows)
s1, s2 = (json.load(open(p)) for p in sys.argv[2:4])
problems = []
def want(what, got, exp):
    if got != exp:
        problems.append(f"{what}: got {got!r}, expected {exp!r}")
    else:
        print(f"ok:   {what} = {got!r}")
want("run 1 caller role", s1["caller"]["role"], "ROLE_ADMIN")
want("run 1 upload accepted", s1["upload"], {"accepted": len(rows), "replayed": 0, "refused": 0})
want("run 1 uploaded minutes (CSV)", s1["uploaded_minutes"], expected)
want("run 1 approved minutes", s1["approved_minutes"], expected)
want("run 1 approved records", s1["approved_records"], len(rows))
want("run 1 evaluation lifetime minutes", s1["evaluation"]["lifetime_minutes"], expected)
want("run 1 evaluation approved records", s1["evaluation"]["approved_records"], len(rows))
want("run 1 credential evidence records", s1["credential"]["evidence_records"], len(rows))
want("run 1 evidence digest recomputed", s1["evidence"]["digest_matches"], True)
want("run 1 export credential count", s1["export"]["credentials"], 1)
want("run 1 export status lists", s1["export"]["status_lists"], ["revocation", "suspension"])
want("run 2 volunteer replayed", s2["volunteer_replayed"], True)
want("run 2 upload replayed", s2["upload"], {"accepted": 0, "replayed": len(rows), "refused": 0})
for k in ("volunteer_number", "activity_id", "approved_minutes"):
    want(f"run 2 same {k}", s2[k], s1[k])
want("run 2 same credential", s2["credential"]["number"], s1["credential"]["number"])
want("run 2 export credential count", s2["export"]["credentials"], 1)
if problems:
    print("\n".join("FAIL: " + p for p in problems)); sys.exit(1)
EOF

for f in jwks.json credentials.jsonl manifest.jwt status-lists/revocation.jwt status-lists/suspension.jwt; do
  [[ -s $work/export1/$f ]] || fail "export file $f missing or empty"
done
cmp -s "$work/export1/jwks.json" "$work/export2/jwks.json" || fail "jwks.json differs between exports"
cmp -s "$work/export1/credentials.jsonl" "$work/export2/credentials.jsonl" || fail "credentials.jsonl differs between exports"
[[ $(wc -l <"$work/export1/credentials.jsonl") == 1 ]] || fail "credentials.jsonl does not hold exactly 1 line"
pass "export files present; credentials.jsonl has 1 line, identical in both exports"

if [[ -n $vol_admin ]]; then
  echo "--- vol-admin credential verify"
  "$vol_admin" credential verify "$work/export1" || fail "vol-admin credential verify export1"
  "$vol_admin" credential verify "$work/export2" >/dev/null || fail "vol-admin credential verify export2"
  pass "vol-admin credential verify passed for both exports"
else
  echo "skip: vol-admin credential verify (no vol-admin binary given)"
fi

echo "--- protocol checks (the last one sends SIGTERM to the server)"
python3 "$here/protocol_checks.py" --port "$port" --pki "$pki" --sigterm-pid "$server_pid" \
  || fail "protocol checks"

for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$server_pid" 2>/dev/null; then fail "server still running 10 s after SIGTERM"; fi
set +e; wait "$server_pid"; rc=$?; set -e
server_pid=""
[[ $rc == 0 ]] || fail "server exited with status $rc after SIGTERM"
pass "server stopped by SIGTERM, exit status 0"
grep -q "graceful shutdown" "$work/server.log" && pass "server log records the graceful shutdown"
failed=0
echo "ALL PASSED"
