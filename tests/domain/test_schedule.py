"""Planning a course of sessions on weekdays at a local wall-clock time, across daylight-saving changes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.schedule import (
    MAX_PLANNED_SESSIONS,
    TEMPLATES,
    format_weekdays,
    parse_weekdays,
    plan_session_times,
)

NY = ZoneInfo("America/New_York")
MON, WED, FRI = 0, 2, 4
#: Monday 2 March 2026; US daylight saving starts Sunday 8 March 2026 at 02:00 local.
MONDAY = date(2026, 3, 2)


def local(times: list[datetime], zone: ZoneInfo = NY) -> list[datetime]:
    return [t.astimezone(zone) for t in times]


def test_six_sessions_mon_wed_fri_from_a_monday():
    """An IV induction course: Mon/Wed/Fri over two weeks, starting on the start date itself."""
    times = plan_session_times(MONDAY, (MON, WED, FRI), 6, time(9, 0), NY)
    assert [t.date() for t in local(times)] == [date(2026, 3, d) for d in (2, 4, 6, 9, 11, 13)]
    assert [t.weekday() for t in local(times)] == [MON, WED, FRI] * 2


def test_start_mid_week_takes_the_next_chosen_day():
    """Starting on a Tuesday, the first session is Wednesday, and the course runs into the third week."""
    times = plan_session_times(date(2026, 3, 3), (MON, WED, FRI), 6, time(9, 0), NY)
    assert [t.date() for t in local(times)] == [date(2026, 3, d) for d in (4, 6, 9, 11, 13, 16)]


def test_start_on_a_chosen_weekday_includes_that_day():
    """Starting on a Wednesday that is one of the chosen days, the course starts that same Wednesday."""
    times = plan_session_times(date(2026, 3, 4), (MON, WED, FRI), 3, time(9, 0), NY)
    assert [t.date() for t in local(times)] == [date(2026, 3, 4), date(2026, 3, 6), date(2026, 3, 9)]


def test_nine_oclock_stays_nine_oclock_across_the_dst_change():
    """09:00 local before and after 8 March 2026; in UTC that is 14:00 (EST) and then 13:00 (EDT)."""
    times = plan_session_times(MONDAY, (MON, WED, FRI), 6, time(9, 0), NY)
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in times)
    assert [t.time() for t in local(times)] == [time(9, 0)] * 6
    assert [t.hour for t in times] == [14, 14, 14, 13, 13, 13]
    assert times[0] == datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
    assert times[3] == datetime(2026, 3, 9, 13, 0, tzinfo=timezone.utc)


def test_autumn_change_moves_utc_the_other_way():
    """When daylight saving ends (1 November 2026), 09:00 local goes from 13:00 to 14:00 UTC."""
    times = plan_session_times(date(2026, 10, 26), (MON, WED, FRI), 6, time(9, 0), NY)
    assert [t.hour for t in times] == [13, 13, 13, 14, 14, 14]
    assert [t.time() for t in local(times)] == [time(9, 0)] * 6


def test_another_zone_uses_its_own_rules():
    """Europe changes clocks on 29 March 2026, not 8 March: 09:00 Berlin is 08:00 UTC, then 07:00 UTC."""
    berlin = ZoneInfo("Europe/Berlin")
    times = plan_session_times(date(2026, 3, 23), (MON,), 2, time(9, 0), berlin)
    assert [t.hour for t in times] == [8, 7]
    assert [t.time() for t in local(times, berlin)] == [time(9, 0)] * 2


def test_weekdays_may_come_unsorted_and_repeated():
    """(4, 0, 2, 2) plans the same course as (0, 2, 4)."""
    assert plan_session_times(MONDAY, [4, 0, 2, 2], 6, time(9), NY) == \
        plan_session_times(MONDAY, (0, 2, 4), 6, time(9), NY)


def test_minutes_are_kept():
    """A 13:45 appointment stays at 13:45 local."""
    times = plan_session_times(MONDAY, (MON,), 2, time(13, 45), NY)
    assert [t.time() for t in local(times)] == [time(13, 45)] * 2


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
       st.sets(st.integers(0, 6), min_size=1), st.integers(1, 20),
       st.sampled_from([time(8, 0), time(9, 30), time(16, 15)]))
def test_plan_properties(start, weekdays, count, at):
    """Any plan: exactly `count` sessions, strictly increasing, on chosen days, at the local time, none before start."""
    times = plan_session_times(start, tuple(weekdays), count, at, NY)
    locals_ = local(times)
    assert len(times) == count
    assert all(a < b for a, b in zip(times, times[1:]))
    assert all(t.weekday() in weekdays and t.time() == at for t in locals_)
    assert locals_[0].date() >= start
    assert locals_[0].date() - start < timedelta(days=7)
    # No chosen day is skipped between the first and last session.
    expected_days = sum(1 for n in range((locals_[-1].date() - locals_[0].date()).days + 1)
                        if (locals_[0].date() + timedelta(days=n)).weekday() in weekdays)
    assert expected_days == count


@pytest.mark.parametrize("weekdays", [(), [], (7,), (-1,), (0, 9)])
def test_invalid_weekdays_are_refused(weekdays):
    """No weekday, or a number outside 0 (Monday) .. 6 (Sunday), names the weekdays field."""
    with pytest.raises(ValidationError) as err:
        plan_session_times(MONDAY, weekdays, 6, time(9), NY)
    assert err.value.field == "weekdays"


@pytest.mark.parametrize("count", [0, -1, MAX_PLANNED_SESSIONS + 1])
def test_invalid_counts_are_refused(count):
    """Fewer than 1 or more than 52 sessions names the planned_sessions field and says what was asked."""
    with pytest.raises(ValidationError) as err:
        plan_session_times(MONDAY, (MON,), count, time(9), NY)
    assert err.value.field == "planned_sessions"
    assert str(count) in err.value.message


@pytest.mark.parametrize("count", [1, MAX_PLANNED_SESSIONS])
def test_count_limits_are_inclusive(count):
    """1 and 52 sessions are both allowed."""
    assert len(plan_session_times(MONDAY, (MON,), count, time(9), NY)) == count


def test_weekday_text_round_trip():
    """Weekdays are stored as "0,2,4" (sorted, without repeats) and read back as a tuple."""
    assert format_weekdays([4, 0, 2, 0]) == "0,2,4"
    assert parse_weekdays("0,2,4") == (0, 2, 4)
    assert parse_weekdays("") == ()


@given(st.sets(st.integers(0, 6)))
def test_weekday_text_round_trip_property(days):
    """Any set of weekdays survives format_weekdays -> parse_weekdays."""
    assert parse_weekdays(format_weekdays(list(days))) == tuple(sorted(days))


def test_templates_follow_the_reference():
    """IV induction: 6 infusions of 0.5 mg/kg, Mon/Wed/Fri; esketamine: 56 mg start, twice weekly for 4 weeks."""
    iv = TEMPLATES[Protocol.IV_INDUCTION]
    assert (iv.planned_sessions, iv.weekdays, str(iv.target_dose)) == (6, (0, 2, 4), "0.5")
    esk = TEMPLATES[Protocol.ESKETAMINE]
    assert (esk.planned_sessions, len(esk.weekdays), str(esk.target_dose)) == (8, 2, "56")
    assert set(TEMPLATES) == set(Protocol)


@pytest.mark.parametrize("protocol", list(Protocol))
def test_every_template_can_be_planned(protocol):
    """Each template's own weekdays and count form a valid plan."""
    t = TEMPLATES[protocol]
    assert t.protocol is protocol
    assert len(plan_session_times(MONDAY, t.weekdays, t.planned_sessions, time(9), NY)) == t.planned_sessions
