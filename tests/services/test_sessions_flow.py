"""A treatment day through the services: check-in, checks, order, dose, vitals, discharge, and each refusal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.enums import AlertAction, Protocol, SeriesStatus, SessionStatus, Timepoint, VitalsPhase
from clinic_desktop.domain.errors import RuleViolation, ValidationError
from clinic_desktop.domain.grading import Grade
from clinic_desktop.services.doses import DoseOrderForm

from tests.conftest import sign_in_again, PASSWORD
from tests.services.service_support import ALDRETE_FULL, IV_ORDER, LOT_EXPIRY, NORMAL

HIGH_BP = {"systolic": 185, "diastolic": 100, "heart_rate": 90, "spo2": 97, "resp_rate": 14}
CSSRS_HIGH = [True, True, False, True, False, False, False]  # Q4: intent without a plan
ESK_56 = DoseOrderForm(dose_mg="56")


@pytest.fixture
def day(clinic):
    """A ready IV patient and the id of session 1 of a six-session induction."""
    p = clinic.patient()
    return p.id, clinic.plan(p.id).sessions[0].id


def _blocking_keys(services, actor, session_id):
    return {c.key for c in services.sessions.checks(actor, session_id) if c.blocks}


def _status(services, actor, session_id):
    return services.sessions.detail(actor, session_id).summary.status


def test_the_whole_day(clinic, services, staff, clock, day):
    """Check in, clear every check, order, start, chart, stop, discharge: each step recorded."""
    pid, sid = day
    services.sessions.check_in(staff["front_desk"], sid, escort_confirmed=True, npo_confirmed=True)
    assert _status(services, staff["nurse"], sid) is SessionStatus.CHECKED_IN
    services.monitoring.record_vitals(staff["nurse"], sid, VitalsPhase.BASELINE, NORMAL)
    services.monitoring.record_scale(staff["nurse"], pid, "phq9", [1] * 8 + [0], Timepoint.PRE, sid)
    assert _blocking_keys(services, staff["nurse"], sid) == {"dose_order"}
    dose = services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    assert (dose.dose_mg, dose.total_volume_ml, dose.pump_rate_ml_per_h) == (Decimal("40.0"), Decimal("100.8"),
                                                                             Decimal("151.2"))
    assert dose.override_level is Grade.OK and dose.ordered_by == "Dr Imani Okafor, MD"
    assert _blocking_keys(services, staff["nurse"], sid) == set()
    started = services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    assert started.started_at == clock.now() and started.administered_by == "Dana Whitlock, RN"
    assert _status(services, staff["nurse"], sid) is SessionStatus.INFUSING
    clock.advance(minutes=10)
    services.monitoring.record_vitals(staff["nurse"], sid, VitalsPhase.DURING, NORMAL)
    clock.advance(minutes=30)
    stopped = services.doses.stop(staff["nurse"], sid, password=PASSWORD, volume_given_ml="100.8")
    assert stopped.volume_given_ml == Decimal("100.8") and stopped.volume_wasted_ml == 0
    assert _status(services, staff["nurse"], sid) is SessionStatus.RECOVERING
    clock.advance(minutes=30)
    detail = services.monitoring.discharge(staff["nurse"], sid, ALDRETE_FULL, True)
    assert detail.summary.status is SessionStatus.DISCHARGED and detail.summary.discharged_at == clock.now()
    assert [v.phase for v in detail.vitals] == [VitalsPhase.BASELINE, VitalsPhase.DURING]
    assert [s.instrument for s in detail.scores] == ["phq9", "aldrete"]
    assert services.series.get(staff["nurse"], detail.summary.series_id).status is SeriesStatus.ACTIVE


# --- who may do what ---------------------------------------------------------------------------------

def test_front_desk_cannot_order_or_give_a_dose(clinic, services, staff, day):
    """Ordering is for physicians and giving the dose for nurses or physicians."""
    pid, sid = day
    clinic.prepare(pid, sid)
    with pytest.raises(PermissionDenied):
        services.doses.order(staff["front_desk"], sid, IV_ORDER, PASSWORD)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    with pytest.raises(PermissionDenied):
        services.doses.start(staff["front_desk"], sid, "LOT-1", LOT_EXPIRY)
    assert _status(services, staff["nurse"], sid) is SessionStatus.CHECKED_IN


def test_nurse_cannot_order(clinic, services, staff, day):
    """A nurse's order is refused and nothing is saved."""
    pid, sid = day
    clinic.prepare(pid, sid)
    with pytest.raises(PermissionDenied):
        services.doses.order(staff["nurse"], sid, IV_ORDER, PASSWORD)
    assert services.sessions.detail(staff["nurse"], sid).dose is None


