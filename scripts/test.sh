#!/usr/bin/env bash
# Runs the whole test suite: unit and end-to-end tests (swift test), then a smoke test of
# the built binaries as an operator uses them. Builds once, in debug, and reuses that build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
bash scripts/smoke-test.sh "$(swift build --show-bin-path)"
