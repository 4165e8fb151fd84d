"""Test shortcuts around the policy's life cycle: read the active document, or put a new
version in force directly (the governed path, with four eyes, is tested through the API)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select

from shared import clock
from shared.credit import policy
from shared.credit.models import Policy
from shared.db import unit_of_work
from shared.workflow.states import PolicyStatus


def active_document() -> dict[str, Any]:
    with unit_of_work() as session:
        row = session.scalars(
            select(Policy).where(
                Policy.name == policy.POLICY_NAME, Policy.status == PolicyStatus.ACTIVE
            )
        ).one()
        return dict(row.document)


def active_version() -> int:
    with unit_of_work() as session:
        return policy.active(session).version


def activate(document: dict[str, Any]) -> int:
    """Put `document` in force as a new version at once; its version number."""
    with unit_of_work() as session:
        latest = session.scalar(
            select(func.max(Policy.version)).where(Policy.name == policy.POLICY_NAME)
        )
        version = Policy(
            name=policy.POLICY_NAME,
            version=(latest or 0) + 1,
            status=PolicyStatus.APPROVED.value,
            document=document,
            reason="set by a test",
        )
        session.add(version)
        session.flush()
        policy.switch_active(session, version, clock.utcnow())
        number = version.version
    policy._policy_cache().clear()
    return number


@contextmanager
def policy_restored() -> Iterator[None]:
    """Whatever a test activates, the document in force before it is back afterwards (as a
    newer version), so later tests score by the usual rules."""
    before, document = active_version(), active_document()
    yield
    if active_version() != before:
        activate(document)
