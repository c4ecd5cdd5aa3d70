#!/usr/bin/env python3
"""Write and read rates of one deployment, through the wire protocol (store-rates/run.sh).

Writes: Hours.LogHours, each a new record (own idempotency key, no overlap), from
--threads threads with a connection each, spread over the given instances.
Reads: Volunteers.GetVolunteer and Hours.ListRecords (20 records) alternately.
Each phase runs --seconds; prints one JSON line with calls/s and latency percentiles.
"""
import argparse
import datetime as dt
import json
import os
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "Clients", "python"))
from vrs_client import Connection, Stub  # noqa: E402
from volunteer.v1 import activities_pb2, hours_pb2, volunteers_pb2  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402

BEIJING = dt.timezone(dt.timedelta(hours=8))


def ts(moment: dt.datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment.astimezone(dt.timezone.utc))
    return stamp


def resident_id(sequence: int) -> str:
    body = "11010519900101" + f"{sequence % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def percentile(values: list, p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--ports", type=int, nargs="+", required=True)
    ap.add_argument("--pki", required=True)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()
    pki = args.pki

    def connect(port: int) -> Connection:
        return Connection("127.0.0.1", port, f"{pki}/admin.crt", f"{pki}/admin.key", f"{pki}/ca.crt", connect_timeout=5)

    today = dt.datetime.now(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    window_start = today - dt.timedelta(days=120)
    with connect(args.ports[0]) as conn:
        act = Stub(conn, "volunteer.v1.Activities").CreateActivity(activities_pb2.CreateActivityRequest(
            idempotency_key="rates-activity", organisation_id="national", title="Rates",
            category=activities_pb2.ACTIVITY_CATEGORY_COMMUNITY_SERVICE, region_code="100000", place="Loopback",
            start_time=ts(window_start), end_time=ts(today - dt.timedelta(minutes=1)), planned_minutes=60,
            person_in_charge="Li Lei"), timeout=30)
        if act.status == activities_pb2.ACTIVITY_STATUS_DRAFT:
            Stub(conn, "volunteer.v1.Activities").PublishActivity(activities_pb2.ActivityRef(id=act.id), timeout=30)
        numbers = [Stub(conn, "volunteer.v1.Volunteers").RegisterVolunteer(volunteers_pb2.RegisterVolunteerRequest(
            idempotency_key=f"rates-volunteer-{t}", real_name="基准", document_type=volunteers_pb2.DOCUMENT_TYPE_RESIDENT_ID,
            document_number=resident_id(t), organisation_id="national"), timeout=30).volunteer.volunteer_number
            for t in range(args.threads)]

    def phase(work) -> dict:
        latencies: list = []
        lock = threading.Lock()
        errors = []
        stop = time.monotonic() + args.seconds

        def worker(index: int) -> None:
            mine = []
            try:
                with connect(args.ports[index % len(args.ports)]) as c:
                    step = 0
                    while time.monotonic() < stop:
                        began = time.monotonic()
                        work(c, index, step)
                        mine.append(time.monotonic() - began)
                        step += 1
            except Exception as error:  # noqa: BLE001 - reported in the result
                errors.append(repr(error))
            with lock:
                latencies.extend(mine)

        began = time.monotonic()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        return {"calls": len(latencies), "per_second": round(len(latencies) / elapsed, 1),
                "p50_ms": round(percentile(latencies, 0.5), 2), "p99_ms": round(percentile(latencies, 0.99), 2),
                "errors": errors[:3]}

    def write(c: Connection, index: int, step: int) -> None:
        # Each thread writes its own volunteer's half-hour slots, one after another, from the
        # window's start: never an overlap, never a future time.
        start = window_start + dt.timedelta(minutes=30 * step)
        Stub(c, "volunteer.v1.Hours").LogHours(hours_pb2.LogHoursRequest(
            idempotency_key=f"rates-{index}-{step}", volunteer_number=numbers[index], activity_id=act.id,
            start_time=ts(start), end_time=ts(start + dt.timedelta(minutes=30)), content="rates",
            travel_time_excluded=True), timeout=30)

    def read(c: Connection, index: int, step: int) -> None:
        if step % 2 == 0:
            Stub(c, "volunteer.v1.Volunteers").GetVolunteer(
                volunteers_pb2.GetVolunteerRequest(volunteer_number=numbers[index]), timeout=30)
        else:
            Stub(c, "volunteer.v1.Hours").ListRecords(
                hours_pb2.ListRecordsRequest(volunteer_number=numbers[index], page_size=20), timeout=30)

    writes = phase(write)
    reads = phase(read)
    print(json.dumps({"deployment": args.label, "instances": len(args.ports), "threads": args.threads,
                      "writes": writes, "reads": reads}))
    return 0 if not writes["errors"] and not reads["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
