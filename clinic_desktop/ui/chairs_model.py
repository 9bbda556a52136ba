"""The clinic's chairs as a table model, in the board's order: position, name, status, sessions booked."""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from clinic_desktop.domain.records import Chair
from clinic_desktop.ui.users_model import MUTED_TEXT

Index = QModelIndex | QPersistentModelIndex
#: In the position column of a retired chair (it has no place on the board).
OFF_BOARD = "—"


class ChairsTableModel(QAbstractTableModel):
    """Every chair as the service lists them (board order, retired ones last); not sorted: the order is the point."""

    POSITION, NAME, STATUS, BOOKED = range(4)
    HEADERS = ("Position", "Name", "Status", "Booked from today")
    #: The Chair behind a row, for whoever acts on a selection.
    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Chair] = []

    def set_chairs(self, chairs: Sequence[Chair]) -> None:
        self.beginResetModel()
        self._rows = list(chairs)
        self.endResetModel()

    def chairs(self) -> tuple[Chair, ...]:
        return tuple(self._rows)

    def chair_at(self, row: int) -> Chair:
        return self._rows[row]

    def row_of(self, chair_id: int) -> int:
        """The row of the chair with this id, or -1."""
        return next((i for i, c in enumerate(self._rows) if c.id == chair_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 (Qt's names)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        chair = self._rows[index.row()]
        if role == self.RowRole:
            return chair
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(chair, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and not chair.active:
            return MUTED_TEXT  # the word "Retired" says it too: colour is never the only sign
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (self.POSITION, self.BOOKED):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, chair: Chair, column: int) -> str:
        if column == self.POSITION:
            return str(chair.position) if chair.active else OFF_BOARD
        if column == self.NAME:
            return chair.name
        if column == self.STATUS:
            return "On the board" if chair.active else "Retired"
        return str(chair.booked) if chair.booked else "none"
