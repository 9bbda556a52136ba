"""Pre-infusion checks: every item ticked or its problem in words, today's answers, explanations, and the
physician's signed override of the blocking items that may be overridden."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Action, Principal
from clinic_desktop.domain.checks import CheckItem
from clinic_desktop.domain.enums import PregnancyStatus, SessionStatus
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.services.registry import Services
from clinic_desktop.services.session_view import DayAnswers
from clinic_desktop.ui.form_support import ErrorMap
from clinic_desktop.ui.session_record import signature_line
from clinic_desktop.ui.session_screen.actions import run_signed, save
from clinic_desktop.ui.session_screen.check_row import CheckRow
from clinic_desktop.ui.session_screen.panel import Panel
from clinic_desktop.ui.session_screen.signing import SignField
from clinic_desktop.ui.session_screen.view_updates import Saved, with_day
from clinic_desktop.ui.widgets import FitScrollArea, badge, clear_layout, error_label, section, text_label

#: The fasting answer: None is "not asked yet".
NPO_CHOICES = ((None, "Not asked yet"), (True, "Followed the fasting instructions"),
               (False, "Did not follow the fasting instructions"))


class ChecksPanel(Panel):
    def __init__(self, services: Services, principal: Callable[[], Principal], session_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(services, principal, session_id, parent)
        self.items: tuple[CheckItem, ...] = ()
        self.open_keys: set[str] = set()
        self.rows: dict[str, CheckRow] = {}
        self.detail: SessionDetail | None = None
        self._drafts: dict[str, str] = {}  # explanations being typed, kept across reloads
        self._saving = ""  # the item whose explanation is being saved (not kept as a draft)
        body = QWidget()
        body.setObjectName("chartBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(10)
        self.summary = QHBoxLayout()
        layout.addLayout(self.summary)
        layout.addWidget(self._override_box())  # near the top: what a physician came here to do
        layout.addWidget(self._answers_box())
        items_box, self.items_layout = section("Checklist")
        self.items_layout.setSpacing(0)
        layout.addWidget(items_box)
        layout.addStretch(1)
        self.error = error_label("formError")
        layout.insertWidget(1, self.error)
        self.errors = ErrorMap(self.error)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(FitScrollArea(body))

    # --- parts ----------------------------------------------------------------------------------------
    def _answers_box(self) -> QWidget:
        self.answers_box, layout = section("Today's answers")
        self.answers_note = text_label("", name="muted")
        grid = QGridLayout()
        grid.setColumnStretch(2, 1)
        self.escort = QCheckBox("Escort confirmed for today")
        self.npo = QComboBox()
        for value, words in NPO_CHOICES:
            self.npo.addItem(words, value)
        self.npo.setAccessibleName("Fasting (NPO)")
        self.pregnancy = QComboBox()
        self.pregnancy.addItem("Not recorded yet", None)
        for status in PregnancyStatus:
            self.pregnancy.addItem(status.label, status)
        self.pregnancy.setAccessibleName("Pregnancy test or attestation")
        grid.addWidget(text_label("Escort / driver", wrap=False, selectable=False, name="fieldName"), 0, 0)
        grid.addWidget(self.escort, 0, 1)
        grid.addWidget(text_label("Fasting (NPO)", wrap=False, selectable=False, name="fieldName"), 1, 0)
        grid.addWidget(self.npo, 1, 1)
        grid.addWidget(text_label("Pregnancy", wrap=False, selectable=False, name="fieldName"), 2, 0)
        grid.addWidget(self.pregnancy, 2, 1)
        layout.addWidget(self.answers_note)
        layout.addLayout(grid)
        self.escort.toggled.connect(lambda on: self._answer(escort_confirmed=on))
        self.npo.activated.connect(lambda _i: self._answer(npo_confirmed=self.npo.currentData()))
        self.pregnancy.activated.connect(lambda _i: self._answer(pregnancy_status=self.pregnancy.currentData()))
        return self.answers_box

    def _override_box(self) -> QWidget:
        self.override_box, layout = section("Physician override")
        self.override_text = text_label("")
        self.override_done = QVBoxLayout()
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("Why the dose may go ahead despite these items")
        self.reason.setAccessibleName("Override reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(self.reason.fontMetrics().lineSpacing() * 4 + 16)
        self.reason_error = error_label()
        self.sign = SignField("Sign override", "Override approved by")
        self.sign.submitted.connect(self._override)
        self.errors_override = ErrorMap(error_label("formError"))
        self.errors_override.add("reason", self.reason_error, self.reason)
        layout.addLayout(self.override_done)
        layout.addWidget(self.override_text)
        self.override_form = QWidget()
        form = QVBoxLayout(self.override_form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(text_label("Reason", selectable=False, name="fieldName"))
        form.addWidget(self.reason)
        form.addWidget(self.reason_error)
        form.addWidget(self.sign)
        form.addWidget(self.errors_override.form_error)
        layout.addWidget(self.override_form)
        return self.override_box

    # --- showing ------------------------------------------------------------------------------------
    def show_detail(self, detail: SessionDetail) -> None:
        self.detail = detail
        for row in self.rows.values():
            if row.editing and row.item.key != self._saving:
                self._drafts[row.item.key] = row.note_text()
        self.items = self.view.checklist.items
        self.open_keys = set(self.view.checklist.open_keys)
        self._show_summary()
        self._show_answers(detail)
        self._show_items(detail)
        self._show_override(detail)

    def _show_summary(self) -> None:
        clear_layout(self.summary)
        hard = [i for i in self.items if i.key in self.open_keys and not i.overridable]
        covered = sum(1 for i in self.items if i.blocks and i.key not in self.open_keys)
        if not self.open_keys:
            words, grade = "Nothing stops the dose from starting.", Grade.OK
            if covered:
                words = words[:-1] + f" ({covered} item{'s are' if covered > 1 else ' is'} covered by the " \
                                     "physician's override)."
        else:
            n = len(self.open_keys)
            words = f"{n} item{'s' if n > 1 else ''} stop{'' if n > 1 else 's'} the dose from starting"
            words += (f" ({len(hard)} must be resolved; a physician cannot override "
                      f"{'them' if len(hard) > 1 else 'it'})." if hard else
                      ": resolve them, or a physician overrides them with a reason.")
            grade = Grade.REFUSED if hard else Grade.OVERRIDE
        self.summary.addWidget(badge(words, grade), 1)

    def _show_answers(self, d: SessionDetail) -> None:
        editable = d.summary.status is SessionStatus.CHECKED_IN and self.may(Action.SESSION_DAY_ANSWERS)
        for widget in (self.escort, self.npo, self.pregnancy):
            widget.blockSignals(True)
            widget.setEnabled(editable)
        self.escort.setChecked(d.escort_confirmed)
        self.escort.setText(f"{d.escort_name} confirmed for today" if d.escort_name else
                            "No escort named: add one on the patient's record")
        self.escort.setEnabled(editable and bool(d.escort_name))
        self.npo.setCurrentIndex(max(0, self.npo.findData(d.npo_confirmed)) if d.npo_confirmed is not None else 0)
        self.pregnancy.setCurrentIndex(max(0, self.pregnancy.findData(d.pregnancy_status)))
        for widget in (self.escort, self.npo, self.pregnancy):
            widget.blockSignals(False)
        if d.summary.status is SessionStatus.SCHEDULED:
            note = "Check the patient in (today's board) to record today's answers."
        elif d.summary.status is not SessionStatus.CHECKED_IN:
            note = "Recorded at check-in; closed once the dose started."
        else:
            note = "" if editable else "Your role may not change these answers."
        self.answers_note.setText(note)
        self.answers_note.setVisible(bool(note))

    def _show_items(self, d: SessionDetail) -> None:
        clear_layout(self.items_layout)
        self.rows = {}
        can_explain = (d.summary.status in (SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN)
                       and self.may(Action.SESSION_DAY_ANSWERS))
        for index, item in enumerate(self.items):
            if index:
                line = QFrame()
                line.setFrameShape(QFrame.Shape.HLine)
                line.setObjectName("separator")
                line.setStyleSheet("color: #e0e3e7;")
                self.items_layout.addWidget(line)
            row = CheckRow(item, item.key in self.open_keys, d.check_notes.get(item.key),
                           self.services.context.zone, can_explain)
            row.saveNote.connect(self._explain)
            row.cancelled.connect(lambda key: self._drafts.pop(key, None))
            if item.key in self._drafts:
                row.start_editing(self._drafts.pop(item.key))
            self.rows[item.key] = row
            self.items_layout.addWidget(row)

    def _show_override(self, d: SessionDetail) -> None:
        clear_layout(self.override_done)
        if d.checks_override_reason:
            self.override_done.addWidget(text_label(f"Reason: {d.checks_override_reason}"))
            if d.checks_override_signature is not None:
                self.override_done.addWidget(signature_line(d.checks_override_signature))
        open_items = [i for i in self.items if i.key in self.open_keys]
        hard = [i for i in open_items if not i.overridable]
        physician = self.may(Action.CHECKS_OVERRIDE)
        before_dose = d.summary.status in (SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN)
        if not open_items or not before_dose:
            text = "" if d.checks_override_reason else "No override needed."
        elif hard:
            soft = [i for i in open_items if i.overridable]
            text = ("Refused, so no override is possible, not even by a physician; resolve first: "
                    + "; ".join(f"{i.title} ({i.detail.rstrip('.')})" for i in hard) + "."
                    + (" Then a physician can override: " + "; ".join(i.title for i in soft) + "." if soft else ""))
        elif physician:
            text = "Your override covers: " + "; ".join(i.title for i in open_items) + "."
        else:
            text = ("A physician can override " + "; ".join(i.title for i in open_items)
                    + " with a reason and their signature.")
        self.override_text.setText(text)
        self.override_text.setVisible(bool(text))
        self.override_form.setVisible(physician and before_dose and bool(open_items) and not hard)
        self.sign.set_signer(self.principal().signature_name)
        self.override_box.setVisible(bool(d.checks_override_reason) or bool(open_items) and before_dose)

    # --- saving ---------------------------------------------------------------------------------------
    def _answer(self, **answer: object) -> None:
        # The version on show: an answer changed at another workstation since is refused, and the refusal says
        # who changed it and when (the change watcher then offers the reload).
        seen, actor, sid = self._seen_version(), self.principal(), self.session_id
        shown = self.detail
        save(self, self.errors, lambda: _day(self.services.sessions.update_day_answers(
            actor, sid, **answer, expected_version=seen)), "Today's answers saved.",
            disable=(self.escort, self.npo, self.pregnancy),
            on_refused=lambda: self._show_answers(shown) if shown is not None else None)
        # refused: what is recorded is shown again, not what was clicked

    def _seen_version(self) -> int | None:
        """The session's version on show: a save over a change made elsewhere since is refused, and the refusal
        (beside the form, which keeps what was typed) says who changed what."""
        return self.detail.row_version if self.detail is not None else None

    def _explain(self, key: str, note: str) -> None:
        row = self.rows.get(key)
        self._drafts.pop(key, None)
        seen, actor, sid = self._seen_version(), self.principal(), self.session_id
        self._saving = key  # its row is shown again from the save's result, not kept as a draft

        def done(_saved: Saved) -> None:
            self._saving = ""
        save(self, row.errors if row else self.errors, lambda: _day(self.services.sessions.explain_check(
            actor, sid, key, note, expected_version=seen)), "Explanation saved.", on_saved=done,
            on_refused=lambda: done(None))

    def _override(self, password: str) -> None:
        reason = self.reason.toPlainText()
        seen = self._seen_version()
        actor, sid = self.principal(), self.session_id
        run_signed(self, self.errors_override, lambda: self.services.sessions.override_checks(
            actor, sid, reason, password, expected_version=seen),
            "Checks overridden and signed.", self.sign, self.reason, then=lambda _checks: self.reason.clear())

    def is_dirty(self) -> bool:
        return bool(self.reason.toPlainText().strip()) or any(
            r.editing and r.note_text().strip() for r in self.rows.values())


def _day(day: DayAnswers) -> Saved:
    return Saved(day, with_day(day))
