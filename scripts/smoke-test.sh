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
restored_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$restored_pid" ] && kill "$restored_pid" 2>/dev/null || true
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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# start_service DATA_DIR PORT LOG [SERVE_ARGS...]: starts the service with the run's PKI,
# appending to LOG, waits until it answers the admin, and leaves its pid in started_pid.
start_service() {
  local dir=$1 service_port=$2 log=$3
  shift 3
  "$bin/volunteer-service" serve --data-dir "$dir" --port "$service_port" \
    --cert "$work/pki/server.crt" --key "$work/pki/server.key" --client-ca "$work/pki/ca.crt" \
    --policy-dir "$root/Policies" "$@" >>"$log" 2>&1 &
  started_pid=$!
  for _ in $(seq 1 100); do
    "$bin/vol-admin" health --port "$service_port" --cert "$work/pki/admin.crt" \
      --key "$work/pki/admin.key" --ca "$work/pki/ca.crt" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
}

bash "$root/certs/dev-pki.sh" "$work/pki" >/dev/null
port=$(free_port)
metrics_port=$(free_port)
admin=(--port "$port" --cert "$work/pki/admin.crt" --key "$work/pki/admin.key" --ca "$work/pki/ca.crt")
partner=(--port "$port" --cert "$work/pki/partner.crt" --key "$work/pki/partner.key" --ca "$work/pki/ca.crt")
# JSON logs at debug level (a line per call) and the metrics endpoint, checked at the end.
start_service "$work/data" "$port" "$work/server.log" \
  --metrics-port "$metrics_port" --log-format json --log-level debug
server_pid=$started_pid

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

# Activities and the hours ledger: an activity that ran from 7 h to 1 h ago (Asia/Shanghai).
activity_start=$(( $(date +%s) / 60 * 60 - 7 * 3600 ))
at() { # an ISO 8601 time with +08:00, $1 minutes from the activity's start
  python3 -c 'import datetime, sys
tz = datetime.timezone(datetime.timedelta(hours=8))
start = datetime.datetime.fromtimestamp(int(sys.argv[1]), tz)
print((start + datetime.timedelta(minutes=int(sys.argv[2]))).isoformat())' "$activity_start" "$1"
}
json_field() { # prints field $1 of the JSON object on stdin
  python3 -c 'import json, sys; v = json.load(sys.stdin)[sys.argv[1]]; print("" if v is None else v)' "$1"
}
out=$("$bin/vol-admin" activity create --org smoke-county --title "社区读书会, smoke" \
  --category education --region 110105 --place "Chaoyang Library" --start "$(at 0)" \
  --end "$(at 360)" --planned-hours 2.5 --person-in-charge 王芳 --idempotency-key smoke-act-1 \
  --json "${partner[@]}")
activity=$(json_field id <<<"$out")
check "activity create returns an activity id" grep -Eq '^A[0-9]{9}$' <<<"$activity"
check "a new activity is a draft" test "$(json_field status <<<"$out")" = draft
check "activity create sends the planned hours in minutes" test "$(json_field planned_minutes <<<"$out")" = 150
set +e
"$bin/vol-admin" hours log --volunteer "$number" --activity "$activity" --start "$(at 180)" \
  --end "$(at 320)" --content "Read to children" "${partner[@]}" >/dev/null 2>"$work/err"; rc=$?
set -e
check "hours against a draft activity are refused with exit 1" test "$rc" -eq 1
check "the refusal says the activity must be published" grep -q "published" "$work/err"
out=$("$bin/vol-admin" activity publish "$activity" "${partner[@]}")
check "activity publish reports it published" grep -Eq '^status: +published$' <<<"$out"
out=$("$bin/vol-admin" hours log --volunteer "$number" --activity "$activity" --start "$(at 180)" \
  --end "$(at 320)" --content "Read to children" --idempotency-key smoke-h1 --json "${partner[@]}")
record=$(json_field id <<<"$out")
check "hours log returns a record id" grep -Eq '^R[0-9]{9}$' <<<"$record"
check "the record is pending, 140 minutes, credited 2.5 h" python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(not (d["status"] == "pending" and d["minutes"] == 140 and d["credited_half_hours"] == 5 and d["credited_hours"] == 2.5))
' <<<"$out"
again=$("$bin/vol-admin" hours log --volunteer "$number" --activity "$activity" --start "$(at 180)" \
  --end "$(at 320)" --content "Read to children" --idempotency-key smoke-h1 --json "${partner[@]}")
check "a retry of hours log with the same key returns the same record" test "$(json_field id <<<"$again")" = "$record"
out=$("$bin/vol-admin" hours log --volunteer "$number" --activity "$activity" --start "$(at 330)" \
  --end "$(at 350)" --content "Stacked chairs" --idempotency-key smoke-h2 --json "${partner[@]}")
