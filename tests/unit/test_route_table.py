"""The route table (shared.http.routes) against what each HTTP function actually serves, and the
local gateway's dispatch (infra.local.gateway.match)."""

import importlib
import re
import uuid
from collections import Counter
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from infra.local.gateway import _pattern, match, path_exists, static_routes
from shared.http.routes import HTTP_FUNCTIONS, PUBLIC, ROUTES, Route

# Building a Mangum handler at import asks asyncio for an event loop; harmless here.
pytestmark = pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")

OPENAPI_PATH = "/api/v1/openapi.json"


def served_routes(app: FastAPI) -> tuple[set[tuple[str, str]], set[str]]:
    """(method, path) of every API route the app serves, and the paths of any other routes.

    The function apps hold their routes themselves (`create_app`); an app that includes
    routers instead keeps each as one entry in FastAPI >= 0.16x, so flatten through
    `iter_route_contexts` when present."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is already flat
        entries: list[tuple[Any, Any, set[str] | None]] = [
            (r, getattr(r, "path", None), getattr(r, "methods", None)) for r in app.routes
        ]
    else:
        entries = [(c.original_route, c.path, c.methods) for c in iter_route_contexts(app.routes)]
    api: set[tuple[str, str]] = set()
    other: set[str] = set()
    for route, path, methods in entries:
        if isinstance(route, APIRoute):
            api |= {(m, path) for m in (methods or set()) if m != "HEAD"}
        else:
            other.add(str(path))
    return api, other


def handler_module(function: str) -> Any:
    return importlib.import_module(f"functions.{function}.handler")


@pytest.mark.parametrize("function", HTTP_FUNCTIONS)
def test_function_serves_exactly_the_routes_the_table_gives_it(function: str) -> None:
    module = handler_module(function)
    api, other = served_routes(module.app)
    expected = {(r.method, r.path) for r in ROUTES if r.function == function}
    assert api, f"{function} serves no API routes (route discovery broken?)"
    assert api == expected, (
        f"served but not in the table: {sorted(api - expected)}; "
        f"in the table but not served: {sorted(expected - api)}"
    )
    # Nothing else is served apart from the function's own OpenAPI document.
    assert other <= {OPENAPI_PATH}
    assert callable(module.handler)


def test_table_has_no_duplicate_routes() -> None:
    counts = Counter((r.method, r.path) for r in ROUTES)
    assert [key for key, n in counts.items() if n > 1] == []


def test_every_route_is_under_the_api_prefix_with_a_known_method() -> None:
    for route in ROUTES:
        assert route.path.startswith("/api/v1/"), route
        assert route.method in {"GET", "POST", "PUT", "PATCH", "DELETE"}, route


def test_http_functions_lists_each_function_once_in_table_order() -> None:
    assert list(HTTP_FUNCTIONS) == list(dict.fromkeys(r.function for r in ROUTES))
    assert {"api", "submit", "decide"} <= set(HTTP_FUNCTIONS)


# --- gateway dispatch -------------------------------------------------------------------------

REQUEST_ID = str(uuid.UUID("4f9b1c40-1f5c-4e99-9e8c-7d4d9e4dae05"))


def test_decision_path_dispatches_to_decide_with_request_id() -> None:
    found = match("POST", f"/api/v1/credit-requests/{REQUEST_ID}/decision")
    assert found is not None
    route, params = found
    assert route.function == "decide"
    assert route.path == "/api/v1/credit-requests/{request_id}/decision"
    assert params == {"request_id": REQUEST_ID}


def test_collection_post_goes_to_submit_and_get_to_api() -> None:
    post = match("POST", "/api/v1/credit-requests")
    get = match("GET", "/api/v1/credit-requests")
    assert post is not None and get is not None
    assert (post[0].function, post[1]) == ("submit", {})
    assert (get[0].function, get[1]) == ("api", {})


def test_single_request_get_goes_to_api_with_request_id() -> None:
    found = match("GET", f"/api/v1/credit-requests/{REQUEST_ID}")
    assert found is not None
    assert found[0].function == "api"
    assert found[1] == {"request_id": REQUEST_ID}


def test_withdraw_goes_to_api_not_decide() -> None:
    found = match("POST", f"/api/v1/credit-requests/{REQUEST_ID}/withdraw")
    assert found is not None
    assert found[0].function == "api"
    assert found[0].path.endswith("/withdraw")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_approval_link_goes_to_decide_with_token(method: str) -> None:
    found = match(method, "/api/v1/approval-links/abc.def.ghi")
    assert found is not None
    assert found[0].function == "decide"
    assert found[1] == {"token": "abc.def.ghi"}


def test_users_me_is_not_taken_for_a_user_id() -> None:
    found = match("GET", "/api/v1/users/me")
    assert found is not None
    assert found[0].path == "/api/v1/users/me"
    assert found[1] == {}


def test_wrong_method_on_a_known_path_does_not_match_but_the_path_exists() -> None:
    path = f"/api/v1/credit-requests/{REQUEST_ID}/decision"
    assert match("GET", path) is None
    assert match("DELETE", path) is None
    assert path_exists(path)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope",
        f"/api/v1/credit-requests/{REQUEST_ID}/decision/extra",
        f"/api/v1/credit-requests/{REQUEST_ID}/",
        "/api/v1/credit-requests//decision",
        "/api/v2/credit-requests",
        "/credit-requests",
    ],
)
def test_unknown_paths_do_not_match(path: str) -> None:
    assert match("GET", path) is None
    assert match("POST", path) is None
    assert not path_exists(path)


def test_the_web_apps_access_file_is_generated_from_the_table() -> None:
    from infra.web_access import TARGET, render

    assert TARGET.read_text() == render(), "stale: run `python -m infra.web_access`"


def test_every_route_is_found_as_a_scan_of_the_table_in_order_finds_it() -> None:
    # The gateway looks static paths up instead of scanning: it must still answer with the
    # first route of the table that matches, for every method, static path or not.
    def first_in_table(method: str, path: str) -> tuple[str, dict[str, str]] | None:
        for route in ROUTES:
            pattern = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.path) + "$"
            if route.method == method and (found := re.match(pattern, path)):
                return route.path, found.groupdict()
        return None

    paths = {r.path for r in ROUTES} | {re.sub(r"\{\w+\}", REQUEST_ID, r.path) for r in ROUTES}
    paths |= {re.sub(r"\{\w+\}", "me", r.path) for r in ROUTES}
    for path in paths:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            found = match(method, path)
            assert (found and (found[0].path, found[1])) == (
                first_in_table(method, path) or None
            ), (method, path)


def test_a_static_path_an_earlier_route_would_take_is_left_to_the_scan() -> None:
    shadowing, shadowed, other_method = (
        Route("GET", "/a/{x}", "api", PUBLIC),
        Route("GET", "/a/b", "api", PUBLIC),
        Route("POST", "/a/b", "api", PUBLIC),
    )
    table = [(route, _pattern(route.path)) for route in (shadowing, shadowed, other_method)]
    assert static_routes(table) == {("POST", "/a/b"): other_method}


def test_a_trailing_newline_is_no_static_path() -> None:
    # (In a parameter it is the parameter's: the function validates it, as behind AWS.)
    assert match("GET", "/api/v1/health\n") is None
    assert not path_exists("/api/v1/health\n")
