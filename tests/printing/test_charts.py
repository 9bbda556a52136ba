"""The printed charts: points land inside their plot boxes on the right scale, legends say what each line is,
and thin data (no readings, one reading, missing values, one score) gives words instead of a crash."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Polygon, PolyLine, Rect, String

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.records import ScorePoint, SeriesScores
from clinic_desktop.printing.charts import (
    NO_SCORES,
    NOT_ENOUGH_READINGS,
    latest_points,
    scores_chart,
    vitals_chart,
)
from tests.printing import samples

ZONE = "America/New_York"


def walk(node):
    yield node
    for child in getattr(node, "contents", ()):
        yield from walk(child)


def texts(drawing) -> list[str]:
    return [n.text for n in walk(drawing) if isinstance(n, String)]


def centres(group) -> list[tuple[float, float]]:
    """Where each marker of a series sits (the line's own points are checked separately)."""
    out = []
    for n in group.contents:
        if isinstance(n, Circle):
            out.append((n.cx, n.cy))
        elif isinstance(n, Rect):
            out.append((n.x + n.width / 2, n.y + n.height / 2))
        elif isinstance(n, Polygon):
            xs, ys = n.points[0::2], n.points[1::2]
            out.append((sum(xs) / len(xs), (max(ys) + min(ys)) / 2))
    return out


def line_points(group) -> list[tuple[float, float]]:
    lines = [n for n in group.contents if isinstance(n, PolyLine)]
    return [(p[0], p[1]) for line in lines for p in zip(line.points[0::2], line.points[1::2])]


def inside(box: Rect, x: float, y: float, slack: float = 0.01) -> bool:
    return box.x - slack <= x <= box.x + box.width + slack and box.y - slack <= y <= box.y + box.height + slack


def test_vitals_points_fall_inside_the_plot_box():
    """Every reading's marker and line point lies within the plot area, one marker per recorded value."""
    vitals = samples.vitals(12)
    d = vitals_chart(vitals, ZONE, 500, 190)
    for name in ("systolic", "diastolic", "heart_rate"):
        group = getattr(d, name)
        points = centres(group)
        assert len(points) == 12
        assert all(inside(d.plot_area, x, y) for x, y in points + line_points(group))


def test_vitals_scale_keeps_the_order_of_the_values():
    """Higher readings sit higher: the highest systolic (162) is the highest systolic point."""
    vitals = samples.vitals(12)
    d = vitals_chart(vitals, ZONE, 500, 190)
    ys = [y for _x, y in line_points(d.systolic)]
    values = [v.systolic for v in vitals]
    assert ys.index(max(ys)) == values.index(162)
    assert sorted(range(12), key=lambda k: ys[k]) == sorted(range(12), key=lambda k: (values[k], k))
    xs = [x for x, _y in line_points(d.systolic)]
    assert xs == sorted(xs) and xs[0] < xs[-1]  # time runs left to right


def test_vitals_legend_and_clock_labels():
    """The legend names each line with its unit; the time axis speaks clinic clock time (09:30, not 14:30)."""
    words = texts(vitals_chart(samples.vitals(12), ZONE, 500, 190))
    for label in ("Systolic BP (mmHg)", "Diastolic BP (mmHg)", "Heart rate (bpm)"):
        assert label in words
    assert "09:30" in words and "14:30" not in words


def test_vitals_lines_differ_in_style_not_only_colour():
    """Heart rate is dashed and blood pressure solid, so a black-and-white copy tells them apart."""
    d = vitals_chart(samples.vitals(12), ZONE, 500, 190)
    hr = next(n for n in d.heart_rate.contents if isinstance(n, PolyLine))
    bp = next(n for n in d.systolic.contents if isinstance(n, PolyLine))
    assert hr.strokeDashArray and not bp.strokeDashArray


def test_vitals_missing_values_are_skipped():
    """A reading without a heart rate has no heart-rate marker; the chart still draws."""
    vitals = list(samples.vitals(6))
    vitals[2] = replace(vitals[2], heart_rate=None, systolic=None, diastolic=None)
    vitals[3] = replace(vitals[3], heart_rate=None)
    d = vitals_chart(vitals, ZONE, 400, 180)
    assert len(centres(d.heart_rate)) == 4
    assert len(centres(d.systolic)) == 5
    renderPDF.drawToString(d)


def test_vitals_with_too_few_readings_says_so():
    """No reading, one reading, or readings with nothing charted give a sentence, not an axis."""
    one = samples.vitals(1)
    empty = (replace(samples.vitals(2)[0], systolic=None, diastolic=None, heart_rate=None),) * 2
    for vitals in ((), one, empty):
        d = vitals_chart(vitals, ZONE, 400, 180)
        assert texts(d) == [NOT_ENOUGH_READINGS]
        renderPDF.drawToString(d)


def test_vitals_at_one_moment_do_not_divide_by_zero():
    """Two readings with the same time still chart (the time axis gets a minimum span)."""
    first = samples.vitals(1)[0]
    d = vitals_chart((first, replace(first, id=2, systolic=140)), ZONE, 400, 180)
    assert all(inside(d.plot_area, x, y) for x, y in centres(d.systolic))


def _tick_labels(drawing) -> list[str]:
    """The time axis' labels: every text below the plot area."""
    box = drawing.plot_area
    return [n.text for n in walk(drawing) if isinstance(n, String) and n.y < box.y - 8]


def test_a_reading_years_away_never_multiplies_the_ticks():
    """However long the readings' span, the time axis has only as many ticks as fit; days apart, they say the date."""
    vitals = samples.vitals(12)
    far = replace(vitals[3], id=99, taken_at=vitals[0].taken_at - timedelta(days=3 * 365))
    d = vitals_chart((far, *vitals), ZONE, 500, 190)
    labels = _tick_labels(d)
    assert 2 <= len(labels) <= 20
    assert all(len(label) == 10 and label[4] == "-" for label in labels), labels  # 2023-03-04, not 09:00
    assert len(_tick_labels(vitals_chart(vitals, ZONE, 500, 190))) <= 20


def test_readings_outside_the_window_are_not_charted():
    """With the session's window, a reading dated years before it is left off and the rest keep their scale."""
    vitals = samples.vitals(12)
    far = replace(vitals[3], id=99, taken_at=vitals[0].taken_at - timedelta(days=3 * 365), systolic=230)
    window = (samples.START - timedelta(hours=24), samples.START + timedelta(hours=5))
    d = vitals_chart((far, *vitals), ZONE, 500, 190, window=window)
    plain = vitals_chart(vitals, ZONE, 500, 190)
    assert centres(d.systolic) == centres(plain.systolic)
    assert _tick_labels(d) == _tick_labels(plain)


def test_infusion_band_is_drawn_within_the_plot():
    """The infusion's minutes are shaded inside the plot area, starting at its start time."""
    dose = samples.dose()
    d = vitals_chart(samples.vitals(12), ZONE, 500, 190, infusion=(dose.started_at, dose.stopped_at))
    band, box = d.infusion, d.plot_area
    assert box.x < band.x and band.x + band.width < box.x + box.width
    assert "Infusion" in texts(d)


def series(points: tuple[ScorePoint, ...], planned: int = 6) -> SeriesScores:
    return SeriesScores(7, Protocol.IV_INDUCTION, samples.START.date(), planned, points)


def point(seq: int, code: str, total: int) -> ScorePoint:
    return ScorePoint(seq, samples.START + timedelta(days=2 * seq), code, total)


def test_scores_one_panel_per_scale_on_its_own_range():
    """PHQ-9 and GAD-7 get panels on 0-27 and 0-21; every point lies inside its panel."""
    scores = samples.summary_letter().scores
    d = scores_chart(scores, 500, 180)
    words = texts(d)
    assert "PHQ-9 (0\u201327)" in words and "GAD-7 (0\u201321)" in words
    assert not hasattr(d, "madrs_area")
    for code in ("phq9", "gad7"):
        group, box = getattr(d, f"{code}_series"), getattr(d, f"{code}_area")
        assert len(centres(group)) == 7
        assert all(inside(box, x, y) for x, y in centres(group) + line_points(group))


def test_scores_remission_line_sits_at_five_of_twenty_seven():
    """The dashed PHQ-9 remission line is drawn at a total of 5 on the 0-27 axis, and the legend says so."""
    d = scores_chart(samples.summary_letter().scores, 500, 180)
    box, line = d.phq9_area, d.remission
    y = line.points[1]
    assert abs((y - box.y) / box.height - 5 / 27) < 1e-6
    assert line.strokeDashArray
    assert "PHQ-9 remission (total below 5)" in texts(d)
    assert {"PHQ-9 total", "GAD-7 total"} <= set(texts(d))


def test_scores_with_madrs_only_has_no_remission_line():
    """A series scored with MADRS alone shows one 0-60 panel and no PHQ-9 remission line."""
    d = scores_chart(series((point(1, "madrs", 34), point(2, "madrs", 20))), 500, 180)
    assert "MADRS (0\u201360)" in texts(d)
    assert not hasattr(d, "remission") and not hasattr(d, "phq9_area")
    top = max(y for _x, y in line_points(d.madrs_series))
    assert abs((top - d.madrs_area.y) / d.madrs_area.height - 34 / 60) < 1e-6


def test_scores_with_nothing_or_one_point():
    """No scores (or no series) print a sentence; a single score is a marker without a line."""
    for empty in (None, series(())):
        d = scores_chart(empty, 500, 180)
        assert texts(d) == [NO_SCORES]
    one = scores_chart(series((point(1, "phq9", 19),)), 500, 180)
    assert len(centres(one.phq9_series)) == 1 and line_points(one.phq9_series) == []
    renderPDF.drawToString(one)


def test_a_re_entered_score_replaces_the_earlier_one():
    """Two PHQ-9 totals for one session chart once, with the later value (as on the outcomes screen)."""
    pts = (point(1, "phq9", 20), point(1, "phq9", 17), point(2, "phq9", 12), point(2, "cadss", 30))
    assert latest_points(pts) == {"phq9": [(1, 17), (2, 12)]}


def test_charts_fit_the_size_asked_for():
    """A chart is exactly as large as the page asked, whatever is drawn in it."""
    for d in (vitals_chart(samples.vitals(60), ZONE, 510, 190), scores_chart(samples.summary_letter().scores, 510, 180)):
        assert (d.width, d.height) in ((510, 190), (510, 180))
        boxes = [n for n in walk(d) if isinstance(n, Rect)]
        assert all(0 <= b.x and b.x + b.width <= d.width + 0.01 and 0 <= b.y <= d.height for b in boxes)
