"""Schema migrations (Alembic), callable from the CLI, the server start and tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from core.settings import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


# Tables in our database that other libraries own (LangGraph's Postgres checkpointer creates
# `checkpoints`, `checkpoint_blobs`, `checkpoint_writes`, `checkpoint_migrations`):
# migrations neither create nor drop them.
FOREIGN_TABLE_PREFIXES = ("checkpoint",)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic filter: compare only the tables our models own."""
    return not (type_ == "table" and name is not None and name.startswith(FOREIGN_TABLE_PREFIXES))


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs may carry %-escapes in passwords.
    config.set_main_option(
        "sqlalchemy.url", (url or get_settings().effective_database_url).replace("%", "%%")
    )
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database at `url` (default: configured) up to `revision`.

    Runs its own event loop: call it from sync code or via `asyncio.to_thread`.
    """
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def revision(message: str, url: str | None = None) -> None:
    """Autogenerate a new migration from the models (developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
