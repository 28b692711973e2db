"""Run the Alembic migrations of the metadata store (``modelport db upgrade``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from modelport.db.engine import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (the latest by default), in one transaction."""
    _migrate(db, lambda cfg: command.upgrade(cfg, revision))


def downgrade(db: Database, revision: str) -> None:
    """Migrate the database back to ``revision``, in one transaction."""
    _migrate(db, lambda cfg: command.downgrade(cfg, revision))


def _migrate(db: Database, run: Callable[[Config], None]) -> None:
    """Run ``run`` on one connection. On SQLite the foreign keys are off meanwhile (they can only be
    switched outside a transaction): a batch-mode table rebuild drops the old table, and with the keys
    on that drop would cascade to the rows of the tables pointing at it. They are checked afterwards."""
    cfg = alembic_config(db.url)
    sqlite = db.dialect == "sqlite"
    with db.engine.connect() as conn:
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                run(cfg)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows without their parent: {broken[:5]}")
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