# --- the order -----------------------------------------------------------------------------------------

def test_refused_dose_is_never_saved(clinic, services, staff, day):
    """1.2 mg/kg IV is above the hard limit: refused even with a reason, and no dose record exists."""
    pid, sid = day
    clinic.prepare(pid, sid)
    with pytest.raises(RuleViolation):
        services.doses.order(staff["physician"], sid, replace(IV_ORDER, mg_per_kg="1.2", override_reason="sure"),
                             PASSWORD)
    assert services.sessions.detail(staff["nurse"], sid).dose is None
    assert "dose_order" in _blocking_keys(services, staff["nurse"], sid)


def test_override_dose_needs_a_reason_and_records_it(clinic, services, staff, day):
    """0.9 mg/kg needs the physician's reason; the saved order carries the override level and reason."""
    pid, sid = day
    clinic.prepare(pid, sid)
    high = replace(IV_ORDER, mg_per_kg="0.9", duration_min="60")
    assert services.doses.preview(staff["physician"], sid, high).needs_override
    with pytest.raises(ValidationError) as caught:
        services.doses.order(staff["physician"], sid, high, PASSWORD)
    assert caught.value.field == "override_reason"
    assert services.sessions.detail(staff["nurse"], sid).dose is None
    dose = services.doses.order(staff["physician"], sid, replace(high, override_reason="Partial response at 0.75"),
                                PASSWORD)
    assert dose.override_level is Grade.OVERRIDE and dose.override_reason == "Partial response at 0.75"
    assert "iv_above_usual_range" in dose.finding_codes and dose.dose_mg == Decimal("72.0")


# --- pre-infusion checks and start -------------------------------------------------------------------

def test_start_refused_until_overridable_checks_are_overridden(clinic, services, staff, day):
    """Unconfirmed escort and no baseline vitals block the start until a physician overrides them."""
    pid, sid = day
    services.sessions.check_in(staff["nurse"], sid, npo_confirmed=True)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    assert _blocking_keys(services, staff["nurse"], sid) == {"escort", "baseline_vitals"}
    with pytest.raises(RuleViolation):
        services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    with pytest.raises(PermissionDenied):
        services.sessions.override_checks(staff["nurse"], sid, "Escort on the way", PASSWORD)
    with pytest.raises(ValidationError):
        services.sessions.override_checks(staff["physician"], sid, "", PASSWORD)
    services.sessions.override_checks(staff["physician"], sid, "Escort on the way; cuff broken, manual BP soon",
                                      PASSWORD)
    services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    assert _status(services, staff["nurse"], sid) is SessionStatus.INFUSING


def test_override_does_not_cover_a_new_problem_under_the_same_check(clinic, services, staff, day):
    """Overriding "no baseline yet" does not also approve a high baseline BP recorded afterwards."""
    pid, sid = day
    services.sessions.check_in(staff["nurse"], sid, escort_confirmed=True, npo_confirmed=True)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    services.sessions.override_checks(staff["physician"], sid, "Cuff broken; proceed", PASSWORD)
    services.monitoring.record_vitals(staff["nurse"], sid, VitalsPhase.BASELINE, dict(NORMAL, systolic=170,
                                                                                      diastolic=100))
    with pytest.raises(RuleViolation):
        services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)


