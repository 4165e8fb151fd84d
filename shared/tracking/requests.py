"""The request list and the request page, as applicants and staff track requests."""

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shared.approvals import offers
from shared.approvals.models import ApprovalStage
from shared.approvals.timeline import as_applicant_sees, stages_out, with_people
from shared.credit import policy
from shared.credit.models import CreditRequest
from shared.credit.service import out_for, score_result_out
from shared.pagination import TIMESTAMP, UUID, DecimalKind, Key, Keyset, paginate
from shared.tracking.schemas import CreditRequestDetail, RequestFilters, RequestQuery, SortKey
from shared.tracking.stats import has_timed_stage
from shared.users.identity import Identity
from shared.workflow.states import Role

_CREATED = (Key(CreditRequest.created_at, TIMESTAMP), Key(CreditRequest.id, UUID))
_AMOUNT = (Key(CreditRequest.amount, DecimalKind(14, 2)), Key(CreditRequest.id, UUID))
SORTS: dict[SortKey, Keyset] = {
    "created_at": Keyset("created_at", _CREATED),
    "-created_at": Keyset("-created_at", _CREATED, descending=True),
    "amount": Keyset("amount", _AMOUNT),
    "-amount": Keyset("-amount", _AMOUNT, descending=True),
}


def list_requests(
    session: Session, viewer: Identity, filters: RequestFilters
) -> tuple[list[CreditRequest], str | None]:
    """One page of the requests the viewer may see (an applicant: only their own) that match
    every filter, in the filters' sort order."""
    return paginate(
        session, matching(viewer, filters), SORTS[filters.sort], filters.cursor, filters.limit
    )


def matching(viewer: Identity, filters: RequestQuery) -> Select[CreditRequest]:
    """The requests the viewer may see that match every filter (paging aside), unordered."""
    query: Select[CreditRequest] = select(CreditRequest)
    if viewer.role == Role.APPLICANT:
        query = query.where(CreditRequest.applicant_id == viewer.id)
    elif filters.applicant_id is not None:
        query = query.where(CreditRequest.applicant_id == filters.applicant_id)
    if filters.status:
        query = query.where(CreditRequest.status.in_([s.value for s in filters.status]))
    if filters.created_from is not None:
        query = query.where(CreditRequest.created_at >= filters.created_from)
    if filters.created_to is not None:
        query = query.where(CreditRequest.created_at < filters.created_to)
    if filters.amount_min is not None:
        query = query.where(CreditRequest.amount >= filters.amount_min)
    if filters.amount_max is not None:
        query = query.where(CreditRequest.amount <= filters.amount_max)
    if filters.assigned_to == "me":  # a pending stage is theirs
        query = query.where(CreditRequest.pending_assignee_id == viewer.id)
    if filters.stage_role is not None:
        query = query.where(has_timed_stage(filters.stage_role))
    return query


def request_detail(
    session: Session, request: CreditRequest, viewer: Identity
) -> CreditRequestDetail:
    """The request page: the request, its approval chain, and its score result. Read in one
    statement, so the status and the stages are one moment's (a step committing between two
    reads could show `submitted` with a stage). Staff see it all; the applicant sees no bureau
    report, no staff usernames (a role and a first name) and the risk tier only where the
    policy shows it."""
    rows = session.execute(
        with_people(
            select(CreditRequest, ApprovalStage).outerjoin(
                ApprovalStage, ApprovalStage.request_id == CreditRequest.id
            )
        )
        .where(CreditRequest.id == request.id)
        .order_by(ApprovalStage.round, ApprovalStage.level)
        .execution_options(populate_existing=True)
    ).all()
    current = rows[0][0]
    offer = offers.for_request(session, current.id)
    applicant = viewer.role == Role.APPLICANT
    shown = out_for(session, viewer, current, cached=True)  # reads the policy fresh
    stages = stages_out((s, a, d, an, dn) for _, s, a, d, an, dn in rows)
    if applicant:
        # The version `out_for` has just read (this process keeps it for the second).
        shared = policy.active(session).policy.share_rejection_comment
        stages = [as_applicant_sees(s, rejection_comment_shared=shared) for s in stages]
    return CreditRequestDetail(
        **shown.model_dump(),
        stages=stages,
        score_result=score_result_out(current, with_bureau=not applicant),
        policy_version=current.policy_version,
        offer=None if offer is None else offers.offer_out(offer, current),
    )
