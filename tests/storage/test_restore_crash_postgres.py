"""A PostgreSQL restore killed (SIGKILL) at each step: the database is the old one, or the restored one with the
restore's audit entry; at the next open the head follows whichever is there and the log verifies."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from clinic_desktop.storage import audit_chain, database_lock
from clinic_desktop.storage.backup_manifest import BackupKind
from clinic_desktop.storage.backup_restore import take_backup
from clinic_desktop.storage.database import open_database
from tests.postgres_support import scratch_database
from tests.storage.backup_support import nurse, register, services_over

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")]

REPO = Path(__file__).resolve().parents[2]

RESTORER = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime, timezone
    from pathlib import Path
    from clinic_desktop.storage import audit_chain, backup_restore as br
    from clinic_desktop.storage.audit_chain import AuditKeyring

    folder, url, step = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    now = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)

    def die(at):
        if at == step:
            os.kill(os.getpid(), signal.SIGKILL)

    real_run, real_move = br._run_dump_sql, br._move_head

    def run_dump_sql(session, dump):
        real_run(session, dump)
        die("dump SQL run, not committed")

    def move_head(keyring, head):
        die("committed, head not moved")
        real_move(keyring, head)
        die("head moved, note left")

    br._run_dump_sql, br._move_head = run_dump_sql, move_head

    def record(session, restored):
        audit_chain.append(session, AuditKeyring(folder), at=now, utc_offset_min=0, staff_id=None,
                           action="restore", object_type="backup", object_id="clinic.dump")
        session.flush()
        die("entry written, not committed")

    br.restore_backup(folder / "backups" / "clinic.dump", url, AuditKeyring(folder), folder / "backups", now,
                      record=record)
    print("restored", flush=True)
""")

STEPS = ["dump SQL run, not committed", "entry written, not committed", "committed, head not moved",
         "head moved, note left", "never"]
SWAPPED = {"committed, head not moved", "head moved, note left", "never"}


def families_and_newest(db) -> tuple[list[str], str]:
    with db.read() as uow:
        names = uow.session.execute(text("SELECT family_name FROM patients ORDER BY id")).scalars().all()
        newest = uow.session.execute(text("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1")).scalar()
    return list(names), newest


@pytest.mark.parametrize("step", STEPS)
def test_a_postgres_restore_killed_at_each_step_leaves_old_or_new_with_its_entry(tmp_path, clock, step):
    with scratch_database("clinic_restore_kill") as url:
        db = open_database(url, tmp_path / "backups", clock.now())
        services = services_over(db, clock)
        who = nurse(services, clock.now())
        register(services, who, "Kept")
        take_backup(url, db.keyring, tmp_path / "backups" / "clinic.dump", BackupKind.MANUAL, clock.now())
        register(services, who, "Later")
        db.close()  # the child must be the only session, or the restore is refused
        child = subprocess.run([sys.executable, "-c", RESTORER, str(tmp_path), url, step], cwd=REPO,
                               capture_output=True, text=True, timeout=120)
        if step == "never":
            assert child.stdout.strip() == "restored", child.stderr
        else:
            assert child.returncode == -9, f"not killed at {step!r}: {child.stdout}{child.stderr}"
        reopened = open_database(url, tmp_path / "backups", clock.now())  # the next start
        try:
            names, newest = families_and_newest(reopened)
            if step in SWAPPED:
                assert (names, newest) == (["Kept"], "restore")
            else:
                assert names == ["Kept", "Later"] and newest != "restore"
            with reopened.read() as uow:
                verification = audit_chain.verify(uow.session, reopened.keyring)
                last = uow.session.execute(text("SELECT max(seq) FROM audit_log")).scalar()
            assert verification.ok, verification.message
            assert reopened.keyring.read_head()[0] == last
            assert not database_lock.pending_head_path(tmp_path).exists()
        finally:
            reopened.close()
