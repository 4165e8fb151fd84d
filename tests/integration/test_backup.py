"""Nightly backup to S3 with its checksum, and a restore that gives back the same data."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.engine import make_url

from functions.nightly_backup.handler import handler as backup_handler
from infra.local.lambda_events import LambdaContext, scheduled_event
from shared import aws
from shared.backup.service import BackupError, bucket_name, restore
from shared.db import unit_of_work
from tests.support import Api

TABLES = ("users", "credit_requests", "approval_stages", "approval_links", "audit_logs", "policies")


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {t: int(conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in TABLES}
    engine.dispose()
    return counts


@pytest.fixture
def restore_target() -> Iterator[str]:
    source = make_url(os.environ["DATABASE_URL"])
    target = source.set(database=f"{source.database}_restore")
    yield target.render_as_string(hide_password=False)
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def test_backup_restores_with_the_same_row_counts(api: Api, restore_target: str) -> None:
    auth = api.login(api.register())
    api.submit(auth)
    source_counts = _counts(os.environ["DATABASE_URL"])
    assert source_counts["credit_requests"] >= 1

    result = backup_handler(scheduled_event("nightly-backup"), LambdaContext("nightly_backup"))

    head = aws.client("s3").head_object(Bucket=bucket_name(), Key=result["key"])
    assert head["Metadata"]["sha256"] == result["sha256"]
    assert head["ContentLength"] == result["size_bytes"]
    with unit_of_work() as session:
        recorded = session.execute(
            text("SELECT sha256 FROM backups WHERE key = :k"), {"k": result["key"]}
        ).scalar_one()
    assert recorded == result["sha256"]

    # The command `make restore BACKUP=<key> TARGET_DATABASE_URL=<url>` runs.
    subprocess.run(
        [sys.executable, "-m", "shared.backup.restore", result["key"], "--target", restore_target],
        check=True,
        env=os.environ.copy(),
    )
    assert _counts(restore_target) == source_counts


def test_a_tampered_backup_is_refused(restore_target: str) -> None:
    result = backup_handler(scheduled_event("nightly-backup"), LambdaContext("nightly_backup"))
    s3 = aws.client("s3")
    head = s3.head_object(Bucket=bucket_name(), Key=result["key"])
    s3.put_object(
        Bucket=bucket_name(),
        Key=result["key"],
        Body=b"not a dump",
        Metadata=head["Metadata"],
    )
    with pytest.raises(BackupError, match="checksum mismatch"):
        restore(result["key"], restore_target)


def test_a_new_version_of_a_backup_with_its_own_checksum_is_refused(restore_target: str) -> None:
    """The bucket is versioned, so whoever may write to it can put a new version of a dump,
    with metadata that matches it: the checksum a restore expects is the backups table's,
    recorded when the backup was made."""
    import hashlib

    result = backup_handler(scheduled_event("nightly-backup"), LambdaContext("nightly_backup"))
    forged = b"PGDMP a rewritten database"
    aws.client("s3").put_object(
        Bucket=bucket_name(),
        Key=result["key"],
        Body=forged,
        Metadata={"sha256": hashlib.sha256(forged).hexdigest()},
    )
    with pytest.raises(BackupError, match="checksum mismatch"):
        restore(result["key"], restore_target)


def test_a_backup_without_its_chain_heads_is_restored_only_when_asked_to(
    restore_target: str,
) -> None:
    """Heads deleted (or emptied) beside a dump would let a rewritten audit trail through:
    refused before the target is touched, unless the operator says the backup predates
    stored heads."""
    from shared.backup.models import BackupRecord
    from shared.backup.service import chain_heads_key

    result = backup_handler(scheduled_event("nightly-backup"), LambdaContext("nightly_backup"))
    assert restore(result["key"], restore_target).ok
    engine = create_engine(restore_target)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE kept_by_refusals (id int)"))
    s3 = aws.client("s3")
    heads_key = chain_heads_key(result["key"])
    kept = s3.get_object(Bucket=bucket_name(), Key=heads_key)["Body"].read()
    s3.delete_object(Bucket=bucket_name(), Key=heads_key)
    with pytest.raises(BackupError, match="not the ones the backups table recorded"):
        restore(result["key"], restore_target)
    # Where the database that made it is gone too, only the operator's word restores it.
    with unit_of_work() as session:
        session.execute(delete(BackupRecord).where(BackupRecord.key == result["key"]))
    with pytest.raises(BackupError, match="no chain heads stored"):
        restore(result["key"], restore_target)
    s3.put_object(Bucket=bucket_name(), Key=heads_key, Body=b"[]")
    with pytest.raises(BackupError, match="do not name every chain"):
        restore(result["key"], restore_target)
    with engine.connect() as conn:  # none of the refusals touched the target
        assert conn.scalar(text("SELECT to_regclass('kept_by_refusals')")) is not None
    engine.dispose()
    # Heads of another chain, with no backups row to compare: the restored chains say so.
    forged = [{**h, "hash": "f" * 64} if h["seq"] else h for h in json.loads(kept)]
    s3.put_object(Bucket=bucket_name(), Key=heads_key, Body=json.dumps(forged).encode())
    with pytest.raises(BackupError, match="head differs from the backup's"):
        restore(result["key"], restore_target)
    s3.delete_object(Bucket=bucket_name(), Key=heads_key)
    assert restore(result["key"], restore_target, unanchored=True).ok
    s3.put_object(Bucket=bucket_name(), Key=heads_key, Body=kept)
    assert restore(result["key"], restore_target).ok


def test_pg_bin_dir_chooses_the_postgres_tools(
    restore_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PG_BIN_DIR is where the backup takes pg_dump/pg_restore from (the embedded server of
    `make local` needs its own); tools missing there fail clearly and store nothing."""
    from shared.backup.models import BackupRecord
    from shared.config import get_settings

    def backups() -> int:
        with unit_of_work() as session:
            return int(session.scalar(select(func.count()).select_from(BackupRecord)) or 0)

    def invoke() -> dict[str, str]:
        return dict(
            backup_handler(scheduled_event("nightly-backup"), LambdaContext("nightly_backup"))
        )

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PG_BIN_DIR", str(empty))
    get_settings.cache_clear()
    stored = backups()
    try:
        with pytest.raises(BackupError, match="pg_dump not found"):
            invoke()
        assert backups() == stored

        tools = tmp_path / "tools"
        tools.mkdir()
        for name in ("pg_dump", "pg_restore"):
            found = shutil.which(name)
            assert found, f"{name} is not installed"
            (tools / name).symlink_to(found)
        monkeypatch.setenv("PG_BIN_DIR", str(tools))
        get_settings.cache_clear()
        restore(invoke()["key"], restore_target)
        assert backups() == stored + 1
        assert _counts(restore_target)["users"] > 0
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_backup_anchors_the_audit_chains_and_the_restore_checks_them(
    api: Api, restore_target: str
) -> None:
    from shared.audit.chain import heads
    from shared.backup.service import check_restored, stored_chain_heads

    api.login(api.register())
    result = backup_handler(scheduled_event("nightly-backup"), LambdaContext("nightly_backup"))
    stored = stored_chain_heads(result["key"])
    assert stored is not None and any(h.seq > 0 for h in stored)
    with unit_of_work() as session:
        recorded = session.execute(
            text("SELECT chain_heads FROM backups WHERE key = :k"), {"k": result["key"]}
        ).scalar_one()
    assert recorded == [h.as_json() for h in stored]

    # The restore verifies the chains up to the stored heads (the backup's own audit entry,
    # written after the dump, is not in it).
    assert restore(result["key"], restore_target).ok
    engine = create_engine(restore_target)
    with engine.connect() as conn:
        assert heads(conn) == stored
    # Heads that are not the backup's (another chain, or a rewritten one) are refused.
    from shared.backup.service import chain_heads_key

    forged = [{**h.as_json(), "hash": "f" * 64} if h.seq else h.as_json() for h in stored]
    s3 = aws.client("s3")
    s3.put_object(
        Bucket=bucket_name(), Key=chain_heads_key(result["key"]), Body=json.dumps(forged).encode()
    )
    with pytest.raises(BackupError, match="not the ones the backups table recorded"):
        check_restored(result["key"], restore_target)
    s3.put_object(
        Bucket=bucket_name(),
        Key=chain_heads_key(result["key"]),
        Body=json.dumps([h.as_json() for h in stored]).encode(),
    )
    assert check_restored(result["key"], restore_target).ok
    # A restored row edited afterwards no longer verifies, and the check names it.
    with engine.begin() as conn:
        edited = conn.execute(
            text(
                "UPDATE audit_logs SET action = 'forged' WHERE id = (SELECT max(id) FROM"
                " audit_logs) RETURNING id"
            )
        ).scalar_one()
    engine.dispose()
    with pytest.raises(BackupError, match=f"row {edited} "):
        check_restored(result["key"], restore_target)
