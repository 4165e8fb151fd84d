"""Replaying a candidate policy beside the active one on the last N scored requests.

Stored inputs only: what the applicant declared (amount, term, income, debt) and the bureau
report the score step stored with its result — no bureau is called. Both policies are
evaluated on the same inputs, so the comparison shows the change of policy alone, not the
drift between versions that scored the requests at the time.
"""

import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.approvals.chain import approval_chain
from shared.credit.bureau import BureauReport
from shared.credit.models import CreditRequest, Policy
from shared.credit.policy import CreditPolicy
from shared.credit.scoring import Application, evaluate
from shared.errors import Conflict
from shared.governance.schemas import ChangedRequest, Rates, SimulationSummary, Verdict
from shared.pagination import TIMESTAMP, UUID, Key, Keyset, decode, encode
from shared.workflow.states import RequestStatus

# A cursor names the run it pages as well as the last change seen: a run that replaced it
# lists other changes, and going on into them would mix two runs in one list.
NEWEST_FIRST = Keyset(
    "run,-created_at",
    (
        Key(Policy.simulated_at, TIMESTAMP),
        Key(CreditRequest.created_at, TIMESTAMP),
        Key(CreditRequest.id, UUID),
    ),
    descending=True,
)
DECLINED = "declined"  # the tier column of a request declined automatically


def document_sha256(document: dict[str, Any]) -> str:
    """A digest of exactly this document (key order aside)."""
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Input:
    request_id: uuid.UUID
    created_at: datetime
    amount: Decimal
    application: Application
    report: BureauReport


def stored_inputs(session: Session, size: int) -> list[Input]:
    """The `size` most recently filed requests that were scored, as they were scored (those
    whose bureau report the retention job removed are no input any more)."""
    rows = session.execute(
        select(
            CreditRequest.id,
            CreditRequest.created_at,
            CreditRequest.amount,
            CreditRequest.term_months,
            CreditRequest.monthly_income,
            CreditRequest.monthly_debt,
            CreditRequest.score_result["bureau_report"],
        )
        .where(CreditRequest.score_result.is_not(None), CreditRequest.anonymised_at.is_(None))
        .order_by(CreditRequest.created_at.desc(), CreditRequest.id.desc())
        .limit(size)
    ).all()
    return [
        Input(
            request_id,
            created_at,
            amount,
            Application(amount, term, income, debt),
            BureauReport.model_validate(report),
        )
        for request_id, created_at, amount, term, income, debt, report in rows
    ]


def verdict(policy: CreditPolicy, item: Input) -> Verdict:
    """What `policy` decides for one stored request: outcome, risk tier, chain and reasons."""
    result = evaluate(policy, item.application, item.report)
    declined = result.outcome == RequestStatus.AUTO_REJECTED
    chain = (
        []
        if declined or result.risk_tier is None
        else approval_chain(policy, item.amount, result.risk_tier)
    )
    return Verdict(
        outcome=result.outcome,
        risk_tier=result.risk_tier,
        chain=chain,
        reasons=[r["code"] for r in result.reasons],
    )


@dataclass(frozen=True)
class Replay:
    summary: SimulationSummary
    changes: list[ChangedRequest]  # newest first


def _rates(outcomes: Counter[str], total: int) -> Rates:
    if total == 0:
        return Rates(approval_rate=0.0, auto_decline_rate=0.0)
    declined = outcomes[RequestStatus.AUTO_REJECTED.value] / total
    return Rates(approval_rate=round(1 - declined, 6), auto_decline_rate=round(declined, 6))


def replay(
    inputs: list[Input],
    current: tuple[int, CreditPolicy],
    candidate: tuple[int, CreditPolicy, dict[str, Any]],
    run_by: str,
    run_at: datetime,
) -> Replay:
    """Both policies on every input: counts, rates, tier shifts, chain lengths, changes."""
    current_version, current_policy = current
    version, candidate_policy, document = candidate
    outcomes: dict[str, Counter[str]] = {"current": Counter(), "candidate": Counter()}
    lengths: dict[str, Counter[str]] = {"current": Counter(), "candidate": Counter()}
    shifts: dict[str, Counter[str]] = {}
    changes = []
    for item in inputs:
        before, after = verdict(current_policy, item), verdict(candidate_policy, item)
        for side, seen in (("current", before), ("candidate", after)):
            outcomes[side][seen.outcome.value] += 1
            if seen.outcome == RequestStatus.PENDING_APPROVAL:
                lengths[side][str(len(seen.chain))] += 1
        tier_before = before.risk_tier.value if before.risk_tier else DECLINED
        tier_after = after.risk_tier.value if after.risk_tier else DECLINED
        shifts.setdefault(tier_before, Counter())[tier_after] += 1
        if (before.outcome, before.risk_tier, before.chain) != (
            after.outcome,
            after.risk_tier,
            after.chain,
        ):
            changes.append(
                ChangedRequest(
                    request_id=item.request_id,
                    created_at=item.created_at,
                    amount=f"{item.amount:.2f}",
                    current=before,
                    candidate=after,
                )
            )
    total = len(inputs)
    rates_before = _rates(outcomes["current"], total)
    rates_after = _rates(outcomes["candidate"], total)
    summary = SimulationSummary(
        version=version,
        against_version=current_version,
        requests=total,
        run_at=run_at,
        run_by=run_by,
        document_sha256=document_sha256(document),
        outcomes={side: dict(counts) for side, counts in outcomes.items()},
        current=rates_before,
        candidate=rates_after,
        approval_rate_change=round(rates_after.approval_rate - rates_before.approval_rate, 6),
        auto_decline_rate_change=round(
            rates_after.auto_decline_rate - rates_before.auto_decline_rate, 6
        ),
        tier_shifts={tier: dict(counts) for tier, counts in shifts.items()},
        chain_lengths={side: dict(counts) for side, counts in lengths.items()},
        changed=len(changes),
    )
    return Replay(summary, changes)


def page_of(
    changes: list[dict[str, Any]], run_at: datetime, cursor: str | None, limit: int
) -> tuple[list[ChangedRequest], str | None]:
    """One page of the stored changes of the run made at `run_at` (newest first), after
    `cursor`; and the next cursor. A cursor of an earlier run answers 409
    `simulation_superseded`."""
    items = [ChangedRequest.model_validate(c) for c in changes]
    if cursor is not None:
        paged_run, last_at, last_id = decode(NEWEST_FIRST, cursor)
        if paged_run != run_at:
            raise Conflict(
                "A newer simulation of this version replaced the one this cursor pages: "
                "start again from its first page.",
                code="simulation_superseded",
            )
        items = [c for c in items if (c.created_at, c.request_id) < (last_at, last_id)]
    page = items[:limit]
    if len(items) <= limit:
        return page, None
    tail = page[-1]
    return page, encode(NEWEST_FIRST, [run_at, tail.created_at, tail.request_id])
