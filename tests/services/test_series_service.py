"""SeriesService against a real SQLite file: planning sessions in local time, target doses, stopping."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from clinic_desktop.domain.enums import Protocol, SeriesStatus, SessionStatus
from clinic_desktop.domain.errors import NotFound, RuleViolation, ValidationError

ZONE = ZoneInfo("America/New_York")


def _local(session):
    return session.scheduled_at.astimezone(ZONE)


def test_iv_induction_planned_on_mon_wed_fri_at_nine_local(clinic):
    """Six sessions numbered 1..6 on Mon/Wed/Fri at 09:00 local, the first today."""
    p = clinic.patient()
    series = clinic.plan(p.id)
    assert series.status is SeriesStatus.PLANNED and series.planned_sessions == 6
    assert series.weekdays == (0, 2, 4) and series.target_dose == Decimal("0.5")
    assert series.target_dose_label == "0.5 mg/kg" and series.chair == "Chair 1"
    assert [s.sequence for s in series.sessions] == [1, 2, 3, 4, 5, 6]
    assert [_local(s).date() for s in series.sessions] == [
        date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 11), date(2026, 3, 13)]
    assert {_local(s).time() for s in series.sessions} == {time(9, 0)}
    assert all(s.status is SessionStatus.SCHEDULED and s.label == f"Session {s.sequence} of 6"
               for s in series.sessions)


def test_sessions_stay_at_nine_local_across_the_dst_change(clinic):
    """After 2026-03-08 (EST -> EDT) 09:00 local is 13:00 UTC instead of 14:00 UTC."""
    series = clinic.plan(clinic.patient().id)
    utc_hours = [s.scheduled_at.hour for s in series.sessions]
    assert utc_hours == [14, 14, 14, 13, 13, 13]
    assert all(s.scheduled_at.utcoffset() == timedelta(0) for s in series.sessions)


def test_plan_read_back_from_the_chart_matches(clinic, services, staff):
    """The chart shows the same sessions and times the plan returned (stored as UTC, read back aware)."""
    p = clinic.patient()
    planned = clinic.plan(p.id)
    (on_chart,) = services.patients.chart(staff["nurse"], p.id).series
    assert on_chart == planned
    assert services.series.get(staff["nurse"], planned.id) == planned


def test_first_session_falls_on_the_next_chosen_weekday(clinic, services):
    """Starting on a Saturday puts session 1 on the following Monday."""
    saturday = date(2026, 3, 7)
    series = clinic.plan(clinic.patient().id, sessions=2, start=saturday)
    assert [_local(s).date() for s in series.sessions] == [date(2026, 3, 9), date(2026, 3, 11)]
    assert series.start_date == saturday


def test_start_in_the_past_is_refused(clinic, services, staff):
    """Yesterday cannot be the start of a series, and nothing is created."""
    p = clinic.patient()
    with pytest.raises(ValidationError) as caught:
        clinic.plan(p.id, start=services.context.today() - timedelta(days=1))
    assert caught.value.field == "start_date"
    assert services.patients.chart(staff["nurse"], p.id).series == ()


@pytest.mark.parametrize("target, ok", [("56", True), ("84", False), ("28", False)])
def test_esketamine_series_starts_at_56_mg(clinic, services, staff, target, ok):
    """SPRAVATO induction always starts at 56 mg; any other planned start dose is refused."""
    p = clinic.patient(consent=Protocol.ESKETAMINE)
    if ok:
        series = clinic.plan(p.id, Protocol.ESKETAMINE, sessions=8, weekdays=(0, 3), target=target)
        assert series.target_dose == Decimal(56) and series.target_dose_label == "56 mg"
        return
    with pytest.raises(ValidationError) as caught:
        clinic.plan(p.id, Protocol.ESKETAMINE, sessions=8, weekdays=(0, 3), target=target)
    assert caught.value.field == "target_dose"
    assert services.patients.chart(staff["nurse"], p.id).series == ()


@pytest.mark.parametrize("target, ok", [("1.0", True), ("1.01", False), ("1.2", False), ("0", False)])
def test_racemic_target_within_the_iv_hard_limit(clinic, services, target, ok):
    """A planned IV target above the 1.0 mg/kg hard limit (or zero) is refused; 1.0 itself is allowed."""
    p = clinic.patient()
    if ok:
        assert clinic.plan(p.id, target=target).target_dose == Decimal(target)
        return
    with pytest.raises(ValidationError) as caught:
        clinic.plan(p.id, target=target)
    assert caught.value.field == "target_dose"


def test_unknown_protocol_and_bad_weekdays_are_field_errors(clinic, services, staff):
    """An unknown protocol, no weekday, or weekday 7 each name their field."""
    p = clinic.patient()
    plan = services.series.plan
    with pytest.raises(ValidationError) as caught:
        plan(staff["physician"], p.id, "oral", date(2026, 3, 2), (0,), 1, time(9), "0.5")
    assert caught.value.field == "protocol"
    for days in ((), (7,)):
        with pytest.raises(ValidationError) as caught:
            plan(staff["physician"], p.id, Protocol.IV_INDUCTION, date(2026, 3, 2), days, 1, time(9), "0.5")
        assert caught.value.field == "weekdays"


def test_plan_for_unknown_patient_or_chair_is_not_found(clinic, services, staff):
    """A series cannot be planned for a patient or chair that does not exist."""
    with pytest.raises(NotFound):
        services.series.plan(staff["physician"], 999, Protocol.IV_INDUCTION, date(2026, 3, 2), (0,), 1, time(9), "0.5")
    p = clinic.patient()
    with pytest.raises(NotFound):
        services.series.plan(staff["physician"], p.id, Protocol.IV_INDUCTION, date(2026, 3, 2), (0,), 1, time(9),
                             "0.5", chair_id=999)


@pytest.mark.parametrize("reason", ["", "   "])
def test_stop_requires_a_reason(clinic, services, staff, reason):
    """Stopping a series without a reason is refused and the series carries on."""
    series = clinic.plan(clinic.patient().id)
    with pytest.raises(ValidationError) as caught:
        services.series.stop(staff["physician"], series.id, reason)
    assert caught.value.field == "reason"
    assert services.series.get(staff["nurse"], series.id).status is SeriesStatus.PLANNED


def test_stop_cancels_scheduled_sessions_but_not_discharged_ones(clinic, services, staff):
    """Session 1 was given and discharged; stopping cancels 2-6 and records the reason on each."""
    p = clinic.patient()
    series = clinic.plan(p.id)
    clinic.full_day(p.id, series.sessions[0].id)
    stopped = services.series.stop(staff["physician"], series.id, "Patient moved away")
    assert stopped.status is SeriesStatus.STOPPED and stopped.stop_reason == "Patient moved away"
    statuses = [s.status for s in stopped.sessions]
    assert statuses == [SessionStatus.DISCHARGED] + [SessionStatus.CANCELLED] * 5
    assert stopped.sessions_done == 1
    detail = services.sessions.detail(staff["nurse"], stopped.sessions[3].id)
    assert detail.summary.status is SessionStatus.CANCELLED
    with pytest.raises(RuleViolation):
        services.series.stop(staff["physician"], series.id, "again")


def test_stopped_series_sessions_cannot_be_checked_in(clinic, services, staff):
    """Once the series is stopped its cancelled sessions are closed for check-in."""
    series = clinic.plan(clinic.patient().id)
    services.series.stop(staff["physician"], series.id, "Referred elsewhere")
    with pytest.raises(RuleViolation):
        services.sessions.check_in(staff["nurse"], series.sessions[0].id)


def test_check_in_makes_the_series_active(clinic, services, staff):
    """The first check-in turns a planned series into an active one."""
    series = clinic.plan(clinic.patient().id)
    services.sessions.check_in(staff["front_desk"], series.sessions[0].id)
    assert services.series.get(staff["nurse"], series.id).status is SeriesStatus.ACTIVE
