"""The route table: which function serves each HTTP route under /api/v1, and who may call it.

The one place where the roles of a route are written. Read by every HTTP function's app (its
routers add the role check from here: `shared.http.deps.TableRouter`), by the local gateway
(to dispatch), by the AWS template generator (to declare the HTTP API's routes), by the web
app (`frontend/src/api/access.generated.ts`, generated from it) and by the tests (each
function's app serves exactly its routes, and every role gets exactly the access its `roles`
declare: tests/security/test_function_authorization.py).

Plain data, importing no web framework: it ships in every function image.
"""

from dataclasses import dataclass

from shared.workflow.states import APPROVER_LADDER, POLICY_AUTHORS, STAFF_ROLES, Role

API_PREFIX = "/api/v1"

PUBLIC = None
"""No sign-in: login, registration, health, approval links (the token in the path is the
credential, bound to one stage and one approver), and the emailed account links (email
verification, password reset: the signed token in the body is the credential)."""
ANY_ROLE = frozenset(Role)
APPLICANTS = frozenset({Role.APPLICANT})
APPROVERS = frozenset({*APPROVER_LADDER, Role.ADMIN})
STAFF = frozenset(STAFF_ROLES)
ADMINS = frozenset({Role.ADMIN})
RISK = frozenset(POLICY_AUTHORS)
REVIEWERS = frozenset({Role.ANALYST, Role.ADMIN})
"""Who reviews automatic declines (an analyst), and admins, who oversee the reviews."""


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # FastAPI/API Gateway style: /api/v1/credit-requests/{request_id}
    function: str  # the folder in functions/
    roles: frozenset[Role] | None  # who may call it (signed in); PUBLIC (None): anyone


