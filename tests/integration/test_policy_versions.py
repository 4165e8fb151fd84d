"""Policy versions in the database: one active at any moment, frozen once proposed; every
score and stage records the version that made it; every cache follows an activation, and a
scheduled one takes over at its time, with no restart."""

import copy
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from shared import clock
from shared.credit import policy
from shared.credit.models import Policy
from shared.db import unit_of_work
from shared.workflow.states import PolicyStatus
from tests.policy_versions import activate, active_document, active_version, policy_restored
from tests.support import Api, Person


def _new_version(status: PolicyStatus, **fields: Any) -> Policy:
    with unit_of_work() as session:
        latest = max(session.scalars(select(Policy.version)))
        row = Policy(
            name=policy.POLICY_NAME,
            version=latest + 1,
            status=status.value,
            document=active_document(),
            **fields,
        )
        session.add(row)
    return row


@pytest.fixture(autouse=True)
def _policy_restored(database: str) -> Iterator[None]:
    with policy_restored():
        yield


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """The clock the policy cache and promotion read; tests move it forward."""
    moment = [clock.utcnow()]
    monkeypatch.setattr(clock, "utcnow", lambda: moment[0])
    policy._policy_cache().clear()
    yield moment
    policy._policy_cache().clear()


def test_the_database_keeps_one_active_version(database: str) -> None:
    with pytest.raises(IntegrityError, match="uq_policies_one_active"):
        _new_version(PolicyStatus.ACTIVE)


def test_a_proposed_version_is_frozen_and_never_deleted(database: str) -> None:
    row = _new_version(PolicyStatus.PROPOSED, reason="tighter")
    with pytest.raises(DBAPIError, match="immutable"), unit_of_work() as session:
        stored = session.get(Policy, row.id)
        assert stored is not None
        stored.document = {**stored.document, "max_reasons": 2}
    with pytest.raises(DBAPIError, match="cannot be deleted"), unit_of_work() as session:
        stored = session.get(Policy, row.id)
        session.delete(stored)
    with unit_of_work() as session:  # its life cycle still moves
        stored = session.get(Policy, row.id)
        assert stored is not None
        stored.status = PolicyStatus.APPROVED.value


def test_scores_and_stages_record_their_version_and_the_page_shows_it(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    document = copy.deepcopy(active_document())
    version = activate(document)
    auth = api.login(api.register())
    approved_id = api.submit(auth)["id"]
    declined_id = api.submit(auth, monthly_income="0.00")["id"]

    drain()

    staff_auth = api.login(staff["manager1"])
    approved = api.request(staff_auth, approved_id)
    assert approved["policy_version"] == version
    assert approved["score_result"]["policy_version"] == version
    assert [s["policy_version"] for s in approved["stages"]] == [version] * len(approved["stages"])
    declined = api.request(auth, declined_id)
    assert (declined["status"], declined["policy_version"]) == ("auto_rejected", version)


def test_a_warm_process_follows_an_activation_elsewhere_within_a_second(
    database: str, now: list[datetime]
) -> None:
    with unit_of_work() as session:
        before = policy.active(session).version
    stale = dict(policy._policy_cache())
    document = {**active_document(), "stage_sla_hours": 24}
    with unit_of_work() as session:
        row = Policy(
            name=policy.POLICY_NAME,
            version=before + 1,
            status=PolicyStatus.APPROVED.value,
            document=document,
        )
        session.add(row)
        session.flush()
        policy.switch_active(session, row, clock.utcnow())
    # As if another process had activated it: this one keeps its entry, and only the policy
    # scope's version in Redis tells it.
    policy._policy_cache().update(stale)

    now[0] += timedelta(seconds=0.5)
    with unit_of_work() as session:
        assert policy.active(session).version == before
    now[0] += timedelta(seconds=1)
    with unit_of_work() as session:
        followed = policy.active(session)
    assert (followed.version, followed.policy.stage_sla_hours) == (before + 1, 24)


def test_a_scheduled_version_takes_over_at_its_time(database: str, now: list[datetime]) -> None:
    current = active_version()
    with unit_of_work() as session:
        assert policy.active(session).version == current
    scheduled = _new_version(PolicyStatus.APPROVED, active_from=now[0] + timedelta(hours=1))

    now[0] += timedelta(minutes=59)
    with unit_of_work() as session:
        assert policy.active(session).version == current
    now[0] += timedelta(minutes=2)
    with unit_of_work() as session:
        assert policy.active(session).version == scheduled.version

    with unit_of_work() as session:
        states = dict(
            session.execute(
                select(Policy.version, Policy.status).where(
                    Policy.version.in_([current, scheduled.version])
                )
            ).all()
        )
    assert states == {current: "retired", scheduled.version: "active"}
