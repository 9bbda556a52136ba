"""The C-SSRS screener: six yes/no questions with skip logic, triaged to a risk level (reference 4.6)."""

from __future__ import annotations

from clinic_desktop.domain.enums import Rater, Timepoint
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Finding, Grade
from clinic_desktop.domain.scales.base import YES_NO, Answer, Context, Item, ScaleDefinition

#: Risk levels of the screener, stored as the result's band.
RISK_NONE, RISK_LOW, RISK_MODERATE, RISK_HIGH = "none", "low", "moderate", "high"

#: Positions (1-based) of the questions asked only when Q2 is yes.
_CSSRS_CONDITIONAL = (3, 4, 5)

_CSSRS_ITEMS = (
    ("Q1 Wish to be dead", "Have you wished you were dead or wished you could go to sleep and not wake up?"),
    ("Q2 Suicidal thoughts", "Have you actually had any thoughts of killing yourself?"),
    ("Q3 Thoughts of method", "Have you been thinking about how you might do this?"),
    ("Q4 Intent without plan", "Have you had these thoughts and had some intention of acting on them?"),
    ("Q5 Intent with plan", "Have you started to work out or worked out the details of how to kill yourself? "
                            "Do you intend to carry out this plan?"),
    ("Q6 Behaviour, lifetime", "Have you ever done anything, started to do anything, or prepared to do anything "
                               "to end your life?"),
    ("Q6 Behaviour, past 3 months", "Was this within the past 3 months?"),
)


def _cssrs_skip_logic(scale: ScaleDefinition, answers: tuple[Answer, ...]) -> None:
    """Q3-Q5 are asked exactly when Q2 is yes (reference 4.6); anything else is a mis-entered form."""
    # Behaviour in the past 3 months is lifetime behaviour too: a yes with a lifetime no is a mis-click.
    if answers[6] is True and answers[5] is False:
        raise ValidationError(f"{scale.name} item 7 (Q6 behaviour in the past 3 months) cannot be yes when item 6 "
                              "(Q6 behaviour, lifetime) is no.", "item7")
    asked = answers[1] is True
    for n in _CSSRS_CONDITIONAL:
        item, value = scale.item(n), answers[n - 1]
        if asked and value is None:
            raise ValidationError(f"{scale.name} item {n} ({item.label}) must be answered yes or no because "
                                  "question 2 was answered yes.", f"item{n}")
        if not asked and value is not None:
            raise ValidationError(f"{scale.name} item {n} ({item.label}) must be left blank because question 2 "
                                  f"was answered no; {'yes' if value else 'no'} was given.", f"item{n}")


def _cssrs_rules(ctx: Context) -> tuple[str | None, tuple[Finding, ...]]:
    q1, q2, q3, q4, q5, q6_life, q6_recent = ctx.answers
    # Reference 4.6 triage: Q4/Q5 or behaviour in the past 3 months is high risk; Q3 or older behaviour moderate.
    if q4 or q5 or q6_recent:
        return RISK_HIGH, (Finding(
            "cssrs_high_risk", Grade.OVERRIDE,
            "High risk: safety precautions and evaluation by a mental-health professional before proceeding."),)
    if q3 or q6_life:
        return RISK_MODERATE, (Finding(
            "cssrs_moderate_risk", Grade.WARN,
            "Moderate risk: further evaluation or referral to a mental-health professional is recommended."),)
    if q1 or q2:
        return RISK_LOW, (Finding(
            "cssrs_low_risk", Grade.INFO,
            "Low risk: passive or non-specific suicidal thoughts; consider further evaluation."),)
    return RISK_NONE, ()


CSSRS_SCREENER = ScaleDefinition(
    code="cssrs_screener",
    name="C-SSRS screener",
    # Asked by staff as an interview; the answers are the patient's, the triage is the clinician's.
    rater=Rater.CLINICIAN,
    items=tuple(Item(n, label, text, YES_NO, skippable=n in _CSSRS_CONDITIONAL)
                for n, (label, text) in enumerate(_CSSRS_ITEMS, start=1)),
    min_total=0,
    max_total=len(_CSSRS_ITEMS),  # the "total" is the number of yes answers
    description="Ideation questions cover the past month (or the time since the last visit); "
                "questions 3-5 are asked only if question 2 is yes.",
    evaluate=_cssrs_rules,
    cross_check=_cssrs_skip_logic,
    timepoints=(Timepoint.PRE, Timepoint.DURING, Timepoint.POST),
    latest_on_chart=True,
)