rejected=$(json_field id <<<"$out")
out=$("$bin/vol-admin" hours approve "$record" --note "checked" "${admin[@]}")
check "hours approve approves the record" grep -Eq "^$record +approved +$number +2\.5 +checked$" <<<"$out"
out=$("$bin/vol-admin" hours reject "$rejected" --reason "not at the activity" "${admin[@]}")
check "hours reject rejects the other record" grep -Eq "^$rejected +rejected " <<<"$out"
set +e
"$bin/vol-admin" hours approve "$record" "${admin[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "approving the approved record again (a retry) answers with it unchanged (exit 0)" test "$rc" -eq 0
set +e
"$bin/vol-admin" hours reject "$record" --reason "second thoughts" "${admin[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "rejecting an approved record is refused with exit 1 (approved records never change)" test "$rc" -eq 1
out=$("$bin/vol-admin" hours list "$number" "${partner[@]}")
check "hours list shows the approved record with 2.5 h" grep -Eq "^$record +approved +$activity .* 140 +2\.5 " <<<"$out"
check "hours list shows the rejected record" grep -Eq "^$rejected +rejected .*not at the activity$" <<<"$out"
check "hours list totals: 1 approved record" grep -Eq '^approved records: +1$' <<<"$out"
check "hours list totals: 140 approved minutes" grep -Eq '^approved minutes: +140$' <<<"$out"
check "hours list totals: 2.5 approved hours" grep -Eq '^approved hours: +2\.5$' <<<"$out"
out=$("$bin/vol-admin" hours list "$number" --json "${admin[@]}")
check "hours list --json has the totals" python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(not (len(d["records"]) == 2 and d["approved_records"] == 1 and d["approved_minutes"] == 140
  and d["approved_credited_half_hours"] == 5 and d["approved_hours"] == 2.5))
' <<<"$out"
out=$("$bin/vol-admin" stats "${admin[@]}")
check "stats counts the approved record and its 140 minutes" \
  bash -c 'grep -Eq "^approved records: +1$" <<<"$1" && grep -Eq "^approved minutes: +140$" <<<"$1"' _ "$out"
out=$("$bin/vol-admin" evaluate "$number" "${partner[@]}")
check "evaluate credits the approved 2.5 h under the national policy v1, no star yet" bash -c \
  'grep -Eq "^lifetime hours: +2\.5$" <<<"$1" && grep -Eq "^policy: +national v1$" <<<"$1" && grep -Eq "^star level: +\(0\)$" <<<"$1" && grep -Eq "^next star at: +100 h$" <<<"$1"' _ "$out"
out=$("$bin/vol-admin" evaluate "$number" --policy beijing --json "${admin[@]}")
check "evaluate --policy beijing --json names the policy and counts 1 record" python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(not (d["policy_id"] == "beijing" and d["approved_records"] == 1 and d["lifetime_minutes"] == 140))
' <<<"$out"
out=$("$bin/vol-admin" policy list "${admin[@]}")
check "policy list shows the shipped national (default) and beijing policies" bash -c \
  'grep -Eq "^national +1 +yes " <<<"$1" && grep -Eq "^beijing +1 " <<<"$1"' _ "$out"
sed -e 's/"version": 1/"version": 2/' -e 's/"gold_hours": 75 }/"gold_hours": 20 }/' \
  "$root/Policies/national.json" >"$work/bad-policy.json"
set +e
"$bin/vol-admin" policy load "$work/bad-policy.json" "${admin[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "policy load refuses a malformed document (exit 1) naming the field" bash -c \
  "test $rc -eq 1 && grep -q 'annual_tiers\[0\].gold_hours' '$work/err'"
"$bin/vol-admin" policy show national "${admin[@]}" >"$work/national.json"
check "policy show prints the running document, unchanged by the refused load" \
  grep -q '"version" : 1' "$work/national.json"
out=$("$bin/vol-admin" hours correct "$record" --adjust-minutes -20 --reason "left early" \
  --idempotency-key smoke-correct "${admin[@]}")
check "hours correct makes an adjustment of -20 minutes referencing the record" \
  bash -c 'grep -Eq "^kind: +adjustment$" <<<"$1" && grep -Eq "^minutes: +-20$" <<<"$1" && grep -Eq "^corrects: +$2$" <<<"$1"' _ "$out" "$record"
out=$("$bin/vol-admin" hours list "$number" "${admin[@]}")
check "the totals follow the correction: 120 approved minutes, 2.0 h" \
  bash -c 'grep -Eq "^approved minutes: +120$" <<<"$1" && grep -Eq "^approved hours: +2\.0$" <<<"$1"' _ "$out"
