#!/usr/bin/env bash
# End-to-end test of the C client against a real server.
#
# Usage: Clients/c/test_against_server.sh SERVER_BINARY [VOL_ADMIN_BINARY]
#   e.g. Clients/c/test_against_server.sh Benchmarks/.build/release/volunteer-service \
#                                         Benchmarks/.build/release/vol-admin
#
# Builds the client (make, and make asan), copies the binaries to a scratch directory (builds
# may relink them), makes a fresh PKI (certs/dev-pki.sh, plus a client certificate with two URI
# SANs that the server must refuse) and data directory, starts the server
# on a free port, runs vrs-example as the admin twice (the second run must replay) and checks
# its results, verifies the exports with `vol-admin credential verify` when VOL_ADMIN_BINARY is
# given, runs the example once under valgrind and once as the ASan+UBSan build, runs vrs-checks
# (unknown method, 1 ms deadline, PERMISSION_DENIED, multiplexing, ...) under valgrind and as the
# ASan build, the last one sending SIGTERM to the server and expecting GoAway code 0 and a clean
# server exit; then starts a second server with keepalive 1 s (timeout 3 s) and at most 4
# concurrent calls per connection and checks local call queueing and Ping answering. Needs make, a C compiler, pkg-config, libprotobuf-c-dev, libssl-dev, valgrind,
# openssl, awk and python3 (standard library only: a free port and the JSON checks).
# Exit 0 only if everything passed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[[ $# -ge 1 && $# -le 2 ]] || { sed -n '4,6s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[[ -x $1 ]] || { echo "not executable: $1" >&2; exit 2; }
[[ $# -lt 2 || -x $2 ]] || { echo "not executable: $2" >&2; exit 2; }

started=$(date +%s)
work=$(mktemp -d /tmp/vrs-c-test.XXXXXX)
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

for tool in make pkg-config valgrind python3 openssl awk; do
  command -v "$tool" >/dev/null || fail "$tool not found"
done

echo "--- build (make, make asan)"
make -C "$here" -j2 >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "make"; }
make -C "$here" -j2 asan >"$work/build-asan.log" 2>&1 || { cat "$work/build-asan.log" >&2; fail "make asan"; }
if grep -i 'warning' "$work/build.log" "$work/build-asan.log" >&2; then fail "compiler warnings"; fi
example="$here/build/vrs-example"
checks="$here/build/vrs-checks"
example_asan="$here/build-asan/vrs-example"
checks_asan="$here/build-asan/vrs-checks"
pass "built without warnings (-std=c11 -Wall -Wextra -Werror), normal and ASan+UBSan"

cp "$1" "$work/volunteer-service"
vol_admin=""
if [[ $# -eq 2 ]]; then cp "$2" "$work/vol-admin"; vol_admin="$work/vol-admin"; fi

pki="$work/pki"
bash "$repo/certs/dev-pki.sh" "$pki" >/dev/null
# A client certificate with two URI SANs, signed by the dev CA: no usable identity (§3).
openssl ecparam -name prime256v1 -genkey -noout -out "$pki/twouri.key" 2>/dev/null
openssl req -new -config /dev/null -key "$pki/twouri.key" -subj "/CN=two-uris" -out "$work/twouri.csr"
printf '%s\n' "basicConstraints = critical, CA:FALSE" "keyUsage = critical, digitalSignature" \
  "extendedKeyUsage = clientAuth" \
  "subjectAltName = URI:spiffe://volunteer/partner/one, URI:spiffe://volunteer/partner/two" >"$work/twouri.ext"
openssl x509 -req -in "$work/twouri.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -set_serial 4242 -days 2 \
  -sha256 -extfile "$work/twouri.ext" -out "$pki/twouri.crt" 2>/dev/null || fail "cannot issue twouri.crt"
admin_id="spiffe://volunteer/admin/bootstrap"   # the URI SAN of $pki/admin.crt (certs/dev-pki.sh)
start_server() { # DATA_DIR LOG [EXTRA SERVE ARGS...]; sets port and server_pid
  local data=$1 log=$2
  shift 2
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$repo" && exec "$work/volunteer-service" serve --data-dir "$data" --host 127.0.0.1 --port "$port" \
     --cert "$pki/server.crt" --key "$pki/server.key" --client-ca "$pki/ca.crt" --policy-dir Policies \
     --bootstrap-admin "$admin_id" "$@") >"$log" 2>&1 &
  server_pid=$!
  echo "server pid $server_pid on 127.0.0.1:$port, scratch $work"
  # Wait until it answers Health.Check over the protocol (not just until the port is open).
  local ready=0
  for _ in $(seq 100); do
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; fail "server exited at start"; }
    if "$checks" --port "$port" --pki "$pki" --wait-health 2>/dev/null; then ready=1; break; fi
    sleep 0.2
  done
  [[ $ready == 1 ]] || { cat "$log" >&2; fail "server did not answer Health.Check within 20 s"; }
  pass "server answers Health.Check"
}
stop_server() { # LOG: SIGTERM, expect exit status 0 within 10 s
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$server_pid" 2>/dev/null; then fail "server still running 10 s after SIGTERM"; fi
  set +e; wait "$server_pid"; local rc=$?; set -e
  server_pid=""
  [[ $rc == 0 ]] || { cat "$1" >&2; fail "server exited with status $rc after SIGTERM"; }
}
start_server "$work/data" "$work/server.log"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=98
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
vg=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99)

run_example() { # BINARY RUN_ID EXPORT_DIR SUMMARY [PREFIX...]
  local bin=$1 run_id=$2 dir=$3 summary=$4
  shift 4
  "$@" "$bin" --host 127.0.0.1 --port "$port" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    --ca "$pki/ca.crt" --csv "$here/hours.csv" --run-id "$run_id" --export-dir "$dir" --summary "$summary"
}

echo "--- vrs-example, first run"
t0=$(date +%s.%N)
run_example "$example" t1 "$work/export1" "$work/summary1.json" || fail "vrs-example (first run) exited $?"
t1=$(date +%s.%N)
echo "--- vrs-example, second run with the same run id (must replay)"
run_example "$example" t1 "$work/export2" "$work/summary2.json" >"$work/example2.log" \
  || { cat "$work/example2.log"; fail "vrs-example (second run) exited non-zero"; }
sed -n '1,/^{/p' "$work/example2.log" | sed '$d'
echo "--- vrs-example under valgrind, third run with the same run id"
t2=$(date +%s.%N)
run_example "$example" t1 "$work/export3" "$work/summary3.json" "${vg[@]}" >"$work/example3.log" 2>"$work/valgrind-example.log" \
  || { cat "$work/example3.log" "$work/valgrind-example.log"; fail "vrs-example under valgrind exited non-zero"; }
t3=$(date +%s.%N)
[[ ! -s $work/valgrind-example.log ]] || { cat "$work/valgrind-example.log"; fail "valgrind reported problems"; }
pass "vrs-example under valgrind: no errors, no definite/indirect leaks"
echo "--- vrs-example, ASan+UBSan build, new run id t2"
run_example "$example_asan" t2 "$work/export4" "$work/summary4.json" >"$work/example4.log" 2>"$work/asan-example.log" \
  || { cat "$work/example4.log" "$work/asan-example.log"; fail "vrs-example (ASan) exited non-zero"; }
[[ ! -s $work/asan-example.log ]] || { cat "$work/asan-example.log"; fail "ASan/UBSan reported problems"; }
pass "vrs-example as the ASan+UBSan build: clean"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "timing: first run %.2f s, under valgrind %.2f s\n", b - a, d - c }'

