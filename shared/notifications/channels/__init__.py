"""The notification channels. One line per channel: its name and the module whose `CHANNEL`
implements it (`base.Channel`; see base.py for how to write one). Modules load at first use,
so a function loads only the channels it uses."""

import importlib
from functools import cache

from shared.notifications.channels.base import Channel

REGISTRY: dict[str, str] = {
    "email": "shared.notifications.channels.email",
    "webhook": "shared.notifications.channels.webhook",
    "chat": "shared.notifications.channels.chat",
}


@cache
def get(name: str) -> Channel:
    """The registered channel called `name` (its module is imported on first use)."""
    channel = importlib.import_module(REGISTRY[name]).CHANNEL
    assert isinstance(channel, Channel) and channel.name == name, REGISTRY[name]
    return channel


def all_channels() -> list[Channel]:
    """Every registered channel, in the registry's order."""
    return [get(name) for name in REGISTRY]
