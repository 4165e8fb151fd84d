"""The timestamps the API accepts: converted to UTC on the way in, and within years every
layer can hold. A moment that Python can parse but not move to UTC (`0001-01-01T00:00+14:00`)
or that PostgreSQL would store but psycopg could not read back (`9999-12-31T23:00-14:00` is
the year 10000 in UTC) is refused with a 422 before anything compares or stores it."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)  # exclusive


OUT_OF_RANGE = f"must lie in the years {EARLIEST.year} to {LATEST.year - 1} (UTC)"


def _in_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # past year 9999 or before year 1 once in UTC
        raise ValueError(OUT_OF_RANGE) from None
    if not EARLIEST <= moment < LATEST:
        raise ValueError(OUT_OF_RANGE)
    return moment


# A filter's bound: one without a time zone is read as UTC, as the web app's days are.
UtcDatetime = Annotated[datetime, AfterValidator(_in_utc)]
# A moment someone sets (an absence, a policy's start): the time zone must be said.
AwareUtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
