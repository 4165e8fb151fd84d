"""The credit bureau adapter. The workflow asks a `CreditBureau` for a report and never
knows which bureau answered; a real bureau's adapter replaces `DeclaredDataBureau` by
configuration (`CREDIT_BUREAU`) without touching the scoring step."""

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.config import get_settings
from shared.credit.models import CreditRequest


class BureauReport(BaseModel):
    """What a bureau says about an applicant; validated, as any outside answer must be."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    credit_score: int = Field(ge=300, le=850)
    delinquencies_24m: int = Field(ge=0, le=100)
    bankruptcies_7y: int = Field(ge=0, le=20)


class CreditBureau(Protocol):
    def fetch_report(self, request: CreditRequest) -> BureauReport: ...


class DeclaredDataBureau:
    """Local stand-in: reports what the applicant declared in the request."""

    def fetch_report(self, request: CreditRequest) -> BureauReport:
        # Scoring runs long before retention could remove the figures.
        assert request.credit_score is not None, "no bureau data: the request was anonymised"
        assert request.delinquencies_24m is not None and request.bankruptcies_7y is not None
        return BureauReport(
            credit_score=request.credit_score,
            delinquencies_24m=request.delinquencies_24m,
            bankruptcies_7y=request.bankruptcies_7y,
        )


_BUREAUS: dict[str, type[CreditBureau]] = {"declared": DeclaredDataBureau}


def get_bureau() -> CreditBureau:
    """The credit bureau CREDIT_BUREAU names."""
    return _BUREAUS[get_settings().credit_bureau]()
