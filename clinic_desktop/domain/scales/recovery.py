"""Sedation and discharge-readiness scales: MOAA/S, Modified Aldrete and PADSS (reference 4.7, 6.1)."""

from __future__ import annotations

from clinic_desktop.domain.enums import NoteKind, Rater, Timepoint
from clinic_desktop.domain.grading import Finding, Grade
from clinic_desktop.domain.scales.base import Choice, Context, Evaluator, Item, ScaleDefinition

#: Band labels of the two discharge scores.
FIT_FOR_DISCHARGE = "fit for discharge"
NOT_FIT_FOR_DISCHARGE = "not yet fit for discharge"


def _from_best(*labels: str) -> tuple[Choice, ...]:
    """Choices written best first (as published), stored in ascending order of points."""
    top = len(labels) - 1
    return tuple(Choice(top - i, label) for i, label in enumerate(labels))[::-1]


# --------------------------------------------------------------------------------------------- MOAA/S

def _moaas_rules(ctx: Context) -> tuple[str | None, tuple[Finding, ...]]:
    value = ctx.total
    description = ctx.scale.item(1).choice_label(value)
    findings = []
    # The alert level is UNSOURCED (reference 4.7 gives only the descriptions), hence a setting.
    if value <= ctx.settings.moaas_alert_at_or_below:
        message = f"MOAA/S {value} ({description}): deep sedation; physician assessment of airway and breathing."
        if value == 0:
            message = (f"MOAA/S 0 ({description}): loss of consciousness; manage the airway, call the physician "
                       "and record an adverse event.")
        findings.append(Finding("moaas_deep_sedation", Grade.OVERRIDE, message))
    return description, tuple(findings)


MOAAS = ScaleDefinition(
    code="moaas",
    name="MOAA/S",
    rater=Rater.CLINICIAN,
    items=(Item(1, "Responsiveness", "Modified Observer's Assessment of Alertness/Sedation", _from_best(
        "Responds readily to name spoken in normal tone",
        "Lethargic response to name spoken in normal tone",
        "Responds only after name is called loudly and/or repeatedly",
        "Responds only after mild prodding or shaking",
        "Responds only after painful trapezius squeeze",
        "No response after painful trapezius squeeze",
    )),),
    min_total=0,
    max_total=5,
    description="Sedation during and after the infusion: 5 is fully alert, 0 is no response to pain.",
    evaluate=_moaas_rules,
    timepoints=(Timepoint.DURING, Timepoint.POST),
    note_kind=NoteKind.SEDATION,
)

# -------------------------------------------------------------------------------- discharge scores


def _discharge_rules(extra: str) -> Evaluator:
    """Rules shared by Aldrete and PADSS: fit at or above the clinic's minimum, else a blocking finding."""

    def rules(ctx: Context) -> tuple[str | None, tuple[Finding, ...]]:
        minimum = ctx.settings.discharge_score_min
        if ctx.total >= minimum:
            return FIT_FOR_DISCHARGE, ()
        return NOT_FIT_FOR_DISCHARGE, (Finding(
            "discharge_score_low", Grade.OVERRIDE,
            f"{ctx.scale.name} score {ctx.total} is below the discharge minimum of {minimum}: "
            f"not yet fit for discharge.{extra}"),)

    return rules


ALDRETE = ScaleDefinition(
    code="aldrete",
    name="Modified Aldrete",
    rater=Rater.CLINICIAN,
    items=(
        Item(1, "Activity", "Moves limbs voluntarily or on command",
             _from_best("Moves 4 limbs", "Moves 2 limbs", "Moves 0 limbs")),
        Item(2, "Respiration", "Breathing",
             _from_best("Breathes deeply and coughs freely", "Dyspnea or limited breathing", "Apneic")),
        Item(3, "Circulation", "Blood pressure compared with the pre-anesthetic level",
             _from_best("BP within 20% of pre-anesthetic level", "BP 20-49% from pre-anesthetic level",
                        "BP 50% or more from pre-anesthetic level")),
        Item(4, "Consciousness", "Level of consciousness",
             _from_best("Fully awake", "Arousable on calling", "Not responding")),
        Item(5, "SpO₂", "Oxygen saturation",
             _from_best("SpO₂ above 92% on room air", "Needs O₂ to keep SpO₂ above 90%",
                        "SpO₂ below 90% even with O₂")),
    ),
    min_total=0,
    max_total=10,
    description="Modified Aldrete recovery score; discharge at or above the clinic's minimum (usually 9).",
    evaluate=_discharge_rules(""),
    timepoints=(Timepoint.POST,),
    discharge=True,
)

PADSS = ScaleDefinition(
    code="padss",
    name="PADSS",
    rater=Rater.CLINICIAN,
    items=(
        Item(1, "Vital signs", "Blood pressure and pulse compared with the pre-procedure values",
             _from_best("Within 20% of pre-procedure value", "20-40% from pre-procedure value",
                        "More than 40% from pre-procedure value")),
        Item(2, "Activity and mental status", "Orientation (person, place, time) and gait",
             _from_best("Oriented ×3 and steady gait", "Oriented ×3 or steady gait", "Neither")),
        Item(3, "Pain, nausea or vomiting", "Pain, nausea or vomiting",
             _from_best("Minimal", "Moderate, needing treatment", "Severe")),
        Item(4, "Surgical bleeding", "Bleeding (usually not applicable after ketamine)",
             _from_best("Minimal", "Moderate", "Severe")),
        Item(5, "Intake and output", "Oral fluids and voiding",
             _from_best("Has had oral fluids and voided", "Has had oral fluids or voided", "Neither")),
    ),
    min_total=0,
    max_total=10,
    description="Post-Anesthetic Discharge Scoring System (Chung); a competent adult must accompany the patient.",
    # Reference 4.7: PADSS fitness for discharge home also requires a competent adult escort.
    evaluate=_discharge_rules(" A competent adult escort is also required for discharge home."),
    timepoints=(Timepoint.POST,),
    discharge=True,
)
