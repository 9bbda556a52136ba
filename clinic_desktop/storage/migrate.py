"""Alembic, imported only when a migration actually runs (it costs ~0.6 s to import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from clinic_desktop.storage import schema
from clinic_desktop.storage.audit_chain import AuditKeyring

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: Config.attributes keys: the data folder's audit keyring, and the tables whose rows the steps ask to be resealed.
KEYRING, RESEAL = "audit_keyring", "reseal_tables"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def reseal_after(op: Any, tables: Iterable[str]) -> None:
    """For a migration step that adds or changes what a sealed table's rows hold: their seals are computed again
    once every step has run (with the schema the program writes), in the upgrade's transaction."""
    op.get_context().config.attributes.setdefault(RESEAL, set()).update(tables)


def upgrade(engine: Engine, target: str = schema.HEAD, keyring: AuditKeyring | None = None) -> None:
    """Migrate to `target`. On SQLite, foreign keys are off while tables are rebuilt and checked after. Rows of
    tables a step changed are resealed with `keyring` (needed only when such a table has rows)."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        # The pragma is ignored inside a transaction, so it goes straight to the driver (autocommit there).
        if sqlite:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                config = alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, target)
                _reseal(conn, config.attributes.get(RESEAL, ()), keyring, target)
                if sqlite:
                    problems = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
                    if problems:
                        raise RuntimeError(f"foreign key check failed after migration: {problems[:5]}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


def _reseal(conn: Any, names: Iterable[str], keyring: AuditKeyring | None, target: str) -> None:
    names = set(names)
    if not names or target != schema.HEAD:  # an older target's tables are not the program's: seal at HEAD only
        return
    from clinic_desktop.storage.models import Base
    from clinic_desktop.storage.row_seals import seal_all

    tables = [t for t in Base.metadata.sorted_tables if t.name in names]
    if keyring is None:
        if any(conn.execute(t.select().limit(1)).first() for t in tables):
            raise RuntimeError("rows need sealing but no audit keyring was given to the upgrade")
        return
    seal_all(conn, keyring, tables)
