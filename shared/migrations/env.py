"""Alembic environment: migrates the database named by the application settings."""

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from shared.config import get_settings
from shared.models import Base

if context.config.config_file_name is not None and context.config.attributes.get(
    "configure_logger", True
):
    fileConfig(context.config.config_file_name)

target_metadata = Base.metadata


def database_url() -> str:
    # DATABASE_URL alone migrates a production database: the rest of the settings (a secret
    # key, AWS) are not needed to change a schema.
    return (
        context.config.attributes.get("database_url")
        or os.environ.get("DATABASE_URL")
        or get_settings().database_url
    )


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
