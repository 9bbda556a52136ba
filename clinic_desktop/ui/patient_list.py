"""The patient list: search as you type, pages fetched as the user scrolls (never the whole table)."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.records import PatientPage, PatientRow
from clinic_desktop.ui import formatting, ops
from clinic_desktop.ui.paged_model import Index, PagedTableModel
from clinic_desktop.ui.widgets import plain_tooltip

#: Fetches one page: (query, cursor after which to continue) -> page.
PageFetcher = Callable[[str, tuple[Any, ...] | None], PatientPage]


class PatientListModel(PagedTableModel[PatientRow]):
    """Rows of PatientRow, loaded a page at a time through `fetchMore` (keyset paging in the service)."""

    NAME, MRN, BORN, AGE, SEX = range(5)
    HEADERS = ("Name", "MRN", "Date of birth", "Age", "Sex")

    def __init__(self, fetch: PageFetcher, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(self._page, parent)
        self._fetch = fetch
        self._today = today
        self._query = ""

    def search(self, query: str) -> None:
        """Start over with a new query: the first page replaces whatever was shown."""
        self.show_first(query, self._fetch(query, None))

    def show_first(self, query: str, page: PatientPage) -> None:
        """Show a first page read elsewhere (in the background) for `query`; scrolling continues from it."""
        self._query = query
        self._show(page.rows, page.after)

    def _page(self, cursor: Any) -> tuple[Sequence[PatientRow], Any]:
        page = self._fetch(self._query, cursor)
        return page.rows, page.after

    def patient_at(self, row: int) -> PatientRow:
        return self.row_at(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        patient = self._rows[index.row()]
        if role == self.RowRole:
            return patient
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.NAME:
            return plain_tooltip(patient.display_name)  # the whole name when the column is too narrow for it
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == self.NAME:
                preferred = f" ({patient.preferred_name})" if patient.preferred_name else ""
                return patient.display_name + preferred
            if column == self.MRN:
                return patient.mrn
            if column == self.BORN:
                return formatting.day(patient.date_of_birth)
            if column == self.AGE:
                return str(formatting.age_on(patient.date_of_birth, self._today()))
            if column == self.SEX:
                return patient.sex.label
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (self.AGE,):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class PatientListPanel(QWidget):
    """Search box, a count, and the list. Emits `patientChosen(id)` when a row becomes current.

    Every keystroke searches, in the background: while one search runs, the newest text waits and is searched
    as soon as it ends (typing fast never queues a search per letter), and a result for text that has since
    changed is not shown."""

    patientChosen = Signal(int)

    def __init__(self, fetch: PageFetcher, count: Callable[[str], int], today: Callable[[], date],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._count = count
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search: name, MRN or date of birth")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("Search patients")
        self.count_label = QLabel()
        self.count_label.setObjectName("muted")
        self.model = PatientListModel(fetch, today, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PatientListModel.NAME, QHeaderView.ResizeMode.Stretch)
        for column in (PatientListModel.MRN, PatientListModel.BORN, PatientListModel.AGE, PatientListModel.SEX):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        # Room for a full name beside MRN, birth date, age and sex, at any display scaling.
        self.table.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 0)
        layout.addWidget(self.search_box)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)

        self._searching = False
        #: The text changed while a search ran: search again when it ends.
        self._again = False
        #: Enter was pressed: open the first patient found.
        self._open_when_found = False
        self.search_box.textChanged.connect(lambda _text: self.refresh())
        self.search_box.returnPressed.connect(self._open_first)

    def refresh(self) -> None:
        """Search again with what is typed (also after data changed elsewhere)."""
        if self._searching:
            self._again = True
            return
        self._searching = True
        query = self.search_box.text()
        ops.Op(self, lambda: (self._fetch(query, None), self._count(query))).disable() \
            .success(lambda found: self._found(query, *found)).failure(self._failed).run()

    def _found(self, query: str, page: PatientPage, total: int) -> None:
        self._searching = False
        if self._again or query != self.search_box.text():
            self._again = False
            self.refresh()
            return
        self.model.show_first(query, page)
        if query.strip():
            self.count_label.setText(f"{total:,} matching" if total else "No patient matches this search")
        else:
            self.count_label.setText(f"{total:,} patients" if total else "No patients yet")
        if self._open_when_found:
            self._open_when_found = False
            if self.model.rowCount():
                self.table.selectRow(0)
                self.table.setFocus()

    def _failed(self, error: BaseException) -> None:
        self._searching = self._again = self._open_when_found = False
        if isinstance(error, ClinicError):
            self.count_label.setText(error.message)
        else:
            ops.report_failure(self, error)

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def _open_first(self) -> None:
        self._open_when_found = True
        self.refresh()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.patientChosen.emit(self.model.patient_at(current.row()).id)
