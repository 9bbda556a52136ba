"""Automatic logoff: watches the keyboard and mouse across the application and says when it has been idle."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

#: Input that counts as someone using the application (window activation or repaint does not).
ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TabletPress,
    QEvent.Type.ShortcutOverride,
})


class IdleMonitor(QObject):
    """An event filter on the whole application plus a poll every few seconds; `idle` is emitted once when
    nothing was typed or clicked for `timeout`, then the monitor stops until started again.

    The clock is injected (a callable returning an aware datetime), so tests move time instead of waiting."""

    idle = Signal()
    #: How often the clock is compared: a lock is at most this late.
    POLL_MS = 5000

    def __init__(self, clock: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._timeout = timedelta(minutes=10)
        self._last: datetime = clock()
        self._running = False
        self.timer = QTimer(self)
        self.timer.setInterval(self.POLL_MS)
        self.timer.timeout.connect(self.check)

    @property
    def running(self) -> bool:
        return self._running

    @property
    def last_activity(self) -> datetime:
        return self._last

    def start(self, timeout: timedelta) -> None:
        """Begin (or begin again) counting idle time from now."""
        self._timeout = timeout
        self._last = self._clock()
        if not self._running:
            app = QCoreApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self._running = True
        self.timer.start()

    def stop(self) -> None:
        if self._running:
            app = QCoreApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._running = False
        self.timer.stop()

    def touch(self) -> None:
        """Count this moment as activity."""
        self._last = self._clock()

    def check(self) -> bool:
        """Emit `idle` (and stop) when the timeout has passed; True if it did."""
        if not self._running or self._clock() - self._last < self._timeout:
            return False
        self.stop()
        self.idle.emit()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY:
            self._last = self._clock()
        return False
