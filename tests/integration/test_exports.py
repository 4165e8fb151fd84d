"""Staff take lists away as CSV: the filtered requests (staff) and the audit log (admins). An
export holds exactly what the list's filters select, defuses spreadsheet formulas, is never
cached, and is itself audited. And administrators narrow the user list by role."""

import csv
import io
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from shared.tracking import exports
from tests.support import Api, Person


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_staff_export_exactly_the_filtered_requests_with_formulas_defused(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    mine = [
        api.submit(auth, amount="7000.00", purpose='=HYPERLINK("http://evil")')["id"],
        api.submit(auth, amount="8000.00", purpose="Kitchen")["id"],
    ]
    drain()
    analyst = api.login(staff["analyst1"])

    response = api.http.get(
        "/api/v1/exports/credit-requests",
        params={"applicant_id": str(applicant.id), "amount_min": "7500.00"},
        headers=analyst,
    )
    rows = _csv(response)
    assert response.headers["x-export-truncated"] == "false"
    assert [r["id"] for r in rows] == [mine[1]]
    assert rows[0]["amount"] == "8000.00"  # exact money, no float
    assert rows[0]["purpose"] == "Kitchen"

    everything = _csv(
        api.http.get(
            "/api/v1/exports/credit-requests",
            params={"applicant_id": str(applicant.id)},
            headers=analyst,
        )
    )
    assert [r["id"] for r in everything] == mine[::-1]  # newest first
    # A spreadsheet opening the file shows the text; it never runs it as a formula.
    assert everything[1]["purpose"] == '\'=HYPERLINK("http://evil")'

    trail = api.http.get(
        "/api/v1/audit-logs",
        params={"action": "credit_requests.exported", "actor": staff["analyst1"].username},
        headers=api.login(staff["admin1"]),
    ).json()["items"]
    assert trail[0]["details"]["rows"] == 2
    assert trail[0]["details"]["filters"]["applicant_id"] == str(applicant.id)


def test_an_export_stops_before_what_a_lambda_may_answer(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Lambda answers at most 6 MB, as the JSON its answer travels in: an export stops at
    the last whole row that fits and says it was cut, rather than fail whole."""
    applicant = api.register()
    auth = api.login(applicant)
    purpose = 'Roof "and" gutters, ' * 10  # quotes cost twice: in the CSV, then in the JSON
    ids = [api.submit(auth, amount="5000.00", purpose=purpose)["id"] for _ in range(3)]
    analyst = api.login(staff["analyst1"])
    params = {"applicant_id": str(applicant.id)}
    whole = api.http.get("/api/v1/exports/credit-requests", params=params, headers=analyst)
    assert whole.headers["x-export-truncated"] == "false" and len(_csv(whole)) == 3
    header, first, *_ = whole.text.split("\r\n")
    # Room for the header and one row, as escaped in JSON, and not for a second.
    room = sum(len(json.dumps(line + "\r\n")) - 2 for line in (header, first)) + 10
    monkeypatch.setattr(exports, "EXPORT_MAX_BYTES", room)

    cut = api.http.get("/api/v1/exports/credit-requests", params=params, headers=analyst)
    assert cut.status_code == 200
    assert cut.headers["x-export-truncated"] == "true"
    rows = _csv(cut)
    assert [r["id"] for r in rows] == [ids[-1]]  # the newest, whole
    assert rows[0]["purpose"] == purpose
    trail = api.http.get(
        "/api/v1/audit-logs",
        params={"action": "credit_requests.exported", "actor": staff["analyst1"].username},
        headers=api.login(staff["admin1"]),
    ).json()["items"]
    assert (trail[0]["details"]["rows"], trail[0]["details"]["truncated"]) == (1, True)


def test_exports_are_for_staff_and_the_audit_log_for_admins_only(
    api: Api, staff: dict[str, Person]
) -> None:
    applicant = api.login(api.register())
    assert api.http.get("/api/v1/exports/credit-requests", headers=applicant).status_code == 403
    analyst = api.login(staff["analyst1"])
    assert api.http.get("/api/v1/exports/audit-logs", headers=analyst).status_code == 403
    assert api.http.get("/api/v1/exports/audit-logs").status_code == 401
    bad = api.http.get("/api/v1/exports/credit-requests?amount_min=lots", headers=analyst)
    assert bad.status_code == 422


def test_admins_export_the_filtered_audit_log(api: Api, staff: dict[str, Person]) -> None:
    person = api.register(f"audited-{uuid.uuid4().hex[:6]}")
    admin = api.login(staff["admin1"])
    rows = _csv(
        api.http.get(
            "/api/v1/exports/audit-logs",
            params={"entity_type": "user", "entity_id": str(person.id)},
            headers=admin,
        )
    )
    # Newest first: the address verified (by the test client) after the registration.
    assert [(r["action"], r["entity_id"]) for r in rows] == [
        ("user.email_verified", str(person.id)),
        ("user.registered", str(person.id)),
    ]
    assert rows[1]["after"].startswith("{")  # structures as JSON


def test_admins_filter_users_by_role(api: Api, staff: dict[str, Person]) -> None:
    admin = api.login(staff["admin1"])
    response = api.http.get(
        "/api/v1/users", params={"role": "manager", "limit": 100}, headers=admin
    )
    assert response.status_code == 200, response.text
    found = response.json()["items"]
    assert found and {u["role"] for u in found} == {"manager"}
    assert {staff["manager1"].username, staff["manager2"].username} <= {
        u["username"] for u in found
    }
    unknown = api.http.get("/api/v1/users", params={"role": "king"}, headers=admin)
    assert unknown.status_code == 422
