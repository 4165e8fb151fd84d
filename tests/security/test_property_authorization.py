"""API3 (broken object property-level authorization): no body may set a property its sender
does not own (mass assignment), and no response carries a password hash, a token that is not
the caller's own, or another user's personal data."""

import json
import random
import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from shared.db import unit_of_work
from shared.users.models import User
from tests.conftest import Mailbox, assigned_request
from tests.policy_versions import activate, active_document, policy_restored
from tests.security.conftest import Caller
from tests.support import GOOD_APPLICATION, Api, Person, link_token

NEW_USER = {"email": "", "password": "a-Good-passphrase-42", "full_name": "Mass Assigner"}


def _new_user() -> dict[str, Any]:
    name = f"mass-{uuid.uuid4().hex[:10]}"
    return {**NEW_USER, "username": name, "email": f"{name}@example.com"}


# (who sends it, method, path, a valid body, the properties they must not set)
MASS_ASSIGNMENT: list[tuple[str, str, str, Callable[[], dict[str, Any]], list[str]]] = [
    (
        "anonymous",
        "POST",
        "/api/v1/users",
        _new_user,
        ["role", "is_active", "id", "password_hash", "created_at"],
    ),
    (
        "applicant",
        "POST",
        "/api/v1/credit-requests",
        lambda: dict(GOOD_APPLICATION),
        [
            "status",
            "risk_tier",
            "applicant_id",
            "decision_reasons",
            "score_result",
            "decided_at",
            "id",
            "stages",
            "created_at",
        ],
    ),
    (
        "analyst",
        "POST",
        "/api/v1/credit-requests/{request_id}/decision",
        lambda: {"decision": "approve"},
        ["stage_id", "level", "assignee_id", "decided_by", "status", "role", "request_id"],
    ),
    (
        "anonymous",
        "POST",
        "/api/v1/approval-links/{token}",
        lambda: {"decision": "approve"},
        ["stage_id", "approver_id", "decided_by", "status", "level"],
    ),
    (
        "admin",
        "PATCH",
        "/api/v1/users/{user_id}",
        lambda: {"is_active": True},
        ["username", "email", "password", "password_hash", "id", "full_name", "created_at"],
    ),
    ("anonymous", "POST", "/api/v1/refresh", lambda: {"refresh_token": "x"}, ["user_id", "jti"]),
    ("applicant", "POST", "/api/v1/logout", lambda: {}, ["user_id", "all_sessions"]),
]


@pytest.mark.parametrize(
    ("sender", "method", "path", "body", "fields"),
    MASS_ASSIGNMENT,
    ids=[f"{m} {p}" for _, m, p, _, _ in MASS_ASSIGNMENT],
)
def test_bodies_refuse_properties_the_sender_does_not_own(
    api: Api,
    callers: dict[str, Caller],
    sender: str,
    method: str,
    path: str,
    body: Callable[[], dict[str, Any]],
    fields: list[str],
) -> None:
    headers = callers[sender].auth if sender != "anonymous" else {}
    url = path.format(request_id=uuid.uuid4(), user_id=callers["applicant"].person.id, token="t")
    for name in fields:
        response = api.http.request(method, url, json={**body(), name: "admin"}, headers=headers)
        assert response.status_code == 422, (name, response.text)
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert any(
            d["loc"][-1] == name and d["type"] == "extra_forbidden" for d in error["details"]
        )
    me = api.http.get("/api/v1/users/me", headers=callers["applicant"].auth).json()
    assert (me["role"], me["is_active"]) == ("applicant", True)


def test_query_strings_refuse_unknown_parameters(api: Api, callers: dict[str, Caller]) -> None:
    auth = callers["applicant"].auth
    for params in ({"applicant": "x"}, {"status_override": "approved"}, {"role": "admin"}):
        response = api.http.get("/api/v1/credit-requests", params=params, headers=auth)
        assert response.status_code == 422, params


# --- what responses carry ---------------------------------------------------------------------


@dataclass
class Seen:
    who: str
    method: str
    path: str
    status: int
    text: str


@dataclass
class Recorder:
    seen: list[Seen] = field(default_factory=list)


