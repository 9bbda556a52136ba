"""Clinician-rated instruments: MADRS, CADSS (subjective items) and the BPRS positive subscale (reference 4.3-4.5)."""

from __future__ import annotations

from clinic_desktop.domain.enums import NoteKind, Rater, Timepoint
from clinic_desktop.domain.grading import Finding, Grade
from clinic_desktop.domain.scales.base import (
    Answer, Band, ChartStyle, Context, Item, OutcomeMeasure, Remission, ScaleDefinition, points,
)

#: A clinician may rate before, during or after the infusion.
ANY_TIME = (Timepoint.PRE, Timepoint.DURING, Timepoint.POST)

# --------------------------------------------------------------------------------------------- MADRS

#: MADRS anchors are defined per item at 0, 2, 4 and 6; the app shows the points with the two extremes named.
MADRS_POINTS = points("0 - none", "1", "2", "3", "4", "5", "6 - most severe")

_MADRS_ITEMS = (
    "Apparent sadness", "Reported sadness", "Inner tension", "Reduced sleep", "Reduced appetite",
    "Concentration difficulties", "Lassitude", "Inability to feel", "Pessimistic thoughts", "Suicidal thoughts",
)


def _madrs_rules(ctx: Context) -> tuple[str | None, tuple[Finding, ...]]:
    findings = []
    item10 = ctx.answer(10)
    # Reference 4.3: the item-10 threshold is UNSOURCED (suggested >= 4), hence a setting.
    if isinstance(item10, int) and item10 >= ctx.settings.madrs_item10_flag_min:
        findings.append(Finding(
            "madrs_item10", Grade.OVERRIDE,
            f"MADRS item 10 (suicidal thoughts) rated {item10}: clinician review of suicide risk is required "
            "before proceeding."))
    return ctx.scale.band_for(ctx.total), tuple(findings)


MADRS = ScaleDefinition(
    code="madrs",
    name="MADRS",
    rater=Rater.CLINICIAN,
    items=tuple(Item(n, label, label, MADRS_POINTS) for n, label in enumerate(_MADRS_ITEMS, start=1)),
    min_total=0,
    max_total=60,
    # Snaith severity bands (reference 4.3).
    bands=(Band(0, 6, "normal/absent"), Band(7, 19, "mild"), Band(20, 34, "moderate"), Band(35, 60, "severe")),
    description="Montgomery-Åsberg Depression Rating Scale, rated from interview and observation.",
    evaluate=_madrs_rules,
    timepoints=ANY_TIME,
    # Reference 9: MADRS remission is a total at or below the cut-off (10 by default).
    outcome=OutcomeMeasure("depression", Remission(lambda s: s.madrs_remission_at_or_below, inclusive=True),
                           tracked=True, chart=ChartStyle(dash=(1.5, 2), marker="up")),
    latest_on_chart=True,
)

# --------------------------------------------------------------------------------------------- CADSS

#: Number of subjective CADSS items used in the ketamine literature (reference 4.4).
CADSS_ITEM_COUNT = 23
#: Items (1-based) of the CADSS-6 short form, which tracks the full scale in IV-ketamine patients.
CADSS6_ITEMS = (1, 2, 6, 7, 15, 22)

#: Reference 4.4: 0 normal to 4 severe; the licensed anchor wording is not reproduced.
CADSS_POINTS = points("0 - normal", "1", "2", "3", "4 - severe")


def cadss6_subtotal(answers: tuple[Answer, ...]) -> int:
    """The CADSS-6 short-form subtotal (items 1, 2, 6, 7, 15, 22) of validated 23-item CADSS answers."""
    return sum(int(answers[n - 1] or 0) for n in CADSS6_ITEMS)


def _cadss_rules(ctx: Context) -> tuple[str | None, tuple[Finding, ...]]:
    above = ctx.settings.cadss_dissociation_above
    if ctx.total > above:
        return None, (Finding(
            "cadss_dissociation", Grade.INFO,
            f"CADSS total {ctx.total} is above {above}: dissociation present (CADSS-6 subtotal "
            f"{cadss6_subtotal(ctx.answers)}). Expected with ketamine; re-assess before discharge."),)
    return None, ()


CADSS = ScaleDefinition(
    code="cadss",
    name="CADSS",
    rater=Rater.CLINICIAN,
    items=tuple(Item(n, f"CADSS item {n}", f"CADSS item {n}", CADSS_POINTS) for n in range(1, CADSS_ITEM_COUNT + 1)),
    min_total=0,
    max_total=4 * CADSS_ITEM_COUNT,
    description="Clinician-Administered Dissociative States Scale, 23 subjective items "
                "(\"at this time, in this room\"), at or near the end of the infusion and before discharge.",
    evaluate=_cadss_rules,
    timepoints=(Timepoint.DURING, Timepoint.POST),
    outcome=OutcomeMeasure("dissociation"),
    note_kind=NoteKind.DISSOCIATION,
)

# ------------------------------------------------------------------------------- BPRS positive subscale

#: The 0-6 coding of BPRS ratings (the 1-7 form minus one), as used for ketamine monitoring (reference 4.5).
BPRS_POINTS = points("Not present", "Very mild", "Mild", "Moderate", "Moderately severe", "Severe",
                     "Extremely severe")

_BPRS_ITEMS = ("Conceptual disorganization", "Suspiciousness", "Hallucinatory behaviour", "Unusual thought content")


def _bprs_rules(ctx: Context) -> tuple[str | None, tuple[Finding, ...]]:
    if ctx.baseline_total is None:
        return None, ()
    rise = ctx.total - ctx.baseline_total
    # Reference 4.5: the alert threshold on an increase is UNSOURCED, hence a setting.
    if rise >= ctx.settings.bprs_positive_increase_alert:
        return None, (Finding(
            "bprs_positive_rise", Grade.WARN,
            f"BPRS positive subscale rose by {rise} points, from {ctx.baseline_total} to {ctx.total}: "
            "clinician assessment of psychotic symptoms is required."),)
    return None, ()


BPRS_POSITIVE = ScaleDefinition(
    code="bprs_positive",
    name="BPRS positive subscale",
    rater=Rater.CLINICIAN,
    items=tuple(Item(n, label, label, BPRS_POINTS) for n, label in enumerate(_BPRS_ITEMS, start=1)),
    min_total=0,
    max_total=24,
    description="Brief Psychiatric Rating Scale, 4-item positive-symptom subscale, each rated 0-6.",
    evaluate=_bprs_rules,
    timepoints=ANY_TIME,
    outcome=OutcomeMeasure("positive psychotic symptoms"),
    rise_from=Timepoint.PRE,  # a rise during or after the infusion is judged against the pre-infusion total
)
