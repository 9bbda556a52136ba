"""The base of every section of the session screen: what the container gives a panel and what it hears back."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from clinic_desktop.domain.access import Action, Principal, is_allowed
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.services.registry import Services


class Panel(QWidget):
    """Built as Panel(services, principal, session_id); the container calls `show_detail` after every change.
    A panel emits `changed` after it saved something (the container reloads the detail) and `message` with a
    line for the status bar."""

    changed = Signal()
    message = Signal(str)

    def __init__(self, services: Services, principal: Callable[[], Principal], session_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.principal = principal
        self.session_id = session_id

    def show_detail(self, detail: SessionDetail) -> None:
        raise NotImplementedError

    def may(self, action: Action) -> bool:
        """Whether the signed-in user may do this now (buttons they may not use are hidden or disabled)."""
        return is_allowed(self.principal(), action, self.services.context.now())

    def is_dirty(self) -> bool:
        """True while something typed here is not saved yet (the container asks before closing)."""
        return False
