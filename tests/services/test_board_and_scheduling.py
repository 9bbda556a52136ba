"""Moving and adding sessions, today's board with vitals due, the previous dose beside a new order, checklist notes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.enums import SessionStatus, VitalsPhase
from clinic_desktop.domain.errors import RuleViolation, ValidationError
from tests.conftest import PASSWORD, ZONE, sign_in_again
from tests.services.service_support import IV_ORDER, LOT_EXPIRY, NORMAL


@pytest.fixture
def planned(clinic):
    """A ready patient with a six-session induction from today (Mon, Wed, Fri at 09:00)."""
    p = clinic.patient()
    return p, clinic.plan(p.id)


def test_rescheduling_one_session_leaves_the_others_alone(services, staff, planned):
    """Session 3 moves to Saturday 11:00; sessions 1, 2, 4, 5, 6 keep their times."""
    _p, series = planned
    before = {s.id: s.scheduled_at for s in series.sessions}
    third = series.sessions[2]
    new_time = datetime(2026, 3, 7, 11, 0, tzinfo=ZONE)
    after = services.series.reschedule(staff["front_desk"], third.id, new_time, reason="Patient's request")
    moved = {s.id: s.scheduled_at for s in after.sessions}
    assert moved[third.id] == new_time
    assert all(moved[k] == v for k, v in before.items() if k != third.id)


def test_only_a_future_scheduled_session_can_be_moved(services, staff, clinic, planned):
    """Not into the past, and not once the patient has checked in."""
    p, series = planned
    first = series.sessions[0]
    with pytest.raises(ValidationError):
        services.series.reschedule(staff["front_desk"], first.id, datetime(2026, 3, 1, 9, 0, tzinfo=ZONE))
    clinic.prepare(p.id, first.id)
    with pytest.raises(RuleViolation):
        services.series.reschedule(staff["front_desk"], first.id, datetime(2026, 3, 9, 9, 0, tzinfo=ZONE))


def test_extending_a_series_needs_a_reason_and_continues_its_pattern(services, staff, planned):
    """Two more sessions after Friday 13 March on Mon/Wed/Fri at 09:00: 16 and 18 March; 8 planned."""
    _p, series = planned
    with pytest.raises(ValidationError):
        services.series.extend(staff["physician"], series.id, 2, "")
    longer = services.series.extend(staff["physician"], series.id, 2, "Partial response: two more infusions")
    assert longer.planned_sessions == 8 and len(longer.sessions) == 8
    added = [s.scheduled_at.astimezone(ZONE) for s in longer.sessions[6:]]
    assert [(d.month, d.day, d.hour) for d in added] == [(3, 16, 9), (3, 18, 9)]
    assert [s.sequence for s in longer.sessions[6:]] == [7, 8]


def test_the_board_lists_the_days_sessions_by_chair_with_vitals_due(services, staff, clinic, clock, planned):
    """Today's board: the session in its chair, then infusing with the 10-minute reading due, then overdue."""
    p, series = planned
    sid = series.sessions[0].id
    board = services.board.day(staff["front_desk"])
    entry = board.for_chair(clinic.chair_id)[0]
    assert (entry.session_id, entry.status, entry.sequence, entry.of_planned) == (sid, SessionStatus.SCHEDULED, 1, 6)
    assert [c.id for c in board.chairs] == [clinic.chair_id]
    clinic.prepare(p.id, sid)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    started = clock.now()
    entry = services.board.day(staff["nurse"]).entries[0]
    assert entry.status is SessionStatus.INFUSING and entry.next_vitals_due == started + timedelta(minutes=10)
    assert entry.overdue_readings == 0
    clock.advance(minutes=13)
    assert services.board.day(staff["nurse"]).entries[0].overdue_readings == 1
    services.monitoring.record_vitals(staff["nurse"], sid, VitalsPhase.DURING, NORMAL)
    entry = services.board.day(staff["nurse"]).entries[0]
    assert entry.overdue_readings == 0 and entry.next_vitals_due == started + timedelta(minutes=20)


def test_another_days_board_does_not_show_today(services, staff, planned):
    """Tuesday has no sessions in a Mon/Wed/Fri series."""
    tuesday = services.context.today() + timedelta(days=1)
    assert services.board.day(staff["nurse"], tuesday).entries == ()


def test_the_previous_dose_and_its_tolerance_are_offered_with_the_next_order(services, staff, clinic, clock, planned):
    """After session 1, session 2 shows 40 mg, 0.5 mg/kg, and the peak blood pressure charted."""
    p, series = planned
    first, second = series.sessions[0].id, series.sessions[1].id
    assert services.doses.previous(staff["physician"], first) is None
    clinic.prepare(p.id, first)
    services.doses.order(staff["physician"], first, IV_ORDER, PASSWORD)
    services.doses.start(staff["nurse"], first, "LOT-1", LOT_EXPIRY)
    clock.advance(minutes=10)
    services.monitoring.record_vitals(staff["nurse"], first, VitalsPhase.DURING,
                                      {**NORMAL, "systolic": 150, "diastolic": 92})
    clock.advance(minutes=30)
    services.doses.stop(staff["nurse"], first, password=PASSWORD, volume_given_ml="100.8")
    clock.set(series.sessions[1].scheduled_at)
    sign_in_again(staff, clock)
    prev = services.doses.previous(staff["physician"], second)
    assert (prev.session_label, prev.dose_mg, prev.mg_per_kg) == ("Session 1 of 6", 40, 0.5)
    assert (prev.peak_systolic, prev.peak_diastolic) == (150, 92)


def test_a_checklist_item_can_be_explained_and_the_note_is_kept(services, staff, clinic, planned):
    """The nurse explains a warning; the session shows the note with her name."""
    p, series = planned
    sid = series.sessions[0].id
    clinic.prepare(p.id, sid)
    services.sessions.explain_check(staff["nurse"], sid, "medications", "Takes lorazepam only at night")
    note, by, _at = services.sessions.detail(staff["nurse"], sid).check_notes["medications"]
    assert (note, by) == ("Takes lorazepam only at night", "Dana Whitlock, RN")
    with pytest.raises(ValidationError):
        services.sessions.explain_check(staff["nurse"], sid, "no-such-item", "x")
    with pytest.raises(PermissionDenied):
        services.sessions.explain_check(staff["admin"], sid, "medications", "x")
