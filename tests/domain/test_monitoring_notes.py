"""Monitoring notes: free text, the side-effect checklist and adverse-event records (reference 5)."""

from __future__ import annotations

import pytest

from clinic_desktop.domain.enums import NoteKind
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.monitoring import (
    ADVERSE_EVENTS,
    AE_ACTIONS,
    AE_OUTCOMES,
    SEVERITIES,
    SIDE_EFFECTS,
    checked_note,
)

AE = NoteKind.ADVERSE_EVENT
SE = NoteKind.SIDE_EFFECT
#: A complete, valid adverse-event entry; each test changes one thing.
EVENT = {"event": "hypertension", "severity": "moderate", "action": "infusion_paused", "outcome": "resolved",
         "physician_notified": True, "onset_minutes": 25}


def field_of(kind: NoteKind, values: dict, text: str = "") -> str:
    with pytest.raises(ValidationError) as err:
        checked_note(kind, values, text)
    return err.value.field


# -- free text -----------------------------------------------------------------------------------------


def test_free_text_note_is_trimmed_and_multiline():
    """A free-text note keeps its line breaks and loses surrounding spaces."""
    assert checked_note(NoteKind.FREE_TEXT, {}, "  Patient calm.\nListening to music.  ") == \
        ({}, "Patient calm.\nListening to music.")


def test_free_text_needs_text_and_no_values():
    """An empty free-text note, or one with structured values, is refused."""
    assert field_of(NoteKind.FREE_TEXT, {}, "   ") == "text"
    assert field_of(NoteKind.FREE_TEXT, {"effects": ["nausea"]}, "note") == "values"


def test_note_text_limits():
    """Note text is at most 8000 characters and may not contain NUL."""
    assert checked_note(NoteKind.FREE_TEXT, {}, "x" * 8000)[1] == "x" * 8000
    assert field_of(NoteKind.FREE_TEXT, {}, "x" * 8001) == "text"
    assert field_of(NoteKind.FREE_TEXT, {}, "bad\x00text") == "text"
    assert field_of(SE, {"effects": ["nausea"], "severity": "mild"}, "bad\x00") == "text"


@pytest.mark.parametrize("kind", [NoteKind.DISSOCIATION, NoteKind.SEDATION])
def test_scales_are_not_notes(kind):
    """Dissociation and sedation go through CADSS and MOAA/S, not through a note."""
    assert field_of(kind, {}, "dissociated") == "kind"


# -- side effects --------------------------------------------------------------------------------------


def test_side_effects_are_sorted_and_deduplicated():
    """Ticked effects are stored once each, in a stable order, with the severity; the text is kept."""
    values, text = checked_note(SE, {"effects": ["vomiting", "nausea", "nausea"], "severity": "mild"}, " Settled. ")
    assert values == {"effects": ["nausea", "vomiting"], "severity": "mild"}
    assert text == "Settled."


def test_every_listed_side_effect_is_accepted():
    """The whole checklist can be ticked at once, as a list or a tuple."""
    values, _ = checked_note(SE, {"effects": tuple(SIDE_EFFECTS), "severity": "severe"}, "")
    assert values["effects"] == sorted(SIDE_EFFECTS)


@pytest.mark.parametrize("values, field", [
    ({"severity": "mild"}, "effects"),
    ({"effects": [], "severity": "mild"}, "effects"),
    ({"effects": "nausea", "severity": "mild"}, "effects"),  # a string is not a list of effects
    ({"effects": ["nausea", "hiccups"], "severity": "mild"}, "effects"),
    ({"effects": ["nausea"]}, "severity"),
    ({"effects": ["nausea"], "severity": "Mild"}, "severity"),
    ({"effects": ["nausea"], "severity": "mild", "colour": "green"}, "colour"),
])
def test_bad_side_effect_entries_are_refused(values, field):
    """No effect ticked, an unknown effect, a missing severity or an unexpected key is refused, not dropped."""
    assert field_of(SE, values) == field


def test_unknown_side_effect_is_named():
    """The message names the effect that is not on the checklist."""
    with pytest.raises(ValidationError) as err:
        checked_note(SE, {"effects": ["hiccups"], "severity": "mild"}, "")
    assert "hiccups" in err.value.message


# -- adverse events ------------------------------------------------------------------------------------


