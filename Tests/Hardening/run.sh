#!/usr/bin/env bash
# Hardening sweep of a server binary: hostile clients, TLS refusals and sslyze.
#
# Usage: Tests/Hardening/run.sh SERVER_BINARY
#   e.g. Tests/Hardening/run.sh Benchmarks/.build/release/volunteer-service
#
# Copies the binary to a scratch directory, makes a fresh PKI (certs/dev-pki.sh) and data
# directory, writes a config file with short timeouts, raises the fd limit, starts the server
# on free ports (wire protocol and --grpc-port), then runs
#   sweep.py       hostile clients with an observer and RSS sampling (README.md),
#   tls_checks.py  certificate and protocol-version refusals, wire and gRPC port,
#   sslyze         --mozilla_config intermediate against both ports,
# stops the server with SIGTERM (it must exit 0) and prints a summary. Prints ALL PASSED and
# exits 0 only when everything passed; keeps the scratch directory on failure (KEEP=1: always).
# Environment: HALF_OPEN (default 10000), SSLYZE (a command; default: python3 -m sslyze if
# importable, else a venv in ${XDG_CACHE_HOME:-~/.cache}/vrs-hardening/sslyze-venv).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[[ $# -eq 1 ]] || { sed -n '4,5s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[[ -x $1 ]] || { echo "not executable: $1" >&2; exit 2; }

started=$(date +%s)
work=$(mktemp -d /tmp/vrs-hardening.XXXXXX)
server_pid=""
failed=1
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null
  fi
  if [[ ${KEEP:-0} == 1 || $failed == 1 ]]; then echo "scratch directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
die() { echo "FAIL: $*" >&2; exit 1; }

python3 -c 'import google.protobuf' 2>/dev/null || die "python3 has no protobuf package (pip install protobuf)"
command -v openssl >/dev/null || die "openssl not found"

# sslyze pins cryptography<47: keep it in a venv of its own rather than downgrading the
# cryptography other tests (joserfc) use.
sslyze_cmd=${SSLYZE:-}
if [[ -z $sslyze_cmd ]]; then
  if python3 -c 'import sslyze' 2>/dev/null; then
    sslyze_cmd="python3 -m sslyze"
  else
    venv=${XDG_CACHE_HOME:-$HOME/.cache}/vrs-hardening/sslyze-venv
    if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import sslyze' 2>/dev/null; then
      echo "installing sslyze into $venv"
      python3 -m venv "$venv" && "$venv/bin/pip" install -q sslyze >/dev/null || die "could not install sslyze"
    fi
    sslyze_cmd="$venv/bin/python -m sslyze"
  fi
fi
sslyze_version=$($sslyze_cmd --help 2>/dev/null | grep -o 'SSLyze version [0-9.]*' || echo "unknown")

cp "$1" "$work/volunteer-service"
pki="$work/pki"
bash "$repo/certs/dev-pki.sh" "$pki" >/dev/null || die "dev-pki.sh"
# Mozilla intermediate allows server certificates of at most 366 days; dev-pki.sh issues 825
# (a development choice). Reissue the server certificate for 365 days with the same key and
# names, as a production deployment would have it, so sslyze judges the server's TLS setup.
cat > "$work/server.ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
EOF
openssl req -new -config /dev/null -key "$pki/server.key" -subj "/CN=localhost" -out "$work/server.csr" 2>/dev/null \
  && openssl x509 -req -in "$work/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
       -days 365 -sha256 -extfile "$work/server.ext" -out "$work/server-365.crt" 2>/dev/null \
  || die "could not issue the 365-day server certificate"
python3 "$here/tls_checks.py" --port 1 --pki "$pki" --work "$work/tls" --certs-only || die "tls_checks.py --certs-only"

# Short timers so every timeout case completes in seconds; revokedSerialsPath is the deny list
# tls_checks.py wrote (its revoked certificate must fail the handshake).
cat > "$work/config.json" <<EOF
{
  "revokedSerialsPath": "$work/tls/revoked-serials.txt",
  "limits": {
    "handshakeTimeoutSeconds": 2,
    "idleTimeoutSeconds": 4,
    "keepaliveIntervalSeconds": 2,
    "keepaliveTimeoutSeconds": 2,
    "gracePeriodSeconds": 3
  }
}
EOF

# 10,000 half-open connections need 10,000 descriptors on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
echo "fd limit for the server and the sweep: $(ulimit -n) (hard $(ulimit -Hn))"

# Binaries from before the gRPC port (commit 457d3a2) have no --grpc-port: its checks are skipped.
grpc_args=()
if "$work/volunteer-service" serve --help 2>/dev/null | grep -q -- '--grpc-port'; then grpc_args=(--grpc-port 0); fi
(cd "$repo" && exec "$work/volunteer-service" serve --config "$work/config.json" --data-dir "$work/data" \
   --host 127.0.0.1 --port 0 "${grpc_args[@]}" --cert "$work/server-365.crt" --key "$pki/server.key" \
   --client-ca "$pki/ca.crt" --policy-dir Policies) >"$work/server.log" 2>&1 &
