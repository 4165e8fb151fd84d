"""The checks a policy must pass before it is proposed, beyond its schema: amount bands per
tier, reason wording the notice can hold, a ranking when more reasons can hold than it shows."""

import copy
from decimal import Decimal
from typing import Any

import pytest

from shared.approvals.chain import approval_chain
from shared.credit.bureau import BureauReport
from shared.credit.policy import DEFAULT_POLICY, CreditPolicy
from shared.credit.scoring import Application, evaluate
from shared.errors import InvalidInput
from shared.governance import checks
from shared.workflow.states import RiskTier, Role


def _policy(change: Any = None) -> CreditPolicy:
    document = copy.deepcopy(DEFAULT_POLICY)
    if change:
        change(document)
    return CreditPolicy.model_validate(document)


def _kinds(problems: list[dict[str, Any]]) -> set[tuple[tuple[Any, ...], str]]:
    return {(tuple(p["loc"]), p["type"]) for p in problems}


def test_the_default_bands_cover_every_amount_once() -> None:
    assert checks._band_problems(_policy()) == []


def test_a_gap_an_overlap_an_empty_band_and_an_unbounded_end_are_found() -> None:
    def change(document: dict[str, Any]) -> None:
        document["approval_chains"] = [
            {"max_amount": "10000", "roles": ["analyst"]},
            {"above": "20000", "max_amount": "100000", "roles": ["manager"]},  # gap
            {"above": "50000", "max_amount": "40000", "roles": ["director"]},  # overlap, empty
        ]

    problems = _kinds(checks._band_problems(_policy(change)))
    assert problems == {
        (("document", "approval_chains", 1, "above"), "gap"),
        (("document", "approval_chains", 2, "above"), "overlap"),
        (("document", "approval_chains", 2, "max_amount"), "empty_band"),
        (("document", "approval_chains", 2, "max_amount"), "missing_band"),
    }


def test_bands_are_checked_per_tier() -> None:
    def change(document: dict[str, Any]) -> None:
        document["approval_chains"] = [
            {"max_amount": None, "tiers": ["low", "medium"], "roles": ["analyst"]},
        ]

    problems = _kinds(checks._band_problems(_policy(change)))
    assert problems == {(("document", "approval_chains"), "missing_band")}  # no high band


def test_a_band_for_high_risk_picks_its_own_chain() -> None:
    def change(document: dict[str, Any]) -> None:
        document["high_risk_adds_level"] = False
        document["approval_chains"] = [
            {"max_amount": None, "tiers": ["high"], "roles": ["manager", "director"]},
            {"max_amount": None, "tiers": ["low", "medium"], "roles": ["analyst"]},
        ]

    policy = _policy(change)
    assert checks._band_problems(policy) == []
    assert approval_chain(policy, Decimal(500), RiskTier.HIGH) == [Role.MANAGER, Role.DIRECTOR]
    assert approval_chain(policy, Decimal(500), RiskTier.LOW) == [Role.ANALYST]


def test_wording_longer_than_the_notice_allows_is_found() -> None:
    def change(document: dict[str, Any]) -> None:
        document["rejection_rules"][2]["message"] = "Your score {actual} " + "x" * 190

    problems = _kinds(checks._wording_problems(_policy(change)))
    assert problems == {(("document", "rejection_rules", 2, "message"), "too_long")}


def test_the_default_reasons_are_specific() -> None:
    assert checks._wording_problems(_policy()) == []


@pytest.mark.parametrize(
    "vague",
    [
        "You did not meet our internal standards.",
        "Insufficient score.",
        "The application does not qualify under our credit policy.",
    ],
)
def test_a_reason_that_says_nothing_specific_is_refused(vague: str) -> None:
    """Reg B: 'internal standards' or 'insufficient score' is no reason, in a scoring rule's
    message or in the catalogue people choose from."""

    def change(document: dict[str, Any]) -> None:
        document["rejection_rules"][2]["message"] = vague
        document["decline_reasons"] = [
            *document["decline_reasons"],
            {"code": "VAGUE", "message": vague},
        ]

    problems = _kinds(checks._wording_problems(_policy(change)))
    last = len(DEFAULT_POLICY["decline_reasons"])  # type: ignore[arg-type]
    assert problems == {
        (("document", "rejection_rules", 2, "message"), "vague_reason"),
        (("document", "decline_reasons", last, "message"), "vague_reason"),
    }


def test_a_catalogue_code_given_twice_is_found() -> None:
    def change(document: dict[str, Any]) -> None:
        document["decline_reasons"] = [
            {"code": "BANKRUPTCY", "message": "A bankruptcy is on record."},
            {"code": "BANKRUPTCY", "message": "A bankruptcy is on record, again."},
        ]

    problems = _kinds(checks._wording_problems(_policy(change)))
    assert problems == {(("document", "decline_reasons", 1, "code"), "duplicate")}


def test_a_document_stored_before_the_catalogue_gets_the_default_one() -> None:
    def change(document: dict[str, Any]) -> None:
        del document["decline_reasons"]

    policy = _policy(change)
    assert [r.code for r in policy.decline_reasons] == [
        r["code"]
        for r in DEFAULT_POLICY["decline_reasons"]  # type: ignore[attr-defined]
    ]
    reason = policy.decline_reason("INCOMPLETE_APPLICATION")
    assert reason is not None and "information we asked you for" in reason.message
    assert policy.decline_reason("NO_SUCH_CODE") is None


def test_more_reasons_at_once_than_the_notice_gives_need_a_rank_on_every_rule() -> None:
    # The default: five rules on five metrics can all hold together, the notice gives four.
    unranked = checks._ranking_problems(_policy())
    assert {p["loc"][2] for p in unranked} == {0, 1, 2, 3, 4}

    def ranked(document: dict[str, Any]) -> None:
        for rank, rule in enumerate(reversed(document["rejection_rules"]), start=1):
            rule["rank"] = rank

    assert checks._ranking_problems(_policy(ranked)) == []

    def four_only(document: dict[str, Any]) -> None:
        # Two rules on one metric that can never hold together: at most four at once.
        document["rejection_rules"][1].update(metric="credit_score", op="gte", value="900")

    assert checks._ranking_problems(_policy(four_only)) == []


def test_ranks_choose_which_reasons_the_notice_keeps() -> None:
    def ranked(document: dict[str, Any]) -> None:
        document["max_reasons"] = 1
        for rank, rule in enumerate(reversed(document["rejection_rules"]), start=1):
            rule["rank"] = rank

    result = evaluate(
        _policy(ranked),
        Application(Decimal(5000), 24, Decimal(0), Decimal(0)),
        BureauReport(credit_score=500, delinquencies_24m=5, bankruptcies_7y=1),
    )
    assert [r["code"] for r in result.reasons] == ["RECENT_DELINQUENCIES"]


def test_a_shape_error_names_its_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        checks.parse({**copy.deepcopy(DEFAULT_POLICY), "max_reasons": 5})
    assert raised.value.code == "policy_invalid"
    assert [p["loc"] for p in raised.value.details] == [["document", "max_reasons"]]
