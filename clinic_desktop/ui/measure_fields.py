"""Weight and height entry: the number, its unit always visible beside it, and the other unit shown as you type."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.enums import WeightUnit
from clinic_desktop.domain.quantities import (
    STEP_WEIGHT_KG,
    cm_to_inches,
    inches_to_cm,
    kg_to_lb,
    lb_to_kg,
    plain,
    rounded,
)
from clinic_desktop.domain.records import WeightEntry
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap, enter_saves
from clinic_desktop.ui.widgets import add_field, error_label, text_label

#: Shown beside the number when it is not one yet.
NOT_A_NUMBER = "not a number yet"


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


class MeasureField(QWidget):
    """A value typed in one of two units (the combo is the unit, always on show) and the other unit beside it."""

    changed = Signal()

    def __init__(self, accessible: str, units: tuple[str, str], convert: Callable[[Decimal, str], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._convert = convert
        self.value = QLineEdit()
        self.value.setAccessibleName(accessible)
        self.value.setMaximumWidth(self.fontMetrics().averageCharWidth() * 14)
        self.unit = QComboBox()
        self.unit.setAccessibleName(f"{accessible} unit")
        for unit in units:
            self.unit.addItem(unit, unit)
        self.other = text_label("", wrap=False, selectable=False, name="muted")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.value)
        row.addWidget(self.unit)
        row.addWidget(self.other, 1)
        self.setFocusProxy(self.value)
        self.value.textChanged.connect(self._update)
        self.unit.currentIndexChanged.connect(self._update)

    def text(self) -> str:
        return self.value.text().strip()

    def unit_text(self) -> str:
        return self.unit.currentData()

    def set(self, value: Decimal | None, unit: str) -> None:
        self.unit.setCurrentIndex(max(self.unit.findData(unit), 0))
        self.value.setText("" if value is None else str(plain(value)))
        self._update()

    def _update(self) -> None:
        text = self.text()
        number = _number(text)
        self.other.setText("" if not text else (NOT_A_NUMBER if number is None else
                                                 "= " + self._convert(number, self.unit_text())))
        self.changed.emit()


def weight_text(number: Decimal, unit: str) -> str:
    """The other unit of a weight, to the scale's precision: 150 lb -> "68.0 kg"."""
    if unit == WeightUnit.LB.value:
        return f"{rounded(lb_to_kg(number), STEP_WEIGHT_KG)} kg"
    return f"{rounded(kg_to_lb(number), STEP_WEIGHT_KG)} lb"


def height_text(number: Decimal, unit: str) -> str:
    """The other unit of a height: 65 in -> "165.1 cm", 165 cm -> "65.0 in"."""
    if unit == "in":
        return f"{rounded(inches_to_cm(number), Decimal('0.1'))} cm"
    return f"{rounded(cm_to_inches(number), Decimal('0.1'))} in"


def weight_field() -> MeasureField:
    return MeasureField("Weight", (WeightUnit.KG.value, WeightUnit.LB.value), weight_text)


def height_field() -> MeasureField:
    return MeasureField("Height", ("cm", "in"), height_text)


class RecordWeightDialog(QDialog):
    """Today's weight for one patient, in kg or lb; `record(value, unit)` is the service call."""

    def __init__(self, patient_name: str, latest: WeightEntry | None, record: Callable[[str, str], WeightEntry],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record weight")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        self._record = record
        self.saved: WeightEntry | None = None
        self.weight = weight_field()
        self.errors = ErrorMap(error_label("formError"), self.adjustSize)
        layout = QVBoxLayout(self)
        layout.addWidget(text_label(patient_name, name="subheading"))
        previous = (f"Last recorded: {formatting.weight(latest)} on {formatting.day(latest.measured_on)}"
                    if latest else "No weight recorded yet.")
        layout.addWidget(text_label(previous, name="muted"))
        self.errors.add("weight", add_field(layout, "&Weight today", self.weight), self.weight.value)
        layout.addWidget(self.errors.form_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        save = buttons.addButton("Record weight", QDialogButtonBox.ButtonRole.AcceptRole)
        save.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        enter_saves(self, self.submit, self.reject)

    def submit(self) -> WeightEntry | None:
        self.saved = self.errors.attempt(lambda: self._record(self.weight.text(), self.weight.unit_text()))
        if self.saved is not None:
            self.accept()
        return self.saved

    @classmethod
    def ask(cls, parent: QWidget, patient_name: str, latest: WeightEntry | None,
            record: Callable[[str, str], WeightEntry]) -> WeightEntry | None:
        """The weight recorded, or None when cancelled."""
        dialog = cls(patient_name, latest, record, parent)
        dialog.exec()
        return dialog.saved
