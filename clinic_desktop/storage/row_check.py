"""What `audit verify` checks besides the audit log's chain, each check naming the first disagreement in words a
clinic administrator understands: every sealed row still matches its seal, every record the log says was written
still exists, and the database still refuses changes to the audit log (its append-only triggers).

A check is a function `(session, keyring) -> Finding | None`; services/integrity.py lists them in order. Rows are
read as plain rows a batch at a time (see audit_chain._CHECKED), so a large clinic neither stalls the window's
worker nor fills the memory."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy import Integer, String, Table, cast, select, text
from sqlalchemy.orm import Session

from clinic_desktop.storage.audit_chain import AuditKeyring
from clinic_desktop.storage.models import AuditEntry, Base
from clinic_desktop.storage.models.audit import APPEND_ONLY_DDL, SIGNED_GUARD_DDL
from clinic_desktop.storage.models.base import SEAL_COLUMN
from clinic_desktop.storage.row_seals import RowSealer, sealed_tables

#: Rows read per round trip while checking seals.
BATCH = 2000


@dataclass(frozen=True)
class Finding:
    """The first disagreement a check found."""

    #: Which check found it ("rows", "records in the audit log", "signatures", "protection of the audit log").
    check: str
    message: str


Check = Callable[[Session, AuditKeyring], "Finding | None"]

#: What each sealed table's rows are called in a message.
LABELS = {
    "patients": "Patient record", "diagnoses": "Diagnosis", "allergies": "Allergy", "medications": "Medication",
    "weight_measurements": "Weight measurement", "screening_records": "Screening record",
    "consent_records": "Consent record", "infusion_series": "Infusion series", "treatment_sessions": "Treatment session",
    "dose_records": "Dose record", "vital_signs": "Vital signs reading", "scale_responses": "Rating scale result",
    "monitoring_notes": "Monitoring note", "staff": "Staff account", "chairs": "Chair",
    "referring_clinicians": "Referring clinician", "signatures": "Electronic signature", "amendments": "Amendment",
    "emergency_sessions": "Emergency access session", "clinic_settings": "Clinic setting",
    "sheet_texts": "Printed sheet text", "clinic_images": "Clinic image",
}

#: Audit log object types that name one row of a table by its id (what services write with ctx.audit).
AUDITED_TABLES = {
    "patient": "patients", "weight": "weight_measurements", "screening": "screening_records",
    "consent": "consent_records", "referring_clinician": "referring_clinicians", "series": "infusion_series",
    "session": "treatment_sessions", "session_check": "treatment_sessions", "checks_override": "treatment_sessions",
    "dose_order": "dose_records", "administration": "dose_records", "waste": "dose_records",
    "vital_signs": "vital_signs", "note": "monitoring_notes", "scale_response": "scale_responses",
    "staff": "staff", "chair": "chairs", "emergency_session": "emergency_sessions", "sheet_text": "sheet_texts",
}
#: Audit actions that record a row's removal: entries about it before then are not expected to find it.
REMOVALS = ("delete",)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


# --- naming a row ----------------------------------------------------------------------------------------------

def describe(session: Session, table_name: str, values: Mapping[str, Any]) -> str:
    """"Vital signs reading 41 (patient MRN 10000015, session of 2026-03-02)": what a row is, in words."""
    label = LABELS.get(table_name, f"A row of {table_name}")
    if table_name in ("clinic_settings", "clinic_images"):
        return f"{label} '{values.get('name')}'"
    context = []
    if table_name == "patients":
        context.append(f"MRN {values.get('mrn')}")
    elif table_name == "staff":
        context.append(f"{values.get('full_name')}, sign-in name '{values.get('username') or '-'}'")
    elif table_name in ("signatures", "amendments"):
        context.append(f"{values.get('meaning') or 'amendment'} of the {str(values.get('record_type', '')).replace('_', ' ')} "
                       f"of record {values.get('record_id')}")
    context.extend(_where(session, values))
    return f"{label} {values.get('id')}" + (f" ({', '.join(context)})" if context else "")


def _where(session: Session, values: Mapping[str, Any]) -> list[str]:
    """The patient (by MRN) and session or series a row belongs to, as far as they can still be found."""
    patients, series, sessions = _table("patients"), _table("infusion_series"), _table("treatment_sessions")
    found: list[str] = []
    patient_id, when = values.get("patient_id"), None
    if values.get("session_id") is not None:
        row = session.execute(select(sessions.c.scheduled_at, series.c.patient_id)
                              .join(series, series.c.id == sessions.c.series_id)
                              .where(sessions.c.id == values["session_id"])).first()
        if row is not None:
            patient_id, when = row.patient_id, row.scheduled_at
    elif values.get("series_id") is not None:
        patient_id = session.execute(select(series.c.patient_id).where(series.c.id == values["series_id"])).scalar()
        if "scheduled_at" in values:
            when = values["scheduled_at"]
    if patient_id is not None:
        mrn = session.execute(select(patients.c.mrn).where(patients.c.id == patient_id)).scalar()
        found.append(f"patient MRN {mrn}" if mrn else f"patient {patient_id}, no longer on file")
    if isinstance(when, datetime):
        found.append(f"session of {when.date().isoformat()}")
    return found


# --- every sealed row matches its seal -------------------------------------------------------------------------

def check_seals(session: Session, keyring: AuditKeyring) -> Finding | None:
    """Each sealed table in turn, each row's seal recomputed from its values."""
    sealer = RowSealer(keyring)
    key = keyring.key()
    for table in sealed_tables():
        bad = _first_unsealed(session, sealer, table, key)
        if bad is not None:
            values, stored = bad
            what = describe(session, table.name, values)
            if stored is None:
                return Finding("rows", f"{what} was added outside the application (it has no seal).")
            return Finding("rows", f"{what} was changed outside the application (its contents no longer match the "
                                   "seal the application gave it).")
    return None


