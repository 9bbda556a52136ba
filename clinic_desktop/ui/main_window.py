"""The main window: one window whose pages are sign-in, the lock screen and each signed-in user's workspace.

Who is signed in decides what is shown; the services decide what is allowed (the window only reflects it).
A locked user's workspace is hidden and kept aside; another user gets their own; sign-out drops it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

import shiboken6
from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop import __version__
from clinic_desktop.domain.access import Action, Principal, is_allowed, roles_of, sign_in_expired
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.registry import Services
from clinic_desktop.settings import Locations
from clinic_desktop.ui import ops
from clinic_desktop.ui.backup_timer import AutomaticBackupTimer
from clinic_desktop.ui.emergency import EmergencyDialog, banner_text
from clinic_desktop.ui.error_report import open_log_folder
from clinic_desktop.ui.idle import IdleMonitor
from clinic_desktop.ui.lock import LockPage
from clinic_desktop.ui.menus import Menus
from clinic_desktop.ui.sign_in import FirstAdminPage, SignInPage
from clinic_desktop.ui.theme import STYLESHEET
from clinic_desktop.ui.widgets import text_label
from clinic_desktop.ui.workspace import Workspace

log = logging.getLogger(__name__)

#: Used when the clinic's idle setting cannot be read (the reference's norm for shared workstations).
DEFAULT_IDLE_MINUTES = 10
EXPIRED = "You have been signed in for 12 hours: sign in again with your user name and password."


@dataclass
class UserSession:
    """A signed-in user: their Principal, their workspace, and the windows hidden when they locked."""

    principal: Principal
    workspace: Workspace
    locked: bool = False
    hidden: list[QWidget] = field(default_factory=list)


class MainWindow(QMainWindow):
    """Opens at the sign-in page (or, given `principal`, already signed in as them). `clock` is what the idle
    lock measures time with: a callable returning an aware datetime, the services' clock by default."""

    def __init__(self, services: Services, locations: Locations, principal: Principal | None = None, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self._services = services
        self._locations = locations
        self._clock = clock or services.context.now
        #: Every signed-in user by staff id: the one on show, and others kept aside (locked).
        self.sessions: dict[int, UserSession] = {}
        #: Patient mode: the form a patient is filling, alone on show, and the user session it belongs to.
        self._patient_mode: tuple[UserSession, QWidget] | None = None
        self.current: UserSession | None = None
        self.setWindowTitle("Clinic Desktop")
        self.setStyleSheet(STYLESHEET)

        self.banner = text_label("", selectable=False, name="emergencyBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setVisible(False)
        self.first_admin_page = FirstAdminPage(services.auth.create_first_admin)
        self.sign_in_page = SignInPage(services.auth.login)
        self.lock_page = LockPage(services.auth.unlock)
        self.stack = QStackedWidget()
        for page in (self.first_admin_page, self.sign_in_page, self.lock_page):
            self.stack.addWidget(page)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.first_admin_page.signedIn.connect(self._first_sign_in)
        self.sign_in_page.signedIn.connect(self.sign_in)
        self.sign_in_page.back.connect(self._back_to_lock)
        self.lock_page.unlocked.connect(self._unlocked)
        self.lock_page.signInRequired.connect(lambda name, message: self.show_start(message, name))
        self.lock_page.switchUser.connect(self._switch_user)

        self.idle = IdleMonitor(self._clock, self)
        self.idle.idle.connect(self.lock)
        self.idle.timer.timeout.connect(self._tick)
        self.user_label = text_label("", wrap=False, selectable=False)
        self.statusBar().addPermanentWidget(self.user_label)
        self.database_label = text_label(self._database_text(), wrap=False, selectable=False, name="muted")
        self.statusBar().addPermanentWidget(self.database_label)
        self.menus = Menus(self)
        self.backup_timer = AutomaticBackupTimer(services, self)
        self.backup_timer.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self._restore_geometry()
        if principal is None:
            self.show_start()
        else:
            self.sign_in(principal)

    # --- who is on screen ------------------------------------------------------------------------
    @property
    def principal(self) -> Principal | None:
        """The user working now (None while signed out or locked)."""
        return self.current.principal if self.current and not self.current.locked else None

    @property
    def workspace(self) -> Workspace | None:
        return self.current.workspace if self.current else None

    def may(self, action: Action) -> bool:
        principal = self.principal
        return principal is not None and is_allowed(principal, action, self._clock())

    # --- signing in, locking, signing out ----------------------------------------------------------
    def show_start(self, message: str = "", username: str = "") -> None:
        """The first-administrator page on a new database, otherwise the sign-in page."""
        try:
            first_run = self._services.auth.needs_first_admin()
        except ClinicError as exc:
            first_run, message = False, exc.message
        if first_run:
            self.stack.setCurrentWidget(self.first_admin_page)
            self.first_admin_page.focus()
        else:
            self.sign_in_page.reset(username, message, can_go_back=False)
            self.stack.setCurrentWidget(self.sign_in_page)
            self.sign_in_page.focus()
        self._refresh_chrome()

    def _first_sign_in(self, principal: Principal) -> None:
        """The clinic's first administrator: signed in, then walked through setting the clinic up."""
        self.sign_in(principal)
        if self.workspace is not None:
            self.workspace.show_setup_guide()

    def sign_in(self, principal: Principal) -> None:
        """Show this user's workspace: the one they left if they were signed in before, else a new one."""
        if self.current is not None and not self.current.locked and self.current.principal.id != principal.id:
            self.lock()
        session = self.sessions.get(principal.id)
        if session is None:
            workspace = Workspace(self._services, principal)
            workspace.message.connect(lambda text, ms, ws=workspace: self._status_from(ws, text, ms))
            workspace.settingsSaved.connect(lambda saved, ws=workspace: self._settings_saved(ws, saved))
            workspace.restored.connect(self.sign_everyone_out)
            self.stack.addWidget(workspace)
            session = self.sessions[principal.id] = UserSession(principal, workspace)
        self._activate(session, principal)
        session.workspace.check_audit()  # administrators only: a tampered log is shown, not just in the CLI
        if self.may(Action.EMERGENCY_REVIEW):
            try:
                pending = self._services.auth.pending_emergency_reviews(principal)
            except ClinicError:
                pending = []
            if pending:
                session.workspace.show_reviews()
                self.statusBar().showMessage(f"{len(pending)} emergency access session(s) to review.", 8000)

    def lock(self, message: str = "", *, record: bool = True) -> None:
        """Hide the workspace and every other window; only the password (or a full sign-in) brings them back.
        `record=False`: the sign-in is no longer valid, so the services would refuse to record the lock."""
        session = self.current
        if session is None or session.locked:
            return
        self.idle.stop()
        session.locked = True
        session.hidden = [w for w in QApplication.topLevelWidgets() if w is not self and w.isVisible()]
        for window in session.hidden:
            window.hide()
        self.stack.setCurrentWidget(self.lock_page)
        session.workspace.hide()
        self.statusBar().clearMessage()  # it may name the patient last opened
        try:
            if record:
                self._services.auth.lock(session.principal)
        except ClinicError as exc:
            log.warning("Could not record the lock: %s", exc.message)
        if not message and sign_in_expired(session.principal, self._clock()):
            message = EXPIRED
        self.lock_page.show_for(session.principal, message)
        self._refresh_chrome()

    def sign_in_ended(self, origin: QObject | None, error: ClinicError) -> None:
        """A service call found the user's sign-in no longer valid (the 12-hour limit, a password reset, a
        disabled or locked account; ui/ops.py calls this). As at the 12-hour limit, their workspace is hidden
        and kept aside, and the sign-in page says why: only a full sign-in brings it back."""
        session = self._session_of(origin)
        if session is not self.current or session is None:
            return  # a workspace kept aside behind the lock: unlocking it will say so
        if self.stack.currentWidget() is self.sign_in_page:
            return  # already there (the lock page's unlock found it out and said so)
        log.info("%s's sign-in ended: %s", session.principal.username, error.message)
        self.lock(error.message, record=False)
        self.show_start(error.message, session.principal.username)

    def _session_of(self, origin: QObject | None) -> UserSession | None:
        """The user session whose workspace holds `origin`; the one on show for anything outside a workspace."""
        node = origin
        while node is not None:
            for session in self.sessions.values():
                if node is session.workspace:
                    return session
            node = node.parent()
        return self.current

    def sign_out(self) -> None:
        """Sign the current user out (audited) and drop their workspace."""
        session = self.current
        if session is None or session.locked or not session.workspace.confirm_leave():
            return
        try:
            self._services.auth.logout(session.principal)
        except ClinicError as exc:
            log.warning("Could not record the sign-out: %s", exc.message)
        self.idle.stop()
        self._drop(session)
        self.current = None
        self.statusBar().clearMessage()
        self.show_start()

    def sign_everyone_out(self, message: str) -> None:
        """After a restore: the accounts and records are the backup's, so every user signs in again."""
        self.idle.stop()
        for session in list(self.sessions.values()):
            self._drop(session)
        self.current = None
        self.statusBar().clearMessage()
        self.show_start(message)

    def _activate(self, session: UserSession, principal: Principal) -> None:
        self.current = session
        session.principal, session.locked = principal, False
        session.workspace.set_principal(principal)  # e.g. an emergency that ended while it was locked
        mode = self._patient_mode
        patient_page = mode[1] if mode is not None and mode[0] is session else None  # stays on after an unlock
        self.stack.setCurrentWidget(patient_page if patient_page is not None else session.workspace)
        self.menuBar().setVisible(patient_page is None)
        for window in session.hidden:
            if shiboken6.isValid(window) and not isinstance(window, (QDialog, QMenu)) \
                    and window.windowType() not in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
                window.show()  # a dialog that was open was cancelled by the lock; menus and tips are gone
        session.hidden = []
        self.idle.start(timedelta(minutes=self._idle_minutes(principal)))
        self._refresh_chrome()
        if patient_page is None:
            session.workspace.focus_start()

    def _unlocked(self, principal: Principal) -> None:
        if self.current is not None:
            self._activate(self.current, principal)

    def _switch_user(self) -> None:
        self.sign_in_page.reset(can_go_back=True)
        self.stack.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.focus()

    def _back_to_lock(self) -> None:
        if self.current is not None and self.current.locked:
            self.lock_page.show_for(self.current.principal)
            self.stack.setCurrentWidget(self.lock_page)

    # --- patient mode: a form the patient fills, with nothing else of the record on show ----------------
    def enter_patient_mode(self, page: QWidget) -> None:
        """Show `page` alone: the workspace, the menus and status messages stay hidden until exit_patient_mode()
        (whoever shows the page decides, with a staff password, when it ends)."""
        if self.current is None or self.current.locked or self._patient_mode is not None:
            return
        self._patient_mode = (self.current, page)
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.menuBar().setVisible(False)  # hidden menus take their shortcuts (Ctrl+F, ...) with them
        self.statusBar().clearMessage()  # it may name the patient or another one

    def exit_patient_mode(self) -> None:
        if self._patient_mode is None:
            return
        session, page = self._patient_mode
        self._patient_mode = None
        self.stack.removeWidget(page)
        self.menuBar().setVisible(True)
        if self.current is session and not session.locked:
            self.stack.setCurrentWidget(session.workspace)

    def _drop(self, session: UserSession) -> None:
        if self._patient_mode is not None and self._patient_mode[0] is session:
            self.exit_patient_mode()
        self.sessions.pop(session.principal.id, None)
        for window in session.hidden:
            if shiboken6.isValid(window):
                window.close()
        self.stack.removeWidget(session.workspace)
        session.workspace.hide()
        session.workspace.deleteLater()

    def _status_from(self, workspace: Workspace, text: str, milliseconds: int) -> None:
        """A workspace's message reaches the status bar only while that workspace is the one on show."""
        if self.current is not None and self.current.workspace is workspace and not self.current.locked \
                and self._patient_mode is None:
            self.statusBar().showMessage(text, milliseconds)

    def _settings_saved(self, workspace: Workspace, saved: ClinicSettings) -> None:
        """A new idle-lock time applies at once to whoever saved it (others take it when they next unlock)."""
        if self.current is not None and self.current.workspace is workspace and not self.current.locked:
            self.idle.start(timedelta(minutes=saved.idle_lock_minutes))

    def _idle_minutes(self, principal: Principal) -> int:
        try:
            return self._services.settings.current(principal).idle_lock_minutes
        except ClinicError:
            return DEFAULT_IDLE_MINUTES

    def _tick(self) -> None:
        """Every few seconds while someone works: the 12-hour limit, and the end of emergency access."""
        principal = self.principal
        if principal is None:
            return
        if sign_in_expired(principal, self._clock()):
            self.lock(EXPIRED)
        elif not self.banner.isHidden() and not principal.in_emergency(self._clock()):
            self.current.workspace.sync()
            self._refresh_chrome()
            self.statusBar().showMessage("Emergency access has ended.", 8000)

    # --- administration ---------------------------------------------------------------------------
    def start_emergency(self) -> None:
        session = self.current
        if session is None or session.locked or not self.may(Action.EMERGENCY_ACCESS):
            return
        try:
            minutes = self._services.settings.current(session.principal).emergency_access_minutes
        except ClinicError as exc:
            self.statusBar().showMessage(exc.message, 8000)
            return
        principal = EmergencyDialog.ask(
            self, lambda reason, password: self._services.auth.start_emergency(session.principal, reason, password),
            minutes)
        if principal is not None and self.current is session and not session.locked:
            self.emergency_started(principal)

    def emergency_started(self, principal: Principal) -> None:
        """The current user now has emergency access: their workspace shows what it allows, under a banner."""
        self.current.principal = principal
        self.current.workspace.set_principal(principal)
        self._refresh_chrome()

    # --- status bar, banner, menus ---------------------------------------------------------------
    def _refresh_chrome(self) -> None:
        principal, now = self.principal, self._clock()
        if principal is None:
            self.user_label.setText("Locked" if self.current is not None and self.current.locked else "Not signed in")
        else:
            roles = ", ".join(sorted(r.label for r in roles_of(principal)))
            self.user_label.setText(f"Signed in: {principal.signature_name} · {roles}")
        emergency = principal is not None and principal.in_emergency(now)
        self.banner.setVisible(emergency)
        if emergency:
            self.banner.setText(banner_text(principal.emergency_until, self._services.context.zone))
        self.menus.update(principal, now)

    def about(self) -> None:
        QMessageBox.about(self, "About Clinic Desktop",
                          f"Clinic Desktop {__version__}\n\nData folder: {self._locations.data_dir}\n"
                          f"{self._database_text()}")

    def show_log_folder(self) -> None:
        """Help > Show log folder: the folder of the log IT asks for, in the system's file manager."""
        problem = open_log_folder(self._locations.logs_dir)
        if problem:
            self.statusBar().showMessage(problem, 10000)

    def _database_text(self) -> str:
        url = self._services.context.db.engine.url
        if url.get_backend_name() == "sqlite":
            return f"Database: {url.database}"
        return f"Database: {url.render_as_string(hide_password=True)}"

    # --- remembering the layout; closing ----------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = QSettings().value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Only the signed-in user's forms can be shown and asked about; a parked user's are theirs alone.
        if self.current is not None and not self.current.locked and not self.current.workspace.confirm_leave():
            event.ignore()
            return
        settings = QSettings()
        settings.setValue("main/geometry", self.saveGeometry())
        if self.current is not None:
            self.current.workspace.save_layout(settings)
        self.idle.stop()
        self.backup_timer.timer.stop()
        # What runs in the background (a backup, a save) finishes first: the sign-outs below and the database's
        # closing after this window must not overtake it.
        ops.wait_for_all()
        for session in list(self.sessions.values()):  # everyone still signed in is signed out
            try:
                self._services.auth.logout(session.principal)
            except ClinicError as exc:
                log.warning("Could not record the sign-out: %s", exc.message)
            self._drop(session)
        self.current = None
        super().closeEvent(event)
