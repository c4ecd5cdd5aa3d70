#!/usr/bin/env python3
"""Verify Volunteer Records Service credentials with a third-party JOSE library (joserfc).

Proves interop: every token in an exported bundle must verify with only the exported JWKS,
using a standard library in another language, independently of the Swift code.

Usage:
  verify_with_joserfc.py BUNDLE_DIR
      Verifies manifest.jwt, every status list under status-lists/ (or status-list.jwt) and
      every token in credentials.jsonl against BUNDLE_DIR/jwks.json. Also decodes the status
      lists (multibase base64url + GZIP, bit 0 = most significant bit of byte 0) with the
      Python standard library and reports revoked/suspended counts.
  verify_with_joserfc.py --token TOKEN_FILE --jwks JWKS_FILE
      Verifies one compact JWS.

Checks per token: the protected header's alg is exactly "EdDSA" and its kid names a key in the
JWKS (looked up explicitly), the Ed25519 signature verifies with joserfc, and for credentials
that jti == "urn:vrs:credential:<number>" for the line's "number".
Prints counts; exits 1 on any failure, 2 on usage errors. Requires: pip install joserfc
"""

import argparse
import base64
import gzip
import json
import os
import sys
import warnings

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# joserfc flags "EdDSA" as superseded by RFC 9864's "Ed25519"; the VC-JOSE ecosystem still
# uses EdDSA, so the warning is expected here.
warnings.filterwarnings("ignore", message=".*EdDSA is deprecated.*")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_keyset(path):
    with open(path, "rb") as handle:
        document = json.load(handle)
    kids = {key["kid"] for key in document.get("keys", [])}
    return KeySet.import_key_set(document), kids


def verify_token(token, keyset, kids):
    """Returns (header, payload bytes). Raises ValueError or JoseError on failure."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError(f"expected 3 parts, found {len(parts)}")
    header = json.loads(b64url_decode(parts[0]))
    if header.get("alg") != "EdDSA":
        raise ValueError(f"alg is {header.get('alg')!r}, expected 'EdDSA'")
    kid = header.get("kid")
    if kid not in kids:
        raise ValueError(f"kid {kid!r} is not in the JWKS")
    result = jws.deserialize_compact(token, keyset, algorithms=["EdDSA"])
    return result.protected, result.payload


def decode_status_list(payload):
    claims = json.loads(payload)
    subject = claims["credentialSubject"]
    encoded = subject["encodedList"]
    if encoded.startswith("u"):
        encoded = encoded[1:]
    raw = gzip.decompress(b64url_decode(encoded))
    if len(raw) * 8 < 131072:
        raise ValueError(f"status list has only {len(raw) * 8} entries")
    return claims["id"], subject["statusPurpose"], raw


def bit(raw, index):
    return (raw[index // 8] >> (7 - index % 8)) & 1


def verify_bundle(directory):
    failures = []
    keyset, kids = load_keyset(os.path.join(directory, "jwks.json"))

    with open(os.path.join(directory, "manifest.jwt")) as handle:
        try:
            verify_token(handle.read(), keyset, kids)
            print("manifest.jwt: ok")
        except (JoseError, ValueError) as error:
            failures.append(f"manifest.jwt: {error!r}")

    lists = {}
    names = []
    status_dir = os.path.join(directory, "status-lists")
    if os.path.isdir(status_dir):
        names += [os.path.join("status-lists", name) for name in sorted(os.listdir(status_dir)) if name.endswith(".jwt")]
    if os.path.exists(os.path.join(directory, "status-list.jwt")):
        names.append("status-list.jwt")
    for name in names:
        with open(os.path.join(directory, name)) as handle:
            try:
                _, payload = verify_token(handle.read(), keyset, kids)
                url, purpose, raw = decode_status_list(payload)
                lists[url] = (purpose, raw)
                print(f"{name}: ok ({purpose}, {len(raw) * 8} entries, {sum(bin(b).count('1') for b in raw)} set)")
            except (JoseError, ValueError, KeyError, OSError) as error:
                failures.append(f"{name}: {error!r}")

    verified = revoked = suspended = 0
    with open(os.path.join(directory, "credentials.jsonl"), encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, 1):
            try:
                record = json.loads(line)
                number = record["number"]
            except (ValueError, KeyError) as error:
                failures.append(f"credentials.jsonl line {line_number}: {error!r}")
                continue
            try:
                header, payload = verify_token(record["token"], keyset, kids)
                claims = json.loads(payload)
                if header.get("typ") != "vc+jwt":
                    raise ValueError(f"typ is {header.get('typ')!r}, expected 'vc+jwt'")
                if claims.get("jti") != f"urn:vrs:credential:{number}" or claims.get("id") != claims.get("jti"):
                    raise ValueError("jti/id do not match the line's number")
                verified += 1
                for entry in claims.get("credentialStatus", []):
                    purpose, raw = lists.get(entry["statusListCredential"], (None, None))
                    if raw is not None and purpose == entry["statusPurpose"] and bit(raw, int(entry["statusListIndex"])):
                        if purpose == "revocation":
                            revoked += 1
                        else:
                            suspended += 1
            except (JoseError, ValueError, KeyError) as error:
                failures.append(f"{number} (line {line_number}): {error!r}")

    print(f"credentials verified with joserfc: {verified}; revoked: {revoked}; suspended: {suspended}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle", nargs="?", help="bundle directory")
    parser.add_argument("--token", help="file holding one compact JWS")
    parser.add_argument("--jwks", help="JWKS file (with --token)")
    args = parser.parse_args()

    if args.token:
        if not args.jwks:
            parser.error("--token needs --jwks")
        keyset, kids = load_keyset(args.jwks)
        with open(args.token) as handle:
            token = handle.read().strip()
        try:
            header, _ = verify_token(token, keyset, kids)
            print(f"token verified with joserfc (kid {header['kid']}): 1")
            return 0
        except (JoseError, ValueError) as error:
            print(f"FAIL: {error!r}", file=sys.stderr)
            return 1
    if not args.bundle:
        parser.error("give a bundle directory or --token/--jwks")
    failures = verify_bundle(args.bundle)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print(f"failures: {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
