"""Data retention (`api` function): the retention job's runs, and running it now — dry (the
default: counts, changes nothing) or for real. Admins only (the route table)."""

from typing import Annotated

from fastapi import Query, status

from shared.audit.service import Actor
from shared.http.deps import CurrentUser, DbSession, TableRouter
from shared.messaging.outbox import state_change
from shared.pagination import Cursor, Page, PageSize
from shared.retention import service as retention
from shared.retention.schemas import RetentionRunIn, RetentionRunOut

router = TableRouter()


@router.get("/retention/runs", tags=["operations"])
def list_runs(
    session: DbSession,
    limit: Annotated[PageSize, Query()] = 20,
    cursor: Annotated[Cursor, Query()] = None,
) -> Page[RetentionRunOut]:
    """Every run of the retention job, newest first: dry or not, who, the cutoff, the counts."""
    items, next_cursor = retention.runs(session, cursor, limit)
    return Page(
        items=[RetentionRunOut.model_validate(run) for run in items], next_cursor=next_cursor
    )


@router.post("/retention/runs", status_code=status.HTTP_201_CREATED, tags=["operations"])
def run_now(body: RetentionRunIn, admin: CurrentUser, session: DbSession) -> RetentionRunOut:
    """Run the retention job now, as the daily schedule does: a dry run counts what is due
    and changes nothing; otherwise it anonymises up to one batch. Audited either way."""
    with state_change(session):
        report = retention.run(session, dry_run=body.dry_run, actor=Actor.of(admin))
        return RetentionRunOut.model_validate(session.get(retention.RetentionRun, report.run_id))
