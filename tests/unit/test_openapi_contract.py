"""The OpenAPI document is the contract people read at /docs, and the fuzzer's
`status_code_conformance` check holds the API to it. So every operation says what it does,
declares each error it can answer with the error envelope, and every request body carries an
example (money as decimal strings)."""

from typing import Any

import pytest

from infra.local.gateway import merged_openapi
from shared.http import routes

ENVELOPE = "#/components/schemas/ErrorBody"
OPERATIONS = [
    (route.method.lower(), route.path) for route in routes.ROUTES if route.function != "gateway"
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return merged_openapi()


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path][method]
    return operation


def _declared(operation: dict[str, Any]) -> set[str]:
    return {
        code
        for code, response in operation["responses"].items()
        if response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        == ENVELOPE
    }


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_says_what_it_does(
    document: dict[str, Any], method: str, path: str
) -> None:
    description = _operation(document, method, path).get("description", "")
    assert len(description) >= 20, f"{method.upper()} {path} has no description (a docstring)"


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_declares_the_errors_it_can_answer(
    document: dict[str, Any], method: str, path: str
) -> None:
    route = routes.find(method.upper(), path)
    expected = {"422", "503", "default"}
    if route.roles is not routes.PUBLIC:
        expected |= {"401", "403"}
    if "{" in path:
        expected.add("404")
    if method in ("post", "put", "patch"):
        expected.add("413")
    operation = _operation(document, method, path)
    assert expected <= set(operation["responses"]), f"{method.upper()} {path}"
    # Each in the error envelope; a readiness probe's 503 is its own report of the checks.
    enveloped = expected - {"503"} if path.endswith("/health/ready") else expected
    missing = enveloped - _declared(operation)
    assert not missing, f"{method.upper()} {path} declares {missing} without the error envelope"


def test_state_changes_that_can_conflict_declare_409_and_links_410(
    document: dict[str, Any],
) -> None:
    for method, path in [
        ("post", "/api/v1/users"),
        ("post", "/api/v1/credit-requests/{request_id}/withdraw"),
        ("post", "/api/v1/credit-requests/{request_id}/decision"),
        ("post", "/api/v1/approval-links/{token}"),
    ]:
        assert "409" in _declared(_operation(document, method, path)), path
    for method in ("get", "post"):
        assert "410" in _declared(_operation(document, method, "/api/v1/approval-links/{token}"))


def _schema(document: dict[str, Any], ref: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def test_the_main_bodies_carry_examples_with_money_as_decimal_strings(
    document: dict[str, Any],
) -> None:
    for name in ("CreditRequestCreate", "CreditRequestOut", "Decision", "UserCreate"):
        examples = document["components"]["schemas"][name].get("examples")
        assert examples, f"{name} has no example"
    application = document["components"]["schemas"]["CreditRequestCreate"]["examples"][0]
    for money in ("amount", "monthly_income", "monthly_debt"):
        assert isinstance(application[money], str) and "." in application[money]
