"""Deployment settings read once from the environment (prefix ASSESS_, plus DATABASE_URL)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where data lives and how to reach the database and the mail server."""

    model_config = SettingsConfigDict(env_prefix="ASSESS_", extra="ignore")

    data_dir: Path = Path("data")
    policy_dir: Path | None = None  # the deployment's policy folder; the run form picks a policy in it by name
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "ASSESS_DATABASE_URL")
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    render_workers: int | None = None
    dask_address: str | None = None  # e.g. tcp://10.0.0.5:8786: dossiers are rendered on that Dask cluster
    # Inbox files modified more recently wait for the next run: 60 for the scheduled deployments
    # (prefect.yaml), 0 when an operator runs a cycle on files just put there.
    settle_seconds: float = 0

    @property
    def db_url(self) -> str:
        """The database URL: DATABASE_URL when set, else an SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'assess.db').resolve()}"

    @property
    def policies(self) -> Path:
        """The folder of the policies a run may name: ASSESS_POLICY_DIR, else `policies/` in the data folder."""
        return self.policy_dir or self.data_dir / "policies"

    @property
    def archive_dir(self) -> Path:
        """Where every ingested file is kept unchanged, by SHA-256."""
        return self.data_dir / "archive"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()


def policy_file(name: str | None) -> str | None:
    """The file of the policy named in a run, inside the deployment's policy folder; None for the defaults."""
    from schemas.policy import policy_path

    path = policy_path(name, get_settings().policies)
    return None if path is None else str(path)
