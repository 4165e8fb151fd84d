"""Demo staff users for local runs: admin, analyst, manager, director (<name>@example.com),
all with the password in DEMO_PASSWORD. Existing users are left as they are."""

import logging
import os

from sqlalchemy import select

from shared.config import get_settings
from shared.db import unit_of_work
from shared.users.models import User
from shared.users.schemas import UserCreate
from shared.users.service import register
from shared.workflow.states import Role

logger = logging.getLogger(__name__)
DEFAULT_DEMO_PASSWORD = "demo-password-2026"
STAFF = (Role.ADMIN, Role.ANALYST, Role.MANAGER, Role.DIRECTOR)


def seed_demo_users(password: str) -> list[str]:
    if not get_settings().is_local:
        raise RuntimeError("demo users are for local runs only")
    created = []
    with unit_of_work() as session:
        for role in STAFF:
            if session.scalar(select(User.id).where(User.username == role.value)) is None:
                data = UserCreate(
                    username=role.value,
                    email=f"{role.value}@example.com",
                    password=password,
                    full_name=f"Demo {role.value.title()}",
                )
                register(session, data, role=role, verified=True)
                created.append(role.value)
    return created


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    made = seed_demo_users(os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD))
    logger.info("demo users created: %s", ", ".join(made) or "none (already there)")
