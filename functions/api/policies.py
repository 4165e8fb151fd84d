"""The credit policy's versions and their life cycle (`api` function): drafts, proposals,
four-eyes approval, activation, simulation. Risk officers and admins only (the route table)."""

import uuid
from typing import Annotated

from fastapi import Query, status

from shared.governance import service as governance
from shared.governance.schemas import (
    ActivationIn,
    ChangesQuery,
    PolicyDocumentIn,
    PolicyDraftIn,
    PolicyVersionDetail,
    PolicyVersionOut,
    ProposalIn,
    SimulationIn,
    SimulationOut,
)
from shared.http.deps import CurrentUser, DbSession, TableRouter
from shared.http.errors import declared
from shared.messaging.outbox import state_change
from shared.pagination import Cursor, Page, PageSize

router = TableRouter()


@router.get("/policies", tags=["policies"])
def list_policies(
    session: DbSession,
    limit: Annotated[PageSize, Query()] = 20,
    cursor: Annotated[Cursor, Query()] = None,
) -> Page[PolicyVersionOut]:
    """Every version, newest first, with who drafted, proposed, approved and activated it."""
    with state_change(session):  # may promote a scheduled version that is due
        items, next_cursor = governance.list_versions(session, cursor, limit)
    return Page(items=items, next_cursor=next_cursor)


@router.post("/policies", status_code=status.HTTP_201_CREATED, tags=["policies"])
def create_policy(
    body: PolicyDraftIn, user: CurrentUser, session: DbSession
) -> PolicyVersionDetail:
    """A new draft: the document given, or a copy of the active version's."""
    with state_change(session):
        return governance.create_draft(session, user, body.document)


@router.get("/policies/{policy_id}", tags=["policies"])
def get_policy(policy_id: uuid.UUID, session: DbSession) -> PolicyVersionDetail:
    """A version: its document, life cycle and latest simulation."""
    with state_change(session):
        return governance.get(session, policy_id)


@router.put("/policies/{policy_id}", tags=["policies"])
def update_policy(
    policy_id: uuid.UUID, body: PolicyDocumentIn, user: CurrentUser, session: DbSession
) -> PolicyVersionDetail:
    """Replace a draft's document (409 `policy_frozen` once proposed)."""
    with state_change(session):
        return governance.update_draft(session, user, policy_id, body.document)


@router.post("/policies/{policy_id}/propose", tags=["policies"])
def propose_policy(
    policy_id: uuid.UUID, body: ProposalIn, user: CurrentUser, session: DbSession
) -> PolicyVersionDetail:
    """Freeze a draft for approval, with the reason for the change. 422 `policy_invalid`
    lists every inconsistency with its `loc`."""
    with state_change(session):
        return governance.propose(session, user, policy_id, body.reason)


@router.post("/policies/{policy_id}/approve", tags=["policies"])
def approve_policy(
    policy_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> PolicyVersionDetail:
    """Approve a proposal: never one's own (403 `four_eyes`), and only once it was simulated
    (409 `simulation_required`)."""
    with state_change(session):
        return governance.approve(session, user, policy_id)


@router.post("/policies/{policy_id}/activate", tags=["policies"])
def activate_policy(
    policy_id: uuid.UUID, body: ActivationIn, user: CurrentUser, session: DbSession
) -> PolicyVersionDetail:
    """Make an approved version the active one now, or from `active_from`."""
    with state_change(session):
        return governance.activate(session, user, policy_id, body.active_from)


@router.post("/policies/{policy_id}/simulate", tags=["policies"])
def simulate_policy(
    policy_id: uuid.UUID, body: SimulationIn, user: CurrentUser, session: DbSession
) -> SimulationOut:
    """Replay the version beside the active one on the last `requests` scored requests
    (stored inputs, no bureau call); kept as its latest simulation."""
    with state_change(session):
        return governance.simulate(session, user, policy_id, body.requests, body.limit)


@router.get("/policies/{policy_id}/simulation", tags=["policies"], responses=declared(409))
def policy_simulation(
    policy_id: uuid.UUID, query: Annotated[ChangesQuery, Query()], session: DbSession
) -> SimulationOut:
    """The version's latest simulation, with a page of the requests whose outcome changes (a
    cursor of a run a newer one replaced: 409 `simulation_superseded`)."""
    return governance.simulation_changes(session, policy_id, query.cursor, query.limit)
