"""Opening refuses what must not be used: a lost database beside its clinic's key, head or backups, and a file
whose pages or references are damaged. The full check (page_checks) finds what the quick one at open leaves."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone

import pytest

from clinic_desktop.storage import page_checks
from clinic_desktop.storage.database import DatabaseError, open_database

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


@pytest.fixture
def clinic(tmp_path):
    """A data folder whose database has a few rows and audit entries, closed; (folder, database file)."""
    from clinic_desktop.services.registry import Services
    from clinic_desktop.domain.clock import FixedClock
    from zoneinfo import ZoneInfo

    folder = tmp_path / "data"
    db = open_database(f"sqlite:///{folder / 'clinic.db'}", folder / "backups", NOW)
    Services.build(db, FixedClock(NOW), ZoneInfo("UTC"))  # stores the sheet texts: audit entries, key, head
    db.close()
    return folder, folder / "clinic.db"


def files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def open_again(folder):
    return open_database(f"sqlite:///{folder / 'clinic.db'}", folder / "backups", NOW)


@pytest.mark.parametrize("how", ["missing", "empty"])
@pytest.mark.parametrize("left", ["audit.key", "audit-head.json", "backup"])
def test_a_lost_database_beside_its_clinics_files_is_not_made_afresh(clinic, how, left):
    """Whichever of the key, the head or a backup is left: refused with what was found and how to restore; no
    new database is made and nothing in the folder changes."""
    folder, database = clinic
    for name in ("audit.key", "audit-head.json"):
        if name != left:
            (folder / name).unlink()
    if left == "backup":
        (folder / "backups").mkdir()
        (folder / "backups" / "clinic-daily-20260301T000000Z.db").write_bytes(b"a copy")
    database.unlink()
    for companion in ("-wal", "-shm"):
        (folder / f"clinic.db{companion}").unlink(missing_ok=True)
    if how == "empty":
        database.write_bytes(b"")
    before = files(folder)
    with pytest.raises(DatabaseError) as refused:
        open_again(folder)
    found = {"audit.key": "the audit key", "audit-head.json": "the audit head file", "backup": "backups"}[left]
    state = "is missing" if how == "missing" else "is empty (0 bytes)"
    newest = folder / "backups" / "clinic-daily-20260301T000000Z.db"
    which = f"{newest} (the newest backup)" if left == "backup" else "FILE (a backup with its manifest)"
    assert refused.value.message == (
        f"The clinic database {database} {state}, but its folder still holds {found} of a clinic, so no new empty "
        f"database is made in its place. Restore a backup from the command line: clinic-desktop --data-dir "
        f"{folder} restore {which}; or, to start a new clinic here on purpose, move those files elsewhere first.")
    assert files(folder) == before


def test_a_new_folder_still_gets_a_new_database(tmp_path):
    folder = tmp_path / "new"
    open_again(folder).close()
    assert (folder / "clinic.db").stat().st_size > 0


def test_damaged_pages_are_refused_at_open_and_the_file_is_left(clinic):
    folder, database = clinic
    data = bytearray(database.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[3 * page:5 * page] = b"\xde\xad" * page  # two pages of a table or index overwritten
    database.write_bytes(bytes(data))
    with pytest.raises(DatabaseError) as refused:
        open_again(folder)
    message = refused.value.message
    assert message.startswith((f"The database {database} is damaged: SQLite",
                               f"Cannot open the database at sqlite:///{database}: ")), message
    assert "\n" not in message and "restore" in message
    assert database.read_bytes() == bytes(data)


def test_the_full_check_finds_an_index_that_disagrees_with_its_table(clinic):
    """quick_check (at open) reads every page but does not compare an index with its rows; the full check does,
    and foreign_key_check names a row pointing at nothing."""
    folder, database = clinic
    db = open_again(folder)
    try:
        assert page_checks.database_problem(db.engine) is None
    finally:
        db.close()
    with sqlite3.connect(database) as con:
        con.execute("PRAGMA writable_schema = ON")
        con.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX ix_audit_log_staff_id_seq ON audit_log "
                    "(staff_id, seq DESC)' WHERE name = 'ix_audit_log_staff_id_seq'")
    con.close()
    db = open_again(folder)  # passes the quick check at open
    try:
        problem = page_checks.database_problem(db.engine)
    finally:
        db.close()
    assert problem is not None and problem.startswith("The database is damaged: SQLite's check finds \"row ")
    assert "missing from index ix_audit_log_staff_id_seq" in problem


def test_a_row_pointing_at_nothing_is_named():
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    con.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))")
    assert page_checks.file_problem(con, "The copy") is None
    con.execute("INSERT INTO child VALUES (7, 99)")
    con.execute("INSERT INTO child VALUES (8, 98)")
    assert page_checks.file_problem(con, "The copy") == (
        "The copy has 2 rows pointing at rows that do not exist (the first: row 7 of table child, pointing into "
        "parent).")


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_the_open_check_reads_only(clinic):
    """Checking at open writes nothing: the database's bytes and time stay as they were when nothing is saved."""
    folder, database = clinic
    before = database.read_bytes()
    from clinic_desktop.storage.database import _refuse_damaged, make_engine

    engine = make_engine(f"sqlite:///{database}", wal=False)
    try:
        _refuse_damaged(engine, database, folder / "backups")
    finally:
        engine.dispose()
    assert database.read_bytes() == before


def test_a_file_over_the_open_check_limit_is_left_to_the_backups_full_check(clinic, monkeypatch, caplog):
    """Above the limit the open does not read the whole file (start-up stays quick); the full check a backup
    makes of its copy, and verify, still find the damage."""
    from clinic_desktop.storage import database as database_module

    folder, database = clinic
    con = sqlite3.connect(database)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("INSERT INTO diagnoses (patient_id, code, description, is_primary) VALUES (999999, 'F33.2', 'x', 0)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError):
        open_again(folder)  # under the limit: refused at open
    monkeypatch.setattr(database_module, "OPEN_CHECK_LIMIT_BYTES", database.stat().st_size - 1)
    caplog.set_level("INFO")
    db = open_again(folder)
    try:
        assert "checked by every backup" in caplog.text
        assert "pointing at rows that do not exist" in page_checks.database_problem(db.engine)
    finally:
        db.close()