server_pid=$!
port="" grpc_port=""
for _ in $(seq 100); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; die "server exited at start"; }
  port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\) \[WireProtocol\] listening.*/\1/p' "$work/server.log" | head -1)
  grpc_port=$(sed -n 's/.*\]127\.0\.0\.1:\([0-9]*\) \[VolunteerService\] listening for gRPC.*/\1/p' "$work/server.log" | head -1)
  [[ -n $port && ( -n $grpc_port || ${#grpc_args[@]} == 0 ) ]] && break
  sleep 0.1
done
[[ -n $port && ( -n $grpc_port || ${#grpc_args[@]} == 0 ) ]] || { cat "$work/server.log" >&2; die "server did not report its ports"; }
[[ -n $grpc_port ]] || { grpc_port=0; echo "this binary has no --grpc-port: gRPC-port checks SKIPPED"; }
echo "server pid $server_pid: wire 127.0.0.1:$port, gRPC 127.0.0.1:$grpc_port, fd limit $(sed -n 's/^Max open files *//p' /proc/$server_pid/limits); scratch $work"

declare -A outcome
echo; echo "=== sweep.py"
python3 "$here/sweep.py" --port "$port" --grpc-port "$grpc_port" --pki "$pki" --server-pid "$server_pid" \
  --config "$work/config.json" --half-open "${HALF_OPEN:-10000}" --json-out "$work/sweep.json" 2>&1 | tee "$work/sweep.log"
outcome[sweep]=${PIPESTATUS[0]}

echo; echo "=== tls_checks.py"
python3 "$here/tls_checks.py" --port "$port" --grpc-port "$grpc_port" --pki "$pki" --work "$work/tls" 2>&1 | tee "$work/tls.log"
outcome[tls]=${PIPESTATUS[0]}

targets=(wire:$port)
[[ $grpc_port == 0 ]] || targets+=(grpc:$grpc_port)
for target in "${targets[@]}"; do
  name=${target%%:*} p=${target#*:}
  echo; echo "=== sslyze ($sslyze_version) --mozilla_config intermediate, $name port"
  # --cert/--key: the server requires a client certificate; --certinfo_ca_file: the dev CA, so
  # the path validation is judged against the CA the server's certificate really chains to.
  $sslyze_cmd --mozilla_config intermediate --cert "$pki/admin.crt" --key "$pki/admin.key" \
    --certinfo_ca_file "$pki/ca.crt" "127.0.0.1:$p" >"$work/sslyze-$name.log" 2>&1
  outcome[sslyze-$name]=$?
  sed -n '/COMPLIANCE AGAINST/,$p' "$work/sslyze-$name.log"
  grep -A8 'TLS 1.2 Cipher Suites' "$work/sslyze-$name.log" | grep -E 'TLS_|rejected' | sed 's/^/    accepted TLS 1.2: /'
  grep -q "SCANS COMPLETED" "$work/sslyze-$name.log" || tail -20 "$work/sslyze-$name.log"
done

echo; echo "=== SIGTERM"
kill -TERM "$server_pid"
for _ in $(seq 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$server_pid" 2>/dev/null; then
  outcome[sigterm]=1; echo "server still running 15 s after SIGTERM"
else
  wait "$server_pid"; rc=$?; server_pid=""
  outcome[sigterm]=$rc; echo "server exited with status $rc"
fi

elapsed=$(( $(date +%s) - started ))
echo; echo "=== summary (${elapsed}s, sslyze $sslyze_version)"
all=0
for k in sweep tls sslyze-wire sslyze-grpc sigterm; do
  if [[ -z ${outcome[$k]:-} ]]; then echo "SKIP  $k"; continue; fi
  if [[ ${outcome[$k]} == 0 ]]; then echo "PASS  $k"; else echo "FAIL  $k (status ${outcome[$k]})"; all=1; fi
done
grep -E '^sweep: ' "$work/sweep.log" | sed 's/^/      /'
grep '^FAIL:' "$work/tls.log" | sed 's/^/      /'
for n in wire grpc; do [[ -f $work/sslyze-$n.log ]] && sed -n '/COMPLIANCE AGAINST/,$p' "$work/sslyze-$n.log" | grep -E '^ +\* ' | sed "s/^ */      sslyze $n: /"; done
if grep -vE 'info volunteer.service: address=' "$work/server.log" | grep -qiE 'error|critical|fatal'; then
  echo "      server log lines with error/critical/fatal:"; grep -iE 'error|critical|fatal' "$work/server.log" | head -20 | sed 's/^/        /'
fi
if [[ $all == 0 ]]; then failed=0; echo "ALL PASSED"; exit 0; fi
exit 1
