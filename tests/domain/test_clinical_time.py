"""The one rule for typed clinical times: not in the future, not before birth, not long before the session."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.clinical_time import (
    checked_clinical_day,
    checked_clinical_time,
    session_start,
    session_window,
)
from clinic_desktop.domain.errors import ValidationError

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 19, 0, tzinfo=timezone.utc)  # 14:00 in New York
SESSION = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)  # booked for 09:00 in New York
BORN = date(1980, 5, 1)


def check(when, *, start=SESSION, settings=None, born=BORN):
    return checked_clinical_time(when, "taken_at", now=NOW, zone=ZONE, born=born, start=start, settings=settings)


def refusal(when, **kw) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        check(when, **kw)
    assert err.value.field == "taken_at"
    return err.value


def test_no_time_means_now():
    assert check(None) == NOW


@pytest.mark.parametrize("when", [
    datetime(1, 1, 1, tzinfo=timezone.utc),  # the year typed as 0001: the case that made a PDF take minutes
    datetime(1, 1, 1, 3, 0, tzinfo=timezone(timedelta(hours=5))),  # so early its New York day is off the calendar
    datetime(1980, 5, 1, 3, 59, tzinfo=timezone.utc),  # 23:59 on 30 April in New York: the day before the birth
])
def test_a_time_before_the_birth_is_refused(when):
    assert "before the patient's date of birth (1980-05-01)" in refusal(when, start=None).message


def test_the_day_of_birth_itself_is_accepted():
    at = datetime(1980, 5, 1, 4, 0, tzinfo=timezone.utc)  # 00:00 on 1 May in New York
    assert check(at, start=None) == at


def test_the_future_is_refused_beyond_two_minutes_of_clock_difference():
    assert check(NOW + timedelta(minutes=2)) == NOW + timedelta(minutes=2)
    assert refusal(NOW + timedelta(minutes=2, seconds=1)).message == "A time in the future cannot be recorded."
    assert refusal(datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc)).message.startswith("A time in the future")


def test_a_time_without_its_zone_is_refused():
    assert refusal(datetime(2026, 3, 2, 9, 0)).message == "A time needs its time zone."


def test_a_session_record_may_be_dated_up_to_a_day_before_the_session_by_default():
    """Exactly 24 hours before is accepted; a second earlier is refused, naming the session in local time."""
    assert check(SESSION - timedelta(hours=24)) == SESSION - timedelta(hours=24)
    err = refusal(SESSION - timedelta(hours=24, seconds=1))
    assert err.message == ("This time is more than 24 hours before the session (2026-03-02 09:00): "
                           "check the date.")


def test_the_clinic_setting_moves_the_limit_before_the_session():
    """At 48 hours a reading 30 hours early is accepted; at 2 hours, one 3 hours early is refused."""
    wide = ClinicSettings().with_changes({"charting_before_session_hours": 48})
    assert check(SESSION - timedelta(hours=30), settings=wide) == SESSION - timedelta(hours=30)
    narrow = ClinicSettings().with_changes({"charting_before_session_hours": 2})
    assert "more than 2 hours before" in refusal(SESSION - timedelta(hours=3), settings=narrow).message
    assert check(SESSION - timedelta(hours=2), settings=narrow) == SESSION - timedelta(hours=2)


def test_a_session_begins_at_its_check_in_when_that_came_first():
    early = SESSION - timedelta(days=3)
    assert session_start(SESSION, None) == SESSION
    assert session_start(SESSION, early) == early
    assert session_start(SESSION, SESSION + timedelta(minutes=20)) == SESSION


def test_the_window_is_what_the_check_accepts():
    """From the allowance before the session to the moment looked at, plus the clock difference."""
    settings = ClinicSettings().with_changes({"charting_before_session_hours": 6})
    assert session_window(SESSION, settings, NOW) == (SESSION - timedelta(hours=6), NOW + timedelta(minutes=2))


def test_a_typed_day_is_today_or_earlier_and_not_before_birth():
    today = date(2026, 3, 2)
    assert checked_clinical_day(None, "measured_on", today=today, born=BORN) == today
    assert checked_clinical_day(BORN, "measured_on", today=today, born=BORN) == BORN
    with pytest.raises(ValidationError) as err:
        checked_clinical_day(date(2026, 3, 3), "measured_on", today=today, born=BORN, what="A weight")
    assert (err.value.field, err.value.message) == ("measured_on", "A weight cannot be dated in the future.")
    with pytest.raises(ValidationError) as err:
        checked_clinical_day(date(1980, 4, 30), "screened_on", today=today, born=BORN, what="Screening")
    assert (err.value.field, err.value.message) == (
        "screened_on", "Screening cannot be dated before the patient's date of birth (1980-05-01).")
