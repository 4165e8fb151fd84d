"""Human review of an automatic decline (issue 13 §4): the applicant asks within 30 days,
an analyst who took no part reviews it, and confirms the decline or overturns it."""

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from shared.approvals.models import ApprovalStage
from shared.db import unit_of_work
from tests.conftest import Mailbox, assigned_request, wait_until
from tests.support import Api, Person, decision_body, new_analyst

DECLINED = {"credit_score": 540, "bankruptcies_7y": 1}
STATEMENT = "The bankruptcy was my late father's, wrongly filed under my name."


@pytest.fixture
def admin(api: Api, staff: dict[str, Person]) -> dict[str, str]:
    return api.login(staff["admin1"])


@pytest.fixture
def reviewer(api: Api, admin: dict[str, str]) -> Iterator[Person]:
    """A fresh analyst with nothing to do, who sorts first: the next review is theirs."""
    with new_analyst(api, admin) as person:
        yield person


def declined(api: Api, drain: Callable[[], None], **changes: Any) -> tuple[dict[str, str], str]:
    """A new applicant's automatically declined request: (applicant auth, request id)."""
    auth = api.login(api.register())
    request_id = api.submit(auth, **{**DECLINED, **changes})["id"]
    drain()
    assert api.request(auth, request_id)["status"] == "auto_rejected"
    return auth, request_id


def ask(api: Api, auth: dict[str, str], request_id: str, **body: Any) -> Any:
    return api.http.post(
        f"/api/v1/credit-requests/{request_id}/review",
        json={"statement": STATEMENT, **body},
        headers=auth,
    )


def trail(api: Api, admin: dict[str, str], request_id: str) -> list[dict[str, Any]]:
    response = api.http.get(
        "/api/v1/audit-logs", params={"request_id": request_id, "limit": 100}, headers=admin
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def review_id_of(api: Api, auth: dict[str, str], request_id: str) -> str:
    status = api.http.get(f"/api/v1/credit-requests/{request_id}/review", headers=auth).json()
    return str(status["review"]["id"])


def test_the_applicant_may_ask_within_the_window_and_a_fresh_analyst_is_assigned(
    api: Api,
    drain: Callable[[], None],
    mailbox: Mailbox,
    reviewer: Person,
    admin: dict[str, str],
) -> None:
    auth, request_id = declined(api, drain)
    status = api.http.get(f"/api/v1/credit-requests/{request_id}/review", headers=auth).json()
    assert status["may_request"] is True and status["review"] is None
    assert status["window_closes_at"] is not None

    asked = ask(api, auth, request_id, corrected_data={"bankruptcies_7y": 0})
    assert asked.status_code == 201, asked.text
    assert asked.json()["state"] == "awaiting_reviewer"
    assert api.request(auth, request_id)["status"] == "review_requested"
    drain()

    status = api.http.get(f"/api/v1/credit-requests/{request_id}/review", headers=auth).json()
    assert status["may_request"] is False
    assert status["review"]["state"] == "in_review"
    assert status["review"]["due_at"] is not None
    review_id = status["review"]["id"]

    email = next(
        m
        for m in mailbox.to(reviewer.email)
        if f"Review needed: automatic decline of credit request {request_id[:8]}" in m["Subject"]
    )
    assert f"/reviews/{review_id}" in email["Body"]["text_part"]
    assert "credit score of 540" in email["Body"]["text_part"]

    mine = api.http.get("/api/v1/reviews", headers=api.login(reviewer)).json()
    assert [r["review_id"] for r in mine] == [review_id]

    detail = api.http.get(f"/api/v1/reviews/{review_id}", headers=api.login(reviewer)).json()
    assert detail["statement"] == STATEMENT
    assert detail["original_inputs"]["credit_score"] == 540
    assert [r["code"] for r in detail["original_reasons"]] == [
        "RECENT_BANKRUPTCY",
        "LOW_CREDIT_SCORE",
    ]
    assert detail["original_score_result"]["bureau_report"] is not None
    assert detail["changes"] == [{"field": "bankruptcies_7y", "original": 1, "corrected": 0}]

    actions = [e["action"] for e in trail(api, admin, request_id)]
    assert "review.requested" in actions and "review.assigned" in actions

    again = ask(api, auth, request_id)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"


def test_the_decline_email_tells_of_the_right_to_a_review(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    api.submit(auth, **DECLINED)
    drain()
    email = next(m for m in mailbox.to(applicant.email) if "declined" in m["Subject"])
    assert "ask a person to review it" in email["Body"]["text_part"]


def test_the_window_closes_30_days_after_the_decline(
    api: Api, drain: Callable[[], None], admin: dict[str, str]
) -> None:
    from shared.credit.models import CreditRequest
    from shared.db import unit_of_work

    auth, request_id = declined(api, drain)
    with unit_of_work() as session:
        session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == uuid.UUID(request_id))
            .values(decided_at=CreditRequest.decided_at - timedelta(days=30, minutes=1))
        )
    status = api.http.get(f"/api/v1/credit-requests/{request_id}/review", headers=auth).json()
    assert status["may_request"] is False

    late = ask(api, auth, request_id)
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "review_window_closed"
    assert api.request(auth, request_id)["status"] == "auto_rejected"
    refused = [e for e in trail(api, admin, request_id) if e["action"] == "review.request_refused"]
    assert refused and refused[0]["details"]["refused"] == "review_window_closed"


