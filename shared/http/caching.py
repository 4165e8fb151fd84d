"""Cached JSON answers with ETags: a read the cache already holds costs one Redis round trip,
and one the client already has (`If-None-Match`) costs a 304 with no body."""

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

from shared.caching import read_through

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the answer is still the one whose ETag was sent"}
}


def cached_json(
    request: Request,
    name: str,
    scopes: Iterable[str],
    key: str,
    compute: Callable[[], BaseModel],
) -> Response:
    """The answer `compute` gives, read through the cache (see `shared.caching`) under `key`,
    which must name the viewer and the normalised query; 304 when the client has it."""
    entry = read_through(name, scopes, key, lambda: compute().model_dump_json().encode())
    headers = {"ETag": entry.etag}
    if entry.etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type="application/json", headers=headers)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
