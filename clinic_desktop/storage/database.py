"""The engine with its safety pragmas, and opening a database: create, upgrade (after a backup) or refuse."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.storage import schema
from clinic_desktop.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

#: How long a connection waits for another workstation's or thread's write lock before giving up.
BUSY_TIMEOUT_MS = 10_000


class DatabaseError(ClinicError):
    """The database cannot be opened as it is: the message says why and what to do."""


class Database:
    """An open database: hands out units of work. Reads use deferred transactions; writes take the
    write lock when they begin, so two writers queue instead of failing half-way (SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else engine
        self._write = sessionmaker(writer, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        database = self.engine.url.database
        return Path(database) if self.is_sqlite and database and database != ":memory:" else None

    def read(self) -> UnitOfWork:
        return UnitOfWork(self._read)

    def write(self) -> UnitOfWork:
        return UnitOfWork(self._write)

    def session(self) -> Session:
        """A bare session for tools that manage their own transaction (demo data, migrations)."""
        return self._write()

    def revision(self) -> str | None:
        return current_revision(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    """An engine whose every connection has the safety settings (SQLite: WAL, synchronous=FULL, foreign keys)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"Not a database URL: {url!r}. Use sqlite:///path/to/clinic.db or "
                            "postgresql+psycopg://user@host/dbname.") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True,
                             connect_args={"options": f"-c lock_timeout={BUSY_TIMEOUT_MS}"})
    raise DatabaseError(f"Unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL.")


def _sqlite_on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 (DB-API objects)
    # Take transaction control away from the driver: we issue BEGIN ourselves (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    # FULL: in WAL mode NORMAL can lose the last acknowledged commits on power loss.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_on_begin(connection) -> None:  # noqa: ANN001
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision stamped in the database, or None for an empty database."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables:
            if tables:
                raise DatabaseError("This database was not made by clinic_desktop (it has tables but no schema "
                                    "version). Choose another file or an empty database.")
            return None
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) != 1:
        raise DatabaseError(f"The database's schema version table is damaged ({len(rows)} rows).")
    return rows[0]


def open_database(url: str, backups_dir: Path, now: datetime) -> Database:
    """Open the clinic's database, creating or upgrading it. An older schema is backed up before it is
    migrated; a newer one is refused, since this program would misread it."""
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseError(f"Cannot open the database at {engine.url.render_as_string(hide_password=True)}: "
                            f"{exc.orig}") from None
    except DatabaseError:
        engine.dispose()
        raise
    if revision is None:
        _create_fresh(engine)
    elif revision != schema.HEAD:
        if not schema.is_older(revision):
            engine.dispose()
            raise DatabaseError(f"This database was written by a newer version of clinic_desktop (schema "
                                f"{revision}; this program knows up to {schema.HEAD}). Install the newer "
                                "version; nothing was changed.")
        from clinic_desktop.storage import backup, migrate  # only when an upgrade actually happens

        copy = backup.backup_before_upgrade(engine, backups_dir, revision, now)
        log.info("Backed up the database to %s before upgrading from %s", copy, revision)
        migrate.upgrade(engine)
    return Database(engine)


def _create_fresh(engine: Engine) -> None:
    """A new database gets the current schema in one go and is stamped, as Alembic's cookbook does."""
    from clinic_desktop.storage.models import Base

    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                          "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:rev)"), {"rev": schema.HEAD})
