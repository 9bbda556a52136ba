"""Wherever a person's name is taken, one made only of invisible characters is refused like an empty one, beside
its field, and nothing is saved."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import ValidationError, ValidationErrors
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.registry import Services
from clinic_desktop.storage import models

from tests.conftest import PASSWORD, ZONE

#: Looks empty everywhere: zero-width spaces around a lone combining accent, and a word joiner.
BLANK = "\u200b\u0301\u200b\u2060"
ADA = PatientInput(given_names="Ada", family_name="Lovelace", date_of_birth="1980-05-01", sex="female",
                   height="165")


def _message_for(field: str, call) -> str:
    with pytest.raises((ValidationError, ValidationErrors)) as err:
        call()
    if isinstance(err.value, ValidationErrors):
        message = err.value.for_field(field)
        assert message, f"no error beside {field}: {err.value}"
        return message
    assert err.value.field == field
    return err.value.message


def _count(db, model) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("field, required", [
    ("given_names", True), ("family_name", True), ("preferred_name", False), ("emergency_contact_name", False),
    ("escort_name", False)])
def test_a_patients_blank_name_is_refused_on_registering_and_editing(services, staff, db, field, required):
    nurse = staff["nurse"]
    message = _message_for(field, lambda: services.patients.register(nurse, replace(ADA, **{field: BLANK})))
    assert message.endswith("is required.") if required else "shows no letters" in message
    assert _count(db, models.Patient) == 0
    chart = services.patients.register(nurse, ADA)
    _message_for(field, lambda: services.patients.update(nurse, chart.id, replace(ADA, **{field: BLANK}),
                                                         chart.row_version))
    assert services.patients.chart(nurse, chart.id) == chart


def test_a_blank_escort_at_check_in_is_refused(clinic, services, staff):
    p = clinic.patient()
    sid = clinic.plan(p.id).sessions[0].id
    assert "shows no letters" in _message_for("escort_name", lambda: services.sessions.check_in(
        staff["front_desk"], sid, escort_name=BLANK, escort_confirmed=True))
    assert services.sessions.detail(staff["nurse"], sid).checked_in_at is None


def test_staff_names_of_invisible_characters_are_refused(services, staff, db):
    before = _count(db, models.Staff)
    assert _message_for("full_name", lambda: services.auth.add_user(
        staff["admin"], "blank", BLANK, "nurse", "a perfectly fine passphrase")) == "Full name is required."
    assert _message_for("full_name", lambda: services.staff.add(staff["admin"], BLANK, "physician")) \
        == "Name is required."
    assert _count(db, models.Staff) == before


def test_a_blank_referring_clinician_is_refused(services, staff, db):
    assert _message_for("full_name", lambda: services.patients.add_referring_clinician(staff["nurse"], BLANK)) \
        == "Clinician name is required."
    assert _count(db, models.ReferringClinician) == 0


def test_a_blank_consent_signer_is_refused(clinic, services, staff, db):
    """A representative signing needs a name that shows; an invisible one is not replaced by the patient's."""
    p = clinic.patient(consent=None)
    assert _message_for("signer_name", lambda: services.patients.record_consent(
        staff["nurse"], p.id, Protocol.IV_INDUCTION, "2026.1", signer_name=BLANK,
        signer_relation="Legal guardian")) == "Signed by is required."
    assert _message_for("signer_name", lambda: services.patients.record_consent(
        staff["nurse"], p.id, Protocol.IV_INDUCTION, "2026.1", signer_name=BLANK)).startswith("Signed by shows no")
    assert _count(db, models.ConsentRecord) == 0


def test_the_first_administrators_blank_name_is_refused(db, clock, passwords):
    """At the first start (no staff yet), the administrator's name must show too."""
    assert _count(db, models.Staff) == 0
    empty = Services.build(db, clock, ZONE, passwords)
    assert _message_for("full_name", lambda: empty.auth.create_first_admin("first", BLANK, PASSWORD)) \
        == "Full name is required."
    assert _count(db, models.Staff) == 0
