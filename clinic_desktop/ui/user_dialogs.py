"""The administrator's account dialogs: adding a user, and setting a new password (which lifts a lockout)."""

from __future__ import annotations

from typing import Callable, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import MIN_PASSWORD_LENGTH, check_password_rules, checked_username
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.domain.text import checked_name, checked_text
from clinic_desktop.ui.password_op import run_password_op
from clinic_desktop.ui.widgets import add_field, error_label, set_error, text_label

T = TypeVar("T")

#: (user name, full name, role, password, credentials, administration rights) -> the new account.
CreateUser = Callable[[str, str, StaffRole, str, str, bool], StaffMember]
#: (new password) -> the account whose password was set.
ResetPassword = Callable[[str], StaffMember]


def _line(accessible: str, password: bool = False, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(placeholder)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _buttons(dialog: QDialog, accept_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    button = buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
    button.setDefault(True)
    buttons.accepted.connect(dialog.submit)
    buttons.rejected.connect(dialog.reject)
    dialog.buttons, dialog.accept_button = buttons, button
    return buttons


class _FormDialog(QDialog):
    """Fields with their error labels keyed by the names services use in ValidationError.field."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.error = error_label("formError")
        self.buttons: QDialogButtonBox | None = None
        self.accept_button: QPushButton | None = None

    def reject(self) -> None:
        """Not while the account is being saved (disabled buttons): it would be saved behind a closed dialog."""
        if self.buttons is None or self.buttons.isEnabled():
            super().reject()

    def fit(self) -> None:
        """Tall enough for every wrapped line at the current width (a dialog does not ask its wrapped labels
        for height-for-width by itself), e.g. after error lines appeared."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit()

    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), self.error):
            set_error(label, "")

    def _show(self, errors: list[ValidationError]) -> None:
        """Each message beside its field (or under the form when it has none); the first field gets the cursor."""
        first = None
        for e in errors:
            set_error(self.errors.get(e.field, self.error), e.message)
            first = first or self.fields.get(e.field)
        if isinstance(first, QLineEdit):
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            first.selectAll()
        self.fit()

    def _attempt(self, action: Callable[[], T], then: Callable[[T], None]) -> None:
        """Run the service call in the background (it hashes a password); `then(result)` on success. Its
        refusals land beside the fields or under the form, never as a traceback; what was typed stays."""
        run_password_op(self, action, self.accept_button, self.buttons, *self.fields.values(), success=then,
                        refused=self._refused, busy="Saving…")

    def _refused(self, exc: ClinicError) -> None:
        if isinstance(exc, ValidationErrors):
            self._show(exc.errors)
        elif isinstance(exc, ValidationError):
            self._show([exc])
        else:
            set_error(self.error, exc.message)
            self.fit()


