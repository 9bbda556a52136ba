"""What an audit entry records about a change: snapshots of records and their old/new differences."""

from __future__ import annotations

from typing import Any

from clinic_desktop.domain.patients import PATIENT_FIELDS
from clinic_desktop.storage import models
from clinic_desktop.storage.audit_chain import plain_value


def patient_snapshot(row: models.Patient) -> dict[str, Any]:
    """Everything a person edits on a patient (PATIENT_FIELDS and the three lists), as the audit records it."""
    snap = {name: plain_value(getattr(row, name)) for name in PATIENT_FIELDS}
    snap["diagnoses"] = [[d.description, d.code, d.is_primary] for d in row.diagnoses]
    snap["allergies"] = [[a.substance, a.reaction] for a in row.allergies]
    snap["medications"] = [[m.name, m.dose, m.drug_class.value, m.active] for m in row.medications]
    return snap


def snapshot(row: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain_value(getattr(row, name)) for name in fields}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"old": ..., "new": ...}} for every field whose value changed."""
    return {k: {"old": before.get(k), "new": after.get(k)} for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k)}
