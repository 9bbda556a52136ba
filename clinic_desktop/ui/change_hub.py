"""One place where the window hears what changed, with who started it (the model: Anki's OpChanges).

Every commit made through this window's services is heard here as it happens (services/changes.subscribe),
with the operation that made it (ui/ops.py): `changed(changes, initiator)` is emitted on the GUI thread once that
operation's own callbacks have run. Other workstations' commits arrive from the change watcher's poll with the
initiator ELSEWHERE. A screen refreshes what a change touches and ignores the changes it made itself
(`made_by(screen, initiator)`), so a nurse's own save is never announced to her as another workstation's."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from shiboken6 import Shiboken

from clinic_desktop.services.changes import ChangeSet, subscribe
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import ops


class _Elsewhere:
    """The initiator of changes made at another workstation."""

    def __repr__(self) -> str:
        return "ELSEWHERE"


ELSEWHERE = _Elsewhere()


def made_by(screen: QObject, initiator: object) -> bool:
    """True when `initiator` is `screen` or one of its parts (a panel, a dialog opened from it)."""
    node = initiator
    while isinstance(node, QObject):
        if node is screen:
            return True
        node = node.parent()
    return False


class ChangeHub(QObject):
    """Publishes every change this window hears of on `changed(ChangeSet, initiator)`.

    The initiator is the object that started the operation (a screen, a panel), ELSEWHERE for another
    workstation, or None for a commit made outside any operation on this workstation."""

    changed = Signal(object, object)
    _unclaimed = Signal(object)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        #: The audit sequence numbers this workstation committed, so the poll leaves them out.
        self._own: set[int] = set()
        # A commit outside an operation on the GUI thread is announced at once (a screen opened right after it
        # must not hear of it as news); from another thread it is queued to the GUI thread.
        self._unclaimed.connect(self._publish_unclaimed, Qt.ConnectionType.AutoConnection)
        subscribe(services.context, self._heard)

    def _heard(self, changes: ChangeSet) -> None:
        """Right after a commit, in the thread that committed it."""
        if not Shiboken.isValid(self):  # its window has closed; the weak reference has not noticed yet
            return
        with self._lock:
            self._own.update(changes.seqs)
        gathering = ops.collecting()
        if gathering is not None:
            gathering.append((self, changes))  # published by the operation with its initiator
        else:
            self._unclaimed.emit(changes)

    def _publish_unclaimed(self, changes: ChangeSet) -> None:
        self.publish(changes, None)

    def announce_pending(self) -> None:
        """Announce now this window's commits made outside an operation on another thread that are still queued,
        so they are published before anything a later look finds (announcements follow the order of commits)."""
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)

    def publish(self, changes: ChangeSet, initiator: object) -> None:
        if changes:
            self.changed.emit(changes, initiator)

    def own_since(self, marker: int) -> frozenset[int]:
        """This workstation's entries after `marker`, forgetting older ones (the poll has passed them)."""
        with self._lock:
            self._own = {seq for seq in self._own if seq > marker}
            return frozenset(self._own)
