"""A table model that pages rows in as the view scrolls (Qt's canFetchMore/fetchMore) from a keyset cursor."""

from __future__ import annotations

from typing import Any, Callable, Generic, Sequence, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

Index = QModelIndex | QPersistentModelIndex
Row = TypeVar("Row")


class PagedTableModel(QAbstractTableModel, Generic[Row]):
    """Rows arrive a page at a time from `page_after(cursor) -> (rows, next cursor or None)` (cursor None: the
    first page); subclasses say how a row is shown."""

    HEADERS: tuple[str, ...] = ()
    #: The record behind a row, for whoever acts on a selection.
    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, page_after: Callable[[Any], tuple[Sequence[Row], Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._page_after = page_after
        self._rows: list[Row] = []
        #: Where the next page starts; None when every row is loaded.
        self._cursor: Any = None

    def _start_over(self) -> None:
        """Replace everything shown with the first page."""
        self._show(*self._page_after(None))

    def _show(self, rows: Sequence[Row], cursor: Any) -> None:
        """Replace everything shown with a first page already read, and where the next one starts."""
        self.beginResetModel()
        self._rows, self._cursor = list(rows), cursor
        self.endResetModel()

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._cursor is None:
            return
        rows, self._cursor = self._page_after(self._cursor)  # before announcing rows: a view may ask for more
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None
