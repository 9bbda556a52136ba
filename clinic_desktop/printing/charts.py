"""Charts for printed sheets, drawn as ReportLab vector graphics so they stay sharp on paper: blood pressure and
heart rate over a session, and the rating-scale totals over a series.

Meaning is carried by line style, marker shape and words, never by colour alone, so a black-and-white copy or
fax reads the same. Every chart is a Drawing (a platypus Flowable); its plot areas and series are named nodes
(`drawing.plot_area`, `drawing.systolic`, ...) so tests can check where the points landed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Sequence
from zoneinfo import ZoneInfo

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.records import ScorePoint, SeriesScores
from clinic_desktop.domain.session_records import VitalsEntry
from clinic_desktop.domain.scales import ChartStyle, ScaleDefinition, names_in_words, scales_where
from clinic_desktop.printing.fonts import BODY, register_fonts
from clinic_desktop.printing.formats import in_zone

#: Ink near black for text; a light grid that recedes; blue for blood pressure and dark red for heart rate
#: (both dark enough to print as distinct greys).
INK, MUTED, GRID = colors.HexColor("#202124"), colors.HexColor("#5f6368"), colors.HexColor("#dadce0")
BP_INK, HR_INK, BAND = colors.HexColor("#174ea6"), colors.HexColor("#a50e0e"), colors.HexColor("#eef1f5")
TICK, LABEL = 7, 8  #: font sizes of tick labels and legend/titles, in points
NOT_ENOUGH_READINGS = "Not enough readings for a chart."


def charted() -> tuple[ScaleDefinition, ...]:
    """The scales a series chart shows: the tracked outcome scales, in registry order, each in its own panel."""
    return scales_where(lambda s: s.outcome is not None and s.outcome.tracked)


def no_scores_text() -> str:
    return f"No {names_in_words(charted())} scores were recorded before the infusions of this series."


#: What a series chart says when none of its scales was scored (with the scales registered at start-up).
NO_SCORES = no_scores_text()


@dataclass(frozen=True)
class Style:
    """How one series is drawn: colour, dash pattern (empty = solid) and marker shape."""

    color: colors.Color
    dash: tuple[float, ...]
    marker: str  #: "circle", "ring", "square", "up", "down"
    width: float = 1.4


SYSTOLIC = Style(BP_INK, (), "down")  # the classic BP chart marks: ▼ systolic over ▲ diastolic
DIASTOLIC = Style(BP_INK, (), "up")
HEART_RATE = Style(HR_INK, (4, 2.5), "ring")
REMISSION = Style(MUTED, (3, 3), "", 1)


@dataclass(frozen=True)
class Box:
    """A plot area in drawing coordinates and the data ranges it shows."""

    x: float
    y: float
    width: float
    height: float
    x_min: float
    x_max: float
    y_min: float
    y_max: float

    def px(self, value: float) -> float:
        return self.x + (value - self.x_min) * self.width / (self.x_max - self.x_min)

    def py(self, value: float) -> float:
        return self.y + (value - self.y_min) * self.height / (self.y_max - self.y_min)


def message(text: str, width: float) -> Drawing:
    """A chart's place when there is nothing to draw: the reason, in words."""
    register_fonts()
    drawing = Drawing(width, 16)
    drawing.add(String(0, 4, text, fontName=BODY, fontSize=9, fillColor=MUTED), name="message")
    return drawing


# --- vital signs ----------------------------------------------------------------------------------------------

