"""The staff bar under a patient's form: Finish or Cancel, then a staff member's user name (optional) and
password. A wrong password is said beside the field and the form stays where it is."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.ui.password_op import run_password_op
from clinic_desktop.ui.shortcuts import STAFF_STRIP_CLOSE
from clinic_desktop.ui.widgets import error_label, set_error, text_label


class StaffExit(QFrame):
    """`requested(what)` when Finish ("finish") or Cancel ("cancel") is pressed; the owner calls `open(what)` to
    ask for the password, and hears `passed(what)` once `verify(username, password)` has accepted it."""

    requested = Signal(str)
    passed = Signal(str)

    def __init__(self, verify: Callable[[str, str], None], signed_in_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._verify = verify
        self._what = ""
        self.setObjectName("staffBar")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 8, 32, 8)
        row = QHBoxLayout()
        layout.addLayout(row)
        row.addWidget(text_label("For staff:", selectable=False, name="muted"))
        self.finish_button = QPushButton("Finish and save…")
        self.cancel_button = QPushButton("Cancel form…")
        for button in (self.finish_button, self.cancel_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        row.addStretch(1)
        self.strip = QWidget(self)
        layout.addWidget(self.strip)
        strip = QHBoxLayout(self.strip)
        strip.setContentsMargins(0, 0, 0, 0)
        self.prompt = text_label("", wrap=False, selectable=False)
        self.username = QLineEdit()
        self.username.setPlaceholderText("User name (optional)")
        self.username.setAccessibleName("Staff user name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Staff password")
        self.password.setAccessibleName("Staff password")
        self.confirm_button = QPushButton("Confirm")
        self.confirm_button.setObjectName("primary")
        self.back_button = QPushButton("Back to the form")
        for widget in (self.prompt, self.username, self.password, self.confirm_button, self.back_button):
            strip.addWidget(widget)
        strip.setStretch(1, 2)
        strip.setStretch(2, 2)
        self.hint = text_label(f"With the user name left empty, the password is {signed_in_name}'s; a nurse or "
                               "physician may enter their own user name and password.", selectable=False, name="muted")
        layout.addWidget(self.hint)
        self.error = error_label("formError")
        layout.addWidget(self.error)
        self.close_strip()

        self.finish_button.clicked.connect(lambda: self.requested.emit("finish"))
        self.cancel_button.clicked.connect(lambda: self.requested.emit("cancel"))
        self.confirm_button.clicked.connect(self.confirm)
        self.password.returnPressed.connect(self.confirm)
        self.username.returnPressed.connect(self.password.setFocus)
        self.back_button.clicked.connect(self.close_strip)
        STAFF_STRIP_CLOSE.make(self.strip, self.close_strip, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def open(self, what: str) -> None:
        self._what = what
        self.prompt.setText("Save the answers:" if what == "finish" else "Discard the answers:")
        set_error(self.error, "")
        self.password.clear()
        self.strip.setVisible(True)
        self.hint.setVisible(True)
        self.password.setFocus()

    def close_strip(self) -> None:
        self._what = ""
        self.password.clear()
        self.strip.setVisible(False)
        self.hint.setVisible(False)
        set_error(self.error, "")

    def show_error(self, message: str) -> None:
        set_error(self.error, message)

    def confirm(self) -> None:
        """Check the password (it is cleared either way, never left on a shared screen)."""
        if not self._what:
            return
        password, what, username = self.password.text(), self._what, self.username.text().strip()
        self.password.clear()
        set_error(self.error, "")
        run_password_op(self, lambda: self._verify(username, password), self.confirm_button, self.username,
                        self.password, self.back_button, success=lambda _none: self.passed.emit(what),
                        refused=self._refused)

    def _refused(self, error: ClinicError) -> None:
        set_error(self.error, error.message)
        self.password.setFocus()
