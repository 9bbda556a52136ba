"""Support for the tamper tests: a clinic with a row in every sealed table, made through the services only, and
changes made behind the application's back (straight to the database, as someone with a database tool would)."""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Iterator

from sqlalchemy import JSON, Connection, LargeBinary, Table, select, update
from sqlalchemy import Enum as EnumType

from clinic_desktop.domain.enums import MedicationClass, NoteKind, StaffRole, Timepoint
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.records import AllergyEntry, DiagnosisEntry, MedicationEntry
from clinic_desktop.services import integrity
from clinic_desktop.storage.models.audit import SIGNED_GUARD_DDL
from clinic_desktop.storage.models.base import SEAL_COLUMN
from clinic_desktop.storage.types import ExactDecimal, UTCDateTime

from tests.conftest import PASSWORD
from tests.services.service_support import ALDRETE_FULL, IV_ORDER, LOT_EXPIRY, Clinic


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), (26, 115, 232)).save(out, "PNG")
    return out.getvalue()


def busy_day(clinic: Clinic) -> dict[str, int]:
    """A clinic's day through the services: every kind of record written, changed, signed and amended. Returns the
    ids of the records the tamper cases pick on."""
    services, staff, clock = clinic.services, clinic.staff, clinic.clock
    admin, md, nurse = staff["admin"], staff["physician"], staff["nurse"]
    referrer = services.patients.add_referring_clinician(staff["front_desk"], "Dr Hana Sato", "Harbour Practice", phone="555 0101")
    patient = clinic.patient()
    chart = services.patients.update(nurse, patient.id, PatientInput(
        given_names="Ada", family_name="Lovelace", date_of_birth="1980-05-01", sex="female",
        escort_name="Tom Lovelace", height="165", referring_clinician_id=referrer.id,
        diagnoses=(DiagnosisEntry("Major depressive disorder, recurrent", "F33.2", True),),
        allergies=(AllergyEntry("Latex", "rash"),),
        medications=(MedicationEntry("Lorazepam", MedicationClass.BENZODIAZEPINE, "0.5 mg at night"),)), patient.row_version)
    series = clinic.plan(chart.id)
    sid = series.sessions[0].id
    clinic.prepare(chart.id, sid)
    dose = services.doses.order(md, sid, IV_ORDER, PASSWORD)
    services.doses.start(nurse, sid, "LOT-1", LOT_EXPIRY)
    clock.advance(minutes=20)
    vitals = services.monitoring.record_vitals(nurse, sid, "during", {"systolic": 131, "diastolic": 82,
                                                                      "heart_rate": 80, "spo2": 97, "resp_rate": 14})
    services.monitoring.add_note(nurse, sid, NoteKind.FREE_TEXT, text="Comfortable, music on.")
    clock.advance(minutes=20)
    services.doses.stop(nurse, sid, password=PASSWORD, volume_given_ml="90.8", volume_wasted_ml="10",
                        witness_id=staff["nurse2"].id, witness_password=PASSWORD)
    services.doses.amend_administration(nurse, sid, "Lot number typed wrong", PASSWORD, lot_number="LOT-2")
    services.monitoring.record_scale(nurse, chart.id, "phq9", [1] * 8 + [0], Timepoint.POST, sid)
    clock.advance(minutes=30)
    services.monitoring.discharge(nurse, sid, ALDRETE_FULL, True)
    # A second patient whose open check a physician overrides with a signature.
    other = clinic.patient(family_name="Byron")
    other_sid = clinic.plan(other.id).sessions[0].id
    services.sessions.check_in(nurse, other_sid, npo_confirmed=True)
    services.doses.order(md, other_sid, IV_ORDER, PASSWORD)
    services.monitoring.record_vitals(nurse, other_sid, "baseline", {"systolic": 120, "diastolic": 80,
                                                                     "heart_rate": 70, "spo2": 98, "resp_rate": 12})
    services.sessions.override_checks(md, other_sid, "Escort is parking the car", PASSWORD)
    # The administrator's side: settings, the letterhead, a revised sheet text, a chair, a user, emergency access.
    services.settings.update(admin, {"recheck_minutes": 7})
    services.settings.set_logo(admin, png())
    services.chairs.add(admin, "Chair 2")
    services.auth.add_user(admin, "nakamura", "Kenji Nakamura", StaffRole.FRONT_DESK, "another long passphrase 7")
    services.auth.start_emergency(admin, "Code blue in chair 2", PASSWORD)
    return {"patient": chart.id, "session": sid, "dose": dose.id, "vitals": vitals.id, "other_session": other_sid,
            "series": series.id}