def test_refused_check_cannot_be_overridden(clinic, services, staff):
    """Without a signed consent the physician cannot override; the dose cannot start."""
    p = clinic.patient(consent=None)
    sid = clinic.plan(p.id).sessions[0].id
    clinic.prepare(p.id, sid)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    consent = next(c for c in services.sessions.checks(staff["nurse"], sid) if c.key == "consent")
    assert consent.grade is Grade.REFUSED and not consent.overridable
    with pytest.raises(RuleViolation):
        services.sessions.override_checks(staff["physician"], sid, "Patient agreed verbally", PASSWORD)
    with pytest.raises(RuleViolation):
        services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)


def test_expired_lot_is_refused(clinic, services, staff, day):
    """A lot that expired yesterday cannot be used; one expiring today can."""
    pid, sid = day
    clinic.prepare(pid, sid)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    with pytest.raises(ValidationError) as caught:
        services.doses.start(staff["nurse"], sid, "LOT-OLD", date(2026, 3, 1))
    assert caught.value.field == "lot_expiry"
    assert _status(services, staff["nurse"], sid) is SessionStatus.CHECKED_IN
    assert services.doses.start(staff["nurse"], sid, "LOT-NEW", date(2026, 3, 2)).lot_number == "LOT-NEW"


# --- during the dose ------------------------------------------------------------------------------------

def test_out_of_range_vitals_need_an_alert_action(clinic, services, staff, clock, day):
    """185/100 during the infusion is refused without an action, then saved with it and its alerts."""
    pid, sid = day
    clinic.prepare(pid, sid)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    clock.advance(minutes=10)
    with pytest.raises(ValidationError) as caught:
        services.monitoring.record_vitals(staff["nurse"], sid, VitalsPhase.DURING, HIGH_BP)
    assert caught.value.field == "alert_action"
    assert len(services.sessions.detail(staff["nurse"], sid).vitals) == 1
    entry = services.monitoring.record_vitals(staff["nurse"], sid, VitalsPhase.DURING, HIGH_BP,
                                              alert_action=AlertAction.SLOW, alert_note="Rate halved")
    assert entry.alert_action is AlertAction.SLOW and entry.alert_note == "Rate halved"
    assert entry.alerts and entry.systolic == 185
    assert services.sessions.detail(staff["nurse"], sid).vitals[-1] == entry


@pytest.fixture
def infusing(clinic, services, staff, clock, day):
    """Session 1 with its dose started 40 minutes ago (100.8 mL prepared)."""
    pid, sid = day
    clinic.prepare(pid, sid)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    clock.advance(minutes=40)
    return sid


@pytest.mark.parametrize("who", [None, "nurse", "front_desk"])
def test_waste_needs_another_clinical_witness(services, staff, infusing, who):
    """No witness, the administering nurse herself, or the front desk cannot witness waste."""
    witness = staff[who].id if who else None
    with pytest.raises(ValidationError) as caught:
        services.doses.stop(staff["nurse"], infusing, password=PASSWORD, volume_given_ml="100",
                            volume_wasted_ml="0.8", witness_id=witness, witness_password=PASSWORD)
    assert caught.value.field == "witness_id"
    assert _status(services, staff["nurse"], infusing) is SessionStatus.INFUSING


def test_waste_witnessed_by_another_nurse_is_recorded(services, staff, infusing):
    """A second nurse witnesses the waste; the record names her."""
    dose = services.doses.stop(staff["nurse"], infusing, password=PASSWORD, volume_given_ml="100",
                               volume_wasted_ml="0.8", witness_id=staff["nurse2"].id, witness_password=PASSWORD)
    assert (dose.volume_given_ml, dose.volume_wasted_ml, dose.waste_witness) == (
        Decimal("100"), Decimal("0.8"), "Luis Ferreira, RN")


