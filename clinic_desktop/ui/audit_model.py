"""The audit log as a table model: entries newest first, paged in as the view scrolls (keyset on the sequence)."""

from __future__ import annotations

import json
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from clinic_desktop.services.audit import AuditPage, AuditRow
from clinic_desktop.ui import formatting
from clinic_desktop.ui.widgets import plain_tooltip

#: Fetches one page, newest first: `before` (a sequence number, or None for the newest) -> page.
PageFetcher = Callable[[int | None], AuditPage]
Index = QModelIndex | QPersistentModelIndex
#: Emergency rows stand out in the list (the column says "Emergency" too: colour is never the only sign).
EMERGENCY_BACKGROUND = QColor("#fde7e9")


class AuditTableModel(QAbstractTableModel):
    """Audit entries, newest first, fetched a page at a time (keyset on the sequence number)."""

    SEQ, TIME, USER, PATIENT, ACTION, OBJECT, DETAILS, EMERGENCY = range(8)
    HEADERS = ("#", "Time", "User", "Patient", "Action", "Object", "Details", "Emergency")
    #: The AuditRow behind a row.
    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, fetch: PageFetcher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._rows: list[AuditRow] = []
        self._before: int | None = None

    def reload(self) -> None:
        """The newest page again (after a filter changed, or new entries were written)."""
        page = self._fetch(None)
        self.beginResetModel()
        self._rows = list(page.rows)
        self._before = page.before
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 (Qt's default argument)
        return not parent.isValid() and self._before is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._before is None:
            return
        page = self._fetch(self._before)
        self._before = page.before  # before announcing rows: a view may ask for more from inside them
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()

    def entry_at(self, row: int) -> AuditRow:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

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