set +e
"$bin/vol-admin" hours correct "$record" --reverse --adjust-minutes 5 --reason x "${admin[@]}" 2>/dev/null; rc=$?
set -e
check "hours correct refuses --reverse with --adjust-minutes (exit 2)" test "$rc" -eq 2
out=$("$bin/vol-admin" activity list --org smoke-province "${admin[@]}")
check "activity list shows the published activity" grep -Eq "^$activity +published +education +smoke-county " <<<"$out"

# Bulk import of the example volunteers into the organisations the example expects.
"$bin/vol-admin" org create org-beijing --parent national --kind province \
  --name 北京市志愿者联合会 --region 110000 "${admin[@]}" >/dev/null
"$bin/vol-admin" org create org-bj-chaoyang --parent org-beijing --kind county \
  --name 朝阳区志愿者协会 --region 110105 "${admin[@]}" >/dev/null
examples="$root/examples/volunteers.csv"
set +e
"$bin/vol-admin" import volunteers "$examples" --strict --report "$work/strict.csv" \
  "${partner[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "import --strict refuses a file with a bad row with exit 2" test "$rc" -eq 2
check "import names the bad row's line and its reason" grep -q "line 30: document_number: the check character" "$work/err"
out=$("$bin/vol-admin" volunteer list --org org-beijing --json "${admin[@]}")
check "import --strict sent nothing" test "$(python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' <<<"$out")" -eq 0
set +e
"$bin/vol-admin" import volunteers "$examples" --report "$work/volunteers.refused.csv" \
  "${partner[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "import volunteers exits 1 because rows were refused" test "$rc" -eq 1
check "import volunteers: 30 rows" grep -Eq '^rows: +30$' "$work/out"
check "import volunteers: 28 accepted" grep -Eq '^accepted: +28$' "$work/out"
check "import volunteers: 0 already present" grep -Eq '^already present: +0$' "$work/out"
check "import volunteers: 2 refused" grep -Eq '^refused: +2$' "$work/out"
check "import volunteers: 1 refused by the local checks" grep -Eq '^refused locally: +1$' "$work/out"
check "import volunteers prints plain progress lines when stderr is not a terminal" \
  grep -q '^registering: 100% (29/29 rows' "$work/err"
check "the report lists the two refused rows with their reasons" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
by_line = {r["line"]: r for r in rows}
sys.exit(not (len(rows) == 2 and by_line["30"]["code"] == "LOCAL" and by_line["31"]["code"] == "NOT_FOUND"
  and "org-shanghai" in by_line["31"]["reason"] and by_line["31"]["real_name"] == "冯雪梅"))
' "$work/volunteers.refused.csv"
set +e
"$bin/vol-admin" import volunteers "$examples" --report "$work/volunteers.refused.csv" \
  "${partner[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "a rerun of import volunteers registers nothing new" grep -Eq '^accepted: +0$' "$work/out"
check "a rerun reports all 28 as already present" grep -Eq '^already present: +28$' "$work/out"
check "a rerun refuses nothing new" grep -Eq '^refused: +2$' "$work/out"
volunteers=$("$bin/vol-admin" volunteer list --org org-beijing --page-size 5 --all --json "${admin[@]}")
check "volunteer list --all follows the pages to all 28 imported volunteers" \
  test "$(python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' <<<"$volunteers")" -eq 28
out=$("$bin/vol-admin" volunteer list --org org-beijing --page-size 5 "${admin[@]}" 2>"$work/err")
check "volunteer list without --all prints one page" test "$(wc -l <<<"$out")" -eq 6
check "volunteer list says how to get the next page" grep -q -- "--page-token" "$work/err"
out=$("$bin/vol-admin" volunteer list --org org-bj-chaoyang "${admin[@]}")
check "the example's minor was registered with the guardian's consent" grep -q "韩雨桐" \
  <(python3 -c 'import json, sys; print([v["real_name"] for v in json.load(sys.stdin) if v["guardian_consent"]])' <<<"$volunteers")
check "volunteer list shows a passport holder with quotes in the name" grep -q 'Yuki "Koko" Tanaka' <<<"$out"

# Bulk hours for the imported volunteers: CRLF, a byte order mark, quoted fields with commas,
# doubled quotes and a line break; one row refused locally, one by the service.
printf '%s' "$volunteers" >"$work/volunteers.json"
python3 - "$activity" "$(at 0)" "$work/hours.csv" "$work/volunteers.json" <<'PY'
import datetime, json, sys
activity, start, path = sys.argv[1], datetime.datetime.fromisoformat(sys.argv[2]), sys.argv[3]
volunteers = json.load(open(sys.argv[4], encoding="utf-8"))
t = lambda minutes: (start + datetime.timedelta(minutes=minutes)).isoformat()
rows = ["volunteer_number,activity_id,start_time,end_time,content"]
for v in volunteers:
    n = v["volunteer_number"]
    rows.append(f'{n},{activity},{t(0)},{t(70)},"Sorted donations, then ""story time""\r\nfor kids"')
    rows.append(f'{n},{activity},{t(90)},{t(150)},Tidied up')
