"""The chart's latest scores and series outcomes, and clinic settings that change how records are graded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import SessionStatus, Timepoint
from clinic_desktop.domain.errors import RuleViolation, ValidationError, ValidationErrors

from tests.conftest import sign_in_again
from tests.services.service_support import ALDRETE_FULL

PHQ9_20 = [3, 3, 3, 3, 2, 2, 2, 2, 0]
PHQ9_10 = [2, 2, 2, 1, 1, 1, 1, 0, 0]
PHQ9_4 = [1, 1, 1, 1, 0, 0, 0, 0, 0]
PHQ9_12 = [2, 2, 2, 2, 1, 1, 1, 1, 0]
GAD7_8 = [2, 2, 1, 1, 1, 1, 0]
CSSRS_NONE = [False, False, None, None, None, False, False]


@pytest.fixture
def two_sessions(clinic):
    """A patient with a planned series: (patient id, series id, session 1 id, session 2 id)."""
    p = clinic.patient()
    series = clinic.plan(p.id)
    return p.id, series.id, series.sessions[0].id, series.sessions[1].id


def _pre(services, staff, pid, sid, answers, code="phq9"):
    return services.monitoring.record_scale(staff["nurse"], pid, code, answers, Timepoint.PRE, sid)


def _outcome(services, staff, pid, code="phq9"):
    return next(o for o in services.patients.chart(staff["nurse"], pid).outcomes if o.instrument == code)


# --- latest scores -------------------------------------------------------------------------------------

def test_chart_shows_latest_score_per_scale_in_chart_order(services, staff, clock, two_sessions):
    """PHQ-9 20 then 10: the chart shows 10 (moderate), beside the latest GAD-7 and C-SSRS."""
    pid, _, s1, s2 = two_sessions
    _pre(services, staff, pid, s1, PHQ9_20)
    services.monitoring.record_scale(staff["nurse"], pid, "cssrs_screener", CSSRS_NONE, Timepoint.VISIT)
    clock.advance(days=2)
    sign_in_again(staff, clock)
    _pre(services, staff, pid, s2, PHQ9_10)
    services.monitoring.record_scale(staff["front_desk"], pid, "gad7", GAD7_8, Timepoint.VISIT)
    latest = services.patients.chart(staff["nurse"], pid).latest_scores
    assert [(s.instrument, s.total, s.band) for s in latest] == [
        ("phq9", 10, "moderate"), ("gad7", 8, "mild"), ("cssrs_screener", 0, "none")]


def test_backdated_score_does_not_replace_a_newer_one(services, staff, clock, two_sessions):
    """A paper form entered late with its real (earlier) time does not become the latest score."""
    pid, _, s1, _ = two_sessions
    _pre(services, staff, pid, s1, PHQ9_10)
    services.monitoring.record_scale(staff["nurse"], pid, "phq9", PHQ9_20, Timepoint.VISIT,
                                     taken_at=clock.now() - timedelta(days=7))
    (phq9,) = services.patients.chart(staff["nurse"], pid).latest_scores
    assert phq9.total == 10


def test_latest_of_two_scores_taken_at_the_same_time_is_the_last_entered(services, staff, two_sessions):
    """Two PHQ-9s with the same time (a correction re-entered): the chart shows the one entered last."""
    pid, _, s1, _ = two_sessions
    for answers in (PHQ9_20, PHQ9_4, PHQ9_10):
        _pre(services, staff, pid, s1, answers)
    assert [s.total for s in services.patients.chart(staff["nurse"], pid).latest_scores] == [10]


def test_clinician_scale_needs_clinical_staff(services, staff, two_sessions):
    """Front desk may enter a patient's PHQ-9 but not rate the C-SSRS."""
    pid, _, s1, _ = two_sessions
    with pytest.raises(PermissionDenied):
        services.monitoring.record_scale(staff["front_desk"], pid, "cssrs_screener", CSSRS_NONE, Timepoint.PRE, s1)
    assert services.patients.chart(staff["nurse"], pid).latest_scores == ()


# --- outcomes ------------------------------------------------------------------------------------------

def test_phq9_halving_across_sessions_is_a_response(services, staff, clock, two_sessions):
    """Baseline 20 before session 1, 10 before session 2: a 50 % reduction is a response."""
    pid, series_id, s1, s2 = two_sessions
    _pre(services, staff, pid, s1, PHQ9_20)
    assert _outcome(services, staff, pid).status == "baseline only"
    clock.advance(days=2)
    sign_in_again(staff, clock)
    _pre(services, staff, pid, s2, PHQ9_10)
    line = _outcome(services, staff, pid)
    assert (line.series_id, line.baseline, line.latest, line.n_points) == (series_id, 20, 10, 2)
    assert line.percent_change == Decimal("-50.0") and line.status == "response"


