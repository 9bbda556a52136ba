"""Monitoring notes: the side-effect checklist, an adverse event with its required fields, and a free-text note.
Each form says what is missing beside the field, Enter (Ctrl+S in a text box) saves and Esc clears."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.enums import NoteKind
from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.domain.monitoring import ACTION_WORDS, ADVERSE_EVENTS, OUTCOME_WORDS, SEVERITIES, SIDE_EFFECTS
from clinic_desktop.domain.session_records import NoteEntry
from clinic_desktop.ui import ops
from clinic_desktop.ui.form_support import ErrorMap, enter_saves
from clinic_desktop.ui.session_screen.view_updates import Saved
from clinic_desktop.ui.widgets import error_label

#: Makes the save call: kind, structured values, text -> the call to run in the background, which returns a
#: view_updates.Saved whose entry is the stored note.
AddNote = Callable[[NoteKind, dict, str], Callable[[], Saved]]


def choice_box(items: dict[str, str], prompt: str, name: str) -> QComboBox:
    """A combo that starts on "Choose …" (no value), so nothing is recorded by default."""
    box = QComboBox()
    box.addItem(prompt, None)
    for value, words in items.items():
        box.addItem(words, value)
    box.setAccessibleName(name)
    return box


class NoteForm(QWidget):
    saved = Signal(str)  #: a line for the status bar
    stored = Signal(object)  #: the view_updates.Saved of the save
    refused = Signal(str)
    kind: NoteKind

    def __init__(self, add: AddNote, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._add = add
        self.form_error = error_label("formError")
        self.errors = ErrorMap(self.form_error)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName("Note")
        self.text.setMinimumHeight(self.fontMetrics().height() * 3)
        self.text.setMaximumHeight(self.fontMetrics().height() * 6)
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("primary")
        self.save_button.setAutoDefault(False)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.clear)
        # The layouts hang on the form before anything is added, so every widget has its parent at once.
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(2)
        self._layout.addLayout(self.grid)

    def field(self, row: int, column: int, caption: str, widget: QWidget, name: str, span: int = 1) -> None:
        box = QVBoxLayout()
        box.setSpacing(2)
        self.grid.addLayout(box, row, column, 1, span)
        label = QLabel(caption)
        label.setBuddy(widget)
        box.addWidget(label)
        box.addWidget(widget)
        box.addWidget(self.errors.add(name, error_label(), widget))

    def finish_layout(self) -> None:
        buttons = QHBoxLayout()
        self._layout.addWidget(self.form_error)
        self._layout.addLayout(buttons)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        enter_saves(self, self.save, self.clear)

    def values(self) -> dict[str, Any]:
        return {}

    def missing(self) -> list[ValidationError]:
        """Required fields left empty, all at once (the service would name only the first)."""
        return []

    def describe(self, note: NoteEntry) -> str:
        return f"{note.kind.label} recorded."

    def save(self) -> None:
        """Save in the background; the form is cleared and `saved` emitted when the note is stored."""
        self.errors.clear()
        missing = self.missing()
        if missing:
            self.errors.show(missing)
            return
        ops.Op(self, self._add(self.kind, self.values(), self.text.toPlainText())).disable(self.save_button) \
            .success(self._stored).failure(self._refused).run()

    def _stored(self, saved: Saved) -> None:
        self.clear()
        self.saved.emit(self.describe(saved.entry))
        self.stored.emit(saved)

    def _refused(self, exc: BaseException) -> None:
        ops.report_failure(self, exc, self.errors)
        if isinstance(exc, ClinicError) and not isinstance(exc, (ValidationError, ValidationErrors)):
            self.refused.emit(exc.message)

    def clear(self) -> None:
        self.errors.clear()
        self.text.clear()

    def is_dirty(self) -> bool:
        return bool(self.text.toPlainText().strip())


class SideEffectForm(NoteForm):
    kind = NoteKind.SIDE_EFFECT

    def __init__(self, add: AddNote, parent: QWidget | None = None) -> None:
        super().__init__(add, parent)
        self.checks: dict[str, QCheckBox] = {}
        checklist = QWidget(self)
        boxes = QGridLayout(checklist)
        boxes.setContentsMargins(0, 0, 0, 0)
        for index, (key, words) in enumerate(SIDE_EFFECTS.items()):
            self.checks[key] = QCheckBox(words)
            boxes.addWidget(self.checks[key], index // 2, index % 2)
        self.severity = choice_box({s: s.capitalize() for s in SEVERITIES}, "Choose the severity…", "Severity")
        self.field(0, 0, "Side effects", checklist, "effects", span=2)
        self.field(1, 0, "Se&verity", self.severity, "severity")
        self.field(2, 0, "&Note (optional)", self.text, "text", span=2)
        self.finish_layout()

    def values(self) -> dict[str, Any]:
        return {"effects": [k for k, box in self.checks.items() if box.isChecked()],
                "severity": self.severity.currentData()}

    def missing(self) -> list[ValidationError]:
        out = []
        if not self.values()["effects"]:
            out.append(ValidationError("Tick at least one side effect.", "effects"))
        if self.severity.currentData() is None:
            out.append(ValidationError("Choose the severity.", "severity"))
        return out

    def describe(self, note: NoteEntry) -> str:
        return f"Side effects recorded: {', '.join(SIDE_EFFECTS[e] for e in note.values['effects'])}."

    def clear(self) -> None:
        super().clear()
        for box in self.checks.values():
            box.setChecked(False)
        self.severity.setCurrentIndex(0)

    def is_dirty(self) -> bool:
        return super().is_dirty() or bool(self.values()["effects"]) or self.severity.currentIndex() > 0


class AdverseEventForm(NoteForm):
    kind = NoteKind.ADVERSE_EVENT

    def __init__(self, add: AddNote, minutes_since_start: Callable[[], int | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(add, parent)
        self._minutes = minutes_since_start
        self.event_box = choice_box(ADVERSE_EVENTS, "Choose the event…", "Event")
        self.description = QLineEdit()
        self.description.setMaxLength(500)
        self.description.setPlaceholderText("Required for “Other”")
        self.onset = QLineEdit()
        self.onset.setMaxLength(4)
        self.onset.setPlaceholderText("minutes")
        self.severity = choice_box({s: s.capitalize() for s in SEVERITIES}, "Choose…", "Severity")
        self.action = choice_box(ACTION_WORDS, "Choose the action…", "Action taken")
        self.medication = QLineEdit()
        self.medication.setMaxLength(200)
        self.medication.setPlaceholderText("Name, dose, route and time")
        self.outcome = choice_box(OUTCOME_WORDS, "Choose the outcome…", "Outcome")
        notified = QWidget(self)
        row = QHBoxLayout(notified)
        row.setContentsMargins(0, 0, 0, 0)
        self.notified_yes, self.notified_no = QRadioButton("Yes"), QRadioButton("No")
        row.addWidget(self.notified_yes)
        row.addWidget(self.notified_no)
        row.addStretch(1)
        self.field(0, 0, "&Event", self.event_box, "event")
        self.field(0, 1, "&Description", self.description, "description")
        self.field(1, 0, "O&nset (minutes after the dose started)", self.onset, "onset_minutes")
        self.field(1, 1, "Se&verity", self.severity, "severity")
        self.field(2, 0, "&Action taken", self.action, "action")
        self.field(2, 1, "&Medication given", self.medication, "medication")
        self.field(3, 0, "&Outcome", self.outcome, "outcome")
        self.field(3, 1, "Physician notified", notified, "physician_notified")
        self.field(4, 0, "No&te", self.text, "text", span=2)
        self.finish_layout()
        self.action.currentIndexChanged.connect(lambda _i: self._sync_medication())
        self._sync_medication()
        self.reset_onset()

    def _sync_medication(self) -> None:
        self.medication.setEnabled(self.action.currentData() == "medication_given")

    def reset_onset(self) -> None:
        minutes = self._minutes()
        self.onset.setText("" if minutes is None else str(minutes))

    def values(self) -> dict[str, Any]:
        onset = self.onset.text().strip()
        return {"event": self.event_box.currentData(), "description": self.description.text().strip(),
                "severity": self.severity.currentData(), "action": self.action.currentData(),
                "medication": self.medication.text().strip() if self.medication.isEnabled() else "",
                "outcome": self.outcome.currentData(),
                "physician_notified": True if self.notified_yes.isChecked() else
                False if self.notified_no.isChecked() else None,
                "onset_minutes": int(onset) if onset.isdigit() else (onset or None)}

    def missing(self) -> list[ValidationError]:
        v = self.values()
        out = [ValidationError(message, key) for key, message in (
            ("event", "Choose the event."), ("severity", "Choose the severity."),
            ("action", "Choose the action taken."), ("outcome", "Choose the outcome."),
            ("physician_notified", "Say whether the physician was notified.")) if v[key] is None]
        if v["event"] == "other" and not v["description"]:
            out.append(ValidationError("Describe the event.", "description"))
        if v["action"] == "medication_given" and not v["medication"]:
            out.append(ValidationError("Name the medication, dose, route and time.", "medication"))
        if isinstance(v["onset_minutes"], str):
            out.append(ValidationError("Onset is a whole number of minutes.", "onset_minutes"))
        return out

    def describe(self, note: NoteEntry) -> str:
        return f"Adverse event recorded: {ADVERSE_EVENTS[note.values['event']]}."

    def clear(self) -> None:
        super().clear()
        for box in (self.event_box, self.severity, self.action, self.outcome):
            box.setCurrentIndex(0)
        self.description.clear()
        self.medication.clear()
        for button in (self.notified_yes, self.notified_no):
            button.setAutoExclusive(False)
            button.setChecked(False)
            button.setAutoExclusive(True)
        self.reset_onset()

    def is_dirty(self) -> bool:
        return (super().is_dirty() or any(b.currentIndex() > 0 for b in (self.event_box, self.severity, self.action,
                                                                          self.outcome))
                or bool(self.description.text().strip() or self.medication.text().strip()))


class FreeTextForm(NoteForm):
    kind = NoteKind.FREE_TEXT

    def __init__(self, add: AddNote, parent: QWidget | None = None) -> None:
        super().__init__(add, parent)
        self.text.setMinimumHeight(self.fontMetrics().height() * 5)
        self.text.setMaximumHeight(self.fontMetrics().height() * 12)
        self.field(0, 0, "&Note (Ctrl+S saves)", self.text, "text")
        self.finish_layout()

    def describe(self, note: NoteEntry) -> str:
        return "Note recorded."
