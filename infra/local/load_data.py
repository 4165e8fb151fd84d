"""Load a large, plausible dataset fast: `python -m infra.local.load_data --requests 100000`.

Credit requests with their applicants, approval stages and audit entries, written with
PostgreSQL COPY in batches (one transaction each): 100k requests take a few minutes on a
laptop, `--requests 1000000` works the same way. The audit rows go through the same seal as
the application's (the chains verify afterwards). For restore drills and load tests: local
databases only. It also makes `DRILL_USER` (an admin, password `DRILL_PASSWORD`), whom the
restore drill signs in as to time its first API read.
"""

import argparse
import logging
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from shared.backup.service import libpq_url
from shared.clock import utcnow
from shared.config import get_settings
from shared.users.passwords import hash_password
from shared.workflow.states import APPROVER_LADDER, RequestStatus, Role, StageStatus

logger = logging.getLogger(__name__)

DRILL_USER = "drill-admin"
DRILL_PASSWORD = "drill-password-2026"  # local databases only (see load())
BATCH = 5000
APPLICANTS_PER_BATCH = 1000
STAFF_PER_ROLE = 3
HEAVY_SHARE = 4  # a quarter of a full batch's requests are its heavy applicant's
HEAVY_MIN_BATCH = 4000  # 1,000+ requests: 50 pages of 20

REQUEST_COLUMNS = (
    "id, applicant_id, amount, term_months, purpose, monthly_income, monthly_debt,"
    " employment_status, credit_score, delinquencies_24m, bankruptcies_7y, status, risk_tier,"
    " decision_reasons, score_result, created_at, updated_at, decided_at"
)
STAGE_COLUMNS = (
    "id, request_id, level, role, status, assignee_id, assigned_at, due_at, decided_by,"
    " decided_at, decided_via, comment"
)
AUDIT_COLUMNS = "at, actor_id, actor, action, entity_type, entity_id, before, after"
USER_COLUMNS = "id, username, email, full_name, password_hash, role, is_active, created_at"

# What becomes of the requests, roughly as a busy month leaves them.
OUTCOMES = (
    (RequestStatus.APPROVED, 40),
    (RequestStatus.REJECTED, 15),
    (RequestStatus.AUTO_REJECTED, 15),
    (RequestStatus.PENDING_APPROVAL, 25),
    (RequestStatus.WITHDRAWN, 5),
)


@dataclass
class Batch:
    users: list[tuple[Any, ...]] = field(default_factory=list)
    requests: list[tuple[Any, ...]] = field(default_factory=list)
    stages: list[tuple[Any, ...]] = field(default_factory=list)
    audit: list[tuple[Any, ...]] = field(default_factory=list)


