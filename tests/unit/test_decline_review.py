"""Human review of an automatic decline: what the applicant and the reviewer may send, the
window, the review's states, and how the topology and route table carry it."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from shared.approvals.review import INPUT_FIELDS, state_of
from shared.approvals.review_models import REVIEW_WINDOW, DeclineReview, window_closes_at
from shared.approvals.review_schemas import CorrectedData, ReviewAsk, ReviewDecision
from shared.credit.models import CreditRequest
from shared.credit.schemas import CreditRequestCreate
from shared.http.routes import REVIEWERS, find
from shared.messaging.topology import QUEUES
from shared.workflow.events import EventType
from shared.workflow.states import REQUEST_TRANSITIONS, RequestStatus, Role

DECIDED = datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_the_window_is_30_days_from_an_automatic_decline_only() -> None:
    declined = CreditRequest(status=RequestStatus.AUTO_REJECTED.value, decided_at=DECIDED)
    assert window_closes_at(declined) == DECIDED + timedelta(days=30) == DECIDED + REVIEW_WINDOW
    for status in (RequestStatus.REJECTED, RequestStatus.PENDING_APPROVAL):
        assert window_closes_at(CreditRequest(status=status.value, decided_at=DECIDED)) is None
    undated = CreditRequest(status=RequestStatus.AUTO_REJECTED.value, decided_at=None)
    assert window_closes_at(undated) is None


def test_a_review_is_asked_only_of_an_automatic_decline_and_ends_rejected_or_in_the_chain() -> None:
    assert RequestStatus.REVIEW_REQUESTED in REQUEST_TRANSITIONS[RequestStatus.AUTO_REJECTED]
    assert REQUEST_TRANSITIONS[RequestStatus.REVIEW_REQUESTED] == {
        RequestStatus.REJECTED,
        RequestStatus.PENDING_APPROVAL,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"statement": ""},
        {"statement": "   \n"},
        {"statement": "x" * 4001},
        {"statement": "ok", "corrected_data": {"credit_score": 299}},
        {"statement": "ok", "corrected_data": {"amount": "0.00"}},
        {"statement": "ok", "corrected_data": {"monthly_income": "1.001"}},
        {"statement": "ok", "corrected_data": {"employment_status": "astronaut"}},
        {"statement": "ok", "corrected_data": {"purpose": "not a financial field"}},
        {"statement": "ok", "unknown": True},
    ],
)
def test_bad_asks_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ReviewAsk.model_validate(body)


def test_corrected_data_takes_the_submission_bounds_and_keeps_only_what_is_given() -> None:
    ask = ReviewAsk.model_validate(
        {
            "statement": " x " * 10,
            "corrected_data": {"monthly_income": "9000.5", "bankruptcies_7y": 0},
        }
    )
    assert ask.corrected_data is not None
    assert ask.corrected_data.given() == {"monthly_income": "9000.50", "bankruptcies_7y": 0}
    assert ReviewAsk.model_validate({"statement": "x", "corrected_data": {}}).corrected_data is None
    assert set(INPUT_FIELDS) == set(CreditRequestCreate.model_fields)
    assert ReviewAsk.model_validate({"statement": "x" * 4000}).statement


# Just outside submission's bounds, one per correctable field.
OUT_OF_BOUNDS = {
    "amount": "10000000.01",
    "term_months": 361,
    "monthly_income": "-0.01",
    "monthly_debt": "100000000.01",
    "employment_status": "astronaut",
    "credit_score": 851,
    "delinquencies_24m": 101,
    "bankruptcies_7y": 21,
}


@pytest.mark.parametrize("name", sorted(OUT_OF_BOUNDS))
def test_a_correction_is_refused_exactly_where_submission_refuses(name: str) -> None:
    from tests.support import GOOD_APPLICATION

    assert set(OUT_OF_BOUNDS) == set(CorrectedData.model_fields)
    with pytest.raises(ValidationError):
        CreditRequestCreate.model_validate({**GOOD_APPLICATION, name: OUT_OF_BOUNDS[name]})
    with pytest.raises(ValidationError):
        CorrectedData.model_validate({name: OUT_OF_BOUNDS[name]})
    CorrectedData.model_validate({name: GOOD_APPLICATION[name]})


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "confirmed", "rationale": ""},
        {"outcome": "overturned", "rationale": "  "},
        {"outcome": "approved", "rationale": "ok"},
        {"outcome": "confirmed", "rationale": "x" * 4001},
        {"outcome": "confirmed"},
    ],
)
def test_bad_decisions_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ReviewDecision.model_validate(body)


def test_a_review_reads_as_awaiting_a_reviewer_in_review_or_decided() -> None:
    review = DeclineReview(request_id=uuid.uuid4(), statement="s", original={})
    assert state_of(review) == "awaiting_reviewer"
    review.reviewer_id = uuid.uuid4()
    assert state_of(review) == "in_review"
    review.outcome = "confirmed"
    assert state_of(review) == "confirmed"
    review.outcome = "overturned"
    assert state_of(review) == "overturned"


def test_a_review_change_refreshes_its_request_page_the_applicants_lists_and_staff_lists() -> None:
    request_id, applicant_id = uuid.uuid4(), uuid.uuid4()
    review = DeclineReview(request_id=request_id, applicant_id=applicant_id)
    assert review.cache_scopes() == [f"request:{request_id}", f"applicant:{applicant_id}", "staff"]


def test_the_routes_and_their_roles() -> None:
    assert {Role.ANALYST, Role.ADMIN} == REVIEWERS
    assert find("POST", "/api/v1/credit-requests/{request_id}/review").roles == {Role.APPLICANT}
    assert find("POST", "/api/v1/reviews/{review_id}/decision").function == "decide"
    assert find("GET", "/api/v1/reviews/{review_id}").roles == REVIEWERS
    assert find("GET", "/api/v1/reviews").roles == REVIEWERS


def test_route_to_approver_assigns_reviewers_and_notify_emails_them() -> None:
    by_name = {q.name: q for q in QUEUES}
    assert EventType.REQUEST_REVIEW_REQUESTED in by_name["route-to-approver"].event_types
    assert EventType.REVIEW_ASSIGNED in by_name["notify"].event_types


def test_money_in_corrections_stays_decimal() -> None:
    data = CorrectedData.model_validate({"amount": "12000"})
    assert data.amount == Decimal("12000")
    assert data.given() == {"amount": "12000.00"}
