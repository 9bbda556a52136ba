"""Clinic settings: reference defaults, validated changes, storage round trip and the source of every value."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from clinic_desktop.domain.clinic_settings import CHOICES, UNSOURCED, ClinicSettings
from clinic_desktop.domain.errors import ValidationError, ValidationErrors

D = Decimal
INFOS = {i.name: i for i in ClinicSettings.infos()}
#: Settings tied together by a consistency rule; property tests leave them alone.
LINKED = {"iv_low_mg_per_kg", "iv_override_above_mg_per_kg", "iv_refuse_above_mg_per_kg",
          "bolus_override_above_mg_per_kg", "bolus_refuse_above_mg_per_kg", "partial_response_percent",
          "response_reduction_percent"}


# -- defaults ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, value", [
    ("iv_refuse_above_mg_per_kg", D("1.0")),  # 1.4: > 1.0 mg/kg refused [S20c]
    ("iv_override_above_mg_per_kg", D("0.75")),  # 1.4: > 0.75 needs override [S3][S5]
    ("iv_low_mg_per_kg", D("0.1")),  # 1.4: < 0.1 below the studied range [S3]
    ("iv_max_rate_mg_per_kg_h", D("1.0")),  # 1.4: > 1 mg/kg/h override [S21]
    ("iv_min_duration_min", 40),  # 1.4: < 40 min override [S3]
    ("bolus_override_above_mg_per_kg", D("0.5")),  # 1.4: bolus > 0.5 override [S21]
    ("esketamine_device_interval_min", 5),  # 1.4: device interval < 5 min refused [S13]
    ("obesity_bmi", D("30")),  # 1.4: BMI >= 30 [S2]
    ("predose_sbp_max", 140), ("predose_dbp_max", 90),  # 2.2: pre-dose guide > 140/90 [S12a]
    ("sbp_urgent", 180), ("dbp_urgent", 120),  # 2.2: urgency > 180/120 [S11]
    ("sbp_high", 180), ("dbp_high", 110), ("sbp_rise_percent", 30), ("hr_high", 120), ("spo2_low", 92),  # 3.3
    ("sbp_low", 90), ("hr_low", 50), ("rr_low", 10), ("rr_high", 30),  # 2.2: ED protocol anchors [S50]
    ("vitals_interval_during_min", 10), ("vitals_interval_after_min", 15),  # 3.1 [S8]
    ("discharge_score_min", 9),  # 4.7 / 6.1: Aldrete or PADSS >= 9
    ("esketamine_min_observation_min", 120),  # 3.1 / 6.1: >= 2 h [S12a]
    ("phq9_remission_below", 5), ("madrs_remission_at_or_below", 10),  # 9: remission [S30a][S32d]
    ("response_reduction_percent", 50), ("partial_response_percent", 25),  # 9: response / partial
    ("phq9_item9_alert_min", 1),  # 2.2: any positive item 9 answer
    ("weight_basis_policy", "actual"), ("discharge_scale", "aldrete"),
])
def test_defaults_match_the_reference(name, value):
    """Each default is the value the clinical reference gives, with the right type."""
    actual = getattr(ClinicSettings(), name)
    assert actual == value
    assert type(actual) is type(value)


def test_iv_hard_limit_cannot_be_raised_above_1_mg_per_kg():
    """The refusal threshold's range stops at 1.0 mg/kg (the anesthetic-induction range starts above it)."""
    assert INFOS["iv_refuse_above_mg_per_kg"].high == D("1.0")
    with pytest.raises(ValidationErrors) as err:
        ClinicSettings().with_changes({"iv_refuse_above_mg_per_kg": "1.01"})
    assert err.value.for_field("iv_refuse_above_mg_per_kg")


def test_esketamine_observation_cannot_go_below_two_hours():
    """The SPRAVATO label's 2-hour observation is a floor, not a suggestion."""
    assert INFOS["esketamine_min_observation_min"].low == 120
    with pytest.raises(ValidationErrors):
        ClinicSettings().with_changes({"esketamine_min_observation_min": 119})


# -- metadata: label, unit, range, source ---------------------------------------------------------------


def test_every_field_has_metadata_in_declaration_order():
    """infos() covers every field once, in the order the settings screen shows them."""
    assert [i.name for i in ClinicSettings.infos()] == [f.name for f in dataclasses.fields(ClinicSettings)]


