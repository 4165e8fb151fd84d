"""Who hears what, read from the real SES mailbox: the welcome, the approver's facts, the
withdrawal confirmation, the cancelled or reassigned stage, the rejection with the approver's
comment as the policy allows; and each user's channel preferences through the API."""

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from shared import aws
from shared.approvals.service import escalate
from shared.audit.models import AuditLog
from shared.db import unit_of_work
from shared.messaging.models import OutboxEvent
from shared.messaging.outbox import envelope_of, relay_pending
from tests.conftest import Mailbox
from tests.integration.test_escalation import _age_stage
from tests.policy_versions import activate, active_document
from tests.support import Api, Person, link_token

PREFERENCES = "/api/v1/users/me/notifications"


def _person(staff: dict[str, Person], username: str) -> Person:
    return next(p for p in staff.values() if p.username == username)


def _about(mailbox: Mailbox, person: Person, request_id: str) -> list[dict[str, Any]]:
    return [m for m in mailbox.to(person.email) if request_id[:8] in m["Subject"]]


def test_a_new_user_is_welcomed_once_by_name_in_html_and_text(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    person = api.register("welcomed")
    drain()
    [welcome] = [m for m in mailbox.to(person.email) if m["Subject"].startswith("Welcome")]
    assert welcome["Subject"] == "Welcome to Credit Approvals"
    assert "Hello Welcomed Tester," in welcome["Body"]["text_part"]
    assert '<html lang="en-US"' in welcome["Body"]["html_part"]
    assert "http://app.test/requests/new" in welcome["Body"]["text_part"]

    # Redelivered, the event sends nothing twice.
    with unit_of_work() as session:
        row = session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.event_type == "user.registered",
                OutboxEvent.payload["user_id"].astext == str(person.id),
            )
        ).one()
        body = envelope_of(row).model_dump_json()
    aws.client("sqs").send_message(QueueUrl=aws.queue_url("notify"), MessageBody=body)
    drain()
    assert len([m for m in mailbox.to(person.email) if m["Subject"].startswith("Welcome")]) == 1


