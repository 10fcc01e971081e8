"""Alembic environment: runs on the connection handed over by tasks.store.engine, or on ASSESS_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tasks.store.tables import metadata
from tasks.settings import get_settings


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(get_settings().db_url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
