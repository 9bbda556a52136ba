"""The Qt binding itself: painting must not corrupt Python's reference counts (PySide6 6.12.0 did on Python
3.11, and a long day of repainted charts then aborted the whole application)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen

#: Strokes per check: a leak of one reference per call shows as thousands; a few are the binding's caches.
STROKES = 2000


def test_painting_keeps_the_reference_counts_of_none_right(qapp):
    image = QImage(40, 40, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    pen, brush = QPen(QColor("#1a73e8")), QBrush(QColor("#fef7e0"))
    try:
        for name, stroke in (("setPen", lambda: painter.setPen(pen)), ("setBrush", lambda: painter.setBrush(brush)),
                             ("drawLine", lambda: painter.drawLine(QPointF(0, 0), QPointF(30, 30)))):
            before = sys.getrefcount(None)
            for _ in range(STROKES):
                stroke()
            lost = before - sys.getrefcount(None)
            assert lost < 10, f"QPainter.{name} released {lost} references to None in {STROKES} calls"
    finally:
        painter.end()
