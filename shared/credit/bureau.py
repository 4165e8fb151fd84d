"""The credit bureau adapter. The workflow asks a `CreditBureau` for a report and never
knows which bureau answered; a real bureau's adapter replaces `DeclaredDataBureau` by
configuration (`CREDIT_BUREAU`) without touching the scoring step."""

from typing import ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.config import get_settings
from shared.credit.models import CreditRequest


class BureauReport(BaseModel):
    """What a bureau says about an applicant; validated, as any outside answer must be."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    credit_score: int = Field(ge=300, le=850)
    delinquencies_24m: int = Field(ge=0, le=100)
    bankruptcies_7y: int = Field(ge=0, le=20)


SCORE_RANGE = (300, 850)
"""The lowest and highest score the bureau gives (the notice states the range, FCRA 615(a))."""


class BureauContact(BaseModel):
    """Who the bureau is and how the applicant reaches it: the adverse action notice names it
    (FCRA 615(a)), so it comes from the adapter in use, never from a template."""

    model_config = ConfigDict(frozen=True)

    name: str
    address: str
    phone: str
    website: str


class CreditBureau(Protocol):
    contact: ClassVar[BureauContact]

    def fetch_report(self, request: CreditRequest) -> BureauReport: ...


class DeclaredDataBureau:
    """Local stand-in: reports what the applicant declared in the request. Its contact is
    plainly fictional (the .example domain, a 555 number) but complete, as a real one must be."""

    contact: ClassVar[BureauContact] = BureauContact(
        name="Declared Data Credit Bureau (fictional stand-in)",
        address="100 Example Street, Suite 200, Springfield, ST 00000",
        phone="1-800-555-0100",
        website="https://bureau.example",
    )

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


def bureau_contact() -> BureauContact:
    """The contact of the bureau CREDIT_BUREAU names."""
    return _BUREAUS[get_settings().credit_bureau].contact


def get_bureau() -> CreditBureau:
    """The credit bureau CREDIT_BUREAU names."""
    return _BUREAUS[get_settings().credit_bureau]()
