"""Accounts, attacked the way issue 10 §9 found them open: registration without a limit (each
account another hourly submission budget) and without a verified address, and no way back
into an account but an administrator. Registration is now throttled per client address; an
address is verified by a signed, expiring link before the account may submit or get workflow
email; a forgotten password is reset by a signed, single-use, 30-minute emailed link that
signs out every session, and asking for one says nothing about which addresses have accounts."""

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shared.audit.models import AuditLog
from shared.auth import account_links, tokens
from shared.clock import utcnow
from shared.config import get_settings
from shared.db import unit_of_work
from shared.messaging.models import OutboxEvent
from shared.users.models import User
from tests.conftest import Mailbox
from tests.security.conftest import client_at, unique_address
from tests.support import GOOD_APPLICATION, Api, Person

VERIFY_LINK = re.compile(r"/verify-email\?token=([A-Za-z0-9_\-.]+)")
RESET_LINK = re.compile(r"/reset-password\?token=([A-Za-z0-9_\-.]+)")
NEW_PASSWORD = "a-brand-new-passphrase-7"


def _body(name: str) -> dict[str, str]:
    username = f"{name}-{uuid.uuid4().hex[:10]}"
    return {
        "username": username,
        "email": f"{username}@example.com",
        "password": "applicant-password-1",
        "full_name": "Throttle Tester",
    }


def _link(mailbox: Mailbox, address: str, pattern: re.Pattern[str]) -> str:
    found = [m for m in mailbox.to(address) if pattern.search(m["Body"]["text_part"])]
    assert found, f"no email with a link to {address}"
    match = pattern.search(found[-1]["Body"]["text_part"])
    assert match
    return match.group(1)


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _audited(action: str, user_id: uuid.UUID) -> list[AuditLog]:
    with unit_of_work() as session:
        return list(
            session.scalars(
                select(AuditLog).where(
                    AuditLog.action == action, AuditLog.entity_id == str(user_id)
                )
            )
        )


# --- registration throttle --------------------------------------------------------------


def test_registration_is_throttled_per_client_address(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "registrations_per_address", 3)
    http = client_at(unique_address())
    for _ in range(3):
        assert http.post("/api/v1/users", json=_body("burst")).status_code == 201
    refused = http.post("/api/v1/users", json=_body("burst"))
    assert _error(refused) == (429, "registration_throttled")
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= 3600
    assert refused.json()["error"]["details"] == {"retry_after": retry_after}
    # Another address registers: only the one address is held back.
    assert client_at(unique_address()).post("/api/v1/users", json=_body("other")).status_code == 201


# --- email verification -----------------------------------------------------------------


