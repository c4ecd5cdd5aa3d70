#!/usr/bin/env python3
"""Checks the service's stock gRPC (HTTP/2) port with nothing but grpcio and protobuf.

Every call goes through grpcio's generic multicallables (channel.unary_unary, stream_unary,
unary_stream) with the message classes and the streaming kind read from the service
descriptors of the committed _pb2 modules (Clients/python/generated), as a partner with
stock tooling would; no code of this repository speaks gRPC here.

    python3 Clients/grpc/test_grpcio.py --port G --pki DIR --work DIR \\
        [--wire-port P] [--vol-admin PATH]
    python3 Clients/grpc/test_grpcio.py --port G --pki DIR --wait 30   # readiness probe only

DIR (--pki) is a dev PKI made by certs/dev-pki.sh plus grpc-partner.crt/key (URI
spiffe://volunteer/partner/grpc-partner), which this test registers as a partner scoped to an
organisation it creates. --wire-port enables the cross-checks against the wire protocol
(Clients/python/vrs_client.py, and vol-admin when given). Prints one line per check and
closes with "N passed, N failed"; exits 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import traceback
from typing import Any, Callable, Iterable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GENERATED = os.path.join(REPO, "Clients", "python", "generated")
sys.path.insert(0, GENERATED)

try:
    import grpc  # noqa: E402
except ImportError:
    print("FAIL: python3 has no grpc module: python3 -m pip install grpcio (see Clients/grpc/README.md)",
          file=sys.stderr)
    sys.exit(2)

from google.protobuf import message_factory  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402
from volunteer.v1 import (  # noqa: E402
    activities_pb2, audit_pb2, credentials_pb2, evaluations_pb2, health_pb2, hours_pb2,
    organisations_pb2, principals_pb2, recognition_pb2, statistics_pb2, volunteers_pb2,
)

PB2_MODULES = [activities_pb2, audit_pb2, credentials_pb2, evaluations_pb2, health_pb2, hours_pb2,
               organisations_pb2, principals_pb2, recognition_pb2, statistics_pb2, volunteers_pb2]
ADMIN_ID = "spiffe://volunteer/admin/bootstrap"        # URI SAN of admin.crt (certs/dev-pki.sh)
PARTNER_ID = "spiffe://volunteer/partner/grpc-partner"  # URI SAN of grpc-partner.crt (test_against_server.sh)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SC = grpc.StatusCode


# --------------------------------------------------------------------------- generic client

class Method:
    """One RPC as the descriptors describe it: path, message classes, streaming kind."""

    def __init__(self, service: Any, method: Any) -> None:
        self.path = f"/{service.full_name}/{method.name}"
        self.input = message_factory.GetMessageClass(method.input_type)
        self.output = message_factory.GetMessageClass(method.output_type)
        self.client_streaming = method.client_streaming
        self.server_streaming = method.server_streaming

    @property
    def kind(self) -> str:
        return {(False, False): "unary_unary", (True, False): "stream_unary",
                (False, True): "unary_stream", (True, True): "stream_stream"}[
            (self.client_streaming, self.server_streaming)]


def load_methods() -> dict[str, Method]:
    """'Service/Method' -> Method for every service of every _pb2 module (nothing hand-listed)."""
    methods: dict[str, Method] = {}
    for module in PB2_MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for m in service.methods:
                methods[f"{service.name}/{m.name}"] = Method(service, m)
    return methods


METHODS = load_methods()
CALLED: set[str] = set()


class Client:
    """client.Service.Method(request, timeout=...) over one grpc.Channel, through the generic
    multicallable that the descriptor's streaming kind calls for."""

    def __init__(self, channel: grpc.Channel, name: str) -> None:
        self.channel = channel
        self.name = name

    def __getattr__(self, service: str) -> Any:
        client = self

        class _Service:
            def __getattr__(self, method: str) -> Callable[..., Any]:
                return lambda request, **kw: client.call(f"{service}/{method}", request, **kw)
        return _Service()

    def multicallable(self, key: str) -> Any:
        m = METHODS[key]
        factory = getattr(self.channel, m.kind)
        return factory(m.path, request_serializer=m.input.SerializeToString,
                       response_deserializer=m.output.FromString)

    def call(self, key: str, request: Any, timeout: Optional[float] = 30.0, **kw: Any) -> Any:
        if key not in METHODS:
            raise KeyError(f"no method {key} in the service descriptors")
        m = METHODS[key]
        first = request
        if m.client_streaming:
            request = list(request)
            first = request[0] if request else None
            request = iter(request)
        if first is not None and first.DESCRIPTOR.full_name != m.input.DESCRIPTOR.full_name:
            raise TypeError(f"{key} takes {m.input.DESCRIPTOR.full_name}, not {first.DESCRIPTOR.full_name}")
        CALLED.add(key)
        result = self.multicallable(key)(request, timeout=timeout, **kw)
        return list(result) if m.server_streaming else result


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def channel(host: str, port: int, pki: str, name: Optional[str], *, root: str = "ca",
            server_name: Optional[str] = None) -> grpc.Channel:
    """A TLS channel presenting NAME.crt (None: no client certificate)."""
    creds = grpc.ssl_channel_credentials(
        root_certificates=read(f"{pki}/{root}.crt"),
        private_key=read(f"{pki}/{name}.key") if name else None,
        certificate_chain=read(f"{pki}/{name}.crt") if name else None)
    options = [("grpc.ssl_target_name_override", server_name)] if server_name else []
    return grpc.secure_channel(f"{host}:{port}", creds, options=options)


# --------------------------------------------------------------------------- checks

passed = 0
failed = 0


class CheckFailed(AssertionError):
    pass


def want(what: str, got: Any, expected: Any) -> None:
    if got != expected:
        raise CheckFailed(f"{what}: got {got!r}, expected {expected!r}")


