"""The chart's front-desk buttons: edit, weight, screening and planning on top; below the series tree, moving,
cancelling or marking a no-show of a session and extending or stopping a series. Only what the user's role allows
is shown."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.enums import SeriesStatus, SessionStatus
from clinic_desktop.domain.records import PatientChart, SeriesSummary, SessionSummary
from clinic_desktop.ui.paperwork.chart_menu import paperwork_button

#: Item data role of a series row in the chart's tree (its session rows hold the session id in UserRole).
SERIES_ROLE = Qt.ItemDataRole.UserRole + 1

#: (button text, action it needs, the chart view's signal it emits with the patient's id).
CHART_BUTTONS = (("Edit patient", Action.PATIENT_UPDATE, "editRequested"),
                 ("Record weight", Action.WEIGHT_RECORD, "weightRequested"),
                 ("Screening", Action.SCREENING_RECORD, "screeningRequested"),
                 ("Plan series", Action.SERIES_PLAN, "planRequested"))
#: (button text, action it needs, kind sent with seriesAction, what it acts on: "session" or "series").
SERIES_BUTTONS = (("Reschedule session…", Action.SERIES_PLAN, "reschedule", "session"),
                  ("Cancel session…", Action.SESSION_CANCEL, "cancel", "session"),
                  ("Mark no-show…", Action.SESSION_CANCEL, "no_show", "session"),
                  ("Extend series…", Action.SERIES_PLAN, "extend", "series"),
                  ("Stop series…", Action.SERIES_STOP, "stop", "series"))
OPEN_SERIES = (SeriesStatus.PLANNED, SeriesStatus.ACTIVE)


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


def chart_buttons(view: QWidget, chart: PatientChart) -> QHBoxLayout:
    """Edit patient, Record weight, Screening, Plan series, Paperwork: those the user may use."""
    may: Callable[[Action], bool] = view.may
    row = QHBoxLayout()
    row.setSpacing(6)
    for text, action, signal in CHART_BUTTONS:
        if may(action):
            button = _button(text, signal)
            button.clicked.connect(lambda _checked=False, s=signal: getattr(view, s).emit(chart.id))
            row.addWidget(button)
    paperwork = paperwork_button(view, chart)
    if paperwork is not None:
        row.addWidget(paperwork)
    row.addStretch(1)
    return row


def selection(chart: PatientChart, item: QTreeWidgetItem | None) -> tuple[SeriesSummary | None, SessionSummary | None]:
    """The series and (for a session row) the session a tree row stands for."""
    if item is None:
        return None, None
    session_id = item.data(0, Qt.ItemDataRole.UserRole)
    series_id = item.data(0, SERIES_ROLE)
    for series in chart.series:
        if series.id == series_id:
            return series, None
        for session in series.sessions:
            if session.id == session_id:
                return series, session
    return None, None


def series_buttons(view: QWidget, tree: QTreeWidget) -> QVBoxLayout:
    """Buttons acting on the tree's current row, enabled when that row can take the action: the session's on
    one line, the series' on the next (so a narrow chart at 200 % needs no sideways scrolling)."""
    may: Callable[[Action], bool] = view.may
    rows = {"session": QHBoxLayout(), "series": QHBoxLayout()}
    buttons: list[tuple[QPushButton, str]] = []
    for text, action, kind, target in SERIES_BUTTONS:
        if may(action):
            button = _button(text, f"series_{kind}")
            button.clicked.connect(lambda _checked=False, k=kind, t=target: _emit(view, tree, k, t))
            rows[target].addWidget(button)
            buttons.append((button, kind))
    column = QVBoxLayout()
    column.setSpacing(4)
    for row in rows.values():
        row.setSpacing(6)
        row.addStretch(1)
        column.addLayout(row)

    def sync() -> None:
        series, session = selection(view.chart, tree.currentItem()) if view.chart else (None, None)
        for button, kind in buttons:
            if kind in ("reschedule", "cancel"):
                button.setEnabled(session is not None and session.status is SessionStatus.SCHEDULED)
            elif kind == "no_show":  # missed only once its day has come (the service checks the hour)
                button.setEnabled(session is not None and session.status is SessionStatus.SCHEDULED
                                  and view.has_come(session))
            else:
                button.setEnabled(series is not None and series.status in OPEN_SERIES)

    tree.currentItemChanged.connect(lambda *_: sync())
    sync()
    return column


def _emit(view: QWidget, tree: QTreeWidget, kind: str, target: str) -> None:
    series, session = selection(view.chart, tree.currentItem())
    chosen = session if target == "session" else series
    if chosen is not None:
        view.seriesAction.emit(kind, chosen.id)
