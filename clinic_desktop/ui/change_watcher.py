"""Asks every few seconds what other workstations changed, and tells the open screens (see Workspace)."""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.registry import Services

log = logging.getLogger(__name__)

#: How often to look. Three seconds: a nurse at another chair sees a check-in or a dose within a glance, and a
#: look is one indexed query (well under a millisecond on a clinic's database), so it costs nothing noticeable.
POLL_MS = 3000
CHANGED_ELSEWHERE = ("Changed at another workstation. Your unsaved entries are kept; reload to see the "
                     "saved version.")


class ChangeWatcher(QObject):
    """Polls the change marker while running; emits `changed(ChangeSet)` when anything was changed."""

    changed = Signal(object)

    def __init__(self, services: Services, principal: Callable[[], Principal], interval_ms: int = POLL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._principal = principal
        self.marker: int | None = None
        #: Failing since the last good look: the log gets the first traceback, not one every few seconds
        #: (which would rotate away the hours before the outage).
        self._failing = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        if self.marker is None:
            self.marker = self._latest()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _latest(self) -> int | None:
        try:
            return self._services.changes.latest(self._principal())
        except ClinicError as exc:  # signed out or rights gone: the workspace stops the watcher when it syncs
            log.info("Not watching for changes: %s", exc)
            return None

    def poll(self) -> None:
        """One look; safe to call directly (tests, or after this workstation saved something)."""
        if self.marker is None:
            self.marker = self._latest()
            return
        try:
            changes = self._services.changes.changed_since(self._principal(), self.marker)
        except ClinicError as exc:
            log.info("Could not look for changes: %s", exc)
            return
        except Exception:  # the server unreachable for a moment: say so in the log, try next tick
            if not self._failing:
                log.warning("Looking for changes at other workstations failed", exc_info=True)
            self._failing = True
            return
        if self._failing:
            log.warning("Looking for changes at other workstations works again")
            self._failing = False
        self.marker = changes.marker
        if changes:
            self.changed.emit(changes)


class ChangedBar(QFrame):
    """"Changed at another workstation — Reload": shown instead of reloading a screen with unsaved entries."""

    reloadRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changedElsewhere")
        self.setStyleSheet("QFrame#changedElsewhere { background: #fef7e0; border-bottom: 1px solid #f9ab00; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 6, 16, 6)
        self.label = QLabel(CHANGED_ELSEWHERE)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.label, 1)
        self.button = QPushButton("&Reload")
        self.button.setToolTip("Show the saved version; your unsaved entries here are discarded after you confirm.")
        self.button.clicked.connect(self.reloadRequested)
        row.addWidget(self.button)
        self.hide()
