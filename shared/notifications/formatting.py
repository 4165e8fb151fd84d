"""Amounts and times as people read them: Babel, for the configured LOCALE and CURRENCY.
Used by every channel, so an email and a chat message say the same thing the same way."""

from datetime import UTC, datetime
from decimal import Decimal

from babel.dates import format_date, format_time
from babel.numbers import format_currency

from shared.config import get_settings


def money(amount: Decimal) -> str:
    """`$150,000.00` for en_US/USD, `R$ 150.000,00` for pt_BR/BRL."""
    settings = get_settings()
    return str(format_currency(amount, settings.currency, locale=settings.locale))


def when(moment: datetime | None) -> str:
    """A date and time in UTC, the locale's way: `December 3, 2026, 9:30 AM UTC`."""
    if moment is None:
        return "—"
    locale = get_settings().locale
    date = format_date(moment.astimezone(UTC), "long", locale=locale)
    time = format_time(moment, "short", tzinfo=UTC, locale=locale)
    return f"{date}, {time} UTC"
