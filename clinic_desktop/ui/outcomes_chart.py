"""The outcomes chart: PHQ-9 and GAD-7 before each session, series after series, with the guides drawn in.

Drawn with QPainter (PySide6-Essentials has no QtCharts). Every size comes from the font, so the chart grows
with 150 % or 200 % scaling; meaning is carried by marker shapes, line styles and words, never by colour alone.
"""

from __future__ import annotations

from typing import Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QMouseEvent, QPaintEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.records import SeriesScores
from clinic_desktop.domain.scales import get_scale
from clinic_desktop.ui import formatting
from clinic_desktop.ui.outcome_tracks import SeriesTrack, percent_text, response_level, tracks

#: Ink: dark enough to read as text on white (contrast above 7:1), the line a calm blue.
INK, MUTED, GRID, LINE = QColor("#202124"), QColor("#5f6368"), QColor("#e8eaed"), QColor("#174ea6")
#: Guides: remission in green, response in amber; dash patterns (not colour) tell them apart.
REMISSION_INK, RESPONSE_INK = QColor("#1e6b30"), QColor("#8a4b00")


def _trace(a: QPointF, b: QPointF, u: float) -> list[QRectF]:
    """Small boxes along a drawn line, so labels can tell how much of it they would cover."""
    steps = max(1, int((abs(b.x() - a.x()) + abs(b.y() - a.y())) / (u * 0.4)))
    return [QRectF(c.x() - 1, c.y() - 1, 2, 2) for c in (a + (b - a) * (k / steps) for k in range(steps + 1))]


