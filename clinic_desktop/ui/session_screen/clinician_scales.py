"""Scales a clinician rates: MADRS (10 items 0-6 on one page, total and band as you go) and the C-SSRS screener
(questions 3-5 asked only after a yes to question 2, its skip logic)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from clinic_desktop.domain.enums import Timepoint
from clinic_desktop.domain.records import ScoreEntry
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.domain.scales import CSSRS_SCREENER, MADRS
from clinic_desktop.ui.session_screen.monitoring_scales import RecordScale, ScaleForm
from clinic_desktop.ui.session_screen.scale_grid import ScaleGrid
from clinic_desktop.ui.widgets import text_label

#: C-SSRS items (1-based) asked only when question 2 is answered yes: the ones its definition lets be skipped.
CSSRS_CONDITIONAL = tuple(item.number for item in CSSRS_SCREENER.items if item.skippable)
#: C-SSRS: the past-3-months item follows the lifetime behaviour item.
CSSRS_LIFETIME, CSSRS_RECENT = 6, 7


class ClinicianScaleForm(ScaleForm):
    def default_timepoint(self, detail: SessionDetail) -> Timepoint:
        """Before the infusion until the dose starts; after it once it has stopped."""
        dose = detail.dose
        if dose is None or dose.started_at is None:
            return Timepoint.PRE
        return Timepoint.DURING if dose.stopped_at is None else Timepoint.POST

    def answers(self) -> list:
        return self.grid.answers()

    def is_dirty(self) -> bool:
        return self.grid.is_dirty()

    def clear(self) -> None:
        super().clear()
        self.grid.clear()


class MadrsForm(ClinicianScaleForm):
    scale, title = MADRS, "MA&DRS"

    def __init__(self, record: RecordScale, parent: QWidget | None = None) -> None:
        super().__init__(record, parent)
        self.grid = ScaleGrid(MADRS, caption=lambda item: f"{item.number}. {item.label}")
        self.total = text_label("", selectable=False, name="subheading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(text_label("Rate each item from 0 (none) to 6 (most severe), from the interview and "
                                    "observation.", selectable=False, name="muted"))
        layout.addWidget(self.grid)
        layout.addWidget(self.total)
        self._bottom(layout)
        self.grid.changed.connect(self._update_total)
        self._update_total()

    def _update_total(self) -> None:
        answers = self.answers()
        total = sum(a for a in answers if a is not None)
        missing = answers.count(None)
        text = f"Total {total} of {MADRS.max_total}"
        if missing:
            text += f"  ·  {missing} item{'s' if missing > 1 else ''} not rated yet"
        else:
            text += f"  ·  {MADRS.band_for(total)}"
        self.total.setText(text)

    def describe(self, entry: ScoreEntry) -> str:
        return f"MADRS recorded: {entry.total} ({entry.band})."


class CssrsForm(ClinicianScaleForm):
    scale, title = CSSRS_SCREENER, "C-SS&RS screener"

    def __init__(self, record: RecordScale, parent: QWidget | None = None) -> None:
        super().__init__(record, parent)
        self.grid = ScaleGrid(CSSRS_SCREENER, caption=lambda item: f"{item.number}. {item.text}")
        self.skip_note = text_label("", selectable=False, name="muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(text_label(CSSRS_SCREENER.description, selectable=False, name="muted"))
        layout.addWidget(self.grid)
        layout.addWidget(self.skip_note)
        self._bottom(layout)
        self.grid.changed.connect(self._apply_skip_logic)
        self._apply_skip_logic()

    def _apply_skip_logic(self) -> None:
        """Questions 3-5 only after a yes to question 2; "in the past 3 months" only after lifetime behaviour."""
        answers = self.grid.answers()
        asked = answers[1] is True
        for number in CSSRS_CONDITIONAL:
            if self.grid.rows[number - 1].isEnabled() != asked:
                self.grid.set_item_enabled(number, asked)
        behaviour = answers[CSSRS_LIFETIME - 1]
        recent = self.grid.rows[CSSRS_RECENT - 1]
        if behaviour is False:
            if recent.value() is not False:
                recent.set_value(False)  # no behaviour ever, so none in the past 3 months
            recent.setEnabled(False)
        elif not recent.isEnabled():
            recent.setEnabled(True)
            recent.set_value(None)
        self.skip_note.setText("" if asked else "Questions 3 to 5 are asked only if question 2 is answered yes.")

    def describe(self, entry: ScoreEntry) -> str:
        return f"C-SSRS screener recorded: {entry.band} risk."

    def clear(self) -> None:
        super().clear()
        self._apply_skip_logic()
