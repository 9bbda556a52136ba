"""A questionnaire (PHQ-9, GAD-7) the patient fills on the clinic's screen: large choices, one question at a time
or all on one page, and nothing else of the record on show. Leaving it, to save or to cancel, needs a staff
member's password; a wrong password keeps the form where it is."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.scales import ScaleDefinition
from clinic_desktop.domain.scales.base import Item
from clinic_desktop.ui.session_screen.staff_exit import StaffExit
from clinic_desktop.ui.widgets import FitScrollArea, text_label

#: Sized in points, so the large choices grow with the screen's scaling like everything else.
PATIENT_STYLE = """
QWidget#patientForm, QWidget#patientBody { background: #ffffff; }
QLabel#patientTitle { font-size: 20pt; font-weight: 600; }
QLabel#patientIntro { font-size: 14pt; color: #3c4043; }
QLabel#patientQuestion { font-size: 18pt; }
QLabel#patientProgress { font-size: 12pt; color: #5f6368; }
QLabel#patientThanks { font-size: 18pt; }
QPushButton#choice { font-size: 15pt; padding: 12px 18px; text-align: left; border: 2px solid #9aa0a6;
    border-radius: 8px; background: #ffffff; }
QPushButton#choice:checked { background: #d2e3fc; border: 3px solid #174ea6; }
QPushButton#choice:focus { border: 3px dashed #174ea6; }
QPushButton#patientNav { font-size: 14pt; padding: 8px 24px; }
QPushButton#patientNav:checked { background: #174ea6; color: #ffffff; border-radius: 4px; }
QFrame#staffBar { background: #f1f3f4; border-top: 1px solid #dadce0; }
"""

#: What the patient reads when every question is answered.
THANKS = "Thank you. Please let a member of staff know that you have finished."


class ChoiceGroup(QWidget):
    """An item's answers as large, exclusive buttons (a click, Space or the number key picks one)."""

    chosen = Signal(int, object)  #: item number, answer value

    def __init__(self, item: Item, vertical: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        layout = QVBoxLayout(self) if vertical else QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.buttons: list[QPushButton] = []
        for index, choice in enumerate(item.choices):
            button = QPushButton(choice.label)
            button.setObjectName("choice")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setAccessibleName(f"{choice.label} ({index})")
            self.group.addButton(button, index)
            layout.addWidget(button)
            self.buttons.append(button)
        self.group.idClicked.connect(lambda index: self.chosen.emit(item.number, item.choices[index].value))

    def show_answer(self, value: object) -> None:
        for button, choice in zip(self.buttons, self.item.choices):
            button.setChecked(value is not None and choice.value == value)


class PatientFormPage(QWidget):
    """The whole-window form. `save(answers)` stores the answers and `verify_staff(username, password)`
    checks a staff member's password; both raise ClinicError to refuse. `closed(saved)` says the page may go."""

    closed = Signal(bool)  #: True when the answers were saved

    def __init__(self, scale: ScaleDefinition, save: Callable[[list], None],
                 verify_staff: Callable[[str, str], None], staff_hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scale = scale
        self._save = save
        self.answers: list = [None] * scale.n_items
        self.index = 0
        self.setObjectName("patientForm")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(PATIENT_STYLE)

        self.one_button = QPushButton("One question at a time")
        self.all_button = QPushButton("All questions on one page")
        for button in (self.one_button, self.all_button):
            button.setCheckable(True)
            button.setObjectName("patientNav")
            button.setAutoDefault(False)
        self.one_button.setChecked(True)
        self.views = QStackedWidget()
        self.views.addWidget(self._single_view())
        self.views.addWidget(self._all_view())
        self.views.addWidget(self._thanks_view())

        column = QVBoxLayout()
        column.setContentsMargins(32, 24, 32, 16)
        column.addWidget(text_label(scale.name, selectable=False, name="patientTitle"))
        column.addWidget(text_label(scale.description, selectable=False, name="patientIntro"))
        modes = QHBoxLayout()
        modes.addWidget(self.one_button)
        modes.addWidget(self.all_button)
        modes.addStretch(1)
        column.addLayout(modes)
        column.addWidget(self.views, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(column, 1)
        self.staff = StaffExit(verify_staff, staff_hint)
        outer.addWidget(self.staff)
        self.staff.requested.connect(self.ask_staff)
        self.staff.passed.connect(self._passed)

        self.one_button.clicked.connect(lambda: self.set_all_on_one_page(False))
        self.all_button.clicked.connect(lambda: self.set_all_on_one_page(True))
        self._show_item(0)

    # --- the two ways of answering ------------------------------------------------------------------
    def _single_view(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.progress = text_label("", selectable=False, name="patientProgress")
        self.question = text_label("", selectable=False, name="patientQuestion")
        self.single_choices = QStackedWidget()
        self.single_groups = []
        for item in self.scale.items:
            group = ChoiceGroup(item, vertical=True)
            group.chosen.connect(self._answered)
            self.single_groups.append(group)
            self.single_choices.addWidget(group)
        self.back_button = QPushButton("◀  Back")
        self.next_button = QPushButton("Next  ▶")
        for button in (self.back_button, self.next_button):
            button.setObjectName("patientNav")
            button.setAutoDefault(False)
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        layout.addWidget(self.progress)
        layout.addWidget(self.question)
        layout.addSpacing(12)
        layout.addWidget(self.single_choices)
        layout.addStretch(1)
        layout.addLayout(nav)
        self.back_button.clicked.connect(lambda: self._show_item(self.index - 1))
        self.next_button.clicked.connect(self._next)
        return page

    def _all_view(self) -> QWidget:
        body = QWidget()
        body.setObjectName("patientBody")
        body.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(body)
        self.all_groups = []
        for item in self.scale.items:
            layout.addWidget(text_label(f"{item.number}. {item.text}", selectable=False, name="patientQuestion"))
            group = ChoiceGroup(item, vertical=False)
            group.chosen.connect(self._answered)
            self.all_groups.append(group)
            layout.addWidget(group)
            layout.addSpacing(16)
        self.all_done = QPushButton("I have finished")
        self.all_done.setObjectName("patientNav")
        self.all_done.setAutoDefault(False)
        self.all_done.clicked.connect(self._finish_all)
        self.all_missing = text_label("", selectable=False, name="patientProgress")
        layout.addWidget(self.all_missing)
        layout.addWidget(self.all_done, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)
        return FitScrollArea(body)

    def _thanks_view(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        thanks = text_label(THANKS, selectable=False, name="patientThanks")
        thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(thanks)
        self.change_button = QPushButton("Change an answer")
        self.change_button.setObjectName("patientNav")
        self.change_button.setAutoDefault(False)
        self.change_button.clicked.connect(lambda: self._show_item(self.scale.n_items - 1))
        layout.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    def set_all_on_one_page(self, all_on_one: bool) -> None:
        self.one_button.setChecked(not all_on_one)
        self.all_button.setChecked(all_on_one)
        if all_on_one:
            self.views.setCurrentIndex(1)
        else:
            self._show_item(self.first_unanswered() if self.first_unanswered() is not None else 0)

    def _show_item(self, index: int) -> None:
        self.index = max(0, min(index, self.scale.n_items - 1))
        item = self.scale.item(self.index + 1)
        self.progress.setText(f"Question {item.number} of {self.scale.n_items}")
        self.question.setText(item.text)
        self.single_choices.setCurrentIndex(self.index)
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.answers[self.index] is not None)
        self.views.setCurrentIndex(0)
        if not self.one_button.isChecked():
            self.one_button.setChecked(True)
            self.all_button.setChecked(False)

    def _answered(self, number: int, value: object) -> None:
        self.answers[number - 1] = value
        for groups in (self.single_groups, self.all_groups):
            groups[number - 1].show_answer(value)
        if self.views.currentIndex() == 0:
            self.next_button.setEnabled(True)
        self.staff.show_error("")

    def _next(self) -> None:
        if self.index + 1 < self.scale.n_items:
            self._show_item(self.index + 1)
        elif self.first_unanswered() is None:
            self.views.setCurrentIndex(2)

    def _finish_all(self) -> None:
        missing = [str(i + 1) for i, a in enumerate(self.answers) if a is None]
        self.all_missing.setText(f"Please answer question {', '.join(missing)}." if missing else "")
        if not missing:
            self.views.setCurrentIndex(2)

    def first_unanswered(self) -> int | None:
        return next((i for i, a in enumerate(self.answers) if a is None), None)

    def answer(self, number: int, value: object) -> None:
        """Pick an answer as a click would (for keyboard shortcuts and tests)."""
        self._answered(number, value)

    # --- leaving: a staff member's password ----------------------------------------------------------
    def ask_staff(self, what: str) -> None:
        """Finishing needs every answer first; then (or to cancel) a staff member's password."""
        missing = self.first_unanswered()
        if what == "finish" and missing is not None:
            self.staff.show_error(f"Question {missing + 1} is not answered yet.")
            if self.views.currentIndex() != 1:
                self._show_item(missing)
            return
        self.staff.open(what)

    def _passed(self, what: str) -> None:
        """A staff member's password was right: save (Finish) or discard (Cancel), and let the page go."""
        if what == "finish":
            try:
                self._save(list(self.answers))
            except ClinicError as exc:
                self.staff.show_error(exc.message)
                return
        self.staff.close_strip()
        self.closed.emit(what == "finish")
