"""One fixed notice per email template, for the snapshot tests and the browser's axe scan of
a rendered email: fixed ids, amounts and times, and values that must be escaped in HTML."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

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
    "request_auto_rejected": _applicant(
        EventType.REQUEST_AUTO_REJECTED,
        "request_auto_rejected",
        request=DECLINED,
        review_until=datetime(2027, 1, 3, 15, 5, tzinfo=UTC),
    ),
    "request_approved": _applicant(EventType.REQUEST_APPROVED, "request_approved"),
    "request_rejected": _applicant(
        EventType.REQUEST_REJECTED,
        "request_rejected",
        stage=STAGE,
        comment="Income is too irregular <for now>.\nPlease reapply with 2026 statements.",
        review=None,
    ),
    "request_rejected_without_comment": _applicant(
        EventType.REQUEST_REJECTED, "request_rejected", stage=STAGE, comment=None, review=None
    ),
    "request_rejected_after_review": _applicant(
        EventType.REQUEST_REJECTED,
        "request_rejected",
        stage=None,
        comment=None,
        review=SimpleNamespace(
            rationale="The new payslips <still> show debt above half of the income.\n"
            "Please reapply once the car loan is repaid."
        ),
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
    "stage_cancelled_rejected": _approver(
        EventType.STAGE_CANCELLED, "stage_cancelled", f"{BASE}/inbox", reason="rejected"
    ),
    "stage_cancelled_reassigned": _approver(
        EventType.STAGE_CANCELLED, "stage_cancelled", f"{BASE}/inbox", reason="reassigned"
    ),
}
