"""The notify step: each workflow event becomes one notice to one person (`notices`), sent
on every channel that person has on (`preferences`; email unless turned off).

Everything happens in the consumer's transaction, which also records the event as handled:
a redelivered event sends nothing twice. The webhook and chat channels only queue their
delivery in that transaction (the outbox); the email channel sends at once, last.

At most EMAILS_PER_REQUEST notifications go out about one credit request on each channel,
whatever loops upstream: past the cap the notification is skipped and the skip audited
(`email.suppressed`, `webhook.suppressed`, ...); the event still counts as handled, so
nothing retries it.

Account emails (welcome, verification, password reset) go by email only, whatever the
user's channels: they are about the address itself. Every other email waits until the
address is verified; until then it is skipped and the skip audited (`email.suppressed`,
reason `email_not_verified`).

Adverse action notices (`adverse_action`) go by email whatever the user's channels, past the
per-request cap, and are marked sent when the email is; one left unsent is what the
`AdverseActionNoticeOverdue` alert finds.
"""

from sqlalchemy.orm import Session

from shared.notifications import adverse_action, channels, notices, preferences
from shared.notifications.channels.base import audit
from shared.workflow.events import Envelope


def notify(session: Session, envelope: Envelope) -> None:
    """Tell whoever an event concerns on each channel they chose; channels that send at once
    (email) go last, so a failure on another cannot make them send twice."""
    notice = notices.compose(session, envelope)
    if notice is None:
        return
    email = channels.get("email")
    if notice.account:
        email.send(session, notice, None)
        return
    targets = preferences.channels_for(session, notice.recipient.id)
    if notice.adverse_action_notice_id is not None and not any(c is email for c, _ in targets):
        targets.append((email, None))  # a notice the law requires: by email whatever they chose
    if not notice.recipient.email_verified and any(c is email for c, _ in targets):
        targets = [(c, p) for c, p in targets if c is not email]
        audit(session, notice, "email.suppressed", reason="email_not_verified")
    for channel, preference in sorted(targets, key=lambda target: target[0].sends_at_once):
        channel.send(session, notice, preference)
    if notice.adverse_action_notice_id is not None and any(c is email for c, _ in targets):
        # The email channel sends such a notice past the cap: it went out just now.
        adverse_action.mark_sent(session, notice.adverse_action_notice_id)
