"""A request's conversation through the API: staff's internal notes never reach the applicant
(not in the list, not in a cached answer, not by email); messages go by email to the other
side; refusals are 404, 403 and 422 with a machine-readable code; every post is audited
without its text."""

import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from shared.approvals.conversation import MESSAGES_PER_HOUR
from shared.audit.models import AuditLog
from shared.db import unit_of_work
from tests.conftest import Mailbox, assigned_request
from tests.support import Api, Person, decision_body

PREFERENCES = "/api/v1/users/me/notifications"


def _url(request_id: str) -> str:
    return f"/api/v1/credit-requests/{request_id}/messages"


def _post(api: Api, auth: dict[str, str], request_id: str, body: str, kind: str = "message") -> Any:
    return api.http.post(_url(request_id), json={"kind": kind, "body": body}, headers=auth)


def _read(api: Api, auth: dict[str, str], request_id: str, **params: Any) -> dict[str, Any]:
    response = api.http.get(_url(request_id), params=params, headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _messages_about(mailbox: Mailbox, person: Person, request_id: str) -> list[dict[str, Any]]:
    return [
        m
        for m in mailbox.to(person.email)
        if m["Subject"] == f"New message about credit request {request_id[:8]}"
    ]


def test_staff_notes_stay_internal_and_messages_reach_both_sides(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    approver_auth = api.login(approver)

    # The applicant reads (and caches) the empty conversation first.
    assert _read(api, auth, request_id) == {"items": [], "next_cursor": None}

    note = _post(api, approver_auth, request_id, "Payslip <looks> edited; check with bank.", "note")
    assert note.status_code == 201, note.text
    assert note.json()["kind"] == "note" and note.json()["mine"] is True
    asked = _post(api, approver_auth, request_id, "Could you send last month's payslip?")
    assert asked.status_code == 201, asked.text
    answer = _post(api, auth, request_id, "Sent it by post.\nThanks!")
    assert answer.status_code == 201, answer.text
    drain()

    # Staff read both, in order, with full names and usernames.
    staff_view = _read(api, approver_auth, request_id)["items"]
    assert [(m["kind"], m["body"]) for m in staff_view] == [
        ("note", "Payslip <looks> edited; check with bank."),
        ("message", "Could you send last month's payslip?"),
        ("message", "Sent it by post.\nThanks!"),
    ]
    assert staff_view[0]["author"]["username"] == approver.username
    assert staff_view[2]["author"]["role"] == "applicant"
    assert staff_view[2]["author"]["name"] == "Applicant Tester"

    # The applicant's next read (the cache was bumped) has the messages, never the note, and
    # the staff author by role and first name only.
    mine = _read(api, auth, request_id)["items"]
    assert [m["body"] for m in mine] == [
        "Could you send last month's payslip?",
        "Sent it by post.\nThanks!",
    ]
    assert all(m["kind"] == "message" for m in mine)
    assert mine[0]["author"]["username"] is None
    assert mine[0]["author"]["role"] == approver.role
    # Staff full names are "<Role><n> Staff": the applicant gets the first word only.
    assert mine[0]["author"]["name"] == approver.username.split("-")[0].title()
    assert [m["mine"] for m in mine] == [False, True]
    # The same again, answered from the cache: still no note.
    again = api.http.get(_url(request_id), headers=auth)
    assert "Payslip" not in again.text

    # The staff message went to the applicant, the applicant's to the assignee; the note to
    # nobody.
    [to_applicant] = [
        m
        for m in _all_to(mailbox, request_id)
        if m["Subject"].startswith("New message")
        and approver.email not in m["Destination"]["ToAddresses"]
    ]
    assert "Analyst1 (analyst) wrote" in to_applicant["Body"]["text_part"].replace(
        approver.username.split("-")[0].title() + f" ({approver.role})", "Analyst1 (analyst)"
    )
    assert "Could you send last month's payslip?" in to_applicant["Body"]["text_part"]
    assert f"http://app.test/requests/{request_id}" in to_applicant["Body"]["text_part"]
    assert approver.username not in to_applicant["Body"]["text_part"]
    [to_approver] = _messages_about(mailbox, approver, request_id)
    assert "Sent it by post." in to_approver["Body"]["text_part"]
    assert "Applicant Tester wrote" in to_approver["Body"]["text_part"]
    everything = " ".join(m["Body"]["text_part"] for m in _all_to(mailbox, request_id))
    assert "edited; check with bank" not in everything


def _all_to(mailbox: Mailbox, request_id: str) -> list[dict[str, Any]]:
    """Every email about the request, whoever it went to."""
    import httpx

    response = httpx.get(f"{mailbox.endpoint}/_aws/ses", timeout=10)
    response.raise_for_status()
    return [m for m in response.json()["messages"] if request_id[:8] in m["Subject"]]


def test_refusals_are_404_403_and_422(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    stranger = api.login(api.register("stranger"))

    assert api.http.get(_url(request_id), headers=stranger).status_code == 404
    assert _post(api, stranger, request_id, "Hello?").status_code == 404
    missing = "00000000-0000-4000-8000-000000000000"
    assert _post(api, api.login(approver), missing, "Hello?").status_code == 404

    note = _post(api, auth, request_id, "Let me see the notes", "note")
    assert note.status_code == 403
    assert note.json()["error"]["code"] == "notes_are_staff_only"

    for body in ("", "   \n ", "x" * 4001, "bell\x07"):
        bad = _post(api, auth, request_id, body)
        assert bad.status_code == 422, body
        assert bad.json()["error"]["code"] == "validation_error"
    lone_surrogate = api.http.post(
        _url(request_id),
        content=b'{"kind": "message", "body": "half \\ud800"}',
        headers={**auth, "Content-Type": "application/json"},
    )
    assert lone_surrogate.status_code == 422, lone_surrogate.text
    wrong_kind = _post(api, auth, request_id, "hi", "shout")
    assert wrong_kind.status_code == 422
    assert _post(api, auth, request_id, "x" * 4000).status_code == 201
    bad_cursor = api.http.get(_url(request_id), params={"cursor": "nope"}, headers=auth)
    assert bad_cursor.status_code == 422


def test_posts_are_audited_with_a_hash_not_the_text(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    _post(api, api.login(approver), request_id, "Internal remark", "note")
    posted = _post(api, auth, request_id, "A question").json()
    _post(api, auth, request_id, "Sneaky", "note")

    with unit_of_work() as session:
        rows = session.scalars(
            select(AuditLog)
            .where(
                AuditLog.entity_type == "credit_request",
                AuditLog.entity_id == request_id,
                AuditLog.action.in_(["note.added", "message.posted"]),
            )
            .order_by(AuditLog.id)
        ).all()
        entries = [(r.action, r.actor, r.details or {}) for r in rows]
    note, message, refused = entries
    assert note[0] == "note.added" and note[1] == approver.username
    assert note[2]["sha256"] == hashlib.sha256(b"Internal remark").hexdigest()
    assert message[0] == "message.posted" and message[2]["message_id"] == posted["id"]
    assert message[2]["length"] == len("A question")
    assert refused[0] == "note.added" and refused[2]["refused"] == "staff_only"
    assert "Internal remark" not in str(entries) and "A question" not in str(entries)


def test_a_final_request_takes_messages_to_the_last_decider_and_pages_oldest_first(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    decided = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json=decision_body("reject", "Income too irregular."),
        headers=api.login(approver),
    )
    assert decided.status_code == 200, decided.text
    drain()

    for n in range(3):
        assert _post(api, auth, request_id, f"Why? ({n})").status_code == 201
    drain()
    assert len(_messages_about(mailbox, approver, request_id)) == 3

    first = _read(api, auth, request_id, limit=2)
    assert [m["body"] for m in first["items"]] == ["Why? (0)", "Why? (1)"]
    rest = _read(api, auth, request_id, limit=2, cursor=first["next_cursor"])
    assert [m["body"] for m in rest["items"]] == ["Why? (2)"] and rest["next_cursor"] is None


def test_a_message_respects_the_recipients_email_preference(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    turned_off = api.http.put(
        PREFERENCES, json={"channels": [{"channel": "email", "enabled": False}]}, headers=auth
    )
    assert turned_off.status_code == 200, turned_off.text
    assert _post(api, api.login(approver), request_id, "A question for you").status_code == 201
    drain()
    assert not [m for m in _all_to(mailbox, request_id) if m["Subject"].startswith("New message")]


def test_with_nobody_handling_the_request_an_applicant_message_is_emailed_to_nobody(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth = api.login(api.register("declined"))
    request_id = api.submit(auth, credit_score=500)["id"]
    drain()
    assert api.request(auth, request_id)["status"] == "auto_rejected"

    assert _post(api, auth, request_id, "Why was I declined?").status_code == 201
    drain()
    assert not [m for m in _all_to(mailbox, request_id) if m["Subject"].startswith("New message")]
    # Staff still read it on the request page.
    staff_view = _read(api, api.login(staff["analyst2"]), request_id)["items"]
    assert [m["body"] for m in staff_view] == ["Why was I declined?"]


def test_a_flood_of_messages_is_refused_with_retry_after_and_audited(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth, request_id, approver, _ = assigned_request(api, staff, drain, mailbox)
    for n in range(MESSAGES_PER_HOUR):
        assert _post(api, auth, request_id, f"Message {n}").status_code == 201
    refused = _post(api, auth, request_id, "One too many")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "message_rate_limited"
    assert 3500 < int(refused.headers["Retry-After"]) <= 3600
    # Others are not held back by it; notes are not emails and are not limited.
    approver_auth = api.login(approver)
    assert _post(api, approver_auth, request_id, "A reply").status_code == 201
    assert _post(api, approver_auth, request_id, "Chatty applicant", "note").status_code == 201
    with unit_of_work() as session:
        refusals = session.scalars(
            select(AuditLog.details).where(
                AuditLog.entity_id == request_id, AuditLog.action == "message.posted"
            )
        ).all()
    assert [d for d in refusals if d and d.get("refused") == "rate"]


def test_a_long_conversation_never_uses_up_the_request_s_workflow_emails(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    """Conversation emails count against the per-request cap apart from the workflow's: past
    the cap the messages' emails are suppressed, and the withdrawal is still confirmed."""
    import uuid

    from sqlalchemy import func

    from shared.config import get_settings
    from shared.messaging.outbox import add_event, relay_pending
    from shared.workflow.events import EventType, MessageEvent

    cap = get_settings().emails_per_request
    auth, request_id, _, _ = assigned_request(api, staff, drain, mailbox)
    posted = _post(api, auth, request_id, "Any news?")
    assert posted.status_code == 201, posted.text
    drain()
    with unit_of_work() as session:  # a runaway upstream: the same message's event, again
        for _ in range(cap + 5):
            add_event(
                session,
                EventType.MESSAGE_POSTED,
                MessageEvent(
                    request_id=uuid.UUID(request_id), message_id=uuid.UUID(posted.json()["id"])
                ),
            )
    relay_pending()
    drain()
    withdrawn = api.http.post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=auth)
    assert withdrawn.status_code == 200, withdrawn.text
    drain()

    def sent(event_type: str, action: str = "email.sent") -> int:
        with unit_of_work() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(AuditLog)
                    .where(
                        AuditLog.action == action,
                        AuditLog.entity_id == request_id,
                        AuditLog.details["event_type"].astext == event_type,
                    )
                )
                or 0
            )

    assert sent("message.posted") == cap
    assert sent("message.posted", "email.suppressed") == 6
    assert sent("request.withdrawn") == 1
