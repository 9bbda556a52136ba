"""Changing a planned series from the chart: move, cancel or mark as a no-show one session, extend or stop the
series."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.enums import SessionStatus
from clinic_desktop.domain.records import Chair, SeriesSummary, SessionSummary
from clinic_desktop.domain.schedule import MAX_PLANNED_SESSIONS, WEEKDAY_NAMES
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap, enter_saves, save_in_background
from clinic_desktop.ui.widgets import add_field, error_label, text_label


class ActionDialog(QDialog):
    """A small form whose last field is a reason (none when `reason_caption` is empty); `submit` runs the service
    call, errors beside the fields."""

    def __init__(self, title: str, heading: str, action_text: str, reason_caption: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.result_value: object | None = None
        self.errors = ErrorMap(error_label("formError"), self.adjustSize)
        self.form = QVBoxLayout(self)
        self.form.addWidget(text_label(heading, name="subheading"))
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self._reason_caption = reason_caption
        self._action_text = action_text
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def finish_layout(self) -> None:
        """The reason, the form's own error line and the buttons, after the subclass's fields."""
        if self._reason_caption:
            self.errors.add("reason", add_field(self.form, self._reason_caption, self.reason), self.reason)
        self.form.addWidget(self.errors.form_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.action_button = buttons.addButton(self._action_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.action_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.form.addWidget(buttons)
        enter_saves(self, self.submit, self.reject)

    def call(self) -> Callable[[], object]:
        """The service call, with the fields' values read now on the GUI thread (the worker never reads a
        widget)."""
        raise NotImplementedError

    def submit(self) -> object | None:
        """The service call in the background (the dialog is the change's initiator); accepted once it is done.
        Returns what it returned when it finished at once, else None."""
        return save_in_background(self, self.call(), self.errors, self._done)

    def _done(self, result: object) -> None:
        self.result_value = result
        self.accept()

    @classmethod
    def ask(cls, *args: Any, **kwargs: Any) -> object | None:  # the subclass's arguments
        """What the service returned, or None when cancelled."""
        dialog = cls(*args, **kwargs)
        dialog.exec()
        return dialog.result_value


class RescheduleDialog(ActionDialog):
    """A new day, time and chair for one scheduled session; the series' other sessions stay where they are."""

    def __init__(self, session: SessionSummary, chairs: list[Chair], zone: ZoneInfo,
                 move: Callable[[datetime, int | None, str], SeriesSummary], parent: QWidget | None = None) -> None:
        super().__init__("Reschedule session", f"{session.label}, now {formatting.local_time(session.scheduled_at, zone)}"
                         f"{' in ' + session.chair if session.chair else ''}", "Move session",
                         "&Reason (optional)", parent)
        self._zone, self._move = zone, move
        local = session.scheduled_at.astimezone(zone)
        self.day = QDateEdit(QDate(local.year, local.month, local.day))
        self.day.setDisplayFormat("ddd yyyy-MM-dd")
        self.day.setCalendarPopup(True)
        self.day.setAccessibleName("New day")
        self.time = QTimeEdit(QTime(local.hour, local.minute))
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName("New time")
        self.chair = QComboBox()
        self.chair.setAccessibleName("Chair")
        if not session.chair or session.chair in {c.name for c in chairs}:  # not a chair retired since
            self.chair.addItem("Same chair", None)
        for chair in chairs:
            self.chair.addItem(chair.name, chair.id)
        self.errors.add("new_time", add_field(self.form, "New &day", self.day), self.day)
        add_field(self.form, "&Time (clinic's local time)", self.time)
        self.errors.add("chair_id", add_field(self.form, "&Chair", self.chair), self.chair)
        self.finish_layout()

    def new_time(self) -> datetime:
        return datetime.combine(self.day.date().toPython(), self.time.time().toPython(), tzinfo=self._zone)

    def call(self) -> Callable[[], SeriesSummary]:
        when, chair, reason = self.new_time(), self.chair.currentData(), self.reason.text()
        return lambda: self._move(when, chair, reason)


class CancelSessionDialog(ActionDialog):
    """One session cancelled for a stated reason; the others are untouched."""

    def __init__(self, session: SessionSummary, zone: ZoneInfo, cancel: Callable[[str], object],
                 parent: QWidget | None = None) -> None:
        super().__init__("Cancel session", f"Cancel {session.label.lower()} on "
                         f"{formatting.local_time(session.scheduled_at, zone)}?", "Cancel session",
                         "&Reason for cancelling (required)", parent)
        self._cancel = cancel
        self.form.addWidget(text_label("The series' other sessions keep their dates.", name="muted"))
        self.finish_layout()

    def call(self) -> Callable[[], object]:
        reason = self.reason.text()
        return lambda: self._cancel(reason)


class NoShowDialog(ActionDialog):
    """The patient did not come to one session: marked as a no-show once its time has come; nothing else moves."""

    def __init__(self, what: str, scheduled_at: datetime, zone: ZoneInfo, mark: Callable[[], object],
                 parent: QWidget | None = None) -> None:
        """`what`: the session in words ("session 2 of 6", "session 2 of 6 for Lovelace, Ada")."""
        super().__init__("Mark as no-show", f"Mark {what} on {formatting.local_time(scheduled_at, zone)} as a "
                         "no-show?", "Mark as no-show", "", parent)
        self._mark = mark
        self.form.addWidget(text_label("The patient did not come and did not call off. The series' other sessions "
                                       "keep their dates; reschedule or extend the series if a session is to be "
                                       "made up.", name="muted"))
        self.finish_layout()

    def call(self) -> Callable[[], object]:
        return self._mark


class ExtendSeriesDialog(ActionDialog):
    """More sessions after the last one, on the series' weekdays, time and chair; a reason is required."""

    def __init__(self, series: SeriesSummary, extend: Callable[[int, str], SeriesSummary],
                 parent: QWidget | None = None) -> None:
        days = "/".join(WEEKDAY_NAMES[d] for d in series.weekdays)
        super().__init__("Extend series", f"{series.protocol.label}: {series.planned_sessions} sessions planned",
                         "Extend series", "&Reason for extending (required)", parent)
        self._extend = extend
        self.extra = QSpinBox()
        self.extra.setAccessibleName("Sessions to add")
        self.extra.setRange(1, max(1, MAX_PLANNED_SESSIONS - series.planned_sessions))
        self.extra.setValue(min(2, self.extra.maximum()))
        self.errors.add("extra_sessions", add_field(self.form, "Sessions to &add", self.extra), self.extra)
        self.form.addWidget(text_label(f"Added after the last session, on {days} at the series' usual time.",
                                       name="muted"))
        self.finish_layout()

    def call(self) -> Callable[[], SeriesSummary]:
        extra, reason = self.extra.value(), self.reason.text()
        return lambda: self._extend(extra, reason)


class StopSeriesDialog(ActionDialog):
    """The series ends for a stated reason; its sessions still scheduled are cancelled."""

    def __init__(self, series: SeriesSummary, stop: Callable[[str], SeriesSummary],
                 parent: QWidget | None = None) -> None:
        super().__init__("Stop series", f"Stop {series.protocol.label} ({series.sessions_done} of "
                         f"{series.planned_sessions} given)?", "Stop series", "&Reason for stopping (required)",
                         parent)
        self._stop = stop
        waiting = sum(1 for s in series.sessions if s.status is SessionStatus.SCHEDULED)
        self.form.addWidget(text_label(f"{waiting} scheduled session{'s' if waiting != 1 else ''} will be cancelled.",
                                       name="muted"))
        self.finish_layout()

    def call(self) -> Callable[[], SeriesSummary]:
        reason = self.reason.text()
        return lambda: self._stop(reason)
