"""A write's answer is built from what the write itself brought back: values PostgreSQL
computes (`updated_at`'s onupdate) come back with the UPDATE, so serialising the answer reads
nothing more. Were it read on first access instead, PostgreSQL going away between the write
and the answer would surface from the serialiser as a 500 (it did, under tests/faults'
restart) rather than as the transaction's 503."""

import uuid

from sqlalchemy import inspect

from shared.credit.models import CreditRequest
from shared.db import unit_of_work
from tests.support import Api


def test_an_updated_request_holds_its_new_updated_at_without_another_read(api: Api) -> None:
    created = api.submit(api.login(api.register()))
    with unit_of_work() as session:
        request = session.get(CreditRequest, uuid.UUID(created["id"]))
        assert request is not None
        before = request.updated_at
        request.monthly_debt += 1
        session.flush()
        assert "updated_at" not in inspect(request).unloaded
    # Detached now, so a read on access would raise rather than happen: the value is here.
    assert request.updated_at > before
