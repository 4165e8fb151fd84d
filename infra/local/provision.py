"""LocalStack resources from the one topology definition.

`plan()` turns `shared/messaging/topology.py` into the data the LocalStack init hook reads
(`localstack/init/topology.json`, committed; `python -m infra.local.provision --write` after a
topology change, and a unit test fails while it is stale). `provision()` applies that plan
with this process's settings through the hook's own code (`localstack/init/ready.d/`), for
the tests' per-run prefixes and a LocalStack that was started without the hook.
"""

import argparse
import importlib.util
import json
import logging
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from shared import aws
from shared.backup.service import BACKUP_BUCKET
from shared.config import Settings, get_settings
from shared.messaging.topology import (
    DLQ_RETENTION_SECONDS,
    QUEUES,
    TOPIC,
    VISIBILITY_TIMEOUT_SECONDS,
    filter_policy,
)

logger = logging.getLogger(__name__)
INIT_DIR = Path(__file__).resolve().parents[2] / "localstack" / "init"
PLAN_PATH = INIT_DIR / "topology.json"
HOOK_PATH = INIT_DIR / "ready.d" / "workflow_resources.py"


def plan() -> dict[str, Any]:
    defaults = Settings.model_fields
    return {
        "defaults": {
            "resource_prefix": defaults["resource_prefix"].default,
            "mail_from": defaults["mail_from"].default,
        },
        "topic": TOPIC,
        "queues": [
            {
                "name": queue.name,
                "dead_letter_queue": queue.dlq_name,
                "visibility_timeout_seconds": VISIBILITY_TIMEOUT_SECONDS,
                "max_receive_count": queue.max_receive_count,
                "dead_letter_retention_seconds": DLQ_RETENTION_SECONDS,
                "filter_policy": filter_policy(queue),
            }
            for queue in QUEUES
        ],
        "backup_bucket": BACKUP_BUCKET,
    }


def render_plan() -> str:
    return json.dumps(plan(), indent=2) + "\n"


@cache
def _hook() -> ModuleType:
    # Not importable by name: `localstack/` is not a package (it would shadow LocalStack's own).
    spec = importlib.util.spec_from_file_location("workflow_resources", HOOK_PATH)
    assert spec is not None and spec.loader is not None, HOOK_PATH
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def provision() -> None:
    settings = get_settings()
    _hook().apply(
        plan(), prefix=settings.resource_prefix, mail_from=settings.mail_from, client=aws.client
    )
    logger.info("LocalStack resources ready", extra={"prefix": settings.resource_prefix})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help=f"regenerate {PLAN_PATH.name}")
    action.add_argument("--check", action="store_true", help=f"fail if {PLAN_PATH.name} is stale")
    args = parser.parse_args(argv)
    if args.write:
        PLAN_PATH.write_text(render_plan())
        return 0
    if args.check:
        return 0 if PLAN_PATH.read_text() == render_plan() else 1
    logging.basicConfig(level=logging.INFO)
    provision()
    return 0


if __name__ == "__main__":
    sys.exit(main())
