"""Each user's notification channels: reading and changing them (only the user does, through
/users/me/notifications), and which channels a notice goes to."""

import uuid
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record
from shared.errors import InvalidInput
from shared.notifications import channels
from shared.notifications.channels.base import Channel
from shared.notifications.models import NotificationPreference
from shared.notifications.schemas import (
    ChannelPreferenceOut,
    NotificationPreferencesIn,
    NotificationPreferencesOut,
)
from shared.users.identity import Identity


def _rows(
    session: Session, user_id: uuid.UUID, *, lock: bool = False
) -> dict[str, NotificationPreference]:
    query = select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    if lock:
        query = query.with_for_update()
    return {row.channel: row for row in session.scalars(query)}


def _enabled(channel: Channel, row: NotificationPreference | None) -> bool:
    return row.enabled if row is not None else channel.enabled_by_default


def channels_for(
    session: Session, user_id: uuid.UUID
) -> list[tuple[Channel, NotificationPreference | None]]:
    """The channels a notice to this user goes to, with their settings."""
    rows = _rows(session, user_id)
    return [
        (channel, rows.get(channel.name))
        for channel in channels.all_channels()
        if _enabled(channel, rows.get(channel.name))
    ]


def read(session: Session, user: Identity) -> NotificationPreferencesOut:
    """The user's notification channels and their settings, secrets never shown."""
    return _out(_rows(session, user.id), {})


def _out(
    rows: dict[str, NotificationPreference], shown_once: dict[str, dict[str, str]]
) -> NotificationPreferencesOut:
    return NotificationPreferencesOut(
        channels=[
            ChannelPreferenceOut(
                channel=channel.name,
                label=channel.label,
                enabled=_enabled(channel, rows.get(channel.name)),
                settings=channel.public_settings(rows.get(channel.name)),
                shown_once=shown_once.get(channel.name, {}),
            )
            for channel in channels.all_channels()
        ]
    )


def _audited(channel: Channel, row: NotificationPreference | None) -> dict[str, object]:
    """What the audit trail keeps of a channel: on or off, and the URL's host only (a chat
    URL is itself a credential, and paths can hold tokens)."""
    state: dict[str, object] = {"enabled": _enabled(channel, row)}
    url = (row.settings if row is not None else {}).get("url")
    if url:
        state["host"] = urlsplit(url).hostname
    return state


def _detail(loc: list[str | int], message: str) -> list[dict[str, object]]:
    return [{"loc": loc, "msg": message, "type": "value_error"}]


def update(
    session: Session, user: Identity, change: NotificationPreferencesIn
) -> NotificationPreferencesOut:
    """Change the user's channels (audited); a new webhook's secret is shown this once."""
    rows = _rows(session, user.id, lock=True)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    shown_once: dict[str, dict[str, str]] = {}
    rotated: list[str] = []
    for index, wanted in enumerate(change.channels):
        at: list[str | int] = ["channels", index]  # where in the body, as validation errors say
        if wanted.channel not in channels.REGISTRY:
            raise InvalidInput(
                f"There is no {wanted.channel!r} channel.",
                code="unknown_channel",
                details=_detail([*at, "channel"], f"one of {sorted(channels.REGISTRY)}"),
            )
        channel = channels.get(wanted.channel)
        try:
            settings = channel.settings_model.model_validate(wanted.settings)
        except ValidationError as exc:
            raise InvalidInput(
                f"The {channel.label} settings are not valid.",
                code="invalid_channel_settings",
                details=[
                    {"loc": [*at, "settings", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                    for e in exc.errors(include_url=False, include_input=False)
                ],
            ) from exc
        if wanted.rotate_secret and not channel.signs:
            message = f"The {channel.label} channel has no signing secret."
            raise InvalidInput(
                message, code="nothing_to_rotate", details=_detail([*at, "rotate_secret"], message)
            )
        if wanted.enabled and (problem := channel.check_enabled(settings)):
            raise InvalidInput(
                problem, code="channel_incomplete", details=_detail([*at, "settings"], problem)
            )
        row = rows.get(channel.name)
        before[channel.name] = _audited(channel, row)
        if row is None:
            row = NotificationPreference(user_id=user.id, channel=channel.name)
            session.add(row)
            rows[channel.name] = row
        row.enabled = wanted.enabled
        row.settings = settings.model_dump(mode="json")
        if revealed := channel.after_save(row, wanted.rotate_secret):
            shown_once[channel.name] = revealed
            rotated.append(channel.name)
        after[channel.name] = _audited(channel, row)
    record(
        session,
        Actor(user.username, user.id),
        "notification_preferences.updated",
        "user",
        user.id,
        before=before,
        after=after,
        details={"new_secret": rotated} if rotated else None,
    )
    return _out(rows, shown_once)
