"""The vital-signs section of the session screen: the entry form, the grid of due times (late and overdue marked
in words and colour), and a chart of blood pressure and heart rate. The grid re-reads the clock every half
minute, so a reading becomes overdue on screen without anyone saving anything."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Action, Principal
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.clinical_time import session_start, session_window
from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.session_records import SessionDetail, VitalsEntry
from clinic_desktop.domain.vitals import VitalSigns
from clinic_desktop.services.monitoring import CHARTING
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import formatting
from clinic_desktop.ui.session_screen.panel import Panel
from clinic_desktop.ui.session_screen.view_updates import Saved, with_reading
from clinic_desktop.ui.session_screen.vitals_chart import VitalsChart
from clinic_desktop.ui.session_screen.vitals_form import VitalsForm
from clinic_desktop.ui.session_screen.vitals_rows import DUE, LATE, OVERDUE, GridRow, grid_rows, overdue_count
from clinic_desktop.ui.widgets import plain_tooltip, section, text_label

COLUMNS = ("Due", "Taken", "Phase", "BP (mmHg)", "HR (/min)", "SpO₂ (%)", "RR (/min)", "Temp (°C)", "Status",
           "Recorded by")
STATUS = COLUMNS.index("Status")
#: How often the grid re-reads the clock (milliseconds).
TICK_MS = 30_000
#: Colours of a row's state, by grade (the words in the cell say the same).
STATE_GRADE = {LATE: Grade.WARN, OVERDUE: Grade.OVERRIDE, DUE: Grade.INFO}
#: Phases in the grid's narrow column (the form and the record use the full labels).
PHASE_SHORT = {VitalsPhase.BASELINE: "Baseline", VitalsPhase.DURING: "During", VitalsPhase.AFTER: "After"}


class VitalsPanel(Panel):
    """Summary of what is due, the entry form, the grid of due times and readings, and the chart."""

    def __init__(self, services: Services, principal: Callable[[], Principal], session_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(services, principal, session_id, parent)
        self._zone = services.context.zone
        self.detail: SessionDetail | None = None
        self.settings = ClinicSettings()
        self.rows: list[GridRow] = []
        self.summary = text_label("", selectable=False, name="vitalsSummary")
        self.form = VitalsForm(self._zone, services.context.now, self._record)
        self.form_note = text_label("", selectable=False, name="muted")
        self.table = self._table()
        self.chart = VitalsChart(self._zone)
        self.form_box, form_layout = section("Record a reading")
        form_layout.addWidget(self.form)
        chart_box, chart_layout = section("Blood pressure and heart rate")
        chart_layout.addWidget(self.chart)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.form_box)
        layout.addWidget(self.form_note)
        layout.addWidget(self.table)
        layout.addWidget(chart_box)
        layout.addStretch(1)
        self.form.saved.connect(self._saved)
        self.form.refused.connect(self.message)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.render)
        self.timer.start()

    def _table(self) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS))
        table.setHorizontalHeaderLabels(COLUMNS)
        table.setAccessibleName("Vital signs: due times and readings")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)
        table.verticalHeader().hide()
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # as tall as its rows
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(header.fontMetrics().averageCharWidth() * 6)
        table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return table

    # --- showing ----------------------------------------------------------------------------------------
    def show_detail(self, detail: SessionDetail) -> None:
        self.detail = detail
        self.settings = self.view.settings
        may = self.may(Action.VITALS_RECORD)
        open_for_charting = detail.summary.status in CHARTING
        self.form_box.setVisible(may and open_for_charting)
        if not may:
            self.form_note.setText("Vital signs are recorded by a nurse or a physician.")
        elif not open_for_charting:
            self.form_note.setText(f"Vital signs are charted from check-in until discharge; this session is "
                                   f"{detail.summary.status.label.lower()}.")
        self.form_note.setVisible(not (may and open_for_charting))
        self.form.set_context(detail, self.settings, _baseline(detail))
        self.render()

    def render(self) -> None:
        """The grid, summary and chart for the detail on show, as of now."""
        if self.detail is None:
            return
        now = self.services.context.now()
        self.rows = grid_rows(self.detail, now, self.settings.vitals_interval_during_min,
                              self.settings.vitals_interval_after_min)
        self._fill(self.rows)
        dose = self.detail.dose
        start = session_start(self.detail.summary.scheduled_at, self.detail.checked_in_at)
        self.chart.set_data(self.detail.vitals, dose.started_at if dose else None, dose.stopped_at if dose else None,
                            now, session_window(start, self.settings, now))
        self._summarise()

    def _summarise(self) -> None:
        late = overdue_count(self.rows)
        parts = [f"{late} reading{'s' if late > 1 else ''} overdue."] if late else []
        upcoming = next((r for r in self.rows if r.state == DUE), None)
        if upcoming is not None:
            parts.append(f"Next reading due at {self._clock(upcoming.due_at)} ({upcoming.state_text.lower()}).")
        if not parts:
            parts.append("No reading is due." if self.detail.vitals else "No vital signs recorded yet.")
        self.summary.setText(" ".join(parts))
        self.summary.setStyleSheet(formatting.grade_style(Grade.OVERRIDE if late else Grade.INFO))

    def _fill(self, rows: list[GridRow]) -> None:
        """One line per due time or reading; under a reading with alerts, a full-width line with them and the
        action taken."""
        self.table.clearSpans()
        lines: list[tuple[GridRow, bool]] = []
        for row in rows:
            lines.append((row, False))
            if row.entry is not None and (row.entry.alerts or row.entry.alert_action is not None):
                lines.append((row, True))
        self.table.setRowCount(len(lines))
        for r, (row, is_alert) in enumerate(lines):
            if is_alert:
                item = QTableWidgetItem(_alerts(row.entry))
                _colour(item, Grade.OVERRIDE if row.entry.alerts else Grade.INFO)
                self.table.setItem(r, 0, item)
                self.table.setSpan(r, 0, 1, len(COLUMNS))
                continue
            e = row.entry
            cells = [self._clock(row.due_at) if row.due_at else "—", self._clock(e.taken_at) if e else "",
                     PHASE_SHORT[row.phase], *(_values(e) if e else [""] * 5), row.state_text, e.recorded_by if e else ""]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(plain_tooltip(text))
                if c == STATUS and row.state in STATE_GRADE:
                    _colour(item, STATE_GRADE[row.state])
                self.table.setItem(r, c, item)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """One text line per reading; an alert line as tall as its wrapped text at the table's width. The table
        is as tall as its rows: the section scrolls with the page rather than inside a box of its own."""
        metrics = self.table.fontMetrics()
        line = metrics.height() + 8
        width = max(self.table.viewport().width() - 10, 100)
        for r in range(self.table.rowCount()):
            height = line
            if self.table.columnSpan(r, 0) > 1:
                text = self.table.item(r, 0).text()
                height = metrics.boundingRect(0, 0, width, 100_000, int(Qt.TextFlag.TextWordWrap), text).height() + 8
            self.table.setRowHeight(r, height)
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(height + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rows()  # alert lines wrap differently at another width

    def row_texts(self) -> list[list[str]]:
        """What each line of the grid says (an alert line has one cell), for tests and screen readers."""
        out = []
        for r in range(self.table.rowCount()):
            span = self.table.columnSpan(r, 0) > 1
            out.append([self.table.item(r, 0).text()] if span else
                       [self.table.item(r, c).text() for c in range(len(COLUMNS))])
        return out

    def _clock(self, at: datetime) -> str:
        return formatting.local_time(at, self._zone, with_day=False)

    # --- saving -------------------------------------------------------------------------------------------
    def _record(self, phase, values, taken_at, action, note) -> Callable[[], Saved]:  # noqa: ANN001 (as VitalsForm)
        """The save of these values, to run in the background: the reading, and for a baseline the checklist it
        may resolve."""
        actor, sid, services = self.principal(), self.session_id, self.services

        def record() -> Saved:
            entry = services.monitoring.record_vitals(actor, sid, phase, values, taken_at, action, note)
            checklist = services.sessions.checklist(actor, sid) if entry.phase is VitalsPhase.BASELINE else None
            return Saved(entry, with_reading(entry, checklist))
        return record

    def _saved(self, saved: Saved) -> None:
        entry: VitalsEntry = saved.entry
        text = f"Vital signs recorded at {self._clock(entry.taken_at)}"
        if entry.systolic is not None:
            text += f": BP {entry.systolic}/{entry.diastolic}"
        if entry.alert_action is not None:
            text += f"; out of range, action: {entry.alert_action.label.lower()}"
        self.message.emit(text + ".")
        self.updated.emit(saved.update)

    def is_dirty(self) -> bool:
        return self.form.is_dirty()


def _values(e: VitalsEntry) -> list[str]:
    bp = f"{e.systolic}/{e.diastolic}" if e.systolic is not None else ""
    return [bp, *("" if v is None else str(v) for v in (e.heart_rate, e.spo2, e.resp_rate)),
            formatting.number(e.temperature_c)]


def _alerts(e: VitalsEntry) -> str:
    lines = [f"Alert: {a}" for a in e.alerts]
    if e.alert_action is not None:
        lines.append(f"Action: {e.alert_action.label}" + (f" — {e.alert_note}" if e.alert_note else ""))
    return "\n".join(lines)


def _colour(item: QTableWidgetItem, grade: Grade) -> None:
    background, foreground = formatting.GRADE_COLOURS[grade]
    item.setBackground(QBrush(QColor(background)))
    item.setForeground(QBrush(QColor(foreground)))


def _baseline(detail: SessionDetail) -> VitalSigns | None:
    """The latest baseline reading, against which a rise in systolic pressure is judged."""
    baselines = [v for v in detail.vitals if v.phase is VitalsPhase.BASELINE]
    if not baselines:
        return None
    b = baselines[-1]
    return VitalSigns(b.systolic, b.diastolic, b.heart_rate, b.spo2, b.resp_rate, b.temperature_c)
