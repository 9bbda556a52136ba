"""Vital-sign validation, alerts, the pre-dose BP gate and the reading schedule (reference 2.2, 3.1, 3.3)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import AlertAction
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.vitals import (
    VitalSigns,
    assess,
    is_late,
    predose_findings,
    validate_vitals,
    vitals_due,
)

D = Decimal
NORMAL = dict(systolic=120, diastolic=80, heart_rate=72, spo2=98, resp_rate=14, temperature_c=D("36.8"))
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)


def reading(**changes) -> VitalSigns:
    return validate_vitals(**{**NORMAL, **changes})


def alerts_of(assessment) -> set[tuple[str, str, str]]:
    return {(a.parameter, a.direction, a.level) for a in assessment.alerts}


# -- validation -------------------------------------------------------------------------------------------

def test_valid_reading_from_form_strings():
    """Strings from a form become ints and a Decimal temperature."""
    v = validate_vitals(systolic="132", diastolic="84", heart_rate="70", spo2="97", resp_rate="16",
                        temperature_c="37.1")
    assert v == VitalSigns(132, 84, 70, 97, 16, D("37.1"))


@pytest.mark.parametrize("field, value", [
    ("systolic", 39), ("systolic", 301), ("diastolic", 19), ("heart_rate", 19), ("heart_rate", 251),
    ("spo2", 49), ("spo2", 101), ("resp_rate", 1), ("resp_rate", 81), ("temperature_c", D("29.9")),
    ("temperature_c", D("44.1")), ("heart_rate", D("72.5")), ("spo2", "ninety"), ("heart_rate", True),
    ("systolic", float("inf")),
])
def test_impossible_values_are_refused(field, value):
    """Physiologically impossible, fractional or non-numeric entries name their field."""
    with pytest.raises(ValidationError) as err:
        reading(**{field: value})
    assert err.value.field == field


@pytest.mark.parametrize("field, value", [("systolic", 40), ("systolic", 300), ("heart_rate", 20),
                                          ("heart_rate", 250), ("spo2", 100), ("resp_rate", 2),
                                          ("temperature_c", D("30.0")), ("temperature_c", D("44.0"))])
def test_range_ends_are_accepted(field, value):
    """The ends of each possible range are valid readings."""
    assert getattr(reading(**{field: value, "diastolic": 30}), field) == value


def test_diastolic_must_be_below_systolic():
    """120/120 is a typo."""
    with pytest.raises(ValidationError) as err:
        reading(systolic=120, diastolic=120)
    assert err.value.field == "diastolic"


def test_blood_pressure_is_a_pair_and_something_must_be_entered():
    """Half a BP, or nothing at all, is refused."""
    with pytest.raises(ValidationError) as err:
        validate_vitals(systolic=120)
    assert err.value.field == "diastolic"
    with pytest.raises(ValidationError):
        validate_vitals()
    assert validate_vitals(spo2=95).spo2 == 95


# -- alerts -----------------------------------------------------------------------------------------------

def test_normal_reading_needs_nothing():
    """A normal reading: no alerts, no re-check, no action."""
    a = assess(reading(), reading())
    assert a.alerts == () and not a.requires_action and a.recheck_in_minutes is None
    assert not a.urgent and a.suggested_actions == ()


@pytest.mark.parametrize("sbp, dbp, expected", [
    (179, 80, set()),
    (180, 80, {("systolic", "above", "alert")}),
    (181, 80, {("systolic", "above", "urgent")}),
    (150, 109, set()),
    (150, 110, {("diastolic", "above", "alert")}),
    (170, 120, {("diastolic", "above", "alert")}),
    (170, 121, {("diastolic", "above", "urgent")}),
])
def test_blood_pressure_alert_and_urgency_boundaries(sbp, dbp, expected):
    """SBP >= 180 / DBP >= 110 alerts; above 180/120 is hypertensive urgency."""
    a = assess(reading(systolic=sbp, diastolic=dbp), None)
    assert alerts_of(a) == expected


def test_urgent_alert_suggests_pause_or_stop():
    """An urgent reading asks to act now and re-check after the set minutes."""
    a = assess(reading(systolic=190, diastolic=100), None, ClinicSettings(recheck_minutes=3))
    assert a.urgent and a.requires_action and a.recheck_in_minutes == 3
    assert a.suggested_actions == (AlertAction.PAUSE, AlertAction.STOP, AlertAction.PHYSICIAN_NOTIFIED)
    assert "190" in a.alerts[0].message and "180" in a.alerts[0].message


def test_plain_alert_suggests_continue_or_slow():
    """A non-urgent alert offers continue, slow or notify, and a 5-minute re-check by default."""
    a = assess(reading(heart_rate=121), None)
    assert alerts_of(a) == {("heart_rate", "above", "alert")}
    assert a.suggested_actions == (AlertAction.CONTINUE, AlertAction.SLOW, AlertAction.PHYSICIAN_NOTIFIED)
    assert a.recheck_in_minutes == 5 and not a.urgent


@pytest.mark.parametrize("base, now, rise", [(125, 162, False), (125, 163, True), (100, 130, True), (100, 129, False)])
def test_systolic_rise_from_baseline(base, now, rise):
    """A systolic rise of 30 % over baseline alerts (162.5 needs 163 from 125)."""
    a = assess(reading(systolic=now), reading(systolic=base))
    assert (("systolic", "rise", "alert") in alerts_of(a)) is rise


def test_no_rise_alert_without_baseline():
    """Without a baseline only absolute limits apply."""
    assert assess(reading(systolic=170), None).alerts == ()


@pytest.mark.parametrize("changes, expected", [
    (dict(systolic=89, diastolic=60), ("systolic", "below", "alert")),
    (dict(heart_rate=49), ("heart_rate", "below", "alert")),
    (dict(spo2=91), ("spo2", "below", "urgent")),
    (dict(resp_rate=9), ("resp_rate", "below", "urgent")),
    (dict(resp_rate=31), ("resp_rate", "above", "alert")),
    (dict(temperature_c=D("38.0")), ("temperature_c", "above", "alert")),
])
def test_other_limits_alert(changes, expected):
    """Low BP, slow HR, low SpO₂, slow or fast breathing and fever each raise their alert."""
    assert alerts_of(assess(reading(**changes), None)) == {expected}


@pytest.mark.parametrize("changes", [dict(systolic=90, diastolic=60), dict(heart_rate=50), dict(heart_rate=120),
                                     dict(spo2=92), dict(resp_rate=10), dict(resp_rate=30),
                                     dict(temperature_c=D("37.9"))])
def test_values_at_the_limits_do_not_alert(changes):
    """Exactly at a 'below'/'above' limit is not yet out of range."""
    assert assess(reading(**changes), None).alerts == ()


@pytest.mark.parametrize("name, value, changes", [
    ("sbp_high", 160, dict(systolic=165)), ("dbp_high", 90, dict(diastolic=95)),
    ("sbp_rise_percent", 5, dict(systolic=140)), ("sbp_low", 100, dict(systolic=95, diastolic=60)),
    ("hr_high", 100, dict(heart_rate=105)), ("hr_low", 60, dict(heart_rate=55)), ("spo2_low", 96, dict(spo2=95)),
    ("rr_low", 12, dict(resp_rate=11)), ("rr_high", 25, dict(resp_rate=26)),
    ("temp_high_c", D("37.5"), dict(temperature_c=D("37.6"))),
])
def test_each_limit_comes_from_the_settings(name, value, changes):
    """Changing a limit in the settings turns a normal reading into an alert."""
    r, baseline = reading(**changes), reading(systolic=130)
    assert assess(r, baseline).alerts == ()
    assert assess(r, baseline, ClinicSettings().with_changes({name: value})).alerts


def test_urgency_limit_comes_from_the_settings():
    """sbp_urgent of 160 makes 165 urgent."""
    assert not assess(reading(systolic=165), None, ClinicSettings(sbp_high=200, sbp_urgent=200)).alerts
    assert assess(reading(systolic=165), None, ClinicSettings(sbp_high=200, sbp_urgent=160)).urgent


# -- pre-dose gate ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sbp, dbp, high", [(140, 90, False), (141, 90, True), (140, 91, True)])
def test_predose_bp_gate_boundary(sbp, dbp, high):
    """SPRAVATO guide: above 140/90 needs a physician's decision; 140/90 itself passes."""
    findings = predose_findings(reading(systolic=sbp, diastolic=dbp))
    assert ("predose_bp_high" in {f.code for f in findings}) is high
    assert all(f.grade is Grade.OVERRIDE for f in findings)


