"""Dose calculator and dose grading against the reference formulas and limits (reference 1.3, 1.4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.dosing import DoseOrderInput, calculate_dose, check_device_interval, frequency_findings
from clinic_desktop.domain.enums import Protocol, WeightBasis
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Grade

D = Decimal
TODAY = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)


def iv(**changes) -> DoseOrderInput:
    """The reference worked example (80 kg, 0.5 mg/kg, 50 mg/mL into 100 mL over 40 min), with changes."""
    base = DoseOrderInput(protocol=Protocol.IV_INDUCTION, weight_kg=D("80"), weight_basis=WeightBasis.ACTUAL,
                          weight_measured_on=TODAY, today=TODAY, bmi=D("24.7"), mg_per_kg=D("0.5"),
                          vial_mg_per_ml=D("50"), diluent_ml=D("100"), duration_min=D("40"), dose_time=NOW)
    return replace(base, **changes)


def im(**changes) -> DoseOrderInput:
    """An IM order: 70 kg, 0.5 mg/kg from a 50 mg/mL vial, undiluted."""
    return replace(iv(protocol=Protocol.IM, weight_kg=D("70"), diluent_ml=D("0"), duration_min=None), **changes)


def esk(dose, first: bool = False, **changes) -> DoseOrderInput:
    """An esketamine order with no weight at all (fixed doses)."""
    return replace(DoseOrderInput(protocol=Protocol.ESKETAMINE, dose_mg=dose, is_first_esketamine_dose=first,
                                  today=TODAY, dose_time=NOW), **changes)


def codes(calc) -> set[str]:
    return {f.code for f in calc.findings}


# -- published values -------------------------------------------------------------------------------------

def test_reference_worked_example():
    """80 kg, 0.5 mg/kg, 50 mg/mL, 100 mL, 40 min gives the reference numbers, rounded as documented."""
    calc = calculate_dose(iv())
    assert calc.dose_mg == D("40.0")
    assert calc.drug_volume_ml == D("0.80")
    assert calc.total_volume_ml == D("100.8")
    assert calc.final_concentration_mg_per_ml == D("0.397")
    assert calc.pump_rate_ml_per_h == D("151.2")
    assert calc.dose_rate_mg_per_kg_per_h == D("0.750")
    assert calc.dose_rate_mg_per_min == D("1.0")
    assert calc.esketamine_devices is None
    assert calc.findings == () and calc.grade is Grade.OK and not calc.refused and not calc.needs_override


def test_rounding_happens_once_at_the_end():
    """Total volume and pump rate come from the exact drug volume, not from its rounded value."""
    # 0.333 mg/kg x 75 kg = 24.975 mg -> 0.4995 mL; 100.4995 mL -> pump 150.74925 -> 150.7 (150.8 if pre-rounded)
    calc = calculate_dose(iv(weight_kg=D("75"), mg_per_kg=D("0.333")))
    assert calc.dose_mg == D("25.0")
    assert calc.drug_volume_ml == D("0.50")
    assert calc.pump_rate_ml_per_h == D("150.7")


def test_numbers_accept_int_and_str():
    """Form values as int or str give the same result as Decimals."""
    assert calculate_dose(iv(weight_kg=80, mg_per_kg="0.5", vial_mg_per_ml="50", diluent_ml=100,
                             duration_min="40")) == calculate_dose(iv())


# -- weight -----------------------------------------------------------------------------------------------

def test_missing_weight_is_refused_but_rate_still_shown():
    """No weight: refused, weight-dependent numbers are None, mg/kg/h is still computed."""
    calc = calculate_dose(iv(weight_kg=None))
    assert calc.refused and "weight_missing" in codes(calc)
    assert calc.dose_mg is None and calc.drug_volume_ml is None and calc.pump_rate_ml_per_h is None
    assert calc.dose_rate_mg_per_kg_per_h == D("0.750")


@pytest.mark.parametrize("age_days, stale", [(0, False), (30, False), (31, True)])
def test_weight_age_boundary(age_days, stale):
    """A weight 30 days old is accepted; 31 days old is refused."""
    calc = calculate_dose(iv(weight_measured_on=TODAY - timedelta(days=age_days)))
    assert ("weight_stale" in codes(calc)) is stale
    assert calc.refused is stale


def test_weight_without_date_is_refused():
    """An undated weight cannot be shown to be recent."""
    assert "weight_stale" in codes(calculate_dose(iv(weight_measured_on=None)))


def test_weight_age_setting_changes_outcome():
    """Raising weight_max_age_days to 60 accepts a 45-day-old weight."""
    order = iv(weight_measured_on=TODAY - timedelta(days=45))
    assert calculate_dose(order).refused
    assert not calculate_dose(order, ClinicSettings(weight_max_age_days=60)).refused


def test_weight_dated_after_today_is_invalid():
    """A weight measured tomorrow is a data-entry error."""
    with pytest.raises(ValidationError) as err:
        calculate_dose(iv(weight_measured_on=TODAY + timedelta(days=1)))
    assert err.value.field == "weight_measured_on"


# -- IV dose per kg ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("mg_per_kg, code, grade", [
    ("0.09", "iv_below_studied_range", Grade.WARN),
    ("0.1", None, None),
    ("0.75", None, None),
    ("0.76", "iv_above_usual_range", Grade.OVERRIDE),
    ("1.0", "iv_above_usual_range", Grade.OVERRIDE),
    ("1.01", "iv_above_limit", Grade.REFUSED),
])
def test_iv_dose_per_kg_boundaries(mg_per_kg, code, grade):
    """0.1 and 0.75 mg/kg pass; above 0.75 up to 1.0 needs override; above 1.0 is refused; below 0.1 warns."""
    # 80 min keeps every dose here under 1 mg/kg/h, so only the dose-per-kg rule is on trial.
    calc = calculate_dose(iv(mg_per_kg=D(mg_per_kg), duration_min=D("80")))
    dose_codes = codes(calc) & {"iv_below_studied_range", "iv_above_usual_range", "iv_above_limit"}
    assert dose_codes == ({code} if code else set())
    assert calc.grade is (grade or Grade.OK)


def test_iv_075_over_40_min_trips_the_rate_rule():
    """0.75 mg/kg over 40 min is 1.125 mg/kg/h: the dose is usual but the rate needs an override."""
    calc = calculate_dose(iv(mg_per_kg=D("0.75")))
    assert codes(calc) == {"iv_rate_above_limit"}


@pytest.mark.parametrize("name, value, mg_per_kg, code", [
    ("iv_override_above_mg_per_kg", D("0.6"), "0.7", "iv_above_usual_range"),
    ("iv_refuse_above_mg_per_kg", D("0.9"), "0.95", "iv_above_limit"),
    ("iv_low_mg_per_kg", D("0.2"), "0.15", "iv_below_studied_range"),
])
def test_iv_dose_settings_change_outcome(name, value, mg_per_kg, code):
    """Each IV dose threshold is read from the settings, not hard-coded."""
    order = iv(mg_per_kg=D(mg_per_kg), duration_min=D("80"))
    assert code not in codes(calculate_dose(order))
    assert code in codes(calculate_dose(order, ClinicSettings().with_changes({name: value})))


# -- IV rate, duration, dilution --------------------------------------------------------------------------

@pytest.mark.parametrize("mg_per_kg, minutes, over", [("0.5", "40", False), ("1.0", "40", True), ("0.5", "30", False),
                                                      ("0.5", "29", True)])
def test_iv_rate_boundary(mg_per_kg, minutes, over):
    """1 mg/kg/h itself is allowed; above it needs an override (0.5/40 = 0.75, 1.0/40 = 1.5, 0.5/30 = 1.0)."""
    calc = calculate_dose(iv(mg_per_kg=D(mg_per_kg), duration_min=D(minutes)))
    assert ("iv_rate_above_limit" in codes(calc)) is over


def test_iv_rate_setting_changes_outcome():
    """Lowering iv_max_rate_mg_per_kg_h to 0.5 makes the standard 0.75 mg/kg/h an override."""
    assert "iv_rate_above_limit" in codes(calculate_dose(iv(), ClinicSettings(iv_max_rate_mg_per_kg_h=D("0.5"))))


@pytest.mark.parametrize("minutes, short", [("40", False), ("39", True)])
def test_iv_duration_boundary(minutes, short):
    """40 min is the conventional infusion; 39 min needs an override."""
    calc = calculate_dose(iv(duration_min=D(minutes)))
    assert ("iv_short_duration" in codes(calc)) is short
    assert calc.needs_override is short


def test_iv_duration_setting_changes_outcome():
    """iv_min_duration_min of 30 accepts a 35-minute infusion."""
    order = iv(duration_min=D("35"))
    assert "iv_short_duration" in codes(calculate_dose(order))
    assert "iv_short_duration" not in codes(calculate_dose(order, ClinicSettings(iv_min_duration_min=30)))


def test_undiluted_100_mg_per_ml_iv_is_refused():
    """Label: 100 mg/mL must not be given IV undiluted."""
    calc = calculate_dose(iv(vial_mg_per_ml=D("100"), diluent_ml=D("0")))
    assert "undiluted_100_mg_ml" in codes(calc) and calc.refused


def test_100_mg_per_ml_with_less_than_equal_volume_is_refused():
    """Label: dilute 100 mg/mL with at least an equal volume (40 mg = 0.4 mL needs 0.4 mL diluent)."""
    assert "undiluted_100_mg_ml" in codes(calculate_dose(iv(vial_mg_per_ml=D("100"), diluent_ml=D("0.3"))))
    assert "undiluted_100_mg_ml" not in codes(calculate_dose(iv(vial_mg_per_ml=D("100"), diluent_ml=D("0.4"))))


def test_diluted_100_mg_per_ml_and_undiluted_50_are_accepted():
    """Diluting 100 mg/mL in a bag is fine, and the dilution rule is only for the 100 mg/mL strength."""
    assert calculate_dose(iv(vial_mg_per_ml=D("100"))).findings == ()
    assert "undiluted_100_mg_ml" not in codes(calculate_dose(iv(diluent_ml=D("0"))))


# -- IM ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mg_per_kg, code", [("0.5", None), ("0.51", "bolus_above_usual"), ("1.0", "bolus_above_usual"),
                                             ("1.01", "bolus_above_limit")])
def test_im_bolus_boundaries(mg_per_kg, code):
    """IM: up to 0.5 mg/kg passes, to 1.0 needs override, above 1.0 is refused."""
    assert codes(calculate_dose(im(mg_per_kg=D(mg_per_kg)))) == ({code} if code else set())


def test_im_has_no_pump_fields_and_may_be_undiluted_100():
    """IM gives dose and volume only; undiluted 100 mg/mL is allowed IM."""
    calc = calculate_dose(im(vial_mg_per_ml=D("100")))
    assert calc.dose_mg == D("35.0") and calc.drug_volume_ml == D("0.35")
    assert calc.pump_rate_ml_per_h is None and calc.dose_rate_mg_per_kg_per_h is None
    assert calc.dose_rate_mg_per_min is None and calc.findings == ()


def test_im_settings_change_outcome():
    """bolus_override_above 0.3 makes 0.4 an override; bolus_refuse_above 0.8 refuses 0.9."""
    assert codes(calculate_dose(im(mg_per_kg=D("0.4")), ClinicSettings(bolus_override_above_mg_per_kg=D("0.3")))) \
        == {"bolus_above_usual"}
    assert calculate_dose(im(mg_per_kg=D("0.9")), ClinicSettings(bolus_refuse_above_mg_per_kg=D("0.8"))).refused


# -- esketamine -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dose, devices", [(56, 2), (84, 3)])
def test_esketamine_allowed_doses(dose, devices):
    """56 and 84 mg are allowed, one 28 mg device per 28 mg, without any weight."""
    calc = calculate_dose(esk(dose))
    assert calc.findings == () and calc.esketamine_devices == devices and calc.dose_mg == D(dose)
    assert calc.drug_volume_ml is None and calc.pump_rate_ml_per_h is None


@pytest.mark.parametrize("dose", [28, 70, 112])
def test_esketamine_other_doses_refused(dose):
    """Any dose other than 56 or 84 mg is refused."""
    calc = calculate_dose(esk(dose))
    assert codes(calc) == {"esketamine_dose_not_allowed"} and calc.refused


def test_esketamine_first_dose_must_be_56():
    """First dose 84 mg is refused; 56 mg is fine."""
    assert codes(calculate_dose(esk(84, first=True))) == {"esketamine_first_dose_56"}
    assert calculate_dose(esk(56, first=True)).findings == ()


def test_esketamine_ignores_weight_rules():
    """A stale weight is irrelevant to a fixed esketamine dose."""
    order = esk(56, weight_kg=D("80"), weight_measured_on=TODAY - timedelta(days=400))
    assert calculate_dose(order).findings == ()


def test_esketamine_needs_a_dose():
    """No dose entered is an input error on dose_mg."""
    with pytest.raises(ValidationError) as err:
        calculate_dose(esk(None))
    assert err.value.field == "dose_mg"


@pytest.mark.parametrize("gap, refused", [(timedelta(minutes=5), False), (timedelta(minutes=4, seconds=59), True)])
def test_device_interval_boundary(gap, refused):
    """Devices 5 min apart are fine; 4 min 59 s apart is refused."""
    findings = check_device_interval([NOW, NOW + gap, NOW + gap + timedelta(minutes=5)])
    assert bool(findings) is refused
    assert all(f.code == "device_interval" and f.grade is Grade.REFUSED for f in findings)


def test_device_interval_any_order_and_setting():
    """Times are sorted first; a 10-minute setting refuses a 6-minute gap."""
    times = [NOW + timedelta(minutes=12), NOW, NOW + timedelta(minutes=6)]
    assert check_device_interval(times) == ()
    assert len(check_device_interval(times, ClinicSettings(esketamine_device_interval_min=10))) == 2


# -- weight basis policy ----------------------------------------------------------------------------------

IDEAL_POLICY = ClinicSettings(weight_basis_policy="ideal_if_obese")


@pytest.mark.parametrize("bmi, warned", [("30", True), ("29.9", False)])
def test_weight_basis_policy_bmi_boundary(bmi, warned):
    """Policy ideal_if_obese: actual weight at BMI 30 warns, at 29.9 it does not."""
    calc = calculate_dose(iv(bmi=D(bmi)), IDEAL_POLICY)
    assert ("weight_basis_policy" in codes(calc)) is warned
    assert calc.grade is (Grade.WARN if warned else Grade.OK)


def test_weight_basis_policy_settings():
    """With the default 'actual' policy BMI 35 on actual weight is fine; obesity_bmi 40 lifts the warning too."""
    assert calculate_dose(iv(bmi=D("35"))).findings == ()
    assert "weight_basis_policy" in codes(calculate_dose(iv(bmi=D("35")), IDEAL_POLICY))
    assert calculate_dose(iv(bmi=D("35")), replace(IDEAL_POLICY, obesity_bmi=D("40"))).findings == ()
    assert calculate_dose(iv(bmi=D("35"), weight_basis=WeightBasis.IDEAL), IDEAL_POLICY).findings == ()


# -- frequency --------------------------------------------------------------------------------------------

def test_too_many_sessions_in_seven_days():
    """Three doses in the last 7 days plus this one exceed 3 per 7 days; one exactly 7 days ago does not count."""
    three = (NOW - timedelta(days=2), NOW - timedelta(days=4), NOW - timedelta(days=6, hours=23))
    assert "too_many_sessions" in codes(calculate_dose(iv(previous_dose_times=three)))
    two_and_old = (NOW - timedelta(days=2), NOW - timedelta(days=4), NOW - timedelta(days=7))
    assert "too_many_sessions" not in codes(calculate_dose(iv(previous_dose_times=two_and_old)))
    assert "too_many_sessions" not in codes(calculate_dose(iv(previous_dose_times=three),
                                                           ClinicSettings(max_sessions_per_7_days=4)))


def test_too_soon_boundary_and_setting():
    """24 h since the last dose is fine, 23 h 59 min is not; min_hours_between_doses 48 flags 24 h."""
    assert "too_soon" not in codes(calculate_dose(iv(previous_dose_times=(NOW - timedelta(hours=24),))))
    assert "too_soon" in codes(calculate_dose(iv(previous_dose_times=(NOW - timedelta(hours=23, minutes=59),))))
    assert "too_soon" in codes(calculate_dose(iv(previous_dose_times=(NOW - timedelta(hours=24),)),
                                              ClinicSettings(min_hours_between_doses=48)))


def test_frequency_uses_latest_dose_and_ignores_later_ones():
    """Unordered history: the latest earlier dose decides; doses after the planned time are not earlier doses."""
    history = (NOW - timedelta(days=5), NOW - timedelta(hours=3), NOW + timedelta(hours=1))
    found = {f.code for f in frequency_findings(history, NOW)}
    assert found == {"too_soon"}


def test_mixed_time_zones_are_an_input_error():
    """A naive earlier dose time cannot be compared with an aware planned time."""
    with pytest.raises(ValidationError) as err:
        calculate_dose(iv(previous_dose_times=(datetime(2025, 3, 9, 9, 0),)))
    assert err.value.field == "previous_dose_times"


# -- input validation -------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("mg_per_kg", D("0")), ("mg_per_kg", D("-0.5")), ("mg_per_kg", D("5.01")), ("mg_per_kg", None),
    ("mg_per_kg", "abc"), ("weight_kg", D("0.9")), ("weight_kg", D("501")), ("vial_mg_per_ml", D("25")),
    ("vial_mg_per_ml", None), ("diluent_ml", D("-1")), ("diluent_ml", D("1001")), ("duration_min", D("0.5")),
    ("duration_min", D("601")), ("duration_min", None), ("mg_per_kg", float("nan")),
])
def test_invalid_input_names_the_field(field, value):
    """Absurd or missing input raises ValidationError for that field, never another exception."""
    with pytest.raises(ValidationError) as err:
        calculate_dose(iv(**{field: value}))
    assert err.value.field == field


def test_extreme_but_valid_input_is_graded_not_rejected():
    """5 mg/kg and 500 kg are possible entries: they calculate and are refused by the rules."""
    calc = calculate_dose(iv(mg_per_kg=D("5"), weight_kg=D("500"), duration_min=D("600")))
    assert calc.dose_mg == D("2500.0") and calc.refused


# -- properties -------------------------------------------------------------------------------------------

numbers = st.one_of(st.none(), st.decimals(allow_nan=True, allow_infinity=True, places=3),
                    st.integers(-10, 2000), st.floats(), st.text(max_size=6),
                    st.decimals(min_value=0, max_value=1000, places=2))
dates = st.one_of(st.none(), st.dates(TODAY - timedelta(days=400), TODAY + timedelta(days=3)))
times = st.datetimes(datetime(2025, 2, 1), datetime(2025, 3, 20))


@hyp_settings(max_examples=300, deadline=None)
@given(protocol=st.sampled_from(Protocol), weight=numbers, measured=dates, bmi=numbers, d=numbers, dose=numbers,
       vial=st.one_of(numbers, st.sampled_from([10, 50, 100])), diluent=numbers, minutes=numbers,
       basis=st.sampled_from(WeightBasis), first=st.booleans(), previous=st.lists(times, max_size=5),
       aware=st.booleans())
def test_any_input_calculates_or_raises_validation_error(protocol, weight, measured, bmi, d, dose, vial, diluent,
                                                         minutes, basis, first, previous, aware):
    """Whatever is typed, the calculator returns a result or a ValidationError: nothing else escapes."""
    tz = timezone.utc if aware else None
    order = DoseOrderInput(protocol=protocol, weight_kg=weight, weight_basis=basis, weight_measured_on=measured,
                           today=TODAY, bmi=bmi, mg_per_kg=d, dose_mg=dose, vial_mg_per_ml=vial,
                           diluent_ml=diluent, duration_min=minutes, is_first_esketamine_dose=first,
                           previous_dose_times=tuple(previous), dose_time=NOW.replace(tzinfo=tz))
    try:
        calc = calculate_dose(order)
    except ValidationError as exc:
        assert exc.field
        return
    grades = [f.grade for f in calc.findings]
    assert calc.refused == (Grade.REFUSED in grades)
    assert calc.needs_override == (Grade.OVERRIDE in grades and Grade.REFUSED not in grades)
    assert all(f.code and f.message.strip() for f in calc.findings)
    numbers = (calc.dose_mg, calc.drug_volume_ml, calc.total_volume_ml, calc.pump_rate_ml_per_h,
               calc.dose_rate_mg_per_kg_per_h)
    assert all(n is None or n >= 0 for n in numbers)


@hyp_settings(max_examples=300, deadline=None)
@given(d=st.decimals(min_value=D("0.001"), max_value=5, places=3),
       weight=st.decimals(min_value=1, max_value=500, places=1),
       vial=st.sampled_from([10, 50, 100]), diluent=st.decimals(min_value=0, max_value=1000, places=1),
       minutes=st.integers(1, 600), protocol=st.sampled_from([Protocol.IV_INDUCTION, Protocol.IV_MAINTENANCE,
                                                              Protocol.IM]))
def test_dose_is_mg_per_kg_times_weight(d, weight, vial, diluent, minutes, protocol):
    """dose_mg is always mg/kg x weight, rounded once to 0.1 mg, and the volumes add up."""
    calc = calculate_dose(iv(protocol=protocol, mg_per_kg=d, weight_kg=weight, vial_mg_per_ml=vial,
                             diluent_ml=diluent, duration_min=minutes))
    assert calc.dose_mg == (d * weight).quantize(D("0.1"), rounding=ROUND_HALF_UP)  # half-up to 0.1 mg, by hand
    assert abs(calc.total_volume_ml - (diluent + calc.drug_volume_ml)) <= D("0.06")
