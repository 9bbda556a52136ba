"""The witnesses of the audit log's head (storage/head_witness.py): the head file, a backup's manifest and the
copy of the head in a second folder each catch a log that no longer reaches what they saw written; a restore
(recorded in the log) explains them; normal use, backups and a restore raise no alarm. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services import audit_head
from clinic_desktop.services.registry import Services
from clinic_desktop.storage import audit_chain, head_witness, models
from clinic_desktop.storage.audit_chain import HEAD_FILE
from clinic_desktop.storage.backup_manifest import read_manifest
from tests.conftest import PASSWORD
from tests.storage.backup_support import register


@dataclass(frozen=True)
class Clinic:
    services: Services
    admin: Principal
    nurse: Principal


@pytest.fixture
def clinic_log(services, staff, clock) -> Clinic:
    """Services with the test accounts and a few audited patients, an hour apart."""
    clinic = Clinic(services, staff["admin"], staff["nurse"])
    work(clinic, clock, 3)
    return clinic


def verify(clinic: Clinic) -> audit_chain.Verification:
    return clinic.services.audit.verify(clinic.admin)


def work(clinic: Clinic, clock, count: int) -> None:
    for _ in range(count):
        clock.advance(minutes=30)
        register(clinic.services, clinic.nurse, "Witness")


def last_entry(db) -> tuple[int, str]:
    with db.read() as uow:
        row = uow.session.execute(select(models.AuditEntry.seq, models.AuditEntry.hash)
                                  .order_by(models.AuditEntry.seq.desc()).limit(1)).one()
    return row.seq, row.hash


def tamper(db, *statements: tuple[str, dict]) -> None:
    """What someone with the database does behind the application: the append-only guard off, plain SQL, and
    the guard put back as it was (so only the log's witnesses can show what was done)."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        else:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for sql, params in statements:
            conn.execute(text(sql), params)
        if db.is_sqlite:
            conn.exec_driver_sql(next(sql for sql in models.audit.APPEND_ONLY_DDL["sqlite"]
                                      if "audit_log_no_delete" in sql))


def cut_log(db, keep: int) -> None:
    tamper(db, ("DELETE FROM audit_log WHERE seq > :keep", {"keep": keep}))


def assert_alarm(clinic: Clinic, *words: str) -> str:
    """verify fails and the sign-in check shows a problem, both naming it in these words."""
    result = verify(clinic)
    assert not result.ok, result.message
    for word in words:
        assert word in result.message, result.message
    quick = clinic.services.audit.quick_check(clinic.admin)
    assert quick.problem is not None and "Administration > Audit log > Verify log" in quick.problem
    for word in words:
        assert word in quick.problem, quick.problem
    return result.message


def assert_quiet(clinic: Clinic) -> None:
    result = verify(clinic)
    assert result.ok, result.message
    assert clinic.services.audit.quick_check(clinic.admin).problem is None


# --- no false alarm -------------------------------------------------------------------------------------

def test_normal_use_backups_and_a_restore_raise_no_alarm(clinic_log, clock, db):
    """Work, a manual and an automatic backup, more work, a restore of the first backup, work on: quiet
    throughout, and the restore's entry names the head it replaced."""
    services, admin = clinic_log.services, clinic_log.admin
    assert_quiet(clinic_log)
    first = services.backups.back_up_now(admin)
    work(clinic_log, clock, 2)
    assert services.backups.automatic.run("daily") is not None
    work(clinic_log, clock, 2)
    assert_quiet(clinic_log)
    clock.advance(hours=1)
    before, _ = last_entry(db)
    outcome = services.backups.restore(admin, first.file_name, PASSWORD)
    safety = read_manifest(outcome.safety_copy)
    with db.read() as uow:
        restore = uow.session.execute(select(models.AuditEntry).where(models.AuditEntry.action == "restore")).scalar_one()
        replaced = (restore.details["replaced_seq"], restore.details["replaced_hash"])
    # The replaced log ended with the administrator's password confirmation, as its safety copy recorded.
    assert replaced == (before + 1, safety.audit_hash) and safety.audit_seq == before + 1
    assert_quiet(clinic_log)
    work(clinic_log, clock, 2)
    services.backups.back_up_now(admin)
    work(clinic_log, clock, 1)
    assert_quiet(clinic_log)


def test_an_empty_new_database_needs_no_head(db):
    with db.read() as uow:
        assert audit_chain.verify(uow.session, db.keyring).ok
    assert not db.keyring.head_path.exists()


# --- the head file --------------------------------------------------------------------------------------

def test_a_deleted_head_file_is_an_alarm_and_no_later_save_papers_over_it(clinic_log, clock, db):
    db.keyring.head_path.unlink()
    assert_alarm(clinic_log, HEAD_FILE, "missing", "deleted")
    work(clinic_log, clock, 1)  # the next save does not make a new head that would hide the deletion
    assert not db.keyring.head_path.exists()
    assert_alarm(clinic_log, "missing")


def test_a_deleted_head_file_with_the_newest_entries_is_an_alarm(clinic_log, db):
    last, _ = last_entry(db)
    db.keyring.head_path.unlink()
    cut_log(db, last - 2)
    assert_alarm(clinic_log, "missing", f"holds {last - 2} entries")


def test_a_deleted_head_file_with_every_entry_is_an_alarm(clinic_log, db):
    db.keyring.head_path.unlink()
    cut_log(db, 0)
    assert_alarm(clinic_log, "empty", "every entry was deleted")


@pytest.mark.sqlite_only
def test_a_deleted_head_file_with_an_older_database_put_back_is_an_alarm(clinic_log, clock, db, tmp_path):
    """An older copy of clinic.db put back and the head deleted: the head is missing, and the log cannot be
    accepted as it stands, because a backup taken since saw further."""
    older = tmp_path / "older.db"
    live, copy = sqlite3.connect(db.sqlite_path), sqlite3.connect(older)
    live.backup(copy)
    live.close()
    copy.close()
    work(clinic_log, clock, 2)
    backup = clinic_log.services.backups.back_up_now(clinic_log.admin)
    work(clinic_log, clock, 1)
    db.engine.dispose()
    for leftover in (tmp_path / "clinic.db-wal", tmp_path / "clinic.db-shm"):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(older, tmp_path / "clinic.db")
    db.keyring.head_path.unlink()
    assert_alarm(clinic_log, "missing")
    with pytest.raises(ClinicError, match=f"{backup.file_name}.*cut off"):
        clinic_log.services.audit.accept_head(clinic_log.admin)


def test_a_truncated_log_with_an_older_authentic_head_put_back_is_caught_by_a_backup(clinic_log, clock, db, tmp_path):
    """The head file of an earlier moment (authentic: written with the key) put back after cutting the log to
    that moment: the backup's manifest, newer, names the loss."""
    early_seq, _ = last_entry(db)
    early_head = db.keyring.head_path.read_text()
    work(clinic_log, clock, 2)
    backup = clinic_log.services.backups.back_up_now(clinic_log.admin)
    work(clinic_log, clock, 2)
    cut_log(db, early_seq)
    db.keyring.head_path.write_text(early_head)
    assert_alarm(clinic_log, backup.file_name, "cut off", f"ends at entry {early_seq}")


def test_a_truncated_log_with_an_older_authentic_head_put_back_is_caught_by_the_second_copy(tmp_path_factory, clinic_log, clock, db,
                                                                                            tmp_path):
    usb = tmp_path_factory.mktemp("usb")
    audit_head.set_head_copy(clinic_log.services.context, clinic_log.admin, usb)
    early_seq, _ = last_entry(db)
    early_head = db.keyring.head_path.read_text()
    work(clinic_log, clock, 3)
    cut_log(db, early_seq)
    db.keyring.head_path.write_text(early_head)
    assert_alarm(clinic_log, f"second copy of the audit head in {usb}", "cut off")


def test_a_log_rewritten_with_the_key_is_shown_only_by_a_witness_out_of_reach(tmp_path_factory, clinic_log, clock, db, tmp_path):
    """Someone holding the key re-hashes the chain after an edit and rewrites the head beside the database:
    every entry verifies, but the second copy (on a stick they could not reach) recorded the old entry."""
    usb = tmp_path_factory.mktemp("usb")
    audit_head.set_head_copy(clinic_log.services.context, clinic_log.admin, usb)
    work(clinic_log, clock, 1)
    mirror = usb / db.keyring.mirror_name
    recorded = json.loads(mirror.read_text())
    seq = recorded["seq"]
    columns = [c.name for c in models.AuditEntry.__table__.columns]
    with db.read() as uow:
        entry = dict(uow.session.execute(select(models.AuditEntry.__table__).where(models.AuditEntry.seq == seq))
                     .mappings().one())
    assert set(entry) == set(columns)
    entry["action"] = "view"  # the edit
    entry["hash"] = db.keyring.mac(audit_chain.entry_payload(
        seq, entry["at"], entry["utc_offset_min"], entry["staff_id"], entry["username"], entry["patient_id"],
        entry["action"], entry["object_type"], entry["object_id"], entry["details"], entry["emergency"],
        entry["prev_hash"]))
    new_hash = entry["hash"]
    tamper(db, ("DELETE FROM audit_log WHERE seq = :s", {"s": seq}))
    with db.engine.begin() as conn:
        conn.execute(models.AuditEntry.__table__.insert().values(**entry))
    saved_mirror = mirror.read_text()
    db.keyring.reset_head(seq, new_hash, mirror=None)  # the head beside the database, rewritten with the key
    mirror.write_text(saved_mirror)
    clean = verify(clinic_log)
    assert clean.ok, "without the copy's location nothing in the data folder shows it"
    db.keyring.reset_head(seq, new_hash, mirror=str(usb))
    mirror.write_text(saved_mirror)
    assert_alarm(clinic_log, f"records audit entry {seq} differently", "holding the audit key")


def test_a_garbled_head_file_is_an_alarm_and_no_later_save_writes_over_it(clinic_log, clock, db):
    db.keyring.head_path.write_text('{"seq": 2, "hash": "ab", "mac": "00"}')
    assert_alarm(clinic_log, HEAD_FILE, "without the key")
    work(clinic_log, clock, 1)
    assert_alarm(clinic_log, HEAD_FILE, "not authentic")


# --- the second location ----------------------------------------------------------------------------------

def test_the_second_copy_follows_every_save_and_an_unplugged_one_is_said_not_alarmed(tmp_path_factory, clinic_log, clock, db, tmp_path,
                                                                                     caplog):
    usb = tmp_path_factory.mktemp("usb")
    audit_head.set_head_copy(clinic_log.services.context, clinic_log.admin, usb)
    work(clinic_log, clock, 1)
    mirror = json.loads((usb / db.keyring.mirror_name).read_text())
    assert (mirror["seq"], mirror["hash"]) == last_entry(db)
    shutil.rmtree(usb)  # the stick is pulled out
    with caplog.at_level(logging.WARNING):
        work(clinic_log, clock, 2)
    assert [r for r in caplog.records if "second copy of the audit head was not updated" in r.getMessage()]
    assert len([r for r in caplog.records if "second copy" in r.getMessage()]) == 1, "said once, not per save"
    result = verify(clinic_log)
    assert result.ok and f"in {usb} could not be checked" in result.message, result.message
    quick = clinic_log.services.audit.quick_check(clinic_log.admin)
    assert quick.problem is None and any("not available" in note for note in quick.notes)
    usb.mkdir()  # plugged in again: written at the next save and compared again
    work(clinic_log, clock, 1)
    assert json.loads((usb / db.keyring.mirror_name).read_text())["seq"] == last_entry(db)[0]
    assert verify(clinic_log).notes == ()


def test_a_second_copy_inside_the_data_folder_or_missing_is_refused(clinic_log, db, tmp_path):
    (tmp_path / "backups").mkdir(exist_ok=True)
    with pytest.raises(ClinicError, match="outside the data folder"):
        audit_head.set_head_copy(clinic_log.services.context, clinic_log.admin, tmp_path / "backups")
    with pytest.raises(ClinicError, match="plug the stick in"):
        audit_head.set_head_copy(clinic_log.services.context, clinic_log.admin, tmp_path.parent / "no-such-stick")


def test_a_second_copy_rewritten_without_the_key_is_an_alarm(tmp_path_factory, clinic_log, clock, db, tmp_path):
    usb = tmp_path_factory.mktemp("usb")
    audit_head.set_head_copy(clinic_log.services.context, clinic_log.admin, usb)
    (usb / db.keyring.mirror_name).write_text('{"seq": 1, "hash": "00", "mac": "11"}')
    assert_alarm(clinic_log, "second copy", "not authentic")


def test_setting_and_stopping_the_second_copy_is_audited(tmp_path_factory, clinic_log, db, tmp_path):
    usb = tmp_path_factory.mktemp("usb")
    audit_head.set_head_copy(clinic_log.services.context, clinic_log.admin, usb)
    audit_head.set_head_copy(clinic_log.services.context, clinic_log.admin, None)
    with db.read() as uow:
        copies = [e.details["folder"] for e in uow.session.execute(
            select(models.AuditEntry).where(models.AuditEntry.action == "audit_head_copy")).scalars()]
    assert copies == [str(usb), None]
    assert db.keyring.read_head_record().mirror is None
    assert_quiet(clinic_log)


# --- accepting the log where there is no head -------------------------------------------------------------

def test_accepting_the_log_starts_the_head_and_is_audited(clinic_log, clock, db):
    db.keyring.head_path.unlink()
    assert_alarm(clinic_log, "missing")
    seq = clinic_log.services.audit.accept_head(clinic_log.admin)
    with db.read() as uow:
        entry = uow.session.get(models.AuditEntry, seq)
        assert entry.action == head_witness.ACCEPT_ACTION and entry.staff_id == clinic_log.admin.id
        assert entry.details["head_file"] == "missing"
    assert db.keyring.read_head() == last_entry(db)
    assert_quiet(clinic_log)
    work(clinic_log, clock, 1)
    assert_quiet(clinic_log)
    with pytest.raises(ClinicError, match="nothing to accept"):
        clinic_log.services.audit.accept_head(clinic_log.admin)


def test_the_log_is_not_accepted_when_a_backup_saw_further(clinic_log, clock, db):
    backup = clinic_log.services.backups.back_up_now(clinic_log.admin)
    with db.read() as uow:
        recorded = uow.session.execute(select(models.AuditEntry.seq).order_by(models.AuditEntry.seq.desc())).scalar()
    db.keyring.head_path.unlink()
    cut_log(db, recorded - 3)
    with pytest.raises(ClinicError, match=f"backup {backup.file_name}"):
        clinic_log.services.audit.accept_head(clinic_log.admin)
    assert not db.keyring.head_path.exists()


# --- legitimate starts without a head, and the check at start -----------------------------------------------

@pytest.mark.sqlite_only
def test_a_database_from_before_the_audit_log_upgrades_without_an_alarm(tmp_path, clock, passwords):
    """A first-release database has staff but no audit log: upgraded, its log starts empty and its first entry
    starts the head; no alarm at any point."""
    from clinic_desktop.storage.database import open_database
    from tests.conftest import ZONE
    from tests.storage.test_interrupted_migration import first_release_db

    path = first_release_db(tmp_path / "old")
    db = open_database(f"sqlite:///{path}", path.parent / "backups", clock.now())
    try:
        services = Services.build(db, clock, ZONE, passwords)
        with db.read() as uow:
            result = audit_chain.verify(uow.session, db.keyring)
            assert result.ok, result.message
            assert uow.session.execute(select(models.Staff)).first() is not None
        assert audit_head.check_at_start(services.context).problem is None
        with db.write() as uow:  # the first audited action after the upgrade (e.g. a backup)
            services.context.audit(uow.session, None, "backup", object_type="backup", object_id="first")
            uow.commit()
        assert db.keyring.read_head() == last_entry(db), "the log's first entries started the head"
        with db.read() as uow:
            assert audit_chain.verify(uow.session, db.keyring).ok
    finally:
        db.close()


def test_the_check_at_start_logs_a_tampered_log(clinic_log, db, caplog):
    db.keyring.head_path.unlink()
    with caplog.at_level(logging.WARNING, logger="clinic_desktop.services.audit_head"):
        result = audit_head.check_at_start(clinic_log.services.context)
    assert result.problem is not None
    assert [r for r in caplog.records if "does not agree with its witnesses" in r.getMessage()
            and "missing" in r.getMessage()]


def test_a_backup_is_still_taken_while_a_witness_disagrees(clinic_log, db):
    """The backup may be what is needed next: a missing head file is reported, not a reason to refuse one."""
    db.keyring.head_path.unlink()
    made = clinic_log.services.backups.back_up_now(clinic_log.admin)
    assert made.verified and read_manifest(made.path).audit_seq > 0
    assert_alarm(clinic_log, "missing")