def _first_unsealed(session: Session, sealer: RowSealer, table: Table,
                    key: bytes) -> tuple[dict[str, Any], str | None] | None:
    plan = sealer.plan(table)
    stmt = select(*plan.columns, table.c[SEAL_COLUMN]).order_by(*table.primary_key.columns) \
        .execution_options(yield_per=BATCH)
    result = session.execute(stmt)
    try:
        for rows in result.partitions():
            columns = list(zip(*rows))  # a batch is sealed a column at a time, as the bulk writer seals it
            seals = sealer.seal_columns(table, dict(zip(plan.names, columns)), key)
            for row, expected, stored in zip(rows, seals, columns[-1]):
                if stored is None or not hmac.compare_digest(expected, stored):
                    return dict(zip(plan.names, row)), stored
    finally:
        result.close()  # before the row is described with further queries
    return None


# --- every record the log says was written still exists ---------------------------------------------------------

def check_audited_records(session: Session, _keyring: AuditKeyring) -> Finding | None:
    """The earliest audit entry about a record that is no longer in its table (and whose removal the log does not
    record). One query per table, run by the database, each id looked up by the table's primary key."""
    log = AuditEntry.__table__
    sqlite = session.get_bind().dialect.name == "sqlite"
    by_table: dict[str, list[str]] = {}
    for object_type, table_name in AUDITED_TABLES.items():
        by_table.setdefault(table_name, []).append(object_type)
    first: tuple[int, str, str, int | None] | None = None
    for table_name, types in by_table.items():
        table = _table(table_name)
        # SQLite looks each id up by its key; PostgreSQL hashes the table's ids as text (a cast of the log's text
        # to a number would fail on an entry whose id is not one).
        matches = table.c.id == cast(log.c.object_id, Integer) if sqlite else cast(table.c.id, String) == log.c.object_id
        missing = session.execute(select(log.c.seq, log.c.object_type, log.c.object_id, log.c.patient_id)
                                  .select_from(log.outerjoin(table, matches))
                                  .where(log.c.object_type.in_(types), log.c.object_id != "", table.c.id.is_(None))
                                  .order_by(log.c.seq)).all()
        # Only the few entries whose record is gone are looked at again, for a recorded removal.
        row = next((r for r in missing if not _removal_recorded(session, r.object_type, r.object_id)), None)
        if row is not None and (first is None or row.seq < first[0]):
            first = (row.seq, table_name, row.object_id, row.patient_id)
    if first is None:
        return None
    seq, table_name, object_id, patient_id = first
    what = f"{LABELS[table_name]} {object_id}"
    if patient_id is not None:
        mrn = session.execute(select(_table("patients").c.mrn).where(_table("patients").c.id == patient_id)).scalar()
        what += f" (patient MRN {mrn})" if mrn else f" (patient {patient_id}, no longer on file)"
    return Finding("records in the audit log", f"{what}, recorded in the audit log at entry {seq}, is missing "
                                               "(deleted outside the application).")


