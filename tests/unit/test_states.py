"""The workflow's state machine (shared.workflow.states)."""

from dataclasses import dataclass

import pytest

from shared.errors import Conflict
from shared.workflow.states import (
    ADVERSE_ACTION_STATES,
    DECIDED_REQUEST_STATES,
    FINAL_REQUEST_STATES,
    RequestStatus,
    Role,
    StageStatus,
    access_role,
    advance_request,
    advance_stage,
    may_hold,
    next_escalation_role,
)


@dataclass
class Thing:
    status: str


R = RequestStatus
S = StageStatus

# What the workflow relies on, written out by hand (not read back from the module).
ALLOWED_REQUEST_MOVES = {
    (R.SUBMITTED, R.AUTO_REJECTED),
    (R.SUBMITTED, R.PENDING_APPROVAL),
    (R.SUBMITTED, R.WITHDRAWN),
    (R.PENDING_APPROVAL, R.APPROVED),
    (R.PENDING_APPROVAL, R.REJECTED),
    (R.PENDING_APPROVAL, R.WITHDRAWN),
    (R.PENDING_APPROVAL, R.INFO_REQUESTED),
    (R.PENDING_APPROVAL, R.OFFER_MADE),
    (R.INFO_REQUESTED, R.PENDING_APPROVAL),
    (R.INFO_REQUESTED, R.AUTO_REJECTED),
    (R.INFO_REQUESTED, R.REJECTED),
    (R.INFO_REQUESTED, R.INCOMPLETE),
    (R.INFO_REQUESTED, R.WITHDRAWN),
    (R.OFFER_MADE, R.APPROVED),
    (R.OFFER_MADE, R.OFFER_DECLINED),
    (R.AUTO_REJECTED, R.REVIEW_REQUESTED),
    (R.REVIEW_REQUESTED, R.REJECTED),
    (R.REVIEW_REQUESTED, R.PENDING_APPROVAL),
}
ALL_REQUEST_MOVES = {(a, b) for a in R for b in R}

ALLOWED_STAGE_MOVES = {
    (S.WAITING, S.PENDING),
    (S.WAITING, S.CANCELLED),
    (S.PENDING, S.APPROVED),
    (S.PENDING, S.REJECTED),
    (S.PENDING, S.CANCELLED),
    (S.PENDING, S.INFO_REQUESTED),
    (S.INFO_REQUESTED, S.PENDING),
    (S.INFO_REQUESTED, S.REJECTED),
    (S.INFO_REQUESTED, S.CANCELLED),
}
ALL_STAGE_MOVES = {(a, b) for a in S for b in S}


@pytest.mark.parametrize(("current", "to"), sorted(ALLOWED_REQUEST_MOVES))
def test_allowed_request_transitions(current: RequestStatus, to: RequestStatus) -> None:
    request = Thing(status=current.value)
    advance_request(request, to)
    assert request.status == to.value
    assert type(request.status) is str  # stored as the plain value, as the column holds it


@pytest.mark.parametrize(("current", "to"), sorted(ALL_REQUEST_MOVES - ALLOWED_REQUEST_MOVES))
def test_forbidden_request_transitions_raise_conflict_and_change_nothing(
    current: RequestStatus, to: RequestStatus
) -> None:
    request = Thing(status=current.value)
    with pytest.raises(Conflict) as raised:
        advance_request(request, to)
    assert raised.value.code == "invalid_transition"
    assert raised.value.status_code == 409
    assert raised.value.details == {"status": current.value, "requested": to.value}
    assert request.status == current.value


def test_final_request_states() -> None:
    assert {R.APPROVED, R.REJECTED, R.WITHDRAWN, R.INCOMPLETE, R.OFFER_DECLINED} == (
        FINAL_REQUEST_STATES
    )


def test_an_automatic_decline_is_decided_but_may_still_be_reviewed() -> None:
    assert R.AUTO_REJECTED in DECIDED_REQUEST_STATES
    assert R.AUTO_REJECTED not in FINAL_REQUEST_STATES
    assert {R.AUTO_REJECTED} == DECIDED_REQUEST_STATES - FINAL_REQUEST_STATES


def test_every_adverse_action_is_a_decision() -> None:
    assert {R.AUTO_REJECTED, R.REJECTED, R.INCOMPLETE, R.OFFER_DECLINED} == ADVERSE_ACTION_STATES
    assert ADVERSE_ACTION_STATES <= DECIDED_REQUEST_STATES


@pytest.mark.parametrize(
    "final", [R.APPROVED, R.REJECTED, R.WITHDRAWN, R.INCOMPLETE, R.OFFER_DECLINED]
)
def test_a_final_request_cannot_move_at_all(final: RequestStatus) -> None:
    for to in R:
        request = Thing(status=final.value)
        with pytest.raises(Conflict) as raised:
            advance_request(request, to)
        assert raised.value.code == "invalid_transition"
        assert request.status == final.value


