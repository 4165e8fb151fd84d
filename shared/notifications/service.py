"""The notify step: each workflow event becomes one notice to one person (`notices`), sent
on every channel that person has on (`preferences`; email unless turned off).

Everything happens in the consumer's transaction, which also records the event as handled:
a redelivered event sends nothing twice. The webhook and chat channels only queue their
delivery in that transaction (the outbox); the email channel sends at once, last.

At most EMAILS_PER_REQUEST notifications go out about one credit request on each channel,
whatever loops upstream: past the cap the notification is skipped and the skip audited
(`email.suppressed`, `webhook.suppressed`, ...); the event still counts as handled, so
nothing retries it.
"""

from sqlalchemy.orm import Session

from shared.notifications import notices, preferences
from shared.workflow.events import Envelope


def notify(session: Session, envelope: Envelope) -> None:
    """Tell whoever an event concerns on each channel they chose; channels that send at once
    (email) go last, so a failure on another cannot make them send twice."""
    notice = notices.compose(session, envelope)
    if notice is None:
        return
    targets = preferences.channels_for(session, notice.recipient.id)
    for channel, preference in sorted(targets, key=lambda target: target[0].sends_at_once):
        channel.send(session, notice, preference)
