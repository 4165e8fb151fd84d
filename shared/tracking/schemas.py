"""What tracking requests shows: the list's filters, the request page with its chain, and
the dashboard's statistics."""

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.approvals.schemas import OfferOut, StageOut
from shared.credit.schemas import CreditRequestOut, Money, ScoreResultOut
from shared.pagination import Cursor, PageSize
from shared.timestamps import UtcDatetime
from shared.workflow.states import RequestStatus, Role, TimedRole

SortKey = Literal["created_at", "-created_at", "amount", "-amount"]
StageRole = TimedRole


class RequestQuery(BaseModel):
    """Which requests a list or an export covers."""

    model_config = ConfigDict(extra="forbid")

    status: list[RequestStatus] = Field(default_factory=list)
    applicant_id: uuid.UUID | None = None
    created_from: UtcDatetime | None = None
    created_to: UtcDatetime | None = None
    amount_min: Money | None = None
    amount_max: Money | None = None
    assigned_to: Literal["me"] | None = None
    # Requests with a stage of this role assigned and decided: those behind a bar of the
    # dashboard's time-to-decision chart.
    stage_role: StageRole | None = None


class RequestFilters(RequestQuery):
    """Which requests, in which order, and which page of them."""

    sort: SortKey = "-created_at"
    limit: PageSize = 20
    cursor: Cursor = None


class CreditRequestDetail(CreditRequestOut):
    stages: list[StageOut]
    score_result: ScoreResultOut | None = Field(description="Null until the request is scored.")
    policy_version: int | None = Field(
        description="The credit policy version that scored (or declined) it; null until "
        "scored, and for requests scored before versions were kept."
    )
    offer: OfferOut | None = Field(
        default=None,
        description="The final approver's counteroffer beside the terms asked for; null when "
        "none was made. The request's own amount and term stay those asked for.",
    )


class StatsFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: list[RequestStatus] = Field(default_factory=list)
    created_from: UtcDatetime | None = None
    created_to: UtcDatetime | None = None  # exclusive, as in the request list
    amount_min: Money | None = None
    amount_max: Money | None = None

    @model_validator(mode="after")
    def ranges_are_ordered(self) -> "StatsFilters":
        if self.created_from and self.created_to and self.created_from >= self.created_to:
            raise ValueError("created_from must be before created_to")
        if (
            self.amount_min is not None
            and self.amount_max is not None
            and self.amount_min > self.amount_max
        ):
            raise ValueError("amount_min must not exceed amount_max")
        return self


class DayVolume(BaseModel):
    day: date  # UTC
    status: RequestStatus
    count: int
    amount: Money


class Outcome(BaseModel):
    status: RequestStatus
    count: int
    amount: Money


class StageTiming(BaseModel):
    """Time from a stage's assignment to its decision, over the stages decided."""

    role: Role
    decided: int
    # A chain may hold one role twice, so this can be below `decided`: it is the length of
    # the request list filtered by `stage_role` (the drill-down).
    requests: int
    average_seconds: float
    median_seconds: float


class FunnelStep(BaseModel):
    step: str
    label: str
    count: int
    statuses: list[RequestStatus]  # the request list filter that shows this step's requests


class StatsOut(BaseModel):
    total: int
    amount: Money
    volume: list[DayVolume]
    outcomes: list[Outcome]
    time_to_decision: list[StageTiming]
    funnel: list[FunnelStep]
