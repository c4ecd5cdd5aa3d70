"""A small Python client for the Volunteer Records wire protocol, version 1.

Written from ``docs/PROTOCOL.md`` and ``Proto/`` only. It needs nothing beyond the
``protobuf`` package and the standard library (``ssl``, ``socket``, ``selectors``,
``threading``). The message classes are generated into ``generated/`` by
``generate.sh`` (``protoc --python_out``; no gRPC plugin).

Design (PROTOCOL.md §10, §14):

* One I/O thread per connection owns the socket. TLS runs over memory BIOs
  (``ssl.SSLObject``), so reading and writing never touch one ``SSLSocket`` from two
  threads, and a blocked write never stops reading: the thread always reads what
  arrives and buffers it per call in an unbounded queue.
* Callers enqueue whole frames (length prefix + body) under a lock, so frames of
  different calls interleave but a frame's bytes never do. Enqueueing blocks while
  more than ``_TX_HIGH_WATER`` bytes are waiting (back pressure for uploads).
* Call ids are 1, 2, 3, ... in the order the Opens are queued.

Typical use::

    from vrs_client import Connection, Stub
    with Connection("127.0.0.1", 7443, "admin.crt", "admin.key", "ca.crt") as conn:
        health = Stub(conn, "volunteer.v1.Health")
        print(health.Check(health_pb2.HealthCheckRequest()))
"""

from __future__ import annotations

import enum
import math
import os
import queue
import re
import selectors
import socket
import ssl
import sys
import threading
import time
from collections import deque
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Type, TypeVar, Union

_GENERATED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated")
if _GENERATED not in sys.path:
    sys.path.insert(0, _GENERATED)

from google.protobuf import descriptor_pool, message_factory  # noqa: E402
from google.protobuf.message import DecodeError, Message as ProtoMessage  # noqa: E402

from volunteer.wire.v1 import frame_pb2 as wire  # noqa: E402
# Imported so that their services are in the default descriptor pool (used by Stub).
from volunteer.v1 import (  # noqa: E402,F401
    activities_pb2, credentials_pb2, evaluations_pb2, health_pb2, hours_pb2, organisations_pb2,
    principals_pb2, recognition_pb2, statistics_pb2, volunteers_pb2,
)

__all__ = [
    "ALPN_PROTOCOL", "PREFACE", "StatusCode", "RpcError", "Settings", "Connection", "Client", "Stub",
    "make_tls_context", "encode_timeout", "Metadata",
]

PREFACE = b"VOLWIRE\x01"            # §4
ALPN_PROTOCOL = "vrs/1"             # §2
_MAX_CALL_ID = 0xFFFFFFFF           # §7.1
_TX_HIGH_WATER = 1 << 20            # bytes of queued plaintext before senders wait
_CIPHER_HIGH_WATER = 256 << 10      # ciphertext buffered before we stop encrypting more

#: Request/response metadata: (key, value) pairs, ``bytes`` values for ``-bin`` keys.
Metadata = Sequence[tuple[str, Union[str, bytes]]]

Req = TypeVar("Req", bound=ProtoMessage)
Resp = TypeVar("Resp", bound=ProtoMessage)


