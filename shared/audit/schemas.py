import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.pagination import Cursor, PageSize
from shared.timestamps import UtcDatetime

# The actor label of an unauthenticated attempt (a failed sign-in): no user may be called so,
# or filtering the audit log by actor could not tell them apart.
ANONYMOUS = "anonymous"


class AuditQuery(BaseModel):
    """Which audit entries a page or an export covers."""

    model_config = ConfigDict(extra="forbid")

    actor_id: uuid.UUID | None = None
    actor: str | None = Field(
        default=None,
        max_length=64,
        description='Who acted, as entries show it: a username, "anonymous", "system:<step>".',
    )
    action: str | None = Field(default=None, max_length=64)
    entity_type: str | None = Field(default=None, max_length=32)
    entity_id: str | None = Field(default=None, max_length=64)
    request_id: uuid.UUID | None = Field(
        default=None,
        description="A credit request's whole trail: entries about it and about its stages.",
    )
    at_from: UtcDatetime | None = None
    at_to: UtcDatetime | None = None


class AuditFilters(AuditQuery):
    """Which audit entries, and which page of them (newest first)."""

    limit: PageSize = 50
    cursor: Cursor = None


class AuditEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor: str
    action: str
    entity_type: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    details: dict[str, Any] | None


class ChainBreakOut(BaseModel):
    """The first row where an audit chain stops verifying."""

    model_config = ConfigDict(from_attributes=True)

    id: int | None = Field(description="The audit row (the head's row for a deleted tail).")
    partition: int | None
    seq: int | None
    reason: str = Field(
        description="sequence (a row deleted or inserted), prev_hash, row_hash (a row edited), "
        "chain ends before its head (a tail deleted), unsealed, chain heads"
    )
    expected: str
    found: str


class ChainVerificationOut(BaseModel):
    ok: bool
    rows_checked: int
    chains: int
    broken: ChainBreakOut | None
