#!/usr/bin/env bash
# Regenerates the protobuf-c message code for the C client from Proto/ into Clients/c/generated/.
# Usage: Clients/c/generate.sh   (from anywhere; needs protoc-c, Debian's protobuf-c-compiler,
# and the well-known type sources under /usr/include, e.g. from libprotobuf-dev or protobuf-compiler)
# The output is committed; nothing is generated at build time. Only message types are used:
# the client carries calls itself (docs/PROTOCOL.md §14).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$here/generated"
wkt_dir=${WKT_INCLUDE:-/usr/include}
command -v protoc-c >/dev/null || { echo "generate.sh: protoc-c not found (apt-get install protobuf-c-compiler)" >&2; exit 1; }
cd "$repo"
mapfile -t protos < <(find Proto -name '*.proto' | LC_ALL=C sort)
# libprotobuf-c ships no compiled well-known types: generate every google/protobuf/*.proto
# that Proto/ imports, alongside the service files.
mapfile -t wkts < <(sed -n 's/^import "\(google\/protobuf\/[^"]*\)";.*/\1/p' "${protos[@]}" | LC_ALL=C sort -u)
for w in "${wkts[@]}"; do
  [[ -f $wkt_dir/$w ]] || { echo "generate.sh: $wkt_dir/$w not found (set WKT_INCLUDE)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out"
protoc-c --c_out="$out" -I Proto -I "$wkt_dir" "${protos[@]#Proto/}" "${wkts[@]}"
echo "generated $(find "$out" -name '*.pb-c.c' | wc -l) files into ${out#$repo/} with $(protoc-c --version 2>&1 | head -1)"
