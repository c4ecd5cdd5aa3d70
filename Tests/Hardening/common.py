"""Shared pieces of the hardening sweep (sweep.py, tls_checks.py).

A raw wire-protocol connection with full control of every byte (TLS over memory BIOs, so a
test can trickle single bytes, stop mid-handshake, send close_notify and keep reading, or
never read at all), frame parsing, the server's limits as configured, and /proc sampling of
the server process. Python 3.9+ and the ``protobuf`` package; nothing else.
"""

from __future__ import annotations

import json
import os
import select
import socket
import ssl
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PY_CLIENT = os.path.join(REPO, "Clients", "python")
if PY_CLIENT not in sys.path:
    sys.path.insert(0, PY_CLIENT)

from vrs_client import PREFACE, make_tls_context  # noqa: E402  (also puts generated/ on sys.path)
from volunteer.wire.v1 import frame_pb2 as wire  # noqa: E402

HEALTH_CHECK = "/volunteer.v1.Health/Check"
STATUS_NAMES = {0: "OK", 1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED",
                5: "NOT_FOUND", 6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED",
                9: "FAILED_PRECONDITION", 10: "ABORTED", 11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED",
                13: "INTERNAL", 14: "UNAVAILABLE", 15: "DATA_LOSS", 16: "UNAUTHENTICATED"}


def code_name(code: int) -> str:
    return f"{code} {STATUS_NAMES.get(code, '?')}"


# --------------------------------------------------------------------------- server limits

@dataclass
class Limits:
    """The server's timers (seconds), as its config file sets them (defaults otherwise), and
    the bounds derived from them (PROTOCOL.md §2, §11)."""
    handshake: float = 10.0
    idle: float = 300.0
    keepalive_interval: float = 60.0
    keepalive_timeout: float = 20.0
    grace: float = 30.0
    max_frame_size: int = 4 * 1024 * 1024
    max_metadata_size: int = 8 * 1024
    max_concurrent_calls: int = 256
    #: Not configurable (WireServerTransport.Configuration.closeTimeout): how long a closing
    #: connection may try to flush before its TCP connection is closed regardless (§11).
    close_timeout: float = 5.0
    #: Allowance for scheduling on a loaded machine on top of every timer bound.
    slack: float = 1.0

    @classmethod
    def from_config(cls, path: Optional[str]) -> "Limits":
        lim = cls()
        if path:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f).get("limits", {})
            lim.handshake = float(doc.get("handshakeTimeoutSeconds", lim.handshake))
            lim.idle = float(doc.get("idleTimeoutSeconds", lim.idle))
            lim.keepalive_interval = float(doc.get("keepaliveIntervalSeconds", lim.keepalive_interval))
            lim.keepalive_timeout = float(doc.get("keepaliveTimeoutSeconds", lim.keepalive_timeout))
            lim.grace = float(doc.get("gracePeriodSeconds", lim.grace))
            lim.max_frame_size = int(doc.get("maxFrameSize", lim.max_frame_size))
            lim.max_metadata_size = int(doc.get("maxMetadataSize", lim.max_metadata_size))
            lim.max_concurrent_calls = int(doc.get("maxConcurrentCallsPerConnection", lim.max_concurrent_calls))
        return lim

    @property
    def tick(self) -> float:
        """§11: timers are checked every quarter of the shortest timer, at most every second
        (ServerConnectionHandler.tickInterval: clamped to 5 ms ... 1 s)."""
        timers = [t for t in (self.keepalive_interval, self.idle, self.handshake, self.grace,
                              self.keepalive_timeout) if t > 0]
        return min(max(min(timers) / 4, 0.005), 1.0)

    @property
    def immediate(self) -> float:
        """Bound for reactions the protocol calls immediate ("at once", "as soon as")."""
        return self.slack

    @property
    def handshake_bound(self) -> float:
        return self.handshake + self.tick + self.slack

    @property
    def idle_bound(self) -> float:
        return self.idle + self.tick + self.slack

    @property
    def keepalive_bound(self) -> float:
        # the ping goes out at most a tick after the interval, the close a tick after its timeout
        return self.keepalive_interval + self.keepalive_timeout + 2 * self.tick + self.slack

    @property
    def stalled_bound(self) -> float:
        """A connection that sends nothing complete: whichever of idle / keepalive comes first."""
        if self.idle > 0:
            return min(self.idle_bound, self.keepalive_bound)
        return self.keepalive_bound

    def describe(self) -> str:
        return (f"handshake {self.handshake:g}s, idle {self.idle:g}s, keepalive {self.keepalive_interval:g}s"
                f"+{self.keepalive_timeout:g}s, grace {self.grace:g}s, tick {self.tick:g}s, "
                f"close timeout {self.close_timeout:g}s (fixed), slack {self.slack:g}s")


