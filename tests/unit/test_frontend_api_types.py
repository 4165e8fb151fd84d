"""One contract between the API and the web app: the web app's TypeScript types
(frontend/src/api/schema.ts) are generated from a committed snapshot of the OpenAPI document
(frontend/openapi.json). Both must be current, or the app compiles against an API that no
longer exists. After changing the API:

    cd frontend && npm run api:types     # rewrites both; commit them with the change
"""

import json
import shutil
import subprocess
from pathlib import Path

from infra.local.gateway import merged_openapi
from infra.local.openapi_export import SNAPSHOT, render

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
REGENERATE = "run `cd frontend && npm run api:types` and commit frontend/openapi.json"


def test_the_committed_openapi_snapshot_is_the_live_document() -> None:
    committed = SNAPSHOT.read_text(encoding="utf-8")
    live = merged_openapi()
    if committed != render(live):
        old = json.loads(committed)
        changed = [
            name
            for section, new_entries, old_entries in (
                ("path", live["paths"], old["paths"]),
                ("schema", live["components"]["schemas"], old["components"]["schemas"]),
            )
            for key in sorted({*new_entries, *old_entries})
            if new_entries.get(key) != old_entries.get(key)
            for name in [f"{section} {key}"]
        ]
        raise AssertionError(f"frontend/openapi.json is stale ({changed or 'order'}): {REGENERATE}")


def test_the_generated_types_are_those_of_the_snapshot() -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js is required to check the web app's generated API types"
    assert (FRONTEND / "node_modules" / "openapi-typescript").is_dir(), (
        "frontend/node_modules is missing: run `make frontend` (make test does)"
    )
    result = subprocess.run(
        [node, "scripts/api-types.mjs", "--check"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
