#!/usr/bin/env bash
# End-to-end test of the service's stock gRPC port with Python grpcio.
#
# Usage: Clients/grpc/test_against_server.sh SERVER_BINARY [VOL_ADMIN_BINARY]
#   e.g. Clients/grpc/test_against_server.sh .build/release/volunteer-service .build/release/vol-admin
#
# Copies the binaries to a scratch directory (builds may relink them), makes a fresh PKI
# (certs/dev-pki.sh, plus grpc-partner.crt for spiffe://volunteer/partner/grpc-partner) and
# data directory, starts the server with --port P --grpc-port G on two free ports, waits until
# the gRPC port answers volunteer.v1.Health/Check, runs test_grpcio.py (the partner flow, the
# authorization and error rules, cross-checks against the wire protocol and, when
# VOL_ADMIN_BINARY is given, vol-admin) and, as its last check, stops the server with SIGTERM
# (new calls on an open channel must fail UNAVAILABLE); then checks that the server exits with
# status 0 and logs its graceful shutdown. Needs python3 with grpcio and protobuf, and openssl;
# installs nothing.
# Prints ALL PASSED and exits 0 only if everything passed; keeps the scratch dir on failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[[ $# -ge 1 && $# -le 2 ]] || { sed -n '4,5s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[[ -x $1 ]] || { echo "not executable: $1" >&2; exit 2; }
[[ $# -lt 2 || -x $2 ]] || { echo "not executable: $2" >&2; exit 2; }

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok:   $*"; }

# Prerequisites first, before any scratch state exists.
command -v openssl >/dev/null || { echo "FAIL: openssl not found" >&2; exit 1; }
if ! python3 -c 'import grpc' 2>/dev/null; then
  echo "FAIL: python3 has no grpc module; install it with: python3 -m pip install 'grpcio==1.85.3'" >&2
  exit 1
fi
python3 -c 'import google.protobuf' 2>/dev/null \
  || { echo "FAIL: python3 has no protobuf package (python3 -m pip install protobuf)" >&2; exit 1; }
[[ -f $repo/Clients/python/generated/volunteer/v1/health_pb2.py ]] \
  || { echo "FAIL: Clients/python/generated/volunteer/v1/*_pb2.py missing (Clients/python/generate.sh)" >&2; exit 1; }

started=$(date +%s)
work=$(mktemp -d /tmp/vrs-grpc-test.XXXXXX)
server_pid=""
failed=1
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [[ ${KEEP:-0} == 1 || $failed == 1 ]]; then echo "scratch directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

cp "$1" "$work/volunteer-service"
vol_admin=()
if [[ $# -eq 2 ]]; then cp "$2" "$work/vol-admin"; vol_admin=(--vol-admin "$work/vol-admin"); fi

pki="$work/pki"
bash "$repo/certs/dev-pki.sh" "$pki" >/dev/null || fail "certs/dev-pki.sh"
bash "$repo/certs/dev-pki.sh" client grpc-partner spiffe://volunteer/partner/grpc-partner "$pki" >/dev/null \
  || fail "certs/dev-pki.sh client grpc-partner"

# Two distinct free ports (held open together so they differ).
read -r port grpc_port < <(python3 -c '
import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])')

admin_id="spiffe://volunteer/admin/bootstrap"   # the URI SAN of $pki/admin.crt (certs/dev-pki.sh)
"$work/volunteer-service" serve --data-dir "$work/data" --host 127.0.0.1 --port "$port" \
   --grpc-port "$grpc_port" --cert "$pki/server.crt" --key "$pki/server.key" --client-ca "$pki/ca.crt" \
   --policy-dir "$repo/Policies" --bootstrap-admin "$admin_id" >"$work/server.log" 2>&1 &
server_pid=$!
echo "server pid $server_pid: wire protocol 127.0.0.1:$port, gRPC 127.0.0.1:$grpc_port; scratch $work"

# Wait until the gRPC port answers Health.Check (not just until it is open).
ready=0
for _ in $(seq 30); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "server exited at start"; }
  if python3 "$here/test_grpcio.py" --port "$grpc_port" --pki "$pki" --wait 1 >"$work/ready.log" 2>&1; then
    ready=1; break
  fi
done
[[ $ready == 1 ]] || { cat "$work/ready.log" "$work/server.log" >&2; fail "gRPC port did not answer Health.Check within 30 s"; }
pass "$(cat "$work/ready.log")"

echo "--- test_grpcio.py"
set +e
python3 "$here/test_grpcio.py" --port "$grpc_port" --pki "$pki" --work "$work/out" --wire-port "$port" \
  "${vol_admin[@]}" --sigterm-pid "$server_pid" 2>&1 | tee "$work/test_grpcio.log"
rc=${PIPESTATUS[0]}
set -e
[[ $rc == 0 ]] || fail "test_grpcio.py exited $rc (server log: $work/server.log)"
grep -Eq '^[1-9][0-9]* passed, 0 failed$' "$work/test_grpcio.log" || fail "test_grpcio.py printed no clean summary"

echo "--- SIGTERM (sent by test_grpcio.py's last check)"
for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$server_pid" 2>/dev/null; then fail "server still running 10 s after SIGTERM"; fi
set +e; wait "$server_pid"; rc=$?; set -e
server_pid=""
[[ $rc == 0 ]] || { tail -20 "$work/server.log" >&2; fail "server exited with status $rc after SIGTERM"; }
pass "server stopped by SIGTERM, exit status 0"
grep -q "graceful shutdown" "$work/server.log" || fail "server log does not record the graceful shutdown"
pass "server log records the graceful shutdown"
if python3 "$here/test_grpcio.py" --port "$grpc_port" --pki "$pki" --wait 1 >/dev/null 2>&1; then
  fail "the gRPC port still answers after the server exited"
fi
pass "gRPC port closed after exit"

failed=0
echo "runtime $(( $(date +%s) - started )) s"
echo "ALL PASSED"