def test_an_unverified_account_signs_in_and_reads_but_cannot_submit_until_it_follows_the_link(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    person = api.register(verified=False)
    auth = api.login(person)
    assert api.http.get("/api/v1/users/me", headers=auth).json()["email_verified"] is False
    assert api.http.get("/api/v1/credit-requests", headers=auth).status_code == 200
    refused = api.http.post("/api/v1/credit-requests", json=GOOD_APPLICATION, headers=auth)
    assert _error(refused) == (403, "email_not_verified")
    drain()  # the welcome email, with the link
    token = _link(mailbox, person.email, VERIFY_LINK)
    verified = api.http.post("/api/v1/email-verifications", json={"token": token})
    assert verified.status_code == 200, verified.text
    assert verified.json() == {"email_verified": True}
    assert api.http.get("/api/v1/users/me", headers=auth).json()["email_verified"] is True
    assert api.submit(auth)["status"] == "submitted"
    assert len(_audited("user.email_verified", person.id)) == 1
    # Following it again changes nothing and audits nothing more.
    assert api.http.post("/api/v1/email-verifications", json={"token": token}).status_code == 200
    assert len(_audited("user.email_verified", person.id)) == 1


def test_verification_links_are_bound_to_type_user_address_and_time(api: Api) -> None:
    person = api.register(verified=False)
    access = api.login(person)["Authorization"].removeprefix("Bearer ")

    def verify(token: str) -> tuple[int, str]:
        return _error(api.http.post("/api/v1/email-verifications", json={"token": token}))

    assert verify(access) == (404, "link_invalid")  # another kind of token
    assert verify("not-a-token") == (404, "link_invalid")
    other_address = account_links.verification_token(person.id, "someone-else@example.com")
    assert verify(other_address) == (404, "link_invalid")
    expired = tokens.issue(
        tokens.TokenType.EMAIL_VERIFICATION,
        person.id,
        timedelta(seconds=-1),
        extra={"email": person.email},
    ).token
    assert verify(expired) == (410, "link_expired")
    with unit_of_work() as session:
        user = session.get(User, person.id)
        assert user is not None and user.email_verified_at is None


def test_a_new_link_can_be_asked_for_while_unverified_only(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    person = api.register(verified=False)
    auth = api.login(person)
    drain()
    welcome = len(mailbox.to(person.email))
    resend = api.http.post("/api/v1/users/me/email-verification", headers=auth)
    assert resend.status_code == 202
    drain()
    emails = mailbox.to(person.email)
    assert len(emails) == welcome + 1
    assert emails[-1]["Subject"].startswith("Confirm your email address")
    token = _link(mailbox, person.email, VERIFY_LINK)
    assert api.http.post("/api/v1/email-verifications", json={"token": token}).status_code == 200
    again = api.http.post("/api/v1/users/me/email-verification", headers=auth)
    assert _error(again) == (409, "already_verified")


def test_no_workflow_email_goes_to_an_unverified_address(
    api: Api,
    staff: dict[str, Person],
    drain: Callable[[], None],
    mailbox: Mailbox,
) -> None:
    """An unverified account made an analyst gets its stage, but no email about it (the
    assignment is in their inbox); the skip is audited."""
    admin = api.login(staff["admin1"])
    unverified = api.register("aaaa", verified=False)
    promoted = api.http.patch(
        f"/api/v1/users/{unverified.id}", json={"role": "analyst"}, headers=admin
    )
    assert promoted.status_code == 200
    try:
        drain()
        before = len(mailbox.to(unverified.email))  # the welcome: an account email
        applicant = api.register()
        auth = api.login(applicant)
        request_id = api.submit(auth)["id"]
        drain()
        stage = api.request(admin, request_id)["stages"][0]
        assert stage["assignee"] == unverified.username
        assert len(mailbox.to(unverified.email)) == before
        with unit_of_work() as session:
            skipped = session.scalars(
                select(AuditLog).where(
                    AuditLog.action == "email.suppressed",
                    AuditLog.entity_id == request_id,
                )
            ).all()
        assert [s.details["reason"] for s in skipped if s.details] == ["email_not_verified"]
    finally:
        api.http.patch(
            f"/api/v1/users/{unverified.id}",
            json={"role": "applicant", "is_active": False},
            headers=admin,
        )


# --- password reset ---------------------------------------------------------------------


def _ask_reset(api: Api, email: str) -> Any:
    return api.http.post("/api/v1/password-resets", json={"email": email})


def _reset(api: Api, token: str, password: str = NEW_PASSWORD) -> Any:
    return api.http.post(
        "/api/v1/password-resets/confirm", json={"token": token, "password": password}
    )


def test_a_password_reset_link_sets_a_new_password_once_and_signs_out_every_session(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    person = api.register()
    auth = api.login(person)
    tokens_before = api.http.post(
        "/api/v1/token", data={"username": person.username, "password": person.password}
    ).json()
    asked = _ask_reset(api, person.email.upper())  # any case: it is the same address
    assert asked.status_code == 202
    drain()
    token = _link(mailbox, person.email, RESET_LINK)
    weak = _reset(api, token, "qwertyuiop")
    assert _error(weak) == (422, "weak_password")
    done = _reset(api, token)
    assert done.status_code == 204, done.text
    # Single use: the second try is refused, and changes nothing.
    assert _error(_reset(api, token, "yet-another-passphrase-9")) == (410, "link_used")
    # Every session ended: access tokens and refresh tokens alike.
    assert _error(api.http.get("/api/v1/users/me", headers=auth)) == (401, "token_revoked")
    refreshed = api.http.post(
        "/api/v1/refresh", json={"refresh_token": tokens_before["refresh_token"]}
    )
    assert refreshed.status_code == 401
    old = api.http.post(
        "/api/v1/token", data={"username": person.username, "password": person.password}
    )
    assert old.status_code == 401
    new = Person(person.id, person.username, person.email, NEW_PASSWORD, person.role)
    assert api.login(new)
    assert len(_audited("user.password_reset_requested", person.id)) == 1
    [reset] = _audited("user.password_reset", person.id)
    assert reset.details == {"sessions_revoked": 2}


def test_asking_for_a_reset_says_nothing_about_which_addresses_have_accounts(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    person = api.register()
    ghost = f"ghost-{uuid.uuid4().hex[:10]}@example.com"
    known, unknown = _ask_reset(api, person.email), _ask_reset(api, ghost)
    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json() == unknown.json()
    drain()
    assert mailbox.to(ghost) == []
    with unit_of_work() as session:
        events = session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.event_type == "user.password_reset_requested",
                OutboxEvent.payload["user_id"].astext == str(person.id),
            )
        ).all()
    assert len(events) == 1


def test_reset_requests_are_throttled_per_address_asked_for_and_per_client(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "password_resets_per_account", 2)
    monkeypatch.setattr(settings, "password_resets_per_address", 3)
    person = api.register()
    for _ in range(2):
        assert _ask_reset(Api(client_at(unique_address())), person.email).status_code == 202
    refused = _ask_reset(Api(client_at(unique_address())), person.email)
    assert _error(refused) == (429, "password_reset_throttled")
    assert int(refused.headers["Retry-After"]) > 0
    one_client = Api(client_at(unique_address()))
    for _ in range(3):
        ghost = f"ghost-{uuid.uuid4().hex[:10]}@example.com"
        assert _ask_reset(one_client, ghost).status_code == 202
    assert _error(_ask_reset(one_client, "x" + person.email)) == (429, "password_reset_throttled")


def test_reset_links_expire_and_are_bound_to_their_type(api: Api) -> None:
    person = api.register()
    with unit_of_work() as session:
        user = session.get(User, person.id)
        assert user is not None
        # Asked for 31 minutes ago: the link would be dead on arrival, so none is made.
        assert account_links.reset_token(user, utcnow() - timedelta(minutes=31)) is None
        stale = tokens.issue(
            tokens.TokenType.PASSWORD_RESET,
            user.id,
            timedelta(seconds=-1),
            extra={"pwd": account_links.password_fingerprint(user.password_hash)},
        ).token
        verification = account_links.verification_token(user.id, user.email)
    assert _error(_reset(api, stale)) == (410, "link_expired")
    assert _error(_reset(api, verification)) == (404, "link_invalid")
    assert api.login(person)  # the password is unchanged
