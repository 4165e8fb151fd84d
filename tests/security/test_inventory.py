"""API9 (improper inventory management): the live OpenAPI document, served by the gateway,
and the gateway's own endpoints are compared with a committed snapshot, so no endpoint
appears, disappears or stops requiring a sign-in unnoticed. (Parameters and schemas are
left to the fuzzing run and the API tests; this is the list of doors.)

After a deliberate change, regenerate the snapshot and commit it with the change:

    .venv/bin/python -m tests.security.test_inventory
"""

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

SNAPSHOT = Path(__file__).with_name("openapi_routes.json")


def inventory(openapi: dict[str, Any], gateway: Any) -> dict[str, Any]:
    operations = sorted(
        (
            {
                "method": method.upper(),
                "path": path,
                "sign_in": bool(operation.get("security")),
            }
            for path, item in openapi["paths"].items()
            for method, operation in item.items()
        ),
        key=lambda o: (o["path"], o["method"]),
    )
    own = sorted(
        f"{','.join(sorted(getattr(r, 'methods', None) or []))} {r.path}" for r in gateway.routes
    )
    return {"api": operations, "gateway": own}


def test_the_live_api_matches_the_committed_inventory(client: TestClient) -> None:
    from infra.local.gateway import app

    live = inventory(client.get("/api/v1/openapi.json").json(), app)
    committed = json.loads(SNAPSHOT.read_text())
    added = [o for o in live["api"] if o not in committed["api"]]
    removed = [o for o in committed["api"] if o not in live["api"]]
    assert not added and not removed, (
        f"API inventory changed. New or changed: {added}. Gone or changed: {removed}. "
        "If deliberate: python -m tests.security.test_inventory, and commit the snapshot."
    )
    assert live["gateway"] == committed["gateway"], (
        "the gateway's own endpoints changed; if deliberate, regenerate the snapshot"
    )


def test_the_inventory_covers_the_route_table(client: TestClient) -> None:
    from shared.http.routes import ROUTES

    committed = json.loads(SNAPSHOT.read_text())
    assert {(o["method"], o["path"]) for o in committed["api"]} == {
        (r.method, r.path) for r in ROUTES
    }


if __name__ == "__main__":
    from infra.local.gateway import app, merged_openapi

    SNAPSHOT.write_text(json.dumps(inventory(merged_openapi(), app), indent=2) + "\n")
