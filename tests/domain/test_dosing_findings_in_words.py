"""Each dose finding in the words the physician reads, at a clinic's own (non-default) limits, and the refusals of
input that makes no sense (reference 1.3, 1.4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.dosing import DoseOrderInput, calculate_dose, check_device_interval, frequency_findings
from clinic_desktop.domain.enums import Protocol, WeightBasis
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Grade

D = Decimal
TODAY = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)
#: A clinic that set every dosing limit away from its default.
OWN = replace(ClinicSettings(), weight_max_age_days=14, iv_low_mg_per_kg=D("0.2"), iv_override_above_mg_per_kg=D("0.6"),
              iv_refuse_above_mg_per_kg=D("0.9"), iv_max_rate_mg_per_kg_h=D("0.8"), iv_min_duration_min=50,
              bolus_override_above_mg_per_kg=D("0.4"), bolus_refuse_above_mg_per_kg=D("0.8"),
              weight_basis_policy="ideal_if_obese", obesity_bmi=D("35"), max_sessions_per_7_days=2,
              min_hours_between_doses=48, esketamine_device_interval_min=10)


def iv(**changes) -> DoseOrderInput:
    """80 kg, 0.5 mg/kg, 50 mg/mL into 100 mL over 60 min (0.5 mg/kg/h), weighed today, BMI 24.7."""
    return replace(DoseOrderInput(protocol=Protocol.IV_INDUCTION, weight_kg=D("80"), weight_basis=WeightBasis.ACTUAL,
                                  weight_measured_on=TODAY, today=TODAY, bmi=D("24.7"), mg_per_kg=D("0.5"),
                                  vial_mg_per_ml=D("50"), diluent_ml=D("100"), duration_min=D("60"), dose_time=NOW),
                   **changes)


def im(**changes) -> DoseOrderInput:
    return replace(iv(protocol=Protocol.IM, diluent_ml=D("0"), duration_min=None), **changes)


def esk(dose, first: bool = False) -> DoseOrderInput:
    return DoseOrderInput(protocol=Protocol.ESKETAMINE, dose_mg=dose, is_first_esketamine_dose=first, today=TODAY,
                          dose_time=NOW)


def said(order: DoseOrderInput, settings: ClinicSettings = OWN) -> list[tuple[str, Grade, str]]:
    return [(f.code, f.grade, f.message) for f in calculate_dose(order, settings).findings]


def refusal(order: DoseOrderInput, settings: ClinicSettings = OWN) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        calculate_dose(order, settings)
    return caught.value.message, caught.value.field


def test_an_order_within_the_clinic_limits_has_no_findings():
    calc = calculate_dose(iv(), OWN)
    assert calc.findings == () and calc.grade is Grade.OK
    assert not calc.refused and not calc.needs_override and calc.finding("iv_above_limit") is None


# ------------------------------------------------------------------------------------------- weight

def test_a_missing_weight_is_refused_in_words():
    assert said(iv(weight_kg=None)) == [("weight_missing", Grade.REFUSED,
                                         "No weight is recorded: weigh the patient before a dose can be calculated.")]


def test_a_weight_without_its_date_is_refused_naming_the_clinic_window():
    assert said(iv(weight_measured_on=None)) == [(
        "weight_stale", Grade.REFUSED, "The date of the weight is not recorded: weigh the patient (weight must be "
                                       "measured within 14 days).")]


def test_a_weight_older_than_the_clinic_window_is_refused_and_one_at_the_window_is_not():
    assert said(iv(weight_measured_on=TODAY - timedelta(days=14))) == []
    assert said(iv(weight_measured_on=TODAY - timedelta(days=15))) == [(
        "weight_stale", Grade.REFUSED, "The weight was measured 15 days ago (2025-02-23); it must be measured within "
                                       "14 days. Weigh the patient again.")]
    # A date and time of weighing counts by its date.
    assert said(iv(weight_measured_on=datetime(2025, 2, 24, 18, 0))) == []


def test_a_weight_dated_after_today_is_refused_beside_its_field():
    assert refusal(iv(weight_measured_on=TODAY + timedelta(days=1))) == (
        "The date weighed (2025-03-11) cannot be after today.", "weight_measured_on")


def test_the_obesity_policy_asks_for_ideal_weight_from_the_clinic_bmi():
    """Reference 1.2 [S2]: dosing on ideal body weight is suggested when BMI is high; the clinic sets the BMI."""
    assert said(iv(bmi=D("34.9"))) == []
    assert said(iv(bmi=D("35"))) == [(
        "weight_basis_policy", Grade.WARN, "This dose uses actual body weight but the clinic policy: ideal body weight "
                                           "when BMI is 35 or more, otherwise actual body weight; BMI is 35. Check "
                                           "the weight used.")]
    assert said(iv(bmi=D("35"), weight_basis=WeightBasis.IDEAL)) == []
    assert said(iv(bmi=D("30"), weight_basis=WeightBasis.IDEAL))[0][2] == (
        "This dose uses ideal body weight (Devine) but the clinic policy: ideal body weight when BMI is 35 or more, "
        "otherwise actual body weight; BMI is 30. Check the weight used.")


def test_the_obesity_policy_without_a_bmi_warns_only_for_an_actual_weight_dose():
    assert said(iv(bmi=None)) == [(
        "weight_basis_policy", Grade.WARN, "BMI is not recorded, so the clinic policy (ideal body weight when BMI is "
                                           "35 or more) cannot be checked for this actual-weight dose.")]
    assert said(iv(bmi=None, weight_basis=WeightBasis.IDEAL)) == []


def test_the_actual_weight_policy_warns_on_any_other_basis():
    actual = replace(OWN, weight_basis_policy="actual")
    assert said(iv(weight_basis=WeightBasis.IDEAL, bmi=D("40")), actual) == [(
        "weight_basis_policy", Grade.WARN, "This dose uses ideal body weight (Devine) but the clinic policy: actual "
                                           "body weight. Check the weight used.")]
    assert said(iv(bmi=D("40")), actual) == []


# ---------------------------------------------------------------------------------------------- IV

def test_iv_dose_limits_follow_the_clinic_settings_in_words():
    assert said(iv(mg_per_kg=D("0.19"))) == [(
        "iv_below_studied_range", Grade.WARN, "0.19 mg/kg is below the studied IV range (from 0.2 mg/kg).")]
    assert said(iv(mg_per_kg=D("0.2"))) == []
    assert said(iv(mg_per_kg=D("0.6"))) == []
    assert said(iv(mg_per_kg=D("0.61"), duration_min=D("100"))) == [(
        "iv_above_usual_range", Grade.OVERRIDE, "0.61 mg/kg IV is above the usual maximum of 0.6 mg/kg: a physician "
                                                "must approve it and give a reason.")]
    assert said(iv(mg_per_kg=D("0.9"), duration_min=D("100")))[0][0] == "iv_above_usual_range"
    assert said(iv(mg_per_kg=D("0.91"), duration_min=D("100"))) == [(
        "iv_above_limit", Grade.REFUSED, "0.91 mg/kg IV is above the limit of 0.9 mg/kg (anesthetic-induction "
                                         "range). This dose cannot be given.")]


def test_iv_rate_ceiling_follows_the_clinic_setting_in_words():
    """0.5 mg/kg over 37.5 min is 0.8 mg/kg/h (the ceiling itself passes); over 36 min it is 0.833."""
    at_ceiling = replace(OWN, iv_min_duration_min=30)
    assert said(iv(duration_min=D("37.5")), at_ceiling) == []
    assert said(iv(duration_min=D("36")), at_ceiling) == [(
        "iv_rate_above_limit", Grade.OVERRIDE, "The infusion rate is 0.833 mg/kg/h, above the low-dose ceiling of "
                                               "0.8 mg/kg/h: infuse over longer or get a physician override.")]


def test_iv_minimum_duration_follows_the_clinic_setting_in_words():
    assert said(iv(duration_min=D("50"))) == []
    assert said(iv(duration_min=D("49"), mg_per_kg=D("0.3"))) == [(
        "iv_short_duration", Grade.OVERRIDE, "An infusion over 49 min is shorter than the usual 50 min: a physician "
                                             "must approve it.")]


def test_the_100_mg_per_ml_vial_needs_an_equal_volume_of_diluent_in_words():
    """Reference 1.3 [S20c]: 40 mg from 100 mg/mL is 0.4 mL, so at least 0.4 mL of diluent."""
    assert said(iv(vial_mg_per_ml=D("100"), diluent_ml=D("0.4"))) == []
    assert said(iv(vial_mg_per_ml=D("100"), diluent_ml=D("0.39"))) == [(
        "undiluted_100_mg_ml", Grade.REFUSED, "The 100 mg/mL vial must not be given IV undiluted: dilute it with at "
                                              "least an equal volume (diluent entered: 0.39 mL), or use 10 or 50 mg/mL.")]
    assert said(iv(vial_mg_per_ml=D("100"), diluent_ml=D("0"), weight_kg=None))[-1][0] == "undiluted_100_mg_ml"


def test_the_pump_numbers_of_the_reference_example_over_an_hour():
    """Reference 1.3 formulas: 40 mg, 0.8 mL, 100.8 mL, 0.40 mg/mL; over 60 min 100.8 mL/h and 0.5 mg/kg/h."""
    calc = calculate_dose(iv(), OWN)
    assert (calc.dose_mg, calc.drug_volume_ml, calc.total_volume_ml) == (D("40.0"), D("0.80"), D("100.8"))
    assert calc.final_concentration_mg_per_ml == D("0.397")
    assert (calc.pump_rate_ml_per_h, calc.dose_rate_mg_per_kg_per_h, calc.dose_rate_mg_per_min) == \
        (D("100.8"), D("0.50"), D("0.7"))
    assert calc.esketamine_devices is None


# -------------------------------------------------------------------------------------------- IM

def test_im_bolus_limits_follow_the_clinic_settings_in_words():
    assert said(im(mg_per_kg=D("0.4"))) == []
    assert said(im(mg_per_kg=D("0.41"))) == [(
        "bolus_above_usual", Grade.OVERRIDE, "0.41 mg/kg IM is above the low-dose bolus ceiling of 0.4 mg/kg: a "
                                             "physician must approve it and give a reason.")]
    assert said(im(mg_per_kg=D("0.8")))[0][0] == "bolus_above_usual"
    assert said(im(mg_per_kg=D("0.81"))) == [(
        "bolus_above_limit", Grade.REFUSED, "0.81 mg/kg IM is above the limit of 0.8 mg/kg. This dose cannot be given.")]


# ------------------------------------------------------------------------------------------- esketamine

def test_esketamine_doses_and_first_dose_in_words():
    """Reference 1.1 [S13][S18]: only 56 or 84 mg, the first dose 56 mg, 28 mg per device."""
    assert said(esk(D("70"))) == [("esketamine_dose_not_allowed", Grade.REFUSED, "Esketamine 70 mg is not an "
                                   "approved dose: only 56 mg (2 devices) or 84 mg (3 devices).")]
    assert said(esk(D("84"), first=True)) == [("esketamine_first_dose_56", Grade.REFUSED,
                                               "The first esketamine dose must be 56 mg, not 84 mg.")]
    assert said(esk(D("56"), first=True)) == []
    assert calculate_dose(esk(D("70")), OWN).esketamine_devices is None
    assert calculate_dose(esk(D("84")), OWN).esketamine_devices == 3


def test_esketamine_device_interval_follows_the_clinic_setting_in_words():
    """Reference 1.1: wait at least 5 min between devices; this clinic waits 10."""
    times = [NOW, NOW + timedelta(minutes=10), NOW + timedelta(minutes=19, seconds=30)]
    found = check_device_interval(times, OWN)
    assert [(f.code, f.grade, f.message) for f in found] == [(
        "device_interval", Grade.REFUSED, "Device 3 was used 9 min 30 s after device 2; wait at least 10 min between "
                                          "devices.")]
    assert check_device_interval(list(reversed(times))[1:], OWN) == ()
    with pytest.raises(ValidationError) as caught:
        check_device_interval([NOW, "09:05"], OWN)
    assert (caught.value.message, caught.value.field) == ("Device time must be a date and time.", "device_times")


# ---------------------------------------------------------------------------------------------- frequency

def test_too_many_sessions_in_seven_days_follows_the_clinic_setting_in_words():
    week = [NOW - timedelta(days=6, hours=23)]
    assert frequency_findings(week, NOW, OWN) == ()
    found = frequency_findings(week + [NOW - timedelta(days=3)], NOW, OWN)
    assert [(f.code, f.grade, f.message) for f in found] == [(
        "too_many_sessions", Grade.OVERRIDE, "This would be dose 3 in 7 days; more than 2 needs a physician override.")]
    assert frequency_findings([NOW - timedelta(days=7), NOW - timedelta(days=3)], NOW, OWN) == ()


@pytest.mark.parametrize("gap, words", [
    (timedelta(hours=47, minutes=59), "47 h 59 min"),
    (timedelta(hours=2), "2 h 0 min"),
    (timedelta(minutes=119, seconds=59), "119 min 59 s"),
    (timedelta(minutes=90), "90 min"),
])
def test_a_dose_too_soon_after_the_last_says_how_long_since(gap, words):
    found = frequency_findings([NOW - gap], NOW, OWN)
    assert [(f.code, f.grade, f.message) for f in found] == [(
        "too_soon", Grade.OVERRIDE, f"Only {words} since the last dose; less than 48 h needs a physician override.")]


def test_a_dose_exactly_the_minimum_hours_after_the_last_is_not_too_soon():
    assert frequency_findings([NOW - timedelta(hours=48)], NOW, OWN) == ()


@pytest.mark.parametrize("times, message", [
    (5, "Earlier dose times must be a list of dates and times."),
    ([datetime(2025, 3, 9, 9, 0)], "Earlier dose times mix times with and without a time zone."),
    (["yesterday"], "Earlier dose time must be a date and time."),
])
def test_earlier_dose_times_that_cannot_be_compared_are_refused(times, message):
    with pytest.raises(ValidationError) as caught:
        frequency_findings(times, NOW, OWN)
    assert (caught.value.message, caught.value.field) == (message, "previous_dose_times")


# ----------------------------------------------------------------------------------------------- input

@pytest.mark.parametrize("changes, message, field", [
    ({"protocol": "iv_bolus"}, "'iv_bolus' is not a known treatment protocol.", "protocol"),
    ({"today": "2025-03-10"}, "Today's date must be a date.", "today"),
    ({"dose_time": TODAY}, "Planned dose time must be a date and time.", "dose_time"),
    ({"mg_per_kg": None}, "Dose per kg is required.", "mg_per_kg"),
    ({"mg_per_kg": D("0")}, "Dose per kg must be more than 0 and at most 5 mg/kg; 0 mg/kg was entered.", "mg_per_kg"),
    ({"mg_per_kg": D("5.01")}, "Dose per kg must be more than 0 and at most 5 mg/kg; 5.01 mg/kg was entered.",
     "mg_per_kg"),
    ({"vial_mg_per_ml": D("25")}, "Vial strength must be 10, 50 or 100 mg/mL; 25 mg/mL was entered.",
     "vial_mg_per_ml"),
    ({"diluent_ml": D("-1")}, "Diluent volume must be at least 0 and at most 1000 mL; -1 mL was entered.",
     "diluent_ml"),
    ({"duration_min": D("0.5")}, "Infusion duration must be at least 1 and at most 600 min; 0.5 min was entered.",
     "duration_min"),
    ({"duration_min": D("601")}, "Infusion duration must be at least 1 and at most 600 min; 601 min was entered.",
     "duration_min"),
    ({"weight_basis": "lean"}, "'lean' is not a known weight basis.", "weight_basis"),
    ({"bmi": D("4.9")}, "BMI must be at least 5 and at most 250 kg/m²; 4.9 kg/m² was entered.", "bmi"),
    ({"weight_measured_on": "2025-03-01"}, "Date weighed must be a date.", "weight_measured_on"),
])
def test_input_that_makes_no_sense_is_refused_beside_its_field(changes, message, field):
    assert refusal(iv(**changes)) == (message, field)


def test_input_at_the_edges_of_the_sanity_bounds_is_accepted():
    calculate_dose(iv(mg_per_kg=D("5"), duration_min=D("600"), diluent_ml=D("1000"), bmi=D("250")), OWN)
    calculate_dose(iv(duration_min=D("1"), diluent_ml=D("0"), bmi=D("5")), OWN)


def test_an_esketamine_dose_outside_the_sanity_bounds_is_refused():
    with pytest.raises(ValidationError) as caught:
        calculate_dose(esk(D("1000.5")), OWN)
    assert (caught.value.message, caught.value.field) == (
        "Esketamine dose must be more than 0 and at most 1000 mg; 1000.5 mg was entered.", "dose_mg")


def test_an_absurdly_large_entry_is_refused_as_typed_not_with_a_traceback():
    """1E+1000000 is a valid Decimal that cannot be written out plainly: the refusal quotes it as typed."""
    assert refusal(iv(mg_per_kg="1e1000000")) == (
        "Dose per kg must be more than 0 and at most 5 mg/kg; 1E+1000000 mg/kg was entered.", "mg_per_kg")


def test_an_esketamine_dose_must_be_more_than_zero_and_anything_above_is_graded():
    with pytest.raises(ValidationError) as caught:
        calculate_dose(esk(D("0")), OWN)
    assert (caught.value.message, caught.value.field) == (
        "Esketamine dose must be more than 0 and at most 1000 mg; 0 mg was entered.", "dose_mg")
    assert [f.code for f in calculate_dose(esk(D("0.5")), OWN).findings] == ["esketamine_dose_not_allowed"]
    assert [f.code for f in calculate_dose(esk(D("1000")), OWN).findings] == ["esketamine_dose_not_allowed"]


def test_a_calculation_finds_each_of_its_findings_by_code():
    calc = calculate_dose(iv(mg_per_kg=D("0.95"), duration_min=D("30")), OWN)
    assert [f.code for f in calc.findings] == ["iv_above_limit", "iv_rate_above_limit", "iv_short_duration"]
    assert calc.finding("iv_short_duration").grade is Grade.OVERRIDE
    assert calc.finding("iv_above_limit").grade is Grade.REFUSED
    assert calc.finding("weight_missing") is None
    assert calc.refused and not calc.needs_override


def test_a_missing_vial_strength_is_refused_in_words():
    assert refusal(iv(vial_mg_per_ml=None)) == ("Vial strength is required.", "vial_mg_per_ml")
    assert refusal(iv(vial_mg_per_ml="fifty")) == ("Vial strength must be a number, not 'fifty'.", "vial_mg_per_ml")


def test_a_callers_decimal_precision_never_changes_a_dose():
    """123.4 kg x 0.55 mg/kg = 67.87 mg; 1.3574 mL of 50 mg/mL into 100 mL = 101.3574 mL; 0.6696 mg/mL. At a
    caller's 3-digit precision the concentration would come out 0.672."""
    from decimal import Context, localcontext

    with localcontext(Context(prec=3)):
        calc = calculate_dose(iv(weight_kg=D("123.4"), mg_per_kg=D("0.55")), OWN)
    assert (calc.dose_mg, calc.drug_volume_ml, calc.total_volume_ml) == (D("67.9"), D("1.36"), D("101.4"))
    assert calc.final_concentration_mg_per_ml == D("0.670")


def test_an_im_order_keeps_its_weight_findings_beside_its_bolus_findings():
    assert [f.code for f in calculate_dose(im(weight_measured_on=None, mg_per_kg=D("0.45")), OWN).findings] == [
        "weight_stale", "bolus_above_usual"]


def test_an_earlier_dose_at_the_same_moment_counts():
    """frequency_findings: doses after the planned time are ignored, one at the same moment counts."""
    found = frequency_findings([NOW, NOW + timedelta(hours=1)], NOW, OWN)
    assert [(f.code, f.message) for f in found] == [
        ("too_soon", "Only 0 min since the last dose; less than 48 h needs a physician override.")]


def test_a_planned_dose_time_that_is_not_a_time_is_refused():
    with pytest.raises(ValidationError) as caught:
        frequency_findings([], "tomorrow", OWN)
    assert (caught.value.message, caught.value.field) == ("Planned dose time must be a date and time.", "dose_time")
