"""A small chart of blood pressure and heart rate over a session, painted with QPainter (PySide6-Essentials has no
QtCharts): systolic ▼ and diastolic ▲ joined by a bar, heart rate as a line, the infusion's start and stop marked.
Sizes come from the font, so the chart stays readable at 200 % scaling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from clinic_desktop.domain.session_records import VitalsEntry
from clinic_desktop.ui import formatting

#: The plot's scales, in widget pixels: a time to its x, a reading to its y.
XOf = Callable[[datetime], float]
YOf = Callable[[float], float]

#: Dark, colour-blind-distinguishable colours (blue and orange), each also told apart by its marker shape.
BP_COLOUR = QColor("#174ea6")
HR_COLOUR = QColor("#b45309")
MARK_COLOUR = QColor("#1e4620")
GRID_COLOUR = QColor("#e8eaed")
AXIS_COLOUR = QColor("#3c4043")
#: The value axis always shows at least this range (mmHg and beats per minute share it).
Y_LOW, Y_HIGH, Y_STEP = 40, 200, 20
BP_LEGEND = "Blood pressure: systolic ▼, diastolic ▲ (mmHg)"
HR_LEGEND = "Heart rate (beats/min)"
#: Candidate spacings of the time ticks, in minutes: the first that leaves room for its labels is used.
X_STEPS = (5, 10, 15, 30, 60, 120)


@dataclass(frozen=True)
class Point:
    at: datetime
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None


class VitalsChart(QWidget):
    """Call `set_data` with the session's readings; the chart repaints itself."""

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self.points: list[Point] = []
        self.started_at: datetime | None = None
        self.stopped_at: datetime | None = None
        self._now: datetime | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Chart of blood pressure and heart rate")
        self.setMinimumHeight(self.fontMetrics().height() * 16)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 40)

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * 70, metrics.height() * 20)

    def set_data(self, vitals: Sequence[VitalsEntry], started_at: datetime | None, stopped_at: datetime | None,
                 now: datetime, window: tuple[datetime, datetime] | None = None) -> None:
        """With a `window` (the session's span), only what falls inside it is drawn: one reading dated decades
        away would otherwise squeeze the session into a sliver (and its ticks into millions)."""
        def inside(at: datetime | None) -> bool:
            return at is not None and (window is None or window[0] <= at <= window[1])

        self.points = [Point(v.taken_at, v.systolic, v.diastolic, v.heart_rate) for v in vitals
                       if (v.systolic is not None or v.heart_rate is not None) and inside(v.taken_at)]
        self.points.sort(key=lambda p: p.at)
        self.started_at = started_at if inside(started_at) else None
        self.stopped_at = stopped_at if inside(stopped_at) else None
        self._now = now
        self.setAccessibleDescription(self.summary())
        self.update()

    def summary(self) -> str:
        """The chart in words, for a screen reader (and a tool tip)."""
        if not self.points:
            return "No blood pressure or heart rate recorded yet."
        parts = []
        for p in self.points:
            bp = f"{p.systolic}/{p.diastolic}" if p.systolic is not None else "no BP"
            hr = f"HR {p.heart_rate}" if p.heart_rate is not None else "no HR"
            parts.append(f"{self._clock(p.at)} {bp}, {hr}")
        return "; ".join(parts)

    # --- geometry ---------------------------------------------------------------------------------------
    def time_range(self) -> tuple[datetime, datetime]:
        moments = [p.at for p in self.points] + [t for t in (self.started_at, self.stopped_at) if t is not None]
        if self.started_at is not None and self.stopped_at is None and self._now is not None:
            moments.append(self._now)  # still infusing: the axis runs up to now
        first, last = min(moments), max(moments)
        span = max(last - first, timedelta(minutes=20))
        pad = span / 12
        return first - pad, first + span + pad

    def value_range(self) -> tuple[int, int]:
        values = [v for p in self.points for v in (p.systolic, p.diastolic, p.heart_rate) if v is not None]
        low = min([Y_LOW, *values])
        high = max([Y_HIGH, *values])
        return math.floor(low / Y_STEP) * Y_STEP, math.ceil(high / Y_STEP) * Y_STEP

    def plot_rect(self) -> QRectF:
        """The area inside the axes: room left for the values, below for the times and above for the legend
        and the axis' unit."""
        m = self.fontMetrics()
        left = m.horizontalAdvance("200") + 14
        top = m.height() * (self._legend_lines() + 1.9)
        bottom = m.height() * 2.4
        right = m.horizontalAdvance("00:00") / 2 + 8
        return QRectF(left, top, max(self.width() - left - right, 10), max(self.height() - top - bottom, 10))

    def _legend_lines(self) -> int:
        m = self.fontMetrics()
        needed = m.horizontalAdvance(BP_LEGEND + HR_LEGEND) + m.height() * 3 + m.averageCharWidth() * 3
        return 1 if needed <= self.width() else 2

    # --- painting ---------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if not self.points:
            painter.setPen(AXIS_COLOUR)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No blood pressure or heart rate yet")
            painter.end()
            return
        plot = self.plot_rect()
        t0, t1 = self.time_range()
        y0, y1 = self.value_range()

        def x_of(at: datetime) -> float:
            return plot.left() + plot.width() * ((at - t0) / (t1 - t0))

        def y_of(value: float) -> float:
            return plot.bottom() - plot.height() * (value - y0) / (y1 - y0)

        self._axes(painter, plot, t0, t1, y0, y1, x_of, y_of)
        self._marks(painter, plot, x_of)
        self._blood_pressure(painter, x_of, y_of)
        self._heart_rate(painter, x_of, y_of)
        self._legend(painter, plot)
        painter.end()

    def _axes(self, painter: QPainter, plot: QRectF, t0: datetime, t1: datetime, y0: int, y1: int,
              x_of: XOf, y_of: YOf) -> None:
        m = self.fontMetrics()
        # Every 20 units when the labels have room, else every 40 (a short window at 200 %).
        step = Y_STEP if plot.height() * Y_STEP / (y1 - y0) >= m.height() * 1.1 else Y_STEP * 2
        first = y0 if y0 % step == 0 else y0 + Y_STEP
        painter.setPen(QPen(GRID_COLOUR, 1))
        for value in range(first, y1 + 1, step):
            painter.drawLine(QPointF(plot.left(), y_of(value)), QPointF(plot.right(), y_of(value)))
        painter.setPen(AXIS_COLOUR)
        for value in range(first, y1 + 1, step):
            box = QRectF(0, y_of(value) - m.height() / 2, plot.left() - 6, m.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(value))
        painter.drawText(QRectF(0, plot.top() - m.height() * 1.75, plot.width(), m.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "mmHg · beats/min")
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        # Time ticks every 5, 10, 15 ... minutes on the clock, as many as the labels leave room for.
        minutes = (t1 - t0).total_seconds() / 60
        label_width = m.horizontalAdvance("00:00") * 1.6
        fit = max(plot.width() / label_width, 1)  # labels that fit: never more ticks than that, whatever the span
        step_min = next((s for s in X_STEPS if plot.width() * s / max(minutes, 1) >= label_width),
                        max(X_STEPS[-1], math.ceil(minutes / fit / 60) * 60))
        local0 = t0.astimezone(self._zone)
        tick = local0.replace(second=0, microsecond=0) + timedelta(minutes=step_min - local0.minute % step_min)
        while tick <= t1:
            x = x_of(tick)
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            box = QRectF(x - label_width / 2, plot.bottom() + 4, label_width, m.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self._clock(tick))
            tick += timedelta(minutes=step_min)
        painter.drawText(QRectF(plot.left(), plot.bottom() + m.height() + 4, plot.width(), m.height()),
                         Qt.AlignmentFlag.AlignHCenter, "Time")

    def _marks(self, painter: QPainter, plot: QRectF, x_of: XOf) -> None:
        """Dashed lines at the infusion's start and stop, labelled inside the plot beside the line."""
        m = self.fontMetrics()
        for at, word in ((self.started_at, "Start"), (self.stopped_at, "Stop")):
            if at is None:
                continue
            x = x_of(at)
            painter.setPen(QPen(MARK_COLOUR, 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            text = f"{word} {self._clock(at)}"
            width = m.horizontalAdvance(text) + 6
            left = x + 4 if x + 4 + width <= plot.right() else x - 4 - width
            box = QRectF(left, plot.top() + 2, width, m.height())
            painter.fillRect(box, QColor("#ffffff"))
            painter.setPen(MARK_COLOUR)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _blood_pressure(self, painter: QPainter, x_of: XOf, y_of: YOf) -> None:
        size = self.fontMetrics().height() * 0.35
        painter.setPen(QPen(BP_COLOUR, 2))
        painter.setBrush(BP_COLOUR)
        for p in self.points:
            if p.systolic is None or p.diastolic is None:
                continue
            x, top, low = x_of(p.at), y_of(p.systolic), y_of(p.diastolic)
            painter.drawLine(QPointF(x, top), QPointF(x, low))
            painter.drawPolygon(_triangle(x, top, size, down=True))
            painter.drawPolygon(_triangle(x, low, size, down=False))

    def _heart_rate(self, painter: QPainter, x_of: XOf, y_of: YOf) -> None:
        radius = self.fontMetrics().height() * 0.22
        path = QPainterPath()
        rates = [p for p in self.points if p.heart_rate is not None]
        for i, p in enumerate(rates):
            point = QPointF(x_of(p.at), y_of(p.heart_rate))
            path.moveTo(point) if i == 0 else path.lineTo(point)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(HR_COLOUR, 2))
        painter.drawPath(path)
        painter.setBrush(HR_COLOUR)
        for p in rates:
            painter.drawEllipse(QPointF(x_of(p.at), y_of(p.heart_rate)), radius, radius)

    def _legend(self, painter: QPainter, plot: QRectF) -> None:
        m = self.fontMetrics()
        x, y = plot.left(), m.height() * 0.1
        size = m.height() * 0.3
        painter.setPen(QPen(BP_COLOUR, 2))
        painter.setBrush(BP_COLOUR)
        painter.drawLine(QPointF(x + size, y + m.height() * 0.3), QPointF(x + size, y + m.height() * 0.75))
        painter.drawPolygon(_triangle(x + size, y + m.height() * 0.3, size, down=True))
        painter.drawPolygon(_triangle(x + size, y + m.height() * 0.75, size, down=False))
        painter.setPen(AXIS_COLOUR)
        painter.drawText(QPointF(x + size * 3, y + m.ascent()), BP_LEGEND)
        if self._legend_lines() == 1:
            x += size * 3 + m.horizontalAdvance(BP_LEGEND) + m.averageCharWidth() * 3
        else:
            y += m.height()
        radius = m.height() * 0.22
        painter.setPen(QPen(HR_COLOUR, 2))
        painter.setBrush(HR_COLOUR)
        painter.drawEllipse(QPointF(x + size, y + m.height() / 2), radius, radius)
        painter.setPen(AXIS_COLOUR)
        painter.drawText(QPointF(x + size * 3, y + m.ascent()), HR_LEGEND)

    def _clock(self, at: datetime) -> str:
        return formatting.local_time(at, self._zone, with_day=False)


def _triangle(x: float, y: float, size: float, down: bool) -> QPolygonF:
    """A marker whose tip touches the value: ▼ for systolic (pointing down at it), ▲ for diastolic."""
    base = y - size * 1.6 if down else y + size * 1.6
    return QPolygonF([QPointF(x, y), QPointF(x - size, base), QPointF(x + size, base)])
