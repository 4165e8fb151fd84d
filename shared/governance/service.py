"""A policy version's life cycle, under four eyes.

draft ──propose (reason, checks)──▶ proposed ──approve (someone else, after a simulation of
exactly this document)──▶ approved ──activate (now, or from a time)──▶ active ──▶ retired

Drafts are edited freely; from the proposal on the document is frozen (the database refuses
any change to it). Whoever drafted or proposed a version can never approve it: the refusal is
403 `four_eyes` and audited, like a decision's segregation of duties. Activation makes it the
one active version at once, or schedules it: the first process needing the policy after that
time promotes it (`shared.credit.policy.promote_due`).
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record, record_refusal
from shared.clock import utcnow
from shared.credit import policy
from shared.credit.models import Policy
from shared.errors import Conflict, Forbidden, NotFound
from shared.governance import checks, simulation
from shared.governance.schemas import (
    PolicyVersionDetail,
    PolicyVersionOut,
    SimulationOut,
    SimulationSummary,
)
from shared.pagination import BIGINT, Key, Keyset, paginate
from shared.users.identity import Identity
from shared.users.models import User
from shared.workflow.states import PolicyStatus, advance_policy

NEWEST_FIRST = Keyset("-version", (Key(Policy.version, BIGINT),), descending=True)
_WHO = ("created_by", "proposed_by", "approved_by", "activated_by")


def _version(session: Session, version_id: uuid.UUID, *, lock: bool = False) -> Policy:
    row = session.get(Policy, version_id, with_for_update=lock)
    if row is None or row.name != policy.POLICY_NAME:
        raise NotFound("No such policy version.")
    return row


def _names(session: Session, rows: list[Policy]) -> dict[uuid.UUID, str]:
    ids = {getattr(row, who) for row in rows for who in _WHO} - {None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def _out(row: Policy, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    def name(who: str) -> str | None:
        user_id = getattr(row, who)
        return None if user_id is None else names.get(user_id)

    return {
        "id": row.id,
        "version": row.version,
        "status": PolicyStatus(row.status),
        "scheduled": row.status == PolicyStatus.APPROVED and row.active_from is not None,
        "reason": row.reason,
        "created_at": row.created_at,
        "proposed_at": row.proposed_at,
        "approved_at": row.approved_at,
        "activated_at": row.activated_at,
        "active_from": row.active_from,
        "retired_at": row.retired_at,
        **{who: name(who) for who in _WHO},
    }


def _current_simulation(row: Policy) -> SimulationSummary | None:
    """The stored simulation, if it was run on exactly the document the row holds now."""
    if row.simulation is None:
        return None
    summary = SimulationSummary.model_validate(row.simulation["summary"])
    if summary.document_sha256 != simulation.document_sha256(row.document):
        return None
    return summary


def detail(session: Session, row: Policy) -> PolicyVersionDetail:
    """A version as its page shows it: the document and its current simulation, if any."""
    return PolicyVersionDetail(
        **_out(row, _names(session, [row])),
        document=row.document,
        simulation=_current_simulation(row),
    )


def list_versions(
    session: Session, cursor: str | None, limit: int
) -> tuple[list[PolicyVersionOut], str | None]:
    """The versions, newest first: the history of who drafted, proposed, approved and
    activated each."""
    policy.active(session)  # promotes a scheduled version that is due, so the list is current
    query = select(Policy).where(Policy.name == policy.POLICY_NAME)
    rows, next_cursor = paginate(session, query, NEWEST_FIRST, cursor, limit)
    names = _names(session, rows)
    return [PolicyVersionOut(**_out(row, names)) for row in rows], next_cursor


def get(session: Session, version_id: uuid.UUID) -> PolicyVersionDetail:
    """One version (a scheduled one that is due is activated first); 404 if there is none."""
    policy.active(session)
    return detail(session, _version(session, version_id))


def create_draft(
    session: Session, actor: Identity, document: dict[str, Any] | None
) -> PolicyVersionDetail:
    """A new draft: the given document (its shape checked), or a copy of the active one."""
    if document is None:
        active = session.scalars(
            select(Policy).where(
                Policy.name == policy.POLICY_NAME, Policy.status == PolicyStatus.ACTIVE
            )
        ).one()
        document = dict(active.document)
    else:
        checks.parse(document)
    # Version numbers are taken under a lock so two drafts at once do not collide.
    session.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
    latest = session.scalar(
        select(func.max(Policy.version)).where(Policy.name == policy.POLICY_NAME)
    )
    row = Policy(
        name=policy.POLICY_NAME,
        version=(latest or 0) + 1,
        status=PolicyStatus.DRAFT.value,
        document=document,
        created_by=actor.id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    record(
        session, Actor.of(actor), "policy.drafted", "policy", row.id, after={"version": row.version}
    )
    return detail(session, row)


_LOCK_KEY = 0x504F4C  # "POL": serialises version numbering


def update_draft(
    session: Session, actor: Identity, version_id: uuid.UUID, document: dict[str, Any]
) -> PolicyVersionDetail:
    """Replace a draft's document (its shape checked); 409 once it was proposed. Only its
    author may (403 `not_draft_author`, audited): four eyes keeps whoever drafted a version
    from approving it, and that holds only if nobody else wrote into the draft."""
    row = _version(session, version_id, lock=True)
    if row.status != PolicyStatus.DRAFT:
        raise Conflict(
            "Only a draft can be edited; this version is frozen.",
            code="policy_frozen",
            details={"status": row.status},
        )
    if row.created_by != actor.id:
        record_refusal(
            session, Actor.of(actor), "policy.update_refused", "policy", row.id, "not_draft_author"
        )
        raise Forbidden(
            "Only the author of a draft may change it; start a draft of your own.",
            code="not_draft_author",
        )
    checks.parse(document)
    row.document = document
    row.simulation = None  # a simulation of the old document says nothing of the new
    row.simulated_at = None
    record(
        session, Actor.of(actor), "policy.updated", "policy", row.id, after={"version": row.version}
    )
    return detail(session, row)


def propose(
    session: Session, actor: Identity, version_id: uuid.UUID, reason: str
) -> PolicyVersionDetail:
    """Freeze a consistent draft with its reason (422 `policy_invalid` with each problem)."""
    row = _version(session, version_id, lock=True)
    checks.check(session, row.document)
    advance_policy(row, PolicyStatus.PROPOSED)
    row.reason, row.proposed_by, row.proposed_at = reason, actor.id, utcnow()
    record(
        session,
        Actor.of(actor),
        "policy.proposed",
        "policy",
        row.id,
        after={"version": row.version, "reason": reason},
    )
    return detail(session, row)


def _four_eyes_refusal(actor: Identity, row: Policy) -> str | None:
    if actor.id == row.proposed_by:
        return "You proposed this version: someone else must approve it."
    if actor.id == row.created_by:
        return "You drafted this version: someone else must approve it."
    return None


def approve(session: Session, actor: Identity, version_id: uuid.UUID) -> PolicyVersionDetail:
    """Approve a proposal: never its author's or proposer's (403 `four_eyes`, audited), and
    only after a simulation of exactly this document (409 `simulation_required`)."""
    row = _version(session, version_id, lock=True)
    refusal = _four_eyes_refusal(actor, row)
    if refusal is not None:
        record_refusal(
            session, Actor.of(actor), "policy.approval_refused", "policy", row.id, "four_eyes"
        )
        raise Forbidden(refusal, code="four_eyes")
    if row.status == PolicyStatus.PROPOSED and _current_simulation(row) is None:
        raise Conflict(
            "Run a simulation of this version before approving it.",
            code="simulation_required",
        )
    advance_policy(row, PolicyStatus.APPROVED)
    row.approved_by, row.approved_at = actor.id, utcnow()
    record(
        session,
        Actor.of(actor),
        "policy.approved",
        "policy",
        row.id,
        after={"version": row.version},
    )
    return detail(session, row)


def activate(
    session: Session, actor: Identity, version_id: uuid.UUID, active_from: datetime | None
) -> PolicyVersionDetail:
    """Make an approved version the active one now, or schedule it for `active_from`."""
    row = _version(session, version_id, lock=True)
    if row.status != PolicyStatus.APPROVED:
        raise Conflict(
            "Only an approved version can be activated.",
            code="invalid_transition",
            details={"status": row.status, "requested": PolicyStatus.ACTIVE.value},
        )
    now = utcnow()
    row.activated_by = actor.id
    if active_from is not None and active_from > now:
        row.active_from = active_from
        record(
            session,
            Actor.of(actor),
            "policy.scheduled",
            "policy",
            row.id,
            after={"version": row.version, "active_from": active_from.isoformat()},
        )
    else:
        row.active_from = now
        policy.switch_active(session, row, now)
    return detail(session, row)


def simulate(
    session: Session, actor: Identity, version_id: uuid.UUID, size: int, limit: int
) -> SimulationOut:
    """Replay the version beside the active one on the last `size` scored requests; kept as
    the version's latest simulation (its first page of changes returned)."""
    row = _version(session, version_id, lock=True)
    candidate = checks.parse(row.document)
    current = policy.active(session)
    replay = simulation.replay(
        simulation.stored_inputs(session, size),
        (current.version, current.policy),
        (row.version, candidate, row.document),
        run_by=actor.username,
        run_at=utcnow(),
    )
    row.simulation = {
        "summary": replay.summary.model_dump(mode="json"),
        "changes": [c.model_dump(mode="json") for c in replay.changes],
    }
    row.simulated_at = replay.summary.run_at
    record(
        session,
        Actor.of(actor),
        "policy.simulated",
        "policy",
        row.id,
        after={"version": row.version, "requests": replay.summary.requests},
    )
    changes, next_cursor = simulation.page_of(
        row.simulation["changes"], replay.summary.run_at, None, limit
    )
    return SimulationOut(**replay.summary.model_dump(), changes=changes, next_cursor=next_cursor)


def simulation_changes(
    session: Session, version_id: uuid.UUID, cursor: str | None, limit: int
) -> SimulationOut:
    """The latest simulation of a version, with a page of its changed requests."""
    row = _version(session, version_id)
    summary = _current_simulation(row)
    if summary is None or row.simulation is None:
        raise NotFound("This version has no simulation of its current document.")
    changes, next_cursor = simulation.page_of(
        row.simulation["changes"], summary.run_at, cursor, limit
    )
    return SimulationOut(**summary.model_dump(), changes=changes, next_cursor=next_cursor)
