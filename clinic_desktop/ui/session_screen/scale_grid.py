"""A rating scale's items as rows of radio buttons (CADSS, MADRS, C-SSRS): nothing is pre-answered, so an item
left out is never silently scored 0. Arrow keys move within an item's answers; Tab goes to the next item."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QRadioButton, QWidget

from clinic_desktop.domain.scales import ScaleDefinition
from clinic_desktop.domain.scales.base import Answer, Item
from clinic_desktop.ui.widgets import text_label


class ItemAnswers(QWidget):
    """One item's choices side by side; they share a parent, so Qt keeps them exclusive and arrow-navigable."""

    chosen = Signal(int)  #: the item number

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        self.buttons: list[QRadioButton] = []
        for choice in item.choices:
            button = QRadioButton(choice.label)
            button.setAccessibleName(f"{item.label}: {choice.label}")
            button.toggled.connect(lambda on: on and self.chosen.emit(item.number))
            row.addWidget(button)
            self.buttons.append(button)
        row.addStretch(1)

    def value(self) -> Answer:
        return next((c.value for c, b in zip(self.item.choices, self.buttons) if b.isChecked()), None)

    def set_value(self, value: Answer) -> None:
        """Check the button for `value` (None: none of them)."""
        for choice, button in zip(self.item.choices, self.buttons):
            button.setAutoExclusive(False)  # an exclusive group cannot be emptied otherwise
            button.setChecked(value is not None and choice.value == value and type(choice.value) is type(value))
            button.setAutoExclusive(True)


class ScaleGrid(QWidget):
    """Every item of `scale` with its answers; items laid out in `columns` columns (top to bottom first)."""

    changed = Signal()

    def __init__(self, scale: ScaleDefinition, columns: int = 1, caption: Callable[[Item], str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scale = scale
        self.rows: list[ItemAnswers] = []
        self.captions = []
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        per_column = -(-scale.n_items // columns)
        for index, item in enumerate(scale.items):
            column, row = divmod(index, per_column)
            words = caption(item) if caption is not None else f"{item.number}. {item.text}"
            label = text_label(words, selectable=False)
            answers = ItemAnswers(item)
            answers.chosen.connect(lambda _n: self.changed.emit())
            grid.addWidget(label, row, column * 2, Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(answers, row, column * 2 + 1)
            self.captions.append(label)
            self.rows.append(answers)
        for column in range(columns):
            grid.setColumnStretch(column * 2, 2)
            grid.setColumnStretch(column * 2 + 1, 3)

    def answers(self) -> list[Answer]:
        return [row.value() for row in self.rows]

    def set_answers(self, answers: list[Answer]) -> None:
        for row, value in zip(self.rows, answers):
            row.set_value(value)
        self.changed.emit()

    def clear(self) -> None:
        self.set_answers([None] * self.scale.n_items)

    def unanswered(self) -> list[int]:
        """Item numbers still without an answer (among those that are enabled)."""
        return [row.item.number for row in self.rows if row.isEnabled() and row.value() is None]

    def set_item_enabled(self, number: int, enabled: bool) -> None:
        """Ask or skip an item (C-SSRS questions 3-5 are asked only after a yes to question 2)."""
        self.rows[number - 1].setEnabled(enabled)
        self.captions[number - 1].setEnabled(enabled)
        if not enabled:
            self.rows[number - 1].set_value(None)

    def is_dirty(self) -> bool:
        return any(value is not None for value in self.answers())