def verify(db) -> integrity.Integrity:
    with db.read() as uow:
        return integrity.verify(uow.session, db.keyring)


@contextmanager
def behind_the_back(db, lift_guards: bool = True) -> Iterator[Connection]:
    """A connection of the database's own, without the application's sessions (so nothing is sealed), with foreign
    keys not enforced and signatures and amendments changeable, as someone editing the file or the server with a
    database tool has it (the triggers are back when it ends; `lift_guards=False` leaves them alone)."""
    with db.engine.connect() as conn:
        if db.is_sqlite:
            conn.commit()
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
            guards = [sql for by_dialect in SIGNED_GUARD_DDL.values() for sql in by_dialect["sqlite"]] \
                if lift_guards else []
            for sql in guards:  # signatures and amendments refuse changes: lift that, as a forger would
                conn.exec_driver_sql(f"DROP TRIGGER {sql.split()[2]}")
        else:  # replica mode: neither foreign keys nor the append-only triggers apply
            conn.exec_driver_sql("SET session_replication_role = replica")
        try:
            yield conn
            if db.is_sqlite:
                for sql in guards:  # and put it back, so only what the test changed is reported
                    conn.exec_driver_sql(sql)
            conn.commit()
        finally:
            if db.is_sqlite:
                conn.rollback()
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")
            else:
                conn.rollback()
                conn.exec_driver_sql("SET session_replication_role = DEFAULT")


def other_value(column: Any, value: Any) -> Any:
    """A different value of the column's type that the database accepts (a CHECKed enum stays one of its values)."""
    kind = column.type
    if isinstance(kind, EnumType):
        members = list(kind.enum_class) if kind.enum_class else list(kind.enums)
        return next(m for m in members if m != value)
    if isinstance(kind, JSON):
        return {"tampered": 1} if not isinstance(value, list) else [*value, 1]
    if isinstance(kind, LargeBinary):
        return (value or b"") + b"x"
    if value is None:
        if isinstance(kind, ExactDecimal):
            return Decimal("1.5")
        if isinstance(kind, UTCDateTime):
            return datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
        return {int: 1, str: "x", bool: True, date: date(2026, 1, 5), time: time(7, 30),
                datetime: datetime(2026, 3, 1, 12, tzinfo=timezone.utc)}[kind.python_type]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1000  # clear of every other id or number in the clinic (unique columns stay unique)
    if isinstance(value, str):
        return value[:-1] + ("x" if value[-1:] != "x" else "y") if value else "x"
    if isinstance(value, Decimal):
        return value + Decimal("0.1")
    if isinstance(value, datetime):
        return value + timedelta(minutes=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    if isinstance(value, time):
        return value.replace(minute=(value.minute + 1) % 60)
    if isinstance(value, Enum):
        return next(m for m in type(value) if m != value)
    raise AssertionError(f"no other value for {column} = {value!r}")


def first_row(conn: Connection, table: Table) -> Any:
    return conn.execute(select(table).order_by(*table.primary_key.columns).limit(1)).first()


def set_value(conn: Connection, table: Table, key: dict[str, Any], column: str, value: Any) -> None:
    stmt = update(table).values({column: value})
    for name, v in key.items():
        stmt = stmt.where(table.c[name] == v)
    assert conn.execute(stmt).rowcount == 1


def edited_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.name != SEAL_COLUMN]
