"""Choosing the referring clinician from the clinic's list, or adding one inline without leaving the form."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.domain.records import ReferringClinician
from clinic_desktop.ui.form_support import ErrorMap, EscapeCancels
from clinic_desktop.ui.shortcuts import REFERRER_CLOSE
from clinic_desktop.ui.widgets import add_field, error_label

#: (full name, practice, phone) -> the clinician added.
AddClinician = Callable[[str, str, str], ReferringClinician]
NONE_CHOSEN = "— none —"


def clinician_label(c: ReferringClinician) -> str:
    return f"{c.full_name}, {c.practice}" if c.practice else c.full_name


class ReferrerField(QWidget):
    """A combo of referring clinicians; "New clinician…" opens three fields under it to add one."""

    changed = Signal()

    def __init__(self, add: AddClinician | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._add = add
        self.combo = QComboBox()
        self.combo.setAccessibleName("Referring clinician")
        self.new_button = QPushButton("New clinician…")
        self.new_button.setAutoDefault(False)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.combo, 1)
        top.addWidget(self.new_button)

        self.panel = QFrame()
        self.panel.setObjectName("inlinePanel")
        self.full_name, self.practice, self.phone = QLineEdit(), QLineEdit(), QLineEdit()
        for edit, name in ((self.full_name, "Clinician's name"), (self.practice, "Practice"),
                           (self.phone, "Clinician's phone")):
            edit.setAccessibleName(name)
            edit.setProperty("noEnterSave", True)  # Enter here adds the clinician, not the whole form
            edit.returnPressed.connect(self.add_clinician)
        panel = QVBoxLayout(self.panel)
        panel.setContentsMargins(8, 4, 8, 8)
        self.errors = ErrorMap(error_label("formError"))
        self.errors.add("full_name", add_field(panel, "Clinician's &name", self.full_name), self.full_name)
        self.errors.add("practice", add_field(panel, "Practice", self.practice), self.practice)
        self.errors.add("phone", add_field(panel, "Phone", self.phone), self.phone)
        panel.addWidget(self.errors.form_error)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add clinician")
        self.add_button.setAutoDefault(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.add_button)
        panel.addLayout(buttons)
        self.panel.setVisible(False)
        self.panel.installEventFilter(EscapeCancels(self.panel, self.close_panel, REFERRER_CLOSE))  # Esc here closes just this

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.panel)
        # Only once it has a parent: showing a parentless button would open it as a window of its own.
        self.new_button.setHidden(add is None)
        self.setFocusProxy(self.combo)
        self.new_button.clicked.connect(self.open_panel)
        self.cancel_button.clicked.connect(self.close_panel)
        self.add_button.clicked.connect(self.add_clinician)
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.load([])

    def load(self, clinicians: list[ReferringClinician], selected: int | None = None) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(NONE_CHOSEN, None)
        for c in clinicians:
            self.combo.addItem(clinician_label(c), c.id)
        self.combo.blockSignals(False)
        self.set_selected(selected)

    def set_selected(self, clinician_id: int | None) -> None:
        self.combo.setCurrentIndex(max(self.combo.findData(clinician_id), 0) if clinician_id is not None else 0)

    def selected_id(self) -> int | None:
        return self.combo.currentData()

    def open_panel(self) -> None:
        self.panel.setVisible(True)
        self.full_name.setFocus()

    def close_panel(self) -> None:
        for edit in (self.full_name, self.practice, self.phone):
            edit.clear()
        self.errors.clear()
        self.panel.setVisible(False)
        self.combo.setFocus()

    def add_clinician(self) -> ReferringClinician | None:
        if self._add is None:
            return None
        added = self.errors.attempt(lambda: self._add(self.full_name.text(), self.practice.text(), self.phone.text()))
        if added is not None:
            self.combo.addItem(clinician_label(added), added.id)
            self.combo.setCurrentIndex(self.combo.count() - 1)
            self.close_panel()
        return added
