"""One signed-in user's work: the patient list and chart, the clinic settings, and for administrators the users,
the audit log and reviews.

Everything a user has open lives inside their Workspace, so locking hides all of it at once and another user
signing in gets a fresh one while the first is kept aside, as it was."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QSplitter, QTabBar, QTabWidget, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Action, Principal, is_allowed
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.changes import ChangeSet
from clinic_desktop.services.chart_view import ChartView
from clinic_desktop.services.registry import Services
from clinic_desktop.services.session_view import SessionView
from clinic_desktop.ui import ops
from clinic_desktop.ui.admin_pages import (
    ADMIN_PAGES,
    AUDIT,
    BACKUPS,
    CHAIRS,
    CLINIC,
    REVIEWS,
    SETTINGS,
    SHEET_TEXTS,
    USERS,
    AdminPage,
)
from clinic_desktop.ui.audit_alarm import AuditAlarm, Finding, HeadFindings
from clinic_desktop.ui.change_hub import ChangeHub, made_by
from clinic_desktop.ui.change_watcher import ChangeWatcher, changed_words
from clinic_desktop.ui.front_desk import FrontDesk
from clinic_desktop.ui.paperwork.actions import PaperworkActions
from clinic_desktop.ui.patient_chart import PatientChartView
from clinic_desktop.ui.patient_list import PatientListPanel
from clinic_desktop.ui.setup_guide import SetupGuide, SetupStep
from clinic_desktop.ui.widgets import text_label

if TYPE_CHECKING:  # the administration pages and the session screen load when first opened (admin_pages.py)
    from clinic_desktop.ui.audit_viewer import AuditViewer
    from clinic_desktop.ui.backup_page import BackupPage
    from clinic_desktop.ui.chairs_page import ChairsPage
    from clinic_desktop.ui.clinic_page import ClinicPage
    from clinic_desktop.ui.emergency import EmergencyReviewPage
    from clinic_desktop.ui.session_screen.session_screen import SessionScreen
    from clinic_desktop.ui.settings_page import SettingsPage
    from clinic_desktop.ui.sheet_texts_page import SheetTextsPage
    from clinic_desktop.ui.users_page import UsersPage

log = logging.getLogger(__name__)

#: Imported when the first session screen opens, not at sign-in (the nurse's day starts at the board).
SESSION_SCREEN = "clinic_desktop.ui.session_screen.session_screen"

EMPTY_DATABASE_HINT = ("There are no patients in this database yet.\n\nTo explore the application with fictional "
                       "patients, use a new folder and run:\n    clinic-desktop --data-dir DEMO_FOLDER demo\nthen "
                       "open it with the same --data-dir.")
NOTHING_TO_SHOW = "Your account has no screens to show. Ask an administrator about your role."


def is_session_screen(widget: QWidget | None) -> bool:
    """Whether a tab is a session screen, without loading the session screen's modules: until one has been
    opened, none of the tabs can be one."""
    module = sys.modules.get(SESSION_SCREEN)
    return module is not None and isinstance(widget, module.SessionScreen)


class Workspace(QWidget):
    """Tabs of what this user may see; the tab bar hides itself when there is only one."""

    #: A status-bar message (text, milliseconds).
    message = Signal(str, int)
    #: The clinic settings were saved here (the new ClinicSettings).
    settingsSaved = Signal(object)
    #: The clinic's profile (letterhead) was saved here (the new ClinicProfile).
    clinicSaved = Signal(object)
    #: A backup was restored here: everyone signs in again (the message to show on the sign-in page).
    restored = Signal(str)

    def __init__(self, services: Services, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.principal = principal
        self.patients: PatientListPanel | None = None
        self.chart: PatientChartView | None = None
        self.splitter: QSplitter | None = None
        self.audit: AuditViewer | None = None
        self.reviews: EmergencyReviewPage | None = None
        self.users: UsersPage | None = None
        self.clinic_settings: SettingsPage | None = None
        self.clinic: ClinicPage | None = None
        self.setup_guide: SetupGuide | None = None
        self.backups: BackupPage | None = None
        self.chairs: ChairsPage | None = None
        self.sheet_texts: SheetTextsPage | None = None
        self._empty_state: QWidget | None = None
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        #: An administrator's alarm when the audit log disagrees with its head's witnesses (check_audit).
        self.audit_alarm = AuditAlarm()
        self.audit_alarm.openAudit.connect(self.show_audit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.audit_alarm)
        layout.addWidget(self.tabs)
        #: Today's board and the patient, screening and series forms (ui/front_desk.py).
        self.front_desk = FrontDesk(self, services)
        #: The chart's Paperwork menu and consent statuses (ui/paperwork/actions.py).
        self.paperwork = PaperworkActions(services, lambda: self.principal, self)
        self.paperwork.message.connect(lambda text: self.message.emit(text, 8000))
        self.paperwork.consentRecorded.connect(self.open_patient)
        #: What this window's operations committed, and (from the watcher, every few seconds) what other
        #: workstations did: open screens catch up (show_changes).
        self.hub = ChangeHub(services, parent=self)
        self.hub.changed.connect(self.show_changes)
        self.watcher = ChangeWatcher(self.hub, services, lambda: self.principal, parent=self)
        self.sync()

    def may(self, action: Action) -> bool:
        return is_allowed(self.principal, action, self._services.context.now())

    def check_audit(self) -> None:
        """At an administrator's sign-in: the quick checks of the audit log, in the background, shown in the
        alarm bar when they find a problem; notes (e.g. the second copy of the head is not plugged in) go to the
        status bar. Nothing is disabled meanwhile, and a failure of the check itself is only logged."""
        if not self.may(Action.AUDIT_VIEW):
            return
        actor = self.principal
        ops.Op(self, lambda: self._services.audit.quick_check(actor)).disable() \
            .success(self._audit_checked).failure(self._audit_check_failed).run()

    def _audit_checked(self, findings: HeadFindings) -> None:
        self.audit_alarm.show_findings(findings)
        if findings.notes:
            self.message.emit(" ".join(findings.notes), 15000)

    def _audit_check_failed(self, error: BaseException) -> None:
        log.warning("The audit log's quick check at sign-in failed", exc_info=error)
        if isinstance(error, ClinicError):
            self.audit_alarm.show_findings(Finding(error.message))

    def set_principal(self, principal: Principal) -> None:
        """The same person with a new sign-in or emergency access: what they may see is decided again."""
        self.principal = principal
        self.sync()
        for index in range(self.tabs.count()):  # back at the screen: sessions as they are now, not as left
            view = self.tabs.widget(index)
            if is_session_screen(view):
                view.reload()

    def sync(self) -> None:
        """Add what the user may now see and drop what they may no longer see (e.g. when an emergency ends)."""
        if self.may(Action.PATIENT_VIEW) and self.patients is None:
            self._add_patients()
        elif not self.may(Action.PATIENT_VIEW) and self.patients is not None:
            self._remove(self.splitter)
            self.patients = self.chart = self.splitter = None
        self.front_desk.sync()
        if self.may(Action.PATIENT_VIEW):
            self.watcher.start()
        else:
            self.watcher.stop()
        for page in ADMIN_PAGES:
            widget = getattr(self, page.attr)
            if widget is None:
                continue
            if not self.may(page.action):
                self._remove(widget)
                setattr(self, page.attr, None)
            elif page.resync:
                getattr(widget, page.resync)()  # e.g. emergency access gives or takes physician rights
        if self.tabs.count() == (1 if self._empty_state is not None else 0):
            if self.may(Action.AUDIT_VIEW):  # an administrator without clinical rights starts at the audit log
                self.show_audit()
            elif self._empty_state is None:
                self._empty_state = text_label(NOTHING_TO_SHOW, name="emptyState")
                self._empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self._add_tab(self._empty_state, "Welcome", closable=False)
        if self._empty_state is not None and self.tabs.count() > 1:
            self._remove(self._empty_state)
            self._empty_state = None

    # --- the patient list and chart -------------------------------------------------------------
    def _add_patients(self) -> None:
        ctx = self._services.context
        self.patients = PatientListPanel(
            fetch=lambda query, after: self._services.patients.search(self.principal, query, after),
            count=lambda query: self._services.patients.count(self.principal, query), today=ctx.today)
        self.chart = PatientChartView(ctx.zone, ctx.today)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.patients)
        self.splitter.addWidget(self.chart)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        state = QSettings().value("main/splitter")
        if state is None or not self.splitter.restoreState(state):
            self.splitter.setSizes([430, 850])
        self.patients.patientChosen.connect(self.open_patient)
        self.chart.sessionChosen.connect(self.open_session)
        self.front_desk.attach_chart(self.chart)
        self.paperwork.attach_chart(self.chart)
        self.tabs.insertTab(0, self.splitter, "Patients")
        self.tabs.tabBar().setTabButton(0, QTabBar.ButtonPosition.RightSide, None)  # the home tab stays
        self.tabs.setCurrentIndex(0)
        self.patients.refresh()
        if self.patients.model.rowCount() == 0 and not self.patients.search_box.text():
            self.chart.show_message(EMPTY_DATABASE_HINT)

    def open_patient(self, patient_id: int) -> None:
        """The patient's chart, read in the background and shown when it arrives (the chart on show stays
        until then); the last patient asked for wins."""
        if self.chart is not None:
            self._chart_wanted = patient_id
            self._read_chart(patient_id, opened=True)

    def _read_chart(self, patient_id: int, opened: bool) -> None:
        """One read of everything the chart shows (services' ChartView), handed to the chart view; `opened`: a
        patient chosen (the chart comes to the front and the status bar says so), else a refresh."""
        principal, view = self.principal, self.chart
        ops.Op(view, lambda: self._services.patients.chart_view(principal, patient_id)).disable() \
            .success(lambda read: self._chart_read(read, opened)) \
            .failure(lambda error: self._chart_refused(patient_id, error)).run()

    def _chart_read(self, read: ChartView, opened: bool) -> None:
        chart = read.chart
        if self.chart is None or chart.id != getattr(self, "_chart_wanted", chart.id):
            return  # another patient was asked for meanwhile
        self.chart.show_chart(chart, read.consent_statuses)
        if opened:
            self.tabs.setCurrentWidget(self.splitter)  # e.g. the board was on show
            self.message.emit(f"Opened {chart.display_name} (MRN {chart.mrn})", 4000)

    def _chart_refused(self, patient_id: int, error: BaseException) -> None:
        if not isinstance(error, ClinicError):
            ops.report_failure(self, error)
        elif self.chart is not None and patient_id == getattr(self, "_chart_wanted", patient_id):
            self.chart.show_message(error.message)  # not found, or not allowed
            self.message.emit(error.message, 8000)

    def open_session(self, session_id: int) -> SessionScreen | None:
        """The session screen (checks, dose, vitals, notes, discharge, record) in its own tab (reused if open)."""
        for index in range(self.tabs.count()):
            view = self.tabs.widget(index)
            if is_session_screen(view) and view.session_id == session_id:
                view.reload()  # others may have charted, ordered or signed since it was opened
                self.tabs.setCurrentIndex(index)
                return view
        opened: list[SessionScreen] = []
        principal = self.principal
        # The screen's first read runs in the background; the screen is made once it has arrived (returned here
        # when it arrives at once, as with the tests' inline operations).
        ops.Op(self, lambda: self._services.sessions.screen(principal, session_id)).disable() \
            .success(lambda read: opened.append(self._show_session(session_id, read))) \
            .failure(self._session_refused).run()
        return opened[0] if opened else None

    def _session_refused(self, error: BaseException) -> None:
        if isinstance(error, ClinicError):  # not found, or not allowed: the reason goes to the status bar
            self.message.emit(error.message, 8000)
        else:
            ops.report_failure(self, error)

    def _show_session(self, session_id: int, read: SessionView) -> SessionScreen:
        for index in range(self.tabs.count()):  # opened twice before the first read arrived
            shown = self.tabs.widget(index)
            if is_session_screen(shown) and shown.session_id == session_id:
                self.tabs.setCurrentIndex(index)
                return shown
        from clinic_desktop.ui.session_screen.session_screen import SessionScreen

        view = SessionScreen(self._services, lambda: self.principal, session_id, view=read)
        view.message.connect(lambda text: self.message.emit(text, 6000))
        detail = view.detail
        self._add_tab(view, f"{detail.patient_name.split(',')[0]} · {detail.summary.label}")
        self.tabs.setCurrentWidget(view)
        self.message.emit(f"Opened {detail.summary.label.lower()} for {detail.patient_name}", 4000)
        return view

    def new_patient(self) -> QWidget | None:
        return self.front_desk.new_patient()

    def show_board(self) -> QWidget | None:
        return self.front_desk.show_board()

    def focus_start(self) -> None:
        """On sign-in: today's board for front desk and nurses, the patient search for everyone else; on
        unlocking, what was on show stays on show."""
        first, self._started = not getattr(self, "_started", False), True
        if first and self.front_desk.start():
            return
        if first or self.tabs.currentWidget() is self.splitter:
            self.focus_search()

    def focus_search(self) -> None:
        if self.patients is not None:
            self.tabs.setCurrentWidget(self.splitter)
            self.patients.focus_search()

    def refresh_patients(self) -> None:
        if self.patients is not None:
            self.patients.refresh()

    def show_changes(self, changes: ChangeSet, initiator: object = None) -> None:
        """Something changed (at this window or another workstation): every open screen showing it reads it
        again, except the one that made the change (it shows its own result); a screen with unsaved entries
        keeps them and shows a Reload bar instead."""
        patients = changes.patient_ids
        if self.patients is not None and not made_by(self.patients, initiator) and changes.touches_type("patient"):
            self.patients.refresh()
        shown = self.chart.chart if self.chart is not None else None
        # A new consent text changes every chart's consent status ("Re-consent needed").
        new_text = changes.touches_type("sheet_text")
        if shown is not None and not made_by(self.chart, initiator) and (
                changes.touches_patient(shown.id) or new_text):
            self._read_chart(shown.id, opened=False)
        board = self.front_desk.board
        if board is not None and not made_by(board, initiator) and (
                patients or changes.touches_type("session", "series", "chair")):
            board.refresh()
        if self.chairs is not None and not made_by(self.chairs, initiator) and changes.touches_type("chair"):
            self.chairs.refresh()
        for index in range(self.tabs.count()):
            view = self.tabs.widget(index)
            if is_session_screen(view) and view.detail is not None and not made_by(view, initiator) and (
                    changes.touches_patient(view.detail.patient_id) or changes.touches("session", view.session_id)):
                view.changed_elsewhere(initiator)
        for page in self.front_desk.pages:  # an open patient form: reloaded when clean, else offers its Reload
            chart = getattr(page, "chart", None)
            if chart is not None and hasattr(page, "reload_button") and not made_by(page, initiator) \
                    and changes.touches_patient(chart.id):
                if page.is_dirty():
                    page.errors.message(changed_words(initiator))
                    page.reload_button.setVisible(True)
                else:
                    page.reload()

    # --- administration ---------------------------------------------------------------------------
    def _show_admin(self, page: AdminPage) -> QWidget | None:
        """An administration page in its tab: made and wired the first time, read again after that."""
        if not self.may(page.action):
            return None
        widget = getattr(self, page.attr)
        if widget is None:
            widget = page.make(self)
            setattr(self, page.attr, widget)
            self._add_tab(widget, page.title)
        else:
            widget.refresh()
        self.tabs.setCurrentWidget(widget)
        return widget

    def show_audit(self) -> AuditViewer | None:
        return self._show_admin(AUDIT)

    def show_reviews(self) -> EmergencyReviewPage | None:
        return self._show_admin(REVIEWS)

    def show_users(self) -> UsersPage | None:
        return self._show_admin(USERS)

    def show_sheet_texts(self) -> SheetTextsPage | None:
        return self._show_admin(SHEET_TEXTS)

    def show_backups(self) -> BackupPage | None:
        return self._show_admin(BACKUPS)

    def show_chairs(self) -> ChairsPage | None:
        return self._show_admin(CHAIRS)

    def show_settings(self) -> SettingsPage | None:
        return self._show_admin(SETTINGS)

    def show_clinic(self) -> ClinicPage | None:
        return self._show_admin(CLINIC)

    def show_setup_guide(self) -> SetupGuide:
        """The first-run guide (after the first administrator, or from the board's "Finish setting up")."""
        if self.setup_guide is None:
            self.setup_guide = SetupGuide(self._services, lambda: self.principal)
            self.setup_guide.stepRequested.connect(self._open_setup_step)
            self.setup_guide.finished.connect(self._finish_setup)
            self._add_tab(self.setup_guide, "Getting started")
        self.tabs.setCurrentWidget(self.setup_guide)
        self.setup_guide.refresh()
        return self.setup_guide

    def _open_setup_step(self, step: str) -> None:
        opener = {SetupStep.CLINIC: self.show_clinic, SetupStep.CHAIRS: self.show_chairs,
                  SetupStep.ACCOUNTS: self.show_users}[SetupStep(step)]
        opener()

    def back_to_guide(self) -> None:
        """A step's page saved: the guide (if it is open) shows the next step."""
        if self.setup_guide is not None:
            self.show_setup_guide()

    def _finish_setup(self) -> None:
        guide, self.setup_guide = self.setup_guide, None
        self._remove(guide)
        self.show_board()
        self.sync()

    # --- tabs ---------------------------------------------------------------------------------------
    def _add_tab(self, widget: QWidget, title: str, closable: bool = True) -> None:
        index = self.tabs.addTab(widget, title)
        if not closable:
            self.tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, None)

    def confirm_leave(self) -> bool:
        """Before signing out or closing: every form with unsaved entries is shown and asks; False to stay."""
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            confirm = getattr(widget, "confirm_discard", None)
            if confirm is None:
                continue
            self.tabs.setCurrentIndex(index)
            if not confirm():
                return False
        return True

    def _close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if self.tabs.count() == 1:
            return  # the only thing on show (an administrator's audit log) stays
        page = next((p for p in ADMIN_PAGES if widget is getattr(self, p.attr)), None)
        if page is not None:
            confirm = getattr(widget, "confirm_discard", None)
            if confirm is not None and not confirm():
                return
            setattr(self, page.attr, None)
        elif widget is self.setup_guide:
            self.setup_guide = None
        elif is_session_screen(widget):
            if not widget.confirm_discard():
                return
        elif self.front_desk.owns(widget):
            if not self.front_desk.release(widget):
                return  # the board stays; a form whose entries the user keeps stays
        else:
            return  # the patient list (home) is not closed
        self._remove(widget)
        self.sync()

    def _remove(self, widget: QWidget | None) -> None:
        if widget is None:
            return
        self.tabs.removeTab(self.tabs.indexOf(widget))
        widget.hide()
        widget.deleteLater()

    def save_layout(self, settings: QSettings) -> None:
        if self.splitter is not None:
            settings.setValue("main/splitter", self.splitter.saveState())
