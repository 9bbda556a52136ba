"""Help > Keyboard shortcuts: every shortcut of the application in one table (keys, what it does, where)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.ui import shortcuts
from clinic_desktop.ui.widgets import text_label

COLUMNS = ("Keys", "What it does", "Where")


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        layout.addWidget(text_label("Menus and buttons also respond to Alt with their underlined letter (not on "
                                    "a Mac).", selectable=False, name="muted"))
        entries = shortcuts.on_this_platform()
        self.table = QTableWidget(len(entries), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.setAccessibleName("Keyboard shortcuts")
        for row, entry in enumerate(entries):
            for column, text in enumerate((entry.text(), entry.does, entry.where)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, entry.name)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # Rows as tall as their wrapped text at the widths the columns end up with once shown.
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.resize(chars * 150, self.fontMetrics().height() * 44)

    @classmethod
    def show_for(cls, parent: QWidget) -> ShortcutsDialog:
        """Opened beside the window (it does not wait), closed by Close or Esc."""
        dialog = cls(parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def rows(self) -> list[tuple[str, str, str]]:
        """(keys, what it does, where) as listed."""
        return [tuple(self.table.item(r, c).text() for c in range(len(COLUMNS)))  # type: ignore[misc]
                for r in range(self.table.rowCount())]

    def names(self) -> set[str]:
        """The registry names of the entries listed."""
        return {self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.table.rowCount())}
