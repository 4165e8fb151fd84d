"""The soak's summary (benchmarks/soak.py): what it calls a server error, how it measures a
process's memory growth, how it groups samples by minute, and how it splits the stages between
the app and the emailed link. The figures themselves come from a run, not from a test."""

import base64
import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from benchmarks import harness, soak


def test_answers_are_counted_by_status_class_and_server_errors_named_by_route() -> None:
    answers: Counter[tuple[str, int]] = Counter(
        {
            ("POST /credit-requests", 202): 100,
            ("GET /credit-requests", 200): 40,
            ("GET /credit-requests", 304): 60,
            ("POST /approval-links/{token}", 409): 2,
            ("GET /stats", 503): 1,
            ("GET /approvals", 0): 3,
        }
    )
    assert soak.by_class(answers) == {"2xx": 140, "3xx": 60, "4xx": 2, "5xx": 1, "error": 3}
    # A 409 is an answer the API promises; a 5xx or no answer at all is what the soak hunts.
    assert soak.server_errors(answers) == {"GET /approvals no answer": 3, "GET /stats 503": 1}


def test_growth_compares_the_first_minute_of_traffic_with_the_last() -> None:
    series = [
        (0.0, 100.0),
        (30.0, 110.0),  # first minute: mean 105
        (300.0, 400.0),  # the middle counts for the peak only
        (550.0, 120.0),
        (590.0, 130.0),  # last minute before 600 s: mean 125
        (650.0, 90.0),  # the drain, after the traffic
    ]
    measured = soak.growth(series, end=600)
    assert (measured.first_mb, measured.last_mb, measured.peak_mb) == (105, 125, 400)
    assert measured.mb == 20
    assert measured.percent == pytest.approx(19.05, abs=0.01)


def test_growth_needs_samples_at_both_ends() -> None:
    with pytest.raises(ValueError):
        soak.growth([(0.0, 100.0), (30.0, 100.0)], end=600)


def test_samples_are_grouped_by_minute_from_the_start() -> None:
    grouped = soak.per_minute([(0.0, 1.0), (59.9, 2.0), (60.0, 3.0), (185.0, 4.0)])
    assert grouped == {0: [1.0, 2.0], 1: [3.0], 3: [4.0]}


def test_each_stage_goes_to_one_flow_and_about_half_to_each() -> None:
    stages = [str(uuid.uuid4()) for _ in range(2000)]
    by_link = sum(soak.stage_by_link(s) for s in stages)
    assert 800 < by_link < 1200
    rejected = sum(soak.rejects(s) for s in stages)
    assert 100 < rejected < 300
    # Rejections fall in both halves, so both flows reject.
    assert any(soak.rejects(s) and soak.stage_by_link(s) for s in stages)
    assert any(soak.rejects(s) and not soak.stage_by_link(s) for s in stages)


def test_a_link_token_names_its_stage() -> None:
    stage = str(uuid.uuid4())
    claims = base64.urlsafe_b64encode(json.dumps({"stage": stage}).encode()).rstrip(b"=")
    assert soak.link_stage(f"header.{claims.decode()}.signature") == stage


def test_a_request_that_never_reached_its_approver_is_placed_where_it_stopped() -> None:
    at = datetime(2026, 11, 30, tzinfo=UTC)
    journeys = {
        "emailed": dict.fromkeys(soak.JOURNEY, at),
        "scored": {"credit_request.created": at, "credit_request.scored": at},
        "chained": dict.fromkeys(soak.JOURNEY[:3], at),
        "also chained": dict.fromkeys(soak.JOURNEY[:3], at),
        "unseen": {},
    }
    assert soak.stopped_at(journeys) == {
        "credit_request.scored": 1,
        "credit_request.chain_built": 2,
        "submitted": 1,
    }


def test_the_report_names_server_errors_growth_and_each_minute() -> None:
    start = datetime(2026, 11, 30, 9, tzinfo=UTC)
    queues = dict.fromkeys(soak._queue_names(), 0) | {"notify": 7, "score-dlq": 1}
    queues[harness.IN_FLIGHT] = 3
    samples = [
        soak.Sample(at, {"gateway": 100 + at / 10, "runner": 80.0}, queues if at else {}, 3.0)
        for at in (0.0, 30.0, 60.0, 90.0, 120.0, 150.0)
    ]
    run = soak.Run(httpx.AsyncClient(), deadline=0)
    run.answers.update({("POST /credit-requests", 202): 2, ("GET /stats", 502): 1})
    journeys = {
        "a": {"credit_request.created": start, "approver_email": start + timedelta(seconds=2)},
        "b": {"credit_request.created": start + timedelta(seconds=70)},
    }
    outcome = soak.Outcome(
        rate=1,
        seconds=120,
        applicants=1,
        started_at=start,
        ids=["a", "b"],
        run=run,
        samples=samples,
        journeys=journeys,
        traffic_end=120,
        reached=1,
        drained=30,
    )
    lines = soak.report(outcome)
    text = "\n".join(lines)
    assert "5xx or no answer: GET /stats 502 x1" in text
    assert "1 stopped at credit_request.created" in text
    assert "queue depths unreadable in 1 of 6 samples" in text
    # gateway: 101.5 MB in the first minute (0 and 30 s), 109 in the last (60-120 s).
    assert "gateway    101.5 ->   109.0 (+7.5 MB, +7.4%), peak 115.0" in text
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["min", "subm"])
    rows = [line.split() for line in lines[header + 1 :]]
    # minute, created, p50, p95, score, route, notify, webhook, DLQs, in flight, gateway MB,
    # runner MB, load
    assert rows[0] == [
        *("1", "1", "2.00", "2.00"),
        *("0", "0", "7", "0", "1", "3"),
        *("103.0", "80.0", "3.0"),
    ]
    assert rows[1][:4] == ["2", "1", "-", "-"]
    assert rows[2][0] == "+3"
