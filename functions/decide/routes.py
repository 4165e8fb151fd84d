"""The decide step: an approver approves or rejects the current stage, from the app or
from the emailed link. GET on a link only reads: mail scanners open links."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from shared.approvals import links
from shared.approvals import service as approvals
from shared.credit import service as credit
from shared.credit.schemas import CreditRequestOut, Decision, ScoreResultOut
from shared.db import unit_of_work
from shared.http.deps import require_roles
from shared.messaging.outbox import relay_after_commit
from shared.users.models import User
from shared.workflow.states import APPROVER_LADDER, Role

router = APIRouter()
Approver = Annotated[User, Depends(require_roles(*APPROVER_LADDER, Role.ADMIN))]
LinkToken = Annotated[str, Path(max_length=2048)]


class LinkSummary(BaseModel):
    stage_id: uuid.UUID
    level: int
    role: Role
    approver: str
    expires_at: str
    request: CreditRequestOut
    score_result: ScoreResultOut | None


@router.post("/credit-requests/{request_id}/decision", tags=["approvals"])
def decide(request_id: uuid.UUID, body: Decision, approver: Approver) -> CreditRequestOut:
    with unit_of_work() as session:
        credit.visible_request(session, approver, request_id)
        stage_id = approvals.current_stage_id(session, request_id)
        out = credit.to_out(approvals.decide(session, approver, stage_id, body, via="app"))
    relay_after_commit()
    return out


@router.get("/approval-links/{token}", tags=["approvals"])
def show_link(token: LinkToken) -> LinkSummary:
    with unit_of_work() as session:
        resolved = links.resolve(session, token)
        return LinkSummary(
            stage_id=resolved.stage.id,
            level=resolved.stage.level,
            role=Role(resolved.stage.role),
            approver=resolved.approver.full_name,
            expires_at=resolved.link.expires_at.isoformat(),
            request=credit.to_out(resolved.request),
            # The link stands in for the signed-in approver, who sees the bureau report too.
            score_result=credit.score_result_out(resolved.request, with_bureau=True),
        )


@router.post("/approval-links/{token}", tags=["approvals"])
def decide_by_link(token: LinkToken, body: Decision) -> CreditRequestOut:
    with unit_of_work() as session:
        resolved = links.resolve(session, token, lock=True)
        out = credit.to_out(
            approvals.decide(
                session,
                resolved.approver,
                resolved.stage.id,
                body,
                via="email_link",
                link=resolved.link,
            )
        )
    relay_after_commit()
    return out