def test_deciding_a_withdrawn_request_is_a_conflict() -> None:
    request = Thing(status="pending_approval")
    advance_request(request, R.WITHDRAWN)
    with pytest.raises(Conflict, match="withdrawn"):
        advance_request(request, R.APPROVED)
    assert request.status == "withdrawn"


def test_a_request_cannot_skip_scoring() -> None:
    request = Thing(status="submitted")
    with pytest.raises(Conflict):
        advance_request(request, R.APPROVED)
    assert request.status == "submitted"


def test_unknown_stored_status_is_not_silently_accepted() -> None:
    with pytest.raises(ValueError):
        advance_request(Thing(status="bogus"), R.APPROVED)


@pytest.mark.parametrize(("current", "to"), sorted(ALLOWED_STAGE_MOVES))
def test_allowed_stage_transitions(current: StageStatus, to: StageStatus) -> None:
    stage = Thing(status=current.value)
    advance_stage(stage, to)
    assert stage.status == to.value


@pytest.mark.parametrize(("current", "to"), sorted(ALL_STAGE_MOVES - ALLOWED_STAGE_MOVES))
def test_forbidden_stage_transitions(current: StageStatus, to: StageStatus) -> None:
    stage = Thing(status=current.value)
    with pytest.raises(Conflict) as raised:
        advance_stage(stage, to)
    assert raised.value.code == "invalid_transition"
    assert raised.value.details == {"status": current.value, "requested": to.value}
    assert stage.status == current.value


def test_a_stage_cannot_be_approved_twice() -> None:
    stage = Thing(status="pending")
    advance_stage(stage, S.APPROVED)
    with pytest.raises(Conflict):
        advance_stage(stage, S.APPROVED)
    assert stage.status == "approved"


def test_a_waiting_stage_cannot_be_decided_before_it_is_reached() -> None:
    for decision in (S.APPROVED, S.REJECTED):
        stage = Thing(status="waiting")
        with pytest.raises(Conflict):
            advance_stage(stage, decision)
        assert stage.status == "waiting"


@pytest.mark.parametrize(
    ("role", "escalates_to"),
    [
        (Role.ANALYST, Role.MANAGER),
        (Role.MANAGER, Role.DIRECTOR),
        (Role.DIRECTOR, Role.ADMIN),
        (Role.ADMIN, Role.ADMIN),
    ],
)
def test_next_escalation_role(role: Role, escalates_to: Role) -> None:
    assert next_escalation_role(role) == escalates_to


def test_a_policy_defined_level_sits_on_the_ladder_the_policy_gives() -> None:
    ladder = ("analyst", "manager", "director", "credit_committee")
    assert next_escalation_role("director", ladder) == "credit_committee"
    assert next_escalation_role("credit_committee", ladder) == "admin"
    assert may_hold("credit_committee", "director", ladder)
    assert not may_hold("director", "credit_committee", ladder)
    assert not may_hold("credit_committee", "director")  # not on the built-in ladder
    assert access_role("credit_committee") == Role.ANALYST  # an approver's routes
    assert access_role("risk_officer") == Role.RISK_OFFICER


def test_the_dashboard_times_the_stages_of_every_staff_role() -> None:
    """StageRole (the list filter and the time-to-decision chart) names the roles a stage can
    be assigned to: the approver ladder and admin (above it), no more and no fewer; of the
    staff, only risk officers hold no stages."""
    from typing import get_args

    from shared.tracking.schemas import StageRole
    from shared.workflow.states import APPROVER_LADDER, STAFF_ROLES

    holders = {*APPROVER_LADDER, Role.ADMIN}
    assert set(get_args(StageRole)) == {role.value for role in holders}
    assert STAFF_ROLES - holders == {Role.RISK_OFFICER}


def test_stored_and_api_status_values_are_pinned() -> None:
    """These strings are in the database and in every client: renaming a member must not
    change them silently."""
    from shared.workflow.states import RequestStatus, StageStatus

    assert {s.name: s.value for s in RequestStatus} == {
        "SUBMITTED": "submitted",
        "AUTO_REJECTED": "auto_rejected",
        "PENDING_APPROVAL": "pending_approval",
        "APPROVED": "approved",
        "REJECTED": "rejected",
        "WITHDRAWN": "withdrawn",
        "INFO_REQUESTED": "info_requested",
        "INCOMPLETE": "incomplete",
        "OFFER_MADE": "offer_made",
        "OFFER_DECLINED": "offer_declined",
        "REVIEW_REQUESTED": "review_requested",
    }
    assert {s.name: s.value for s in StageStatus} == {
        "WAITING": "waiting",
        "PENDING": "pending",
        "INFO_REQUESTED": "info_requested",
        "APPROVED": "approved",
        "REJECTED": "rejected",
        "CANCELLED": "cancelled",
    }
