"""The audit log as a table model: entries newest first, paged in as the view scrolls (keyset on the sequence)."""

from __future__ import annotations

import json
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from clinic_desktop.services.audit import AuditPage, AuditRow
from clinic_desktop.ui import formatting
from clinic_desktop.ui.paged_model import Index, PagedTableModel
from clinic_desktop.ui.widgets import plain_tooltip

#: Fetches one page, newest first: `before` (a sequence number, or None for the newest) -> page.
PageFetcher = Callable[[int | None], AuditPage]
#: Emergency rows stand out in the list (the column says "Emergency" too: colour is never the only sign).
EMERGENCY_BACKGROUND = QColor("#fde7e9")


class AuditTableModel(PagedTableModel[AuditRow]):
    """Audit entries, newest first, fetched a page at a time (keyset on the sequence number)."""

    SEQ, TIME, USER, PATIENT, ACTION, OBJECT, DETAILS, EMERGENCY = range(8)
    HEADERS = ("#", "Time", "User", "Patient", "Action", "Object", "Details", "Emergency")

    def __init__(self, fetch: PageFetcher, parent: QWidget | None = None) -> None:
        super().__init__(self._page, parent)
        self._fetch = fetch

    def reload(self) -> None:
        """The newest page again (after a filter changed, or new entries were written)."""
        self._start_over()

    def _page(self, cursor: int | None) -> tuple[Sequence[AuditRow], int | None]:
        page = self._fetch(cursor)
        return page.rows, page.before

    def entry_at(self, row: int) -> AuditRow:
        return self.row_at(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        column = index.column()
        if role == self.RowRole:
            return entry
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.DETAILS and entry.details:
            return plain_tooltip(json.dumps(entry.details, ensure_ascii=False, indent=2, sort_keys=True))
        if role == Qt.ItemDataRole.BackgroundRole and entry.emergency:
            return EMERGENCY_BACKGROUND
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.SEQ:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, entry: AuditRow, column: int) -> str:
        if column == self.SEQ:
            return str(entry.seq)
        if column == self.TIME:
            return formatting.stamp(entry.at, entry.utc_offset_min)
        if column == self.USER:
            return entry.user
        if column == self.PATIENT:
            return entry.patient
        if column == self.ACTION:
            return entry.action.replace("_", " ")
        if column == self.OBJECT:
            return f"{entry.object_type} {entry.object_id}".strip().replace("_", " ")
        if column == self.DETAILS:
            return formatting.compact_details(entry.details)
        return "Emergency" if entry.emergency else ""