class StatusCode(enum.IntEnum):
    """gRPC status codes (§9)."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    @classmethod
    def of(cls, code: int) -> "StatusCode":
        """Maps a wire code to a StatusCode; unknown codes (> 16) are UNKNOWN (§7.5)."""
        try:
            return cls(code)
        except ValueError:
            return cls.UNKNOWN


class RpcError(Exception):
    """A call that did not end with OK: a server Status, or a failure detected locally.

    ``code`` is the StatusCode, ``name`` its name (e.g. ``"NOT_FOUND"``), ``message`` the
    human-readable text, ``trailers`` the Status trailers, ``local`` True when this client
    produced the error itself (deadline, connection loss, oversize request, ...).
    """

    def __init__(self, code: int, name: Optional[str] = None, message: str = "",
                 trailers: Metadata = (), *, local: bool = False) -> None:
        self.code: StatusCode = StatusCode.of(code)
        self.name: str = name or self.code.name
        self.message: str = message
        self.trailers: list[tuple[str, Union[str, bytes]]] = list(trailers)
        self.local: bool = local
        super().__init__(f"{self.name} ({int(self.code)}): {message}")

    @classmethod
    def of(cls, code: int, message: str, *, local: bool = True) -> "RpcError":
        return cls(code, None, message, local=local)


class Settings:
    """The server's limits (§6), with the defaults applied for unset or zero values."""

    def __init__(self, frame: Optional[wire.Settings] = None) -> None:
        f = frame or wire.Settings()
        self.received: bool = frame is not None
        self.protocol_version: int = f.protocol_version or 1
        self.server_version: str = f.server_version
        self.max_frame_size: int = f.max_frame_size or 4194304
        self.max_concurrent_calls: int = f.max_concurrent_calls or 256
        self.max_metadata_size: int = f.max_metadata_size or 8192
        # 0 is meaningful here ("never"), so the defaults apply only before Settings arrives.
        self.keepalive_interval_ms: int = f.keepalive_interval_ms if frame is not None else 60000
        self.idle_timeout_ms: int = f.idle_timeout_ms if frame is not None else 300000

    def __repr__(self) -> str:
        return (f"Settings(protocol_version={self.protocol_version}, server_version={self.server_version!r}, "
                f"max_frame_size={self.max_frame_size}, max_concurrent_calls={self.max_concurrent_calls}, "
                f"max_metadata_size={self.max_metadata_size}, keepalive_interval_ms={self.keepalive_interval_ms}, "
                f"idle_timeout_ms={self.idle_timeout_ms})")


def make_tls_context(cert: str, key: str, ca: str) -> ssl.SSLContext:
    """TLS 1.2+ client context: server verified against ``ca`` with host-name checking,
    our certificate presented, ALPN ``vrs/1`` offered (§2, §14)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED + check_hostname
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols([ALPN_PROTOCOL])
    # TLS 1.2: restrict to the ECDHE + AEAD suites of §2 (TLS 1.3 suites are all acceptable).
    ctx.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
    return ctx


_TIMEOUT_UNITS = (("n", 1), ("u", 10**3), ("m", 10**6), ("S", 10**9), ("M", 60 * 10**9), ("H", 3600 * 10**9))


def encode_timeout(seconds: float) -> str:
    """A ``grpc-timeout`` value (§8.3): at most 8 digits and a unit, never shorter than asked."""
    if seconds <= 0:
        raise ValueError("timeout must be positive")
    ns = max(1, math.ceil(seconds * 1e9))
    # Prefer an exact, short form (e.g. "5S", "500m"), else the finest unit that fits.
    for unit, per in reversed(_TIMEOUT_UNITS):
        if ns % per == 0 and ns // per <= 99_999_999:
            return f"{ns // per}{unit}"
    for unit, per in _TIMEOUT_UNITS:
        value = -(-ns // per)
        if value <= 99_999_999:
            return f"{value}{unit}"
    raise ValueError("timeout too long for grpc-timeout")


_KEY_RE = re.compile(r"^[0-9a-z_.\-]{1,255}$")
_TEXT_RE = re.compile(r"^[\x20-\x7e]*$")


def _metadata_entries(metadata: Metadata) -> tuple[list[wire.MetadataEntry], int]:
    """Validates request metadata as §8.1 requires and returns the entries and their §8.2 size."""
    entries: list[wire.MetadataEntry] = []
    size = 0
    for key, value in metadata:
        if not _KEY_RE.match(key):
            raise RpcError.of(StatusCode.INVALID_ARGUMENT, f"invalid metadata key {key!r}")
        if key.endswith("-bin"):
            if not isinstance(value, (bytes, bytearray)):
                raise RpcError.of(StatusCode.INVALID_ARGUMENT, f"metadata key {key!r} needs a bytes value")
            entries.append(wire.MetadataEntry(key=key, binary=bytes(value)))
            size += len(key) + len(value)
        else:
            if not isinstance(value, str) or not _TEXT_RE.match(value):
                raise RpcError.of(StatusCode.INVALID_ARGUMENT,
                                  f"metadata key {key!r} needs printable ASCII text")
            entries.append(wire.MetadataEntry(key=key, text=value))
            size += len(key) + len(value)
    return entries, size


def _from_entries(entries: Iterable[wire.MetadataEntry]) -> list[tuple[str, Union[str, bytes]]]:
    out: list[tuple[str, Union[str, bytes]]] = []
    for e in entries:
        out.append((e.key, e.binary if e.WhichOneof("value") == "binary" or e.key.endswith("-bin") else e.text))
    return out


class _ConnectionLost(Exception):
    """Raised inside the I/O thread: the connection ended; carries the status for open calls."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Call:
    """Client-side state of one call. Frames for it are queued by the I/O thread."""

    def __init__(self, call_id: int, method: str, deadline: Optional[float]) -> None:
        self.id = call_id
        self.method = method
        self.deadline = deadline                   # time.monotonic() value, or None
        self.frames: "queue.Queue[wire.Frame]" = queue.Queue()
        self.abandoned = False                     # Cancel sent: later frames are dropped
        self.headers: Optional[list[tuple[str, Union[str, bytes]]]] = None
        self.ended = False                         # Status (real or synthetic) consumed


