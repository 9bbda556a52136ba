"""User accounts for administrators: the list, adding a user, disabling or enabling one, resetting a password."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.services.auth import UserAccount
from clinic_desktop.services.registry import Services
from clinic_desktop.ui.record_table import record_table, show_selected
from clinic_desktop.ui.user_dialogs import AddUserDialog, ResetPasswordDialog
from clinic_desktop.ui.users_model import UsersTableModel
from clinic_desktop.ui.widgets import error_label, set_error, text_label


def _describe(member: StaffMember) -> str:
    """"Dana Whitlock, RN (whitlock)": how a status message names an account."""
    return f"{member.signature_name} ({member.username})"


class UsersPage(QWidget):
    """The accounts table with Add / Disable or Enable / Reset password. Refusals show on the page; what was done
    goes to the status bar through `message(text, milliseconds)`."""

    message = Signal(str, int)

    def __init__(self, services: Services, actor: Callable[[], Principal], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self.model = UsersTableModel(services.context.zone, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(UsersTableModel.SortRole)
        self.table = self._table()
        self.add_button = QPushButton("&Add user...")
        self.toggle_button = QPushButton("&Disable account")
        self.reset_button = QPushButton("&Reset password...")
        self.error = error_label("formError")
        self.hint = text_label("", selectable=False, name="muted")
        self._lay_out()

        self.add_button.clicked.connect(lambda: self.add_user())
        self.toggle_button.clicked.connect(lambda: self.toggle_active())
        self.reset_button.clicked.connect(lambda: self.reset_password())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.reset_password())
        self.refresh()

    # --- building ----------------------------------------------------------------------------------
    def _table(self) -> QTableView:
        table = record_table(self.proxy, "User accounts", UsersTableModel.STATUS)
        table.setSortingEnabled(True)
        table.sortByColumn(UsersTableModel.NAME, Qt.SortOrder.AscendingOrder)
        return table

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addSpacing(16)
        buttons.addWidget(self.toggle_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(text_label("Users", selectable=False, name="pageTitle"))
        layout.addWidget(text_label(
            "Everyone on the staff list. A disabled account cannot sign in but keeps its name on what it signed. "
            "Setting a new password also lifts a lockout after failed sign-ins.", selectable=False, name="muted"))
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)

    # --- loading and selection -------------------------------------------------------------------------
    def refresh(self, username: str | None = None) -> None:
        """Reload the accounts, keeping the selected one selected (or selecting `username`)."""
        current = self.selected()
        keep = username or (current.member.username if current else None)
        refused = ""
        try:
            accounts = self._services.auth.list_users(self._actor())
        except ClinicError as exc:
            refused, accounts = exc.message, []
        self.model.set_accounts(accounts, self._services.context.now())
        row = self.model.row_of(keep) if keep else -1
        if row >= 0:
            show_selected(self.table, self.proxy.mapFromSource(self.model.index(row, 0)))
        self._selection_changed()
        if refused:
            set_error(self.error, refused)

    def selected(self) -> UserAccount | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.model.account_at(self.proxy.mapToSource(rows[0]).row())

    def select(self, username: str) -> bool:
        """Select the account with this user name (as a click on its row would); False if it is not listed."""
        row = self.model.row_of(username)
        if row < 0:
            return False
        self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        return True

    def _selection_changed(self) -> None:
        """Buttons for the chosen account; a refusal about the previous choice no longer applies."""
        set_error(self.error, "")
        account = self.selected()
        can_act = account is not None and bool(account.member.username)
        self.toggle_button.setEnabled(can_act)
        self.reset_button.setEnabled(can_act)
        self.toggle_button.setText("&Enable account" if account is not None and not account.member.active
                                   else "&Disable account")
        if account is None:
            self.hint.setText("Choose an account to disable, enable or give a new password.")
        elif not account.member.username:
            self.hint.setText(f"{account.member.signature_name} is on record for signatures but has no sign-in.")
        else:
            self.hint.setText(f"Selected: {_describe(account.member)}")

    # --- actions -----------------------------------------------------------------------------------
    def add_user(self) -> StaffMember | None:
        """Ask for the new account in a dialog; on success select it and say so."""
        def create(username: str, full_name: str, role: StaffRole, password: str, credentials: str,
                   is_admin: bool) -> StaffMember:
            return self._services.auth.add_user(self._actor(), username, full_name, role, password, credentials,
                                                is_admin)
        member = AddUserDialog.ask(self, create)
        if member is not None:
            self._done(f"Added {_describe(member)} as {member.role.label.lower()}"
                       f"{' with administration rights' if member.is_admin else ''}.", member.username)
        return member

    def toggle_active(self) -> bool:
        """Disable the selected account if it is active, enable it if not; True when it was done."""
        account = self.selected()
        if account is None or not account.member.username:
            return False
        active = not account.member.active
        try:
            member = self._services.auth.set_active(self._actor(), account.member.username, active)
        except ClinicError as exc:
            self._refused(exc)
            return False
        verb = "Enabled" if active else "Disabled"
        self._done(f"{verb} the account of {_describe(member)}.", member.username)
        return True

    def reset_password(self) -> StaffMember | None:
        """Ask for a new password (twice) for the selected account."""
        account = self.selected()
        if account is None or not account.member.username:
            return None
        username = account.member.username

        def reset(password: str) -> StaffMember:
            return self._services.auth.reset_password(self._actor(), username, password)
        member = ResetPasswordDialog.ask(self, account.member, reset)
        if member is not None:
            self._done(f"Set a new password for {_describe(member)}; any lockout is lifted.", member.username)
        return member

    def _done(self, text: str, username: str) -> None:
        self.refresh(username)
        self.message.emit(text, 8000)

    def _refused(self, exc: ClinicError) -> None:
        self.refresh()  # first: what changed meanwhile (e.g. someone else disabled the account) shows too
        if not self.error.text():
            set_error(self.error, exc.message)
        self.message.emit(exc.message, 8000)
