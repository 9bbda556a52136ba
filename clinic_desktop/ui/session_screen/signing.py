"""An inline "sign with your password" field: who is signing, what the signature means, a password box and a
button. A panel connects `submitted` to its save; a refused password comes back beside the field."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.ui.widgets import error_label, set_error, text_label


class SignField(QWidget):
    """"Sign as Dr Imani Okafor, MD: [password] [Sign order]". The password is cleared after every attempt,
    so it never lingers on a shared screen; Enter in the box signs."""

    submitted = Signal(str)  #: the password typed

    def __init__(self, button_text: str = "Sign", meaning: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = text_label("", selectable=False, name="muted")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Your password")
        self.password.setAccessibleName("Password to sign")
        self.password.setProperty("noEnterSave", True)  # Enter signs here; it must not also save a form
        chars = self.password.fontMetrics().averageCharWidth()
        self.password.setMinimumWidth(chars * 22)
        self.button = QPushButton(button_text)
        self.button.setObjectName("primary")
        self.button.setAutoDefault(False)
        self.error = error_label()
        self._meaning = meaning
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.password, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.caption)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)

    def set_signer(self, signature_name: str, meaning: str | None = None) -> None:
        """Say who signs and what the signature means: "Your password signs this: Ordered by Dr …"."""
        if meaning is not None:
            self._meaning = meaning
        signs = f"{self._meaning} {signature_name}" if self._meaning else signature_name
        self.caption.setText(f"Your password signs this as “{signs}”.")

    def set_error(self, message: str) -> None:
        set_error(self.error, message)

    def clear(self) -> None:
        self.password.clear()
        set_error(self.error, "")

    def _submit(self) -> None:
        password = self.password.text()
        self.password.clear()
        if not password:
            self.set_error("Type your password to sign.")
            self.password.setFocus()
            return
        set_error(self.error, "")
        self.submitted.emit(password)
