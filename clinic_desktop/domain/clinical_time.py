"""When a clinical record may say something happened: not in the future (beyond the clock differences between
workstations), not before the patient was born, and not long before the session it belongs to.

A mistyped year ("0001" for "2026") would otherwise be stored as typed, sort a reading decades away from its
session and stretch every chart drawn from it; one rule here keeps every service that takes a typed time alike.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.errors import ValidationError

#: Clock differences between workstations: a time this far ahead of "now" is still accepted.
CLOCK_SKEW = timedelta(minutes=2)


def allowance_before_session(settings: ClinicSettings) -> timedelta:
    """How long before its session a record of that session may be dated (the clinic's setting)."""
    return timedelta(hours=settings.charting_before_session_hours)


def session_start(scheduled_at: datetime, checked_in_at: datetime | None = None) -> datetime:
    """Where a session begins for dating its records: its booked time, or its check-in when that came first."""
    return min(scheduled_at, checked_in_at) if checked_in_at is not None else scheduled_at


def session_window(start: datetime, settings: ClinicSettings, until: datetime) -> tuple[datetime, datetime]:
    """The span a record of a session started at `start` can fall in when looked at `until` (e.g. printed): from
    the clinic's allowance before the session to `until` plus the clock skew. Exactly what the checks below accept."""
    return start - allowance_before_session(settings), until + CLOCK_SKEW


def checked_clinical_time(when: datetime | None, field: str, *, now: datetime, zone: tzinfo,
                          born: date | None = None, start: datetime | None = None,
                          settings: ClinicSettings | None = None) -> datetime:
    """A typed time for a clinical record (now when None), or a ValidationError for `field`: a time without a
    zone, in the future, before the patient's date of birth (`born`, in the clinic's zone), or earlier than the
    clinic's allowance before its session (`start`, when the record belongs to one)."""
    at = now if when is None else when
    if at.tzinfo is None:
        raise ValidationError("A time needs its time zone.", field)
    if at > now + CLOCK_SKEW:
        raise ValidationError("A time in the future cannot be recorded.", field)
    if born is not None and _local_day(at, zone) < born:
        raise ValidationError(f"This time is before the patient's date of birth ({born:%Y-%m-%d}): check the date.",
                              field)
    if start is not None:
        allowance = allowance_before_session(settings or ClinicSettings())
        if at < start - allowance:
            hours = int(allowance.total_seconds() // 3600)
            raise ValidationError(
                f"This time is more than {hours} hours before the session "
                f"({start.astimezone(zone):%Y-%m-%d %H:%M}): check the date.", field)
    return at


def _local_day(at: datetime, zone: tzinfo) -> date:
    """The day in the clinic's zone; at the very ends of the calendar (year 1, year 9999), where the zone's
    offset would leave the calendar, the day as typed (which compares as long before any birth)."""
    try:
        return at.astimezone(zone).date()
    except OverflowError:
        return at.date()


def checked_clinical_day(day: date | None, field: str, *, today: date, born: date | None = None,
                         what: str = "A record") -> date:
    """A typed day for a clinical record (today when None): not after today, not before the date of birth."""
    value = today if day is None else day
    if value > today:
        raise ValidationError(f"{what} cannot be dated in the future.", field)
    if born is not None and value < born:
        raise ValidationError(f"{what} cannot be dated before the patient's date of birth ({born:%Y-%m-%d}).", field)
    return value
