"""The clinic's chairs for administrators: add, rename, put in the room's order, retire and reinstate."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.records import Chair
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import shortcuts
from clinic_desktop.ui.chair_dialogs import RenameChairDialog, name_edit
from clinic_desktop.ui.chairs_model import ChairsTableModel
from clinic_desktop.ui.record_table import record_table, show_selected
from clinic_desktop.ui.widgets import error_label, set_error, text_label

INTRO = ("The board shows one column per chair, left to right in this order; planning offers the same chairs. "
         "A retired chair leaves the board and planning, and its past sessions keep its name.")


def board_words(chairs: tuple[Chair, ...]) -> str:
    """"The board shows 3 chairs, left to right: Chair 1 · Chair 2 · Chair 3." (what the clinic will see)."""
    shown = [c.name for c in chairs if c.active]
    if not shown:
        return "The board shows no chairs yet: add the first one above."
    return (f"The board shows {len(shown)} chair{'s' if len(shown) != 1 else ''}, left to right: "
            + " · ".join(shown) + ".")


class ChairsPage(QWidget):
    """The chairs in board order with Add, Rename, Move up / down (Alt+Up / Alt+Down), Retire / Reinstate.
    Refusals show on the page; what was done goes to the status bar through `message(text, milliseconds)`."""

    message = Signal(str, int)

    def __init__(self, services: Services, actor: Callable[[], Principal], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self.model = ChairsTableModel(self)
        self.table = self._table()
        self.new_name = name_edit()
        self.new_name.setAccessibleName("New chair's name")
        self.new_name.setPlaceholderText("e.g. Chair 5, Recliner by the window")
        self.add_button = QPushButton("&Add chair")
        self.rename_button = QPushButton("Re&name...")
        self.up_button = QPushButton("Move &up")
        self.up_button.setToolTip("Alt+Up: one place to the left on the board")
        self.down_button = QPushButton("Move &down")
        self.down_button.setToolTip("Alt+Down: one place to the right on the board")
        self.retire_button = QPushButton("&Retire...")
        self.error = error_label("formError")
        self.board_line = text_label("", selectable=False)
        self.hint = text_label("", selectable=False, name="muted")
        self._lay_out()

        self.add_button.clicked.connect(lambda: self.add())
        self.new_name.returnPressed.connect(lambda: self.add())
        self.rename_button.clicked.connect(lambda: self.rename())
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(+1))
        self.retire_button.clicked.connect(lambda: self.retire_or_reinstate())
        self.table.doubleClicked.connect(lambda _index: self.rename())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        for shortcut, step in ((shortcuts.CHAIR_UP, -1), (shortcuts.CHAIR_DOWN, +1)):
            shortcut.make(self, lambda step=step: self.move(step), context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh()

    # --- building ----------------------------------------------------------------------------------
    def _table(self) -> QTableView:
        return record_table(self.model, "Chairs in board order", ChairsTableModel.NAME)

    def _lay_out(self) -> None:
        chars = self.fontMetrics().averageCharWidth()
        caption = QLabel("New chair's na&me (it goes to the right-hand end of the board)")
        caption.setBuddy(self.new_name)
        self.add_error = error_label()
        field_row = QHBoxLayout()
        field_row.addWidget(self.new_name, 1)
        field_row.addWidget(self.add_button)
        add_box = QVBoxLayout()
        add_box.addWidget(caption)
        add_box.addLayout(field_row)
        add_box.addWidget(self.add_error)
        add_area = QWidget()
        add_area.setLayout(add_box)
        add_area.setMaximumWidth(chars * 90)
        add_box.setContentsMargins(0, 0, 0, 0)
        # The actions stand beside the list, with what they refer to (the selection) and any refusal under them.
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        for button in (self.rename_button, self.up_button, self.down_button):
            side.addWidget(button)
        side.addSpacing(16)
        side.addWidget(self.retire_button)
        side.addSpacing(12)
        side.addWidget(self.hint)
        side.addWidget(self.error)
        side.addStretch(1)
        side_area = QWidget()
        side_area.setLayout(side)
        side_area.setFixedWidth(chars * 38)
        self.table.setMaximumWidth(chars * 110)  # a 40-character name fits beside the other columns
        middle = QHBoxLayout()
        middle.addWidget(self.table, 3)
        middle.addWidget(side_area)
        middle.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(text_label("Chairs", selectable=False, name="pageTitle"))
        layout.addWidget(text_label(INTRO, selectable=False, name="muted"))
        layout.addSpacing(4)
        layout.addWidget(add_area)
        layout.addSpacing(8)
        layout.addWidget(self.board_line)
        layout.addLayout(middle, 1)

    # --- loading and selection -------------------------------------------------------------------------
    def refresh(self, chair_id: int | None = None) -> None:
        """Reload the chairs (another workstation may have changed them), keeping or choosing the selection."""
        current = self.selected()
        keep = chair_id if chair_id is not None else (current.id if current else None)
        refused = ""
        try:
            chairs = self._services.chairs.list(self._actor())
        except ClinicError as exc:
            refused, chairs = exc.message, []
        self.model.set_chairs(chairs)
        self.board_line.setText(board_words(self.model.chairs()))
        row = self.model.row_of(keep) if keep is not None else -1
        if row >= 0:
            show_selected(self.table, self.model.index(row, 0))
        self._selection_changed()
        if refused:
            set_error(self.error, refused)

    def selected(self) -> Chair | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.chair_at(rows[0].row()) if rows else None

    def select(self, name: str) -> bool:
        """Select the chair with this name (as a click on its row would); False if it is not listed."""
        row = next((i for i, c in enumerate(self.model.chairs()) if c.name == name), -1)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _selection_changed(self) -> None:
        """Buttons for the chosen chair; a refusal about the previous choice no longer applies."""
        set_error(self.error, "")
        chair = self.selected()
        on_board = sum(1 for c in self.model.chairs() if c.active)
        self.rename_button.setEnabled(chair is not None)
        self.retire_button.setEnabled(chair is not None)
        self.up_button.setEnabled(chair is not None and chair.active and chair.position > 1)
        self.down_button.setEnabled(chair is not None and chair.active and chair.position < on_board)
        self.retire_button.setText("Rein&state..." if chair is not None and not chair.active else "&Retire...")
        if chair is None:
            self.hint.setText("Choose a chair to rename, move, retire or reinstate.")
        elif chair.active:
            booked = f"{chair.booked} session{'s' if chair.booked != 1 else ''} booked from today on" \
                if chair.booked else "no sessions booked from today on"
            self.hint.setText(f"Selected: {chair.name}, position {chair.position} of {on_board}; {booked}.")
        else:
            self.hint.setText(f"Selected: {chair.name}, retired: not on the board, not offered for booking.")

    # --- actions -----------------------------------------------------------------------------------
    def add(self) -> Chair | None:
        """Add the chair named in the field; on an error the name stays for correcting."""
        set_error(self.add_error, "")
        set_error(self.error, "")
        try:
            chair = self._services.chairs.add(self._actor(), self.new_name.text())
        except ClinicError as exc:
            set_error(self.add_error, exc.message)
            self.new_name.setFocus()
            return None
        self.new_name.clear()
        self._done(f"Added {chair.name} at position {chair.position} on the board.", chair.id)
        return chair

    def rename(self) -> Chair | None:
        chair = self.selected()
        if chair is None:
            return None
        renamed = RenameChairDialog.ask(self, chair, lambda name: self._services.chairs.rename(
            self._actor(), chair.id, name, seen_name=chair.name))
        if renamed is not None:
            self._done(f"Renamed {chair.name} to {renamed.name}.", renamed.id)
        else:
            self.refresh()  # a refusal (e.g. renamed elsewhere meanwhile) may have shown a newer name
        return renamed

    def move(self, step: int) -> Chair | None:
        """One place left (-1) or right (+1) on the board."""
        chair = self.selected()
        on_board = sum(1 for c in self.model.chairs() if c.active)
        if chair is None or not chair.active or not 1 <= chair.position + step <= on_board:
            return None
        try:
            moved = self._services.chairs.move(self._actor(), chair.id, chair.position + step)
        except ClinicError as exc:
            return self._refused(exc)
        self._done(f"{moved.name} is now at position {moved.position} on the board.", moved.id)
        return moved

    def retire_or_reinstate(self) -> Chair | None:
        """Retire the selected chair, or reinstate it when retired, after asking."""
        chair = self.selected()
        if chair is None:
            return None
        if chair.active:
            question = (f"Retire {chair.name}?\n\nIt leaves the board and is no longer offered when sessions are "
                        "booked. Its past sessions keep its name, and it can be reinstated later.")
            title, act, verb = "Retire chair", self._services.chairs.retire, "Retired"
        else:
            question = f"Reinstate {chair.name}?\n\nIt comes back on the board, at the right-hand end."
            title, act, verb = "Reinstate chair", self._services.chairs.reinstate, "Reinstated"
        answer = QMessageBox.question(self, title, question, QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        try:
            done = act(self._actor(), chair.id)
        except ClinicError as exc:
            return self._refused(exc)
        where = f" at position {done.position}" if done.active else ""
        self._done(f"{verb} {done.name}{where}.", done.id, with_board=True)
        return done

    def _done(self, text: str, chair_id: int, with_board: bool = False) -> None:
        self.refresh(chair_id)
        self.message.emit(f"{text} {self.board_line.text()}" if with_board else text, 8000)

    def _refused(self, exc: ClinicError) -> None:
        self.refresh()  # first: what changed meanwhile (e.g. a chair retired elsewhere) shows too
        set_error(self.error, exc.message)
        self.message.emit(exc.message, 8000)