def test_predose_setting_changes_outcome():
    """predose_sbp_max of 150 accepts 145/85."""
    assert predose_findings(reading(systolic=145, diastolic=85))
    assert predose_findings(reading(systolic=145, diastolic=85), ClinicSettings(predose_sbp_max=150)) == ()


def test_missing_baseline_needs_override():
    """No baseline reading (or one without BP) needs an override."""
    (f,) = predose_findings(None)
    assert (f.code, f.grade) == ("baseline_vitals_missing", Grade.OVERRIDE)
    assert [f.code for f in predose_findings(validate_vitals(spo2=97))] == ["baseline_vitals_missing"]


def test_incomplete_or_abnormal_baseline_is_flagged():
    """A baseline without SpO₂ warns; a baseline SpO₂ below the floor needs an override."""
    codes = {f.code: f.grade for f in predose_findings(validate_vitals(systolic=120, diastolic=80, heart_rate=70,
                                                                       resp_rate=14))}
    assert codes == {"baseline_vitals_incomplete": Grade.WARN}
    codes = {f.code: f.grade for f in predose_findings(reading(spo2=90))}
    assert codes == {"predose_spo2_below": Grade.OVERRIDE}
    assert predose_findings(reading()) == ()


# -- schedule ---------------------------------------------------------------------------------------------

