"""When vital signs are due in a session (every 10 min during the infusion, every 15 after, by default), which
readings answer which due time, and which are late or missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from clinic_desktop.domain.enums import VitalsPhase

#: A reading up to this long after its due time is on time (a nurse needs a moment to take it).
GRACE = timedelta(minutes=2)


@dataclass(frozen=True)
class DueReading:
    due_at: datetime
    phase: VitalsPhase
    #: The reading that answers it, if any.
    taken_at: datetime | None
    late: bool
    #: Due (with grace) and still not taken.
    overdue: bool


def due_rows(started_at: datetime | None, stopped_at: datetime | None, end_at: datetime | None, now: datetime,
             readings: Sequence[tuple[datetime, VitalsPhase]], during_min: int, after_min: int) -> list[DueReading]:
    """The rows of a session's vital-signs grid: each due time with its reading, up to the next one due.

    During the infusion readings fall due every `during_min` after the start until the stop; after it, every
    `after_min` after the stop until `end_at` (discharge) or, while still recovering, the next one after now.
    A reading answers the due time it is nearest to (within half an interval either side); one taken more
    than GRACE after its due time is late.
    """
    if started_at is None:
        return []
    rows: list[DueReading] = []
    during_end = stopped_at or now
    rows += _phase_rows(started_at, during_end, stopped_is_final=stopped_at is not None, now=now,
                        readings=[t for t, p in readings if p is VitalsPhase.DURING],
                        interval=timedelta(minutes=during_min), phase=VitalsPhase.DURING)
    if stopped_at is not None:
        rows += _phase_rows(stopped_at, end_at or now, stopped_is_final=end_at is not None, now=now,
                            readings=[t for t, p in readings if p is VitalsPhase.AFTER],
                            interval=timedelta(minutes=after_min), phase=VitalsPhase.AFTER)
    return rows


def next_due(rows: Sequence[DueReading]) -> datetime | None:
    """The earliest due time not yet answered by a reading (None when nothing is pending)."""
    return next((r.due_at for r in rows if r.taken_at is None), None)


def _phase_rows(start: datetime, end: datetime, stopped_is_final: bool, now: datetime, readings: list[datetime],
                interval: timedelta, phase: VitalsPhase) -> list[DueReading]:
    pending = sorted(readings)
    rows = []
    due = start + interval
    # While the phase goes on, include the next due time even if it lies ahead (the grid shows what comes).
    limit = end if stopped_is_final else max(end, now) + interval
    while due <= limit:
        taken = next((t for t in pending if due - interval / 2 <= t < due + interval / 2), None)
        if taken is not None:
            pending.remove(taken)
        late = taken is not None and taken > due + GRACE
        overdue = taken is None and now > due + GRACE
        rows.append(DueReading(due, phase, taken, late, overdue))
        if not stopped_is_final and due > now:
            break
        due += interval
    return rows
