"""The main window's menus, and which of them the signed-in user sees (the services enforce; menus reflect)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from clinic_desktop.domain.access import Action, Principal, is_allowed
from clinic_desktop.ui import shortcuts
from clinic_desktop.ui.shortcuts import Shortcut

if TYPE_CHECKING:
    from clinic_desktop.ui.main_window import MainWindow


def _show_shortcuts(window: MainWindow) -> None:
    from clinic_desktop.ui.shortcuts_dialog import ShortcutsDialog  # loaded when asked for, not at start-up

    ShortcutsDialog.show_for(window)


class Menus:
    """File, Patients, Administration, Help. `update` shows only what the user may use."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        bar = window.menuBar()
        self.file = bar.addMenu("&File")
        self.lock = self._add(self.file, "&Lock screen", window.lock, shortcuts.LOCK)
        self.sign_out = self._add(self.file, "Sign &out", window.sign_out)
        self.file.addSeparator()
        self.quit = self._add(self.file, "&Quit", window.close, shortcuts.QUIT)

        self.view = bar.addMenu("&View")
        self.board = self._add(self.view, "&Today's board", lambda: self._workspace("show_board"), shortcuts.BOARD)

        self.patients = bar.addMenu("&Patients")
        self.new_patient = self._add(self.patients, "&New patient...", lambda: self._workspace("new_patient"),
                                     shortcuts.NEW_PATIENT)
        self.find = self._add(self.patients, "&Find patient", lambda: self._workspace("focus_search"),
                              shortcuts.FIND_PATIENT)
        self.refresh = self._add(self.patients, "&Refresh list", lambda: self._workspace("refresh_patients"),
                                 shortcuts.REFRESH)

        self.admin = bar.addMenu("&Administration")
        self.users = self._add(self.admin, "&Users...", lambda: self._workspace("show_users"))
        self.clinic = self._add(self.admin, "&Clinic...", lambda: self._workspace("show_clinic"))
        self.chairs = self._add(self.admin, "C&hairs...", lambda: self._workspace("show_chairs"))
        self.settings = self._add(self.admin, "Clinic &settings...", lambda: self._workspace("show_settings"))
        self.sheet_texts = self._add(self.admin, "Sheet &texts...", lambda: self._workspace("show_sheet_texts"))
        self.audit = self._add(self.admin, "&Audit log...", lambda: self._workspace("show_audit"))
        self.backups = self._add(self.admin, "&Backup and restore...", lambda: self._workspace("show_backups"))
        self.emergency = self._add(self.admin, "&Emergency access...", window.start_emergency)
        self.review = self._add(self.admin, "&Review emergency access...", lambda: self._workspace("show_reviews"))

        self.help = bar.addMenu("&Help")
        self.keyboard = self._add(self.help, "&Keyboard shortcuts", lambda: _show_shortcuts(window))
        self.log_folder = self._add(self.help, "Show &log folder", window.show_log_folder)
        self.help.addSeparator()
        self.about = self._add(self.help, "&About Clinic Desktop", window.about)

    def _add(self, menu: QMenu, text: str, slot: Callable[[], object],
             shortcut: Shortcut | None = None) -> QAction:
        action = QAction(text, self._window)
        if shortcut is not None:
            shortcut.on(action)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _workspace(self, method: str) -> None:
        if self._window.principal is not None:
            getattr(self._window.workspace, method)()

    def update(self, principal: Principal | None, now: datetime) -> None:
        """Hide what this user may not use (and disable it, so no shortcut reaches it either)."""
        def may(action: Action) -> bool:
            return principal is not None and is_allowed(principal, action, now)

        in_emergency = principal is not None and principal.in_emergency(now)
        self._show(self.lock, principal is not None)
        self._show(self.sign_out, principal is not None)
        self._show(self.find, may(Action.PATIENT_VIEW))
        self._show(self.new_patient, may(Action.PATIENT_REGISTER))
        self._show(self.board, may(Action.PATIENT_VIEW))
        self.view.menuAction().setVisible(self.board.isVisible())
        self._show(self.refresh, may(Action.PATIENT_VIEW))
        self._show(self.users, may(Action.USER_MANAGE))
        self._show(self.clinic, may(Action.SETTINGS_VIEW))
        self._show(self.chairs, may(Action.CHAIR_MANAGE))
        self._show(self.settings, may(Action.SETTINGS_VIEW))  # everyone reads; the page decides who edits
        self._show(self.sheet_texts, may(Action.SHEET_TEXT_MANAGE))
        self._show(self.audit, may(Action.AUDIT_VIEW))
        self._show(self.backups, may(Action.BACKUP_MANAGE))
        self._show(self.emergency, may(Action.EMERGENCY_ACCESS))
        self.emergency.setEnabled(may(Action.EMERGENCY_ACCESS) and not in_emergency)
        self.emergency.setText("&Emergency access (active)" if in_emergency else "&Emergency access...")
        self._show(self.review, may(Action.EMERGENCY_REVIEW))
        self.patients.menuAction().setVisible(may(Action.PATIENT_VIEW))
        self.admin.menuAction().setVisible(any(a.isVisible() for a in self.admin.actions()))

    @staticmethod
    def _show(action: QAction, allowed: bool) -> None:
        action.setVisible(allowed)
        action.setEnabled(allowed)

    def visible_titles(self) -> list[str]:
        """The menu titles on show, without the & of their mnemonics (for tests and accessibility checks)."""
        return [a.text().replace("&", "") for a in self._window.menuBar().actions() if a.isVisible()]
