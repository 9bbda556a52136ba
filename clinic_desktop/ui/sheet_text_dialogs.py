"""The sheet-text dialogs: a stored version, read-only; and a new version written here or read from a file, with
its problems beside the editor, a preview with an invented patient, and a question that says what saving means."""

from __future__ import annotations

import re
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.paperwork import PrintedSheet
from clinic_desktop.domain.sheet_texts import KINDS, SheetTextVersion
from clinic_desktop.services.registry import Services
from clinic_desktop.services.sheet_texts import placeholders_for
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap, ask_discard
from clinic_desktop.ui.paperwork.preview_dialog import PreviewDialog
from clinic_desktop.ui.sheet_texts_model import SHIPPED_BY, SOURCE_WORDS
from clinic_desktop.ui.widgets import add_field, error_label, text_label

#: How the format reads, under the editor.
FORMAT_HELP = ("The first line is 'title: …', then a line '---'. Each section starts with a line '# ' and its "
               "heading; blank lines separate paragraphs; a paragraph starting with • prints as a list item.")
_LINE = re.compile(r"^Line (\d+)")


def _editor(text: str, read_only: bool) -> QPlainTextEdit:
    editor = QPlainTextEdit(text)
    editor.setReadOnly(read_only)
    editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    editor.setMinimumHeight(editor.fontMetrics().lineSpacing() * 22)
    editor.setMinimumWidth(editor.fontMetrics().averageCharWidth() * 90)
    return editor


