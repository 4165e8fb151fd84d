"""Lambda entry point of the `api` function: accounts, sessions and reads."""

from functions.api.absences import router as absences
from functions.api.offers import router as offers
from functions.api.policies import router as policies
from functions.api.retention import router as retention
from functions.api.routes import router
from shared.http.app import create_app, lambda_handler

app = create_app(
    "Credit approval: accounts, reads and the credit policy",
    router,
    policies,
    retention,
    offers,
    absences,
)
handler = lambda_handler("api", app)
