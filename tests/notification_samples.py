"""One fixed notice per email template, for the snapshot tests and the browser's axe scan of
a rendered email: fixed ids, amounts and times, and values that must be escaped in HTML."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from shared.approvals.schemas import OfferOut
from shared.credit.bureau import DeclaredDataBureau
from shared.credit.policy import DEFAULT_DECLINE_REASONS
from shared.credit.schemas import DecisionReason
from shared.notifications.adverse_action import ACTIONS, HEADINGS, STATEMENTS
from shared.notifications.notice import Notice, Recipient, RequestFacts, StageFacts
from shared.workflow.events import EventType

REQUEST_ID = uuid.UUID("0b5d7e0c-7b1e-4a55-9a4e-3f0f5a0f6a01")
STAGE_ID = uuid.UUID("1c6e8f1d-8c2f-4b66-8b5f-4a1a6b1a7b02")
REVIEW_ID = uuid.UUID("2d7f9a2e-9d3a-4c77-9c6a-5b2b7c2b8c03")
BASE = "http://app.test"
APPLICANT = Recipient(uuid.UUID(int=1), "Ana <Souza> & Co", "ana@example.com", "applicant")
APPROVER = Recipient(uuid.UUID(int=2), "Maria Manager", "maria@example.com", "manager")
REQUEST = RequestFacts(
    id=REQUEST_ID,
    ref=str(REQUEST_ID)[:8],
    amount=Decimal("150000.00"),
    term_months=60,
    purpose="Workshop <tools> & a van",
    risk_tier="medium",
    reasons=[],
    decided_at=datetime(2026, 12, 4, 15, 5, tzinfo=UTC),
    url=f"{BASE}/requests/{REQUEST_ID}",
)
STAGE = StageFacts(STAGE_ID, 2, 3, "manager", datetime(2026, 12, 3, 9, 30, tzinfo=UTC))
APPROVAL_URL = f"{BASE}/approvals/eyJhbGciOiJIUzI1NiJ9.sample.signature"
INBOX_URL = f"{BASE}/inbox/{REQUEST_ID}"
VERIFY_URL = f"{BASE}/verify-email?token=eyJhbGciOiJIUzI1NiJ9.verify.signature"
RESET_URL = f"{BASE}/reset-password?token=eyJhbGciOiJIUzI1NiJ9.reset.signature"
REVIEW_URL = f"{BASE}/reviews/{REVIEW_ID}"


def _applicant(event_type: EventType, template: str, **context: object) -> Notice:
    return Notice(
        event_type=event_type,
        template=template,
        recipient=APPLICANT,
        page_url=REQUEST.url,
        context={"request": REQUEST, **context},
        data={"request_id": str(REQUEST_ID), "url": REQUEST.url},
        request_id=REQUEST_ID,
    )


def _approver(event_type: EventType, template: str, page: str, **context: object) -> Notice:
    return Notice(
        event_type=event_type,
        template=template,
        recipient=APPROVER,
        page_url=page,
        context={"request": REQUEST, "stage": STAGE, **context},
        data={"request_id": str(REQUEST_ID), "url": page},
        request_id=REQUEST_ID,
    )


DECLINED = RequestFacts(
    **{
        **REQUEST.__dict__,
        "reasons": [
            "The credit score of 540 is below the minimum of 580.",
            "Monthly debt including the new installment would be 0.52 of income, "
            "above the maximum of 0.45.",
        ],
    }
)

OFFER = OfferOut(
    requested_amount=REQUEST.amount,
    requested_term_months=REQUEST.term_months,
    requested_installment=Decimal("3336.67"),
    amount=Decimal("90000.00"),
    term_months=72,
    installment=Decimal("1759.52"),
    annual_rate=Decimal("0.12"),
    reason="Your income supports <90,000> & a longer term.\nWe can revisit in a year.",
    reason_codes=[
        DecisionReason(
            code="AMOUNT_TOO_HIGH",
            message="The amount you asked for is too high for your income and the term.",
        )
    ],
    made_at=datetime(2026, 12, 4, 15, 5, tzinfo=UTC),
    expires_at=datetime(2027, 1, 3, 15, 5, tzinfo=UTC),
    responded_at=None,
    outcome=None,
)
CATALOGUE = {r["code"]: r["message"] for r in DEFAULT_DECLINE_REASONS}
NOTICE_URL = f"{BASE}/requests/{REQUEST_ID}/notice"
SCORE = {
    "value": 540,
    "range": [300, 850],
    "factors": [
        "A credit score of 540, in the range 300 to 850.",
        "4 late payment(s) in the last 24 months.",
    ],
    "date": datetime(2026, 12, 4, 15, 4, tzinfo=UTC),
}


def _adverse(
    event_type: EventType,
    action: str,
    reasons: list[str],
    comment: str | None = None,
    **extra: Any,
) -> Notice:
    return Notice(
        event_type=event_type,
        template="adverse_action",
        recipient=APPLICANT,
        page_url=NOTICE_URL,
        context={
            "request": REQUEST,
            "stage": STAGE if action == "rejected" else None,
            "heading": HEADINGS[action],
            "action_text": ACTIONS[action],
            "reasons": reasons,
            "score": SCORE,
            "bureau": DeclaredDataBureau.contact.model_dump(),
            "comment": comment,
            "statements": STATEMENTS,
            "review": None,
            "review_until": None,
            **extra,
        },
        data={"request_id": str(REQUEST_ID), "url": REQUEST.url, "notice_url": NOTICE_URL},
        request_id=REQUEST_ID,
        adverse_action_notice_id=uuid.UUID(int=3),
    )


SAMPLES: dict[str, Notice] = {
    "welcome": Notice(
        event_type=EventType.USER_REGISTERED,
        template="welcome",
        recipient=APPLICANT,
        page_url=f"{BASE}/requests/new",
        context={
            "username": "ana.souza",
            "is_applicant": True,
            "verify_url": VERIFY_URL,
            "verify_hours": 48,
        },
        data={"user_id": str(APPLICANT.id), "url": f"{BASE}/requests/new"},
        secret_url=VERIFY_URL,
        account=True,
    ),
    "welcome_staff": Notice(
        event_type=EventType.USER_REGISTERED,
        template="welcome",
        recipient=APPROVER,
        page_url=f"{BASE}/",
        context={
            "username": "maria",
            "is_applicant": False,
            "verify_url": None,
            "verify_hours": 48,
        },
        data={"user_id": str(APPROVER.id), "url": f"{BASE}/"},
        account=True,
    ),
    "verify_email": Notice(
        event_type=EventType.EMAIL_VERIFICATION_REQUESTED,
        template="verify_email",
        recipient=APPLICANT,
        page_url=f"{BASE}/",
        context={"verify_url": VERIFY_URL, "verify_hours": 48},
        data={"user_id": str(APPLICANT.id), "url": f"{BASE}/"},
        secret_url=VERIFY_URL,
        account=True,
    ),
    "password_reset": Notice(
        event_type=EventType.PASSWORD_RESET_REQUESTED,
        template="password_reset",
        recipient=APPLICANT,
        page_url=f"{BASE}/forgot-password",
        context={"username": "ana.souza", "reset_url": RESET_URL, "reset_minutes": 30},
        data={"user_id": str(APPLICANT.id), "url": f"{BASE}/forgot-password"},
        secret_url=RESET_URL,
        account=True,
    ),
    "request_submitted": _applicant(EventType.REQUEST_SUBMITTED, "request_submitted"),
    "request_auto_rejected": _adverse(
        EventType.REQUEST_AUTO_REJECTED,
        "auto_rejected",
        DECLINED.reasons,
        review_until=datetime(2027, 1, 3, 15, 5, tzinfo=UTC),
    ),
    "request_approved": _applicant(EventType.REQUEST_APPROVED, "request_approved"),
    "request_approved_offer": _applicant(
        EventType.REQUEST_APPROVED,
        "request_approved",
        offer=OFFER.model_copy(update={"outcome": "accepted"}),
    ),
    "request_offer_made": _applicant(
        EventType.REQUEST_OFFER_MADE, "request_offer_made", offer=OFFER
    ),
    "request_rejected": _adverse(
        EventType.REQUEST_REJECTED,
        "rejected",
        [CATALOGUE["INCOME_INSUFFICIENT"], CATALOGUE["TEMPORARY_EMPLOYMENT"]],
        comment="Income is too irregular <for now>.\nPlease reapply with 2026 statements.",
    ),
    "request_rejected_without_comment": _adverse(
        EventType.REQUEST_REJECTED, "rejected", [CATALOGUE["EXCESSIVE_OBLIGATIONS"]]
    ),
    "request_incomplete": _adverse(
        EventType.REQUEST_INCOMPLETE, "incomplete", [CATALOGUE["INCOMPLETE_APPLICATION"]]
    ),
    "request_offer_declined": _adverse(
        EventType.REQUEST_OFFER_DECLINED, "offer_declined", [CATALOGUE["AMOUNT_TOO_HIGH"]]
    ),
    "request_rejected_after_review": _adverse(
        EventType.REQUEST_REJECTED,
        "rejected",
        DECLINED.reasons,
        comment="The new payslips <still> show debt above half of the income.\n"
        "Please reapply once the car loan is repaid.",
        review=SimpleNamespace(outcome="confirmed"),
        stage=None,
    ),
    "request_withdrawn": _applicant(EventType.REQUEST_WITHDRAWN, "request_withdrawn"),
    "stage_assigned": Notice(
        **{
            **_approver(
                EventType.STAGE_ASSIGNED,
                "stage_assigned",
                INBOX_URL,
                applicant_name=APPLICANT.name,
                link_expires_at=datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
                approval_url=APPROVAL_URL,
            ).__dict__,
            "secret_url": APPROVAL_URL,
        }
    ),
    "stage_assigned_on_behalf": Notice(
        **{
            **_approver(
                EventType.STAGE_ASSIGNED,
                "stage_assigned",
                INBOX_URL,
                applicant_name=APPLICANT.name,
                link_expires_at=datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
                approval_url=APPROVAL_URL,
                on_behalf_of="Ana Analyst",
            ).__dict__,
            "secret_url": APPROVAL_URL,
        }
    ),
    "absence_delegate": Notice(
        event_type=EventType.ABSENCE_SET,
        template="absence_delegate",
        recipient=APPROVER,
        page_url=f"{BASE}/inbox",
        context={
            "absent_name": "Ana <Analyst> & Co",
            "starts_at": datetime(2026, 12, 21, 8, 0, tzinfo=UTC),
            "ends_at": datetime(2027, 1, 4, 8, 0, tzinfo=UTC),
        },
        data={
            "absence_id": "3f1e0c52-6a59-4d8e-9b1a-0c2f5b7d9e11",
            "starts_at": "2026-12-21T08:00:00+00:00",
            "ends_at": "2027-01-04T08:00:00+00:00",
            "url": f"{BASE}/inbox",
        },
    ),
    "review_assigned": Notice(
        event_type=EventType.REVIEW_ASSIGNED,
        template="review_assigned",
        recipient=APPROVER,
        page_url=REVIEW_URL,
        context={
            "request": DECLINED,
            "applicant_name": APPLICANT.name,
            "due_at": datetime(2026, 12, 5, 9, 30, tzinfo=UTC),
            "corrected": True,
        },
        data={"request_id": str(REQUEST_ID), "review_id": str(REVIEW_ID), "url": REVIEW_URL},
        request_id=REQUEST_ID,
    ),
    "stage_reminder": _approver(EventType.STAGE_REMINDER, "stage_reminder", INBOX_URL),
    "stage_cancelled_withdrawn": _approver(
        EventType.STAGE_CANCELLED, "stage_cancelled", f"{BASE}/inbox", reason="withdrawn"
    ),
    "request_info_requested": _applicant(
        EventType.REQUEST_INFO_REQUESTED,
        "request_info_requested",
        questions="Please send your last three payslips <PDF> & a bank statement.",
        answer_by=datetime(2027, 1, 3, 9, 30, tzinfo=UTC),
        asker_first_name="Maria",
        asker_role="manager",
    ),
    "request_info_provided": Notice(
        **{
            **_approver(
                EventType.REQUEST_INFO_PROVIDED,
                "request_info_provided",
                INBOX_URL,
                questions="Please send your last three payslips.",
                answer="Sent by email <today> & I can borrow less.",
                changes=[("Amount", "from 150000.00 to 120000.00")],
                outcome="resumed",
                approval_url=APPROVAL_URL,
                link_expires_at=datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
            ).__dict__,
            "secret_url": APPROVAL_URL,
        }
    ),
    "request_info_provided_rechained": _approver(
        EventType.REQUEST_INFO_PROVIDED,
        "request_info_provided",
        INBOX_URL,
        questions="Please send your last three payslips.",
        answer="I need more.",
        changes=[("Amount", "from 150000.00 to 900000.00")],
        outcome="rechained",
        approval_url=None,
        link_expires_at=None,
    ),
    "stage_cancelled_rejected": _approver(
        EventType.STAGE_CANCELLED, "stage_cancelled", f"{BASE}/inbox", reason="rejected"
    ),
    "stage_cancelled_reassigned": _approver(
        EventType.STAGE_CANCELLED, "stage_cancelled", f"{BASE}/inbox", reason="reassigned"
    ),
    "message_posted_to_applicant": _applicant(
        EventType.MESSAGE_POSTED,
        "message_posted",
        author_name="Maria (manager)",
        body="Could you send <last month's> payslip & your bank statement?\nThank you.",
        to_applicant=True,
    ),
    "message_posted_to_approver": _approver(
        EventType.MESSAGE_POSTED,
        "message_posted",
        REQUEST.url,
        author_name=APPLICANT.name,
        body="I attached it <here> & sent it by post.",
        to_applicant=False,
    ),
}
