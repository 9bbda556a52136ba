"""Registering a patient: names kept as typed, every field checked, all errors reported at once."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from clinic_desktop.domain.enums import MedicationClass, Sex, WeightUnit
from clinic_desktop.domain.errors import ValidationError, ValidationErrors
from clinic_desktop.domain.patients import (
    PatientInput,
    checked_birth_date,
    checked_height_cm,
    checked_weight_kg,
)
from clinic_desktop.domain.quantities import kg_to_lb
from clinic_desktop.domain.records import AllergyEntry, DiagnosisEntry, MedicationEntry

D = Decimal
TODAY = date(2026, 3, 2)


def patient(**changes) -> PatientInput:
    base = PatientInput(given_names="Ana", family_name="Silva", date_of_birth="1980-05-17", sex="female")
    return dataclasses.replace(base, **changes)


def errors_of(p: PatientInput) -> ValidationErrors:
    with pytest.raises(ValidationErrors) as err:
        p.validated(TODAY)
    return err.value


# -- names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("given_names, family", [
    ("Siobhán", "O'Brien"), ("Zoë", "Müller"), ("Văn An", "Nguyễn"), ("小明", "王"),
    ("محمد", "عبد الله"), ("Jess 🌈", "Ng"), ("Jean-Luc", "D'Arcy-Łukasiewicz"), ("Ólafur", "Þórðarson"),
])
def test_unicode_names_are_kept_exactly(given_names, family):
    """Names in any script (including right-to-left Arabic and emoji) come back exactly as typed."""
    clean = patient(given_names=given_names, family_name=family).validated(TODAY)
    assert (clean.given_names, clean.family_name) == (given_names, family)


def test_names_are_trimmed_and_composed():
    """Surrounding spaces go and a decomposed "ë" is stored composed, so searches and sorting agree."""
    clean = patient(given_names="  Zoe\u0308 ", family_name="Nguye\u0302\u0303n").validated(TODAY)
    assert clean.given_names == "Zoë"
    assert clean.family_name == "Nguyễn"


def test_name_length_limit_is_120():
    """A 120-character family name is accepted, 121 is refused."""
    assert patient(family_name="x" * 120).validated(TODAY).family_name == "x" * 120
    assert errors_of(patient(family_name="x" * 121)).for_field("family_name")


@pytest.mark.parametrize("field", ["given_names", "family_name"])
def test_names_are_required(field):
    """Given and family names cannot be blank."""
    assert "required" in errors_of(patient(**{field: "   "})).for_field(field)


def test_line_break_in_name_is_refused_but_allowed_in_address():
    """A pasted line break is refused in a name but is how addresses are written."""
    assert errors_of(patient(given_names="Ana\nMaria")).for_field("given_names")
    assert patient(address="12 Main St\nSpringfield").validated(TODAY).address == "12 Main St\nSpringfield"


# -- date of birth -------------------------------------------------------------------------------------


@pytest.mark.parametrize("dob", ["1980-05-17", date(1980, 5, 17), " 1980-05-17 "])
def test_date_of_birth_from_text_or_date(dob):
    """An ISO date string (even with spaces) or a date becomes a date."""
    assert patient(date_of_birth=dob).validated(TODAY).date_of_birth == date(1980, 5, 17)


@pytest.mark.parametrize("dob, words", [
    ("2026-03-03", "future"), (date(2027, 1, 1), "future"), ("2023-02-30", "real date"), ("1980-13-01", "real date"),
    ("17/05/1980", "real date"), ("", "real date"), ("1899-12-31", "1900"), (date(1850, 1, 1), "1900"),
])
def test_implausible_birth_dates_are_refused(dob, words):
    """Future dates, impossible dates such as 30 February, other formats and years before 1900 are refused."""
    message = errors_of(patient(date_of_birth=dob)).for_field("date_of_birth")
    assert message and words in message


def test_birth_date_limits_are_inclusive():
    """Born today and born 1 January 1900 are both accepted."""
    assert checked_birth_date(TODAY, TODAY) == TODAY
    assert checked_birth_date("1900-01-01", TODAY) == date(1900, 1, 1)


def test_leap_day_birth_is_a_real_date():
    """29 February 2000 exists; 29 February 2001 does not."""
    assert checked_birth_date("2000-02-29", TODAY) == date(2000, 2, 29)
    with pytest.raises(ValidationError):
        checked_birth_date("2001-02-29", TODAY)


# -- several errors at once ----------------------------------------------------------------------------


def test_every_bad_field_is_reported_together():
    """A form with five mistakes gets five messages, one per field, in a single pass."""
    bad = patient(given_names="", date_of_birth="2030-01-01", sex="unknown", phone="12", email="ana@",
                  emergency_contact_phone="CALL ME")
    err = errors_of(bad)
    assert [e.field for e in err.errors] == ["given_names", "date_of_birth", "sex", "phone", "email",
                                             "emergency_contact_phone"]
    assert err.for_field("family_name") is None
    assert err.for_field("sex") == "Sex must be female, male or other."


def test_valid_input_returns_clean_types():
    """validated() gives a Sex, a date and NFC text, and leaves the input object unchanged."""
    raw = patient(sex="male", phone=" (555) 010-2345 ", email=" ana@example.org ")
    clean = raw.validated(TODAY)
    assert clean.sex is Sex.MALE and clean.date_of_birth == date(1980, 5, 17)
    assert clean.phone == "(555) 010-2345" and clean.email == "ana@example.org"
    assert raw.sex == "male" and raw.date_of_birth == "1980-05-17"


# -- height --------------------------------------------------------------------------------------------


def test_height_in_inches_is_converted_exactly():
    """67 in is exactly 170.18 cm; the stored unit is always cm."""
    clean = patient(height="67", height_unit="in").validated(TODAY)
    assert clean.height == D("170.18") and clean.height_unit == "cm"


@given(st.decimals(min_value=D("39.371"), max_value=D("98.425"), places=3))
def test_any_inches_in_range_convert_exactly(inches):
    """Every height typed in inches with 3 decimals becomes exactly inches x 2.54 cm."""
    assert checked_height_cm(str(inches), "in") == inches * D("2.54")


@pytest.mark.parametrize("value, unit, expected", [("100", "cm", D("100")), ("250", "cm", D("250")),
                                                   ("", "cm", None), (None, "in", None), ("172.5", "cm", D("172.5"))])
def test_height_limits_and_blank(value, unit, expected):
    """100 and 250 cm are the inclusive limits; a blank height is simply not recorded."""
    assert checked_height_cm(value, unit) == expected


@pytest.mark.parametrize("value, unit", [("99.9", "cm"), ("250.1", "cm"), ("39", "in"), ("99", "in"),
                                         ("170", "ft"), ("tall", "cm"), ("NaN", "cm")])
def test_bad_heights_are_refused_on_the_height_field(value, unit):
    """Out-of-range heights, unknown units and non-numbers are refused on the height field."""
    assert errors_of(patient(height=value, height_unit=unit)).for_field("height")


# -- weight --------------------------------------------------------------------------------------------


def test_weight_in_pounds_is_exact():
    """150 lb is exactly 68.0388555 kg and shows back as 150 lb."""
    kg = checked_weight_kg("150", WeightUnit.LB)
    assert kg == D("68.0388555")
    assert str(kg_to_lb(kg)) == "150"


@given(st.decimals(min_value=D("44.1"), max_value=D("771.6"), places=1))
def test_any_plausible_pound_weight_round_trips(pounds):
    """Every weight typed in lb to 0.1 converts to kg and back to the same pounds."""
    assert kg_to_lb(checked_weight_kg(pounds, "lb")) == pounds


@pytest.mark.parametrize("value, unit", [("20", "kg"), ("350", "kg"), ("44.1", "lb"), ("771.6", "lb")])
def test_weight_limits_are_inclusive(value, unit):
    """20-350 kg (about 44-772 lb) are accepted at both ends."""
    kg = checked_weight_kg(value, unit)
    assert D("20") <= kg <= D("350")


@pytest.mark.parametrize("value, unit", [("19.9", "kg"), ("350.1", "kg"), ("44", "lb"), ("772", "lb"),
                                         ("0", "kg"), ("-70", "kg"), ("heavy", "kg"), ("inf", "lb")])
def test_implausible_weights_are_refused(value, unit):
    """Out-of-range or non-numeric weights are refused on the weight field; the message echoes the unit typed."""
    with pytest.raises(ValidationError) as err:
        checked_weight_kg(value, unit)
    assert err.value.field == "weight"


def test_weight_message_shows_what_was_typed():
    """A typo in pounds is reported in pounds, so the nurse recognises it."""
    with pytest.raises(ValidationError) as err:
        checked_weight_kg("7720", "lb")
    assert "7720 lb was entered" in err.value.message


@pytest.mark.parametrize("unit", ["st", "", "KG", None])
def test_unknown_weight_unit_is_a_validation_error(unit):
    """An unknown unit is a message on the weight field, not a crash."""
    with pytest.raises(ValidationError) as err:
        checked_weight_kg("70", unit)
    assert err.value.field == "weight"


# -- lists ---------------------------------------------------------------------------------------------


def test_lists_are_cleaned():
    """Diagnoses, allergies and medications are trimmed and the medication class becomes the enum."""
    clean = patient(diagnoses=(DiagnosisEntry(" Major depressive disorder ", "F33.2", True),),
                    allergies=(AllergyEntry("Penicillin ", " rash"),),
                    medications=(MedicationEntry("Sertraline", "other", "100 mg", True),)).validated(TODAY)
    assert clean.diagnoses == (DiagnosisEntry("Major depressive disorder", "F33.2", True),)
    assert clean.allergies == (AllergyEntry("Penicillin", "rash"),)
    assert clean.medications[0].drug_class is MedicationClass.OTHER


@pytest.mark.parametrize("changes, field", [
    ({"diagnoses": (DiagnosisEntry(""),)}, "diagnoses"),
    ({"diagnoses": (DiagnosisEntry("MDD", "F33.2" * 4),)}, "diagnoses"),
    ({"allergies": (AllergyEntry("  "),)}, "allergies"),
    ({"medications": (MedicationEntry("Xyz", "vitamins"),)}, "medications"),
    ({"medications": (MedicationEntry("", MedicationClass.OPIOID),)}, "medications"),
])
def test_bad_list_entries_are_refused(changes, field):
    """A blank or over-long entry, or an unknown medication class, is reported on its list."""
    assert errors_of(patient(**changes)).for_field(field)
