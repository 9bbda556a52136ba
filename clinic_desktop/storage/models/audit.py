"""The audit log, electronic signatures, amendments and emergency-access sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DDL, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from clinic_desktop.storage.models.base import Base, Sealed
from clinic_desktop.storage.types import UTCDateTime


class AuditEntry(Base):
    """One audited event. Append-only: the database refuses UPDATE and DELETE (see APPEND_ONLY_DDL), and each
    entry's keyed hash covers its content and the previous entry's hash, so any change shows."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_patient_id_seq", "patient_id", "seq"),
        Index("ix_audit_log_staff_id_seq", "staff_id", "seq"),
        Index("ix_audit_log_at", "at"),
    )

    #: 1, 2, 3, ... with no gaps: a missing number is a deleted entry.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The workstation's offset from UTC when it happened, in minutes (for "09:00 -05:00" on reports).
    utc_offset_min: Mapped[int] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: The name typed at a failed sign-in (there may be no such user).
    username: Mapped[str] = mapped_column(String(64), default="")
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(40), default="")
    #: Old and new values of an update, or what was created, signed, printed, exported.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Done during emergency (break-glass) access: listed for an administrator's review.
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


#: The database itself refuses to change or remove audit entries (SQLite triggers; a PostgreSQL trigger).
APPEND_ONLY_DDL: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
    ),
}

for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _sql in _statements:
        event.listen(AuditEntry.__table__, "after_create", DDL(_sql).execute_if(dialect=_dialect))


class Signature(Sealed, Base):
    """An electronic signature: who, when, what it means, and a keyed hash of the content signed."""

    __tablename__ = "signatures"
    __table_args__ = (Index("ix_signatures_record_type_record_id", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What was signed: "dose_order", "administration", "waste", "checks_override".
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    #: Printed with the signature: "Ordered by", "Administered by", "Witnessed by", "Override approved by".
    meaning: Mapped[str] = mapped_column(String(60))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    utc_offset_min: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the signed fields in canonical form, and an HMAC over the whole signature.
    content_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
    #: Set when an amendment replaced the content this signature covered.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("signatures.id"))


#: Signatures and amendments are append-only too: a signature is only ever superseded (once, by an amendment's new
#: one), an amendment never changes; neither is deleted. Only the seal column may be written after the insert
#: (storage seals a row once its id exists). Per table, per dialect; `audit verify` checks they are in place.
SIGNED_GUARD_DDL: dict[str, dict[str, tuple[str, ...]]] = {
    "signatures": {
        "sqlite": (
            "CREATE TRIGGER signatures_no_update BEFORE UPDATE OF id, record_type, record_id, meaning, staff_id, "
            "signed_at, utc_offset_min, content_hash, mac ON signatures "
            "BEGIN SELECT RAISE(ABORT, 'a signature is never changed'); END",
            "CREATE TRIGGER signatures_superseded_once BEFORE UPDATE OF superseded_by_id ON signatures "
            "WHEN OLD.superseded_by_id IS NOT NULL "
            "BEGIN SELECT RAISE(ABORT, 'a signature is superseded only once'); END",
            "CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures "
            "BEGIN SELECT RAISE(ABORT, 'a signature is never removed'); END",
        ),
        "postgresql": (
            "CREATE OR REPLACE FUNCTION signatures_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' AND (NEW.id, NEW.record_type, NEW.record_id, NEW.meaning, NEW.staff_id, "
            "NEW.signed_at, NEW.utc_offset_min, NEW.content_hash, NEW.mac) IS NOT DISTINCT FROM (OLD.id, "
            "OLD.record_type, OLD.record_id, OLD.meaning, OLD.staff_id, OLD.signed_at, OLD.utc_offset_min, "
            "OLD.content_hash, OLD.mac) AND (OLD.superseded_by_id IS NULL OR NEW.superseded_by_id IS NOT DISTINCT "
            "FROM OLD.superseded_by_id) THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION 'signatures are append-only'; END $$",
            "CREATE TRIGGER signatures_no_change BEFORE UPDATE OR DELETE ON signatures "
            "FOR EACH ROW EXECUTE FUNCTION signatures_append_only()",
            "CREATE TRIGGER signatures_no_truncate BEFORE TRUNCATE ON signatures "
            "FOR EACH STATEMENT EXECUTE FUNCTION signatures_append_only()",
        ),
    },
    "amendments": {
        "sqlite": (
            "CREATE TRIGGER amendments_no_update BEFORE UPDATE OF id, record_type, record_id, changes, reason, "
            "amended_by_id, amended_at, signature_id ON amendments "
            "BEGIN SELECT RAISE(ABORT, 'an amendment is never changed'); END",
            "CREATE TRIGGER amendments_no_delete BEFORE DELETE ON amendments "
            "BEGIN SELECT RAISE(ABORT, 'an amendment is never removed'); END",
        ),
        "postgresql": (
            "CREATE OR REPLACE FUNCTION amendments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' AND (NEW.id, NEW.record_type, NEW.record_id, NEW.changes::text, NEW.reason, "
            "NEW.amended_by_id, NEW.amended_at, NEW.signature_id) IS NOT DISTINCT FROM (OLD.id, OLD.record_type, "
            "OLD.record_id, OLD.changes::text, OLD.reason, OLD.amended_by_id, OLD.amended_at, OLD.signature_id) "
            "THEN RETURN NEW; END IF; RAISE EXCEPTION 'amendments are append-only'; END $$",
            "CREATE TRIGGER amendments_no_change BEFORE UPDATE OR DELETE ON amendments "
            "FOR EACH ROW EXECUTE FUNCTION amendments_append_only()",
            "CREATE TRIGGER amendments_no_truncate BEFORE TRUNCATE ON amendments "
            "FOR EACH STATEMENT EXECUTE FUNCTION amendments_append_only()",
        ),
    },
}


class Amendment(Sealed, Base):
    """A change to a signed record: the old and new values, why, and the new signature that covers it."""

    __tablename__ = "amendments"
    __table_args__ = (Index("ix_amendments_record_type_record_id", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    amended_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    amended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signature_id: Mapped[int] = mapped_column(ForeignKey("signatures.id"))


class EmergencySession(Sealed, Base):
    """Break-glass access: who, why, for how long, and the administrator review that closes it."""

    __tablename__ = "emergency_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str] = mapped_column(Text, default="")


for _table_name, _by_dialect in SIGNED_GUARD_DDL.items():
    for _dialect, _statements in _by_dialect.items():
        for _sql in _statements:
            event.listen(Base.metadata.tables[_table_name], "after_create", DDL(_sql).execute_if(dialect=_dialect))
