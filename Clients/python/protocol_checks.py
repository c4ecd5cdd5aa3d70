#!/usr/bin/env python3
"""Protocol-level checks of a running server with vrs_client.py (used by test_against_server.sh).

Each check prints "ok: ..." or "FAIL: ..."; the exit code is the number of failures (capped
at 100). With --sigterm-pid the last check sends SIGTERM to the server and expects GoAway
code 0 on an open connection (PROTOCOL.md §12).
"""

from __future__ import annotations

import argparse
import os
import signal
import ssl
import sys
import threading
import time
from typing import Any, Callable, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vrs_client import Connection, RpcError, StatusCode, Stub, make_tls_context  # noqa: E402
from volunteer.v1 import credentials_pb2, health_pb2, principals_pb2, volunteers_pb2  # noqa: E402

failures = 0


def check(name: str, fn: Callable[[], str]) -> None:
    global failures
    try:
        print(f"ok:   {name}: {fn()}", flush=True)
    except Exception as e:  # noqa: BLE001 - report and go on
        failures += 1
        print(f"FAIL: {name}: {type(e).__name__}: {e}", flush=True)


def expect_error(code: StatusCode, fn: Callable[[], object], *, local: Optional[bool] = None) -> RpcError:
    try:
        fn()
    except RpcError as e:
        if e.code != code:
            raise AssertionError(f"expected {code.name}, got {e.name}: {e.message}") from e
        if local is not None and e.local != local:
            raise AssertionError(f"expected a {'local' if local else 'server'} error, got {e!r} local={e.local}")
        return e
    raise AssertionError(f"expected {code.name}, the call succeeded")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pki", required=True, help="directory made by certs/dev-pki.sh")
    p.add_argument("--sigterm-pid", type=int, help="send SIGTERM to this server pid as the last check")
    a = p.parse_args()
    pki = a.pki

    def conn(name: str = "admin", **kw: Any) -> Connection:
        return Connection(a.host, a.port, f"{pki}/{name}.crt", f"{pki}/{name}.key", f"{pki}/ca.crt", **kw)

    hc = health_pb2.HealthCheckRequest()
    HCR = health_pb2.HealthCheckResponse
    admin = conn()

    def tls() -> str:
        assert admin.alpn_protocol == "vrs/1", admin.alpn_protocol
        assert admin.settings.received and admin.settings.protocol_version == 1
        return f"{admin.tls_version}, ALPN {admin.alpn_protocol}, server {admin.settings.server_version}"
    check("TLS, ALPN and Settings", tls)

    def tls12() -> str:
        ctx = make_tls_context(f"{pki}/admin.crt", f"{pki}/admin.key", f"{pki}/ca.crt")
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        c = conn(context=ctx)
        try:
            Stub(c, "volunteer.v1.Health").Check(hc, timeout=5)
            assert c.tls_version == "TLSv1.2", c.tls_version
            return f"{c.tls_version}, cipher {(c._tls.cipher() or ('?',))[0]}, ALPN {c.alpn_protocol}"
        finally:
            c.close()
    check("TLS 1.2 with an ECDHE AEAD suite", tls12)

    check("unknown method -> UNIMPLEMENTED", lambda: expect_error(
        StatusCode.UNIMPLEMENTED, lambda: admin.unary("/volunteer.v1.Health/NoSuchMethod", hc, HCR),
        local=False).message)
    check("malformed method path -> UNIMPLEMENTED", lambda: expect_error(
        StatusCode.UNIMPLEMENTED, lambda: admin.unary("Health.Check", hc, HCR), local=False).message)
    check("invalid grpc-timeout '1s' -> INVALID_ARGUMENT", lambda: expect_error(
        StatusCode.INVALID_ARGUMENT,
        lambda: admin.unary("/volunteer.v1.Health/Check", hc, HCR, timeout=None, metadata=[("grpc-timeout", "1s")]),
        local=False).message)
    check("unary request without a message -> INTERNAL", lambda: expect_error(
        StatusCode.INTERNAL,
        lambda: admin.client_streaming("/volunteer.v1.Health/Check", iter(()), HCR), local=False).message)

    def deadline_server() -> str:
        # The server's own deadline handling: no local enforcement on this connection.
        c = conn(enforce_deadlines=False)
        try:
            outcomes: dict[str, int] = {}
            for _ in range(5):
                try:
                    list(c.server_streaming("/volunteer.v1.Credentials/ExportCredentials",
                                            credentials_pb2.ExportCredentialsRequest(),
                                            credentials_pb2.ExportPart, timeout=0.001))
                    outcomes["OK"] = outcomes.get("OK", 0) + 1
                except RpcError as e:
                    if e.code != StatusCode.DEADLINE_EXCEEDED or e.local:
                        raise AssertionError(f"expected the server's DEADLINE_EXCEEDED, got {e!r}")
                    outcomes[e.name] = outcomes.get(e.name, 0) + 1
                    msg = e.message
            if "DEADLINE_EXCEEDED" not in outcomes:
                raise AssertionError(f"1 ms deadline never exceeded: {outcomes}")
            # The connection survives and stays usable.
            c.unary("/volunteer.v1.Health/Check", hc, HCR, timeout=5)
            return f"{outcomes}; e.g. {msg!r}"
        finally:
            c.close()
    check("1 ms deadline, server side -> DEADLINE_EXCEEDED", deadline_server)
    check("1 ms deadline, client side -> DEADLINE_EXCEEDED", lambda: repr(expect_error(
        StatusCode.DEADLINE_EXCEEDED,
        lambda: list(admin.server_streaming("/volunteer.v1.Credentials/ExportCredentials",
                                            credentials_pb2.ExportCredentialsRequest(),
                                            credentials_pb2.ExportPart, timeout=0.001)))))

    def oversize() -> str:
        big = volunteers_pb2.GetVolunteerRequest(volunteer_number="x" * (admin.settings.max_frame_size + 1))
        e = expect_error(StatusCode.RESOURCE_EXHAUSTED,
                         lambda: admin.unary("/volunteer.v1.Volunteers/GetVolunteer", big, volunteers_pb2.Volunteer),
                         local=True)
        admin.unary("/volunteer.v1.Health/Check", hc, HCR, timeout=5)  # still connected
        return e.message
    check("request over max_frame_size -> local RESOURCE_EXHAUSTED, connection kept", oversize)

    def multiplex() -> str:
        results: list[object] = []
        def one() -> None:
            try:
                results.append(admin.unary("/volunteer.v1.Health/Check", hc, HCR, timeout=10).caller.id)
            except RpcError as e:
                results.append(e)
        threads = [threading.Thread(target=one) for _ in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        bad = [r for r in results if isinstance(r, RpcError)]
        if bad or len(results) != 64:
            raise AssertionError(f"{len(bad)} failed: {bad[:3]}")
        return f"64 concurrent calls on one connection, next call id {admin._next_id}"
    check("multiplexed concurrent calls", multiplex)

    check("ping/pong", lambda: f"round trip {admin.ping() * 1000:.2f} ms")

    check("unregistered partner -> UNAUTHENTICATED", lambda: expect_error(
        StatusCode.UNAUTHENTICATED,
        lambda: Stub(conn("partner"), "volunteer.v1.Health").Check(hc, timeout=5), local=False).message)
    check("unregistered partner, unknown method -> UNIMPLEMENTED", lambda: expect_error(
        StatusCode.UNIMPLEMENTED,
        lambda: conn("partner").unary("/volunteer.v1.Health/Nope", hc, HCR, timeout=5), local=False).message)
    def auditor() -> str:
        principals = Stub(admin, "volunteer.v1.Principals")
        aid = "spiffe://volunteer/auditor/dev-auditor"
        try:
            principals.AddPrincipal(principals_pb2.AddPrincipalRequest(
                id=aid, role=health_pb2.ROLE_AUDITOR, scope_organisation_id="national",
                display_name="dev auditor"), timeout=5)
        except RpcError as e:
            if e.code != StatusCode.ALREADY_EXISTS:
                raise
        c = conn("auditor")
        try:
            who = Stub(c, "volunteer.v1.Health").Check(hc, timeout=5).caller
            denied = expect_error(StatusCode.PERMISSION_DENIED, lambda: Stub(c, "volunteer.v1.Volunteers").RegisterVolunteer(
                volunteers_pb2.RegisterVolunteerRequest(idempotency_key="x"), timeout=5), local=False)
            return f"{who.id} is {health_pb2.Role.Name(who.role)}; RegisterVolunteer: {denied.message}"
        finally:
            c.close()
    check("registered auditor may not register volunteers -> PERMISSION_DENIED", auditor)
    check("certificate from another CA -> refused (UNAVAILABLE, TLS alert)", lambda: expect_error(
        StatusCode.UNAVAILABLE,
        lambda: Connection(a.host, a.port, f"{pki}/stranger.crt", f"{pki}/stranger.key", f"{pki}/ca.crt")).message)

    if a.sigterm_pid:
        def goaway() -> str:
            os.kill(a.sigterm_pid, signal.SIGTERM)
            end = time.monotonic() + 10
            while admin.goaway is None and time.monotonic() < end:
                time.sleep(0.05)
            if admin.goaway is None:
                raise AssertionError("no GoAway within 10 s of SIGTERM")
            last, code, reason = admin.goaway
            if code != 0:
                raise AssertionError(f"GoAway code {code}: {reason}")
            e = expect_error(StatusCode.UNAVAILABLE, lambda: admin.unary("/volunteer.v1.Health/Check", hc, HCR),
                             local=True)
            return f"GoAway last_call_id={last} code={code} reason={reason!r}; new call: {e.message}"
        check("SIGTERM -> GoAway 0, new calls refused locally", goaway)
    admin.close(1)
    print(f"{failures} failure(s)")
    return min(failures, 100)


if __name__ == "__main__":
    sys.exit(main())
