#!/usr/bin/env python3
"""Hostile-client sweep against a live Volunteer Records server (starts nothing itself).

    python3 Tests/Hardening/sweep.py --port P --pki DIR --server-pid PID --config FILE \\
        [--grpc-port G] [--server-log FILE] [--half-open 10000] [--json-out FILE] [--only CASE,...]

Runs each hostile case of Tests/Hardening/README.md against the wire port while
  * an observer thread (a well-behaved vrs_client connection) calls Health.Check every
    100 ms and records every latency and failure,
  * a sampler thread reads the server's VmRSS and fd count from /proc every 100 ms.
Every case asserts the server's documented reaction (docs/PROTOCOL.md) within a bound derived
from the timers in --config, that the observer saw no failure and a bounded p99 during it,
and that RSS stayed within the case's bound. Prints a results table; exit status 0 only if
every case passed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import socket
import ssl
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import (  # noqa: E402
    HEALTH_CHECK, Limits, RawConn, Reaction, client_context, code_name, cpu_seconds, encode, fd_count, fd_limit,
    open_frame, rss_mib, server_holds_connection, unary_frames, wire,
)
from vrs_client import PREFACE, Connection, RpcError, Stub  # noqa: E402
from volunteer.v1 import credentials_pb2, health_pb2  # noqa: E402

MIB = 1024 * 1024

# ---------------------------------------------------------------------------------- bounds
#: Observer: one Health.Check every OBSERVER_PERIOD seconds, each with a 2 s deadline.
OBSERVER_PERIOD = 0.1
OBSERVER_CALL_TIMEOUT = 2.0
#: p99 of the observer's latencies during any case. A Health.Check takes ~1-5 ms on an idle
#: server; 250 ms is 2.5 observer periods and half of the server's own 0.5 s timer tick with
#: the sweep's config: a p99 above it means the server's event loops were starved for a
#: noticeable share of the case, i.e. the hostile client degraded service for everyone.
OBSERVER_P99_BOUND = 0.25
#: Growth of VmRSS over the value at the start of a case, for cases that hold one or a few
#: connections. What a bounded server may legitimately hold for one hostile connection is its
#: per-connection buffers: at most one frame being assembled (max_frame_size, 4 MiB), the
#: write buffer up to NIO's high-water mark (64 KiB) plus one TLS record, and per-call state
#: for at most max_concurrent_calls (256) calls. Everything above 4 MiB is small; 64 MiB
#: leaves room for allocator slack and the observer's own traffic.
RSS_BOUND_SMALL = 64 * MIB
#: Per connection allowance for the half-open storm: a NIO channel with its pipeline, a
#: BoringSSL SSL object with its handshake buffers (the server's first flight for the ones
#: that sent a ClientHello) and the connection handler: measured ~10-15 KiB; 48 KiB each.
RSS_PER_HALF_OPEN = 48 * 1024


def percentile(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


# ---------------------------------------------------------------------------------- monitors

class Observer(threading.Thread):
    """A well-behaved client: Health.Check every 100 ms on one connection, for the whole sweep."""

    def __init__(self, host: str, port: int, pki: str) -> None:
        super().__init__(name="observer", daemon=True)
        self._files = (f"{pki}/admin.crt", f"{pki}/admin.key", f"{pki}/ca.crt")
        self.conn = Connection(host, port, *self._files)
        self.stub = Stub(self.conn, "volunteer.v1.Health")
        self.samples: list[tuple[float, float, Optional[str]]] = []   # (t, latency, error)
        self.stop_event = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        req = health_pb2.HealthCheckRequest()
        while not self.stop_event.is_set():
            t = time.monotonic()
            err = None
            try:
                r = self.stub.Check(req, timeout=OBSERVER_CALL_TIMEOUT)
                if r.status != health_pb2.HealthCheckResponse.SERVING_STATUS_SERVING:
                    err = f"status {r.status}"
            except RpcError as e:
                err = f"{e.name}: {e.message}"
            except Exception as e:  # noqa: BLE001
                err = f"{type(e).__name__}: {e}"
            lat = time.monotonic() - t
            with self.lock:
                self.samples.append((t, lat, err))
            if err and not self.conn.usable:
                # Record the loss, then keep observing on a new connection so later cases are
                # still measured (the failure stays in the record of the case it hit).
                try:
                    self.conn = Connection(self.conn.host, self.conn.port, *self._files)
                    self.stub = Stub(self.conn, "volunteer.v1.Health")
                except Exception as e:  # noqa: BLE001
                    with self.lock:
                        self.samples.append((time.monotonic(), 0.0, f"reconnect failed: {e}"))
            self.stop_event.wait(max(0.0, OBSERVER_PERIOD - (time.monotonic() - t)))

    def window(self, start: float, end: float) -> tuple[int, int, float, float, list[str]]:
        with self.lock:
            s = [x for x in self.samples if start <= x[0] <= end]
        lats = [x[1] for x in s if x[2] is None]
        errs = [x[2] for x in s if x[2] is not None]
        return len(s), len(errs), percentile(lats, 99), max(lats, default=0.0), errs


class Sampler(threading.Thread):
    """VmRSS and fd count of the server every 100 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(name="sampler", daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, float, int]] = []
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.dead: Optional[str] = None

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                s = (time.monotonic(), rss_mib(self.pid), fd_count(self.pid))
            except (FileNotFoundError, ProcessLookupError):
                self.dead = "server process is gone"
                return
            with self.lock:
                self.samples.append(s)
            self.stop_event.wait(0.1)

    def now(self) -> tuple[float, int]:
        return rss_mib(self.pid), fd_count(self.pid)

    def window(self, start: float, end: float) -> tuple[float, int]:
        with self.lock:
            s = [x for x in self.samples if start <= x[0] <= end]
        return max((x[1] for x in s), default=float("nan")), max((x[2] for x in s), default=0)


