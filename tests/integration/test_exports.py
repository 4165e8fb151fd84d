"""Staff take lists away as CSV: the filtered requests (staff) and the audit log (admins). An
export holds exactly what the list's filters select, defuses spreadsheet formulas, is never
cached, and is itself audited. And administrators narrow the user list by role."""

import csv
import io
import uuid
from collections.abc import Callable
from typing import Any

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
    assert [(r["action"], r["entity_id"]) for r in rows] == [("user.registered", str(person.id))]
    assert rows[0]["after"].startswith("{")  # structures as JSON


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
