#!/usr/bin/env python3
"""TLS and client-certificate checks against a live server (starts nothing itself).

    python3 Tests/Hardening/tls_checks.py --port P --pki DIR --work DIR [--grpc-port G]

Makes the extra certificates it needs in --work with openssl (an expired one, one with two URI
SANs, one whose serial is on the denylist: all signed by the dev CA in --pki), then checks that
each refused case fails the TLS handshake or gets the connection closed without any call being
served, on the wire port and (with --grpc-port, through grpcio) on the gRPC port, plus the
positive controls and the protocol versions. Writes --work/revoked-serials.txt (hex serials,
one a line), the denylist run.sh points the server's config key `revokedSerialsPath` at.
Prints one line per check; exit status 0 only if all passed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import ssl
import subprocess
import sys
import time
import warnings
from typing import Callable, Optional

os.environ.setdefault("GRPC_VERBOSITY", "NONE")  # grpcio logs every refused handshake otherwise
warnings.filterwarnings("ignore", category=DeprecationWarning)  # ssl.TLSVersion.TLSv1_1

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import RawConn, Reaction, client_context, code_name, unary_frames  # noqa: E402
from vrs_client import PREFACE  # noqa: E402

ADMIN_URI = "spiffe://volunteer/admin/bootstrap"
results: list[tuple[str, bool, str]] = []


def check(name: str, fn: Callable[[], str]) -> None:
    try:
        detail = fn()
        results.append((name, True, detail))
        print(f"ok:   {name}: {detail}", flush=True)
    except Exception as e:  # noqa: BLE001
        results.append((name, False, f"{e}"))
        print(f"FAIL: {name}: {e}", flush=True)


# --------------------------------------------------------------------------- certificates

def sh(*args: str, cwd: Optional[str] = None) -> str:
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {p.stderr.strip()}")
    return p.stdout


def make_certs(pki: str, work: str) -> dict[str, tuple[str, str]]:
    """expired / two-uri / revoked client certificates signed by the dev CA, via `openssl ca`
    (OpenSSL 3.0's `x509 -req` cannot set a notAfter in the past; `ca -startdate -enddate` can)."""
    ca_dir = os.path.join(work, "ca")
    os.makedirs(ca_dir, exist_ok=True)
    open(os.path.join(ca_dir, "index.txt"), "a").close()
    cnf = os.path.join(ca_dir, "ca.cnf")
    with open(cnf, "w") as f:
        f.write(f"""[ca]
default_ca = dev
[dev]
dir = {ca_dir}
database = $dir/index.txt
new_certs_dir = $dir
certificate = {pki}/ca.crt
private_key = {pki}/ca.key
default_md = sha256
policy = any
email_in_dn = no
unique_subject = no
copy_extensions = none
rand_serial = yes
[any]
commonName = supplied
[expired]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = URI:{ADMIN_URI}
[two_uri]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = URI:{ADMIN_URI}, URI:spiffe://volunteer/partner/second-identity
[revoked]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = URI:{ADMIN_URI}
""")
    out: dict[str, tuple[str, str]] = {}
    for name, ext, dates in (
        ("expired", "expired", ("-startdate", "20200101000000Z", "-enddate", "20210101000000Z")),
        ("two-uri", "two_uri", ("-days", "30")),
        ("revoked", "revoked", ("-days", "30")),
    ):
        key, csr, crt = (os.path.join(work, f"{name}.{x}") for x in ("key", "csr", "crt"))
        if not os.path.exists(crt):
            sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
            sh("openssl", "req", "-new", "-config", "/dev/null", "-key", key, "-subj", f"/CN={name}", "-out", csr)
            sh("openssl", "ca", "-batch", "-config", cnf, "-extensions", ext, "-notext", *dates,
               "-in", csr, "-out", crt)
        out[name] = (crt, key)
    serial = sh("openssl", "x509", "-in", out["revoked"][0], "-noout", "-serial").strip().split("=", 1)[1].lower()
    with open(os.path.join(work, "revoked-serials.txt"), "w") as f:
        f.write("# serials (hex) of client certificates the server must refuse\n" + serial + "\n")
    return out


# --------------------------------------------------------------------------- wire port

class Outcome:
    def __init__(self) -> None:
        self.handshake_error: Optional[str] = None
        self.react: Optional[Reaction] = None
        self.served = False
        self.settings = False

    def describe(self) -> str:
        if self.handshake_error:
            return f"handshake failed: {self.handshake_error}"
        r = self.react
        assert r is not None
        return r.summary() + (", Settings received" if self.settings else "")


def wire_attempt(host: str, port: int, ctx: ssl.SSLContext, wait: float = 3.0) -> Outcome:
    """Handshake, preface, one Health.Check; what came back."""
    o = Outcome()
    try:
        c = RawConn(host, port, ctx)
    except (ssl.SSLError, ConnectionError, OSError) as e:
        o.handshake_error = getattr(e, "reason", None) or str(e)
        return o
    t0 = time.monotonic()
    try:
        c.send(PREFACE + unary_frames(1))
    except OSError as e:
        o.handshake_error = f"send after handshake failed: {e}"
        c.close()
        return o
    r = c.react(t0, wait, stop=lambda x: x.status(1) is not None)
    c.close()
    o.react = r
    o.settings = any(f.WhichOneof("kind") == "settings" for _, f in r.frames)
    st = r.status(1)
    o.served = st is not None and st[1].code == 0
    return o


def expect_refused(o: Outcome, *, alert: str = "", goaway_code: Optional[int] = None) -> str:
    if o.handshake_error:
        if alert and alert.upper() not in o.handshake_error.upper():
            raise AssertionError(f"refused, but not with {alert}: {o.describe()}")
        return o.describe()
    r = o.react
    assert r is not None
    if o.served or any(f.call_id != 0 for _, f in r.frames):
        raise AssertionError(f"a call was served: {o.describe()}")
    if goaway_code is not None:
        g = r.goaway()
        if g is None or g[1].code != goaway_code:
            raise AssertionError(f"expected GoAway {code_name(goaway_code)}: {o.describe()}")
        if o.settings:
            raise AssertionError(f"Settings sent before the GoAway: {o.describe()}")
    elif alert and (r.alert is None or alert.upper() not in r.alert.upper()):
        raise AssertionError(f"expected TLS alert {alert}: {o.describe()}")
    if r.closed is None:
        raise AssertionError(f"connection not closed: {o.describe()}")
    return o.describe()


# --------------------------------------------------------------------------- gRPC port

def grpc_health(host: str, port: int, ca: str, crt: Optional[str], key: Optional[str]) -> tuple[str, str]:
    import grpc  # noqa: PLC0415
    from volunteer.v1 import health_pb2  # noqa: PLC0415
    creds = grpc.ssl_channel_credentials(
        root_certificates=open(ca, "rb").read(),
        private_key=open(key, "rb").read() if key else None,
        certificate_chain=open(crt, "rb").read() if crt else None)
    with grpc.secure_channel(f"{host}:{port}", creds) as ch:
        call = ch.unary_unary("/volunteer.v1.Health/Check",
                              request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                              response_deserializer=health_pb2.HealthCheckResponse.FromString)
        try:
            r = call(health_pb2.HealthCheckRequest(), timeout=5)
            return "OK", r.caller.id
        except grpc.RpcError as e:
            return e.code().name, (e.details() or "")[:160]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--grpc-port", type=int, default=0)
    p.add_argument("--pki", required=True)
    p.add_argument("--work", required=True, help="directory for the extra certificates")
    p.add_argument("--certs-only", action="store_true", help="make the certificates and the denylist, then exit")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    certs = make_certs(a.pki, a.work)
    if a.certs_only:
        print(f"made {', '.join(sorted(certs))} and revoked-serials.txt in {a.work}")
        return 0
    pki, host, port = a.pki, a.host, a.port

    def ctx_for(name: str, **kw) -> ssl.SSLContext:
        if name in certs:
            return client_context(pki, cert_path=certs[name][0], key_path=certs[name][1], **kw)
        return client_context(pki, name, **kw)

    # Positive controls.
    def admin(version: ssl.TLSVersion) -> str:
        o = wire_attempt(host, port, ctx_for("admin", max_version=version, min_version=version))
        if not o.served:
            raise AssertionError(o.describe())
        return f"Health.Check OK over {version.name}"
    check("wire: admin certificate, TLS 1.3 (positive control)", lambda: admin(ssl.TLSVersion.TLSv1_3))
    check("wire: admin certificate, TLS 1.2 (positive control)", lambda: admin(ssl.TLSVersion.TLSv1_2))

    def tls11() -> str:
        ctx = ctx_for("admin")
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        try:
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        except ssl.SSLError:
            pass
        o = wire_attempt(host, port, ctx)
        if o.handshake_error and "NO_PROTOCOLS_AVAILABLE" in o.handshake_error.upper():
            raise AssertionError(f"this client's OpenSSL cannot offer TLS 1.1 ({o.handshake_error}); not tested")
        return expect_refused(o, alert="PROTOCOL_VERSION")
    check("wire: TLS 1.1 refused (alert protocol_version)", tls11)

    check("wire: no client certificate refused", lambda: expect_refused(
        wire_attempt(host, port, client_context(pki, cert=False)), alert="CERTIFICATE_REQUIRED"))
    check("wire: no client certificate refused (TLS 1.2)", lambda: expect_refused(
        wire_attempt(host, port, client_context(pki, cert=False, max_version=ssl.TLSVersion.TLSv1_2)),
        alert="HANDSHAKE_FAILURE"))
    check("wire: certificate from another CA refused", lambda: expect_refused(
        wire_attempt(host, port, ctx_for("stranger")), alert="UNKNOWN_CA"))
    check("wire: expired certificate refused", lambda: expect_refused(
        wire_attempt(host, port, ctx_for("expired")), alert="CERTIFICATE_EXPIRED"))
    check("wire: two URI SANs refused (GoAway 16, no Settings)", lambda: expect_refused(
        wire_attempt(host, port, ctx_for("two-uri")), goaway_code=16))

    def revoked() -> str:
        o = wire_attempt(host, port, ctx_for("revoked"))
        if o.served:
            raise AssertionError(
                "NOT IMPLEMENTED: server has no serial denylist: a certificate whose serial is in "
                f"{a.work}/revoked-serials.txt (config key revokedSerialsPath) was served: {o.describe()}")
        # Vetoed in the verification callback after BoringSSL's own verification passed
        # (docs/SECURITY.md §2): the handshake fails; BoringSSL sends internal_error (80), as
        # the callback cannot set an X.509 error code that maps to certificate_revoked.
        return expect_refused(o, alert="INTERNAL_ERROR")
    check("wire: revoked serial refused in the verification callback (alert 80)", revoked)

    if a.grpc_port:
        ca = f"{pki}/ca.crt"

        def g(name: Optional[str], want: set[str]) -> str:
            crt, key = (certs[name] if name in certs else (f"{pki}/{name}.crt", f"{pki}/{name}.key")) if name else (None, None)
            code, detail = grpc_health(host, a.grpc_port, ca, crt, key)
            if code not in want:
                if name == "revoked" and code == "OK":
                    raise AssertionError("NOT IMPLEMENTED: server has no serial denylist (gRPC port served "
                                         f"the revoked certificate as {detail})")
                raise AssertionError(f"got {code}: {detail}; expected {sorted(want)}")
            return f"{code}: {detail}"
        check("grpc: admin certificate (positive control)", lambda: g("admin", {"OK"}))
        check("grpc: no client certificate refused", lambda: g(None, {"UNAVAILABLE"}))
        check("grpc: certificate from another CA refused", lambda: g("stranger", {"UNAVAILABLE"}))
        check("grpc: expired certificate refused", lambda: g("expired", {"UNAVAILABLE"}))
        check("grpc: two URI SANs refused", lambda: g("two-uri", {"UNAUTHENTICATED", "UNAVAILABLE"}))
        check("grpc: revoked serial refused at the handshake", lambda: g("revoked", {"UNAVAILABLE"}))

    failed = [r for r in results if not r[1]]
    print(f"tls checks: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
