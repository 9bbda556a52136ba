"""Today's board: a column per chair with its sessions of the day, check-in or no-show, and when vitals are next
due.

It re-reads the day every 30 seconds and redraws the countdowns every few seconds from the services' clock,
so a test moves a FixedClock and calls `refresh` or `tick`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Action, Principal, is_allowed
from clinic_desktop.domain.enums import SessionStatus
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.services.board import BoardDay, BoardEntry
from clinic_desktop.services.registry import Services
from clinic_desktop.ui.board_items import OVERDUE_COLOURS, STATUS_COLOURS, CheckInPanel, entry_lines
from clinic_desktop.ui.series_actions import NoShowDialog
from clinic_desktop.ui.setup_guide import board_reminder
from clinic_desktop.ui.widgets import error_label, set_error, text_label

#: How often the countdowns are redrawn from the clock (no database read). The day itself is read again when
#: the change hub says a session, series, chair or patient changed (here or at another workstation).
TICK_MS = 5_000
#: Column of sessions without a chair (planned before one was chosen, or a chair since retired).
NO_CHAIR = "No chair"
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
#: Each session a card: a frame, room around the words, and a clear mark on the selected one.
BOARD_STYLE = """
QListWidget#boardList { background: #f8f9fa; border: 1px solid #dadce0; border-radius: 6px; }
QListWidget#boardList::item { border: 2px solid #dadce0; border-radius: 4px; padding: 6px; margin: 3px; }
QListWidget#boardList::item:selected { border: 2px solid #174ea6; background: #d2e3fc; color: #202124; }
QFrame#checkInPanel { border: 1px solid #dadce0; border-radius: 6px; background: #ffffff; }
QFrame#setupBar { border: 1px solid #f9ab00; border-radius: 6px; background: #fef7e0; }
"""


class ChairColumn(QFrame):
    """One chair: its name, how many sessions, and the sessions in time order (Enter or double-click opens)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chairColumn")
        self.name = name
        self.title = text_label(name, wrap=False, selectable=False, name="subheading")
        self.list = QListWidget()
        self.list.setObjectName("boardList")
        self.list.setAccessibleName(f"Sessions in {name}")
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)  # rows re-wrap as the column narrows
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMinimumWidth(self.fontMetrics().averageCharWidth() * 30)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)


