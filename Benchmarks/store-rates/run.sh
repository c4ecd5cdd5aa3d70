#!/usr/bin/env bash
# Write and read rates of the two stores in the same run (docs/DEPLOYMENT.md): one instance
# on SQLite, one instance on PostgreSQL, two instances on one PostgreSQL database. Each gets
# a fresh data directory (and database), the same PKI and the same load (rates.py).
#
#   usage: Benchmarks/store-rates/run.sh SERVER_BINARY [SECONDS] [THREADS]
#   Uses VOLUNTEER_TEST_POSTGRES_URL when set, else starts a throwaway cluster itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[[ $# -ge 1 && -x $1 ]] || { sed -n '5,6s/^# \{0,1\}//p' "$0" >&2; exit 2; }
seconds=${2:-10}
threads=${3:-8}
cd "$repo"
work=$(mktemp -d /tmp/vrs-rates.XXXXXX)
pids=()
cluster=""
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n $cluster ]] && bash scripts/postgres-test-cluster.sh stop "$cluster"
  rm -rf "$work"
}
trap cleanup EXIT
if [[ -z ${VOLUNTEER_TEST_POSTGRES_URL:-} ]]; then
  postgres_env=$(bash scripts/postgres-test-cluster.sh start 54319)
  eval "$postgres_env"
  cluster=$VOLUNTEER_TEST_POSTGRES_DIR
fi
base=${VOLUNTEER_TEST_POSTGRES_URL%%\?*}
query=""
[[ $VOLUNTEER_TEST_POSTGRES_URL == *\?* ]] && query="?${VOLUNTEER_TEST_POSTGRES_URL#*\?}"
cp "$1" "$work/volunteer-service"
bash certs/dev-pki.sh "$work/pki" >/dev/null
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $(psql --version), ${seconds}s per phase, $threads client threads"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
serve() { # DATA_DIR PORT [STORE_URL]
  local extra=()
  [[ $# -ge 3 ]] && extra=(--store "$3")
  "$work/volunteer-service" serve --data-dir "$1" "${extra[@]}" --host 127.0.0.1 --port "$2" \
    --cert "$work/pki/server.crt" --key "$work/pki/server.key" --client-ca "$work/pki/ca.crt" \
    --policy-dir Policies --log-level warning >"$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $2), 0.2)" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "instance on port $2 did not start" >&2; cat "$1.log" >&2; exit 1
}
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

port=$(free_port); serve "$work/sqlite" "$port"
python3 "$here/rates.py" --label sqlite --ports "$port" --pki "$work/pki" --seconds "$seconds" --threads "$threads"
stop_all

psql "${base%/*}/postgres$query" -qc "CREATE DATABASE vrs_rates_one" >/dev/null
port=$(free_port); serve "$work/pg1" "$port" "${base%/*}/vrs_rates_one$query"
python3 "$here/rates.py" --label postgres --ports "$port" --pki "$work/pki" --seconds "$seconds" --threads "$threads"
stop_all

psql "${base%/*}/postgres$query" -qc "CREATE DATABASE vrs_rates_two" >/dev/null
port_a=$(free_port); serve "$work/pg2a" "$port_a" "${base%/*}/vrs_rates_two$query"
mkdir -p "$work/pg2b"; cp -a "$work/pg2a/personal-data.key" "$work/pg2a/keys" "$work/pg2b/"
port_b=$(free_port); serve "$work/pg2b" "$port_b" "${base%/*}/vrs_rates_two$query"
python3 "$here/rates.py" --label postgres-2-instances --ports "$port_a" "$port_b" --pki "$work/pki" --seconds "$seconds" --threads "$threads"
stop_all
psql "${base%/*}/postgres$query" -qc "DROP DATABASE vrs_rates_one WITH (FORCE)" -c "DROP DATABASE vrs_rates_two WITH (FORCE)" >/dev/null
