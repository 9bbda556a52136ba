"""A restore killed (SIGKILL) at every step of the way: the database left is the old one or the restored one,
never a mix or none; the restored one always carries the restore's audit entry; and at the next open the audit
log verifies against its head, the restore's leftovers are gone, and a new restore goes through."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from clinic_desktop.storage import audit_chain, database_lock
from clinic_desktop.storage.backup_manifest import BackupKind
from clinic_desktop.storage.backup_restore import restore_backup, take_backup
from clinic_desktop.storage.database import open_database
from tests.storage.backup_support import family_names, nurse, register, services_over

pytestmark = [pytest.mark.sqlite_only, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")]

REPO = Path(__file__).resolve().parents[2]
BEFORE = ["Before-One", "Before-Two"]
AFTER = BEFORE + ["After-Backup"]

#: The child restores the backup and kills itself (SIGKILL, as kill -9 would) at the step named in argv[2].
RESTORER = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime, timezone
    from pathlib import Path
    from clinic_desktop.storage import audit_chain, backup_restore as br
    from clinic_desktop.storage.audit_chain import AuditKeyring

    folder, step = Path(sys.argv[1]), sys.argv[2]
    now = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)

    def die(at):
        if at == step:
            os.kill(os.getpid(), signal.SIGKILL)

    def after(name, fn):
        def wrapped(*args, **kwargs):
            result = fn(*args, **kwargs)
            die(name)
            return result
        return wrapped

    br.take_backup = after("safety copy taken", br.take_backup)
    br._stage = after("restored copy prepared", br._stage)
    br._sqlite_restore = after("copied into place", br._sqlite_restore)
    real_reset_head = AuditKeyring.reset_head

    def reset_head(self, seq, entry_hash, *args, **kwargs):
        die("old head removed")  # the head file still describes the replaced database
        real_reset_head(self, seq, entry_hash, *args, **kwargs)
        die("new head written")
    AuditKeyring.reset_head = reset_head

    def record(session, restored):
        audit_chain.append(session, AuditKeyring(folder), at=now, utc_offset_min=0, staff_id=None,
                           action="restore", object_type="backup", object_id="copy.db", details={"file": "copy.db"})
        session.flush()
        die("entry written, not committed")

    br.STEP_PAGES = 2  # the copy into place in many small steps, to be killed between two of them

    def progress(done, total):
        if 0 < done < total:
            die("half copied")

    br.restore_backup(folder / "backups" / "copy.db", f"sqlite:///{folder / 'clinic.db'}", AuditKeyring(folder),
                      folder / "backups", now, progress, record)
    print("restored", flush=True)
""")

STEPS = ["safety copy taken", "entry written, not committed", "restored copy prepared", "half copied",
         "copied into place", "old head removed", "new head written"]
#: Steps after which the restored database is in place.
SWAPPED = {"copied into place", "old head removed", "new head written"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A data folder: patients Before-One and Before-Two, a backup, then After-Backup; closed."""
    from clinic_desktop.domain.clock import FixedClock
    from tests.conftest import START

    folder = tmp_path_factory.mktemp("restore-crash-template")
    clock = FixedClock(START)
    url = f"sqlite:///{folder / 'clinic.db'}"
    database = open_database(url, folder / "backups", clock.now())
    try:
        services = services_over(database, clock)
        who = nurse(services, clock.now())
        for family in BEFORE:
            register(services, who, family)
        take_backup(url, database.keyring, folder / "backups" / "copy.db", BackupKind.MANUAL, clock.now())
        register(services, who, "After-Backup")
    finally:
        database.close()
    return folder


def restore_entries(path: Path) -> list[int]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT seq FROM audit_log WHERE action = 'restore' ORDER BY seq")]
    finally:
        con.close()


def newest_seq(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("step", STEPS)
def test_a_restore_killed_at_each_step_leaves_the_old_database_or_the_new_one_with_its_entry(
        template, tmp_path, clock, step):
    folder = tmp_path / "data"
    shutil.copytree(template, folder)
    child = subprocess.run([sys.executable, "-c", RESTORER, str(folder), step], cwd=REPO, capture_output=True,
                           text=True, timeout=120)
    assert child.returncode == -9, f"the child was not killed at {step!r}: {child.stdout}{child.stderr}"
    live = folder / "clinic.db"
    names = family_names(live)
    if step in SWAPPED:
        assert names == BEFORE
        entries = restore_entries(live)
        assert len(entries) == 1 and entries[0] == newest_seq(live), "the restored database lacks its entry"
    else:
        assert names == AFTER and restore_entries(live) == []
    # The next start: the head follows whichever database is there, the log verifies, the leftovers are gone.
    database = open_database(f"sqlite:///{live}", folder / "backups", clock.now())
    try:
        with database.read() as uow:
            verification = audit_chain.verify(uow.session, database.keyring)
        assert verification.ok, verification.message
        assert database.keyring.read_head()[0] == newest_seq(live)
        staging = database_lock.staging_path(live)
        assert not [p for p in folder.iterdir() if p.name.startswith(staging.name)]
        # The killed restore's lock died with it: a new restore goes through.
        with database.restoring():
            restore_backup(folder / "backups" / "copy.db", f"sqlite:///{live}", database.keyring,
                           folder / "backups", clock.now())
    finally:
        database.close()
    assert family_names(live) == BEFORE


def test_the_child_restores_when_not_killed(template, tmp_path):
    """The same child with no step to die at restores, with one restore entry as the newest."""
    folder = tmp_path / "data"
    shutil.copytree(template, folder)
    child = subprocess.run([sys.executable, "-c", RESTORER, str(folder), "never"], cwd=REPO, capture_output=True,
                           text=True, timeout=120)
    assert child.stdout.strip() == "restored", child.stderr
    live = folder / "clinic.db"
    assert family_names(live) == BEFORE and restore_entries(live) == [newest_seq(live)]
