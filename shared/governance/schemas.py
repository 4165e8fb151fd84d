"""What the policy routes take and show: versions, their life cycle, and simulations."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.pagination import Cursor, PageSize
from shared.timestamps import AwareUtcDatetime
from shared.workflow.states import PolicyStatus, RequestStatus, RiskTier

DEFAULT_SIMULATION_SIZE = 1000
MAX_SIMULATION_SIZE = 10_000


class PolicyDraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: dict[str, Any] | None = Field(
        default=None,
        description="The policy document (see GET /policies/{id}); omitted on creation, a "
        "copy of the active version's.",
    )


class PolicyDocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: dict[str, Any]


class ProposalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=10, max_length=2000, description="Why this change: kept with the version."
    )


class ActivationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active_from: AwareUtcDatetime | None = Field(
        default=None,
        description="When it takes over (timezone-aware); omitted or past: at once.",
    )


class SimulationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requests: int = Field(
        default=DEFAULT_SIMULATION_SIZE,
        ge=1,
        le=MAX_SIMULATION_SIZE,
        description="How many of the most recently scored requests to replay.",
    )
    limit: PageSize = 20


class ChangesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: PageSize = 20
    cursor: Cursor = None


class Verdict(BaseModel):
    """What one policy decides for one request: the outcome, the tier, the chain."""

    outcome: RequestStatus
    risk_tier: RiskTier | None
    chain: list[str]
    reasons: list[str]  # the reason codes of a decline


class ChangedRequest(BaseModel):
    request_id: uuid.UUID
    created_at: datetime
    amount: str
    current: Verdict
    candidate: Verdict


class Rates(BaseModel):
    approval_rate: float = Field(description="Share sent on to human approval.")
    auto_decline_rate: float = Field(description="Share declined automatically.")


class SimulationSummary(BaseModel):
    """The candidate replayed beside the active version on the same stored inputs."""

    version: int
    against_version: int = Field(description="The active version it was compared with.")
    requests: int = Field(description="How many scored requests were replayed.")
    run_at: datetime
    run_by: str
    document_sha256: str = Field(description="Exactly the document that was simulated.")
    outcomes: dict[str, dict[str, int]] = Field(
        description="{'current'|'candidate': {outcome: count}}"
    )
    current: Rates
    candidate: Rates
    approval_rate_change: float
    auto_decline_rate_change: float
    tier_shifts: dict[str, dict[str, int]] = Field(
        description="{current tier: {candidate tier: count}}; 'declined' for no tier."
    )
    chain_lengths: dict[str, dict[str, int]] = Field(
        description="{'current'|'candidate': {length: count}} over the requests referred."
    )
    changed: int = Field(description="How many requests' outcome, tier or chain changes.")


class SimulationOut(SimulationSummary):
    changes: list[ChangedRequest]
    next_cursor: str | None


class PolicyVersionOut(BaseModel):
    id: uuid.UUID
    version: int
    status: PolicyStatus
    scheduled: bool = Field(description="Approved, with a future `active_from`.")
    reason: str | None
    created_by: str | None
    created_at: datetime
    proposed_by: str | None
    proposed_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    activated_by: str | None
    activated_at: datetime | None
    active_from: datetime | None
    retired_at: datetime | None


class PolicyVersionDetail(PolicyVersionOut):
    document: dict[str, Any]
    simulation: SimulationSummary | None = Field(
        description="The latest simulation of exactly this document; approval needs one."
    )
