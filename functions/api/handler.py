"""Lambda entry point of the `api` function: accounts, sessions and reads."""

from functions.api.absences import router as absences
from functions.api.offers import router as offers
from functions.api.policies import router as policies
from functions.api.retention import router as retention
from functions.api.routes import list_cache_key, list_page, router
from shared.http.app import create_app, lambda_handler
from shared.http.caching import CachedRead
from shared.tracking.schemas import RequestFilters

app = create_app(
    "Credit approval: accounts, reads and the credit policy",
    router,
    policies,
    retention,
    offers,
    absences,
    # The list the web app polls, and whose filters people change: answered ahead of the
    # framework whenever the caller's account is cached.
    cached_reads=[CachedRead("/api/v1/credit-requests", RequestFilters, list_cache_key, list_page)],
)
handler = lambda_handler("api", app)