# ---------------------------------------------------------------------------------- cases

@dataclass
class Result:
    case: str
    expected: str
    observed: str = ""
    reaction: Optional[float] = None
    bound: Optional[float] = None
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    rss_start: float = 0.0
    rss_peak: float = 0.0
    rss_bound_mib: float = RSS_BOUND_SMALL / MIB
    fds_start: int = 0
    fds_peak: int = 0
    obs: str = ""
    duration: float = 0.0
    cpu: float = 0.0


class Sweep:
    def __init__(self, a: argparse.Namespace) -> None:
        self.a = a
        self.host, self.port, self.pki, self.pid = a.host, a.port, a.pki, a.server_pid
        self.lim = Limits.from_config(a.config)
        self.ctx = client_context(self.pki)
        self.results: list[Result] = []
        self.observer: Optional[Observer] = None
        self.sampler = Sampler(self.pid)

    # ------------------------------------------------------------------ plumbing

    def raw(self, **kw) -> RawConn:
        return RawConn(self.host, self.port, self.ctx, **kw)

    def settle(self, limit: float = 20.0) -> float:
        """Waits until the server is quiet (< 10% of a core over 0.5 s), so one case's
        aftermath is not billed to the next. Returns how long that took."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            c0 = cpu_seconds(self.pid)
            time.sleep(0.5)
            if cpu_seconds(self.pid) - c0 < 0.05:
                break
        return time.monotonic() - t0

    def run_case(self, name: str, expected: str, fn: Callable[[Result], None], *,
                 rss_bound: float = RSS_BOUND_SMALL) -> None:
        if self.a.only and name not in self.a.only:
            return
        r = Result(name, expected, rss_bound_mib=rss_bound / MIB)
        quiet = self.settle()
        if quiet > 1.0:
            print(f"    (waited {quiet:.1f}s for the server to go quiet after the previous case)", flush=True)
        r.rss_start, r.fds_start = self.sampler.now()
        cpu0 = cpu_seconds(self.pid)
        t0 = time.monotonic()
        print(f"--- {name}: {expected}", flush=True)
        try:
            fn(r)
        except Exception as e:  # noqa: BLE001 - a crash of the check is a failed case
            r.problems.append(f"check raised {type(e).__name__}: {e}")
            traceback.print_exc()
        t1 = time.monotonic()
        r.cpu = cpu_seconds(self.pid) - cpu0
        time.sleep(0.3)  # one more sampler/observer period after the reaction
        t2 = time.monotonic()
        r.duration = t1 - t0
        peak, fds = self.sampler.window(t0, t2)
        r.rss_peak, r.fds_peak = peak, fds
        if peak - r.rss_start > rss_bound / MIB:
            r.problems.append(f"server RSS grew {peak - r.rss_start:.0f} MiB "
                              f"({r.rss_start:.0f} -> {peak:.0f} MiB), bound {rss_bound / MIB:.0f} MiB")
        n, nerr, p99, mx, errs = self.observer.window(t0, t2)
        r.obs = f"{n} calls, {nerr} failed, p99 {p99 * 1000:.0f} ms, max {mx * 1000:.0f} ms"
        if n == 0:
            r.problems.append("observer made no call during the case (stalled)")
        if nerr:
            r.problems.append(f"observer failures: {errs[:3]}")
        if p99 > OBSERVER_P99_BOUND:
            r.problems.append(f"observer p99 {p99 * 1000:.0f} ms > {OBSERVER_P99_BOUND * 1000:.0f} ms")
        if self.sampler.dead:
            r.problems.append(self.sampler.dead)
        if r.bound is not None and r.reaction is not None and r.reaction > r.bound:
            r.problems.append(f"reaction after {r.reaction:.2f}s, bound {r.bound:.2f}s")
        if r.bound is not None and r.reaction is None and not r.problems:
            r.problems.append("no reaction observed")
        r.ok = not r.problems
        status = "PASS" if r.ok else "FAIL"
        print(f"    {status}: {r.observed}" + ("" if r.ok else f"\n    problems: {r.problems}"), flush=True)
        print(f"    server RSS {r.rss_start:.0f} -> peak {r.rss_peak:.0f} MiB, fds {r.fds_start} -> peak "
              f"{r.fds_peak}, CPU {r.cpu:.1f}s in {r.duration:.1f}s; observer {r.obs}", flush=True)
        self.results.append(r)

    def expect_goaway(self, r: Result, react: Reaction, code: int, bound: float,
                      reason_has: str = "", *, codes: Optional[set[int]] = None,
                      min_time: Optional[float] = None) -> None:
        """GoAway with `code` (or one of `codes`), then the connection closed, within bound."""
        r.observed = react.summary()
        r.bound = bound
        g = react.goaway()
        allowed = codes or {code}
        if g is None:
            r.problems.append("no GoAway")
        else:
            t, ga = g
            if ga.code not in allowed:
                r.problems.append(f"GoAway code {code_name(ga.code)}, expected {sorted(allowed)}")
            if reason_has and reason_has not in ga.reason:
                r.problems.append(f"GoAway reason {ga.reason!r} lacks {reason_has!r}")
            if min_time is not None and t < min_time:
                r.problems.append(f"GoAway at {t:.2f}s, before the timer ({min_time:.2f}s)")
        if react.closed is None:
            r.problems.append("connection not closed after the GoAway")
        r.reaction = react.closed if react.closed is not None else (g[0] if g else None)
        settings = [f for _, f in react.frames if f.WhichOneof("kind") == "settings"]
        calls = [f for _, f in react.frames if f.call_id != 0]
        if calls:
            r.problems.append(f"unexpected call frames {[f.WhichOneof('kind') for f in calls][:5]}")
        _ = settings

    def expect_close_only(self, r: Result, react: Reaction, bound: float, *, allow_alert: bool = False,
                          min_time: Optional[float] = None) -> None:
        """Closed without any frame (nothing can be sent: no TLS yet), within bound."""
        r.observed = react.summary() + f"; {react.raw_bytes} bytes received"
        r.bound = bound
        r.reaction = react.closed
        if react.closed is None:
            r.problems.append("connection not closed")
        if react.frames:
            r.problems.append(f"frames received: {react.kinds()}")
        if min_time is not None and react.closed is not None and react.closed < min_time:
            r.problems.append(f"closed at {react.closed:.2f}s, before the timer ({min_time:.2f}s)")
        if react.raw_bytes and not allow_alert:
            r.problems.append(f"{react.raw_bytes} bytes sent by the server, expected none")

    def status_then_usable(self, r: Result, c: RawConn, call_id: int, code: int, msg_has: str, t0: float) -> None:
        """Status `code` on call_id at once, and the connection still serves a Health.Check."""
        # Wait well past the bound so a slow reaction is measured, not just called missing.
        react = c.react(t0, self.lim.immediate + 15,
                        stop=lambda x: x.status(call_id) is not None or x.goaway() is not None)
        st = react.status(call_id)
        r.bound = self.lim.immediate
        if st is None:
            r.observed = react.summary()
            r.problems.append(f"no Status for call {call_id}")
            return
        r.reaction = st[0]
        r.observed = f"Status {code_name(st[1].code)} {st[1].message[:80]!r} at {st[0] * 1000:.0f} ms"
        if st[1].code != code:
            r.problems.append(f"Status {code_name(st[1].code)}, expected {code_name(code)}")
        if msg_has and msg_has not in st[1].message:
            r.problems.append(f"message lacks {msg_has!r}")
        if react.goaway():
            r.problems.append(f"GoAway: {react.summary()}")
            return
        nid = call_id + 1
        t1 = time.monotonic()
        c.send(unary_frames(nid))
        again = c.react(t1, 3, stop=lambda x: x.status(nid) is not None)
        st2 = again.status(nid)
        if st2 is None or st2[1].code != 0:
            r.problems.append(f"connection not usable afterwards: {again.summary()}")
        else:
            r.observed += f"; next Health.Check on the same connection OK in {st2[0] * 1000:.0f} ms"

    # ------------------------------------------------------------------ the cases

    def c_garbage_preface(self, r: Result) -> None:
        c = self.raw()
        t0 = time.monotonic()
        c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        self.expect_goaway(r, c.react(t0, self.lim.immediate + 3), 13, self.lim.immediate,
                           "expected the connection preface")
        c.close()

    def c_bad_version(self, r: Result) -> None:
        c = self.raw()
        t0 = time.monotonic()
        c.send(b"VOLWIRE\x02")
        self.expect_goaway(r, c.react(t0, self.lim.immediate + 3), 12, self.lim.immediate, "version 2")
        c.close()

    def c_plain_tcp(self, r: Result) -> None:
        # A client speaking the protocol without TLS: preface and a Health.Check in clear text.
        c = RawConn(self.host, self.port, None, parse=False)
        t0 = time.monotonic()
        c.send(PREFACE + unary_frames(1))
        react = c.react(t0, self.lim.immediate + 3)
        # The TLS layer can only answer with a TLS alert record (content type 21) or close.
        alert_ok = react.raw_bytes == 0 or c.plain[:1] == b"\x15"
        self.expect_close_only(r, react, self.lim.immediate, allow_alert=True)
        if not alert_ok:
            r.problems.append(f"server sent non-alert bytes: {bytes(c.plain[:16]).hex()}")
        elif react.raw_bytes:
            r.observed += f" (TLS alert record {bytes(c.plain[:7]).hex()})"
        c.close()

    def c_tcp_silent(self, r: Result) -> None:
        c = RawConn(self.host, self.port, None, parse=False)
        react = c.react(c.t_connect, self.lim.handshake_bound + 3)
        self.expect_close_only(r, react, self.lim.handshake_bound, min_time=self.lim.handshake * 0.9)
        c.close()

    def c_tls_no_preface(self, r: Result) -> None:
        c = self.raw()
        self.expect_goaway(r, c.react(c.t_connect, self.lim.handshake_bound + 3), 14, self.lim.handshake_bound,
                           "not completed within", min_time=self.lim.handshake * 0.9)
        c.close()

    def c_length_4gib(self, r: Result) -> None:
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        c.send(b"\xff\xff\xff\xff")
        self.expect_goaway(r, c.react(t0, self.lim.immediate + 3), 8, self.lim.immediate,
                           "4294967295 bytes exceeds the limit")
        c.close()

    def c_length_max_plus_1(self, r: Result) -> None:
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        c.send((self.lim.max_frame_size + 1).to_bytes(4, "big") + b"\x08")
        self.expect_goaway(r, c.react(t0, self.lim.immediate + 3), 8, self.lim.immediate,
                           f"{self.lim.max_frame_size + 1} bytes exceeds")
        c.close()

    def c_truncated_eof(self, r: Result) -> None:
        c = self.raw()
        c.start()
        body = open_frame(1)
        t0 = time.monotonic()
        c.send(body[:-10])          # the length prefix promises 10 bytes more than arrive
        c.close_notify_and_shutdown()
        react = c.react(t0, self.lim.immediate + 3)
        r.observed = react.summary()
        r.bound = self.lim.immediate
        r.reaction = react.closed
        if react.closed is None:
            r.problems.append("server did not close after the truncated frame and EOF")
        if any(f.call_id != 0 for _, f in react.frames):
            r.problems.append(f"a call was served: {react.kinds()}")
        c.close()

    def c_truncated_stall(self, r: Result) -> None:
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        c.send(open_frame(1)[:-10])  # and then nothing: neither the rest nor a Pong
        self.expect_goaway(r, c.react(t0, self.lim.stalled_bound + 3), 0, self.lim.stalled_bound,
                           codes={0, 14})
        c.close()

    def c_invalid_protobuf(self, r: Result) -> None:
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        c.send(b"\x00\x00\x00\x05\xff\xff\xff\xff\xff")
        self.expect_goaway(r, c.react(t0, self.lim.immediate + 3), 13, self.lim.immediate, "malformed frame")
        c.close()

    def c_no_kind(self, r: Result) -> None:
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        c.send(b"\x00\x00\x00\x02\x08\x01")   # Frame{call_id: 1}, no kind
        self.expect_goaway(r, c.react(t0, self.lim.immediate + 3), 13, self.lim.immediate, "malformed frame")
        c.close()

    def c_unknown_method(self, r: Result) -> None:
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        c.send(unary_frames(1, "/volunteer.v1.NoSuchService/NoSuchMethod"))
        self.status_then_usable(r, c, 1, 12, "", t0)
        c.close()

    def c_malformed_path(self, r: Result) -> None:
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        c.send(unary_frames(1, "not-a-path"))
        self.status_then_usable(r, c, 1, 12, "is not of the form", t0)
        c.close()

    def c_metadata_over_limit(self, r: Result) -> None:
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        c.send(unary_frames(1, metadata=(("x-big", "a" * (self.lim.max_metadata_size + 1)),)))
        self.status_then_usable(r, c, 1, 8, f"metadata exceeds the limit of {self.lim.max_metadata_size}", t0)
        c.close()

    def c_metadata_3mib(self, r: Result) -> None:
        # 3 MiB of metadata in 3,072 entries: a frame below max_frame_size, far over max_metadata_size.
        md = tuple((f"x-{i}", "b" * 1020) for i in range(3 * 1024))
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        c.send(unary_frames(1, metadata=md))
        self.status_then_usable(r, c, 1, 8, "metadata exceeds the limit", t0)
        c.close()

    def c_text_frames_parallel(self, r: Result) -> None:
        """One frame just under max_frame_size whose bulk is a protobuf string (a metadata text
        value) on each of 4 connections at once (covering every event loop of a small machine).
        Each is refused at step 4 (Status 8); the observer must not notice."""
        n = 4
        size = self.lim.max_frame_size - 1024
        data = unary_frames(1, metadata=(("x-text", "t" * size),))
        conns = []
        for _ in range(n):
            c = self.raw()
            c.send(PREFACE)
            conns.append(c)
        t0 = time.monotonic()
        for c in conns:
            c.send(data)
        bound = self.lim.immediate
        r.bound = bound
        times, bad = [], []
        for c in conns:
            react = c.react(t0, 30, stop=lambda x: x.status(1) is not None or x.goaway() is not None)
            st = react.status(1)
            if st is None or st[1].code != 8:
                bad.append(react.summary())
            else:
                times.append(st[0])
            c.close()
        r.reaction = max(times) if times and not bad else None
        r.observed = (f"{n} x {len(data) / MIB:.1f} MiB frames: Status 8 after "
                      + ", ".join(f"{t:.2f}s" for t in times) + (f"; other: {bad}" if bad else ""))
        if bad:
            r.problems.append(f"{len(bad)} connections without Status 8: {bad[:2]}")

    def c_metadata_over_frame(self, r: Result) -> None:
        md = (("x-huge", "c" * (self.lim.max_frame_size + 100)),)
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        c.send(open_frame(1, metadata=md))
        self.expect_goaway(r, c.react(t0, self.lim.immediate + 3), 8, self.lim.immediate, "exceeds the limit")
        c.close()

    def trickle(self, c: RawConn, data: bytes, interval: float, since: float, give_up: float) -> tuple[int, Reaction]:
        """Sends `data` one byte (one TLS record) every `interval` seconds, reading (never
        answering) whatever the server sends; stops at its GoAway or close, or after `give_up` s."""
        react = Reaction()
        sent = 0
        for b in data:
            if react.goaway() or react.closed is not None or time.monotonic() - since > give_up:
                break
            try:
                c.send(bytes([b]))
            except OSError:
                break
            sent += 1
            c.react(since, interval, stop=lambda x: x.goaway() is not None or x.closed is not None, into=react)
        return sent, react

    def c_slowloris_preface(self, r: Result) -> None:
        c = self.raw()
        H = self.lim.handshake_bound
        sent, react = self.trickle(c, PREFACE, self.lim.handshake / 3, c.t_connect, H + 3)
        c.react(c.t_connect, max(0.1, c.t_connect + H + 3 - time.monotonic()), into=react)
        self.expect_goaway(r, react, 14, H, "not completed within", min_time=self.lim.handshake * 0.9)
        r.observed += f"; trickled {sent}/8 preface bytes"
        c.close()

    def c_slowloris_frame(self, r: Result) -> None:
        c = self.raw()
        c.start()
        t0 = time.monotonic()
        S = self.lim.stalled_bound
        data = unary_frames(1)
        sent, react = self.trickle(c, data, 0.3, t0, S + 3)
        c.react(t0, max(0.1, t0 + S + 3 - time.monotonic()), into=react)
        self.expect_goaway(r, react, 0, S, codes={0, 14})
        r.observed += f"; trickled {sent}/{len(data)} bytes at 1 byte / 0.3 s"
        c.close()

    def c_slowloris_in_call(self, r: Result) -> None:
        # A call is open (so the idle timer does not apply); its message trickles in.
        c = self.raw()
        c.start()
        c.send(open_frame(1))
        t0 = time.monotonic()
        K = self.lim.keepalive_bound
        data = encode(wire.Frame(call_id=1, message=wire.Message(data=b"\x00" * 200)))
        sent, react = self.trickle(c, data, 0.3, t0, K + 3)
        c.react(t0, max(0.1, t0 + K + 3 - time.monotonic()), into=react)
        self.expect_goaway(r, react, 14, K, "keepalive")
        r.observed += f"; trickled {sent}/{len(data)} bytes"
        c.close()

    def c_half_open(self, r: Result) -> None:
        """N TCP connections that never complete TLS: most silent, some stop mid-ClientHello,
        some send a whole ClientHello and never read the server's answer."""
        n = self.a.half_open
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = n + 256
        if soft < need:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard) if hard != resource.RLIM_INFINITY else need, hard))
            soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft < need:
            n = soft - 256
            r.problems.append(f"fd limit {soft} (hard {hard}) allows only {n} connections")
        # One real ClientHello, replayed on every "full hello" connection.
        bio_in, bio_out = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = self.ctx.wrap_bio(bio_in, bio_out, server_hostname=self.host)
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        hello = bio_out.read()
        n_partial = max(1, n // 20)
        n_full = max(1, n // 20)
        kinds = {}
        ep = select.epoll()
        socks: dict[int, tuple[socket.socket, str]] = {}
        connected: dict[int, float] = {}
        closed: dict[int, float] = {}
        t_start = time.monotonic()
        batch = 500
        i = 0
        pending: dict[int, tuple[socket.socket, str]] = {}
        errors = 0
        probe: dict[str, object] = {}

        def new_client() -> None:
            # A well-behaved client that connects in the middle of the storm.
            t = time.monotonic()
            try:
                with Connection(self.host, self.port, f"{self.pki}/admin.crt", f"{self.pki}/admin.key",
                                f"{self.pki}/ca.crt", connect_timeout=30) as conn:
                    Stub(conn, "volunteer.v1.Health").Check(health_pb2.HealthCheckRequest(), timeout=30)
                probe["t"] = time.monotonic() - t
            except Exception as e:  # noqa: BLE001
                probe["error"] = f"{type(e).__name__}: {e}"
                probe["t"] = time.monotonic() - t
        prober = threading.Thread(target=new_client, daemon=True)
        while i < n or pending:
            if i >= n // 2 and not prober.is_alive() and "t" not in probe and prober.ident is None:
                prober.start()
            while i < n and len(pending) < batch:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                kind = "partial-hello" if i < n_partial else "full-hello" if i < n_partial + n_full else "silent"
                try:
                    s.connect((self.host, self.port))
                except BlockingIOError:
                    pass
                except OSError:
                    errors += 1
                    s.close()
                    i += 1
                    continue
                fd = s.fileno()
                pending[fd] = (s, kind)
                ep.register(fd, select.EPOLLOUT | select.EPOLLRDHUP)
                i += 1
            for fd, ev in ep.poll(1.0):
                now = time.monotonic()
                if fd in pending:
                    s, kind = pending.pop(fd)
                    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        errors += 1
                        ep.unregister(fd)
                        s.close()
                        continue
                    connected[fd] = now
                    socks[fd] = (s, kind)
                    kinds[kind] = kinds.get(kind, 0) + 1
                    try:
                        if kind == "partial-hello":
                            s.send(hello[: len(hello) // 2])
                        elif kind == "full-hello":
                            s.send(hello)
                    except OSError:
                        pass
                    ep.modify(fd, select.EPOLLRDHUP)
                    if ev & (select.EPOLLRDHUP | select.EPOLLHUP | select.EPOLLERR):
                        closed[fd] = now
                elif fd in socks and fd not in closed:
                    closed[fd] = now
            if time.monotonic() - t_start > 120:
                r.problems.append("could not open the connections within 120 s")
                break
        t_connected = time.monotonic() - t_start
        t_last = max(connected.values(), default=time.monotonic())
        # Every connection closed by the handshake timeout: at the latest handshake_bound after
        # the last one was established, + 1 s for the accept queue of the burst to drain.
        bound = self.lim.handshake_bound + 1.0
        rss_mid, fds_mid = self.sampler.now()
        deadline = t_last + bound + 2
        while len(closed) < len(socks) and time.monotonic() < deadline:
            for fd, ev in ep.poll(0.5):
                if fd in socks and fd not in closed:
                    closed[fd] = time.monotonic()
        late = [fd for fd in socks if fd not in closed or closed[fd] > t_last + bound]
        lifetimes = sorted(closed[fd] - connected[fd] for fd in closed)
        r.bound = bound
        r.reaction = (max(closed.values()) - t_last) if closed and not late else None
        by_kind_late: dict[str, int] = {}
        for fd in late:
            by_kind_late[socks[fd][1]] = by_kind_late.get(socks[fd][1], 0) + 1
        r.observed = (f"{len(socks)} connected in {t_connected:.1f}s ({kinds}, {errors} connect errors); "
                      f"{len(closed)} closed by the server, the last {r.reaction if r.reaction is not None else float('nan'):.2f}s "
                      f"after the last connect; connect->close p50 {percentile(lifetimes, 50):.2f}s "
                      f"p99 {percentile(lifetimes, 99):.2f}s max {percentile(lifetimes, 100):.2f}s")
        if late:
            r.problems.append(f"{len(late)} not closed within {bound:.1f}s of the last connect: {by_kind_late}")
        prober.join(35)
        if "error" in probe:
            r.problems.append(f"a new client connecting mid-storm failed after {probe['t']:.1f}s: {probe['error']}")
        elif "t" in probe:
            r.observed += f"; a new client connecting mid-storm got its Health.Check after {probe['t']:.2f}s"
            if probe["t"] > self.lim.handshake_bound:
                r.problems.append(f"a new client connecting mid-storm waited {probe['t']:.2f}s "
                                  f"(> handshake bound {self.lim.handshake_bound:g}s)")
        if errors:
            r.problems.append(f"{errors} connections could not be established")
        for s, _ in socks.values():
            s.close()
        ep.close()
        # The server gives the descriptors back.
        end = time.monotonic() + 5
        while time.monotonic() < end and fd_count(self.pid) > r.fds_start + 16:
            time.sleep(0.2)
        fds_after = fd_count(self.pid)
        r.observed += f"; server fds after {fds_after} (before {r.fds_start})"
        if fds_after > r.fds_start + 16:
            r.problems.append(f"server still holds {fds_after - r.fds_start} more fds than before")

    def c_half_open_grpc(self, r: Result) -> None:
        """The same attack on the stock gRPC port, smaller: silent TCP connections."""
        n = self.a.half_open_grpc
        socks = []
        for _ in range(n):
            s = socket.create_connection((self.host, self.a.grpc_port))
            socks.append((s, time.monotonic()))
        bound = max(self.lim.handshake, self.lim.idle) + self.lim.tick + self.lim.slack
        r.bound = bound
        end = socks[-1][1] + bound + 2
        closed = {}
        pending = {s.fileno(): (s, t) for s, t in socks}
        while pending and time.monotonic() < end:
            rd, _, _ = select.select(list(pending), [], [], 0.5)
            for fd in rd:
                s, t = pending.pop(fd)
                closed[fd] = time.monotonic() - t
        worst = max(closed.values(), default=0.0)
        r.observed = f"{n} silent TCP connections to the gRPC port: {len(closed)} closed by the server"
        if closed:
            r.observed += f" (slowest after {worst:.2f}s)"
        r.observed += f", {len(pending)} still open after {bound + 2:.1f}s"
        if pending:
            r.problems.append(f"{len(pending)}/{n} half-open gRPC-port connections never closed "
                              f"(neither the handshake timeout {self.lim.handshake:g}s nor the idle timeout "
                              f"{self.lim.idle:g}s applies before TLS)")
        else:
            r.reaction = worst
        for s, _ in socks:
            s.close()

    def c_unread_stream(self, r: Result) -> None:
        """A server-streaming call (ExportCredentials) whose client never reads the socket and
        sends nothing else: the server must release the connection (keepalive ping
        unanswered -> GoAway that cannot be flushed -> closed after the close timeout)."""
        c = self.raw(rcvbuf=4096)
        c.send(PREFACE)
        req = credentials_pb2.ExportCredentialsRequest().SerializeToString()
        t0 = time.monotonic()
        c.send(unary_frames(1, "/volunteer.v1.Credentials/ExportCredentials", req))
        bound = max(self.lim.keepalive_bound, self.lim.idle_bound) + self.lim.close_timeout
        r.bound = bound
        end = t0 + bound + 3
        released = None
        while time.monotonic() < end:
            if not server_holds_connection(self.pid, self.port, c.local_port):
                released = time.monotonic() - t0
                break
            time.sleep(0.1)
        r.reaction = released
        r.observed = ("server released the connection" + (f" after {released:.2f}s" if released is not None else
                                                          f": NOT within {bound + 3:.1f}s"))
        if released is None:
            r.problems.append("server still holds the unread connection")
        c.close()

    def c_unread_unary_flood(self, r: Result) -> None:
        """Pipelined Health.Check calls (Open+Message+HalfClose) on one connection whose client
        never reads. Each call ends at once, so max_concurrent_calls never stops the client;
        only TCP back pressure can (PROTOCOL.md §10: "the server never buffers without bound").
        The client sends for up to FLOOD seconds, stopping early when the server's RSS has grown
        past the bound (so a failing server is not driven into the ground), then goes silent."""
        c = self.raw(rcvbuf=4096)
        c.send(PREFACE)
        c.sock.setblocking(False)
        base = r.rss_start
        cid = 1
        sent = 0
        pending = b""
        blocked = 0.0
        t0 = time.monotonic()
        stopped_by = f"{self.a.flood_seconds:g}s elapsed"
        while time.monotonic() - t0 < self.a.flood_seconds:
            if not pending:
                c.tls.write(b"".join(unary_frames(cid + k) for k in range(200)))
                cid += 200
                pending = c.outb.read()
            tw = time.monotonic()
            _, writable, _ = select.select([], [c.sock], [], 0.2)
            if not writable:
                blocked += time.monotonic() - tw   # TCP back pressure: the server is not reading
                continue
            try:
                n = c.sock.send(pending)
            except BlockingIOError:
                continue
            except OSError as e:
                stopped_by = f"send failed: {e}"
                break
            pending = pending[n:]
            sent += n
            if rss_mib(self.pid) - base > 4 * RSS_BOUND_SMALL / MIB:
                stopped_by = f"server RSS passed {base + 4 * RSS_BOUND_SMALL / MIB:.0f} MiB (safety stop)"
                break
        t_stop = time.monotonic()
        calls = cid - 1
        # Now silent and still not reading: the server must let go of the connection.
        bound = self.lim.keepalive_bound + self.lim.close_timeout
        released = None
        end = t_stop + bound + 10
        peak = rss_mib(self.pid)
        while time.monotonic() < end:
            peak = max(peak, rss_mib(self.pid))
            if not server_holds_connection(self.pid, self.port, c.local_port):
                released = time.monotonic() - t_stop
                break
            time.sleep(0.1)
        r.bound = bound
        r.reaction = released
        r.observed = (f"~{calls} calls ({sent / MIB:.1f} MiB) sent in {t_stop - t0:.1f}s (send blocked "
                      f"{blocked:.1f}s of it), stopped: {stopped_by}; "
                      f"server RSS {base:.0f} -> {peak:.0f} MiB; connection "
                      + (f"released {released:.2f}s after the client went silent" if released is not None
                         else f"still held {bound + 10:.0f}s after the client went silent"))
        if released is None:
            r.problems.append("server still holds the connection")
        c.close()

    # ------------------------------------------------------------------ driver

    def run(self) -> int:
        lim = self.lim
        print(f"server pid {self.pid}, wire port {self.port}, gRPC port {self.a.grpc_port}; limits: {lim.describe()}")
        print(f"server fd limit: {fd_limit(self.pid)}; this process: {resource.getrlimit(resource.RLIMIT_NOFILE)}")
        self.sampler.start()
        self.observer = Observer(self.host, self.port, self.pki)
        self.observer.start()
        time.sleep(1.0)
        rss0, fds0 = self.sampler.now()
        t_begin = time.monotonic()
        print(f"baseline: RSS {rss0:.0f} MiB, {fds0} fds", flush=True)

        I, H, S, K = lim.immediate, lim.handshake_bound, lim.stalled_bound, lim.keepalive_bound
        case = self.run_case
        case("garbage-preface", f"GoAway 13 INTERNAL + close <= {I:g}s", self.c_garbage_preface)
        case("preface-version-2", f"GoAway 12 UNIMPLEMENTED + close <= {I:g}s", self.c_bad_version)
        case("plain-tcp-no-tls", f"close (TLS alert at most), no frame <= {I:g}s", self.c_plain_tcp)
        case("tcp-silent", f"close, nothing sent, at the handshake timeout <= {H:g}s", self.c_tcp_silent)
        case("tls-no-preface", f"GoAway 14 UNAVAILABLE + close at the handshake timeout <= {H:g}s",
             self.c_tls_no_preface)
        case("length-4GiB", f"GoAway 8 RESOURCE_EXHAUSTED + close <= {I:g}s", self.c_length_4gib)
        case("length-max+1", f"GoAway 8 RESOURCE_EXHAUSTED + close <= {I:g}s", self.c_length_max_plus_1)
        case("truncated-frame-eof", f"close, no call served <= {I:g}s", self.c_truncated_eof)
        case("truncated-frame-stall", f"GoAway 0 (idle) or 14 (keepalive) + close <= {S:g}s", self.c_truncated_stall)
        case("invalid-protobuf", f"GoAway 13 INTERNAL 'malformed frame' + close <= {I:g}s", self.c_invalid_protobuf)
        case("frame-without-kind", f"GoAway 13 INTERNAL 'malformed frame' + close <= {I:g}s", self.c_no_kind)
        case("unknown-method", f"Status 12 UNIMPLEMENTED <= {I:g}s, connection usable", self.c_unknown_method)
        case("malformed-method-path", f"Status 12 UNIMPLEMENTED <= {I:g}s, connection usable", self.c_malformed_path)
        case("metadata-over-limit", f"Status 8 RESOURCE_EXHAUSTED <= {I:g}s, connection usable",
             self.c_metadata_over_limit)
        case("metadata-3MiB", f"Status 8 RESOURCE_EXHAUSTED <= {I:g}s, connection usable", self.c_metadata_3mib)
        case("text-frames-4x4MiB", f"4 parallel ~4 MiB string-heavy frames: Status 8 <= {I:g}s each, "
             "observer unaffected", self.c_text_frames_parallel)
        case("metadata-over-frame-size", f"GoAway 8 RESOURCE_EXHAUSTED + close <= {I:g}s", self.c_metadata_over_frame)
        case("slowloris-preface", f"GoAway 14 at the handshake timeout <= {H:g}s", self.c_slowloris_preface)
        case("slowloris-frame", f"GoAway 0 (idle) or 14 (keepalive) + close <= {S:g}s", self.c_slowloris_frame)
        case("slowloris-in-call", f"GoAway 14 'keepalive' + close <= {K:g}s", self.c_slowloris_in_call)
        n = self.a.half_open
        case(f"half-open-{n}", f"all closed <= {H + 1:g}s after the last connect; fds returned",
             self.c_half_open, rss_bound=n * RSS_PER_HALF_OPEN + RSS_BOUND_SMALL)
        if self.a.grpc_port and self.a.half_open_grpc:
            case(f"half-open-grpc-port-{self.a.half_open_grpc}",
                 f"closed <= {max(lim.handshake, lim.idle) + lim.tick + lim.slack:g}s (handshake/idle timeout)",
                 self.c_half_open_grpc)
        U = max(lim.keepalive_bound, lim.idle_bound) + lim.close_timeout
        case("unread-server-stream", f"server releases the connection <= {U:g}s", self.c_unread_stream)
        case("unread-unary-flood", f"RSS growth <= {RSS_BOUND_SMALL // MIB} MiB (TCP back pressure), "
             f"connection released <= {K + lim.close_timeout:g}s after the client goes silent",
             self.c_unread_unary_flood)

        # The whole sweep: observer and resources.
        time.sleep(1.0)
        self.observer.stop_event.set()
        self.observer.join(5)
        rss1, fds1 = self.sampler.now()
        self.sampler.stop_event.set()
        t_end = time.monotonic()
        tot = Result("whole sweep", "observer never failed, p99 bounded; server alive; fds back to baseline")
        n_obs, nerr, p99, mx, errs = self.observer.window(t_begin, t_end)
        tot.obs = f"{n_obs} calls, {nerr} failed, p99 {p99 * 1000:.0f} ms, max {mx * 1000:.0f} ms"
        peak_all, fds_peak = self.sampler.window(t_begin, t_end)
        tot.rss_start, tot.rss_peak, tot.fds_start, tot.fds_peak = rss0, peak_all, fds0, fds_peak
        tot.observed = (f"observer {tot.obs}; RSS {rss0:.0f} -> peak {peak_all:.0f} -> after {rss1:.0f} MiB; "
                        f"fds {fds0} -> peak {fds_peak} -> after {fds1}")
        if nerr:
            tot.problems.append(f"observer failures: {errs[:3]}")
        if p99 > OBSERVER_P99_BOUND:
            tot.problems.append(f"observer p99 {p99 * 1000:.0f} ms > {OBSERVER_P99_BOUND * 1000:.0f} ms")
        if fds1 > fds0 + 8:
            tot.problems.append(f"server holds {fds1 - fds0} more fds than at the start")
        if self.sampler.dead:
            tot.problems.append(self.sampler.dead)
        tot.ok = not tot.problems
        tot.duration = t_end - t_begin
        self.results.append(tot)
        return self.report()

    def report(self) -> int:
        print()
        print("=" * 100)
        hdr = f"{'case':<26} {'result':<6} {'reaction':>9} {'bound':>7} {'RSS +MiB':>9}  expected / observed"
        print(hdr)
        print("-" * 100)
        for r in self.results:
            react = f"{r.reaction:.2f}s" if r.reaction is not None else "-"
            bound = f"{r.bound:.2f}s" if r.bound is not None else "-"
            drss = f"{r.rss_peak - r.rss_start:+.0f}" if r.rss_peak == r.rss_peak else "?"
            print(f"{r.case:<26} {'PASS' if r.ok else 'FAIL':<6} {react:>9} {bound:>7} {drss:>9}  "
                  f"expected: {r.expected}")
            print(f"{'':<62}observed: {r.observed}")
            print(f"{'':<62}observer: {r.obs}; server CPU {r.cpu:.1f}s in {r.duration:.1f}s, "
                  f"fds peak {r.fds_peak}")
            for p in r.problems:
                print(f"{'':<62}PROBLEM:  {p}")
        print("-" * 100)
        failed = [r for r in self.results if not r.ok]
        print(f"sweep: {len(self.results) - len(failed)} passed, {len(failed)} failed"
              + (f" ({', '.join(r.case for r in failed)})" if failed else ""))
        if self.a.json_out:
            with open(self.a.json_out, "w") as f:
                json.dump([r.__dict__ for r in self.results], f, indent=1, default=str)
        return 1 if failed else 0


def main() -> int:
    global OBSERVER_P99_BOUND
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True, help="wire-protocol port")
    p.add_argument("--grpc-port", type=int, default=0, help="stock gRPC port (0: skip its case)")
    p.add_argument("--pki", required=True, help="directory made by certs/dev-pki.sh")
    p.add_argument("--server-pid", type=int, required=True, help="for /proc/PID (VmRSS, fds)")
    p.add_argument("--config", help="the server's JSON config file (limits); defaults otherwise")
    p.add_argument("--half-open", type=int, default=10000)
    p.add_argument("--half-open-grpc", type=int, default=100)
    p.add_argument("--flood-seconds", type=float, default=10.0)
    p.add_argument("--observer-p99-ms", type=float, default=OBSERVER_P99_BOUND * 1000,
                   help="observer p99 bound (default %(default)g ms; see README.md)")
    p.add_argument("--json-out")
    p.add_argument("--only", type=lambda s: set(s.split(",")), default=None, help="comma-separated case names")
    a = p.parse_args()
    OBSERVER_P99_BOUND = a.observer_p99_ms / 1000.0
    return Sweep(a).run()


if __name__ == "__main__":
    sys.exit(main())
