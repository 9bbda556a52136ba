"""A patient's fields are listed once (domain.patients.PATIENT_FIELDS): the model, saving, the audit and the
chart all follow that list."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal

from clinic_desktop.domain.patients import PATIENT_FIELDS, PatientInput, input_name
from clinic_desktop.domain.records import PatientChart
from clinic_desktop.services.audit import AuditFilter
from clinic_desktop.storage import models
from clinic_desktop.storage.audit_chain import plain_value

from tests.patient_support import BASIC, EDITS, every_field_edited

#: Columns of the patients table that nobody types: the program keeps them (numbering, search keys, the
#: version for concurrent edits, REMS enrollment through its own action). A new column goes here or in
#: PATIENT_FIELDS, never nowhere.
KEPT_BY_THE_PROGRAM = {"id", "mrn", "given_key", "family_key", "rems_enrolled_on", "row_version", "created_at",
                       "row_mac"}  # the row's seal, set by storage at every write


def test_every_patient_column_is_a_listed_field_or_kept_by_the_program():
    """Adding a column to models.Patient without listing it (or listing a name the model lacks) fails here."""
    columns = set(models.Patient.__table__.columns.keys())
    assert set(PATIENT_FIELDS) | KEPT_BY_THE_PROGRAM == columns
    assert not set(PATIENT_FIELDS) & KEPT_BY_THE_PROGRAM
    assert len(set(PATIENT_FIELDS)) == len(PATIENT_FIELDS)


def test_every_listed_field_is_typed_in_the_input_and_shown_on_the_chart():
    """PatientInput carries each field (height under its typed name) and the chart record shows each one."""
    typed = {f.name for f in fields(PatientInput)}
    assert {input_name(name) for name in PATIENT_FIELDS} <= typed
    shown = {f.name for f in fields(PatientChart)}
    # The chart shows the referring clinician as a record, not as a bare id.
    assert set(PATIENT_FIELDS) - {"referring_clinician_id"} <= shown and "referring_clinician" in shown


def test_a_change_to_every_field_is_saved_and_audited(services, staff):
    """One edit of every listed field: the row holds each new value and the audit entry has each old/new pair."""
    assert set(EDITS) == set(PATIENT_FIELDS), "give every listed field a new value in EDITS"
    nurse = staff["nurse"]
    created = services.patients.register(nurse, BASIC)
    clinician = services.patients.add_referring_clinician(staff["physician"], "Dr. Mary Somerville")
    edited = every_field_edited(clinician.id)
    chart = services.patients.update(nurse, created.id, edited, expected_version=created.row_version)

    expected = edited.validated(date(2026, 1, 1)).stored_values()
    assert expected["height_cm"] == Decimal("172.5")
    saved = {name: getattr(chart, name) for name in PATIENT_FIELDS if name != "referring_clinician_id"}
    assert saved | {"referring_clinician_id": chart.referring_clinician.id} == expected

    entry = next(e for e in services.audit.entries(staff["admin"], AuditFilter(patient_id=created.id)).rows
                 if e.action == "update" and e.object_type == "patient")
    before = BASIC.validated(date(2026, 1, 1)).stored_values()
    assert {name: entry.details[name] for name in PATIENT_FIELDS} == {
        name: {"old": plain_value(before[name]), "new": plain_value(expected[name])} for name in PATIENT_FIELDS}
