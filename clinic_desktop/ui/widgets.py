"""Small building blocks shared by screens: plain-text labels, grade badges, titled sections, form pieces."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

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


def error_label(name: str = "fieldError") -> QLabel:
    """Where a form says what is wrong, beside the field; empty (and taking no room) until then."""
    label = text_label("", selectable=False, name=name)
    label.setVisible(False)
    label.setAccessibleName("Error")
    return label


def set_error(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))


def plain_tooltip(text: str) -> str:
    """Tool tips guess at rich text; escaping makes user text show literally there too."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>" if text else ""


def link_button(text: str) -> QPushButton:
    """A button that looks like a link (and is reached with Tab and pressed with Space like any button)."""
    button = QPushButton(text)
    button.setObjectName("link")
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setAutoDefault(False)
    return button


class FitScrollArea(QScrollArea):
    """A scroll area whose page is as tall as its wrapped text needs at the current width (a scroll area does
    not ask for height-for-width by itself), so a short window at 200 % scrolls instead of clipping lines."""

    def __init__(self, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(body)
        body.installEventFilter(self)

    def fit(self) -> None:
        body, width = self.widget(), self.viewport().width()
        layout = body.layout() if body is not None else None
        if layout is None:
            return
        needed = layout.heightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
        if needed > 0 and needed != body.minimumHeight():
            body.setMinimumHeight(needed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.fit()  # an error line appeared or went: the page's height changed
        return False


def card_page(page: QWidget, content: QLayout, width_chars: int = 46) -> QFrame:
    """Lay `page` out as one card in its middle (sign-in, lock), scrolling when the window is too short. The
    card is sized in characters, so it grows with the font at 150 % or 200 % scaling instead of clipping."""
    page.setObjectName("page")
    page.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    body = QWidget()
    body.setObjectName("pageBody")
    card = QFrame()
    card.setObjectName("card")
    card.setLayout(content)
    content.setContentsMargins(28, 24, 28, 24)
    content.setSpacing(6)
    chars = card.fontMetrics().averageCharWidth()
    card.setMinimumWidth(chars * width_chars)
    card.setMaximumWidth(chars * (width_chars + 24))
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card, 4)
    row.addStretch(1)
    centred = QVBoxLayout(body)
    centred.addStretch(1)
    centred.addLayout(row)
    centred.addStretch(2)
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(FitScrollArea(body))
    return card


def add_field(layout: QVBoxLayout, caption: str, field: QWidget) -> QLabel:
    """A caption above the field and, under it, the field's own error label (returned)."""
    label = QLabel(caption)
    label.setBuddy(field)
    layout.addSpacing(4)
    layout.addWidget(label)
    layout.addWidget(field)
    error = error_label()
    layout.addWidget(error)
    return error


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


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every widget and nested layout."""
    while layout.count():
        item = layout.takeAt(0)
        widget: QWidget | None = item.widget()
        if widget is not None:
            widget.hide()  # gone now, not at the next turn of the event loop
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


class FieldGrid(QGridLayout):
    """Label / value rows whose values wrap: a grid, since QFormLayout clips wrapped labels in a scroll area."""

    def __init__(self) -> None:
        super().__init__()
        self.setColumnStretch(1, 1)
        self.setHorizontalSpacing(12)
        self.setVerticalSpacing(4)

    def addRow(self, caption: str, value: QLabel) -> None:  # named as QFormLayout's
        row = self.rowCount()
        name = text_label(caption, wrap=False, selectable=False, name="fieldName")
        self.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
        self.addWidget(value, row, 1, Qt.AlignmentFlag.AlignTop)
