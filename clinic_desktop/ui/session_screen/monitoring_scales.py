"""Dissociation and sedation during the session: CADSS (23 items, 0-4, total as you go) and MOAA/S (0-5 with
its descriptions), each recorded as a scale that the session's notes also show."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QRadioButton, QVBoxLayout, QWidget

from clinic_desktop.domain.enums import Timepoint
from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.domain.records import ScoreEntry
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.domain.scales import CADSS, MOAAS, ScaleDefinition, cadss6_subtotal
from clinic_desktop.ui import ops
from clinic_desktop.ui.form_support import enter_saves
from clinic_desktop.ui.session_screen.scale_grid import ScaleGrid
from clinic_desktop.ui.session_screen.view_updates import Saved
from clinic_desktop.ui.widgets import error_label, set_error, text_label

#: Makes the save call: the scale's code, answers, timepoint -> the call to run in the background, which returns
#: a view_updates.Saved whose entry is the scored ScoreEntry.
RecordScale = Callable[[str, list, Timepoint], Callable[[], Saved]]


def default_timepoint(detail: SessionDetail) -> Timepoint:
    """During the infusion until it stops, after it from then on."""
    dose = detail.dose
    return Timepoint.POST if dose is not None and dose.stopped_at is not None else Timepoint.DURING


class ScaleForm(QWidget):
    """What every scale's form shares: a timepoint (those its definition lists), a save button, refusals."""

    saved = Signal(str)  #: a line for the status bar
    stored = Signal(object)  #: the view_updates.Saved of the save
    refused = Signal(str)

    scale: ScaleDefinition  #: the scale this form records (set by each form)
    title: str  #: its tab's title, with the mnemonic

    def __init__(self, record: RecordScale, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record = record
        self.timepoint = QComboBox()
        for point in self.scale.timepoints:
            self.timepoint.addItem(point.label, point)
        self.timepoint.setAccessibleName("When")
        self.error = error_label("formError")
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("primary")
        self.save_button.setAutoDefault(False)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.clear)

    def _bottom(self, layout: QVBoxLayout, extra: QWidget | None = None) -> None:
        row = QHBoxLayout()
        when = QLabel("&When")
        when.setBuddy(self.timepoint)
        row.addWidget(when)
        row.addWidget(self.timepoint)
        if extra is not None:
            row.addWidget(extra, 1)
        row.addStretch(1)
        row.addWidget(self.clear_button)
        row.addWidget(self.save_button)
        layout.addWidget(self.error)
        layout.addLayout(row)
        enter_saves(self, self.save, self.clear)

    def default_timepoint(self, detail: SessionDetail) -> Timepoint:
        return default_timepoint(detail)

    def set_context(self, detail: SessionDetail) -> None:
        if not self.is_dirty():
            self.timepoint.setCurrentIndex(max(self.timepoint.findData(self.default_timepoint(detail)), 0))

    def answers(self) -> list:
        raise NotImplementedError

    def is_dirty(self) -> bool:
        raise NotImplementedError

    def clear(self) -> None:
        set_error(self.error, "")

    def describe(self, entry: ScoreEntry) -> str:
        return f"{entry.name} recorded: {entry.total}" + (f" ({entry.band})" if entry.band else "")

    def save(self) -> None:
        """Save in the background; the form is cleared and `saved` emitted when the score is stored."""
        set_error(self.error, "")
        ops.Op(self, self._record(self.scale.code, self.answers(), self.timepoint.currentData())).disable(self.save_button) \
            .success(self._stored).failure(self._refused).run()

    def _stored(self, saved: Saved) -> None:
        entry: ScoreEntry = saved.entry
        line = self.describe(entry)
        for finding in entry.findings:
            line += f" {finding.message}"
        self.clear()
        self.saved.emit(line)
        self.stored.emit(saved)

    def _refused(self, exc: BaseException) -> None:
        if not isinstance(exc, ClinicError):
            ops.report_failure(self, exc)
            return
        set_error(self.error, exc.message)
        if not isinstance(exc, (ValidationError, ValidationErrors)):
            self.refused.emit(exc.message)


class CadssForm(ScaleForm):
    scale, title = CADSS, "&CADSS"

    def __init__(self, record: RecordScale, parent: QWidget | None = None) -> None:
        super().__init__(record, parent)
        self.grid = ScaleGrid(CADSS, columns=2, caption=lambda item: f"Item {item.number}")
        self.total = text_label("", selectable=False, name="subheading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(text_label("Rate each of the 23 subjective items from 0 (normal) to 4 (severe).",
                                    selectable=False, name="muted"))
        layout.addWidget(self.grid)
        layout.addWidget(self.total)
        self._bottom(layout)
        self.grid.changed.connect(self._update_total)
        self._update_total()

    def answers(self) -> list:
        return self.grid.answers()

    def total_value(self) -> int:
        return sum(a for a in self.answers() if a is not None)

    def _update_total(self) -> None:
        answers = self.answers()
        missing = len(self.grid.unanswered())
        six = cadss6_subtotal(tuple(answers))
        text = f"Total {self.total_value()} of {CADSS.max_total}  ·  CADSS-6 subtotal {six}"
        if missing:
            text += f"  ·  {missing} item{'s' if missing > 1 else ''} not rated yet"
        self.total.setText(text)

    def describe(self, entry: ScoreEntry) -> str:
        return f"CADSS recorded: total {entry.total}."

    def is_dirty(self) -> bool:
        return self.grid.is_dirty()

    def clear(self) -> None:
        super().clear()
        self.grid.clear()


class MoaasForm(ScaleForm):
    scale, title = MOAAS, "&MOAA/S"

    def __init__(self, record: RecordScale, parent: QWidget | None = None) -> None:
        super().__init__(record, parent)
        item = MOAAS.item(1)
        self.buttons: dict[int, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(text_label("Modified Observer's Assessment of Alertness/Sedation: choose what the patient "
                                    "responds to.", selectable=False, name="muted"))
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        for choice in reversed(item.choices):  # 5 (alert) first, as published
            button = QRadioButton(f"{choice.value} — {choice.label}")
            self.buttons[int(choice.value)] = button
            column.addWidget(button)
        layout.addWidget(holder)
        self._bottom(layout)

    def answers(self) -> list:
        return [next((value for value, b in self.buttons.items() if b.isChecked()), None)]

    def describe(self, entry: ScoreEntry) -> str:
        return f"MOAA/S recorded: {entry.total} ({entry.band})."

    def is_dirty(self) -> bool:
        return self.answers()[0] is not None

    def clear(self) -> None:
        super().clear()
        for button in self.buttons.values():
            button.setAutoExclusive(False)
            button.setChecked(False)
            button.setAutoExclusive(True)
