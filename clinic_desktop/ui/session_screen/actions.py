"""Running one service call for a panel of the session screen: its errors beside the fields (a refused password
beside the password), refusals on the panel and in the status bar, and on success a status line and the screen
brought up to date: `run` (a step, then the session read again), `run_signed` (a signed step in the background:
its password hash must not freeze the screen) and `save` (in the background, the screen updated from what the
save returned)."""

from __future__ import annotations

from typing import Callable, TypeVar

from PySide6.QtWidgets import QWidget

from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.ui import ops
from clinic_desktop.ui.form_support import ErrorMap
from clinic_desktop.ui.password_op import run_password_op
from clinic_desktop.ui.session_screen.panel import Panel
from clinic_desktop.ui.session_screen.signing import SignField
from clinic_desktop.ui.session_screen.view_updates import Saved

T = TypeVar("T")


def run(panel: Panel, errors: ErrorMap, call: Callable[[], T], done: str,
        sign: SignField | None = None) -> T | None:
    """The call's result, or None when it was refused (and the refusal is on show)."""
    errors.clear()
    if sign is not None:
        sign.set_error("")
    try:
        result = call()
    except ClinicError as exc:
        show_refusal(panel, errors, exc, sign)
    else:
        panel.message.emit(done)
        panel.changed.emit()
        return result
    return None


def run_signed(panel: Panel, errors: ErrorMap, call: Callable[[], T], done: str, sign: SignField,
               *fields: QWidget, then: Callable[[T], None] | None = None) -> None:
    """A signed save in the background, the signature field and `fields` disabled meanwhile; refusals as `run`
    shows them (what was typed stays), and on success the status line, the reload, then `then(result)`."""
    errors.clear()
    sign.set_error("")

    def saved(result: T) -> None:
        panel.message.emit(done)
        panel.changed.emit()
        if then is not None:
            then(result)

    def refused(error: ClinicError) -> None:
        show_refusal(panel, errors, error, sign)
        sign.password.setFocus()

    run_password_op(panel, call, sign.button, sign.password, *fields, success=saved, refused=refused,
                    busy="Checking the password…")


def show_refusal(panel: Panel, errors: ErrorMap, exc: ClinicError, sign: SignField | None) -> None:
    """A refusal where it belongs: beside its field, a refused password beside the password, else on the panel."""
    if isinstance(exc, ValidationErrors):
        errors.show(exc.errors)
    elif isinstance(exc, ValidationError):
        errors.show([exc])
    elif isinstance(exc, AuthenticationFailed):
        words = f"Not signed: {exc.message}"
        field = getattr(exc, "field", "")  # e.g. the waste witness's password, not the signer's
        if field in errors.labels:
            errors.show([ValidationError(words, field)])
        else:
            (sign.set_error if sign is not None else errors.message)(words)
        panel.message.emit(words)
    else:
        errors.message(exc.message)
        panel.message.emit(exc.message)


def save(panel: Panel, errors: ErrorMap, call: Callable[[], Saved], done: str, *, disable: tuple = (),
         on_saved: Callable[[Saved], None] | None = None, on_refused: Callable[[], None] | None = None) -> None:
    """A save that needs no signature, in the background with the panel as its initiator (so the screen is
    not told of it as someone else's change): errors beside the fields, refusals on the panel and in the status
    bar; on success the status line, the screen brought up to date from the save's result, then `on_saved`."""
    def succeeded(saved: Saved) -> None:
        panel.message.emit(done)
        panel.updated.emit(saved.update)
        if on_saved is not None:
            on_saved(saved)

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, ClinicError):
            ops.report_failure(panel, exc)
            return
        show_refusal(panel, errors, exc, None)
        if on_refused is not None:
            on_refused()

    errors.clear()
    ops.Op(panel, call).disable(*disable).success(succeeded).failure(failed).run()
