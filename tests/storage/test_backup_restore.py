"""Verified backups with manifests, and restores that check everything first and keep a safety copy."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest

from clinic_desktop import __version__
from clinic_desktop.storage import audit_chain, schema
from clinic_desktop.storage.audit_chain import AuditKeyring
from clinic_desktop.storage.backup import BackupError
from clinic_desktop.storage.backup_manifest import BackupKind, ManifestError, manifest_path
from clinic_desktop.storage.backup_restore import restore_backup, take_backup, verify_backup, verify_restored
from clinic_desktop.storage.database import open_database
from tests.storage.backup_support import edit_copy, family_names, nurse, record_restore, register, services_over

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def live(tmp_path, clock):
    """An SQLite clinic database in tmp_path with two audited patients."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    database = open_database(url, tmp_path / "backups", clock.now())
    services = services_over(database, clock)
    who = nurse(services, clock.now())
    register(services, who, "Before-One")
    register(services, who, "Before-Two")
    yield url, database, services, who
    database.close()


def backup_of(live, tmp_path, clock, name="copy.db"):
    url, database, _services, _who = live
    target = tmp_path / "backups" / name
    return target, take_backup(url, database.keyring, target, BackupKind.MANUAL, clock.now())


def restore(live, target, tmp_path, clock):
    url, database, _s, _w = live
    with database.restoring():
        return restore_backup(target, url, database.keyring, tmp_path / "backups", clock.now())


def test_backup_verifies_and_its_manifest_says_what_it_holds(live, tmp_path, clock):
    """SHA-256, size, UTC time, schema, audit head (the live log's newest entry), source and version."""
    url, database, _s, _w = live
    target, manifest = backup_of(live, tmp_path, clock)
    with database.read() as uow:
        last = uow.session.execute(audit_chain.select(audit_chain.AuditEntry.seq, audit_chain.AuditEntry.hash)
                                   .order_by(audit_chain.AuditEntry.seq.desc()).limit(1)).one()
    stored = json.loads(manifest_path(target).read_text())
    data = target.read_bytes()  # the digest and size worked out here, not by the code that wrote the manifest
    assert stored["sha256"] == hashlib.sha256(data).hexdigest() and stored["size"] == len(data)
    assert stored["created_at"] == "2026-03-02T14:00:00+00:00"
    assert stored["schema_revision"] == schema.HEAD and stored["engine"] == "sqlite"
    assert (stored["audit_seq"], stored["audit_hash"]) == (last.seq, last.hash) and last.seq >= 2
    assert stored["source"] == str(tmp_path / "clinic.db") and stored["app_version"] == __version__
    assert stored["verified"] is True and stored["kind"] == "manual"
    assert family_names(target) == ["Before-One", "Before-Two"]


def test_restore_keeps_a_safety_copy_and_brings_back_exactly_the_backup(live, tmp_path, clock):
    """Rows added after the backup are gone from the live database and kept in the safety copy; it verifies."""
    url, database, services, who = live
    target, _m = backup_of(live, tmp_path, clock)
    clock.advance(minutes=5)
    register(services, who, "After-Backup")
    restored = restore(live, target, tmp_path, clock)
    assert restored.safety_copy.name.startswith("clinic-before-restore-")
    assert family_names(restored.safety_copy) == ["Before-One", "Before-Two", "After-Backup"]
    reopened = open_database(url, tmp_path / "backups", clock.now())
    try:
        with reopened.read() as uow:
            verify_restored(uow.session, reopened.keyring, sqlite=True)
        assert family_names(tmp_path / "clinic.db") == ["Before-One", "Before-Two"]
        # The audit log goes on from the restored head: its restore entry and a new audited write still verify.
        record_restore(services_over(reopened, clock), restored)
        register(services_over(reopened, clock), who, "After-Restore")
        with reopened.read() as uow:
            assert audit_chain.verify(uow.session, reopened.keyring).ok
    finally:
        reopened.close()


def test_a_backup_with_flipped_bytes_is_refused_and_the_live_database_untouched(live, tmp_path, clock):
    """One changed byte: the manifest's SHA-256 no longer matches; nothing is restored, no safety copy made."""
    url, database, services, who = live
    target, _m = backup_of(live, tmp_path, clock)
    register(services, who, "After-Backup")
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ManifestError, match="SHA-256"):
        restore(live, target, tmp_path, clock)
    assert family_names(tmp_path / "clinic.db") == ["Before-One", "Before-Two", "After-Backup"]
    assert not list((tmp_path / "backups").glob("clinic-before-restore-*"))
    with database.read() as uow:
        assert audit_chain.verify(uow.session, database.keyring).ok


def test_a_tampered_audit_entry_in_the_backup_is_refused(live, tmp_path, clock):
    """An edited audit entry, with the manifest re-hashed to match: the chain check still refuses it."""
    target, _m = backup_of(live, tmp_path, clock)
    edit_copy(target, "DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET action = 'view' WHERE seq = 1")
    with pytest.raises(BackupError, match="audit log .* does not verify with this data folder's audit key"):
        restore(live, target, tmp_path, clock)
    assert family_names(tmp_path / "clinic.db") == ["Before-One", "Before-Two"]


