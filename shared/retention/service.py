"""Retention: 25 months after a decision, remove the applicant's personal data and keep the
record of the decision (Reg B 1002.12 keeps it 25 months; GDPR keeps no more than needed).

What goes, per request: its free text (the purpose, and every column `FREE_TEXT` names) and
the bureau report (its figures and the score result's copy). What stays: the decision, its
reasons, the amounts, the dates, the approval chain and the audit trail.

An applicant's account is anonymised once every request they made has been: no name, no
email, no way to sign in. Their username in the audit trail is redacted too, through the one
change the database allows to a sealed row (`audit_redact_rows`, personal keys only), which
records it in an `audit.redacted` entry the chain's walk checks the row against
(shared.audit.chain); nothing else may write such an entry. Accounts that never made
a request are not this job's: no decision obliges anyone to keep them.

A run handles at most `BATCH` requests (the oldest first) and says how many remain; a dry run
changes nothing and counts everything due. Every run, dry or not, is a `retention_runs` row
and a `retention.run` audit entry.
"""

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    delete,
    exists,
    func,
    null,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from shared.approvals.conversation import RequestMessage
from shared.approvals.models import ApprovalStage, InformationRequest, Offer
from shared.approvals.review_models import DeclineReview
from shared.audit.models import AuditLog
from shared.audit.service import Actor, record
from shared.auth.models import RefreshToken
from shared.caching import touch
from shared.clock import utcnow
from shared.credit.models import CreditRequest
from shared.notifications.models import NotificationPreference
from shared.notifications.notice_models import AdverseActionNotice
from shared.pagination import TIMESTAMP, UUID, Key, Keyset, paginate
from shared.retention.models import RetentionRun
from shared.users.models import User
from shared.workflow.states import DECIDED_REQUEST_STATES, Role

RETENTION_MONTHS = 25
BATCH = 500
"""Requests per run: a run is one transaction, kept short; the daily schedule catches up."""
REMOVED = "[removed]"
"""What a required free-text column holds once its text is gone."""
BUREAU_FIGURES = ("credit_score", "delinquencies_24m", "bankruptcies_7y")
"""A request's copy of the bureau report's figures."""
REDACTED_KEYS = ["username", "email", "full_name", "address"]
"""The personal data an audit row may hold (user snapshots, sign-in refusals)."""
REDACTION_ENTRY_ROWS = 1000
"""Rows per `audit.redacted` entry, so one entry stays a readable size."""
JOB = Actor.system("retention")


@dataclass(frozen=True)
class FreeText:
    """A column of free text written about a request: removed with its personal data."""

    column: InstrumentedAttribute[Any]
    request_key: InstrumentedAttribute[uuid.UUID]


FREE_TEXT: tuple[FreeText, ...] = (
    FreeText(ApprovalStage.comment, ApprovalStage.request_id),
    FreeText(RequestMessage.body, RequestMessage.request_id),
    FreeText(InformationRequest.questions, InformationRequest.request_id),
    FreeText(InformationRequest.answer, InformationRequest.request_id),
    # The fields an answer amended, before and after: the purpose's text among them.
    FreeText(InformationRequest.amendments, InformationRequest.request_id),
    # The approver's reason for a counteroffer (its reason codes, from the catalogue, stay).
    FreeText(Offer.reason, Offer.request_id),
    # The rejecting approver's comment, as the adverse action notice quoted it.
    FreeText(AdverseActionNotice.comment, AdverseActionNotice.request_id),
    # The score the notice quoted is the bureau's: it goes with the bureau report.
    FreeText(AdverseActionNotice.score, AdverseActionNotice.request_id),
    # A human review of an automatic decline: the applicant's statement and corrections, the
    # reviewer's rationale (its copy of the declined inputs: `_scrub_review_copies`).
    FreeText(DeclineReview.statement, DeclineReview.request_id),
    FreeText(DeclineReview.corrected_data, DeclineReview.request_id),
    FreeText(DeclineReview.rationale, DeclineReview.request_id),
)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when
    that month is shorter: 31 March less one month is 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=moment.tzinfo)
    last_day = (following - datetime(year, month, 1, tzinfo=moment.tzinfo)).days
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def retention_start() -> ColumnElement[datetime]:
    """When a request's retention period starts: its decision or, where it was later, the
    adverse action notice that told the applicant of it (Reg B 1002.12: 25 months after the
    notice)."""
    notice_sent = (
        select(func.max(AdverseActionNotice.sent_at))
        .where(AdverseActionNotice.request_id == CreditRequest.id)
        .scalar_subquery()
    )
    return func.greatest(CreditRequest.decided_at, notice_sent)


