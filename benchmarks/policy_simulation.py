"""How long `POST /policies/{id}/simulate` takes over the most requests it accepts (10,000;
the target is at most 5 s), beside the default 1,000: the candidate and the active policy
replayed on stored inputs, the changes stored with the version. Measured on a real server,
the cases interleaved so machine noise hits both alike.

    python -m infra.local.stack run .venv/bin/python -m benchmarks.policy_simulation [--runs 5]

It migrates a throwaway database (`<database>_bench_<id>`), fills it with 10,000 scored
requests, and drops it afterwards.
"""

import argparse
import copy
import random
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert

from benchmarks.policy_cache import _drop, _migrated_database
from benchmarks.report import interleaved, table

REQUESTS = 10_000


def _fill() -> tuple[uuid.UUID, uuid.UUID]:
    """10,000 scored requests of varied applicants; a risk officer; a candidate version that
    declines more (credit score below 620) and refers more to managers (bands halved)."""
    from shared.clock import utcnow
    from shared.credit.models import CreditRequest
    from shared.db import unit_of_work
    from shared.governance import service as governance
    from shared.users.identity import Identity
    from shared.users.schemas import UserCreate
    from shared.users.service import register
    from shared.workflow.states import Role

    rng = random.Random(2026)
    now = utcnow()
    with unit_of_work() as session:
        applicant = register(
            session,
            UserCreate(
                username="bench-applicant",
                email="bench-applicant@example.com",
                password="bench-password-2026",
                full_name="Bench Applicant",
            ),
        )
        officer = register(
            session,
            UserCreate(
                username="bench-officer",
                email="bench-officer@example.com",
                password="bench-password-2026",
                full_name="Bench Officer",
            ),
            role=Role.RISK_OFFICER,
        )
        rows = []
        for n in range(REQUESTS):
            report = {
                "credit_score": rng.randint(450, 850),
                "delinquencies_24m": rng.choice([0, 0, 0, 1, 2, 3]),
                "bankruptcies_7y": rng.choice([0] * 19 + [1]),
            }
            rows.append(
                {
                    "applicant_id": applicant.id,
                    "amount": Decimal(rng.randrange(1_000, 250_000, 500)),
                    "term_months": rng.choice([12, 24, 36, 48, 60]),
                    "purpose": "Benchmark",
                    "monthly_income": Decimal(rng.randrange(0, 20_000, 100)),
                    "monthly_debt": Decimal(rng.randrange(0, 3_000, 50)),
                    "employment_status": "employed",
                    **report,
                    "status": "pending_approval",
                    "score_result": {
                        "installment": "0",
                        "debt_to_income": None,
                        "bureau_report": report,
                        "policy_version": 1,
                    },
                    "policy_version": 1,
                    "created_at": now - timedelta(minutes=n),
                }
            )
        session.execute(insert(CreditRequest), rows)
        identity = Identity.of(officer)
        draft = governance.create_draft(session, identity, None)
        document = copy.deepcopy(draft.document)
        for rule in document["rejection_rules"]:
            if rule["code"] == "LOW_CREDIT_SCORE":
                rule["value"] = "620"
        for band in document["approval_chains"]:
            if band["max_amount"] is not None:
                band["max_amount"] = str(Decimal(band["max_amount"]) / 2)
        governance.update_draft(session, identity, draft.id, document)
        return officer.id, draft.id


def _simulation(officer_id: uuid.UUID, version_id: uuid.UUID, size: int) -> Callable[[], float]:
    from shared.db import unit_of_work
    from shared.governance import service as governance
    from shared.users.identity import Identity
    from shared.users.models import User

    def timed() -> float:
        with unit_of_work() as session:
            officer = session.get(User, officer_id)
            assert officer is not None
            started = time.perf_counter()
            result = governance.simulate(session, Identity.of(officer), version_id, size, 20)
            elapsed = time.perf_counter() - started
        assert result.requests == size
        return elapsed

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = _migrated_database()
    try:
        officer_id, version_id = _fill()
        cases = {
            "1,000 requests (default)": _simulation(officer_id, version_id, 1_000),
            "10,000 requests (the most)": _simulation(officer_id, version_id, REQUESTS),
        }
        samples = interleaved(cases, args.runs)
    finally:
        _drop(url)

    lines = table(
        f"Policy simulation, {args.runs} runs each (target: 10,000 in at most 5,000 ms)",
        samples,
        "1,000 requests (default)",
        "ms",
    )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
