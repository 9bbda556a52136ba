"""Every clinic setting that governs a clinical decision, changed from its default and then acted on through the
service that makes the decision: the outcome at the default and at the clinic's value are both written out here.

A service that quietly used the default thresholds (`ClinicSettings()`) instead of the clinic's would pass every
test that leaves the settings alone; each case below fails it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import AlertAction, Protocol, Timepoint, VitalsPhase, WeightBasis
from clinic_desktop.domain.errors import ClinicError, ValidationError
from clinic_desktop.services.doses import DoseOrderForm

from tests.conftest import PASSWORD, sign_in_again
from tests.services.service_support import ALDRETE_FULL, IV_ORDER, LOT_EXPIRY, NORMAL, Clinic

TESTS = Path(__file__).resolve().parents[1]


@dataclass
class World:
    """The clinic a case acts in; each case makes its own patient and session."""

    clinic: Clinic

    @property
    def services(self):
        return self.clinic.services

    @property
    def staff(self):
        return self.clinic.staff

    def later(self, **delta) -> None:
        self.clinic.clock.advance(**delta)
        sign_in_again(self.clinic.staff, self.clinic.clock)

    def prepared(self, protocol: Protocol = Protocol.IV_INDUCTION, **patient) -> tuple[int, int]:
        """A patient's first session, checked in with a baseline and a PHQ-9: (patient id, session id)."""
        p = self.clinic.patient(consent=protocol, **patient)
        sid = self.clinic.plan(p.id, protocol, target="0.5").sessions[0].id
        self.clinic.prepare(p.id, sid)
        return p.id, sid

    def infusing(self) -> tuple[int, int]:
        pid, sid = self.prepared()
        self.services.doses.order(self.staff["physician"], sid, IV_ORDER, PASSWORD)
        self.services.doses.start(self.staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
        return pid, sid


#: observe(world) -> a function that acts and returns what was decided, called once at the default and once after
#: the setting was changed.
Scenario = Callable[[World], Callable[[], Any]]


@dataclass(frozen=True)
class Case:
    setting: str
    value: Any
    scenario: Scenario
    at_default: Any
    at_changed: Any
    #: Other settings the case needs in both runs (e.g. the weight-basis policy before the BMI it uses).
    setup: tuple[tuple[str, Any], ...] = ()


# --- dosing: the order's findings, from the calculator the physician orders with ---------------------------------

def preview(form: DoseOrderForm, protocol: Protocol = Protocol.IV_INDUCTION, **patient) -> Scenario:
    def scenario(w: World):
        _pid, sid = w.prepared(protocol, **patient)
        return lambda: tuple(sorted(f.code for f in w.services.doses.preview(w.staff["physician"], sid, form).findings))
    return scenario


def iv(mg_per_kg: str, minutes: str = "40", basis: WeightBasis = WeightBasis.ACTUAL) -> DoseOrderForm:
    return DoseOrderForm(mg_per_kg=mg_per_kg, vial_mg_per_ml="50", diluent_ml="100", duration_min=minutes,
                         weight_basis=basis)


IM_BOLUS = lambda mg_per_kg: DoseOrderForm(mg_per_kg=mg_per_kg, vial_mg_per_ml="50")  # noqa: E731


def weighed_days_ago(days: int, form: DoseOrderForm = IV_ORDER) -> Scenario:
    def scenario(w: World):
        p = w.clinic.patient()
        w.later(days=days)
        sid = w.clinic.plan(p.id).sessions[0].id  # today, days after the weighing
        w.clinic.prepare(p.id, sid)
        return lambda: tuple(sorted(f.code for f in w.services.doses.preview(w.staff["physician"], sid, form).findings))
    return scenario


def second_session_preview(w: World):
    """Session 1 given on Monday; on Wednesday, session 2's order (one dose in the last 7 days, 48 h ago)."""
    p = w.clinic.patient()
    series = w.clinic.plan(p.id)
    w.clinic.full_day(p.id, series.sessions[0].id)
    w.later(days=2, minutes=-75)  # Wednesday 09:00, 48 h after the dose started
    sid = series.sessions[1].id
    w.clinic.prepare(p.id, sid)
    return lambda: tuple(sorted(f.code for f in w.services.doses.preview(w.staff["physician"], sid, IV_ORDER).findings))


# --- vital signs: a reading during the infusion, against the 124/78 baseline ------------------------------------

def reading(**values) -> Scenario:
    """A reading saved without an action: its alerts when it is saved, or the refusal asking for the action."""
    def scenario(w: World):
        _pid, sid = w.infusing()

        def save() -> tuple[str, ...] | str:
            try:
                return w.services.monitoring.record_vitals(w.staff["nurse"], sid, VitalsPhase.DURING,
                                                           {**NORMAL, **values}).alerts
            except ValidationError as exc:
                assert exc.field == "alert_action"
                return exc.message
        return save
    return scenario


def needs_action(alert: str) -> str:
    """The refusal of a reading saved without the action its one alert requires."""
    return f"Out of range: {alert.rstrip('.')}. Record the action taken."


def blocking_checks(**baseline) -> Scenario:
    """The pre-infusion checks that block, for a session whose baseline was `baseline`."""
    def scenario(w: World):
        p = w.clinic.patient()
        sid = w.clinic.plan(p.id).sessions[0].id
        w.services.sessions.check_in(w.staff["nurse"], sid, escort_confirmed=True, npo_confirmed=True)
        w.services.monitoring.record_vitals(w.staff["nurse"], sid, VitalsPhase.BASELINE, {**NORMAL, **baseline},
                                            alert_action=AlertAction.CONTINUE)
        w.services.monitoring.record_scale(w.staff["nurse"], p.id, "phq9", [1] * 8 + [0], Timepoint.PRE, sid)
        return lambda: tuple(sorted(c.key for c in w.services.sessions.checks(w.staff["nurse"], sid) if c.blocks))
    return scenario


def screened_days_ago(w: World):
    p = w.clinic.patient()
    w.later(days=10)
    sid = w.clinic.plan(p.id).sessions[0].id
    w.clinic.prepare(p.id, sid)
    return lambda: tuple(sorted(c.key for c in w.services.sessions.checks(w.staff["nurse"], sid) if c.blocks))


def board_due(after_stop: bool) -> Scenario:
    """Minutes from the start (or the stop) to the next reading the board says is due."""
    def scenario(w: World):
        _pid, sid = w.infusing()
        if after_stop:  # every reading during the infusion taken, so the next one due is after the stop
            for _ in range(4):
                w.later(minutes=10)
                w.services.monitoring.record_vitals(w.staff["nurse"], sid, VitalsPhase.DURING, NORMAL)
            w.services.doses.stop(w.staff["nurse"], sid, password=PASSWORD, volume_given_ml="100.8")

        def due() -> float:
            entry = next(e for e in w.services.board.day(w.staff["nurse"]).entries if e.session_id == sid)
            anchor = entry.stopped_at if after_stop else entry.started_at
            return (entry.next_vitals_due - anchor).total_seconds() / 60
        return due
    return scenario


# --- rating scales -----------------------------------------------------------------------------------------------

def scale(code: str, answers: list, timepoint: Timepoint = Timepoint.PRE,
          first: tuple[list, Timepoint] | None = None) -> Scenario:
    """The findings of a scale recorded in a prepared session (after `first`, e.g. the BPRS before the infusion)."""
    def scenario(w: World):
        pid, sid = w.prepared()
        if first is not None:
            w.services.monitoring.record_scale(w.staff["nurse"], pid, code, first[0], first[1], sid)

        def findings() -> tuple[str, ...]:
            entry = w.services.monitoring.record_scale(w.staff["nurse"], pid, code, answers, timepoint, sid)
            shown = next(s for s in w.services.sessions.detail(w.staff["nurse"], sid).scores if s.id == entry.id)
            assert shown.findings == entry.findings, "the session screen shows what was decided when saving"
            return tuple(f.code for f in entry.findings)
        return findings
    return scenario


def outcome(code: str, baseline: list, latest: list) -> Scenario:
    """The series' outcome for `code` on the chart: baseline before session 1, latest before session 2."""
    def scenario(w: World):
        p = w.clinic.patient()
        series = w.clinic.plan(p.id)
        nurse = w.staff["nurse"]
        w.services.monitoring.record_scale(nurse, p.id, code, baseline, Timepoint.PRE, series.sessions[0].id)
        w.later(days=2)
        w.services.monitoring.record_scale(w.staff["nurse"], p.id, code, latest, Timepoint.PRE, series.sessions[1].id)
        return lambda: next(o.status for o in w.services.patients.chart(w.staff["nurse"], p.id).outcomes
                            if o.instrument == code)
    return scenario


# --- discharge ---------------------------------------------------------------------------------------------------

def discharge_after(minutes: int) -> Scenario:
    """Discharge tried `minutes` after an IV infusion stopped: the refusal, or "discharged"."""
    def scenario(w: World):
        pid, sid = w.prepared()
        w.clinic.give(sid)
        w.later(minutes=minutes)

        def attempt() -> str:
            try:
                return w.services.monitoring.discharge(w.staff["nurse"], sid, ALDRETE_FULL, True).summary.status.value
            except ClinicError as exc:
                return exc.message
        return attempt
    return scenario


def esketamine_discharge_after(minutes: int) -> Scenario:
    def scenario(w: World):
        p = w.clinic.patient(consent=Protocol.ESKETAMINE, weight=None)
        w.services.patients.record_rems_enrollment(w.staff["physician"], p.id)
        sid = w.clinic.plan(p.id, Protocol.ESKETAMINE, sessions=8, weekdays=(0, 3), target="56").sessions[0].id
        w.clinic.prepare(p.id, sid)
        w.services.doses.order(w.staff["physician"], sid, DoseOrderForm(dose_mg="56"), PASSWORD)
        w.services.doses.start(w.staff["nurse"], sid, "SPR-1", LOT_EXPIRY)
        w.later(minutes=10)
        w.services.doses.stop(w.staff["nurse"], sid, password=PASSWORD)
        w.later(minutes=minutes - 10)

        def attempt() -> str:
            try:
                return w.services.monitoring.discharge(w.staff["nurse"], sid, ALDRETE_FULL, True).summary.status.value
            except ClinicError as exc:
                return exc.message
        return attempt
    return scenario


MADRS_ITEM10_3 = [3, 3, 3, 3, 0, 0, 0, 0, 0, 3]
CADSS_5 = [1] * 5 + [0] * 18

CASES = [
    # Dosing (the calculator's findings; session 1 of an IV induction, 80 kg, 165 cm: BMI 29.4)
    Case("iv_low_mg_per_kg", "0.2", preview(iv("0.15")), (), ("iv_below_studied_range",)),
    Case("iv_override_above_mg_per_kg", "0.6", preview(iv("0.7", "60")), (), ("iv_above_usual_range",)),
    Case("iv_refuse_above_mg_per_kg", "0.85", preview(iv("0.9", "60")), ("iv_above_usual_range",),
         ("iv_above_limit",)),
    Case("iv_max_rate_mg_per_kg_h", "0.5", preview(iv("0.5")), (), ("iv_rate_above_limit",)),
    Case("iv_min_duration_min", 50, preview(iv("0.5")), (), ("iv_short_duration",)),
    Case("bolus_override_above_mg_per_kg", "0.3", preview(IM_BOLUS("0.4"), Protocol.IM), (),
         ("bolus_above_usual",)),
    Case("bolus_refuse_above_mg_per_kg", "0.55", preview(IM_BOLUS("0.6"), Protocol.IM), ("bolus_above_usual",),
         ("bolus_above_limit",)),
    Case("weight_basis_policy", "ideal_if_obese", preview(iv("0.5"), weight="100"), (), ("weight_basis_policy",)),
    Case("obesity_bmi", "25", preview(iv("0.5")), (), ("weight_basis_policy",),
         setup=(("weight_basis_policy", "ideal_if_obese"),)),
    Case("weight_max_age_days", 7, weighed_days_ago(10), (), ("weight_stale",)),
    Case("max_sessions_per_7_days", 1, second_session_preview, (), ("too_many_sessions",)),
    Case("min_hours_between_doses", 72, second_session_preview, (), ("too_soon",)),
    # Vital signs during the infusion (baseline 124/78, HR 72, SpO2 98, RR 14); the rise alert is out of the way
    # (100 %) where it would add its own alert.
    Case("sbp_high", 150, reading(systolic=155), (),
         needs_action("Systolic blood pressure 155 mmHg is at or above 150 mmHg (the alert limit)."),
         setup=(("sbp_rise_percent", 100),)),
    Case("dbp_high", 95, reading(diastolic=100), (),
         needs_action("Diastolic blood pressure 100 mmHg is at or above 95 mmHg (the alert limit).")),
    Case("sbp_urgent", 170, reading(systolic=175), (),
         needs_action("Systolic blood pressure 175 mmHg is above 170 mmHg (hypertensive urgency): act now and "
                      "notify the physician."), setup=(("sbp_rise_percent", 100),)),
    Case("dbp_urgent", 100, reading(diastolic=105), (),
         needs_action("Diastolic blood pressure 105 mmHg is above 100 mmHg (hypertensive urgency): act now and "
                      "notify the physician.")),
    Case("sbp_rise_percent", 20, reading(systolic=150), (),
         needs_action("Systolic blood pressure 150 mmHg is at or above 148.8 mmHg, 20 % above the baseline of "
                      "124 mmHg.")),
    Case("sbp_low", 100, reading(systolic=95), (),
         needs_action("Systolic blood pressure 95 mmHg is below 100 mmHg (low blood pressure).")),
    Case("hr_high", 100, reading(heart_rate=110), (),
         needs_action("Heart rate 110/min is above 100/min (fast heart rate).")),
    Case("hr_low", 60, reading(heart_rate=55), (), needs_action("Heart rate 55/min is below 60/min (slow heart rate).")),
    Case("spo2_low", 95, reading(spo2=94), (),
         needs_action("SpO₂ 94 % is below 95 %: check the airway and breathing now.")),
    Case("rr_low", 12, reading(resp_rate=11), (),
         needs_action("Respiratory rate 11/min is below 12/min (slow breathing): check the airway now.")),
    Case("rr_high", 22, reading(resp_rate=25), (),
         needs_action("Respiratory rate 25/min is above 22/min (fast breathing).")),
    Case("temp_high_c", "37.5", reading(temperature_c="37.6"), (),
         needs_action("Temperature 37.6 °C is at or above 37.5 °C (fever).")),
    Case("predose_sbp_max", 120, blocking_checks(), ("dose_order",), ("baseline_vitals", "dose_order")),
    Case("predose_dbp_max", 75, blocking_checks(), ("dose_order",), ("baseline_vitals", "dose_order")),
    Case("screening_max_age_days", 7, screened_days_ago, ("dose_order",), ("dose_order", "screening")),
    Case("vitals_interval_during_min", 5, board_due(after_stop=False), 10, 5),
    Case("vitals_interval_after_min", 30, board_due(after_stop=True), 15, 30),
    # Rating scales
    Case("phq9_item9_alert_min", 2, scale("phq9", [1] * 9), ("phq9_item9",), ()),
    Case("madrs_item10_flag_min", 3, scale("madrs", MADRS_ITEM10_3), (), ("madrs_item10",)),
    Case("moaas_alert_at_or_below", 3, scale("moaas", [3], Timepoint.DURING), (), ("moaas_deep_sedation",)),
    Case("cadss_dissociation_above", 10, scale("cadss", CADSS_5, Timepoint.DURING), ("cadss_dissociation",), ()),
    Case("bprs_positive_increase_alert", 2,
         scale("bprs_positive", [1, 1, 0, 0], Timepoint.POST, first=([0, 0, 0, 0], Timepoint.PRE)),
         (), ("bprs_positive_rise",)),
    Case("partial_response_percent", 15, outcome("phq9", [3, 3, 3, 3, 3, 3, 2, 0, 0], [2, 2, 2, 2, 2, 2, 2, 2, 0]),
         "no response", "partial response"),
    Case("phq9_remission_below", 7, outcome("phq9", [3, 3, 3, 3, 3, 3, 2, 0, 0], [1] * 6 + [0] * 3),
         "response", "remission"),
    Case("gad7_remission_below", 7, outcome("gad7", [3, 3, 3, 3, 3, 0, 0], [1] * 6 + [0]), "response", "remission"),
    Case("madrs_remission_at_or_below", 12, outcome("madrs", [3] * 10, [2] * 6 + [0] * 4), "response", "remission"),
    # Discharge after an IV infusion stopped at 09:40 (observation anchored on the stop), and after esketamine
    # started at 09:00 (anchored on the start)
    Case("iv_min_observation_min", 60, discharge_after(20), "Observation continues until 10:10 (30 minutes).",
         "Observation continues until 10:40 (60 minutes)."),
    Case("esketamine_min_observation_min", 180, esketamine_discharge_after(100),
         "Observation continues until 11:00 (120 minutes).", "Observation continues until 12:00 (180 minutes)."),
]

#: Safety settings whose change is acted on in another test (named here, and checked to exist).
ACTED_ON_ELSEWHERE = {
    "discharge_score_min": "test_lower_discharge_minimum_allows_discharge_at_eight",
    "discharge_scale": "test_discharge_respects_padss_when_chosen",
    "response_reduction_percent": "test_changed_response_threshold_regrades_stored_outcomes",
    "charting_before_session_hours": "test_the_clinics_allowance_before_the_session_is_the_one_applied",
    "idle_lock_minutes": "test_a_new_idle_lock_time_applies_at_once",
    "emergency_access_minutes": "test_emergency_access_lasts_the_configured_minutes",
    "backup_generations": "test_pruning_keeps_the_set_number_of_automatic_backups_and_never_others",
}
#: Settings no service or screen acts on yet: only the domain reads them, and its own tests change them.
NOT_ACTED_ON_YET = {
    "esketamine_device_interval_min": "device times are not recorded by any service; domain/dosing checks them",
    "recheck_minutes": "the re-check time is computed by domain/vitals but not shown or scheduled anywhere",
}


def test_every_setting_is_acted_on_at_a_non_default_value_somewhere():
    """A new setting fails here until a case acts on it (or it is listed, with the test that does)."""
    names = {f.name for f in dataclasses.fields(ClinicSettings)}
    cased = [c.setting for c in CASES]
    assert len(cased) == len(set(cased))
    assert set(cased) | set(ACTED_ON_ELSEWHERE) | set(NOT_ACTED_ON_YET) == names
    assert not (set(cased) & set(ACTED_ON_ELSEWHERE)) and not (set(cased) & set(NOT_ACTED_ON_YET))
    source = "".join(p.read_text() for p in TESTS.rglob("test_*.py"))
    for test in ACTED_ON_ELSEWHERE.values():
        assert f"def {test}(" in source, test
    for case in CASES:  # each case really moves its setting away from the default
        changed = ClinicSettings().with_changes({**dict(case.setup), case.setting: case.value})
        assert getattr(changed, case.setting) != getattr(ClinicSettings(), case.setting), case.setting


@pytest.mark.parametrize("case", CASES, ids=[c.setting for c in CASES])
def test_the_clinics_value_governs_the_action(clinic, case):
    world = World(clinic)
    admin = clinic.staff["admin"]
    if case.setup:
        clinic.services.settings.update(admin, dict(case.setup))
    observe = case.scenario(world)
    assert observe() == case.at_default
    clinic.services.settings.update(clinic.staff["admin"], {case.setting: case.value})
    assert observe() == case.at_changed
