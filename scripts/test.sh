#!/usr/bin/env bash
# Runs the whole test suite: unit and end-to-end tests (swift test), then a smoke test of
# the built binaries as an operator uses them, the reference clients, crash safety, the
# hardening sweep and fuzzing. Three builds, each once: debug (tests and every end-to-end
# check), release (the hardening sweep) and the sanitized fuzz build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
# The store tests run against SQLite and PostgreSQL alike: a throwaway PostgreSQL 15 cluster
# on a loopback port for this run, stopped on exit whatever happens. A caller that already
# has a server sets VOLUNTEER_TEST_POSTGRES_URL itself.
if [ -z "${VOLUNTEER_TEST_POSTGRES_URL:-}" ]; then
  # Assigned first, so a cluster that fails to start stops the run here (set -e).
  postgres_env=$(bash scripts/postgres-test-cluster.sh start "${VOLUNTEER_TEST_POSTGRES_PORT:-54329}")
  eval "$postgres_env"
  trap 'bash scripts/postgres-test-cluster.sh stop "$VOLUNTEER_TEST_POSTGRES_DIR"' EXIT
fi
swift test --skip-build
# Credentials made by the Swift code verify with a third-party JOSE library (Python joserfc).
SKIP_BUILD=1 bash scripts/interop-test.sh
bin=$(swift build --show-bin-path)
bash scripts/smoke-test.sh "$bin"
# A Python client written from docs/PROTOCOL.md alone (protobuf + ssl + socket) does every
# operation of the example against a fresh server and checks the results.
bash Clients/python/test_against_server.sh "$bin/volunteer-service" "$bin/vol-admin"
# Several instances on one PostgreSQL database: two services receive the same records (same
# idempotency keys, overlapping times) at once, round after round; one record per key, no
# overlap accepted twice, the daily cap across instances, totals equal to the ledger.
bash Tests/MultiInstance/run.sh "$bin/volunteer-service" 6
# The same services on stock gRPC (HTTP/2, --grpc-port): Python grpcio performs every partner
# operation and checks scopes, status codes and that both ports see the same data.
bash Clients/grpc/test_against_server.sh "$bin/volunteer-service" "$bin/vol-admin"
# The C reference client on protobuf-c and OpenSSL: the example twice (the second replays),
# under valgrind and AddressSanitizer, plus protocol checks (deadlines, multiplexing, limits).
bash Clients/c/test_against_server.sh "$bin/volunteer-service" "$bin/vol-admin"
# Crash safety: SIGKILL at random moments under concurrent single and batch writes, restart,
# every acknowledged write present, every retry without duplicate, integrity_check ok.
bash Tests/CrashSafety/run.sh "$bin/volunteer-service" 10
# Hostile clients (garbage, 4 GiB lengths, oversized metadata, slowloris, 10,000 half-open
# connections, a client that never reads) with an observer client and RSS sampling, TLS
# refusals (expired, other CA, two URIs, revoked serial) and sslyze on both ports. Against a
# release build: the sweep bounds latency under attack, which only means something for the
# optimised binary a deployment runs (the debug build decodes protobuf and runs BoringSSL
# several times slower).
swift build -c release --product volunteer-service
bash Tests/Hardening/run.sh "$(swift build -c release --show-bin-path)/volunteer-service"
# libFuzzer with AddressSanitizer (a package of its own, built once with the sanitizers):
# replays the seed corpus and every kept crash, then fuzzes each target for 60 s.
bash Fuzz/run.sh 60
