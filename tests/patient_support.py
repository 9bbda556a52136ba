"""A patient with every field (domain.patients.PATIENT_FIELDS) filled in, for the tests that follow that list."""

from __future__ import annotations

from dataclasses import replace

from clinic_desktop.domain.patients import PatientInput, input_name

BASIC = PatientInput("Ada", "Lovelace", "1980-05-01", "female")
#: A new value for every listed field, as the form sends it (the clinician's id exists only at run time).
EDITS = {
    "given_names": "Augusta Ada", "family_name": "King", "preferred_name": "Addie", "date_of_birth": "1981-06-02",
    "sex": "other", "phone": "(555) 010-2345", "email": "ada@example.org", "address": "12 Quay Street\nFairview",
    "emergency_contact_name": "Anne Isabella", "emergency_contact_phone": "(555) 010-3456",
    "emergency_contact_relation": "mother", "escort_name": "William King", "escort_phone": "(555) 010-4567",
    "referring_clinician_id": None, "height_cm": "172.5",
}


def every_field_edited(clinician_id: int) -> PatientInput:
    """BASIC with every listed field changed, the referring clinician being `clinician_id`."""
    edits = EDITS | {"referring_clinician_id": clinician_id}
    return replace(BASIC, **{input_name(name): value for name, value in edits.items()})
