"""Which status a session may move to from which: the day's workflow as a small state machine."""

from __future__ import annotations

from clinic_desktop.domain.enums import SessionStatus as S
from clinic_desktop.domain.errors import RuleViolation

#: Allowed moves. A discharged, cancelled or missed session is final; a correction is an amendment.
TRANSITIONS: dict[S, frozenset[S]] = {
    S.SCHEDULED: frozenset({S.CHECKED_IN, S.CANCELLED, S.NO_SHOW}),
    S.CHECKED_IN: frozenset({S.INFUSING, S.CANCELLED}),
    S.INFUSING: frozenset({S.RECOVERING}),
    S.RECOVERING: frozenset({S.DISCHARGED}),
    S.DISCHARGED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}

_VERBS = {S.SCHEDULED: "move back to scheduled", S.CHECKED_IN: "check in", S.INFUSING: "start the dose",
          S.RECOVERING: "stop the dose", S.DISCHARGED: "discharge", S.CANCELLED: "cancel",
          S.NO_SHOW: "mark as no-show"}


def require_transition(current: S, target: S) -> None:
    """Raise a RuleViolation that says why, when `current` cannot move to `target`."""
    if target not in TRANSITIONS[current]:
        verb = _VERBS.get(target, f"move to {target.label.lower()}")
        raise RuleViolation(f"Cannot {verb}: the session is {current.label.lower()}.")