def test_physician_stopping_cannot_use_the_administering_nurse_as_witness(services, staff, infusing):
    """Whoever stops the dose, the nurse who gave it is not an independent witness."""
    with pytest.raises(ValidationError):
        services.doses.stop(staff["physician"], infusing, password=PASSWORD, volume_given_ml="100",
                            volume_wasted_ml="0.8", witness_id=staff["nurse"].id, witness_password=PASSWORD)


def test_given_and_wasted_cannot_exceed_prepared(services, staff, infusing):
    """100.8 mL was prepared: 100 given plus 1 wasted does not add up."""
    with pytest.raises(ValidationError):
        services.doses.stop(staff["nurse"], infusing, password=PASSWORD, volume_given_ml="100",
                            volume_wasted_ml="1", witness_id=staff["nurse2"].id, witness_password=PASSWORD)
    assert _status(services, staff["nurse"], infusing) is SessionStatus.INFUSING


# --- discharge and the series ---------------------------------------------------------------------------

def test_discharge_refusals_then_discharge(services, staff, clock, infusing):
    """Aldrete 8, no escort, or too early are each refused; after 30 min with 9 and escort it is allowed."""
    services.doses.stop(staff["nurse"], infusing, password=PASSWORD, volume_given_ml="100.8")
    clock.advance(minutes=29)
    with pytest.raises(RuleViolation):
        services.monitoring.discharge(staff["nurse"], infusing, [2, 2, 2, 2, 0], True)
    with pytest.raises(RuleViolation):
        services.monitoring.discharge(staff["nurse"], infusing, ALDRETE_FULL, False)
    with pytest.raises(RuleViolation):
        services.monitoring.discharge(staff["nurse"], infusing, ALDRETE_FULL, True)
    assert _status(services, staff["nurse"], infusing) is SessionStatus.RECOVERING
    with pytest.raises(PermissionDenied):
        services.monitoring.discharge(staff["front_desk"], infusing, ALDRETE_FULL, True)
    clock.advance(minutes=1)
    detail = services.monitoring.discharge(staff["nurse"], infusing, [2, 2, 2, 1, 2], True)
    assert detail.summary.status is SessionStatus.DISCHARGED and detail.summary.discharged_at == clock.now()


def test_series_completes_when_the_last_session_is_discharged(clinic, services, staff, clock):
    """A two-session series is active after the first discharge and completed after the second."""
    p = clinic.patient()
    series = clinic.plan(p.id, sessions=2)
    clinic.full_day(p.id, series.sessions[0].id)
    assert services.series.get(staff["nurse"], series.id).status is SeriesStatus.ACTIVE
    clock.set(series.sessions[1].scheduled_at)
    sign_in_again(staff, clock)
    clinic.full_day(p.id, series.sessions[1].id)
    done = services.series.get(staff["nurse"], series.id)
    assert done.status is SeriesStatus.COMPLETED and done.sessions_done == 2


def test_series_completes_when_its_last_session_is_cancelled(clinic, services, staff):
    """Session 1 given, session 2 cancelled: nothing is left to happen, so the series is completed."""
    p = clinic.patient()
    series = clinic.plan(p.id, sessions=2)
    clinic.full_day(p.id, series.sessions[0].id)
    services.sessions.cancel(staff["front_desk"], series.sessions[1].id, "Patient unwell")
    assert services.series.get(staff["nurse"], series.id).status is SeriesStatus.COMPLETED


def test_series_stopped_during_a_session_stays_stopped_after_its_discharge(clinic, services, staff, clock, infusing):
    """Stopping mid-infusion keeps the session going to discharge; the series stays stopped, with its reason."""
    series_id = services.sessions.detail(staff["nurse"], infusing).summary.series_id
    services.series.stop(staff["physician"], series_id, "Severe emergence reaction")
    services.doses.stop(staff["nurse"], infusing, password=PASSWORD, volume_given_ml="50")
    clock.advance(minutes=30)
    services.monitoring.discharge(staff["nurse"], infusing, ALDRETE_FULL, True)
    series = services.series.get(staff["nurse"], series_id)
    assert (series.status, series.stop_reason) == (SeriesStatus.STOPPED, "Severe emergence reaction")


