"""One line of the pre-infusion checklist: a tick or the grade in words, the title and what is wrong, the
explanation a nurse gave, and an inline editor to give one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.domain.checks import CheckItem
from clinic_desktop.domain.grading import Grade
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap
from clinic_desktop.ui.shortcuts import CHECK_CANCEL, CHECK_SAVE
from clinic_desktop.ui.widgets import badge, error_label, link_button, text_label

#: The words on each item's tag: the meaning never rests on colour alone.
TAG_WORDS = {Grade.OK: "✓ OK", Grade.INFO: "ⓘ Information", Grade.WARN: "! Warning",
             Grade.OVERRIDE: "✗ Needs physician override", Grade.REFUSED: "✗ Refused"}
#: A blocking item the physician's signed override covers.
COVERED_WORDS = "✓ Overridden by physician"


class CheckRow(QWidget):
    saveNote = Signal(str, str)  #: item key, explanation
    cancelled = Signal(str)  #: item key

    def __init__(self, item: CheckItem, still_open: bool, note: tuple[str, str, datetime] | None,
                 zone: ZoneInfo, can_explain: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self._can_explain = can_explain
        self.setObjectName(f"check_{item.key}")
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 5, 4, 5)
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        covered = item.blocks and not still_open
        self.tag = badge(COVERED_WORDS if covered else TAG_WORDS[item.grade], Grade.WARN if covered else item.grade)
        self.tag.setWordWrap(False)
        # As wide as the widest wording, in the tag's own font, so the titles line up at any scaling.
        self.tag.setStyleSheet(self.tag.styleSheet() + " min-width: 13em;")
        self.tag.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.tag, 0, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(2)
        title = text_label(item.title, name="subheading")
        title.setStyleSheet("margin-top: 0px;")
        text.addWidget(title)
        text.addWidget(text_label(item.detail))
        if item.blocks:
            state = ("Stops the dose until resolved." if still_open and not item.overridable else
                     "Stops the dose until resolved or overridden by a physician." if still_open else
                     "Covered by the physician's override.")
            text.addWidget(text_label(state, name="muted"))
        if note is not None:
            words, by, at = note
            text.addWidget(text_label(f"Explained by {by}, {formatting.local_time(at, zone, with_day=False)}: {words}",
                                      name="checkNote"))
        #: The explanation's editor, built the first time someone explains (most rows never need one).
        self.editor: QWidget | None = None
        self._text = text
        grid.addLayout(text, 0, 1)
        self.explain = link_button("Change explanation" if note else "Explain")
        self.explain.setAccessibleName(f"Explain {item.title}")
        self.explain.setVisible(can_explain)
        grid.addWidget(self.explain, 0, 2, Qt.AlignmentFlag.AlignTop)
        self.explain.clicked.connect(lambda: self.start_editing(note[0] if note else ""))

    def _build_editor(self) -> QWidget:
        self.editor = QWidget()
        box = QVBoxLayout(self.editor)
        box.setContentsMargins(0, 4, 0, 0)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName(f"Explanation for {self.item.title}")
        self.note.setPlaceholderText("What was done, or why it is acceptable today")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(self.note.fontMetrics().lineSpacing() * 4 + 16)
        self.note_error = error_label()
        self._errors = ErrorMap(error_label("formError"))
        self._errors.add("note", self.note_error, self.note)
        buttons = QHBoxLayout()
        self.save = QPushButton("Save explanation")
        self.save.setAutoDefault(False)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        buttons.addWidget(self.save)
        buttons.addWidget(cancel)
        buttons.addStretch(1)
        box.addWidget(self.note)
        box.addWidget(self.note_error)
        box.addWidget(self._errors.form_error)
        box.addLayout(buttons)
        self.editor.setVisible(False)
        self.save.clicked.connect(lambda: self.saveNote.emit(self.item.key, self.note.toPlainText()))
        cancel.clicked.connect(self.stop_editing)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        CHECK_CANCEL.make(self.editor, self.stop_editing, context=context)
        CHECK_SAVE.make(self.editor, self.save.click, context=context)
        self._text.addWidget(self.editor)
        return self.editor

    @property
    def errors(self) -> ErrorMap:
        if self.editor is None:
            self._build_editor()
        return self._errors

    @property
    def editing(self) -> bool:
        return self.editor is not None and not self.editor.isHidden()

    def note_text(self) -> str:
        return self.note.toPlainText() if self.editor is not None else ""

    def start_editing(self, text: str) -> None:
        if self.editor is None:
            self._build_editor()
        self.note.setPlainText(text)
        self.editor.setVisible(True)
        self.explain.setVisible(False)
        self.note.setFocus()

    def stop_editing(self) -> None:
        if self.editor is not None:
            self.editor.setVisible(False)
            self._errors.clear()
        self.explain.setVisible(self._can_explain)
        if self._can_explain:
            self.explain.setFocus()
        self.cancelled.emit(self.item.key)