class Generator:
    def __init__(self, seed: int, staff: dict[Role, list[tuple[uuid.UUID, str]]]) -> None:
        self.random = random.Random(seed)
        self.staff = staff
        self.now = utcnow()
        self.password_hash = hash_password(uuid.uuid4().hex)  # applicants never sign in
        self.outcomes = [o for o, _ in OUTCOMES]
        self.weights = [w for _, w in OUTCOMES]
        self.run = uuid.uuid4().hex[:8]

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.random.getrandbits(128), version=4)

    def batch(self, number: int, size: int) -> Batch:
        batch = Batch()
        applicants = []
        for n in range(min(APPLICANTS_PER_BATCH, size)):
            user_id = self._uuid()
            name = f"load-{self.run}-{number}-{n}"
            created = self.now - timedelta(days=400)
            batch.users.append(
                (
                    user_id,
                    name,
                    f"{name}@example.com",
                    f"Load Applicant {number}-{n}",
                    self.password_hash,
                    Role.APPLICANT.value,
                    True,
                    created,
                )
            )
            batch.audit.append(
                _entry(created, user_id, name, "user.registered", "user", str(user_id), None, None)
            )
            applicants.append((user_id, name))
        # Each batch's first applicant is a heavy one: the scale checks need applicants whose
        # list runs 50 pages deep, at 10k requests as at 1M, beside the usual few-request ones.
        heavy = size // HEAVY_SHARE if size >= HEAVY_MIN_BATCH else 0
        for n in range(size):
            self._request(batch, *(applicants[0] if n < heavy else self.random.choice(applicants)))
        return batch

    def _request(self, batch: Batch, applicant_id: uuid.UUID, applicant: str) -> None:
        rnd = self.random
        request_id = self._uuid()
        created = self.now - timedelta(seconds=rnd.randrange(365 * 24 * 3600))
        amount = Decimal(rnd.randrange(1_000_00, 500_000_00)) / 100
        outcome = rnd.choices(self.outcomes, self.weights)[0]
        tier = rnd.choice(("low", "medium", "high"))
        levels = 1 if amount < 50_000 else 2 if amount < 200_000 else 3
        decided = created + timedelta(hours=rnd.randrange(1, 96))
        terminal = outcome != RequestStatus.PENDING_APPROVAL
        batch.requests.append(
            (
                request_id,
                applicant_id,
                amount,
                rnd.choice((12, 24, 36, 48, 60)),
                "Seeded request for restore drills",
                Decimal(rnd.randrange(2_000_00, 30_000_00)) / 100,
                Decimal(rnd.randrange(0, 2_000_00)) / 100,
                "employed",
                rnd.randrange(550, 850),
                0,
                0,
                outcome.value,
                tier,
                [],
                {"tier": tier, "score": rnd.randrange(0, 100)},
                created,
                decided if terminal else created,
                decided if terminal else None,
            )
        )
        audit = batch.audit
        rid = str(request_id)
        after = {"amount": str(amount), "status": RequestStatus.SUBMITTED.value}
        audit.append(
            _entry(
                created,
                applicant_id,
                applicant,
                "credit_request.created",
                "credit_request",
                rid,
                None,
                after,
            )
        )
        audit.append(
            _entry(
                created,
                None,
                "system:score",
                "credit_request.scored",
                "credit_request",
                rid,
                None,
                {"risk_tier": tier},
            )
        )
        if outcome == RequestStatus.AUTO_REJECTED:
            return
        # Decided stages up to the one the request stopped at; the rest waiting or cancelled.
        stop = rnd.randrange(1, levels + 1)
        for level, role in enumerate(APPROVER_LADDER[:levels], start=1):
            status, approver = self._stage_outcome(outcome, level, stop, levels)
            stage_id = self._uuid()
            assignee_id, assignee = rnd.choice(self.staff[role])
            reached = level <= stop
            assigned = created + timedelta(minutes=level)
            batch.stages.append(
                (
                    stage_id,
                    request_id,
                    level,
                    role.value,
                    status.value,
                    assignee_id if reached else None,
                    assigned if reached else None,
                    assigned + timedelta(days=2) if reached else None,
                    assignee_id if approver else None,
                    decided if approver else None,
                    "app" if approver else None,
                    None,
                )
            )
            sid = str(stage_id)
            if reached:
                audit.append(
                    _entry(
                        assigned,
                        None,
                        "system:route_to_approver",
                        "stage.assigned",
                        "approval_stage",
                        sid,
                        None,
                        {"assignee": assignee},
                    )
                )
            if approver:
                audit.append(
                    _entry(
                        decided,
                        assignee_id,
                        assignee,
                        f"stage.{status.value}",
                        "approval_stage",
                        sid,
                        {"status": "pending"},
                        {"status": status.value},
                    )
                )

    @staticmethod
    def _stage_outcome(
        outcome: RequestStatus, level: int, stop: int, levels: int
    ) -> tuple[StageStatus, bool]:
        """The stage's status, and whether its approver decided it."""
        if outcome == RequestStatus.APPROVED:
            return StageStatus.APPROVED, True
        if level < stop:
            return StageStatus.APPROVED, True
        if level > stop:
            pending = outcome == RequestStatus.PENDING_APPROVAL
            return (StageStatus.WAITING if pending else StageStatus.CANCELLED), False
        return {
            RequestStatus.REJECTED: (StageStatus.REJECTED, True),
            RequestStatus.PENDING_APPROVAL: (StageStatus.PENDING, False),
        }.get(outcome, (StageStatus.CANCELLED, False))


