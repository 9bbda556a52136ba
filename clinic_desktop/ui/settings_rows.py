"""One clinic setting on screen: its label, an exact text input (or a list of choices), unit, range and source."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QLineEdit, QPushButton, QWidget

from clinic_desktop.domain.clinic_settings import CHOICES, UNSOURCED, SettingInfo
from clinic_desktop.domain.grading import Grade
from clinic_desktop.ui.widgets import badge, error_label, set_error, text_label

#: What an unsourced default is, in words on the row itself (not only in a tool tip).
UNSOURCED_TEXT = "UNSOURCED — a clinic convention, review with your physician"
#: Width of the value box, in average characters: "0.75" and "ideal_if_obese" both fit, at any scaling.
INPUT_CHARS = 16
UNIT_CHARS = 10


def value_text(value: Any) -> str:
    """A setting's value as typed: Decimals exactly as stored (0.7 stays 0.7, never 0.69999)."""
    return str(value)


def _same(text: str, value: Any) -> bool:
    """Whether typed text means the stored value: 0.750 is 0.75 (as the service compares), "abc" is nothing."""
    if text == value_text(value):
        return True
    if isinstance(value, str):
        return False
    try:
        return Decimal(text.strip()) == Decimal(value)
    except (InvalidOperation, ValueError):
        return False


def range_text(info: SettingInfo, default: Any) -> str:
    if info.name in CHOICES:
        allowed = f"One of: {', '.join(CHOICES[info.name])}"
    else:
        allowed = f"Allowed {info.low} to {info.high} {info.unit}".rstrip()
    return f"{allowed} · default {value_text(default)}"


class SettingRow(QFrame):
    """A row whose `changed` property (highlighted by the stylesheet) says it differs from the saved value; the
    words "Changed — saved value …" say it too. `edited` is emitted on every edit."""

    edited = Signal()

    def __init__(self, info: SettingInfo, saved: Any, default: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info, self.saved, self.default = info, saved, default
        self.setObjectName("settingRow")
        self.setProperty("changed", False)
        self.label = text_label(info.label, name="settingLabel")
        if info.name in CHOICES:
            self.editor: QLineEdit | QComboBox = QComboBox()
            self.editor.addItems(CHOICES[info.name])
            self.editor.currentIndexChanged.connect(self._edited)
        else:
            self.editor = QLineEdit()
            self.editor.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.editor.textEdited.connect(self._edited)
        self.editor.setAccessibleName(info.label)
        self.editor.setObjectName(info.name)
        self.label.setBuddy(self.editor)
        self.unit = text_label(info.unit, wrap=False, selectable=False)
        self.reset_button = QPushButton("Reset to default")
        self.reset_button.setAccessibleName(f"Reset {info.label} to default")
        self.reset_button.setAutoDefault(False)
        self.reset_button.clicked.connect(self.reset_to_default)
        keep_room = self.reset_button.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)  # the column stays put when the button comes and goes
        self.reset_button.setSizePolicy(keep_room)
        self.unsourced = info.source == UNSOURCED
        source = "" if self.unsourced else f" · source {info.source}"
        self.details = text_label(range_text(info, default) + source, name="muted")
        #: The words that mark an unsourced default (None for a sourced one: its source is in `details`).
        self.warning = badge(UNSOURCED_TEXT, Grade.WARN) if self.unsourced else None
        self.note = text_label("", selectable=False, name="changedNote")
        self.note.setVisible(False)
        self.error = error_label()

        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.editor, 0, 1)
        grid.addWidget(self.unit, 0, 2)
        grid.addWidget(self.reset_button, 0, 3)
        grid.addWidget(self.details, 1, 0)
        grid.addWidget(self.note, 1, 1, 1, 3)
        if self.warning is not None:
            grid.addWidget(self.warning, 2, 0)
        grid.addWidget(self.error, 3, 0, 1, 4)
        grid.setColumnStretch(0, 1)
        self._size_columns()
        self.show_value(saved)

    def _size_columns(self) -> None:
        """The value and unit columns in characters of the font in use, so every row lines up at any scaling."""
        chars = self.fontMetrics().averageCharWidth()
        self.editor.setFixedWidth(chars * INPUT_CHARS)
        self.unit.setFixedWidth(chars * UNIT_CHARS)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._size_columns()  # the stylesheet's font arrives after construction

    # --- value ---------------------------------------------------------------------------------------
    def text(self) -> str:
        """What the row would send to the service: exactly what is typed (or chosen)."""
        if isinstance(self.editor, QComboBox):
            return self.editor.currentText()
        return self.editor.text().strip()

    def set_text(self, text: str) -> None:
        if isinstance(self.editor, QComboBox):
            self.editor.setCurrentIndex(max(self.editor.findText(text), 0))
        else:
            self.editor.setText(text)
        self._edited()

    def show_value(self, saved: Any) -> None:
        """The saved value, unchanged and without an error (after loading, saving or reverting)."""
        self.saved = saved
        self.set_error("")
        self.set_text(value_text(saved))

    def saved_elsewhere(self, saved: Any) -> None:
        """A newer saved value, with this row's typing kept (its note then names the new value)."""
        self.saved = saved
        self._edited()

    def is_changed(self) -> bool:
        return not _same(self.text(), self.saved)

    def reset_to_default(self) -> None:
        self.set_text(value_text(self.default))
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- state ---------------------------------------------------------------------------------------
    def set_editable(self, editable: bool) -> None:
        self.editor.setEnabled(editable)
        self._update_reset()

    def set_error(self, message: str) -> None:
        set_error(self.error, message)

    def _edited(self, *_args: object) -> None:
        self.set_error("")  # a refusal was about the value that was there before
        changed = self.is_changed()
        if changed != self.property("changed"):
            self.setProperty("changed", changed)
            self.style().unpolish(self)  # the stylesheet's [changed="true"] applies again
            self.style().polish(self)
        self.note.setText(f"Changed — saved value {value_text(self.saved)}" if changed else "")
        self.note.setVisible(changed)
        self._update_reset()
        self.edited.emit()

    def _update_reset(self) -> None:
        """Offered only where it would change something, and only to someone who may change the setting."""
        self.reset_button.setVisible(self.editor.isEnabled() and not _same(self.text(), self.default))
