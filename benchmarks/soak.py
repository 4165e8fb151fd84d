"""The soak (issue 11): `--seconds` (600) of mixed traffic on a stack of its own
(benchmarks.harness), then a bounded wait (`--settle`, 180 s) for the pipeline to drain. The
traffic, each part open loop or paced as the web app paces it, all at once:

- applicants submit `--rate` requests a second (P4's submitter, benchmarks.pipeline; one in
  five asks for an amount that needs a second, manager's, stage), and each polls their list
  and their newest request every 3 s with `If-None-Match`, as the web app does;
- the approvers (the demo analyst, manager and director) list their inbox and decide the
  stages of one half (by stage id) in the app; the other half is decided through the emailed
  link (read from LocalStack's mailbox, `GET /_aws/ses`: opened, then decided), one decision
  in ten a rejection;
- an admin reads `/stats` every 5 s.

It reports the answers by status class (any 5xx named by route), each process's RSS (gateway,
runner) sampled every 10 s with its growth from the first minute of traffic to the last, every
queue's depth (and its dead-letter queue's) per minute, and submit -> approver email p50/p95
per minute from the audit trail. The run's emails are deleted from the shared mailbox once
read, so it does not grow by tens of thousands for everyone else's tests.

The rate: 8 a second by default, the rate of issue 9's earlier 10-minute soak, not P4's 20.
A soak looks for what grows with time (memory, queues, latency) at a load the stack carries;
on two cores shared with LocalStack, PostgreSQL and other work, 20 a second plus the rest of
this traffic is past what the pipeline drains (README "Latest benchmark": P4 at 20/s already
queues for tens of seconds), so queues and latency would grow by construction and hide a
leak. P4 measures the 20/s burst for 60 s; on an idle machine, `--rate 20` soaks at it.

    python -m infra.local.stack run -- .venv/bin/python -m benchmarks soak [--seconds 600]
"""

import argparse
import asyncio
import base64
import contextlib
import json
import os
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks import harness
from benchmarks.report import quantile

SAMPLE_SECONDS = 10.0
APP_POLL_SECONDS = 3.0  # the web app's status polling
STATS_SECONDS = 5.0
MAILBOX_SECONDS = 2.0
INBOX_PAGES = 5  # pages an approver reads looking for a stage that is theirs to decide
SECOND_STAGE_EVERY = 5  # one submission in five needs an analyst and a manager
SECOND_STAGE_AMOUNT = "20000.00"
REJECT_EVERY = 10
APPROVERS = ("analyst", "manager", "director")


# --- what the run measures, and how it is summarised (pure: tests/unit/test_soak.py) ---


def status_class(status: int) -> str:
    """`2xx`, `3xx`, `4xx`, `5xx`; `error` for a request that got no answer (status 0)."""
    return f"{status // 100}xx" if status else "error"


def by_class(answers: Counter[tuple[str, int]]) -> dict[str, int]:
    """Answers counted by (route, status), summed per status class."""
    classes: Counter[str] = Counter()
    for (_, status), count in answers.items():
        classes[status_class(status)] += count
    return dict(sorted(classes.items()))


def server_errors(answers: Counter[tuple[str, int]]) -> dict[str, int]:
    """The routes that answered 5xx (or not at all), each with how often: `route status`."""
    return {
        f"{route} {status or 'no answer'}": count
        for (route, status), count in sorted(answers.items())
        if status == 0 or status >= 500
    }


@dataclass(frozen=True)
class Growth:
    first_mb: float  # mean of the first window's samples
    last_mb: float  # mean of the last window's samples
    peak_mb: float

    @property
    def mb(self) -> float:
        return self.last_mb - self.first_mb

    @property
    def percent(self) -> float:
        return 100 * self.mb / self.first_mb if self.first_mb else 0.0


def growth(series: list[tuple[float, float]], end: float, window: float = 60.0) -> Growth:
    """A process's memory growth from `series` of (seconds since the traffic started, MB): the
    mean of the samples in the first `window` seconds against the mean of those in the last
    `window` seconds before `end` (means, so one sample caught mid-collection does not decide
    it). Samples after `end` (the drain) count for the peak only."""
    first = [mb for at, mb in series if at < window]
    last = [mb for at, mb in series if end - window <= at <= end]
    if not first or not last:
        raise ValueError("no samples in the first or the last window")
    return Growth(statistics.fmean(first), statistics.fmean(last), max(mb for _, mb in series))


