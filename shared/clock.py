"""The one source of "now": timezone-aware UTC, replaceable in tests."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)
