"""Monitoring notes: the side-effect checklist and adverse-event fields (reference 5), validated by kind."""

from __future__ import annotations

from typing import Any, Mapping

from clinic_desktop.domain.enums import NoteKind
from clinic_desktop.domain.session_records import NoteEntry
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.text import checked_text

#: The side-effect checklist (reference 5.1): stored keys and what staff read.
SIDE_EFFECTS: dict[str, str] = {
    "nausea": "Nausea", "vomiting": "Vomiting", "headache": "Headache", "dizziness": "Dizziness",
    "anxiety": "Anxiety", "blurred_vision": "Blurred or double vision", "hypersalivation": "Hypersalivation",
    "emergence": "Emergence reaction (dreams, imagery, agitation)", "dysgeusia": "Taste disturbance",
    "paresthesia": "Tingling / numbness", "fatigue": "Fatigue / somnolence", "injection_site": "Injection-site pain",
}

#: Adverse-event catalogue (reference 5.1); "other" needs a description.
ADVERSE_EVENTS: dict[str, str] = {
    "hypertension": "Hypertension", "tachycardia": "Tachycardia", "hypotension": "Hypotension",
    "bradycardia": "Bradycardia", "arrhythmia": "Arrhythmia", "respiratory_depression": "Respiratory depression / apnea",
    "desaturation": "Oxygen desaturation", "loss_of_consciousness": "Loss of consciousness (MOAA/S 0)",
    "severe_emergence": "Severe emergence reaction", "psychotomimetic": "Psychotomimetic symptoms",
    "mania": "Mania / hypomania", "allergic": "Allergic reaction / rash / anaphylaxis", "seizure": "Seizure-like movements",
    "vomiting": "Vomiting with aspiration risk", "chest_pain": "Chest pain", "other": "Other",
}

SEVERITIES = ("mild", "moderate", "severe")
#: What was done (reference 5.2).
AE_ACTIONS = ("none", "infusion_slowed", "infusion_paused", "infusion_stopped", "medication_given", "oxygen",
              "airway_manoeuvre", "ems_called")
AE_OUTCOMES = ("resolved", "resolving", "ongoing", "transferred")
#: Words for the stored action and outcome codes.
_SAID = {"none": "No action needed", "oxygen": "Oxygen given", "ems_called": "Emergency services called",
         "transferred": "Transferred to hospital"}
ACTION_WORDS = {a: _SAID.get(a, a.replace("_", " ").capitalize()) for a in AE_ACTIONS}
OUTCOME_WORDS = {o: _SAID.get(o, o.capitalize()) for o in AE_OUTCOMES}


def checked_note(kind: NoteKind, values: Mapping[str, Any], text: str) -> tuple[dict[str, Any], str]:
    """Validated structured values and text for a note of `kind`; unknown keys are refused, not dropped."""
    note_text = checked_text(text, "text", "Note", max_length=8000, multiline=True)
    if kind is NoteKind.FREE_TEXT:
        if values:
            raise ValidationError("A free-text note has no structured values.", "values")
        if not note_text:
            raise ValidationError("Write the note before saving it.", "text")
        return {}, note_text
    if kind is NoteKind.SIDE_EFFECT:
        return _side_effects(values), note_text
    if kind is NoteKind.ADVERSE_EVENT:
        return _adverse_event(values), note_text
    raise ValidationError("Dissociation and sedation are recorded as CADSS and MOAA/S scores.", "kind")


def _side_effects(values: Mapping[str, Any]) -> dict[str, Any]:
    _only(values, {"effects", "severity"})
    effects = values.get("effects") or []
    if not isinstance(effects, (list, tuple)) or not effects:
        raise ValidationError("Tick at least one side effect.", "effects")
    unknown = [e for e in effects if not isinstance(e, str) or e not in SIDE_EFFECTS]
    if unknown:
        raise ValidationError(f"Unknown side effect(s): {', '.join(map(str, unknown))}.", "effects")
    severity = _choice(values, "severity", SEVERITIES, "Severity")
    return {"effects": sorted(set(effects)), "severity": severity}


