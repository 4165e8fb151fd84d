"""P4: the pipeline under a steady load. Applicants (made as the tests make them,
tests.support.Api) submit `BENCH_RATE` requests a second for `BENCH_SECONDS` seconds, open
loop (each on its schedule, whatever the answers before it). Each request's journey is timed
from the audit trail's own timestamps: created → scored → chain built → the approver's email
sent. Then: how many accepted requests never reached their approver (lost), and how many
emails of this run the SES mailbox holds twice (duplicates).

`reference` runs the same pipeline after P4, on the same stack, at half its rate for half its
length (`BENCH_REFERENCE_RATE`, `BENCH_REFERENCE_SECONDS`): context beside P4, not a target.
It starts right after P4, whose backlog may still weigh on the machine, so it errs slow."""

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
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


STEPS = (
    ("submit -> scored", "credit_request.scored"),
    ("submit -> chain built", "credit_request.chain_built"),
    ("submit -> approver email sent", "approver_email"),
)


@dataclass
class PipelineRun:
    """One open-loop run: what was sent, each request's journey, the CPU it took."""

    rate: float
    seconds: float
    total: int  # submissions sent
    applicant_count: int
    ids: list[str]  # the accepted ones
    statuses: Counter[int]
    submitting: float  # seconds the submissions took to send
    wall: float  # from the first submission to the last approver email (or giving up)
    journeys: dict[str, dict[str, datetime]]
    cores: dict[str, float]

    @property
    def lost(self) -> int:
        """Accepted requests whose approver was never emailed."""
        return sum("approver_email" not in self.journeys[i] for i in self.ids)

    def latencies(self, step: str, subset: list[str] | None = None) -> list[float]:
        return [
            (self.journeys[i][step] - self.journeys[i]["credit_request.created"]).total_seconds()
            for i in (self.ids if subset is None else subset)
            if step in self.journeys[i] and "credit_request.created" in self.journeys[i]
        ]

    def p95(self, step: str, subset: list[str] | None = None) -> float:
        return quantile(self.latencies(step, subset) or [float("inf")], 0.95)

    def parts(self, count: int) -> list[list[str]]:
        """The requests in the order they were created, split into `count` equal parts of
        the run."""
        by_creation = sorted(
            (i for i in self.ids if "credit_request.created" in self.journeys[i]),
            key=lambda i: self.journeys[i]["credit_request.created"],
        )
        bounds = [len(by_creation) * k // count for k in range(count + 1)]
        return [by_creation[start:end] for start, end in pairwise(bounds)]

    def halves(self) -> tuple[list[str], list[str]]:
        first, second = self.parts(2)
        return first, second

    def p50s(self, step: str, count: int) -> str:
        """The step's p50 in each of `count` parts of the run: whether a lag grows with the
        run, or builds and then holds."""
        return ", ".join(
            f"{quantile(self.latencies(step, part) or [float('nan')], 0.5):.2f}"
            for part in self.parts(count)
        )

    def report(self, title: str, mailbox: str = "") -> list[str]:
        """The run's figures; `mailbox` is added to the line that counts what arrived."""
        first, second = self.halves()
        lines = [
            f"{title}: {self.total} submissions at {self.rate:g}/s for {self.seconds:g} s "
            f"({self.applicant_count} applicants; sent in {self.submitting:.1f} s); answers "
            f"{dict(self.statuses)}; from the audit trail (s)",
            f"{'step':32} {'count':>6} {'p50':>7} {'p95':>7} {'p99':>7}",
        ]
        for label, step in STEPS:
            values = self.latencies(step)
            lines.append(
                f"{label:32} {len(values):6d} "
                + " ".join(
                    f"{quantile(values or [float('nan')], q):7.2f}" for q in (0.5, 0.95, 0.99)
                )
            )
        return [
            *lines,
            f"approver email p95: first half {self.p95('approver_email', first):.2f} s, "
            f"second half {self.p95('approver_email', second):.2f} s",
            f"p50 in each sixth of the run, in order (s): chain built "
            f"{self.p50s('credit_request.chain_built', 6)}; approver email "
            f"{self.p50s('approver_email', 6)}",
            f"accepted {len(self.ids)}, lost {self.lost}{mailbox}",
            f"CPU used from the first submission to the last approver email ({self.wall:.0f} s), "
            f"in cores of {os.cpu_count()}: "
            + ", ".join(f"{name} {used:.2f}" for name, used in self.cores.items()),
            *self.capacity(),
        ]

    def cpu_ms_per_request(self) -> dict[str, float]:
        """CPU each accepted request cost, by process, in ms: the run's cores times its
        length, shared out over the requests."""
        if not self.ids:
            return {}
        return {name: used * self.wall / len(self.ids) * 1e3 for name, used in self.cores.items()}

    def capacity(self) -> list[str]:
        """What a request cost in CPU, and the rate the machine's cores could carry at that
        cost: past it the pipeline must fall behind, whatever the code waits on."""
        per_request = self.cpu_ms_per_request()
        machine = per_request.get("whole machine")
        if not machine:
            return []
        cores = os.cpu_count() or 1
        return [
            "CPU per accepted request (ms): "
            + ", ".join(f"{name} {ms:.0f}" for name, ms in per_request.items())
            + f"; at that cost {cores} cores carry at most {cores * 1e3 / machine:.1f} "
            "requests/s"
        ]


def measure(gateway: str, pids: dict[str, int], rate: float, seconds: float) -> PipelineRun:
    """Submit `rate` requests a second for `seconds`, wait for their journeys, and time them."""
    applicants = _applicants(gateway, int(os.environ.get("BENCH_APPLICANTS", "20")))
    if localstack := pid_of("localstack.runtime.main"):
        pids = pids | {"localstack": localstack}
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    machine_before = machine_cpu_seconds()
    total = round(rate * seconds)
    submitted_at = time.perf_counter()
    ids, statuses = asyncio.run(_submit_all(gateway, applicants, rate, total))
    submitting = time.perf_counter() - submitted_at
    journeys = _wait_for(ids)
    wall = time.perf_counter() - submitted_at
    cores = {name: (cpu_seconds(pid) - cpu_before[name]) / wall for name, pid in pids.items()}
    cores["whole machine"] = (machine_cpu_seconds() - machine_before) / wall
    return PipelineRun(
        rate, seconds, total, len(applicants), ids, statuses, submitting, wall, journeys, cores
    )


def _p4_load() -> tuple[float, float]:
    """P4's rate (submissions a second) and length (seconds)."""
    return float(os.environ.get("BENCH_RATE", "20")), float(os.environ.get("BENCH_SECONDS", "60"))


def run(gateway: str, pids: dict[str, int]) -> tuple[list[str], list[Target]]:
    measured = measure(gateway, pids, *_p4_load())
    mails = _mailbox(os.environ["AWS_ENDPOINT_URL"], os.environ["MAIL_FROM"])
    copies = Counter(
        (
            tuple(m["Destination"]["ToAddresses"]),
            m.get("Subject"),
            (m.get("Body") or {}).get("text_part"),
        )
        for m in mails
    )
    duplicates = sum(n - 1 for n in copies.values())
    lines = measured.report(
        "P4", mailbox=f"; emails of this run in the mailbox {len(mails)}, duplicates {duplicates}"
    )
    first, second = measured.halves()
    first_p95 = measured.p95("approver_email", first)
    targets = [
        Target(
            "P4 submit -> chain built p95",
            measured.p95("credit_request.chain_built"),
            0.5,
            at_most=True,
            unit=" s",
        ),
        Target(
            "P4 submit -> approver email p95",
            measured.p95("approver_email"),
            1.5,
            at_most=True,
            unit=" s",
        ),
        # Flat, not growing: the second half's p95 within 1.5x the first's (and 0.25 s).
        Target(
            "P4 approver email p95, 2nd/1st half",
            measured.p95("approver_email", second) / max(first_p95, 0.25),
            1.5,
            at_most=True,
        ),
        Target("P4 requests lost", measured.lost, 0, at_most=True, unit=""),
        Target("P4 duplicate emails", duplicates, 0, at_most=True, unit=""),
        Target(
            "P4 requests refused (non-202)",
            measured.total - len(measured.ids),
            0,
            at_most=True,
            unit="",
        ),
    ]
    return lines, targets


def reference(gateway: str, pids: dict[str, int]) -> list[str]:
    """The same pipeline at a lower rate (by default half of P4's, for half as long), in the
    same run: beside P4 it shows whether the pipeline keeps up until the machine runs short
    of CPU, or falls behind at any rate. Context, not a target."""
    p4_rate, p4_seconds = _p4_load()
    rate = float(os.environ.get("BENCH_REFERENCE_RATE", p4_rate / 2))
    seconds = float(os.environ.get("BENCH_REFERENCE_SECONDS", p4_seconds / 2))
    return measure(gateway, pids, rate, seconds).report("P4 reference, same stack")
