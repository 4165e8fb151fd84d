"""The decide step: an approver approves or rejects the current stage, from the app or
from the emailed link. GET on a link only reads: mail scanners open links."""

import uuid
from typing import Annotated

from fastapi import Path

from shared.approvals import links, offers, review
from shared.approvals import service as approvals
from shared.approvals.review_schemas import ReviewDecision
from shared.approvals.schemas import Decision, DeclineReasonOut, LinkSummary
from shared.approvals.timeline import chain_for_staff
from shared.credit import service as credit
from shared.credit.schemas import CreditRequestOut
from shared.http.deps import CurrentUser, DbSession, TableRouter
from shared.http.errors import declared
from shared.messaging.outbox import state_change
from shared.users import service as users
from shared.users.identity import Identity

router = TableRouter()
LinkToken = Annotated[str, Path(max_length=2048)]


@router.post("/credit-requests/{request_id}/decision", tags=["approvals"], responses=declared(409))
def decide(
    request_id: uuid.UUID, body: Decision, approver: CurrentUser, session: DbSession
) -> CreditRequestOut:
    """Approve or reject the request's current stage, as its assignee (403 `not_assignee`
    otherwise; never one's own request). A rejection needs a comment and 1 to 4 reason codes
    of the policy's catalogue (GET /decline-reasons; 422 `unknown_reason_code` otherwise).
    The last stage may approve other terms instead (`counteroffer`, with reason codes too:
    409 `not_final_stage` on an earlier one).
    409 once decided."""
    with state_change(session):
        credit.visible_request(session, approver, request_id)
        stage_id = approvals.current_stage_id(session, request_id)
        return credit.to_out(approvals.decide(session, approver, stage_id, body, via="app"))


@router.get("/approval-links/{token}", tags=["approvals"], responses=declared(409, 410))
def show_link(token: LinkToken, session: DbSession) -> LinkSummary:
    """What an emailed link decides, before its approver decides it: the request, the score
    result, and the chain with earlier comments. Only reads: mail scanners open links. 410
    once used or expired; 409 when the stage moved on or the request was withdrawn."""
    resolved = links.resolve(session, token)
    return LinkSummary(
        stage_id=resolved.stage.id,
        level=resolved.stage.level,
        role=resolved.stage.role,
        approver=resolved.approver.full_name,
        expires_at=resolved.link.expires_at.isoformat(),
        applicant_name=users.get(session, resolved.request.applicant_id).full_name,
        request=credit.to_out(resolved.request),
        # The link stands in for the signed-in approver, who sees the bureau report and the
        # earlier approvers' comments too.
        score_result=credit.score_result_out(resolved.request, with_bureau=True),
        stages=chain_for_staff(session, resolved.request.id),
        counteroffer=(
            offers.counteroffer_terms(session) if offers.is_final(session, resolved.stage) else None
        ),
        decline_reasons=approvals.decline_reasons(session),
    )


@router.get("/decline-reasons", tags=["approvals"])
def list_decline_reasons(user: CurrentUser, session: DbSession) -> list[DeclineReasonOut]:
    """The active policy's catalogue of principal reasons a rejection gives (1 to 4 of them,
    by code): the applicant's adverse action notice quotes their sentences. Read-only."""
    return [DeclineReasonOut(**reason) for reason in approvals.decline_reasons(session)]


@router.post("/approval-links/{token}", tags=["approvals"], responses=declared(409, 410))
def decide_by_link(token: LinkToken, body: Decision, session: DbSession) -> CreditRequestOut:
    """Decide the link's stage, as its approver (the link is the credential, used once)."""
    with state_change(session):
        resolved = links.resolve(session, token, lock=True)
        decided = approvals.decide(
            session,
            Identity.of(resolved.approver),
            resolved.stage.id,
            body,
            via="email_link",
            link=resolved.link,
        )
        return credit.to_out(decided)


@router.post("/reviews/{review_id}/decision", tags=["reviews"], responses=declared(409))
def decide_review(
    review_id: uuid.UUID, body: ReviewDecision, reviewer: CurrentUser, session: DbSession
) -> CreditRequestOut:
    """Confirm or overturn the automatic decline under review, as its reviewer (403
    `not_reviewer` otherwise), with a rationale the applicant reads. Confirmed: the request
    is rejected. Overturned: any corrected data is applied and the request goes to its
    approval chain, which the reviewer never holds a stage of. 409 once decided."""
    with state_change(session):
        return credit.to_out(review.decide(session, reviewer, review_id, body))
