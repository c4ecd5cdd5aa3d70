#!/usr/bin/env bash
# Builds and runs the service on ./data (embedded SQLite) with the development PKI,
# creating the PKI under certs/dev on first use. Stop it with Ctrl-C (graceful shutdown).
set -euo pipefail
cd "$(dirname "$0")/.."
bash certs/dev-pki.sh certs/dev >/dev/null
swift build --product volunteer-service
swift build --product vol-admin
exec "$(swift build --show-bin-path)/volunteer-service" serve --data-dir ./data "$@"