def _show_preview(make: Callable[[], PrintedSheet], parent: QWidget, errors: ErrorMap) -> PrintedSheet | None:
    """Render (a wait cursor meanwhile) and show the sample sheet; a sample's print is not a patient's record."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        sheet = errors.attempt(make)
    finally:
        QGuiApplication.restoreOverrideCursor()
    if sheet is not None:
        try:
            PreviewDialog.show_sheet(sheet, lambda _where: None, parent)
        except ClinicError as exc:
            errors.message(exc.message)
    return sheet


class SheetTextViewer(QDialog):
    """One stored version, read-only, with who stored it and when, and its preview."""

    def __init__(self, services: Services, actor: Callable[[], Principal], version: SheetTextVersion, text: str,
                 in_use: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._actor, self.version = services, actor, version
        self.setWindowTitle(f"{version.kind_label}, version {version.version}")
        layout = QVBoxLayout(self)
        layout.addWidget(text_label(f"{version.kind_label}, version {version.version}", name="pageTitle"))
        when = formatting.local_time(version.created_at, services.context.zone)
        layout.addWidget(text_label(
            f"{'In use for new sheets' if in_use else 'An earlier version'} · {SOURCE_WORDS[version.source]} · "
            f"stored by {version.created_by or SHIPPED_BY} on {when} · SHA-256 {version.sha256[:16]}…",
            name="muted"))
        self.editor = _editor(text, read_only=True)
        self.editor.setAccessibleName("Text of the version")
        layout.addWidget(self.editor, 1)
        self.errors = ErrorMap(error_label("formError"))
        layout.addWidget(self.errors.form_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.preview_button = buttons.addButton("&Preview…", QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_button.clicked.connect(self.preview)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def preview(self) -> PrintedSheet | None:
        return _show_preview(lambda: self._services.sheet_texts.preview_version(
            self._actor(), self.version.kind, self.version.version), self, self.errors)


class SheetTextEditor(QDialog):
    """A new version of a text: prefilled with the newest version (or a file's text), numbered as the next
    version. `saved` is the stored version once saved. `confirm(title, question) -> bool` asks before saving
    (tests answer it)."""

    def __init__(self, services: Services, actor: Callable[[], Principal], kind: str, text: str,
                 based_on: str | None, next_version: str, *, file_text: str | None = None,
                 file_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._actor, self.kind, self.based_on = services, actor, kind, based_on
        #: The text as read from a file: saved unchanged it is an import, changed here an edit.
        self._file_text = file_text
        self._start = text
        self.saved: SheetTextVersion | None = None
        self.confirm: Callable[[str, str], bool] = self._ask
        label = KINDS[kind]
        self.setWindowTitle(f"New version: {label}")
        layout = QVBoxLayout(self)
        layout.addWidget(text_label(f"New version: {label}", name="pageTitle"))
        origin = f"Read from {file_name}. " if file_name else ""
        basis = f"Starts from version {based_on}, the one in use. " if based_on and not file_name else ""
        layout.addWidget(text_label(f"{origin}{basis}Saving stores a new version; every earlier version is kept "
                                    "as it was.", name="muted"))
        self.errors = ErrorMap(error_label("formError"), self._fit)
        self.version = QLineEdit(next_version)
        self.version.setAccessibleName("Version number")
        self.version.setMaximumWidth(self.fontMetrics().averageCharWidth() * 16)
        row = QHBoxLayout()
        version_box = QVBoxLayout()
        self.errors.add("version", add_field(version_box, "&Version (the next one is suggested)", self.version),
                        self.version)
        row.addLayout(version_box)
        row.addStretch(1)
        layout.addLayout(row)
        self.editor = _editor(text, read_only=False)
        self.editor.setAccessibleName("Text")
        box = QVBoxLayout()
        self.errors.add("text", add_field(box, "&Text", self.editor), self.editor)
        layout.addLayout(box, 1)
        layout.addWidget(text_label(FORMAT_HELP, name="muted"))
        layout.addWidget(text_label("Placeholders this text may use: " + ", ".join(
            f"{{{name}}}" for name in placeholders_for(kind)), name="muted"))
        layout.addWidget(self.errors.form_error)
        layout.addWidget(self._buttons())

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.preview_button = buttons.addButton("&Preview…", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = buttons.addButton("&Save as new version…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.preview_button.setAutoDefault(False)
        self.save_button.setAutoDefault(False)
        self.preview_button.clicked.connect(self.preview)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        return buttons

    def _fit(self) -> None:
        """Each message naming a line puts the cursor on that line, so the problem is in view."""
        found = _LINE.match(self.errors.labels["text"].text())
        if found:
            block = self.editor.document().findBlockByNumber(int(found.group(1)) - 1)
            if block.isValid():
                cursor = QTextCursor(block)
                cursor.select(QTextCursor.SelectionType.LineUnderCursor)
                self.editor.setTextCursor(cursor)
                self.editor.centerCursor()

    # --- actions -----------------------------------------------------------------------------------------
    def preview(self) -> PrintedSheet | None:
        text = self.editor.toPlainText()
        return _show_preview(lambda: self._services.sheet_texts.preview(self._actor(), self.kind, text), self,
                             self.errors)

    def submit(self) -> SheetTextVersion | None:
        """Check everything, ask (saying what follows), then store; refusals stay beside the editor."""
        texts, text, version = self._services.sheet_texts, self.editor.toPlainText(), self.version.text()
        draft = self.errors.attempt(lambda: texts.check(self._actor(), self.kind, text, version))
        if draft is None:
            return None
        question = f"Save this text as version {draft.version}?\n\n{draft.consequence}"
        if not self.confirm(f"Save version {draft.version}", question):
            return None
        store = texts.import_text if self._file_text is not None and text == self._file_text else texts.edit_text
        self.saved = self.errors.attempt(lambda: store(self._actor(), self.kind, text, version,
                                                       based_on=self.based_on))
        if self.saved is not None:
            self.accept()
        return self.saved

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question, QMessageBox.StandardButton.Save
                                      | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Save

    def reject(self) -> None:
        """Cancel or Esc: typed changes are lost only when the person says so."""
        if self.saved is None and self.editor.toPlainText() != self._start and not ask_discard(self, "the text"):
            return
        super().reject()
