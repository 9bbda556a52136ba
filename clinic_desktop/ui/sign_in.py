"""The first pages anyone sees: signing in, and on a brand-new database, setting up the first administrator."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.domain.access import MIN_PASSWORD_LENGTH, Principal, check_password_rules, checked_username
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.ui.password_op import run_password_op
from clinic_desktop.ui.shortcuts import SIGN_IN_BACK
from clinic_desktop.ui.widgets import add_field, card_page, error_label, link_button, set_error, text_label

#: (user name, password) -> the signed-in Principal, or AuthenticationFailed.
Login = Callable[[str, str], Principal]
#: (user name, full name, password, credentials) -> the new administrator, signed in.
CreateFirstAdmin = Callable[[str, str, str, str, StaffRole], Principal]
#: What the first administrator also does in the clinic: a small clinic's owner is often its physician.
FIRST_ADMIN_ROLES = (("Administration only", StaffRole.ADMINISTRATOR),
                     ("Physician and administrator", StaffRole.PHYSICIAN),
                     ("Nurse and administrator", StaffRole.NURSE),
                     ("Front desk and administrator", StaffRole.FRONT_DESK))


def _line(accessible: str, password: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(accessible)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _primary(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("primary")
    button.setDefault(True)
    return button


class SignInPage(QWidget):
    """User name and password. Emits `signedIn(Principal)`; a refusal is shown under the form and the password
    is cleared. `back` returns to a locked screen when this page was opened from it (Esc does the same)."""

    signedIn = Signal(object)
    back = Signal()

    def __init__(self, login: Login, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._login = login
        form = QVBoxLayout()
        form.addWidget(text_label("Clinic Desktop", selectable=False, name="pageTitle"))
        self.intro = text_label("Sign in with your user name and password.", selectable=False, name="muted")
        form.addWidget(self.intro)
        self.username = _line("User name")
        add_field(form, "&User name", self.username)
        self.password = _line("Password", password=True)
        add_field(form, "&Password", self.password)
        self.error = error_label("formError")
        form.addWidget(self.error)
        form.addSpacing(8)
        self.sign_in_button = _primary("Sign in")
        form.addWidget(self.sign_in_button)
        self.back_button = link_button("Back to the locked screen")
        self.back_button.setVisible(False)
        form.addWidget(self.back_button)
        card_page(self, form)

        self.sign_in_button.clicked.connect(self.submit)
        self.username.returnPressed.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.back_button.clicked.connect(self.back)

    def reset(self, username: str = "", message: str = "", can_go_back: bool = False) -> None:
        """Ready for the next person: the name (if known), empty password, and why they are here."""
        self.username.setText(username)
        self.password.clear()
        set_error(self.error, message)
        self.back_button.setVisible(can_go_back)
        self.focus()

    def focus(self) -> None:
        (self.password if self.username.text() else self.username).setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if not self.username.text().strip():
            set_error(self.error, "Type your user name.")
            self.username.setFocus()
            return
        username, password = self.username.text(), self.password.text()
        set_error(self.error, "")
        run_password_op(self, lambda: self._login(username, password), self.sign_in_button, self.username,
                        self.password, self.back_button, success=self._signed_in, refused=self._refused)

    def _signed_in(self, principal: Principal) -> None:
        self.password.clear()
        self.signedIn.emit(principal)

    def _refused(self, error: ClinicError) -> None:
        set_error(self.error, error.message)
        self.password.clear()
        self.password.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if SIGN_IN_BACK.matches(event) and self.back_button.isVisible():
            self.back.emit()
            return
        super().keyPressEvent(event)


class FirstAdminPage(QWidget):
    """A new clinic's first account, an administrator who then adds everyone else. Emits `signedIn(Principal)`."""

    signedIn = Signal(object)

    def __init__(self, create: CreateFirstAdmin, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._create = create
        form = QVBoxLayout()
        form.addWidget(text_label("Set up the first administrator", selectable=False, name="pageTitle"))
        form.addWidget(text_label(
            "This database has no user accounts yet. The first account is the clinic's administrator: it adds "
            "the other users, manages settings and reviews the audit log.", selectable=False, name="muted"))
        self.full_name = _line("Full name")
        self.username = _line("User name")
        self.credentials = _line("Credentials")
        self.credentials.setPlaceholderText("Optional, e.g. MD or RN")
        self.password = _line("Password", password=True)
        self.password.setPlaceholderText(f"At least {MIN_PASSWORD_LENGTH} characters")
        self.confirm = _line("Confirm password", password=True)
        #: Error label of each field, keyed by the field names the services use in ValidationError.field.
        self.errors: dict[str, QLabel] = {
            "full_name": add_field(form, "&Full name (as printed on signatures)", self.full_name),
            "username": add_field(form, "&User name (for signing in)", self.username),
            "credentials": add_field(form, "&Credentials", self.credentials),
            "password": add_field(form, "&Password", self.password),
            "confirm": add_field(form, "C&onfirm password", self.confirm),
        }
        self.role = QComboBox()
        for label, role in FIRST_ADMIN_ROLES:
            self.role.addItem(label, role)
        add_field(form, "&Works in the clinic as", self.role)
        self.error = error_label("formError")
        form.addWidget(self.error)
        form.addSpacing(8)
        self.create_button = _primary("Create administrator and sign in")
        form.addWidget(self.create_button)
        card_page(self, form, width_chars=52)

        self.create_button.clicked.connect(self.submit)
        for edit in (self.full_name, self.username, self.credentials, self.password, self.confirm):
            edit.returnPressed.connect(self.submit)

    def focus(self) -> None:
        self.full_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        for label in (*self.errors.values(), self.error):
            set_error(label, "")
        errors = self._check()
        if errors:
            self._show(errors)
            return
        values = (self.username.text(), self.full_name.text(), self.password.text(), self.credentials.text(),
                  self.role.currentData())
        run_password_op(self, lambda: self._create(*values), self.create_button, self.full_name, self.username,
                        self.credentials, self.password, self.confirm, self.role, success=self._created,
                        refused=self._refused, busy="Creating the account…")

    def _created(self, principal: Principal) -> None:
        self.password.clear()
        self.confirm.clear()
        self.signedIn.emit(principal)

    def _refused(self, error: ClinicError) -> None:
        if isinstance(error, ValidationErrors):
            self._show(error.errors)
        elif isinstance(error, ValidationError):
            self._show([error])
        else:
            set_error(self.error, error.message)

    def _check(self) -> list[ValidationError]:
        """Every field's problem at once, by the same domain rules the service applies again when saving."""
        errors = []
        if not self.full_name.text().strip():
            errors.append(ValidationError("Type the administrator's full name.", "full_name"))
        try:
            username = checked_username(self.username.text())
        except ValidationError as exc:
            errors.append(exc)
            username = self.username.text()
        try:
            check_password_rules(self.password.text(), username, self.full_name.text())
        except ValidationError as exc:
            errors.append(exc)
        if self.password.text() != self.confirm.text():
            errors.append(ValidationError("The two passwords are not the same.", "confirm"))
        return errors

    def _show(self, errors: list[ValidationError]) -> None:
        """Each message beside its field; the first such field gets the cursor."""
        first = None
        for e in errors:
            label = self.errors.get(e.field, self.error)
            set_error(label, e.message)
            first = first or {"full_name": self.full_name, "username": self.username, "password": self.password,
                              "credentials": self.credentials, "confirm": self.confirm}.get(e.field)
        if first is not None:
            first.setFocus()
            first.selectAll()
