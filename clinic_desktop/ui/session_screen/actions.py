"""Running one service call for a panel of the session screen: its errors beside the fields (a refused password
beside the password), refusals on the panel and in the status bar, and on success a status line and the screen
brought up to date (`run`: a signed step, then the session read again; `save`: in the background, the screen
updated from what the save returned)."""

from __future__ import annotations

from typing import Callable, TypeVar

from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.ui import ops
from clinic_desktop.ui.form_support import ErrorMap
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
    except ValidationErrors as exc:
        errors.show(exc.errors)
    except ValidationError as exc:
        errors.show([exc])
    except AuthenticationFailed as exc:
        words = f"Not signed: {exc.message}"
        field = getattr(exc, "field", "")  # e.g. the waste witness's password, not the signer's
        if field in errors.labels:
            errors.show([ValidationError(words, field)])
        else:
            (sign.set_error if sign is not None else errors.message)(words)
        panel.message.emit(words)
    except ClinicError as exc:
        errors.message(exc.message)
        panel.message.emit(exc.message)
    else:
        panel.message.emit(done)
        panel.changed.emit()
        return result
    return None


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
        show_refusal(panel, errors, exc)
        if on_refused is not None:
            on_refused()

    errors.clear()
    ops.Op(panel, call).disable(*disable).success(succeeded).failure(failed).run()


def show_refusal(panel: Panel, errors: ErrorMap, exc: ClinicError) -> None:
    """A refused save: field errors beside their fields, anything else on the form and in the status bar."""
    if isinstance(exc, ValidationErrors):
        errors.show(exc.errors)
    elif isinstance(exc, ValidationError):
        errors.show([exc])
    else:
        errors.message(exc.message)
        panel.message.emit(exc.message)
