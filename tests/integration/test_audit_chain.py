"""The tamper-evident audit log: hash chains sealed at commit, verified end to end, and an
application role that cannot rewrite them."""

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError, ProgrammingError

from shared.audit.chain import PARTITIONS, REDACTION_ACTION, heads, row_hash, verify_database
from shared.audit.models import AuditLog
from shared.audit.service import Actor, record
from shared.audit.verify import main as verify_cli
from shared.db import get_engine, unit_of_work
from tests.support import Api, Person

COLUMNS = (
    "id, at, actor_id, actor, action, entity_type, entity_id, before, after, details,"
    " chain_partition, chain_seq, prev_hash, row_hash"
)


@pytest.fixture(scope="module")
def superuser() -> Iterator[Engine]:
    """The database's owner, as someone with direct database access would connect."""
    engine = create_engine(os.environ["DATABASE_URL"])
    yield engine
    engine.dispose()


def _row(superuser: Engine, where: str) -> dict[str, Any]:
    with superuser.connect() as conn:
        return dict(
            conn.execute(text(f"SELECT {COLUMNS} FROM audit_logs {where} LIMIT 1")).mappings().one()
        )


def _put_back(superuser: Engine, row: dict[str, Any]) -> None:
    """Re-insert a deleted row exactly as it was, without sealing it again."""
    with superuser.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            text(
                f"INSERT INTO audit_logs ({COLUMNS}) VALUES (:id, :at, :actor_id, :actor, :action,"
                " :entity_type, :entity_id, CAST(:before AS jsonb), CAST(:after AS jsonb),"
                " CAST(:details AS jsonb), :chain_partition, :chain_seq, :prev_hash, :row_hash)"
            ),
            {**row, **{k: _json(row[k]) for k in ("before", "after", "details")}},
        )


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def test_every_row_is_chained_and_verifies(api: Api) -> None:
    api.login(api.register())
    # What the database and Python must serialize alike: quotes, escapes, control
    # characters, non-ASCII text, nested JSON, numbers, and NULLs.
    with unit_of_work() as session:
        record(
            session,
            Actor.system("test"),
            "test.canonical",
            "test",
            'ïd "quoted" \\ back\nslash\t\x01',
            before=None,
            after={"amount": "1250.50", "n": 3, "f": 1.5, "nested": {"z": [1, "é"], "a": None}},
            details={"ключ": "значение", "": "", "emoji": "💳", "ctl": "\x1f\u2028"},
        )
    result = verify_database(get_engine())
    assert result.ok, result.broken
    assert result.rows_checked >= 2
    assert len(result.heads) == PARTITIONS
    with unit_of_work() as session:
        unsealed = session.scalar(text("SELECT count(*) FROM audit_logs WHERE row_hash IS NULL"))
    assert unsealed == 0