rows.append(f'{n},{activity},{t(200)},{t(190)},ends before it starts')
rows.append(f'{n},{activity},{t(-120)},{t(-60)},before the activity window')
open(path, "w", encoding="utf-8", newline="").write("\ufeff" + "\r\n".join(rows) + "\r\n")
PY
first=$(python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["volunteer_number"])' <<<"$volunteers")
set +e
"$bin/vol-admin" import hours "$work/hours.csv" --batch-size 20 "${partner[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "import hours exits 1 because rows were refused" test "$rc" -eq 1
check "import hours: 58 rows" grep -Eq '^rows: +58$' "$work/out"
check "import hours: 56 accepted" grep -Eq '^accepted: +56$' "$work/out"
check "import hours: 2 refused, 1 of them locally" \
  bash -c "grep -Eq '^refused: +2$' '$work/out' && grep -Eq '^refused locally: +1$' '$work/out'"
check "import hours writes the report next to the file by default" test -f "$work/hours.refused.csv"
check "the service's refusal names the activity window" grep -q "activity window" "$work/hours.refused.csv"
set +e
"$bin/vol-admin" import hours "$work/hours.csv" --batch-size 20 "${partner[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "a rerun of import hours logs nothing new" grep -Eq '^accepted: +0$' "$work/out"
check "a rerun reports all 56 records as already present" grep -Eq '^already present: +56$' "$work/out"
check "a rerun of import hours refuses nothing new" grep -Eq '^refused: +2$' "$work/out"
out=$("$bin/vol-admin" hours list "$first" --json "${admin[@]}")
check "quoted CSV fields arrive intact (comma, doubled quotes, line break)" python3 -c '
import json, sys
d = json.load(sys.stdin)
contents = sorted(r["content"] for r in d["records"])
sys.exit(not (contents == ["Sorted donations, then \"story time\"\nfor kids", "Tidied up"]
  and all(r["status"] == "pending" for r in d["records"])))
' <<<"$out"

# Transfer and withdrawal.
out=$("$bin/vol-admin" volunteer transfer "$first" --to smoke-county --reason "moved house" --json "${partner[@]}")
check "volunteer transfer moves the volunteer and keeps the history" python3 -c '
import json, sys
d = json.load(sys.stdin)
t = d["transfers"]
sys.exit(not (d["organisation_id"] == "smoke-county" and len(t) == 1 and t[0]["reason"] == "moved house"))
' <<<"$out"
set +e
"$bin/vol-admin" volunteer withdraw "$first" "${admin[@]}" </dev/null >"$work/out" 2>"$work/err"; rc=$?
set -e
check "volunteer withdraw without --yes refuses when stdin is not a terminal (exit 2)" test "$rc" -eq 2
out=$("$bin/vol-admin" volunteer withdraw "$first" --yes --json "${admin[@]}")
check "volunteer withdraw --yes withdraws and clears the name" python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(not (d["withdrawn_at"] and d["real_name"] == "" and d["document_number"] == ""))
' <<<"$out"
out=$("$bin/vol-admin" volunteer list --org smoke-county --json "${admin[@]}")
check "volunteer list leaves the withdrawn volunteer out" bash -c "! grep -q '$first' <<<'$out'"
out=$("$bin/vol-admin" volunteer list --org smoke-county --include-withdrawn "${admin[@]}")
check "volunteer list --include-withdrawn shows them" grep -q "^$first " <<<"$out"

# Credentials: issue, show, verify a token, evidence, offline bundles (tampering, suspension),
# reinstatement, revocation and key rotation. All as the admin; `credential verify` is offline.
kv() { # the value of the "KEY:" line of vol-admin's key-value output on stdin
  python3 -c 'import sys
key = sys.argv[1] + ":"
for line in sys.stdin:
    if line.startswith(key):
        print(line[len(key):].strip())
        break' "$1"
}
has_line_starting() { # true if a line of file $1 starts with the literal text $2
  awk -v p="$2" 'index($0, p) == 1 { found = 1 } END { exit !found }' "$1"
}
export -f kv has_line_starting  # for the checks that run in `bash -c`
out=$("$bin/vol-admin" credential issue "$number" --idempotency-key smoke-cred-1 --json "${admin[@]}")
printf '%s' "$out" >"$work/credential.json"
credential=$(json_field number <<<"$out")
check "credential issue returns an active credential for $number with a token and an evidence digest" python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(not (d["number"] and d["volunteer_number"] == sys.argv[1] and d["status"] == "active"
  and d["token"].count(".") == 2 and d["evidence_digest"].startswith("sha256-")
  and d["evidence_records"] >= 1 and d["valid_until"]))
