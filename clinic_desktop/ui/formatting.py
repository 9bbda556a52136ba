"""Numbers and times turned into text at the edge: one place, so every screen says it the same way."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.quantities import STEP_WEIGHT_KG, kg_to_lb, plain, rounded
from clinic_desktop.domain.records import WeightEntry
from clinic_desktop.domain.enums import WeightUnit

#: Colours for grades: background and text, readable for colour-blind staff thanks to the words beside them.
GRADE_COLOURS: dict[Grade, tuple[str, str]] = {
    Grade.OK: ("#e6f4ea", "#1e4620"),
    Grade.INFO: ("#e8f0fe", "#174ea6"),
    Grade.WARN: ("#fef7e0", "#7a4f01"),
    Grade.OVERRIDE: ("#fde7e9", "#8c1d18"),
    Grade.REFUSED: ("#8c1d18", "#ffffff"),
}


def day(value: date | None) -> str:
    """2026-03-02: unambiguous in every country a clinic's staff come from."""
    return value.isoformat() if value else ""


def local_time(value: datetime | None, zone: ZoneInfo, with_day: bool = True) -> str:
    """ "Mon 2026-03-02 09:20" (or "09:20") in the clinic's zone. A stored time at the very ends of the calendar
    (year 1 or 9999, typed by mistake or stored behind the application's back) shows as stored, its year in
    four digits, rather than stopping the screen."""
    if value is None:
        return ""
    try:
        local = value.astimezone(zone)
    except OverflowError:
        local = value
    clock = f"{local:%H:%M}"
    return f"{local:%a} {local.date().isoformat()} {clock}" if with_day else clock


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def number(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = str(plain(value))
    return f"{text} {unit}".strip()


def kilograms(value: Decimal | None) -> str:
    """A weight as the scale shows it (0.1 kg); the exact value stays in the record."""
    return "" if value is None else f"{rounded(value, STEP_WEIGHT_KG)} kg"


def weight(entry: WeightEntry) -> str:
    """The weight as entered first, the other unit after: "150 lb (68.0 kg)" or "68.4 kg (150.8 lb)"."""
    kg = rounded(entry.weight_kg, STEP_WEIGHT_KG)
    lb = kg_to_lb(entry.weight_kg)
    if entry.entered_unit is WeightUnit.LB:
        return f"{plain(lb)} lb ({kg} kg)"
    return f"{plain(entry.weight_kg)} kg ({rounded(lb, STEP_WEIGHT_KG)} lb)"


def grade_style(grade: Grade) -> str:
    background, foreground = GRADE_COLOURS[grade]
    return f"background: {background}; color: {foreground}; border-radius: 4px; padding: 3px 8px;"


def stamp(value: datetime, utc_offset_min: int) -> str:
    """A recorded moment in the wall-clock time it was recorded in, with that offset: 2026-03-02 09:00:05 −05:00."""
    local = value.astimezone(timezone(timedelta(minutes=utc_offset_min)))
    sign = "+" if utc_offset_min >= 0 else "−"
    hours, minutes = divmod(abs(utc_offset_min), 60)
    return f"{local:%Y-%m-%d %H:%M:%S} {sign}{hours:02}:{minutes:02}"


def compact_details(details: Mapping[str, Any], limit: int = 140) -> str:
    """An audit entry's details on one line: `role: nurse → physician; reason: …` (cut at `limit`)."""
    parts = []
    for key, value in details.items():
        if isinstance(value, Mapping) and set(value) == {"old", "new"}:
            text = f"{value['old']} → {value['new']}"
        elif isinstance(value, Mapping):
            text = "{" + compact_details(value, limit) + "}"
        elif isinstance(value, (list, tuple)):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        parts.append(f"{key}: {' '.join(text.split())}")
    line = "; ".join(parts)
    return line if len(line) <= limit else line[: limit - 1] + "…"
