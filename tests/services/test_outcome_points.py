"""Every pre-infusion PHQ-9 / GAD-7 / MADRS point per series, as the outcomes chart reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.enums import Protocol, Timepoint
from clinic_desktop.domain.errors import NotFound

from tests.conftest import sign_in_again

#: Items per scale that the helper fills (PHQ-9 item 9 stays 0, so no alert interrupts the test).
_ITEMS = {"phq9": (8, 9), "gad7": (7, 7), "madrs": (10, 10)}


def answers(code: str, total: int) -> list[int]:
    """Answers adding up to `total`, spread over the scale's items (0-3 each; MADRS 0-6)."""
    fill, length = _ITEMS[code]
    top = 6 if code == "madrs" else 3
    out = []
    for _ in range(fill):
        out.append(min(top, total))
        total -= out[-1]
    assert total == 0, "total too high for this helper"
    return out + [0] * (length - fill)


@pytest.fixture
def record(services, staff):
    def record(pid, sid, code, total, timepoint=Timepoint.PRE, **kw):
        return services.monitoring.record_scale(staff["nurse"], pid, code, answers(code, total), timepoint, sid, **kw)
    return record


def _next_day(clock, staff, days=2):
    clock.advance(days=days)
    sign_in_again(staff, clock)


def test_two_series_come_back_in_order_with_their_totals(clinic, services, staff, clock, record):
    """Induction then maintenance: each series' PRE points in session order, with the right totals."""
    p = clinic.patient()
    induction = clinic.plan(p.id, sessions=6)
    for k, (phq9, gad7) in enumerate(((20, 15), (9, 8), (4, 3))):
        sid = induction.sessions[k].id
        record(p.id, sid, "phq9", phq9)
        record(p.id, sid, "gad7", gad7)
        if k == 0:
            record(p.id, sid, "madrs", 30)
        _next_day(clock, staff)
    _next_day(clock, staff, days=30)
    maintenance = clinic.plan(p.id, Protocol.IV_MAINTENANCE, sessions=4, weekdays=(1,))
    for k, phq9 in enumerate((7, 5)):
        clock.set(maintenance.sessions[k].scheduled_at)  # a score is taken on its session's day
        sign_in_again(staff, clock)
        record(p.id, maintenance.sessions[k].id, "phq9", phq9)

    first, second = services.patients.outcome_points(staff["front_desk"], p.id)
    assert (first.series_id, first.protocol, first.start_date, first.planned_sessions) == (
        induction.id, Protocol.IV_INDUCTION, induction.start_date, 6)
    assert [(x.sequence, x.instrument, x.total) for x in first.points] == [
        (1, "phq9", 20), (1, "gad7", 15), (1, "madrs", 30), (2, "phq9", 9), (2, "gad7", 8),
        (3, "phq9", 4), (3, "gad7", 3)]
    assert (second.series_id, second.protocol) == (maintenance.id, Protocol.IV_MAINTENANCE)
    assert [(x.sequence, x.instrument, x.total) for x in second.points] == [(1, "phq9", 7), (2, "phq9", 5)]
    assert services.patients.chart(staff["nurse"], p.id).outcome_points == (first, second)


def test_only_pre_infusion_outcome_scales_count(clinic, services, staff, clock, record):
    """Post-infusion, visit, CADSS and other patients' scores stay out; a series without points is left out."""
    p = clinic.patient()
    other = clinic.patient(family_name="Other")
    series = clinic.plan(p.id)
    clinic.plan(p.id, Protocol.IV_MAINTENANCE, start=clock.now().date() + timedelta(days=60))
    other_series = clinic.plan(other.id)
    s1 = series.sessions[0].id
    record(p.id, s1, "phq9", 18)
    record(p.id, s1, "phq9", 6, Timepoint.POST)
    record(p.id, None, "gad7", 10, Timepoint.VISIT)
    services.monitoring.record_scale(staff["nurse"], p.id, "cadss", [0] * 23, Timepoint.PRE, s1)
    record(other.id, other_series.sessions[0].id, "phq9", 24)
    (only,) = services.patients.outcome_points(staff["nurse"], p.id)
    assert only.series_id == series.id
    assert [(x.sequence, x.instrument, x.total) for x in only.points] == [(1, "phq9", 18)]


def test_session_order_wins_over_entry_time(clinic, services, staff, clock, record):
    """A paper score for session 1 entered after session 2's still comes first; re-entries keep entry order."""
    p = clinic.patient()
    series = clinic.plan(p.id)
    start = clock.now()
    _next_day(clock, staff)
    record(p.id, series.sessions[1].id, "phq9", 12)
    record(p.id, series.sessions[0].id, "phq9", 20, taken_at=start)
    record(p.id, series.sessions[0].id, "phq9", 21, taken_at=start)
    (only,) = services.patients.outcome_points(staff["physician"], p.id)
    assert [(x.sequence, x.total) for x in only.points] == [(1, 20), (1, 21), (2, 12)]
    assert only.points[0].taken_at == start


def test_no_scores_is_empty_and_unknown_patient_is_not_found(clinic, services, staff):
    """A patient without scores has no points; a patient id that does not exist is NotFound."""
    p = clinic.patient()
    clinic.plan(p.id)
    assert services.patients.outcome_points(staff["nurse"], p.id) == ()
    with pytest.raises(NotFound):
        services.patients.outcome_points(staff["nurse"], 98765)


def test_administrator_outside_an_emergency_sees_no_points(clinic, services, staff):
    """Reading outcomes is viewing the patient: an administrator without break-glass is refused."""
    p = clinic.patient()
    with pytest.raises(PermissionDenied):
        services.patients.outcome_points(staff["admin"], p.id)
