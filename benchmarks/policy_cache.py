"""What the policy cache saves each message a warm function handles: reading and validating
the credit policy from PostgreSQL every time (POLICY_CACHE_SECONDS=0, the baseline) against
the cached lookup (the default), measured in the same run on a real server, interleaved so
machine noise hits both alike. Each lookup is its own unit of work, as each message is.

    python -m infra.local.stack run .venv/bin/python -m benchmarks.policy_cache [--runs 2000]

It migrates a throwaway database (`<database>_bench_<id>`) and drops it afterwards.
"""

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.report import interleaved, table


def _migrated_database() -> str:
    from alembic import command
    from alembic.config import Config

    from infra.local.stack import ensure_database

    server = make_url(
        os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/credit")
    )
    url = server.set(database=f"{server.database}_bench_{uuid.uuid4().hex[:6]}")
    rendered = url.render_as_string(hide_password=False)
    os.environ["DATABASE_URL"] = rendered
    ensure_database(rendered)
    config = Config("alembic.ini")
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    return rendered


def _drop(url: str) -> None:
    from shared.db import get_engine

    get_engine().dispose()
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _lookup(ttl_seconds: int) -> Callable[[], float]:
    """A timer of one lookup with the cache set to `ttl_seconds`."""
    from shared.config import get_settings
    from shared.credit import policy
    from shared.db import unit_of_work

    def timed() -> float:
        os.environ["POLICY_CACHE_SECONDS"] = str(ttl_seconds)
        get_settings.cache_clear()
        policy._policy_cache.cache_clear()
        with unit_of_work() as session:  # a warm cache: its first miss is not measured
            policy.load(session)
        started = time.perf_counter()
        with unit_of_work() as session:
            policy.load(session)
        return time.perf_counter() - started

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    url = _migrated_database()
    try:
        cases = {
            "read every time (baseline)": _lookup(0),
            "cached (POLICY_CACHE_SECONDS=60)": _lookup(60),
        }
        samples = interleaved(cases, args.runs)
    finally:
        _drop(url)

    lines = table(
        f"Policy lookup per message, {args.runs} runs each",
        samples,
        "read every time (baseline)",
        "us",
    )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
