#!/usr/bin/env bash
# Crash-safety test for CI: a bounded number of SIGKILL rounds under concurrent write load.
#
# Usage: Tests/CrashSafety/run.sh SERVER_BINARY [ROUNDS] [SEED]
#   e.g. Tests/CrashSafety/run.sh Benchmarks/.build/release/volunteer-service 10
#
# Runs crash_harness.py (see README.md next to it) with ROUNDS rounds (default 10, about
# 20-30 s) and SEED (default: the date, printed so a failure can be replayed). Needs python3
# with the protobuf package and openssl. Prints ALL PASSED and exits 0 only if every round
# passed; on a failure the harness keeps its scratch directory and names it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[[ $# -ge 1 && $# -le 3 ]] || { sed -n '4,5s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[[ -x $1 ]] || { echo "not executable: $1" >&2; exit 2; }
rounds=${2:-10}
seed=${3:-$(date +%Y%m%d)}

python3 -c 'import google.protobuf' 2>/dev/null || { echo "python3 has no protobuf package (pip install protobuf)" >&2; exit 2; }
[[ -f $repo/Clients/python/generated/volunteer/wire/v1/frame_pb2.py ]] || "$repo/Clients/python/generate.sh"

start=$(date +%s)
python3 "$here/crash_harness.py" --server "$1" --rounds "$rounds" --seed "$seed"
echo "crash safety: $rounds rounds, seed $seed, $(( $(date +%s) - start )) s"
echo "ALL PASSED"
