"""Out-of-office and delegation (`api` function): a staff user's own absences under
/users/me, and any user's for an administrator (the route table gives the roles)."""

import uuid

from fastapi import status

from shared.approvals import delegation
from shared.approvals.schemas import AbsenceIn, AbsenceOut, DelegateCandidate
from shared.http.deps import CurrentUser, DbSession, TableRouter
from shared.http.errors import declared
from shared.messaging.outbox import state_change

router = TableRouter()


@router.get("/users/me/absences", tags=["users"])
def my_absences(user: CurrentUser, session: DbSession) -> list[AbsenceOut]:
    """Your out-of-office windows, latest first, with their delegate and state."""
    return delegation.list_for(session, user, user.id)


@router.get("/users/me/absences/delegates", tags=["users"])
def my_delegates(user: CurrentUser, session: DbSession) -> list[DelegateCandidate]:
    """Who may hold your stages while you are away: active users of your level or higher."""
    return delegation.candidates(session, user, user.id)


@router.post(
    "/users/me/absences",
    status_code=status.HTTP_201_CREATED,
    tags=["users"],
    responses=declared(409),
)
def set_my_absence(body: AbsenceIn, user: CurrentUser, session: DbSession) -> AbsenceOut:
    """Be out of office in a window, a delegate holding your stages (they get the approver
    email with the decision link). Refusals: 409 or 422 with a code (`delegate_role_too_low`,
    `delegate_absent`, `user_is_delegate`, `overlapping_absence`, `window_too_long`, ...)."""
    with state_change(session):
        return delegation.create(session, user, user.id, body)


@router.delete("/users/me/absences/{absence_id}", tags=["users"], responses=declared(404, 409))
def cancel_my_absence(absence_id: uuid.UUID, user: CurrentUser, session: DbSession) -> AbsenceOut:
    """Cancel your absence; one under way ends now and your stages come back."""
    with state_change(session):
        return delegation.cancel(session, user, user.id, absence_id)


@router.get("/users/{user_id}/absences", tags=["users"], responses=declared(404))
def user_absences(user_id: uuid.UUID, admin: CurrentUser, session: DbSession) -> list[AbsenceOut]:
    """A user's out-of-office windows, latest first."""
    return delegation.list_for(session, admin, user_id)


@router.get("/users/{user_id}/absences/delegates", tags=["users"], responses=declared(404))
def user_delegates(
    user_id: uuid.UUID, admin: CurrentUser, session: DbSession
) -> list[DelegateCandidate]:
    """Who may hold this user's stages while they are away."""
    return delegation.candidates(session, admin, user_id)


@router.post(
    "/users/{user_id}/absences",
    status_code=status.HTTP_201_CREATED,
    tags=["users"],
    responses=declared(404, 409),
)
def set_user_absence(
    user_id: uuid.UUID, body: AbsenceIn, admin: CurrentUser, session: DbSession
) -> AbsenceOut:
    """Set a user out of office (audited with you as its author), same rules as their own."""
    with state_change(session):
        return delegation.create(session, admin, user_id, body)


@router.delete(
    "/users/{user_id}/absences/{absence_id}", tags=["users"], responses=declared(404, 409)
)
def cancel_user_absence(
    user_id: uuid.UUID, absence_id: uuid.UUID, admin: CurrentUser, session: DbSession
) -> AbsenceOut:
    """Cancel a user's absence; one under way ends now and their stages come back."""
    with state_change(session):
        return delegation.cancel(session, admin, user_id, absence_id)