# --------------------------------------------------------------------------- frames

def encode(frame: wire.Frame) -> bytes:
    body = frame.SerializeToString()
    return len(body).to_bytes(4, "big") + body


def open_frame(call_id: int, method: str = HEALTH_CHECK,
               metadata: tuple[tuple[str, str], ...] = ()) -> bytes:
    md = [wire.MetadataEntry(key=k, text=v) for k, v in metadata]
    return encode(wire.Frame(call_id=call_id, open=wire.Open(method=method, metadata=md)))


def unary_frames(call_id: int, method: str = HEALTH_CHECK, request: bytes = b"",
                 metadata: tuple[tuple[str, str], ...] = ()) -> bytes:
    return (open_frame(call_id, method, metadata)
            + encode(wire.Frame(call_id=call_id, message=wire.Message(data=request)))
            + encode(wire.Frame(call_id=call_id, half_close=wire.HalfClose())))


@dataclass
class Reaction:
    """What the server did on a raw connection, with times relative to ``since``."""
    frames: list = field(default_factory=list)      # (t, Frame)
    closed: Optional[float] = None                   # t of EOF / reset / alert
    close_kind: str = ""                             # "EOF", "reset", "close_notify+EOF", "TLS alert ..."
    alert: Optional[str] = None
    raw_bytes: int = 0                               # ciphertext (or plaintext without TLS) received
    undecodable: Optional[str] = None

    def goaway(self) -> Optional[tuple[float, wire.GoAway]]:
        for t, f in self.frames:
            if f.call_id == 0 and f.WhichOneof("kind") == "goaway":
                return t, f.goaway
        return None

    def status(self, call_id: int) -> Optional[tuple[float, wire.Status]]:
        for t, f in self.frames:
            if f.call_id == call_id and f.WhichOneof("kind") == "status":
                return t, f.status
        return None

    def kinds(self) -> list[str]:
        return [f"{f.WhichOneof('kind')}@{f.call_id}" for _, f in self.frames]

    def summary(self) -> str:
        parts = []
        g = self.goaway()
        if g:
            parts.append(f"GoAway {code_name(g[1].code)} last={g[1].last_call_id} at {g[0]:.2f}s "
                         f"({g[1].reason[:90]!r})")
        others = [k for k in self.kinds() if not k.startswith(("settings", "goaway", "ping", "pong"))]
        if others:
            parts.append("frames " + ",".join(others[:6]) + ("…" if len(others) > 6 else ""))
        if self.alert:
            parts.append(f"TLS alert {self.alert}")
        if self.closed is not None:
            parts.append(f"closed ({self.close_kind}) at {self.closed:.2f}s")
        else:
            parts.append("still open")
        if self.undecodable:
            parts.append(f"undecodable data: {self.undecodable}")
        return "; ".join(parts)


