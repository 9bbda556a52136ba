"""Monitoring notes during and after the dose: CADSS and MOAA/S scores, the side-effect checklist, adverse events
and free-text notes, each entered in its own tab, and every note of the session listed in time order below."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QTabWidget, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Action, Principal
from clinic_desktop.domain.enums import NoteKind, Timepoint
from clinic_desktop.domain.monitoring import describe_note
from clinic_desktop.domain.session_records import NoteEntry, SessionDetail
from clinic_desktop.services.monitoring import CHARTING
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import formatting
from clinic_desktop.ui.session_screen.monitoring_scales import CadssForm, MoaasForm
from clinic_desktop.ui.session_screen.note_forms import AdverseEventForm, FreeTextForm, SideEffectForm
from clinic_desktop.ui.session_screen.panel import Panel
from clinic_desktop.ui.session_screen.view_updates import Saved, with_note, with_score
from clinic_desktop.ui.widgets import clear_layout, section, text_label


class NotesPanel(Panel):
    """A tab per kind of entry (CADSS, MOAA/S, side effects, adverse event, note) over the list of notes."""

    def __init__(self, services: Services, principal: Callable[[], Principal], session_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(services, principal, session_id, parent)
        self._zone = services.context.zone
        self.detail: SessionDetail | None = None
        self.cadss = CadssForm(self._scale)
        self.moaas = MoaasForm(self._scale)
        self.side_effects = SideEffectForm(self._add)
        self.adverse_event = AdverseEventForm(self._add, self._minutes_since_start)
        self.free_text = FreeTextForm(self._add)
        self.tabs = QTabWidget()
        for form, title in ((self.cadss, self.cadss.title), (self.moaas, self.moaas.title),
                            (self.side_effects, "Side &effects"),
                            (self.adverse_event, "&Adverse event"), (self.free_text, "&Note")):
            page = QWidget()
            holder = QVBoxLayout(page)
            holder.addWidget(form)
            holder.addStretch(1)
            self.tabs.addTab(page, title)
            form.saved.connect(self.message)
            form.stored.connect(lambda saved: self.updated.emit(saved.update))
            form.refused.connect(self.message)
        self.forms = (self.cadss, self.moaas, self.side_effects, self.adverse_event, self.free_text)
        self.forms_note = text_label("", selectable=False, name="muted")
        self.list_box, list_layout = section("Notes in time order")
        self.list_grid = QGridLayout()
        self.list_grid.setHorizontalSpacing(12)
        self.list_grid.setColumnStretch(2, 1)
        list_layout.addLayout(self.list_grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        layout.addWidget(self.forms_note)
        layout.addWidget(self.list_box)
        layout.addStretch(1)

    # --- showing ----------------------------------------------------------------------------------------
    def show_detail(self, detail: SessionDetail) -> None:
        self.detail = detail
        may = self.may(Action.NOTE_ADD)
        open_for_charting = detail.summary.status in CHARTING
        self.tabs.setVisible(may and open_for_charting)
        self.forms_note.setVisible(not (may and open_for_charting))
        self.forms_note.setText("Monitoring notes are written by a nurse or a physician." if not may else
                                f"Notes are charted from check-in until discharge; this session is "
                                f"{detail.summary.status.label.lower()}.")
        for form in (self.cadss, self.moaas):
            form.set_context(detail)
        if not self.adverse_event.is_dirty():
            self.adverse_event.reset_onset()
        self._list(detail.notes)

    def _list(self, notes: tuple[NoteEntry, ...]) -> None:
        clear_layout(self.list_grid)
        if not notes:
            self.list_grid.addWidget(text_label("No notes yet.", selectable=False, name="muted"), 0, 0, 1, 4)
            return
        for row, note in enumerate(sorted(notes, key=lambda n: (n.noted_at, n.id))):
            cells = (formatting.local_time(note.noted_at, self._zone, with_day=False), note.kind.label,
                     describe_note(note), note.recorded_by)
            for column, text in enumerate(cells):
                label = text_label(text, wrap=column == 2)
                if note.kind is NoteKind.ADVERSE_EVENT:
                    label.setObjectName("fieldError")  # adverse events stand out in the list
                self.list_grid.addWidget(label, row, column, Qt.AlignmentFlag.AlignTop)

    def note_lines(self) -> list[str]:
        """The list as text, one line per note (for tests and screen readers)."""
        cells = [self.list_grid.itemAt(i).widget().text() for i in range(self.list_grid.count())]
        return [" | ".join(cells[i:i + 4]) for i in range(0, len(cells), 4)]

    # --- saving -------------------------------------------------------------------------------------------
    def _scale(self, code: str, answers: list, when: Timepoint) -> Callable[[], Saved]:
        """The save of a scale, to run in the background: the score, and the session's notes (it is charted as
        a note too) and checklist."""
        services, actor, sid, patient_id = self.services, self.principal(), self.session_id, self.detail.patient_id

        def record() -> Saved:
            entry = services.monitoring.record_scale(actor, patient_id, code, answers, when, sid)
            return Saved(entry, with_score(entry, services.sessions.checklist(actor, sid),
                                           services.monitoring.notes(actor, sid)))
        return record

    def _add(self, kind: NoteKind, values: dict[str, Any], text: str) -> Callable[[], Saved]:
        """The save of a note, to run in the background: the note stored."""
        services, actor, sid = self.services, self.principal(), self.session_id

        def add() -> Saved:
            note = services.monitoring.add_note(actor, sid, kind, values, text)
            return Saved(note, with_note(note))
        return add

    def _minutes_since_start(self) -> int | None:
        dose = self.detail.dose if self.detail else None
        if dose is None or dose.started_at is None:
            return None
        return max(int((self.services.context.now() - dose.started_at).total_seconds() // 60), 0)

    def is_dirty(self) -> bool:
        return any(form.is_dirty() for form in self.forms)