class TodayBoard(QWidget):
    """Sessions of one day by chair; `sessionChosen` asks the workspace to open one."""

    message = Signal(str, int)
    sessionChosen = Signal(int)
    #: "Finish setting up…": the workspace opens the first-run guide.
    setupRequested = Signal()

    def __init__(self, services: Services, actor: Callable[[], Principal], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self._zone = services.context.zone
        self.day: date = services.context.today()
        self.board: BoardDay | None = None
        #: The day shown was today when last read: after midnight the board moves on to the new day.
        self._on_today = False
        self.columns: dict[int | None, ChairColumn] = {}
        self.setStyleSheet(BOARD_STYLE)
        self.selected: BoardEntry | None = None

        self.previous_button = QPushButton("◀ &Previous day")
        self.next_button = QPushButton("&Next day ▶")
        self.today_button = QPushButton("&Today")
        for button in (self.previous_button, self.today_button, self.next_button):
            button.setAutoDefault(False)
        # Wrapping labels: a narrow window (or 200 % text) wraps them instead of growing the window.
        self.day_label = text_label("", selectable=False, name="pageTitle")
        self.updated = text_label("", selectable=False, name="muted")
        self.updated.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top = QHBoxLayout()
        top.addWidget(self.previous_button)
        top.addWidget(self.today_button)
        top.addWidget(self.next_button)
        top.addSpacing(12)
        top.addWidget(self.day_label, 3)
        top.addWidget(self.updated, 1)

        self.error = error_label("formError")
        # A new clinic's unfinished setup, said where the day starts (hidden once everything is in place).
        self.setup_note = text_label("", selectable=False)
        self.setup_button = QPushButton("&Finish setting up…")
        self.setup_button.setAutoDefault(False)
        self.setup_button.clicked.connect(self.setupRequested)
        self.setup_bar = QFrame()
        self.setup_bar.setObjectName("setupBar")
        setup_row = QHBoxLayout(self.setup_bar)
        setup_row.addWidget(self.setup_note, 1)
        setup_row.addWidget(self.setup_button)
        self.setup_bar.setVisible(False)
        self.empty = text_label("", name="emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._columns_widget = QWidget()
        self._columns_layout = QHBoxLayout(self._columns_widget)
        self._columns_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self._columns_widget)

        self.selection_label = text_label("Select a session: Enter or double-click opens it.", name="muted")
        self.open_button = QPushButton("&Open session")
        self.check_in_button = QPushButton("Check &in…")
        self.no_show_button = QPushButton("No-&show…")
        self.no_show_button.setToolTip("The patient did not come (once the session's time has passed)")
        for button in (self.open_button, self.check_in_button, self.no_show_button):
            button.setAutoDefault(False)
        actions = QHBoxLayout()
        actions.addWidget(self.selection_label, 1)
        actions.addWidget(self.no_show_button)
        actions.addWidget(self.check_in_button)
        actions.addWidget(self.open_button)
        self.check_in_panel = CheckInPanel(self._check_in)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.setup_bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(actions)
        layout.addWidget(self.check_in_panel)

        self.previous_button.clicked.connect(lambda: self.show_day(self.day - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.show_day(self.day + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.show_day(self._services.context.today()))
        self.open_button.clicked.connect(self.open_selected)
        self.check_in_button.clicked.connect(self.start_check_in)
        self.no_show_button.clicked.connect(self.mark_no_show)
        self.check_in_panel.checkedIn.connect(self._checked_in)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(lambda: self.tick() if self.isVisible() else None)
        self.tick_timer.start()
        self.refresh()

    def may(self, action: Action) -> bool:
        return is_allowed(self._actor(), action, self._services.context.now())

    # --- reading the day ---------------------------------------------------------------------------
    def show_day(self, day: date) -> None:
        self.day = day
        self.check_in_panel.close_panel()
        self.refresh()

    def refresh(self) -> None:
        """Read the day again; the selected session stays selected."""
        try:
            board = self._services.board.day(self._actor(), self.day)
        except ClinicError as exc:
            set_error(self.error, exc.message)
            self.message.emit(exc.message, 8000)
            return
        set_error(self.error, "")
        self.board = board
        today = self._services.context.today()
        self._on_today = self.day == today
        suffix = " (today)" if self.day == today else ""
        self.day_label.setText(f"{self.day:%A %Y-%m-%d}{suffix}")
        self.today_button.setEnabled(self.day != today)
        self._fill(board)
        self._show_setup()
        self.updated.setText(f"Updated {self._services.context.now().astimezone(self._zone):%H:%M:%S}")

    def _show_setup(self) -> None:
        """What a new clinic still has to set up, with the way to do it for those who may."""
        try:
            status = self._services.setup.status(self._actor())
        except ClinicError:
            status = None  # the board itself still works; the guide will say what failed
        self.setup_bar.setVisible(status is not None and not status.complete)
        if status is None or status.complete:
            return
        self.setup_note.setText(board_reminder(status))
        now = self._services.context.now()
        self.setup_button.setVisible(any(is_allowed(self._actor(), step.action, now) for step in status.open_steps))

    def _fill(self, board: BoardDay) -> None:
        chair_names = {c.id: c.name if c.active else f"{c.name} (retired)" for c in board.chairs}
        wanted: dict[int | None, str] = dict(chair_names)
        if any(e.chair_id not in chair_names for e in board.entries):
            wanted[None] = NO_CHAIR
        if list(wanted) != list(self.columns):
            self._rebuild_columns(wanted)
        keep = self.selected.session_id if self.selected else None
        self.selected = None
        for key, column in self.columns.items():
            entries = [e for e in board.entries if (e.chair_id if e.chair_id in chair_names else None) == key]
            column.title.setText(f"{column.name} · {len(entries)} session{'s' if len(entries) != 1 else ''}")
            column.list.blockSignals(True)
            column.list.clear()
            for entry in entries:
                item = QListWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, entry.session_id)
                item.setData(ENTRY_ROLE, entry)
                column.list.addItem(item)
                if entry.session_id == keep:
                    column.list.setCurrentItem(item)
                    self.selected = entry
            column.list.blockSignals(False)
        self.empty.setText("" if board.entries else
                           ("No chairs are set up yet: an administrator adds them under Administration > Chairs."
                            if not board.chairs else "No sessions booked on this day."))
        self.empty.setVisible(not board.entries)
        self.tick()
        self._sync_actions()

    def _rebuild_columns(self, wanted: dict[int | None, str]) -> None:
        for column in self.columns.values():
            self._columns_layout.removeWidget(column)
            column.hide()
            column.deleteLater()
        self.columns = {}
        for key, name in wanted.items():
            column = ChairColumn(name)
            column.list.currentItemChanged.connect(lambda item, _old, c=column: self._chosen(c, item))
            column.list.itemActivated.connect(lambda item: self.sessionChosen.emit(item.data(Qt.ItemDataRole.UserRole)))
            self._columns_layout.addWidget(column, 1)
            self.columns[key] = column

    def tick(self) -> None:
        """Redraw every row from the clock: the countdowns move, a reading past due turns red. A board left on
        today moves on to the new day after midnight."""
        now = self._services.context.now()
        today = self._services.context.today()
        if self._on_today and self.day != today:
            self.show_day(today)
            return
        bold = QFont(self.font())
        bold.setBold(True)
        for column in self.columns.values():
            for row in range(column.list.count()):
                item = column.list.item(row)
                entry: BoardEntry = item.data(ENTRY_ROLE)
                lines, overdue = entry_lines(entry, now, self._zone)
                item.setText("\n".join(lines))
                background, foreground = OVERDUE_COLOURS if overdue else STATUS_COLOURS[entry.status]
                item.setBackground(QBrush(QColor(background)))
                item.setForeground(QBrush(QColor(foreground)))
                item.setFont(bold if overdue else self.font())
                item.setToolTip("Vital signs are overdue" if overdue else entry.status.label)

    # --- the selected session ----------------------------------------------------------------------
    def _chosen(self, column: ChairColumn, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        for other in self.columns.values():
            if other is not column:
                other.list.blockSignals(True)
                other.list.setCurrentItem(None)
                other.list.clearSelection()
                other.list.blockSignals(False)
        self.selected = item.data(ENTRY_ROLE)
        self._sync_actions()

    def _sync_actions(self) -> None:
        entry = self.selected
        if entry is None:
            self.selection_label.setText("Select a session: Enter or double-click opens it.")
        else:
            self.selection_label.setText(f"{entry.patient_name} — Session {entry.sequence} of {entry.of_planned}, "
                                         f"{entry.status.label.lower()}")
        self.open_button.setEnabled(entry is not None)
        can_check_in = self.may(Action.SESSION_CHECK_IN)
        self.check_in_button.setVisible(can_check_in)
        self.check_in_button.setEnabled(can_check_in and entry is not None and entry.status is SessionStatus.SCHEDULED
                                        and self.day == self._services.context.today())
        can_mark = self.may(Action.SESSION_CANCEL)
        self.no_show_button.setVisible(can_mark)
        self.no_show_button.setEnabled(can_mark and entry is not None and entry.status is SessionStatus.SCHEDULED
                                       and entry.scheduled_at <= self._services.context.now())

    def select(self, session_id: int) -> BoardEntry | None:
        """Make a session the current one (as a click would)."""
        for column in self.columns.values():
            for row in range(column.list.count()):
                if column.list.item(row).data(Qt.ItemDataRole.UserRole) == session_id:
                    column.list.setCurrentRow(row)
                    column.list.setFocus()
                    return self.selected
        return None

    def open_selected(self) -> None:
        if self.selected is not None:
            self.sessionChosen.emit(self.selected.session_id)

    def start_check_in(self) -> None:
        if self.selected is not None and self.check_in_button.isEnabled():
            self.check_in_panel.open_for(self.selected)

    def mark_no_show(self) -> None:
        """Ask, then mark the selected session as missed; a refusal (changed elsewhere) stays in the dialog."""
        entry = self.selected
        if entry is None or not self.no_show_button.isEnabled():
            return
        what = f"session {entry.sequence} of {entry.of_planned} for {entry.patient_name}"
        detail = NoShowDialog.ask(what, entry.scheduled_at, self._zone, lambda: self._services.sessions.mark_no_show(
            self._actor(), entry.session_id, expected_version=entry.row_version), self)
        if detail is not None:
            self.message.emit(f"{entry.patient_name} — {detail.summary.label} marked as a no-show.", 6000)
            self.refresh()

    def _check_in(self, session_id: int, escort_name: str, escort_phone: str, confirmed: bool, npo: bool | None,
                  pregnancy: str | None) -> SessionDetail:
        return self._services.sessions.check_in(self._actor(), session_id, escort_name, escort_phone, confirmed,
                                                npo, pregnancy)

    def _checked_in(self, detail: SessionDetail) -> None:
        self.message.emit(f"Checked in {detail.patient_name} — {detail.summary.label}.", 6000)
        self.refresh()
        self.select(detail.summary.id)