def per_minute(points: Iterable[tuple[float, float]]) -> dict[int, list[float]]:
    """(seconds since the traffic started, value) points grouped by minute (0-based)."""
    minutes: dict[int, list[float]] = defaultdict(list)
    for at, value in points:
        minutes[int(at // 60)].append(value)
    return dict(sorted(minutes.items()))


JOURNEY = (
    "credit_request.created",
    "credit_request.scored",
    "credit_request.chain_built",
    "approver_email",
)


def stopped_at(journeys: dict[str, dict[str, datetime]]) -> dict[str, int]:
    """Of the requests that never reached their approver's email, how many stopped after each
    step (`submitted`: not even created in the audit trail)."""
    stopped: Counter[str] = Counter()
    for steps in journeys.values():
        if "approver_email" not in steps:
            reached = [step for step in JOURNEY if step in steps]
            stopped[reached[-1] if reached else "submitted"] += 1
    return dict(stopped)


def stage_by_link(stage_id: str) -> bool:
    """Whether this stage is decided through its emailed link (else in the app): one half
    each, fixed by the stage id so the two flows never race for a stage."""
    return uuid.UUID(stage_id).int % 2 == 0


def rejects(stage_id: str) -> bool:
    """One decision in ten is a rejection (independent of `stage_by_link`'s bit)."""
    return (uuid.UUID(stage_id).int // 2) % REJECT_EVERY == 0


def link_stage(token: str) -> str:
    """The stage an approval link token names (its `stage` claim; read, not verified: the API
    verifies it)."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["stage"])


# --- the traffic ---


@dataclass
class Run:
    http: httpx.AsyncClient
    deadline: float  # time.perf_counter() when the traffic stops
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    etags: dict[tuple[str, str], tuple[str, Any]] = field(default_factory=dict)
    decided: set[str] = field(default_factory=set)  # stage ids a decision was sent for
    # Requests that got no answer, by route and httpx's error (a timeout, a reset, ...).
    no_answer: Counter[tuple[str, str]] = field(default_factory=Counter)
    # The soak's own calls to LocalStack that failed (not the application's answers).
    localstack_errors: Counter[str] = field(default_factory=Counter)

    @property
    def going(self) -> bool:
        return time.perf_counter() < self.deadline

    async def call(
        self,
        route: str,
        method: str,
        path: str,
        auth: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> httpx.Response | None:
        """One request, its answer counted under `route` (a template: paths carry ids)."""
        try:
            response = await self.http.request(method, path, json=body, headers=auth)
        except httpx.HTTPError as exc:
            self.answers[route, 0] += 1
            self.no_answer[route, type(exc).__name__] += 1
            return None
        self.answers[route, response.status_code] += 1
        return response

    async def read(self, route: str, path: str, auth: dict[str, str]) -> Any:
        """A GET as the web app makes it: with the ETag of the last answer to the same viewer
        and path, reusing that answer on 304. None when it failed."""
        key = (auth.get("Authorization", ""), path)
        known = self.etags.get(key)
        headers = auth | ({"If-None-Match": known[0]} if known else {})
        response = await self.call(route, "GET", path, headers)
        if response is None:
            return None
        if response.status_code == 304 and known:
            return known[1]
        if response.status_code != 200:
            return None
        data = response.json()
        if etag := response.headers.get("ETag"):
            self.etags[key] = (etag, data)
        return data

    async def every(self, seconds: float, step: Callable[[], Awaitable[object]]) -> None:
        while self.going:
            started = time.perf_counter()
            await step()
            await asyncio.sleep(max(0.0, seconds - (time.perf_counter() - started)))


def _decision(stage_id: str) -> dict[str, object]:
    if rejects(stage_id):
        return {
            "decision": "reject",
            "comment": "Soak: debt too high.",
            "reason_codes": ["EXCESSIVE_OBLIGATIONS"],
        }
    return {"decision": "approve", "comment": "Soak: fine."}


async def _applicant(run: Run, auth: dict[str, str], offset: float) -> None:
    await asyncio.sleep(offset)  # the applicants' polls spread over the 3 s, not in step

    async def poll() -> None:
        page = await run.read("GET /credit-requests", "/api/v1/credit-requests?limit=20", auth)
        if page and page["items"]:
            newest = page["items"][0]["id"]
            await run.read("GET /credit-requests/{id}", f"/api/v1/credit-requests/{newest}", auth)

    await run.every(APP_POLL_SECONDS, poll)


async def _approver(run: Run, auth: dict[str, str]) -> None:
    """Reads the inbox; decides, in the app, each stage of the app's half it has not decided
    yet; reads again at once after deciding, else after a second."""
    while run.going:
        cursor: str | None = None
        mine: list[dict[str, Any]] = []
        for _ in range(INBOX_PAGES):
            path = "/api/v1/approvals?limit=50" + (f"&cursor={cursor}" if cursor else "")
            page = await run.read("GET /approvals", path, auth)
            if not page:
                break
            mine = [
                item
                for item in page["items"]
                if not stage_by_link(item["stage_id"]) and item["stage_id"] not in run.decided
            ]
            cursor = page.get("next_cursor")
            if mine or not cursor:
                break
        for item in mine:
            if not run.going:
                return
            run.decided.add(item["stage_id"])
            await run.call(
                "POST /credit-requests/{id}/decision",
                "POST",
                f"/api/v1/credit-requests/{item['request']['id']}/decision",
                auth,
                _decision(item["stage_id"]),
            )
        if not mine:
            await asyncio.sleep(1)


async def _by_link(run: Run, token: str, stage_id: str) -> None:
    run.decided.add(stage_id)
    path = f"/api/v1/approval-links/{token}"
    opened = await run.call("GET /approval-links/{token}", "GET", path)
    if opened is not None and opened.status_code == 200:
        await run.call("POST /approval-links/{token}", "POST", path, body=_decision(stage_id))


async def _link_flow(run: Run, mailbox: httpx.AsyncClient, sender: str) -> None:
    """Reads this run's new emails, opens and decides the link of each approver email of the
    link's half, and deletes every email it read from LocalStack's (shared) mailbox."""
    from benchmarks.pipeline import _mailbox
    from tests.support import LINK

    endpoint = str(mailbox.base_url).rstrip("/")
    gate = asyncio.Semaphore(4)

    async def limited(work: Awaitable[object]) -> None:
        async with gate:
            await work

    async def delete(mail_id: str) -> None:
        try:
            (await mailbox.delete("/_aws/ses", params={"id": mail_id})).raise_for_status()
        except httpx.HTTPError:
            run.localstack_errors["mailbox delete"] += 1

    async def step() -> None:
        try:
            mails = await asyncio.to_thread(_mailbox, endpoint, sender)
        except httpx.HTTPError:
            run.localstack_errors["mailbox read"] += 1
            return
        work: list[Awaitable[object]] = []
        for mail in mails:
            found = LINK.search((mail.get("Body") or {}).get("text_part") or "")
            if found:
                token = found.group(1)
                stage_id = link_stage(token)
                if stage_by_link(stage_id) and stage_id not in run.decided:
                    work.append(_by_link(run, token, stage_id))
            work.append(delete(mail["Id"]))
        await asyncio.gather(*(limited(w) for w in work))

    await run.every(MAILBOX_SECONDS, step)


async def _traffic(
    gateway: str,
    applicants: list[dict[str, str]],
    staff: dict[str, dict[str, str]],
    rate: float,
    seconds: float,
) -> tuple[list[str], Run]:
    from benchmarks.pipeline import _submit_all
    from tests.support import GOOD_APPLICATION

    def application(n: int) -> dict[str, Any]:
        if n % SECOND_STAGE_EVERY == SECOND_STAGE_EVERY - 1:
            return GOOD_APPLICATION | {"amount": SECOND_STAGE_AMOUNT}
        return GOOD_APPLICATION

    limits = httpx.Limits(max_connections=100, max_keepalive_connections=50)
    async with (
        httpx.AsyncClient(base_url=gateway, timeout=60, limits=limits) as http,
        httpx.AsyncClient(base_url=os.environ["AWS_ENDPOINT_URL"], timeout=60) as mailbox,
    ):
        run = Run(http, time.perf_counter() + seconds)
        submitting = asyncio.create_task(
            _submit_all(gateway, applicants, rate, round(rate * seconds), application=application)
        )
        readers = [
            _applicant(run, auth, APP_POLL_SECONDS * n / len(applicants))
            for n, auth in enumerate(applicants)
        ]
        approvers = [_approver(run, staff[name]) for name in APPROVERS]

        async def stats() -> None:
            await run.read("GET /stats", "/api/v1/stats", staff["admin"])

        await asyncio.gather(
            submitting,
            *readers,
            *approvers,
            _link_flow(run, mailbox, os.environ["MAIL_FROM"]),
            run.every(STATS_SECONDS, stats),
        )
    ids, statuses = submitting.result()
    for status, count in statuses.items():
        run.answers["POST /credit-requests", status] += count
    return ids, run


# --- what is sampled while it runs ---


def rss_mb(pid: int) -> float:
    """A process's resident set size (MB); 0 where /proc is not there."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the traffic started
    rss: dict[str, float]  # process -> MB
    # queue (or its DLQ) -> ApproximateNumberOfMessages, and harness.IN_FLIGHT -> the queues'
    # ApproximateNumberOfMessagesNotVisible summed (received, not yet deleted); {}: unreadable
    queues: dict[str, int]
    load: float  # the machine's 1-minute load average (other work shares the cores)


def _queue_names() -> list[str]:
    from shared.messaging.topology import QUEUES

    return [name for q in QUEUES for name in (q.name, q.dlq_name)]


async def _sample(
    pids: dict[str, int], started: float, samples: list[Sample], stop: asyncio.Event
) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    names = _queue_names()
    while not stop.is_set():
        at = time.perf_counter() - started
        try:
            queues = await asyncio.to_thread(harness.queue_depths, names)
        except (BotoCoreError, ClientError):  # LocalStack away, or restarted without them
            queues = {}
        rss = {name: rss_mb(pid) for name, pid in pids.items()}
        samples.append(Sample(at, rss, queues, os.getloadavg()[0]))
        with contextlib.suppress(TimeoutError):  # the next sample is due
            await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)


# --- the run, and its report ---


def _staff(gateway: str) -> dict[str, dict[str, str]]:
    from tests.support import Api, Person

    with httpx.Client(base_url=gateway, timeout=60) as http:
        api = Api(http)
        return {
            name: api.login(Person(uuid.uuid4(), name, "", harness.STAFF_PASSWORD, name))
            for name in (*APPROVERS, "admin")
        }


def _decided_first(ids: list[str]) -> int:
    """How many of these requests have their first stage decided."""
    from sqlalchemy import func, select

    from shared.approvals.models import ApprovalStage
    from shared.db import unit_of_work
    from shared.workflow.states import StageStatus

    if not ids:
        return 0
    with unit_of_work() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    ApprovalStage.request_id.in_(ids),
                    ApprovalStage.level == 1,
                    ApprovalStage.status.in_([StageStatus.APPROVED, StageStatus.REJECTED]),
                )
            )
            or 0
        )


