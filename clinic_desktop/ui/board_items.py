"""What a session on today's board says (time, patient, "session k of N", status, vitals countdown), and the
small inline form that checks a patient in."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.enums import PregnancyStatus, SessionStatus
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.domain.vitals_schedule import GRACE
from clinic_desktop.services.board import BoardEntry
from clinic_desktop.ui.form_support import ErrorMap, enter_saves
from clinic_desktop.ui.widgets import add_field, error_label, text_label

#: Sessions whose vital signs fall due on a schedule.
MONITORED = (SessionStatus.INFUSING, SessionStatus.RECOVERING)
#: Background and text colour by status: the words say the status too.
STATUS_COLOURS: dict[SessionStatus, tuple[str, str]] = {
    SessionStatus.SCHEDULED: ("#ffffff", "#202124"),
    SessionStatus.CHECKED_IN: ("#e8f0fe", "#174ea6"),
    SessionStatus.INFUSING: ("#fef7e0", "#5c3c00"),
    SessionStatus.RECOVERING: ("#e6f4ea", "#1e4620"),
    SessionStatus.DISCHARGED: ("#f1f3f4", "#5f6368"),
    SessionStatus.CANCELLED: ("#f1f3f4", "#5f6368"),
    SessionStatus.NO_SHOW: ("#f1f3f4", "#5f6368"),
}
#: An overdue reading: pale red behind dark red words.
OVERDUE_COLOURS = ("#fde7e9", "#a50e0e")


def vitals_due(entry: BoardEntry, now: datetime) -> tuple[str, bool]:
    """("vitals in 4 min" | "vitals due now" | "vitals overdue 3 min", overdue?) for a monitored session."""
    if entry.status not in MONITORED or entry.next_vitals_due is None:
        return "", False
    ahead = (entry.next_vitals_due - now).total_seconds()
    if ahead > 0:
        return f"vitals in {math.ceil(ahead / 60)} min", entry.overdue_readings > 0
    late = now - entry.next_vitals_due
    if late <= GRACE and entry.overdue_readings == 0:
        return "vitals due now", False
    text = f"vitals overdue {int(late.total_seconds() // 60)} min"
    if entry.overdue_readings > 1:
        text += f" ({entry.overdue_readings} readings missed)"
    return text, True


def entry_lines(entry: BoardEntry, now: datetime, zone: ZoneInfo) -> tuple[list[str], bool]:
    """The lines a board row shows, and whether vital signs are overdue (the row is then marked red)."""
    first = f"{entry.scheduled_at.astimezone(zone):%H:%M}  {entry.patient_name}"
    second = f"Session {entry.sequence} of {entry.of_planned} · {entry.status.label}"
    lines = [first, second]
    if entry.status is SessionStatus.INFUSING and entry.started_at is not None:
        lines.append(f"infusing since {entry.started_at.astimezone(zone):%H:%M}")
    elif entry.status is SessionStatus.RECOVERING and entry.stopped_at is not None:
        lines.append(f"recovering since {entry.stopped_at.astimezone(zone):%H:%M}")
    vitals, overdue = vitals_due(entry, now)
    if vitals:
        lines.append(vitals)
    return lines, overdue


#: Check-in answers: None means "not asked yet" (the session's checklist then asks for it).
NPO_CHOICES = (("Not asked yet", None), ("Confirmed fasting as instructed", True), ("Not fasting", False))


class CheckInPanel(QFrame):
    """Escort (defaults to the usual one), fasting and pregnancy answers, then Check in; Esc closes it."""

    #: The SessionDetail after a successful check-in.
    checkedIn = Signal(object)
    closed = Signal()

    def __init__(self, check_in: Callable[..., SessionDetail], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkInPanel")
        self._check_in = check_in
        self.entry: BoardEntry | None = None
        self.errors = ErrorMap(error_label("formError"))
        self.heading = text_label("", selectable=False, name="subheading")
        self.escort_name = QLineEdit()
        self.escort_name.setAccessibleName("Escort name")
        self.escort_name.setPlaceholderText("The usual escort if left empty")
        self.escort_phone = QLineEdit()
        self.escort_phone.setAccessibleName("Escort phone")
        self.escort_confirmed = QCheckBox("&Escort is here or confirmed to collect the patient")
        self.npo = QComboBox()
        self.npo.setAccessibleName("Fasting")
        for label, value in NPO_CHOICES:
            self.npo.addItem(label, value)
        self.pregnancy = QComboBox()
        self.pregnancy.setAccessibleName("Pregnancy status")
        self.pregnancy.addItem("Not recorded yet", None)
        for status in PregnancyStatus:
            self.pregnancy.addItem(status.label, status.value)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        cells = ((0, 0, "escort_name", "Escort / &driver", self.escort_name),
                 (0, 1, "escort_phone", "Escort &phone", self.escort_phone),
                 (1, 0, "npo_confirmed", "&Fasting", self.npo),
                 (1, 1, "pregnancy_status", "Pre&gnancy", self.pregnancy))
        for row, column, name, caption, field in cells:
            cell = QVBoxLayout()
            self.errors.add(name, add_field(cell, caption, field), field)
            grid.addLayout(cell, row, column)
        self.check_in_button = QPushButton("&Check in")
        self.check_in_button.setObjectName("primary")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        top = QHBoxLayout()  # the buttons beside the heading: the form stays short under the board
        top.addWidget(self.heading, 1)
        top.addWidget(self.cancel_button)
        top.addWidget(self.check_in_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addWidget(self.escort_confirmed)
        self.errors.add("escort_confirmed", error_label(), self.escort_confirmed)
        layout.addWidget(self.errors.labels["escort_confirmed"])
        layout.addWidget(self.errors.form_error)
        self.check_in_button.clicked.connect(lambda: self.submit())
        self.cancel_button.clicked.connect(self.close_panel)
        enter_saves(self, self.submit, self.close_panel)
        self.setVisible(False)

    def open_for(self, entry: BoardEntry) -> None:
        self.entry = entry
        self.heading.setText(f"Check in {entry.patient_name} — Session {entry.sequence} of {entry.of_planned}")
        for edit in (self.escort_name, self.escort_phone):
            edit.clear()
        self.escort_confirmed.setChecked(False)
        self.npo.setCurrentIndex(0)
        self.pregnancy.setCurrentIndex(0)
        self.errors.clear()
        self.setVisible(True)
        self.escort_name.setFocus()

    def close_panel(self) -> None:
        self.entry = None
        self.setVisible(False)
        self.closed.emit()

    def submit(self) -> SessionDetail | None:
        if self.entry is None:
            return None
        entry = self.entry
        detail = self.errors.attempt(lambda: self._check_in(
            entry.session_id, self.escort_name.text(), self.escort_phone.text(), self.escort_confirmed.isChecked(),
            self.npo.currentData(), self.pregnancy.currentData()))
        if detail is not None:
            self.setVisible(False)
            self.entry = None
            self.checkedIn.emit(detail)
        return detail