def test_concurrent_writers_keep_every_chain_intact() -> None:
    def write(n: int) -> None:
        for i in range(10):
            with unit_of_work() as session:
                for j in range(3):
                    record(session, Actor.system("test"), "test.concurrent", "test", f"{n}-{i}-{j}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = verify_database(get_engine())
    assert result.ok, result.broken
    with unit_of_work() as session:
        used = session.scalar(
            text(
                "SELECT count(DISTINCT chain_partition) FROM audit_logs"
                " WHERE action = 'test.concurrent'"
            )
        )
    assert used is not None and used > 1


def test_an_edited_row_breaks_the_chain_at_that_row(superuser: Engine) -> None:
    target = _row(superuser, "WHERE action = 'test.canonical' ORDER BY id")
    with superuser.begin() as conn:
        conn.execute(
            text("UPDATE audit_logs SET actor = 'someone-else' WHERE id = :id"),
            {"id": target["id"]},
        )
    try:
        result = verify_database(get_engine())
        assert result.broken is not None
        assert (result.broken.id, result.broken.partition) == (
            target["id"],
            target["chain_partition"],
        )
        assert result.broken.reason == "row_hash"
        assert result.broken.found == target["row_hash"]
        assert verify_cli([]) == 1
    finally:
        with superuser.begin() as conn:
            conn.execute(
                text("UPDATE audit_logs SET actor = :actor WHERE id = :id"),
                {"actor": target["actor"], "id": target["id"]},
            )
    assert verify_database(get_engine()).ok
    assert verify_cli([]) == 0


def test_a_deleted_row_breaks_the_chain(superuser: Engine) -> None:
    # A row in the middle of a chain: the row after it no longer follows.
    after = _row(superuser, "WHERE chain_seq > 1 ORDER BY chain_partition, chain_seq")
    chain, seq = after["chain_partition"], after["chain_seq"] - 1
    gone = _row(superuser, f"WHERE chain_partition = {chain} AND chain_seq = {seq}")
    with superuser.begin() as conn:
        conn.execute(text("DELETE FROM audit_logs WHERE id = :id"), {"id": gone["id"]})
    try:
        result = verify_database(get_engine())
        assert result.broken is not None
        assert (result.broken.id, result.broken.partition) == (
            after["id"],
            after["chain_partition"],
        )
        assert result.broken.reason == "sequence"
    finally:
        _put_back(superuser, gone)
    assert verify_database(get_engine()).ok

    # The newest row of a chain: the chain now ends before its head.
    with superuser.connect() as conn:
        partition, last_id = conn.execute(
            text(
                "SELECT chain_partition, last_id FROM audit_chain_heads WHERE last_seq > 0 LIMIT 1"
            )
        ).one()
    tail = _row(superuser, f"WHERE id = {int(last_id)}")
    with superuser.begin() as conn:
        conn.execute(text("DELETE FROM audit_logs WHERE id = :id"), {"id": last_id})
    try:
        result = verify_database(get_engine())
        assert result.broken is not None
        assert (result.broken.id, result.broken.partition) == (last_id, partition)
        assert result.broken.reason == "chain ends before its head"
    finally:
        _put_back(superuser, tail)
    assert verify_database(get_engine()).ok


def test_the_application_role_cannot_rewrite_audit_rows() -> None:
    with unit_of_work() as session:
        record(session, Actor.system("test"), "test.immutable", "test", "x")
    for statement in (
        update(AuditLog).where(AuditLog.action == "test.immutable").values(actor="forged"),
        delete(AuditLog).where(AuditLog.action == "test.immutable"),
    ):
        with pytest.raises(ProgrammingError, match="permission denied"), unit_of_work() as s:
            s.execute(statement)
    with pytest.raises(ProgrammingError, match="permission denied"), unit_of_work() as s:
        s.execute(text("UPDATE audit_chain_heads SET last_seq = 0"))
    # Nor through the sealing trigger's own function, which runs as its owner: called with a
    # row of the caller's making, it would rehash the real row of that id.
    with pytest.raises(ProgrammingError, match="permission denied"), unit_of_work() as s:
        s.execute(
            text(
                "SELECT audit_chain_append(a) FROM audit_logs a"
                " WHERE a.action = 'test.immutable' LIMIT 1"
            )
        )
    with unit_of_work() as session:
        assert session.scalar(text("SELECT current_user")) == "credit_app"
        # Sealing a new row still works: the trigger calls it as the owner.
        record(session, Actor.system("test"), "test.sealed_after_revoke", "test", "y")


@pytest.mark.parametrize("head", ["own partition's head", "another row"])
def test_a_forged_chain_head_setting_neither_forks_nor_moves_a_chain(head: str) -> None:
    """The setting that carries a transaction's chain head from row to row is one any session
    may set: naming a head, a sequence number and a previous hash before the first row must
    not seal that row onto a chain that does not exist, nor move a head without its lock."""
    with unit_of_work() as session:
        xid = session.scalar(text("SELECT pg_current_xact_id()::text"))
        assert xid is not None
        partition = int(xid) % PARTITIONS
        ctid = (
            session.scalar(
                text("SELECT ctid::text FROM audit_chain_heads WHERE chain_partition = :p"),
                {"p": partition},
            )
            if head == "own partition's head"
            else "(0,1)"
        )
        forged = f"{xid}|{partition}|999999|{'f' * 64}|{ctid}"
        session.execute(text("SELECT set_config('audit_chain.head', :v, true)"), {"v": forged})
        record(session, Actor.system("test"), "test.forged_head", "test", head)
    result = verify_database(get_engine())
    assert result.ok, result.broken
    with unit_of_work() as session:
        sealed = session.execute(
            select(AuditLog.chain_partition, AuditLog.chain_seq, AuditLog.prev_hash).where(
                AuditLog.action == "test.forged_head", AuditLog.entity_id == head
            )
        ).one()
    assert sealed.chain_partition == partition
    assert sealed.chain_seq != 1_000_000 and sealed.prev_hash != "f" * 64


def test_the_application_role_can_neither_record_a_redaction_nor_redact_more_than_personal_data(
    api: Api,
) -> None:
    """The chain's walk accepts a redacted row against its `audit.redacted` entry: were the
    application's role able to write one, or to blank any value, it could make the walk
    accept an edit. The database writes those entries itself, and redacts personal keys
    only (a decision's status or reasons stay as sealed)."""
    with pytest.raises(DBAPIError, match="audit_redact_rows only"), unit_of_work() as s:
        record(s, Actor.system("test"), REDACTION_ACTION, "audit_log", None, details={"rows": []})
    person = api.register("redaction-guard")
    with unit_of_work() as session:
        row = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "user.registered", AuditLog.entity_id == str(person.id)
            )
        ).one()
        assert row.after is not None and row.after["role"] == "applicant"
        session.execute(
            text("SELECT audit_redact_rows(ARRAY[:id]::bigint[], ARRAY['role'], false, 'x')"),
            {"id": row.id},
        )
    with unit_of_work() as session:
        kept = session.get(AuditLog, row.id)
        assert kept is not None and kept.after == row.after  # "role" is not personal data
    assert verify_database(get_engine()).ok


