"""The daily automatic backup, checked every hour while the window is open; a failure is a status message."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from clinic_desktop.services.registry import Services

log = logging.getLogger(__name__)

#: How often to ask whether a daily backup is due (it is taken when the newest is a day old).
CHECK_EVERY_MS = 60 * 60 * 1000


class AutomaticBackupTimer(QObject):
    """Emits `message(text, milliseconds)` for the status bar when a backup is taken or fails."""

    message = Signal(str, int)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        # No check at start-up: opening the window stays quick, and the backup on exit covers a clinic
        # that closes the application every evening; one left open all day gets its daily one within the hour.
        self.timer.start()

    def check(self) -> None:
        try:
            made = self._services.backups.automatic.run("daily")
        except Exception as exc:  # a failed backup must never interrupt the clinic's work
            log.exception("The daily automatic backup failed")
            self.message.emit(f"The daily backup failed: {getattr(exc, 'message', exc)} Tell your administrator.",
                              0)
            return
        if made is not None:
            self.message.emit(f"Daily backup taken ({made.file_name}).", 5000)
