"""The audit log for administrators: filters, a list that pages in as it scrolls, CSV export, verification."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.audit import AuditFilter, AuditPage
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import ops
from clinic_desktop.ui.audit_model import AuditTableModel
from clinic_desktop.ui.theme import ERROR_RED
from clinic_desktop.ui.widgets import text_label


class AuditViewer(QWidget):
    """Filters above the list; Verify and Export beside them. Reads through the services as `actor()`."""

    #: Entries per page fetched from the service.
    PAGE = 200

    def __init__(self, services: Services, actor: Callable[[], Principal], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = True  # filters being set up or reset: one reload at the end, not one per change
        self._services = services
        self._actor = actor
        self._zone: ZoneInfo = services.context.zone
        self.model = AuditTableModel(lambda _before: AuditPage((), None), self)  # the filters' own at refresh()
        self.model.failed.connect(self._read_failed)

        self.mrn = QLineEdit()
        self.mrn.setAccessibleName("Patient MRN")
        self.mrn.setPlaceholderText("Any patient")
        self.mrn.setClearButtonEnabled(True)
        self.user = QComboBox()
        self.user.setAccessibleName("User")
        self.action = QComboBox()
        self.action.setAccessibleName("Action")
        self.since_on, self.since = QCheckBox("&From"), self._date_edit("From date")
        self.until_on, self.until = QCheckBox("&To"), self._date_edit("To date")
        self.clear_button = QPushButton("Clear filters")
        self.verify_button = QPushButton("&Verify log")
        self.export_button = QPushButton("&Export CSV...")
        self.status = text_label("", selectable=False, name="muted")
        self.verify_result = text_label("")
        self.verify_result.setVisible(False)
        self.table = self._table()
        self._lay_out()

        self.mrn.returnPressed.connect(self.reload)
        self.mrn.textChanged.connect(lambda text: self.reload() if not text else None)  # the clear button
        self.user.currentIndexChanged.connect(self.reload)
        self.action.currentIndexChanged.connect(self.reload)
        for check, edit in ((self.since_on, self.since), (self.until_on, self.until)):
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self.reload)
            edit.dateChanged.connect(self.reload)
        self.clear_button.clicked.connect(self.clear_filters)
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(lambda: self.export())
        self.model.loaded.connect(self.table.scrollToTop)
        self.model.modelReset.connect(self._show_count)
        self.model.rowsInserted.connect(self._show_count)
        self.refresh()

    # --- building ----------------------------------------------------------------------------------
    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        return edit

    def _table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        # Sized to what is on show (Qt looks at a bounded number of rows, so long logs stay quick).
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AuditTableModel.DETAILS, QHeaderView.ResizeMode.Stretch)
        return table

    def _lay_out(self) -> None:
        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        for column, (caption, field) in enumerate((("Patient &MRN", self.mrn), ("&User", self.user),
                                                   ("&Action", self.action))):
            label = QLabel(caption)
            label.setBuddy(field)
            filters.addWidget(label, 0, column * 2)
            filters.addWidget(field, 0, column * 2 + 1)
            filters.setColumnStretch(column * 2 + 1, 1)
        dates = QHBoxLayout()
        for widget in (self.since_on, self.since, self.until_on, self.until, self.clear_button):
            dates.addWidget(widget)
        dates.addStretch(1)
        dates.addWidget(self.verify_button)
        dates.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(text_label("Audit log", selectable=False, name="pageTitle"))
        layout.addLayout(filters)
        layout.addLayout(dates)
        layout.addWidget(self.verify_result)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)

    # --- loading -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the choices (users, actions seen so far) and the newest entries, keeping the filters."""
        self._loading = True
        try:
            user, action = self.user.currentData(), self.action.currentData()
            self.user.clear()
            self.user.addItem("Everyone", None)
            self.action.clear()
            self.action.addItem("All actions", None)
            try:
                for account in self._services.auth.list_users(self._actor()):
                    self.user.addItem(f"{account.member.full_name} ({account.member.username})", account.member.id)
                for name in self._services.audit.action_names(self._actor()):
                    self.action.addItem(name.replace("_", " "), name)
            except ClinicError as exc:
                self._say(exc.message, error=True)
            self.user.setCurrentIndex(max(self.user.findData(user), 0))
            self.action.setCurrentIndex(max(self.action.findData(action), 0))
            today = QDate(self._services.context.today())
            for edit in (self.since, self.until):
                if not edit.isEnabled():
                    edit.setDate(today)
        finally:
            self._loading = False
        self.reload()

    def reload(self) -> None:
        """Search again with the filters on show, in the background (the newest search's rows are the ones
        shown)."""
        if self._loading:
            return
        self._say("Searching…")
        self.model.reload(self._fetcher())

    def current_filter(self) -> AuditFilter:
        def moment(day: date) -> datetime:
            return datetime.combine(day, time(0), tzinfo=self._zone).astimezone(timezone.utc)

        since = moment(self.since.date().toPython()) if self.since_on.isChecked() else None
        until = moment(self.until.date().toPython() + timedelta(days=1)) if self.until_on.isChecked() else None
        return AuditFilter(patient_mrn=self.mrn.text().strip() or None, staff_id=self.user.currentData(),
                           action=self.action.currentData(), since=since, until=until)

    def clear_filters(self) -> None:
        self._loading = True
        for widget in (self.since_on, self.until_on):
            widget.setChecked(False)
        self.mrn.clear()
        self.user.setCurrentIndex(0)
        self.action.setCurrentIndex(0)
        self._loading = False
        self.reload()

    def _fetcher(self) -> Callable[[int | None], AuditPage]:
        """Reads pages with the filters and the user as they are now (read here, on the GUI thread)."""
        audit, actor, chosen, size = self._services.audit, self._actor(), self.current_filter(), self.PAGE
        return lambda before: audit.entries(actor, chosen, before, size)

    def _read_failed(self, error: BaseException) -> None:
        if isinstance(error, ClinicError):
            self._say(error.message, error=True)
        else:
            ops.report_failure(self, error)

    def _show_count(self) -> None:
        shown = self.model.rowCount()
        if not shown:
            self._say("No entries match these filters.")
        else:
            more = " — scroll down for older ones" if self.model.canFetchMore() else ""
            self._say(f"{shown:,} entries shown, newest first{more}.")

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_RED};" if error else "")

    # --- actions -----------------------------------------------------------------------------------
    def verify(self) -> None:
        """Walk the whole chain in the background and say whether it is intact (in red when it is not)."""
        actor = self._actor()
        self.verify_result.setVisible(False)
        self._say("Checking every entry of the log…")
        ops.Op(self.verify_button, lambda: self._services.audit.verify(actor)) \
            .success(self._verified).failure(self._read_failed).run()

    def _verified(self, result) -> None:  # noqa: ANN001 (services.audit's verification result)
        self._show_count()
        self.verify_result.setText(result.message)
        self.verify_result.setStyleSheet(f"color: {ERROR_RED}; font-weight: 600;" if not result.ok
                                         else "color: #1e4620;")
        self.verify_result.setVisible(True)

    def export(self, target: Path | None = None, replace: bool = False) -> int | None:
        """Write the filtered entries to a CSV file chosen by the user, in the background. Returns how many when
        written by the time it returns (operations run inline), else None (cancelled, or still writing).
        An existing file is replaced only when the save dialog asked about that very name (or `replace`)."""
        if target is None:
            suggested = Path.home() / f"audit-log-{self._services.context.today().isoformat()}.csv"
            path, _ = QFileDialog.getSaveFileName(self, "Export the audit log", str(suggested),
                                                  "CSV files (*.csv);;All files (*)")
            if not path:
                return None
            replace = bool(Path(path).suffix)
            target = Path(path) if replace else Path(path).with_suffix(".csv")
        actor, chosen, written = self._actor(), self.current_filter(), []
        self._say(f"Exporting to {target}…")
        ops.Op(self.export_button, lambda: self._services.audit.export_csv(actor, target, chosen, replace)) \
            .success(lambda count: written.append(count) or self._exported(target, count)) \
            .failure(self._read_failed).run()
        return written[0] if written else None

    def _exported(self, target: Path, count: int) -> None:
        self.refresh()  # the export is itself an entry
        self._say(f"Exported {count:,} entries to {target}.")
