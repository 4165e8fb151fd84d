"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from shared.approvals.conversation import RequestMessage
from shared.approvals.models import (
    Absence,
    ApprovalLink,
    ApprovalStage,
    InformationRequest,
    Offer,
)
from shared.approvals.review_models import DeclineReview
from shared.audit.models import AuditChainHead, AuditLog
from shared.auth.models import RefreshToken
from shared.backup.models import BackupRecord
from shared.credit.models import CreditRequest, Policy
from shared.db import Base
from shared.messaging.models import OutboxEvent, ProcessedMessage
from shared.notifications.models import NotificationPreference
from shared.notifications.notice_models import AdverseActionNotice
from shared.tracking.models import RequestDayTotal, StageRoleTotal, StageTimingBucket
from shared.users.models import User

__all__ = [
    "Absence",
    "AdverseActionNotice",
    "ApprovalLink",
    "ApprovalStage",
    "AuditChainHead",
    "AuditLog",
    "BackupRecord",
    "Base",
    "CreditRequest",
    "DeclineReview",
    "InformationRequest",
    "NotificationPreference",
    "Offer",
    "OutboxEvent",
    "Policy",
    "ProcessedMessage",
    "RefreshToken",
    "RequestDayTotal",
    "RequestMessage",
    "StageRoleTotal",
    "StageTimingBucket",
    "User",
]
