"""Dialogs of the chairs page: a chair's new name, with its error under the field."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from clinic_desktop.domain.records import Chair
from clinic_desktop.services.chairs import MAX_NAME
from clinic_desktop.ui.form_support import ErrorMap, enter_saves
from clinic_desktop.ui.widgets import add_field, error_label, text_label


def name_edit(text: str = "") -> QLineEdit:
    """A one-line field for a chair name, wide enough for most names."""
    edit = QLineEdit(text)
    edit.setMaxLength(MAX_NAME * 2)  # longer than allowed still types, so the error can say how long it is
    edit.setMinimumWidth(edit.fontMetrics().averageCharWidth() * 30)
    return edit


class RenameChairDialog(QDialog):
    """A new name for one chair; the error shows under the field and the dialog stays open with what was typed."""

    def __init__(self, chair: Chair, rename: Callable[[str], Chair], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Rename chair")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        self._rename = rename
        self.result_value: Chair | None = None
        self.errors = ErrorMap(error_label("formError"), self.adjustSize)
        self.name = name_edit(chair.name)
        self.name.setAccessibleName("New name")
        self.name.selectAll()
        form = QVBoxLayout(self)
        form.addWidget(text_label(f"Rename {chair.name}. Its sessions, past and booked, follow the new name.",
                                  name="subheading"))
        self.errors.add("name", add_field(form, "New &name", self.name), self.name)
        form.addWidget(self.errors.form_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.rename_button = buttons.addButton("&Rename", QDialogButtonBox.ButtonRole.AcceptRole)
        self.rename_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form.addWidget(buttons)
        enter_saves(self, self.submit, self.reject)

    def submit(self) -> Chair | None:
        self.result_value = self.errors.attempt(lambda: self._rename(self.name.text()))
        if self.result_value is not None:
            self.accept()
        return self.result_value

    @classmethod
    def ask(cls, parent: QWidget, chair: Chair, rename: Callable[[str], Chair]) -> Chair | None:
        """The renamed chair, or None when cancelled."""
        dialog = cls(chair, rename, parent)
        dialog.exec()
        return dialog.result_value