' "$number" <<<"$out"
again=$("$bin/vol-admin" credential issue "$number" --idempotency-key smoke-cred-1 --json "${admin[@]}")
check "a retry of credential issue with the same key returns the same credential" \
  test "$(json_field number <<<"$again")" = "$credential"
out=$("$bin/vol-admin" credential show "$credential" "${admin[@]}")
check "credential show prints the credential, active, for $number" bash -c \
  'test "$(kv number <<<"$1")" = "$2" && test "$(kv status <<<"$1")" = active && test "$(kv volunteer <<<"$1")" = "$3"' \
  _ "$out" "$credential" "$number"
"$bin/vol-admin" credential show "$credential" --token "${admin[@]}" >"$work/credential.jwt"
check "credential show --token prints only the compact JWS, on one line" bash -c \
  "test \$(wc -l <'$work/credential.jwt') -eq 1 && grep -Eq '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' '$work/credential.jwt'"
set +e
"$bin/vol-admin" credential verify-token - "${admin[@]}" <"$work/credential.jwt" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "verify-token accepts the new credential (exit 0, valid: yes, status active)" bash -c \
  'test "$2" -eq 0 && test "$(kv valid <"$1")" = yes && test "$(kv status <"$1")" = active' _ "$work/out" "$rc"

out=$("$bin/vol-admin" credential evidence "$credential" --out "$work/evidence.txt" "${admin[@]}")
check "credential evidence recomputes the credential's evidence digest (match: yes)" bash -c \
  'test "$(kv match <<<"$1")" = yes && test "$(kv "computed digest" <<<"$1")" = "$(kv "credential digest" <<<"$1")"' _ "$out"
check "the evidence file is the canonical text and lists the approved record $record" bash -c \
  "test \"\$(head -n 1 '$work/evidence.txt')\" = vrs-evidence-v1 && grep -Eq '^$record,[0-9]+$' '$work/evidence.txt'"
check "the evidence file hashes (independently, in Python) to the credential's digest" python3 -c '
import base64, hashlib, json, sys
digest = base64.b64encode(hashlib.sha256(open(sys.argv[1], "rb").read()).digest()).decode()
sys.exit(not ("sha256-" + digest == json.load(open(sys.argv[2]))["evidence_digest"]))
' "$work/evidence.txt" "$work/credential.json"

set +e
"$bin/vol-admin" credential export --out "$work/bundle" "${admin[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "credential export writes a bundle whose self-check passes (exit 0)" bash -c \
  'test "$2" -eq 0 && test "$(kv self-check <"$1")" = passed && test "$(kv credentials <"$1")" = 1' _ "$work/out" "$rc"
check "credential export prints plain progress lines when stderr is not a terminal" \
  grep -q '^exporting: 100% (1/1 ' "$work/err"
check "the bundle holds the key set, both status lists, the credentials and the manifest" bash -c \
  "cd '$work/bundle' && test -s jwks.json -a -s status-lists/revocation.jwt -a -s status-lists/suspension.jwt -a -s credentials.jsonl -a -s manifest.jwt"
check "credentials.jsonl has one line, for $credential, with its token" python3 -c '
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
token = open(sys.argv[3]).read().strip()
sys.exit(not (len(lines) == 1 and json.loads(lines[0])["number"] == sys.argv[2] and json.loads(lines[0])["token"] == token))
' "$work/bundle/credentials.jsonl" "$credential" "$work/credential.jwt"
set +e
"$bin/vol-admin" credential export --out "$work/bundle" "${admin[@]}" >/dev/null 2>"$work/err"; rc=$?
set -e
check "credential export refuses a directory that is not empty (exit 2)" test "$rc" -eq 2
set +e
"$bin/vol-admin" credential verify "$work/bundle" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "credential verify passes the untouched bundle offline (exit 0)" bash -c \
  'test "$2" -eq 0 && test "$(kv result <"$1")" = passed && grep -q "^credentials: 1, valid: 1, revoked: 0, suspended: 0, invalid: 0, bundle problems: 0$" "$1"' \
  _ "$work/out" "$rc"
# Interop: a third-party JOSE library (Python joserfc) verifies the service's export with
# nothing but the exported key set.
set +e
python3 "$root/Tests/Interop/verify_with_joserfc.py" "$work/bundle" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "Python joserfc verifies the exported credential, manifest and status lists with the JWKS alone" \
  bash -c 'test "$2" -eq 0 && grep -q "credentials verified with joserfc: 1; revoked: 0; suspended: 0" "$1"' _ "$work/out" "$rc"