def test_vitals_due_from_phase_start_and_last_reading():
    """First reading is due one interval into the phase; later ones one interval after the last."""
    assert vitals_due(T0, T0, None, 10) == T0 + timedelta(minutes=10)
    assert vitals_due(T0, T0 + timedelta(minutes=30), T0 + timedelta(minutes=12), 10) == T0 + timedelta(minutes=22)
    # a baseline taken before the infusion started does not bring the first reading forward
    assert vitals_due(T0, T0 + timedelta(minutes=1), T0 - timedelta(minutes=5), 10) == T0 + timedelta(minutes=10)


def test_vitals_due_refuses_bad_input():
    """A reading in the future, a zero interval and mixed time zones are input errors."""
    with pytest.raises(ValidationError):
        vitals_due(T0, T0, T0 + timedelta(minutes=1), 10)
    with pytest.raises(ValidationError):
        vitals_due(T0, T0, None, 0)
    with pytest.raises(ValidationError):
        vitals_due(T0, T0 + timedelta(minutes=5), datetime(2025, 3, 10, 9, 1), 10)


def test_is_late_grace():
    """Within 2 minutes of due is on time; later is late; the grace can be changed."""
    due = T0 + timedelta(minutes=10)
    assert not is_late(due, due + timedelta(minutes=2))
    assert is_late(due, due + timedelta(minutes=2, seconds=1))
    assert not is_late(due, due + timedelta(minutes=4), grace_min=5)


@hyp_settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-10, 400), st.text(max_size=4), st.floats(),
                          st.decimals(allow_nan=True)), min_size=6, max_size=6))
def test_any_entry_validates_or_raises_validation_error(values):
    """Any entry gives valid VitalSigns (assessable) or a ValidationError, never another exception."""
    try:
        v = validate_vitals(*values)
    except ValidationError as exc:
        assert exc.field
        return
    assess(v, v)
    predose_findings(v)
