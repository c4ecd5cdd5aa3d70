#!/usr/bin/env bash
# Runs the whole test suite: unit and end-to-end tests (swift test), then a smoke test of
# the built binaries as an operator uses them. Builds once, in debug, and reuses that build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
# Credentials made by the Swift code verify with a third-party JOSE library (Python joserfc).
SKIP_BUILD=1 bash scripts/interop-test.sh
bin=$(swift build --show-bin-path)
bash scripts/smoke-test.sh "$bin"
# A Python client written from docs/PROTOCOL.md alone (protobuf + ssl + socket) does every
# operation of the example against a fresh server and checks the results.
bash Clients/python/test_against_server.sh "$bin/volunteer-service" "$bin/vol-admin"
# The same services on stock gRPC (HTTP/2, --grpc-port): Python grpcio performs every partner
# operation and checks scopes, status codes and that both ports see the same data.
bash Clients/grpc/test_against_server.sh "$bin/volunteer-service" "$bin/vol-admin"
# The C reference client on protobuf-c and OpenSSL: the example twice (the second replays),
# under valgrind and AddressSanitizer, plus protocol checks (deadlines, multiplexing, limits).
bash Clients/c/test_against_server.sh "$bin/volunteer-service" "$bin/vol-admin"
# Crash safety: SIGKILL at random moments under concurrent single and batch writes, restart,
# every acknowledged write present, every retry without duplicate, integrity_check ok.
bash Tests/CrashSafety/run.sh "$bin/volunteer-service" 10
