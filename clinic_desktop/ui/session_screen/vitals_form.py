"""Entering one set of vital signs: phase from the session's state, time defaulting to now, the six values; an
out-of-range reading shows its alerts and is saved only with the action taken and a note (reference 3.3)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import AlertAction, VitalsPhase
from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.domain.vitals import VitalSigns, assess, validate_vitals
from clinic_desktop.ui import ops
from clinic_desktop.ui.form_support import ErrorMap, enter_saves
from clinic_desktop.ui.formatting import grade_style
from clinic_desktop.ui.widgets import error_label, text_label

#: Field name, caption (with its unit), width in characters.
VALUE_FIELDS = (("heart_rate", "Heart rate (/min)"), ("spo2", "SpO₂ (%)"),
                ("resp_rate", "Respiratory rate (/min)"), ("temperature_c", "Temperature (°C)"))
#: Makes the save call: phase, values, taken_at, alert_action, alert_note -> the call to run in the background,
#: which returns what the save returned (the panel's view_updates.Saved).
Record = Callable[[VitalsPhase, dict, datetime, AlertAction | None, str], Callable[[], object]]


def default_phase(detail: SessionDetail) -> VitalsPhase:
    """Baseline before the dose starts, during it while it runs, after it once stopped."""
    dose = detail.dose
    if dose is None or dose.started_at is None:
        return VitalsPhase.BASELINE
    return VitalsPhase.DURING if dose.stopped_at is None else VitalsPhase.AFTER


class VitalsForm(QWidget):
    saved = Signal(object)  #: what the save call returned
    refused = Signal(str)  #: a refusal (not a field error), for the status bar

    def __init__(self, zone: ZoneInfo, now: Callable[[], datetime], record: Record,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._now = now
        self._record = record
        self._settings = ClinicSettings()
        self._baseline: VitalSigns | None = None
        self._time_touched = False
        self.phase = QComboBox()
        for phase in VitalsPhase:
            self.phase.addItem(phase.label, phase)
        self.phase.setAccessibleName("Phase")
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName("Time taken")
        self.now_button = QPushButton("&Now")
        self.now_button.setAutoDefault(False)
        self.fields: dict[str, QLineEdit] = {}
        for name in ("systolic", "diastolic", *(n for n, _ in VALUE_FIELDS)):
            edit = QLineEdit()
            edit.setMaxLength(6)
            edit.setMinimumWidth(edit.fontMetrics().averageCharWidth() * 7)
            self.fields[name] = edit
        self.fields["systolic"].setAccessibleName("Systolic blood pressure (mmHg)")
        self.fields["diastolic"].setAccessibleName("Diastolic blood pressure (mmHg)")
        for name, caption in VALUE_FIELDS:
            self.fields[name].setAccessibleName(caption)
        self.form_error = error_label("formError")
        self.errors = ErrorMap(self.form_error)
        self.save_button = QPushButton("&Save reading")
        self.save_button.setObjectName("primary")
        self.save_button.setAutoDefault(False)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.setAutoDefault(False)
        self._build_alert_box()
        self._lay_out()
        enter_saves(self, self.save, self.clear)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.clear)
        self.now_button.clicked.connect(self.reset_time)
        self.time.timeChanged.connect(lambda _time: self._time_edited())
        for edit in self.fields.values():
            edit.textEdited.connect(lambda _text: self._values_edited())
        self.phase.currentIndexChanged.connect(lambda _index: self._values_edited())
        self.reset_time()

    # --- building ------------------------------------------------------------------------------------
    def _cell(self, grid: QGridLayout, row: int, column: int, caption: str, field: QWidget,
              names: tuple[str, ...], focus: QWidget | None = None) -> None:
        box = QVBoxLayout()
        box.setSpacing(2)
        grid.addLayout(box, row, column)
        label = QLabel(caption)
        label.setBuddy(focus or field)
        error = error_label()
        box.addWidget(label)
        box.addWidget(field)
        box.addWidget(error)
        for name in names:
            self.errors.add(name, error, self.fields.get(name, focus or field))

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)  # on the form first: every widget added below gets its parent at once
        layout.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        layout.addLayout(grid)
        when = QWidget(self)
        when_row = QHBoxLayout(when)
        when_row.setContentsMargins(0, 0, 0, 0)
        when_row.addWidget(self.time, 1)
        when_row.addWidget(self.now_button)
        self._cell(grid, 0, 0, "&Phase", self.phase, ("phase",))
        self._cell(grid, 0, 1, "&Time taken", when, ("taken_at",), focus=self.time)
        bp = QWidget(self)
        bp_row = QHBoxLayout(bp)
        bp_row.setContentsMargins(0, 0, 0, 0)
        bp_row.addWidget(self.fields["systolic"], 1)
        bp_row.addWidget(text_label("/", wrap=False, selectable=False))
        bp_row.addWidget(self.fields["diastolic"], 1)
        self._cell(grid, 0, 2, "&Blood pressure (mmHg)", bp, ("systolic", "diastolic"), focus=self.fields["systolic"])
        for index, (name, caption) in enumerate(VALUE_FIELDS):
            self._cell(grid, 1, index, caption, self.fields[name], (name,))
        for column in range(4):
            grid.setColumnStretch(column, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        layout.addWidget(self.alert_box)
        layout.addWidget(self.form_error)
        layout.addLayout(buttons)
        self.setTabOrder(self.phase, self.time)
        self.setTabOrder(self.time, self.now_button)
        previous = self.now_button
        for name in ("systolic", "diastolic", *(n for n, _ in VALUE_FIELDS)):
            self.setTabOrder(previous, self.fields[name])
            previous = self.fields[name]
        self.setTabOrder(previous, self.action)
        self.setTabOrder(self.action, self.note)
        self.setTabOrder(self.note, self.clear_button)
        self.setTabOrder(self.clear_button, self.save_button)

    def _build_alert_box(self) -> None:
        self.alert_box = QFrame(self)
        layout = QVBoxLayout(self.alert_box)
        layout.setContentsMargins(0, 6, 0, 0)
        self.alert_text = text_label("", name="vitalsAlert")
        self.alert_text.setStyleSheet(grade_style(Grade.OVERRIDE))
        self.action = QComboBox()
        self.action.setAccessibleName("Action taken")
        self.note = QLineEdit()
        self.note.setMaxLength(2000)
        self.note.setPlaceholderText("What was done, e.g. re-checked after 5 minutes, physician informed")
        self.note.setAccessibleName("Action note")
        row = QGridLayout()
        row.setHorizontalSpacing(16)
        layout.addWidget(self.alert_text)
        layout.addLayout(row)
        self._cell(row, 0, 0, "&Action taken", self.action, ("alert_action",))
        self._cell(row, 0, 1, "N&ote on the action", self.note, ("alert_note",))
        row.setColumnStretch(1, 2)
        row.setColumnStretch(0, 1)
        self.alert_box.setVisible(False)

    # --- state ---------------------------------------------------------------------------------------
    def set_context(self, detail: SessionDetail, settings: ClinicSettings, baseline: VitalSigns | None) -> None:
        """The session as it now stands: the phase follows it unless the nurse is in the middle of an entry."""
        self._settings, self._baseline = settings, baseline
        if not self.is_dirty():
            self._select_phase(default_phase(detail))
            self.reset_time()

    def _select_phase(self, phase: VitalsPhase) -> None:
        self.phase.blockSignals(True)
        self.phase.setCurrentIndex(self.phase.findData(phase))
        self.phase.blockSignals(False)

    def reset_time(self) -> None:
        local = self._now().astimezone(self._zone)
        self.time.blockSignals(True)
        self.time.setTime(QTime(local.hour, local.minute))
        self.time.blockSignals(False)
        self._time_touched = False

    def _time_edited(self) -> None:
        self._time_touched = True

    def taken_at(self) -> datetime:
        """Now, unless the nurse typed another time (today, in the clinic's time zone)."""
        now = self._now()
        if not self._time_touched:
            return now
        local = now.astimezone(self._zone)
        t = self.time.time()
        return local.replace(hour=t.hour(), minute=t.minute(), second=0, microsecond=0)

    def is_dirty(self) -> bool:
        return any(edit.text().strip() for edit in self.fields.values()) or not self.alert_box.isHidden()

    def values(self) -> dict[str, str]:
        return {name: edit.text().strip() for name, edit in self.fields.items()}

    def _values_edited(self) -> None:
        """Changed values may change the alerts: they are assessed again when saving."""
        if not self.alert_box.isHidden():
            self.alert_box.setVisible(False)
            self.action.clear()
            self.note.clear()

    def clear(self) -> None:
        for edit in self.fields.values():
            edit.clear()
        self.alert_box.setVisible(False)
        self.action.clear()
        self.note.clear()
        self.errors.clear()
        self.reset_time()

    # --- saving ----------------------------------------------------------------------------------------
    def save(self) -> None:
        """Save in the background; the form is cleared and `saved` emitted when it is stored."""
        self.errors.clear()
        phase = self.phase.currentData()
        action, note = None, ""
        if not self.alert_box.isHidden():
            action, note = self.action.currentData(), self.note.text().strip()
            missing = []
            if action is None:
                missing.append(ValidationError("Choose the action taken.", "alert_action"))
            if not note:
                missing.append(ValidationError("Write a short note on what was done.", "alert_note"))
            if missing:
                self.errors.show(missing)
                return
        values, taken_at = self.values(), self.taken_at()
        ops.Op(self, self._record(phase, values, taken_at, action, note)).disable(self.save_button) \
            .success(self._stored).failure(lambda exc: self._refused(exc, action)).run()

    def _stored(self, result: object) -> None:
        self.clear()
        self.saved.emit(result)

    def _refused(self, exc: BaseException, action: AlertAction | None) -> None:
        if isinstance(exc, ValidationError) and exc.field == "alert_action" and action is None:
            self.show_alerts(exc.message)
        elif isinstance(exc, ValidationError):
            self.errors.show([exc])
        elif isinstance(exc, ValidationErrors):
            self.errors.show(exc.errors)
        elif isinstance(exc, ClinicError):
            self.errors.message(exc.message)
            self.refused.emit(exc.message)
        else:
            ops.report_failure(self, exc)

    def show_alerts(self, fallback: str) -> None:
        """The reading's alerts and the actions to choose from, suggested ones first."""
        phase = self.phase.currentData()
        try:
            result = assess(validate_vitals(**self.values()),
                            None if phase is VitalsPhase.BASELINE else self._baseline, self._settings)
            lines, suggested = [a.message for a in result.alerts], result.suggested_actions
        except ClinicError:
            lines, suggested = [fallback], ()
        self.alert_text.setText("Out of range — record the action taken before saving:\n• " + "\n• ".join(lines))
        self.action.clear()
        self.action.addItem("Choose the action taken…", None)
        for act in (*suggested, *(a for a in AlertAction if a not in suggested)):
            self.action.addItem(f"{act.label} (suggested)" if act in suggested else act.label, act)
        self.alert_box.setVisible(True)
        self.action.setFocus()