def _reached(ids: list[str]) -> int:
    from benchmarks.pipeline import _journeys

    return sum("approver_email" in j for j in _journeys(ids).values())


@dataclass
class Outcome:
    rate: float
    seconds: float
    applicants: int
    started_at: datetime  # when the traffic started (UTC), for the audit trail's times
    ids: list[str] = field(default_factory=list)
    run: Run | None = None
    samples: list[Sample] = field(default_factory=list)
    journeys: dict[str, dict[str, datetime]] = field(default_factory=dict)
    traffic_end: float = 0.0  # seconds from the start
    reached: int = 0  # requests whose approver was emailed by the end of the drain
    # Of the others, those whose first stage was decided (in the app, from the inbox) before
    # the notify step came to its email: it then sends none (the link would be useless).
    decided_first: int = 0
    drained: float = 0.0  # seconds waited after the traffic


async def _soak(
    gateway: str, pids: dict[str, int], rate: float, seconds: float, settle: float, people: int
) -> Outcome:
    from benchmarks.pipeline import _applicants, _journeys
    from shared.clock import utcnow

    applicants = await asyncio.to_thread(_applicants, gateway, people)
    staff = await asyncio.to_thread(_staff, gateway)
    stop = asyncio.Event()
    started = time.perf_counter()
    outcome = Outcome(rate, seconds, people, utcnow())
    sampler = asyncio.create_task(_sample(pids, started, outcome.samples, stop))
    outcome.ids, outcome.run = await _traffic(gateway, applicants, staff, rate, seconds)
    outcome.traffic_end = time.perf_counter() - started
    # The drain: bounded, so a pipeline that fell behind still gets its report.
    deadline = time.perf_counter() + settle
    while (reached := await asyncio.to_thread(_reached, outcome.ids)) < len(outcome.ids):
        if time.perf_counter() > deadline:
            break
        await asyncio.sleep(SAMPLE_SECONDS)
    outcome.reached = reached
    outcome.drained = time.perf_counter() - started - outcome.traffic_end
    stop.set()
    await sampler
    outcome.journeys = await asyncio.to_thread(_journeys, outcome.ids)
    unmailed = [i for i, j in outcome.journeys.items() if "approver_email" not in j]
    outcome.decided_first = await asyncio.to_thread(_decided_first, unmailed)
    return outcome