def test_admins_read_the_verification(api: Api, staff: dict[str, Person]) -> None:
    admin = api.login(staff["admin1"])
    response = api.http.get("/api/v1/audit-logs/verification", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True and body["broken"] is None
    assert body["chains"] == PARTITIONS and body["rows_checked"] > 0

    applicant = api.login(api.register())
    assert api.http.get("/api/v1/audit-logs/verification", headers=applicant).status_code == 403


def test_a_rewritten_and_rehashed_chain_is_caught_by_a_backups_heads(
    superuser: Engine, tmp_path: Path
) -> None:
    """Whoever can also recompute the hashes (a superuser) leaves a chain that verifies on
    its own; the heads a backup stored no longer lie on it."""
    with unit_of_work() as session:
        record(session, Actor.system("test"), "test.rewritten", "test", "x")
    with superuser.connect() as conn:
        stored = heads(conn)
    backup_heads = tmp_path / "chain-heads.json"
    backup_heads.write_text(json.dumps([h.as_json() for h in stored]))

    target = _row(superuser, "WHERE action = 'test.rewritten'")
    forged = SimpleNamespace(**{**target, "actor": "someone-else"})
    for column in ("before", "after", "details"):  # as the walk reads them: JSONB's text
        setattr(forged, column, None)
    rehashed = row_hash(target["prev_hash"], forged)
    with superuser.begin() as conn:
        conn.execute(
            text("UPDATE audit_logs SET actor = 'someone-else', row_hash = :h WHERE id = :id"),
            {"h": rehashed, "id": target["id"]},
        )
        conn.execute(
            text("UPDATE audit_chain_heads SET last_hash = :h WHERE last_id = :id"),
            {"h": rehashed, "id": target["id"]},
        )
    try:
        assert verify_database(get_engine()).ok  # consistent on its own
        result = verify_database(get_engine(), stored)
        assert result.broken is not None
        assert (result.broken.id, result.broken.reason) == (
            target["id"],
            "differs from the backup's head",
        )
        assert verify_cli(["--backup-heads", str(backup_heads)]) == 1
    finally:
        with superuser.begin() as conn:
            conn.execute(
                text("UPDATE audit_logs SET actor = :a, row_hash = :h WHERE id = :id"),
                {"a": target["actor"], "h": target["row_hash"], "id": target["id"]},
            )
            conn.execute(
                text("UPDATE audit_chain_heads SET last_hash = :h WHERE last_id = :id"),
                {"h": target["row_hash"], "id": target["id"]},
            )
    assert verify_cli(["--backup-heads", str(backup_heads)]) == 0
