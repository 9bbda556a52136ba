"""PatientService against a real SQLite file: registration, edits, weights, screening, consent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from clinic_desktop.domain.access import SignInRequired
from clinic_desktop.domain.enums import MedicationClass, Protocol, Sex, WeightUnit
from clinic_desktop.domain.errors import ConcurrentChange, NotFound, ValidationError, ValidationErrors
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.quantities import KG_PER_LB
from clinic_desktop.domain.records import AllergyEntry, MedicationEntry
from clinic_desktop.domain.screening import QUESTIONS
from clinic_desktop.domain.text import is_valid_mrn

from tests.services.service_support import ALL_NO, set_staff_active

BASIC = PatientInput("Ada", "Lovelace", "1980-05-01", "female")


def _register(services, staff, given="Ada", family="Lovelace", **fields):
    return services.patients.register(staff["nurse"], PatientInput(given, family, "1980-05-01", "female", **fields))


# --- registering -----------------------------------------------------------------------------------

def test_register_returns_chart_with_valid_luhn_mrn(services, staff):
    """A new patient gets an 8-digit MRN whose last digit is its Luhn check digit."""
    chart = _register(services, staff)
    assert len(chart.mrn) == 8 and is_valid_mrn(chart.mrn)
    assert chart.id > 0 and chart.row_version == 1
    assert services.patients.find_by_mrn(staff["nurse"], chart.mrn).id == chart.id


def test_mrns_are_sequential(services, staff):
    """Each registration takes the next patient number, and every MRN is distinct and valid."""
    mrns = [_register(services, staff, given=f"Pat{i}").mrn for i in range(4)]
    bodies = [int(m[:-1]) for m in mrns]
    assert bodies == list(range(bodies[0], bodies[0] + 4))
    assert all(is_valid_mrn(m) for m in mrns) and len(set(mrns)) == 4


@pytest.mark.parametrize("given, family", [
    ("Siobhán", "O'Brien"), ("Zoë", "Brontë"), ("Thị Lan", "Nguyễn"), ("小明", "王"),
    ("<b>x</b>", "<script>alert(1)</script>"), ("Robert'); DROP TABLE patients;--", "Tables"),
])
def test_names_are_stored_verbatim(services, staff, given, family):
    """Unicode, markup and SQL-looking names come back exactly as typed, read in a fresh unit of work."""
    created = _register(services, staff, given=given, family=family)
    chart = services.patients.chart(staff["nurse"], created.id)
    assert (chart.given_names, chart.family_name) == (given, family)
    assert chart.display_name == f"{family}, {given}"
    assert services.patients.count(staff["nurse"]) == 1  # the table is still there


def test_search_finds_names_without_accents_or_apostrophes(services, staff):
    """Staff can type "obrien" or "nguyen" and still find O'Brien and Nguyễn."""
    obrien = _register(services, staff, given="Siobhán", family="O'Brien")
    nguyen = _register(services, staff, given="Lan", family="Nguyễn")
    assert [r.id for r in services.patients.search(staff["nurse"], "obrien").rows] == [obrien.id]
    assert [r.id for r in services.patients.search(staff["nurse"], "nguyen").rows] == [nguyen.id]


def test_invalid_registration_names_every_bad_field_and_saves_nothing(services, staff):
    """All invalid fields are reported together, and no patient row is written."""
    bad = PatientInput("", "Lovelace", "2031-01-01", "robot", phone="call me", email="nope", height="9999")
    with pytest.raises(ValidationErrors) as caught:
        services.patients.register(staff["nurse"], bad)
    fields = {e.field for e in caught.value.errors}
    assert fields == {"given_names", "date_of_birth", "sex", "phone", "email", "height"}
    assert services.patients.count(staff["nurse"]) == 0


def test_unknown_referring_clinician_is_refused_and_nothing_saved(services, staff):
    """A referring clinician id that does not exist is a field error, not a dangling reference."""
    with pytest.raises(ValidationError) as caught:
        services.patients.register(staff["nurse"], replace(BASIC, referring_clinician_id=999))
    assert caught.value.field == "referring_clinician_id"
    assert services.patients.count(staff["nurse"]) == 0


# --- editing ---------------------------------------------------------------------------------------

