"""The vital-signs schedule: due every 10 minutes during the infusion and every 15 after, late and missing marked."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.domain.vitals_schedule import due_rows, next_due

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
DURING, AFTER = VitalsPhase.DURING, VitalsPhase.AFTER


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_40_minute_infusion_has_readings_due_at_10_20_30_40():
    """Reference 3.1 (Emory, Yale): every 10 min during the infusion."""
    rows = due_rows(m(0), m(40), None, m(40), [(m(10), DURING), (m(20), DURING), (m(31), DURING), (m(40), DURING)],
                    10, 15)
    during = [r for r in rows if r.phase is DURING]
    assert [r.due_at for r in during] == [m(10), m(20), m(30), m(40)]
    assert all(r.taken_at is not None and not r.late for r in during)


def test_a_reading_more_than_two_minutes_after_its_time_is_late():
    """Grace is two minutes: 13 minutes after the start answers the 10-minute reading, late."""
    row = due_rows(m(0), None, None, m(14), [(m(13), DURING)], 10, 15)[0]
    assert (row.due_at, row.taken_at, row.late) == (m(10), m(13), True)


def test_a_missed_reading_is_overdue_and_the_next_due_is_named():
    """Nothing at 10 minutes by minute 13: overdue; next_due says 10 minutes."""
    rows = due_rows(m(0), None, None, m(13), [], 10, 15)
    assert rows[0].overdue and rows[0].taken_at is None
    assert next_due(rows) == m(10)


def test_after_the_stop_readings_fall_due_every_15_minutes_until_discharge():
    """Reference 3.1: every 15 min after the infusion; the grid ends at discharge."""
    readings = [(m(10 * k), DURING) for k in range(1, 5)] + [(m(55), AFTER), (m(70), AFTER)]
    rows = due_rows(m(0), m(40), m(75), m(80), readings, 10, 15)
    after = [r for r in rows if r.phase is AFTER]
    assert [r.due_at for r in after] == [m(55), m(70)]
    assert next_due(rows) is None


def test_while_recovering_the_next_reading_ahead_is_shown():
    """Recovering at minute 50: the 55-minute reading is listed as coming, not overdue."""
    rows = due_rows(m(0), m(40), None, m(50), [(m(10 * k), DURING) for k in range(1, 5)], 10, 15)
    assert rows[-1].due_at == m(55) and not rows[-1].overdue
    assert next_due(rows) == m(55)


def test_the_intervals_follow_the_clinic_settings():
    """Every 5 minutes during, if the clinic says so."""
    rows = due_rows(m(0), m(20), m(20), m(20), [], 5, 15)
    assert [r.due_at for r in rows] == [m(5), m(10), m(15), m(20)]


def test_nothing_is_due_before_the_dose_starts():
    """Before the start there is no grid (baseline is its own check)."""
    assert due_rows(None, None, None, m(0), [], 10, 15) == []