class AddUserDialog(_FormDialog):
    """A new account: the same rules as the service are checked here first, so every problem shows at once."""

    def __init__(self, create: CreateUser, parent: QWidget | None = None) -> None:
        super().__init__("Add user", parent)
        self._create = create
        self.created: StaffMember | None = None
        self.full_name = _line("Full name")
        self.username = _line("User name", placeholder="e.g. dwhitlock")
        self.credentials = _line("Credentials", placeholder="Optional, e.g. MD or RN")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        for role in (StaffRole.NURSE, StaffRole.PHYSICIAN, StaffRole.FRONT_DESK, StaffRole.ADMINISTRATOR):
            self.role.addItem(role.label, role)
        self.is_admin = QCheckBox("&Administration rights (users, clinic settings, audit log)")
        self.password = _line("Password", password=True, placeholder=f"At least {MIN_PASSWORD_LENGTH} characters")
        self.confirm = _line("Confirm password", password=True)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        cells = (("full_name", "&Full name (as printed on signatures)", self.full_name),
                 ("credentials", "&Credentials", self.credentials),
                 ("username", "&User name (for signing in)", self.username),
                 ("role", "&Role in the clinic", self.role),
                 ("password", "&Password", self.password),
                 ("confirm", "C&onfirm password", self.confirm))
        for i, (name, caption, field) in enumerate(cells):
            cell = QVBoxLayout()
            self.errors[name] = add_field(cell, caption, field)
            self.fields[name] = field
            grid.addLayout(cell, i // 2, i % 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.is_admin)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "Add user"))
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 100)

        self.role.currentIndexChanged.connect(self._role_changed)
        for edit in (self.full_name, self.username, self.credentials, self.password, self.confirm):
            edit.returnPressed.connect(self.submit)

    @classmethod
    def ask(cls, parent: QWidget, create: CreateUser) -> StaffMember | None:
        """The new account, or None if cancelled."""
        dialog = cls(create, parent)
        try:
            return dialog.created if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def chosen_role(self) -> StaffRole:
        return StaffRole(self.role.currentData())  # item data comes back as a plain str

    def _role_changed(self) -> None:
        """An administrator always has administration rights: the box says so and cannot be unticked."""
        administrator = self.chosen_role() is StaffRole.ADMINISTRATOR
        if administrator:
            self.is_admin.setChecked(True)
        self.is_admin.setEnabled(not administrator)

    def submit(self) -> None:
        self._clear_errors()
        errors = self._check()
        if errors:
            self._show(errors)
            return
        values = (self.username.text(), self.full_name.text(), self.chosen_role(), self.password.text(),
                  self.credentials.text(), self.is_admin.isChecked())
        self._attempt(lambda: self._create(*values), self._created)

    def _created(self, member: StaffMember) -> None:
        self.created = member
        self.password.clear()
        self.confirm.clear()
        self.accept()

    def _check(self) -> list[ValidationError]:
        """Every field's problem at once, by the domain rules the service applies again when saving."""
        errors = []
        username, full_name = self.username.text(), self.full_name.text()
        for rule in (lambda: checked_name(full_name, "full_name", "Full name", required=True),
                     lambda: checked_text(self.credentials.text(), "credentials", "Credentials", max_length=40),
                     lambda: checked_username(username),
                     lambda: check_password_rules(self.password.text(), username.strip().casefold(), full_name)):
            try:
                rule()
            except ValidationError as exc:
                errors.append(exc)
        if self.password.text() != self.confirm.text():
            errors.append(ValidationError("The two passwords are not the same.", "confirm"))
        return errors


class ResetPasswordDialog(_FormDialog):
    """A new password for someone else's account, typed twice; it also lifts a lockout."""

    def __init__(self, member: StaffMember, reset: ResetPassword, parent: QWidget | None = None) -> None:
        super().__init__("Reset password", parent)
        self._member = member
        self._reset = reset
        self.done_for: StaffMember | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(text_label(
            f"A new password for {member.signature_name} ({member.username}). It also lifts a lockout after "
            "failed sign-ins. Tell them the new password in person.", selectable=False))
        self.password = _line("New password", password=True, placeholder=f"At least {MIN_PASSWORD_LENGTH} characters")
        self.confirm = _line("Confirm new password", password=True)
        self.fields = {"password": self.password, "confirm": self.confirm}
        self.errors = {"password": add_field(layout, "&New password", self.password),
                       "confirm": add_field(layout, "C&onfirm new password", self.confirm)}
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "Set new password"))
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        for edit in (self.password, self.confirm):
            edit.returnPressed.connect(self.submit)

    @classmethod
    def ask(cls, parent: QWidget, member: StaffMember, reset: ResetPassword) -> StaffMember | None:
        """The account with its new password, or None if cancelled."""
        dialog = cls(member, reset, parent)
        try:
            return dialog.done_for if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def submit(self) -> None:
        self._clear_errors()
        errors = []
        try:
            check_password_rules(self.password.text(), self._member.username, self._member.full_name)
        except ValidationError as exc:
            errors.append(exc)
        if self.password.text() != self.confirm.text():
            errors.append(ValidationError("The two passwords are not the same.", "confirm"))
        if errors:
            self._show(errors)
            return
        password = self.password.text()
        self._attempt(lambda: self._reset(password), self._done)

    def _done(self, member: StaffMember) -> None:
        self.done_for = member
        self.password.clear()
        self.confirm.clear()
        self.accept()
