"""Emergency (break-glass) access: starting it with a reason and a password, the banner, the review list."""

from __future__ import annotations

from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ClinicError, ValidationError
from clinic_desktop.services.auth import AuthenticationFailed, EmergencyReview
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import formatting
from clinic_desktop.ui.password_op import run_password_op
from clinic_desktop.ui.widgets import FitScrollArea, add_field, clear_layout, error_label, set_error, text_label

#: (reason, password) -> the Principal with emergency access.
StartEmergency = Callable[[str, str], Principal]
#: How many of a session's audited actions the review card lists before "and N more".
SHOWN_ACTIONS = 12


def banner_text(until: datetime, zone: ZoneInfo) -> str:
    return f"Emergency access until {formatting.local_time(until, zone, with_day=False)} — everything is flagged " \
           "for review"


class EmergencyDialog(QDialog):
    """Reason and password; the services check both. Errors stay beside their field and the dialog stays open."""

    def __init__(self, start: StartEmergency, minutes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._start = start
        self.principal: Principal | None = None
        self.setWindowTitle("Emergency access")
        layout = QVBoxLayout(self)
        layout.addWidget(text_label(
            f"Emergency access lets you do everything a physician may, for {minutes} minutes. Everything you do "
            "in that time is flagged in the audit log and reviewed by an administrator.", selectable=False))
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("e.g. Physician unreachable; chair 2 needs a dose record amended")
        self.reason_error = add_field(layout, "&Reason (required)", self.reason)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password")
        self.password_error = add_field(layout, "Your &password", self.password)
        self.error = error_label("formError")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = buttons.addButton("Start emergency access", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setDefault(True)
        self.buttons = buttons
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)

    @classmethod
    def ask(cls, parent: QWidget, start: StartEmergency, minutes: int) -> Principal | None:
        """The Principal with emergency access, or None if cancelled."""
        dialog = cls(start, minutes, parent)
        try:
            return dialog.principal if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()  # also when the lock hid it: it is not shown again

    def reject(self) -> None:
        """Not while the access is being started (disabled buttons): it would start behind a closed dialog."""
        if self.buttons.isEnabled():
            super().reject()

    def submit(self) -> None:
        for label in (self.reason_error, self.password_error, self.error):
            set_error(label, "")
        reason, password = self.reason.text(), self.password.text()
        run_password_op(self, lambda: self._start(reason, password), self.start_button, self.buttons, self.reason,
                        self.password, success=self._started, refused=self._refused)

    def _started(self, principal: Principal) -> None:
        self.principal = principal
        self.accept()

    def _refused(self, error: ClinicError) -> None:
        if isinstance(error, ValidationError):
            set_error(self.reason_error if error.field == "reason" else self.error, error.message)
            self.reason.setFocus()
        elif isinstance(error, AuthenticationFailed):
            self.password.clear()
            set_error(self.password_error, error.message)
            self.password.setFocus()
        else:
            set_error(self.error, error.message)


class EmergencyReviewPage(QWidget):
    """Every break-glass session not yet reviewed, what was done in it, and a note to mark it reviewed."""

    reviewed = Signal(int)

    def __init__(self, services: Services, actor: Callable[[], Principal], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self.pending: list[EmergencyReview] = []
        self.notes: dict[int, QLineEdit] = {}
        self.errors: dict[int, object] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(text_label("Emergency access to review", selectable=False, name="pageTitle"))
        layout.addWidget(text_label(
            "Read what was done under each emergency access, then write a note and mark it reviewed.",
            selectable=False, name="muted"))
        self.status = error_label("formError")
        layout.addWidget(self.status)
        body = QWidget()
        self._list = QVBoxLayout(body)
        self._list.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(FitScrollArea(body), 1)
        self.refresh()

    def refresh(self) -> None:
        clear_layout(self._list)
        self.notes.clear()
        self.errors.clear()
        try:
            self.pending = self._services.auth.pending_emergency_reviews(self._actor())
        except ClinicError as exc:
            self.pending = []
            set_error(self.status, exc.message)
        if not self.pending:
            self._list.addWidget(text_label("No emergency access is waiting for review.", name="emptyState"))
        for review in self.pending:
            self._list.addWidget(self._card(review))
        self._list.addStretch(1)
        if self.pending:
            self.notes[self.pending[0].id].setFocus()

    def _card(self, review: EmergencyReview) -> QGroupBox:
        zone = self._services.context.zone
        box = QGroupBox(f"{review.staff_name}: {formatting.local_time(review.started_at, zone)} to "
                        f"{formatting.local_time(review.ends_at, zone, with_day=False)}")
        layout = QVBoxLayout(box)
        layout.addWidget(text_label(f"Reason: {review.reason}"))
        shown = [a.replace("_", " ") for a in review.actions[:SHOWN_ACTIONS]]
        more = len(review.actions) - len(shown)
        done = "\n".join(shown) + (f"\n… and {more} more (see the audit log)" if more > 0 else "")
        layout.addWidget(text_label(f"What was done ({len(review.actions)} audit entries):", name="subheading"))
        layout.addWidget(text_label(done or "Nothing recorded.", name="muted"))
        note = QLineEdit()
        note.setAccessibleName("Review note")
        note.setPlaceholderText("Review note (required)")
        button = QPushButton("Mark reviewed")
        row = QHBoxLayout()
        row.addWidget(note, 1)
        row.addWidget(button)
        layout.addLayout(row)
        error = error_label()
        layout.addWidget(error)
        self.notes[review.id], self.errors[review.id] = note, error
        note.returnPressed.connect(lambda rid=review.id: self.review(rid))
        button.clicked.connect(lambda _checked=False, rid=review.id: self.review(rid))
        return box

    def review(self, emergency_id: int, note: str | None = None) -> bool:
        """Mark one session reviewed with the note typed beside it (or `note`); True when it was."""
        text = self.notes[emergency_id].text() if note is None else note
        try:
            self._services.auth.review_emergency(self._actor(), emergency_id, text)
        except ClinicError as exc:
            set_error(self.errors[emergency_id], exc.message)
            self.notes[emergency_id].setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self.refresh()
        self.reviewed.emit(emergency_id)
        return True