def test_only_the_applicant_asks_and_only_about_an_automatic_decline(
    api: Api, drain: Callable[[], None], staff: dict[str, Person]
) -> None:
    auth, request_id = declined(api, drain)
    stranger = api.login(api.register())
    assert ask(api, stranger, request_id).status_code == 404  # another's: as if missing
    analyst = api.login(staff["analyst1"])
    assert ask(api, analyst, request_id).status_code == 403  # not an applicant's route

    pending = api.submit(auth)["id"]
    drain()
    wrong = ask(api, auth, pending)
    assert wrong.status_code == 409
    assert wrong.json()["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize(
    "body",
    [
        {"statement": ""},
        {"statement": "   "},
        {"statement": "x" * 4001},
        {"statement": "ok", "corrected_data": {"credit_score": 900}},
        {"statement": "ok", "corrected_data": {"purpose": "something else"}},
        {"statement": "ok", "corrected_data": {"monthly_income": "-1.00"}},
        {"statement": "ok", "extra": 1},
    ],
)
def test_bad_asks_are_422(api: Api, drain: Callable[[], None], body: dict[str, Any]) -> None:
    auth, request_id = declined(api, drain)
    response = api.http.post(
        f"/api/v1/credit-requests/{request_id}/review", json=body, headers=auth
    )
    assert response.status_code == 422, response.text
    assert api.request(auth, request_id)["status"] == "auto_rejected"


def test_the_reviewer_is_nobody_who_took_part_in_the_request(
    api: Api, drain: Callable[[], None], reviewer: Person
) -> None:
    """An automatic decline has no stages; the rule still holds for one whose stage someone
    held: the fresh analyst, first otherwise, is passed over."""
    from shared.approvals.models import ApprovalStage
    from shared.approvals.review_models import DeclineReview
    from shared.db import unit_of_work

    auth, request_id = declined(api, drain)
    assert ask(api, auth, request_id).status_code == 201
    with unit_of_work() as session:
        session.add(
            ApprovalStage(
                request_id=uuid.UUID(request_id),
                level=1,
                role="analyst",
                status="cancelled",
                assignee_id=reviewer.id,
            )
        )
    drain()
    with unit_of_work() as session:
        found = session.scalars(
            select(DeclineReview).where(DeclineReview.request_id == uuid.UUID(request_id))
        ).one()
        assert found.reviewer_id is not None and found.reviewer_id != reviewer.id


