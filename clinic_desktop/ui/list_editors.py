"""Editable lists for the registration form: diagnoses, allergies and medications, one row of fields per entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.enums import MedicationClass
from clinic_desktop.domain.records import AllergyEntry, DiagnosisEntry, MedicationEntry
from clinic_desktop.ui.widgets import text_label


@dataclass(frozen=True)
class Column:
    """One field of a row: free text (with a hint), a choice of (label, value), or a tick box."""

    name: str
    kind: str = "text"
    hint: str = ""
    choices: tuple[tuple[str, Any], ...] = ()
    stretch: int = 1


class ListEditor(QWidget):
    """Rows of fields with a Remove button each and an Add button below; blank rows are ignored."""

    changed = Signal()

    def __init__(self, noun: str, columns: Sequence[Column], make: Callable[[dict[str, Any]], Any],
                 split: Callable[[Any], dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._noun = noun
        self._columns = tuple(columns)
        self._make = make
        self._split = split
        self.rows: list[dict[str, QWidget]] = []
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        for index, column in enumerate(self._columns):
            self._grid.setColumnStretch(index, column.stretch)
        self.empty = text_label("None listed.", selectable=False, name="muted")
        self.add_button = QPushButton(f"Add {noun}")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addLayout(self._grid)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def add_row(self, values: dict[str, Any] | None = None, focus: bool = False) -> dict[str, QWidget]:
        values = values or {}
        row: dict[str, QWidget] = {}
        grid_row = self._grid.rowCount()
        for index, column in enumerate(self._columns):
            widget = self._field(column, values.get(column.name))
            row[column.name] = widget
            self._grid.addWidget(widget, grid_row, index)
        remove = QPushButton("Remove")
        remove.setAutoDefault(False)
        remove.setAccessibleName(f"Remove this {self._noun}")
        remove.clicked.connect(lambda: self.remove_row(row))
        row["_remove"] = remove
        self._grid.addWidget(remove, grid_row, len(self._columns))
        # New fields come before the Add button in the Tab order, not after everything else on the page.
        previous = self.add_button.previousInFocusChain()
        for widget in row.values():
            QWidget.setTabOrder(previous, widget)
            previous = widget
        self.rows.append(row)
        self._sync()
        if focus:
            row[self._columns[0].name].setFocus()
        return row

    def remove_row(self, row: dict[str, QWidget]) -> None:
        for widget in row.values():
            self._grid.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self.rows.remove(row)
        self._sync()

    def set_entries(self, entries: Sequence[Any]) -> None:
        for row in list(self.rows):
            self.remove_row(row)
        for entry in entries:
            self.add_row(self._split(entry))

    def entries(self) -> tuple[Any, ...]:
        """The rows as entries, in order, skipping rows where nothing was typed."""
        out = []
        for row in self.rows:
            values = {c.name: self._value(c, row[c.name]) for c in self._columns}
            if any(values[c.name].strip() for c in self._columns if c.kind == "text"):
                out.append(self._make(values))
        return tuple(out)

    def _sync(self) -> None:
        self.empty.setVisible(not self.rows)
        self.changed.emit()

    def _field(self, column: Column, value: Any) -> QWidget:
        if column.kind == "combo":
            combo = QComboBox()
            for label, data in column.choices:
                combo.addItem(label, data)
            combo.setCurrentIndex(max(combo.findData(value), 0) if value is not None else 0)
            combo.setAccessibleName(column.hint or column.name)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            return combo
        if column.kind == "check":
            box = QCheckBox(column.hint)
            box.setChecked(bool(value) if value is not None else column.name == "active")
            return box
        edit = QLineEdit("" if value is None else str(value))
        edit.setPlaceholderText(column.hint)
        edit.setAccessibleName(column.hint or column.name)
        edit.setMinimumWidth(edit.fontMetrics().averageCharWidth() * 8 * column.stretch)
        return edit

    @staticmethod
    def _value(column: Column, widget: QWidget) -> Any:
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        return widget.text()


def diagnoses_editor() -> ListEditor:
    return ListEditor("diagnosis", (Column("description", hint="Diagnosis", stretch=3),
                                    Column("code", hint="ICD-10 code", stretch=1),
                                    Column("is_primary", "check", hint="Primary", stretch=0)),
                      lambda v: DiagnosisEntry(v["description"], v["code"], v["is_primary"]),
                      lambda d: {"description": d.description, "code": d.code, "is_primary": d.is_primary})


def allergies_editor() -> ListEditor:
    return ListEditor("allergy", (Column("substance", hint="Substance", stretch=3),
                                  Column("reaction", hint="Reaction (optional)", stretch=3)),
                      lambda v: AllergyEntry(v["substance"], v["reaction"]),
                      lambda a: {"substance": a.substance, "reaction": a.reaction})


#: Medication classes as the list offers them: "Other" first, the interacting classes after.
MEDICATION_CLASSES = (("Other class", MedicationClass.OTHER),
                      *((c.label, c) for c in MedicationClass if c is not MedicationClass.OTHER))


def medications_editor() -> ListEditor:
    return ListEditor("medication", (Column("name", hint="Medication", stretch=2),
                                     Column("drug_class", "combo", hint="Class", choices=MEDICATION_CLASSES,
                                            stretch=0),
                                     Column("dose", hint="Dose, e.g. 20 mg daily", stretch=2),
                                     Column("active", "check", hint="Taking now", stretch=0)),
                      lambda v: MedicationEntry(v["name"], v["drug_class"], v["dose"], v["active"]),
                      lambda m: {"name": m.name, "drug_class": m.drug_class, "dose": m.dose, "active": m.active})
