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
import math
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
from shared.messaging.topology import FUNCTION_TIMEOUT_SECONDS

AMOUNT = "{amount}"
WRK_THREADS = 2


@dataclass(frozen=True)
class Result:
    answered: int  # answers with a status below 400
    errors: int  # any other status, a timeout, or a broken connection
    seconds: float
    p50: float  # seconds: over every answer (wrk), or over the answered ones (asyncio)
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


class Amounts:
    """The amounts (in cents) no request of this load has asked for yet."""

    def __init__(self) -> None:
        self.next = 1

    def take(self) -> int:
        self.next += 1
        return self.next - 1


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
    amounts = Amounts()
    run = _wrk if generator() == "wrk" else _asyncio
    if warmup_seconds:
        run(load, warmup_seconds, amounts)
    return run(load, seconds, amounts)


# --- wrk -------------------------------------------------------------------------------

# Thread t of n numbers its requests t, t+n, t+2n, ... after `start`, so no two requests share
# an amount; `done` prints what Result needs (latencies in microseconds) and the highest
# number used, so the next run starts past it.
_WRK_SCRIPT = """
local threads = {}
counter = 0
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
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
  local highest = -1
  for _, thread in ipairs(threads) do
    local used = thread:get("counter")
    if used > 0 then
      highest = math.max(highest, thread:get("offset") + (used - 1) * #threads)
    end
  end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d\\n", summary.requests,
    e.connect + e.read + e.write, e.timeout, e.status, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), highest))
end
"""
_RESULT = re.compile(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (-?\d+)$", re.M)


def _wrk(load: Load, seconds: float, amounts: Amounts) -> Result:
    # wrk gives each thread connections / threads of them, and takes whole seconds only.
    threads = math.gcd(WRK_THREADS, load.connections)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "load.lua"
        script.write_text(_WRK_SCRIPT)
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{load.connections}",
            f"-d{math.ceil(seconds)}s",
            # Past the function timeout: a slow answer is measured, not dropped as an error.
            f"--timeout={FUNCTION_TIMEOUT_SECONDS + 10}s",
            "-s",
            str(script),
        ]
        for name, value in load.headers.items():
            command += ["-H", f"{name}: {value}"]
        command += [load.url, "--", load.path, str(threads), str(amounts.next)]
        ran = subprocess.run(command, capture_output=True, text=True)
    found = _RESULT.search(ran.stdout)
    if ran.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed ({ran.returncode}):\n{ran.stdout}\n{ran.stderr}")
    requests, broken, timeouts, refused, micros, p50, p95, p99, highest = (
        int(g) for g in found.groups()
    )
    amounts.next += highest + 1
    # wrk counts an answer of 400 or more in `requests` and again in its status errors.
    return Result(
        answered=requests - refused - timeouts,
        errors=broken + timeouts + refused,
        seconds=micros / 1e6,
        p50=p50 / 1e6,
        p95=p95 / 1e6,
        p99=p99 / 1e6,
        generator="wrk",
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


async def _connection(load: Load, deadline: float, amounts: Amounts, latencies: list[float]) -> int:
    parts = urlsplit(load.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    extra = "".join(f"{name}: {value}\r\n" for name, value in load.headers.items())
    reader, writer = await asyncio.open_connection(host, port)
    errors = 0
    try:
        while time.perf_counter() < deadline:
            target = load.path.replace(AMOUNT, f"{amounts.take() / 100:.2f}")
            request = f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            status = await _read_answer(reader)
            if status < 400:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        errors += 1
    finally:
        writer.close()
    return errors


async def _gather(load: Load, seconds: float, amounts: Amounts) -> Result:
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + seconds
    errors = await asyncio.gather(
        *(_connection(load, deadline, amounts, latencies) for _ in range(load.connections))
    )
    elapsed = time.perf_counter() - started
    p50, p95, p99 = (quantile(latencies, q) if latencies else 0.0 for q in (0.5, 0.95, 0.99))
    return Result(len(latencies), sum(errors), elapsed, p50, p95, p99, "asyncio")


def _asyncio(load: Load, seconds: float, amounts: Amounts) -> Result:
    return asyncio.run(_gather(load, seconds, amounts))
