"""Patient self-report questionnaires: PHQ-9 and GAD-7 (reference 4.1, 4.2)."""

from __future__ import annotations

from clinic_desktop.domain.enums import Rater, Timepoint
from clinic_desktop.domain.grading import Finding, Grade
from clinic_desktop.domain.scales.base import (
    Band, ChartStyle, Context, Item, OutcomeMeasure, Remission, ScaleDefinition, points,
)

#: The four frequency answers shared by PHQ-9 and GAD-7 ("over the last 2 weeks, how often ...").
FREQUENCY = points("Not at all", "Several days", "More than half the days", "Nearly every day")

# --------------------------------------------------------------------------------------------- PHQ-9

_PHQ9_ITEMS = (
    ("Anhedonia", "Little interest or pleasure in doing things"),
    ("Depressed mood", "Feeling down, depressed, or hopeless"),
    ("Sleep", "Trouble falling or staying asleep, or sleeping too much"),
    ("Energy", "Feeling tired or having little energy"),
    ("Appetite", "Poor appetite or overeating"),
    ("Self-worth", "Feeling bad about yourself, or that you are a failure or have let yourself or your family down"),
    ("Concentration", "Trouble concentrating on things, such as reading the newspaper or watching television"),
    ("Psychomotor", "Moving or speaking so slowly that other people could have noticed; or the opposite, being so "
                    "fidgety or restless that you have been moving around a lot more than usual"),
    ("Thoughts of death or self-harm", "Thoughts that you would be better off dead, or of hurting yourself in some way"),
)


def _phq9_rules(ctx: Context) -> tuple[str | None, tuple[Finding, ...]]:
    findings = []
    item9 = ctx.answer(9)
    # Reference 4.1: any item-9 answer above 0 warrants same-visit follow-up; the threshold is a setting.
    if isinstance(item9, int) and item9 >= ctx.settings.phq9_item9_alert_min:
        label = ctx.scale.item(9).choice_label(item9)
        findings.append(Finding(
            "phq9_item9", Grade.OVERRIDE,
            f"PHQ-9 item 9 (thoughts of death or self-harm) answered {item9} ({label}): same-visit follow-up with "
            "the C-SSRS screener and clinician review are required before proceeding."))
    return ctx.scale.band_for(ctx.total), tuple(findings)


PHQ9 = ScaleDefinition(
    code="phq9",
    name="PHQ-9",
    rater=Rater.PATIENT,
    items=tuple(Item(n, label, text, FREQUENCY) for n, (label, text) in enumerate(_PHQ9_ITEMS, start=1)),
    min_total=0,
    max_total=27,
    bands=(Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"),
           Band(15, 19, "moderately severe"), Band(20, 27, "severe")),
    description="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    evaluate=_phq9_rules,
    timepoints=(Timepoint.PRE,),  # the patient fills it before the infusion
    # Reference 9: remission is a total below the clinic's cut-off (5 by default).
    outcome=OutcomeMeasure("depression", Remission(lambda s: s.phq9_remission_below), tracked=True,
                           on_screen_chart=True, chart=ChartStyle(marker="circle", remission_line=True)),
    latest_on_chart=True,
)

# --------------------------------------------------------------------------------------------- GAD-7

#: Reference 4.2: the published cut-point for further evaluation (Spitzer 2006), deliberately not a setting.
GAD7_FURTHER_EVALUATION_AT = 10

_GAD7_ITEMS = (
    ("Nervous", "Feeling nervous, anxious, or on edge"),
    ("Uncontrolled worry", "Not being able to stop or control worrying"),
    ("Worrying too much", "Worrying too much about different things"),
    ("Trouble relaxing", "Trouble relaxing"),
    ("Restless", "Being so restless that it is hard to sit still"),
    ("Irritable", "Becoming easily annoyed or irritable"),
    ("Afraid", "Feeling afraid, as if something awful might happen"),
)


def _gad7_rules(ctx: Context) -> tuple[str | None, tuple[Finding, ...]]:
    findings = []
    if ctx.total >= GAD7_FURTHER_EVALUATION_AT:
        findings.append(Finding(
            "gad7_further_evaluation", Grade.INFO,
            f"GAD-7 total {ctx.total} is at or above {GAD7_FURTHER_EVALUATION_AT}: further evaluation for an "
            "anxiety disorder is recommended."))
    return ctx.scale.band_for(ctx.total), tuple(findings)


GAD7 = ScaleDefinition(
    code="gad7",
    name="GAD-7",
    rater=Rater.PATIENT,
    items=tuple(Item(n, label, text, FREQUENCY) for n, (label, text) in enumerate(_GAD7_ITEMS, start=1)),
    min_total=0,
    max_total=21,
    bands=(Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"), Band(15, 21, "severe")),
    description="Over the last 2 weeks, how often have you been bothered by the following problems?",
    evaluate=_gad7_rules,
    timepoints=(Timepoint.PRE,),
    outcome=OutcomeMeasure("anxiety", Remission(lambda s: s.gad7_remission_below), tracked=True,
                           on_screen_chart=True, chart=ChartStyle(dash=(4, 2.5), marker="square")),
    latest_on_chart=True,
)
