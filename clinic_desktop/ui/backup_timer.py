"""The daily automatic backup, checked every hour while the window is open; a failure is a status message."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from clinic_desktop.services.registry import Services
from clinic_desktop.ui import ops

log = logging.getLogger(__name__)

#: How often to ask whether a daily backup is due (it is taken when the newest is a day old).
CHECK_EVERY_MS = 60 * 60 * 1000


class AutomaticBackupTimer(QObject):
    """Emits `message(text, milliseconds)` for the status bar when a backup is taken or fails.

    The check and the backup run as a background operation: on the one worker, so never at the same time as
    a user's save, and with nothing disabled (nobody asked for it; the window stays as it is)."""

    message = Signal(str, int)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._running = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        # No check at start-up: opening the window stays quick, and the backup on exit covers a clinic
        # that closes the application every evening; one left open all day gets its daily one within the hour.
        self.timer.start()

    def check(self) -> None:
        """Take the daily backup in the background if one is due (one check at a time)."""
        if self._running:
            return
        self._running = True
        ops.Op(self, lambda: self._services.backups.automatic.run("daily")) \
            .success(self._taken).failure(self._failed).run()

    def _taken(self, made: object) -> None:
        self._running = False
        if made is not None:
            self.message.emit(f"Daily backup taken ({made.file_name}).", 5000)

    def _failed(self, exc: BaseException) -> None:
        # A failed backup must never interrupt the clinic's work: a status line, and the log says why.
        self._running = False
        log.error("The daily automatic backup failed", exc_info=exc)
        self.message.emit(f"The daily backup failed: {getattr(exc, 'message', exc)} Tell your administrator.", 0)
