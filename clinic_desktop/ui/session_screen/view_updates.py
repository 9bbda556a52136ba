"""What a save on the session screen hands back: the record it stored (for the form's status line) and how the
screen's one read changes with it, so the screen shows the new reading, note or score without reading the whole
session again."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.domain.records import ScoreEntry
from clinic_desktop.domain.session_records import NoteEntry, SessionDetail, VitalsEntry
from clinic_desktop.services.session_view import Checklist, DayAnswers, SessionView

#: A change to the screen's view; None when the view cannot be brought up to date without reading it again.
Update = Callable[[SessionView], SessionView | None]


@dataclass(frozen=True)
class Saved:
    """A save's result: what was stored, and the update of the screen's view it leads to."""

    entry: object
    update: Update


def _detail(view: SessionView, **changes: object) -> SessionView:
    return replace(view, detail=replace(view.detail, **changes))


def with_reading(entry: VitalsEntry, checklist: Checklist | None) -> Update:
    """A new reading (and, for a baseline, the checklist it may resolve). A baseline charted once readings of
    the dose exist changes the reference their alerts are judged against: then the session is read again."""
    def update(view: SessionView) -> SessionView | None:
        if entry.phase is VitalsPhase.BASELINE and any(v.phase is not VitalsPhase.BASELINE
                                                       for v in view.detail.vitals):
            return None
        vitals = tuple(sorted((*view.detail.vitals, entry), key=lambda v: (v.taken_at, v.id)))
        changed = _detail(view, vitals=vitals)
        return replace(changed, checklist=checklist) if checklist is not None else changed
    return update


def with_note(note: NoteEntry) -> Update:
    def update(view: SessionView) -> SessionView:
        return _detail(view, notes=_in_order(view.detail.notes, note, lambda n: (n.noted_at, n.id)))
    return update


def with_score(score: ScoreEntry, checklist: Checklist, notes: tuple[NoteEntry, ...] | None = None) -> Update:
    """A score recorded or acknowledged (replacing the one on show with the same id), the checklist it may
    change (PHQ-9 item 9, C-SSRS), and the session's notes when the scale is charted as a note too."""
    def update(view: SessionView) -> SessionView:
        scores = _in_order(view.detail.scores, score, lambda s: (s.taken_at, s.id))
        changed = _detail(view, scores=scores, **({"notes": notes} if notes is not None else {}))
        return replace(changed, checklist=checklist)
    return update


def with_day(day: DayAnswers) -> Update:
    """Today's answers or a checklist explanation saved: the session's fields, its new version, the checklist."""
    def update(view: SessionView) -> SessionView:
        changed = _detail(view, row_version=day.row_version, escort_confirmed=day.escort_confirmed,
                          npo_confirmed=day.npo_confirmed, pregnancy_status=day.pregnancy_status,
                          check_notes=day.check_notes)
        return replace(changed, checklist=day.checklist)
    return update


def with_detail(detail: SessionDetail) -> Update:
    """A step that changes every section (the discharge): the session as the save returned it."""
    def update(view: SessionView) -> SessionView:
        return replace(view, detail=detail)
    return update


def _in_order(entries: tuple, entry: object, key: Callable) -> tuple:
    """`entries` with `entry` added, or put in place of the one with its id, in time order."""
    kept = [e for e in entries if e.id != entry.id]
    return tuple(sorted((*kept, entry), key=key))
