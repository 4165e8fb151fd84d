"""The webhook and chat channels' formats, the signature receivers verify, the retry
schedule, and the URL guard — pure parts, no network (the end-to-end delivery through the
real queues is tests/integration/test_webhook_delivery.py)."""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from shared.config import get_settings
from shared.notifications import channels, urls
from shared.notifications.channels import chat, webhook
from shared.notifications.delivery import DeliveryFailed, retry_delay
from shared.notifications.models import NotificationPreference
from tests.notification_samples import APPROVAL_URL, INBOX_URL, SAMPLES

OCCURRED = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NOTICE = SAMPLES["stage_assigned"]


def _preference(channel: str, **settings: object) -> NotificationPreference:
    return NotificationPreference(
        user_id=uuid.UUID(int=7), channel=channel, enabled=True, settings=settings, key_id=None
    )


def test_the_registry_names_each_channel_once_and_email_is_the_only_default() -> None:
    loaded = channels.all_channels()
    assert [c.name for c in loaded] == list(channels.REGISTRY) == ["email", "webhook", "chat"]
    assert [c.name for c in loaded if c.enabled_by_default] == ["email"]
    assert [c.name for c in loaded if c.sends_at_once] == ["email"]


def test_slack_message_links_to_the_app_page_never_to_the_approval_link() -> None:
    body = chat.CHANNEL.body(NOTICE, _preference("chat", url="https://hooks.example/x"))
    dumped = json.dumps(body)
    assert APPROVAL_URL not in dumped and "/approvals/" not in dumped
    assert body["text"] == "Approval needed: credit request 0b5d7e0c (stage 2 of 3)"
    section, actions = body["blocks"]
    assert section["text"]["type"] == "mrkdwn"
    assert "Due December 3, 2026" in section["text"]["text"]
    [button] = actions["elements"]
    assert button["url"] == INBOX_URL  # the signed-in decision page
    assert button["text"]["text"] == "Open request 0b5d7e0c in Credit Approvals"
    # Chat channels may be shared: no applicant's name, purpose or amount.
    assert "Ana" not in dumped and "Workshop" not in dumped and "150" not in dumped


def test_slack_text_is_escaped_as_slack_requires() -> None:
    assert chat.slack_escape("a <b> & c") == "a &lt;b&gt; &amp; c"


def test_teams_message_is_an_adaptive_card_with_an_open_url_action() -> None:
    body = chat.CHANNEL.body(NOTICE, _preference("chat", url="https://x.example", format="teams"))
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["text"] == "Approval needed: credit request 0b5d7e0c (stage 2 of 3)"
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open request 0b5d7e0c in Credit Approvals",
            "url": INBOX_URL,
        }
    ]
    assert "/approvals/" not in json.dumps(body)


def test_webhook_body_is_a_thin_standard_webhooks_payload() -> None:
    from dataclasses import replace

    body = webhook.CHANNEL.body(replace(NOTICE, occurred_at=OCCURRED), _preference("webhook"))
    assert body == {
        "type": "stage.assigned",
        "timestamp": "2026-12-01T08:00:00+00:00",
        "data": NOTICE.data,
    }
    assert "/approvals/" not in json.dumps(body)


def test_webhook_signature_verifies_with_the_reference_library_and_the_spec() -> None:
    preference = _preference("webhook", url="https://hooks.example/x")
    secret = webhook.CHANNEL.after_save(preference, rotate_secret=False)["signing_secret"]
    delivery_id = uuid.uuid4()
    body = b'{"type":"stage.assigned","data":{"x":1}}'
    headers = webhook.CHANNEL.headers(delivery_id, body, preference)

    assert headers["webhook-id"] == f"msg_{delivery_id.hex}"
    # The reference implementation receivers use accepts it...
    assert Webhook(secret).verify(body, headers) == {"type": "stage.assigned", "data": {"x": 1}}
    # ...and so does the spec, computed by hand: HMAC-SHA256 over "<id>.<timestamp>.<body>".
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert len(key) >= 24  # the spec's minimum secret size
    # A tampered body or another secret fails.
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)
    other = _preference("webhook", url="https://hooks.example/x")
    other_secret = webhook.CHANNEL.after_save(other, rotate_secret=False)["signing_secret"]
    with pytest.raises(WebhookVerificationError):
        Webhook(other_secret).verify(body, headers)