# Check the results, not just the exit codes.
python3 - "$here/hours.csv" "$work"/summary{1,2,3,4}.json <<'EOF' || fail "result checks"
import csv, datetime as dt, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
expected = sum(int((dt.datetime.fromisoformat(r["end_time"]) - dt.datetime.fromisoformat(r["start_time"])).total_seconds() // 60) for r in rows)
s1, s2, s3, s4 = (json.load(open(p)) for p in sys.argv[2:6])
problems = []
def want(what, got, exp):
    if got != exp:
        problems.append(f"{what}: got {got!r}, expected {exp!r}")
    else:
        print(f"ok:   {what} = {got!r}")
want("run 1 caller role", s1["caller"]["role"], "ROLE_ADMIN")
want("run 1 volunteer replayed", s1["volunteer_replayed"], False)
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
for name, s in (("run 2", s2), ("run 3 (valgrind)", s3)):
    want(f"{name} volunteer replayed", s["volunteer_replayed"], True)
    want(f"{name} upload replayed", s["upload"], {"accepted": 0, "replayed": len(rows), "refused": 0})
    for k in ("volunteer_number", "activity_id", "approved_minutes", "approved_records", "uploaded_minutes"):
        want(f"{name} same {k}", s[k], s1[k])
    want(f"{name} same evaluation", s["evaluation"], s1["evaluation"])
    want(f"{name} same credential", s["credential"]["number"], s1["credential"]["number"])
    want(f"{name} export credential count", s["export"]["credentials"], 1)
want("run 4 (ASan, run id t2) new volunteer", s4["volunteer_number"] != s1["volunteer_number"], True)
want("run 4 upload accepted", s4["upload"], {"accepted": len(rows), "replayed": 0, "refused": 0})
want("run 4 evaluation lifetime minutes", s4["evaluation"]["lifetime_minutes"], expected)
want("run 4 evidence digest recomputed", s4["evidence"]["digest_matches"], True)
want("run 4 export credential count", s4["export"]["credentials"], 2)
if problems:
    print("\n".join("FAIL: " + p for p in problems)); sys.exit(1)
EOF

for d in export1 export2 export3 export4; do
  for f in jwks.json credentials.jsonl manifest.jwt status-lists/revocation.jwt status-lists/suspension.jwt; do
    [[ -s $work/$d/$f ]] || fail "$d: export file $f missing or empty"
  done
  n=$(find "$work/$d" -type f | wc -l)
  [[ $n == 5 ]] || fail "$d holds $n files, expected exactly 5"
done
cmp -s "$work/export1/jwks.json" "$work/export2/jwks.json" || fail "jwks.json differs between exports"
cmp -s "$work/export1/credentials.jsonl" "$work/export2/credentials.jsonl" || fail "credentials.jsonl differs between exports"
cmp -s "$work/export1/credentials.jsonl" "$work/export3/credentials.jsonl" || fail "credentials.jsonl differs (valgrind run)"
[[ $(wc -l <"$work/export1/credentials.jsonl") == 1 ]] || fail "credentials.jsonl does not hold exactly 1 line"
[[ $(wc -l <"$work/export4/credentials.jsonl") == 2 ]] || fail "export4/credentials.jsonl does not hold exactly 2 lines"
pass "export files present (exactly 5 each); credentials.jsonl has 1 line, identical in exports 1-3; 2 lines after run t2"

if [[ -n $vol_admin ]]; then
  echo "--- vol-admin credential verify"
  "$vol_admin" credential verify "$work/export1" || fail "vol-admin credential verify export1"
  for d in export2 export3 export4; do
    "$vol_admin" credential verify "$work/$d" >/dev/null || fail "vol-admin credential verify $d"
  done
  pass "vol-admin credential verify passed for all four exports"
else
  echo "skip: vol-admin credential verify (no vol-admin binary given)"
fi

echo "--- protocol checks under valgrind"
"${vg[@]}" "$checks" --port "$port" --pki "$pki" 2>"$work/valgrind-checks.log" \
  || { cat "$work/valgrind-checks.log"; fail "protocol checks under valgrind"; }
[[ ! -s $work/valgrind-checks.log ]] || { cat "$work/valgrind-checks.log"; fail "valgrind reported problems in vrs-checks"; }
pass "vrs-checks under valgrind: no errors, no definite/indirect leaks"

echo "--- protocol checks, ASan+UBSan build (the last one sends SIGTERM to the server)"
"$checks_asan" --port "$port" --pki "$pki" --sigterm-pid "$server_pid" 2>"$work/asan-checks.log" \
  || { cat "$work/asan-checks.log"; fail "protocol checks (ASan)"; }
[[ ! -s $work/asan-checks.log ]] || { cat "$work/asan-checks.log"; fail "ASan/UBSan reported problems in vrs-checks"; }
pass "vrs-checks as the ASan+UBSan build: clean"

stop_server "$work/server.log"   # already signalled by vrs-checks; waits for its exit
pass "server stopped by SIGTERM, exit status 0"
grep -q "graceful shutdown" "$work/server.log" && pass "server log records the graceful shutdown"

echo "--- limits checks under valgrind: a second server with keepalive 1 s (timeout 3 s), max 4 concurrent calls"
printf '{"limits": {"keepaliveIntervalSeconds": 1, "keepaliveTimeoutSeconds": 3, "maxConcurrentCallsPerConnection": 4}}\n' \
  >"$work/limits.json"
start_server "$work/data-limits" "$work/server-limits.log" --config "$work/limits.json"
"${vg[@]}" "$checks" --port "$port" --pki "$pki" --limits-checks 2>"$work/valgrind-limits.log" \
  || { cat "$work/valgrind-limits.log"; fail "limits checks"; }
[[ ! -s $work/valgrind-limits.log ]] || { cat "$work/valgrind-limits.log"; fail "valgrind reported problems in the limits checks"; }
pass "limits checks under valgrind: clean"
stop_server "$work/server-limits.log"
pass "limits server stopped by SIGTERM, exit status 0"
failed=0
echo "ALL PASSED in $(( $(date +%s) - started )) s"
