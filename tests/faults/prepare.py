"""Ready the fault stack's private database, in a child process whose environment holds the
private settings (it must not import tests.conftest, which points DATABASE_URL elsewhere)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAFF_PASSWORD = "fault-staff-password-1"
STAFF = ("analyst", "manager", "director", "admin")


def prepare() -> None:
    """Schema, resources (idempotent beside the init hook) and staff."""
    from alembic import command
    from alembic.config import Config

    from infra.local.provision import provision
    from shared.db import unit_of_work
    from shared.messaging.recovery import remember_queue_generations
    from shared.users.schemas import UserCreate
    from shared.users.service import register
    from shared.workflow.states import Role

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    provision()
    remember_queue_generations()
    with unit_of_work() as session:
        for name in STAFF:
            for n in (1, 2):
                username = f"{name}{n}"
                data = UserCreate(
                    username=username,
                    email=f"{username}@example.com",
                    password=STAFF_PASSWORD,
                    full_name=f"{name.title()} {n}",
                )
                register(session, data, role=Role(name), verified=True)


if __name__ == "__main__":
    prepare()