def test_phq9_below_five_is_remission(services, staff, clock, two_sessions):
    """Baseline 20, then 4: remission (PHQ-9 below 5) outranks response."""
    pid, _, s1, s2 = two_sessions
    _pre(services, staff, pid, s1, PHQ9_20)
    clock.advance(days=2)
    sign_in_again(staff, clock)
    _pre(services, staff, pid, s2, PHQ9_4)
    assert _outcome(services, staff, pid).status == "remission"


def test_outcomes_use_only_pre_infusion_scores(services, staff, clock, two_sessions):
    """A PHQ-9 taken after the infusion does not count towards the series outcome."""
    pid, _, s1, s2 = two_sessions
    _pre(services, staff, pid, s1, PHQ9_20)
    clock.advance(hours=2)
    services.monitoring.record_scale(staff["nurse"], pid, "phq9", PHQ9_4, Timepoint.POST, s1)
    clock.advance(days=2)
    sign_in_again(staff, clock)
    _pre(services, staff, pid, s2, PHQ9_12)
    line = _outcome(services, staff, pid)
    assert (line.latest, line.n_points, line.status) == (12, 2, "partial response")


# --- settings --------------------------------------------------------------------------------------------

def test_lower_discharge_minimum_allows_discharge_at_eight(clinic, services, staff, clock, two_sessions):
    """Aldrete 8 is refused at the default minimum of 9 and allowed once the clinic sets 8."""
    pid, _, s1, _ = two_sessions
    clinic.prepare(pid, s1)
    clinic.give(s1)
    clock.advance(minutes=30)
    with pytest.raises(RuleViolation):
        services.monitoring.discharge(staff["nurse"], s1, [2, 2, 2, 2, 0], True)
    updated = services.settings.update(staff["physician"], {"discharge_score_min": 8})
    assert updated.discharge_score_min == 8 == services.settings.current(staff["nurse"]).discharge_score_min
    detail = services.monitoring.discharge(staff["nurse"], s1, [2, 2, 2, 2, 0], True)
    assert detail.summary.status is SessionStatus.DISCHARGED
    assert detail.scores[-1].band == "fit for discharge"


def test_changed_response_threshold_regrades_stored_outcomes(services, staff, clock, two_sessions):
    """20 -> 12 is a partial response at 50 %, and a response once the clinic sets 40 %."""
    pid, _, s1, s2 = two_sessions
    _pre(services, staff, pid, s1, PHQ9_20)
    clock.advance(days=2)
    sign_in_again(staff, clock)
    _pre(services, staff, pid, s2, PHQ9_12)
    assert _outcome(services, staff, pid).status == "partial response"
    services.settings.update(staff["admin"], {"response_reduction_percent": 40})
    assert _outcome(services, staff, pid).status == "response"


@pytest.mark.parametrize("changes", [
    {"discharge_score_min": 8, "hr_high": "fast"},
    {"discharge_score_min": 8, "hr_high": 500},
    {"discharge_score_min": 8, "no_such_setting": 1},
    {"discharge_score_min": 8, "iv_override_above_mg_per_kg": "0.9", "iv_refuse_above_mg_per_kg": "0.8"},
    {"discharge_scale": "vibes"},
])
def test_invalid_settings_change_nothing(services, staff, changes):
    """One bad value rejects the whole change: no setting is stored, the defaults stay in force."""
    with pytest.raises((ValidationError, ValidationErrors)):
        services.settings.update(staff["admin"], changes)
    assert services.settings.current(staff["nurse"]) == ClinicSettings()


def test_setting_back_to_default_stores_nothing(services, staff):
    """Returning a setting to its default removes the stored difference."""
    services.settings.update(staff["admin"], {"discharge_score_min": 8, "hr_high": 110})
    stored = services.settings.current(staff["nurse"]).changed_from_default()
    assert stored == {"discharge_score_min": 8, "hr_high": 110}
    services.settings.update(staff["admin"], {"discharge_score_min": "9"})
    assert services.settings.current(staff["nurse"]).changed_from_default() == {"hr_high": 110}


@pytest.mark.parametrize("role", ["nurse", "front_desk"])
def test_only_physician_or_administrator_changes_settings(services, staff, role):
    """Clinical thresholds are editable only by a physician or an administrator (reference scope)."""
    with pytest.raises(PermissionDenied):
        services.settings.update(staff[role], {"discharge_score_min": 7})
    assert services.settings.current(staff["nurse"]) == ClinicSettings()


def test_discharge_respects_padss_when_chosen(clinic, services, staff, clock, two_sessions):
    """With PADSS as the clinic's discharge score, the PADSS answers are what is graded and stored."""
    pid, _, s1, _ = two_sessions
    services.settings.update(staff["admin"], {"discharge_scale": "padss"})
    clinic.prepare(pid, s1)
    clinic.give(s1)
    clock.advance(minutes=30)
    detail = services.monitoring.discharge(staff["nurse"], s1, ALDRETE_FULL, True)
    assert detail.scores[-1].instrument == "padss"
