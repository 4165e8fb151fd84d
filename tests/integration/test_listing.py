"""Listing credit requests: filters, sort orders and keyset pagination."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tests.support import Api, Person


def _all_pages(api: Api, auth: dict[str, str], **params: Any) -> list[dict]:
    items: list[dict] = []
    cursor = None
    for _ in range(20):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = api.http.get("/api/v1/credit-requests", params=query, headers=auth)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= int(params.get("limit", 20))
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_pages_cover_every_request_once_in_each_sort_order(api: Api) -> None:
    auth = api.login(api.register())
    amounts = ["1200.00", "700.00", "3000.00", "700.00", "9100.50"]
    ids = [api.submit(auth, amount=a)["id"] for a in amounts]

    by_amount = _all_pages(api, auth, sort="amount", limit=2)
    assert sorted(i["id"] for i in by_amount) == sorted(ids)
    assert [Decimal(i["amount"]) for i in by_amount] == sorted(Decimal(a) for a in amounts)
    desc = _all_pages(api, auth, sort="-amount", limit=2)
    assert [i["id"] for i in desc] == [i["id"] for i in reversed(by_amount)]
    newest_first = _all_pages(api, auth, limit=3)
    assert [i["id"] for i in newest_first] == list(reversed(ids))
    oldest_first = _all_pages(api, auth, sort="created_at", limit=4)
    assert [i["id"] for i in oldest_first] == ids


def test_filters_by_status_amount_and_date(api: Api, drain: Callable[[], None]) -> None:
    auth = api.login(api.register())
    rejected = api.submit(auth, amount="2000.00", credit_score=500)["id"]
    pending = api.submit(auth, amount="6000.00")["id"]
    drain()

    by_status = _all_pages(api, auth, status="auto_rejected")
    assert [i["id"] for i in by_status] == [rejected]
    both = _all_pages(api, auth, status=["auto_rejected", "pending_approval"])
    assert {i["id"] for i in both} == {rejected, pending}
    ranged = _all_pages(api, auth, amount_min="5000", amount_max="7000")
    assert [i["id"] for i in ranged] == [pending]
    created = api.request(auth, pending)["created_at"]
    since = _all_pages(api, auth, created_from=created)
    assert [i["id"] for i in since] == [pending]


def test_assigned_to_me_lists_what_awaits_the_approver(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    drain()
    assignee = api.staff_view(staff, request_id)["stages"][0]["assignee"]
    approver = next(p for p in staff.values() if p.username == assignee)
    mine = _all_pages(api, api.login(approver), assigned_to="me", limit=100)
    assert request_id in [i["id"] for i in mine]
    other = next(p for p in staff.values() if p.role == "analyst" and p.username != assignee)
    theirs = _all_pages(api, api.login(other), assigned_to="me", limit=100)
    assert request_id not in [i["id"] for i in theirs]


def test_stage_role_lists_decided_stages_and_applicants_still_only_their_own(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    owner = api.login(api.register())
    decided = api.submit(owner)["id"]
    waiting = api.submit(owner)["id"]
    drain()
    assignee = api.staff_view(staff, decided)["stages"][0]["assignee"]
    approver = next(p for p in staff.values() if p.username == assignee)
    response = api.http.post(
        f"/api/v1/credit-requests/{decided}/decision",
        json={"decision": "approve", "comment": "fine"},
        headers=api.login(approver),
    )
    assert response.status_code == 200, response.text

    assert [i["id"] for i in _all_pages(api, owner, stage_role="analyst")] == [decided]
    assert _all_pages(api, owner, stage_role="manager") == []
    assert waiting in [i["id"] for i in _all_pages(api, owner)]
    other = api.login(api.register())
    assert _all_pages(api, other, stage_role="analyst") == []
    staff_view = _all_pages(api, api.login(approver), stage_role="analyst", limit=100)
    assert decided in [i["id"] for i in staff_view]
    assert waiting not in [i["id"] for i in staff_view]


def test_bad_list_parameters_get_422_with_an_error_body(api: Api) -> None:
    auth = api.login(api.register())
    for params in (
        {"limit": 0},
        {"limit": 101},
        {"sort": "purpose"},
        {"status": "lost"},
        {"cursor": "%%%"},
        {"amount_min": "ten"},
        {"unknown": "1"},
        {"stage_role": "applicant"},
        {"stage_role": "ceo"},
    ):
        response = api.http.get("/api/v1/credit-requests", params=params, headers=auth)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] in ("validation_error", "invalid_cursor")
    page = api.http.get("/api/v1/credit-requests", params={"limit": 1}, headers=auth).json()
    assert page == {"items": [], "next_cursor": None}
