"""The Data retention screen in Debian's Chromium against the running stack: an admin runs a
dry run, then removes personal data (frontend/e2e/retention_flow.mjs, axe-scanned), and the
request decided 25 months ago has lost it while its decision stays."""

import re
import uuid

import httpx
from sqlalchemy import select

from shared.clock import utcnow
from shared.credit.models import CreditRequest
from shared.db import unit_of_work
from shared.retention.models import RetentionRun
from tests.browser.flows import run_flow
from tests.conftest import wait_until
from tests.support import GOOD_APPLICATION, Api, Person, age_decision


def test_an_admin_rehearses_then_removes_personal_data(
    base_url: str, staff: dict[str, Person]
) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        api = Api(http)
        auth = api.login(api.register("retained"))
        request_id = api.submit(auth, **{**GOOD_APPLICATION, "credit_score": 500})["id"]
        wait_until(lambda: api.request(auth, request_id)["status"] == "auto_rejected", 60)
        wait_until(lambda: api.notice_sent(auth, request_id), 60)  # aged with the decision
    age_decision(request_id, days=800)
    started = utcnow()

    output = run_flow("retention_flow.mjs", base_url, staff)

    # The dry run's four scans (two widths, two themes) and the dialog's two.
    assert re.findall(r"axe .*: (\d+) violations", output) == ["0"] * 6, output
    with unit_of_work() as session:
        runs = session.scalars(
            select(RetentionRun)
            .where(
                RetentionRun.started_at >= started, RetentionRun.actor == staff["admin1"].username
            )
            .order_by(RetentionRun.started_at)
        ).all()
        assert [r.dry_run for r in runs] == [True, False]
        assert runs[0].counts["requests"] >= 1 and runs[1].counts["requests"] >= 1
        request = session.get(CreditRequest, uuid.UUID(request_id))
        assert request is not None and request.anonymised_at is not None
        assert request.status == "auto_rejected" and request.decision_reasons
