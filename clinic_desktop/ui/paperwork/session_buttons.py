"""The session screen's paperwork: "Discharge sheet…" and "Infusion record…" in its header, and Ctrl+P for the
sheet the moment calls for (the discharge sheet once the infusion has stopped, the infusion record before)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from clinic_desktop.domain.access import Action, Principal
from clinic_desktop.domain.enums import SessionStatus
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.services.registry import Services
from clinic_desktop.ui.paperwork.actions import PaperworkActions
from clinic_desktop.ui.shortcuts import SESSION_PRINT

#: Where a session stands when its discharge sheet has something to say (the dose has stopped).
DISCHARGE_READY = (SessionStatus.RECOVERING, SessionStatus.DISCHARGED)


class SessionPaperwork(QWidget):
    """SessionPaperwork(services, principal_getter, session_id, screen): `actions.message` carries status lines."""

    def __init__(self, services: Services, principal: Callable[[], Principal], session_id: int,
                 screen: QWidget) -> None:
        super().__init__(screen)
        self.session_id = session_id
        self.detail: SessionDetail | None = None
        self.actions = PaperworkActions(services, principal, screen)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.discharge_button = self._button("Discharge sheet…", "printDischarge", self.discharge)
        self.record_button = self._button("Infusion record…", "printRecord", self.record)
        row.addWidget(self.discharge_button)
        row.addWidget(self.record_button)
        self.shortcut = SESSION_PRINT.make(screen, self.print_likely,
                                           context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._keys = SESSION_PRINT.text()

    @staticmethod
    def _button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def show_detail(self, detail: SessionDetail) -> None:
        """Shown to those who may print; the discharge sheet once the dose has stopped."""
        self.detail = detail
        allowed = self.actions.may(Action.PRINT)
        self.setVisible(allowed)
        self.shortcut.setEnabled(allowed)
        ready = detail.summary.status in DISCHARGE_READY
        self.discharge_button.setEnabled(ready)
        likely = self.discharge_button if ready else self.record_button
        other = self.record_button if ready else self.discharge_button
        likely.setToolTip(f"Preview, print or save ({self._keys})")
        other.setToolTip("Preview, print or save" if other.isEnabled() else
                         "The discharge sheet is printed once the infusion has stopped.")

    def discharge(self) -> list[str]:
        return self.actions.discharge(self.session_id)

    def record(self) -> list[str]:
        return self.actions.infusion_record(self.session_id)

    def print_likely(self) -> list[str]:
        """Ctrl+P: the discharge sheet once the dose has stopped, the infusion record before."""
        if self.detail is None or not self.actions.may(Action.PRINT):
            return []
        return self.discharge() if self.discharge_button.isEnabled() else self.record()