def _removal_recorded(session: Session, object_type: str, object_id: str) -> bool:
    log = AuditEntry.__table__
    return session.execute(select(log.c.seq).where(log.c.object_type == object_type, log.c.object_id == object_id,
                                                   log.c.action.in_(REMOVALS)).limit(1)).first() is not None


# --- the database still refuses changes to the audit log, signatures and amendments --------------------------------

#: What each guarded table's rows are, in a message.
_GUARDED = {"audit_log": "the audit log", "signatures": "electronic signatures", "amendments": "amendments"}
#: pg_trigger.tgtype bits: ROW 1, BEFORE 2, DELETE 8, UPDATE 16, TRUNCATE 32.
_ROW, _BEFORE, _DELETE, _UPDATE, _TRUNCATE = 1, 2, 8, 16, 32
#: The PostgreSQL triggers the application makes: (table, trigger, its tgtype, its function).
_PG_TRIGGERS = (
    ("audit_log", "audit_log_no_change", _BEFORE | _UPDATE | _DELETE | _TRUNCATE, "audit_log_append_only"),
    ("signatures", "signatures_no_change", _ROW | _BEFORE | _UPDATE | _DELETE, "signatures_append_only"),
    ("signatures", "signatures_no_truncate", _BEFORE | _TRUNCATE, "signatures_append_only"),
    ("amendments", "amendments_no_change", _ROW | _BEFORE | _UPDATE | _DELETE, "amendments_append_only"),
    ("amendments", "amendments_no_truncate", _BEFORE | _TRUNCATE, "amendments_append_only"),
)


def _sqlite_triggers() -> list[tuple[str, str]]:
    """(table, CREATE TRIGGER statement) for every trigger the application makes on SQLite."""
    statements = [("audit_log", sql) for sql in APPEND_ONLY_DDL["sqlite"]]
    statements += [(table, sql) for table, by_dialect in SIGNED_GUARD_DDL.items() for sql in by_dialect["sqlite"]]
    return statements


def check_append_only(session: Session, _keyring: AuditKeyring) -> Finding | None:
    """The triggers that make the audit log, signatures and amendments append-only are there, as the application
    made them, and enabled."""
    if session.get_bind().dialect.name == "sqlite":
        present = {name: " ".join(sql.split()) for name, sql in session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))}
        for table, statement in _sqlite_triggers():
            name = statement.split()[2]
            if present.get(name) != " ".join(statement.split()):
                return _unprotected(table, name, "removed" if name not in present else "altered")
        return None
    for table, name, kind, function in _PG_TRIGGERS:
        trigger = session.execute(text(
            "SELECT t.tgenabled, t.tgtype, p.proname, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = CAST(:table AS regclass) AND t.tgname = :name"), {"table": table, "name": name}).first()
        if trigger is None:
            return _unprotected(table, name, "removed")
        if trigger.tgenabled == "D":
            return _unprotected(table, name, "disabled")
        if trigger.tgtype != kind or trigger.proname != function \
                or "RAISE EXCEPTION" not in " ".join(trigger.prosrc.upper().split()):
            return _unprotected(table, name, "altered")
    return None


def _unprotected(table: str, name: str, how: str) -> Finding:
    what = _GUARDED[table]
    return Finding(f"protection of {what}", f"The database no longer refuses changes to {what}: its safeguard (the "
                                            f"trigger {name}) was {how} outside the application.")
