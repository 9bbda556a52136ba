"""One infusion day on one screen: who the patient is and where the session stands at the top, and below it a
section for each part of the day (checks, dose, vital signs, notes, scales, discharge, the signed record).

Every section is a Panel. The screen reads the session once per refresh (services.sessions.screen, in the
background) and hands that one read to every section; a save returns what changed (view_updates) and the screen
shows every section from the read brought up to date, without reading the session again."""

from __future__ import annotations

import importlib
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.enums import SessionStatus
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.records import PatientChart
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.services.registry import Services
from clinic_desktop.services.session_view import SessionView
from clinic_desktop.ui import ops
from clinic_desktop.ui.change_hub import ELSEWHERE
from clinic_desktop.ui.change_watcher import ChangedBar, changed_words
from clinic_desktop.ui.form_support import ask_discard
from clinic_desktop.ui.paperwork.session_buttons import SessionPaperwork
from clinic_desktop.ui.session_record import SessionRecordView
from clinic_desktop.ui.session_screen.checks_panel import ChecksPanel
from clinic_desktop.ui.session_screen.discharge_panel import DischargePanel
from clinic_desktop.ui.session_screen.dose_panel import DosePanel
from clinic_desktop.ui.session_screen.panel import Panel
from clinic_desktop.ui.session_screen.view_updates import Update
from clinic_desktop.ui.widgets import FitScrollArea, badge, clear_layout, error_label, set_error, text_label

#: Sections built by other modules of this package, added when they are present: (key, title, module, class).
OPTIONAL_PANELS = (("vitals", "Vital signs", "vitals_panel", "VitalsPanel"),
                   ("notes", "Notes", "notes_panel", "NotesPanel"),
                   ("scales", "Scales", "scales_panel", "ScalesPanel"))
#: The section a session opens at, by where it stands.
START_AT = {SessionStatus.SCHEDULED: "checks", SessionStatus.CHECKED_IN: "checks", SessionStatus.INFUSING: "vitals",
            SessionStatus.RECOVERING: "vitals", SessionStatus.DISCHARGED: "record"}
#: How often the "infusing for N min" line is brought up to date.
TICK_MS = 30_000


def _optional_panel(module: str, name: str) -> type[Panel] | None:
    try:
        found = getattr(importlib.import_module(f"clinic_desktop.ui.session_screen.{module}"), name, None)
    except ImportError:
        return None
    return found if isinstance(found, type) and issubclass(found, Panel) else None


