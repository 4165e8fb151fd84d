"""Nightly backup and restore: `pg_dump` custom format, stored in S3 with its SHA-256.

The checksum is recorded twice — in the `backups` table and as the object's metadata — and
verified before any restore, so a corrupted or swapped file is refused, not restored.
"""

import hashlib
import logging
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared import aws
from shared.audit.service import Actor, record
from shared.backup.models import BackupRecord
from shared.clock import utcnow
from shared.config import get_settings
from shared.db import unit_of_work

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


def run_backup() -> BackupResult:
    """Dump the database, upload it with its checksum, and record it (audited)."""
    settings = get_settings()
    now = utcnow()
    key = f"postgres/{now:%Y/%m/%d}/credit-{now:%Y%m%dT%H%M%S.%fZ}.dump"
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "credit.dump"
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={dump}",
                libpq_url(settings.database_url),
            ]
        )
        sha256 = _sha256(dump)
        size = dump.stat().st_size
        aws.client("s3").upload_file(
            str(dump),
            bucket_name(),
            key,
            ExtraArgs={"Metadata": {"sha256": sha256}, "ServerSideEncryption": "AES256"},
        )
    with unit_of_work() as session:
        session.add(BackupRecord(key=key, sha256=sha256, size_bytes=size))
        record(
            session,
            Actor.system("nightly_backup"),
            "backup.created",
            "backup",
            key,
            after={"sha256": sha256, "size_bytes": size},
        )
    logger.info("backup stored", extra={"key": key, "size_bytes": size})
    return BackupResult(key, sha256, size)


def restore(key: str, target_database_url: str) -> None:
    """Download a backup, check its SHA-256, and restore it into the target database
    (created if it does not exist; objects it already holds are replaced)."""
    s3 = aws.client("s3")
    expected = s3.head_object(Bucket=bucket_name(), Key=key)["Metadata"].get("sha256")
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "restore.dump"
        s3.download_file(bucket_name(), key, str(dump))
        actual = _sha256(dump)
        if expected is None or actual != expected:
            raise BackupError(f"checksum mismatch for {key}: expected {expected}, got {actual}")
        _ensure_database(target_database_url)
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                f"--dbname={libpq_url(target_database_url)}",
                str(dump),
            ]
        )


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
