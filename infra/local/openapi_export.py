"""Write the API's OpenAPI document (the one the gateway serves at /api/v1/openapi.json) to a
file: the snapshot the web app's TypeScript types are generated from (`frontend/openapi.json`,
`cd frontend && npm run api:types`). It only imports the HTTP functions' code: no service runs.

    ENVIRONMENT=test python -m infra.local.openapi_export frontend/openapi.json
"""

import json
import sys
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parents[2] / "frontend" / "openapi.json"


def render(document: dict[str, Any]) -> str:
    """The snapshot's text: stable (the document's own order), diff-friendly, one final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    from infra.local.gateway import merged_openapi

    target = Path(argv[0]) if argv else SNAPSHOT
    target.write_text(render(merged_openapi()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
