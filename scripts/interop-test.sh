#!/usr/bin/env bash
# Interop check for issue 4: credentials signed by the Swift Credentials module must verify
# with a standard JOSE library in another language (Python joserfc), using only the JWKS.
#
# 1. Runs the Swift test BundleTests/writeInteropSample with VRS_INTEROP_OUT set, which writes
#    a sample offline bundle (25 credentials, JWKS, signed status lists, signed manifest) and a
#    single token + jwks.json.
# 2. Runs Tests/Interop/verify_with_joserfc.py on both; exits non-zero on any failure.
#
# Usage: scripts/interop-test.sh [--scratch-path PATH]   (default: .build)
# Needs: python3 with joserfc (pip install joserfc). Set SKIP_BUILD=1 to reuse a test build.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build
if [[ "${1:-}" == "--scratch-path" ]]; then scratch="$2"; fi

python3 -c 'import joserfc' 2>/dev/null || {
  echo "interop-test: python joserfc is missing; run: pip install joserfc" >&2
  exit 2
}

out="$(mktemp -d "${TMPDIR:-/tmp}/vrs-interop.XXXXXX")"
trap 'rm -rf "$out"' EXIT

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then swift build --scratch-path "$scratch" --build-tests; fi
VRS_INTEROP_OUT="$out" swift test --scratch-path "$scratch" --skip-build \
  --filter 'CredentialsTests.BundleTests/writeInteropSample'

[[ -f "$out/bundle/manifest.jwt" ]] || { echo "interop-test: the Swift test wrote no bundle to $out" >&2; exit 1; }
python3 Tests/Interop/verify_with_joserfc.py "$out/bundle" | tee "$out/python.log"
grep -q 'credentials verified with joserfc: 25; revoked: 1; suspended: 1' "$out/python.log" || {
  echo "interop-test: expected 25 verified credentials, 1 revoked, 1 suspended" >&2
  exit 1
}
# The Python verifier must also fail on a tampered token (guards against a verifier that
# accepts everything): change one character of the first token's signature.
cp -R "$out/bundle" "$out/tampered"
python3 - "$out/tampered/credentials.jsonl" <<'PY'
import json, sys
path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
record = json.loads(lines[0])
token = record["token"]
record["token"] = token[:-10] + ("A" if token[-10] != "A" else "B") + token[-9:]
lines[0] = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
open(path, "w", encoding="utf-8").write("\n".join(lines))
PY
if python3 Tests/Interop/verify_with_joserfc.py "$out/tampered" >/dev/null 2>&1; then
  echo "interop-test: the Python verifier accepted a tampered token" >&2
  exit 1
fi
python3 Tests/Interop/verify_with_joserfc.py --token "$out/token.jwt" --jwks "$out/jwks.json"
echo "interop-test: ok"
