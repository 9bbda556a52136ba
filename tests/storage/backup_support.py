"""Helpers for backup and restore tests: a clinic database with audited patients, and ways to spoil a copy."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.registry import Services
from clinic_desktop.storage import models
from clinic_desktop.storage.backup_manifest import read_manifest, sha256_of, write_manifest
from tests.conftest import ZONE


def nurse(services: Services, now: datetime, password_hash: str = "not-a-usable-hash") -> Principal:
    """A signed-in nurse account (fictional) made straight in the database."""
    with services.context.db.session() as session:
        row = models.Staff(full_name="Dana Whitlock", credentials="RN", role=StaffRole.NURSE, active=True,
                           created_at=now, username="whitlock", password_hash=password_hash,
                           password_changed_at=now, is_admin=False, failed_logins=[])
        session.add(row)
        session.commit()
        return Principal(row.id, row.full_name, "RN", StaffRole.NURSE, True, False, "whitlock", signed_in_at=now)


def register(services: Services, who: Principal, family: str) -> str:
    """An audited write through the services; returns the new patient's MRN."""
    return services.patients.register(who, PatientInput(given_names="Ada", family_name=family,
                                                        date_of_birth="1980-05-01", sex="female")).mrn


def family_names(path: Path) -> list[str]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT family_name FROM patients ORDER BY id")]
    finally:
        con.close()


def edit_copy(path: Path, *statements: str, rehash: bool = True) -> None:
    """Change a backup file behind the application's back; with `rehash` the manifest is made to match again,
    so only the deeper checks (integrity, audit chain, schema) can catch it."""
    con = sqlite3.connect(path)
    try:
        for sql in statements:
            con.execute(sql)
        con.commit()
    finally:
        con.close()
    if rehash:
        manifest = read_manifest(path)
        write_manifest(path, replace(manifest, sha256=sha256_of(path), size=path.stat().st_size))


def services_over(db, clock) -> Services:
    return Services.build(db, clock, ZONE)



def record_restore(services: Services, restored) -> None:
    """The restore's audit entry, as the Backup page and `clinic-desktop restore` write it after a restore: it
    names the head it replaced, which explains the witnesses of the replaced log (backups taken since)."""
    from clinic_desktop.storage.head_witness import restore_details

    with services.context.db.write() as uow:
        services.context.audit(uow.session, None, "restore", object_type="backup", object_id=restored.manifest.file,
                               details={"file": restored.manifest.file, **restore_details(restored.replaced)})
        uow.commit()
