"""Lambda entry point of the `decide` step."""

from functions.decide import information
from functions.decide.routes import router
from shared.http.app import create_app, lambda_handler

app = create_app("Credit approval: decide", router, information.router)
handler = lambda_handler("decide", app)
