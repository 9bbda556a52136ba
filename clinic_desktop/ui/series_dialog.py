"""Planning a series from a protocol template: the dates of every session previewed as the plan is typed."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import ClinicError, ValidationError
from clinic_desktop.domain.records import PatientChart, SeriesSummary
from clinic_desktop.domain.schedule import MAX_PLANNED_SESSIONS, TEMPLATES, WEEKDAY_NAMES, plan_session_times
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap, ask_discard, enter_saves, save_in_background, snapshot
from clinic_desktop.ui.widgets import FitScrollArea, add_field, error_label, section, text_label

#: The time most clinics start their first chair.
DEFAULT_TIME = time(9, 0)
NO_CHAIR = "— no chair yet —"


def session_lines(times: list[datetime], zone: ZoneInfo, first: int = 1, of: int | None = None) -> list[str]:
    """"Session 1 of 6 — Mon 2026-03-02 09:00" for each planned time (local wall-clock)."""
    total = of if of is not None else len(times) + first - 1
    return [f"Session {k} of {total} — {formatting.local_time(at, zone)}" for k, at in enumerate(times, start=first)]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class PlanSeriesPage(QWidget):
    """A new series for one patient; `saved` carries the SeriesSummary with its sessions."""

    message = Signal(str, int)
    saved = Signal(object)
    closeRequested = Signal()

    def __init__(self, services: Services, actor: Callable[[], Principal], chart: PatientChart,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self.chart = chart
        self.errors = ErrorMap(error_label("formError"))
        chars = self.fontMetrics().averageCharWidth()

        self.protocol = QComboBox()
        self.protocol.setAccessibleName("Protocol")
        for protocol in TEMPLATES:
            self.protocol.addItem(protocol.label, protocol.value)
        self.template_note = text_label("", name="muted")
        today = services.context.today()
        self.start = QDateEdit(_qdate(today))
        self.start.setAccessibleName("Start date")
        self.start.setDisplayFormat("ddd yyyy-MM-dd")
        self.start.setCalendarPopup(True)
        self.start.setMinimumDate(_qdate(today))
        self.start.setMinimumWidth(chars * 24)
        self.start.setMaximumWidth(chars * 32)
        self.weekday_boxes = [QCheckBox(name) for name in WEEKDAY_NAMES]
        days = QWidget()
        days_row = QHBoxLayout(days)
        days_row.setContentsMargins(0, 0, 0, 0)
        for box, name in zip(self.weekday_boxes, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                  "Saturday", "Sunday")):
            box.setAccessibleName(name)
            days_row.addWidget(box)
        days_row.addStretch(1)
        self.sessions = QSpinBox()
        self.sessions.setAccessibleName("Planned sessions")
        self.sessions.setRange(1, MAX_PLANNED_SESSIONS)
        self.sessions.setMaximumWidth(chars * 12)
        self.time = QTimeEdit(QTime(DEFAULT_TIME.hour, DEFAULT_TIME.minute))
        self.time.setAccessibleName("Time")
        self.time.setDisplayFormat("HH:mm")
        self.time.setMaximumWidth(chars * 12)
        self.chair = QComboBox()
        self.chair.setAccessibleName("Chair")
        self.chair.addItem(NO_CHAIR, None)
        try:
            for chair in services.chairs.bookable(actor()):
                self.chair.addItem(chair.name, chair.id)
        except ClinicError as exc:
            self.errors.message(exc.message)
        if self.chair.count() > 1:
            self.chair.setCurrentIndex(1)
        self.dose = QLineEdit()
        self.dose.setAccessibleName("Target dose")
        self.dose.setMaximumWidth(chars * 12)
        self.dose_unit = text_label("", wrap=False, selectable=False)
        dose = QWidget()
        dose_row = QHBoxLayout(dose)
        dose_row.setContentsMargins(0, 0, 0, 0)
        dose_row.addWidget(self.dose)
        dose_row.addWidget(self.dose_unit)
        dose_row.addStretch(1)
        dose.setFocusProxy(self.dose)

        body = QWidget()
        columns = QHBoxLayout(body)
        box, form = section("Plan")
        self.errors.add("protocol", add_field(form, "&Protocol", self.protocol), self.protocol)
        form.addWidget(self.template_note)
        self.errors.add("start_date", add_field(form, "&Start on or after", self.start), self.start)
        self.errors.add("weekdays", add_field(form, "On &weekdays", days), self.weekday_boxes[0])
        self.errors.add("planned_sessions", add_field(form, "&Number of sessions", self.sessions), self.sessions)
        self.errors.add("session_time", add_field(form, "At &time (clinic's local time)", self.time), self.time)
        self.errors.add("chair", add_field(form, "&Chair", self.chair), self.chair)
        self.errors.add("target_dose", add_field(form, "Target &dose", dose), self.dose)
        form.addStretch(1)
        columns.addWidget(box, 3)
        preview_box, preview = section("Sessions")
        self.preview = text_label("")
        preview.addWidget(self.preview)
        preview.addStretch(1)
        columns.addWidget(preview_box, 2)
        self.scroll = FitScrollArea(body)

        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.save_button = QPushButton("&Plan series")
        self.save_button.setObjectName("primary")
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.save_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addWidget(text_label(f"Plan a series — {chart.display_name} (MRN {chart.mrn})", selectable=False,
                                   name="pageTitle"))
        outer.addWidget(self.errors.form_error)
        outer.addWidget(self.scroll, 1)
        outer.addLayout(bar)

        self.protocol.currentIndexChanged.connect(self.apply_template)
        for signal in (self.start.dateChanged, self.sessions.valueChanged, self.time.timeChanged):
            signal.connect(self.update_preview)
        for box in self.weekday_boxes:
            box.toggled.connect(self.update_preview)
        self.save_button.clicked.connect(lambda: self.save())
        self.cancel_button.clicked.connect(self.closeRequested)
        enter_saves(self, self.save, self.closeRequested.emit)
        self.body = body
        self.first_field = self.protocol
        self.apply_template()
        self._clean = snapshot(body)

    def protocol_value(self) -> Protocol:
        return Protocol(self.protocol.currentData())

    def weekdays(self) -> tuple[int, ...]:
        return tuple(i for i, box in enumerate(self.weekday_boxes) if box.isChecked())

    def apply_template(self) -> None:
        """The template's sessions, weekdays and dose: a starting point, each value can be changed."""
        template = TEMPLATES[self.protocol_value()]
        self.template_note.setText(template.description)
        for i, box in enumerate(self.weekday_boxes):
            box.blockSignals(True)
            box.setChecked(i in template.weekdays)
            box.blockSignals(False)
        self.sessions.setValue(template.planned_sessions)
        self.dose.setText(str(template.target_dose))
        self.dose_unit.setText("mg" if template.protocol.is_esketamine else "mg/kg")
        self.update_preview()

    def planned_times(self) -> list[datetime]:
        return plan_session_times(self.start.date().toPython(), self.weekdays(), self.sessions.value(),
                                  self.time.time().toPython(), self._services.context.zone)

    def update_preview(self) -> None:
        try:
            times = self.planned_times()
        except ValidationError as exc:
            self.preview.setText(exc.message)
            return
        self.preview.setText("\n".join(session_lines(times, self._services.context.zone)))

    def is_dirty(self) -> bool:
        return snapshot(self.body) != self._clean

    def save(self) -> SeriesSummary | None:
        """Planned in the background; the series when it finished at once, else None (`saved` says when)."""
        actor, patient_id, protocol, start = self._actor(), self.chart.id, self.protocol_value(), self.start.date().toPython()
        weekdays, count, at = self.weekdays(), self.sessions.value(), self.time.time().toPython()
        dose, chair = self.dose.text(), self.chair.currentData()
        return save_in_background(
            self, lambda: self._services.series.plan(actor, patient_id, protocol, start, weekdays, count, at, dose,
                                                     chair),
            self.errors, self._saved, lambda exc: self.message.emit(exc.message, 10000))

    def _saved(self, summary: SeriesSummary) -> None:
        self._clean = snapshot(self.body)
        self.saved.emit(summary)

    def confirm_discard(self) -> bool:
        return not self.is_dirty() or ask_discard(self, "this series plan")
