"""A small closed-loop HTTP/1.1 load generator (wrk's role, where wrk is not installed):
`connections` keep-alive connections, each sending its next GET as soon as the previous
answer is read, for `seconds`. Raw asyncio streams rather than an HTTP client library, so
the client costs the shared CPUs as little as it can."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, one per 2xx/304 answer
    errors: int = 0  # any other status, or a broken connection
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def _read_answer(reader: asyncio.StreamReader) -> int:
    status = int((await reader.readline()).split(b" ", 2)[1])
    length, chunked = 0, False
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while size := int((await reader.readline()).strip(), 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    elif length:
        await reader.readexactly(length)
    return status


async def _connection(
    url: str,
    path: Callable[[], str],
    headers: dict[str, str],
    deadline: float,
    result: Result,
) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            request = f"GET {path()} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            status = await _read_answer(reader)
            if 200 <= status < 300 or status == 304:
                result.latencies.append(time.perf_counter() - started)
            else:
                result.errors += 1
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        result.errors += 1
    finally:
        writer.close()


async def _run(
    url: str, path: Callable[[], str], headers: dict[str, str], connections: int, seconds: float
) -> Result:
    result = Result()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_connection(url, path, headers, deadline, result) for _ in range(connections))
    )
    result.seconds = time.perf_counter() - started
    return result


def hammer(
    url: str,
    path: str | Callable[[], str],
    *,
    headers: dict[str, str] | None = None,
    connections: int = 16,
    seconds: float = 10,
    warmup_seconds: float = 2,
) -> Result:
    """Load `url` + `path` (a callable gives each request its own path); a warm-up first,
    not counted."""
    if callable(path):
        paths = path
    else:
        fixed = path

        def paths() -> str:
            return fixed

    if warmup_seconds:
        asyncio.run(_run(url, paths, headers or {}, connections, warmup_seconds))
    return asyncio.run(_run(url, paths, headers or {}, connections, seconds))
