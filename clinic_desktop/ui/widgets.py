"""Small building blocks shared by screens: plain-text labels, grade badges, titled sections."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGroupBox, QLabel, QVBoxLayout, QWidget

from clinic_desktop.domain.grading import Grade
from clinic_desktop.ui import formatting


def text_label(text: str = "", *, wrap: bool = True, selectable: bool = True, name: str = "") -> QLabel:
    """A label that shows user data literally: plain text, never rich text (a name like <b>x</b> stays as typed)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def badge(text: str, grade: Grade) -> QLabel:
    """A coloured tag whose words carry the meaning too (colour alone is not enough)."""
    label = text_label(text, wrap=True, selectable=False)
    label.setStyleSheet(formatting.grade_style(grade))
    return label


def section(title: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setSpacing(4)
    return box, layout


def separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setObjectName("separator")
    return line


def clear_layout(layout) -> None:  # noqa: ANN001 (any QLayout)
    """Remove and delete every widget and nested layout."""
    while layout.count():
        item = layout.takeAt(0)
        widget: QWidget | None = item.widget()
        if widget is not None:
            widget.hide()  # gone now, not at the next turn of the event loop
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())