def test_cancel_and_no_show_transitions(clinic, services, staff, clock, day):
    """Cancel needs a reason; no-show only once the session's time has come and before check-in; a closed session
    takes no further step."""
    pid, sid = day
    series_id = services.sessions.detail(staff["nurse"], sid).summary.series_id
    second, third, fourth = services.series.get(staff["nurse"], series_id).sessions[1:4]
    with pytest.raises(ValidationError):
        services.sessions.cancel(staff["front_desk"], sid, "")
    with pytest.raises(RuleViolation, match="time has not come yet"):
        services.sessions.mark_no_show(staff["front_desk"], second.id)
    clock.set(second.scheduled_at)
    sign_in_again(staff, clock)
    assert services.sessions.mark_no_show(staff["front_desk"], second.id).summary.status is SessionStatus.NO_SHOW
    with pytest.raises(RuleViolation):
        services.sessions.check_in(staff["front_desk"], second.id)
    clock.set(third.scheduled_at)
    sign_in_again(staff, clock)
    services.sessions.check_in(staff["front_desk"], third.id)
    sid, third = third.id, fourth
    with pytest.raises(RuleViolation):
        services.sessions.mark_no_show(staff["front_desk"], sid)
    cancelled = services.sessions.cancel(staff["front_desk"], sid, "Felt unwell on arrival")
    assert cancelled.summary.status is SessionStatus.CANCELLED
    with pytest.raises(RuleViolation):
        services.monitoring.record_vitals(staff["nurse"], sid, VitalsPhase.BASELINE, NORMAL)
    with pytest.raises(RuleViolation):
        services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    assert services.sessions.cancel(staff["front_desk"], third.id, "Holiday").summary.status is SessionStatus.CANCELLED


def test_infusing_session_cannot_be_cancelled(services, staff, infusing):
    """Once the dose runs, the session must be stopped and discharged, not cancelled."""
    with pytest.raises(RuleViolation):
        services.sessions.cancel(staff["nurse"], infusing, "Changed mind")


# --- esketamine -----------------------------------------------------------------------------------------

@pytest.fixture
def esk(clinic, services, staff):
    """A REMS-enrolled esketamine patient checked in for session 1, ready but for the order."""
    p = clinic.patient(consent=Protocol.ESKETAMINE, weight=None)
    services.patients.record_rems_enrollment(staff["physician"], p.id)
    sid = clinic.plan(p.id, Protocol.ESKETAMINE, sessions=8, weekdays=(0, 3), target="56").sessions[0].id
    clinic.prepare(p.id, sid)
    return sid


def test_esketamine_first_dose_must_be_56_mg(services, staff, esk):
    """84 mg is refused as a first dose and not saved; 56 mg (2 devices) is ordered."""
    with pytest.raises(RuleViolation):
        services.doses.order(staff["physician"], esk, DoseOrderForm(dose_mg="84", override_reason="x"), PASSWORD)
    assert services.sessions.detail(staff["nurse"], esk).dose is None
    assert services.doses.preview(staff["physician"], esk, ESK_56).esketamine_devices == 2
    dose = services.doses.order(staff["physician"], esk, ESK_56, PASSWORD)
    assert dose.dose_mg == Decimal(56) and dose.mg_per_kg is None and dose.total_volume_ml is None


def test_esketamine_discharge_needs_120_minutes_from_start(services, staff, clock, esk):
    """Esketamine is observed 2 h from the start, however early the devices are done."""
    services.doses.order(staff["physician"], esk, ESK_56, PASSWORD)
    services.doses.start(staff["nurse"], esk, "SPR-1", LOT_EXPIRY)
    clock.advance(minutes=10)
    services.doses.stop(staff["nurse"], esk, password=PASSWORD)
    clock.advance(minutes=100)
    with pytest.raises(RuleViolation):
        services.monitoring.discharge(staff["nurse"], esk, ALDRETE_FULL, True)
    clock.advance(minutes=10)
    assert services.monitoring.discharge(staff["nurse"], esk, ALDRETE_FULL, True).summary.status is \
        SessionStatus.DISCHARGED


