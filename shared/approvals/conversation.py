"""A request's conversation: staff's internal notes, and messages between the applicant and
the people deciding, shown on the request page in order with their authors.

Who may do what:
- the applicant reads and posts *messages* on their own request, never sees a note (a note
  posted by an applicant is refused, 403 `notes_are_staff_only`);
- staff who may see the request (every staff role, as on the request page) read both and
  post both;
- a request one may not see answers 404, as the request page does.
Posting stays open once the request is final: a note records what happened after, and the
applicant may ask about a decision.

A message is emailed to the other side (`message.posted`, written to the outbox in the
posting's transaction; see `recipient_of`); a note never leaves the staff.

The body is plain text, 1-4000 characters (422 otherwise), rendered escaped everywhere. The
audit trail records who posted what kind of entry and the body's length and SHA-256, never the
body itself: the free text lives in this table only, for the retention job to scrub.
"""

import hashlib
import math
import uuid
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.approvals.models import ApprovalStage
from shared.approvals.timeline import first_name
from shared.audit.service import Actor, record, record_refusal
from shared.caching import Cached
from shared.credit.models import CreditRequest
from shared.credit.service import visible_request
from shared.db import Base
from shared.errors import Forbidden, TooManyRequests
from shared.messaging.outbox import add_event
from shared.pagination import TIMESTAMP, UUID, Key, Keyset, paginate
from shared.users.identity import Identity
from shared.users.models import User
from shared.workflow.events import EventType, MessageEvent
from shared.workflow.states import Role, StageStatus

MessageKind = Literal["note", "message"]
"""A `note` is internal to staff; a `message` is between the applicant and staff."""

MAX_BODY = 4000
MESSAGES_PER_HOUR = 10
"""Messages one person may post on one request in any hour: each is an email to someone, so
a flood is refused here (429) rather than left to the notify step's per-request email cap."""
MESSAGE_WINDOW = timedelta(hours=1)


class RequestMessage(Base, Cached):
    __tablename__ = "request_messages"
    __table_args__ = (
        # The conversation's order (and its keyset): oldest first.
        Index("ix_request_messages_request_created", "request_id", "created_at", "id"),
        CheckConstraint("kind IN ('note', 'message')", name="kind"),
        CheckConstraint(f"char_length(body) BETWEEN 1 AND {MAX_BODY}", name="body_length"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_requests.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    # The statement's own clock, not the transaction's: two entries never tie on it.
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.clock_timestamp()
    )

    def cache_scopes(self) -> list[str]:
        """Its request's page (the conversation is read under the request's scope)."""
        return [f"request:{self.request_id}"]


class MessageIn(BaseModel):
    """A note (staff only) or a message, as plain text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "message", "body": "Could you send last month's payslip?"},
                {"kind": "note", "body": "Payslip checked against the bank statement."},
            ]
        },
    )

    kind: MessageKind = "message"
    body: str = Field(min_length=1, max_length=MAX_BODY, description="Plain text, 1-4000.")

    @field_validator("body")
    @classmethod
    def _plain_text(cls, body: str) -> str:
        body = body.strip()
        if not body:
            raise ValueError("the message is empty")
        if any(ord(c) < 32 and c not in "\n\t" for c in body.replace("\r\n", "\n")):
            raise ValueError("control characters are not allowed")
        if any(0xD800 <= ord(c) <= 0xDFFF for c in body):
            raise ValueError("not valid Unicode text (a lone surrogate)")  # JSON allows one
        return body.replace("\r\n", "\n")


class AuthorOut(BaseModel):
    """Who wrote an entry. Staff see staff's full names and usernames; the applicant sees a
    member of staff by role and first name only, as on the approval timeline."""

    role: str
    name: str | None = Field(description="Full name (staff viewers, or oneself), else first name.")
    username: str | None = Field(default=None, description="Only for staff viewers.")


class MessageOut(BaseModel):
    id: uuid.UUID
    kind: MessageKind
    body: str
    created_at: datetime
    author: AuthorOut
    mine: bool = Field(description="Whether the viewer wrote it.")


OLDEST_FIRST = Keyset(
    "created_at", (Key(RequestMessage.created_at, TIMESTAMP), Key(RequestMessage.id, UUID))
)


def post(
    session: Session, author: Identity, request_id: uuid.UUID, data: MessageIn
) -> RequestMessage:
    """Add a note or a message to a request the author may see (404 otherwise), audited; a
    message also emits `message.posted` for the other side's email. 403 for an applicant's
    note."""
    request = visible_request(session, author, request_id)
    applicant = author.role == Role.APPLICANT
    if applicant and data.kind == "note":
        record_refusal(
            session, Actor.of(author), "note.added", "credit_request", request.id, "staff_only"
        )
        raise Forbidden("Only staff can add internal notes.", code="notes_are_staff_only")
    if data.kind == "message":
        _check_message_rate(session, author, request.id)
    entry = RequestMessage(
        request_id=request.id, author_id=author.id, kind=data.kind, body=data.body
    )
    session.add(entry)
    session.flush()
    record(
        session,
        Actor.of(author),
        "note.added" if data.kind == "note" else "message.posted",
        "credit_request",
        request.id,
        details={
            "message_id": str(entry.id),
            "length": len(entry.body),
            "sha256": hashlib.sha256(entry.body.encode()).hexdigest(),
        },
    )
    if data.kind == "message":
        add_event(
            session,
            EventType.MESSAGE_POSTED,
            MessageEvent(request_id=request.id, message_id=entry.id),
        )
    return entry


def _check_message_rate(session: Session, author: Identity, request_id: uuid.UUID) -> None:
    """At most MESSAGES_PER_HOUR messages by `author` on the request in any hour, else 429
    `message_rate_limited` with Retry-After."""
    # One author's posts on one request at a time, so two at once cannot both pass the count.
    key = f"messages:{author.id}:{request_id}"
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
    now = session.execute(select(func.now())).scalar_one()
    recent = session.scalars(
        select(RequestMessage.created_at)
        .where(
            RequestMessage.request_id == request_id,
            RequestMessage.author_id == author.id,
            RequestMessage.kind == "message",
            RequestMessage.created_at > now - MESSAGE_WINDOW,
        )
        .order_by(RequestMessage.created_at)
    ).all()
    if len(recent) < MESSAGES_PER_HOUR:
        return
    frees_at = recent[len(recent) - MESSAGES_PER_HOUR] + MESSAGE_WINDOW
    record_refusal(
        session, Actor.of(author), "message.posted", "credit_request", request_id, "rate"
    )
    raise TooManyRequests(
        f"You can post at most {MESSAGES_PER_HOUR} messages an hour on one request. "
        "Try again later.",
        retry_after=max(1, math.ceil((frees_at - now).total_seconds())),
        code="message_rate_limited",
    )


def page(
    session: Session,
    viewer: Identity,
    request_id: uuid.UUID,
    cursor: str | None,
    limit: int,
) -> tuple[list[MessageOut], str | None]:
    """One page of a request's conversation as `viewer` may read it, oldest first (404 for a
    request they may not see); an applicant's has no notes."""
    request = visible_request(session, viewer, request_id)
    applicant = viewer.role == Role.APPLICANT
    query = select(RequestMessage).where(RequestMessage.request_id == request.id)
    if applicant:
        query = query.where(RequestMessage.kind == "message")
    rows, next_cursor = paginate(session, query, OLDEST_FIRST, cursor, limit)
    authors = {
        user.id: user
        for user in session.scalars(select(User).where(User.id.in_({r.author_id for r in rows})))
    }
    return [_out(row, authors[row.author_id], viewer) for row in rows], next_cursor


