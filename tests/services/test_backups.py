"""The backup service: administrators back up, list and restore; automatic backups come daily and on exit."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.errors import ClinicError, ValidationError
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.services.backups import backups_folder
from clinic_desktop.storage import audit_chain, models
from clinic_desktop.storage.backup_manifest import BackupKind
from tests.conftest import PASSWORD


def register(services, who, family: str) -> None:
    services.patients.register(who, PatientInput(given_names="Ada", family_name=family,
                                                 date_of_birth="1980-05-01", sex="female"))


def families(services, who) -> list[str]:
    return sorted(p.family_name for p in services.patients.search(who, "").rows)


def audit_actions(db) -> list[tuple]:
    with db.read() as uow:
        return [tuple(r) for r in uow.session.execute(select(models.AuditEntry.action, models.AuditEntry.staff_id)
                                                      .order_by(models.AuditEntry.seq))]


def test_back_up_now_lists_a_verified_manual_backup_and_is_audited(services, staff, db, backend):
    """The new backup is first in the list, verified, manual; the audit log names the administrator."""
    admin = staff["admin"]
    seen: list[tuple[int, int]] = []
    made = services.backups.back_up_now(admin, progress=lambda done, total: seen.append((done, total)))
    listed = services.backups.list(admin)
    assert listed[0] == made and made.kind is BackupKind.MANUAL and made.verified and made.size > 0
    if backend == "postgres":
        assert seen == []  # pg_dump reports no pages
    else:
        assert seen and seen[-1][0] == seen[-1][1] > 0  # SQLite's copy ends at its total
        assert [done for done, _total in seen] == sorted(done for done, _total in seen)
    assert ("backup", admin.id) in audit_actions(db)


@pytest.mark.sqlite_only
def test_progress_is_reported_page_by_page_up_to_the_total(services, staff, clinic):
    """With enough data for several steps the callback sees rising counts ending at the total."""
    for _ in range(40):
        clinic.patient()
    seen: list[tuple[int, int]] = []
    services.backups.back_up_now(staff["admin"], progress=lambda done, total: seen.append((done, total)))
    assert len(seen) > 1
    assert [d for d, _t in seen] == sorted(d for d, _t in seen) and seen[-1][0] == seen[-1][1]


def test_only_administrators_manage_backups(services, staff):
    """A nurse or physician may neither list, take nor restore backups."""
    for who in ("nurse", "physician", "front_desk"):
        with pytest.raises(PermissionDenied):
            services.backups.list(staff[who])
        with pytest.raises(PermissionDenied):
            services.backups.back_up_now(staff[who])


@pytest.mark.sqlite_only
def test_restore_with_the_password_brings_back_the_backup_and_keeps_a_safety_copy(services, staff, clock, db):
    """After the restore the later patient is gone, the safety copy is listed, the log verifies and says so."""
    admin, nurse = staff["admin"], staff["nurse"]
    register(services, nurse, "Kept")
    made = services.backups.back_up_now(admin)
    clock.advance(minutes=10)
    register(services, nurse, "Later")
    outcome = services.backups.restore(admin, made.file_name, PASSWORD)
    assert families(services, nurse) == ["Kept"]
    kinds = {b.file_name: b.kind for b in services.backups.list(admin)}
    assert kinds[outcome.safety_copy.name] is BackupKind.BEFORE_RESTORE
    assert services.audit.verify(admin).ok
    assert audit_actions(db)[-1][0] == "restore"


@pytest.mark.sqlite_only
def test_a_wrong_password_restores_nothing(services, staff, clock):
    """The wrong password: refused, audited as a failure, the live database as it was, no safety copy."""
    admin, nurse = staff["admin"], staff["nurse"]
    made = services.backups.back_up_now(admin)
    register(services, nurse, "Later")
    with pytest.raises(AuthenticationFailed):
        services.backups.restore(admin, made.file_name, "not the password at all")
    assert families(services, nurse) == ["Later"]
    assert [b.kind for b in services.backups.list(admin)] == [BackupKind.MANUAL]


@pytest.mark.sqlite_only
def test_restore_accepts_only_a_backup_in_the_folder(services, staff, tmp_path):
    """A path that leaves the backups folder, or a name that is not there, is refused before the password."""
    for name in ("../clinic.db", str(tmp_path / "clinic.db"), "nothing-here.db"):
        with pytest.raises(ValidationError):
            services.backups.restore(staff["admin"], name, PASSWORD)


@pytest.mark.sqlite_only
def test_daily_backup_only_when_the_last_is_a_day_old(services, clock, db):
    """First start: one; later the same day: none; a day later: another. Audited with no staff member."""
    automatic = services.backups.automatic
    assert automatic.run("daily") is not None
    clock.advance(hours=23, minutes=59)
    assert automatic.run("daily") is None
    clock.advance(minutes=1)
    second = automatic.run("daily")
    assert second is not None and second.kind is BackupKind.AUTOMATIC and second.verified
    assert [a for a in audit_actions(db) if a[0] == "backup"] == [("backup", None)] * 2


@pytest.mark.sqlite_only
def test_pruning_keeps_the_set_number_of_automatic_backups_and_never_others(services, staff, clock):
    """With 3 generations, 6 exit backups leave the newest 3; manual, pre-upgrade and pre-restore copies stay."""
    admin = staff["admin"]
    services.settings.update(admin, {"backup_generations": 3})
    manual = services.backups.back_up_now(admin)
    folder = backups_folder(services.context)
    others = [folder / "clinic-before-upgrade-from-0004_check_notes-20260101T000000Z.db",
              folder / "clinic-before-restore-20260101T000000Z.db"]
    for path in others:
        path.write_bytes(manual.path.read_bytes())
    made = []
    for _ in range(6):
        clock.advance(minutes=1)
        made.append(services.backups.automatic.run("exit").file_name)
    names = {b.file_name: b.kind for b in services.backups.list(admin)}
    assert sorted(n for n, k in names.items() if k is BackupKind.AUTOMATIC) == sorted(made[-3:])
    assert manual.file_name in names and all(p.name in names for p in others)


@pytest.mark.sqlite_only
def test_an_automatic_backup_that_cannot_be_written_raises_a_clinic_error(services, tmp_path):
    """The backups folder is a file: a ClinicError (which the window turns into a status message)."""
    folder = backups_folder(services.context)
    shutil.rmtree(folder, ignore_errors=True)
    folder.write_text("not a folder")
    with pytest.raises(ClinicError):
        services.backups.automatic.run("exit")


def test_the_audit_chain_is_untouched_by_listing(services, staff, db):
    """Listing backups writes nothing (only taking and restoring are audited)."""
    before = len(audit_actions(db))
    services.backups.list(staff["admin"])
    assert len(audit_actions(db)) == before
    with db.read() as uow:
        assert audit_chain.verify(uow.session, db.keyring).ok
