"""Building an adverse action notice, without a database: the reasons per action (at most
four, the catalogue's sentences), the score block (value, range, key factors, date), the
bureau block from the adapter, and what the email and the API show of a stored notice."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy.orm import Session

from shared.credit.bureau import SCORE_RANGE, BureauContact, DeclaredDataBureau
from shared.credit.models import CreditRequest
from shared.credit.policy import DEFAULT_DECLINE_REASONS, DEFAULT_POLICY, CreditPolicy
from shared.notifications import adverse_action
from shared.notifications.notice_models import AdverseActionNotice
from shared.workflow.states import ADVERSE_ACTION_STATES, RequestStatus

POLICY = CreditPolicy.model_validate(DEFAULT_POLICY)
CATALOGUE = {r["code"]: r["message"] for r in DEFAULT_DECLINE_REASONS}
SCORED_AT = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
NO_SESSION = cast(Session, None)  # reasons_for reads no table until offers exist


def _request(status: RequestStatus, reasons: list[dict[str, str]] | None = None) -> CreditRequest:
    return CreditRequest(
        id=uuid.uuid4(),
        applicant_id=uuid.uuid4(),
        status=status.value,
        monthly_income=Decimal("4000.00"),
        created_at=datetime(2026, 11, 20, 10, 29, tzinfo=UTC),
        decision_reasons=reasons or [],
        score_result={
            "installment": "250.00",
            "debt_to_income": "0.5125",
            "bureau_report": {"credit_score": 540, "delinquencies_24m": 4, "bankruptcies_7y": 0},
            "policy_version": 1,
            "scored_at": SCORED_AT.isoformat(),
        },
    )


def test_the_four_actions_each_have_a_heading_and_a_statement() -> None:
    assert set(adverse_action.ACTIONS) == {s.value for s in ADVERSE_ACTION_STATES}
    assert set(adverse_action.HEADINGS) == {s.value for s in ADVERSE_ACTION_STATES}


def test_an_automatic_decline_gives_the_score_steps_ranked_reasons_at_most_four() -> None:
    reasons = [{"code": f"R{i}", "message": f"Reason {i}."} for i in range(6)]
    request = _request(RequestStatus.AUTO_REJECTED, reasons)
    assert adverse_action.reasons_for(NO_SESSION, request, POLICY) == reasons[:4]


def test_a_human_rejection_gives_the_catalogue_reasons_the_approver_chose() -> None:
    chosen = [{"code": "BANKRUPTCY", "message": CATALOGUE["BANKRUPTCY"]}]
    request = _request(RequestStatus.REJECTED, chosen)
    assert adverse_action.reasons_for(NO_SESSION, request, POLICY) == chosen


def test_an_incomplete_close_takes_its_reason_from_the_catalogue() -> None:
    """(An unaccepted counteroffer quotes the offer's own reasons: tests/integration.)"""
    reasons = adverse_action.reasons_for(NO_SESSION, _request(RequestStatus.INCOMPLETE), POLICY)
    code = "INCOMPLETE_APPLICATION"
    assert reasons == [{"code": code, "message": CATALOGUE[code]}]


def test_catalogue_mapping_keeps_order_drops_unknown_codes_and_caps_at_four() -> None:
    codes = ["BANKRUPTCY", "NOT_A_CODE", *list(CATALOGUE)[:5]]
    mapped = adverse_action.from_catalogue(POLICY, codes)
    assert len(mapped) == 4
    assert mapped[0] == {"code": "BANKRUPTCY", "message": CATALOGUE["BANKRUPTCY"]}
    assert all(r["message"] == CATALOGUE[r["code"]] for r in mapped)


def test_the_score_block_has_the_value_range_date_and_the_reasons_metrics_as_factors() -> None:
    request = _request(
        RequestStatus.AUTO_REJECTED,
        [
            {"code": "HIGH_DEBT_TO_INCOME", "message": "..."},
            {"code": "LOW_CREDIT_SCORE", "message": "..."},
        ],
    )
    facts = adverse_action.scored(request)
    assert facts is not None
    block = adverse_action.score_block(request.decision_reasons, facts, POLICY)
    assert block is not None
    assert block["value"] == 540
    assert block["range"] == list(SCORE_RANGE) == [300, 850]
    assert block["date"] == SCORED_AT.isoformat()
    assert block["factors"] == [
        "Debt payments, the new one included, of 51.25% of income.",  # the first reason's metric
        "A credit score of 540, in the range 300 to 850.",
        "4 late payment(s) in the last 24 months.",  # the bureau's adverse record after
    ]
    assert len(block["factors"]) <= 4


def test_a_catalogue_reason_names_its_metric_and_clean_records_are_no_factor() -> None:
    request = _request(RequestStatus.REJECTED)
    request.score_result["bureau_report"]["delinquencies_24m"] = 0  # type: ignore[index]
    facts = adverse_action.scored(request)
    assert facts is not None
    factors = adverse_action.key_factors(
        [{"code": "BANKRUPTCY", "message": ""}, {"code": "INCOME_INSUFFICIENT", "message": ""}],
        facts,
        POLICY,
    )
    # No bankruptcy or late payment on record: only the income and the score remain.
    assert factors == [
        "The income declared, compared with the amount asked for.",
        "A credit score of 540, in the range 300 to 850.",
    ]


def test_no_score_used_means_no_score_block_and_an_undated_score_takes_the_filing_time() -> None:
    request = _request(RequestStatus.INCOMPLETE)
    request.score_result = None
    assert adverse_action.scored(request) is None
    assert adverse_action.score_block([], None, POLICY) is None
    older = _request(RequestStatus.REJECTED)
    del older.score_result["scored_at"]  # type: ignore[union-attr]
    facts = adverse_action.scored(older)
    assert facts is not None and facts.scored_at == older.created_at


def test_the_local_bureau_has_a_complete_plainly_fictional_contact() -> None:
    contact = DeclaredDataBureau.contact
    assert isinstance(contact, BureauContact)
    assert all(contact.model_dump().values())
    assert "fictional" in contact.name
    assert contact.website.endswith(".example") and "555" in contact.phone


def test_the_statements_carry_the_rights_and_the_ecoa_notice() -> None:
    statements = adverse_action.STATEMENTS
    assert "60 days" in statements["free_report"]
    assert "dispute" in statements["dispute"]
    assert "played no part in our decision" in statements["bureau_did_not_decide"]
    assert "Equal Credit Opportunity Act" in statements["ecoa"]
    assert "Consumer Financial Protection Bureau, 1700 G Street NW" in statements["ecoa"]


def test_the_email_and_the_api_show_the_stored_notice() -> None:
    notice = AdverseActionNotice(
        id=uuid.uuid4(),
        request_id=uuid.uuid4(),
        applicant_id=uuid.uuid4(),
        action="rejected",
        reasons=[{"code": "BANKRUPTCY", "message": CATALOGUE["BANKRUPTCY"]}],
        score={"value": 600, "range": [300, 850], "factors": ["f"], "date": SCORED_AT.isoformat()},
        bureau=DeclaredDataBureau.contact.model_dump(),
        comment="Seen.",
        created_at=SCORED_AT,
        sent_at=None,
    )
    context = adverse_action.email_context(notice)
    assert context["reasons"] == [CATALOGUE["BANKRUPTCY"]]  # sentences, never codes
    assert context["score"]["date"] == SCORED_AT
    assert context["heading"] == "Your credit request was declined"
    out = adverse_action.to_out(notice)
    assert (out.score.range_low, out.score.range_high) == (300, 850)  # type: ignore[union-attr]
    assert out.bureau.name == DeclaredDataBureau.contact.name
    assert out.statements.ecoa == adverse_action.ECOA_NOTICE
    assert out.comment == "Seen."


def test_a_ratio_a_hair_over_the_limit_is_a_factor_over_it_as_in_the_reason() -> None:
    """A key factor shows the ratio as the decline's reason does: 45.004% above a 45%
    maximum, never rounded onto the limit it was declined for exceeding."""
    request = _request(
        RequestStatus.AUTO_REJECTED, [{"code": "HIGH_DEBT_TO_INCOME", "message": "..."}]
    )
    request.score_result["debt_to_income"] = "0.45004"  # type: ignore[index]
    facts = adverse_action.scored(request)
    assert facts is not None
    block = adverse_action.score_block(request.decision_reasons, facts, POLICY)
    assert block is not None
    assert block["factors"][0] == "Debt payments, the new one included, of 45.004% of income."
