"""Administration > Sheet texts: the consent and discharge texts every workstation prints, each with its
versions; a version read-only, a new version edited here or imported from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings, QStandardPaths, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.sheet_texts import SheetTextVersion, is_consent, next_version
from clinic_desktop.services.registry import Services
from clinic_desktop.services.sheet_texts import read_text_file
from clinic_desktop.ui.record_table import record_table
from clinic_desktop.ui.sheet_text_dialogs import SheetTextEditor, SheetTextViewer
from clinic_desktop.ui.sheet_texts_model import SheetTextsModel
from clinic_desktop.ui.widgets import error_label, set_error, text_label

#: Where the last folder a text was imported from is remembered.
IMPORT_DIR_KEY = "sheet_texts/import_dir"
EXPLANATION = ("The texts printed on consent forms and discharge sheets, shared by every workstation. A revision is "
               "stored as a new version and used for every new sheet; earlier versions are kept, so a consent on "
               "file still names the text that was signed. Patients who signed an earlier consent version are "
               "asked to sign the new one before their next treatment.")


class SheetTextsPage(QWidget):
    """The versions table with View, Edit as new version and Import from file. `choose_file() -> path or ""`
    replaces the system's file dialog (tests set it); what was stored goes to the status bar via `message`."""

    message = Signal(str, int)

    def __init__(self, services: Services, actor: Callable[[], Principal], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self.choose_file: Callable[[], str] = self._ask_file
        self.model = SheetTextsModel(services.context.zone, self)
        self.table = self._table()
        self.view_button = QPushButton("&View…")
        self.edit_button = QPushButton("&Edit as new version…")
        self.import_button = QPushButton("&Import from file…")
        self.error = error_label("formError")
        self.hint = text_label("", selectable=False, name="muted")
        self._lay_out()
        self.view_button.clicked.connect(lambda: self.view())
        self.edit_button.clicked.connect(lambda: self.edit())
        self.import_button.clicked.connect(lambda: self.import_file())
        self.table.doubleClicked.connect(lambda _index: self.view())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.refresh()

    def _table(self) -> QTableView:
        return record_table(self.model, "Sheet texts and their versions", SheetTextsModel.AT)

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.view_button)
        buttons.addSpacing(16)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(text_label("Sheet texts", selectable=False, name="pageTitle"))
        layout.addWidget(text_label(EXPLANATION, selectable=False, name="muted"))
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)

    # --- loading and selection -----------------------------------------------------------------------------
    def refresh(self, kind: str | None = None, version: str | None = None) -> None:
        """Reload the versions, keeping the selection (or selecting that kind's `version`, or its newest)."""
        current = self.selected()
        if kind is None and current is not None:
            kind, version = current.kind, current.version
        refused = ""
        try:
            versions = self._services.sheet_texts.list(self._actor())
        except ClinicError as exc:
            refused, versions = exc.message, []
        self.model.set_versions(versions)
        row = self.model.row_of(kind, version) if kind else -1
        self.table.selectRow(row if row >= 0 else 0)
        self._selection_changed()
        if refused:
            set_error(self.error, refused)

    def selected(self) -> SheetTextVersion | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        return self.model.version_at(rows[0].row()) if rows else None

    def select(self, kind: str, version: str | None = None) -> bool:
        row = self.model.row_of(kind, version)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _selection_changed(self) -> None:
        set_error(self.error, "")
        chosen = self.selected()
        for button in (self.view_button, self.edit_button, self.import_button):
            button.setEnabled(chosen is not None)
        if chosen is None:
            self.hint.setText("Choose a text to view it or to store a new version of it.")
            return
        newest = self._newest(chosen.kind)
        state = "in use" if chosen.version == newest else f"an earlier version; {newest} is in use"
        self.hint.setText(f"Selected: {chosen.kind_label}, version {chosen.version} ({state}). A new version "
                          f"would be {next_version(newest)}.")

    def _newest(self, kind: str) -> str | None:
        row = self.model.row_of(kind)
        return self.model.version_at(row).version if row >= 0 else None

    # --- actions -----------------------------------------------------------------------------------------------
    def view(self) -> SheetTextViewer | None:
        """The selected version, read-only (with its preview)."""
        chosen = self.selected()
        if chosen is None:
            return None
        try:
            text = self._services.sheet_texts.text(self._actor(), chosen.kind, chosen.version)
        except ClinicError as exc:
            set_error(self.error, exc.message)
            return None
        dialog = SheetTextViewer(self._services, self._actor, chosen, text, self.model.in_use(chosen), self)
        dialog.exec()
        return dialog

    def edit(self) -> SheetTextVersion | None:
        """A new version of the selected text, starting from the version in use."""
        chosen = self.selected()
        if chosen is None:
            return None
        newest = self._newest(chosen.kind)
        try:
            text = self._services.sheet_texts.text(self._actor(), chosen.kind, newest)
        except ClinicError as exc:
            set_error(self.error, exc.message)
            return None
        return self._open_editor(chosen.kind, text, newest)

    def import_file(self) -> SheetTextVersion | None:
        """A new version of the selected text read from a UTF-8 text file, checked and shown before it is saved."""
        chosen = self.selected()
        if chosen is None:
            return None
        path = self.choose_file()
        if not path:
            return None
        try:
            text = read_text_file(Path(path))
        except ClinicError as exc:
            set_error(self.error, exc.message)
            return None
        QSettings().setValue(IMPORT_DIR_KEY, str(Path(path).parent))
        return self._open_editor(chosen.kind, text, self._newest(chosen.kind), file_text=text,
                                 file_name=Path(path).name)

    def _open_editor(self, kind: str, text: str, newest: str | None, **file: str) -> SheetTextVersion | None:
        dialog = SheetTextEditor(self._services, self._actor, kind, text, newest, next_version(newest),
                                 parent=self, **file)
        dialog.exec()
        saved = dialog.saved
        if saved is not None:
            self.refresh(saved.kind, saved.version)
            consequence = " Patients who signed an earlier version will be asked to re-consent." \
                if is_consent(saved.kind) else ""
            self.message.emit(f"Stored {saved.kind_label.lower()} version {saved.version}; new sheets print it."
                              f"{consequence}", 10000)
        return saved

    def _ask_file(self) -> str:
        folder = QSettings().value(IMPORT_DIR_KEY) or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getOpenFileName(self, "Import a sheet text", str(folder),
                                                    "Text files (*.txt);;All files (*)")
        return path
