"""The canonical content an audit row's hash covers: deterministic, and every field counts.
(tests/integration/test_audit_chain.py checks the database seals the very same text.)"""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest

from shared.audit.chain import GENESIS, canonical, row_hash


def _row(**changes: Any) -> SimpleNamespace:
    fields: dict[str, Any] = {
        "id": 7,
        "at": datetime(2026, 12, 2, 9, 30, 5, 120, tzinfo=UTC),
        "actor_id": uuid.UUID("00000000-0000-4000-8000-000000000001"),
        "actor": "ana",
        "action": "stage.approved",
        "entity_type": "stage",
        "entity_id": 'a "b"\n',
        "before": None,
        "after": '{"status": "approved"}',  # PostgreSQL's text of the JSONB value
        "details": None,
        "chain_partition": 3,
        "chain_seq": 12,
    }
    return SimpleNamespace(**{**fields, **changes})


def test_the_canonical_text_is_sorted_compact_json_in_utc() -> None:
    assert canonical(_row()) == (
        '{"action":"stage.approved","actor":"ana",'
        '"actor_id":"00000000-0000-4000-8000-000000000001",'
        '"after":{"status": "approved"},"at":"2026-12-02T09:30:05.000120Z","before":null,'
        '"chain_partition":3,"chain_seq":12,"details":null,"entity_id":"a \\"b\\"\\n",'
        '"entity_type":"stage","id":7}'
    )


def test_the_same_instant_in_another_zone_is_the_same_text() -> None:
    elsewhere = datetime(2026, 12, 2, 6, 30, 5, 120, tzinfo=timezone(timedelta(hours=-3)))
    assert canonical(_row(at=elsewhere)) == canonical(_row())


@pytest.mark.parametrize(
    "change",
    [
        {"id": 8},
        {"at": datetime(2026, 12, 2, 9, 30, 5, 121, tzinfo=UTC)},
        {"actor_id": None},
        {"actor": "bob"},
        {"action": "stage.rejected"},
        {"entity_type": "credit_request"},
        {"entity_id": None},
        {"before": '{"status": "pending"}'},
        {"after": '{"status": "rejected"}'},
        {"details": "{}"},
        {"chain_partition": 4},
        {"chain_seq": 13},
    ],
)
def test_every_field_changes_the_hash(change: dict[str, Any]) -> None:
    assert row_hash(GENESIS, _row(**change)) != row_hash(GENESIS, _row())


def test_the_hash_links_to_the_previous_one() -> None:
    assert row_hash(GENESIS, _row()) != row_hash("1" * 64, _row())
