"""A CSV export's cells never run as spreadsheet formulas: text a spreadsheet would read as
one gets a leading quote, whatever spaces or full-width signs hide its start; anything else
is written as it is."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shared.tracking.exports import cell


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "\n=1",
        "  =1+1",  # leading spaces are skipped by spreadsheets
        "\uff1dHYPERLINK(1)",  # full-width equals sign
        "\uff0b1",  # full-width plus
        "\uff0d1",  # full-width hyphen-minus
        "\uff20SUM(A1)",  # full-width at
    ],
)
def test_formula_like_text_is_quoted(text: str) -> None:
    assert cell(text) == f"'{text}"


@pytest.mark.parametrize("text", ["Kitchen", "a=b", "1-2", "e-mail", "Renovation: +2 rooms"])
def test_other_text_is_written_as_it_is(text: str) -> None:
    assert cell(text) == text


def test_numbers_and_times_are_exact_and_never_quoted() -> None:
    assert cell(Decimal("-12.50")) == "-12.50"
    assert cell(datetime(2026, 12, 3, 10, 0, tzinfo=UTC)) == "2026-12-03T10:00:00+00:00"
    assert cell(None) == ""
