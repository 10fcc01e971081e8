"""Shared fixtures: isolated Prefect home, settings in a temporary folder, SQLite and PostgreSQL engines."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="assess-prefect-"))
os.environ.setdefault("PREFECT_HOME", str(_PREFECT_HOME))
os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(_PREFECT_HOME / "storage"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SAMPLES = Path(__file__).parent / "samples"


def _postgres_reachable() -> bool:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


POSTGRES_AVAILABLE = _postgres_reachable()


def pytest_unconfigure(config) -> None:
    # The session's Prefect home goes with the session. An xdist worker inherits the controller's through the
    # environment; the folder it made itself, unused, goes too.
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


def pytest_report_header(config) -> str:
    state = "reachable, PostgreSQL tests run" if POSTGRES_AVAILABLE else "NOT reachable, PostgreSQL tests are skipped"
    return f"PostgreSQL at {POSTGRES_ADMIN_URL}: {state}"


@pytest.fixture(scope="session")
def prefect_harness():
    """A throw-away Prefect API for the whole session (started once, on first use)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh data folder that the settings point at."""
    from tasks.settings import get_settings

    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("ASSESS_DATA_DIR", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def _postgres_database() -> str:
    """A new empty PostgreSQL database; its URL."""
    from sqlalchemy import create_engine, text

    name = f"assess_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rsplit("/", 1)[1]
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A URL of an empty database: an SQLite file, and PostgreSQL when it is reachable."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'assess.db'}"
        return
    if not POSTGRES_AVAILABLE:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}")
    url = _postgres_database()
    yield url
    from tasks.store.engine import get_engine

    get_engine.cache_clear()
    _drop_postgres_database(url)


@pytest.fixture
def engine(db_url):
    """An engine on an empty, migrated database."""
    from tasks.store.engine import get_engine

    engine = get_engine(db_url)
    yield engine
    engine.dispose()
