"""Stages follow the people who hold them: deactivating an approver, or changing their role
to one that cannot decide a stage, moves their pending stages to another approver in the same
transaction — new assignee emailed, old link dead, everything audited."""

from collections.abc import Callable

from sqlalchemy import select

from shared.audit.models import AuditLog
from shared.db import unit_of_work
from tests.conftest import Mailbox
from tests.support import Api, Person, link_token, new_analyst


def _stage_of(api: Api, admin: dict[str, str], request_id: str) -> dict:
    """The first stage as the admin reads it: the applicant's view names no usernames."""
    return dict(api.request(admin, request_id)["stages"][0])


def test_deactivating_an_approver_moves_their_stages_at_once(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    admin = api.login(staff["admin1"])
    # Work earlier tests left in the queues would go to the new analyst, who has the fewest
    # stages: routed first, to the staff there are now.
    drain()
    with new_analyst(api, admin) as leaver:
        _deactivate_and_follow(api, staff, drain, mailbox, admin, leaver)


def _deactivate_and_follow(
    api: Api,
    staff: dict[str, Person],
    drain: Callable[[], None],
    mailbox: Mailbox,
    admin: dict[str, str],
    leaver: Person,
) -> None:
    auth = api.login(api.register())
    ids = [api.submit(auth, amount="4000.00")["id"] for _ in range(2)]
    drain()
    held = [i for i in ids if _stage_of(api, admin, i)["assignee"] == leaver.username]
    assert held, "the new analyst should have been given at least one stage"
    old_links = {
        i: link_token(next(m for m in mailbox.to(leaver.email) if i[:8] in m["Subject"]))
        for i in held
    }

    preview = api.http.get(
        f"/api/v1/users/{leaver.id}", params={"is_active": "false"}, headers=admin
    )
    assert preview.status_code == 200
    assert preview.json()["pending_stages"] == preview.json()["stages_to_move"] == len(held)
    promoted = api.http.get(f"/api/v1/users/{leaver.id}", params={"role": "manager"}, headers=admin)
    assert promoted.json()["stages_to_move"] == 0  # a manager may still decide them

    off = api.http.patch(f"/api/v1/users/{leaver.id}", json={"is_active": False}, headers=admin)
    assert off.status_code == 200
    # Same transaction: no queue has run, yet every stage already has its new assignee.
    for request_id in held:
        stage = _stage_of(api, admin, request_id)
        assert stage["status"] == "pending"
        assert stage["assignee"] not in (None, leaver.username)
        dead = api.http.get(f"/api/v1/approval-links/{old_links[request_id]}")
        assert (dead.status_code, dead.json()["error"]["code"]) == (409, "link_not_current")
    assert api.http.get(f"/api/v1/users/{leaver.id}", headers=admin).json()["pending_stages"] == 0

    drain()  # the new assignees' emails
    for request_id in held:
        new_assignee = next(
            p for p in staff.values() if p.username == _stage_of(api, admin, request_id)["assignee"]
        )
        email = next(m for m in mailbox.to(new_assignee.email) if request_id[:8] in m["Subject"])
        link = api.http.get(f"/api/v1/approval-links/{link_token(email)}")
        assert link.status_code == 200
    with unit_of_work() as session:
        released = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "stage.released", AuditLog.actor == staff["admin1"].username
            )
        ).all()
    moved = [r for r in released if r.before == {"assignee_id": str(leaver.id)}]
    assert len(moved) == len(held)
    assert all(r.details and r.details["reason"] == "deactivated" for r in moved)


def test_a_role_change_moves_only_the_stages_the_new_role_cannot_decide(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    admin = api.login(staff["admin1"])
    drain()  # earlier tests' work routed first (see above)
    with new_analyst(api, admin) as person:
        _promote_then_demote(api, drain, admin, person)


def _promote_then_demote(
    api: Api, drain: Callable[[], None], admin: dict[str, str], person: Person
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth, amount="4000.00")["id"]
    drain()
    assert _stage_of(api, admin, request_id)["assignee"] == person.username
    # Promoted: a manager may still decide an analyst's stage, so it stays.
    up = api.http.patch(f"/api/v1/users/{person.id}", json={"role": "manager"}, headers=admin)
    assert up.status_code == 200
    assert _stage_of(api, admin, request_id)["assignee"] == person.username
    # Made an applicant: it moves.
    down = api.http.patch(f"/api/v1/users/{person.id}", json={"role": "applicant"}, headers=admin)
    assert down.status_code == 200
    assert _stage_of(api, admin, request_id)["assignee"] not in (None, person.username)
