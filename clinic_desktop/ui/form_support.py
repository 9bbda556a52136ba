"""What the front-desk forms share: each service error beside its field, Enter saves, Esc cancels, and a dirty
form asks before it is closed."""

from __future__ import annotations

from typing import Callable, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.ui.shortcuts import FORM_CANCEL, FORM_SAVE, Shortcut
from clinic_desktop.ui.widgets import set_error

T = TypeVar("T")


class ErrorMap:
    """Error labels keyed by the field names the services put in ValidationError.field; messages for any other
    field, and refusals (RuleViolation, PermissionDenied, ...), go to the form's own label."""

    def __init__(self, form_error: QLabel, fit: Callable[[], None] = lambda: None) -> None:
        self.form_error = form_error
        self.labels: dict[str, QLabel] = {}
        self.fields: dict[str, QWidget] = {}
        self._fit = fit

    def add(self, name: str, label: QLabel, field: QWidget | None = None) -> QLabel:
        self.labels[name] = label
        if field is not None:
            self.fields[name] = field
        return label

    def clear(self) -> None:
        for label in (*self.labels.values(), self.form_error):
            set_error(label, "")

    def show(self, errors: list[ValidationError]) -> None:
        """Each message beside its field (several for one field are joined); the first field gets the cursor."""
        texts: dict[str, list[str]] = {}
        for e in errors:
            key = e.field if e.field in self.labels else ""
            texts.setdefault(key, [])
            if e.message not in texts[key]:
                texts[key].append(e.message)
        for key, messages in texts.items():
            set_error(self.labels.get(key, self.form_error), " ".join(messages))
        first = next((self.fields[e.field] for e in errors if e.field in self.fields), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        self._fit()

    def message(self, text: str) -> None:
        set_error(self.form_error, text)
        self._fit()

    def shown(self) -> dict[str, str]:
        """The messages on show by field ("" for the form's own), for tests and screen readers."""
        out = {name: label.text() for name, label in self.labels.items() if label.text()}
        if self.form_error.text():
            out[""] = self.form_error.text()
        return out

    def attempt(self, action: Callable[[], T], on_refusal: Callable[[ClinicError], None] | None = None) -> T | None:
        """Run a service call; its errors land beside the fields or on the form, never as a traceback."""
        self.clear()
        try:
            return action()
        except ValidationErrors as exc:
            self.show(exc.errors)
        except ValidationError as exc:
            self.show([exc])
        except ClinicError as exc:
            self.message(exc.message)
            if on_refusal is not None:
                on_refusal(exc)
        return None


def save_in_background(page: QWidget, call: Callable[[], T], errors: ErrorMap, saved: Callable[[T], None],
                       refused: Callable[[ClinicError], None] | None = None) -> T | None:
    """A form's save as a background operation started by `page` (so the change hub does not tell the page of its
    own save): errors beside the fields, a refusal on the form and also given to `refused`, `saved(result)` on
    success. Returns the result when the operation finished at once (tests run operations inline), else None."""
    from clinic_desktop.ui import ops  # ops' default failure handling is the one shown here

    done: list[T] = []

    def failed(exc: BaseException) -> None:
        ops.report_failure(page, exc, errors)
        if refused is not None and isinstance(exc, ClinicError) \
                and not isinstance(exc, (ValidationError, ValidationErrors)):
            refused(exc)

    def succeeded(result: T) -> None:
        done.append(result)
        saved(result)

    ops.Op(page, call).errors(errors).failure(failed).success(succeeded).run()
    return done[0] if done else None


def enter_saves(form: QWidget, save: Callable[[], object], cancel: Callable[[], object]) -> None:
    """Enter in a one-line field saves (multi-line fields keep Enter for new lines); Esc cancels; Ctrl+S saves."""
    for edit in form.findChildren(QLineEdit):
        if not edit.property("noEnterSave"):
            edit.returnPressed.connect(lambda: save())
    form.installEventFilter(EscapeCancels(form, cancel))
    FORM_SAVE.make(form, save, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)


class EscapeCancels(QObject):
    """Esc that no field used (fields pass it on to their page) cancels the page."""

    def __init__(self, form: QWidget, cancel: Callable[[], object], keys: Shortcut = FORM_CANCEL) -> None:
        super().__init__(form)
        self._cancel = cancel
        self._keys = keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and self._keys.matches(event):
            self._cancel()
            return True
        return False


def snapshot(form: QWidget) -> tuple:
    """Every input's value in the form, to tell whether anything was typed since it was loaded."""
    values: list[object] = []
    for widget in form.findChildren(QWidget):
        if isinstance(widget, QLineEdit) and not isinstance(widget.parent(), (QComboBox, QAbstractSpinBox)):
            values.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            values.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            values.append(widget.currentIndex())
        elif isinstance(widget, QAbstractSpinBox):
            values.append(widget.text())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            values.append(widget.isChecked())
    return tuple(values)


def ask_discard(parent: QWidget, what: str) -> bool:
    """True when the person chooses to discard their unsaved entries."""
    answer = QMessageBox.question(parent, "Unsaved changes", f"Discard what you typed in {what}?",
                                  QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                                  QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Discard
