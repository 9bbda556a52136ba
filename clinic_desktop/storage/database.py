"""The engine with its safety pragmas, and opening a database: create, upgrade (after a backup) or refuse."""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import stat
import threading
import weakref
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.storage import database_lock, file_modes, filesystem, migration_guard, pg_tools, schema
from clinic_desktop.storage.audit_chain import PENDING_HEAD, AuditKeyring
from clinic_desktop.storage.change_set import ChangeSet, take_pending
from clinic_desktop.storage.row_seals import RowSealer, seal_on_flush
from clinic_desktop.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

#: How long a connection waits for another workstation's or thread's write lock before giving up.
BUSY_TIMEOUT_MS = 10_000
#: How this program's PostgreSQL sessions name themselves (pg_stat_activity), so a restore can say how many
#: workstations are connected and which.
WORKSTATION = f"clinic-desktop on {socket.gethostname()} ({os.getpid()})"[:63]


class DatabaseError(ClinicError):
    """The database cannot be opened as it is: the message says why and what to do."""


class MigrationInterrupted(DatabaseError):
    """An upgrade of this file started and did not finish: it is not opened; the copy taken before is offered
    (restore it with migration_guard.restore_pre_migration, or `clinic-desktop restore`)."""

    def __init__(self, interrupted: migration_guard.InterruptedMigration) -> None:
        super().__init__(migration_guard.describe(interrupted))
        self.interrupted = interrupted


#: Every open Database of this process, weakly held: a command ends by closing what it opened (close_all).
_OPEN: "weakref.WeakSet[Database]" = weakref.WeakSet()


def close_all() -> None:
    """Close every database this process still has open (its connections and its in-use lock): the command line
    does this when a command ends, so a restore run next in the same process is not refused by it."""
    for database in list(_OPEN):
        database.close()


