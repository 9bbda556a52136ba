"""The first-run guide: after the first administrator, the clinic's details, its chairs and the other accounts,
one step at a time, each skippable; and the board's reminder of what is still missing."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Principal, is_allowed
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.setup import SetupStatus, SetupStep
from clinic_desktop.services.registry import Services
from clinic_desktop.ui.widgets import FitScrollArea, error_label, set_error, text_label

INTRO = ("Three steps make the clinic ready for its first infusion day. Each opens its own page; come back to this "
         "tab when you are done there. Skip any step to do it later: today's board lists what is still missing.")
ALL_DONE = "The clinic is ready: its details, chairs and staff accounts are in place."
#: Who takes a step the signed-in user may not take.
WHO_DOES_IT = {SetupStep.CLINIC: "A physician or an administrator sets these.",
               SetupStep.CHAIRS: "An administrator adds the chairs.",
               SetupStep.ACCOUNTS: "An administrator adds the accounts."}
OPEN_TEXT = {SetupStep.CLINIC: "Enter clinic details…", SetupStep.CHAIRS: "Add chairs…",
             SetupStep.ACCOUNTS: "Add staff accounts…"}


class SetupGuide(QWidget):
    """The steps as cards, the current one marked; `stepRequested` asks the workspace to open a step's page."""

    stepRequested = Signal(str)
    #: The guide is finished or dismissed: the workspace may close it and show the board.
    finished = Signal()

    def __init__(self, services: Services, actor: Callable[[], Principal], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self.status: SetupStatus | None = None
        #: Steps skipped in this guide: the guide moves past them, the board still lists them.
        self.skipped: set[SetupStep] = set()
        self.cards: dict[SetupStep, StepCard] = {}
        self.error = error_label("formError")
        self.summary = text_label("", selectable=False)
        self.done_button = QPushButton("Go to &today's board")
        self.done_button.setObjectName("primary")
        self.done_button.clicked.connect(self.finished)

        column = QWidget()
        column.setMaximumWidth(column.fontMetrics().averageCharWidth() * 110)
        steps = QVBoxLayout(column)
        steps.setContentsMargins(0, 0, 8, 0)
        steps.addWidget(text_label("Getting started", selectable=False, name="pageTitle"))
        steps.addWidget(text_label(INTRO, selectable=False, name="muted"))
        steps.addWidget(self.error)
        for number, step in enumerate(SetupStep, start=1):
            card = StepCard(number, step)
            card.open_button.clicked.connect(lambda _checked=False, s=step: self.stepRequested.emit(s.value))
            card.skip_button.clicked.connect(lambda _checked=False, s=step: self.skip(s))
            self.cards[step] = card
            steps.addWidget(card)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.done_button)
        steps.addLayout(bottom)
        steps.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(FitScrollArea(column))
        self.refresh()

    @property
    def current(self) -> SetupStep | None:
        """The first step neither done nor skipped."""
        if self.status is None:
            return None
        return next((s for s in SetupStep if not self.status.done(s) and s not in self.skipped), None)

    def skip(self, step: SetupStep) -> None:
        self.skipped.add(step)
        self._show()

    def refresh(self) -> None:
        """Read the setup's state again (a step may have been taken on its page meanwhile)."""
        try:
            self.status = self._services.setup.status(self._actor())
        except ClinicError as exc:
            set_error(self.error, exc.message)
            return
        set_error(self.error, "")
        self._show()

    def _show(self) -> None:
        status, current, now = self.status, self.current, self._services.context.now()
        if status is None:
            return
        for step, card in self.cards.items():
            allowed = is_allowed(self._actor(), step.action, now)
            card.show_state(status, current is step, step in self.skipped, allowed)
        if status.complete:
            self.summary.setText(ALL_DONE)
        elif current is None:
            self.summary.setText("The skipped steps stay listed on today's board until they are done.")
        else:
            self.summary.setText(f"Next: {current.label.lower()}.")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # back from a step's page: what was done there shows here


class StepCard(QFrame):
    """One step: its number and name, what it is for, its state, and Open / Skip."""

    def __init__(self, number: int, step: SetupStep, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.step = step
        self.title = text_label(f"{number}. {step.label}", selectable=False, name="subheading")
        self.state = text_label("", selectable=False)
        self.open_button = QPushButton(OPEN_TEXT[step])
        self.skip_button = QPushButton("Skip for now")
        for button in (self.open_button, self.skip_button):
            button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.title)
        layout.addWidget(text_label(step.purpose, selectable=False, name="muted"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.open_button)
        layout.addLayout(buttons)

    def show_state(self, status: SetupStatus, current: bool, skipped: bool, allowed: bool) -> None:
        done = status.done(self.step)
        if done:
            text = f"✓ Done. {status.progress(self.step)}"
        elif skipped:
            text = f"Skipped for now. {status.remaining(self.step)}"
        else:
            text = status.remaining(self.step)
        if not done and not allowed:
            text += f" {WHO_DOES_IT[self.step]}"
        self.state.setText(text)
        self.open_button.setVisible(allowed)
        self.open_button.setText("Open…" if done else OPEN_TEXT[self.step])
        self.open_button.setObjectName("primary" if current and allowed else "")
        self.open_button.style().unpolish(self.open_button)
        self.open_button.style().polish(self.open_button)
        self.skip_button.setVisible(current and not done)
        self.setProperty("current", current)


def board_reminder(status: SetupStatus) -> str:
    """The board's line while setup is unfinished: each open step and what it needs."""
    parts = [f"{step.label}: {_lower_first(status.remaining(step))}" for step in status.open_steps]
    return "Before the first infusion day — " + " · ".join(parts)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