def vitals_chart(vitals: Sequence[VitalsEntry], zone_name: str, width: float, height: float,
                 infusion: tuple[datetime, datetime | None] | None = None,
                 window: tuple[datetime, datetime] | None = None) -> Drawing:
    """Systolic and diastolic blood pressure and heart rate against clock time in the clinic's zone; the
    infusion, when given (start, stop or None while running), is shaded so rises can be read against it.
    With a `window` (the session's span) only the readings inside it are charted, so one reading dated
    decades away cannot squeeze the session into a sliver (the sheet says which were left off)."""
    rows = sorted((v for v in charted_readings(vitals, window)
                   if any(x is not None for x in (v.systolic, v.diastolic, v.heart_rate))), key=lambda v: v.taken_at)
    if len(rows) < 2:
        return message(NOT_ENOUGH_READINGS, width)
    register_fonts()
    t0 = rows[0].taken_at
    span = max((rows[-1].taken_at - t0).total_seconds() / 60, 1.0)

    def minutes(at: datetime) -> float:
        return (at - t0).total_seconds() / 60

    series = {name: [(minutes(v.taken_at), getattr(v, name)) for v in rows if getattr(v, name) is not None]
              for name in ("systolic", "diastolic", "heart_rate")}
    values = [y for pts in series.values() for _x, y in pts]
    y_min = max(0, math.floor((min(values) - 5) / 20) * 20)
    y_max = math.ceil((max(values) + 5) / 20) * 20
    y_max = max(y_max, y_min + 60)  # a flat trace should look flat, not magnified into drama
    pad = span * 0.03
    drawing = Drawing(width, height)
    left = stringWidth(str(y_max), BODY, TICK) + 8
    legend_height = _legend(drawing, left, height - LABEL - 1, width - left, [
        ("Systolic BP (mmHg)", SYSTOLIC), ("Diastolic BP (mmHg)", DIASTOLIC), ("Heart rate (bpm)", HEART_RATE)])
    box = Box(left, TICK + 8, width - left - 6, height - legend_height - TICK - 14, -pad, span + pad, y_min, y_max)
    band = None
    if infusion is not None:
        band = _infusion_band(drawing, box, minutes(infusion[0]), minutes(infusion[1]) if infusion[1] else span)
    _y_axis(drawing, box, range(y_min, y_max + 1, 20 if y_max - y_min <= 200 else 40))
    _time_axis(drawing, box, t0, span, ZoneInfo(zone_name))
    if band is not None:  # the band's label goes over the grid lines, which would cut through its letters
        drawing.add(String(band + 3, box.y + box.height - TICK - 2, "Infusion", fontName=BODY, fontSize=TICK,
                           fillColor=MUTED))
    drawing.add(_frame(box), name="plot_area")
    size = 2.6 if len(rows) <= 30 else 1.8  # smaller markers when readings crowd, so the lines stay readable
    for name, style in (("systolic", SYSTOLIC), ("diastolic", DIASTOLIC), ("heart_rate", HEART_RATE)):
        drawing.add(_series(box, series[name], style, size), name=name)
    return drawing


def charted_readings(vitals: Sequence[VitalsEntry], window: tuple[datetime, datetime] | None) -> list[VitalsEntry]:
    """The readings inside the window (all of them without one)."""
    return [v for v in vitals if window is None or window[0] <= v.taken_at <= window[1]]


def _infusion_band(drawing: Drawing, box: Box, start: float, stop: float) -> float | None:
    """Shade the infusion's minutes (clipped to the plot); the band's left edge, or None when none is seen."""
    x0, x1 = (max(box.x, min(box.x + box.width, box.px(m))) for m in (start, stop))
    if x1 - x0 < 1:
        return None
    drawing.add(Rect(x0, box.y, x1 - x0, box.height, fillColor=BAND, strokeColor=None), name="infusion")
    return x0


#: Tick spacings in minutes, from 5 minutes to a day; a longer span ticks every whole number of days.
TIME_STEPS = (5, 10, 15, 20, 30, 60, 120, 240, 480, 720, 1440)


def time_step(span: float, room: float) -> int:
    """The first spacing whose ticks fit in `room`; never more ticks than fit, however long the span."""
    return next((s for s in TIME_STEPS if span / s <= room), 1440 * math.ceil(span / room / 1440))


def _time_axis(drawing: Drawing, box: Box, t0: datetime, span: float, zone: ZoneInfo) -> None:
    """Ticks on round clock times (every 5, 10, 15, 30 ... minutes), as many as fit without crowding; ticks a
    day or more apart are labelled with their date."""
    shape, step = "%H:%M", time_step(span, _room(box, "00:00"))
    if step >= 1440:
        shape, step = "%Y-%m-%d", time_step(span, _room(box, "0000-00-00"))
    start = in_zone(t0, zone)
    minute_of_day = start.hour * 60 + start.minute + start.second / 60
    k = (-minute_of_day) % step
    end = min(box.x_max, (datetime.max.replace(tzinfo=timezone.utc) - t0).total_seconds() / 60)  # the calendar's end
    while k <= end:
        x = box.px(k)
        drawing.add(Line(x, box.y, x, box.y + box.height, strokeColor=GRID, strokeWidth=0.5))
        drawing.add(Line(x, box.y, x, box.y - 3, strokeColor=INK, strokeWidth=0.6))
        label = f"{in_zone(t0 + timedelta(minutes=k), zone):{shape}}"
        drawing.add(String(x, box.y - TICK - 5, label, fontName=BODY, fontSize=TICK, fillColor=INK,
                           textAnchor="middle"))
        k += step


