"""The dashboard's metrics (GET /stats): counts by day and status, outcomes, time to
decision by stage and the funnel, with the request list's filters; staff only."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from shared.approvals.models import ApprovalStage
from shared.credit.models import CreditRequest
from shared.db import unit_of_work
from tests.support import Api, Person, decision_body


def _stats(api: Api, auth: dict[str, str], **params: Any) -> dict[str, Any]:
    response = api.http.get("/api/v1/stats", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _decide(api: Api, staff: dict[str, Person], request_id: str, decision: str) -> None:
    detail = api.request(api.login(staff["admin1"]), request_id)
    assignee = next(s["assignee"] for s in detail["stages"] if s["status"] == "pending")
    approver = next(p for p in staff.values() if p.username == assignee)
    response = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json=decision_body(decision, "checked"),
        headers=api.login(approver),
    )
    assert response.status_code == 200, response.text


def test_stats_count_a_window_of_requests_by_day_status_stage_and_funnel(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    started = datetime.now(UTC)
    auth = api.login(api.register())
    declined = api.submit(auth, amount="2000.00", credit_score=500)["id"]
    approved = api.submit(auth, amount="3000.00")["id"]
    rejected = api.submit(auth, amount="4000.50")["id"]
    drain()
    _decide(api, staff, approved, "approve")
    _decide(api, staff, rejected, "reject")
    drain()
    window = {"created_from": started.isoformat(), "created_to": datetime.now(UTC).isoformat()}

    stats = _stats(api, api.login(staff["analyst1"]), **window)
    assert stats["total"] == 3
    assert stats["amount"] == "9000.50"
    outcomes = {o["status"]: (o["count"], o["amount"]) for o in stats["outcomes"]}
    assert outcomes == {
        "approved": (1, "3000.00"),
        "auto_rejected": (1, "2000.00"),
        "rejected": (1, "4000.50"),
    }
    days = {started.date().isoformat(), datetime.now(UTC).date().isoformat()}
    assert {v["day"] for v in stats["volume"]} <= days
    assert sorted((v["status"], v["count"]) for v in stats["volume"]) == [
        ("approved", 1),
        ("auto_rejected", 1),
        ("rejected", 1),
    ]
    [analyst] = stats["time_to_decision"]
    assert analyst["role"] == "analyst"
    assert analyst["decided"] == 2
    assert 0 <= analyst["median_seconds"] < 3600
    funnel = {f["step"]: f["count"] for f in stats["funnel"]}
    assert funnel == {"submitted": 3, "passed_scoring": 2, "decided": 2, "approved": 1}
    assert [f["statuses"] for f in stats["funnel"] if f["step"] == "approved"] == [["approved"]]

    # The same filters as the request list, so a chart's bar drills down to the same requests.
    narrowed = _stats(
        api,
        api.login(staff["admin1"]),
        **window,
        status=["approved", "rejected"],
        amount_min="3500",
    )
    assert [(o["status"], o["count"]) for o in narrowed["outcomes"]] == [("rejected", 1)]
    listed = api.http.get(
        "/api/v1/credit-requests",
        params={**window, "status": ["approved", "rejected"], "amount_min": "3500"},
        headers=api.login(staff["admin1"]),
    ).json()["items"]
    assert [i["id"] for i in listed] == [rejected]
    assert Decimal(narrowed["amount"]) == Decimal("4000.50")
    assert declined not in [i["id"] for i in listed]


def test_stats_are_for_staff_only_and_validate_their_filters(
    api: Api, staff: dict[str, Person]
) -> None:
    applicant = api.login(api.register())
    response = api.http.get("/api/v1/stats", headers=applicant)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_forbidden"
    assert api.http.get("/api/v1/stats").status_code == 401

    manager = api.login(staff["manager1"])
    for params in (
        {"status": "lost"},
        {"amount_min": "ten"},
        {"created_from": "2026-02-02T00:00:00Z", "created_to": "2026-02-01T00:00:00Z"},
        {"amount_min": "10", "amount_max": "5"},
        {"unknown": "1"},
        # Parsed, but outside what moving to UTC, and PostgreSQL's reader, can hold.
        {"created_from": "0001-01-01T00:00:00+14:00"},
        {"created_to": "9999-12-31T23:00:00-14:00"},
    ):
        response = api.http.get("/api/v1/stats", params=params, headers=manager)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] == "validation_error"
    # A bound without a time zone is read as UTC, also beside one with it.
    aware = _stats(
        api, manager, created_from="2026-01-01T00:00:00Z", created_to="2027-01-01T00:00:00Z"
    )
    mixed = _stats(
        api, manager, created_from="2026-01-01T00:00:00", created_to="2027-01-01T00:00:00Z"
    )
    assert mixed["total"] == aware["total"]
    empty = _stats(
        api, manager, created_from="2001-01-01T00:00:00Z", created_to="2001-01-02T00:00:00Z"
    )
    assert empty["total"] == 0
    assert empty["amount"] == "0.00"
    assert empty["volume"] == empty["outcomes"] == empty["time_to_decision"] == []
    assert [f["count"] for f in empty["funnel"]] == [0, 0, 0, 0]


def _listed(api: Api, auth: dict[str, str], **params: Any) -> list[str]:
    response = api.http.get(
        "/api/v1/credit-requests", params={**params, "limit": 100}, headers=auth
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None
    return [i["id"] for i in page["items"]]


def test_a_time_to_decision_bar_drills_down_to_exactly_the_requests_it_counts(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    started = datetime.now(UTC)
    auth = api.login(api.register())
    large = {"term_months": 120, "monthly_income": "25000.00"}  # low risk: analyst, manager
    small_approved = api.submit(auth, amount="3000.00")["id"]
    both_decided = api.submit(auth, amount="50000.00", **large)["id"]
    rejected_by_analyst = api.submit(auth, amount="60000.00", **large)["id"]
    awaiting_analyst = api.submit(auth, amount="4000.00")["id"]
    api.submit(auth, amount="2000.00", credit_score=500)  # declined: no stage at all
    withdrawn = api.submit(auth, amount="5000.00")["id"]
    drain()
    _decide(api, staff, small_approved, "approve")
    _decide(api, staff, both_decided, "approve")
    _decide(api, staff, rejected_by_analyst, "reject")
    drain()
    _decide(api, staff, both_decided, "reject")  # at the manager stage
    response = api.http.post(f"/api/v1/credit-requests/{withdrawn}/withdraw", headers=auth)
    assert response.status_code == 200, response.text
    drain()
    window = {"created_from": started.isoformat(), "created_to": datetime.now(UTC).isoformat()}
    admin = api.login(staff["admin1"])

    def bars(**filters: Any) -> dict[str, dict[str, Any]]:
        stats = _stats(api, admin, **window, **filters)
        return {t["role"]: t for t in stats["time_to_decision"]}

    expected = {
        "analyst": {small_approved, both_decided, rejected_by_analyst},
        "manager": {both_decided},
    }
    timing = bars()
    assert timing.keys() == expected.keys()
    for role, ids in expected.items():
        listed = _listed(api, admin, **window, stage_role=role)
        assert set(listed) == ids
        assert timing[role]["decided"] == timing[role]["requests"] == len(listed)
    assert awaiting_analyst not in _listed(api, admin, **window, stage_role="analyst")
    assert _listed(api, admin, **window, stage_role="director") == []

    # With the dashboard's status and amount filters too, bar and list still agree.
    narrowed = {"status": ["rejected"], "amount_min": "10000.01", "amount_max": "100000.00"}
    timing = bars(**narrowed)
    listed = _listed(api, admin, **window, **narrowed, stage_role="analyst")
    assert set(listed) == {both_decided, rejected_by_analyst}
    assert timing["analyst"]["requests"] == len(listed)
    assert _listed(api, admin, **window, **narrowed, stage_role="manager") == [both_decided]

    # A chain that names a role twice (as a policy may) times two stages of one request:
    # the bar averages over both, and its drill-down still lists the request once.
    with unit_of_work() as session:  # through the ORM, as the application changes stages
        for stage in session.scalars(
            select(ApprovalStage).where(
                ApprovalStage.request_id == uuid.UUID(both_decided), ApprovalStage.role == "manager"
            )
        ):
            stage.role = "analyst"
    timing = bars()
    listed = _listed(api, admin, **window, stage_role="analyst")
    assert set(listed) == expected["analyst"]
    assert timing["analyst"]["requests"] == len(listed) == 3
    assert timing["analyst"]["decided"] == 4
    assert "manager" not in timing


def test_the_running_totals_agree_with_the_rows_after_every_kind_of_change(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    """/stats reads totals the database keeps (whole UTC days, or nothing filtered): after
    submissions, declines, approvals, rejections and a withdrawal, they say what the rows say."""
    from shared.tracking import stats
    from shared.tracking.schemas import StatsFilters

    auth = api.login(api.register())
    api.submit(auth, amount="2100.00", credit_score=500)
    approved = api.submit(auth, amount="3100.00")["id"]
    rejected = api.submit(auth, amount="4100.50")["id"]
    withdrawn = api.submit(auth, amount="5100.00")["id"]
    drain()
    _decide(api, staff, approved, "approve")
    _decide(api, staff, rejected, "reject")
    response = api.http.post(f"/api/v1/credit-requests/{withdrawn}/withdraw", headers=auth)
    assert response.status_code == 200, response.text
    drain()

    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with unit_of_work() as session:
        for filters in (
            StatsFilters(),
            StatsFilters(created_from=today),
            StatsFilters(status=["approved", "withdrawn"], created_to=today.replace(year=2100)),
        ):
            days = stats.counted_days(filters)
            assert days is not None
            totals, rows = stats._totals(filters, days), stats._conditions(filters)
            assert stats.counted_outcomes(session, totals) == stats.outcomes(session, rows)
            assert stats.counted_volume(session, totals) == stats.volume_by_day(session, rows)
        timings = [
            (
                stats.counted_time_to_decision(session, (today.date(), None), statuses),
                stats.time_to_decision(
                    session,
                    [
                        CreditRequest.created_at >= today,
                        *([CreditRequest.status.in_(statuses)] if statuses else []),
                    ],
                ),
            )
            # Every status a decided stage's request can be in, or be moved out of.
            for statuses in ([], ["approved"], ["rejected"], ["withdrawn", "pending_approval"])
        ]
    for counted, aggregated in timings:
        assert [(t.role, t.decided, t.requests) for t in counted] == [
            (t.role, t.decided, t.requests) for t in aggregated
        ]
        for mine, theirs in zip(counted, aggregated, strict=True):
            # Both are shown rounded to a tenth of a second, and the running totals' median is
            # a histogram bucket's middle (1% wide): the two may round to neighbouring tenths,
            # 0.1 apart give or take the float's last bit.
            tenth = 0.1 + 1e-9
            assert mine.average_seconds == pytest.approx(theirs.average_seconds, abs=tenth)
            assert mine.median_seconds == pytest.approx(theirs.median_seconds, rel=0.01, abs=tenth)
