#!/usr/bin/env python3
"""Crash-safety harness for the Volunteer Records Service.

Kills the server with SIGKILL at random (seeded) moments while K writer threads send
concurrent writes, restarts it on the same data directory, and checks after every kill:

  (a) every acknowledged write is present: the record / volunteer / approval whose response
      the client received is in the crash image of the database (a copy of the files taken
      while the process was dead) and is served, with the same id and fields, after restart;
  (b) retrying every unacknowledged request with its own idempotency key succeeds (accepted
      or replayed, never refused) and afterwards every key names exactly one record or
      volunteer: no duplicates, nothing unknown;
  (c) PRAGMA integrity_check is "ok" and PRAGMA foreign_key_check is empty on the crash
      image (and on the live database after the final graceful stop);
  (d) totals agree with a recount: ListRecords' approved totals and Evaluate's lifetime
      figures equal the sums over the approved records, and in the crash image the
      volunteer_totals table equals a recount of service_record; every idempotency key row
      points at a stored result and every harness record has its key row (atomicity).

Writes are LogHours (unary), UploadHours (client stream, batches of 2-40), RegisterVolunteer
and ApproveRecords, all as the bootstrap admin, each record/registration with a unique
idempotency key. Every record has its own 15-minute slot of one volunteer's calendar inside
a published activity, so every write is valid and must be accepted; the record's content
carries its key ("crash-harness key=<key>") so duplicates can be counted through the API.

One scratch directory (fresh PKI from certs/dev-pki.sh, one data directory) serves all
rounds: the store must survive every kill. On any violation the harness prints the seed,
round, key, what was expected and what was found and the server log tail, keeps the scratch
directory and exits 1.

    python3 Tests/CrashSafety/crash_harness.py --server /path/to/volunteer-service --rounds 20 --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "Clients", "python"))

from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402
from vrs_client import Connection, RpcError, StatusCode, Stub  # noqa: E402
from volunteer.v1 import (  # noqa: E402
    activities_pb2, evaluations_pb2, health_pb2, hours_pb2, volunteers_pb2,
)

ADMIN_ID = "spiffe://volunteer/admin/bootstrap"
SLOT = dt.timedelta(minutes=15)          # one record per slot; <= 4 min served in each
CONTENT_PREFIX = "crash-harness key="
# Errors a call may end with because the server was killed under it. Anything else during
# the load is a violation: every write the harness sends is valid.
CRASH_CODES = {StatusCode.UNAVAILABLE, StatusCode.CANCELLED, StatusCode.DEADLINE_EXCEEDED}


class Violation(Exception):
    pass


def log(msg: str) -> None:
    print(msg, flush=True)


def ts(value: dt.datetime) -> Timestamp:
    t = Timestamp()
    t.FromDatetime(value)
    return t


def resident_id(n: int, region: str = "110105") -> str:
    """The n-th of 10 million distinct valid GB 11643-1999 resident IDs (adults, born 1970-1997)."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=n % 10000)
    seq = (n // 10000) % 1000
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


# --------------------------------------------------------------------------- bookkeeping

@dataclass
class RecordWrite:
    """One record the harness asked for (by LogHours or inside an UploadHours batch)."""
    key: str
    round: int
    method: str                      # "LogHours" or "UploadHours"
    request: hours_pb2.LogHoursRequest
    volunteer: str
    minutes: int
    acked_id: Optional[str] = None   # set when the response reached the client
    final_id: Optional[str] = None   # the id after the retry (or acked_id)


@dataclass
class Registration:
    key: str
    round: int
    request: volunteers_pb2.RegisterVolunteerRequest
    acked_number: Optional[str] = None
    final_number: Optional[str] = None


@dataclass
class Approval:
    round: int
    record_ids: list[str]
    acked: bool = False


@dataclass
class Op:
    """One call: its outcome is acknowledged (response received) or not."""
    kind: str                        # log | upload | register | approve
    round: int
    items: list[Any]
    acked: bool = False
    error: Optional[str] = None


@dataclass
class RoundStats:
    calls: int = 0
    calls_acked: int = 0
    calls_unacked: int = 0
    writes: int = 0                  # records + registrations + approval calls
    acked: int = 0
    unacked: int = 0
    retried: int = 0
    retry_replayed: int = 0          # retries that found the write already committed
    retry_new: int = 0               # retries that wrote it now (the first attempt was lost)
    unacked_committed: int = 0       # unacknowledged writes found committed in the crash image
    duplicates: int = 0


class Ledger:
    """Everything written so far, across rounds, shared by the writer threads."""

    def __init__(self, volunteers: list[str], activity_id: str, window_start: dt.datetime,
                 window_slots: int, next_person: int) -> None:
        self.lock = threading.Lock()
        self.volunteers = volunteers
        self.activity_id = activity_id
        self.window_start = window_start
        self.window_slots = window_slots
        self.next_slot = {v: 0 for v in volunteers}
        self.rr = 0
        self.next_person = next_person
        self.records: dict[str, RecordWrite] = {}
        self.registrations: dict[str, Registration] = {}
        self.approvals: list[Approval] = []
        self.approve_queue: list[str] = []       # acked record ids not yet sent for approval
        self.approval_requested: set[str] = set()
        self.ops: list[Op] = []

    def new_record(self, key: str, rnd: int, method: str, rng: random.Random) -> RecordWrite:
        with self.lock:
            v = self.volunteers[self.rr % len(self.volunteers)]
            self.rr += 1
            slot = self.next_slot[v]
            if slot >= self.window_slots:
                raise Violation(f"harness ran out of time slots for volunteer {v}")
            self.next_slot[v] = slot + 1
        minutes = rng.randint(1, 4)
        start = self.window_start + slot * SLOT + dt.timedelta(minutes=rng.randint(0, 10))
        req = hours_pb2.LogHoursRequest(
            idempotency_key=key, volunteer_number=v, activity_id=self.activity_id,
            start_time=ts(start), end_time=ts(start + dt.timedelta(minutes=minutes)),
            content=CONTENT_PREFIX + key, travel_time_excluded=True)
        rec = RecordWrite(key, rnd, method, req, v, minutes)
        with self.lock:
            self.records[key] = rec
        return rec

    def new_registration(self, key: str, rnd: int) -> Registration:
        with self.lock:
            n = self.next_person
            self.next_person += 1
        req = volunteers_pb2.RegisterVolunteerRequest(
            idempotency_key=key, real_name="压力测试", document_type=volunteers_pb2.DOCUMENT_TYPE_RESIDENT_ID,
            document_number=resident_id(n), organisation_id="national", skills=["crash test"])
        reg = Registration(key, rnd, req)
        with self.lock:
            self.registrations[key] = reg
        return reg


# --------------------------------------------------------------------------- server process

class Server:
    def __init__(self, work: str, binary: str, pki: str) -> None:
        self.work, self.binary, self.pki = work, binary, pki
        self.data = os.path.join(work, "data")
        self.log_path = os.path.join(work, "server.log")
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.port = 0
        self.starts = 0

    def start(self, label: str) -> None:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        with open(self.log_path, "ab") as f:
            f.write(f"\n===== harness: start ({label}) port {self.port} =====\n".encode())
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--data-dir", self.data, "--host", "127.0.0.1", "--port", str(self.port),
             "--cert", f"{self.pki}/server.crt", "--key", f"{self.pki}/server.key",
             "--client-ca", f"{self.pki}/ca.crt", "--policy-dir", os.path.join(REPO, "Policies"),
             "--bootstrap-admin", ADMIN_ID],
            stdout=logf, stderr=subprocess.STDOUT, cwd=self.work)
        logf.close()
        self.starts += 1
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise Violation(f"server exited at start with status {self.proc.returncode}")
            try:
                with self.connect(timeout=2) as c:
                    r = Stub(c, "volunteer.v1.Health").Check(health_pb2.HealthCheckRequest(), timeout=2)
                    if r.status == health_pb2.HealthCheckResponse.SERVING_STATUS_SERVING:
                        return
            except (RpcError, OSError):
                pass
            if time.monotonic() > deadline:
                raise Violation("server did not answer Health.Check within 60 s of starting")
            time.sleep(0.05)

    def connect(self, timeout: float = 5.0) -> Connection:
        return Connection("127.0.0.1", self.port, f"{self.pki}/admin.crt", f"{self.pki}/admin.key",
                          f"{self.pki}/ca.crt", connect_timeout=timeout)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self) -> int:
        """SIGTERM and wait for the graceful shutdown; returns the exit status."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Violation("server did not stop within 60 s of SIGTERM")
        self.proc = None
        return rc

    def log_tail(self, lines: int = 40) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode("utf-8", "replace")
        except OSError as e:
            return f"(no log: {e})"


# --------------------------------------------------------------------------- load

class Writer(threading.Thread):
    def __init__(self, idx: int, rnd: int, seed: int, server: Server, ledger: Ledger,
                 stop: threading.Event, stats: RoundStats, mix: dict[str, int], max_batch: int) -> None:
        super().__init__(daemon=True, name=f"writer-{idx}")
        self.idx, self.rnd, self.server, self.ledger, self.stop, self.stats = idx, rnd, server, ledger, stop, stats
        self.rng = random.Random(f"{seed}/{rnd}/{idx}")
        self.mix = mix
        self.max_batch = max_batch
        self.n = 0
        self.unexpected: list[str] = []

    def key(self, kind: str) -> str:
        self.n += 1
        return f"{kind}-r{self.rnd}-w{self.idx}-{self.n}"

    def run(self) -> None:
        try:
            conn = self.server.connect(timeout=5)
        except (OSError, RpcError):
            return  # killed before we connected: nothing sent
        try:
            hours = Stub(conn, "volunteer.v1.Hours")
            vols = Stub(conn, "volunteer.v1.Volunteers")
            kinds, weights = zip(*self.mix.items())
            while not self.stop.is_set():
                kind = self.rng.choices(kinds, weights)[0]
                op = self.build(kind)
                if op is None:
                    continue
                with self.ledger.lock:
                    self.ledger.ops.append(op)
                try:
                    self.send(op, hours, vols)
                    op.acked = True
                except RpcError as e:
                    op.error = f"{e.name}: {e.message}"
                    if e.code not in CRASH_CODES:
                        self.unexpected.append(f"{op.kind} {self.describe(op)}: {op.error}")
                    return  # the connection is gone (or broken): this writer is done
                except (OSError, ValueError) as e:
                    op.error = f"{type(e).__name__}: {e}"
                    return
        finally:
            try:
                conn.close(timeout=0.5)
            except Exception:
                pass

    @staticmethod
    def describe(op: Op) -> str:
        if op.kind == "approve":
            return f"ids {op.items[0].record_ids[:5]}..."
        return f"keys {[i.key for i in op.items][:5]}"

    def build(self, kind: str) -> Optional[Op]:
        L = self.ledger
        if kind == "log":
            return Op("log", self.rnd, [L.new_record(self.key("log"), self.rnd, "LogHours", self.rng)])
        if kind == "upload":
            n = self.rng.randint(2, self.max_batch)
            base = self.key("up")
            return Op("upload", self.rnd,
                      [L.new_record(f"{base}-{i}", self.rnd, "UploadHours", self.rng) for i in range(n)])
        if kind == "register":
            return Op("register", self.rnd, [L.new_registration(self.key("reg"), self.rnd)])
        if kind == "approve":
            with L.lock:
                if not L.approve_queue:
                    return None
                take = self.rng.randint(1, 20)
                ids, L.approve_queue = L.approve_queue[:take], L.approve_queue[take:]
                L.approval_requested.update(ids)
                a = Approval(self.rnd, ids)
                L.approvals.append(a)
            return Op("approve", self.rnd, [a])
        raise ValueError(kind)

    def send(self, op: Op, hours: Stub, vols: Stub) -> None:
        s, L = self.stats, self.ledger
        if op.kind == "log":
            rec: RecordWrite = op.items[0]
            r = hours.LogHours(rec.request, timeout=30)
            self.check_record(rec, r)
            rec.acked_id = r.id
            with L.lock:
                L.approve_queue.append(r.id)
        elif op.kind == "upload":
            recs: list[RecordWrite] = op.items
            resp = hours.UploadHours(iter([r.request for r in recs]), timeout=60)
            if len(resp.results) != len(recs):
                raise RpcError(StatusCode.INTERNAL, None, f"UploadHours: {len(resp.results)} results for {len(recs)} records")
            for rec, res in zip(recs, resp.results):
                which = res.WhichOneof("outcome")
                if which != "accepted" or res.idempotency_key != rec.key:
                    raise RpcError(StatusCode.INTERNAL, None,
                                   f"UploadHours result for {rec.key}: {which} {res.idempotency_key} "
                                   f"{res.refused.message if which == 'refused' else ''}")
                self.check_record(rec, res.accepted)
            for rec, res in zip(recs, resp.results):
                rec.acked_id = res.accepted.id
            with L.lock:
                L.approve_queue.extend(res.accepted.id for res in resp.results)
        elif op.kind == "register":
            reg: Registration = op.items[0]
            r = vols.RegisterVolunteer(reg.request, timeout=30)
            if r.replayed or r.volunteer.document_number != reg.request.document_number:
                raise RpcError(StatusCode.INTERNAL, None, f"RegisterVolunteer {reg.key}: replayed={r.replayed} "
                                                          f"document {r.volunteer.document_number}")
            reg.acked_number = r.volunteer.volunteer_number
        elif op.kind == "approve":
            a: Approval = op.items[0]
            r = hours.ApproveRecords(hours_pb2.ReviewRecordsRequest(record_ids=a.record_ids), timeout=30)
            check_approval(a, r)
            a.acked = True

    @staticmethod
    def check_record(rec: RecordWrite, r: hours_pb2.ServiceRecord) -> None:
        q = rec.request
        if (r.volunteer_number != q.volunteer_number or r.start_time != q.start_time or r.end_time != q.end_time
                or r.content != q.content or r.minutes != rec.minutes or not r.id):
            raise RpcError(StatusCode.INTERNAL, None, f"{rec.key}: response does not match the request: {r}")


def check_approval(a: Approval, r: hours_pb2.ReviewRecordsResponse) -> None:
    if [x.record_id for x in r.results] != a.record_ids:
        raise RpcError(StatusCode.INTERNAL, None, f"ApproveRecords: results for {[x.record_id for x in r.results]}, "
                                                  f"asked {a.record_ids}")
    for x in r.results:
        if x.WhichOneof("outcome") != "reviewed" or x.reviewed.status != hours_pb2.RECORD_STATUS_APPROVED:
            raise RpcError(StatusCode.INTERNAL, None, f"ApproveRecords {x.record_id}: {x}")


# --------------------------------------------------------------------------- checks

def sqlite_snapshot_checks(image_dir: str, ledger: Ledger, ops: list[Op], problems: list[str],
                           committed: dict[str, str]) -> dict[str, Any]:
    """Checks the crash image (a copy of the data files taken while the server was dead)."""
    db = sqlite3.connect(os.path.join(image_dir, "volunteer.sqlite"))
    try:
        return _snapshot_checks(db, ledger, ops, problems, committed)
    except sqlite3.DatabaseError as e:
        problems.append(f"crash image: sqlite error while checking: {e}")
        return {"records": -1, "volunteers": -1, "keys": -1, "integrity": False}
    finally:
        db.close()


def _snapshot_checks(db: sqlite3.Connection, ledger: Ledger, ops: list[Op], problems: list[str],
                     committed: dict[str, str]) -> dict[str, Any]:
    if True:
        ic = [r[0] for r in db.execute("PRAGMA integrity_check")]
        if ic != ["ok"]:
            problems.append(f"crash image: PRAGMA integrity_check = {ic[:10]}")
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"crash image: PRAGMA foreign_key_check found {len(fk)} rows, e.g. {fk[:5]}")
        # Every key row points at a stored result.
        keys = {k: (m, rid) for k, m, rid in db.execute(
            "SELECT key, method, result_id FROM idempotency_key WHERE principal_id = ?", (ADMIN_ID,))}
        rec_ids = {rid: (content, status) for rid, content, status in
                   db.execute("SELECT id, content, status FROM service_record")}
        vol_numbers = {n for (n,) in db.execute("SELECT number FROM volunteer")}
        acts = {a for (a,) in db.execute("SELECT id FROM activity")}
        for k, (m, rid) in keys.items():
            if rid not in rec_ids and rid not in vol_numbers and rid not in acts:
                problems.append(f"crash image: idempotency key {k} ({m}) names result {rid}, which is not stored")
        # Every harness record has its key row naming it (record and key written atomically).
        for rid, (content, _) in rec_ids.items():
            if content.startswith(CONTENT_PREFIX):
                k = content[len(CONTENT_PREFIX):]
                if k not in keys or keys[k][1] != rid:
                    problems.append(f"crash image: record {rid} ({k}) has key row {keys.get(k)}")
        # Unacknowledged writes that were committed anyway: their retry must answer this id.
        for op in ops:
            if op.acked:
                continue
            for it in op.items:
                if isinstance(it, (RecordWrite, Registration)) and it.key in keys:
                    committed[it.key] = keys[it.key][1]
                elif isinstance(it, Approval) and all(rec_ids.get(r, ("", ""))[1] == "approved"
                                                      for r in it.record_ids):
                    committed[f"approve:{','.join(it.record_ids)}"] = "approved"
        # Acknowledged writes are in the image.
        for op in ops:
            if not op.acked:
                continue
            for it in op.items:
                if isinstance(it, RecordWrite):
                    got = rec_ids.get(it.acked_id or "")
                    if got is None or got[0] != it.request.content:
                        problems.append(f"crash image: acknowledged record {it.key} (id {it.acked_id}, "
                                        f"{it.method}) missing or different: {got}")
                elif isinstance(it, Registration):
                    if it.acked_number not in vol_numbers:
                        problems.append(f"crash image: acknowledged registration {it.key} "
                                        f"({it.acked_number}) missing")
                    elif keys.get(it.key, (None, None))[1] != it.acked_number:
                        problems.append(f"crash image: registration {it.key} key row {keys.get(it.key)}")
                elif isinstance(it, Approval):
                    for rid in it.record_ids:
                        got = rec_ids.get(rid)
                        if got is None or got[1] != "approved":
                            problems.append(f"crash image: acknowledged approval of {rid} not approved: {got}")
        # Totals table equals a recount of the approved ledger.
        recount = {v: (m, h, n) for v, m, h, n in db.execute(
            "SELECT volunteer_number, SUM(CASE WHEN kind = 'entry' THEN minutes ELSE 0 END), "
            "SUM(credited_half_hours), COUNT(*) FROM service_record WHERE status = 'approved' "
            "GROUP BY volunteer_number")}
        totals = {v: (m, h, n) for v, m, h, n in db.execute(
            "SELECT volunteer_number, approved_minutes, approved_credited_half_hours, approved_records "
            "FROM volunteer_totals")}
        for v in set(recount) | set(totals):
            a, b = recount.get(v, (0, 0, 0)), totals.get(v, (0, 0, 0))
            if tuple(a) != tuple(b):
                problems.append(f"crash image: volunteer {v} totals {b} != recount (minutes, half hours, "
                                f"records) {a}")
        return {"records": len(rec_ids), "volunteers": len(vol_numbers), "keys": len(keys),
                "integrity": ic == ["ok"] and not fk}


def retry_unacked(server: Server, ledger: Ledger, ops: list[Op], stats: RoundStats, problems: list[str]) -> None:
    """Retries every unacknowledged call of the round with the same keys and content."""
    with server.connect(timeout=10) as conn:
        hours = Stub(conn, "volunteer.v1.Hours")
        vols = Stub(conn, "volunteer.v1.Volunteers")
        for op in ops:
            if op.acked:
                continue
            try:
                if op.kind == "log":
                    rec: RecordWrite = op.items[0]
                    r = hours.LogHours(rec.request, timeout=30)
                    Writer.check_record(rec, r)
                    rec.final_id = r.id
                    stats.retried += 1
                elif op.kind == "upload":
                    recs: list[RecordWrite] = op.items
                    resp = hours.UploadHours(iter([x.request for x in recs]), timeout=60)
                    if len(resp.results) != len(recs):
                        problems.append(f"retry UploadHours: {len(resp.results)} results for {len(recs)} records")
                        continue
                    for rec, res in zip(recs, resp.results):
                        which = res.WhichOneof("outcome")
                        stats.retried += 1
                        if which == "refused" or res.idempotency_key != rec.key:
                            problems.append(f"retry of unacknowledged record {rec.key} (UploadHours) refused: "
                                            f"{StatusCode.of(res.refused.code).name}: {res.refused.message}")
                            continue
                        got = getattr(res, which)
                        Writer.check_record(rec, got)
                        rec.final_id = got.id
                        if which == "replayed":
                            stats.retry_replayed += 1
                        else:
                            stats.retry_new += 1
                elif op.kind == "register":
                    reg: Registration = op.items[0]
                    r = vols.RegisterVolunteer(reg.request, timeout=30)
                    stats.retried += 1
                    if r.volunteer.document_number != reg.request.document_number:
                        problems.append(f"retry of registration {reg.key}: document {r.volunteer.document_number}")
                    reg.final_number = r.volunteer.volunteer_number
                    if r.replayed:
                        stats.retry_replayed += 1
                    else:
                        stats.retry_new += 1
                elif op.kind == "approve":
                    a: Approval = op.items[0]
                    r = hours.ApproveRecords(hours_pb2.ReviewRecordsRequest(record_ids=a.record_ids), timeout=30)
                    check_approval(a, r)
                    a.acked = True
                    stats.retried += 1
            except RpcError as e:
                problems.append(f"retry of unacknowledged {op.kind} {Writer.describe(op)} failed: "
                                f"{e.name}: {e.message}")
    # LogHours answers a ServiceRecord without a replay flag: its retries count in neither
    # replayed nor newly written; the crash image and the duplicate count decide for them.


def list_all_records(hours: Stub, volunteer: str) -> tuple[list[hours_pb2.ServiceRecord], hours_pb2.ListRecordsResponse]:
    out: list[hours_pb2.ServiceRecord] = []
    token = ""
    first = None
    while True:
        r = hours.ListRecords(hours_pb2.ListRecordsRequest(volunteer_number=volunteer, page_size=1000,
                                                           page_token=token), timeout=60)
        first = first or r
        out.extend(r.records)
        token = r.next_page_token
        if not token:
            return out, first


def api_checks(server: Server, ledger: Ledger, stats: RoundStats, problems: list[str]) -> dict[str, int]:
    """After the retries: every write present exactly once, approvals kept, totals recounted."""
    counts = {"records": 0, "approved": 0, "volunteers": 0}
    with server.connect(timeout=10) as conn:
        hours = Stub(conn, "volunteer.v1.Hours")
        vols = Stub(conn, "volunteer.v1.Volunteers")
        evals = Stub(conn, "volunteer.v1.Evaluations")
        seen: dict[str, list[hours_pb2.ServiceRecord]] = {}
        for v in ledger.volunteers:
            recs, first = list_all_records(hours, v)
            counts["records"] += len(recs)
            approved = [r for r in recs if r.status == hours_pb2.RECORD_STATUS_APPROVED]
            counts["approved"] += len(approved)
            for r in recs:
                if not r.content.startswith(CONTENT_PREFIX):
                    problems.append(f"volunteer {v}: record {r.id} not written by the harness: {r.content!r}")
                    continue
                seen.setdefault(r.content[len(CONTENT_PREFIX):], []).append(r)
            # (d) totals against a recount of the listed records.
            want = (sum(r.minutes for r in approved), sum(r.credited_half_hours for r in approved), len(approved))
            got = (first.approved_minutes, first.approved_credited_half_hours, first.approved_records)
            if want != got:
                problems.append(f"volunteer {v}: ListRecords totals (minutes, half hours, records) {got} != "
                                f"recount {want}")
            ev = evals.Evaluate(evaluations_pb2.EvaluateRequest(volunteer_number=v), timeout=60)
            if (ev.lifetime_minutes, ev.lifetime_credited_half_hours, ev.approved_records) != want:
                problems.append(f"volunteer {v}: Evaluate (lifetime minutes, half hours, approved records) "
                                f"{(ev.lifetime_minutes, ev.lifetime_credited_half_hours, ev.approved_records)} "
                                f"!= recount {want}")
        for key, rec in ledger.records.items():
            found = seen.pop(key, [])
            if len(found) != 1:
                if len(found) > 1:
                    stats.duplicates += len(found) - 1
                problems.append(f"record {key} (round {rec.round}, {rec.method}, acked id {rec.acked_id}, "
                                f"retry id {rec.final_id}): expected exactly 1 record, found {len(found)}: "
                                f"{[r.id for r in found]}")
                continue
            r = found[0]
            want_id = rec.acked_id or rec.final_id
            if want_id and r.id != want_id:
                problems.append(f"record {key}: expected id {want_id}, found {r.id}")
            if rec.acked_id and rec.final_id and rec.acked_id != rec.final_id:
                problems.append(f"record {key}: acknowledged as {rec.acked_id}, retry answered {rec.final_id}")
            if (r.volunteer_number != rec.volunteer or r.activity_id != ledger.activity_id
                    or r.start_time != rec.request.start_time or r.end_time != rec.request.end_time
                    or r.minutes != rec.minutes):
                problems.append(f"record {key}: stored fields differ from the request: {r}")
            should_be_approved = r.id in ledger.approval_requested
            is_approved = r.status == hours_pb2.RECORD_STATUS_APPROVED
            if should_be_approved != is_approved:
                problems.append(f"record {key} ({r.id}): approval requested={should_be_approved} (every approval "
                                f"acked or retried), status {hours_pb2.RecordStatus.Name(r.status)}")
        for key, found in seen.items():
            problems.append(f"records with unknown key {key}: {[r.id for r in found]}")
        # Registrations: each document registered exactly once, with the acknowledged number.
        docs: dict[str, list[str]] = {}
        token = ""
        while True:
            page = vols.ListVolunteers(volunteers_pb2.ListVolunteersRequest(
                page_size=500, page_token=token, include_withdrawn=True), timeout=60)
            for v in page.volunteers:
                docs.setdefault(v.document_number, []).append(v.volunteer_number)
            token = page.next_page_token
            if not token:
                break
        counts["volunteers"] = sum(len(x) for x in docs.values())
        for key, reg in ledger.registrations.items():
            found = docs.get(reg.request.document_number, [])
            want = reg.acked_number or reg.final_number
            if len(found) != 1:
                if len(found) > 1:
                    stats.duplicates += len(found) - 1
                problems.append(f"registration {key} (round {reg.round}, acked {reg.acked_number}, retry "
                                f"{reg.final_number}): expected exactly 1 volunteer, found {found}")
            elif want and found[0] != want:
                problems.append(f"registration {key}: expected volunteer {want}, found {found[0]}")
            if reg.acked_number and reg.final_number and reg.acked_number != reg.final_number:
                problems.append(f"registration {key}: acknowledged as {reg.acked_number}, retry gave {reg.final_number}")
        last_round = max((r.round for r in ledger.registrations.values()), default=0)
        for key, reg in ledger.registrations.items():
            if reg.round == last_round and reg.acked_number:
                v = vols.GetVolunteer(volunteers_pb2.GetVolunteerRequest(volunteer_number=reg.acked_number), timeout=30)
                if v.document_number != reg.request.document_number:
                    problems.append(f"registration {key}: GetVolunteer({reg.acked_number}) has document "
                                    f"{v.document_number}, expected {reg.request.document_number}")
        expected_docs = {r.request.document_number for r in ledger.registrations.values()} | ledger_setup_docs
        for d, nums in docs.items():
            if d not in expected_docs:
                problems.append(f"volunteer(s) {nums} with document {d} registered by no harness request")
    return counts


ledger_setup_docs: set[str] = set()


# --------------------------------------------------------------------------- main flow

def setup(server: Server, n_volunteers: int) -> Ledger:
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    window_start = (now - dt.timedelta(days=400)).replace(minute=0)
    window_end = now - dt.timedelta(days=2)
    with server.connect(timeout=10) as conn:
        vols = Stub(conn, "volunteer.v1.Volunteers")
        acts = Stub(conn, "volunteer.v1.Activities")
        numbers = []
        for i in range(n_volunteers):
            doc = resident_id(i)
            r = vols.RegisterVolunteer(volunteers_pb2.RegisterVolunteerRequest(
                idempotency_key=f"setup-volunteer-{i}", real_name="测试志愿者",
                document_type=volunteers_pb2.DOCUMENT_TYPE_RESIDENT_ID, document_number=doc,
                organisation_id="national"), timeout=30)
            numbers.append(r.volunteer.volunteer_number)
            ledger_setup_docs.add(doc)
        a = acts.CreateActivity(activities_pb2.CreateActivityRequest(
            idempotency_key="setup-activity", organisation_id="national", title="Crash-safety harness",
            category=activities_pb2.ACTIVITY_CATEGORY_COMMUNITY_SERVICE, region_code="110105",
            place="test", start_time=ts(window_start), end_time=ts(window_end), planned_minutes=60,
            person_in_charge="harness"), timeout=30)
        a = acts.PublishActivity(activities_pb2.ActivityRef(id=a.id), timeout=30)
        if a.status != activities_pb2.ACTIVITY_STATUS_PUBLISHED:
            raise Violation(f"activity {a.id} not published: {a.status}")
    slots = int((window_end - window_start) / SLOT) - 1
    return Ledger(numbers, a.id, window_start, slots, next_person=n_volunteers)


def run_round(rnd: int, args: argparse.Namespace, server: Server, ledger: Ledger,
              rng: random.Random) -> tuple[RoundStats, dict[str, Any], list[str]]:
    stats = RoundStats()
    problems: list[str] = []
    stop = threading.Event()
    mix = {"log": 45, "upload": 25, "register": 10, "approve": 20}
    # Mostly mid-load kills; sometimes right at the start of the load.
    delay = rng.uniform(0.0, 0.08) if rng.random() < 0.1 else rng.uniform(args.min_delay, args.max_delay)
    n_before = len(ledger.ops)
    writers = [Writer(i, rnd, args.seed, server, ledger, stop, stats, mix, args.max_batch)
               for i in range(args.writers)]
    for w in writers:
        w.start()
    time.sleep(delay)
    server.kill()
    stop.set()
    for w in writers:
        w.join(30)
        if w.is_alive():
            problems.append(f"writer {w.name} still running 30 s after the kill")
    for w in writers:
        problems.extend(f"unexpected error during load (every write is valid): {u}" for u in w.unexpected)
    with ledger.lock:
        ops = ledger.ops[n_before:]
    # Crash image: copy the data files while the process is dead.
    image = os.path.join(server.work, "crash-image")
    shutil.rmtree(image, ignore_errors=True)
    os.makedirs(image)
    for name in os.listdir(server.data):
        if name.startswith("volunteer.sqlite") and not name.endswith("-shm"):
            shutil.copy2(os.path.join(server.data, name), image)
    for op in ops:
        n = len(op.items)
        stats.calls += 1
        stats.writes += n
        if op.acked:
            stats.calls_acked += 1
            stats.acked += n
        else:
            stats.calls_unacked += 1
            stats.unacked += n
    info: dict[str, Any] = {"delay": delay}
    if args.inject and rnd == 1:
        inject_fault(args.inject, server, image, ops)
    committed: dict[str, str] = {}
    info.update(sqlite_snapshot_checks(image, ledger, ops, problems, committed))
    stats.unacked_committed = len(committed)
    # Restart on the same data directory; retry the unacknowledged calls; check via the API.
    server.start(f"round {rnd} recovery")
    retry_unacked(server, ledger, ops, stats, problems)
    # A write committed before the kill but not acknowledged must be replayed, not redone.
    for op in ops:
        for it in op.items:
            if op.acked or not isinstance(it, (RecordWrite, Registration)) or it.key not in committed:
                continue
            got = it.final_id if isinstance(it, RecordWrite) else it.final_number
            if got != committed[it.key]:
                problems.append(f"{it.key}: committed before the kill as {committed[it.key]} (crash image) "
                                f"but unacknowledged; its retry answered {got}, expected a replay of "
                                f"{committed[it.key]}")
    # Records whose log was retried successfully can be approved in later rounds.
    with ledger.lock:
        for op in ops:
            if not op.acked and op.kind in ("log", "upload"):
                ledger.approve_queue.extend(r.final_id for r in op.items if r.final_id)
    info.update({f"api_{k}": v for k, v in api_checks(server, ledger, stats, problems).items()})
    return stats, info, problems


def inject_fault(kind: str, server: Server, image: str, ops: list[Op]) -> None:
    """Self-test: damages the store after the kill so that the checks must fail (--inject)."""
    acked = [r for op in ops if op.acked and op.kind in ("log", "upload") for r in op.items]
    target = acked[-1]
    if kind == "corrupt":
        # Overwrite a page in the middle of the crash image (not the live database).
        path = os.path.join(image, "volunteer.sqlite")
        c = sqlite3.connect(path)
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # move the pages into the main file first
        page_size = c.execute("PRAGMA page_size").fetchone()[0]
        root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_service_record_1'"
                         ).fetchone()[0]
        c.close()
        with open(path, "r+b") as f:  # garbage over a whole b-tree page, header included
            f.seek((root - 1) * page_size)
            f.write(os.urandom(page_size))
        log(f"inject: overwrote page {root} of the crash image {path}")
        return
    db = sqlite3.connect(os.path.join(server.data, "volunteer.sqlite"))
    with db:
        if kind == "lose":
            # An acknowledged write vanishes (record and key).
            db.execute("DELETE FROM service_record WHERE id = ? AND status = 'pending'", (target.acked_id,))
            db.execute("DELETE FROM idempotency_key WHERE key = ?", (target.key,))
        elif kind == "dup":
            # A second copy of an acknowledged record, as a non-idempotent retry would make.
            cols = [r[1] for r in db.execute("PRAGMA table_info(service_record)") if r[1] not in ("seq", "id")]
            db.execute(f"INSERT INTO service_record (id, {', '.join(cols)}) SELECT id || 'X', {', '.join(cols)} "
                       f"FROM service_record WHERE id = ?", (target.acked_id,))
        else:
            raise ValueError(kind)
    db.close()
    log(f"inject: {kind} on record {target.key} ({target.acked_id}) in the live database")


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server", required=True, help="volunteer-service binary (copied into the scratch dir)")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--writers", type=int, default=6, help="concurrent writer threads (default 6)")
    p.add_argument("--volunteers", type=int, default=12, help="volunteers whose calendars take the records")
    p.add_argument("--max-batch", type=int, default=40, help="largest UploadHours batch")
    p.add_argument("--min-delay", type=float, default=0.15, help="earliest kill after the load starts (s)")
    p.add_argument("--max-delay", type=float, default=1.5, help="latest kill after the load starts (s)")
    p.add_argument("--work", help="scratch directory (default: a new /tmp/vrs-crash.XXXX)")
    p.add_argument("--keep", action="store_true", help="keep the scratch directory even when all passed")
    p.add_argument("--inject", choices=["lose", "dup", "corrupt"],
                   help="self-test: damage the store in round 1; the run must then FAIL")
    p.add_argument("--summary", help="write the totals as JSON to this file")
    args = p.parse_args(argv)

    work = args.work or tempfile.mkdtemp(prefix="vrs-crash.")
    os.makedirs(work, exist_ok=True)
    binary = os.path.join(work, "volunteer-service")
    shutil.copy2(args.server, binary)
    pki = os.path.join(work, "pki")
    subprocess.run(["bash", os.path.join(REPO, "certs", "dev-pki.sh"), pki], check=True,
                   stdout=subprocess.DEVNULL)
    server = Server(work, binary, pki)
    log(f"crash harness: seed {args.seed}, {args.rounds} rounds, {args.writers} writers, scratch {work}")
    rng = random.Random(args.seed)
    totals = RoundStats()
    t0 = time.monotonic()
    failed_round = None
    problems: list[str] = []
    rnd = 0
    try:
        server.start("setup")
        ledger = setup(server, args.volunteers)
        log(f"setup: {len(ledger.volunteers)} volunteers, activity {ledger.activity_id}")
        for rnd in range(1, args.rounds + 1):
            stats, info, problems = run_round(rnd, args, server, ledger, rng)
            for k in vars(totals):
                setattr(totals, k, getattr(totals, k) + getattr(stats, k))
            log(f"round {rnd:4d}: kill after {info['delay']:.3f}s | writes attempted {stats.writes} "
                f"(calls {stats.calls}), acknowledged {stats.acked}, unacknowledged {stats.unacked}, "
                f"committed-but-unacknowledged {stats.unacked_committed}, retried {stats.retried} "
                f"(replayed {stats.retry_replayed}, newly written {stats.retry_new}), "
                f"duplicates {stats.duplicates} | crash image: {info['records']} records, "
                f"{info['volunteers']} volunteers, integrity_check ok + fk empty: {info['integrity']} | "
                f"api: {info['api_records']} records ({info['api_approved']} approved)"
                + (f" | {len(problems)} PROBLEMS" if problems else ""))
            if problems:
                failed_round = rnd
                break
        if failed_round is None:
            # Final graceful stop and a check of the live database itself.
            rc = server.stop()
            if rc != 0:
                problems.append(f"server exited with status {rc} after SIGTERM")
            db = sqlite3.connect(f"file:{os.path.join(server.data, 'volunteer.sqlite')}?mode=ro", uri=True)
            ic = [r[0] for r in db.execute("PRAGMA integrity_check")]
            fk = db.execute("PRAGMA foreign_key_check").fetchall()
            db.close()
            if ic != ["ok"] or fk:
                problems.append(f"final database: integrity_check {ic[:10]}, foreign_key_check {fk[:5]}")
            if problems:
                failed_round = args.rounds
    except Violation as e:
        problems.append(str(e))
        failed_round = rnd
    except RpcError as e:
        problems.append(f"unexpected RPC failure outside the load: {e}")
        failed_round = rnd
    finally:
        if server.proc is not None:
            try:
                server.stop()
            except Exception:
                pass
    elapsed = time.monotonic() - t0
    completed = (failed_round - 1) if failed_round else args.rounds
    summary = {"seed": args.seed, "rounds_requested": args.rounds, "rounds_passed": completed,
               "failed_round": failed_round, "seconds": round(elapsed, 1), "server_starts": server.starts,
               **{k: getattr(totals, k) for k in vars(totals)}}
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=2)
    log(f"summary: {json.dumps(summary)}")
    if problems:
        log(f"FAILED: seed {args.seed}, round {failed_round}; {len(problems)} problem(s):")
        for x in problems[:50]:
            log(f"  - {x}")
        log("server log tail:\n" + server.log_tail())
        log(f"scratch directory kept: {work}")
        return 1
    log(f"PASSED: {completed} rounds, {totals.writes} writes attempted, {totals.acked} acknowledged, "
        f"{totals.unacked} unacknowledged, {totals.retried} retried, duplicates {totals.duplicates}, "
        f"{elapsed:.1f} s")
    if args.keep:
        log(f"scratch directory kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
