"""The dashboard's funnel counts each request by the furthest step its status proves: every
status past the automatic analysis passed it (a question to the applicant, an offer, an
incomplete close included), and a declined counteroffer was decided by approvers."""

from shared.tracking.stats import funnel
from shared.workflow.states import RequestStatus


def test_every_status_past_the_automatic_analysis_counts_as_having_passed_it() -> None:
    counts = {status: 1 for status in RequestStatus}
    steps = {step.step: step for step in funnel(counts)}
    assert steps["submitted"].count == len(RequestStatus)
    passed = set(steps["passed_scoring"].statuses)
    assert passed == {
        RequestStatus.PENDING_APPROVAL,
        RequestStatus.INFO_REQUESTED,
        RequestStatus.OFFER_MADE,
        RequestStatus.INCOMPLETE,
        RequestStatus.APPROVED,
        RequestStatus.REJECTED,
        RequestStatus.OFFER_DECLINED,
    }
    assert steps["passed_scoring"].count == len(passed)
    assert set(steps["decided"].statuses) == {
        RequestStatus.APPROVED,
        RequestStatus.REJECTED,
        RequestStatus.OFFER_DECLINED,
    }
    # Each step is within the one before it, so the funnel never widens.
    assert set(steps["decided"].statuses) <= passed
    assert steps["approved"].statuses == [RequestStatus.APPROVED]