python3 - "$work/bundle/credentials.jsonl" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0x01
open(path, "wb").write(bytes(data))
PY
set +e
"$bin/vol-admin" credential verify "$work/bundle" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "credential verify catches one flipped byte in credentials.jsonl (exit 1)" bash -c \
  'test "$2" -eq 1 && has_line_starting "$1" "bundle problem: credentials.jsonl: " && [[ "$(kv result <"$1")" == FAILED* ]]' \
  _ "$work/out" "$rc"

out=$("$bin/vol-admin" credential suspend "$credential" --reason "records under review" "${admin[@]}")
check "credential suspend reports the credential suspended with the reason" bash -c \
  'test "$(kv status <<<"$1")" = suspended && test "$(kv "status reason" <<<"$1")" = "records under review"' _ "$out"
set +e
"$bin/vol-admin" credential verify-token - "${admin[@]}" <"$work/credential.jwt" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "verify-token rejects the suspended credential (exit 1, valid: no)" bash -c \
  'test "$2" -eq 1 && test "$(kv valid <"$1")" = no' _ "$work/out" "$rc"
set +e
"$bin/vol-admin" credential export --out "$work/bundle-suspended" "${admin[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "a bundle exported after the suspension self-checks as intact but withdrawn (exit 0)" bash -c \
  'test "$2" -eq 0 && test "$(kv self-check <"$1")" = "passed except withdrawn credentials (1 suspended, 0 revoked)"' \
  _ "$work/out" "$rc"
set +e
"$bin/vol-admin" credential verify "$work/bundle-suspended" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "credential verify fails that bundle (exit 1) naming $credential as suspended" bash -c \
  'test "$2" -eq 1 && has_line_starting "$1" "suspended: $3 (line 1): " && grep -q "^credentials: 1, valid: 0, revoked: 0, suspended: 1, invalid: 0, bundle problems: 0$" "$1"' \
  _ "$work/out" "$rc" "$credential"

out=$("$bin/vol-admin" credential reinstate "$credential" --reason "review closed" "${admin[@]}")
check "credential reinstate makes the credential active again" test "$(kv status <<<"$out")" = active
set +e
"$bin/vol-admin" credential verify-token - "${admin[@]}" <"$work/credential.jwt" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "verify-token accepts the reinstated credential again (exit 0, valid: yes)" bash -c \
  'test "$2" -eq 0 && test "$(kv valid <"$1")" = yes' _ "$work/out" "$rc"
set +e
"$bin/vol-admin" credential revoke "$credential" --reason "issued in error" "${admin[@]}" </dev/null >/dev/null 2>"$work/err"; rc=$?
set -e
check "credential revoke without --yes refuses when stdin is not a terminal (exit 2)" test "$rc" -eq 2
out=$("$bin/vol-admin" credential show "$credential" "${admin[@]}")
check "the refused revoke changed nothing" test "$(kv status <<<"$out")" = active
out=$("$bin/vol-admin" credential revoke "$credential" --reason "issued in error" --yes "${admin[@]}")
check "credential revoke --yes revokes the credential" test "$(kv status <<<"$out")" = revoked
set +e
"$bin/vol-admin" credential verify-token - "${admin[@]}" <"$work/credential.jwt" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "verify-token rejects the revoked credential (exit 1, valid: no, status revoked)" bash -c \
  'test "$2" -eq 1 && test "$(kv valid <"$1")" = no && test "$(kv status <"$1")" = revoked' _ "$work/out" "$rc"
set +e
"$bin/vol-admin" credential reinstate "$credential" --reason "try" "${admin[@]}" >/dev/null 2>"$work/err"; rc=$?
set -e
check "a revoked credential cannot be reinstated (exit 1)" test "$rc" -eq 1

out=$("$bin/vol-admin" keys list --json "${admin[@]}")
check "keys list shows one key, the signing key" python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(not (len(d["keys"]) == 1 and d["keys"][0]["signing"] and d["keys"][0]["kid"] == d["signing_kid"]))
' <<<"$out"
old_kid=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["signing_kid"])' <<<"$out")
out=$("$bin/vol-admin" keys rotate "${admin[@]}")
check "keys rotate names the new key" grep -Eq '^new key: +[A-Za-z0-9_-]{43}$' <<<"$out"
out=$("$bin/vol-admin" keys list --json "${admin[@]}")
check "the new key is published before it signs: the old key still signs for the next hour" \
  python3 -c 'import json, sys; sys.exit(json.load(sys.stdin)["signing_kid"] != sys.argv[1])' "$old_kid" <<<"$out"