class RecordingClient(TestClient):
    """A TestClient that keeps every response it receives, labelled with who asked."""

    def __init__(self, app: Any, recorder: Recorder, who: str) -> None:
        super().__init__(app, raise_server_exceptions=False)
        self.recorder, self.who = recorder, who

    def request(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:
        response = super().request(method, url, **kwargs)
        self.recorder.seen.append(
            Seen(self.who, method, str(url), response.status_code, response.text)
        )
        return response


def _person(staff: dict[str, Person], username: str) -> Person:
    return next(p for p in staff.values() if p.username == username)


def test_responses_never_carry_hashes_tokens_or_other_users_personal_data(
    staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    from infra.local.gateway import app

    recorder = Recorder()
    clients = {
        who: RecordingClient(app, recorder, who)
        for who in ("owner", "other", "assignee", "manager", "admin", "anonymous")
    }
    owner_api, other_api = Api(clients["owner"]), Api(clients["other"])
    # A name of its own: staff inboxes also hold other tests' requests, of other "owner"s.
    owner = owner_api.register("owner" + "".join(random.choices(string.ascii_lowercase, k=10)))
    other = other_api.register("other")
    with unit_of_work() as session:
        owner_name = session.get_one(User, owner.id).full_name
    owner_tokens = (
        clients["owner"]
        .post("/api/v1/token", data={"username": owner.username, "password": owner.password})
        .json()
    )
    owner_auth = {"Authorization": f"Bearer {owner_tokens['access_token']}"}
    other_auth = other_api.login(other)
    income = "73519.37"
    request_id = owner_api.submit(
        owner_auth, amount="50000.00", term_months=120, monthly_income=income
    )["id"]
    drain()

    # Everyone looks around, the way each role can.
    # Found through a staff view that is not recorded: the owner's view names no usernames.
    lookup = Api(TestClient(app, raise_server_exceptions=False))
    assignee = lookup.assignee(staff, request_id)
    assignee_auth = Api(clients["assignee"]).login(assignee)
    # A manager who does not decide it (routing may give its first stage to one).
    manager_auth = Api(clients["manager"]).login(
        next(p for p in staff.values() if p.role == "manager" and p.id != assignee.id)
    )
    admin_auth = Api(clients["admin"]).login(staff["admin1"])
    token = link_token(
        next(m for m in mailbox.to(assignee.email) if request_id[:8] in m["Subject"])
    )
    for who, auth in (("other", other_auth), ("owner", owner_auth)):
        http = clients[who]
        http.get("/api/v1/users/me", headers=auth)
        http.get("/api/v1/credit-requests", headers=auth)
        http.get(f"/api/v1/credit-requests/{request_id}", headers=auth)
    for who, auth in (
        ("assignee", assignee_auth),
        ("manager", manager_auth),
        ("admin", admin_auth),
    ):
        http = clients[who]
        http.get("/api/v1/approvals", headers=auth)
        http.get("/api/v1/credit-requests", params={"limit": 100}, headers=auth)
        http.get(f"/api/v1/credit-requests/{request_id}", headers=auth)
        http.get("/api/v1/stats", headers=auth)
    clients["other"].post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=other_auth)
    clients["anonymous"].get(f"/api/v1/approval-links/{token}")
    clients["assignee"].post(f"/api/v1/approval-links/{token}", json={"decision": "approve"})
    drain()
    clients["admin"].get("/api/v1/audit-logs", params={"limit": 100}, headers=admin_auth)
    clients["admin"].get("/api/v1/users", params={"limit": 100}, headers=admin_auth)
    clients["anonymous"].post(
        "/api/v1/token", data={"username": owner.username, "password": "Not-the-password-9"}
    )

    assert len(recorder.seen) > 25
    secrets = {
        "a password hash": re.compile(r"\$argon2"),
        "the owner's password": re.compile(re.escape(owner.password)),
        "the other's password": re.compile(re.escape(other.password)),
        "a password that was tried": re.compile("Not-the-password-9"),
        "the approval link token": re.compile(re.escape(token)),
        "a password field": re.compile(r'"password(_hash)?"\s*:'),
    }
    for seen in recorder.seen:
        for what, pattern in secrets.items():
            assert not pattern.search(seen.text), f"{what} in {seen.method} {seen.path}"

    # Tokens appear only in the answer that issued them to their owner.
    for seen in recorder.seen:
        if seen.path in ("/api/v1/token", "/api/v1/refresh") and seen.status == 200:
            continue
        for t in (owner_tokens["access_token"], owner_tokens["refresh_token"]):
            assert t not in seen.text, f"a token in {seen.method} {seen.path}"

    # Another applicant, and staff, never see the owner's contact details; the other
    # applicant sees nothing of the owner at all. The approver deciding the request sees the
    # applicant's name (in their inbox, and on their link's page) and nobody else on staff.
    contact = (owner.email, owner.username)
    for seen in recorder.seen:
        if seen.who in ("owner", "admin"):
            continue  # the owner's own data; admins manage users (GET /users) by design
        deciding = seen.path == "/api/v1/approvals" or seen.path.startswith(
            "/api/v1/approval-links/"
        )
        shown_name = seen.who in ("assignee", "anonymous") and deciding
        for value in (*contact, *(() if shown_name else (owner_name,))):
            assert value not in seen.text, (
                f"{value!r} shown to {seen.who}: {seen.method} {seen.path}"
            )
    for seen in (s for s in recorder.seen if s.who == "other"):
        for value in (request_id, str(owner.id), income):
            assert value not in seen.text, f"{value!r} shown to the other applicant in {seen.path}"

    # The bureau's report is third-party data for the people deciding: staff and the emailed
    # link see it; applicants see only the installment and ratio computed from what they declared.
    bureau = re.compile(r'"bureau_report"\s*:\s*\{')
    for seen in (s for s in recorder.seen if s.who in ("owner", "other")):
        assert not bureau.search(seen.text), f"a bureau report shown to {seen.who} in {seen.path}"
    detail = f"/api/v1/credit-requests/{request_id}"
    owner_detail = next(s for s in recorder.seen if s.who == "owner" and s.path == detail)
    assert json.loads(owner_detail.text)["score_result"]["installment"]
    decision_pages = [
        s
        for s in recorder.seen
        if s.method == "GET"
        and s.status == 200
        and (
            (s.who in ("assignee", "manager", "admin") and s.path == detail)
            or s.path == f"/api/v1/approval-links/{token}"
        )
    ]
    assert len(decision_pages) == 4
    for seen in decision_pages:
        assert bureau.search(seen.text), f"no bureau report for {seen.who} in {seen.path}"


# --- what applicants are told of staff, and of the grading -----------------------------------


def _first_name(person: Person) -> str:
    with unit_of_work() as session:
        user = session.get(User, person.id)
        assert user is not None
        return user.full_name.split()[0]


def test_applicants_see_approvers_by_role_and_first_name_and_never_the_risk_tier(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    """Staff usernames are internal identifiers (often an email's local part) and the risk
    tier an internal grading: every answer an applicant can get about their request — the
    page, the list, the submission and the withdrawal, fresh, cached or revalidated — names
    an approver by role and first name only, and carries no tier unless the policy shows it."""
    auth, request_id, analyst, _ = assigned_request(
        api, staff, drain, mailbox, amount="50000.00", term_months=120
    )
    decided = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve", "comment": "Payslips checked."},
        headers=api.login(analyst),
    )
    assert decided.status_code == 200, decided.text
    drain()
    staff_view = api.staff_view(staff, request_id)
    manager = api.assignee(staff, request_id, 1)
    # Staff see who: usernames, and the tier.
    assert staff_view["risk_tier"] is not None
    assert [s["assignee"] for s in staff_view["stages"]] == [analyst.username, manager.username]
    assert staff_view["stages"][0]["decided_by"] == analyst.username

    detail_url = f"/api/v1/credit-requests/{request_id}"
    fresh = api.http.get(detail_url, headers=auth)
    cached = api.http.get(detail_url, headers=auth)
    revalidated = api.http.get(detail_url, headers={**auth, "If-None-Match": fresh.headers["ETag"]})
    assert revalidated.status_code == 304 and not revalidated.content
    listed = api.http.get("/api/v1/credit-requests", headers=auth)
    submitted = api.http.post("/api/v1/credit-requests", json=dict(GOOD_APPLICATION), headers=auth)
    withdrawn = api.http.post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=auth)
    after = api.http.get(detail_url, headers=auth)
    answers = [fresh, cached, listed, submitted, withdrawn, after]
    assert [r.status_code for r in answers] == [200, 200, 200, 202, 200, 200]

    for response in answers:
        for person in staff.values():
            for value in (person.username, person.email):
                assert value not in response.text, (value, response.request.url)
    assert fresh.json() == cached.json()
    for page in (fresh.json(), after.json()):
        assert page["risk_tier"] is None
        assert all(s["assignee"] is None and s["decided_by"] is None for s in page["stages"])
    first, second = fresh.json()["stages"]
    assert (first["role"], first["approver_first_name"]) == ("analyst", _first_name(analyst))
    assert (second["role"], second["approver_first_name"]) == ("manager", _first_name(manager))
    assert first["comment"] == "Payslips checked."  # what they decided stays readable
    assert all(item["risk_tier"] is None for item in listed.json()["items"])
    assert submitted.json()["risk_tier"] is None and withdrawn.json()["risk_tier"] is None


def test_the_policy_can_show_applicants_their_risk_tier(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    """The tier is hidden by default; a policy version marking it "shown" shows it to the
    applicant at once (their cached page and list follow the activation), still without any
    staff username."""
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    drain()
    tier = api.staff_view(staff, request_id)["risk_tier"]
    assert tier is not None
    assert api.request(auth, request_id)["risk_tier"] is None  # hidden, and now cached
    with policy_restored():
        activate({**active_document(), "risk_tier_for_applicants": "shown"})
        page = api.request(auth, request_id)
        listed = api.http.get("/api/v1/credit-requests", headers=auth).json()["items"]
        assert page["risk_tier"] == tier
        assert [item["risk_tier"] for item in listed] == [tier]
        assert all(s["assignee"] is None for s in page["stages"])
    assert api.request(auth, request_id)["risk_tier"] is None
