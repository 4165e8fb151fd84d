"""The timestamps the API accepts: moved to UTC on the way in, and refused (a validation
error, so a 422) where moving them to UTC, or reading them back from PostgreSQL, would fail."""

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from shared.timestamps import AwareUtcDatetime, UtcDatetime


class Bounds(BaseModel):
    bound: UtcDatetime | None = None
    moment: AwareUtcDatetime | None = None


def test_a_bound_without_a_time_zone_is_read_as_utc() -> None:
    naive = Bounds.model_validate({"bound": "2026-01-01T00:00:00"}).bound
    assert naive == datetime(2026, 1, 1, tzinfo=UTC) and naive.tzinfo is UTC


def test_an_offset_is_moved_to_utc() -> None:
    moved = Bounds.model_validate({"moment": "2026-01-01T02:00:00+02:00"}).moment
    assert moved == datetime(2026, 1, 1, tzinfo=UTC) and moved.tzinfo is UTC


def test_a_moment_someone_sets_must_say_its_time_zone() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        Bounds.model_validate({"moment": "2026-01-01T00:00:00"})


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+14:00",  # before year 1 in UTC: Python cannot say it
        "9999-12-31T23:00:00-14:00",  # the year 10000 in UTC: psycopg cannot read it back
        "1899-12-31T23:59:59Z",
        "3000-01-01T00:00:00Z",
    ],
)
@pytest.mark.parametrize("field", ["bound", "moment"])
def test_moments_outside_the_years_every_layer_holds_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match="1900 to 2999"):
        Bounds.model_validate({field: value})


def test_the_edges_of_the_range_are_accepted() -> None:
    assert Bounds.model_validate({"bound": "1900-01-01T00:00:00Z"}).bound
    assert Bounds.model_validate({"moment": "2999-12-31T23:59:59Z"}).moment
