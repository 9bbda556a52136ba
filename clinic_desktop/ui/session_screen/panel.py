"""The base of every section of the session screen: what the container gives a panel and what it hears back."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from clinic_desktop.domain.access import Action, Principal, is_allowed
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.services.registry import Services
from clinic_desktop.services.session_view import SessionView


class Panel(QWidget):
    """Built as Panel(services, principal, session_id); the container reads the session once per refresh and
    calls `show_view` with that read on every panel (a panel never reads the session, chart or checklist
    itself). After a save a panel emits `updated` with the save's view_updates.Update (the container applies
    it and shows every panel again), or `changed` when the session must be read again; `message` carries a
    line for the status bar."""

    changed = Signal()
    updated = Signal(object)  #: a view_updates.Update
    message = Signal(str)

    def __init__(self, services: Services, principal: Callable[[], Principal], session_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.principal = principal
        self.session_id = session_id
        self.view: SessionView | None = None

    def show_view(self, view: SessionView) -> None:
        """The screen's read of the session; `self.view` holds it for the panel's other parts."""
        self.view = view
        self.show_detail(view.detail)

    def show_detail(self, detail: SessionDetail) -> None:
        raise NotImplementedError

    def may(self, action: Action) -> bool:
        """Whether the signed-in user may do this now (buttons they may not use are hidden or disabled)."""
        return is_allowed(self.principal(), action, self.services.context.now())

    def is_dirty(self) -> bool:
        """True while something typed here is not saved yet (the container asks before closing)."""
        return False