check "keys list shows 2 keys after the rotation, exactly one of them signing" python3 -c '
import json, sys
d = json.load(sys.stdin)
kids = [k["kid"] for k in d["keys"]]
sys.exit(not (len(kids) == 2 and len(set(kids)) == 2 and sum(k["signing"] for k in d["keys"]) == 1 and d["signing_kid"] in kids))
' <<<"$out"
out=$("$bin/vol-admin" keys export-jwks --out "$work/jwks.json" "${admin[@]}")
check "keys export-jwks reports writing both keys" grep -Eq "^wrote .*: [0-9]+ bytes, 2 keys" <<<"$out"
check "the exported JWKS holds both keys" python3 -c '
import json, sys
sys.exit(len(json.load(open(sys.argv[1]))["keys"]) != 2)
' "$work/jwks.json"

# The audit log: every change above is one chained entry; it verifies online and, exported, offline.
out=$("$bin/vol-admin" audit verify "${admin[@]}")
check "audit verify passes after the whole session" grep -q "^result: passed" <<<"$out"
check "audit verify compared rows with the chain" grep -Eq "^rows: +[1-9][0-9]*$" <<<"$out"
out=$("$bin/vol-admin" audit checkpoint --json "${admin[@]}")
check "audit checkpoint signs the head" python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(not (int(d["size"]) > 10 and d["token"].count(".") == 2))
' <<<"$out"
out=$("$bin/vol-admin" audit export --out "$work/audit.jsonl" "${admin[@]}")
check "audit export writes the file" grep -Eq "^wrote .*audit.jsonl: [0-9]+ lines" <<<"$out"
check "no plain ID number in the audit export" bash -c "! grep -q 11010519491231002X '$work/audit.jsonl'"
out=$("$bin/vol-admin" audit verify --file "$work/audit.jsonl" --jwks "$work/jwks.json")
check "the export verifies offline against the exported JWKS" grep -q "^result: passed" <<<"$out"
sed 's/"method":"volunteer.v1.Volunteers\/RegisterVolunteer"/"method":"volunteer.v1.Volunteers\/WithdrawVolunteer"/' \
  "$work/audit.jsonl" > "$work/audit-edited.jsonl"
set +e
"$bin/vol-admin" audit verify --file "$work/audit-edited.jsonl" >"$work/out" 2>&1; rc=$?
set -e
check "an edited export fails offline verification (exit 1)" test "$rc" -eq 1
check "the failure names the changed entry" grep -q "content does not match its hash" "$work/out"

# Operations endpoint: health for load balancers, Prometheus metrics of the session above.
out=$(curl -sS "http://127.0.0.1:$metrics_port/health")
check "GET /health says serving" test "$out" = "serving"
curl -sS "http://127.0.0.1:$metrics_port/metrics" >"$work/metrics.txt"
check "metrics count the session's registrations by method and code" \
  grep -Eq '^volunteer_rpc_calls_total\{.*method="volunteer.v1.Volunteers/RegisterVolunteer".*\} [1-9]' "$work/metrics.txt"
check "metrics count the refused calls by code" \
  grep -Eq '^volunteer_rpc_calls_total\{.*code="UNAUTHENTICATED".*\} [1-9]' "$work/metrics.txt"
check "metrics hold call latency histograms" grep -q '^volunteer_rpc_call_duration_seconds_bucket{' "$work/metrics.txt"
check "metrics hold group-commit batch sizes" grep -Eq '^volunteer_store_commit_batch_size_count [1-9]' "$work/metrics.txt"
check "metrics hold the open connections gauge" grep -q '^volunteer_wire_connections ' "$work/metrics.txt"
check "every server log line is a JSON object; each call has a request id" python3 -c '
import json, sys
calls = 0
for line in open(sys.argv[1], encoding="utf-8"):
    record = json.loads(line)
    assert {"time", "level", "logger", "message"} <= record.keys(), line
    if record["message"] == "call":
        assert len(record["request-id"]) == 16 and record["method"] and record["code"], line
        calls += 1
sys.exit(calls < 50)
' "$work/server.log"

kill -TERM "$server_pid"
set +e
wait "$server_pid"; rc=$?
set -e
server_pid=
check "SIGTERM shuts the service down cleanly (exit 0)" test "$rc" -eq 0

# Personal-data key rotation: refused while the service holds the data directory, then, with
# it stopped, every ID and phone re-sealed under a new key; the restarted service still shows
# the admin the ID in clear and the audit log (which recorded the re-sealing) verifies.
start_service "$work/data" "$port" "$work/server.log"
server_pid=$started_pid
set +e
"$bin/volunteer-service" rotate-personal-data-key --data-dir "$work/data" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "key rotation is refused while the service runs (exit 1)" test "$rc" -eq 1
check "the refusal names the service's pid" grep -q "in use by another process (pid $server_pid)" "$work/err"
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
out=$("$bin/volunteer-service" rotate-personal-data-key --data-dir "$work/data" --batch-size 5)
check "key rotation re-seals every volunteer under key 2 and retires key 1" \
  grep -Eq "^rotated: key 2 active, retired 1; ([0-9]+) volunteers scanned, \1 re-sealed" <<<"$out"
