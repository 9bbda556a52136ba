"""Rating scales: one registry of instrument definitions and one `score` entry point that validates and judges."""

from __future__ import annotations

from typing import Callable, Sequence

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.scales.base import (
    YES_NO, Answer, Band, ChartStyle, Choice, Context, Item, OutcomeMeasure, Remission, ScaleDefinition,
    ScaleResult, shown,
)
from clinic_desktop.domain.scales.clinician import BPRS_POSITIVE, CADSS, CADSS6_ITEMS, MADRS, cadss6_subtotal
from clinic_desktop.domain.scales.cssrs import (
    CSSRS_SCREENER, RISK_HIGH, RISK_LOW, RISK_MODERATE, RISK_NONE,
)
from clinic_desktop.domain.scales.recovery import (
    ALDRETE, FIT_FOR_DISCHARGE, MOAAS, NOT_FIT_FOR_DISCHARGE, PADSS,
)
from clinic_desktop.domain.scales.self_report import GAD7, GAD7_FURTHER_EVALUATION_AT, PHQ9

#: Every instrument by its stored code, in the order a picker lists them. Every layer reads this registry and the
#: definitions' own properties (outcome, timepoints, rater, ...), so adding a scale means adding it here.
SCALES: dict[str, ScaleDefinition] = {s.code: s for s in (
    PHQ9, GAD7, MADRS, CADSS, BPRS_POSITIVE, CSSRS_SCREENER, MOAAS, ALDRETE, PADSS,
)}


def get_scale(code: object) -> ScaleDefinition:
    """The definition for a stored code, or a ValidationError for a code the app does not know."""
    scale = SCALES.get(code) if isinstance(code, str) else None
    if scale is None:
        known = ", ".join(SCALES)
        raise ValidationError(f"Unknown rating scale {shown(code)}; known scales are {known}.", "code")
    return scale


def scales_where(test: Callable[[ScaleDefinition], object]) -> tuple[ScaleDefinition, ...]:
    """The registered scales that pass `test`, in registry order (read at call time, never cached)."""
    return tuple(s for s in SCALES.values() if test(s))


def names_in_words(chosen: Sequence[ScaleDefinition]) -> str:
    """The scales' names as a sentence lists them: "PHQ-9, GAD-7 or MADRS"."""
    names = [s.name for s in chosen]
    return " or ".join(filter(None, (", ".join(names[:-1]), names[-1]))) if names else ""


def score(code: str, answers: Sequence[Answer], settings: ClinicSettings | None = None,
          baseline_total: int | None = None) -> ScaleResult:
    """Validate and score one administration of a scale.

    `baseline_total` is the same scale's earlier total to compare against (used by the BPRS positive subscale
    to detect a rise); other scales accept and ignore it. Bad input only ever raises ValidationError.
    """
    scale = get_scale(code)
    normalized = scale.validate(answers)
    if baseline_total is not None and (isinstance(baseline_total, bool) or not isinstance(baseline_total, int)
                                       or not scale.min_total <= baseline_total <= scale.max_total):
        raise ValidationError(f"{scale.name} baseline total must be a whole number "
                              f"{scale.min_total}-{scale.max_total}; {shown(baseline_total)} was given.",
                              "baseline_total")
    # A skipped (None) question scores nothing; a yes counts 1, so the C-SSRS total is its count of yes answers.
    total = sum(int(a) for a in normalized if a is not None)
    ctx = Context(scale, normalized, total, settings or ClinicSettings(), baseline_total)
    band, findings = scale.evaluate(ctx)
    return ScaleResult(code=scale.code, name=scale.name, answers=normalized, total=total, band=band,
                       findings=findings, discharge=scale.discharge)


__all__ = [
    "ALDRETE", "BPRS_POSITIVE", "CADSS", "CADSS6_ITEMS", "CSSRS_SCREENER", "FIT_FOR_DISCHARGE",
    "GAD7", "GAD7_FURTHER_EVALUATION_AT", "MADRS", "MOAAS", "NOT_FIT_FOR_DISCHARGE", "PADSS", "PHQ9",
    "RISK_HIGH", "RISK_LOW", "RISK_MODERATE", "RISK_NONE", "SCALES", "YES_NO",
    "Answer", "Band", "ChartStyle", "Choice", "Context", "Item", "OutcomeMeasure", "Remission", "ScaleDefinition",
    "ScaleResult", "cadss6_subtotal", "get_scale", "names_in_words", "scales_where", "score",
]
