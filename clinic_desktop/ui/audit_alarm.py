"""The bar an administrator sees at sign-in when the audit log does not agree with the witnesses of its head
(services.audit.quick_check, run on the worker thread). It does not block: the administrator reads it, opens the
audit log to run the full check, or dismisses it for this sign-in. Other roles never run the check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.ui.widgets import text_label

TITLE = "The audit log may have been tampered with."


class HeadFindings(Protocol):
    problem: str | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    """A problem the check itself ran into (e.g. the audit key is missing), shown the same way."""

    problem: str
    notes: tuple[str, ...] = ()


class AuditAlarm(QFrame):
    openAudit = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditAlarm")
        self.title = text_label(TITLE, selectable=False, name="auditAlarmTitle")
        self.text = text_label("", name="auditAlarmText")
        self.open_button = QPushButton("Open the audit log")
        self.open_button.clicked.connect(self.openAudit)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.clicked.connect(self.hide)
        words = QVBoxLayout()
        words.addWidget(self.title)
        words.addWidget(self.text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(words, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.dismiss_button)
        self.hide()

    def show_findings(self, findings: HeadFindings) -> None:
        """Shown when there is a problem; notes alone (a second copy not plugged in) go to the status bar."""
        if findings.problem:
            self.text.setText(findings.problem)
            self.show()
        else:
            self.hide()
