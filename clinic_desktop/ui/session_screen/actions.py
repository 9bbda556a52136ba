"""Running one service call for a panel of the session screen: its errors beside the fields (a refused password
beside the password), refusals on the panel and in the status bar, and on success a status line and a reload."""

from __future__ import annotations

from typing import Callable, TypeVar

from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.ui.form_support import ErrorMap
from clinic_desktop.ui.session_screen.panel import Panel
from clinic_desktop.ui.session_screen.signing import SignField

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
