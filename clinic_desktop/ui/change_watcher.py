"""Asks every few seconds what other workstations changed, and publishes it on the change hub (see Workspace)."""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.changes import ChangeSet
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import ops
from clinic_desktop.ui.change_hub import ELSEWHERE, ChangeHub

log = logging.getLogger(__name__)

#: How often to look. Three seconds: a nurse at another chair sees a check-in or a dose within a glance, and a
#: look is one indexed query (well under a millisecond on a clinic's database), so it costs nothing noticeable.
POLL_MS = 3000
CHANGED_ELSEWHERE = ("Changed at another workstation. Your unsaved entries are kept; reload to see the "
                     "saved version.")
CHANGED_HERE = ("Changed in another screen of this window. Your unsaved entries are kept; reload to see the "
                "saved version.")


def changed_words(initiator: object) -> str:
    """What the Reload bar says for a change by `initiator` (ELSEWHERE: another workstation)."""
    return CHANGED_ELSEWHERE if initiator is ELSEWHERE else CHANGED_HERE


class ChangeWatcher(QObject):
    """Polls the change marker while running and publishes other workstations' changes on the hub (initiator
    ELSEWHERE). The look runs as a background operation, after any save this window has under way, so a
    commit of this workstation is always known as its own before the poll can see it."""

    def __init__(self, hub: ChangeHub, services: Services, principal: Callable[[], Principal],
                 interval_ms: int = POLL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hub = hub
        self._services = services
        self._principal = principal
        self.marker: int | None = None
        #: Failing since the last good look: the log gets the first traceback, not one every few seconds
        #: (which would rotate away the hours before the outage).
        self._failing = False
        #: A look is under way (a slow server): the next tick does not queue another behind it.
        self._looking = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()
        if self.marker is None:
            self.poll()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        """One look; safe to call directly (tests). The first look only takes the marker."""
        if self._looking:
            return
        self._hub.announce_pending()
        self._looking = True
        marker, principal = self.marker, self._principal()
        ops.Op(self, lambda: self._look(principal, marker)).disable().success(self._looked) \
            .failure(self._failed).run()

    def _look(self, principal: Principal, marker: int | None) -> tuple[int, ChangeSet | None]:
        if marker is None:
            return self._services.changes.latest(principal), None
        return marker, self._services.changes.changed_since(principal, marker, self._hub.own_since(marker))

    def _looked(self, result: tuple[int, ChangeSet | None]) -> None:
        self._looking = False
        marker, changes = result
        if self._failing:
            log.warning("Looking for changes at other workstations works again")
            self._failing = False
        if changes is None:
            self.marker = marker
            return
        self.marker = changes.marker
        self._hub.publish(changes, ELSEWHERE)

    def _failed(self, error: BaseException) -> None:
        self._looking = False
        if isinstance(error, ClinicError):  # signed out or rights gone: the workspace stops the watcher when it syncs
            log.info("Not looking for changes: %s", error)
        elif not self._failing:  # the server unreachable for a moment: say so in the log, try next tick
            log.warning("Looking for changes at other workstations failed", exc_info=error)
            self._failing = True


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
