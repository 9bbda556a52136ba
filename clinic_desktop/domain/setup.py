"""A new clinic's first steps (its details, its chairs, its other accounts): which are done, and what each one
still needs, so the first-run guide and the board say the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.enums import LabelledEnum


class SetupStep(LabelledEnum):
    """The steps in the order the first-run guide walks them."""

    CLINIC = "clinic"
    CHAIRS = "chairs"
    ACCOUNTS = "accounts"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.CLINIC: "Clinic details", cls.CHAIRS: "Treatment chairs", cls.ACCOUNTS: "Staff accounts"}

    @property
    def action(self) -> Action:
        """What a user must be allowed to do to take this step (others are told who does it)."""
        return {SetupStep.CLINIC: Action.SETTINGS_CHANGE, SetupStep.CHAIRS: Action.CHAIR_MANAGE,
                SetupStep.ACCOUNTS: Action.USER_MANAGE}[self]

    @property
    def purpose(self) -> str:
        return {
            SetupStep.CLINIC: "The name, address and phone numbers every consent and discharge sheet prints, "
                              "the paper size and the emergency numbers.",
            SetupStep.CHAIRS: "One column of today's board per chair; sessions are booked into them.",
            SetupStep.ACCOUNTS: "An account for each nurse, physician and front-desk worker: everyone signs "
                                "in as themselves, so the record says who did what.",
        }[self]


@dataclass(frozen=True)
class SetupStatus:
    """How far the clinic's setup has come: read from the profile, the chairs and the accounts."""

    #: What the clinic's profile still lacks, in words (ClinicProfile.missing()).
    profile_missing: tuple[str, ...]
    #: Chairs in use (not retired).
    chairs: int
    #: Active accounts besides the first administrator's.
    other_accounts: int

    def done(self, step: SetupStep) -> bool:
        return not self.remaining(step)

    def remaining(self, step: SetupStep) -> str:
        """What the step still needs, as a sentence ("" once it is done)."""
        if step is SetupStep.CLINIC:
            return f"Set {_listed(self.profile_missing)}." if self.profile_missing else ""
        if step is SetupStep.CHAIRS:
            return "" if self.chairs else "Add the clinic's chairs."
        return "" if self.other_accounts else "Add an account for each member of staff."

    def progress(self, step: SetupStep) -> str:
        """What is in place, for a step that is done."""
        if step is SetupStep.CLINIC:
            return "The letterhead is complete."
        if step is SetupStep.CHAIRS:
            return f"{self.chairs} chair{'s' if self.chairs != 1 else ''} on the board."
        return f"{self.other_accounts} other account{'s' if self.other_accounts != 1 else ''}."

    @property
    def open_steps(self) -> tuple[SetupStep, ...]:
        return tuple(step for step in SetupStep if not self.done(step))

    @property
    def complete(self) -> bool:
        return not self.open_steps


def _listed(items: tuple[str, ...]) -> str:
    """"a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
