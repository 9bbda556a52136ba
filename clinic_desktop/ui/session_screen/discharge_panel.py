"""Discharge: the clinic's recovery score (modified Aldrete or PADSS) totalled as its items are chosen, the
escort confirmed present, and the discharge itself; a refusal says why (score, or observation until when)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain import scales
from clinic_desktop.domain.access import Action, Principal
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import SessionStatus
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap
from clinic_desktop.ui.session_screen.actions import save
from clinic_desktop.ui.session_screen.panel import Panel
from clinic_desktop.ui.session_screen.view_updates import Saved, with_detail
from clinic_desktop.ui.widgets import FitScrollArea, badge, clear_layout, error_label, section, text_label


class DischargePanel(Panel):
    def __init__(self, services: Services, principal: Callable[[], Principal], session_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(services, principal, session_id, parent)
        self.detail: SessionDetail | None = None
        self.settings = ClinicSettings()
        self.scale = scales.get_scale(self.settings.discharge_scale)
        self.groups: list[QButtonGroup] = []
        body = QWidget()
        body.setObjectName("chartBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(10)
        self.status = QVBoxLayout()
        layout.addLayout(self.status)
        self.score_box, score = section("")
        self.description = text_label("", name="muted")
        score.addWidget(self.description)
        self.items = QGridLayout()
        self.items.setColumnStretch(1, 1)
        self.items.setVerticalSpacing(8)
        score.addLayout(self.items)
        self.total = QVBoxLayout()
        score.addLayout(self.total)
        layout.addWidget(self.score_box)
        leave_box, leave = section("Leaving")
        self.observation = text_label("")
        self.escort = QCheckBox("Escort present to take the patient home")
        self.discharge_button = QPushButton("Discharge the patient")
        self.discharge_button.setObjectName("primary")
        self.discharge_button.setAutoDefault(False)
        self.errors = ErrorMap(error_label("formError"))
        leave.addWidget(self.observation)
        leave.addWidget(self.escort)
        button_row = QHBoxLayout()
        button_row.addWidget(self.discharge_button)
        button_row.addStretch(1)
        leave.addLayout(button_row)
        leave.addWidget(self.errors.form_error)
        self.leave_box = leave_box
        layout.addWidget(leave_box)
        layout.addStretch(1)
        self.scroll = FitScrollArea(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        self.discharge_button.clicked.connect(self._discharge)

    # --- showing -------------------------------------------------------------------------------------
    def show_detail(self, detail: SessionDetail) -> None:
        self.detail = detail
        self.settings = self.view.settings
        scale = scales.get_scale(self.settings.discharge_scale)
        if scale is not self.scale or not self.groups:
            self.scale = scale
            self._build_items()
        status = detail.summary.status
        clear_layout(self.status)
        if status is SessionStatus.DISCHARGED:
            self._show_discharged(detail)
        elif status is not SessionStatus.RECOVERING:
            self.status.addWidget(text_label(
                "The recovery score and discharge come after the dose has stopped." if status.is_open else
                f"This session is {status.label.lower()}."))
        may = self.may(Action.DISCHARGE)
        recovering = status is SessionStatus.RECOVERING
        self.score_box.setVisible(status is not SessionStatus.DISCHARGED)
        self.leave_box.setVisible(status is not SessionStatus.DISCHARGED)
        for group in self.groups:
            for button in group.buttons():
                button.setEnabled(recovering and may)
        self.escort.setEnabled(recovering and may)
        self.escort.setText(f"Escort present to take the patient home: {detail.escort_name}" if detail.escort_name
                            else "Escort present to take the patient home (no escort named today)")
        self.discharge_button.setVisible(may)
        self.discharge_button.setEnabled(recovering)
        self.observation.setText(self._observation_words(detail))
        self._show_total()
        self.scroll.fit()

    def _build_items(self) -> None:
        clear_layout(self.items)
        self.groups = []
        self.score_box.setTitle(f"{self.scale.name} recovery score")
        self.description.setText(f"{self.scale.description} Choose one answer for each item.")
        for row, item in enumerate(self.scale.items):
            caption = QVBoxLayout()
            caption.setSpacing(0)
            caption.addWidget(text_label(item.label, selectable=False, name="subheading"))
            caption.addWidget(text_label(item.text, selectable=False, name="muted"))
            caption.addStretch(1)
            self.items.addLayout(caption, row, 0)
            choices = QVBoxLayout()
            choices.setSpacing(2)
            group = QButtonGroup(self)
            for choice in reversed(item.choices):  # best first, as published
                button = QRadioButton(f"{choice.value} — {choice.label}")
                button.setAccessibleName(f"{item.label}: {choice.label} ({choice.value} points)")
                group.addButton(button, int(choice.value))
                choices.addWidget(button)
            group.idClicked.connect(lambda _id: self._show_total())
            self.groups.append(group)
            holder = QWidget()
            holder.setLayout(choices)
            self.items.addWidget(holder, row, 1)

    def answers(self) -> list[int | None]:
        return [g.checkedId() if g.checkedId() >= 0 else None for g in self.groups]

    def _show_total(self) -> None:
        clear_layout(self.total)
        answers = self.answers()
        missing = sum(1 for a in answers if a is None)
        if missing:
            self.total.addWidget(text_label(f"{len(answers) - missing} of {len(answers)} items answered; the total "
                                            "shows when every item is answered.", name="muted"))
            return
        result = scales.score(self.scale.code, answers, self.settings)
        minimum = self.settings.discharge_score_min
        if result.fit_for_discharge:
            self.total.addWidget(badge(f"Total {result.total} of {self.scale.max_total}: fit for discharge "
                                       f"(clinic minimum {minimum}).", Grade.OK))
        else:
            self.total.addWidget(badge(f"Total {result.total} of {self.scale.max_total}: not yet fit for discharge "
                                       f"(clinic minimum {minimum}). Continue observation.", Grade.OVERRIDE))

    def _observation_words(self, d: SessionDetail) -> str:
        dose = d.dose
        esketamine = d.protocol.is_esketamine
        anchor = (dose.started_at if esketamine else dose.stopped_at) if dose else None
        if anchor is None:
            return ""
        minutes = (self.settings.esketamine_min_observation_min if esketamine
                   else self.settings.iv_min_observation_min)
        earliest: datetime = anchor + timedelta(minutes=minutes)
        zone = self.services.context.zone
        after = "the dose was given" if esketamine else "the infusion stopped"
        words = (f"Observation: at least {minutes} min after {after}, until "
                 f"{formatting.local_time(earliest, zone, with_day=False)}.")
        if self.services.context.now() >= earliest:
            words += " The observation time is over."
        return words

    def _show_discharged(self, d: SessionDetail) -> None:
        zone = self.services.context.zone
        when = formatting.local_time(d.summary.discharged_at, zone)
        self.status.addWidget(badge(f"Discharged {when}.", Grade.OK))
        score = next((s for s in reversed(d.scores) if scales.get_scale(s.instrument).discharge), None)
        if score is not None:
            self.status.addWidget(text_label(f"{score.name} {score.total} of "
                                             f"{scales.get_scale(score.instrument).max_total}"
                                             + (f" ({score.band})" if score.band else "") + "."))

    # --- discharging ---------------------------------------------------------------------------------
    def _discharge(self) -> None:
        answers, present, actor, sid = self.answers(), self.escort.isChecked(), self.principal(), self.session_id

        def discharge() -> Saved:
            detail = self.services.monitoring.discharge(actor, sid, answers, present)
            return Saved(detail, with_detail(detail))
        save(self, self.errors, discharge, "The patient is discharged.", disable=(self.discharge_button,),
             on_saved=lambda _saved: self._clear())

    def _clear(self) -> None:
        for group in self.groups:
            group.setExclusive(False)
            for button in group.buttons():
                button.setChecked(False)
            group.setExclusive(True)
        self.escort.setChecked(False)

    def is_dirty(self) -> bool:
        return self.detail is not None and self.detail.summary.status is SessionStatus.RECOVERING and any(
            a is not None for a in self.answers())