class Database:
    """An open database: hands out units of work. Reads use deferred transactions; writes take the
    write lock when they begin, so two writers queue instead of failing half-way (SQLite)."""

    def __init__(self, engine: Engine, keyring: AuditKeyring, hold: database_lock.Hold | None = None) -> None:
        self.engine = engine
        #: The audit key and head file, kept in the data folder, outside the database.
        self.keyring = keyring
        #: SQLite: the shared lock that tells a restore this database is open here (see database_lock).
        self._hold = hold
        self._gate = _Gate()
        #: Seals every row its sessions write (see row_seals); the bulk writer takes it too.
        self.sealer = RowSealer(keyring)
        self._read = sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else engine
        self._write = sessionmaker(writer, expire_on_commit=False)
        for factory in (self._read, self._write):
            seal_on_flush(factory, self.sealer)
        #: Told what each commit changed (weakly held: a closed window's listener goes with it).
        self._listeners: list[weakref.ref[Callable[[ChangeSet], None]]] = []
        _OPEN.add(self)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        database = self.engine.url.database
        return Path(database) if self.is_sqlite and database and database != ":memory:" else None

    def read(self) -> UnitOfWork:
        return UnitOfWork(self._read, gate=self._gate.unit)

    def write(self) -> UnitOfWork:
        return UnitOfWork(self._write, on_commit=self._committed, gate=self._gate.unit)

    @contextmanager
    def restoring(self) -> Iterator[None]:
        """While a restore replaces the database under this handle: the units of work of other threads (the
        window's own reads on its GUI thread) wait until it is done, so none reads a half-replaced database;
        this handle's pooled connections are closed and its in-use lock let go, so the restore's exclusive lock
        counts only other windows and commands. Afterwards the handle opens the restored database."""
        with self._gate.closed():
            self.engine.dispose()
            path = self._hold.path if self._hold is not None else None
            if self._hold is not None:
                self._hold.release()
            try:
                yield
            finally:
                self.engine.dispose()
                if path is not None:
                    self._hold = database_lock.shared(sqlite_database_of(path))

    def add_commit_listener(self, listener: Callable[[ChangeSet], None]) -> None:
        """Call `listener(changes)` after every commit that wrote audit entries, in the committing thread.
        A bound method is held weakly, so its object can go away without unsubscribing."""
        ref = weakref.WeakMethod(listener) if hasattr(listener, "__self__") else (lambda fn=listener: fn)
        self._listeners.append(ref)

    def _committed(self, info: dict) -> None:
        self._publish_audit_head(info)
        changes = take_pending(info)
        if changes is None:
            return
        self._listeners = [ref for ref in self._listeners if ref() is not None]
        for ref in list(self._listeners):
            listener = ref()
            if listener is None:
                continue
            try:
                listener(changes)
            except Exception:
                log.warning("A commit listener failed", exc_info=True)

    def _publish_audit_head(self, info: dict) -> None:
        """After a commit that appended to the audit log, record its newest entry outside the table.

        The record is already committed here, so a failure to write the head file (a full disk) must not be
        reported as an unsaved record: the user would enter it again. The head file only ever lags the table
        (by the commits whose publish failed or was cut off by a crash), which verify accepts as long as the
        entry it names is still in the log unchanged; the next successful commit brings it up to date."""
        head = info.pop(PENDING_HEAD, None)
        if head is not None:
            seq, entry_hash, began_log, at = head
            try:
                if not began_log and not self.keyring.head_path.exists():
                    # A missing head next to a log is an alarm (verify names it); a commit must not erase it.
                    log.warning("The audit head file %s is missing; it is not made anew (see `clinic-desktop "
                                "audit verify`)", self.keyring.head_path)
                    return
                self.keyring.write_head(seq, entry_hash, at)
            except OSError:
                log.warning("The audit head file could not be updated after a commit; it will catch up at "
                            "the next one", exc_info=True)

    def session(self) -> Session:
        """A bare session for tools that manage their own transaction (demo data, migrations)."""
        return self._write()

    def revision(self) -> str | None:
        return current_revision(self.engine)

    def close(self) -> None:
        self.engine.dispose()
        if self._hold is not None:
            self._hold.release()
        _OPEN.discard(self)

    def for_bulk_load(self) -> "Database":
        """A second handle on this database for writing generated data (the demo) in large batches."""
        return bulk_load_database(self.engine.url.render_as_string(hide_password=False), self.keyring)


class _Gate:
    """Lets units of work through, except while a restore replaces the database (`closed`): the units of other
    threads then wait for it, and it waits for theirs under way to end first."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._owner: int | None = None
        #: Units of work under way, per thread.
        self._open: dict[int, int] = {}

    @contextmanager
    def unit(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            self._cond.wait_for(lambda: self._owner in (None, me))
            self._open[me] = self._open.get(me, 0) + 1
        try:
            yield
        finally:
            with self._cond:
                self._open[me] -= 1
                if not self._open[me]:
                    del self._open[me]
                self._cond.notify_all()

    @contextmanager
    def closed(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            self._cond.wait_for(lambda: self._owner is None)
            self._owner = me
            self._cond.wait_for(lambda: not any(n for t, n in self._open.items() if t != me))
        try:
            yield
        finally:
            with self._cond:
                self._owner = None
                self._cond.notify_all()


def sqlite_database_of(lock_file: Path) -> Path:
    return lock_file.with_name(lock_file.name[:-len(database_lock.SUFFIX)])


def bulk_load_database(url: str, keyring: AuditKeyring) -> Database:
    """A handle for writing generated data in large batches (e.g. from a worker process): its SQLite connections
    sync the write-ahead log at checkpoints instead of at every commit (a crash may lose the last batches, never
    corrupt the file) and keep a larger page cache for the indexes being filled. The application's own handle
    keeps synchronous=FULL. Close it when done."""
    path = sqlite_file(url)
    hold = database_lock.shared(path) if path is not None else None
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_bulk_load)
    return Database(engine, keyring, hold)


def make_engine(url: str, *, wal: bool = True) -> Engine:
    """An engine whose every connection has the safety settings (SQLite: WAL, synchronous=FULL, foreign keys).

    `wal=False` leaves the file's journal mode alone (switching to WAL rewrites the header), for looking at a
    file that may yet be refused; `use_wal` turns it on once the file is accepted."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseError(f"Not a database URL: {pg_tools.scrub(url)!r}. Use sqlite:///path/to/clinic.db or "
                            "postgresql+psycopg://user@host/dbname.") from None
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            # hide_parameters: a failed statement's message (and so the log) never holds a patient's data.
            engine = create_engine(parsed, hide_parameters=True, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000,
                                                                               "check_same_thread": False})
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
            if wal:
                use_wal(engine)
            return engine
        if parsed.get_backend_name() == "postgresql":
            return create_engine(parsed, pool_pre_ping=True, hide_parameters=True,
                                 connect_args={"options": f"-c lock_timeout={BUSY_TIMEOUT_MS}",
                                               "application_name": WORKSTATION})
    except OSError as exc:
        raise DatabaseError(f"Cannot use the folder for the database {parsed.database!r}: "
                            f"{exc.strerror or exc}.") from None
    except (ArgumentError, ImportError) as exc:  # an unknown driver name, or its package is not installed
        raise DatabaseError(f"Cannot use the database URL {parsed.render_as_string(hide_password=True)!r}: "
                            f"{exc}") from None
    raise DatabaseError(f"Unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL.")


