"""The restore drill (`make drill`) end to end on a small loaded database: backup, restore into
a fresh database, counts and checksums equal, an RTO measured; and a tampered restore caught."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from infra.local.drill import check


def _drop(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def databases(database: str) -> Iterator[tuple[str, str]]:
    """A migrated source database of its own (the drill loads data into it), and the name of
    the database the drill restores into."""
    from alembic import command
    from alembic.config import Config

    from infra.local.stack import ensure_database

    server = make_url(database)
    source = server.set(database=f"{server.database}_drillsrc").render_as_string(
        hide_password=False
    )
    target = server.set(database=f"{server.database}_drilltgt").render_as_string(
        hide_password=False
    )
    ensure_database(source)
    config = Config("alembic.ini")
    config.attributes["configure_logger"] = False
    config.attributes["database_url"] = source
    command.upgrade(config, "head")
    yield source, target
    _drop(source)
    _drop(target)


def test_the_drill_restores_what_was_backed_up_and_catches_a_tampered_restore(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    report_file = tmp_path / "drill.json"
    drill = [sys.executable, "-m", "infra.local.drill", "--requests", "200", "--target", target]
    completed = subprocess.run(
        [*drill, "--report", str(report_file)],
        env={**os.environ, "DATABASE_URL": source},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "RTO" in completed.stdout
    report = json.loads(report_file.read_text())
    assert report["ok"] is True and report["problems"] == []
    assert report["rows"]["credit_requests"] == 200
    assert report["rows"]["approval_stages"] >= 200
    assert report["rows"]["audit_logs"] > report["rows"]["credit_requests"]
    assert report["rto_seconds"] >= report["restore_seconds"] > 0
    expected = {table: (count, total) for table, (count, total) in report["expected"].items()}

    # The first read signed in, so the restore has one more session than the backup.
    assert check(report["backup"], target, expected) == ["refresh_tokens: 1 rows, the source had 0"]

    engine = create_engine(target)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE credit_requests SET amount = amount + 1"
                " WHERE id = (SELECT id FROM credit_requests LIMIT 1)"
            )
        )
        conn.execute(text("DELETE FROM refresh_tokens"))
        edited = conn.execute(
            text(
                "UPDATE audit_logs SET actor = 'forged'"
                " WHERE id = (SELECT min(id) FROM audit_logs) RETURNING id"
            )
        ).scalar_one()
        conn.execute(
            text(
                "DELETE FROM approval_stages"
                " WHERE id = (SELECT id FROM approval_stages ORDER BY id LIMIT 1)"
            )
        )
    engine.dispose()
    # The /stats running totals follow the rows edited above (their triggers), so they differ
    # from the source too; the drill compares them like any table, this test the edited ones.
    totals = ("request_day_totals:", "stage_role_totals:", "stage_timing_buckets:")
    problems = [p for p in check(report["backup"], target, expected) if not p.startswith(totals)]
    stages = report["rows"]["approval_stages"]
    assert problems[:3] == [
        f"approval_stages: {stages - 1} rows, the source had {stages}",
        "audit_logs: same {} rows, different content (checksum)".format(
            report["rows"]["audit_logs"]
        ),
        "credit_requests: same 200 rows, different content (checksum)",
    ]
    assert problems[3].startswith(f"restored audit chain does not verify: row {edited} ")
    assert len(problems) == 4
