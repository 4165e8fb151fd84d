"""The delegation rules that need no database: the window, who may be a delegate, and no
chains or overlaps (shared/approvals/delegation.py)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.approvals.delegation import Window, chain_refusal, delegate_refusal, window_refusal
from shared.workflow.states import BUILTIN_LADDER

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
DAY = timedelta(days=1)
A, B, C, D = (uuid.uuid4() for _ in range(4))


def _code(refusal: object) -> str | None:
    return getattr(refusal, "code", None)


@pytest.mark.parametrize(
    ("starts", "ends", "code"),
    [
        (NOW + DAY, NOW + 2 * DAY, None),
        (NOW - DAY, NOW + DAY, None),  # begun already: starts at once
        (NOW + 2 * DAY, NOW + DAY, "invalid_window"),
        (NOW + DAY, NOW + DAY, "invalid_window"),
        (NOW - 2 * DAY, NOW - DAY, "window_in_past"),
        (NOW, NOW + 90 * DAY, None),
        (NOW, NOW + 90 * DAY + timedelta(seconds=1), "window_too_long"),
    ],
)
def test_window(starts: datetime, ends: datetime, code: str | None) -> None:
    refusal = window_refusal(starts, ends, NOW)
    assert _code(refusal) == code
    if refusal is not None:
        assert refusal.status_code == 422


@pytest.mark.parametrize(
    ("user_role", "delegate_role", "active", "code"),
    [
        ("analyst", "analyst", True, None),
        ("analyst", "manager", True, None),
        ("analyst", "admin", True, None),
        ("manager", "analyst", True, "delegate_role_too_low"),
        ("director", "manager", True, "delegate_role_too_low"),
        ("admin", "director", True, "delegate_role_too_low"),
        ("admin", "admin", True, None),
        ("analyst", "applicant", True, "delegate_role_too_low"),
        ("analyst", "risk_officer", True, "delegate_role_too_low"),
        ("analyst", "manager", False, "delegate_inactive"),
    ],
)
def test_delegate_role(user_role: str, delegate_role: str, active: bool, code: str | None) -> None:
    refusal = delegate_refusal(user_role, delegate_role, active, BUILTIN_LADDER)
    assert _code(refusal) == code
    if refusal is not None:
        assert refusal.status_code == 409


def test_a_policy_level_counts_on_its_ladder() -> None:
    ladder = ("analyst", "credit_committee", "manager", "director")
    assert delegate_refusal("credit_committee", "manager", True, ladder) is None
    assert _code(delegate_refusal("credit_committee", "analyst", True, ladder)) == (
        "delegate_role_too_low"
    )


def _w(user: uuid.UUID, delegate: uuid.UUID, start: int, end: int) -> Window:
    return Window(user, delegate, NOW + start * DAY, NOW + end * DAY)


@pytest.mark.parametrize(
    ("new", "code"),
    [
        (_w(B, A, 2, 3), "delegate_absent"),  # A→B then B→A: a loop
        (_w(C, A, 2, 3), "delegate_absent"),  # nobody may hand stages to someone away
        (_w(B, C, 2, 3), "user_is_delegate"),  # A→B→C: B covers A, so B stays
        (_w(A, C, 2, 3), "overlapping_absence"),
        (_w(A, B, 0, 2), "overlapping_absence"),
        (_w(B, A, 5, 6), None),  # after A is back: fine
        (_w(B, C, 4, 6), None),  # touching windows do not overlap
        (_w(C, D, 2, 3), None),  # unrelated people
        (_w(C, B, 2, 3), None),  # two people may share a delegate
    ],
)
def test_no_chains_and_no_overlaps(new: Window, code: str | None) -> None:
    existing = [_w(A, B, 1, 4)]
    assert _code(chain_refusal(new, existing)) == code
