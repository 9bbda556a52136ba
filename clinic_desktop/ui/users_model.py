"""User accounts as a table model: user name, name, role, administration rights, and whether they can sign in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from clinic_desktop.services.auth import UserAccount
from clinic_desktop.ui import formatting
from clinic_desktop.ui.record_table import RecordTableModel

#: Shown instead of a user name for staff who are on record (for signatures) but have no sign-in.
NO_SIGN_IN = "—"
#: Disabled accounts are greyed (their status column says "Disabled" too).
MUTED_TEXT = QColor("#5f6368")


def status_text(account: UserAccount, now: datetime, zone: ZoneInfo) -> str:
    """"Active", "Disabled", "Active · locked until 09:15", or "No sign-in" (a staff record without an account)."""
    if not account.member.username:
        return "No sign-in"
    text = "Active" if account.member.active else "Disabled"
    if account.member.active and account.locked_until is not None and now < account.locked_until:
        text += f" · locked until {formatting.local_time(account.locked_until, zone, with_day=False)}"
    elif account.member.active and not account.has_password:
        text += " · no password set"
    return text


class UsersTableModel(RecordTableModel[UserAccount]):
    """Every account, as the administrator's list shows them; sort through a proxy on `SortRole`."""

    USERNAME, NAME, ROLE, ADMIN, STATUS = range(5)
    HEADERS = ("User name", "Name and credentials", "Role", "Administrator", "Status")
    #: Raw, comparable values for sorting (case-folded text, booleans).
    SortRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._now: datetime | None = None

    def set_accounts(self, accounts: Sequence[UserAccount], now: datetime) -> None:
        """Replace the list (after every change: a lockout may also have ended since)."""
        self._now = now
        self.set_rows(accounts)

    def account_at(self, row: int) -> UserAccount:
        return self.record_at(row)

    def row_of(self, username: str) -> int:
        """The row of the account with this user name, or -1."""
        return next((i for i, a in enumerate(self._rows) if a.member.username == username), -1)

    def role_data(self, account: UserAccount, column: int, role: int) -> Any:
        if role == self.SortRole:
            return self._sort_key(account, column)
        if role == Qt.ItemDataRole.ForegroundRole and not account.member.active:
            return MUTED_TEXT  # the words "Disabled" say it too: colour is never the only sign
        return None

    def text(self, account: UserAccount, column: int) -> str:
        member = account.member
        if column == self.USERNAME:
            return member.username or NO_SIGN_IN
        if column == self.NAME:
            return member.signature_name
        if column == self.ROLE:
            return member.role.label
        if column == self.ADMIN:
            return "Yes" if member.is_admin else "No"
        return status_text(account, self._now or datetime.now().astimezone(), self._zone)

    def _sort_key(self, account: UserAccount, column: int) -> Any:
        if column == self.ADMIN:
            return int(account.member.is_admin)
        return self.text(account, column).casefold()