def _room(box: Box, label: str) -> float:
    """How many tick labels like `label` fit along the box with a gap between them."""
    return box.width / (stringWidth(label, BODY, TICK) + 14)


# --- rating scales --------------------------------------------------------------------------------------------

def scale_style(chart: ChartStyle) -> Style:
    """A definition's toolkit-free chart style as ReportLab draws it."""
    return Style(colors.HexColor(chart.colour), chart.dash, chart.marker)


def scores_chart(scores: SeriesScores | None, width: float, height: float,
                 settings: ClinicSettings | None = None) -> Drawing:
    """The tracked scales' totals (PHQ-9, GAD-7, MADRS) before each session, one panel per scale, each on its own
    full range (0-27, 0-21, 0-60) so a total reads as the number the psychiatrist knows; a scale whose chart style
    asks for it (PHQ-9) shows its remission line at the clinic's cut-off (`settings`, the defaults when None)."""
    latest = latest_points(scores.points) if scores is not None else {}
    if not latest:
        return message(no_scores_text(), width)
    register_fonts()
    settings = settings or ClinicSettings()
    shown = [s for s in charted() if s.code in latest]
    sequences = [seq for pts in latest.values() for seq, _total in pts]
    first = min(min(sequences), 1)
    last = max([first + 1, max(sequences), scores.planned_sessions])
    drawing = Drawing(width, height)
    entries = [(f"{s.name} total", scale_style(s.outcome.chart)) for s in shown]
    cutoffs = {s.code: s.outcome.remission.cutoff(settings) for s in shown
               if s.outcome.chart.remission_line and s.outcome.remission is not None}
    entries += [(f"{s.name} remission (total {s.outcome.remission.phrase(cutoffs[s.code])})", REMISSION)
                for s in shown if s.code in cutoffs]
    gap, left = 14.0, stringWidth("60", BODY, TICK) + 8
    top = height - _legend(drawing, left, height - LABEL - 1, width - left, entries)
    panel_width = (width - gap * (len(shown) - 1)) / len(shown)
    for n, scale in enumerate(shown):
        code = scale.code
        x = n * (panel_width + gap)
        box = Box(x + left, 2 * TICK + 16, panel_width - left - 4, top - LABEL - 2 * TICK - 26,
                  first - 0.5, last + 0.5, 0, scale.max_total)
        drawing.add(String(box.x, box.y + box.height + 4, f"{scale.name} (0\u2013{scale.max_total})",
                           fontName=BODY, fontSize=LABEL, fillColor=INK))
        _y_axis(drawing, box, range(0, scale.max_total + 1, 5 if scale.max_total <= 30 else 10))
        _session_axis(drawing, box, first, last)
        if code in cutoffs:
            _remission(drawing, box, cutoffs[code], scale.outcome.remission.inclusive)
        drawing.add(_frame(box), name=f"{code}_area")
        points = latest[code]
        drawing.add(_series(box, points, scale_style(scale.outcome.chart)), name=f"{code}_series")
        _end_labels(drawing, box, points)
    title = "Session number (0 = baseline)" if first == 0 else "Session number"
    drawing.add(String(width / 2, 2, f"{title}; each total is the score before that session's infusion",
                       fontName=BODY, fontSize=TICK, fillColor=MUTED, textAnchor="middle"))
    return drawing


def latest_points(points: Sequence[ScorePoint]) -> dict[str, list[tuple[int, int]]]:
    """(session, total) per charted scale in session order; a score re-entered for a session replaces the
    earlier one, as on the outcomes screen."""
    codes = {s.code for s in charted()}
    out: dict[str, dict[int, int]] = {}
    for p in points:
        if p.instrument in codes:
            out.setdefault(p.instrument, {})[p.sequence] = p.total
    return {code: sorted(by_session.items()) for code, by_session in out.items()}


