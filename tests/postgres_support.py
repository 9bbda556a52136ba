"""The storage and service tests on PostgreSQL: one database per test run, emptied quickly before each test.

Creating a database per test costs about a second on this server (CREATE DATABASE copies a template, and
the schema takes ~50 statements), so the run creates one database with the schema and each test starts with
every table truncated. Locally the tests skip when no server answers; CI sets CLINIC_DESKTOP_REQUIRE_POSTGRES=1
(.ci/run; "true", "yes" and "on" work too) so an unreachable server fails the run instead of silently testing
SQLite only.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

#: The local server CI starts (.ci/run); trust authentication for the postgres user.
SERVER = os.environ.get("CLINIC_DESKTOP_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
#: Set to a true value (1, true, yes, on, in any case) where PostgreSQL must be tested (CI): an unreachable
#: server then fails instead of skipping.
REQUIRE_ENV = "CLINIC_DESKTOP_REQUIRE_POSTGRES"
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def postgres_required() -> bool:
    """Whether the environment asks for PostgreSQL to be tested ("true" or "YES" as well as "1")."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in TRUE_VALUES


def unavailable(reason: str) -> None:
    """Skip (locally) or fail (CI) a test that needs the PostgreSQL server."""
    if postgres_required():
        pytest.fail(f"PostgreSQL is required ({REQUIRE_ENV} is set) but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL at {SERVER} is not available: {reason}")


def admin_connection():
    """An autocommit connection to the server's maintenance database; skips (or, in CI, fails) without one."""
    try:
        import psycopg
    except ImportError:
        unavailable("psycopg is not installed")
    try:
        return psycopg.connect(libpq(f"{SERVER}/postgres"), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        unavailable(f"it does not answer ({str(exc).strip().splitlines()[0]})")


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A uniquely named empty database of a test's own (for tests that create, migrate or restore a whole
    schema), dropped afterwards; its URL."""
    admin = admin_connection()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{SERVER}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def libpq(url: str) -> str:
    """The libpq connection string for a SQLAlchemy URL (psycopg connects without SQLAlchemy here: faster)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class RunDatabase:
    """A uniquely named database with the clinic schema, for one test run (one per pytest process)."""

    def __init__(self, url: str, tables: list[str], admin) -> None:
        self.url = url
        self._tables = tables
        self._admin = admin

    @classmethod
    def create(cls) -> "RunDatabase":
        admin = admin_connection()
        name = f"clinic_run_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        # A throwaway database: commits need not wait for the disk (the application's durability is tested on
        # SQLite by the crash tests; here this only saves ~40% of the PostgreSQL run).
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        url = f"{SERVER}/{name}"
        from clinic_desktop.storage.database import open_database
        from clinic_desktop.storage.models import Base

        with tempfile.TemporaryDirectory() as folder:  # the schema only: no audit key is made
            open_database(url, Path(folder) / "backups", datetime.now(timezone.utc)).close()
        return cls(url, [t.name for t in Base.metadata.sorted_tables], admin)

    def reset(self) -> str:
        """Empty every table (ids restart at 1, the audit log too) and return the database URL."""
        import psycopg

        # Closed again before the test: a restore refuses while any other connection is open on the database.
        with psycopg.connect(libpq(self.url), autocommit=True) as conn:
            # A test's leftover connections (a second "workstation", a child process) would block TRUNCATE.
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            with conn.transaction():
                # The audit log refuses TRUNCATE through a trigger; in replica mode ordinary triggers do not fire.
                # Test fixture only: the application never changes this setting.
                conn.execute("SET LOCAL session_replication_role = replica")
                conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in self._tables) + " RESTART IDENTITY CASCADE")
        return self.url

    def drop(self) -> None:
        name = self.url.rsplit("/", 1)[1]
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin.close()


#: Modules that test SQLite itself, so they run on SQLite only (file name: why).
SQLITE_ONLY_MODULES = {
    "test_types.py": "checks SQLite's storage classes (typeof) behind the exact-decimal and UTC types",
    "test_migrations.py": "compares migrated and created SQLite files (PostgreSQL: tests/storage/test_postgres.py)",
    "test_database.py": "PRAGMAs, WAL, BEGIN IMMEDIATE, refusing foreign SQLite files",
    "test_backup.py": "the SQLite online backup API and its file copies",
    "test_canary_password.py": "searches the SQLite file, its -wal and -shm and a backup copy for the password",
}

#: Single slow tests whose second run on PostgreSQL would add time but no database behaviour (name: why).
SQLITE_ONLY_TESTS = {
    "test_a_flood_of_unknown_names_changes_no_staff_row": "8 s of password hashing; the unknown names never reach "
                                                          "the database, which is what it checks",
}


def parametrize_backends(metafunc) -> None:
    """Run a test that uses the `db` fixture on both databases, unless it is marked `sqlite_only` or its module
    is in SQLITE_ONLY_MODULES (PRAGMAs, WAL, file copies, query plans: things PostgreSQL does differently)."""
    if "backend" not in metafunc.fixturenames or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    if metafunc.definition.path.name in SQLITE_ONLY_MODULES or metafunc.definition.name in SQLITE_ONLY_TESTS:
        return
    metafunc.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
