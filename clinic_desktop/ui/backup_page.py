"""Backup and Restore for administrators: the backups kept, a backup now with a progress bar, and restoring one."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.backups import BackupEntry, RestoreOutcome
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import ops
from clinic_desktop.ui.form_support import ErrorMap
from clinic_desktop.ui.record_table import record_table
from clinic_desktop.ui.widgets import error_label, set_error, text_label

COLUMNS = ("Taken", "Kind", "Size", "Verified", "File")
#: What the administrator reads before a restore: what is lost, what is kept, what happens next.
RESTORE_WARNING = ("Restoring replaces the whole clinic database with this backup taken {when}. Everything "
                   "recorded since then, on every workstation, is no longer in the database (it stays in a "
                   "safety copy of the current database, kept in the backups folder). Everyone signed in, "
                   "including you, must sign in again afterwards.")


def size_text(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class RestoreDialog(QDialog):
    """The warning, and the administrator's password to go ahead."""

    def __init__(self, when: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore a backup")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        go = buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        go.setObjectName("dangerButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text_label(RESTORE_WARNING.format(when=when), selectable=False))
        layout.addWidget(text_label("Your password, to confirm:", selectable=False))
        layout.addWidget(self.password)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    @classmethod
    def ask(cls, when: str, parent: QWidget | None = None) -> str | None:
        """The password typed, or None if the administrator cancelled."""
        dialog = cls(when, parent)
        return dialog.password.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


class BackupPage(QWidget):
    """The list with Back up now and Restore. Errors show on the page; `restored(text)` asks the window to
    sign everyone out, since the accounts and records are now those of the backup."""

    message = Signal(str, int)
    restored = Signal(str)
    #: A backup taken here was verified and listed (its entry).
    backedUp = Signal(object)

    def __init__(self, services: Services, actor: Callable[[], Principal], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self._entries: list[BackupEntry] = []
        self.table = self._table()
        self.backup_button = QPushButton("&Back up now")
        self.restore_button = QPushButton("&Restore...")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Backup progress")
        self.progress.setVisible(False)
        self.error = error_label("formError")
        self.errors = ErrorMap(self.error)
        self._lay_out()
        self.backup_button.clicked.connect(lambda: self.back_up_now())
        self.restore_button.clicked.connect(lambda: self.restore_selected())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.refresh()

    def _table(self) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS))
        table.setHorizontalHeaderLabels(COLUMNS)
        return record_table(None, "Backups", len(COLUMNS) - 1, table)

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addSpacing(16)
        buttons.addWidget(self.restore_button)
        buttons.addSpacing(16)
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(text_label("Backup and Restore", selectable=False, name="pageTitle"))
        layout.addWidget(text_label(
            "Backups are taken every day and when the application closes; the clinic settings say how many of "
            "those are kept. Backups taken here, before an upgrade and before a restore are never removed. Each "
            "is checked when taken and again before it is restored.", selectable=False, name="muted"))
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)

    # --- the list ---------------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            self._entries = self._services.backups.list(self._actor())
        except ClinicError as exc:
            self._entries = []
            set_error(self.error, exc.message)
        zone = self._services.context.zone
        self.table.setRowCount(len(self._entries))
        for row, entry in enumerate(self._entries):
            taken = entry.taken_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if entry.taken_at else "unknown"
            verified = "yes" if entry.verified else f"no: {entry.problem}" if entry.problem else "no"
            for column, value in enumerate((taken, entry.kind.value, size_text(entry.size), verified,
                                            entry.file_name)):
                item = QTableWidgetItem(value)
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self._selection_changed()

    def selected(self) -> BackupEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self._entries[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None and self.backup_button.isEnabled())

    # --- actions ---------------------------------------------------------------------------------------
    def _show_progress(self, done: int, total: int) -> None:
        """Between steps of the backup API, reported from the worker: the bar moves."""
        # The copy is checked after the last page: say so rather than sit at 100 % in silence.
        self.progress.setFormat("Copied; now checking the copy..." if done >= total else "Copying %p%")
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _busy(self, busy: bool) -> None:
        self.backup_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and self.selected() is not None)
        self.table.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.progress.setFormat("Waiting for the work under way..." if busy else "%p%")

    def _run(self, call: Callable[[ops.Op], object], done: Callable[[object], None]) -> None:
        """Run `call(op)` in the background with the page busy and the bar following `op.report`; then `done`
        with its result, or its error on the page (the rest of the window stays usable meanwhile)."""
        self._busy(True)
        op: ops.Op = ops.Op(self, lambda: call(op)).disable().errors(self.errors)

        def finished(result: object) -> None:
            self._busy(False)
            done(result)

        def failed(error: BaseException) -> None:
            self._busy(False)
            ops.report_failure(self, error, self.errors)

        op.progress(self._show_progress).success(finished).failure(failed).run()

    def back_up_now(self) -> None:
        """Take a manual backup in the background; `backedUp(entry)` and a status message when verified."""
        actor = self._actor()
        self._run(lambda op: self._services.backups.back_up_now(actor, progress=op.report), self._backed_up)

    def _backed_up(self, made: BackupEntry) -> None:
        self.refresh()
        self.message.emit(f"Backed up to {made.file_name} and verified.", 8000)
        self.backedUp.emit(made)

    def restore_selected(self) -> None:
        """Warn, ask the password, then restore in the background: the password is checked there first, and a
        wrong one is said on the page; once restored, `restored(text)` signs everyone out."""
        entry = self.selected()
        if entry is None:
            return
        self.errors.clear()
        when = self.table.item(self.table.currentRow(), 0).text()
        password = RestoreDialog.ask(when, self)
        if password is None:
            return
        actor, name = self._actor(), entry.file_name
        self._run(lambda op: self._services.backups.restore(actor, name, password, progress=op.report),
                  lambda outcome: self._restored(when, outcome))

    def _restored(self, when: str, outcome: RestoreOutcome) -> None:
        kept = f" The database as it was is kept as {outcome.safety_copy.name}." if outcome.safety_copy else ""
        self.restored.emit(f"The backup taken {when} was restored and verified.{kept} Sign in again.")
