"""A service call that checks a password (sign-in, unlock, a signature), run as a background operation.

The hash takes a few tenths of a second by design, so it never runs on the GUI thread. While it runs, the
button that started it says so ("Checking the password…") and it and the form's fields are disabled (nothing
typed can change under the call, and it cannot be started twice); then the button's words come back."""

from __future__ import annotations

from typing import Callable, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QAbstractButton, QWidget
from shiboken6 import Shiboken

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.ui import ops

T = TypeVar("T")

#: What the button says while the password is checked.
CHECKING = "Checking the password…"


def run_password_op(parent: QObject, call: Callable[[], T], button: QAbstractButton, *fields: QWidget,
                    success: Callable[[T], None], refused: Callable[[ClinicError], None],
                    initiator: object | None = None, busy: str = CHECKING) -> None:
    """Run `call` in the background; `success(result)` or `refused(error)` on the GUI thread. Anything other
    than a refusal (a ClinicError) gets the application's one "Something went wrong" handling."""
    words = button.text()
    button.setText(busy)

    def restore() -> None:
        if Shiboken.isValid(button):
            button.setText(words)

    def failed(error: BaseException) -> None:
        restore()
        if isinstance(error, ClinicError):
            refused(error)
        else:
            ops.report_failure(parent if isinstance(parent, QWidget) else None, error)

    def done(result: T) -> None:
        restore()
        success(result)

    ops.Op(parent, call, initiator=initiator).disable(button, *fields).success(done).failure(failed).run()
