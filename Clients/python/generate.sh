#!/usr/bin/env bash
# Regenerates the protobuf message classes for the Python client from Proto/.
# Usage: Clients/python/generate.sh   (from anywhere; needs protoc, e.g. Debian's protobuf-compiler)
# Only message types (and .pyi type stubs) are generated (no gRPC plugin): the client carries calls itself (docs/PROTOCOL.md §14).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$here/generated"
command -v protoc >/dev/null || { echo "generate.sh: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
cd "$repo"
mapfile -t protos < <(find Proto -name '*.proto' | LC_ALL=C sort)
# google/protobuf/timestamp.proto, which the services import, comes with protoc's include files
# (Debian: libprotobuf-dev, which protobuf-compiler recommends).
protoc --python_out="$out" --pyi_out="$out" -I Proto "${protos[@]}"
# Make the output importable as packages: generated/volunteer/v1/*_pb2.py import each other as
# "from volunteer.v1 import ..." so the client puts generated/ itself on sys.path.
find "$out" -type d -exec touch {}/__init__.py \;
echo "generated $(find "$out" -name '*_pb2.py' | wc -l) modules into ${out#$repo/} with $(protoc --version)"
