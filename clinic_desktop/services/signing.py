"""Electronic signatures (21 CFR Part 11 style): what each signature covers, making one, and checking it."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.domain.session_records import SignatureEntry
from clinic_desktop.storage import models
from clinic_desktop.storage.audit_chain import AuditKeyring, canonical

#: The fields each kind of signature covers, and the words printed with it.
SIGNED_FIELDS: dict[str, tuple[str, ...]] = {
    "dose_order": ("session_id", "mg_per_kg", "weight_basis", "weight_kg_used", "dose_mg", "vial_mg_per_ml",
                   "drug_volume_ml", "diluent_ml", "total_volume_ml", "duration_min", "pump_rate_ml_per_h",
                   "override_level", "override_reason", "finding_codes", "ordered_by_id"),
    "administration": ("session_id", "lot_number", "lot_expiry", "started_at", "stopped_at", "volume_given_ml",
                       "administered_by_id"),
    # Not the stop time: the witness vouches for the amount wasted, and a corrected time must not void that.
    "waste": ("session_id", "volume_wasted_ml", "waste_witness_id"),
    "checks_override": ("id", "checks_override_reason", "checks_overridden_keys", "checks_overridden_by_id"),
}
MEANINGS = {"dose_order": "Ordered by", "administration": "Administered by", "waste": "Witnessed by",
            "checks_override": "Override approved by"}

VALID, INVALID, SUPERSEDED = "valid", "signature invalid", "superseded by an amendment"


def content_hash(record_type: str, row: object) -> str:
    """SHA-256 of the signed fields in canonical form: any change to one of them changes it."""
    return content_hash_of(record_type, {name: getattr(row, name) for name in SIGNED_FIELDS[record_type]})


def content_hash_of(record_type: str, values: Mapping[str, Any]) -> str:
    """The same hash from the record's values (a row not loaded as an object, e.g. one written in bulk)."""
    content = {name: values[name] for name in SIGNED_FIELDS[record_type]}
    return hashlib.sha256(canonical(content)).hexdigest()


def _mac(keyring: AuditKeyring, sig: models.Signature) -> str:
    return _mac_of(keyring, sig.record_type, sig.record_id, sig.meaning, sig.staff_id, sig.signed_at,
                   sig.utc_offset_min, sig.content_hash)


def _mac_of(keyring: AuditKeyring, record_type: str, record_id: int, meaning: str, staff_id: int, at: datetime,
            utc_offset_min: int, content: str) -> str:
    return keyring.mac(canonical({"type": record_type, "id": record_id, "meaning": meaning, "staff": staff_id,
                                  "at": at, "off": utc_offset_min, "content": content}))


def signature_values(keyring: AuditKeyring, record_type: str, record_id: int, values: Mapping[str, Any],
                     staff_id: int, at: datetime, utc_offset_min: int) -> dict[str, Any]:
    """A signature's column values for a record's content, exactly as `sign` stores them (its hash and MAC).

    Only for a signer whose password was confirmed for this work (see services/demo.py); never a substitute
    for the password check a signature at the workstation needs."""
    content = content_hash_of(record_type, values)
    meaning = MEANINGS[record_type]
    return {"record_type": record_type, "record_id": record_id, "meaning": meaning, "staff_id": staff_id,
            "signed_at": at, "utc_offset_min": utc_offset_min, "content_hash": content,
            "mac": _mac_of(keyring, record_type, record_id, meaning, staff_id, at, utc_offset_min, content)}


def sign(session: Session, keyring: AuditKeyring, record_type: str, row: object, staff_id: int, at: datetime,
         utc_offset_min: int) -> models.Signature:
    """Sign the record's current content; an earlier signature of the same meaning is superseded."""
    sig = models.Signature(**signature_values(keyring, record_type, row.id, {
        name: getattr(row, name) for name in SIGNED_FIELDS[record_type]}, staff_id, at, utc_offset_min))
    session.add(sig)
    session.flush()
    for earlier in current_signatures(session, record_type, row.id):
        if earlier.id != sig.id:
            earlier.superseded_by_id = sig.id
    return sig


def current_signatures(session: Session, record_type: str, record_id: int) -> list[models.Signature]:
    return list(session.execute(select(models.Signature).where(
        models.Signature.record_type == record_type, models.Signature.record_id == record_id,
        models.Signature.superseded_by_id.is_(None))).scalars())


def is_signed(session: Session, record_type: str, record_id: int) -> bool:
    return bool(current_signatures(session, record_type, record_id))


def status(keyring: AuditKeyring, sig: models.Signature, row: object) -> str:
    """Valid only if the signature itself is authentic and the record still holds what was signed."""
    if sig.superseded_by_id is not None:
        return SUPERSEDED
    if not hmac.compare_digest(_mac(keyring, sig), sig.mac):
        return INVALID
    if not hmac.compare_digest(content_hash(sig.record_type, row), sig.content_hash):
        return INVALID
    return VALID


def is_authentic(keyring: AuditKeyring, sig: Mapping[str, Any]) -> bool:
    """A signature's own MAC holds (made by the application with this clinic's key, unchanged since), from its
    column values (a row read without the ORM)."""
    return hmac.compare_digest(_mac_of(keyring, sig["record_type"], sig["record_id"], sig["meaning"], sig["staff_id"],
                                       sig["signed_at"], sig["utc_offset_min"], sig["content_hash"]), sig["mac"])


def signature_entries(session: Session, keyring: AuditKeyring, record_type: str, row: object,
                      names: dict[int, str]) -> tuple[SignatureEntry, ...]:
    """Every signature of a record, oldest first, with the name, time and whether it still holds."""
    sigs = session.execute(select(models.Signature).where(models.Signature.record_type == record_type,
                                                          models.Signature.record_id == row.id)
                           .order_by(models.Signature.id)).scalars()
    return tuple(SignatureEntry(s.meaning, names.get(s.staff_id) or _name(session, s.staff_id), s.signed_at,
                                s.utc_offset_min, status(keyring, s, row)) for s in sigs)


def _name(session: Session, staff_id: int) -> str:
    row = session.get(models.Staff, staff_id)
    if row is None:
        return ""
    return f"{row.full_name}, {row.credentials}" if row.credentials else row.full_name
