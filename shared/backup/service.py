"""Nightly backup and restore: `pg_dump` custom format, stored in S3 with its SHA-256.

The checksum is recorded twice — in the `backups` table and as the object's metadata — and
verified before any restore, so a corrupted or swapped file is refused, not restored.

The audit chains' heads, read in the dump's own snapshot, are stored beside the dump
(`<key>.chain-heads.json`) and in the `backups` row: a restore must verify and end exactly on
them.
"""

import hashlib
import json
import logging
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

# The audit row a backup writes points at users (audit_logs.actor_id): the ORM can write it
# only where the users table is mapped, and nothing else this step imports maps it.
import shared.users.models  # noqa: F401
from shared import aws
from shared.audit.chain import PARTITIONS, Head, Verification, heads, verify_database
from shared.audit.service import Actor, record
from shared.backup.models import BackupRecord
from shared.clock import utcnow
from shared.config import get_settings
from shared.db import get_engine, unit_of_work

logger = logging.getLogger(__name__)
BACKUP_BUCKET = "backups"
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupResult:
    key: str
    sha256: str
    size_bytes: int
    chain_heads: list[Head]


def libpq_url(sqlalchemy_url: str) -> str:
    """pg_dump and pg_restore take a libpq URL, without SQLAlchemy's `+driver` suffix."""
    return (
        make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


def bucket_name() -> str:
    """This deployment's backup bucket."""
    return f"{get_settings().resource_prefix}-{BACKUP_BUCKET}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _run(command: list[str]) -> None:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as missing:
        raise BackupError(f"{command[0]} not found: install it or set PG_BIN_DIR") from missing
    if completed.returncode != 0:
        # stderr of pg tools names objects, never row data; the URL is not echoed by them.
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()[:2000]}")


def _pg_tool(name: str) -> str:
    bin_dir = get_settings().pg_bin_dir
    return str(Path(bin_dir) / name) if bin_dir else name


def chain_heads_key(key: str) -> str:
    """Where the chain heads of the backup at `key` are stored, beside it."""
    return f"{key}.chain-heads.json"


def run_backup(in_snapshot: Callable[[Connection], None] | None = None) -> BackupResult:
    """Dump the database, upload it with its checksum and chain heads, and record it
    (audited). `in_snapshot` runs in the dump's own snapshot (a restore drill takes the
    checksums the restore must match there)."""
    settings = get_settings()
    now = utcnow()
    key = f"postgres/{now:%Y/%m/%d}/credit-{now:%Y%m%dT%H%M%S.%fZ}.dump"
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "credit.dump"
        # pg_dump reads the snapshot this transaction exports, so the heads read here are
        # exactly the dump's, even while audit rows keep being written.
        with get_engine().connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                chain = heads(conn)
                if in_snapshot is not None:
                    in_snapshot(conn)
                _run(
                    [
                        _pg_tool("pg_dump"),
                        "--format=custom",
                        "--no-owner",
                        f"--snapshot={snapshot}",
                        f"--file={dump}",
                        libpq_url(settings.database_url),
                    ]
                )
        sha256 = _sha256(dump)
        size = dump.stat().st_size
        s3 = aws.client("s3")
        s3.upload_file(
            str(dump),
            bucket_name(),
            key,
            ExtraArgs={"Metadata": {"sha256": sha256}, "ServerSideEncryption": "AES256"},
        )
        s3.put_object(
            Bucket=bucket_name(),
            Key=chain_heads_key(key),
            Body=json.dumps([h.as_json() for h in chain]).encode(),
            ContentType="application/json",
            ServerSideEncryption="AES256",
        )
    heads_json = [h.as_json() for h in chain]
    with unit_of_work() as session:
        session.add(BackupRecord(key=key, sha256=sha256, size_bytes=size, chain_heads=heads_json))
        record(
            session,
            Actor.system("nightly_backup"),
            "backup.created",
            "backup",
            key,
            after={"sha256": sha256, "size_bytes": size},
        )
    logger.info("backup stored", extra={"key": key, "size_bytes": size})
    return BackupResult(key, sha256, size, chain)