def _short(queue: str) -> str:
    return queue.replace("route-to-approver", "route").replace("webhook-deliveries", "webhook")


def report(outcome: Outcome) -> list[str]:
    assert outcome.run is not None
    answers = outcome.run.answers
    errors = server_errors(answers)
    total = sum(answers.values())
    loads = [s.load for s in outcome.samples if s.at <= outcome.traffic_end]
    lines = [
        f"Soak: {outcome.seconds:g} s of mixed traffic, {outcome.rate:g} submissions/s "
        f"({outcome.applicants} applicants, {len(APPROVERS)} approvers, 1 admin); the machine's "
        f"load average (1 min) during the traffic: {min(loads):.1f} to {max(loads):.1f}, "
        f"mean {statistics.fmean(loads):.1f}",
        f"requests {total} ({total / outcome.traffic_end:.1f}/s; the last answer "
        f"{outcome.traffic_end:.0f} s after the first): "
        + ", ".join(f"{cls} {n}" for cls, n in by_class(answers).items()),
        "5xx or no answer: " + (", ".join(f"{k} x{n}" for k, n in errors.items()) or "none"),
        "by route: "
        + ", ".join(
            f"{route} {sum(n for (r, _), n in answers.items() if r == route)}"
            for route in sorted({r for r, _ in answers})
        ),
        f"accepted {len(outcome.ids)}; reached their approver's email {outcome.reached} "
        f"(waited {outcome.drained:.0f} s after the traffic stopped)"
        + "".join(f"; {n} stopped at {step}" for step, n in stopped_at(outcome.journeys).items())
        + (
            f" ({outcome.decided_first} of them decided in the app before the notify step came "
            "to their approver's email, which it then does not send)"
            if outcome.decided_first
            else ""
        ),
    ]
    if outcome.run.no_answer:
        lines.append(
            "no answer: "
            + ", ".join(f"{r} {e} x{n}" for (r, e), n in sorted(outcome.run.no_answer.items()))
        )
    unreadable = sum(not s.queues for s in outcome.samples)
    failed = [f"{call} x{n}" for call, n in outcome.run.localstack_errors.items()]
    if unreadable:
        failed.append(f"queue depths unreadable in {unreadable} of {len(outcome.samples)} samples")
    if failed:
        lines.append("LocalStack failed the soak's own calls: " + ", ".join(failed))
    latency = per_minute(
        (
            (j["credit_request.created"] - outcome.started_at).total_seconds(),
            (j["approver_email"] - j["credit_request.created"]).total_seconds(),
        )
        for j in outcome.journeys.values()
        if "approver_email" in j and "credit_request.created" in j
    )
    everything = [m for minute in latency.values() for m in minute]
    if everything:
        lines.append(
            "submit -> approver email over the run (s): "
            + ", ".join(
                f"p{round(q * 100)} {quantile(everything, q):.2f}" for q in (0.5, 0.95, 0.99)
            )
        )
    processes = list(outcome.samples[0].rss)
    lines.append("memory (RSS, MB): first minute -> last minute of traffic (growth), peak")
    for name in processes:
        g = growth([(s.at, s.rss[name]) for s in outcome.samples], outcome.traffic_end)
        lines.append(
            f"  {name:8} {g.first_mb:7.1f} -> {g.last_mb:7.1f} "
            f"({g.mb:+.1f} MB, {g.percent:+.1f}%), peak {g.peak_mb:.1f}"
        )
    lines += _per_minute_table(outcome, latency, processes)
    return lines