class Connection:
    """One mutually authenticated TLS connection to the service (§2-§12).

    ``Connection(host, port, cert, key, ca)`` connects, handshakes, sends the preface and
    (unless ``wait_for_settings=False``) waits for the server's Settings frame. Use
    :meth:`unary`, :meth:`client_streaming` and :meth:`server_streaming` (or a :class:`Stub`).
    Thread-safe: calls may run concurrently from several threads.
    """

    def __init__(self, host: str, port: int, cert: str, key: str, ca: str, *,
                 server_hostname: Optional[str] = None, connect_timeout: float = 10.0,
                 wait_for_settings: bool = True, enforce_deadlines: bool = True,
                 context: Optional[ssl.SSLContext] = None) -> None:
        self.host = host
        self.port = port
        #: Enforce deadlines locally too (§8.3 SHOULD). Off: wait for the server's Status.
        self.enforce_deadlines = enforce_deadlines
        self.settings = Settings()                 # defaults until the server's arrive (§4)
        self.alpn_protocol: Optional[str] = None
        self.tls_version: Optional[str] = None
        #: (last_call_id, code, reason) once the server sent GoAway.
        self.goaway: Optional[tuple[int, int, str]] = None
        self.closed_reason: Optional[str] = None

        self._lock = threading.Lock()              # calls, ids, state; never held while blocking
        self._open_lock = threading.Lock()         # serialises id allocation + queueing of Open
        self._slots = threading.Condition(self._lock)
        self._calls: dict[int, _Call] = {}
        self._next_id = 1
        self._closed = False
        self._closing = False
        self._settings_event = threading.Event()
        self._pings: dict[int, threading.Event] = {}
        self._ping_seq = 0

        self._tx: deque[bytes] = deque()
        self._tx_bytes = 0
        self._tx_cond = threading.Condition(threading.Lock())
        self._rx = bytearray()
        self._cipher_out = bytearray()

        ctx = context or make_tls_context(cert, key, ca)
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        sock = socket.create_connection((host, port), timeout=connect_timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._tls = ctx.wrap_bio(self._incoming, self._outgoing, server_side=False,
                                     server_hostname=server_hostname or host)
            self._handshake(sock)
        except ssl.SSLError as e:
            sock.close()
            raise RpcError.of(StatusCode.UNAVAILABLE, f"could not connect to {host}:{port}: TLS failed: {e}") from e
        except OSError as e:
            sock.close()
            raise RpcError.of(StatusCode.UNAVAILABLE, f"could not connect to {host}:{port}: {e}") from e
        self.alpn_protocol = self._tls.selected_alpn_protocol()
        self.tls_version = self._tls.version()
        sock.setblocking(False)
        self._sock = sock
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._enqueue(PREFACE, from_io=True)
        self._thread = threading.Thread(target=self._run, name=f"vrs-io-{host}:{port}", daemon=True)
        self._thread.start()
        if wait_for_settings:
            self._settings_event.wait(connect_timeout)
            if not self.settings.received:
                reason = self.closed_reason or "no Settings frame within the connect timeout"
                code = self.goaway[1] if self.goaway else StatusCode.UNAVAILABLE
                self.close(0)
                raise RpcError.of(code if code else StatusCode.UNAVAILABLE,
                                  f"could not connect to {host}:{port}: {reason}")

    # ------------------------------------------------------------------ TLS / socket I/O

    def _handshake(self, sock: socket.socket) -> None:
        """Blocking TLS handshake over the memory BIOs (the socket has a timeout)."""
        while True:
            try:
                self._tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                out = self._outgoing.read()
                if out:
                    sock.sendall(out)
                data = sock.recv(65536)
                if not data:
                    raise OSError("connection closed during the TLS handshake")
                self._incoming.write(data)
        out = self._outgoing.read()
        if out:
            sock.sendall(out)

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass

    def _enqueue(self, data: bytes, *, from_io: bool = False) -> None:
        """Queues whole frames for the I/O thread. Callers wait while too much is queued;
        the I/O thread itself never waits (it must keep reading, §10)."""
        with self._tx_cond:
            if not from_io:
                while self._tx_bytes > _TX_HIGH_WATER and not self._closed:
                    self._tx_cond.wait(0.5)
            if self._closed:
                raise RpcError.of(StatusCode.UNAVAILABLE, f"connection closed: {self.closed_reason}")
            self._tx.append(data)
            self._tx_bytes += len(data)
        if not from_io:
            self._wake()

    def _pump_out(self) -> None:
        """Encrypts queued plaintext and writes as much ciphertext as the socket takes."""
        while len(self._cipher_out) < _CIPHER_HIGH_WATER:
            with self._tx_cond:
                if not self._tx:
                    break
                data = self._tx.popleft()
                self._tx_bytes -= len(data)
                self._tx_cond.notify_all()
            self._tls.write(data)
            self._cipher_out += self._outgoing.read()
        self._cipher_out += self._outgoing.read()
        while self._cipher_out:
            try:
                n = self._sock.send(self._cipher_out)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                raise _ConnectionLost(StatusCode.UNAVAILABLE, f"connection lost: {e}")
            del self._cipher_out[:n]

    def _read_socket(self) -> None:
        while True:
            try:
                data = self._sock.recv(262144)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as e:
                raise _ConnectionLost(StatusCode.UNAVAILABLE, f"connection lost: {e}")
            if not data:
                self._incoming.write_eof()
                self._drain_tls()
                raise _ConnectionLost(StatusCode.UNAVAILABLE, "connection closed by the server")
            self._incoming.write(data)
            self._drain_tls()

    def _drain_tls(self) -> None:
        while True:
            try:
                chunk = self._tls.read(262144)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:
                self._parse_frames()
                raise _ConnectionLost(StatusCode.UNAVAILABLE, "connection closed by the server (close_notify)")
            except ssl.SSLError as e:
                # e.g. a TLS 1.3 alert for our certificate arrives here, on the first read (§2).
                raise _ConnectionLost(StatusCode.UNAVAILABLE, f"TLS failed: {e}")
            if not chunk:
                break
            self._rx += chunk
        self._parse_frames()
        self._cipher_out += self._outgoing.read()  # e.g. a KeyUpdate answer

    def _run(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._sock, selectors.EVENT_READ)
        sel.register(self._wake_r, selectors.EVENT_READ)
        failure: Optional[_ConnectionLost] = None
        try:
            while True:
                self._pump_out()
                if self._closing and not self._cipher_out and not self._tx:
                    with self._lock:
                        idle = not self._calls
                    if idle:
                        break
                events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self._cipher_out else 0)
                sel.modify(self._sock, events)
                for key, ev in sel.select(timeout=1.0):
                    if key.fileobj is self._wake_r:
                        try:
                            while self._wake_r.recv(4096):
                                pass
                        except (BlockingIOError, InterruptedError):
                            pass
                    elif ev & selectors.EVENT_READ:
                        self._read_socket()
            # Orderly close: TLS close_notify, then TCP close (§12).
            try:
                self._tls.unwrap()
            except ssl.SSLError:
                pass
            self._cipher_out += self._outgoing.read()
            self._sock.setblocking(True)
            self._sock.settimeout(2.0)
            try:
                self._sock.sendall(self._cipher_out)
            except OSError:
                pass
            failure = _ConnectionLost(StatusCode.UNAVAILABLE, "connection closed by the client")
        except _ConnectionLost as e:
            failure = e
        except Exception as e:  # a bug here must not hang callers
            failure = _ConnectionLost(StatusCode.INTERNAL, f"client I/O failure: {e!r}")
        finally:
            sel.close()
            self._shutdown(failure or _ConnectionLost(StatusCode.UNAVAILABLE, "connection closed"))

    def _shutdown(self, failure: _ConnectionLost) -> None:
        """Fails every open call with the failure's status (§7.6) and releases resources."""
        if self.goaway is not None and self.goaway[1] != 0:
            failure = _ConnectionLost(failure.code, f"{failure.message} after GoAway "
                                      f"{StatusCode.of(self.goaway[1]).name}: {self.goaway[2]}")
        with self._lock:
            self._closed = True
            if self.closed_reason is None:
                self.closed_reason = failure.message
            calls = list(self._calls.values())
            self._calls.clear()
            self._slots.notify_all()
            for ev in self._pings.values():
                ev.set()
        for call in calls:
            call.frames.put(_status_frame(call.id, failure.code, failure.message))
        with self._tx_cond:
            self._tx.clear()
            self._tx_bytes = 0
            self._tx_cond.notify_all()
        self._settings_event.set()
        for s in (self._sock, self._wake_r, self._wake_w):
            try:
                s.close()
            except OSError:
                pass

    # ------------------------------------------------------------------ inbound frames

    def _violation(self, what: str) -> None:
        # §5.4: a client that detects a violation by the server closes and reports INTERNAL.
        raise _ConnectionLost(StatusCode.INTERNAL, f"protocol violation by the server: {what}")

    def _parse_frames(self) -> None:
        rx = self._rx
        while len(rx) >= 4:
            n = int.from_bytes(rx[:4], "big")
            limit = self.settings.max_frame_size
            if n > limit:  # checked before reading or allocating the body (§5.1)
                self._violation(f"frame of {n} bytes exceeds the announced limit of {limit} bytes")
            if len(rx) < 4 + n:
                return
            body = bytes(rx[4:4 + n])
            del rx[:4 + n]
            frame = wire.Frame()
            try:
                frame.ParseFromString(body)
            except DecodeError as e:
                self._violation(f"malformed frame: {e}")
            self._dispatch(frame)

    def _dispatch(self, frame: wire.Frame) -> None:
        kind = frame.WhichOneof("kind")
        if kind is None:
            self._violation("malformed frame: no kind set")
        if kind in ("open", "half_close", "cancel"):
            self._violation(f"a server may not send {kind} frames")
        connection_kind = kind in ("settings", "ping", "pong", "goaway")
        if connection_kind != (frame.call_id == 0):
            self._violation(f"{kind} frame with call id {frame.call_id}")
        if kind == "settings":
            if self.settings.received:
                self._violation("a second Settings frame")
            self.settings = Settings(frame.settings)
            with self._lock:
                self._slots.notify_all()
            self._settings_event.set()
        elif kind == "ping":
            pong = wire.Frame(pong=wire.Pong(opaque=frame.ping.opaque))
            self._enqueue(_encode(pong), from_io=True)
        elif kind == "pong":
            with self._lock:
                ev = self._pings.pop(frame.pong.opaque, None)
            if ev is not None:
                ev.set()
        elif kind == "goaway":
            self._on_goaway(frame.goaway)
        else:
            with self._lock:
                call = self._calls.get(frame.call_id)
                if call is not None and kind == "status":
                    del self._calls[frame.call_id]
                    self._slots.notify_all()
            if call is None or call.abandoned:
                return  # ended or abandoned call: ignored (§7.2)
            call.frames.put(frame)

    def _on_goaway(self, g: wire.GoAway) -> None:
        self.goaway = (g.last_call_id, g.code, g.reason)
        if not self.settings.received:
            self.closed_reason = f"GoAway {StatusCode.of(g.code).name} ({g.code}): {g.reason}"
        # Calls above last_call_id were never started: fail them now, safe to retry (§12).
        with self._lock:
            dropped = [c for cid, c in self._calls.items() if cid > g.last_call_id]
            for c in dropped:
                del self._calls[c.id]
            self._slots.notify_all()
        for c in dropped:
            c.frames.put(_status_frame(c.id, StatusCode.UNAVAILABLE,
                                       f"the server sent GoAway ({g.reason}) and did not start this call; "
                                       "it is safe to retry"))
        self._settings_event.set()

    # ------------------------------------------------------------------ public API

    @property
    def usable(self) -> bool:
        """True while new calls may be started on this connection."""
        return not self._closed and not self._closing and self.goaway is None and self._next_id <= _MAX_CALL_ID

    def ping(self, timeout: float = 10.0) -> float:
        """Sends a Ping and waits for the Pong; returns the round trip in seconds (§11)."""
        with self._lock:
            self._ping_seq += 1
            opaque = self._ping_seq
            ev = self._pings[opaque] = threading.Event()
        start = time.monotonic()
        self._enqueue(_encode(wire.Frame(ping=wire.Ping(opaque=opaque))))
        if not ev.wait(timeout) or self._closed:
            with self._lock:
                self._pings.pop(opaque, None)
            raise RpcError.of(StatusCode.UNAVAILABLE, "no Pong")
        return time.monotonic() - start

    def close(self, timeout: float = 5.0) -> None:
        """Stops new calls, lets open calls finish for up to ``timeout`` seconds, then closes
        with TLS close_notify (open calls left are cancelled by the server)."""
        with self._lock:
            self._closing = True
            end = time.monotonic() + timeout
            while self._calls and not self._closed:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._slots.wait(left)
            leftover = list(self._calls.values())
            self._calls.clear()
        for c in leftover:
            c.frames.put(_status_frame(c.id, StatusCode.UNAVAILABLE, "connection closed by the client"))
        self._wake()
        if threading.current_thread() is not getattr(self, "_thread", None):
            self._thread.join(5.0)

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ calls

    def _send(self, call: _Call, frame: wire.Frame) -> None:
        body = frame.SerializeToString()
        limit = self.settings.max_frame_size
        if len(body) > limit:  # §5.1: never send it; fail the call locally
            raise RpcError.of(StatusCode.RESOURCE_EXHAUSTED,
                              f"{frame.WhichOneof('kind')} frame of {len(body)} bytes exceeds the server's "
                              f"limit of {limit} bytes")
        self._enqueue(len(body).to_bytes(4, "big") + body)

    def _start(self, method: str, timeout: Optional[float], metadata: Metadata) -> _Call:
        md: list[tuple[str, Union[str, bytes]]] = []
        if timeout is not None:
            md.append(("grpc-timeout", encode_timeout(timeout)))
        md.extend(metadata)
        entries, size = _metadata_entries(md)
        if size > self.settings.max_metadata_size:
            raise RpcError.of(StatusCode.RESOURCE_EXHAUSTED,
                              f"metadata of {size} bytes exceeds the limit of {self.settings.max_metadata_size} bytes")
        open_frame_body = wire.Open(method=method, metadata=entries)
        deadline = time.monotonic() + timeout if timeout is not None else None
        with self._open_lock:
            with self._lock:
                # §10: count calls from Open to Status; queue locally rather than exceed the limit.
                while (not self._closed and len(self._calls) >= self.settings.max_concurrent_calls):
                    if deadline is not None and time.monotonic() >= deadline:
                        raise RpcError.of(StatusCode.DEADLINE_EXCEEDED, "deadline expired waiting for a call slot")
                    self._slots.wait(0.5)
                if not self.usable:
                    why = (f"the server sent GoAway: {self.goaway[2]}" if self.goaway
                           else f"connection closed: {self.closed_reason}" if self._closed
                           else "connection is closing" if self._closing else "call ids exhausted")
                    raise RpcError.of(StatusCode.UNAVAILABLE, f"{why}; use a new connection")
                call = _Call(self._next_id, method, deadline)
                self._next_id += 1
                self._calls[call.id] = call
            try:
                self._send(call, wire.Frame(call_id=call.id, open=open_frame_body))
            except RpcError:
                with self._lock:
                    self._calls.pop(call.id, None)  # never sent: not open
                    self._slots.notify_all()
                raise
        return call

    def _cancel(self, call: _Call) -> None:
        """Sends Cancel and stops listening to the call (§7.4). It stays counted as open
        until its Status arrives (the I/O thread removes it then)."""
        if call.ended or call.abandoned:
            return
        call.abandoned = True
        try:
            self._send(call, wire.Frame(call_id=call.id, cancel=wire.Cancel()))
        except RpcError:
            pass

    def _next_frame(self, call: _Call) -> wire.Frame:
        """The call's next frame; raises DEADLINE_EXCEEDED (after sending Cancel) on expiry."""
        while True:
            wait: Optional[float] = None
            if call.deadline is not None and self.enforce_deadlines:
                wait = call.deadline - time.monotonic()
                if wait <= 0:
                    try:
                        return call.frames.get_nowait()
                    except queue.Empty:
                        pass
                    self._cancel(call)
                    raise RpcError.of(StatusCode.DEADLINE_EXCEEDED,
                                      f"the deadline expired before {call.method} ended (client side)")
            try:
                frame = call.frames.get(timeout=wait)
            except queue.Empty:
                continue
            kind = frame.WhichOneof("kind")
            if kind == "headers":
                if call.headers is None:
                    call.headers = _from_entries(frame.headers.metadata)
                continue  # a second Headers is ignored
            return frame

    def _check_status(self, call: _Call, status: wire.Status) -> None:
        call.ended = True
        if status.code != StatusCode.OK:
            raise RpcError(StatusCode.of(status.code), None, status.message, _from_entries(status.trailers))

    def _single_response(self, call: _Call, response_type: Type[Resp]) -> Resp:
        response: Optional[Resp] = None
        try:
            while True:
                frame = self._next_frame(call)
                kind = frame.WhichOneof("kind")
                if kind == "message":
                    if response is not None:
                        self._cancel(call)
                        raise RpcError.of(StatusCode.INTERNAL, f"{call.method}: more than one response message")
                    response = _parse(response_type, frame.message.data, call.method)
                elif kind == "status":
                    self._check_status(call, frame.status)
                    if response is None:
                        raise RpcError.of(StatusCode.INTERNAL, f"{call.method}: Status OK without a response message")
                    return response
        except BaseException:
            if not call.ended:
                self._cancel(call)
            raise

    def unary(self, method: str, request: ProtoMessage, response_type: Type[Resp], *,
              timeout: Optional[float] = 30.0, metadata: Metadata = ()) -> Resp:
        """A unary call: Open, one Message, HalfClose; returns the single response."""
        call = self._start(method, timeout, metadata)
        try:
            self._send(call, wire.Frame(call_id=call.id, message=wire.Message(data=request.SerializeToString())))
            self._send(call, wire.Frame(call_id=call.id, half_close=wire.HalfClose()))
        except RpcError:
            self._cancel(call)
            raise
        return self._single_response(call, response_type)

    def client_streaming(self, method: str, requests: Iterable[ProtoMessage], response_type: Type[Resp], *,
                         timeout: Optional[float] = 120.0, metadata: Metadata = ()) -> Resp:
        """A client stream: Open, each request as a Message, HalfClose; one response.
        Stops sending early if the server ends the call first (§7.2)."""
        call = self._start(method, timeout, metadata)
        try:
            for req in requests:
                if not call.frames.empty():
                    peek = call.frames.queue[0]  # a Status already? stop sending (§7.2)
                    if peek.WhichOneof("kind") == "status":
                        break
                if call.deadline is not None and self.enforce_deadlines and time.monotonic() >= call.deadline:
                    break  # _single_response reports DEADLINE_EXCEEDED
                self._send(call, wire.Frame(call_id=call.id, message=wire.Message(data=req.SerializeToString())))
            else:
                self._send(call, wire.Frame(call_id=call.id, half_close=wire.HalfClose()))
        except BaseException:
            self._cancel(call)
            raise
        return self._single_response(call, response_type)

    def server_streaming(self, method: str, request: ProtoMessage, response_type: Type[Resp], *,
                         timeout: Optional[float] = 300.0, metadata: Metadata = ()) -> Iterator[Resp]:
        """A server stream: Open, one Message, HalfClose; yields each response. Stopping the
        iteration early sends Cancel. Raises RpcError if the call does not end with OK."""
        call = self._start(method, timeout, metadata)
        try:
            self._send(call, wire.Frame(call_id=call.id, message=wire.Message(data=request.SerializeToString())))
            self._send(call, wire.Frame(call_id=call.id, half_close=wire.HalfClose()))
        except RpcError:
            self._cancel(call)
            raise
        return self._stream(call, response_type)

    def _stream(self, call: _Call, response_type: Type[Resp]) -> Iterator[Resp]:
        try:
            while True:
                frame = self._next_frame(call)
                kind = frame.WhichOneof("kind")
                if kind == "message":
                    yield _parse(response_type, frame.message.data, call.method)
                elif kind == "status":
                    self._check_status(call, frame.status)
                    return
        finally:
            if not call.ended:
                self._cancel(call)  # the caller stopped early, or an error


