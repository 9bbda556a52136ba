"""Backups through SQLite's online backup API: consistent, self-contained, verified, nothing half-written."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from clinic_desktop.storage.backup import BackupError, backup_before_upgrade, sqlite_backup

#: A name that can only be in the backup if the uncheckpointed WAL write was copied.
CANARY = "Wal Canary Żółw"


def header_journal_mode(path: Path) -> str:
    """Bytes 18-19 of the SQLite header: 1/1 is a rollback journal, 2/2 is WAL (read without opening the file)."""
    write_version, read_version = path.read_bytes()[18:20]
    return {(1, 1): "delete", (2, 2): "wal"}[(write_version, read_version)]


def rows_in(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def add_canary(db) -> None:
    with db.write() as uow:
        uow.session.execute(text("INSERT INTO staff (full_name, credentials, role, active, created_at) VALUES "
                                 "(:name, 'RN', 'nurse', 1, '2026-03-02 14:00:00.000000')"), {"name": CANARY})
        uow.commit()


def test_backup_of_a_live_database_includes_uncheckpointed_wal_writes(db, tmp_path):
    """A write committed into the WAL (not yet in the main file) is in the backup, which is a single file."""
    source = db.sqlite_path
    with db.engine.connect() as conn:  # keep the database open so the WAL is not checkpointed on close
        add_canary(db)
        wal = source.with_name(source.name + "-wal")
        assert wal.exists() and CANARY.encode() in wal.read_bytes()
        assert CANARY.encode() not in source.read_bytes(), "the write was already checkpointed"

        target = tmp_path / "copies" / "clinic-backup.db"
        target.parent.mkdir()
        sqlite_backup(source, target)
        assert conn.exec_driver_sql("SELECT count(*) FROM staff").scalar() == 1  # source still usable

    assert sorted(p.name for p in target.parent.iterdir()) == ["clinic-backup.db"]
    assert header_journal_mode(target) == "delete"
    # Self-contained: the file alone, moved elsewhere, holds the write and passes the integrity check.
    alone = tmp_path / "elsewhere" / "restored.db"
    alone.parent.mkdir()
    shutil.copyfile(target, alone)
    assert rows_in(alone, "SELECT full_name FROM staff") == [(CANARY,)]
    assert rows_in(alone, "PRAGMA integrity_check") == [("ok",)]
    assert rows_in(alone, "PRAGMA journal_mode") == [("delete",)]


def test_backup_while_another_thread_writes_is_a_consistent_snapshot(db, tmp_path):
    """Backups taken during a stream of commits each hold a gap-free prefix of them and verify."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            n = 0
            while not stop.is_set() and n < 5000:
                n += 1
                with db.write() as uow:
                    uow.session.execute(text(
                        "INSERT INTO staff (id, full_name, credentials, role, active, created_at) VALUES "
                        "(:id, :name, '', 'nurse', 1, '2026-03-02 14:00:00.000000')"), {"id": n, "name": f"n{n}"})
                    uow.commit()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = []
        for i in range(5):
            target = tmp_path / f"copy-{i}.db"
            sqlite_backup(db.sqlite_path, target)
            copies.append(target)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors
    for copy in copies:
        ids = [r[0] for r in rows_in(copy, "SELECT id FROM staff ORDER BY id")]
        assert ids == list(range(1, len(ids) + 1)), copy
        assert rows_in(copy, "PRAGMA integrity_check") == [("ok",)]
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("folder", ["Clinic #2", "a?b", "100%25", "ünïcødé folder"])
def test_backup_of_a_database_in_an_awkward_folder(tmp_path, clock, folder):
    """Folder names with #, ?, % or non-ASCII characters still back up the real database, not an empty one."""
    source = tmp_path / folder / "clinic.db"
    source.parent.mkdir()
    con = sqlite3.connect(source)
    con.execute("CREATE TABLE staff (id INTEGER PRIMARY KEY, full_name TEXT)")
    con.execute("INSERT INTO staff (full_name) VALUES (?)", (CANARY,))
    con.commit()
    con.close()
    before = sorted(p.name for p in tmp_path.iterdir())
    target = tmp_path / "backup.db"
    sqlite_backup(source, target)
    assert rows_in(target, "SELECT full_name FROM staff") == [(CANARY,)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before + ["backup.db"])  # no stray files


def test_backup_before_upgrade_is_named_after_the_revision_and_time(db, tmp_path):
    """The pre-upgrade copy says which schema it holds and when it was taken, in UTC."""
    add_canary(db)
    when = datetime(2026, 3, 2, 14, 5, 9, tzinfo=timezone.utc)
    copy = backup_before_upgrade(db.engine, tmp_path / "new" / "backups", "0001_people", when)
    assert copy.name == "clinic-before-upgrade-from-0001_people-20260302T140509Z.db"
    assert rows_in(copy, "SELECT full_name FROM staff") == [(CANARY,)]


# --- failures ------------------------------------------------------------------------------------------

def _source(tmp_path: Path) -> Path:
    source = tmp_path / "source.db"
    con = sqlite3.connect(source)
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()
    return source


@pytest.mark.parametrize("where", ["missing folder", "existing folder"])
def test_failing_target_raises_backup_error_and_leaves_no_partial(tmp_path, where):
    """A target that cannot be written is a BackupError; no .partial (or target) is left behind."""
    source = _source(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    if where == "missing folder":
        target = out / "no" / "such" / "folder" / "copy.db"
    else:
        target = out / "copy.db"
        target.mkdir()  # a directory sits where the copy should go
    with pytest.raises(BackupError, match="back up|backup"):
        sqlite_backup(source, target)
    assert not [p for p in out.rglob("*") if p.is_file()]


def test_missing_source_raises_backup_error(tmp_path):
    """Backing up a database file that does not exist is a BackupError, and creates nothing."""
    with pytest.raises(BackupError):
        sqlite_backup(tmp_path / "gone.db", tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_corrupt_source_fails_verification_and_leaves_no_partial(tmp_path):
    """A copy that fails its integrity check is a BackupError and is deleted, not left as a .partial."""
    source = tmp_path / "source.db"
    con = sqlite3.connect(source)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)")
    con.execute("CREATE INDEX ix_t_a ON t (a)")
    con.executemany("INSERT INTO t (a, b) VALUES (?, ?)", [(f"a{i}", f"b{i}") for i in range(100)])
    con.commit()
    # Make the index disagree with its table: the pages stay well-formed, the content is wrong.
    con.execute("PRAGMA writable_schema = ON")
    con.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX ix_t_a ON t (b)' WHERE name = 'ix_t_a'")
    con.commit()
    con.close()
    assert rows_in(source, "PRAGMA integrity_check")[0] != ("ok",)

    with pytest.raises(BackupError, match="integrity check"):
        sqlite_backup(source, tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.db"]


def test_stale_partial_from_an_interrupted_backup_does_not_block_the_next(tmp_path):
    """A half-written .partial left by a crash is replaced by the next backup, which succeeds."""
    source = _source(tmp_path)
    target = tmp_path / "copy.db"
    (tmp_path / "copy.db.partial").write_bytes(b"half of a backup, cut off by a power failure" * 500)
    sqlite_backup(source, target)
    assert rows_in(target, "SELECT x FROM t") == [(1,)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db", "source.db"]
