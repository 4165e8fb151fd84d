"""A conversation entry's rules without a database: what a body may be, how each viewer sees
its author, and what the email says (and leaves out)."""

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.approvals.conversation import MAX_BODY, MessageIn, RequestMessage, _out
from shared.notifications import emails
from shared.users.identity import Identity
from shared.users.models import User
from tests.notification_samples import SAMPLES

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _identity(user: User) -> Identity:
    return Identity.of(user)


def _user(role: str, full_name: str, username: str) -> User:
    return User(
        id=uuid.uuid4(),
        username=username,
        email=f"{username}@example.com",
        full_name=full_name,
        role=role,
        is_active=True,
        created_at=NOW,
        email_verified_at=NOW,
    )


ANALYST = _user("analyst", "Maria Clara Souza", "msouza")
APPLICANT = _user("applicant", "Ana Lima", "ana")


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("Hello", "Hello"),
        ("  two\r\nlines \n", "two\nlines"),
        ("tab\tinside", "tab\tinside"),
        ("<b>not html</b> & co", "<b>not html</b> & co"),  # kept as typed, escaped when shown
        ("x" * MAX_BODY, "x" * MAX_BODY),
    ],
)
def test_a_body_is_plain_text_trimmed(body: str, kept: str) -> None:
    assert MessageIn(body=body).body == kept


@pytest.mark.parametrize(
    "body", ["", "   ", "\n\n", "x" * (MAX_BODY + 1), "bell\x07", "nul\x00", "half \ud800"]
)
def test_an_empty_overlong_or_binary_body_is_refused(body: str) -> None:
    with pytest.raises(ValidationError):
        MessageIn(body=body)


def test_the_kind_is_a_note_or_a_message_and_defaults_to_a_message() -> None:
    assert MessageIn(body="hi").kind == "message"
    assert MessageIn(kind="note", body="hi").kind == "note"
    with pytest.raises(ValidationError):
        MessageIn.model_validate({"kind": "shout", "body": "hi"})
    with pytest.raises(ValidationError):
        MessageIn.model_validate({"body": "hi", "to": "someone"})


def _entry(author: User, kind: str = "message") -> RequestMessage:
    return RequestMessage(
        id=uuid.uuid4(),
        request_id=uuid.uuid4(),
        author_id=author.id,
        kind=kind,
        body="Body",
        created_at=NOW,
    )


def test_the_applicant_sees_staff_by_role_and_first_name_only() -> None:
    seen = _out(_entry(ANALYST), ANALYST, _identity(APPLICANT))
    assert seen.author.model_dump() == {"role": "analyst", "name": "Maria", "username": None}
    assert seen.mine is False


def test_the_applicant_sees_their_own_full_name() -> None:
    seen = _out(_entry(APPLICANT), APPLICANT, _identity(APPLICANT))
    assert seen.author.name == "Ana Lima" and seen.mine is True


def test_staff_see_full_names_and_usernames() -> None:
    seen = _out(_entry(APPLICANT), APPLICANT, _identity(ANALYST))
    assert seen.author.model_dump() == {"role": "applicant", "name": "Ana Lima", "username": "ana"}
    note = _out(_entry(ANALYST, "note"), ANALYST, _identity(ANALYST))
    assert note.kind == "note" and note.mine is True


def test_the_email_escapes_the_message_and_links_the_request_page() -> None:
    email = emails.render(SAMPLES["message_posted_to_applicant"])
    assert email.subject == "New message about credit request 0b5d7e0c"
    assert "&lt;last month&#39;s&gt; payslip &amp; your" in email.html
    assert "<last month's>" not in email.html
    assert "> Could you send <last month's> payslip" in email.text
    assert "http://app.test/requests/0b5d7e0c-7b1e-4a55-9a4e-3f0f5a0f6a01" in email.text
    assert "Maria (manager) wrote" in email.text
