"""A full disk or an I/O error during a save: the action fails with a clear message, nothing of it is kept, the
database stays intact and the audit log verifies. The writer runs in a child process under a file-size limit
(RLIMIT_FSIZE, as `prlimit --fsize` sets), so its writes fail part-way like on a full disk."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.storage import models
from clinic_desktop.storage.unit_of_work import FULL_MESSAGE, IO_MESSAGE, StorageError, StorageFull, storage_error

from tests.storage.crash_support import WRITER_SOURCE, health, infusing_clinic

#: The WAL may grow this much past its size at the start before writes fail (room for a few saves).
HEADROOM = 200 * 1024

#: Saves notes until one fails; prints each acknowledged note's text and then the failure.
LIMITED_WRITER = WRITER_SOURCE + f"""
import os, resource, signal
folder, session_id = sys.argv[1], int(sys.argv[2])
services, nurse = writer(folder)
wal = os.path.join(folder, "clinic.db-wal")
limit = (os.path.getsize(wal) if os.path.exists(wal) else 0) + {HEADROOM}
# Ignored, a write past the limit fails with EFBIG instead of killing the process: a full disk, as SQLite sees it.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
for k in range(1, 1000):
    text = f"patient comfortable, note {{k}} " + "x" * 2000
    try:
        services.monitoring.add_note(nurse, session_id, NoteKind.FREE_TEXT, text=text)
    except ClinicError as exc:
        print(f"FAILED {{k}} {{type(exc).__name__}} {{exc.message}}", flush=True)
        break
    print(f"ACK {{k}}", flush=True)
