"""Retention over HTTP against the running stack: an admin's dry run counts a request decided
25 months ago and changes nothing; applying removes its personal data, and the applicant, whose
only request it was, can no longer sign in."""

from tests.conftest import wait_until
from tests.support import Api, Person, age_decision


def test_retention_over_http(api: Api, staff: dict[str, Person]) -> None:
    applicant = api.register("leaving")
    auth = api.login(applicant)
    request_id = api.submit(auth, credit_score=500, purpose="New roof")["id"]
    wait_until(lambda: api.request(auth, request_id)["status"] == "auto_rejected", 60)
    wait_until(lambda: api.notice_sent(auth, request_id), 60)  # aged with the decision
    age_decision(request_id, days=800)
    admin = api.login(staff["admin1"])

    dry = api.http.post("/api/v1/retention/runs", json={}, headers=admin)
    assert dry.status_code == 201, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["counts"]["requests"] >= 1
    assert api.request(auth, request_id)["purpose"] == "New roof"

    applied = api.http.post("/api/v1/retention/runs", json={"dry_run": False}, headers=admin)
    assert applied.status_code == 201, applied.text
    seen = api.staff_view(staff, request_id)
    assert seen["purpose"] == "[removed]" and seen["credit_score"] is None
    assert seen["status"] == "auto_rejected" and seen["decision_reasons"]
    signed_in = api.http.post(
        "/api/v1/token", data={"username": applicant.username, "password": applicant.password}
    )
    assert signed_in.status_code == 401
    listed = api.http.get("/api/v1/retention/runs", headers=admin).json()["items"]
    assert [r["id"] for r in listed[:2]] == [applied.json()["id"], dry.json()["id"]]
