"""/stats' time-to-decision median, read from the database's histogram of decision times
(1 % wide buckets, shared.tracking.stats), is within 1 % of the exact median."""

import math
import random
import statistics
from collections import Counter

import pytest

from shared.tracking.stats import histogram_median


def _histogram(seconds: list[float]) -> list[tuple[int, int]]:
    # The bucket the database's trigger files a time under (migration 9d3e5a7c1b20).
    counts = Counter(math.floor(math.log(1 + max(s, 0)) * 100) for s in seconds)
    return sorted(counts.items())


@pytest.mark.parametrize("size", [1, 2, 3, 10, 1001, 5000])
def test_the_median_of_the_buckets_is_within_one_percent(size: int) -> None:
    rnd = random.Random(size)
    seconds = [rnd.lognormvariate(9, 1.5) for _ in range(size)]
    assert histogram_median(_histogram(seconds)) == pytest.approx(
        statistics.median(seconds), rel=0.01
    )


def test_no_decided_stage_has_no_median() -> None:
    assert histogram_median([]) == 0.0