def test_another_analyst_may_not_see_or_decide_the_review(
    api: Api,
    drain: Callable[[], None],
    reviewer: Person,
    staff: dict[str, Person],
    admin: dict[str, str],
) -> None:
    auth, request_id = declined(api, drain)
    ask(api, auth, request_id)
    drain()
    review_id = review_id_of(api, auth, request_id)
    other = api.login(staff["analyst2"])
    seen = api.http.get(f"/api/v1/reviews/{review_id}", headers=other)
    assert seen.status_code == 403 and seen.json()["error"]["code"] == "not_reviewer"
    decided = api.http.post(
        f"/api/v1/reviews/{review_id}/decision",
        json={"outcome": "overturned", "rationale": "mine now"},
        headers=other,
    )
    assert decided.status_code == 403 and decided.json()["error"]["code"] == "not_reviewer"
    manager = api.login(staff["manager1"])
    assert api.http.get(f"/api/v1/reviews/{review_id}", headers=manager).status_code == 403
    assert api.http.get(f"/api/v1/reviews/{review_id}", headers=admin).status_code == 200
    # An admin oversees reviews, but decides only one assigned to them.
    by_admin = api.http.post(
        f"/api/v1/reviews/{review_id}/decision",
        json={"outcome": "overturned", "rationale": "oversight"},
        headers=admin,
    )
    assert by_admin.status_code == 403
    missing = api.http.get(f"/api/v1/reviews/{uuid.uuid4()}", headers=admin)
    assert missing.status_code == 404
    refused = [e["action"] for e in trail(api, admin, request_id)]
    assert "review.view_refused" in refused and "review.decision_refused" in refused
    assert api.request(auth, request_id)["status"] == "review_requested"