def test_the_approver_email_says_what_whose_how_much_when_and_which_stage(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register("facts")
    auth = api.login(applicant)
    request_id = api.submit(auth, amount="50000.00", term_months=120, purpose="New roof")["id"]
    drain()
    [email] = _about(mailbox, api.assignee(staff, request_id), request_id)
    text, html = email["Body"]["text_part"], email["Body"]["html_part"]
    assert email["Subject"] == f"Approval needed: credit request {request_id[:8]} (stage 1 of 2)"
    for fact in (
        "Applicant: Facts Tester",
        "Purpose: New roof",
        "Amount: $50,000.00",
        "Term: 120 months",
        "Stage: 1 of 2 (analyst)",
        "Due: ",
    ):
        assert fact in text, fact
    assert f"http://app.test/approvals/{link_token(email)}" in html  # the button
    assert f"http://app.test/inbox/{request_id}" in text  # the signed-in way


def test_withdrawal_confirms_to_the_applicant_and_tells_the_approver_their_link_died(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register("withdrawing")
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    drain()
    approver = api.assignee(staff, request_id)
    response = api.http.post(f"/api/v1/credit-requests/{request_id}/withdraw", headers=auth)
    assert response.status_code == 200
    drain()

    [confirmation] = [
        m for m in _about(mailbox, applicant, request_id) if "was withdrawn" in m["Subject"]
    ]
    assert "nobody will decide on it" in confirmation["Body"]["text_part"].lower()
    assigned, cancelled = _about(mailbox, approver, request_id)
    assert cancelled["Subject"] == f"No longer needed: credit request {request_id[:8]}, stage 1"
    assert "The applicant withdrew credit request" in cancelled["Body"]["text_part"]
    assert "/approvals/" not in cancelled["Body"]["text_part"]
    stale = api.http.get(f"/api/v1/approval-links/{link_token(assigned)}")
    assert stale.status_code == 409


def test_escalation_tells_the_old_assignee_and_gives_the_new_one_the_link(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth = api.login(api.register("escalated"))
    request_id = api.submit(auth)["id"]
    drain()
    analyst = api.assignee(staff, request_id)
    _age_stage(request_id, 97)
    with unit_of_work() as session:
        escalate(session)
    relay_pending()
    drain()

    manager = api.assignee(staff, request_id)
    old = _about(mailbox, analyst, request_id)
    assert [m["Subject"].split(":")[0] for m in old] == [
        "Approval needed",
        "No longer needed",
    ]
    assert "it was reassigned to another approver" in old[1]["Body"]["text_part"]
    [new] = _about(mailbox, manager, request_id)
    assert new["Subject"].startswith("Approval needed") and link_token(new)


@pytest.fixture
def rejection_comments_shared(database: str) -> Iterator[Callable[[bool | None], None]]:
    """Set the policy's share_rejection_comment (None: the key absent, as in documents
    stored before it existed), then restore the document."""
    original = active_document()

    def set_flag(value: bool | None) -> None:
        document = {k: v for k, v in original.items() if k != "share_rejection_comment"}
        if value is not None:
            document["share_rejection_comment"] = value
        activate(document)

    yield set_flag
    set_flag(original.get("share_rejection_comment"))


@pytest.mark.parametrize(("flag", "shared"), [(None, True), (True, True), (False, False)])
def test_the_applicant_reads_the_rejecting_comment_only_where_the_policy_shares_it(
    api: Api,
    staff: dict[str, Person],
    drain: Callable[[], None],
    mailbox: Mailbox,
    rejection_comments_shared: Callable[[bool | None], None],
    flag: bool | None,
    shared: bool,
) -> None:
    rejection_comments_shared(flag)
    applicant = api.register("rejected")
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    drain()
    approver = api.assignee(staff, request_id)
    comment = f"Employment too recent <{uuid.uuid4().hex[:6]}>"
    decided = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "reject", "comment": comment, "reason_codes": ["EXCESSIVE_OBLIGATIONS"]},
        headers=api.login(approver),
    )
    assert decided.status_code == 200, decided.text
    drain()
    [email] = [m for m in _about(mailbox, applicant, request_id) if "declined" in m["Subject"]]
    assert "declined after review, at stage 1 of 1" in email["Body"]["text_part"]
    assert (f"> {comment}" in email["Body"]["text_part"]) is shared
    assert (
        comment.replace("<", "&lt;").replace(">", "&gt;") in email["Body"]["html_part"]
    ) is shared
    assert comment not in email["Body"]["html_part"]  # never unescaped
    # The request page agrees with the email; the staff still read why.
    [stage] = api.request(auth, request_id)["stages"]
    assert stage["status"] == "rejected"
    assert stage["comment"] == (comment if shared else None)
    assert api.staff_view(staff, request_id)["stages"][0]["comment"] == comment


def test_a_user_who_turns_email_off_gets_none(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register("quiet")
    auth = api.login(applicant)
    drain()
    off = api.http.put(
        PREFERENCES, json={"channels": [{"channel": "email", "enabled": False}]}, headers=auth
    )
    assert off.status_code == 200, off.text
    request_id = api.submit(auth)["id"]
    drain()
    assert _about(mailbox, applicant, request_id) == []
    with unit_of_work() as session:
        sent = session.scalar(
            select(AuditLog.id).where(
                AuditLog.action == "email.sent",
                AuditLog.entity_id == request_id,
                AuditLog.details["event_type"].astext == "request.submitted",
            )
        )
    assert sent is None  # (the approver's email about it still went: their choice)


def test_preferences_start_with_email_only_and_refuse_bad_changes_clearly(api: Api) -> None:
    auth = api.login(api.register("prefs"))
    assert api.http.get(PREFERENCES).status_code == 401
    channels = {c["channel"]: c for c in api.http.get(PREFERENCES, headers=auth).json()["channels"]}
    assert {name: c["enabled"] for name, c in channels.items()} == {
        "email": True,
        "webhook": False,
        "chat": False,
    }
    assert channels["webhook"]["settings"] == {"url": None, "signing_secret_set": False}
    assert channels["chat"]["settings"] == {"url": None, "format": "slack"}

    def put(*changes: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = api.http.put(PREFERENCES, json={"channels": list(changes)}, headers=auth)
        return response.status_code, response.json()

    for changes, code in (
        ([{"channel": "pager", "enabled": True}], "unknown_channel"),
        ([{"channel": "email", "enabled": True, "rotate_secret": True}], "nothing_to_rotate"),
        ([{"channel": "webhook", "enabled": True}], "channel_incomplete"),
        (
            [{"channel": "chat", "enabled": True, "settings": {"url": "https://x.test", "x": 1}}],
            "invalid_channel_settings",
        ),
        (
            [{"channel": "chat", "enabled": False, "settings": {"format": "irc"}}],
            "invalid_channel_settings",
        ),
        (
            [{"channel": "email", "enabled": True}, {"channel": "email", "enabled": False}],
            "validation_error",
        ),
    ):
        status, body = put(*changes)
        assert (status, body["error"]["code"]) == (422, code), body


def test_saving_a_webhook_audits_the_host_never_the_url_or_the_secret(
    api: Api, drain: Callable[[], None]
) -> None:
    person = api.register("audited-hook")
    auth = api.login(person)
    url = "http://127.0.0.1:9/hooks/T0KEN-in-the-path?key=s3cret"
    response = api.http.put(
        PREFERENCES,
        json={"channels": [{"channel": "webhook", "enabled": False, "settings": {"url": url}}]},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    secret = next(c for c in response.json()["channels"] if c["channel"] == "webhook")[
        "shown_once"
    ]["signing_secret"]
    rotated = api.http.put(
        PREFERENCES,
        json={
            "channels": [
                {
                    "channel": "webhook",
                    "enabled": False,
                    "settings": {"url": url},
                    "rotate_secret": True,
                }
            ]
        },
        headers=auth,
    ).json()
    new_secret = rotated["channels"][1]["shown_once"]["signing_secret"]
    assert new_secret != secret
    with unit_of_work() as session:
        entries = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "notification_preferences.updated",
                AuditLog.entity_id == str(person.id),
            )
        ).all()
    assert len(entries) == 2
    assert entries[0].after == {"webhook": {"enabled": False, "host": "127.0.0.1"}}
    assert entries[1].details == {"new_secret": ["webhook"]}
    dump = json.dumps([[e.before, e.after, e.details] for e in entries])
    assert "T0KEN" not in dump and "s3cret" not in dump
    assert secret not in dump and new_secret not in dump
