"""Alembic steps for migration tests: move a database to a revision, and compare it with the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from tasks.store.engine import MIGRATIONS_DIR
from tasks.store.tables import metadata


def migrate(engine: sa.Engine, action, revision: str) -> None:
    """Run alembic `action` (command.upgrade / command.downgrade) to `revision` on `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


def differences(engine: sa.Engine) -> list:
    """What the database lacks or has beyond the models (Alembic's autogenerate comparison)."""
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), metadata)
