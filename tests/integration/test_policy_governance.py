"""The policy's life cycle through the API: drafts, proposals with a reason, consistency
checks (422 with a `loc` per problem), simulation on stored inputs, approval under four eyes
(audited refusal), activation; and the decisions made afterwards record the new version."""

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select, update

from shared.audit.models import AuditLog
from shared.db import unit_of_work
from shared.users.models import User
from tests.policy_versions import policy_restored
from tests.support import Api, Person

POLICIES = "/api/v1/policies"


def _ranked(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every rejection rule ranked in its list order."""
    ranked = copy.deepcopy(document)
    for rank, rule in enumerate(ranked["rejection_rules"], start=1):
        rule["rank"] = rank
    return ranked


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


@pytest.fixture(autouse=True)
def _policy_restored(database: str) -> Iterator[None]:
    with policy_restored():
        yield


@pytest.fixture
def officers(api: Api, staff: dict[str, Person]) -> tuple[dict[str, str], dict[str, str]]:
    return api.login(staff["risk_officer1"]), api.login(staff["risk_officer2"])


def _draft(api: Api, auth: dict[str, str], change: Callable[[dict[str, Any]], None]) -> str:
    draft = _ok(api.http.post(POLICIES, json={}, headers=auth), 201)
    assert draft["status"] == "draft"
    document = _ranked(draft["document"])
    change(document)
    _ok(api.http.put(f"{POLICIES}/{draft['id']}", json={"document": document}, headers=auth))
    return str(draft["id"])


def _refusal(action: str, version_id: str) -> tuple[str, Any]:
    """Who was refused, and why, as the version's one audit entry of `action` says."""
    with unit_of_work() as session:
        entry = session.scalars(
            select(AuditLog).where(AuditLog.action == action, AuditLog.entity_id == version_id)
        ).one()
        return entry.actor, entry.details


def test_a_version_goes_live_under_four_eyes_after_a_simulation(
    api: Api,
    staff: dict[str, Person],
    drain: Callable[[], None],
    officers: tuple[dict[str, str], dict[str, str]],
) -> None:
    author, reviewer = officers
    applicant = api.login(api.register())
    scored = [api.submit(applicant, credit_score=score)["id"] for score in (610, 620, 700, 790)]
    drain()

    def stricter(document: dict[str, Any]) -> None:
        rule = next(r for r in document["rejection_rules"] if r["code"] == "LOW_CREDIT_SCORE")
        rule["value"] = "650"

    version_id = _draft(api, author, stricter)
    # A draft is its author's: the reviewer writing into it, then approving it, would be
    # approving their own rules. Refused and audited; the author's document stands.
    document = _ok(api.http.get(f"{POLICIES}/{version_id}", headers=author))["document"]
    theirs = api.http.put(
        f"{POLICIES}/{version_id}",
        json={"document": {**document, "stage_sla_hours": 1}},
        headers=reviewer,
    )
    assert (theirs.status_code, theirs.json()["error"]["code"]) == (403, "not_draft_author")
    assert _refusal("policy.update_refused", version_id) == (
        staff["risk_officer2"].username,
        {"refused": "not_draft_author"},
    )
    assert _ok(api.http.get(f"{POLICIES}/{version_id}", headers=author))["document"] == document
    proposed = _ok(
        api.http.post(
            f"{POLICIES}/{version_id}/propose",
            json={"reason": "Losses on scores below 650 doubled this quarter."},
            headers=author,
        )
    )
    assert proposed["status"] == "proposed"
    frozen = api.http.put(
        f"{POLICIES}/{version_id}", json={"document": proposed["document"]}, headers=author
    )
    assert (frozen.status_code, frozen.json()["error"]["code"]) == (409, "policy_frozen")

    own = api.http.post(f"{POLICIES}/{version_id}/approve", headers=author)
    assert (own.status_code, own.json()["error"]["code"]) == (403, "four_eyes")
    assert _refusal("policy.approval_refused", version_id) == (
        staff["risk_officer1"].username,
        {"refused": "four_eyes"},
    )

    unsimulated = api.http.post(f"{POLICIES}/{version_id}/approve", headers=reviewer)
    assert (unsimulated.status_code, unsimulated.json()["error"]["code"]) == (
        409,
        "simulation_required",
    )

    result = _ok(
        api.http.post(
            f"{POLICIES}/{version_id}/simulate", json={"requests": 50, "limit": 1}, headers=reviewer
        )
    )
    assert result["requests"] == min(50, result["requests"]) and result["requests"] >= 3
    counts = result["outcomes"]
    assert (
        sum(counts["current"].values()) == sum(counts["candidate"].values()) == result["requests"]
    )
    assert result["auto_decline_rate_change"] > 0  # at least the 610 is now declined
    assert result["changed"] >= 1 and len(result["changes"]) == 1
    changed_ids = {c["request_id"] for c in result["changes"]}
    cursor = result["next_cursor"]
    while cursor:
        page = _ok(
            api.http.get(
                f"{POLICIES}/{version_id}/simulation",
                params={"limit": 1, "cursor": cursor},
                headers=author,
            )
        )
        changed_ids |= {c["request_id"] for c in page["changes"]}
        cursor = page["next_cursor"]
    assert len(changed_ids) == result["changed"]
    assert scored[0] in changed_ids and scored[1] in changed_ids and scored[2] not in changed_ids
    # A second run replaces the first: a cursor of the first is refused, not carried on into
    # the second's changes (one list mixing two runs); the second's own cursor pages it.
    again = _ok(
        api.http.post(
            f"{POLICIES}/{version_id}/simulate", json={"requests": 50, "limit": 1}, headers=reviewer
        )
    )
    assert result["next_cursor"] and again["next_cursor"]
    stale, fresh = (
        api.http.get(
            f"{POLICIES}/{version_id}/simulation",
            params={"limit": 1, "cursor": cursor},
            headers=author,
        )
        for cursor in (result["next_cursor"], again["next_cursor"])
    )
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "simulation_superseded")
    assert fresh.status_code == 200 and fresh.json()["run_at"] == again["run_at"]
    change = next(c for c in result["changes"] + [] if c["request_id"] in changed_ids)
    assert change["candidate"]["outcome"] in ("auto_rejected", "pending_approval")

    approved = _ok(api.http.post(f"{POLICIES}/{version_id}/approve", headers=reviewer))
    assert approved["status"] == "approved"
    assert approved["simulation"]["version"] == approved["version"]
    for active_from in ("2030-01-01T00:00:00", "9999-12-31T23:00:00-14:00"):
        # No time zone; the year 10000 in UTC, which PostgreSQL stores and psycopg cannot read.
        odd = api.http.post(
            f"{POLICIES}/{version_id}/activate", json={"active_from": active_from}, headers=author
        )
        assert odd.status_code == 422, active_from
        assert odd.json()["error"]["code"] == "validation_error"
    active = _ok(api.http.post(f"{POLICIES}/{version_id}/activate", json={}, headers=author))
    assert active["status"] == "active"
    assert (active["proposed_by"], active["approved_by"], active["activated_by"]) == (
        staff["risk_officer1"].username,
        staff["risk_officer2"].username,
        staff["risk_officer1"].username,
    )

    history = _ok(api.http.get(POLICIES, headers=reviewer))["items"]
    assert history[0]["id"] == version_id and history[0]["status"] == "active"
    assert [v["status"] for v in history].count("active") == 1

    # Decided under the new version at once: no restart, no wait.
    declined = api.submit(applicant, credit_score=640)["id"]
    drain()
    detail = api.request(api.login(staff["manager1"]), declined)
    assert (detail["status"], detail["policy_version"]) == ("auto_rejected", active["version"])