def test_confirming_rejects_with_the_reviewers_rationale(
    api: Api,
    drain: Callable[[], None],
    mailbox: Mailbox,
    reviewer: Person,
    admin: dict[str, str],
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth, **DECLINED)["id"]
    drain()
    ask(api, auth, request_id)
    drain()
    review_id = review_id_of(api, auth, request_id)
    mine = api.login(reviewer)
    empty = api.http.post(
        f"/api/v1/reviews/{review_id}/decision",
        json={"outcome": "confirmed", "rationale": "  "},
        headers=mine,
    )
    assert empty.status_code == 422
    rationale = "The bureau confirms the bankruptcy is yours; the score is too low anyway."
    confirmed = api.http.post(
        f"/api/v1/reviews/{review_id}/decision",
        json={"outcome": "confirmed", "rationale": rationale},
        headers=mine,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "rejected"
    assert confirmed.json()["decided_at"] is not None
    assert [r["code"] for r in confirmed.json()["decision_reasons"]] == [
        "RECENT_BANKRUPTCY",
        "LOW_CREDIT_SCORE",
    ]
    drain()
    status = api.http.get(f"/api/v1/credit-requests/{request_id}/review", headers=auth).json()
    assert status["review"]["state"] == "confirmed"
    assert status["review"]["rationale"] == rationale
    # The automatic decline's notice came first; the review's confirmation is a notice too.
    notices = [m for m in mailbox.to(applicant.email) if "was declined" in m["Subject"]]
    email = next(m for m in notices if "confirmed it" in m["Body"]["text_part"])
    assert rationale in email["Body"]["text_part"]
    assert "confirmed it" in email["Body"]["text_part"]
    again = api.http.post(
        f"/api/v1/reviews/{review_id}/decision",
        json={"outcome": "overturned", "rationale": "changed my mind"},
        headers=mine,
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "review_decided"
    assert api.http.get("/api/v1/reviews", headers=mine).json() == []
    assert "review.confirmed" in [e["action"] for e in trail(api, admin, request_id)]


def test_overturning_applies_the_corrections_and_builds_the_chain_without_the_reviewer(
    api: Api,
    drain: Callable[[], None],
    mailbox: Mailbox,
    reviewer: Person,
    staff: dict[str, Person],
    admin: dict[str, str],
) -> None:
    auth, request_id = declined(api, drain)
    ask(api, auth, request_id, corrected_data={"monthly_debt": "100.00", "bankruptcies_7y": 0})
    drain()
    review_id = review_id_of(api, auth, request_id)
    overturned = api.http.post(
        f"/api/v1/reviews/{review_id}/decision",
        json={"outcome": "overturned", "rationale": "The bankruptcy is not the applicant's."},
        headers=api.login(reviewer),
    )
    assert overturned.status_code == 200, overturned.text
    body = overturned.json()
    assert body["status"] == "pending_approval"
    assert body["monthly_debt"] == "100.00" and body["bankruptcies_7y"] == 0
    assert body["decided_at"] is None

    def assigned() -> dict[str, Any] | None:
        drain()
        found = api.staff_view(staff, request_id)
        return found if found["stages"] and found["stages"][0]["assignee"] else None

    detail = wait_until(assigned, timeout=20)
    assert detail["stages"], "the normal chain is built"
    first = detail["stages"][0]
    assert first["status"] == "pending"
    assert first["assignee"] is not None, [e["action"] for e in trail(api, admin, request_id)]
    assert first["assignee"] != reviewer.username

    actions = {e["action"]: e for e in trail(api, admin, request_id)}
    assert "review.overturned" in actions and "credit_request.chain_built" in actions
    corrected = actions["credit_request.corrected"]
    assert corrected["before"] == {"monthly_debt": "300.00", "bankruptcies_7y": 1}
    assert corrected["after"] == {"monthly_debt": "100.00", "bankruptcies_7y": 0}

    status = api.http.get(f"/api/v1/credit-requests/{request_id}/review", headers=auth).json()
    assert status["review"]["state"] == "overturned"
    approver = api.assignee(staff, request_id)
    assert any(request_id[:8] in m["Subject"] for m in mailbox.to(approver.email))


def test_escalate_assigns_a_review_nobody_was_eligible_for(
    api: Api,
    drain: Callable[[], None],
    admin: dict[str, str],
    reviewer: Person,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from functions.escalate.handler import handle
    from shared.approvals import review

    auth, request_id = declined(api, drain)
    ask(api, auth, request_id)
    with monkeypatch.context() as nobody:
        nobody.setattr(review, "_pick_reviewer", lambda session, request: None)
        drain()
    actions = [e["action"] for e in trail(api, admin, request_id)]
    assert "review.assignment_failed" in actions
    status = api.http.get(f"/api/v1/credit-requests/{request_id}/review", headers=auth).json()
    assert status["review"]["state"] == "awaiting_reviewer"

    assert handle({}, None)["reviews_assigned"] >= 1
    status = api.http.get(f"/api/v1/credit-requests/{request_id}/review", headers=auth).json()
    assert status["review"]["state"] == "in_review"


def test_a_redelivered_request_for_review_changes_nothing(
    api: Api, drain: Callable[[], None], reviewer: Person
) -> None:
    from shared.approvals.review import assign_reviewer
    from shared.approvals.review_models import DeclineReview
    from shared.db import unit_of_work

    auth, request_id = declined(api, drain)
    ask(api, auth, request_id)
    drain()
    with unit_of_work() as session:
        assign_reviewer(session, uuid.UUID(request_id))  # the same event, once more
    with unit_of_work() as session:
        found = session.scalars(
            select(DeclineReview).where(DeclineReview.request_id == uuid.UUID(request_id))
        ).one()
        assert found.reviewer_id == reviewer.id


def test_an_overturned_decline_rejected_at_a_stage_is_told_as_a_stage_rejection(
    api: Api,
    drain: Callable[[], None],
    mailbox: Mailbox,
    reviewer: Person,
    staff: dict[str, Person],
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth, **DECLINED)["id"]
    drain()
    ask(api, auth, request_id)
    drain()
    review_id = review_id_of(api, auth, request_id)
    api.http.post(
        f"/api/v1/reviews/{review_id}/decision",
        json={"outcome": "overturned", "rationale": "Worth a human look."},
        headers=api.login(reviewer),
    )
    drain()
    approver = api.assignee(staff, request_id)
    rejected = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json=decision_body("reject", "Too risky after all."),
        headers=api.login(approver),
    )
    assert rejected.status_code == 200, rejected.text
    drain()
    notices = [m for m in mailbox.to(applicant.email) if "was declined" in m["Subject"]]
    email = next(m for m in notices if "at stage 1" in m["Body"]["text_part"])
    assert "Worth a human look." not in email["Body"]["text_part"]


def test_a_review_whose_reviewer_left_goes_to_another_analyst(
    api: Api, drain: Callable[[], None], admin: dict[str, str]
) -> None:
    from functions.escalate.handler import handle

    auth, request_id = declined(api, drain)
    with new_analyst(api, admin) as leaving:
        ask(api, auth, request_id)
        drain()
        mine = api.http.get("/api/v1/reviews", headers=api.login(leaving)).json()
        assert [r["request_id"] for r in mine] == [request_id]
    # new_analyst made them an inactive applicant on leaving: escalate hands the review on.
    assert handle({}, None)["reviews_assigned"] >= 1
    reassigned = [e for e in trail(api, admin, request_id) if e["action"] == "review.assigned"]
    assert reassigned[0]["before"] == {"reviewer_id": str(leaving.id)}
    assert reassigned[0]["after"]["reviewer_id"] != str(leaving.id)


def test_overturning_a_decline_of_an_amended_answer_builds_the_next_round(
    api: Api,
    drain: Callable[[], None],
    mailbox: Mailbox,
    admin: dict[str, str],
    staff: dict[str, Person],
) -> None:
    """A request declined on an amended answer already had a chain (round 1, cancelled): the
    reviewer's overturn builds round 2 beside it, as a re-chained amendment does."""
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    asked = api.http.post(
        f"/api/v1/credit-requests/{request_id}/information-requests",
        json={"questions": "What is your monthly income now?"},
        headers=api.login(approver),
    )
    assert asked.status_code == 201, asked.text
    answered = api.http.post(
        f"/api/v1/credit-requests/{request_id}/information-answer",
        json={"answer": "None since last month.", "amendments": {"monthly_income": "0.00"}},
        headers=auth,
    )
    assert answered.status_code == 200, answered.text
    drain()
    assert api.request(auth, request_id)["status"] == "auto_rejected"

    with new_analyst(api, admin) as reviewer:  # made now: the first stage was not theirs
        review = ask(api, auth, request_id, corrected_data={"monthly_income": "6000.00"})
        assert review.status_code == 201, review.text
        drain()
        overturned = api.http.post(
            f"/api/v1/reviews/{review_id_of(api, auth, request_id)}/decision",
            json={"outcome": "overturned", "rationale": "The new job's payslips came in."},
            headers=api.login(reviewer),
        )
        assert overturned.status_code == 200, overturned.text
        assert overturned.json()["status"] == "pending_approval"
        drain()

    with unit_of_work() as session:
        stages = session.scalars(
            select(ApprovalStage)
            .where(ApprovalStage.request_id == uuid.UUID(request_id))
            .order_by(ApprovalStage.round, ApprovalStage.level)
        ).all()
        chains = [(s.round, s.level, s.status) for s in stages]
        holder = next(s.assignee_id for s in stages if s.round == 2 and s.level == 1)
    assert chains[0] == (1, 1, "cancelled")
    assert chains[-1][0] == 2 and (2, 1, "pending") in chains
    assert holder is not None and holder != reviewer.id
