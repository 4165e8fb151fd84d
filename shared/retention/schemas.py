import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class RetentionRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(
        default=True,
        description="Count what is due and change nothing (the default); false anonymises.",
    )


class RetentionCounts(BaseModel):
    requests: int = Field(description="Requests whose personal data was (or would be) removed.")
    applicants: int = Field(description="Applicant accounts anonymised (or that would be).")
    audit_rows: int = Field(description="Audit rows whose username was (or would be) redacted.")
    remaining: int = Field(description="Requests still due after this run (the next run's).")


class RetentionRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    started_at: datetime
    cutoff: datetime = Field(description="Requests decided before this were due.")
    dry_run: bool
    actor: str
    counts: RetentionCounts