def test_a_backup_cut_short_of_its_manifests_head_is_refused(live, tmp_path, clock):
    """The newest audit entry removed (and the manifest re-hashed): the manifest's head is missing, refused."""
    target, _m = backup_of(live, tmp_path, clock)
    edit_copy(target, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = (SELECT max(seq) "
              "FROM audit_log)")
    with pytest.raises(BackupError, match="cut off"):
        verify_backup(target, live[1].keyring, live[0])


def test_a_backup_from_another_clinics_data_folder_is_refused(live, tmp_path, clock):
    """Another folder's audit key cannot verify this chain, and the message says why that matters."""
    target, _m = backup_of(live, tmp_path, clock)
    other = AuditKeyring(tmp_path / "other-clinic")
    other.key(create=True)
    with pytest.raises(BackupError, match="another clinic's data folder"):
        verify_backup(target, other, live[0])


def test_missing_manifest_and_newer_schema_are_refused(live, tmp_path, clock):
    """No manifest: refused with its expected name. A schema this program does not know: refused."""
    target, _m = backup_of(live, tmp_path, clock)
    edit_copy(target, "UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(BackupError, match="newer version"):
        verify_backup(target, live[1].keyring, live[0])
    manifest_path(target).unlink()
    with pytest.raises(ManifestError, match="no manifest"):
        verify_backup(target, live[1].keyring, live[0])


def test_an_older_schema_backup_is_accepted(live, tmp_path, clock):
    """A backup stamped with an older revision passes verification (opening it later upgrades it)."""
    url, database, _s, _w = live
    target, manifest = backup_of(live, tmp_path, clock)
    older = schema.REVISIONS[-2]
    # The newest migration's effect is kept; only the stamp changes, which is enough for the revision check.
    edit_copy(target, f"UPDATE alembic_version SET version_num = '{older}'")
    data = json.loads(manifest_path(target).read_text())
    data["schema_revision"] = older
    manifest_path(target).write_text(json.dumps(data))
    assert verify_backup(target, database.keyring, url).schema_revision == older


WRITER = textwrap.dedent("""
    import sys, time
    from datetime import datetime, timezone
    from clinic_desktop.domain.clock import SystemClock
    from clinic_desktop.storage.database import open_database
    from tests.storage.backup_support import nurse, register, services_over
    folder = sys.argv[1]
    db = open_database("sqlite:///" + folder + "/clinic.db", __import__("pathlib").Path(folder) / "backups",
                       datetime.now(timezone.utc))
    services = services_over(db, SystemClock())
    who = nurse(services, datetime.now(timezone.utc))
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        register(services, who, f"Writer-{n}")
""")


def _wait_for_more_patients(database: Path, than: int, timeout: float = 30) -> None:
    """Until the writer has committed more patients than `than` (a condition, not a guessed pause)."""
    deadline = time.monotonic() + timeout
    while len(family_names(database)) <= than:
        assert time.monotonic() < deadline, "the writer wrote nothing"
        time.sleep(0.02)


def test_a_backup_taken_while_another_process_writes_restores_to_a_database_that_verifies(tmp_path, clock):
    """A second process registers patients (audited) nonstop; backups taken meanwhile verify and restore."""
    from clinic_desktop.domain.clock import SystemClock

    now = SystemClock().now()
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    open_database(url, tmp_path / "backups", now).close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    try:
        assert writer.stdout.readline().strip() == "ready"
        keyring = AuditKeyring(tmp_path)
        copies = []
        for i in range(3):
            _wait_for_more_patients(tmp_path / "clinic.db", than=len(family_names(copies[-1])) if copies else 0)
            target = tmp_path / "backups" / f"during-{i}.db"
            take_backup(url, keyring, target, BackupKind.MANUAL, now + timedelta(seconds=i),
                        progress=lambda done, total: None)
            copies.append(target)
    finally:
        writer.kill()
        writer.wait()
    counts = [len(family_names(c)) for c in copies]
    assert counts[-1] > counts[0] > 0, "the writer was not writing during the backups"
    restored = restore_backup(copies[1], url, keyring, tmp_path / "backups", now + timedelta(minutes=1))
    assert restored.manifest.verified
    reopened = open_database(url, tmp_path / "backups", now)
    try:
        with reopened.read() as uow:
            verify_restored(uow.session, reopened.keyring, sqlite=True)
    finally:
        reopened.close()
    assert len(family_names(tmp_path / "clinic.db")) == counts[1]


def test_the_copy_before_an_upgrade_gets_a_manifest_so_it_can_be_restored(live, tmp_path, clock):
    """backup_before_upgrade writes the manifest too (kind "before upgrade", verified): restore accepts it."""
    from clinic_desktop.storage.backup import backup_before_upgrade
    from clinic_desktop.storage.backup_manifest import read_manifest

    url, database, _s, _w = live
    copy = backup_before_upgrade(database.engine, tmp_path / "backups", schema.HEAD, clock.now())
    manifest = read_manifest(copy)
    assert manifest.kind == BackupKind.BEFORE_UPGRADE.value and manifest.verified
    assert verify_backup(copy, database.keyring, url).audit_seq == manifest.audit_seq > 0
