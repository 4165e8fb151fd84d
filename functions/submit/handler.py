"""Lambda entry point of the `submit` step."""

from functions.submit.routes import router
from shared.http.app import create_app, lambda_handler

app = create_app("Credit approval: submit", router)
handler = lambda_handler("submit", app)