class SessionScreen(QWidget):
    """SessionScreen(services, principal_getter, session_id); `message` carries status-bar lines."""

    message = Signal(str)

    def __init__(self, services: Services, principal: Callable[[], Principal], session_id: int,
                 parent: QWidget | None = None, view: SessionView | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.principal = principal
        self.session_id = session_id
        #: The one read on show (None until the first arrives, or when it was refused).
        self.view: SessionView | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        header = QWidget()
        header.setObjectName("sessionHeader")
        header.setStyleSheet("QWidget#sessionHeader { background: #ffffff; border-bottom: 1px solid #dadce0; }")
        header_row = QHBoxLayout(header)
        header_row.setContentsMargins(16, 10, 16, 10)
        self.header = QVBoxLayout()  # rebuilt with every reload and tick; the paperwork buttons beside it stay
        self.header.setSpacing(4)
        header_row.addLayout(self.header, 1)
        #: "Discharge sheet…", "Infusion record…" and Ctrl+P (ui/paperwork/session_buttons.py).
        self.paperwork = SessionPaperwork(services, principal, session_id, self)
        self.paperwork.actions.message.connect(self.message)
        header_row.addWidget(self.paperwork, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(header)
        #: Shown when another workstation changed this session while entries here are unsaved.
        self.changed_bar = ChangedBar()
        self.changed_bar.reloadRequested.connect(self.reload_changed)
        layout.addWidget(self.changed_bar)
        self.error = error_label("formError")
        layout.addWidget(self.error)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.panels: dict[str, Panel] = {}
        self.pages: dict[str, QWidget] = {}  #: each section's tab page (the panel, or a scroll area around it)
        self.checks = self._add("checks", "Checks", ChecksPanel)
        self.dose = self._add("dose", "Dose", DosePanel)
        for key, title, module, name in OPTIONAL_PANELS:
            panel_type = _optional_panel(module, name)
            if panel_type is not None:
                self._add(key, title, panel_type)
        self.discharge = self._add("discharge", "Discharge", DischargePanel)
        self.record_holder = QWidget()
        QVBoxLayout(self.record_holder).setContentsMargins(0, 0, 0, 0)
        self.record: SessionRecordView | None = None
        self.tabs.addTab(self.record_holder, "Record")
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.show_header)
        self.timer.start()
        self._first = True  #: the first view shown opens the section the session stands at
        if view is not None:
            self.show_view(view)
        else:
            self.reload()

    @property
    def detail(self) -> SessionDetail | None:
        return self.view.detail if self.view is not None else None

    @property
    def chart(self) -> PatientChart | None:
        return self.view.chart if self.view is not None else None

    def _add(self, key: str, title: str, panel_type: type[Panel]) -> Panel:
        panel = panel_type(self.services, self.principal, self.session_id)
        panel.changed.connect(self.reload)
        panel.updated.connect(self.apply)
        panel.message.connect(self.message)
        self.panels[key] = panel
        page: QWidget = panel
        if not panel.findChildren(QScrollArea):  # a long section scrolls; one with its own scroll area is left be
            page = FitScrollArea(panel)
        self.pages[key] = page
        self.tabs.addTab(page, title)
        return panel

    def show_section(self, key: str) -> None:
        """Bring a section to the front ("checks", "dose", "vitals", "notes", "scales", "discharge", "record")."""
        self.tabs.setCurrentWidget(self.record_holder if key == "record" else
                                   self.pages.get(key) or self.pages["checks"])

    # --- loading -------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the session again (one read, in the background) and show it in the header and every section."""
        actor, sid = self.principal(), self.session_id
        ops.Op(self, lambda: self.services.sessions.screen(actor, sid)).disable() \
            .success(self.show_view).failure(self._not_read).run()

    def _not_read(self, error: BaseException) -> None:
        if not isinstance(error, ClinicError):
            ops.report_failure(self, error)
            return
        set_error(self.error, error.message)
        self.message.emit(error.message)

    def apply(self, update: Update) -> None:
        """A save here returned what changed: show every section from the read brought up to date (or read the
        session again when the change reaches further than the save could say)."""
        view = update(self.view) if self.view is not None else None
        if view is None:
            self.reload()
        else:
            self.show_view(view)

    def show_view(self, view: SessionView) -> None:
        """Show one read of the session in the header and every section."""
        set_error(self.error, "")
        self.view = view
        detail = view.detail
        self.show_header()
        self.paperwork.show_detail(detail)
        for panel in self.panels.values():
            panel.show_view(view)
        self._show_record(detail)
        if self._first:
            self._first = False
            self.show_section(START_AT.get(detail.summary.status, "record"))
        blocks = len(view.checklist.open_keys)
        self.tabs.setTabText(self.tabs.indexOf(self.pages["checks"]),
                             f"Checks ({blocks} to resolve)" if blocks and detail.summary.status.is_open else "Checks")

    def _show_record(self, detail: SessionDetail) -> None:
        layout = self.record_holder.layout()
        clear_layout(layout)
        self.record = SessionRecordView(detail, self.services.context.zone)
        layout.addWidget(self.record)

    def show_header(self) -> None:
        d, c = self.detail, self.chart
        if d is None:
            return
        clear_layout(self.header)
        s = d.summary
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(text_label(d.patient_name, wrap=False, name="chartName"))
        for allergy in (c.allergies if c else ()):
            reaction = f" ({allergy.reaction})" if allergy.reaction else ""
            tag = badge(f"Allergy: {allergy.substance}{reaction}", Grade.REFUSED)
            tag.setWordWrap(False)
            top.addWidget(tag)
        top.addStretch(1)
        self.header.addLayout(top)
        age = f"{c.age_on(self.services.context.today())} years" if c else ""
        parts = [f"MRN {d.mrn}", age, d.protocol.label, s.label, s.chair or "no chair"]
        self.header.addWidget(text_label("   ·   ".join(p for p in parts if p), name="chartSubtitle"))
        line = QHBoxLayout()
        line.setSpacing(8)
        self.status_badge = badge(self.status_words(), Grade.OK if s.status is SessionStatus.DISCHARGED else Grade.INFO)
        self.status_badge.setObjectName("sessionStatus")
        self.status_badge.setWordWrap(False)
        line.addWidget(self.status_badge)
        line.addWidget(text_label(self._escort_words(d)), 1)
        self.header.addLayout(line)

    def status_words(self) -> str:
        """"Infusing for 23 min", "Checked in 09:05", "Discharged 10:52", ..."""
        d = self.detail
        s = d.summary
        zone = self.services.context.zone
        if s.status is SessionStatus.INFUSING and d.dose is not None and d.dose.started_at is not None:
            minutes = int((self.services.context.now() - d.dose.started_at).total_seconds() // 60)
            return f"Infusing for {minutes} min"
        if s.status is SessionStatus.CHECKED_IN and d.checked_in_at is not None:
            return f"Checked in {d.checked_in_at.astimezone(zone):%H:%M}"
        if s.status is SessionStatus.RECOVERING and d.dose is not None and d.dose.stopped_at is not None:
            minutes = int((self.services.context.now() - d.dose.stopped_at).total_seconds() // 60)
            return f"Recovering: infusion ended {minutes} min ago"
        if s.status is SessionStatus.DISCHARGED and s.discharged_at is not None:
            return f"Discharged {s.discharged_at.astimezone(zone):%H:%M}"
        return s.status.label

    @staticmethod
    def _escort_words(d: SessionDetail) -> str:
        if not d.escort_name:
            return "Escort: none named for today"
        phone = f", {d.escort_phone}" if d.escort_phone else ""
        return f"Escort: {d.escort_name}{phone} — {'confirmed' if d.escort_confirmed else 'not confirmed yet'}"

    def changed_elsewhere(self, initiator: object = ELSEWHERE) -> None:
        """Another workstation (or another screen here) changed this session or patient: show it now, or offer
        to when entries are unsaved."""
        if self.is_dirty():
            self.changed_bar.label.setText(changed_words(initiator))
            self.changed_bar.show()
        else:
            self.reload()

    def reload_changed(self) -> None:
        if self.confirm_discard():
            self.changed_bar.hide()
            self.reload()

    # --- closing -------------------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return any(panel.is_dirty() for panel in self.panels.values())

    def confirm_discard(self) -> bool:
        """True when the screen may close: nothing unsaved, or the person chose to discard it."""
        return not self.is_dirty() or ask_discard(self, "this session")