def test_complete_adverse_event_is_normalised():
    """A valid event is returned with every field present (empty text where nothing was given)."""
    values, text = checked_note(AE, EVENT, "BP 186/104 at 25 min.")
    assert values == {**EVENT, "description": "", "medication": ""}
    assert text == "BP 186/104 at 25 min."


def test_vocabularies_match_the_reference():
    """Severity is mild/moderate/severe; actions and outcomes follow reference 5.2; "other" is an event."""
    assert SEVERITIES == ("mild", "moderate", "severe")
    assert "infusion_stopped" in AE_ACTIONS and "ems_called" in AE_ACTIONS and "none" in AE_ACTIONS
    assert AE_OUTCOMES == ("resolved", "resolving", "ongoing", "transferred")
    assert {"hypertension", "respiratory_depression", "loss_of_consciousness", "other"} <= set(ADVERSE_EVENTS)


@pytest.mark.parametrize("event", list(ADVERSE_EVENTS))
def test_every_catalogued_event_is_accepted(event):
    """Every event in the catalogue can be recorded (with a description, which "other" requires)."""
    values, _ = checked_note(AE, {**EVENT, "event": event, "description": "seen"}, "")
    assert values["event"] == event


def test_other_event_needs_a_description():
    """An "other" event must say what happened; whitespace does not count."""
    assert field_of(AE, {**EVENT, "event": "other"}) == "description"
    assert field_of(AE, {**EVENT, "event": "other", "description": "   "}) == "description"
    values, _ = checked_note(AE, {**EVENT, "event": "other", "description": " Hiccups "}, "")
    assert values["description"] == "Hiccups"


def test_medication_given_needs_the_medication():
    """When medication was given, its name, dose, route and time must be written down."""
    assert field_of(AE, {**EVENT, "action": "medication_given"}) == "medication"
    values, _ = checked_note(AE, {**EVENT, "action": "medication_given",
                                  "medication": "Labetalol 10 mg IV 10:25"}, "")
    assert values["medication"] == "Labetalol 10 mg IV 10:25"


@pytest.mark.parametrize("onset, ok", [(0, True), (1440, True), (None, True), (-1, False), (1441, False),
                                       (True, False), ("25", False), (2.5, False)])
def test_onset_is_whole_minutes_from_0_to_1440(onset, ok):
    """Onset is optional; if given it is a whole number of minutes within 24 h of the dose starting."""
    values = {**EVENT, "onset_minutes": onset}
    if ok:
        assert checked_note(AE, values, "")[0]["onset_minutes"] == onset
    else:
        assert field_of(AE, values) == "onset_minutes"


def test_missing_onset_is_stored_as_none():
    """Leaving the onset out is the same as not knowing it."""
    values = {k: v for k, v in EVENT.items() if k != "onset_minutes"}
    assert checked_note(AE, values, "")[0]["onset_minutes"] is None


@pytest.mark.parametrize("notified", [None, "yes", 1, 0])
def test_physician_notified_must_be_answered_yes_or_no(notified):
    """Whether the physician was told is a required yes/no, not a truthy value."""
    assert field_of(AE, {**EVENT, "physician_notified": notified}) == "physician_notified"


def test_physician_notified_false_is_a_valid_answer():
    """"No" is an answer: it is stored as False."""
    assert checked_note(AE, {**EVENT, "physician_notified": False}, "")[0]["physician_notified"] is False


@pytest.mark.parametrize("key, value", [("event", "bad_trip"), ("event", None), ("severity", "extreme"),
                                        ("action", "prayed"), ("outcome", "fine"), ("outcome", None)])
def test_choices_are_checked(key, value):
    """Event, severity, action and outcome must each be one of their listed values."""
    assert field_of(AE, {**EVENT, key: value}) == key


def test_unexpected_adverse_event_field_is_refused():
    """A key the form does not know about is an error, named in the message and the field."""
    with pytest.raises(ValidationError) as err:
        checked_note(AE, {**EVENT, "witness": "Dana"}, "")
    assert err.value.field == "witness" and "witness" in err.value.message


def test_description_and_medication_have_length_limits():
    """Description up to 500 and medication up to 200 characters."""
    assert field_of(AE, {**EVENT, "description": "x" * 501}) == "description"
    assert field_of(AE, {**EVENT, "action": "medication_given", "medication": "x" * 201}) == "medication"
    values, _ = checked_note(AE, {**EVENT, "description": "x" * 500}, "")
    assert len(values["description"]) == 500
