"""`make drill [REQUESTS=100000]`: a timed restore drill.

1. Optionally loads `--requests N` credit requests first (infra/local/load_data.py).
2. Backs up with the nightly backup's own code, taking every table's row count and checksum
   in the dump's own snapshot.
3. Restores into a fresh database with `make restore`'s code (the SHA-256 of the dump and the
   audit chains against the heads stored with it are checked there).
4. Compares each table's row count and checksum with the source's (exit 1 on any
   difference).
5. Starts the API on the restored database, in a new process as a cold function would, and
   signs in and lists credit requests: RTO is the time from the restore's start to that
   first successful read (the comparison of step 4 not counted).
"""

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

import shared.models  # noqa: F401  (every mapped table: the backup writes audit rows)
from infra.local.load_data import DRILL_PASSWORD, DRILL_USER, ensure_staff, load
from shared.backup.service import BackupError, check_restored, restore, run_backup
from shared.config import get_settings

logger = logging.getLogger(__name__)

# Order-independent, so neither the scan order nor the physical layout of a restore matters;
# md5 of each row's text (timestamps in UTC), 60 bits of it summed exactly as numeric.
CHECKSUM = (
    "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)"
    " FROM {table} AS t"
)
TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
FIRST_READ_TIMEOUT = 120.0

Checksums = dict[str, tuple[int, str]]


def checksums(conn: Connection) -> Checksums:
    """Every table's row count and checksum, as this connection's transaction sees them."""
    conn.execute(text("SET LOCAL TimeZone = 'UTC'"))
    found: Checksums = {}
    for table in conn.execute(text(TABLES)).scalars():
        count, total = conn.execute(text(CHECKSUM.format(table=f'"{table}"'))).one()
        found[table] = (int(count), str(total))
    return found


def database_checksums(url: str) -> Checksums:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                return checksums(conn)
    finally:
        engine.dispose()


def differences(expected: Checksums, found: Checksums) -> list[str]:
    """What the restore does not have as the source had it, table by table."""
    problems = []
    for table in sorted(expected.keys() | found.keys()):
        want, got = expected.get(table), found.get(table)
        if want is None or got is None:
            problems.append(f"{table}: {'missing' if got is None else 'not in the source'}")
        elif want[0] != got[0]:
            problems.append(f"{table}: {got[0]} rows, the source had {want[0]}")
        elif want[1] != got[1]:
            problems.append(f"{table}: same {got[0]} rows, different content (checksum)")
    return problems


def check(key: str, target_url: str, expected: Checksums) -> list[str]:
    """Everything a drill checks on a restored database: checksums and audit chains."""
    problems = differences(expected, database_checksums(target_url))
    try:
        check_restored(key, target_url)
    except BackupError as broken:
        problems.append(str(broken))
    return problems


def _fresh(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def first_read() -> None:
    """In a process whose DATABASE_URL is the restored database: sign in and list credit
    requests through the gateway app, retrying until it answers."""
    from fastapi.testclient import TestClient

    from infra.local.gateway import app

    deadline = time.monotonic() + FIRST_READ_TIMEOUT
    with TestClient(app, raise_server_exceptions=False) as http:
        while True:
            login = http.post(
                "/api/v1/token", data={"username": DRILL_USER, "password": DRILL_PASSWORD}
            )
            if login.status_code == 200:
                token = login.json()["access_token"]
                listed = http.get(
                    "/api/v1/credit-requests?limit=1",
                    headers={"Authorization": f"Bearer {token}"},
                )
                if listed.status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise SystemExit(f"no successful read: {login.status_code} {login.text[:200]}")
            time.sleep(0.2)


@dataclass
class Report:
    backup: str
    backup_seconds: float
    restore_seconds: float
    rto_seconds: float
    rows: dict[str, int]
    problems: list[str] = field(default_factory=list)
    expected: Checksums = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def drill(target_url: str, requests: int = 0) -> Report:
    source_url = get_settings().database_url
    if requests:
        load(source_url, requests)
    ensure_staff(source_url)
    expected: Checksums = {}

    def take(conn: Connection) -> None:
        expected.update(checksums(conn))

    started = time.monotonic()
    backup = run_backup(take)
    backed_up = time.monotonic()
    logger.info("backed up %s in %.1f s", backup.key, backed_up - started)

    _fresh(target_url)
    restore_started = time.monotonic()
    restore(backup.key, target_url)
    restored = time.monotonic()
    logger.info("restored and audit chains verified in %.1f s", restored - restore_started)
    # Compared before the first read, which signs in (and so writes a session); not counted
    # in the RTO: traffic need not wait for it.
    problems = check(backup.key, target_url, expected)
    read_started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "infra.local.drill", "--first-read"],
        env={**os.environ, "DATABASE_URL": target_url},
        check=True,
    )
    read = time.monotonic()
    return Report(
        backup=backup.key,
        backup_seconds=round(backed_up - started, 2),
        restore_seconds=round(restored - restore_started, 2),
        rto_seconds=round((restored - restore_started) + (read - read_started), 2),
        rows={table: count for table, (count, _) in expected.items()},
        problems=problems,
        expected=expected,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=0, help="load this many first")
    parser.add_argument(
        "--target", help="database to restore into (default: the configured one + _drill)"
    )
    parser.add_argument("--report", help="also write the report as JSON to this file")
    parser.add_argument("--first-read", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_read:
        first_read()
        return
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    configured = make_url(get_settings().database_url)
    target = args.target or configured.set(
        database=f"{configured.database}_drill"
    ).render_as_string(hide_password=False)
    report = drill(target, args.requests)
    if args.report:
        with open(args.report, "w") as out:
            json.dump({**asdict(report), "ok": report.ok}, out, indent=2)
    width = max(len(t) for t in report.rows)
    lines = [f"  {table:<{width}}  {count:>10}" for table, count in report.rows.items()]
    sys.stdout.write(
        "\n".join(
            [
                f"backup   {report.backup} ({report.backup_seconds} s)",
                f"restore  {report.restore_seconds} s (dump checksum and audit chains checked)",
                f"RTO      {report.rto_seconds} s (restore start to the first successful API read)",
                "rows, all matching the source's checksums" if report.ok else "rows",
                *lines,
                *(f"MISMATCH {p}" for p in report.problems),
            ]
        )
        + "\n"
    )
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