def _per_minute_table(
    outcome: Outcome, latency: dict[int, list[float]], processes: list[str]
) -> list[str]:
    from shared.messaging.topology import QUEUES

    created = per_minute(
        ((j["credit_request.created"] - outcome.started_at).total_seconds(), 1.0)
        for j in outcome.journeys.values()
        if "credit_request.created" in j
    )
    readable = [s for s in outcome.samples if s.queues]
    depth = {
        name: per_minute((s.at, float(s.queues[name])) for s in readable) for name in _queue_names()
    }
    dead = per_minute((s.at, float(sum(s.queues[q.dlq_name] for q in QUEUES))) for s in readable)
    flight = per_minute((s.at, float(s.queues[harness.IN_FLIGHT])) for s in readable)
    rss = {n: per_minute((s.at, s.rss[n]) for s in outcome.samples) for n in processes}
    load = per_minute((s.at, s.load) for s in outcome.samples)
    columns = [_short(q.name) for q in QUEUES]
    lines = [
        "per minute: submissions created; submit -> approver email (s) of those; each queue's "
        "depth (ApproximateNumberOfMessages, the most of the minute's samples; DLQs summed; "
        "received and not yet deleted, all queues: flight; "
        "? unreadable); RSS at the minute's last sample; the most load average. + marks the "
        "drain, after the traffic",
        f"{'min':>4} {'subm':>5} {'p50':>6} {'p95':>6} "
        + " ".join(f"{c:>7}" for c in [*columns, "DLQs", "flight"])
        + "".join(f" {n + ' MB':>10}" for n in processes)
        + f" {'load':>5}",
    ]

    def most(series: dict[int, list[float]], minute: int) -> str:
        return f"{max(series[minute]):7.0f}" if minute in series else f"{'?':>7}"

    for minute in rss[processes[0]]:
        mails = latency.get(minute, [])
        p50, p95 = (f"{quantile(mails, q):6.2f}" if mails else f"{'-':>6}" for q in (0.5, 0.95))
        label = f"{'+' if minute * 60 >= outcome.traffic_end else ''}{minute + 1}"
        lines.append(
            f"{label:>4} {len(created.get(minute, [])):5d} {p50} {p95} "
            + " ".join(
                [
                    *(most(depth[q.name], minute) for q in QUEUES),
                    most(dead, minute),
                    most(flight, minute),
                ]
            )
            + "".join(f" {rss[n][minute][-1]:10.1f}" for n in processes)
            + f" {max(load[minute]):5.1f}"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=8, help="submissions a second (P4: 20)")
    parser.add_argument("--applicants", type=int, default=20)
    parser.add_argument(
        "--settle", type=float, default=180, help="longest wait for the drain, seconds"
    )
    args = parser.parse_args(argv)
    if args.seconds < 120:
        parser.error("--seconds: at least 120 (growth compares the first minute with the last)")
    harness.configure()
    # The web app renews its token; this client does not: the access token must outlive
    # the run.
    os.environ["ACCESS_TOKEN_MINUTES"] = str(int(args.seconds + args.settle) // 60 + 30)
    with harness.running() as stack:
        outcome = asyncio.run(
            _soak(stack.gateway, stack.pids, args.rate, args.seconds, args.settle, args.applicants)
        )
    sys.stdout.write("\n".join(report(outcome)) + "\n")
