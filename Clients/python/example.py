#!/usr/bin/env python3
"""End-to-end example of the Python client (vrs_client.py) as a partner or admin.

Registers a volunteer, creates and publishes an activity, uploads a batch of hours from a
CSV (the columns of examples/hours.csv; an empty volunteer_number or activity_id means "the
one this run created"), approves them (admin only), evaluates the volunteer, issues a
credential and streams the credential export of the organisation into a directory
(jwks.json, status-lists/<name>.jwt, credentials.jsonl, manifest.jwt, byte for byte).

Every write carries an idempotency key derived from --run-id, so running again with the
same run id replays instead of duplicating. Exits 0 only if every step succeeded; prints a
JSON summary (also to --summary FILE) that test_against_server.sh checks.

    python3 Clients/python/example.py --port 7443 --cert certs/dev/admin.crt \\
        --key certs/dev/admin.key --ca certs/dev/ca.crt --run-id demo1 --export-dir /tmp/export
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import hashlib
import json
import os
import re
import sys
from typing import Any, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vrs_client import Connection, RpcError, StatusCode, Stub  # noqa: E402
from volunteer.v1 import (  # noqa: E402
    activities_pb2, credentials_pb2, evaluations_pb2, health_pb2, hours_pb2, organisations_pb2,
    volunteers_pb2,
)

HERE = os.path.dirname(os.path.abspath(__file__))
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


class StepFailed(Exception):
    """A step returned OK but not the result this example expects."""


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------- test data

def resident_id(run_id: str, region: str = "110105") -> str:
    """A GB 11643-1999 resident ID (valid check character) derived from the run id, so that
    every run id registers its own volunteer and a rerun registers the same one."""
    h = int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:8], "big")
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=h % 10000)          # 1970 .. 1997: an adult
    seq = (h // 10000) % 1000
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    return body + check


def ts(value: dt.datetime) -> Any:
    from google.protobuf.timestamp_pb2 import Timestamp
    t = Timestamp()
    t.FromDatetime(value)
    return t


def parse_time(text: str, line: int) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        raise StepFailed(f"CSV line {line}: time {text!r} has no UTC offset")
    return value


def read_hours_csv(path: str) -> list[dict[str, Any]]:
    """Rows of key,volunteer_number,activity_id,start_time,end_time,content (RFC 4180, UTF-8)."""
    rows: list[dict[str, Any]] = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        need = {"key", "volunteer_number", "activity_id", "start_time", "end_time", "content"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise StepFailed(f"{path}: header must have the columns {sorted(need)}")
        for i, row in enumerate(reader, start=2):
            rows.append({
                "line": i,
                "key": (row["key"] or "").strip(),
                "volunteer_number": (row["volunteer_number"] or "").strip(),
                "activity_id": (row["activity_id"] or "").strip(),
                "start": parse_time(row["start_time"], i),
                "end": parse_time(row["end_time"], i),
                "content": row["content"],
            })
    if not rows:
        raise StepFailed(f"{path}: no rows")
    return rows


# --------------------------------------------------------------------------- steps

def write_export(parts: Any, out_dir: str) -> dict[str, Any]:
    """Writes the ExportCredentials stream as the bundle files, checking the part order
    (header first, exactly header.credentials lines, manifest last)."""
    os.makedirs(out_dir, exist_ok=True)
    if os.listdir(out_dir):
        raise StepFailed(f"export directory {out_dir} is not empty")
    header: Optional[credentials_pb2.ExportHeader] = None
    lines = 0
    manifest: Optional[str] = None
    jsonl = open(os.path.join(out_dir, "credentials.jsonl"), "wb")
    try:
        for part in parts:
            which = part.WhichOneof("part")
            if manifest is not None:
                raise StepFailed(f"export: a {which} part after the manifest")
            if which == "header":
                if header is not None:
                    raise StepFailed("export: a second header")
                header = part.header
                with open(os.path.join(out_dir, "jwks.json"), "wb") as f:
                    f.write(header.jwks_json)
                os.makedirs(os.path.join(out_dir, "status-lists"), exist_ok=True)
                for name, jwt in sorted(header.status_lists.items()):
                    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                        raise StepFailed(f"export: unsafe status list name {name!r}")
                    with open(os.path.join(out_dir, "status-lists", f"{name}.jwt"), "wb") as f:
                        f.write(jwt.encode("utf-8"))
            elif which == "credential_line":
                if header is None:
                    raise StepFailed("export: a credential line before the header")
                jsonl.write(part.credential_line)
                lines += 1
            elif which == "manifest_jwt":
                if header is None:
                    raise StepFailed("export: the manifest before the header")
                manifest = part.manifest_jwt
            else:
                raise StepFailed("export: a part with no field set")
    finally:
        jsonl.close()
    if header is None or manifest is None:
        raise StepFailed("export: the stream ended without a header or a manifest")
    if lines != header.credentials:
        raise StepFailed(f"export: header announced {header.credentials} credentials, got {lines}")
    with open(os.path.join(out_dir, "manifest.jwt"), "wb") as f:
        f.write(manifest.encode("utf-8"))
    return {"credentials": lines, "status_lists": sorted(header.status_lists), "dir": out_dir}


def run(args: argparse.Namespace) -> dict[str, Any]:
    run_id = args.run_id
    summary: dict[str, Any] = {"run_id": run_id}
    rows = read_hours_csv(args.csv)

    with Connection(args.host, args.port, args.cert, args.key, args.ca,
                    server_hostname=args.server_name, connect_timeout=args.timeout) as conn:
        log(f"connected: {conn.tls_version}, ALPN {conn.alpn_protocol!r}, {conn.settings}")
        t = args.timeout
        health = Stub(conn, "volunteer.v1.Health")
        orgs = Stub(conn, "volunteer.v1.Organisations")
        volunteers = Stub(conn, "volunteer.v1.Volunteers")
        activities = Stub(conn, "volunteer.v1.Activities")
        hours = Stub(conn, "volunteer.v1.Hours")
        evaluations = Stub(conn, "volunteer.v1.Evaluations")
        credentials = Stub(conn, "volunteer.v1.Credentials")

        # 1. Who am I?
        h = health.Check(health_pb2.HealthCheckRequest(), timeout=t)
        caller = h.caller
        role = health_pb2.Role.Name(caller.role)
        log(f"health: {health_pb2.HealthCheckResponse.ServingStatus.Name(h.status)}, server {h.server_version}, "
            f"caller {caller.id} ({role}, scope {caller.scope_organisation_id})")
        summary["caller"] = {"id": caller.id, "role": role, "scope": caller.scope_organisation_id}

        org_id = args.org or caller.scope_organisation_id
        org = orgs.GetOrganisation(organisations_pb2.GetOrganisationRequest(id=org_id), timeout=t)
        region = args.region or org.region_code or "110000"
        log(f"organisation: {org.id} {org.name!r} region {org.region_code or '(none)'}")

        # 2. Register a volunteer (deterministic identity and key per run id).
        doc = args.document_number or resident_id(run_id)
        reg = volunteers.RegisterVolunteer(volunteers_pb2.RegisterVolunteerRequest(
            idempotency_key=f"{run_id}-volunteer",
            real_name="测试志愿者",
            document_type=volunteers_pb2.DOCUMENT_TYPE_RESIDENT_ID,
            document_number=doc,
            phone="13800138000",
            organisation_id=org_id,
            skills=["first aid"],
        ), timeout=t)
        vnum = reg.volunteer.volunteer_number
        log(f"volunteer: {vnum} (document {reg.volunteer.document_number}, replayed={reg.replayed})")
        summary["volunteer_number"] = vnum
        summary["volunteer_replayed"] = reg.replayed

        # 3. Create and publish an activity covering the CSV's times.
        start = min(r["start"] for r in rows if not r["activity_id"]) if any(not r["activity_id"] for r in rows) \
            else min(r["start"] for r in rows)
        end = max(r["end"] for r in rows)
        act = activities.CreateActivity(activities_pb2.CreateActivityRequest(
            idempotency_key=f"{run_id}-activity",
            organisation_id=org_id,
            title=f"Library reading corner ({run_id})",
            category=activities_pb2.ACTIVITY_CATEGORY_COMMUNITY_SERVICE,
            region_code=region,
            place="Community library",
            start_time=ts(start.replace(hour=0, minute=0, second=0)),
            end_time=ts(end.replace(hour=23, minute=59, second=0)),
            planned_minutes=180,
            person_in_charge="Li Lei",
        ), timeout=t)
        if act.status == activities_pb2.ACTIVITY_STATUS_DRAFT:
            act = activities.PublishActivity(activities_pb2.ActivityRef(id=act.id), timeout=t)
        log(f"activity: {act.id} {activities_pb2.ActivityStatus.Name(act.status)}")
        if act.status != activities_pb2.ACTIVITY_STATUS_PUBLISHED:
            raise StepFailed(f"activity {act.id} is {activities_pb2.ActivityStatus.Name(act.status)}, not published")
        summary["activity_id"] = act.id

        # 4. Upload the hours as one client stream.
        requests = []
        for r in rows:
            key = r["key"] or hashlib.sha256(
                f"{r['start'].isoformat()}|{r['end'].isoformat()}|{r['content']}".encode()).hexdigest()[:16]
            requests.append(hours_pb2.LogHoursRequest(
                idempotency_key=f"{run_id}-{key}",
                volunteer_number=r["volunteer_number"] or vnum,
                activity_id=r["activity_id"] or act.id,
                start_time=ts(r["start"]), end_time=ts(r["end"]),
                content=r["content"], travel_time_excluded=True))
        up = hours.UploadHours(iter(requests), timeout=max(t, 60))
        log(f"upload: {up.accepted} accepted, {up.replayed} replayed, {up.refused} refused")
        records: list[hours_pb2.ServiceRecord] = []
        for res in up.results:
            which = res.WhichOneof("outcome")
            if which == "refused":
                log(f"  line {rows[res.index]['line']} key {res.idempotency_key}: refused "
                    f"{StatusCode.of(res.refused.code).name}: {res.refused.message}")
            else:
                records.append(getattr(res, which))
        if up.refused or len(records) != len(rows):
            raise StepFailed(f"{up.refused} of {len(rows)} records were refused")
        uploaded_minutes = sum(r.minutes for r in records)
        summary["uploaded_minutes"] = uploaded_minutes
        summary["upload"] = {"accepted": up.accepted, "replayed": up.replayed, "refused": up.refused}

        # 5. Approve the pending ones (admin only; a partner stops here with PERMISSION_DENIED).
        ids = [r.id for r in records]
        listing = hours.ListRecords(hours_pb2.ListRecordsRequest(volunteer_number=vnum, page_size=1000), timeout=t)
        pending = [r.id for r in listing.records if r.id in ids and r.status == hours_pb2.RECORD_STATUS_PENDING]
        if pending:
            rev = hours.ApproveRecords(hours_pb2.ReviewRecordsRequest(
                record_ids=pending, reason=f"approved by example run {run_id}"), timeout=t)
            for res in rev.results:
                if res.WhichOneof("outcome") != "reviewed":
                    raise StepFailed(f"approval of {res.record_id} refused: "
                                     f"{StatusCode.of(res.refused.code).name}: {res.refused.message}")
        log(f"approve: {len(pending)} approved now, {len(ids) - len(pending)} already reviewed")
        listing = hours.ListRecords(hours_pb2.ListRecordsRequest(volunteer_number=vnum, page_size=1000), timeout=t)
        not_approved = [r.id for r in listing.records if r.id in ids and r.status != hours_pb2.RECORD_STATUS_APPROVED]
        if not_approved:
            raise StepFailed(f"records not approved: {not_approved}")
        log(f"ledger: {listing.approved_records} approved records, {listing.approved_minutes} minutes, "
            f"{listing.approved_credited_half_hours} credited half hours")
        summary["approved_minutes"] = listing.approved_minutes
        summary["approved_records"] = listing.approved_records

        # 6. Evaluate.
        ev = evaluations.Evaluate(evaluations_pb2.EvaluateRequest(volunteer_number=vnum), timeout=t)
        log(f"evaluation: policy {ev.policy_id} v{ev.policy_version}, {ev.lifetime_minutes} lifetime minutes, "
            f"{ev.approved_records} records, star level {ev.star_level}, next star at {ev.next_star_hours} h, "
            f"tier {evaluations_pb2.AnnualTier.Name(ev.annual_tier)}")
        summary["evaluation"] = {"lifetime_minutes": ev.lifetime_minutes, "approved_records": ev.approved_records,
                                 "star_level": ev.star_level, "policy_id": ev.policy_id,
                                 "policy_version": ev.policy_version}

        # 7. Issue a credential.
        cred = credentials.IssueCredential(credentials_pb2.IssueCredentialRequest(
            idempotency_key=f"{run_id}-credential", volunteer_number=vnum, valid_days=365,
            include_identity_hash=True), timeout=t)
        log(f"credential: {cred.number} kid {cred.kid}, star {cred.star_level}, "
            f"{cred.evidence_records} evidence records, {cred.evidence_digest}, "
            f"{credentials_pb2.CredentialStatus.Name(cred.status)}")
        summary["credential"] = {"number": cred.number, "kid": cred.kid, "star_level": cred.star_level,
                                 "evidence_records": cred.evidence_records, "token_bytes": len(cred.token)}

        # 8. Stream the credential's evidence (server streaming) and recompute its digest.
        evidence = b"".join(chunk.text for chunk in credentials.ExportEvidence(
            credentials_pb2.GetCredentialRequest(number=cred.number), timeout=max(t, 60)))
        digest = "sha256-" + base64.b64encode(hashlib.sha256(evidence).digest()).decode()
        lines = evidence.count(b"\n")
        log(f"evidence: {len(evidence)} bytes, {lines} lines, digest "
            f"{'matches' if digest == cred.evidence_digest else 'DIFFERS: ' + digest}")
        summary["evidence"] = {"bytes": len(evidence), "lines": lines,
                               "digest_matches": digest == cred.evidence_digest}

    # 9. Export on a connection of its own (§10: large exports SHOULD use their own connection).
    with Connection(args.host, args.port, args.cert, args.key, args.ca,
                    server_hostname=args.server_name, connect_timeout=args.timeout) as conn:
        parts = Stub(conn, "volunteer.v1.Credentials").ExportCredentials(
            credentials_pb2.ExportCredentialsRequest(organisation_id=org_id), timeout=max(t, 300))
        exported = write_export(parts, args.export_dir)
    log(f"export: {exported['credentials']} credentials, status lists {exported['status_lists']} "
        f"written to {exported['dir']}")
    summary["export"] = exported
    return summary


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7443)
    p.add_argument("--server-name", help="name to verify in the server certificate (default: --host)")
    p.add_argument("--cert", required=True, help="client certificate (PEM)")
    p.add_argument("--key", required=True, help="client private key (PEM)")
    p.add_argument("--ca", required=True, help="CA that signed the server certificate (PEM)")
    p.add_argument("--run-id", required=True, help="makes every idempotency key (and the volunteer) deterministic")
    p.add_argument("--csv", default=os.path.join(HERE, "hours.csv"),
                   help="hours CSV: key,volunteer_number,activity_id,start_time,end_time,content (default: %(default)s)")
    p.add_argument("--org", help="organisation to work in (default: the caller's scope)")
    p.add_argument("--region", help="GB/T 2260 region code of the activity (default: the organisation's)")
    p.add_argument("--document-number", help="resident ID to register (default: derived from --run-id)")
    p.add_argument("--export-dir", required=True, help="empty or new directory for the credential export")
    p.add_argument("--summary", help="also write the JSON summary to this file")
    p.add_argument("--timeout", type=float, default=30.0, help="per-call deadline in seconds (default 30)")
    args = p.parse_args(argv)
    try:
        summary = run(args)
    except RpcError as e:
        print(f"example: call failed: {e.name} ({int(e.code)}): {e.message}"
              f"{' [client side]' if e.local else ''}", file=sys.stderr)
        return 1
    except (StepFailed, OSError, ValueError) as e:
        print(f"example: {e}", file=sys.stderr)
        return 1
    text = json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True)
    print(text)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