def check(name: str, fn: Callable[[], Any]) -> Any:
    """Runs one check: prints ok/FAIL with a note; returns fn's result (None on failure)."""
    global passed, failed
    try:
        note = fn()
    except grpc.RpcError as e:
        failed += 1
        print(f"FAIL: {name}: call failed {e.code().name}: {e.details()}", flush=True)
        return None
    except Exception as e:  # noqa: BLE001 - a check reports whatever broke it
        failed += 1
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()
        print(f"FAIL: {name}: {detail}", flush=True)
        return None
    passed += 1
    text = note if isinstance(note, str) else (note[0] if isinstance(note, tuple) else "")
    print(f"ok:   {name}{': ' + text if text else ''}", flush=True)
    return note[1] if isinstance(note, tuple) else note


def expect_status(codes: Iterable[SC], fn: Callable[[], Any], *, message: Optional[str] = None) -> str:
    """fn must fail with one of codes (and a details text matching the regex message)."""
    codes = tuple(codes)
    try:
        result = fn()
    except grpc.RpcError as e:
        if e.code() not in codes:
            raise CheckFailed(f"expected {'/'.join(c.name for c in codes)}, got {e.code().name}: {e.details()}")
        if message is not None and not re.search(message, e.details() or "", re.I):
            raise CheckFailed(f"{e.code().name} message {e.details()!r} does not match /{message}/")
        return f"{e.code().name}: {e.details()}"
    raise CheckFailed(f"expected {'/'.join(c.name for c in codes)}, the call succeeded: {str(result)[:200]!r}")


# --------------------------------------------------------------------------- test data

def resident_id(seed: str, region: str = "110105") -> str:
    """A GB 11643-1999 resident ID with a valid check character, derived from seed (an adult)."""
    h = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=h % 10000)
    body = f"{region}{birth:%Y%m%d}{(h // 10000) % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def ts(value: dt.datetime) -> Timestamp:
    t = Timestamp()
    t.FromDatetime(value)
    return t