def use_wal(engine: Engine) -> None:
    """Every new connection switches the file to WAL (persistent); pooled connections are dropped first."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_wal):
        engine.dispose()
        event.listen(engine, "connect", _sqlite_wal)


def _sqlite_wal(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.execute("PRAGMA journal_mode = WAL")


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # Take transaction control away from the driver: we issue BEGIN ourselves (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # FULL: in WAL mode NORMAL can lose the last acknowledged commits on power loss.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_bulk_load(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.execute("PRAGMA synchronous = NORMAL")
    dbapi_connection.execute("PRAGMA cache_size = -131072")


def _sqlite_on_begin(connection: Connection) -> None:
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


def open_database(url: str, backups_dir: Path, now: datetime, audit_dir: Path | None = None) -> Database:
    """Open the clinic's database, creating or upgrading it. An older schema is backed up before it is
    migrated; a newer one is refused, since this program would misread it. A refused file is not modified.
    A SQLite file must be on a local disk and reached by its real path; one whose last upgrade did not
    finish is refused (MigrationInterrupted) until the copy taken before it is restored."""
    path = sqlite_file(url)
    audit_folder = audit_dir or backups_dir.parent
    if path is not None:
        problem = filesystem.sqlite_location_problem(path) or lost_database_problem(path, audit_folder, backups_dir)
        if problem is not None:
            raise DatabaseError(problem)
    return _open(url, path, backups_dir, now, audit_dir)


def _shared_hold(path: Path) -> database_lock.Hold:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return database_lock.shared(path)
    except OSError as exc:
        raise DatabaseError(f"Cannot use the folder for the database {str(path)!r}: {exc.strerror or exc}.") from None


def _open(url: str, path: Path | None, backups_dir: Path, now: datetime, audit_dir: Path | None) -> Database:
    interrupted = migration_guard.pending(path) if path is not None else None
    engine = make_engine(url, wal=False)
    try:
        revision = current_revision(engine)
    except DBAPIError as exc:  # unreadable, locked, or not a database at all
        engine.dispose()
        if interrupted is not None:
            raise MigrationInterrupted(interrupted) from None
        damaged = isinstance(exc.orig, sqlite3.DatabaseError) and not isinstance(exc.orig, sqlite3.OperationalError)
        hint = f" {restore_hint(backups_dir)}." if path is not None and damaged else ""
        raise DatabaseError(f"Cannot open the database at {engine.url.render_as_string(hide_password=True)}: "
                            f"{exc.orig}.{hint}") from None
    except DatabaseError:
        engine.dispose()
        if interrupted is not None:
            raise MigrationInterrupted(interrupted) from None
        raise
    if interrupted is not None:
        if revision == schema.HEAD == interrupted.to_revision:
            # Every step runs in one transaction, so the stamp at HEAD means the upgrade committed whole and
            # only the marker's removal was cut off.
            log.info("The upgrade to %s had finished; removing its leftover marker", revision)
            migration_guard.finish(interrupted.marker)
        else:
            engine.dispose()
            raise MigrationInterrupted(interrupted)
    if path is not None and revision is not None:
        _refuse_damaged(engine, path, backups_dir)
    if revision is not None and revision != schema.HEAD and not schema.is_older(revision):
        engine.dispose()
        raise DatabaseError(f"This database is stamped with schema {revision!r}, which this program does not "
                            f"know (it knows {schema.REVISIONS[0]} to {schema.HEAD}): it was written by a newer "
                            "version of clinic_desktop or by another program. Open it with the version that wrote "
                            "it; nothing was changed.")
    keyring = AuditKeyring(audit_dir or backups_dir.parent)
    # Taken once the file is accepted (a refused file gets no lock file beside it); from here until close, a
    # restore on this computer waits for this window to close, and this waits for a restore under way.
    hold = _shared_hold(path) if path is not None else None
    try:
        if path is not None and database_lock.staging_path(path).exists():
            from clinic_desktop.storage.backup_restore import finish_interrupted_restore  # only after a kill

            finish_interrupted_restore(path, keyring)
        elif path is None and database_lock.pending_head_path(keyring.folder).exists():
            from clinic_desktop.storage.backup_restore import finish_interrupted_pg_restore  # only after a kill

            with Session(engine) as session:
                finish_interrupted_pg_restore(session, keyring)
        use_wal(engine)
        if revision is None:
            if path is not None:  # SQLite made it 0644 when it first connected: private before any content
                file_modes.make_private(path)
            _create_fresh(engine)
        elif revision != schema.HEAD:
            _upgrade(engine, revision, backups_dir, now, keyring)
    except BaseException:
        engine.dispose()
        if hold is not None:
            hold.release()
        raise
    log.info("Database %s at schema revision %s", engine.url.render_as_string(hide_password=True), schema.HEAD)
    return Database(engine, keyring, hold)


def restore_hint(backups_dir: Path) -> str:
    """How to put a backup back when the window cannot open (Administration > Backup and restore needs it)."""
    newest = _newest_backup(backups_dir)
    which = str(newest.absolute()) if newest is not None else "FILE"
    return (f"Restore a backup from the command line: clinic-desktop --data-dir {backups_dir.parent.absolute()} restore "
            f"{which}" + (" (the newest backup)" if newest is not None else " (a backup with its manifest)"))


def lost_database_problem(path: Path, audit_folder: Path, backups_dir: Path) -> str | None:
    """Why the SQLite file must not be used: it is not an ordinary file (a device such as /dev/null reads as an
    empty database), or it is missing or empty and must not be created afresh: the folder still holds the audit key, the
    head file, a write-ahead log or backups of the clinic it held. A new empty clinic there would quietly
    replace the real one (and the log's head would then name entries that are not there)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        status = None
    except OSError:
        return None  # reported when it is opened, with the reason
    if status is not None and not stat.S_ISREG(status.st_mode):
        return (f"The database {path} is not an ordinary file (a folder, device or pipe): give the path of a "
                "database file.")
    size = status.st_size if status is not None else None
    if size:
        return None
    from clinic_desktop.storage.audit_chain import HEAD_FILE, KEY_FILE

    found = [name for name, there in (
        ("the audit key", (audit_folder / KEY_FILE).exists()),
        ("the audit head file", (audit_folder / HEAD_FILE).exists()),
        ("a write-ahead log", Path(f"{path}-wal").exists()),
        ("backups", _newest_backup(backups_dir) is not None)) if there]
    if not found:
        return None
    state = "is missing" if size is None else "is empty (0 bytes)"
    listed = found[0] if len(found) == 1 else f"{', '.join(found[:-1])} and {found[-1]}"
    return (f"The clinic database {path} {state}, but its folder still holds {listed} of a clinic, so no "
            f"new empty database is made in its place. {restore_hint(backups_dir)}; or, to start a new clinic here "
            "on purpose, move those files elsewhere first.")


def _newest_backup(backups_dir: Path) -> Path | None:
    try:
        copies = [p for p in backups_dir.glob("*.db") if p.is_file()] + list(backups_dir.glob("*.dump"))
    except OSError:
        return None
    return max(copies, key=lambda p: (p.stat().st_mtime, p.name), default=None)


#: The checks at open read the whole file (~8 ms per MB measured on a demo clinic): above this size they would hold
#: up every start by seconds, so a larger file relies on the full check each backup makes of its copy.
OPEN_CHECK_LIMIT_BYTES = 256 * 2**20


def _refuse_damaged(engine: Engine, path: Path, backups_dir: Path) -> None:
    """SQLite's quick_check and foreign_key_check at every open: a file with damaged pages, or with rows that
    point at rows that do not exist, is reported, never used (or upgraded). The full integrity_check, which also
    compares every index with its table, is `audit verify`'s (services/integrity.check_database_file)."""
    from clinic_desktop.storage.page_checks import foreign_key_problem, page_problem

    size = path.stat().st_size
    if size > OPEN_CHECK_LIMIT_BYTES:
        log.info("The database is %d MB: its pages and references are checked by every backup (at least daily) "
                 "and by audit verify, not at every open", size // 2**20)
        return
    raw = engine.raw_connection()
    try:
        name = f"The database {path}"
        problem = page_problem(raw.driver_connection, name, quick=True) or \
            foreign_key_problem(raw.driver_connection, name)
    finally:
        raw.close()
    if problem is not None:
        engine.dispose()
        raise DatabaseError(f"{problem} It was not opened. {restore_hint(backups_dir)}.")


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (absolute), or None for other databases, in-memory ones and bad URLs (which
    make_engine reports)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or \
            database.startswith("file:"):
        return None
    return Path(database).expanduser().absolute()


def _upgrade(engine: Engine, revision: str, backups_dir: Path, now: datetime, keyring: AuditKeyring) -> None:
    """Back up, mark the file as being upgraded, migrate (sealing rows with the data folder's audit key), unmark.
    On failure the engine is closed, the marker stays (the next start offers the copy) and the error says where
    the copy is."""
    from clinic_desktop.storage import backup, migrate  # only when an upgrade actually happens

    try:
        copy = backup.backup_before_upgrade(engine, backups_dir, revision, now)
    except BaseException:
        engine.dispose()
        raise
    log.info("Backed up the database as %s before upgrading from %s", copy.name, revision)
    database = sqlite_file(engine.url.render_as_string(hide_password=False))
    try:
        # PostgreSQL runs the whole upgrade in one transaction that its server rolls back if we die; a SQLite
        # file is ours to guard.
        marker = migration_guard.begin(database, copy, revision, schema.HEAD, now) if database else None
    except OSError as exc:
        engine.dispose()
        raise DatabaseError(f"Cannot write beside the database before upgrading it ({exc.strerror or exc}); it was "
                            "not upgraded.") from None
    try:
        migrate.upgrade(engine, keyring=keyring)
    except Exception as exc:
        engine.dispose()
        log.exception("Upgrading the database from %s failed", revision)
        raise DatabaseError(f"Upgrading the database from schema {revision} to {schema.HEAD} failed, so it was "
                            f"not opened ({exc}). A copy taken just before the attempt is at {copy}; the next start "
                            "offers to restore it.") from exc
    if marker is not None:
        migration_guard.finish(marker)
    log.info("Upgraded the database from schema %s to %s", revision, schema.HEAD)


def _create_fresh(engine: Engine) -> None:
    """A new database gets the current schema in one go and is stamped, as Alembic's cookbook does."""
    from clinic_desktop.storage.models import Base

    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                          "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:rev)"), {"rev": schema.HEAD})
    log.info("Created a new database at schema %s", schema.HEAD)