def _due(cutoff: datetime) -> ColumnElement[bool]:
    return and_(
        CreditRequest.anonymised_at.is_(None),
        CreditRequest.status.in_([s.value for s in DECIDED_REQUEST_STATES]),
        retention_start() < cutoff,
    )


def _applicants_due(cutoff: datetime, *, counting_due: bool) -> ColumnElement[bool]:
    """Applicants not yet anonymised, with a request, and none left to keep: every request
    anonymised already (or, `counting_due`, due now: what a dry run predicts)."""
    theirs = CreditRequest.applicant_id == User.id
    kept = and_(theirs, CreditRequest.anonymised_at.is_(None))
    if counting_due:
        kept = and_(kept, ~_due(cutoff))
    return and_(
        User.role == Role.APPLICANT.value,
        User.anonymised_at.is_(None),
        exists().where(theirs),
        ~exists().where(kept),
    )


def _audit_rows_of(session: Session, user: User) -> Sequence[tuple[int, bool]]:
    """(row id, whether the row names them as its actor) for every sealed audit row holding
    their username: rows they did, rows about their account, sign-ins refused in their name."""
    rows = session.execute(
        select(AuditLog.id, AuditLog.actor_id).where(
            AuditLog.row_hash.is_not(None),
            or_(
                AuditLog.actor_id == user.id,
                and_(AuditLog.entity_type == "user", AuditLog.entity_id == str(user.id)),
                and_(
                    AuditLog.action == "auth.login_failed",
                    func.lower(AuditLog.details["username"].astext) == user.username.lower(),
                ),
            ),
        )
    )
    return [(row_id, actor_id == user.id) for row_id, actor_id in rows]


@dataclass(frozen=True)
class Counts:
    """What a run anonymised (a dry run: would anonymise), and what is left for later runs."""

    requests: int
    applicants: int
    audit_rows: int
    remaining: int


@dataclass(frozen=True)
class RunReport:
    run_id: uuid.UUID
    dry_run: bool
    cutoff: datetime
    counts: Counts


def run(
    session: Session, *, dry_run: bool, actor: Actor = JOB, now: datetime | None = None
) -> RunReport:
    """One retention run (see the module's docstring), in the caller's transaction."""
    now = now or utcnow()
    cutoff = months_before(now, RETENTION_MONTHS)
    counts = _count(session, cutoff) if dry_run else _apply(session, cutoff, now)
    run_row = RetentionRun(
        started_at=now, cutoff=cutoff, dry_run=dry_run, actor=actor.label, counts=asdict(counts)
    )
    session.add(run_row)
    session.flush()
    record(
        session,
        actor,
        "retention.run",
        "retention_run",
        run_row.id,
        details={"dry_run": dry_run, "cutoff": cutoff.isoformat(), **asdict(counts)},
    )
    return RunReport(run_row.id, dry_run, cutoff, counts)


def _count(session: Session, cutoff: datetime) -> Counts:
    requests = session.scalar(select(func.count()).where(_due(cutoff))) or 0
    users = list(session.scalars(select(User).where(_applicants_due(cutoff, counting_due=True))))
    due_ids = select(cast(CreditRequest.id, String)).where(_due(cutoff))
    corrections = session.scalar(
        select(func.count()).select_from(_corrections_of(due_ids).subquery())
    )
    rows = (corrections or 0) + sum(len(_audit_rows_of(session, user)) for user in users)
    return Counts(requests, len(users), rows, 0)


