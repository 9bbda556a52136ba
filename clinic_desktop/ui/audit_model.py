"""The audit log as a table model: entries newest first, paged in as the view scrolls (keyset on the sequence),
each page read in the background."""

from __future__ import annotations

import json
from typing import Any, Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from clinic_desktop.services.audit import AuditPage, AuditRow
from clinic_desktop.ui import formatting, ops
from clinic_desktop.ui.paged_model import Index, PagedTableModel
from clinic_desktop.ui.widgets import plain_tooltip

#: Fetches one page, newest first: `before` (a sequence number, or None for the newest) -> page. Called on the
#: worker: it must not read widgets (the filter is read beforehand).
PageFetcher = Callable[[int | None], AuditPage]
#: Emergency rows stand out in the list (the column says "Emergency" too: colour is never the only sign).
EMERGENCY_BACKGROUND = QColor("#fde7e9")


class AuditTableModel(PagedTableModel[AuditRow]):
    """Audit entries, newest first, fetched a page at a time (keyset on the sequence number)."""

    SEQ, TIME, USER, PATIENT, ACTION, OBJECT, DETAILS, EMERGENCY = range(8)
    HEADERS = ("#", "Time", "User", "Patient", "Action", "Object", "Details", "Emergency")

    #: A page could not be read (the error; the rows shown stay as they were).
    failed = Signal(object)
    #: A reload's first page has replaced the rows.
    loaded = Signal()

    def __init__(self, fetch: PageFetcher, parent: QWidget | None = None) -> None:
        super().__init__(self._page, parent)
        self._fetch = fetch
        #: Counts reloads: a page read for an earlier one (an older search) is dropped when it arrives.
        self._generation = 0
        self._fetching = False

    def reload(self, fetch: PageFetcher | None = None) -> None:
        """The newest page again, read in the background (after a filter changed: its new `fetch`); the rows on
        show stay until it arrives, and a reload started later wins over one still running."""
        if fetch is not None:
            self._fetch = fetch
        self._generation += 1
        self._read(None, self._generation)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        """Not while a page is on its way (the view asks again once it has arrived)."""
        return not self._fetching and super().canFetchMore(parent)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self._read(self._cursor, self._generation)

    def _read(self, cursor: int | None, generation: int) -> None:
        self._fetching = True
        fetch = self._fetch
        ops.Op(self, lambda: fetch(cursor)).disable() \
            .success(lambda page: self._arrived(generation, cursor, page)) \
            .failure(lambda error: self._failed(generation, error)).run()

    def _arrived(self, generation: int, cursor: int | None, page: AuditPage) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if cursor is None:
            self.beginResetModel()
            self._rows, self._cursor = list(page.rows), page.before
            self.endResetModel()
            self.loaded.emit()
        elif page.rows:
            first = len(self._rows)
            self._cursor = page.before
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        else:
            self._cursor = page.before

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self._fetching = False
            self.failed.emit(error)

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
