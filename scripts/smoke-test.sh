#!/usr/bin/env bash
# Starts the built service with a fresh PKI and data directory on a free loopback port,
# drives it with vol-admin the way an operator would, checks every answer, then stops it
# with SIGTERM and checks that it exits cleanly.
#   usage: scripts/smoke-test.sh BIN_DIR
set -euo pipefail
bin=${1:?usage: smoke-test.sh BIN_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/vrs-smoke.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
checks=0
failures=0
check() { # description, then a command that must succeed
  local what=$1; shift
  checks=$((checks + 1))
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; failures=$((failures + 1)); fi
}

bash "$root/certs/dev-pki.sh" "$work/pki" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$bin/volunteer-service" serve --data-dir "$work/data" --port "$port" \
  --cert "$work/pki/server.crt" --key "$work/pki/server.key" --client-ca "$work/pki/ca.crt" \
  >"$work/server.log" 2>&1 &
server_pid=$!

admin=(--port "$port" --cert "$work/pki/admin.crt" --key "$work/pki/admin.key" --ca "$work/pki/ca.crt")
partner=(--port "$port" --cert "$work/pki/partner.crt" --key "$work/pki/partner.key" --ca "$work/pki/ca.crt")
for _ in $(seq 1 100); do
  "$bin/vol-admin" health "${admin[@]}" >/dev/null 2>&1 && break
  sleep 0.1
done

out=$("$bin/vol-admin" health "${admin[@]}")
check "health reports serving" grep -q "serving" <<<"$out"
check "health names the bootstrap admin" grep -q "spiffe://volunteer/admin/bootstrap" <<<"$out"

set +e
"$bin/vol-admin" health "${partner[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "an unregistered partner is refused with exit 1" test "$rc" -eq 1
check "the refusal says UNAUTHENTICATED" grep -q "UNAUTHENTICATED" "$work/err"

check "admin adds the partner" "$bin/vol-admin" principal add spiffe://volunteer/partner/dev-partner \
  --role partner --scope national --name "dev partner" "${admin[@]}"
out=$("$bin/vol-admin" volunteer register --name 张三丰 --document-type resident-id \
  --document 11010519491231002x --org national --phone 13800138000 \
  --idempotency-key smoke-1 --json "${partner[@]}")
number=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("volunteer_number") or d["volunteer"]["volunteer_number"])' <<<"$out")
check "registration returns a volunteer number" grep -Eq '^V[0-9]{10}$' <<<"$number"
check "the partner sees the ID number masked" grep -q '110\*\*\*\*\*\*\*\*\*\*\*002X' <<<"$out"
check "the partner never sees the plain ID number" bash -c "! grep -q 11010519491231002X <<<'$out'"
again=$("$bin/vol-admin" volunteer register --name 张三丰 --document-type resident-id \
  --document 11010519491231002X --org national --phone 13800138000 \
  --idempotency-key smoke-1 --json "${partner[@]}")
check "a retry with the same key returns the same volunteer" grep -q "$number" <<<"$again"
set +e
"$bin/vol-admin" volunteer register --name 李四 --document-type resident-id \
  --document 11010519491231002X --org national --idempotency-key smoke-2 "${partner[@]}" 2>"$work/err"; rc=$?
set -e
check "a second registration of the same document is ALREADY_EXISTS naming $number" \
  grep -q "ALREADY_EXISTS.*$number" "$work/err"
out=$("$bin/vol-admin" volunteer show "$number" "${admin[@]}")
check "the admin sees the ID number in clear" grep -q "11010519491231002X" <<<"$out"

# The organisation tree: a province under the national root and a county under it.
set +e
"$bin/vol-admin" org create Bad_Id --parent national --kind province --name x --region 110000 \
  "${admin[@]}" >/dev/null 2>"$work/err"; rc=$?
set -e
check "org create refuses a malformed id locally with exit 2" test "$rc" -eq 2
check "admin creates a province under national" "$bin/vol-admin" org create smoke-province \
  --parent national --kind province --name "Smoke Province" --region 110000 "${admin[@]}"
out=$("$bin/vol-admin" org create smoke-county --parent smoke-province --kind county \
  --name "Smoke County" --region 110105 --json "${admin[@]}")
check "admin creates a county under the province" python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(not (d["id"] == "smoke-county" and d["parent_id"] == "smoke-province" and d["kind"] == "county" and d["depth"] == 2))
' <<<"$out"
out=$("$bin/vol-admin" org show smoke-county "${admin[@]}")
check "org show names the county's parent" grep -Eq '^parent: +smoke-province$' <<<"$out"
out=$("$bin/vol-admin" org children national "${admin[@]}")
check "org children of national lists the province" grep -Eq '^smoke-province +province +Smoke Province +110000 ' <<<"$out"
tree=$("$bin/vol-admin" org tree "${admin[@]}")
indent() { # the indentation of the tree line of organisation $1, empty if there is none
  awk -v id="$1" '{ n = match($0, /[^ ]/) - 1; split(substr($0, n + 1), f, " "); if (f[1] == id) print n }' <<<"$tree"
}
province_indent=$(indent smoke-province)
county_indent=$(indent smoke-county)
check "org tree shows the province" grep -Eq '^ *smoke-province  Smoke Province  \(province, 110000\)$' <<<"$tree"
check "org tree shows the county" grep -Eq '^ *smoke-county  Smoke County  \(county, 110105\)$' <<<"$tree"
check "org tree indents the county two spaces deeper than the province" \
  test "${county_indent:--1}" -eq "$((${province_indent:--9} + 2))"
check "org tree starts at the scope's root, unindented" grep -q '^national  ' <<<"$tree"

# Disabling the partner locks it out, also on its next call; enabling lets it back in.
out=$("$bin/vol-admin" principal disable spiffe://volunteer/partner/dev-partner "${admin[@]}")
check "principal disable reports the partner disabled" grep -Eq '^enabled: +no$' <<<"$out"
set +e
"$bin/vol-admin" volunteer show "$number" "${partner[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "a disabled partner's call fails with exit 1" test "$rc" -eq 1
check "the disabled partner is refused as UNAUTHENTICATED" grep -q "UNAUTHENTICATED" "$work/err"
out=$("$bin/vol-admin" principal enable spiffe://volunteer/partner/dev-partner "${admin[@]}")
check "principal enable reports the partner enabled" grep -Eq '^enabled: +yes$' <<<"$out"
set +e
out=$("$bin/vol-admin" volunteer show "$number" "${partner[@]}" 2>"$work/err"); rc=$?
set -e
check "the enabled partner's call works again" test "$rc" -eq 0
check "the enabled partner sees the volunteer" grep -q "$number" <<<"$out"

kill -TERM "$server_pid"
set +e
wait "$server_pid"; rc=$?
set -e
server_pid=
check "SIGTERM shuts the service down cleanly (exit 0)" test "$rc" -eq 0
check "no plain ID number in the server log" bash -c "! grep -q 11010519491231002X '$work/server.log'"

echo "smoke: $((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
