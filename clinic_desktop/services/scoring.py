"""Stored scale responses turned back into scored records with their bands and alerts."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desktop.domain import outcomes, scales
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import Timepoint
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.records import OutcomeLine, ScoreEntry, ScorePoint, SeriesScores
from clinic_desktop.storage import models


def chart_scales() -> tuple[str, ...]:
    """Scales whose latest score the chart shows, in registry order (each definition's `latest_on_chart`)."""
    return tuple(s.code for s in scales.scales_where(lambda s: s.latest_on_chart))


def tracked_scales() -> tuple[str, ...]:
    """Scales followed from baseline through a series, in registry order (each definition's `outcome.tracked`)."""
    return tuple(s.code for s in scales.scales_where(lambda s: s.outcome is not None and s.outcome.tracked))


def score_entry(row: models.ScaleResponse, settings: ClinicSettings, baseline_total: int | None = None) -> ScoreEntry:
    """Re-score the stored answers so bands and alerts follow the clinic's current thresholds; `baseline_total`
    is the total a rise is judged against (see `rise_baselines`), without which no rise is flagged."""
    definition = scales.get_scale(row.instrument)
    try:
        result = scales.score(row.instrument, row.answers, settings, baseline_total)
        band, findings = result.band, result.findings
    except ValidationError:
        # Stored before a scale changed shape: show the stored total rather than hide the record.
        band, findings = definition.band_for(row.total), ()
    return ScoreEntry(row.id, row.instrument, definition.name, row.total, band, row.taken_at, row.timepoint,
                      row.rater, row.session_id, findings, row.acknowledged_at is not None)


def rise_baselines(rows: Iterable[models.ScaleResponse]) -> dict[str, int]:
    """Per scale that judges a rise (BPRS), the session's first total at its `rise_from` timepoint."""
    out: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: (r.taken_at, r.id)):
        rise_from = scales.get_scale(row.instrument).rise_from
        if rise_from is not None and row.timepoint == rise_from:
            out.setdefault(row.instrument, row.total)
    return out


def latest_scores(session: Session, patient_id: int, settings: ClinicSettings) -> tuple[ScoreEntry, ...]:
    """The most recent response per chart scale (one indexed lookup per scale, not the whole history)."""
    codes = chart_scales()
    latest = (select(models.ScaleResponse.instrument, func.max(models.ScaleResponse.taken_at).label("at"))
              .where(models.ScaleResponse.patient_id == patient_id,
                     models.ScaleResponse.instrument.in_(codes))
              .group_by(models.ScaleResponse.instrument).subquery())
    rows = session.execute(
        select(models.ScaleResponse).join(latest, (models.ScaleResponse.instrument == latest.c.instrument)
                                          & (models.ScaleResponse.taken_at == latest.c.at))
        .where(models.ScaleResponse.patient_id == patient_id)).scalars().all()
    by_code = {row.instrument: row for row in rows}
    return tuple(score_entry(by_code[code], settings) for code in codes if code in by_code)


def series_outcomes(session: Session, patient_id: int, settings: ClinicSettings) -> tuple[OutcomeLine, ...]:
    """Baseline to latest per series and tracked scale, from the pre-infusion scores."""
    rows = session.execute(
        select(models.TreatmentSession.series_id, models.ScaleResponse.instrument, models.ScaleResponse.taken_at,
               models.ScaleResponse.total)
        .join(models.TreatmentSession, models.ScaleResponse.session_id == models.TreatmentSession.id)
        .where(models.ScaleResponse.patient_id == patient_id, models.ScaleResponse.timepoint == Timepoint.PRE,
               models.ScaleResponse.instrument.in_(tracked_scales()))).all()
    return outcome_lines(((r.series_id, r.instrument, r.taken_at, r.total) for r in rows), settings)


def outcome_lines(points: Iterable[tuple[int, str, object, int]], settings: ClinicSettings) -> tuple[OutcomeLine, ...]:
    grouped: dict[tuple[int, str], list] = defaultdict(list)
    for series_id, code, taken_at, total in points:
        grouped[(series_id, code)].append((taken_at, total))
    order = {code: n for n, code in enumerate(scales.SCALES)}
    lines = []
    for (series_id, code), pts in sorted(grouped.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        result = outcomes.series_outcome(code, pts, settings)
        if result is not None:
            lines.append(OutcomeLine(series_id, code, scales.get_scale(code).name, result.baseline, result.latest,
                                     result.percent_change, result.status, result.n_points))
    return tuple(lines)


def outcome_points(session: Session, patient_id: int) -> tuple[SeriesScores, ...]:
    """Every pre-infusion total of the tracked scales (see tracked_scales), per series (oldest series first) in session order, in
    one query; series without such a score are left out. Re-entered scores all come back, last entered last."""
    rows = session.execute(
        select(models.InfusionSeries.id, models.InfusionSeries.protocol, models.InfusionSeries.start_date,
               models.InfusionSeries.planned_sessions, models.TreatmentSession.sequence,
               models.ScaleResponse.taken_at, models.ScaleResponse.instrument, models.ScaleResponse.total)
        .join(models.TreatmentSession, models.ScaleResponse.session_id == models.TreatmentSession.id)
        .join(models.InfusionSeries, models.TreatmentSession.series_id == models.InfusionSeries.id)
        .where(models.ScaleResponse.patient_id == patient_id, models.ScaleResponse.timepoint == Timepoint.PRE,
               models.ScaleResponse.instrument.in_(tracked_scales()))
        .order_by(models.InfusionSeries.start_date, models.InfusionSeries.id, models.TreatmentSession.sequence,
                  models.ScaleResponse.taken_at, models.ScaleResponse.id)).all()
    out = []
    for series_id, group in groupby(rows, key=lambda r: r.id):
        series_rows = list(group)
        first = series_rows[0]
        out.append(SeriesScores(series_id, first.protocol, first.start_date, first.planned_sessions,
                                tuple(ScorePoint(r.sequence, r.taken_at, r.instrument, r.total) for r in series_rows)))
    return tuple(out)
