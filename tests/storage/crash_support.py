"""Shared by the crash and full-disk tests: a data folder with a dose running, and the writer that child
processes run against it (through the application's own composition root, as a workstation would)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from clinic_desktop.app import open_services
from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.clock import FixedClock
from clinic_desktop.services import integrity as audit_verify
from clinic_desktop.services.passwords import Passwords
from clinic_desktop.storage import models
from clinic_desktop.storage.database import open_database

from tests.conftest import PASSWORD, START, TEST_STAFF, ZONE
from tests.services.service_support import Clinic

REPO = Path(__file__).resolve().parents[2]
#: The writers chart this long after the dose started (inside the infusion, so "during" readings are valid).
WRITER_TIME = START + timedelta(minutes=20)

#: Python run by a child: `writer(folder, session_id)` opens the folder like the application does and returns
#: the services and the signed-in nurse. Kept as source so a child needs no test package on its path but the repo.
WRITER_SOURCE = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from datetime import datetime
from zoneinfo import ZoneInfo
from sqlalchemy import select
from clinic_desktop.app import open_services
from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.clock import FixedClock
from clinic_desktop.domain.enums import NoteKind, VitalsPhase
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.storage import models

NORMAL = dict(systolic=124, diastolic=78, heart_rate=72, spo2=98, resp_rate=14)

def writer(folder):
    clock = FixedClock(datetime.fromisoformat({WRITER_TIME.isoformat()!r}))
    services, _ = open_services(folder, None, clock, ZoneInfo({ZONE.key!r}))
    with services.context.db.read() as uow:
        row = uow.session.execute(select(models.Staff).where(models.Staff.username == "whitlock")).scalar_one()
        nurse = Principal(row.id, row.full_name, row.credentials, row.role, True, row.is_admin, row.username,
                          signed_in_at=clock.now())
    return services, nurse
"""


@dataclass(frozen=True)
class Infusing:
    folder: Path
    session_id: int

    @property
    def database(self) -> Path:
        return self.folder / "clinic.db"


def infusing_clinic(folder: Path) -> Infusing:
    """A data folder whose clinic has staff of every role and one patient's dose running since 09:05."""
    clock = FixedClock(START)
    services, _ = open_services(str(folder), None, clock, ZONE)
    db = services.context.db
    try:
        staff = {}
        password_hash = Passwords().hash(PASSWORD)
        with db.session() as session:
            for key, (username, name, role, creds) in TEST_STAFF.items():
                row = models.Staff(full_name=name, credentials=creds, role=role, active=True, created_at=clock.now(),
                                   username=username, password_hash=password_hash, password_changed_at=clock.now(),
                                   is_admin=key == "admin", failed_logins=[])
                session.add(row)
                session.flush()
                staff[key] = Principal(row.id, name, creds, role, True, row.is_admin, username,
                                       signed_in_at=clock.now())
            session.commit()
        sid = Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id).infusing()
    finally:
        db.close()
    return Infusing(folder, sid)


@dataclass(frozen=True)
class Health:
    integrity: list[str]
    foreign_key_problems: list[tuple]
    vitals: set[int]
    notes: set[int]
    #: Ids named by "create" audit entries, per record type: every saved record has one, and only those.
    audited_vitals: set[int]
    audited_notes: set[int]
    #: The whole of `audit verify` (chain, seals, records, signatures, triggers): no false alarm after a kill.
    audit: audit_verify.Integrity
    #: Entries in the log, and the entry the head file (kept outside the database) names.
    last_seq: int
    head_seq: int | None


def health(folder: Path) -> Health:
    """Open the folder's database as the next start would (recovering a killed writer's WAL) and look at it."""
    con = sqlite3.connect(folder / "clinic.db")
    try:
        integrity = [r[0] for r in con.execute("PRAGMA integrity_check")]
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        vitals = {r[0] for r in con.execute("SELECT id FROM vital_signs")}
        notes = {r[0] for r in con.execute("SELECT id FROM monitoring_notes")}
        audited = {kind: {int(r[0]) for r in con.execute(
            "SELECT object_id FROM audit_log WHERE action = 'create' AND object_type = ?", (kind,))}
            for kind in ("vital_signs", "note")}
        last_seq = con.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()[0]
    finally:
        con.close()
    db = open_database(f"sqlite:///{folder / 'clinic.db'}", folder / "backups", datetime.now(START.tzinfo))
    try:
        with db.read() as uow:
            verification = audit_verify.verify(uow.session, db.keyring)
        head = db.keyring.read_head()
    finally:
        db.close()
    return Health(integrity, fk, vitals, notes, audited["vital_signs"], audited["note"], verification, last_seq,
                  head[0] if head else None)