def _apply(session: Session, cutoff: datetime, now: datetime) -> Counts:
    requests = list(
        session.scalars(
            select(CreditRequest)
            .where(_due(cutoff))
            .order_by(retention_start(), CreditRequest.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    ids = [r.id for r in requests]
    for request in requests:
        request.purpose = REMOVED
        for figure in BUREAU_FIGURES:
            setattr(request, figure, None)
        if request.score_result is not None:
            request.score_result = {**request.score_result, "bureau_report": None}
        request.anonymised_at = now
    for free_text in FREE_TEXT:
        column = free_text.column
        session.execute(
            update(column.class_)
            .where(free_text.request_key.in_(ids), column.is_not(None))
            .values({column.key: null() if column.nullable else REMOVED})
        )
    _scrub_review_copies(session, ids)
    corrections = _redact_corrected_figures(session, ids)
    touch(session, *(f"request:{i}" for i in ids))
    session.flush()
    users = list(
        session.scalars(
            select(User)
            .where(_applicants_due(cutoff, counting_due=False))
            .with_for_update(skip_locked=True)
        )
    )
    rows = corrections + sum(_anonymise(session, user, now) for user in users)
    remaining = session.scalar(select(func.count()).where(_due(cutoff))) or 0
    return Counts(len(requests), len(users), rows, remaining)


def _scrub_review_copies(session: Session, request_ids: list[uuid.UUID]) -> None:
    """A decline review keeps the declined request's inputs and score result as they were:
    their free text and bureau report go as the request's own do."""
    for review in session.scalars(
        select(DeclineReview).where(DeclineReview.request_id.in_(request_ids))
    ):
        original = dict(review.original)
        inputs = dict(original.get("inputs") or {})
        if "purpose" in inputs:
            inputs["purpose"] = REMOVED
        inputs.update({figure: None for figure in BUREAU_FIGURES if figure in inputs})
        original["inputs"] = inputs
        if original.get("score_result"):
            original["score_result"] = {**original["score_result"], "bureau_report": None}
        review.original = original


def _corrections_of(request_ids: Any) -> Select[int]:
    """The sealed `credit_request.corrected` rows of these requests (ids as text, or a query
    of them)."""
    return select(AuditLog.id).where(
        AuditLog.row_hash.is_not(None),
        AuditLog.action == "credit_request.corrected",
        AuditLog.entity_type == "credit_request",
        AuditLog.entity_id.in_(request_ids),
    )


def _redact_corrected_figures(session: Session, request_ids: list[uuid.UUID]) -> int:
    """A reviewer's correction of a declined request is audited with the bureau figures it
    changed (before and after): those go as the request's own do. The number of rows."""
    rows = list(session.scalars(_corrections_of([str(i) for i in request_ids])))
    _redact(session, rows, BUREAU_FIGURES, as_actor=False)
    return len(rows)


def _anonymise(session: Session, user: User, now: datetime) -> int:
    """Anonymise an applicant's account and redact their username from the audit trail;
    the number of audit rows redacted."""
    rows = _audit_rows_of(session, user)
    for as_actor in (True, False):
        _redact(
            session, [i for i, actor in rows if actor == as_actor], REDACTED_KEYS, as_actor=as_actor
        )
    # Argon2 is for this step only (the handler's cold start need not load it).
    from shared.users.passwords import hash_password

    tag = user.id.hex
    user.username = f"anonymised-{tag[:16]}"
    user.email = f"anonymised-{tag}@anonymised.example.com"  # RFC 2606: never delivered
    user.full_name = "Anonymised applicant"
    user.password_hash = hash_password(secrets.token_urlsafe(32))  # nobody knows it
    user.is_active = False
    user.email_verified_at = None
    user.anonymised_at = now
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user.id))
    return len(rows)


def _redact(session: Session, row_ids: list[int], keys: Sequence[str], *, as_actor: bool) -> None:
    """Replace these keys of the rows with "[redacted]" (and, `as_actor`, their actor's
    label with "anonymised"): the database does it and records each row's sealed hash and
    new content in an `audit.redacted` entry (chain.REDACTION_ACTION), one per
    REDACTION_ENTRY_ROWS rows."""
    for start in range(0, len(row_ids), REDACTION_ENTRY_ROWS):
        session.execute(
            text("SELECT audit_redact_rows(:ids, :keys, :as_actor, :actor)"),
            {
                "ids": row_ids[start : start + REDACTION_ENTRY_ROWS],
                "keys": list(keys),
                "as_actor": as_actor,
                "actor": JOB.label,
            },
        )


NEWEST_FIRST = Keyset(
    "-started_at",
    (Key(RetentionRun.started_at, TIMESTAMP), Key(RetentionRun.id, UUID)),
    descending=True,
)


def runs(session: Session, cursor: str | None, limit: int) -> tuple[list[RetentionRun], str | None]:
    """One page of the runs, newest first."""
    return paginate(session, select(RetentionRun), NEWEST_FIRST, cursor, limit)
