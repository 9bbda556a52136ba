"""The series summary letter's recommendations, drafted from the outcome for the physician to edit before the
letter is rendered and previewed."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from clinic_desktop.domain.paperwork import PrintedSheet
from clinic_desktop.ui import ops
from clinic_desktop.ui.form_support import ErrorMap, enter_saves
from clinic_desktop.ui.widgets import add_field, error_label, text_label


class RecommendationsDialog(QDialog):
    """RecommendationsDialog(default_text, make): `make(text)` renders the letter in the background; its
    refusals (e.g. a text too long) show beside the field and the dialog stays open."""

    def __init__(self, default: str, make: Callable[[str], PrintedSheet], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Series summary letter")
        chars, lines = self.fontMetrics().averageCharWidth(), self.fontMetrics().lineSpacing()
        self.setMinimumWidth(chars * 90)
        self._make = make
        self.sheet: PrintedSheet | None = None
        self.errors = ErrorMap(error_label("formError"), self.fit)
        layout = QVBoxLayout(self)
        layout.addWidget(text_label("The letter to the referring clinician summarises the course, doses and "
                                    "scores. Edit the recommendations it ends with; one paragraph a line.",
                                    name="muted"))
        self.text = QPlainTextEdit(default)
        self.text.setAccessibleName("Recommendations")
        self.text.setMinimumHeight(lines * 14)
        self.errors.add("recommendations", add_field(layout, "&Recommendations (Ctrl+S previews)", self.text),
                        self.text)
        layout.addWidget(self.errors.form_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        preview = buttons.addButton("Preview letter", QDialogButtonBox.ButtonRole.AcceptRole)
        preview.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        enter_saves(self, self.submit, self.reject)

    def fit(self) -> None:
        """Tall enough for a wrapped error line (a dialog does not ask its labels for height-for-width)."""
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def submit(self) -> PrintedSheet | None:
        """Render the letter in the background (the dialog waits, disabled); accepted once it is made. Returns
        the letter when it is made by the time this returns (operations run inline), else None."""
        text = self.text.toPlainText()
        ops.Op(self, lambda: self._make(text)).errors(self.errors).success(self._made).run()
        return self.sheet

    def _made(self, sheet: PrintedSheet) -> None:
        self.sheet = sheet
        self.accept()

    @classmethod
    def ask(cls, default: str, make: Callable[[str], PrintedSheet], parent: QWidget | None = None) -> PrintedSheet | None:
        """The rendered letter, or None when cancelled."""
        dialog = cls(default, make, parent)
        dialog.exec()
        return dialog.sheet
