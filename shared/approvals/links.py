"""Emailed approval links: a signed token bound to one stage and one approver, expiring and
single-use. Only the link's id is stored; the token is rebuilt when the email is written."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from shared.approvals.models import ApprovalLink, ApprovalStage
from shared.auth import tokens
from shared.clock import utcnow
from shared.config import get_settings
from shared.credit import policy
from shared.credit.models import CreditRequest
from shared.errors import Conflict, Gone, NotFound, Unauthorized
from shared.users.models import User
from shared.workflow.states import RequestStatus, StageStatus, may_hold


def revoke_for(session: Session, stage: ApprovalStage) -> None:
    """Retire the stage's live links as it changes hands: a link is good for one holding of
    its stage, so one from an earlier holding never decides again, even should the stage come
    back to its approver (who was told that link died, and gets a new one)."""
    session.execute(
        update(ApprovalLink)
        .where(
            ApprovalLink.stage_id == stage.id,
            ApprovalLink.used_at.is_(None),
            ApprovalLink.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def create(session: Session, stage: ApprovalStage, approver_id: uuid.UUID) -> ApprovalLink:
    """A new link for this stage and approver, expiring after APPROVAL_LINK_HOURS."""
    link = ApprovalLink(
        stage_id=stage.id,
        approver_id=approver_id,
        expires_at=utcnow() + timedelta(hours=get_settings().approval_link_hours),
    )
    session.add(link)
    session.flush()
    return link


def token_for(link: ApprovalLink) -> str:
    """The signed token of a link (rebuilt on demand: only the link's id is stored)."""
    lifetime = link.expires_at - utcnow()
    return tokens.issue(
        tokens.TokenType.APPROVAL,
        link.approver_id,
        lifetime,
        jti=link.id,
        extra={"stage": str(link.stage_id)},
    ).token


def url_for(link: ApprovalLink) -> str:
    """The web app address where the link's approver reads and decides the stage."""
    return f"{get_settings().public_url}/approvals/{token_for(link)}"


@dataclass(frozen=True)
class ResolvedLink:
    link: ApprovalLink
    stage: ApprovalStage
    request: CreditRequest
    approver: User


def resolve(session: Session, token: str, *, lock: bool = False) -> ResolvedLink:
    """The link's stage, if the link may still be used by its approver as they are now; else
    404 (not a link), 410 (used, expired) or 409 saying why it is over. Never changes
    anything."""
    try:
        claims = tokens.verify(token, tokens.TokenType.APPROVAL)
    except Unauthorized as exc:
        if exc.code == "token_expired":
            raise Gone("This approval link has expired.", code="link_expired") from exc
        raise NotFound("This approval link is not valid.", code="link_invalid") from exc
    link = session.get(ApprovalLink, uuid.UUID(claims["jti"]))
    if (
        link is None
        or str(link.stage_id) != claims.get("stage")
        or str(link.approver_id) != claims["sub"]
    ):
        raise NotFound("This approval link is not valid.", code="link_invalid")
    stage = session.get(ApprovalStage, link.stage_id)
    assert stage is not None  # foreign key
    # Locked in the order every step takes them, the request first, then its stage, then the
    # link (which a hand-over revokes): a link decision never deadlocks with escalation.
    request = session.get(CreditRequest, stage.request_id, with_for_update=lock)
    approver = session.get(User, link.approver_id)
    assert request is not None and approver is not None  # foreign keys
    if lock:
        session.refresh(stage, with_for_update=True)
        session.refresh(link, with_for_update=True)
    if link.used_at is not None:
        raise Gone("This approval link has already been used.", code="link_used")
    if link.expires_at <= utcnow():
        raise Gone("This approval link has expired.", code="link_expired")
    if link.revoked_at is not None:
        raise Conflict("A newer link replaced this one.", code="link_not_current")
    if request.status == RequestStatus.WITHDRAWN:
        raise Conflict("The applicant withdrew this request.", code="request_withdrawn")
    if stage.status != StageStatus.PENDING or request.status != RequestStatus.PENDING_APPROVAL:
        raise Conflict("This stage has already been decided.", code="stage_decided")
    if stage.assignee_id != link.approver_id:
        raise Conflict("This stage was reassigned to another approver.", code="link_not_current")
    # The link stands in for its approver as they are now: one deactivated, or whose role no
    # longer reaches this stage, holds a dead link (even before the stage is moved on).
    ladder = policy.at_version(session, stage.policy_version).approver_levels
    if not approver.is_active or not may_hold(approver.role, stage.role, ladder):
        raise Conflict("This link's approver may no longer decide it.", code="link_not_current")
    return ResolvedLink(link, stage, request, approver)