@pytest.mark.parametrize("name", list(INFOS))
def test_every_setting_has_label_range_source_and_a_default_inside_its_range(name):
    """Labels are present, numeric ranges contain the default, choices list it, sources are cited or UNSOURCED."""
    info = INFOS[name]
    default = getattr(ClinicSettings(), name)
    assert info.label.strip()
    assert info.section in {"Dosing", "Vital signs", "Scales", "Discharge", "Screening", "Charting", "Security"}
    assert info.source in (UNSOURCED, "reliability") or re.fullmatch(r"S\d+[a-z]?( S\d+[a-z]?)*", info.source), \
        info.source
    assert all(1 <= int(n) <= 66 for n in re.findall(r"S(\d+)", info.source))  # the reference lists S1-S66
    if name in CHOICES:
        assert info.low is None and info.high is None
        assert default in CHOICES[name]
    else:
        assert info.unit.strip()
        assert type(info.low) is type(default) and type(info.high) is type(default)
        assert info.low <= default <= info.high


@pytest.mark.parametrize("name", [
    "weight_max_age_days",  # 1.4: window UNSOURCED
    "max_sessions_per_7_days", "min_hours_between_doses",  # 1.4: UNSOURCED
    "sbp_high", "dbp_high", "sbp_rise_percent", "hr_high", "spo2_low",  # 3.3: UNSOURCED defaults
    "partial_response_percent",  # 9: UNSOURCED convention
    "recheck_minutes", "moaas_alert_at_or_below", "screening_max_age_days", "iv_min_observation_min",
    "bolus_refuse_above_mg_per_kg", "gad7_remission_below", "madrs_item10_flag_min", "bprs_positive_increase_alert",
    "temp_high_c", "charting_before_session_hours",
])
def test_unsourced_conventions_are_marked(name):
    """Values the reference calls UNSOURCED (or does not give at all) are flagged for physician review."""
    assert INFOS[name].source == UNSOURCED


# -- with_changes --------------------------------------------------------------------------------------


def test_changes_make_a_new_object_and_parse_to_the_field_type():
    """Form strings become ints or Decimals; the original settings object is untouched."""
    base = ClinicSettings()
    changed = base.with_changes({"predose_sbp_max": "150", "iv_override_above_mg_per_kg": "0.8",
                                 "weight_basis_policy": "ideal_if_obese"})
    assert changed.predose_sbp_max == 150 and type(changed.predose_sbp_max) is int
    assert changed.iv_override_above_mg_per_kg == D("0.8") and isinstance(changed.iv_override_above_mg_per_kg, Decimal)
    assert changed.weight_basis_policy == "ideal_if_obese"
    assert base.predose_sbp_max == 140 and base == ClinicSettings()


def test_whole_number_settings_accept_integral_values_only():
    """30, "30" and 30.0 are 30 days; 30.5 is refused."""
    for raw in (30, "30", 30.0, D("30.00")):
        value = ClinicSettings().with_changes({"weight_max_age_days": raw}).weight_max_age_days
        assert value == 30 and type(value) is int
    with pytest.raises(ValidationErrors) as err:
        ClinicSettings().with_changes({"weight_max_age_days": "30.5"})
    assert "whole number" in err.value.for_field("weight_max_age_days")


@pytest.mark.parametrize("raw", [True, None, "abc", float("nan"), float("inf"), "", [140]])
def test_non_numbers_are_refused(raw):
    """Booleans, None, garbage, NaN and infinity are not thresholds."""
    with pytest.raises(ValidationErrors) as err:
        ClinicSettings().with_changes({"predose_sbp_max": raw})
    assert [e.field for e in err.value.errors] == ["predose_sbp_max"]


@pytest.mark.parametrize("name, ok, bad", [
    ("predose_sbp_max", (100, 200), (99, 201)),
    ("discharge_score_min", (7, 10), (6, 11)),
    ("spo2_low", (80, 98), (79, 99)),
    ("temp_high_c", (D("37.0"), D("40.0")), (D("36.9"), D("40.1"))),
])
def test_ranges_are_inclusive(name, ok, bad):
    """Both ends of a setting's range are allowed; one step beyond either is refused."""
    for value in ok:
        assert getattr(ClinicSettings().with_changes({name: value}), name) == value
    for value in bad:
        with pytest.raises(ValidationErrors) as err:
            ClinicSettings().with_changes({name: value})
        assert err.value.for_field(name)


@pytest.mark.parametrize("name, value", [("weight_basis_policy", "ideal"), ("discharge_scale", "ALDRETE"),
                                         ("discharge_scale", None)])