def _entry(
    at: datetime,
    actor_id: uuid.UUID | None,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, str] | None,
    after: dict[str, str] | None,
) -> tuple[Any, ...]:
    """An audit row, as AUDIT_COLUMNS lists them."""
    return (at, actor_id, actor, action, entity_type, entity_id, before, after)


def _copy(cur: psycopg.Cursor[Any], table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(Jsonb(v) if isinstance(v, dict | list) else v for v in row))


def _staff(conn: psycopg.Connection[Any]) -> dict[Role, list[tuple[uuid.UUID, str]]]:
    """The approvers stages are assigned to (made once), and the drill's admin."""
    people = [(role, f"load-{role.value}-{n}") for role in APPROVER_LADDER for n in (1, 2, 3)]
    people.append((Role.ADMIN, DRILL_USER))
    staff: dict[Role, list[tuple[uuid.UUID, str]]] = {role: [] for role in APPROVER_LADDER}
    with conn.cursor() as cur:
        for role, name in people:
            found = cur.execute("SELECT id FROM users WHERE username = %s", (name,)).fetchone()
            user_id = found[0] if found else uuid.uuid4()
            if not found:
                password = hash_password(DRILL_PASSWORD)
                cur.execute(
                    f"INSERT INTO users ({USER_COLUMNS})"
                    " VALUES (%s, %s, %s, %s, %s, %s, true, now())",
                    (user_id, name, f"{name}@example.com", name, password, role.value),
                )
                cur.execute(
                    f"INSERT INTO audit_logs ({AUDIT_COLUMNS}) VALUES"
                    " (now(), %s, %s, 'user.registered', 'user', %s, NULL, NULL)",
                    (user_id, name, str(user_id)),
                )
            if role in staff:
                staff[role].append((user_id, name))
    conn.commit()
    return staff


def ensure_staff(database_url: str) -> None:
    """The approvers and the drill's admin exist (made on first use)."""
    with psycopg.connect(libpq_url(database_url)) as conn:
        _staff(conn)


def _batches(total: int) -> Iterator[tuple[int, int]]:
    for number, start in enumerate(range(0, total, BATCH)):
        yield number, min(BATCH, total - start)


def load(database_url: str, requests: int, seed: int = 2026) -> dict[str, int]:
    """Add `requests` credit requests (and what comes with them) to the database; the counts
    of rows written, per table."""
    if not get_settings().is_local:
        raise RuntimeError("load_data is for local databases only")
    written = {"users": 0, "credit_requests": 0, "approval_stages": 0, "audit_logs": 0}
    with psycopg.connect(libpq_url(database_url)) as conn:
        generator = Generator(seed, _staff(conn))
        for number, size in _batches(requests):
            batch = generator.batch(number, size)
            with conn.cursor() as cur:
                _copy(cur, "users", USER_COLUMNS, batch.users)
                _copy(cur, "credit_requests", REQUEST_COLUMNS, batch.requests)
                _copy(cur, "approval_stages", STAGE_COLUMNS, batch.stages)
                _copy(cur, "audit_logs", AUDIT_COLUMNS, batch.audit)
            conn.commit()  # the audit rows are sealed here, as the application's are
            written["users"] += len(batch.users)
            written["credit_requests"] += len(batch.requests)
            written["approval_stages"] += len(batch.stages)
            written["audit_logs"] += len(batch.audit)
            logger.info("loaded %d/%d requests", written["credit_requests"], requests)
        with conn.cursor() as cur:
            for table in written:
                cur.execute(f"ANALYZE {table}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026, help="for a repeatable dataset")
    parser.add_argument("--database-url", help="default: DATABASE_URL")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    written = load(args.database_url or get_settings().database_url, args.requests, args.seed)
    logger.info(
        "%s in %.1f s",
        ", ".join(f"{n} {t}" for t, n in written.items()),
        time.monotonic() - started,
    )


if __name__ == "__main__":
    main()
