"""The front desk's part of a workspace: today's board, the patient, screening and series forms in their own
tabs, and the small series dialogs; after each change the chart, the list and the board are read again (through
the change hub)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QTabBar, QWidget

from clinic_desktop.domain.access import Action, Principal
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.records import PatientChart
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import formatting
from clinic_desktop.ui.board import TodayBoard
from clinic_desktop.ui.patient_chart import PatientChartView
from clinic_desktop.ui.series_actions import (
    CancelSessionDialog,
    ExtendSeriesDialog,
    NoShowDialog,
    RescheduleDialog,
    StopSeriesDialog,
)

if TYPE_CHECKING:  # the forms load when first opened: a day starts at the board or the search, not at a form
    from clinic_desktop.ui.patient_form import PatientForm
    from clinic_desktop.ui.screening_form import ScreeningForm
    from clinic_desktop.ui.series_dialog import PlanSeriesPage
    from clinic_desktop.ui.workspace import Workspace

#: Roles whose day starts at the board rather than at the patient search.
BOARD_FIRST = (StaffRole.FRONT_DESK, StaffRole.NURSE)


class FrontDesk(QObject):
    """Owns the "Today" tab and the form tabs it opens; the workspace asks it before closing one of them."""

    def __init__(self, workspace: Workspace, services: Services) -> None:
        super().__init__(workspace)
        self._ws = workspace
        self._services = services
        self.board: TodayBoard | None = None
        self.pages: list[QWidget] = []

    def _actor(self) -> Principal:
        return self._ws.principal

    # --- the board -------------------------------------------------------------------------------------
    def sync(self) -> None:
        """The board while the user may see patients; without that right, the board and forms go."""
        if self._ws.may(Action.PATIENT_VIEW):
            if self.board is None:
                self.board = TodayBoard(self._services, self._actor)
                self.board.message.connect(self._ws.message)
                self.board.sessionChosen.connect(self._ws.open_session)
                self.board.setupRequested.connect(self._ws.show_setup_guide)
                index = self._ws.tabs.insertTab(0, self.board, "Today")
                self._ws.tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, None)
        else:
            for widget in [w for w in (self.board, *self.pages) if w is not None]:
                self._remove(widget)
            self.board, self.pages = None, []

    def start(self) -> bool:
        """At sign-in: the board for front desk and nurses (True), else the caller shows the patient search."""
        if self.board is None or self._actor().role not in BOARD_FIRST:
            return False
        self._ws.tabs.setCurrentWidget(self.board)
        self.board.setFocus()
        return True

    def show_board(self) -> TodayBoard | None:
        if self.board is not None:
            self.board.refresh()
            self._ws.tabs.setCurrentWidget(self.board)
        return self.board

    def attach_chart(self, chart: PatientChartView) -> None:
        chart.may = self._ws.may
        chart.editRequested.connect(self.edit_patient)
        chart.weightRequested.connect(self.record_weight)
        chart.screeningRequested.connect(self.screening)
        chart.planRequested.connect(self.plan_series)
        chart.seriesAction.connect(self.series_action)

    # --- form tabs -------------------------------------------------------------------------------------
    def owns(self, widget: QWidget) -> bool:
        return widget is self.board or widget in self.pages

    def release(self, widget: QWidget) -> bool:
        """Whether the workspace may close this tab (never the board; a form once its entries may be dropped)."""
        if widget is self.board or not widget.confirm_discard():
            return False
        self.pages.remove(widget)
        return True

    def _open(self, page: QWidget, title: str) -> QWidget:
        page.message.connect(self._ws.message)
        page.closeRequested.connect(lambda: self.close_page(page))
        self.pages.append(page)
        self._ws.tabs.addTab(page, title)
        self._ws.tabs.setCurrentWidget(page)
        QTimer.singleShot(0, page.first_field.setFocus)  # once the new tab's fields are on show
        return page

    def _find(self, kind: type, patient_id: int | None) -> QWidget | None:
        """An open form of this kind for this patient (None for a new patient), to show again, not twice."""
        for page in self.pages:
            if isinstance(page, kind) and (page.chart.id if page.chart else None) == patient_id:
                self._ws.tabs.setCurrentWidget(page)
                return page
        return None

    def close_page(self, page: QWidget) -> bool:
        if page in self.pages and page.confirm_discard():
            self.pages.remove(page)
            self._remove(page)
            return True
        return False

    def _remove(self, widget: QWidget) -> None:
        self._ws.tabs.removeTab(self._ws.tabs.indexOf(widget))
        widget.hide()
        widget.deleteLater()

    def _chart(self, patient_id: int) -> PatientChart | None:
        try:
            return self._services.patients.chart(self._actor(), patient_id)
        except ClinicError as exc:
            self._ws.message.emit(exc.message, 8000)
            return None

    def _done(self, page: QWidget | None, patient_id: int, text: str) -> None:
        """After a save: the form closes and the chart shows the patient. The list, the board and a chart already
        showing the patient catch up through the change hub (Workspace.show_changes), once, not again here."""
        if page is not None and page in self.pages:
            self.pages.remove(page)
            self._remove(page)
        shown = self._ws.chart.chart if self._ws.chart is not None else None
        if shown is None or shown.id != patient_id:  # e.g. a new patient: the hub refreshes only what is on show
            self._ws.open_patient(patient_id)
        if self._ws.splitter is not None:
            self._ws.tabs.setCurrentWidget(self._ws.splitter)
        self._ws.message.emit(text, 8000)

    def new_patient(self) -> PatientForm | None:
        if not self._ws.may(Action.PATIENT_REGISTER):
            return None
        from clinic_desktop.ui.patient_form import PatientForm

        page = self._find(PatientForm, None)
        if page is None:
            page = self._open(PatientForm(self._services, self._actor), "New patient")
            page.saved.connect(lambda chart, p=page: self._done(p, chart.id, f"Registered {chart.display_name} "
                                                                              f"(MRN {chart.mrn})."))
        return page

    def edit_patient(self, patient_id: int) -> PatientForm | None:
        if not self._ws.may(Action.PATIENT_UPDATE):
            return None
        from clinic_desktop.ui.patient_form import PatientForm

        page = self._find(PatientForm, patient_id)
        chart = self._chart(patient_id) if page is None else None
        if chart is not None:
            page = self._open(PatientForm(self._services, self._actor, chart),
                              f"Edit · {chart.family_name}")
            page.saved.connect(lambda c, p=page: self._done(p, c.id, f"Saved {c.display_name}."))
        return page

    def screening(self, patient_id: int) -> ScreeningForm | None:
        if not self._ws.may(Action.SCREENING_RECORD):
            return None
        from clinic_desktop.ui.screening_form import ScreeningForm

        page = self._find(ScreeningForm, patient_id)
        chart = self._chart(patient_id) if page is None else None
        if chart is not None:
            page = self._open(ScreeningForm(self._services, self._actor, chart),
                              f"Screening · {chart.family_name}")
            page.saved.connect(lambda s, p=page, c=chart: self._done(
                p, c.id, f"Screening saved for {c.display_name}: {len(s.findings) or 'no'} "
                         f"flag{'s' if len(s.findings) != 1 else ''}."))
        return page

    def plan_series(self, patient_id: int) -> PlanSeriesPage | None:
        if not self._ws.may(Action.SERIES_PLAN):
            return None
        from clinic_desktop.ui.series_dialog import PlanSeriesPage

        page = self._find(PlanSeriesPage, patient_id)
        chart = self._chart(patient_id) if page is None else None
        if chart is not None:
            page = self._open(PlanSeriesPage(self._services, self._actor, chart), f"Plan · {chart.family_name}")
            page.saved.connect(lambda s, p=page, c=chart: self._done(
                p, c.id, f"Planned {s.protocol.label}: {len(s.sessions)} sessions from "
                         f"{formatting.local_time(s.sessions[0].scheduled_at, self._services.context.zone)}."))
        return page

    # --- small dialogs -----------------------------------------------------------------------------------
    def record_weight(self, patient_id: int) -> None:
        chart = self._chart(patient_id) if self._ws.may(Action.WEIGHT_RECORD) else None
        if chart is None:
            return
        from clinic_desktop.ui.measure_fields import RecordWeightDialog

        entry = RecordWeightDialog.ask(self._ws, chart.display_name, chart.latest_weight, lambda value, unit:
                                       self._services.patients.record_weight(self._actor(), patient_id, value, unit))
        if entry is not None:
            self._done(None, patient_id, f"Weight recorded for {chart.display_name}: {formatting.weight(entry)}.")

    def series_action(self, kind: str, target_id: int) -> None:
        """Reschedule, cancel or mark as a no-show a session, extend or stop a series, from the chart on show."""
        chart = self._ws.chart.chart if self._ws.chart is not None else None
        if chart is None:
            return
        series = next((s for s in chart.series if s.id == target_id), None)
        session = next((x for s in chart.series for x in s.sessions if x.id == target_id), None)
        actor, zone, services = self._actor(), self._services.context.zone, self._services
        result, text = None, ""
        if kind == "reschedule" and session is not None:
            try:
                chairs = services.chairs.bookable(actor)
            except ClinicError:
                chairs = []
            result = RescheduleDialog.ask(session, chairs, zone, lambda when, chair, reason: services.series.reschedule(
                actor, session.id, when, chair, reason, expected_version=session.row_version), self._ws)
            moved = next((x for x in result.sessions if x.id == session.id), None) if result else None
            text = f"{session.label} moved to {formatting.local_time(moved.scheduled_at, zone)}." if moved else ""
        elif kind == "cancel" and session is not None:
            result = CancelSessionDialog.ask(session, zone, lambda reason: services.sessions.cancel(
                actor, session.id, reason, expected_version=session.row_version), self._ws)
            text = f"{session.label} cancelled."
        elif kind == "no_show" and session is not None:
            result = NoShowDialog.ask(session.label.lower(), session.scheduled_at, zone,
                                      lambda: services.sessions.mark_no_show(
                                          actor, session.id, expected_version=session.row_version), self._ws)
            text = f"{session.label} marked as a no-show."
        elif kind == "extend" and series is not None:
            result = ExtendSeriesDialog.ask(series, lambda extra, reason: services.series.extend(
                actor, series.id, extra, reason, expected_version=series.row_version), self._ws)
            text = f"Series extended to {result.planned_sessions} sessions." if result else ""
        elif kind == "stop" and series is not None:
            result = StopSeriesDialog.ask(series, lambda reason: services.series.stop(
                actor, series.id, reason, expected_version=series.row_version), self._ws)
            text = "Series stopped; its scheduled sessions are cancelled."
        if result is not None:
            self._done(None, chart.id, text)

