"""P4: the pipeline under a steady load. Applicants (made as the tests make them,
tests.support.Api) submit `BENCH_RATE` requests a second for `BENCH_SECONDS` seconds, open
loop (each on its schedule, whatever the answers before it). Each request's journey is timed
from the audit trail's own timestamps: created → scored → chain built → the approver's email
sent. Then: how many accepted requests never reached their approver (lost), and how many
emails of this run the SES mailbox holds twice (duplicates)."""

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from benchmarks.harness import cpu_seconds, machine_cpu_seconds, pid_of
from benchmarks.report import Target, quantile
from tests.support import GOOD_APPLICATION, Api

SETTLE_SECONDS = 60  # stop waiting for stragglers after this long without progress


def _applicants(gateway: str, count: int) -> list[dict[str, str]]:
    with httpx.Client(base_url=gateway, timeout=60) as http:
        api = Api(http)
        return [api.login(api.register("bench")) for _ in range(count)]


def _good(_: int) -> dict[str, Any]:
    return GOOD_APPLICATION


async def _submit_all(
    gateway: str,
    applicants: list[dict[str, str]],
    rate: float,
    total: int,
    application: Callable[[int], dict[str, Any]] = _good,
) -> tuple[list[str], Counter[int]]:
    """Submission `n` (`application(n)`, by default the same good one each time) sent at
    `n / rate` seconds, whatever the answers before it; the accepted ids and every status."""
    ids: list[str] = []
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=gateway, timeout=60, limits=limits) as http:

        async def submit(auth: dict[str, str], body: dict[str, Any]) -> None:
            try:
                response = await http.post("/api/v1/credit-requests", json=body, headers=auth)
            except httpx.HTTPError:
                statuses[0] += 1
                return
            statuses[response.status_code] += 1
            if response.status_code == 202:
                ids.append(response.json()["id"])

        started = time.perf_counter()
        tasks = []
        for n in range(total):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            tasks.append(
                asyncio.create_task(submit(applicants[n % len(applicants)], application(n)))
            )
        await asyncio.gather(*tasks)
    return ids, statuses


def _journeys(ids: list[str]) -> dict[str, dict[str, datetime]]:
    """Per request: when it was created, scored, its chain built, its first approver email."""
    from sqlalchemy import select

    from shared.audit.models import AuditLog
    from shared.db import unit_of_work

    journeys: dict[str, dict[str, datetime]] = {i: {} for i in ids}
    with unit_of_work() as session:
        rows = session.execute(
            select(AuditLog.entity_id, AuditLog.action, AuditLog.at, AuditLog.details).where(
                AuditLog.entity_type == "credit_request",
                AuditLog.entity_id.in_(ids),
                AuditLog.action.in_(
                    [
                        "credit_request.created",
                        "credit_request.scored",
                        "credit_request.chain_built",
                        "email.sent",
                    ]
                ),
            )
        ).all()
    for entity_id, action, at, details in rows:
        if action == "email.sent":
            if (details or {}).get("event_type") != "stage.assigned":
                continue
            action = "approver_email"
        step = journeys[str(entity_id)]
        if action not in step or at < step[action]:
            step[action] = at
    return journeys


def _wait_for(ids: list[str]) -> dict[str, dict[str, datetime]]:
    done, last_progress = -1, time.monotonic()
    while True:
        journeys = _journeys(ids)
        reached = sum("approver_email" in j for j in journeys.values())
        if reached == len(ids):
            return journeys
        if reached > done:
            done, last_progress = reached, time.monotonic()
        elif time.monotonic() - last_progress > SETTLE_SECONDS:
            return journeys
        time.sleep(1)