def hours_rows() -> list[dict[str, Any]]:
    """The three records of Clients/python/hours.csv, on the last three days (Asia/Shanghai), so
    the run never depends on the calendar: 150 + 140 + 180 = 470 minutes."""
    today = dt.datetime.now(SHANGHAI).date()
    spec = [("h-0001", 3, (9, 30), (12, 0), "给小朋友读绘本"),
            ("h-0002", 2, (13, 0), (15, 20), "协助读者办理借阅"),
            ("h-0003", 1, (14, 0), (17, 0), 'Guided visitors, then "story time"')]
    rows = []
    for key, days_ago, (h1, m1), (h2, m2), content in spec:
        day = today - dt.timedelta(days=days_ago)
        start = dt.datetime(day.year, day.month, day.day, h1, m1, tzinfo=SHANGHAI)
        end = dt.datetime(day.year, day.month, day.day, h2, m2, tzinfo=SHANGHAI)
        rows.append({"key": key, "start": start, "end": end, "content": content,
                     "minutes": int((end - start).total_seconds() // 60)})
    return rows


# --------------------------------------------------------------------------- the run

def wait_ready(a: argparse.Namespace) -> int:
    """Readiness probe: 0 once Health.Check answers SERVING as the admin, 1 after --wait s."""
    end = time.monotonic() + a.wait
    last = "no attempt"
    while time.monotonic() < end:
        ch = channel(a.host, a.port, a.pki, "admin", server_name=a.server_name)
        try:
            h = Client(ch, "admin").Health.Check(health_pb2.HealthCheckRequest(), timeout=2)
            if h.status == health_pb2.HealthCheckResponse.SERVING_STATUS_SERVING:
                print(f"gRPC port {a.port} answers Health.Check: SERVING, {h.server_version}")
                return 0
            last = health_pb2.HealthCheckResponse.ServingStatus.Name(h.status)
        except grpc.RpcError as e:
            last = f"{e.code().name}: {e.details()}"
        finally:
            ch.close()
        time.sleep(0.25)
    print(f"gRPC port {a.port} did not answer Health.Check with SERVING within {a.wait} s ({last})",
          file=sys.stderr)
    return 1


def run(a: argparse.Namespace) -> None:
    host, port, pki, run_id = a.host, a.port, a.pki, a.run_id
    t = a.timeout
    os.makedirs(a.work, exist_ok=True)
    print(f"grpcio {grpc.__version__}, target {host}:{port}, "
          f"{len(METHODS)} methods in {sum(len(m.DESCRIPTOR.services_by_name) for m in PB2_MODULES)} services")

    admin_ch = channel(host, port, pki, "admin", server_name=a.server_name)
    partner_ch = channel(host, port, pki, "grpc-partner", server_name=a.server_name)
    admin = Client(admin_ch, "admin")
    partner = Client(partner_ch, "partner")
    s: dict[str, Any] = {}   # what the steps learned

    def descriptors() -> str:
        kinds: dict[str, int] = {}
        for key, m in METHODS.items():
            kinds[m.kind] = kinds.get(m.kind, 0) + 1
            admin.multicallable(key)      # every method can be bound generically
        want("UploadHours kind", METHODS["Hours/UploadHours"].kind, "stream_unary")
        want("ExportEvidence kind", METHODS["Credentials/ExportEvidence"].kind, "unary_stream")
        want("ExportCredentials kind", METHODS["Credentials/ExportCredentials"].kind, "unary_stream")
        return ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
    check("service descriptors give every method a multicallable", descriptors)

    # ---- 1. admin: who am I, and the organisations and the partner principal
    def admin_health() -> str:
        h = admin.Health.Check(health_pb2.HealthCheckRequest(), timeout=t)
        want("status", health_pb2.HealthCheckResponse.ServingStatus.Name(h.status), "SERVING_STATUS_SERVING")
        want("caller id", h.caller.id, ADMIN_ID)
        want("caller role", health_pb2.Role.Name(h.caller.role), "ROLE_ADMIN")
        if not h.caller.scope_organisation_id:
            raise CheckFailed("admin has no scope organisation")
        s["root"] = h.caller.scope_organisation_id
        return (f"{h.server_version}, store {h.store}, caller {h.caller.id} "
                f"({health_pb2.Role.Name(h.caller.role)}, scope {h.caller.scope_organisation_id})")
    if check("Health/Check as admin (unary)", admin_health) is None and "root" not in s:
        return   # nothing else can work

    org_a, org_b = f"grpc-{run_id}-a", f"grpc-{run_id}-b"

    def create_orgs() -> str:
        out = []
        for oid, name, region in ((org_a, "gRPC partner's branch", "110000"),
                                  (org_b, "Another branch", "310000")):
            o = admin.Organisations.CreateOrganisation(organisations_pb2.CreateOrganisationRequest(
                id=oid, parent_id=s["root"], kind=organisations_pb2.ORGANISATION_KIND_PROVINCE,
                name=name, region_code=region), timeout=t)
            want(f"{oid} id", o.id, oid)
            want(f"{oid} parent", o.parent_id, s["root"])
            want(f"{oid} depth", o.depth, 1)
            out.append(f"{o.id} ({o.region_code})")
        kids = admin.Organisations.ListChildren(organisations_pb2.ListChildrenRequest(id=s["root"]), timeout=t)
        ids = {o.id for o in kids.organisations}
        if not {org_a, org_b} <= ids:
            raise CheckFailed(f"ListChildren({s['root']}) lacks the new organisations: {sorted(ids)}")
        return "created " + ", ".join(out) + f"; ListChildren shows both"
    check("Organisations/CreateOrganisation + ListChildren", create_orgs)

    def add_partner() -> str:
        p = admin.Principals.AddPrincipal(principals_pb2.AddPrincipalRequest(
            id=PARTNER_ID, role=health_pb2.ROLE_PARTNER, scope_organisation_id=org_a,
            display_name="gRPC test partner"), timeout=t)
        want("principal id", p.id, PARTNER_ID)
        want("principal scope", p.scope_organisation_id, org_a)
        want("enabled", p.enabled, True)
        want("created_by", p.created_by, ADMIN_ID)
        listed = admin.Principals.ListPrincipals(principals_pb2.ListPrincipalsRequest(), timeout=t)
        if PARTNER_ID not in {x.id for x in listed.principals}:
            raise CheckFailed("ListPrincipals does not show the new partner")
        return f"{p.id} partner scoped to {p.scope_organisation_id}"
    check("Principals/AddPrincipal (partner scoped to one organisation)", add_partner)

    def partner_health() -> str:
        h = partner.Health.Check(health_pb2.HealthCheckRequest(), timeout=t)
        want("caller id", h.caller.id, PARTNER_ID)
        want("caller role", health_pb2.Role.Name(h.caller.role), "ROLE_PARTNER")
        want("caller scope", h.caller.scope_organisation_id, org_a)
        return f"caller {h.caller.id} (ROLE_PARTNER, scope {org_a})"
    check("Health/Check as the partner: certificate URI SAN is the principal", partner_health)

    # ---- 2. the partner's flow (example.py's steps), in its own organisation
    doc = resident_id(f"{run_id}-volunteer")
    reg_req = volunteers_pb2.RegisterVolunteerRequest(
        idempotency_key=f"{run_id}-volunteer", real_name="测试志愿者",
        document_type=volunteers_pb2.DOCUMENT_TYPE_RESIDENT_ID, document_number=doc,
        phone="13800138000", organisation_id=org_a, skills=["first aid"])

    def org_read() -> str:
        o = partner.Organisations.GetOrganisation(organisations_pb2.GetOrganisationRequest(id=org_a), timeout=t)
        want("id", o.id, org_a)
        want("region", o.region_code, "110000")
        return f"{o.id} {o.name!r} region {o.region_code}"
    check("Organisations/GetOrganisation as the partner (own scope)", org_read)

    def register() -> str:
        r = partner.Volunteers.RegisterVolunteer(reg_req, timeout=t)
        want("replayed", r.replayed, False)
        want("organisation", r.volunteer.organisation_id, org_a)
        want("registered_by", r.volunteer.registered_by, PARTNER_ID)
        if not re.fullmatch(r"V\d+", r.volunteer.volunteer_number):
            raise CheckFailed(f"odd volunteer number {r.volunteer.volunteer_number!r}")
        s["vnum"] = r.volunteer.volunteer_number
        again = partner.Volunteers.RegisterVolunteer(reg_req, timeout=t)
        want("retry replayed", again.replayed, True)
        want("retry volunteer number", again.volunteer.volunteer_number, s["vnum"])
        return f"{s['vnum']} (document shown as {r.volunteer.document_number}); retry with the same key replayed"
    check("Volunteers/RegisterVolunteer as the partner, then replay", register)
    if "vnum" not in s:
        return
    vnum = s["vnum"]

    def get_volunteer() -> str:
        v = partner.Volunteers.GetVolunteer(volunteers_pb2.GetVolunteerRequest(volunteer_number=vnum), timeout=t)
        want("number", v.volunteer_number, vnum)
        want("skills", list(v.skills), ["first aid"])
        if v.document_number == doc or not (v.document_number[:3] == doc[:3] and v.document_number[-4:] == doc[-4:]):
            raise CheckFailed(f"partner sees document {v.document_number!r}: expected it masked (first 3, last 4)")
        w = admin.Volunteers.GetVolunteer(volunteers_pb2.GetVolunteerRequest(volunteer_number=vnum), timeout=t)
        want("admin sees the document", w.document_number, doc)
        want("admin sees the name", w.real_name, "测试志愿者")
        return f"partner sees {v.document_number}, admin sees it unmasked"
    check("Volunteers/GetVolunteer: masked for the partner, plain for the admin", get_volunteer)

    rows = hours_rows()
    expected_minutes = sum(r["minutes"] for r in rows)

    def activity() -> str:
        start = rows[0]["start"].replace(hour=0, minute=0)
        end = rows[-1]["end"].replace(hour=23, minute=59)
        act = partner.Activities.CreateActivity(activities_pb2.CreateActivityRequest(
            idempotency_key=f"{run_id}-activity", organisation_id=org_a,
            title=f"Library reading corner ({run_id})",
            category=activities_pb2.ACTIVITY_CATEGORY_COMMUNITY_SERVICE, region_code="110105",
            place="Community library", start_time=ts(start), end_time=ts(end),
            planned_minutes=180, person_in_charge="Li Lei"), timeout=t)
        want("new activity status", activities_pb2.ActivityStatus.Name(act.status), "ACTIVITY_STATUS_DRAFT")
        pub = partner.Activities.PublishActivity(activities_pb2.ActivityRef(id=act.id), timeout=t)
        want("published status", activities_pb2.ActivityStatus.Name(pub.status), "ACTIVITY_STATUS_PUBLISHED")
        again = partner.Activities.PublishActivity(activities_pb2.ActivityRef(id=act.id), timeout=t)
        want("publishing again", activities_pb2.ActivityStatus.Name(again.status), "ACTIVITY_STATUS_PUBLISHED")
        got = partner.Activities.GetActivity(activities_pb2.ActivityRef(id=act.id), timeout=t)
        want("GetActivity status", got.status, activities_pb2.ACTIVITY_STATUS_PUBLISHED)
        s["activity"] = act.id
        return f"{act.id} DRAFT -> PUBLISHED (publishing again answers PUBLISHED)"
    check("Activities/CreateActivity + PublishActivity as the partner", activity)
    if "activity" not in s:
        return

    def upload_requests() -> list[Any]:
        return [hours_pb2.LogHoursRequest(
            idempotency_key=f"{run_id}-{r['key']}", volunteer_number=vnum, activity_id=s["activity"],
            start_time=ts(r["start"]), end_time=ts(r["end"]), content=r["content"], travel_time_excluded=True)
            for r in rows]

    def upload() -> str:
        up = partner.Hours.UploadHours(upload_requests(), timeout=max(t, 60))
        refusals = [f"#{x.index} {x.refused.code}: {x.refused.message}" for x in up.results
                    if x.WhichOneof("outcome") == "refused"]
        want("refusals", refusals, [])
        want("counts (accepted, replayed, refused)", (up.accepted, up.replayed, up.refused), (len(rows), 0, 0))
        want("results", len(up.results), len(rows))
        ids = []
        for i, (res, row) in enumerate(zip(up.results, rows)):
            want(f"result {i} index", res.index, i)
            want(f"result {i} key", res.idempotency_key, f"{run_id}-{row['key']}")
            want(f"result {i} outcome", res.WhichOneof("outcome"), "accepted")
            rec = res.accepted
            want(f"record {i} minutes", rec.minutes, row["minutes"])
            want(f"record {i} status", hours_pb2.RecordStatus.Name(rec.status), "RECORD_STATUS_PENDING")
            want(f"record {i} content", rec.content, row["content"])
            want(f"record {i} submitted_by", rec.submitted_by, PARTNER_ID)
            want(f"record {i} organisation", rec.organisation_id, org_a)
            want(f"record {i} late", rec.late, False)
            ids.append(rec.id)
        s["record_ids"] = ids
        return f"{up.accepted} accepted, {sum(r.accepted.minutes for r in up.results)} minutes, ids {ids}"
    check("Hours/UploadHours (client stream) as the partner", upload)
    if "record_ids" not in s:
        return

    def replay() -> str:
        up = partner.Hours.UploadHours(upload_requests(), timeout=max(t, 60))
        want("counts (accepted, replayed, refused)", (up.accepted, up.replayed, up.refused), (0, len(rows), 0))
        want("outcomes", [x.WhichOneof("outcome") for x in up.results], ["replayed"] * len(rows))
        want("record ids", [x.replayed.id for x in up.results], s["record_ids"])
        listing = partner.Hours.ListRecords(hours_pb2.ListRecordsRequest(volunteer_number=vnum, page_size=1000),
                                            timeout=t)
        want("records in the ledger", sorted(r.id for r in listing.records), sorted(s["record_ids"]))
        return f"{up.replayed} replayed, same ids, ledger still holds {len(listing.records)} records"
    check("Hours/UploadHours replay (same keys): duplicates only, nothing new written", replay)

    check("Hours/ApproveRecords as the partner -> PERMISSION_DENIED", lambda: expect_status(
        [SC.PERMISSION_DENIED], lambda: partner.Hours.ApproveRecords(hours_pb2.ReviewRecordsRequest(
            record_ids=s["record_ids"], reason="partner tries"), timeout=t)))

    def approve() -> str:
        pending = admin.Hours.ListRecords(hours_pb2.ListRecordsRequest(
            volunteer_number=vnum, page_size=1000, status=hours_pb2.RECORD_STATUS_PENDING), timeout=t)
        want("pending records", sorted(r.id for r in pending.records), sorted(s["record_ids"]))
        want("approved minutes before", pending.approved_minutes, 0)
        rev = admin.Hours.ApproveRecords(hours_pb2.ReviewRecordsRequest(
            record_ids=s["record_ids"], reason=f"approved by gRPC test {run_id}"), timeout=t)
        want("results", [x.record_id for x in rev.results], s["record_ids"])
        for x in rev.results:
            if x.WhichOneof("outcome") != "reviewed":
                raise CheckFailed(f"approval of {x.record_id} refused: {x.refused.code}: {x.refused.message}")
            want(f"{x.record_id} status", hours_pb2.RecordStatus.Name(x.reviewed.status), "RECORD_STATUS_APPROVED")
            want(f"{x.record_id} reviewed_by", x.reviewed.reviewed_by, ADMIN_ID)
        listing = partner.Hours.ListRecords(hours_pb2.ListRecordsRequest(volunteer_number=vnum, page_size=1000),
                                            timeout=t)
        want("statuses", {hours_pb2.RecordStatus.Name(r.status) for r in listing.records},
             {"RECORD_STATUS_APPROVED"})
        want("approved records", listing.approved_records, len(rows))
        want("approved minutes", listing.approved_minutes, expected_minutes)
        want("approved credited half hours", listing.approved_credited_half_hours,
             sum(r.credited_half_hours for r in listing.records))
        s["half_hours"] = listing.approved_credited_half_hours
        return (f"{listing.approved_records} approved, {listing.approved_minutes} minutes, "
                f"{listing.approved_credited_half_hours} credited half hours (partner's view)")
    check("Hours/ApproveRecords as the admin; Hours/ListRecords totals", approve)

    def evaluate() -> str:
        ev = partner.Evaluations.Evaluate(evaluations_pb2.EvaluateRequest(volunteer_number=vnum), timeout=t)
        want("volunteer", ev.volunteer_number, vnum)
        want("lifetime minutes", ev.lifetime_minutes, expected_minutes)
        want("trailing year minutes", ev.trailing_year_minutes, expected_minutes)
        want("approved records", ev.approved_records, len(rows))
        want("activities", ev.activities, 1)
        want("organisations", ev.organisations, 1)
        if "half_hours" in s:
            want("lifetime credited half hours", ev.lifetime_credited_half_hours, s["half_hours"])
        if not ev.policy_id or not ev.policy_version:
            raise CheckFailed(f"no policy in the evaluation: {ev.policy_id!r} v{ev.policy_version}")
        s["star_level"] = ev.star_level
        return (f"policy {ev.policy_id} v{ev.policy_version}, {ev.lifetime_minutes} min, {ev.approved_records} "
                f"records, star {ev.star_level}, tier {evaluations_pb2.AnnualTier.Name(ev.annual_tier)}")
    check("Evaluations/Evaluate: figures match the approved minutes", evaluate)

    def issue() -> str:
        req = credentials_pb2.IssueCredentialRequest(idempotency_key=f"{run_id}-credential",
                                                     volunteer_number=vnum, valid_days=365,
                                                     include_identity_hash=True)
        c = partner.Credentials.IssueCredential(req, timeout=t)
        want("volunteer", c.volunteer_number, vnum)
        want("organisation", c.organisation_id, org_a)
        want("status", credentials_pb2.CredentialStatus.Name(c.status), "CREDENTIAL_STATUS_ACTIVE")
        want("evidence records", c.evidence_records, len(rows))
        want("issued_by", c.issued_by, PARTNER_ID)
        if "star_level" in s:
            want("star level", c.star_level, s["star_level"])
        if not c.token or c.token.count(".") != 2:
            raise CheckFailed(f"token is not a compact JWS: {c.token[:40]!r}")
        again = partner.Credentials.IssueCredential(req, timeout=t)
        want("retry number", again.number, c.number)
        got = admin.Credentials.GetCredential(credentials_pb2.GetCredentialRequest(number=c.number), timeout=t)
        want("GetCredential token", got.token, c.token)
        s["cred"] = c
        return f"{c.number} kid {c.kid}, {c.evidence_records} evidence records, {c.evidence_digest}; retry same number"
    check("Credentials/IssueCredential as the partner (+ retry, GetCredential)", issue)

    if "cred" in s:
        cred = s["cred"]

        def verify() -> str:
            v = partner.Credentials.VerifyCredential(credentials_pb2.VerifyCredentialRequest(token=cred.token),
                                                     timeout=t)
            want("problems", list(v.problems), [])
            want("valid", v.valid, True)
            want("number", v.number, cred.number)
            want("status", credentials_pb2.CredentialStatus.Name(v.status), "CREDENTIAL_STATUS_ACTIVE")
            want("kid", v.kid, cred.kid)
            head, payload, sig = cred.token.split(".")
            forged = ".".join([head, payload, ("A" if sig[0] != "A" else "B") + sig[1:]])
            bad = partner.Credentials.VerifyCredential(credentials_pb2.VerifyCredentialRequest(token=forged),
                                                       timeout=t)
            want("forged token valid", bad.valid, False)
            if not bad.problems:
                raise CheckFailed("forged token: invalid but no problem named")
            return f"valid, {cred.number} ACTIVE; a forged signature: {list(bad.problems)[:2]}"
        check("Credentials/VerifyCredential (and a forged signature is invalid)", verify)

        def evidence() -> str:
            chunks = partner.Credentials.ExportEvidence(credentials_pb2.GetCredentialRequest(number=cred.number),
                                                        timeout=max(t, 60))
            text = b"".join(c.text for c in chunks)
            digest = "sha256-" + base64.b64encode(hashlib.sha256(text).digest()).decode()
            with open(os.path.join(a.work, "evidence.txt"), "wb") as f:
                f.write(text)
            want("evidence digest", digest, cred.evidence_digest)
            for rid in s["record_ids"]:
                if rid.encode() not in text:
                    raise CheckFailed(f"evidence text does not name record {rid}")
            return f"{len(chunks)} chunk(s), {len(text)} bytes, digest matches, names all {len(rows)} records"
        check("Credentials/ExportEvidence (server stream): digest recomputed", evidence)

        check("Credentials/ExportCredentials as the partner -> PERMISSION_DENIED", lambda: expect_status(
            [SC.PERMISSION_DENIED], lambda: partner.Credentials.ExportCredentials(
                credentials_pb2.ExportCredentialsRequest(organisation_id=org_a), timeout=t)))

        def export() -> str:
            parts = admin.Credentials.ExportCredentials(credentials_pb2.ExportCredentialsRequest(
                organisation_id=org_a), timeout=max(t, 300))
            out = os.path.join(a.work, "export")
            info = write_export(parts, out)
            want("credentials", info["credentials"], 1)
            want("status lists", info["status_lists"], ["revocation", "suspension"])
            line = json.loads(open(os.path.join(out, "credentials.jsonl"), "rb").read().splitlines()[0])
            if cred.number not in json.dumps(line) and cred.token not in json.dumps(line):
                raise CheckFailed(f"credentials.jsonl does not hold {cred.number}: {str(line)[:200]}")
            jwks = json.loads(open(os.path.join(out, "jwks.json"), "rb").read())
            if cred.kid not in {k.get("kid") for k in jwks.get("keys", [])}:
                raise CheckFailed(f"jwks.json lacks kid {cred.kid}")
            for f in ("jwks.json", "credentials.jsonl", "manifest.jwt", "status-lists/revocation.jwt",
                      "status-lists/suspension.jwt"):
                if not os.path.getsize(os.path.join(out, f)):
                    raise CheckFailed(f"{f} is empty")
            s["export"] = out
            return f"{len(parts)} parts -> {out}: 1 credential, status lists revocation+suspension, manifest"
        check("Credentials/ExportCredentials (server stream) as the admin: bundle written", export)

    def audit() -> str:
        r = admin.Audit.VerifyAudit(audit_pb2.VerifyAuditRequest(), timeout=t)
        want("the audit log verifies", (r.valid, list(r.problems)), (True, []))
        if r.head.size < 10 or r.rows == 0:
            raise CheckFailed(f"{r.head.size} audit entries and {r.rows} rows after the whole flow")
        c = admin.Audit.CreateCheckpoint(audit_pb2.CreateCheckpointRequest(), timeout=t)
        want("the checkpoint covers the verified head", c.size >= r.head.size, True)
        want("the checkpoint is a compact JWS", c.token.count("."), 2)
        expect_status([SC.PERMISSION_DENIED], lambda: partner.Audit.VerifyAudit(
            audit_pb2.VerifyAuditRequest(), timeout=t))
        return f"{r.entries} entries, {r.rows} rows verified; checkpoint at {c.size}; partner refused"
    check("Audit/VerifyAudit + CreateCheckpoint as the admin; the partner is refused", audit)

    # ---- 3. the same rules on this port
    # A volunteer in organisation B, registered by the admin over the wire protocol when it is
    # given (so that data written there must show here), else over gRPC.
    doc_b = resident_id(f"{run_id}-other", region="310101")
    reg_b = volunteers_pb2.RegisterVolunteerRequest(
        idempotency_key=f"{run_id}-other", real_name="另一位志愿者",
        document_type=volunteers_pb2.DOCUMENT_TYPE_RESIDENT_ID, document_number=doc_b, organisation_id=org_b)
    wire = None
    if a.wire_port:
        sys.path.insert(0, os.path.join(REPO, "Clients", "python"))
        from vrs_client import Connection, RpcError as WireError, Stub  # noqa: E402

        def wire_connect() -> str:
            nonlocal wire
            wire = Connection("127.0.0.1", a.wire_port, f"{pki}/admin.crt", f"{pki}/admin.key", f"{pki}/ca.crt",
                              server_hostname="localhost", connect_timeout=10)
            r = Stub(wire, "volunteer.v1.Volunteers").RegisterVolunteer(reg_b, timeout=t)
            s["vnum_b"] = r.volunteer.volunteer_number
            want("organisation", r.volunteer.organisation_id, org_b)
            g = admin.Volunteers.GetVolunteer(volunteers_pb2.GetVolunteerRequest(
                volunteer_number=s["vnum_b"]), timeout=t)
            want("gRPC sees the document", g.document_number, doc_b)
            want("gRPC sees the organisation", g.organisation_id, org_b)
            return f"{s['vnum_b']} registered in {org_b} over the wire protocol (port {a.wire_port}), read back over gRPC"
        check("cross-check: written over the wire protocol, visible over gRPC", wire_connect)

    if "vnum_b" not in s:
        def register_b() -> str:
            r = admin.Volunteers.RegisterVolunteer(reg_b, timeout=t)
            s["vnum_b"] = r.volunteer.volunteer_number
            return f"{s['vnum_b']} in {org_b}"
        check("Volunteers/RegisterVolunteer as the admin in another organisation", register_b)

    if "vnum_b" in s:
        vnum_b = s["vnum_b"]
        check("partner: GetVolunteer outside its scope -> NOT_FOUND", lambda: expect_status(
            [SC.NOT_FOUND], lambda: partner.Volunteers.GetVolunteer(
                volunteers_pb2.GetVolunteerRequest(volunteer_number=vnum_b), timeout=t)))
        check("partner: ListRecords of a volunteer outside its scope -> NOT_FOUND/PERMISSION_DENIED",
              lambda: expect_status([SC.NOT_FOUND, SC.PERMISSION_DENIED], lambda: partner.Hours.ListRecords(
                  hours_pb2.ListRecordsRequest(volunteer_number=vnum_b), timeout=t)))
    check("partner: GetOrganisation outside its scope -> NOT_FOUND", lambda: expect_status(
        [SC.NOT_FOUND], lambda: partner.Organisations.GetOrganisation(
            organisations_pb2.GetOrganisationRequest(id=org_b), timeout=t)))
    check("partner: RegisterVolunteer into another organisation -> PERMISSION_DENIED/NOT_FOUND",
          lambda: expect_status([SC.PERMISSION_DENIED, SC.NOT_FOUND], lambda: partner.Volunteers.RegisterVolunteer(
              volunteers_pb2.RegisterVolunteerRequest(
                  idempotency_key=f"{run_id}-outside", real_name="越界", organisation_id=org_b,
                  document_type=volunteers_pb2.DOCUMENT_TYPE_RESIDENT_ID,
                  document_number=resident_id(f"{run_id}-outside")), timeout=t)))
    check("partner: AddPrincipal (admin only) -> PERMISSION_DENIED", lambda: expect_status(
        [SC.PERMISSION_DENIED], lambda: partner.Principals.AddPrincipal(principals_pb2.AddPrincipalRequest(
            id="spiffe://volunteer/partner/sneaky", role=health_pb2.ROLE_ADMIN,
            scope_organisation_id=s["root"]), timeout=t)))

    def unregistered() -> str:
        ch = channel(host, port, pki, "partner", server_name=a.server_name)   # dev-partner: never added
        try:
            return expect_status([SC.UNAUTHENTICATED], lambda: Client(ch, "stranger").Health.Check(
                health_pb2.HealthCheckRequest(), timeout=t))
        finally:
            ch.close()
    check("unregistered certificate (dev-partner) -> UNAUTHENTICATED", unregistered)

    def tls_refused(name: Optional[str]) -> str:
        """A handshake the server refuses: UNAVAILABLE, while the port itself is up (the admin's
        channel answers right before and after, so it is not a refused TCP connection)."""
        admin.Health.Check(health_pb2.HealthCheckRequest(), timeout=t)
        ch = channel(host, port, pki, name, server_name=a.server_name)
        try:
            out = expect_status([SC.UNAVAILABLE], lambda: Client(ch, str(name)).Health.Check(
                health_pb2.HealthCheckRequest(), timeout=10))
        finally:
            ch.close()
        if re.search("connection refused", out, re.I):
            raise CheckFailed(f"the TCP connection was refused, not the TLS handshake: {out}")
        admin.Health.Check(health_pb2.HealthCheckRequest(), timeout=t)
        return out
    check("no client certificate -> TLS refused, UNAVAILABLE", lambda: tls_refused(None))
    # stranger.crt is signed by other-ca (certs/dev-pki.sh), which the server does not trust
    check("client certificate from another CA -> TLS refused, UNAVAILABLE", lambda: tls_refused("stranger"))

    def deadline() -> str:
        # 1 µs: shorter than any loopback round trip. (A warm Evaluate can answer within 1 ms,
        # so a 1 ms deadline made this check depend on the machine's speed.)
        out = [expect_status([SC.DEADLINE_EXCEEDED], lambda: admin.Credentials.ExportCredentials(
            credentials_pb2.ExportCredentialsRequest(organisation_id=s["root"]), timeout=0.000001))]
        out.append(expect_status([SC.DEADLINE_EXCEEDED], lambda: admin.Evaluations.Evaluate(
            evaluations_pb2.EvaluateRequest(volunteer_number=vnum), timeout=0.000001)))
        h = admin.Health.Check(health_pb2.HealthCheckRequest(), timeout=t)   # the channel is still fine
        want("health after deadlines", h.status, health_pb2.HealthCheckResponse.SERVING_STATUS_SERVING)
        return "; ".join(out) + "; channel still serves"
    check("1 µs deadline -> DEADLINE_EXCEEDED (server stream and unary)", deadline)

    def unknown_method() -> str:
        hc = health_pb2.HealthCheckRequest()
        out = []
        for path in ("/volunteer.v1.Health/NoSuchMethod", "/volunteer.v1.NoSuchService/Check"):
            call = admin_ch.unary_unary(path, request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                        response_deserializer=health_pb2.HealthCheckResponse.FromString)
            out.append(f"{path}: " + expect_status([SC.UNIMPLEMENTED], lambda: call(hc, timeout=t)))
        return "; ".join(out)
    check("unknown method and service -> UNIMPLEMENTED", unknown_method)

    def invalid_input() -> str:
        bad_doc = doc[:-1] + ("0" if doc[-1] != "0" else "1")      # wrong check character
        out = [expect_status([SC.INVALID_ARGUMENT], lambda: admin.Volunteers.RegisterVolunteer(
            volunteers_pb2.RegisterVolunteerRequest(
                idempotency_key=f"{run_id}-bad-doc", real_name="坏号码", organisation_id=org_a,
                document_type=volunteers_pb2.DOCUMENT_TYPE_RESIDENT_ID, document_number=bad_doc), timeout=t),
            message="document")]
        out.append(expect_status([SC.INVALID_ARGUMENT], lambda: admin.Organisations.CreateOrganisation(
            organisations_pb2.CreateOrganisationRequest(id="Not_Valid!", parent_id=s["root"],
                                                        kind=organisations_pb2.ORGANISATION_KIND_NGO,
                                                        name="x", region_code="110000"), timeout=t),
            message=r"\bid\b|identifier"))
        return " | ".join(out)
    check("invalid input -> INVALID_ARGUMENT naming the field", invalid_input)

    def upload_invalid() -> str:
        # A bad end before start as the partner, over the client stream: refused per record.
        r = hours_rows()[0]
        up = partner.Hours.UploadHours([hours_pb2.LogHoursRequest(
            idempotency_key=f"{run_id}-backwards", volunteer_number=vnum, activity_id=s.get("activity", ""),
            start_time=ts(r["end"]), end_time=ts(r["start"]), content="backwards",
            travel_time_excluded=True)], timeout=t)
        want("counts (accepted, replayed, refused)", (up.accepted, up.replayed, up.refused), (0, 0, 1))
        ref = up.results[0].refused
        want("refusal code", ref.code, SC.INVALID_ARGUMENT.value[0])
        if not re.search(r"end|start|before|after", ref.message, re.I):
            raise CheckFailed(f"refusal message does not name the times: {ref.message!r}")
        return f"refused {ref.code}: {ref.message}"
    check("UploadHours with end before start -> that record refused INVALID_ARGUMENT", upload_invalid)

    # ---- 4. gRPC writes visible over the wire protocol
    if wire is not None:
        def wire_reads() -> str:
            v = Stub(wire, "volunteer.v1.Volunteers").GetVolunteer(
                volunteers_pb2.GetVolunteerRequest(volunteer_number=vnum), timeout=t)
            want("organisation", v.organisation_id, org_a)
            want("registered_by", v.registered_by, PARTNER_ID)
            want("document", v.document_number, doc)
            l = Stub(wire, "volunteer.v1.Hours").ListRecords(
                hours_pb2.ListRecordsRequest(volunteer_number=vnum, page_size=1000), timeout=t)
            want("approved minutes", l.approved_minutes, expected_minutes)
            want("record ids", sorted(r.id for r in l.records), sorted(s.get("record_ids", [])))
            out = f"{vnum}: {l.approved_records} records, {l.approved_minutes} min"
            if "cred" in s:
                c = Stub(wire, "volunteer.v1.Credentials").GetCredential(
                    credentials_pb2.GetCredentialRequest(number=s["cred"].number), timeout=t)
                want("credential token", c.token, s["cred"].token)
                out += f", credential {c.number}"
            return out + " read over the wire protocol"
        check("cross-check: written over gRPC, visible over the wire protocol (vrs_client.py)", wire_reads)
        try:
            wire.close()
        except Exception:  # noqa: BLE001
            pass

    if a.vol_admin and a.wire_port:
        conn = ["--host", "127.0.0.1", "--port", str(a.wire_port), "--cert", f"{pki}/admin.crt",
                "--key", f"{pki}/admin.key", "--ca", f"{pki}/ca.crt"]

        def vol_admin_show() -> str:
            p = subprocess.run([a.vol_admin, "volunteer", "show", vnum, *conn, "--json"],
                               capture_output=True, text=True, timeout=60)
            if p.returncode:
                raise CheckFailed(f"vol-admin volunteer show exited {p.returncode}: {p.stderr.strip()}")
            v = json.loads(p.stdout)
            want("volunteer_number", v.get("volunteer_number"), vnum)
            want("organisation_id", v.get("organisation_id"), org_a)
            p = subprocess.run([a.vol_admin, "hours", "list", vnum, *conn, "--json"],
                               capture_output=True, text=True, timeout=60)
            if p.returncode:
                raise CheckFailed(f"vol-admin hours list exited {p.returncode}: {p.stderr.strip()}")
            h = json.loads(p.stdout)
            want("approved_minutes", h.get("approved_minutes"), expected_minutes)
            return f"volunteer show + hours list: {vnum} in {org_a}, {h.get('approved_minutes')} approved minutes"
        check("cross-check: vol-admin over the wire protocol sees the gRPC writes", vol_admin_show)

        if "export" in s:
            def vol_admin_verify() -> str:
                p = subprocess.run([a.vol_admin, "credential", "verify", s["export"]],
                                   capture_output=True, text=True, timeout=120)
                if p.returncode:
                    raise CheckFailed(f"exited {p.returncode}: {p.stdout.strip()} {p.stderr.strip()}")
                return (p.stdout.strip().splitlines() or ["ok"])[-1]
            check("vol-admin credential verify on the bundle exported over gRPC", vol_admin_verify)

    def coverage() -> str:
        return f"{len(CALLED)} of {len(METHODS)} methods called: " + ", ".join(sorted(CALLED))
    check("methods exercised", coverage)

    if a.sigterm_pid:
        def sigterm() -> str:
            admin.Health.Check(health_pb2.HealthCheckRequest(), timeout=t)   # the channel is connected
            os.kill(a.sigterm_pid, signal.SIGTERM)
            end = time.monotonic() + 10
            while True:
                try:
                    admin.Health.Check(health_pb2.HealthCheckRequest(), timeout=2)
                except grpc.RpcError as e:
                    if e.code() == SC.UNAVAILABLE:
                        return f"a new call on the open channel: UNAVAILABLE: {e.details()}"
                    if e.code() != SC.DEADLINE_EXCEEDED:
                        raise
                if time.monotonic() > end:
                    raise CheckFailed("the open channel still gets answers 10 s after SIGTERM")
                time.sleep(0.1)
        check("SIGTERM: new calls on an open channel fail UNAVAILABLE", sigterm)
    admin_ch.close()
    partner_ch.close()


def write_export(parts: list[Any], out_dir: str) -> dict[str, Any]:
    """The ExportCredentials stream as the bundle's files (header first, exactly
    header.credentials lines, manifest last), byte for byte."""
    os.makedirs(out_dir, exist_ok=True)
    if os.listdir(out_dir):
        raise CheckFailed(f"export directory {out_dir} is not empty")
    header = None
    manifest = None
    lines = 0
    with open(os.path.join(out_dir, "credentials.jsonl"), "wb") as jsonl:
        for part in parts:
            which = part.WhichOneof("part")
            if manifest is not None:
                raise CheckFailed(f"a {which} part after the manifest")
            if which == "header":
                if header is not None:
                    raise CheckFailed("a second header")
                header = part.header
                with open(os.path.join(out_dir, "jwks.json"), "wb") as f:
                    f.write(header.jwks_json)
                os.makedirs(os.path.join(out_dir, "status-lists"), exist_ok=True)
                for name, jwt in sorted(header.status_lists.items()):
                    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                        raise CheckFailed(f"unsafe status list name {name!r}")
                    with open(os.path.join(out_dir, "status-lists", f"{name}.jwt"), "wb") as f:
                        f.write(jwt.encode())
            elif which == "credential_line":
                if header is None:
                    raise CheckFailed("a credential line before the header")
                jsonl.write(part.credential_line)
                lines += 1
            elif which == "manifest_jwt":
                if header is None:
                    raise CheckFailed("the manifest before the header")
                manifest = part.manifest_jwt
            else:
                raise CheckFailed("a part with no field set")
    if header is None or manifest is None:
        raise CheckFailed("the stream ended without a header or a manifest")
    if lines != header.credentials:
        raise CheckFailed(f"header announced {header.credentials} credentials, got {lines}")
    with open(os.path.join(out_dir, "manifest.jwt"), "wb") as f:
        f.write(manifest.encode())
    return {"credentials": lines, "status_lists": sorted(header.status_lists)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="localhost", help="gRPC host (default localhost)")
    p.add_argument("--port", type=int, required=True, help="the server's --grpc-port")
    p.add_argument("--server-name", help="TLS name to verify instead of --host (grpc.ssl_target_name_override)")
    p.add_argument("--pki", required=True, help="directory made by certs/dev-pki.sh (+ grpc-partner.crt/key)")
    p.add_argument("--work", help="directory for the export and evidence files")
    p.add_argument("--run-id", default="t1", help="makes organisation ids and idempotency keys (default t1)")
    p.add_argument("--wire-port", type=int, help="the server's wire-protocol --port, for the cross-checks")
    p.add_argument("--vol-admin", help="vol-admin binary, for more cross-checks (needs --wire-port)")
    p.add_argument("--sigterm-pid", type=int, help="as the last check, send SIGTERM to this server pid")
    p.add_argument("--timeout", type=float, default=30.0, help="per-call deadline in seconds (default 30)")
    p.add_argument("--wait", type=float, help="only wait up to this many seconds for Health.Check, then exit")
    a = p.parse_args()
    if not re.fullmatch(r"[a-z0-9-]{1,40}", a.run_id):
        p.error("--run-id: lower-case letters, digits and '-' only")
    if a.wait is not None:
        return wait_ready(a)
    if not a.work:
        p.error("--work is required")
    started = time.monotonic()
    try:
        run(a)
    except Exception:  # noqa: BLE001 - a bug in the test itself still ends in a summary
        global failed
        failed += 1
        print("FAIL: test aborted:\n" + traceback.format_exc(), flush=True)
    print(f"grpcio checks took {time.monotonic() - started:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