class ScoreCanvas(QWidget):
    """One scale's panel: y = total (0 to the scale's maximum), x = session number, series after series."""

    def __init__(self, code: str, series: Sequence[SeriesScores], settings: ClinicSettings, zone: ZoneInfo,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.scale = get_scale(code)
        #: The scale's remission rule drawn as a guide (a scale on this chart has one: see its OutcomeMeasure).
        self.remission = self.scale.outcome.remission
        self.cutoff = self.remission.cutoff(settings)
        self.settings = settings
        self.tracks = tracks(series, code, settings)
        self._zone = zone
        self._plot: tuple[object, QRectF] = (None, QRectF())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMouseTracking(True)
        self.setAccessibleName(f"{self.scale.name} chart")

    @property
    def slots(self) -> int:
        return sum(t.span for t in self.tracks)

    def sizeHint(self) -> QSize:
        u = self.fontMetrics().height()
        return QSize(u * 30, u * 17)

    def minimumSizeHint(self) -> QSize:
        u = self.fontMetrics().height()
        return QSize(u * 16, u * 17)

    # --- geometry ---------------------------------------------------------------------------------
    def plot_rect(self) -> QRectF:
        # Asked for every point and label drawn: measured again only when the size or the font changes.
        key = (self.width(), self.height(), self.font().key())
        if self._plot[0] != key:
            fm, u = self.fontMetrics(), self.fontMetrics().height()
            left = fm.horizontalAdvance(str(self.scale.max_total)) + u * 0.8
            rule = self.remission.phrase(self.cutoff)
            right = max(fm.horizontalAdvance("remission"), fm.horizontalAdvance(rule)) + u * 0.6
            self._plot = (key, QRectF(left, u * 2.8, max(u, self.width() - left - right),
                                      max(u, self.height() - u * 6.4)))
        return QRectF(self._plot[1])

    def x_at(self, slot: float) -> float:
        """The centre of 1-based session slot `slot` counted along the whole axis."""
        plot = self.plot_rect()
        return plot.left() + (slot - 0.5) * plot.width() / max(1, self.slots)

    def y_at(self, total: float) -> float:
        plot = self.plot_rect()
        return plot.bottom() - total * plot.height() / self.scale.max_total

    # --- painting ---------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()  # even after an error, or Qt is left with a painter still open on the window

    def _paint(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        u = self.fontMetrics().height()
        title = QFont(self.font())
        title.setBold(True)
        p.setFont(title)
        p.setPen(INK)
        p.drawText(QPointF(0, u), f"{self.scale.name} before each session  "
                                  f"(0–{self.scale.max_total}, lower is better)")
        p.setFont(self.font())
        placed: list[QRectF] = []  # every label so far, so later ones go where they cover none
        marks: list[QRectF] = []  # drawn lines: labels avoid covering them where they can
        self._axes(p, placed, marks)
        if not any(t.points for t in self.tracks):
            p.setPen(MUTED)
            p.drawText(self.plot_rect(), Qt.AlignmentFlag.AlignCenter, f"No {self.scale.name} scores yet")
        self._remission_guide(p, placed, marks)
        for track in self.tracks:
            self._track(p, track, placed, marks)
        # Labels by importance: baseline and latest always show, then the guides, then other scores if room.
        for track in self.tracks:
            self._labels(p, track, placed, marks, key=True)
        for track in self.tracks:
            self._response_label(p, track, placed, marks)
        for track in self.tracks:
            self._labels(p, track, placed, marks, key=False)

    def _axes(self, p: QPainter, placed: list[QRectF], marks: list[QRectF]) -> None:
        plot, fm, u = self.plot_rect(), self.fontMetrics(), self.fontMetrics().height()
        placed.append(QRectF(0, 0, plot.left() - u * 0.2, self.height()))  # the y axis numbers
        placed.append(QRectF(0, plot.bottom() + 1, self.width(), self.height()))  # and everything under x
        for total in range(0, self.scale.max_total + 1, 5):
            y = self.y_at(total)
            p.setPen(QPen(GRID, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(MUTED)
            p.drawText(QRectF(0, y - u / 2, plot.left() - u * 0.4, u),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(total))
        p.setPen(QPen(MUTED, 1))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())
        slot_width = plot.width() / max(1, self.slots)
        every = max(1, int(fm.horizontalAdvance("00") * 1.6 // max(1.0, slot_width)) + 1)
        for track in self.tracks:
            for k in range(1, track.span + 1):
                if k == 1 or k % every == 0:
                    x = self.x_at(track.offset + k)
                    p.drawText(QRectF(x - slot_width, plot.bottom() + u * 0.2, slot_width * 2, u),
                               Qt.AlignmentFlag.AlignCenter, str(k))
            left = self.x_at(track.offset + 0.5)
            width = track.span * slot_width
            for row, text in enumerate((track.short_name, f"from {formatting.day(track.series.start_date)}")):
                text = fm.elidedText(text, Qt.TextElideMode.ElideRight, int(width - u * 0.4))
                p.drawText(QRectF(left, plot.bottom() + u * (1.4 + row * 1.1), width, u),
                           Qt.AlignmentFlag.AlignCenter, text)
            if track.offset:  # the boundary between this series and the one before
                p.setPen(QPen(INK, 1.5, Qt.PenStyle.DashDotLine))
                p.drawLine(QPointF(left, plot.top() - u * 0.5), QPointF(left, plot.bottom() + u * 3.6))
                # weighed heavily: a label across the boundary reads as belonging to the wrong series
                marks.extend(4 * _trace(QPointF(left, plot.top()), QPointF(left, plot.bottom()), u))
                p.setPen(QPen(MUTED, 1))
        p.drawText(QRectF(plot.right() + u * 0.3, plot.bottom() + u * 0.2, self.width(), u),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "session")

    def _remission_guide(self, p: QPainter, placed: list[QRectF], marks: list[QRectF]) -> None:
        plot, u = self.plot_rect(), self.fontMetrics().height()
        y = self.y_at(self.cutoff)
        p.setPen(QPen(REMISSION_INK, 2, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        marks.extend(_trace(QPointF(plot.left(), y), QPointF(plot.right(), y), u))
        box = QRectF(plot.right() + u * 0.3, y - u * 1.1, self.width() - plot.right(), u * 2.2)
        p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   f"remission\n{self.remission.phrase(self.cutoff)}")
        placed.append(box)

    def points_xy(self, track: SeriesTrack) -> list[QPointF]:
        return [QPointF(self.x_at(track.offset + pt.sequence), self.y_at(pt.total)) for pt in track.points]

    def _response_span(self, track: SeriesTrack) -> tuple[float, float, float] | None:
        """(left, right, y) of the series' response guide; None without a baseline above 0 to halve."""
        o, u = track.outcome, self.fontMetrics().height()
        if o is None or o.baseline <= 0:
            return None
        return (self.x_at(track.offset + 1) - u * 0.6, self.x_at(track.offset + track.span) + u * 0.6,
                self.y_at(response_level(o.baseline, self.settings)))

    def _track(self, p: QPainter, track: SeriesTrack, placed: list[QRectF], marks: list[QRectF]) -> None:
        """The response guide, the line through the scores, the baseline square and the session dots."""
        if not track.points:
            return
        u = self.fontMetrics().height()
        guide = self._response_span(track)
        if guide is not None:
            left, right, y = guide
            p.setPen(QPen(RESPONSE_INK, 2, Qt.PenStyle.DotLine))
            p.drawLine(QPointF(left, y), QPointF(right, y))
            marks.extend(_trace(QPointF(left, y), QPointF(right, y), u))
        xy = self.points_xy(track)
        path = QPainterPath(xy[0])
        for a, b in zip(xy, xy[1:]):
            path.lineTo(b)
            marks.extend(_trace(a, b, u))
        p.setPen(QPen(LINE, 2.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        r = u * 0.32
        for n, at in enumerate(xy):
            if n == 0:  # the baseline: a hollow square, larger than the session dots
                p.setPen(QPen(INK, 2))
                p.setBrush(QColor("#ffffff"))
                p.drawRect(QRectF(at.x() - r * 1.4, at.y() - r * 1.4, r * 2.8, r * 2.8))
            else:
                p.setPen(QPen(LINE, 1))
                p.setBrush(LINE)
                p.drawEllipse(at, r, r)
            placed.append(QRectF(at.x() - r * 1.4, at.y() - r * 1.4, r * 2.8, r * 2.8))

    def _response_label(self, p: QPainter, track: SeriesTrack, placed: list[QRectF], marks: list[QRectF]) -> None:
        guide = self._response_span(track) if track.points else None
        if guide is None:
            return
        left, right, y = guide
        text = f"{self.settings.response_reduction_percent} % of baseline"
        w, h = self._text_size(p, text, False)
        u = self.fontMetrics().height()
        spots = [(x, y + dy) for dy in (-h - u * 0.1, u * 0.1)
                 for x in (left + u * 1.2, right - w - u * 0.2, (left + right - w) / 2)]
        self._put(p, text, spots, w, h, placed, marks, bold=False, must=False, ink=RESPONSE_INK)  # legend has it

    def _labels(self, p: QPainter, track: SeriesTrack, placed: list[QRectF], marks: list[QRectF],
                key: bool) -> None:
        """The baseline and latest scores (`key`: always shown), or the others (only where they fit)."""
        if not track.points:
            return
        xy, o, u = self.points_xy(track), track.outcome, self.fontMetrics().height()
        for n in ([0] + ([len(xy) - 1] if len(xy) > 1 else [])) if key else range(1, len(xy) - 1):
            total = track.points[n].total
            if n == 0:
                text = f"baseline {total}"
            elif n == len(xy) - 1:
                text = f"{total}  ({percent_text(o.percent_change if o else None)})"
            else:
                text = str(total)
            latest = 0 < n == len(xy) - 1
            w, h = self._text_size(p, text, latest)
            x, y, gap = xy[n].x(), xy[n].y(), u * 0.45
            spots = [(x - w / 2, y - gap - h), (x - w / 2, y + gap), (x - w + gap, y - gap - h), (x - w + gap, y + gap),
                     (x + gap, y - h / 2), (x - gap - w, y - h / 2),
                     (x + gap * 0.5, y - gap - h), (x + gap * 0.5, y + gap), (x - w - gap * 0.5, y - gap - h),
                     (x - w - gap * 0.5, y + gap)]
            self._put(p, text, spots, w, h, placed, marks, bold=latest, must=n == 0 or latest)

    def _text_size(self, p: QPainter, text: str, bold: bool) -> tuple[float, float]:
        font = QFont(self.font())
        font.setBold(bold)
        u = self.fontMetrics().height()
        return QFontMetricsF(font).horizontalAdvance(text) + u * 0.3, u * 1.05

    def _put(self, p: QPainter, text: str, spots: list[tuple[float, float]], w: float, h: float,
             placed: list[QRectF], marks: list[QRectF], bold: bool, must: bool, ink: QColor = INK) -> None:
        """Text on white at the first of `spots` (top-left corners) that covers no other label or point and the
        least of the lines; left out if it fits nowhere, unless `must`, when it goes where it covers least."""
        plot = self.plot_rect()
        boxes = [QRectF(min(max(plot.left(), sx), self.width() - w), min(max(0.0, sy), self.height() - h), w, h)
                 for sx, sy in spots]
        # Only what lies near the spots can be covered: one pass over everything drawn, not one per spot (a
        # long chart has thousands of marks, and this ran for every label).
        near = boxes[0]
        for box in boxes[1:]:
            near = near.united(box)
        near_placed = [r for r in placed if near.intersects(r)]
        near_marks = [m for m in marks if near.intersects(m)]
        best, best_cost = None, None
        for box in boxes:
            hard = sum(box.intersects(other) for other in near_placed)
            cost = hard * 100 + sum(box.intersects(m) for m in near_marks)
            if (must or hard == 0) and (best_cost is None or cost < best_cost):
                best, best_cost = box, cost
        if best is None:
            return
        placed.append(best)
        font = QFont(self.font())
        font.setBold(bold)
        p.setFont(font)
        p.fillRect(best, QColor(255, 255, 255, 220))
        p.setPen(ink)
        p.drawText(best, Qt.AlignmentFlag.AlignCenter, text)
        p.setFont(self.font())

    # --- tool tips ----------------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        # The tip follows the mouse (tracking is on); no event() override, which PySide may call mid-destruction.
        tip = self.tip_at(event.position())
        if tip != self.toolTip():
            self.setToolTip(tip)
        super().mouseMoveEvent(event)

    def tip_at(self, where: QPointF) -> str:
        """The score nearest the mouse (within a line height): its total, session and date."""
        u, best, text = self.fontMetrics().height(), None, ""
        for track in self.tracks:
            for pt in track.points:
                d = abs(self.x_at(track.offset + pt.sequence) - where.x()) + abs(self.y_at(pt.total) - where.y())
                if d <= u * 1.5 and (best is None or d < best):
                    best = d
                    text = (f"{self.scale.name} {pt.total} before session {pt.sequence} "
                            f"({track.name}), {formatting.local_time(pt.taken_at, self._zone)}")
        return text
