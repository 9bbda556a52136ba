"""A restore takes the SQLite database exclusively: refused while another window (in this process or another) or
a command has it open, nothing changed then; nobody opens the database while it is being replaced; and the
restoring window's own reads on other threads wait for the swap instead of reading a half-replaced file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from clinic_desktop.storage import database_lock
from clinic_desktop.storage.backup_manifest import BackupKind
from clinic_desktop.storage.backup_restore import restore_backup, take_backup
from clinic_desktop.storage.database import open_database
from clinic_desktop.storage.database_lock import DatabaseInUse
from tests.storage.backup_support import family_names, nurse, register, services_over

pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parents[2]
BEFORE = ["Before-One", "Before-Two"]
AFTER = BEFORE + ["After-Backup"]


@pytest.fixture
def live(tmp_path, clock):
    """A clinic database with two patients, a backup of it, and a third patient registered after the backup."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    database = open_database(url, tmp_path / "backups", clock.now())
    services = services_over(database, clock)
    who = nurse(services, clock.now())
    for family in BEFORE:
        register(services, who, family)
    backup = tmp_path / "backups" / "copy.db"
    take_backup(url, database.keyring, backup, BackupKind.MANUAL, clock.now())
    register(services, who, "After-Backup")
    yield url, database, backup, who
    database.close()


def restore(live, tmp_path, clock):
    url, database, backup, _who = live
    with database.restoring():
        return restore_backup(backup, url, database.keyring, tmp_path / "backups", clock.now())


def safety_copies(tmp_path) -> list[Path]:
    return sorted((tmp_path / "backups").glob("clinic-before-restore-*.db"))


def test_a_restore_is_refused_while_another_window_has_the_database_open(live, tmp_path, clock):
    """A second window in this same process (its own handle): refused, saying what to do; nothing changed, no
    safety copy; once that window closes, the same restore goes through."""
    url = live[0]
    second = open_database(url, tmp_path / "backups", clock.now())
    try:
        with pytest.raises(DatabaseInUse, match="Another Clinic Desktop window or command on this computer has "
                                                "the clinic database open.*Nothing was changed"):
            restore(live, tmp_path, clock)
        assert family_names(tmp_path / "clinic.db") == AFTER and safety_copies(tmp_path) == []
        # The refusing restore gave this window's own hold back: the second window still reads and writes.
        register(services_over(second, clock), live[3], "Second-Window")
    finally:
        second.close()
    restore(live, tmp_path, clock)
    assert family_names(tmp_path / "clinic.db") == BEFORE and len(safety_copies(tmp_path)) == 1
    assert family_names(safety_copies(tmp_path)[0]) == AFTER + ["Second-Window"]


HOLDER = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from pathlib import Path
    from clinic_desktop.storage.database import open_database
    folder = Path(sys.argv[1])
    db = open_database(f"sqlite:///{folder / 'clinic.db'}", folder / "backups", datetime.now(timezone.utc))
    print("open", flush=True)
    sys.stdin.readline()
    db.close()
""")


def test_a_restore_is_refused_while_a_command_in_another_process_has_the_database_open(live, tmp_path, clock):
    """Another process (a command, another window) with the database open: refused; after it exits, restored."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(DatabaseInUse, match="Close every other Clinic Desktop window"):
            restore(live, tmp_path, clock)
        assert family_names(tmp_path / "clinic.db") == AFTER and safety_copies(tmp_path) == []
    finally:
        holder.communicate("done\n", timeout=30)
    restore(live, tmp_path, clock)
    assert family_names(tmp_path / "clinic.db") == BEFORE


def test_nobody_opens_the_database_while_a_restore_holds_it(live, tmp_path, clock, monkeypatch):
    """While the restore's exclusive lock is held, opening waits (here 0.2 s) and then says a restore is under
    way; once it is let go, the database opens."""
    monkeypatch.setattr(database_lock, "OPEN_WAIT_S", 0.2)
    path = tmp_path / "clinic.db"
    live[1].close()  # the fixture's own window is closed, as a restoring window lets go of its hold
    hold = database_lock.exclusive(path)
    try:
        with pytest.raises(DatabaseInUse, match="A backup is being restored into the clinic database"):
            open_database(live[0], tmp_path / "backups", clock.now())
    finally:
        hold.release()
    open_database(live[0], tmp_path / "backups", clock.now()).close()


def test_the_restoring_windows_reads_on_other_threads_wait_for_the_swap(live, tmp_path, clock):
    """A read started on another thread (the GUI thread) while the restore runs does not start until the restore
    is over, and then sees the restored database whole."""
    url, database, backup, _who = live
    seen: list[object] = []

    def read() -> None:
        with database.read() as uow:
            seen.append(uow.session.execute(patient_names_query()).scalars().all())

    with database.restoring():
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=0.3)
        assert reader.is_alive(), "the read went ahead during the restore"
        restore_backup(backup, url, database.keyring, tmp_path / "backups", clock.now())
        seen.append("restored")
    reader.join(timeout=10)
    assert seen == ["restored", BEFORE]


def test_a_restore_waits_for_a_read_under_way_on_another_thread(live, tmp_path, clock):
    """The restore does not begin while another thread of the window is inside a read: it waits for its end."""
    database = live[1]
    inside, leave = threading.Event(), threading.Event()
    order: list[str] = []

    def long_read() -> None:
        with database.read():
            inside.set()
            leave.wait(10)
            order.append("read ended")

    reader = threading.Thread(target=long_read)
    reader.start()
    assert inside.wait(10)
    restorer = threading.Thread(target=lambda: (restore(live, tmp_path, clock), order.append("restored")))
    restorer.start()
    restorer.join(timeout=0.3)
    assert restorer.is_alive() and order == []
    leave.set()
    reader.join(timeout=10)
    restorer.join(timeout=30)
    assert order == ["read ended", "restored"]
    assert family_names(tmp_path / "clinic.db") == BEFORE


def patient_names_query():
    from sqlalchemy import select

    from clinic_desktop.storage import models

    return select(models.Patient.family_name).order_by(models.Patient.id)