def _session_axis(drawing: Drawing, box: Box, first: int, last: int) -> None:
    room = box.width / (stringWidth("00", BODY, TICK) + 6)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 10**6) if (last - first) / s <= room)
    for seq in range(first, last + 1):
        x = box.px(seq)
        drawing.add(Line(x, box.y, x, box.y + box.height, strokeColor=GRID, strokeWidth=0.5))
        if (seq - first) % step == 0:
            drawing.add(Line(x, box.y, x, box.y - 3, strokeColor=INK, strokeWidth=0.6))
            drawing.add(String(x, box.y - TICK - 5, str(seq), fontName=BODY, fontSize=TICK, fillColor=INK,
                               textAnchor="middle"))


def _remission(drawing: Drawing, box: Box, cutoff: int, inclusive: bool) -> None:
    y = box.py(cutoff)
    drawing.add(_line([(box.x, y), (box.x + box.width, y)], REMISSION), name="remission")
    drawing.add(String(box.x + 3, y + 2, f"remission {'≤' if inclusive else '<'} {cutoff}", fontName=BODY,
                       fontSize=TICK - 0.5, fillColor=MUTED))


def _end_labels(drawing: Drawing, box: Box, points: list[tuple[int, int]]) -> None:
    """The first and the latest totals written over their markers: the two numbers a reader looks for. The
    latest goes under its marker when the line comes down to it, so the line never crosses the number."""
    for n in sorted({0, len(points) - 1}):
        seq, total = points[n]
        below = n > 0 and points[n - 1][1] > total and total > 0
        y = box.py(total) + (-TICK - 4 if below else 5)
        drawing.add(String(box.px(seq), y, str(total), fontName=BODY, fontSize=TICK, fillColor=INK,
                           textAnchor="middle"))


# --- shared pieces ----------------------------------------------------------------------------------------------

def _frame(box: Box) -> Rect:
    return Rect(box.x, box.y, box.width, box.height, fillColor=None, strokeColor=INK, strokeWidth=0.7)


def _y_axis(drawing: Drawing, box: Box, ticks: range) -> None:
    for value in ticks:
        y = box.py(value)
        drawing.add(Line(box.x, y, box.x + box.width, y, strokeColor=GRID, strokeWidth=0.5))
        drawing.add(String(box.x - 4, y - TICK / 2 + 1, str(value), fontName=BODY, fontSize=TICK, fillColor=INK,
                           textAnchor="end"))


def _series(box: Box, points: Sequence[tuple[float, float]], style: Style, size: float = 2.6) -> Group:
    """A line through the readings (across a missing one: the markers show where readings are) and a marker
    on each reading."""
    group = Group()
    xy = [(box.px(x), box.py(y)) for x, y in points]
    if len(xy) >= 2:
        group.add(_line(xy, style))
    for x, y in xy:
        group.add(_marker(style, x, y, size))
    return group


def _line(xy: Sequence[tuple[float, float]], style: Style) -> PolyLine:
    return PolyLine([c for point in xy for c in point], strokeColor=style.color, strokeWidth=style.width,
                    strokeDashArray=list(style.dash) or None, strokeLineJoin=1)


def _marker(style: Style, x: float, y: float, r: float = 2.6) -> object:
    if style.marker == "ring":
        return Circle(x, y, r, fillColor=colors.white, strokeColor=style.color, strokeWidth=1)
    if style.marker == "square":
        return Rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7, fillColor=style.color, strokeColor=None)
    if style.marker in ("up", "down"):
        s = 1 if style.marker == "up" else -1
        return Polygon([x - r, y - s * r * 0.8, x + r, y - s * r * 0.8, x, y + s * r * 1.1], fillColor=style.color,
                       strokeColor=None)
    return Circle(x, y, r * 0.9, fillColor=style.color, strokeColor=None)


def _legend(drawing: Drawing, x: float, y: float, width: float, entries: list[tuple[str, Style]]) -> float:
    """Entries left to right, wrapping to a new row when the width runs out; returns the height it took."""
    group, cx, cy, sample = Group(), x, y, 22
    for label, style in entries:
        need = sample + 4 + stringWidth(label, BODY, LABEL)
        if cx > x and cx + need > x + width:
            cx, cy = x, cy - LABEL - 5
        mid = cy + LABEL * 0.3
        group.add(_line([(cx, mid), (cx + sample, mid)], style))
        if style.marker:
            group.add(_marker(style, cx + sample / 2, mid))
        group.add(String(cx + sample + 4, cy, label, fontName=BODY, fontSize=LABEL, fillColor=INK))
        cx += need + 14
    drawing.add(group, name="legend")
    return y - cy + LABEL + 8
