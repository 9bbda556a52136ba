"""PostgreSQL backups and restores: pg_dump -Fc with a manifest, pg_restore --clean, the same verify steps."""

from __future__ import annotations

from dataclasses import replace

import pytest

from clinic_desktop.storage import audit_chain
from clinic_desktop.storage.backup import BackupError
from clinic_desktop.storage.backup_manifest import (
    BackupKind,
    ManifestError,
    read_manifest,
    sha256_of,
    write_manifest,
)
from clinic_desktop.storage.backup_restore import restore_backup, take_backup, verify_backup, verify_restored
from clinic_desktop.storage.database import open_database
from tests.postgres_support import scratch_database
from tests.storage.backup_support import nurse, record_restore, register, services_over

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url():
    """A uniquely named database of its own (a restore drops and recreates every table), dropped afterwards."""
    with scratch_database("clinic_backup") as url:
        yield url


def families(services, who) -> list[str]:
    return sorted(p.family_name for p in services.patients.search(who, "").rows)


def test_dump_restore_round_trip_verifies_and_keeps_a_safety_dump(pg_url, tmp_path, clock):
    """Backup, add a patient, restore: the patient is gone, the safety dump is listable, the log verifies."""
    db = open_database(pg_url, tmp_path / "backups", clock.now())
    try:
        services = services_over(db, clock)
        who = nurse(services, clock.now())
        register(services, who, "Kept")
        target = tmp_path / "backups" / "clinic.dump"
        # Trust authentication ignores the password; the manifest must not keep it all the same.
        with_password = pg_url.replace("postgres@", "postgres:fictional-secret@", 1)
        manifest = take_backup(with_password, db.keyring, target, BackupKind.MANUAL, clock.now())
        assert manifest.verified and manifest.engine == "postgresql" and manifest.audit_seq >= 1
        assert "fictional-secret" not in target.with_name(target.name + ".manifest.json").read_text()
        register(services, who, "Later")
        with db.restoring():
            restored = restore_backup(target, pg_url, db.keyring, tmp_path / "backups", clock.now())
        assert restored.safety_copy.name.startswith("clinic-before-restore-") and restored.safety_copy.exists()
        with db.read() as uow:
            verify_restored(uow.session, db.keyring, sqlite=False)
        assert families(services, who) == ["Kept"]
        record_restore(services, restored)
        register(services, who, "After-Restore")  # the chain goes on from the restored head
        with db.read() as uow:
            assert audit_chain.verify(uow.session, db.keyring).ok
    finally:
        db.close()


def test_a_damaged_dump_is_refused_before_anything_changes(pg_url, tmp_path, clock):
    """A flipped byte fails the manifest; a dump re-hashed after damage fails pg_restore --list."""
    db = open_database(pg_url, tmp_path / "backups", clock.now())
    try:
        services = services_over(db, clock)
        who = nurse(services, clock.now())
        register(services, who, "Kept")
        target = tmp_path / "backups" / "clinic.dump"
        take_backup(pg_url, db.keyring, target, BackupKind.MANUAL, clock.now())
        target.write_bytes(b"PGDMP" + b"\0" * 20)
        with pytest.raises(ManifestError), db.restoring():
            restore_backup(target, pg_url, db.keyring, tmp_path / "backups", clock.now())
        write_manifest(target, replace(read_manifest(target), sha256=sha256_of(target), size=target.stat().st_size))
        with pytest.raises(BackupError, match="not a readable PostgreSQL dump"):
            verify_backup(target, db.keyring, pg_url)
        assert families(services, who) == ["Kept"]
    finally:
        db.close()


def test_a_restore_is_refused_while_another_workstation_is_connected(pg_url, tmp_path, clock):
    """Another workstation's engine connected to the database: refused, saying one workstation is connected and
    which; nothing changed, no safety dump. Once it disconnects, the restore goes through with its entry."""
    from clinic_desktop.storage.database_lock import DatabaseInUse

    db = open_database(pg_url, tmp_path / "backups", clock.now())
    second = open_database(pg_url, tmp_path / "backups", clock.now())
    try:
        services = services_over(db, clock)
        who = nurse(services, clock.now())
        register(services, who, "Kept")
        target = tmp_path / "backups" / "clinic.dump"
        take_backup(pg_url, db.keyring, target, BackupKind.MANUAL, clock.now())
        register(services_over(second, clock), who, "Later")  # the second workstation is connected now
        with pytest.raises(DatabaseInUse, match=r"^1 other workstation is connected to the clinic database "
                                                r"\(this computer\).*Nothing was changed"), db.restoring():
            restore_backup(target, pg_url, db.keyring, tmp_path / "backups", clock.now())
        assert families(services, who) == ["Kept", "Later"]
        assert not list((tmp_path / "backups").glob("clinic-before-restore-*"))
        second.close()

        def record(session, restored):
            audit_chain.append(session, db.keyring, at=clock.now(), utc_offset_min=0, staff_id=None,
                               action="restore", object_type="backup", object_id=target.name)
        with db.restoring():
            restore_backup(target, pg_url, db.keyring, tmp_path / "backups", clock.now(), record=record)
        assert families(services, who) == ["Kept"]
        with db.read() as uow:
            newest = uow.session.execute(audit_chain.select(audit_chain.AuditEntry.seq, audit_chain.AuditEntry.action)
                                         .order_by(audit_chain.AuditEntry.seq.desc()).limit(1)).one()
            assert audit_chain.verify(uow.session, db.keyring).ok
        assert newest.action == "restore" and db.keyring.read_head()[0] == newest.seq
    finally:
        second.close()
        db.close()


def test_a_save_made_while_a_restore_holds_the_database_is_refused_not_kept(pg_url, tmp_path, clock, monkeypatch):
    """A workstation that connects after the restore counted the sessions: its save waits on the append lock the
    restore holds, then is refused in words (nothing saved) instead of landing in a database about to be replaced."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from clinic_desktop.storage import database as database_module
    from clinic_desktop.storage.unit_of_work import BUSY_MESSAGE, StorageError

    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_MS", 300)
    db = open_database(pg_url, tmp_path / "backups", clock.now())
    restoring = create_engine(pg_url, poolclass=NullPool)
    try:
        services = services_over(db, clock)
        who = nurse(services, clock.now())
        with restoring.connect() as guard:
            guard.execute(text("SELECT pg_advisory_lock(:k)"), {"k": audit_chain.PG_APPEND_LOCK})
            guard.commit()
            with pytest.raises(StorageError) as refused:
                register(services, who, "Too-Late")
            assert refused.value.message == BUSY_MESSAGE
        assert families(services, who) == []
    finally:
        restoring.dispose()
        db.close()
