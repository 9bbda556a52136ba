"""Opening a database: create and stamp, safety pragmas on every connection, units of work, refusals."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from clinic_desktop.domain.enums import Sex, StaffRole
from clinic_desktop.storage import schema
from clinic_desktop.storage.database import BUSY_TIMEOUT_MS, Database, DatabaseError, open_database
from clinic_desktop.storage.models import Base, Patient, Staff


def url_for(path: Path) -> str:
    return f"sqlite:///{path}"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pragmas(conn) -> dict[str, object]:
    return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}


#: When every row these tests write was written.
NOW = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
SAFE = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}


def assert_safe(found: dict[str, object]) -> None:
    assert {k: found[k] for k in SAFE} == SAFE
    assert found["busy_timeout"] == BUSY_TIMEOUT_MS > 0


def add_staff(session, name: str = "Dana Whitlock") -> Staff:
    row = Staff(full_name=name, role=StaffRole.NURSE, created_at=NOW)
    session.add(row)
    return row


def add_patient(session, mrn: str = "10000015", **extra) -> Patient:
    row = Patient(mrn=mrn, given_names="Anna", family_name="Smith", given_key="anna", family_key="smith",
                  date_of_birth=date(1980, 5, 1), sex=Sex.FEMALE, created_at=NOW, **extra)
    session.add(row)
    return row


def count(db: Database, model: type[Base]) -> int:
    with db.read() as uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def newer_db(tmp_path, clock) -> Path:
    """A database stamped with a revision this program has never heard of (written by a newer version)."""
    path = tmp_path / "newer.db"
    database = open_database(url_for(path), tmp_path / "backups", clock.now())
    with database.write() as uow:
        uow.session.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
        uow.commit()
    database.close()
    return path


# --- creating -------------------------------------------------------------------------------------

def test_new_file_gets_the_whole_schema_stamped_at_head(tmp_path, clock):
    """A new file is created with every table of the models and stamped with schema.HEAD, no backup taken."""
    path = tmp_path / "sub" / "dir" / "new.db"
    database = open_database(url_for(path), tmp_path / "backups", clock.now())
    try:
        assert path.is_file()
        assert database.revision() == schema.HEAD
        with database.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            stamped = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert set(Base.metadata.tables) <= tables
        assert tables - set(Base.metadata.tables) == {"alembic_version"}
        assert stamped == [schema.HEAD]
        assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())
    finally:
        database.close()


def test_reopening_a_current_database_keeps_its_data(tmp_path, clock):
    """Opening a database already at HEAD neither recreates nor backs it up: the rows are still there."""
    path = tmp_path / "clinic.db"
    first = open_database(url_for(path), tmp_path / "backups", clock.now())
    with first.write() as uow:
        add_staff(uow.session)
        uow.commit()
    first.close()
    second = open_database(url_for(path), tmp_path / "backups", clock.now())
    try:
        assert count(second, Staff) == 1
        assert second.revision() == schema.HEAD
        assert not (tmp_path / "backups").exists()
    finally:
        second.close()


# --- pragmas on every connection --------------------------------------------------------------------

def test_every_pooled_connection_has_the_safety_pragmas(db):
    """Several connections held at once (distinct pool members) each have WAL, FULL sync, FKs and a busy timeout."""
    conns = [db.engine.connect() for _ in range(4)]
    try:
        raw = {id(c.connection.driver_connection) for c in conns}
        assert len(raw) == 4, "the pool handed out the same DB-API connection twice"
        for conn in conns:
            assert_safe(pragmas(conn))
    finally:
        for conn in conns:
            conn.close()


def test_units_of_work_run_on_safe_connections(db):
    """The connections behind read and write units of work have the pragmas too (inside their transactions)."""
    with db.read() as reading, db.write() as writing:
        assert_safe(pragmas(reading.session.connection()))
        assert_safe(pragmas(writing.session.connection()))


def test_connection_made_in_another_thread_has_the_safety_pragmas(db):
    """A connection first opened on a worker thread (background ops) gets the same pragmas."""
    # Hold the main thread's connection so the worker must make a new one.
    held = db.engine.connect()
    results: list[object] = []

    def work() -> None:
        try:
            with db.engine.connect() as conn:
                results.append((threading.get_ident(), pragmas(conn)))
            with db.write() as uow:
                results.append((threading.get_ident(), pragmas(uow.session.connection())))
        except BaseException as exc:  # noqa: BLE001 (reported to the main thread below)
            results.append(exc)

    try:
        worker = threading.Thread(target=work)
        worker.start()
        worker.join(timeout=30)
    finally:
        held.close()
    assert not worker.is_alive()
    assert len(results) == 2, results
    for item in results:
        assert not isinstance(item, BaseException), item
        ident, found = item  # type: ignore[misc]
        assert ident != threading.get_ident()
        assert_safe(found)


def test_write_unit_of_work_takes_the_write_lock_when_it_begins(db):
    """A write unit of work begins IMMEDIATE: another writer is locked out at once, a reader is not."""
    other = sqlite3.connect(db.sqlite_path, timeout=0, isolation_level=None)
    try:
        with db.write() as uow:
            uow.session.connection()  # begin, before anything is written
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the unit of work ended
        other.execute("ROLLBACK")
        with db.read() as uow:
            uow.session.connection()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


# --- units of work ------------------------------------------------------------------------------------

def test_committed_unit_of_work_is_saved(db, tmp_path, clock):
    """The control case: a committed write is visible from a fresh engine on the same file."""
    with db.write() as uow:
        add_staff(uow.session)
        add_patient(uow.session)
        uow.commit()
    db.close()
    again = open_database(url_for(db.sqlite_path), tmp_path / "backups", clock.now())
    try:
        assert (count(again, Staff), count(again, Patient)) == (1, 1)
    finally:
        again.close()


def test_write_without_commit_rolls_back(db):
    """Rows flushed but not committed are gone when the block ends."""
    with db.write() as uow:
        add_staff(uow.session)
        add_patient(uow.session)
        uow.flush()
        assert uow.session.execute(select(func.count()).select_from(Patient)).scalar_one() == 1
    assert (count(db, Staff), count(db, Patient)) == (0, 0)


def test_exception_in_unit_of_work_rolls_everything_back(db):
    """An error half-way through a unit of work leaves nothing of it behind, not even the earlier flushes."""
    with pytest.raises(RuntimeError, match="power cut"):
        with db.write() as uow:
            add_staff(uow.session)
            uow.flush()
            add_patient(uow.session)
            uow.flush()
            raise RuntimeError("power cut")
    assert (count(db, Staff), count(db, Patient)) == (0, 0)


def test_failed_commit_saves_nothing(db):
    """A commit refused by the database (a duplicate MRN) saves none of the unit's rows."""
    with db.write() as uow:
        add_patient(uow.session, mrn="10000015")
        uow.commit()
    with pytest.raises(IntegrityError):
        with db.write() as uow:
            add_staff(uow.session)
            add_patient(uow.session, mrn="10000023")
            add_patient(uow.session, mrn="10000015")
            uow.commit()
    assert (count(db, Staff), count(db, Patient)) == (0, 1)


