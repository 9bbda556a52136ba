"""The rows of the vital-signs grid: the baseline readings, each due time with the reading that answers it, and
any extra reading (a re-check after an alert), in time order. Pure Python: the grid only formats them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.domain.session_records import SessionDetail, VitalsEntry
from clinic_desktop.domain.vitals_schedule import due_rows

#: Row states, as stored in GridRow.state.
BASELINE, ON_TIME, LATE, OVERDUE, DUE, EXTRA = "baseline", "on time", "late", "overdue", "due", "extra"


@dataclass(frozen=True)
class GridRow:
    phase: VitalsPhase
    due_at: datetime | None  #: None for baseline and extra readings
    entry: VitalsEntry | None  #: None while the reading is still to be taken
    state: str
    #: Minutes late (late), overdue (overdue) or still to go (due); 0 otherwise.
    minutes: int = 0

    @property
    def at(self) -> datetime:
        """Where the row sorts: its due time, or its reading's time."""
        return self.due_at if self.due_at is not None else self.entry.taken_at  # type: ignore[union-attr]

    @property
    def state_text(self) -> str:
        """The state in words (colour only repeats it)."""
        if self.state == LATE:
            return f"Late by {self.minutes} min"
        if self.state == OVERDUE:
            return f"Overdue by {self.minutes} min"
        if self.state == DUE:
            return f"Due in {self.minutes} min" if self.minutes > 0 else "Due now"
        return {BASELINE: "Baseline", ON_TIME: "On time", EXTRA: "Extra reading"}[self.state]


def grid_rows(detail: SessionDetail, now: datetime, during_min: int, after_min: int) -> list[GridRow]:
    dose = detail.dose
    started = dose.started_at if dose else None
    stopped = dose.stopped_at if dose else None
    schedule = due_rows(started, stopped, detail.summary.discharged_at, now,
                        [(v.taken_at, v.phase) for v in detail.vitals], during_min, after_min)
    unused: list[VitalsEntry] = list(detail.vitals)
    rows: list[GridRow] = []
    for due in schedule:
        entry = _take(unused, due.taken_at, due.phase) if due.taken_at is not None else None
        if entry is not None:
            late_by = _minutes(entry.taken_at - due.due_at)
            rows.append(GridRow(due.phase, due.due_at, entry, LATE if due.late else ON_TIME,
                                late_by if due.late else 0))
        elif due.overdue:
            rows.append(GridRow(due.phase, due.due_at, None, OVERDUE, _minutes(now - due.due_at)))
        else:
            rows.append(GridRow(due.phase, due.due_at, None, DUE, max(_minutes(due.due_at - now), 0)))
    for entry in unused:
        rows.append(GridRow(entry.phase, None, entry, BASELINE if entry.phase is VitalsPhase.BASELINE else EXTRA))
    rows.sort(key=lambda r: (r.phase is not VitalsPhase.BASELINE, r.at))
    return rows


def overdue_count(rows: Sequence[GridRow]) -> int:
    return sum(1 for r in rows if r.state == OVERDUE)


def _take(entries: list[VitalsEntry], taken_at: datetime, phase: VitalsPhase) -> VitalsEntry | None:
    found = next((e for e in entries if e.taken_at == taken_at and e.phase is phase), None)
    if found is not None:
        entries.remove(found)
    return found


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)