def test_stale_update_raises_concurrent_change_and_keeps_other_change(services, staff):
    """Two workstations open version 1: the second save is refused and the first one's phone stays."""
    chart = _register(services, staff)
    first = services.patients.update(staff["nurse"], chart.id, replace(BASIC, phone="555 010 2345"), 1)
    assert first.row_version == 2
    with pytest.raises(ConcurrentChange):
        services.patients.update(staff["nurse2"], chart.id, replace(BASIC, email="ada@example.org"), 1)
    again = services.patients.chart(staff["nurse"], chart.id)
    assert (again.phone, again.email, again.row_version) == ("555 010 2345", "", 2)


def test_stale_update_cannot_silently_drop_an_added_allergy(services, staff):
    """An allergy saved on one workstation is not lost when another saves an older copy of the form."""
    chart = _register(services, staff)
    with_allergy = replace(BASIC, allergies=(AllergyEntry("Penicillin", "rash"),))
    services.patients.update(staff["nurse"], chart.id, with_allergy, 1)
    with pytest.raises(ConcurrentChange):
        services.patients.update(staff["nurse2"], chart.id, replace(BASIC, phone="555 010 2345"), 1)
    assert services.patients.chart(staff["nurse"], chart.id).allergies == (AllergyEntry("Penicillin", "rash"),)


def test_update_replaces_medications_and_names(services, staff):
    """An edit stores the new medication list and keeps the version moving."""
    chart = _register(services, staff)
    meds = (MedicationEntry("Lorazepam", MedicationClass.BENZODIAZEPINE, "1 mg"),)
    updated = services.patients.update(staff["nurse"], chart.id, replace(BASIC, given_names="Augusta Ada",
                                                                         medications=meds), 1)
    reread = services.patients.chart(staff["nurse"], chart.id)
    assert reread.given_names == "Augusta Ada" and reread.medications == meds
    assert reread.row_version == updated.row_version == 2


# --- weights ---------------------------------------------------------------------------------------

def test_weight_in_pounds_is_stored_as_exact_kg_with_unit(services, staff):
    """150.5 lb is kept as exactly 150.5 x 0.45359237 kg, and the chart remembers it was entered in lb."""
    chart = _register(services, staff)
    services.patients.record_weight(staff["nurse"], chart.id, "150.5", "lb")
    weight = services.patients.chart(staff["nurse"], chart.id).latest_weight
    assert weight.weight_kg == Decimal("150.5") * KG_PER_LB == Decimal("68.265651685")
    assert weight.entered_unit is WeightUnit.LB
    assert weight.measured_on == services.context.today()


def test_weight_dated_in_the_future_is_refused(services, staff):
    """A weight dated tomorrow (clinic-local) is refused and not stored."""
    chart = _register(services, staff)
    tomorrow = services.context.today() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.patients.record_weight(staff["nurse"], chart.id, "80", "kg", measured_on=tomorrow)
    assert caught.value.field == "measured_on"
    assert services.patients.chart(staff["nurse"], chart.id).latest_weight is None


def test_weight_in_unknown_unit_is_a_validation_error(services, staff):
    """A unit other than kg or lb is a field error the form can show, not a crash."""
    chart = _register(services, staff)
    with pytest.raises(ValidationError) as caught:
        services.patients.record_weight(staff["nurse"], chart.id, "12", "stone")
    assert caught.value.field == "weight"


def test_implausible_weight_is_refused(services, staff):
    """800 kg is a typo: refused with the weight field named."""
    chart = _register(services, staff)
    with pytest.raises(ValidationError) as caught:
        services.patients.record_weight(staff["nurse"], chart.id, "800", "kg")
    assert caught.value.field == "weight"


# --- screening and consent ---------------------------------------------------------------------------

def test_screening_stores_every_question(services, staff):
    """Unanswered questions are stored as "unknown", so the record shows what was not asked."""
    chart = _register(services, staff)
    summary = services.patients.record_screening(staff["nurse"], chart.id, {"hypersensitivity": "no",
                                                                             "stroke": "yes"})
    assert set(summary.answers) == {q.key for q in QUESTIONS}
    assert summary.answers["stroke"] == "yes" and summary.answers["hypersensitivity"] == "no"
    assert summary.answers["pregnant"] == "unknown"
    assert summary.recorded_by == "Dana Whitlock, RN"