def test_an_approver_never_approves_what_they_drafted(
    api: Api, officers: tuple[dict[str, str], dict[str, str]], staff: dict[str, Person]
) -> None:
    author, colleague = officers
    version_id = _draft(api, author, lambda d: None)
    _ok(
        api.http.post(
            f"{POLICIES}/{version_id}/propose",
            json={"reason": "Same rules, ranked explicitly."},
            headers=api.login(staff["admin1"]),
        )
    )
    refused = api.http.post(f"{POLICIES}/{version_id}/approve", headers=author)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "four_eyes")
    assert api.http.post(f"{POLICIES}/{version_id}/approve", headers=colleague).json()["error"][
        "code"
    ] == ("simulation_required")


@pytest.fixture
def no_active_director(database: str) -> Iterator[None]:
    with unit_of_work() as session:
        ids = list(session.scalars(select(User.id).where(User.role == "director", User.is_active)))
        session.execute(update(User).where(User.id.in_(ids)).values(is_active=False))
    yield
    with unit_of_work() as session:
        session.execute(update(User).where(User.id.in_(ids)).values(is_active=True))


def test_an_inconsistent_policy_is_refused_with_each_problem_where_it_is(
    api: Api, officers: tuple[dict[str, str], dict[str, str]], no_active_director: None
) -> None:
    author, _ = officers

    def broken(document: dict[str, Any]) -> None:
        chains = document["approval_chains"]
        chains[1]["above"] = "5000"  # overlaps the first band (up to 10,000)
        chains[2]["max_amount"] = "1000000"  # nothing above a million
        document["rejection_rules"][0]["message"] = "Too long. " * 30
        for rule in document["rejection_rules"]:
            rule.pop("rank")  # five reasons can hold at once; the notice gives four

    version_id = _draft(api, author, broken)
    response = api.http.post(
        f"{POLICIES}/{version_id}/propose",
        json={"reason": "A policy with every kind of problem."},
        headers=author,
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "policy_invalid"
    problems = {(tuple(p["loc"]), p["type"]) for p in error["details"]}
    assert (("document", "approval_chains", 1, "above"), "overlap") in problems
    assert (("document", "approval_chains", 2, "max_amount"), "missing_band") in problems
    assert (("document", "approval_chains", 2, "roles"), "unstaffed") in problems
    assert (("document", "rejection_rules", 0, "message"), "too_long") in problems
    assert (("document", "rejection_rules", 4, "rank"), "unranked") in problems

    shape = api.http.put(
        f"{POLICIES}/{version_id}",
        json={"document": {"max_reasons": 9}},
        headers=author,
    )
    assert shape.status_code == 422
    locs = {tuple(p["loc"]) for p in shape.json()["error"]["details"]}
    assert ("document", "max_reasons") in locs and ("document", "rejection_rules") in locs
