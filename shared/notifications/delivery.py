"""The `deliver_webhook` step: posts one queued webhook or chat delivery to its owner's URL.

A receiver's answer decides what happens (as the Standard Webhooks guidance has it):
- 2xx: delivered; audited (`<channel>.delivered`).
- 410 Gone: the receiver wants no more; the channel is turned off for its owner and audited.
- anything else — other status, a redirect (never followed), a timeout, a refused
  connection: the delivery fails and SQS redelivers it after an exponential backoff with
  jitter (`retry_delay`), honouring a `Retry-After`; after the queue's maxReceiveCount
  (8: about a day with the default 30 s base) it is dead-lettered.
- a URL that now resolves to a forbidden address (see `urls`): refused, not retried.

Idempotent per delivery: the consumer records the delivery's event id in the transaction,
so a duplicate SQS message posts nothing. That id is also the `webhook-id` receivers
deduplicate by, for the one window left (posted, then the commit failed).
The URL is read when sending, so a delivery queued before the owner changed it goes to the
new one, and none goes out once they turned the channel off.
"""

import json
import logging
import random
from dataclasses import dataclass
from functools import cache

import urllib3
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record
from shared.config import get_settings
from shared.notifications import channels, urls
from shared.notifications.channels.base import HttpChannel
from shared.notifications.models import NotificationPreference
from shared.workflow.events import DeliveryEvent, Envelope

logger = logging.getLogger(__name__)
DELIVERER = Actor.system("deliver_webhook")
# SQS's longest visibility timeout is 12 hours counted from the receive, and a longer one is
# refused, not shortened (the queue's 3 minutes would apply): a minute's margin for the time
# the batch has taken so far.
MAX_DELAY_SECONDS = 12 * 3600 - 60
USER_AGENT = "credit-approval-notifications/1"


class DeliveryFailed(Exception):
    def __init__(self, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: int | None


@cache
def _pool_manager() -> urllib3.PoolManager:
    # Made once per process; the connection pools are per destination address.
    return urllib3.PoolManager(num_pools=20, retries=False)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST to the checked address of `url` (never a second DNS answer), TLS verified
    against the URL's own host name, no redirects followed."""
    target = urls.destination(url)
    settings = get_settings()
    timeout = urllib3.Timeout(connect=5, read=settings.webhook_timeout_seconds)
    address = target.address.compressed
    pool_kwargs: dict[str, object] = {"timeout": timeout}
    if target.scheme == "https":
        pool_kwargs |= {"server_hostname": target.host, "assert_hostname": target.host}
    pool = _pool_manager().connection_from_host(
        address, target.port, scheme=target.scheme, pool_kwargs=pool_kwargs
    )
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={
                **headers,
                "Host": host_header,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            retries=False,
        )
    except urllib3.exceptions.HTTPError as exc:
        raise DeliveryFailed(f"no answer: {type(exc).__name__}") from exc
    try:
        response.read(4096, decode_content=False)  # a little, so the connection can be reused
    except urllib3.exceptions.HTTPError:
        pass  # the status is what counts
    finally:
        response.release_conn()
    return Answer(response.status, _retry_after(response.headers.get("Retry-After")))


def _retry_after(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None  # an HTTP date is rare from webhook receivers: the backoff applies
    return int(value.strip())


def retry_delay(receive_count: int, error: Exception) -> int | None:
    """Seconds before the next attempt: base x 4^(attempt-1), +/- 20 % jitter, at least what
    the receiver's Retry-After asked, at most SQS's 12 hours (less a minute). With the default
    30 s base: about 30 s, 2 min, 8 min, 32 min, 2 h, 8.5 h, 12 h. None (the queue's own visibility
    timeout) for failures that are not the receiver's, such as a database outage."""
    if not isinstance(error, DeliveryFailed):
        return None
    base = get_settings().webhook_retry_base_seconds * 4 ** max(0, receive_count - 1)
    delay = base * random.uniform(0.8, 1.2)  # jitter spreads retries; not a secret
    return int(min(MAX_DELAY_SECONDS, max(delay, error.retry_after or 0)))


def _audit(session: Session, event: DeliveryEvent, action: str, **details: object) -> None:
    entity_type, entity_id = (
        ("credit_request", event.request_id)
        if event.request_id is not None
        else ("user", event.user_id)
    )
    record(
        session,
        DELIVERER,
        action,
        entity_type,
        entity_id,
        details={"channel": event.channel, "type": event.body.get("type"), **details},
    )


def deliver(session: Session, envelope: Envelope) -> None:
    """Deliver one queued webhook or chat message, once; a failure is retried by the queue."""
    event = envelope.parsed()
    assert isinstance(event, DeliveryEvent)  # the queue's filter policy admits no other
    channel = channels.get(event.channel)
    assert isinstance(channel, HttpChannel), event.channel
    preference = session.get(NotificationPreference, (event.user_id, event.channel))
    url = preference.settings.get("url") if preference is not None else None
    if preference is None or not preference.enabled or not url:
        logger.info(
            "delivery dropped: the channel was turned off", extra={"channel": event.channel}
        )
        return
    body = json.dumps(event.body, separators=(",", ":"), ensure_ascii=False).encode()
    headers = channel.headers(envelope.event_id, body, preference)
    try:
        answer = post(url, body, headers)
    except urls.HostNotFound as exc:
        # The resolver failed (an outage, or a name that lapsed): the network's failure, not
        # a forbidden address, so retried with backoff like any other.
        raise DeliveryFailed("host not found") from exc
    except urls.UnsafeUrl as exc:
        logger.warning("delivery refused: unsafe destination", extra={"channel": event.channel})
        _audit(session, event, f"{event.channel}.refused", reason=str(exc))
        return
    if 200 <= answer.status < 300:
        _audit(session, event, f"{event.channel}.delivered", status=answer.status)
        return
    if answer.status == 410:
        preference.enabled = False
        _audit(session, event, f"{event.channel}.disabled", status=410, reason="receiver_gone")
        return
    logger.warning(
        "delivery failed; it will be retried",
        extra={"channel": event.channel, "status": answer.status},
    )
    raise DeliveryFailed(f"answered {answer.status}", answer.retry_after)
