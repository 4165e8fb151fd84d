"""The benchmarks' targets table (benchmarks/report.py)."""

from benchmarks.report import Target, targets_table


def test_each_target_is_shown_beside_its_limit_and_whether_it_was_met() -> None:
    lines = targets_table(
        "Targets",
        [
            Target("P2 health req/s", 0.57, 0.8, at_most=False),
            Target("P4 requests lost", 0, 0, at_most=True, unit=""),
        ],
    )
    assert lines[0] == "Targets"
    assert lines[2].split() == ["P2", "health", "req/s", "0.57x", ">=", "0.8x", "MISSED"]
    assert lines[3].split() == ["P4", "requests", "lost", "0", "<=", "0", "met"]


def test_a_run_that_measured_no_target_says_so() -> None:
    # BENCH_SKIP may leave out every section that has a target (the step costs alone).
    assert targets_table("Targets", []) == ["Targets", "no figure with a target was measured"]
