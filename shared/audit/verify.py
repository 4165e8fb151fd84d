"""`make audit-verify`: walk every audit hash chain and name the first broken row.

Exits 0 when every chain verifies up to its head, 1 (and prints the break) otherwise.
"""

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import create_engine

from shared.audit.chain import Head, verify_database
from shared.db import get_engine


def main(argv: list[str] | None = None) -> int:
    """Verify the database and print the result as JSON; 0 when every chain verifies."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="the database to check (default: DATABASE_URL)")
    parser.add_argument(
        "--backup-heads",
        type=Path,
        help="a backup's <key>.chain-heads.json: every chain must still pass through its heads"
        " (catches a chain rewritten and re-hashed since that backup)",
    )
    args = parser.parse_args(argv)
    anchors = (
        [Head.from_json(h) for h in json.loads(args.backup_heads.read_text())]
        if args.backup_heads
        else None
    )
    engine = create_engine(args.database_url) if args.database_url else get_engine()
    try:
        result = verify_database(engine, anchors)
    finally:
        if args.database_url:
            engine.dispose()
    report = {
        "ok": result.ok,
        "rows_checked": result.rows_checked,
        "chains": len(result.heads),
        "broken": asdict(result.broken) if result.broken else None,
    }
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
