"""Outcome of a treatment series on one scale: change from baseline, response, partial response, remission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Sequence

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.quantities import STEP_PERCENT, rounded
from clinic_desktop.domain.scales import get_scale, scales_where
from clinic_desktop.domain.scales.base import shown

#: Status labels, best first.
STATUS_REMISSION = "remission"
STATUS_RESPONSE = "response"
STATUS_PARTIAL = "partial response"
STATUS_NONE = "no response"
STATUS_BASELINE_ONLY = "baseline only"

#: A pre-infusion total and when it was taken.
Point = tuple[date | datetime, int]


def outcome_scales() -> tuple[str, ...]:
    """Codes of the scales whose total is a severity (lower is better), so a reduction means improvement.

    A scale is one when its definition has an `outcome`; the C-SSRS count and the sedation/discharge scores have
    none and are refused."""
    return tuple(s.code for s in scales_where(lambda s: s.outcome is not None))


@dataclass(frozen=True)
class Outcome:
    """Where a series stands on one scale, measured from its first (baseline) score to its latest."""

    code: str
    baseline: int  #: total of the chronologically first point
    latest: int  #: total of the chronologically last point
    n_points: int
    change: int  #: latest - baseline; negative means improvement
    #: change as a percentage of baseline, 0.1 % half-up; None when the baseline is 0 (no percentage exists)
    percent_change: Decimal | None
    response: bool  #: reduction of at least the response percentage (False when the baseline is 0)
    partial_response: bool  #: reduction of at least the partial percentage but short of response
    remission: bool | None  #: latest below the scale's remission cut-off; None when the scale has none
    status: str  #: one of the STATUS_* labels
    baseline_at: date | datetime
    latest_at: date | datetime


def series_outcome(code: str, points: Sequence[Point], settings: ClinicSettings | None = None) -> Outcome | None:
    """The outcome of one scale over a series from its pre-infusion totals, in any order; None without points.

    Baseline is the earliest point (ties keep input order). Response and partial response compare the exact
    reduction with the thresholds (integer arithmetic), so a reduction of 49.96 % is not a response even though
    it displays as 50.0 %. Status is "baseline only" for a single point; otherwise remission wins whenever
    remission is met (even if the percentage reduction alone would not be a response, because the patient is now
    below the cut-off), then response, then partial response, then no response.
    """
    settings = settings or ClinicSettings()
    scale = get_scale(code)
    if scale.outcome is None:
        raise ValidationError(f"Outcomes are not calculated for {scale.name}; they are for "
                              f"{', '.join(get_scale(c).name for c in outcome_scales())}.", "code")
    checked = [_checked_point(scale.name, scale.min_total, scale.max_total, n, p) for n, p in enumerate(points, 1)]
    if not checked:
        return None
    if len({key.tzinfo is None for key, _, _ in checked}) > 1:
        raise ValidationError(f"{scale.name} score times mix time-zone-aware and local times; they cannot be "
                              "ordered.", "taken_at")
    ordered = sorted(checked, key=lambda p: p[0])  # sorted() is stable: equal times keep input order
    (_, baseline_at, baseline), (_, latest_at, latest) = ordered[0], ordered[-1]

    change = latest - baseline
    reduction = baseline - latest
    percent = rounded(Decimal(change) * 100 / baseline, STEP_PERCENT) if baseline else None
    response = baseline > 0 and reduction * 100 >= settings.response_reduction_percent * baseline
    partial = (baseline > 0 and not response
               and reduction * 100 >= settings.partial_response_percent * baseline)
    rule = scale.outcome.remission
    remission = rule.met(latest, settings) if rule else None

    if len(ordered) == 1:
        status = STATUS_BASELINE_ONLY
    elif remission:
        status = STATUS_REMISSION
    elif response:
        status = STATUS_RESPONSE
    elif partial:
        status = STATUS_PARTIAL
    else:
        status = STATUS_NONE
    return Outcome(code=scale.code, baseline=baseline, latest=latest, n_points=len(ordered), change=change,
                   percent_change=percent, response=response, partial_response=partial, remission=remission,
                   status=status, baseline_at=baseline_at, latest_at=latest_at)


def _checked_point(name: str, low: int, high: int, n: int, point: object) -> tuple[datetime, date, int]:
    """(sort key, taken_at, total) for a valid point, or a ValidationError naming the point (1-based)."""
    if not isinstance(point, (tuple, list)) or len(point) != 2:
        raise ValidationError(f"{name} score {n} must be a (time taken, total) pair; {shown(point)} was given.",
                              "points")
    taken_at, total = point
    if not isinstance(taken_at, date):
        raise ValidationError(f"{name} score {n} needs the date it was taken; {shown(taken_at)} was given.",
                              "taken_at")
    if isinstance(total, bool) or not isinstance(total, int) or not low <= total <= high:
        raise ValidationError(f"{name} score {n} must be a whole number {low}-{high}; {shown(total)} was given.",
                              "total")
    # A plain date sorts as the start of its day, so dates and datetimes can be mixed.
    key = taken_at if isinstance(taken_at, datetime) else datetime.combine(taken_at, time.min)
    return key, taken_at, int(total)
