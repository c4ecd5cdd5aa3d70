#!/usr/bin/env bash
# Runs the whole test suite: unit and end-to-end tests (swift test), then a smoke test of
# the built binaries as an operator uses them. Builds once, in debug, and reuses that build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
# Credentials made by the Swift code verify with a third-party JOSE library (Python joserfc).
SKIP_BUILD=1 bash scripts/interop-test.sh
bash scripts/smoke-test.sh "$(swift build --show-bin-path)"
