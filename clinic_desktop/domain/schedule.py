"""Planning a course: N sessions on chosen weekdays from a start date, at a local wall-clock time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import ValidationError

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Longest series that can be planned in one go; maintenance is planned in shorter runs.
MAX_PLANNED_SESSIONS = 52


@dataclass(frozen=True)
class ProtocolTemplate:
    """A starting point for planning; staff can change every value before the series is created."""

    protocol: Protocol
    planned_sessions: int
    weekdays: tuple[int, ...]
    target_dose: Decimal
    description: str


#: Typical courses from the reference (1.1): 6 IV infusions 2-3 a week; esketamine twice weekly in weeks 1-4.
TEMPLATES: dict[Protocol, ProtocolTemplate] = {
    Protocol.IV_INDUCTION: ProtocolTemplate(Protocol.IV_INDUCTION, 6, (0, 2, 4), Decimal("0.5"),
                                            "6 infusions of 0.5 mg/kg over 40 min, 3 a week over 2 weeks"),
    Protocol.IV_MAINTENANCE: ProtocolTemplate(Protocol.IV_MAINTENANCE, 4, (1,), Decimal("0.5"),
                                              "0.5 mg/kg, spaced to before the previous effect wears off"),
    Protocol.IM: ProtocolTemplate(Protocol.IM, 6, (0, 3), Decimal("0.5"), "0.25-0.5 mg/kg IM bolus, twice weekly"),
    Protocol.ESKETAMINE: ProtocolTemplate(Protocol.ESKETAMINE, 8, (0, 3), Decimal("56"),
                                          "Induction: 56 mg first, then 56 or 84 mg, twice weekly for 4 weeks"),
}


def parse_weekdays(text: str) -> tuple[int, ...]:
    """"0,2,4" -> (0, 2, 4): the stored form of a series' weekdays."""
    return tuple(int(part) for part in text.split(",") if part.strip())


def format_weekdays(days: tuple[int, ...] | list[int]) -> str:
    return ",".join(str(d) for d in sorted(set(days)))


def plan_session_times(start: date, weekdays: tuple[int, ...] | list[int], count: int, at: time,
                       zone: ZoneInfo) -> list[datetime]:
    """UTC datetimes of `count` sessions falling on `weekdays` (Monday = 0), the first on or after `start`,
    each at wall-clock `at` in the clinic's zone (so 9:00 stays 9:00 across a daylight-saving change)."""
    days = sorted(set(weekdays))
    if not days:
        raise ValidationError("Choose at least one weekday for the sessions.", "weekdays")
    if any(not 0 <= d <= 6 for d in days):
        raise ValidationError("Weekdays are numbered 0 (Monday) to 6 (Sunday).", "weekdays")
    if not 1 <= count <= MAX_PLANNED_SESSIONS:
        raise ValidationError(f"Plan between 1 and {MAX_PLANNED_SESSIONS} sessions; {count} was asked for.",
                              "planned_sessions")
    out: list[datetime] = []
    day = start
    while len(out) < count:
        if day.weekday() in days:
            out.append(datetime.combine(day, at, tzinfo=zone).astimezone(timezone.utc))
        day += timedelta(days=1)
    return out
