"""The clinic's chairs as a table model, in the board's order: position, name, status, sessions booked."""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import Qt

from clinic_desktop.domain.records import Chair
from clinic_desktop.ui.record_table import RecordTableModel
from clinic_desktop.ui.users_model import MUTED_TEXT

#: In the position column of a retired chair (it has no place on the board).
OFF_BOARD = "—"


class ChairsTableModel(RecordTableModel[Chair]):
    """Every chair as the service lists them (board order, retired ones last); not sorted: the order is the point."""

    POSITION, NAME, STATUS, BOOKED = range(4)
    HEADERS = ("Position", "Name", "Status", "Booked from today")

    def set_chairs(self, chairs: Sequence[Chair]) -> None:
        self.set_rows(chairs)

    def chairs(self) -> tuple[Chair, ...]:
        return tuple(self._rows)

    def chair_at(self, row: int) -> Chair:
        return self.record_at(row)

    def row_of(self, chair_id: int) -> int:
        """The row of the chair with this id, or -1."""
        return next((i for i, c in enumerate(self._rows) if c.id == chair_id), -1)

    def role_data(self, chair: Chair, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not chair.active:
            return MUTED_TEXT  # the word "Retired" says it too: colour is never the only sign
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.POSITION, self.BOOKED):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def text(self, chair: Chair, column: int) -> str:
        if column == self.POSITION:
            return str(chair.position) if chair.active else OFF_BOARD
        if column == self.NAME:
            return chair.name
        if column == self.STATUS:
            return "On the board" if chair.active else "Retired"
        return str(chair.booked) if chair.booked else "none"
