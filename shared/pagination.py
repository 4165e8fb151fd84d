"""One keyset pagination for every list: an ordered key (the sort columns, ending in a unique
one), a page size, and an opaque cursor naming the last row seen.

A cursor is `<payload>.<mac>`, both base64url without padding: the payload is the sort's name
and the last row's key values as JSON, the MAC an HMAC-SHA256 of it under SECRET_KEY. So a
client can hand a cursor back but not forge or edit one, and every value is type- and
range-checked again on the way in: a cursor that is not exactly one this API issued for this
sort answers 422 `invalid_cursor`, never a database error.
"""

import base64
import binascii
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from shared.config import get_settings
from shared.errors import InvalidInput

CURSOR_MAX_LENGTH = 512
_MAC_BYTES = 16


Cursor = Annotated[
    str | None,
    Field(
        max_length=CURSOR_MAX_LENGTH,
        description="The `next_cursor` of the previous page; omit for the first page.",
    ),
]
PageSize = Annotated[int, Field(ge=1, le=100, description="Items per page (1-100).")]


class Page[T](BaseModel):
    """One page of a list, newest or smallest first as its sort says."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class Kind:
    """How one key column travels in a cursor: `dump` to JSON, `load` back, refusing
    anything the column could not hold."""

    def dump(self, value: Any) -> str:
        return str(value)

    def load(self, raw: object) -> Any:
        raise NotImplementedError


class TimestampKind(Kind):
    def dump(self, value: Any) -> str:
        return str(value.isoformat())

    def load(self, raw: object) -> datetime:
        if not isinstance(raw, str) or len(raw) > 40:
            raise ValueError("not a timestamp")
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError("timestamp without a time zone")
        return value


@dataclass(frozen=True)
class DecimalKind(Kind):
    """A NUMERIC(digits, places) column: bounded, so no exponent can overflow the database."""

    digits: int
    places: int

    def load(self, raw: object) -> Decimal:
        whole = self.digits - self.places
        if not isinstance(raw, str) or not re.fullmatch(
            rf"-?\d{{1,{whole}}}(\.\d{{1,{self.places}}})?", raw
        ):
            raise ValueError("not a decimal of this column")
        return Decimal(raw)


class UUIDKind(Kind):
    def load(self, raw: object) -> uuid.UUID:
        if not isinstance(raw, str) or len(raw) != 36:
            raise ValueError("not a uuid")
        return uuid.UUID(raw)


class BigIntKind(Kind):
    def dump(self, value: Any) -> str:
        return str(int(value))

    def load(self, raw: object) -> int:
        if not isinstance(raw, str) or not re.fullmatch(r"-?\d{1,19}", raw):
            raise ValueError("not an integer")
        value = int(raw)
        if not -(2**63) <= value < 2**63:
            raise ValueError("integer out of range")
        return value


@dataclass(frozen=True)
class TextKind(Kind):
    max_length: int

    def load(self, raw: object) -> str:
        if not isinstance(raw, str) or not 0 < len(raw) <= self.max_length or "\x00" in raw:
            raise ValueError("not a text key")
        return raw


TIMESTAMP = TimestampKind()
UUID = UUIDKind()
BIGINT = BigIntKind()


@dataclass(frozen=True)
class Key:
    column: InstrumentedAttribute[Any]
    kind: Kind


@dataclass(frozen=True)
class Keyset:
    """A sort order: its name as clients give it, and the key columns (the last unique)."""

    name: str
    keys: tuple[Key, ...]
    descending: bool = False

    def values_of(self, row: Any) -> list[Any]:
        return [getattr(row, key.column.key) for key in self.keys]


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    if "=" in text:
        raise ValueError("cursors carry no padding")
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


@cache
def _mac_key() -> bytes:
    # Derived, so a cursor's MAC can never double as another use of SECRET_KEY.
    secret = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(secret, b"pagination-cursor", hashlib.sha256).digest()


def _mac(payload: bytes) -> bytes:
    return hmac.new(_mac_key(), payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode(keyset: Keyset, values: Sequence[Any]) -> str:
    """The cursor that continues after a row whose key is `values`."""
    payload = json.dumps(
        [keyset.name, [key.kind.dump(v) for key, v in zip(keyset.keys, values, strict=True)]],
        separators=(",", ":"),
    ).encode()
    return f"{_b64encode(payload)}.{_b64encode(_mac(payload))}"


def decode(keyset: Keyset, cursor: str) -> list[Any]:
    """The key values a cursor carries, if this API issued it for this sort; else 422."""
    try:
        if len(cursor) > CURSOR_MAX_LENGTH:
            raise ValueError("cursor too long")
        encoded_payload, encoded_mac = cursor.split(".")
        payload, mac = _b64decode(encoded_payload), _b64decode(encoded_mac)
        if not hmac.compare_digest(mac, _mac(payload)):
            raise ValueError("not a cursor this API issued")
        name, raw_values = json.loads(payload)
        if name != keyset.name:
            raise ValueError("the cursor was made for another sort order")
        if not isinstance(raw_values, list) or len(raw_values) != len(keyset.keys):
            raise ValueError("the cursor does not fit this sort order")
        return [key.kind.load(raw) for key, raw in zip(keyset.keys, raw_values, strict=True)]
    except (ValueError, TypeError, binascii.Error, InvalidOperation) as exc:
        raise InvalidInput(
            "The cursor is not valid for this query.",
            code="invalid_cursor",
            details=[{"loc": ["query", "cursor"], "msg": str(exc), "type": "invalid_cursor"}],
        ) from exc


def page_query[R](query: Select[R], keyset: Keyset, cursor: str | None, limit: int) -> Select[R]:
    """The statement `paginate` runs: `query` in `keyset` order after `cursor`, one row more
    than `limit` (to tell whether a next page exists). Public so the query-plan benchmark
    explains exactly what the API runs."""
    columns = [key.column for key in keyset.keys]
    if cursor is not None:
        last, key = tuple(decode(keyset, cursor)), tuple_(*columns)
        query = query.where(key < last if keyset.descending else key > last)
    order = [c.desc() if keyset.descending else c.asc() for c in columns]
    return query.order_by(*order).limit(limit + 1)


def paginate[R](
    session: Session, query: Select[R], keyset: Keyset, cursor: str | None, limit: int
) -> tuple[list[R], str | None]:
    """One page of the entities `query` selects, in `keyset` order after `cursor`, and the
    cursor of the next page (None on the last)."""
    rows = list(session.scalars(page_query(query, keyset, cursor, limit)))
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    return page, encode(keyset, keyset.values_of(page[-1]))
