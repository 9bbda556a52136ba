"""An upgrade that fails or is killed midway, on a database from the first release: the marker left beside it
makes the next start refuse and name the copy taken before; restoring that copy brings the first-release file
back intact, and the next open upgrades it to HEAD with its rows."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text

from clinic_desktop.storage import schema
from clinic_desktop.storage.database import DatabaseError, MigrationInterrupted, open_database
from clinic_desktop.storage.migration_guard import (
    RestoreError,
    marker_path,
    pending,
    restore_pre_migration,
)

from tests.conftest import START

FIXTURE = Path(__file__).with_name("fixtures") / "first_release.sql"
FIRST_RELEASE = "0002_treatment"
REPO = Path(__file__).resolve().parents[2]
#: The tables and rows the fixture holds (fictional), as they must survive every step.
ROWS = {
    "staff": "SELECT full_name FROM staff ORDER BY id",
    "patients": "SELECT family_name, given_names, height_cm FROM patients",
    "weights": "SELECT weight_kg, entered_unit FROM weight_measurements",
    "sessions": "SELECT sequence, status FROM treatment_sessions ORDER BY sequence",
}
EXPECTED = {
    "staff": [("Dana Whitlock",), ("Dr Imani Okafor",)],
    "patients": [("O'Brien", "Siobhán", "168")],
    "weights": [("72.5", "kg")],
    "sessions": [(1, "discharged"), (2, "scheduled")],
}

#: Opens the database (which upgrades it) and kills itself with SIGKILL at the stamp of 0004, two steps in.
KILLED_MIGRATION = f"""
import os, signal, sys
from datetime import datetime
from pathlib import Path
sys.path.insert(0, {str(REPO)!r})
from sqlalchemy import Engine, event
from clinic_desktop.storage.database import open_database

@event.listens_for(Engine, "before_cursor_execute")
def die(conn, cursor, statement, parameters, context, executemany):
    if statement.startswith("UPDATE alembic_version") and "SET version_num='0004_check_notes'" in statement:
        os.kill(os.getpid(), signal.SIGKILL)