ROUTES: tuple[Route, ...] = (
    Route("POST", "/api/v1/token", "api", PUBLIC),
    Route("POST", "/api/v1/refresh", "api", PUBLIC),
    Route("POST", "/api/v1/logout", "api", ANY_ROLE),
    Route("POST", "/api/v1/users", "api", PUBLIC),
    Route("POST", "/api/v1/email-verifications", "api", PUBLIC),
    Route("POST", "/api/v1/users/me/email-verification", "api", ANY_ROLE),
    Route("POST", "/api/v1/password-resets", "api", PUBLIC),
    Route("POST", "/api/v1/password-resets/confirm", "api", PUBLIC),
    Route("GET", "/api/v1/users/me", "api", ANY_ROLE),
    Route("GET", "/api/v1/users/me/notifications", "api", ANY_ROLE),
    Route("PUT", "/api/v1/users/me/notifications", "api", ANY_ROLE),
    Route("GET", "/api/v1/users", "api", ADMINS),
    Route("GET", "/api/v1/users/{user_id}", "api", ADMINS),
    Route("PATCH", "/api/v1/users/{user_id}", "api", ADMINS),
    Route("GET", "/api/v1/users/me/absences", "api", APPROVERS),
    Route("POST", "/api/v1/users/me/absences", "api", APPROVERS),
    Route("GET", "/api/v1/users/me/absences/delegates", "api", APPROVERS),
    Route("DELETE", "/api/v1/users/me/absences/{absence_id}", "api", APPROVERS),
    Route("GET", "/api/v1/users/{user_id}/absences", "api", ADMINS),
    Route("POST", "/api/v1/users/{user_id}/absences", "api", ADMINS),
    Route("GET", "/api/v1/users/{user_id}/absences/delegates", "api", ADMINS),
    Route("DELETE", "/api/v1/users/{user_id}/absences/{absence_id}", "api", ADMINS),
    Route("GET", "/api/v1/credit-requests", "api", ANY_ROLE),
    Route("GET", "/api/v1/credit-requests/{request_id}", "api", ANY_ROLE),
    Route("GET", "/api/v1/credit-requests/{request_id}/notice", "api", ANY_ROLE),
    Route("POST", "/api/v1/credit-requests/{request_id}/withdraw", "api", APPLICANTS),
    Route("GET", "/api/v1/credit-requests/{request_id}/messages", "api", ANY_ROLE),
    Route("POST", "/api/v1/credit-requests/{request_id}/messages", "api", ANY_ROLE),
    Route("POST", "/api/v1/credit-requests/{request_id}/offer/accept", "api", APPLICANTS),
    Route("POST", "/api/v1/credit-requests/{request_id}/offer/decline", "api", APPLICANTS),
    Route("GET", "/api/v1/counteroffer-terms", "api", APPROVERS),
    Route("GET", "/api/v1/approvals", "api", APPROVERS),
    Route("GET", "/api/v1/credit-requests/{request_id}/review", "api", ANY_ROLE),
    Route("POST", "/api/v1/credit-requests/{request_id}/review", "api", APPLICANTS),
    Route("GET", "/api/v1/reviews", "api", REVIEWERS),
    Route("GET", "/api/v1/reviews/{review_id}", "api", REVIEWERS),
    Route("GET", "/api/v1/audit-logs", "api", ADMINS),
    Route("GET", "/api/v1/audit-logs/verification", "api", ADMINS),
    Route("GET", "/api/v1/exports/credit-requests", "api", STAFF),
    Route("GET", "/api/v1/exports/audit-logs", "api", ADMINS),
    Route("GET", "/api/v1/stats", "api", STAFF),
    Route("GET", "/api/v1/policies", "api", RISK),
    Route("POST", "/api/v1/policies", "api", RISK),
    Route("GET", "/api/v1/policies/{policy_id}", "api", RISK),
    Route("PUT", "/api/v1/policies/{policy_id}", "api", RISK),
    Route("POST", "/api/v1/policies/{policy_id}/propose", "api", RISK),
    Route("POST", "/api/v1/policies/{policy_id}/approve", "api", RISK),
    Route("POST", "/api/v1/policies/{policy_id}/activate", "api", RISK),
    Route("POST", "/api/v1/policies/{policy_id}/simulate", "api", RISK),
    Route("GET", "/api/v1/policies/{policy_id}/simulation", "api", RISK),
    Route("GET", "/api/v1/dead-letters", "api", ADMINS),
    Route("POST", "/api/v1/dead-letters/{queue}/redrive", "api", ADMINS),
    Route("GET", "/api/v1/retention/runs", "api", ADMINS),
    Route("POST", "/api/v1/retention/runs", "api", ADMINS),
    Route("GET", "/api/v1/health", "api", PUBLIC),
    Route("GET", "/api/v1/health/ready", "api", PUBLIC),
    Route("POST", "/api/v1/credit-requests", "submit", APPLICANTS),
    Route("POST", "/api/v1/credit-requests/{request_id}/decision", "decide", APPROVERS),
    Route("POST", "/api/v1/reviews/{review_id}/decision", "decide", REVIEWERS),
    Route("GET", "/api/v1/approval-links/{token}", "decide", PUBLIC),
    Route("POST", "/api/v1/approval-links/{token}", "decide", PUBLIC),
    # Request more information (issue 13): the assignee asks, the applicant answers.
    Route("GET", "/api/v1/credit-requests/{request_id}/information-requests", "decide", ANY_ROLE),
    Route("POST", "/api/v1/credit-requests/{request_id}/information-requests", "decide", APPROVERS),
    Route("POST", "/api/v1/credit-requests/{request_id}/information-answer", "decide", APPLICANTS),
    Route("POST", "/api/v1/approval-links/{token}/information-request", "decide", PUBLIC),
    Route("GET", "/api/v1/decline-reasons", "decide", STAFF),
)

HTTP_FUNCTIONS: tuple[str, ...] = tuple(dict.fromkeys(r.function for r in ROUTES))


def find(method: str, path: str) -> Route:
    """The table's row for a route template (`/api/v1/users/{user_id}`); KeyError if absent,
    so a route nobody declared cannot be served."""
    for route in ROUTES:
        if route.method == method and route.path == path:
            return route
    raise KeyError(f"{method} {path} is not in the route table (shared/http/routes.py)")
