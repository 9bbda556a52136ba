"""What the administration lists share (users, chairs, sheet texts, backups): a plain table model over frozen
records, and a read-only table view that selects whole rows."""

from __future__ import annotations

from typing import Any, Generic, Sequence, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """Rows of records with fixed HEADERS. A subclass says each cell's words (`text`) and anything else a role
    needs (`role_data`: colours, alignment, sort keys); the record itself comes back on RowRole."""

    HEADERS: tuple[str, ...] = ()
    #: The record behind a row, for whoever acts on a selection.
    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def record_at(self, row: int) -> R:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        if role == self.RowRole:
            return record
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(record, index.column())
        return self.role_data(record, index.column(), role)

    def text(self, record: R, column: int) -> str:
        raise NotImplementedError  # every list says its own words

    def role_data(self, record: R, column: int, role: int) -> Any:
        """Anything but the words (none by default)."""
        return None


def show_selected(table: QTableView, index: QModelIndex) -> None:
    """Select the whole row of `index` (an index of the table's own model), make it current and scroll to it."""
    table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
    table.setCurrentIndex(index)
    table.scrollTo(index)


def record_table(model: QAbstractItemModel | None, name: str, stretch_column: int,
                 table: QTableView | None = None) -> QTableView:
    """A read-only list of records: whole rows selected one at a time, no grid of row numbers, columns as wide
    as their contents and `stretch_column` taking the room left."""
    table = table if table is not None else QTableView()
    if model is not None:
        table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return table