def _encode(frame: wire.Frame) -> bytes:
    body = frame.SerializeToString()
    return len(body).to_bytes(4, "big") + body


def _status_frame(call_id: int, code: int, message: str) -> wire.Frame:
    """A locally made Status frame, queued to a call that ends without the server's."""
    return wire.Frame(call_id=call_id, status=wire.Status(code=int(code), message=message))


def _parse(response_type: Type[Resp], data: bytes, method: str) -> Resp:
    msg = response_type()
    try:
        msg.ParseFromString(data)
    except DecodeError as e:
        raise RpcError.of(StatusCode.INTERNAL, f"{method}: undecodable response: {e}")
    return msg


class Client:
    """Keeps a usable :class:`Connection`: after GoAway, an idle close or a connection loss,
    the next call opens a new one (§12: new calls go to a new connection)."""

    def __init__(self, host: str, port: int, cert: str, key: str, ca: str, **options: Any) -> None:
        self._args = (host, port, cert, key, ca)
        self._options = options
        self._conn: Optional[Connection] = None
        self._lock = threading.Lock()

    def connection(self) -> Connection:
        with self._lock:
            if self._conn is None or not self._conn.usable:
                old = self._conn
                self._conn = Connection(*self._args, **self._options)
                if old is not None:
                    threading.Thread(target=old.close, args=(30.0,), daemon=True).start()
            return self._conn

    def unary(self, method: str, request: ProtoMessage, response_type: Type[Resp], **kw: Any) -> Resp:
        return self.connection().unary(method, request, response_type, **kw)

    def client_streaming(self, method: str, requests: Iterable[ProtoMessage], response_type: Type[Resp],
                         **kw: Any) -> Resp:
        return self.connection().client_streaming(method, requests, response_type, **kw)

    def server_streaming(self, method: str, request: ProtoMessage, response_type: Type[Resp],
                         **kw: Any) -> Iterator[Resp]:
        return self.connection().server_streaming(method, request, response_type, **kw)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _message_class(descriptor: Any) -> Type[ProtoMessage]:
    get = getattr(message_factory, "GetMessageClass", None)
    if get is not None:
        return get(descriptor)
    return message_factory.MessageFactory().GetPrototype(descriptor)  # type: ignore[attr-defined]  # older protobuf


class Stub:
    """Method-by-name access to one service, from the descriptors in ``Proto/``:
    ``Stub(conn, "volunteer.v1.Hours").UploadHours(iter_of_requests, timeout=60)``.
    Unary and client-streaming methods return the response; server-streaming ones an iterator."""

    def __init__(self, channel: Union[Connection, Client], service: str) -> None:
        self._channel = channel
        self._service = descriptor_pool.Default().FindServiceByName(service)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        try:
            m = self._service.methods_by_name[name]
        except KeyError:
            raise AttributeError(f"{self._service.full_name} has no method {name}") from None
        path = f"/{self._service.full_name}/{m.name}"
        resp = _message_class(m.output_type)
        if m.client_streaming and m.server_streaming:
            raise NotImplementedError("bidirectional streaming is not used by any method in Proto/")
        if m.client_streaming:
            return lambda requests, **kw: self._channel.client_streaming(path, requests, resp, **kw)
        if m.server_streaming:
            return lambda request, **kw: self._channel.server_streaming(path, request, resp, **kw)
        return lambda request, **kw: self._channel.unary(path, request, resp, **kw)
