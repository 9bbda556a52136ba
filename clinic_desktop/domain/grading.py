"""One scale of severity for every rule result: dose limits, screening, interactions, pre-infusion checks."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable


class Grade(enum.IntEnum):
    """How a rule result affects the action. Ordered: the worst finding decides."""

    OK = 0
    #: Worth knowing, no action needed (e.g. lamotrigine on the medication list).
    INFO = 1
    #: Shown prominently; the user may continue.
    WARN = 2
    #: Blocks until resolved or a physician overrides it with a reason.
    OVERRIDE = 3
    #: Hard stop: no override is possible.
    REFUSED = 4

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def blocks(self) -> bool:
        """True when the action cannot go ahead as it stands."""
        return self >= Grade.OVERRIDE


_LABELS = {
    Grade.OK: "ok",
    Grade.INFO: "information",
    Grade.WARN: "warning",
    Grade.OVERRIDE: "needs physician override",
    Grade.REFUSED: "refused",
}


@dataclass(frozen=True)
class Finding:
    """One rule's verdict: a stable code for tests and storage, a grade, and a message for people."""

    code: str
    grade: Grade
    message: str


def worst(findings: Iterable[Finding]) -> Grade:
    """The grade that decides: the worst of the findings, OK when there are none."""
    return max((f.grade for f in findings), default=Grade.OK)