def test_choice_settings_refuse_other_values(name, value):
    """Text settings accept only their listed choices, exactly."""
    with pytest.raises(ValidationErrors) as err:
        ClinicSettings().with_changes({name: value})
    assert err.value.for_field(name)


def test_all_errors_are_reported_together():
    """An unknown name, a non-number and an out-of-range value are all listed, each with its field."""
    with pytest.raises(ValidationErrors) as err:
        ClinicSettings().with_changes({"no_such_setting": 1, "hr_high": "fast", "spo2_low": 200, "rr_low": 12})
    assert {e.field for e in err.value.errors} == {"no_such_setting", "hr_high", "spo2_low"}
    assert "no_such_setting" in err.value.for_field("no_such_setting")
    assert "between 80 and 98" in err.value.for_field("spo2_low")
    assert err.value.for_field("rr_low") is None


@pytest.mark.parametrize("changes, field", [
    ({"iv_override_above_mg_per_kg": "0.9", "iv_refuse_above_mg_per_kg": "0.8"}, "iv_override_above_mg_per_kg"),
    ({"iv_refuse_above_mg_per_kg": "0.7"}, "iv_override_above_mg_per_kg"),
    ({"iv_low_mg_per_kg": "0.5", "iv_override_above_mg_per_kg": "0.5"}, "iv_low_mg_per_kg"),
    ({"bolus_refuse_above_mg_per_kg": "0.4"}, "bolus_override_above_mg_per_kg"),
    ({"partial_response_percent": 49, "response_reduction_percent": 49}, "partial_response_percent"),
    ({"response_reduction_percent": 25}, "partial_response_percent"),
])
def test_inconsistent_thresholds_are_refused(changes, field):
    """Override above refusal, low warning not below override, or partial response >= response are refused."""
    with pytest.raises(ValidationError) as err:
        ClinicSettings().with_changes(changes)
    assert err.value.field == field


def test_equal_override_and_refusal_thresholds_are_allowed():
    """A clinic may refuse everything above 0.75 mg/kg (override threshold == refusal threshold)."""
    s = ClinicSettings().with_changes({"iv_refuse_above_mg_per_kg": "0.75"})
    assert s.iv_refuse_above_mg_per_kg == s.iv_override_above_mg_per_kg == D("0.75")


# -- storage round trip --------------------------------------------------------------------------------


def test_mapping_is_json_safe_and_decimals_are_strings():
    """to_mapping gives JSON-ready values: Decimals as exact strings, ints as ints."""
    mapping = ClinicSettings().to_mapping()
    assert mapping["iv_override_above_mg_per_kg"] == "0.75"
    assert mapping["temp_high_c"] == "38.0"
    assert mapping["predose_sbp_max"] == 140
    assert json.loads(json.dumps(mapping)) == mapping
    assert set(mapping) == set(INFOS)


def test_default_round_trip():
    """from_mapping(to_mapping()) gives back equal settings."""
    assert ClinicSettings.from_mapping(ClinicSettings().to_mapping()) == ClinicSettings()
    assert ClinicSettings.from_mapping({}) == ClinicSettings()


@given(st.data())
def test_round_trip_through_json_for_any_valid_changes(data):
    """Any in-range values survive to_mapping -> JSON -> from_mapping exactly."""
    changes = {}
    for name in data.draw(st.sets(st.sampled_from(sorted(set(INFOS) - LINKED)), max_size=8)):
        info = INFOS[name]
        if name in CHOICES:
            changes[name] = data.draw(st.sampled_from(CHOICES[name]))
        elif isinstance(info.low, int):
            changes[name] = data.draw(st.integers(info.low, info.high))
        else:
            changes[name] = data.draw(st.decimals(info.low, info.high, places=2))
    settings = ClinicSettings().with_changes(changes)
    stored = json.loads(json.dumps(settings.to_mapping()))
    restored = ClinicSettings.from_mapping(stored)
    assert restored == settings
    assert restored.to_mapping() == settings.to_mapping()


def test_changed_from_default_lists_only_changes():
    """Only values that differ from the defaults are stored; going back to a default removes the entry."""
    s = ClinicSettings().with_changes({"predose_sbp_max": 150, "spo2_low": 92})
    assert s.changed_from_default() == {"predose_sbp_max": 150}
    assert s.with_changes({"predose_sbp_max": 140}).changed_from_default() == {}