def test_esketamine_needs_rems_enrollment(clinic, services, staff):
    """Without REMS enrollment the esketamine checklist has a hard stop that no override clears."""
    p = clinic.patient(consent=Protocol.ESKETAMINE, weight=None)
    sid = clinic.plan(p.id, Protocol.ESKETAMINE, sessions=8, weekdays=(0, 3), target="56").sessions[0].id
    clinic.prepare(p.id, sid)
    services.doses.order(staff["physician"], sid, ESK_56, PASSWORD)
    assert _blocking_keys(services, staff["nurse"], sid) == {"rems"}
    with pytest.raises(RuleViolation):
        services.sessions.override_checks(staff["physician"], sid, "Form in the post", PASSWORD)
    services.patients.record_rems_enrollment(staff["physician"], p.id)
    assert services.patients.chart(staff["nurse"], p.id).rems_enrolled_on == services.context.today()
    assert _blocking_keys(services, staff["nurse"], sid) == set()


# --- suicide screen -------------------------------------------------------------------------------------

@pytest.mark.parametrize("instrument, answers", [("phq9", [2] * 8 + [1]), ("cssrs_screener", CSSRS_HIGH)])
def test_suicide_finding_blocks_start_until_acknowledged(clinic, services, staff, day, instrument, answers):
    """PHQ-9 item 9 > 0 or a high-risk C-SSRS before the infusion blocks until a clinician acknowledges it."""
    pid, sid = day
    clinic.prepare(pid, sid)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    score = services.monitoring.record_scale(staff["nurse"], pid, instrument, answers, Timepoint.PRE, sid)
    assert _blocking_keys(services, staff["nurse"], sid) == {"suicide_screen"}
    with pytest.raises(RuleViolation):
        services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    with pytest.raises(PermissionDenied):
        services.monitoring.acknowledge(staff["front_desk"], score.id)
    assert services.monitoring.acknowledge(staff["physician"], score.id).acknowledged
    assert _blocking_keys(services, staff["nurse"], sid) == set()
    services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)


def test_phq9_item9_zero_does_not_block(clinic, services, staff, day):
    """A PHQ-9 with item 9 = 0 leaves the suicide screen clear."""
    pid, sid = day
    clinic.prepare(pid, sid)
    screen = next(c for c in services.sessions.checks(staff["nurse"], sid) if c.key == "suicide_screen")
    assert screen.grade is Grade.OK


def test_vitals_phase_must_agree_with_the_dose_times(services, staff, clock, infusing):
    """A baseline after the start, an 'after' reading before the stop: refused, nothing saved."""
    count = len(services.sessions.detail(staff["nurse"], infusing).vitals)
    with pytest.raises(ValidationError) as caught:
        services.monitoring.record_vitals(staff["nurse"], infusing, VitalsPhase.BASELINE, NORMAL)
    assert caught.value.field == "phase"
    with pytest.raises(ValidationError):
        services.monitoring.record_vitals(staff["nurse"], infusing, VitalsPhase.AFTER, NORMAL)
    services.monitoring.record_vitals(staff["nurse"], infusing, VitalsPhase.DURING, NORMAL)
    assert len(services.sessions.detail(staff["nurse"], infusing).vitals) == count + 1
    services.doses.stop(staff["nurse"], infusing, password=PASSWORD, volume_given_ml="100.8")
    clock.advance(minutes=15)
    with pytest.raises(ValidationError):
        services.monitoring.record_vitals(staff["nurse"], infusing, VitalsPhase.DURING, NORMAL)
    services.monitoring.record_vitals(staff["nurse"], infusing, VitalsPhase.AFTER, NORMAL)
