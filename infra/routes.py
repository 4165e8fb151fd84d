"""The route table: which function serves each HTTP route under /api/v1.

The one list read by the local gateway (to dispatch), by the AWS template generator (to
declare the HTTP API's routes) and by the tests (each function's app serves exactly its
routes, and nothing is served that is not listed here).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # FastAPI/API Gateway style: /api/v1/credit-requests/{request_id}
    function: str  # the folder in functions/


ROUTES: tuple[Route, ...] = (
    Route("POST", "/api/v1/token", "api"),
    Route("POST", "/api/v1/refresh", "api"),
    Route("POST", "/api/v1/logout", "api"),
    Route("POST", "/api/v1/users", "api"),
    Route("GET", "/api/v1/users/me", "api"),
    Route("GET", "/api/v1/users", "api"),
    Route("PATCH", "/api/v1/users/{user_id}", "api"),
    Route("GET", "/api/v1/credit-requests", "api"),
    Route("GET", "/api/v1/credit-requests/{request_id}", "api"),
    Route("POST", "/api/v1/credit-requests/{request_id}/withdraw", "api"),
    Route("GET", "/api/v1/approvals", "api"),
    Route("GET", "/api/v1/audit-logs", "api"),
    Route("GET", "/api/v1/stats", "api"),
    Route("GET", "/api/v1/health", "api"),
    Route("GET", "/api/v1/health/ready", "api"),
    Route("POST", "/api/v1/credit-requests", "submit"),
    Route("POST", "/api/v1/credit-requests/{request_id}/decision", "decide"),
    Route("GET", "/api/v1/approval-links/{token}", "decide"),
    Route("POST", "/api/v1/approval-links/{token}", "decide"),
)

HTTP_FUNCTIONS: tuple[str, ...] = tuple(dict.fromkeys(r.function for r in ROUTES))
