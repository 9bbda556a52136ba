"""The day's workflow for a session: which status changes are allowed, and how a refusal reads."""

from __future__ import annotations

import itertools

import pytest

from clinic_desktop.domain.enums import SessionStatus as S
from clinic_desktop.domain.errors import RuleViolation
from clinic_desktop.domain.session_flow import TRANSITIONS, require_transition

#: The allowed moves, written out independently of the module's table.
ALLOWED = {
    (S.SCHEDULED, S.CHECKED_IN), (S.SCHEDULED, S.CANCELLED), (S.SCHEDULED, S.NO_SHOW),
    (S.CHECKED_IN, S.INFUSING), (S.CHECKED_IN, S.CANCELLED),
    (S.INFUSING, S.RECOVERING),
    (S.RECOVERING, S.DISCHARGED),
}
ALL_PAIRS = list(itertools.product(S, S))


def test_every_status_has_an_entry():
    """The table covers every status, so no status can crash require_transition."""
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize("current, target", sorted(ALLOWED))
def test_allowed_moves(current, target):
    """Check in, start, stop, discharge; cancel before the dose; no-show only before check-in."""
    assert require_transition(current, target) is None  # no refusal
    assert target in TRANSITIONS[current]


@pytest.mark.parametrize("current, target", [p for p in ALL_PAIRS if p not in ALLOWED])
def test_every_other_move_is_refused(current, target):
    """Any move not in the workflow raises a RuleViolation with a message for the nurse."""
    with pytest.raises(RuleViolation) as err:
        require_transition(current, target)
    assert err.value.message.startswith("Cannot ")
    assert current.label.lower() in err.value.message


def test_happy_path_runs_end_to_end():
    """Scheduled -> checked in -> infusing -> recovering -> discharged is one allowed chain."""
    path = [S.SCHEDULED, S.CHECKED_IN, S.INFUSING, S.RECOVERING, S.DISCHARGED]
    moves = list(zip(path, path[1:]))
    assert all(b in TRANSITIONS[a] for a, b in moves)
    assert [require_transition(a, b) for a, b in moves] == [None] * 4


@pytest.mark.parametrize("final", [S.DISCHARGED, S.CANCELLED, S.NO_SHOW])
def test_final_statuses_cannot_move(final):
    """Discharged, cancelled and no-show sessions are final (a correction is an amendment)."""
    assert TRANSITIONS[final] == frozenset()
    for target in S:
        with pytest.raises(RuleViolation):
            require_transition(final, target)
    assert not final.is_open


def test_a_dose_in_progress_cannot_be_cancelled_or_skipped():
    """Once infusing, the session must go through recovery: no cancel, no straight discharge."""
    for target in (S.CANCELLED, S.NO_SHOW, S.DISCHARGED, S.SCHEDULED):
        with pytest.raises(RuleViolation):
            require_transition(S.INFUSING, target)


def test_open_statuses_are_exactly_those_that_can_still_move():
    """A session stays on today's board exactly as long as the workflow has somewhere to go."""
    assert {s for s in S if s.is_open} == {s for s in S if TRANSITIONS[s]}


@pytest.mark.parametrize("current, target, message", [
    (S.SCHEDULED, S.INFUSING, "Cannot start the dose: the session is scheduled."),
    (S.CHECKED_IN, S.RECOVERING, "Cannot stop the dose: the session is checked in."),
    (S.DISCHARGED, S.CHECKED_IN, "Cannot check in: the session is discharged."),
    (S.INFUSING, S.CANCELLED, "Cannot cancel: the session is infusing."),
    (S.CHECKED_IN, S.NO_SHOW, "Cannot mark as no-show: the session is checked in."),
    (S.CHECKED_IN, S.SCHEDULED, "Cannot move back to scheduled: the session is checked in."),
    (S.NO_SHOW, S.DISCHARGED, "Cannot discharge: the session is no-show."),
])
def test_refusal_messages_read_as_sentences(current, target, message):
    """The refusal says what was tried and what state the session is in, in plain English."""
    with pytest.raises(RuleViolation) as err:
        require_transition(current, target)
    assert str(err.value) == message