check "the key file holds one generation after the rotation" test "$(stat -c %s "$work/data/personal-data.key")" -eq 65
start_service "$work/data" "$port" "$work/server.log"
server_pid=$started_pid
out=$("$bin/vol-admin" volunteer show "$number" "${admin[@]}")
check "after the rotation the admin still sees the ID number in clear" grep -q "11010519491231002X" <<<"$out"
out=$("$bin/vol-admin" audit verify "${admin[@]}")
check "audit verify passes after the rotation" grep -q "^result: passed" <<<"$out"

# Online backup and a restore from it: the snapshot, put in place with the key files, serves
# the same records and its audit log verifies up to the head the backup reported.
set +e
"$bin/vol-admin" backup --out "$work/backup.sqlite" "${partner[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "a partner may not take a backup (exit 1, PERMISSION_DENIED)" test "$rc" -eq 1
check "the refusal says PERMISSION_DENIED" grep -q "PERMISSION_DENIED" "$work/err"
check "nothing is left behind by a refused backup" test ! -e "$work/backup.sqlite.partial"
out=$("$bin/vol-admin" backup --out "$work/backup.sqlite" "${admin[@]}")
check "vol-admin backup writes the snapshot with its digest" grep -Eq "^wrote .*backup.sqlite: [0-9]+ bytes, sqlite snapshot" <<<"$out"
check "the file's SHA-256 is the one reported" grep -q "^sha256: $(sha256sum "$work/backup.sqlite" | cut -d' ' -f1)$" <<<"$out"
backup_audit=$(sed -n 's/^audit: *\([0-9]*\) entries.*/\1/p' <<<"$out")
set +e
"$bin/vol-admin" backup --out "$work/backup.sqlite" "${admin[@]}" >"$work/out" 2>"$work/err"; rc=$?
set -e
check "backup refuses to overwrite a file without --force (exit 2)" test "$rc" -eq 2
restore_port=$(free_port)
mkdir -m 700 "$work/restored"
cp "$work/backup.sqlite" "$work/restored/volunteer.sqlite"
cp -p "$work/data/personal-data.key" "$work/restored/"
cp -rp "$work/data/keys" "$work/restored/"
start_service "$work/restored" "$restore_port" "$work/restored.log"
restored_pid=$started_pid
restored=(--port "$restore_port" --cert "$work/pki/admin.crt" --key "$work/pki/admin.key" --ca "$work/pki/ca.crt")
out=$("$bin/vol-admin" volunteer show "$number" "${restored[@]}")
check "the restored service shows the admin the ID number in clear" grep -q "11010519491231002X" <<<"$out"
out=$("$bin/vol-admin" audit verify "${restored[@]}")
check "audit verify passes on the restored store" grep -q "^result: passed" <<<"$out"
check "the restored chain holds the backup's entries (at least $backup_audit)" \
  test "$(sed -n 's/^entries: *\([0-9]*\).*/\1/p' <<<"$out")" -ge "$backup_audit"
kill -TERM "$restored_pid"; wait "$restored_pid" || true; restored_pid=
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=

# Every plain ID and phone number this run used, in any file the service wrote (database,
# WAL, logs, exports): none may appear. Left out: the inputs (CSV files) and volunteers.json,
# an admin's listing, which shows the numbers in clear by design.
{
  echo 11010519491231002X; echo 11010519491231002x; echo 13800138000
  python3 -c '
import csv, sys
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    for field in ("document_number", "phone"):
        value = row[field].strip()
        if len(value) >= 8: print(value); print(value.lower())
' "$root/examples/volunteers.csv"
} | sort -u > "$work/plain-identifiers.txt"
find "$work/data" "$work/server.log" "$work" -maxdepth 1 -type f ! -name '*.csv' ! -name plain-identifiers.txt ! -name volunteers.json \
  | sort -u > "$work/outputs.txt"
find "$work/data" "$work/restored" -type f >> "$work/outputs.txt"
hits=$(sort -u "$work/outputs.txt" | tr '\n' '\0' | xargs -0 grep -a -c -F -f "$work/plain-identifiers.txt" | grep -v ':0$' || true)
check "no plain ID or phone number ($(wc -l < "$work/plain-identifiers.txt") values) in the database, WAL, logs or exports ($(sort -u "$work/outputs.txt" | wc -l) files)" test -z "$hits"
[ -z "$hits" ] || echo "$hits"

echo "smoke: $((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
