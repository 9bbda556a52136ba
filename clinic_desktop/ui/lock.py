"""The lock screen: whose session is locked, their password to go on, or someone else signs in."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Principal, roles_of
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.auth import SignInRequired
from clinic_desktop.ui.password_op import run_password_op
from clinic_desktop.ui.widgets import add_field, card_page, error_label, link_button, set_error, text_label

#: (principal, password) -> the principal again; AuthenticationFailed or SignInRequired otherwise.
Unlock = Callable[[Principal, str], Principal]


class LockPage(QWidget):
    """Shows nothing of the work behind it: only the name of the person whose session is locked.

    Emits `unlocked(Principal)`, `signInRequired(username, message)` (the 12-hour limit: only a full sign-in
    will do) and `switchUser()` for "Sign in as someone else"."""

    unlocked = Signal(object)
    signInRequired = Signal(str, str)
    switchUser = Signal()

    def __init__(self, unlock: Unlock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._unlock = unlock
        self.principal: Principal | None = None
        form = QVBoxLayout()
        self.title = text_label("", selectable=False, name="pageTitle")
        form.addWidget(self.title)
        self.subtitle = text_label("", selectable=False, name="muted")
        form.addWidget(self.subtitle)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        add_field(form, "&Password", self.password)
        self.error = error_label("formError")
        form.addWidget(self.error)
        form.addSpacing(8)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("primary")
        self.unlock_button.setDefault(True)
        form.addWidget(self.unlock_button)
        form.addSpacing(4)
        self.switch_button = link_button("Sign in as someone else")
        form.addWidget(self.switch_button)
        card_page(self, form)

        self.unlock_button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.switch_button.clicked.connect(self.switchUser)

    def show_for(self, principal: Principal, message: str = "") -> None:
        self.principal = principal
        self.title.setText(f"Locked — {principal.full_name}")
        roles = ", ".join(sorted(r.label for r in roles_of(principal)))
        self.subtitle.setText(f"{roles}. Type your password to continue where you left off.")
        self.password.clear()
        set_error(self.error, message)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self.principal is None:
            return
        principal, password = self.principal, self.password.text()
        self.password.clear()
        set_error(self.error, "")
        run_password_op(self, lambda: self._unlock(principal, password), self.unlock_button, self.password,
                        self.switch_button, success=self.unlocked.emit,
                        refused=lambda error: self._refused(principal, error))

    def _refused(self, principal: Principal, error: ClinicError) -> None:
        if isinstance(error, SignInRequired):
            self.signInRequired.emit(principal.username, error.message)
            return
        set_error(self.error, error.message)
        self.password.setFocus()