def test_screening_flags_follow_the_current_protocol(clinic, services, staff):
    """An aneurysm needs an override for IV ketamine but is a hard stop once the plan is esketamine."""
    p = clinic.patient(screening=dict(ALL_NO, aneurysm_avm="yes"))
    grades = {f.code: f.grade for f in p.screening.findings}
    assert p.screening.protocol is Protocol.IV_INDUCTION and grades == {"screen_aneurysm_avm": Grade.OVERRIDE}
    clinic.plan(p.id, Protocol.ESKETAMINE, sessions=8, weekdays=(0, 3), target="56")
    chart = services.patients.chart(staff["nurse"], p.id)
    assert chart.screening.protocol is Protocol.ESKETAMINE
    assert {f.code: f.grade for f in chart.screening.findings} == {"screen_aneurysm_avm": Grade.REFUSED}


def test_screening_with_unknown_question_is_refused(services, staff):
    """A misspelt question key is refused rather than silently dropped."""
    chart = _register(services, staff)
    with pytest.raises(ValidationError):
        services.patients.record_screening(staff["nurse"], chart.id, {"hypersensitivty": "no"})
    assert services.patients.chart(staff["nurse"], chart.id).screening is None


def test_consent_is_recorded_on_the_chart(services, staff, clock):
    """A signed consent appears on the chart with its protocol, template version and time."""
    chart = _register(services, staff)
    entry = services.patients.record_consent(staff["nurse"], chart.id, Protocol.IV_INDUCTION, "2026.1",
                                             witness_id=staff["nurse2"].id)
    consents = services.patients.chart(staff["nurse"], chart.id).consents
    assert consents == (entry,)
    assert (entry.protocol, entry.template_version, entry.signed_at, entry.withdrawn_at) == (
        Protocol.IV_INDUCTION, "2026.1", clock.now(), None)


def test_consent_signed_in_the_future_is_refused(services, staff, clock):
    """A consent cannot carry tomorrow's signature time."""
    chart = _register(services, staff)
    with pytest.raises(ValidationError) as caught:
        services.patients.record_consent(staff["nurse"], chart.id, Protocol.IV_INDUCTION, "2026.1",
                                         signed_at=clock.now() + timedelta(days=1))
    assert caught.value.field == "signed_at"
    assert services.patients.chart(staff["nurse"], chart.id).consents == ()


# --- who and what ----------------------------------------------------------------------------------

def test_inactive_staff_cannot_record_anything(services, staff, db):
    """A deactivated account is refused for every kind of patient record, and nothing is written."""
    chart = _register(services, staff)
    set_staff_active(db, staff["nurse2"].id, False)
    gone = staff["nurse2"]
    attempts = [
        lambda: services.patients.register(gone, BASIC),
        lambda: services.patients.update(gone, chart.id, replace(BASIC, phone="555 010 2345"), 1),
        lambda: services.patients.record_weight(gone, chart.id, "80", "kg"),
        lambda: services.patients.record_screening(gone, chart.id, ALL_NO),
        lambda: services.patients.record_consent(gone, chart.id, Protocol.IV_INDUCTION, "2026.1"),
    ]
    for attempt in attempts:
        with pytest.raises(SignInRequired):  # the sign-in no longer matches an active account
            attempt()
    after = services.patients.chart(staff["nurse"], chart.id)
    assert services.patients.count(staff["nurse"]) == 1
    assert (after.phone, after.latest_weight, after.screening, after.consents) == ("", None, None, ())


@pytest.mark.parametrize("call", [
    lambda s, st: s.patients.chart(st["nurse"], 999),
    lambda s, st: s.patients.find_by_mrn(st["nurse"], "10000999"),
    lambda s, st: s.patients.update(st["nurse"], 999, BASIC, 1),
    lambda s, st: s.patients.record_weight(st["nurse"], 999, "80", "kg"),
    lambda s, st: s.patients.record_screening(st["nurse"], 999, ALL_NO),
    lambda s, st: s.patients.record_consent(st["nurse"], 999, Protocol.IV_INDUCTION, "2026.1"),
])
def test_unknown_patient_is_not_found(services, staff, call):
    """Every patient action names the missing patient instead of failing obscurely."""
    with pytest.raises(NotFound):
        call(services, staff)


def test_chart_shows_age_and_bmi(clinic, services):
    """The chart computes BMI from the latest weight and height, and the age on a given day."""
    p = clinic.patient(weight="80")
    assert p.sex is Sex.FEMALE and p.height_cm == Decimal("165")
    assert p.bmi == Decimal("29.4")
    assert p.age_on(services.context.today()) == 45