def _mailbox(endpoint: str, sender: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{endpoint}/_aws/ses", params={"email": sender}, timeout=60)
    response.raise_for_status()
    return [m for m in response.json()["messages"] if m.get("Source") == sender]


def run(gateway: str, pids: dict[str, int]) -> tuple[list[str], list[Target]]:
    rate = float(os.environ.get("BENCH_RATE", "20"))
    seconds = float(os.environ.get("BENCH_SECONDS", "60"))
    total = round(rate * seconds)
    applicants = _applicants(gateway, int(os.environ.get("BENCH_APPLICANTS", "20")))
    if localstack := pid_of("localstack.runtime.main"):
        pids = pids | {"localstack": localstack}
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    machine_before = machine_cpu_seconds()
    submitted_at = time.perf_counter()
    ids, statuses = asyncio.run(_submit_all(gateway, applicants, rate, total))
    submitting = time.perf_counter() - submitted_at
    journeys = _wait_for(ids)
    wall = time.perf_counter() - submitted_at
    cores = {name: (cpu_seconds(pid) - cpu_before[name]) / wall for name, pid in pids.items()}
    cores["whole machine"] = (machine_cpu_seconds() - machine_before) / wall

    def latencies(step: str, subset: list[str] | None = None) -> list[float]:
        return [
            (journeys[i][step] - journeys[i]["credit_request.created"]).total_seconds()
            for i in (ids if subset is None else subset)
            if step in journeys[i] and "credit_request.created" in journeys[i]
        ]

    by_creation = sorted(
        (i for i in ids if "credit_request.created" in journeys[i]),
        key=lambda i: journeys[i]["credit_request.created"],
    )
    half = len(by_creation) // 2
    first, second = by_creation[:half], by_creation[half:]
    lost = sum("approver_email" not in journeys[i] for i in ids)
    settings_sender = os.environ["MAIL_FROM"]
    mails = _mailbox(os.environ["AWS_ENDPOINT_URL"], settings_sender)
    copies = Counter(
        (
            tuple(m["Destination"]["ToAddresses"]),
            m.get("Subject"),
            (m.get("Body") or {}).get("text_part"),
        )
        for m in mails
    )
    duplicates = sum(n - 1 for n in copies.values())

    lines = [
        f"P4: {total} submissions at {rate:g}/s for {seconds:g} s ({len(applicants)} applicants; "
        f"sent in {submitting:.1f} s); answers {dict(statuses)}; from the audit trail (s)",
        f"{'step':32} {'count':>6} {'p50':>7} {'p95':>7} {'p99':>7}",
    ]
    for label, step in (
        ("submit -> scored", "credit_request.scored"),
        ("submit -> chain built", "credit_request.chain_built"),
        ("submit -> approver email sent", "approver_email"),
    ):
        values = latencies(step) or [float("nan")]
        lines.append(
            f"{label:32} {len(latencies(step)):6d} "
            + " ".join(f"{quantile(values, q):7.2f}" for q in (0.5, 0.95, 0.99))
        )
    email_p95 = quantile(latencies("approver_email") or [float("inf")], 0.95)
    first_p95 = quantile(latencies("approver_email", first) or [float("inf")], 0.95)
    second_p95 = quantile(latencies("approver_email", second) or [float("inf")], 0.95)
    lines += [
        f"approver email p95: first half {first_p95:.2f} s, second half {second_p95:.2f} s",
        f"accepted {len(ids)}, lost {lost}; emails of this run in the mailbox {len(mails)}, "
        f"duplicates {duplicates}",
        f"CPU used from the first submission to the last approver email ({wall:.0f} s), in "
        f"cores of {os.cpu_count()}: "
        + ", ".join(f"{name} {used:.2f}" for name, used in cores.items()),
    ]
    targets = [
        Target(
            "P4 submit -> chain built p95",
            quantile(latencies("credit_request.chain_built") or [float("inf")], 0.95),
            0.5,
            at_most=True,
            unit=" s",
        ),
        Target("P4 submit -> approver email p95", email_p95, 1.5, at_most=True, unit=" s"),
        # Flat, not growing: the second half's p95 within 1.5x the first's (and 0.25 s).
        Target(
            "P4 approver email p95, 2nd/1st half",
            second_p95 / max(first_p95, 0.25),
            1.5,
            at_most=True,
        ),
        Target("P4 requests lost", lost, 0, at_most=True, unit=""),
        Target("P4 duplicate emails", duplicates, 0, at_most=True, unit=""),
        Target("P4 requests refused (non-202)", total - len(ids), 0, at_most=True, unit=""),
    ]
    return lines, targets
