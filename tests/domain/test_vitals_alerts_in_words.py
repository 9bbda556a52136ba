"""Vital-sign alerts at a clinic's own (non-default) limits, in the words the nurse reads, and the refusals of
entries and times that cannot be judged (reference 2.2, 3.3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.vitals import VitalSigns, assess, is_late, predose_findings, validate_vitals, vitals_due

#: A clinic that set every vital-sign limit away from its default.
OWN = replace(ClinicSettings(), sbp_high=160, dbp_high=100, sbp_urgent=200, dbp_urgent=130, sbp_low=100,
              sbp_rise_percent=20, hr_high=100, hr_low=55, spo2_low=94, rr_low=12, rr_high=24,
              temp_high_c=Decimal("37.5"), recheck_minutes=10, predose_sbp_max=150, predose_dbp_max=95)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def alerts(reading, baseline=None, settings=OWN):
    return [(a.parameter, a.direction, a.level, a.message) for a in assess(reading, baseline, settings).alerts]


def test_blood_pressure_alerts_at_the_clinic_limits_are_inclusive():
    assert alerts(validate_vitals(160, 100)) == [
        ("systolic", "above", "alert", "Systolic blood pressure 160 mmHg is at or above 160 mmHg (the alert limit)."),
        ("diastolic", "above", "alert", "Diastolic blood pressure 100 mmHg is at or above 100 mmHg (the alert limit)."),
    ]
    assert alerts(validate_vitals(159, 99)) == []


def test_hypertensive_urgency_is_above_the_clinic_limits():
    assert alerts(validate_vitals(200, 130)) == [
        ("systolic", "above", "alert", "Systolic blood pressure 200 mmHg is at or above 160 mmHg (the alert limit)."),
        ("diastolic", "above", "alert", "Diastolic blood pressure 130 mmHg is at or above 100 mmHg (the alert limit)."),
    ]
    found = assess(validate_vitals(201, 131), None, OWN)
    assert [(a.parameter, a.level, a.message) for a in found.alerts] == [
        ("systolic", "urgent", "Systolic blood pressure 201 mmHg is above 200 mmHg (hypertensive urgency): act now "
                               "and notify the physician."),
        ("diastolic", "urgent", "Diastolic blood pressure 131 mmHg is above 130 mmHg (hypertensive urgency): act "
                                "now and notify the physician."),
    ]
    assert found.urgent and found.recheck_in_minutes == 10


def test_default_hypertensive_urgency_is_above_180_over_120():
    """Reference [S11]: hypertensive urgency is a blood pressure above 180/120."""
    assert [a.level for a in assess(validate_vitals(181, 100)).alerts] == ["urgent"]
    assert [a.level for a in assess(validate_vitals(180, 121)).alerts] == ["alert", "urgent"]


def test_low_blood_pressure_is_below_the_clinic_limit():
    assert alerts(validate_vitals(99, 60)) == [
        ("systolic", "below", "alert", "Systolic blood pressure 99 mmHg is below 100 mmHg (low blood pressure).")]
    assert alerts(validate_vitals(100, 60)) == []


def test_a_systolic_rise_is_measured_from_the_baseline_by_the_clinic_percentage():
    """20 % above a baseline of 125 is 150: 150 alerts, 149 does not."""
    baseline = validate_vitals(125, 80)
    assert alerts(validate_vitals(150, 80), baseline) == [
        ("systolic", "rise", "alert", "Systolic blood pressure 150 mmHg is at or above 150 mmHg, 20 % above the "
                                      "baseline of 125 mmHg.")]
    assert alerts(validate_vitals(149, 80), baseline) == []
    assert alerts(validate_vitals(150, 80), VitalSigns(heart_rate=70)) == []  # a baseline without a pressure


def test_heart_rate_alerts_outside_the_clinic_range():
    assert alerts(validate_vitals(heart_rate=101)) == [
        ("heart_rate", "above", "alert", "Heart rate 101/min is above 100/min (fast heart rate).")]
    assert alerts(validate_vitals(heart_rate=54)) == [
        ("heart_rate", "below", "alert", "Heart rate 54/min is below 55/min (slow heart rate).")]
    assert alerts(validate_vitals(heart_rate=100)) == alerts(validate_vitals(heart_rate=55)) == []


def test_low_oxygen_and_slow_breathing_are_urgent_and_fast_breathing_an_alert():
    assert alerts(validate_vitals(spo2=93)) == [
        ("spo2", "below", "urgent", "SpO₂ 93 % is below 94 %: check the airway and breathing now.")]
    assert alerts(validate_vitals(resp_rate=11)) == [
        ("resp_rate", "below", "urgent", "Respiratory rate 11/min is below 12/min (slow breathing): check the airway "
                                         "now.")]
    assert alerts(validate_vitals(resp_rate=25)) == [
        ("resp_rate", "above", "alert", "Respiratory rate 25/min is above 24/min (fast breathing).")]
    assert alerts(validate_vitals(spo2=94, resp_rate=12)) == alerts(validate_vitals(resp_rate=24)) == []


def test_fever_is_at_or_above_the_clinic_limit():
    assert alerts(validate_vitals(temperature_c="37.5")) == [
        ("temperature_c", "above", "alert", "Temperature 37.5 °C is at or above 37.5 °C (fever).")]
    assert alerts(validate_vitals(temperature_c="37.4")) == []


def test_an_in_range_reading_needs_no_recheck_and_no_action():
    found = assess(validate_vitals(120, 80, 70, 98, 14, "36.8"), None, OWN)
    assert found.alerts == () and found.recheck_in_minutes is None
    assert not found.requires_action and found.suggested_actions == ()


def test_a_reading_that_is_not_a_reading_is_refused():
    with pytest.raises(ValidationError) as caught:
        assess({"systolic": 120})
    assert (caught.value.message, caught.value.field) == ("A vital-signs reading is required.", "systolic")


# --------------------------------------------------------------------------------------- entries

@pytest.mark.parametrize("fields, message, field", [
    ({}, "Enter at least one vital sign.", "systolic"),
    ({"systolic": " ", "heart_rate": ""}, "Enter at least one vital sign.", "systolic"),
    ({"heart_rate": "72.5"}, "Heart rate must be a whole number; 72.5 was entered.", "heart_rate"),
    ({"spo2": 101}, "SpO₂ must be between 50 and 100 %; 101 % was entered.", "spo2"),
    ({"resp_rate": 1}, "Respiratory rate must be between 2 and 80 /min; 1 /min was entered.", "resp_rate"),
    ({"temperature_c": "44.1"}, "Temperature must be between 30.0 and 44.0 °C; 44.1 °C was entered.",
     "temperature_c"),
    ({"systolic": 120}, "Enter both systolic and diastolic blood pressure (diastolic is missing).", "diastolic"),
    ({"diastolic": 80}, "Enter both systolic and diastolic blood pressure (systolic is missing).", "systolic"),
    ({"systolic": 80, "diastolic": 80}, "Diastolic (80) must be lower than systolic (80).", "diastolic"),
])
def test_entries_that_cannot_be_a_patients_reading_are_refused_in_words(fields, message, field):
    with pytest.raises(ValidationError) as caught:
        validate_vitals(**fields)
    assert (caught.value.message, caught.value.field) == (message, field)


def test_the_possible_ranges_include_their_ends():
    reading = validate_vitals(300, 20, 250, 50, 80, "30.0")
    assert (reading.systolic, reading.diastolic, reading.heart_rate, reading.spo2, reading.resp_rate) == \
        (300, 20, 250, 50, 80)
    assert reading.temperature_c == Decimal("30.0") and reading.blood_pressure == "300/20"
    assert validate_vitals(heart_rate=20).blood_pressure == ""


# ---------------------------------------------------------------------------------- the pre-dose gate

def test_predose_blood_pressure_gate_follows_the_clinic_limits():
    """Reference 2.2 (SPRAVATO guide > 140/90): the limit itself passes; the clinic may set its own."""
    full = dict(heart_rate=70, spo2=98, resp_rate=14)
    assert predose_findings(validate_vitals(150, 95, **full), OWN) == ()
    found = predose_findings(validate_vitals(151, 95, **full), OWN)
    assert [(f.code, f.grade, f.message) for f in found] == [(
        "predose_bp_high", Grade.OVERRIDE, "Pre-dose blood pressure 151/95 is above 150/95: a physician decides "
        "whether to delay the dose.")]
    assert [f.code for f in predose_findings(validate_vitals(150, 96, **full), OWN)] == ["predose_bp_high"]


def test_predose_gate_names_what_is_missing_and_grades_other_alerts():
    found = predose_findings(validate_vitals(120, 80, spo2=93), OWN)
    assert [(f.code, f.grade, f.message) for f in found] == [
        ("baseline_vitals_incomplete", Grade.WARN, "Baseline not recorded: heart rate, respiratory rate."),
        ("predose_spo2_below", Grade.OVERRIDE, "Before the dose: SpO₂ 93 % is below 94 %: check the airway and "
                                               "breathing now."),
    ]
    slow = predose_findings(validate_vitals(120, 80, heart_rate=54, spo2=98, resp_rate=14), OWN)
    assert [(f.code, f.grade) for f in slow] == [("predose_heart_rate_below", Grade.WARN)]
    assert [f.message for f in predose_findings(None, OWN)] == [
        "No baseline vital signs recorded: take them before the dose (or a physician overrides)."]
    assert [f.message for f in predose_findings(validate_vitals(heart_rate=70), OWN)] == [
        "No baseline blood pressure recorded: take them before the dose (or a physician overrides)."]


def test_a_high_predose_pressure_is_judged_once_by_the_stricter_gate():
    """Above the alert limit too, the pressure gives the pre-dose finding only, not a second one from assess()."""
    found = predose_findings(validate_vitals(205, 135, heart_rate=70, spo2=98, resp_rate=14), OWN)
    assert [f.code for f in found] == ["predose_bp_high"]


# ---------------------------------------------------------------------------------------------- times

def test_the_next_reading_is_due_an_interval_after_the_later_of_phase_start_and_last_reading():
    assert vitals_due(T0, T0 + timedelta(minutes=3), None, 1) == T0 + timedelta(minutes=1)
    assert vitals_due(T0, T0 + timedelta(minutes=30), T0 + timedelta(minutes=20), 15) == T0 + timedelta(minutes=35)
    # A last reading taken exactly now is not in the future.
    assert vitals_due(T0, T0 + timedelta(minutes=20), T0 + timedelta(minutes=20), 5) == T0 + timedelta(minutes=25)


@pytest.mark.parametrize("interval", [0, -5, True, 2.5, "5"])
def test_an_interval_that_is_not_whole_minutes_is_refused(interval):
    with pytest.raises(ValidationError) as caught:
        vitals_due(T0, T0, None, interval)
    assert (caught.value.message, caught.value.field) == (
        "The vital-signs interval must be a whole number of minutes, at least 1.", "interval_min")


def test_a_last_reading_in_the_future_or_without_a_time_zone_is_refused():
    with pytest.raises(ValidationError) as caught:
        vitals_due(T0, T0, T0 + timedelta(seconds=1), 5)
    assert (caught.value.message, caught.value.field) == ("The last reading cannot be later than now.",
                                                          "last_reading_at")
    with pytest.raises(ValidationError) as caught:
        vitals_due(T0, T0, datetime(2026, 3, 2, 8, 0), 5)
    assert (caught.value.message, caught.value.field) == ("Times with and without a time zone cannot be compared.",
                                                          "last_reading_at")


def test_a_reading_is_late_only_after_the_grace_minutes():
    due = T0
    assert not is_late(due, due + timedelta(minutes=2))
    assert is_late(due, due + timedelta(minutes=2, seconds=1))
    assert not is_late(due, due + timedelta(minutes=5), grace_min=5)
    with pytest.raises(ValidationError) as caught:
        is_late(due, datetime(2026, 3, 2, 9, 5))
    assert (caught.value.message, caught.value.field) == ("Times with and without a time zone cannot be compared.",
                                                          "taken_at")


def test_an_absurdly_large_entry_is_refused_as_typed_not_with_a_traceback():
    """1E+1000000 is a valid Decimal that cannot be written out plainly: the refusal quotes it as typed."""
    with pytest.raises(ValidationError) as caught:
        validate_vitals(heart_rate="1e1000000")
    assert (caught.value.message, caught.value.field) == (
        "Heart rate must be between 20 and 250 /min; 1E+1000000 /min was entered.", "heart_rate")


def test_an_alert_carries_the_value_and_the_limit_it_crossed():
    alert = assess(validate_vitals(201, 80), None, OWN).alerts[0]
    assert (alert.parameter, alert.value, alert.limit, alert.direction, alert.level) == (
        "systolic", 201, 200, "above", "urgent")
    rise = assess(validate_vitals(150, 80), validate_vitals(125, 80), OWN).alerts[0]
    assert (rise.value, rise.limit) == (150, Decimal("150"))


def test_an_entry_that_is_not_a_number_is_refused_naming_the_vital_sign():
    with pytest.raises(ValidationError) as caught:
        validate_vitals(heart_rate="fast")
    assert (caught.value.message, caught.value.field) == ("Heart rate must be a number, not 'fast'.", "heart_rate")


def test_a_fast_heart_rate_before_the_dose_is_a_warning_of_the_gate():
    found = predose_findings(validate_vitals(120, 80, heart_rate=101, spo2=98, resp_rate=14), OWN)
    assert [(f.code, f.grade, f.message) for f in found] == [(
        "predose_heart_rate_above", Grade.WARN, "Before the dose: Heart rate 101/min is above 100/min (fast heart "
                                                "rate).")]


def test_the_predose_gate_names_a_missing_oxygen_reading_and_keeps_judging_after_a_high_pressure():
    assert [f.message for f in predose_findings(validate_vitals(120, 80, heart_rate=70, resp_rate=14), OWN)] == [
        "Baseline not recorded: SpO₂."]
    found = predose_findings(validate_vitals(205, 135, heart_rate=101, spo2=98, resp_rate=14), OWN)
    assert [f.code for f in found] == ["predose_bp_high", "predose_heart_rate_above"]
