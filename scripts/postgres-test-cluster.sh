#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the store tests, on a loopback port.
#
#   eval "$(bash scripts/postgres-test-cluster.sh start [PORT])"   # exports VOLUNTEER_TEST_POSTGRES_URL
#   bash scripts/postgres-test-cluster.sh stop DIR                  # or: stop "$VOLUNTEER_TEST_POSTGRES_DIR"
#
# `start` prints shell `export` lines (the URL and the cluster's directory) on stdout and
# everything else on stderr; the caller stops the cluster (scripts/test.sh does it in a trap).
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
command="${1:-}"
case "$command" in
  start)
    port="${2:-54329}"
    if [ ! -x "$PGBIN/initdb" ]; then
      echo "PostgreSQL 15 is not installed ($PGBIN/initdb missing): apt-get install -y postgresql-15" >&2
      exit 1
    fi
    dir=$(mktemp -d /tmp/vrs-pg.XXXXXX)
    password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    printf '%s\n' "$password" > "$dir/pw"
    chmod 600 "$dir/pw"
    as=()
    if [ "$(id -u)" = 0 ]; then
      chown -R postgres:postgres "$dir"
      as=(runuser -u postgres --)
    fi
    "${as[@]}" "$PGBIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >&2
    # fsync stays on: the tests measure nothing that depends on it, and the multi-instance
    # test should see the same commit behaviour as a deployment.
    "${as[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300" start >&2
    echo "export VOLUNTEER_TEST_POSTGRES_URL='postgres://postgres:$password@127.0.0.1:$port/postgres?sslmode=disable'"
    echo "export VOLUNTEER_TEST_POSTGRES_DIR='$dir'"
    ;;
  stop)
    dir="${2:?usage: postgres-test-cluster.sh stop DIR}"
    as=()
    [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    "${as[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres-test-cluster.sh start [PORT] | stop DIR" >&2
    exit 2
    ;;
esac
