"""The outcomes chart's data, without Qt: series laid end to end on one axis, and each outcome in words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.outcomes import Outcome, series_outcome
from clinic_desktop.domain.records import ScorePoint, SeriesScores
from clinic_desktop.domain.scales import ScaleDefinition, get_scale, scales_where
from clinic_desktop.ui import formatting


def charted() -> tuple[ScaleDefinition, ...]:
    """The scales the chart draws, each in its own panel (their definitions' `outcome.on_screen_chart`)."""
    return scales_where(lambda s: s.outcome is not None and s.outcome.on_screen_chart)

#: Short series names for the x axis, where the protocol's full label does not fit.
SHORT_NAMES = {Protocol.IV_INDUCTION: "IV induction", Protocol.IV_MAINTENANCE: "IV maintenance",
               Protocol.IM: "IM", Protocol.ESKETAMINE: "Esketamine"}


@dataclass(frozen=True)
class SeriesTrack:
    """One series on one scale: where it sits on the x axis and its points, one per session."""

    series: SeriesScores
    offset: int  #: sessions of the series before it on the shared x axis
    span: int  #: session slots it takes (planned sessions, or more when extended)
    points: tuple[ScorePoint, ...]  #: the last score entered for each session, in session order
    outcome: Outcome | None

    @property
    def short_name(self) -> str:
        return SHORT_NAMES.get(self.series.protocol, self.series.protocol.label)

    @property
    def name(self) -> str:
        return f"{self.short_name} from {formatting.day(self.series.start_date)}"


def tracks(series: Sequence[SeriesScores], code: str, settings: ClinicSettings) -> tuple[SeriesTrack, ...]:
    """Lay the series end to end. Every series takes its slots on every scale, so the panels line up."""
    out, offset = [], 0
    for s in series:
        span = max([s.planned_sessions, 1] + [p.sequence for p in s.points])
        latest: dict[int, ScorePoint] = {}
        for p in s.points:  # a score re-entered for the same session replaces the earlier entry
            if p.instrument == code:
                latest[p.sequence] = p
        points = tuple(latest[k] for k in sorted(latest))
        outcome = series_outcome(code, [(p.taken_at, p.total) for p in points], settings)
        out.append(SeriesTrack(s, offset, span, points, outcome))
        offset += span
    return tuple(out)


def response_level(baseline: int, settings: ClinicSettings) -> float:
    """The total at which the reduction from baseline reaches the response percentage (50 % by default)."""
    return baseline * (100 - settings.response_reduction_percent) / 100


def percent_text(value: Decimal | None) -> str:
    return "no % change" if value is None else f"{value:+} %"  # None: from a baseline of 0


def outcome_words(track: SeriesTrack, cutoff: int, settings: ClinicSettings) -> tuple[str, ...]:
    """Where one series stands on one scale, in plain words: the course, then response, then remission."""
    if track.outcome is None:
        return ("No score yet.",)
    o, scale = track.outcome, get_scale(track.points[0].instrument)
    name, rule = scale.name, scale.outcome.remission.phrase(cutoff)
    if o.n_points == 1:
        return (f"Baseline {o.baseline}; one score so far.",
                "Response and remission are judged from the next score.")
    lines = [f"{o.baseline} → {o.latest} ({percent_text(o.percent_change)}) over {o.n_points} scores: "
             f"{o.status}."]
    need = settings.response_reduction_percent
    if o.baseline == 0:
        lines.append("Response: cannot be judged, the baseline was 0.")
    elif o.response:
        lines.append(f"Response: yes, at least {need} % below baseline.")
    else:
        target = int(response_level(o.baseline, settings))
        lines.append(f"Response: {'not yet' if o.change <= 0 else 'no'}, needs {target} or less "
                     f"({need} % below baseline {o.baseline}).")
    if o.remission:
        lines.append(f"Remission: yes, {name} {o.latest} is {rule}.")
    else:
        lines.append(f"Remission: not yet, needs {name} {rule}.")
    return tuple(lines)
