"""Two workstations, each with its own data folder, on one PostgreSQL database: a new workstation's head, and
the head following a restore made at the other workstation (storage/head_witness.py)."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, text

from clinic_desktop.domain.access import Principal
from clinic_desktop.services.registry import Services
from clinic_desktop.storage import models
from clinic_desktop.storage.audit_chain import HEAD_FILE, KEY_FILE
from clinic_desktop.storage.database import open_database
from tests.conftest import PASSWORD, ZONE
from tests.storage.backup_support import register

pytestmark = pytest.mark.postgres


@dataclass
class Workstation:
    folder: Path
    services: Services
    admin: Principal | None = None
    nurse: Principal | None = None

    def verify(self):
        return self.services.audit.verify(self.admin)

    def open_again(self, url: str, clock, passwords) -> None:
        self.services.context.db.close()
        db = open_database(url, self.folder / "backups", clock.now())
        self.services = Services.build(db, clock, ZONE, passwords)


def workstation(url: str, folder: Path, clock, passwords) -> Workstation:
    db = open_database(url, folder / "backups", clock.now())
    return Workstation(folder, Services.build(db, clock, ZONE, passwords))


@pytest.fixture
def two(postgres_database, tmp_path, clock, passwords):
    """Workstation A set up the clinic; B is installed later with A's audit key copied into its data folder."""
    url = postgres_database.reset()
    a = workstation(url, tmp_path / "a", clock, passwords)
    a.admin = a.services.auth.create_first_admin("boss", "Rosa Achterberg", PASSWORD)
    a.services.auth.add_user(a.admin, "nurse1", "Dana Whitlock", "nurse", PASSWORD)
    a.nurse = a.services.auth.login("nurse1", PASSWORD)
    register(a.services, a.nurse, "Before-B")
    (tmp_path / "b").mkdir()
    shutil.copy2(a.folder / KEY_FILE, tmp_path / "b" / KEY_FILE)
    b = workstation(url, tmp_path / "b", clock, passwords)
    b.admin, b.nurse = a.admin, a.nurse
    yield url, a, b
    a.services.context.db.close()
    b.services.context.db.close()


def test_a_new_workstation_without_a_head_is_told_how_and_copying_the_head_file_is_enough(two, clock):
    url, a, b = two
    result = b.verify()
    assert not result.ok and "copy audit-head.json from another workstation" in result.message
    shutil.copy2(a.folder / HEAD_FILE, b.folder / HEAD_FILE)
    assert b.verify().ok
    register(b.services, b.nurse, "On-B")
    register(a.services, a.nurse, "On-A")
    assert a.verify().ok and b.verify().ok


def test_a_new_workstation_may_accept_the_log_instead(two, clock):
    url, a, b = two
    seq = b.services.audit.accept_head(b.admin)
    with b.services.context.db.read() as uow:
        accepted = uow.session.get(models.AuditEntry, seq)
        assert accepted.action == "audit_head_accepted" and accepted.details["data_folder"] == str(b.folder)
    register(a.services, a.nurse, "On-A")
    register(b.services, b.nurse, "On-B")
    assert a.verify().ok and b.verify().ok


def test_after_a_restore_at_a_the_head_of_b_follows_it_and_a_later_cut_is_still_caught(two, clock, passwords,
                                                                                        caplog):
    """B's head is ahead of the restored log: the restore's entry explains it, B's head moves to the restored
    log's end (with a log line), and no alarm remains; entries cut after the restore are still caught."""
    url, a, b = two
    shutil.copy2(a.folder / HEAD_FILE, b.folder / HEAD_FILE)
    clock.advance(minutes=10)
    backup = a.services.backups.back_up_now(a.admin)
    for n in range(3):
        clock.advance(minutes=10)
        register(b.services, b.nurse, f"On-B-{n}")
    b_head_before = b.services.context.db.keyring.read_head()[0]
    clock.advance(minutes=10)
    b.services.context.db.engine.dispose()  # B is idle (signed out) while A restores
    a.services.backups.restore(a.admin, backup.file_name, PASSWORD)
    with a.services.context.db.read() as uow:
        last = uow.session.execute(select(models.AuditEntry.seq).order_by(models.AuditEntry.seq.desc())).scalar()
    assert last < b_head_before, "the restored log ends before B's head: the case that would read as cut off"
    with caplog.at_level(logging.INFO, logger="clinic_desktop.storage.head_witness"):
        result = b.verify()
    assert result.ok, result.message
    assert "now follows the restored log" in result.message
    assert [r for r in caplog.records if "follows the restored log" in r.getMessage()]
    assert b.services.context.db.keyring.read_head()[0] == last
    assert b.verify().ok and b.verify().notes == (), "moved once, then quiet"
    assert a.verify().ok
    clock.advance(hours=1)
    b.admin = b.services.auth.login("boss", PASSWORD)  # accounts are the backup's: sign in again
    b.nurse = b.services.auth.login("nurse1", PASSWORD)
    for n in range(3):
        clock.advance(minutes=10)
        register(b.services, b.nurse, f"After-{n}")
    b_head = b.services.context.db.keyring.read_head()[0]
    with b.services.context.db.engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(text("DELETE FROM audit_log WHERE seq > :k"), {"k": b_head - 2})
    result = b.verify()
    assert not result.ok and "cut off" in result.message, result.message