class RawConn:
    """One client connection with byte-level control. TLS runs over memory BIOs on a plain
    socket, so ``send`` of N bytes is one TLS record of N bytes, and the socket may be left
    unread, half-closed or abandoned mid-handshake at will."""

    def __init__(self, host: str, port: int, ctx: Optional[ssl.SSLContext], *, rcvbuf: Optional[int] = None,
                 handshake: bool = True, timeout: float = 10.0, parse: bool = True) -> None:
        self.parse = parse
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.t_connect = time.monotonic()
        self.local_port = self.sock.getsockname()[1]
        self.tls = None
        self.plain = bytearray()
        self.eof = False
        if ctx is not None:
            self.inb, self.outb = ssl.MemoryBIO(), ssl.MemoryBIO()
            self.tls = ctx.wrap_bio(self.inb, self.outb, server_side=False, server_hostname=host)
            if handshake:
                self.handshake(timeout)

    def handshake(self, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush()
                self.sock.settimeout(max(0.01, end - time.monotonic()))
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError("EOF during the TLS handshake")
                self.inb.write(data)
        self._flush()

    def _flush(self) -> None:
        out = self.outb.read()
        if out:
            self.sock.sendall(out)

    def send(self, data: bytes) -> None:
        if self.tls is None:
            self.sock.sendall(data)
        else:
            self.tls.write(data)
            self._flush()

    def start(self, timeout: float = 5.0) -> Reaction:
        """Sends the preface and waits for the server's Settings frame."""
        self.send(PREFACE)
        return self.react(time.monotonic(), timeout,
                          stop=lambda x: any(f.WhichOneof("kind") == "settings" for _, f in x.frames))

    def close_notify_and_shutdown(self) -> None:
        """Sends TLS close_notify and half-closes TCP; reading stays possible."""
        if self.tls is not None:
            try:
                self.tls.unwrap()
            except (ssl.SSLWantReadError, ssl.SSLError):
                pass
            self._flush()
        self.sock.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def react(self, since: float, timeout: float,
              stop: Optional[Callable[[Reaction], bool]] = None, into: Optional[Reaction] = None) -> Reaction:
        """Reads until the server closes, ``stop(reaction)`` is true, or ``timeout`` passes;
        parses frames as they arrive (answers nothing: no Pong)."""
        r = into if into is not None else Reaction()
        end = time.monotonic() + timeout
        while r.closed is None:
            if stop is not None and stop(r):
                break
            left = end - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                continue
            now = time.monotonic() - since
            try:
                data = self.sock.recv(262144)
            except ConnectionResetError:
                r.closed, r.close_kind = now, "reset"
                break
            except OSError as e:
                r.closed, r.close_kind = now, f"error {e}"
                break
            r.raw_bytes += len(data)
            if not data:
                r.closed, r.close_kind = now, r.close_kind or "EOF"
                break
            if self.tls is None:
                self.plain += data
            else:
                self.inb.write(data)
                while True:
                    try:
                        chunk = self.tls.read(262144)
                    except ssl.SSLWantReadError:
                        break
                    except ssl.SSLZeroReturnError:
                        chunk = b""
                    except ssl.SSLError as e:
                        r.alert = getattr(e, "reason", None) or str(e)
                        r.closed, r.close_kind = now, f"TLS alert {r.alert}"
                        break
                    if not chunk:
                        # SSLObject.read() returns b"" once close_notify has arrived: the
                        # server ended the TLS session, which is its close. Answer with our
                        # close_notify, as a client should, so it can drop TCP at once.
                        r.closed, r.close_kind = now, "close_notify"
                        try:
                            self.tls.unwrap()
                        except (ssl.SSLError, ValueError):
                            pass
                        try:
                            self._flush()
                        except OSError:
                            pass
                        break
                    self.plain += chunk
            if self.parse:
                self._parse(r, now)
        return r

    def _parse(self, r: Reaction, now: float) -> None:
        while len(self.plain) >= 4:
            n = int.from_bytes(self.plain[:4], "big")
            if n > 64 * 1024 * 1024:
                r.undecodable = f"length prefix {n} (first bytes {bytes(self.plain[:8]).hex()})"
                self.plain.clear()
                return
            if len(self.plain) < 4 + n:
                return
            body = bytes(self.plain[4:4 + n])
            del self.plain[:4 + n]
            try:
                r.frames.append((now, wire.Frame.FromString(body)))
            except Exception as e:  # noqa: BLE001
                r.undecodable = f"{type(e).__name__}: {e}"


def client_context(pki: str, name: str = "admin", *, max_version: Optional[ssl.TLSVersion] = None,
                   min_version: Optional[ssl.TLSVersion] = None, cert: bool = True,
                   cert_path: Optional[str] = None, key_path: Optional[str] = None) -> ssl.SSLContext:
    """The Python client's TLS context (PROTOCOL.md §14), with an optional certificate swap."""
    if cert:
        ctx = make_tls_context(cert_path or f"{pki}/{name}.crt", key_path or f"{pki}/{name}.key", f"{pki}/ca.crt")
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_verify_locations(f"{pki}/ca.crt")
        ctx.set_alpn_protocols(["vrs/1"])
    if min_version is not None:
        ctx.minimum_version = min_version
    if max_version is not None:
        ctx.maximum_version = max_version
    return ctx


# --------------------------------------------------------------------------- /proc

def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_limit(pid: int) -> str:
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                parts = line.split()
                return f"soft {parts[3]}, hard {parts[4]}"
    return "?"


def server_socket_inodes(pid: int) -> set[int]:
    out = set()
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
        if link.startswith("socket:["):
            out.add(int(link[8:-1]))
    return out


def server_holds_connection(pid: int, server_port: int, client_port: int) -> bool:
    """True while the server process still has a file descriptor for the TCP connection
    between its ``server_port`` and our ``client_port`` (a closed fd leaves the socket
    orphaned, inode 0, or gone from /proc/net/tcp)."""
    want_local, want_remote = f":{server_port:04X}", f":{client_port:04X}"
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[1].endswith(want_local) and parts[2].endswith(want_remote):
                        inode = int(parts[9])
                        break
        except FileNotFoundError:
            continue
        if inode is not None:
            break
    if not inode:
        return False
    return inode in server_socket_inodes(pid)