def _adverse_event(values: Mapping[str, Any]) -> dict[str, Any]:
    _only(values, {"event", "description", "severity", "action", "outcome", "physician_notified",
                   "onset_minutes", "medication"})
    event = _choice(values, "event", tuple(ADVERSE_EVENTS), "Event")
    description = checked_text(values.get("description", ""), "description", "Description", max_length=500)
    if event == "other" and not description:
        raise ValidationError("Describe the event.", "description")
    action = _choice(values, "action", AE_ACTIONS, "Action taken")
    medication = checked_text(values.get("medication", ""), "medication", "Medication given", max_length=200)
    if action == "medication_given" and not medication:
        raise ValidationError("Name the medication, dose, route and time.", "medication")
    onset = values.get("onset_minutes")
    if onset is not None and (isinstance(onset, bool) or not isinstance(onset, int) or not 0 <= onset <= 1440):
        raise ValidationError("Onset is minutes after the dose started, 0 to 1440.", "onset_minutes")
    notified = values.get("physician_notified")
    if not isinstance(notified, bool):
        raise ValidationError("Say whether the physician was notified.", "physician_notified")
    return {"event": event, "description": description, "severity": _choice(values, "severity", SEVERITIES, "Severity"),
            "action": action, "medication": medication, "outcome": _choice(values, "outcome", AE_OUTCOMES, "Outcome"),
            "physician_notified": notified, "onset_minutes": onset}


def _only(values: Mapping[str, Any], allowed: set[str]) -> None:
    extra = set(values) - allowed
    if extra:
        raise ValidationError(f"Unexpected field(s): {', '.join(sorted(extra))}.", sorted(extra)[0])


def _choice(values: Mapping[str, Any], key: str, options: tuple[str, ...], label: str) -> str:
    value = values.get(key)
    if value not in options:
        raise ValidationError(f"{label}: choose one of {', '.join(options)}.", key)
    return value


def describe_note(note: NoteEntry) -> str:
    """A note's structured values in words, then its text (as the session screen and the printed record show)."""
    v = note.values
    if note.kind in (NoteKind.DISSOCIATION, NoteKind.SEDATION):
        name = "CADSS total" if note.kind is NoteKind.DISSOCIATION else "MOAA/S"
        words = f"{name} {v.get('total')}" + (f": {v['band']}" if v.get("band") else "")
    elif note.kind is NoteKind.SIDE_EFFECT:
        effects = sorted(v.get("effects", []), key=lambda e: list(SIDE_EFFECTS).index(e) if e in SIDE_EFFECTS else 99)
        words = f"{', '.join(SIDE_EFFECTS.get(e, e) for e in effects)} ({v.get('severity')})"  # checklist order
    elif note.kind is NoteKind.ADVERSE_EVENT:
        words = _adverse_event_words(v)
    else:
        words = ""
    return "\n".join(part for part in (words, note.text) if part)


def _adverse_event_words(v: Mapping[str, Any]) -> str:
    event = ADVERSE_EVENTS.get(v.get("event"), str(v.get("event")))
    if v.get("description"):
        event += f" — {v['description']}"
    parts = [f"{event}, {v.get('severity')}"]
    if v.get("onset_minutes") is not None:
        parts.append(f"onset {v['onset_minutes']} min after the start")
    action = ACTION_WORDS.get(v.get("action"), str(v.get("action")))
    parts.append(f"action: {action}" + (f" ({v['medication']})" if v.get("medication") else ""))
    parts.append(f"outcome: {OUTCOME_WORDS.get(v.get('outcome'), v.get('outcome'))}")
    parts.append("physician notified" if v.get("physician_notified") else "physician not notified")
    return "; ".join(parts)
