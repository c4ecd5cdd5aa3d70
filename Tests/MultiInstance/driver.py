#!/usr/bin/env python3
"""Multi-instance check: two service processes on one PostgreSQL database.

Every round registers nothing new: the same volunteers get the same batch of records (same
idempotency keys, pairs overlapping in time) sent to both instances at once, as an
UploadHours stream and as single LogHours calls, from several threads. Then both instances
approve the pending records at once. Afterwards:
  - every idempotency key names at most one record, the same one in every answer;
  - no two pending/approved records of a volunteer overlap, and each round kept exactly one
    record of each overlapping pair;
  - no day of a volunteer has more approved minutes than the 8 h daily cap;
  - the approved totals each instance reports equal a recount of the approved ledger.
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import argparse
import datetime as dt
import os
import sys
import threading

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "Clients", "python"))
from vrs_client import Connection, RpcError, Stub  # noqa: E402
from volunteer.v1 import activities_pb2, hours_pb2, volunteers_pb2  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402

BEIJING = dt.timezone(dt.timedelta(hours=8))
# Three pairs of 3 h records, each pair overlapping, pairs only touching: one of each pair fits.
SHAPES = [(1, 4), (3, 6), (6, 9), (8, 11), (11, 14), (13, 16)]


def ts(moment: dt.datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment.astimezone(dt.timezone.utc))
    return stamp


def resident_id(sequence: int) -> str:
    body = "11010519900101" + f"{sequence % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def expect(self, ok: bool, what: str) -> None:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", flush=True)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--ports", type=int, nargs=2, required=True)
    p.add_argument("--pki", required=True)
    p.add_argument("--rounds", type=int, default=8)
    p.add_argument("--volunteers", type=int, default=3)
    p.add_argument("--run-id", default="multi")
    args = p.parse_args()
    pki = args.pki

    def connect(port: int) -> Connection:
        return Connection("127.0.0.1", port, f"{pki}/admin.crt", f"{pki}/admin.key", f"{pki}/ca.crt",
                          connect_timeout=5)

    checks = Checks()
    today = dt.datetime.now(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    first_day = today - dt.timedelta(days=args.rounds + 2)
    with connect(args.ports[0]) as conn:
        volunteers = Stub(conn, "volunteer.v1.Volunteers")
        activities = Stub(conn, "volunteer.v1.Activities")
        numbers = []
        for v in range(args.volunteers):
            reg = volunteers.RegisterVolunteer(volunteers_pb2.RegisterVolunteerRequest(
                idempotency_key=f"{args.run_id}-volunteer-{v}", real_name="多实例测试",
                document_type=volunteers_pb2.DOCUMENT_TYPE_RESIDENT_ID,
                document_number=resident_id(500 + v), organisation_id="national"), timeout=30)
            numbers.append(reg.volunteer.volunteer_number)
        act = activities.CreateActivity(activities_pb2.CreateActivityRequest(
            idempotency_key=f"{args.run_id}-activity", organisation_id="national",
            title="Multi-instance drill", category=activities_pb2.ACTIVITY_CATEGORY_COMMUNITY_SERVICE,
            region_code="100000", place="Loopback", start_time=ts(first_day),
            end_time=ts(today - dt.timedelta(minutes=1)), planned_minutes=600,
            person_in_charge="Li Lei"), timeout=30)
        if act.status == activities_pb2.ACTIVITY_STATUS_DRAFT:
            act = activities.PublishActivity(activities_pb2.ActivityRef(id=act.id), timeout=30)

    answers: dict[str, set[str]] = {}
    lock = threading.Lock()
    errors: list[str] = []

    def note(key: str, record_id: str) -> None:
        with lock:
            answers.setdefault(key, set()).add(record_id)

    def requests_for(round_: int) -> list:
        day = first_day + dt.timedelta(days=round_ + 1)
        return [hours_pb2.LogHoursRequest(
            idempotency_key=f"{args.run_id}-r{round_}-v{v}-{i}", volunteer_number=number, activity_id=act.id,
            start_time=ts(day + dt.timedelta(hours=a)), end_time=ts(day + dt.timedelta(hours=b)),
            content="multi-instance drill", travel_time_excluded=True)
            for v, number in enumerate(numbers) for i, (a, b) in enumerate(SHAPES)]

    def upload(port: int, batch: list) -> None:
        try:
            with connect(port) as c:
                up = Stub(c, "volunteer.v1.Hours").UploadHours(iter(batch), timeout=120)
                for res in up.results:
                    which = res.WhichOneof("outcome")
                    if which in ("accepted", "replayed"):
                        note(res.idempotency_key, getattr(res, which).id)
        except Exception as error:  # noqa: BLE001 - reported as a failure below
            with lock:
                errors.append(f"upload on {port}: {error!r}")

    def singles(port: int, batch: list) -> None:
        try:
            with connect(port) as c:
                hours = Stub(c, "volunteer.v1.Hours")
                for request in batch:
                    try:
                        record = hours.LogHours(request, timeout=60)
                        note(request.idempotency_key, record.id)
                    except RpcError as error:
                        if error.code != 9:  # FAILED_PRECONDITION: the overlap refusal expected
                            with lock:
                                errors.append(f"LogHours on {port}: {error}")
        except Exception as error:  # noqa: BLE001
            with lock:
                errors.append(f"singles on {port}: {error!r}")

    for round_ in range(args.rounds):
        batch = requests_for(round_)
        threads = [threading.Thread(target=f, args=(port, batch))
                   for port in args.ports for f in (upload, singles, singles)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    checks.expect(not errors, f"unexpected errors: {errors[:5]}")

    for key, ids in answers.items():
        checks.expect(len(ids) == 1, f"key {key} answered with {sorted(ids)}")

    def listing(port: int, number: str):
        with connect(port) as c:
            return Stub(c, "volunteer.v1.Hours").ListRecords(
                hours_pb2.ListRecordsRequest(volunteer_number=number, page_size=1000), timeout=30)

    # Both instances approve every pending record at once (each its own half first).
    def approve(port: int, ids: list) -> None:
        try:
            with connect(port) as c:
                Stub(c, "volunteer.v1.Hours").ApproveRecords(
                    hours_pb2.ReviewRecordsRequest(record_ids=ids, reason="multi-instance drill"), timeout=120)
        except Exception as error:  # noqa: BLE001
            with lock:
                errors.append(f"approve on {port}: {error!r}")

    pending = [r.id for number in numbers for r in listing(args.ports[0], number).records]
    half = len(pending) // 2
    threads = [threading.Thread(target=approve, args=(args.ports[0], pending[:half] + pending[half:])),
               threading.Thread(target=approve, args=(args.ports[1], pending[half:] + pending[:half]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checks.expect(not errors, f"unexpected errors while approving: {errors[:5]}")

    for number in numbers:
        views = [listing(port, number) for port in args.ports]
        records = list(views[0].records)
        live = [r for r in records if r.status in (hours_pb2.RECORD_STATUS_PENDING, hours_pb2.RECORD_STATUS_APPROVED)]
        checks.expect(len(records) == 3 * args.rounds,
                      f"{number}: {len(records)} records, expected 3 per round ({3 * args.rounds})")
        by_key = {key: ids for key, ids in answers.items() if f"-v{numbers.index(number)}-" in key}
        named = {i for ids in by_key.values() for i in ids}
        checks.expect(named == {r.id for r in records}, f"{number}: keys name {len(named)} records, listing has {len(records)}")
        spans = sorted((r.start_time.ToDatetime(), r.end_time.ToDatetime(), r.id) for r in live)
        for (s1, e1, a), (s2, e2, b) in zip(spans, spans[1:]):
            checks.expect(s2 >= e1, f"{number}: {a} and {b} overlap")
        per_day: dict[str, int] = {}
        for r in records:
            if r.status == hours_pb2.RECORD_STATUS_APPROVED:
                day = r.start_time.ToDatetime().replace(tzinfo=dt.timezone.utc).astimezone(BEIJING).date().isoformat()
                per_day[day] = per_day.get(day, 0) + r.minutes
        for day, minutes in per_day.items():
            checks.expect(minutes <= 480, f"{number}: {minutes} approved minutes on {day}, over the 8 h cap")
        recount = sum(r.minutes for r in records if r.status == hours_pb2.RECORD_STATUS_APPROVED)
        approved = sum(1 for r in records if r.status == hours_pb2.RECORD_STATUS_APPROVED)
        checks.expect(approved == 2 * args.rounds,
                      f"{number}: {approved} approved, expected 2 per day (the third passes the cap)")
        for port, view in zip(args.ports, views):
            checks.expect(view.approved_minutes == recount,
                          f"{number} via {port}: totals {view.approved_minutes} min, ledger recount {recount}")
            checks.expect(view.approved_records == approved,
                          f"{number} via {port}: totals {view.approved_records} records, ledger {approved}")
    print(f"keys: {len(answers)}, volunteers: {len(numbers)}, rounds: {args.rounds}")
    print(f"multi-instance: {checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
