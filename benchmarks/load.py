"""Closed-loop HTTP/1.1 load: `connections` keep-alive connections, each sending its next GET
as soon as the previous answer is read, for `seconds`, after an uncounted warm-up.

wrk does it when it is installed (`apt-get install wrk`; the issue's figures were measured
with it, 2 threads): a C client takes a small, steady share of the two CPUs it shares with
what it measures. Without wrk, a small asyncio client does the same job at a larger CPU cost
per request, which the report names so runs are compared like with like.

A path may hold `{amount}`: each request then gets its own amount (0.01, 0.02, ...), so no
two requests ask the same query."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.report import quantile

AMOUNT = "{amount}"
WRK_THREADS = 2


@dataclass(frozen=True)
class Result:
    answered: int  # 2xx and 304 answers
    errors: int  # any other status, or a broken connection
    seconds: float
    p50: float  # seconds, over the answered calls
    p95: float
    p99: float
    generator: str  # "wrk" or "asyncio"

    @property
    def throughput(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Load:
    url: str
    path: str  # may hold AMOUNT
    headers: dict[str, str]
    connections: int


def generator() -> str:
    """wrk when installed, unless BENCH_LOAD=asyncio asks for the asyncio client."""
    if os.environ.get("BENCH_LOAD") == "asyncio" or not shutil.which("wrk"):
        return "asyncio"
    return "wrk"


def hammer(
    url: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    connections: int = 16,
    seconds: float = 10,
    warmup_seconds: float = 2,
) -> Result:
    load = Load(url, path, headers or {}, connections)
    amounts = itertools.count(1)
    run = _wrk if generator() == "wrk" else _asyncio
    if warmup_seconds:
        run(load, warmup_seconds, amounts)
    return run(load, seconds, amounts)


# --- wrk -------------------------------------------------------------------------------

# Each thread numbers its own requests; thread t of n takes amounts t+1, t+1+n, ... so no
# two requests share one. `done` prints what Result needs, latencies in microseconds.
_WRK_SCRIPT = """
local threads, counter = 0, 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
function init(args)
  template, step, start = args[1], tonumber(args[2]), tonumber(args[3])
end
function request()
  local path = template
  local at = string.find(path, "{amount}", 1, true)
  if at then
    local n = start + offset + counter * step
    counter = counter + 1
    path = string.sub(path, 1, at - 1) .. string.format("%d.%02d", math.floor(n / 100), n % 100)
      .. string.sub(path, at + 8)
  end
  return wrk.format("GET", path)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests,
    e.connect + e.read + e.write + e.timeout + e.status, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), e.status))
end
"""


def _wrk(load: Load, seconds: float, amounts: itertools.count[int]) -> Result:
    start = next(amounts)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "load.lua"
        script.write_text(_WRK_SCRIPT)
        command = [
            "wrk",
            f"-t{WRK_THREADS}",
            f"-c{load.connections}",
            f"-d{seconds:g}s",
            "-s",
            str(script),
        ]
        for name, value in load.headers.items():
            command += ["-H", f"{name}: {value}"]
        command += [load.url, "--", load.path, str(WRK_THREADS), str(start)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.M)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    requests, errors, micros, p50, p95, p99, _ = (int(g) for g in found.groups())
    # Move past the amounts wrk used, so the next run asks new ones: a thread took at most
    # `requests` of its own, every WRK_THREADS-th amount.
    for _ in range(WRK_THREADS * (requests + 1)):
        next(amounts)
    # wrk counts a 4xx/5xx answer in `requests` and again in the status errors.
    return Result(
        requests - int(found.group(7)), errors, micros / 1e6, p50 / 1e6, p95 / 1e6, p99 / 1e6, "wrk"
    )


# --- asyncio, where wrk is not installed ----------------------------------------------


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
    load: Load, deadline: float, amounts: itertools.count[int], latencies: list[float]
) -> int:
    parts = urlsplit(load.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    extra = "".join(f"{name}: {value}\r\n" for name, value in load.headers.items())
    reader, writer = await asyncio.open_connection(host, port)
    errors = 0
    try:
        while time.perf_counter() < deadline:
            target = load.path.replace(AMOUNT, f"{next(amounts) / 100:.2f}")
            request = f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            status = await _read_answer(reader)
            if 200 <= status < 300 or status == 304:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        errors += 1
    finally:
        writer.close()
    return errors


async def _gather(load: Load, seconds: float, amounts: itertools.count[int]) -> Result:
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + seconds
    errors = await asyncio.gather(
        *(_connection(load, deadline, amounts, latencies) for _ in range(load.connections))
    )
    elapsed = time.perf_counter() - started
    p50, p95, p99 = (quantile(latencies, q) if latencies else 0.0 for q in (0.5, 0.95, 0.99))
    return Result(len(latencies), sum(errors), elapsed, p50, p95, p99, "asyncio")


def _asyncio(load: Load, seconds: float, amounts: itertools.count[int]) -> Result:
    return asyncio.run(_gather(load, seconds, amounts))