def stored_chain_heads(key: str) -> list[Head] | None:
    """The chain heads stored with a backup; None for a backup made before they were."""
    s3 = aws.client("s3")
    try:
        body = s3.get_object(Bucket=bucket_name(), Key=chain_heads_key(key))["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    return [Head.from_json(h) for h in json.loads(body)]


def _recorded(key: str) -> BackupRecord | None:
    """The backups table's row for `key`, where the database that made it still answers:
    what the backup was when it was made, which a new version of its S3 objects cannot
    change. None when that database is gone (a disaster) or never recorded it."""
    try:
        with unit_of_work() as session:
            row = session.scalars(select(BackupRecord).where(BackupRecord.key == key)).first()
            if row is not None:
                session.expunge(row)
            return row
    except SQLAlchemyError:
        logger.warning("the backups table cannot be read: trusting what S3 stores for %s", key)
        return None


def restore(key: str, target_database_url: str, *, unanchored: bool = False) -> Verification:
    """Download a backup, check its SHA-256 (the backups table's where it can be read, else
    the object's own) and its chain heads, restore it into the target database (created if
    it does not exist; objects it already holds are replaced) in one transaction, then verify
    the restored audit chains end exactly on those heads. A refused backup never touches the
    target. `unanchored`: a backup made before heads were stored, its chains checked alone."""
    s3 = aws.client("s3")
    recorded = _recorded(key)
    # Everything a restore could be refused for, before it touches the target.
    anchors = _anchors(key, recorded, unanchored=unanchored)
    stored = s3.head_object(Bucket=bucket_name(), Key=key)["Metadata"].get("sha256")
    expected = recorded.sha256 if recorded is not None else stored
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "restore.dump"
        s3.download_file(bucket_name(), key, str(dump))
        actual = _sha256(dump)
        if expected is None or actual != expected:
            raise BackupError(f"checksum mismatch for {key}: expected {expected}, got {actual}")
        _ensure_database(target_database_url)
        # One transaction: a restore that fails part way leaves the target as it was.
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={libpq_url(target_database_url)}",
                str(dump),
            ]
        )
    return _verified(target_database_url, anchors)


def _anchors(key: str, recorded: BackupRecord | None, *, unanchored: bool) -> list[Head] | None:
    """The heads a restore of `key` must end on: those stored beside it in S3, which must be
    the backups table's where it can be read, and name every chain. Refused when there are
    none, unless `unanchored` (checked alone, a warning)."""
    stored = stored_chain_heads(key)
    if (
        recorded is not None
        and recorded.chain_heads is not None
        and (stored is None or [h.as_json() for h in stored] != recorded.chain_heads)
    ):
        raise BackupError(
            f"the chain heads stored beside {key} are not the ones the backups table"
            " recorded when it was made"
        )
    if stored is None:
        if not unanchored:
            raise BackupError(
                f"no chain heads stored with {key}: a restore could not tell a rewritten"
                " audit trail (restore it unanchored only if it predates stored heads)"
            )
        logger.warning("no chain heads stored with %s: checking the chains alone", key)
        return None
    if sorted(h.partition for h in stored) != list(range(PARTITIONS)):
        raise BackupError(f"the chain heads stored with {key} do not name every chain")
    return stored


def check_restored(key: str, target_database_url: str, *, unanchored: bool = False) -> Verification:
    """The restored database's audit chains verify and end on the backup's stored heads."""
    return _verified(target_database_url, _anchors(key, _recorded(key), unanchored=unanchored))


def _verified(target_database_url: str, anchors: list[Head] | None) -> Verification:
    engine = create_engine(target_database_url)
    try:
        result = verify_database(engine, anchors, exact=True)
    finally:
        engine.dispose()
    if result.broken is not None:
        b = result.broken
        raise BackupError(
            f"restored audit chain does not verify: row {b.id} (chain {b.partition}, seq {b.seq})"
            f" {b.reason}: expected {b.expected}, found {b.found}"
        )
    return result


def _ensure_database(database_url: str) -> None:
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
            )
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        admin.dispose()