def test_foreign_key_violation_is_refused(db):
    """A row pointing at a missing parent is refused by the database, through the ORM and through raw SQL."""
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        with db.write() as uow:
            add_patient(uow.session, referring_clinician_id=9999)
            uow.commit()
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO allergies (patient_id, substance, reaction) VALUES (424242, 'x', '')"))
    assert count(db, Patient) == 0


# --- refusals -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
def test_newer_schema_is_refused_and_left_untouched(newer_db, tmp_path, clock, journal_mode):
    """A newer revision is refused, naming both revisions, and not a byte changes (WAL or rollback-journal file)."""
    con = sqlite3.connect(newer_db)
    assert con.execute(f"PRAGMA journal_mode = {journal_mode}").fetchone()[0] == journal_mode
    con.close()
    before = digest(newer_db)
    with pytest.raises(DatabaseError) as caught:
        open_database(url_for(newer_db), tmp_path / "backups", clock.now())
    message = caught.value.message
    assert "newer version" in message and "0099_from_the_future" in message and schema.HEAD in message
    assert digest(newer_db) == before
    # No -wal/-shm left, no backup taken (the in-use lock file is from the fixture's opening, which made the file).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.db", "newer.db.in-use"]
    con = sqlite3.connect(newer_db)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0099_from_the_future",)]
    finally:
        con.close()


@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
def test_foreign_database_is_refused_and_left_untouched(tmp_path, clock, journal_mode):
    """Some other program's SQLite file (tables, no schema version) is refused and not modified."""
    path = tmp_path / "other_program.sqlite"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA journal_mode = {journal_mode}")
    con.execute("CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT)")
    con.execute("INSERT INTO bookmarks (url) VALUES ('https://example.org')")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(DatabaseError, match="not made by clinic_desktop"):
        open_database(url_for(path), tmp_path / "backups", clock.now())
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other_program.sqlite"]


def test_damaged_version_table_is_refused(db, tmp_path, clock):
    """An empty alembic_version table (no revision to trust) is refused rather than guessed at."""
    with db.write() as uow:
        uow.session.execute(text("DELETE FROM alembic_version"))
        uow.commit()
    db.close()
    with pytest.raises(DatabaseError, match="damaged"):
        open_database(url_for(db.sqlite_path), tmp_path / "backups", clock.now())


def test_file_that_is_not_a_database_is_refused(tmp_path, clock):
    """A file that is not SQLite at all gives a DatabaseError a person can read, and is left as it was."""
    path = tmp_path / "notes.db"
    path.write_text("These are my notes, not a database.\n" * 200)
    before = digest(path)
    with pytest.raises(DatabaseError, match="not a database"):
        open_database(url_for(path), tmp_path / "backups", clock.now())
    assert digest(path) == before


@pytest.mark.parametrize("url", ["", "not a url", "clinic.db", "sqlite+nosuchdriver:///clinic.db",
                                 "postgresql+nosuchdriver://postgres@127.0.0.1/clinic"])
def test_bad_url_gives_database_error(tmp_path, clock, url):
    """A malformed URL, or one naming a driver that does not exist, is a DatabaseError, not a traceback."""
    with pytest.raises(DatabaseError):
        open_database(url, tmp_path / "backups", clock.now())


def test_unusable_location_gives_database_error(tmp_path, clock):
    """A database path whose folder cannot be created (a file is in the way) is a DatabaseError."""
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(DatabaseError):
        open_database(url_for(blocker / "clinic.db"), tmp_path / "backups", clock.now())


@pytest.mark.parametrize("url", ["mysql+pymysql://clinic@localhost/clinic", "oracle://clinic@localhost/clinic",
                                 "mssql+pyodbc://clinic@localhost/clinic"])
def test_unsupported_backend_gives_database_error(tmp_path, clock, url):
    """Only SQLite and PostgreSQL are supported; anything else is refused by name."""
    with pytest.raises(DatabaseError, match="Unsupported database"):
        open_database(url, tmp_path / "backups", clock.now())
