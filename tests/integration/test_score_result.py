"""The stored score result in the request detail and the emailed link: what the policy
computed, with the bureau's report for the people deciding only."""

from collections.abc import Callable
from typing import Any

from tests.conftest import Mailbox
from tests.policy_versions import active_version
from tests.support import Api, Person, link_token

APPLICATION: dict[str, Any] = {
    "amount": "12000.00",
    "term_months": 36,
    "monthly_income": "4100.00",
    "monthly_debt": "250.00",
    "credit_score": 702,
    "delinquencies_24m": 1,
    "bankruptcies_7y": 0,
}


# At the default policy's 12% a year (1% a month) over 36 months: 12,000 x 0.01 /
# (1 - 1.01^-36) = 398.57 a month; with 250 of existing debt on 4,100 of income,
# (250 + 398.57) / 4,100 = 0.15819 -> "0.1582".
INSTALLMENT, RATIO = "398.57", "0.1582"


def test_decider_sees_the_score_result_and_the_applicant_all_but_the_bureau_report(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth, **APPLICATION)["id"]
    analyst_auth = api.login(staff["analyst1"])

    assert api.request(auth, request_id)["score_result"] is None
    assert api.request(analyst_auth, request_id)["score_result"] is None

    drain()

    version = active_version()
    installment, ratio = INSTALLMENT, RATIO
    bureau = {"credit_score": 702, "delinquencies_24m": 1, "bankruptcies_7y": 0}
    detail = api.request(auth, request_id)
    assert detail["status"] == "pending_approval"
    assert detail["score_result"] == {
        "installment": installment,
        "debt_to_income": ratio,
        "bureau_report": None,
        "policy_version": version,
    }

    assignee = api.assignee(staff, request_id)
    staff_view = {
        "installment": installment,
        "debt_to_income": ratio,
        "bureau_report": bureau,
        "policy_version": version,
    }
    for reader in (assignee, staff["manager1"], staff["admin1"]):
        assert api.request(api.login(reader), request_id)["score_result"] == staff_view, reader

    email = next(m for m in mailbox.to(assignee.email) if request_id[:8] in m["Subject"])
    shown = api.http.get(f"/api/v1/approval-links/{link_token(email)}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["score_result"] == staff_view


def test_no_income_leaves_the_ratio_empty(api: Api, drain: Callable[[], None]) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth, monthly_income="0.00", amount="6000.00", term_months=12)["id"]

    drain()

    detail = api.request(auth, request_id)
    assert detail["status"] == "auto_rejected"
    assert detail["score_result"] == {
        "installment": "533.09",  # 6,000 x 0.01 / (1 - 1.01^-12) at the default 12% a year
        "debt_to_income": None,
        "bureau_report": None,
        "policy_version": active_version(),
    }