def out_for(session: Session, entry: RequestMessage, viewer: Identity) -> MessageOut:
    """One entry as `viewer` reads it (see `AuthorOut`)."""
    author = session.get(User, entry.author_id)
    assert author is not None  # foreign key
    return _out(entry, author, viewer)


def _out(row: RequestMessage, author: User, viewer: Identity) -> MessageOut:
    mine = author.id == viewer.id
    staff_viewer = viewer.role != Role.APPLICANT
    return MessageOut(
        id=row.id,
        kind="note" if row.kind == "note" else "message",
        body=row.body,
        created_at=row.created_at,
        author=AuthorOut(
            role=author.role,
            name=author.full_name if staff_viewer or mine else first_name(author.full_name),
            username=author.username if staff_viewer else None,
        ),
        mine=mine,
    )


OPEN_STAGE_STATES = (StageStatus.PENDING, StageStatus.INFO_REQUESTED)


def recipient_of(session: Session, message: RequestMessage) -> User | None:
    """Who a message is emailed to. From the applicant: the current stage's assignee, else
    the approver who last decided a stage, else nobody (a request nobody has handled yet,
    or declined automatically, has no one to write to; staff still read it on the page).
    From staff: the applicant. Never a deactivated account."""
    request = session.get(CreditRequest, message.request_id)
    assert request is not None  # foreign key
    if message.author_id != request.applicant_id:
        return _active(session.get(User, request.applicant_id))
    holder = session.scalar(
        select(ApprovalStage.assignee_id).where(
            ApprovalStage.request_id == request.id,
            ApprovalStage.status.in_([s.value for s in OPEN_STAGE_STATES]),
            ApprovalStage.assignee_id.is_not(None),
        )
    )
    if holder is None:
        holder = session.scalar(
            select(ApprovalStage.decided_by)
            .where(ApprovalStage.request_id == request.id, ApprovalStage.decided_by.is_not(None))
            .order_by(ApprovalStage.decided_at.desc())
            .limit(1)
        )
    return None if holder is None else _active(session.get(User, holder))


def _active(user: User | None) -> User | None:
    # A deactivated account (staff who left) is told nothing any more.
    return user if user is not None and user.is_active else None