folder = Path(sys.argv[1])
open_database(f"sqlite:///{{folder / 'clinic.db'}}", folder / "backups", datetime.fromisoformat({START.isoformat()!r}))
"""


def first_release_db(folder: Path) -> Path:
    """A data folder whose clinic.db is the first release's schema with the fixture's rows."""
    folder.mkdir()
    path = folder / "clinic.db"
    con = sqlite3.connect(path)
    try:
        con.executescript(FIXTURE.read_text(encoding="utf-8"))
    finally:
        con.close()
    return path


def look(path: Path) -> dict:
    con = sqlite3.connect(path)
    try:
        out = {name: con.execute(sql).fetchall() for name, sql in ROWS.items()}
        out["revision"] = [r[0] for r in con.execute("SELECT version_num FROM alembic_version")]
        out["integrity"] = con.execute("PRAGMA integrity_check").fetchone()[0]
        out["fk"] = con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()
    return out


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_the_fixture_is_the_first_release_schema(tmp_path):
    """The fixture loads as a healthy database at 0002_treatment, the oldest revision ever shipped."""
    state = look(first_release_db(tmp_path / "data"))
    assert state["revision"] == [FIRST_RELEASE] and schema.REVISIONS.index(FIRST_RELEASE) == 1
    assert state["integrity"] == "ok" and state["fk"] == []
    assert {k: state[k] for k in ROWS} == EXPECTED


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_migration_killed_midway_is_refused_then_restored_and_upgraded(tmp_path):
    """A process killed two steps into the upgrade leaves the marker; the next open refuses, naming the
    pre-upgrade copy and the restore command; restoring brings back the first-release file, keeping the
    half-upgraded one aside; then a normal open upgrades it to HEAD with every row."""
    path = first_release_db(tmp_path / "data")
    run = subprocess.run([sys.executable, "-c", KILLED_MIGRATION, str(path.parent)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == -signal.SIGKILL, run.stderr

    interrupted = pending(path)
    assert interrupted is not None and interrupted.from_revision == FIRST_RELEASE
    assert interrupted.to_revision == schema.HEAD
    assert interrupted.backup.parent == path.parent / "backups" and interrupted.backup.is_file()
    assert json.loads(marker_path(path).read_text())["backup"] == str(interrupted.backup)

    with pytest.raises(MigrationInterrupted) as caught:
        open_database(url(path), path.parent / "backups", START)
    message = caught.value.message
    assert "did not finish" in message and str(interrupted.backup) in message
    assert f"clinic-desktop restore {interrupted.backup}" in message
    assert marker_path(path).exists()  # refusing changed nothing

    aside = restore_pre_migration(caught.value.interrupted, START)
    assert aside is not None and aside.name.startswith("clinic-failed-migration-") and aside.exists()
    assert not marker_path(path).exists()
    restored = look(path)
    assert restored["revision"] == [FIRST_RELEASE] and restored["integrity"] == "ok"
    assert {k: restored[k] for k in ROWS} == EXPECTED

    database = open_database(url(path), path.parent / "backups", START)
    try:
        assert database.revision() == schema.HEAD
    finally:
        database.close()
    upgraded = look(path)
    assert upgraded["integrity"] == "ok" and upgraded["fk"] == []
    assert {k: upgraded[k] for k in ROWS} == EXPECTED
    assert not marker_path(path).exists()


class FailingStep:
    """While armed, the upgrade's third step (0004_check_notes) fails, as a buggy migration would."""

    def __init__(self) -> None:
        event.listen(Engine, "before_cursor_execute", self._fail)
        self.armed = True

    @staticmethod
    def _fail(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE alembic_version") and "SET version_num='0004_check_notes'" in statement:
            raise RuntimeError("simulated failure in 0004_check_notes")

    def disarm(self) -> None:
        if self.armed:
            event.remove(Engine, "before_cursor_execute", self._fail)
            self.armed = False


@pytest.fixture
def failing_step():
    step = FailingStep()
    yield step
    step.disarm()


def failed_upgrade(tmp_path: Path) -> Path:
    """A first-release database whose upgrade just failed at its third step (the caller's hook is armed)."""
    path = first_release_db(tmp_path / "data")
    with pytest.raises(DatabaseError, match="simulated failure"):
        open_database(url(path), path.parent / "backups", START)
    return path


def test_failed_migration_keeps_its_marker_and_is_offered_the_copy_next_time(tmp_path, failing_step):
    """A step that raises: the error names the copy; the marker stays, so the next start (through the
    composition root too) refuses with the restore hint instead of silently retrying."""
    from clinic_desktop.app import open_services
    from clinic_desktop.domain.clock import FixedClock

    path = first_release_db(tmp_path / "data")
    with pytest.raises(DatabaseError, match="simulated failure") as caught:
        open_database(url(path), path.parent / "backups", START)
    interrupted = pending(path)
    assert interrupted is not None and str(interrupted.backup) in caught.value.message
    assert look(path)["revision"] == [FIRST_RELEASE]  # the steps ran in one transaction, rolled back
    failing_step.disarm()  # even with the bug fixed, the unfinished upgrade is reported first
    with pytest.raises(MigrationInterrupted, match="clinic-desktop restore"):
        open_services(str(path.parent), None, FixedClock(START))


def test_restore_then_open_after_a_failed_step(tmp_path, failing_step):
    """Once the failing step is fixed, restore then open reaches HEAD with the first release's rows."""
    path = failed_upgrade(tmp_path)
    failing_step.disarm()
    restore_pre_migration(pending(path), START)
    database = open_database(url(path), path.parent / "backups", START)
    try:
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT family_name FROM patients")).scalars().all() == ["O'Brien"]
        assert database.revision() == schema.HEAD
    finally:
        database.close()
    assert {k: look(path)[k] for k in ROWS} == EXPECTED


def test_marker_left_after_a_committed_upgrade_is_cleared(tmp_path):
    """Killed after the upgrade committed but before its marker went: the file is at HEAD, so it opens and the
    marker is removed (every step runs in one transaction: HEAD means the whole upgrade is there)."""
    path = first_release_db(tmp_path / "data")
    open_database(url(path), path.parent / "backups", START).close()
    copy = next((path.parent / "backups").iterdir())
    marker = marker_path(path)
    marker.write_text(json.dumps({"database": str(path), "backup": str(copy), "from": FIRST_RELEASE,
                                  "to": schema.HEAD, "started_at": START.isoformat()}))
    open_database(url(path), path.parent / "backups", START).close()
    assert not marker.exists()


def test_unreadable_marker_still_refuses_and_says_where_to_look(tmp_path):
    """A marker that cannot be read still means an unfinished upgrade; the message points at the backups."""
    path = first_release_db(tmp_path / "data")
    marker_path(path).write_text("{not json")
    with pytest.raises(MigrationInterrupted, match="newest clinic-before-upgrade copy"):
        open_database(url(path), path.parent / "backups", START)


def test_restore_refuses_a_missing_or_damaged_copy_and_changes_nothing(tmp_path, failing_step):
    """A pre-upgrade copy that is gone, or is not a database, is not restored; the database stays as it was."""
    path = failed_upgrade(tmp_path)
    interrupted = pending(path)
    before = path.read_bytes()
    interrupted.backup.write_bytes(b"not a database at all" * 100)
    with pytest.raises(RestoreError, match="cannot be read|cannot be restored"):
        restore_pre_migration(interrupted, START)
    interrupted.backup.unlink()
    with pytest.raises(RestoreError, match="is not there"):
        restore_pre_migration(interrupted, START)
    assert path.read_bytes() == before and marker_path(path).exists()
    assert not list(path.parent.glob("clinic-failed-migration-*"))


def test_command_line_reports_the_unfinished_upgrade_in_one_line(tmp_path, failing_step, capsys):
    """`clinic-desktop info` on such a folder: exit 1, one line naming the copy and the restore command."""
    from clinic_desktop import cli

    path = failed_upgrade(tmp_path)
    backup = pending(path).backup
    assert cli.main(["--data-dir", str(path.parent), "info"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("clinic-desktop: error: The upgrade")
    assert err.endswith(f"clinic-desktop restore {backup}")


def test_the_restore_command_the_error_names_brings_back_the_copy_and_the_next_start_upgrades(
        tmp_path, failing_step, capsys):
    """Following the hint: `clinic-desktop restore <copy>` verifies it, clears the marker, and the next start
    upgrades the first release's rows to HEAD."""
    from clinic_desktop import cli

    path = failed_upgrade(tmp_path)
    failing_step.disarm()
    backup = pending(path).backup
    assert cli.main(["--data-dir", str(path.parent), "restore", str(backup)]) == 0, capsys.readouterr().err
    assert pending(path) is None and not marker_path(path).exists()
    assert cli.main(["--data-dir", str(path.parent), "audit", "verify"]) == 0
    assert {k: look(path)[k] for k in ROWS} == EXPECTED
    assert look(path)["revision"] == [schema.HEAD]


@pytest.mark.parametrize("answer", ["Yes", "No"])
def test_gui_offers_the_pre_upgrade_copy_and_opens_after_restoring_it(tmp_path, failing_step, monkeypatch,
                                                                       qtbot, answer):
    """The open path of the application: a dialog explains and asks; Yes restores and opens (upgraded to
    HEAD), No leaves everything as it is and opens nothing."""
    from PySide6.QtWidgets import QMessageBox

    from clinic_desktop import app
    from clinic_desktop.domain.clock import FixedClock

    path = failed_upgrade(tmp_path)
    failing_step.disarm()
    backup = pending(path).backup
    asked = []

    def question(parent, title, message, buttons, default):
        asked.append((message, default))
        return getattr(QMessageBox.StandardButton, answer)

    monkeypatch.setattr(QMessageBox, "question", question)
    services, locations = app.open_for_gui(str(path.parent), None, FixedClock(START))
    (message, default), = asked
    assert app.RESTORE_QUESTION in message and str(backup) in message and "did not finish" in message
    assert default == QMessageBox.StandardButton.No  # restoring is a choice, never the Enter key's default
    if answer == "No":
        assert services is None and locations is None and marker_path(path).exists()
        assert look(path)["revision"] == [FIRST_RELEASE]
        return
    try:
        assert services.context.db.revision() == schema.HEAD
        assert not marker_path(path).exists()
        assert list(path.parent.glob("clinic-failed-migration-*.db"))
    finally:
        services.context.db.close()