"""

#: Saves one note with no limit: the same database, after the space was freed.
RETRY_WRITER = WRITER_SOURCE + """
folder, session_id, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
services, nurse = writer(folder)
services.monitoring.add_note(nurse, session_id, NoteKind.FREE_TEXT, text=f"patient comfortable, note {k} " + "x" * 2000)
print("SAVED", flush=True)
"""


def _note_numbers(folder) -> list[int]:
    con = sqlite3.connect(folder / "clinic.db")
    try:
        texts = [r[0] for r in con.execute("SELECT text FROM monitoring_notes ORDER BY id")]
    finally:
        con.close()
    return [int(t.split()[3]) for t in texts if t.startswith("patient comfortable, note ")]


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_save_on_a_full_disk_fails_clearly_and_keeps_nothing(tmp_path):
    """Under a file-size limit the save that no longer fits raises StorageFull (or StorageError) saying it was
    not saved; the notes saved before are all there, the failed one is not, the file and the audit log are
    intact; once space is back the same save succeeds."""
    clinic = infusing_clinic(tmp_path / "data")
    run = subprocess.run([sys.executable, "-c", LIMITED_WRITER, str(clinic.folder), str(clinic.session_id)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    acked = [int(line.split()[1]) for line in lines if line.startswith("ACK ")]
    failed = [line for line in lines if line.startswith("FAILED ")]
    assert len(acked) >= 2 and len(failed) == 1, run.stdout
    _, number, kind, message = failed[0].split(" ", 3)
    assert int(number) == acked[-1] + 1
    assert kind in ("StorageFull", "StorageError")
    assert message in (FULL_MESSAGE, IO_MESSAGE)
    assert "not saved" in message and "Traceback" not in run.stderr

    state = health(clinic.folder)
    assert state.integrity == ["ok"] and state.foreign_key_problems == []
    assert _note_numbers(clinic.folder) == acked  # every acknowledged note, and not the failed one
    assert state.notes == state.audited_notes  # no audit entry for the note that was not saved either
    assert state.audit.ok, state.audit.message

    retry = subprocess.run([sys.executable, "-c", RETRY_WRITER, str(clinic.folder), str(clinic.session_id), number],
                           capture_output=True, text=True, timeout=60)
    assert retry.stdout.strip() == "SAVED", retry.stderr
    assert _note_numbers(clinic.folder) == acked + [int(number)]
    again = health(clinic.folder)
    assert again.integrity == ["ok"] and again.audit.ok and again.head_seq == again.last_seq


# --- the mapping, in-process ------------------------------------------------------------------------

def _driver_error(message: str, code: int | None = None) -> OperationalError:
    orig = sqlite3.OperationalError(message)
    if code is not None:
        orig.sqlite_errorcode = code
    return OperationalError("COMMIT", {}, orig)


@pytest.mark.parametrize(("error", "expected"), [
    (_driver_error("database or disk is full", 13), StorageFull),
    (_driver_error("database or disk is full"), StorageFull),
    (_driver_error("disk I/O error", 778), StorageError),  # SQLITE_IOERR_WRITE
    (_driver_error("disk I/O error"), StorageError),
])
def test_full_disk_and_io_errors_become_storage_errors(error, expected):
    """SQLITE_FULL / SQLITE_IOERR (by code or by the driver's words) map to a ClinicError with its message."""
    mapped = storage_error(error)
    assert type(mapped) is expected and isinstance(mapped, ClinicError)
    assert mapped.message == (FULL_MESSAGE if expected is StorageFull else IO_MESSAGE)


def test_other_driver_errors_are_not_disguised_as_storage_errors():
    """A locked database or a constraint failure keeps its own error (it is not a disk problem)."""
    assert storage_error(_driver_error("database is locked", 5)) is None
    assert storage_error(ValueError("database or disk is full")) is None


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("could not extend file")
        self.sqlstate = sqlstate


def test_postgres_disk_full_and_io_error_sqlstates_are_mapped():
    """PostgreSQL says disk_full (53100) and io_error (58030): the same messages as on SQLite."""
    assert type(storage_error(OperationalError("COMMIT", {}, _PgError("53100")))) is StorageFull
    assert type(storage_error(OperationalError("COMMIT", {}, _PgError("58030")))) is StorageError


@pytest.mark.sqlite_only
def test_a_failed_commit_in_a_service_raises_storage_full_and_saves_nothing(services, staff, monkeypatch):
    """Through a real service: the commit fails as on a full disk, the caller gets StorageFull, and neither the
    record nor its audit entry is in the database; the next save works."""
    admin = staff["admin"]
    real_commit = Session.commit

    def full_commit(self):
        raise _driver_error("database or disk is full", 13)

    with services.context.db.read() as uow:  # the shipped sheet texts' entries, written at start-up
        entries_before = uow.session.scalar(select(func.count()).select_from(models.AuditEntry))
    monkeypatch.setattr(Session, "commit", full_commit)
    with pytest.raises(StorageFull, match="not saved"):
        services.chairs.add(admin, "Chair 2")
    monkeypatch.setattr(Session, "commit", real_commit)
    with services.context.db.read() as uow:
        assert uow.session.scalar(select(func.count()).select_from(models.Chair)) == 0
        assert uow.session.scalar(select(func.count()).select_from(models.AuditEntry)) == entries_before
    assert services.chairs.add(admin, "Chair 2").name == "Chair 2"


@pytest.mark.sqlite_only
def test_vitals_form_shows_the_full_disk_message_and_keeps_what_was_typed(qtbot, services, staff, clock,
                                                                         monkeypatch, request):
    """On screen: saving a reading when the disk is full shows the message on the form, keeps every value
    typed, and adds no reading; saving again once space is back works."""
    from clinic_desktop.ui.session_screen.vitals_panel import VitalsPanel

    from clinic_desktop.ui import ops
    from tests.services.service_support import Clinic
    from tests.ui.session_support import hosted

    previous = ops.use_executor(ops.InlineExecutor())  # the save finishes before the click returns, as in tests/ui
    request.addfinalizer(lambda: ops.use_executor(previous))
    sid = Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id).infusing()
    clock.advance(minutes=10)
    nurse = staff["nurse"]
    panel = VitalsPanel(services, lambda: nurse, sid)
    qtbot.addWidget(panel)
    hosted(panel, services, nurse, sid)
    panel.resize(1100, 900)
    panel.show()
    typed = {"systolic": "126", "diastolic": "80", "heart_rate": "74", "spo2": "97"}
    for name, value in typed.items():
        panel.form.fields[name].setText(value)

    real_commit = Session.commit

    def full_commit(self):
        raise _driver_error("database or disk is full", 13)

    monkeypatch.setattr(Session, "commit", full_commit)
    panel.form.save_button.click()
    assert panel.form.errors.shown() == {"": FULL_MESSAGE}
    assert {name: panel.form.fields[name].text() for name in typed} == typed
    monkeypatch.setattr(Session, "commit", real_commit)
    assert len(services.sessions.detail(nurse, sid).vitals) == 1  # only the baseline
    with qtbot.waitSignal(panel.updated):
        panel.form.save_button.click()
    assert len(services.sessions.detail(nurse, sid).vitals) == 2
    assert not panel.form.errors.shown()
