"""The stored sheet-text versions as a table: which text, its version, whether it is the one in use, where it came
from, who stored it and when. Rows stay in the service's order (each text's versions newest first, texts in a
fixed order): a dozen rows grouped by text read better unsorted."""

from __future__ import annotations

from typing import Any, Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from clinic_desktop.domain.sheet_texts import SheetTextSource, SheetTextVersion
from clinic_desktop.ui import formatting
from clinic_desktop.ui.record_table import RecordTableModel

#: Who stored a shipped text: the application did, at its first start with that text.
SHIPPED_BY = "The application"
SOURCE_WORDS = {SheetTextSource.SHIPPED: "Shipped", SheetTextSource.IMPORTED: "Imported from a file",
                SheetTextSource.EDITED: "Edited here"}


class SheetTextsModel(RecordTableModel[SheetTextVersion]):
    TEXT, VERSION, STATUS, SOURCE, BY, AT = range(6)
    HEADERS = ("Text", "Version", "Status", "Source", "Stored by", "Stored")

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._in_use: set[tuple[str, str]] = set()

    def set_versions(self, versions: Sequence[SheetTextVersion]) -> None:
        """Replace the list; the first row of each text (its newest version) is the one in use."""
        self._in_use = set()
        seen: set[str] = set()
        for v in versions:
            if v.kind not in seen:
                seen.add(v.kind)
                self._in_use.add((v.kind, v.version))
        self.set_rows(versions)

    def version_at(self, row: int) -> SheetTextVersion:
        return self.record_at(row)

    def row_of(self, kind: str, version: str | None = None) -> int:
        """The row of that version (or of the text's newest), or -1."""
        return next((i for i, v in enumerate(self._rows) if v.kind == kind and version in (None, v.version)), -1)

    def in_use(self, version: SheetTextVersion) -> bool:
        return (version.kind, version.version) in self._in_use

    def role_data(self, version: SheetTextVersion, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TEXT:
            return version.title
        if role == Qt.ItemDataRole.FontRole and column == self.STATUS and self.in_use(version):
            font = QFont()
            font.setBold(True)  # the Status column says "In use" too: weight is never the only sign
            return font
        return None

    def text(self, version: SheetTextVersion, column: int) -> str:
        if column == self.TEXT:
            return version.kind_label
        if column == self.VERSION:
            return version.version
        if column == self.STATUS:
            return "In use" if self.in_use(version) else "Earlier version"
        if column == self.SOURCE:
            return SOURCE_WORDS[version.source]
        if column == self.BY:
            return version.created_by or SHIPPED_BY
        return formatting.local_time(version.created_at, self._zone)
