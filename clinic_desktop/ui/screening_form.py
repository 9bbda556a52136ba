"""The contraindication screening form: every question answered yes, no or unknown, with notes and a date."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.records import PatientChart, ScreeningSummary
from clinic_desktop.domain.screening import QUESTIONS, Answer
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap, ask_discard, enter_saves, save_in_background, snapshot
from clinic_desktop.ui.widgets import FitScrollArea, add_field, error_label, section, text_label

#: The widest the form grows, in average characters.
MAX_WIDTH_CHARS = 160
ANSWERS = ((Answer.YES, "Yes"), (Answer.NO, "No"), (Answer.UNKNOWN, "Unknown"))
INTRO = ("Ask each question and tick the answer. A question left without an answer is saved as “unknown”; unknown "
         "answers to serious questions are flagged on the chart until they are answered.")


class ScreeningForm(QWidget):
    """One patient's screening; `saved` carries the ScreeningSummary the service returns."""

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
        self.groups: dict[str, QButtonGroup] = {}
        body, holder = QWidget(), QWidget()
        # Not wider than a question and its answers need: on a wide screen the answers stay near the words.
        holder.setMaximumWidth(self.fontMetrics().averageCharWidth() * MAX_WIDTH_CHARS)
        centre = QHBoxLayout(body)
        centre.setContentsMargins(0, 0, 8, 0)
        centre.addWidget(holder, 1)
        centre.addStretch(0)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(text_label(INTRO, name="muted"))
        if chart.screening is not None:
            s = chart.screening
            column.addWidget(text_label(f"Last screening: {formatting.day(s.screened_on)} by {s.recorded_by}.",
                                        name="muted"))
        box, layout = section("Questions")
        grid = QGridLayout()
        grid.setColumnStretch(0, 1)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        for row, question in enumerate(QUESTIONS):
            self._question(grid, row * 2, question.key, question.text)
        layout.addLayout(grid)
        column.addWidget(box)

        box, layout = section("Notes and date")
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Screening notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        self.errors.add("notes", add_field(layout, "&Notes (details of any “yes”)", self.notes), self.notes)
        self.screened_on = QDateEdit()
        self.screened_on.setAccessibleName("Screened on")
        self.screened_on.setDisplayFormat("yyyy-MM-dd")
        self.screened_on.setCalendarPopup(True)
        today = services.context.today()
        self.screened_on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.screened_on.setDate(QDate(today.year, today.month, today.day))
        self.screened_on.setMaximumWidth(self.fontMetrics().averageCharWidth() * 18)
        self.errors.add("screened_on", add_field(layout, "Screened &on", self.screened_on), self.screened_on)
        column.addWidget(box)
        column.addStretch(1)
        self.scroll = FitScrollArea(body)

        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.save_button = QPushButton("&Save screening")
        self.save_button.setObjectName("primary")
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.save_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addWidget(text_label(f"Contraindication screening — {chart.display_name} (MRN {chart.mrn})",
                                   selectable=False, name="pageTitle"))
        outer.addWidget(self.errors.form_error)
        outer.addWidget(self.scroll, 1)
        outer.addLayout(bar)
        self.save_button.clicked.connect(lambda: self.save())
        self.cancel_button.clicked.connect(self.closeRequested)
        enter_saves(self, self.save, self.closeRequested.emit)
        self._clean = snapshot(body)
        self.body = body
        self.first_field = self.groups[QUESTIONS[0].key].buttons()[0]

    def _question(self, grid: QGridLayout, row: int, key: str, text: str) -> None:
        grid.addWidget(text_label(text, selectable=False), row, 0, Qt.AlignmentFlag.AlignVCenter)
        group = QButtonGroup(self)
        for column, (answer, label) in enumerate(ANSWERS, start=1):
            button = QRadioButton(label)
            button.setAccessibleName(f"{label}: {text}")
            button.setProperty("answer", answer.value)
            group.addButton(button)
            grid.addWidget(button, row, column)
        self.groups[key] = group
        self.errors.add(key, error_label(), group.buttons()[0])
        grid.addWidget(self.errors.labels[key], row + 1, 0, 1, 4)

    def set_answer(self, key: str, answer: Answer | str) -> None:
        for button in self.groups[key].buttons():
            if button.property("answer") == Answer(answer).value:
                button.setChecked(True)

    def answers(self) -> dict[str, str]:
        """Ticked answers by question key; unticked questions are left out (the service stores them unknown)."""
        out = {}
        for key, group in self.groups.items():
            button = group.checkedButton()
            if button is not None:
                out[key] = button.property("answer")
        return out

    def is_dirty(self) -> bool:
        return snapshot(self.body) != self._clean

    def save(self) -> ScreeningSummary | None:
        """Saved in the background; the summary when it finished at once, else None (`saved` says when)."""
        actor, patient_id, answers = self._actor(), self.chart.id, self.answers()
        notes, day = self.notes.toPlainText(), self.screened_on.date().toPython()
        return save_in_background(
            self, lambda: self._services.patients.record_screening(actor, patient_id, answers, notes, day),
            self.errors, self._saved, lambda exc: self.message.emit(exc.message, 10000))

    def _saved(self, summary: ScreeningSummary) -> None:
        self._clean = snapshot(self.body)
        self.saved.emit(summary)

    def confirm_discard(self) -> bool:
        return not self.is_dirty() or ask_discard(self, "this screening form")