def test_the_signing_secret_is_shown_once_and_rotates() -> None:
    preference = _preference("webhook", url="https://hooks.example/x")
    first = webhook.CHANNEL.after_save(preference, rotate_secret=False)
    assert first["signing_secret"].startswith("whsec_")
    assert preference.key_id is not None and preference.key_id not in first["signing_secret"]
    assert webhook.CHANNEL.after_save(preference, rotate_secret=False) == {}  # not again
    assert webhook.CHANNEL.public_settings(preference) == {
        "url": "https://hooks.example/x",
        "signing_secret_set": True,
    }
    rotated = webhook.CHANNEL.after_save(preference, rotate_secret=True)
    assert rotated["signing_secret"] != first["signing_secret"]
    assert webhook.signing_secret(preference) == rotated["signing_secret"]  # derivable again


def test_no_secret_before_the_webhook_has_a_url() -> None:
    preference = _preference("webhook")
    assert webhook.CHANNEL.after_save(preference, rotate_secret=False) == {}
    assert preference.key_id is None


def test_retries_back_off_exponentially_with_jitter_and_honour_retry_after() -> None:
    base = get_settings().webhook_retry_base_seconds
    failure = DeliveryFailed("answered 503")
    for attempt in range(1, 8):
        delay = retry_delay(attempt, failure)
        assert delay is not None
        expected = min(base * 4 ** (attempt - 1), 12 * 3600 - 60)
        assert 0.8 * expected - 1 <= delay <= min(1.2 * expected, 12 * 3600 - 60)
    # SQS's longest visibility timeout, counted from the receive (a longer one is refused).
    assert retry_delay(20, failure) == 12 * 3600 - 60
    assert retry_delay(1, DeliveryFailed("503", retry_after=86400)) == 12 * 3600 - 60
    assert (retry_delay(1, DeliveryFailed("429", retry_after=600)) or 0) >= 600
    assert retry_delay(1, RuntimeError("database down")) is None  # the queue's own timeout


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://169.254.169.254/latest/meta-data/", "link-local or cloud metadata"),
        ("http://169.254.170.2/v2/credentials", "link-local or cloud metadata"),
        ("https://[fe80::1]/hook", "link-local or cloud metadata"),
        ("https://[fd00:ec2::254]/", "link-local or cloud metadata"),
        ("https://[::ffff:169.254.169.254]/", "link-local or cloud metadata"),
        ("https://100.100.100.200/", "link-local or cloud metadata"),
        ("https://0.0.0.0/", "reserved, multicast or unspecified"),
        ("https://224.0.0.1/", "reserved, multicast or unspecified"),
        ("ftp://example.com/", "must start with https://"),
        ("https://user:pass@example.com/", "user name or password"),
        ("https:///nohost", "no host"),
        ("https://example.com/a#frag", "spaces or a #fragment"),
    ],
)
def test_urls_refused_in_every_mode(url: str, problem: str) -> None:
    assert get_settings().is_local  # the tests run in test mode: these are refused even here
    with pytest.raises(urls.UnsafeUrl, match=problem):
        urls.validate(url)


def test_local_mode_allows_a_receiver_on_this_machine() -> None:
    assert urls.validate("http://127.0.0.1:8080/hook?x=1") == "http://127.0.0.1:8080/hook?x=1"
    target = urls.destination("http://127.0.0.1:8080/hook?x=1")
    assert (target.host, target.port, target.path, str(target.address)) == (
        "127.0.0.1",
        8080,
        "/hook?x=1",
        "127.0.0.1",
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://93.184.216.34/hook", "must start with https://"),
        ("https://127.0.0.1/hook", "private, loopback"),
        ("https://10.1.2.3/hook", "private, loopback"),
        ("https://192.168.1.10/hook", "private, loopback"),
        ("https://[::1]/hook", "private, loopback"),
        ("https://100.64.0.1/hook", "private, loopback"),
        ("https://localhost/hook", "private, loopback"),
    ],
)
def test_production_refuses_plain_http_and_internal_addresses(
    monkeypatch: pytest.MonkeyPatch, url: str, problem: str
) -> None:
    monkeypatch.setattr(get_settings(), "environment", "production")
    with pytest.raises(urls.UnsafeUrl, match=problem):
        urls.validate(url)
    with pytest.raises(urls.UnsafeUrl, match=problem):
        urls.destination(url)  # checked again at delivery, after resolving


def test_production_accepts_a_public_https_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "environment", "production")
    assert urls.validate("https://93.184.216.34/hook") == "https://93.184.216.34/hook"


def test_a_name_is_checked_by_what_it_resolves_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS can point a harmless-looking name at the metadata service: the address counts."""
    monkeypatch.setattr(
        urls.socket,
        "getaddrinfo",
        lambda *_a, **_k: [(2, 1, 6, "", ("169.254.169.254", 443))],
    )
    with pytest.raises(urls.UnsafeUrl, match="link-local"):
        urls.validate("https://innocent.example/hook")
    with pytest.raises(urls.UnsafeUrl, match="link-local"):
        urls.destination("https://innocent.example/hook")
