"""The chart's Outcomes section: a legend, one panel per scale, and beside each the outcome in words."""

from __future__ import annotations

from typing import Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPaintEvent, QPainter, QPen
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.records import SeriesScores
from clinic_desktop.domain.scales import names_in_words
from clinic_desktop.ui import formatting
from clinic_desktop.ui.outcome_tracks import charted, outcome_words
from clinic_desktop.ui.outcomes_chart import INK, LINE, REMISSION_INK, RESPONSE_INK, ScoreCanvas
from clinic_desktop.ui.widgets import text_label


class Legend(QWidget):
    """What each mark means, drawn with the marks themselves, wrapping onto more lines when narrow."""

    ITEMS = (("square", "baseline (first score of a series)"), ("dot", "score before a session"),
             ("dash", "remission cut-off"), ("dots", "response: {p} % of baseline"),
             ("boundary", "next series starts"))

    def __init__(self, settings: ClinicSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items = [(kind, text.format(p=settings.response_reduction_percent)) for kind, text in self.ITEMS]
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Legend: " + "; ".join(text for _k, text in self._items))

    def _places(self, width: int) -> list[tuple[float, float, str, str]]:
        fm, u = self.fontMetrics(), self.fontMetrics().height()
        x = y = 0.0
        out = []
        for kind, text in self._items:
            w = u * 2.2 + fm.horizontalAdvance(text) + u
            if x and x + w > width:
                x, y = 0.0, y + u * 1.4
            out.append((x, y, kind, text))
            x += w
        return out

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return int(self._places(width)[-1][1] + self.fontMetrics().height() * 1.4)

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().height() * 40, self.heightForWidth(self.fontMetrics().height() * 40))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().height() * 12, self.fontMetrics().height() * 1.4)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        u = self.fontMetrics().height()
        for x, y, kind, text in self._places(self.width()):
            mid = y + u * 0.6
            self._mark(p, kind, x, mid, u)
            p.setPen(INK)
            p.drawText(QRectF(x + u * 2.2, y, self.width(), u * 1.2), Qt.AlignmentFlag.AlignVCenter, text)
        p.end()

    @staticmethod
    def _mark(p: QPainter, kind: str, x: float, mid: float, u: float) -> None:
        r = u * 0.32
        if kind == "square":
            p.setPen(QPen(INK, 2))
            p.setBrush(QColor("#ffffff"))
            p.drawRect(QRectF(x + u - r * 1.4, mid - r * 1.4, r * 2.8, r * 2.8))
        elif kind == "dot":
            p.setPen(QPen(LINE, 2.5))
            p.drawLine(QPointF(x, mid), QPointF(x + u * 1.8, mid))
            p.setBrush(LINE)
            p.drawEllipse(QPointF(x + u * 0.9, mid), r, r)
        elif kind == "boundary":
            p.setPen(QPen(INK, 1.5, Qt.PenStyle.DashDotLine))
            p.drawLine(QPointF(x + u * 0.9, mid - u * 0.6), QPointF(x + u * 0.9, mid + u * 0.6))
        else:
            ink, style = (REMISSION_INK, Qt.PenStyle.DashLine) if kind == "dash" else (RESPONSE_INK,
                                                                                      Qt.PenStyle.DotLine)
            p.setPen(QPen(ink, 2, style))
            p.drawLine(QPointF(x, mid), QPointF(x + u * 1.8, mid))


class OutcomesPanel(QWidget):
    """PHQ-9 and GAD-7 over every series, each panel with its outcome in words beside it (below when narrow)."""

    def __init__(self, series: Sequence[SeriesScores], settings: ClinicSettings, zone: ZoneInfo,
                 side_by_side: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvases: list[ScoreCanvas] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        if not any(s.points for s in series):
            layout.addWidget(text_label(f"No {names_in_words(charted())} scores before a session yet. The chart "
                                        "starts with the first one.", name="muted"))
            return
        layout.addWidget(Legend(settings))
        for scale in charted():
            canvas = ScoreCanvas(scale.code, series, settings, zone)
            heading = text_label(f"{scale.name} ({scale.outcome.measures})", name="subheading")
            if not any(t.points for t in canvas.tracks):  # a sentence, not an empty chart
                layout.addWidget(heading)
                layout.addWidget(text_label(f"No {canvas.scale.name} scores before a session yet."))
                canvas.deleteLater()
                continue
            self.canvases.append(canvas)
            words = QVBoxLayout()
            words.setSpacing(2)
            words.addWidget(heading)
            for track in canvas.tracks:
                if not track.points:
                    continue
                words.addWidget(text_label(f"{track.series.protocol.label}, from "
                                           f"{formatting.day(track.series.start_date)}", name="muted"))
                for n, line in enumerate(outcome_words(track, canvas.cutoff, settings)):
                    label = text_label(line)
                    if n == 0:  # the course and where it stands now (a style sheet, as the theme sets weights)
                        label.setStyleSheet("font-weight: 600;")
                    words.addWidget(label)
            words.addStretch(1)
            # A screen reader hears the words beside the drawing, which it cannot see.
            canvas.setAccessibleDescription("; ".join(" ".join(outcome_words(t, canvas.cutoff, settings))
                                                      for t in canvas.tracks if t.points))
            # Fixed when built: the chart rebuilds itself when it changes between wide and narrow.
            row = QBoxLayout(QBoxLayout.Direction.LeftToRight if side_by_side else QBoxLayout.Direction.TopToBottom)
            row.setSpacing(16 if side_by_side else 6)
            row.addWidget(canvas, 3)
            row.addLayout(words, 2)
            layout.addLayout(row)
