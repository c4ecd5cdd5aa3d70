#!/usr/bin/env bash
# Regenerates the committed Swift code from Proto/. Nothing generates at build time:
# run this after editing a .proto file and commit the result.
#   needs: protoc (apt-get install protobuf-compiler)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v protoc >/dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler" >&2; exit 1; }
swift build --product protoc-gen-swift
swift build --product protoc-gen-grpc-swift-2
bin=$(swift build --show-bin-path)

out=Sources/WireProtocol/Generated
rm -rf "$out"; mkdir -p "$out"
mapfile -t protos < <(cd Proto && find . -name '*.proto' | sed 's|^\./||' | sort)
protoc --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --swift_out="$out" --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
  -I Proto "${protos[@]}"
services=$(cd Proto && grep -l '^service ' "${protos[@]}")
protoc --plugin=protoc-gen-grpc-swift-2="$bin/protoc-gen-grpc-swift-2" \
  --grpc-swift-2_out="$out" \
  --grpc-swift-2_opt=Visibility=Public,Server=true,Client=true,FileNaming=PathToUnderscores \
  -I Proto $services
echo "generated into $out:"; ls "$out"
