"""Rating scales in the session: PHQ-9 and GAD-7 handed to the patient on the clinic's screen (patient mode), MADRS
and the C-SSRS screener for the clinician, this session's results, and, at the top, every alert (PHQ-9 item 9,
C-SSRS risk, MADRS item 10) until a nurse or physician acknowledges it."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTabWidget, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Action, PermissionDenied, Principal
from clinic_desktop.domain.enums import Rater, StaffRole, Timepoint
from clinic_desktop.domain.errors import ClinicError, ValidationError
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.records import ScoreEntry
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.domain.scales import ScaleDefinition, get_scale, scales_where
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import formatting, ops
from clinic_desktop.ui.session_screen.clinician_scales import CssrsForm, MadrsForm
from clinic_desktop.ui.session_screen.panel import Panel
from clinic_desktop.ui.session_screen.patient_form_mode import PatientFormPage
from clinic_desktop.ui.session_screen.view_updates import Saved, with_score
from clinic_desktop.ui.widgets import badge, clear_layout, error_label, section, set_error, text_label

#: Who may end patient mode with their own user name and password.
EXIT_ROLES = (StaffRole.NURSE, StaffRole.PHYSICIAN)
PATIENT_MODE_NOTE = ("The form fills the window and hides the rest of the record while the patient answers. "
                     "Finishing or cancelling it needs a staff member's password.")


def patient_scales() -> tuple[ScaleDefinition, ...]:
    """The questionnaires a patient fills on the clinic's screen: the scales the patient rates."""
    return scales_where(lambda s: s.rater is Rater.PATIENT)


class ScalesPanel(Panel):
    """Alerts to acknowledge first, then the patient questionnaires, the clinician ratings and the results."""

    def __init__(self, services: Services, principal: Callable[[], Principal], session_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(services, principal, session_id, parent)
        self._zone = services.context.zone
        self.detail: SessionDetail | None = None
        self.patient_page: PatientFormPage | None = None
        self._last_saved = ""
        self.acknowledge_buttons: dict[int, QPushButton] = {}
        self.error = error_label("formError")

        self.alerts_box, self.alerts_layout = section("Alerts to acknowledge")
        self.patient_box, patient_layout = section("Questionnaires for the patient")
        patient_layout.addWidget(text_label(PATIENT_MODE_NOTE, selectable=False, name="muted"))
        row = QHBoxLayout()
        self.patient_buttons: dict[str, QPushButton] = {}
        for scale in patient_scales():
            button = QPushButton(f"Hand the {scale.name} to the patient…")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, c=scale.code: self.start_patient_form(c))
            row.addWidget(button)
            self.patient_buttons[scale.code] = button
        row.addStretch(1)
        patient_layout.addLayout(row)

        self.madrs = MadrsForm(self._record)
        self.cssrs = CssrsForm(self._record)
        self.clinician_box, clinician_layout = section("Clinician ratings")
        self.clinician_tabs = QTabWidget()
        for form in (self.madrs, self.cssrs):
            page = QWidget()
            holder = QVBoxLayout(page)
            holder.addWidget(form)
            holder.addStretch(1)
            self.clinician_tabs.addTab(page, form.title)
            form.saved.connect(self.message)
            form.stored.connect(lambda saved: self.updated.emit(saved.update))
            form.refused.connect(self.message)
        clinician_layout.addWidget(self.clinician_tabs)
        self.clinician_note = text_label("MADRS and the C-SSRS are rated by a nurse or a physician.",
                                         selectable=False, name="muted")
        clinician_layout.addWidget(self.clinician_note)

        self.results_box, self.results_layout = section("Scores in this session")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for part in (self.alerts_box, self.error, self.patient_box, self.clinician_box, self.results_box):
            layout.addWidget(part)
        layout.addStretch(1)

    # --- showing ----------------------------------------------------------------------------------------
    def show_detail(self, detail: SessionDetail) -> None:
        self.detail = detail
        is_open = detail.summary.status.is_open
        for button in self.patient_buttons.values():
            button.setEnabled(is_open and self.may(Action.SCALE_RECORD))
        clinician = self.may(Action.NOTE_ADD)
        self.clinician_tabs.setVisible(clinician and is_open)
        self.clinician_note.setVisible(not (clinician and is_open))
        for form in (self.madrs, self.cssrs):
            form.set_context(detail)
        self._show_alerts(detail.scores)
        self._show_results(detail.scores)

    def pending_alerts(self) -> list[ScoreEntry]:
        """Scores with a warning or worse that no clinician has acknowledged yet."""
        return [s for s in (self.detail.scores if self.detail else ()) if s.alert and not s.acknowledged]

    def _show_alerts(self, scores: tuple[ScoreEntry, ...]) -> None:
        clear_layout(self.alerts_layout)
        self.acknowledge_buttons = {}
        pending = self.pending_alerts()
        self.alerts_box.setVisible(bool(pending))
        may = self.may(Action.SCALE_ACKNOWLEDGE)
        for score in pending:
            row = QHBoxLayout()
            self.alerts_layout.addLayout(row)
            words = " ".join(f.message for f in score.findings if f.grade >= Grade.WARN)
            when = formatting.local_time(score.taken_at, self._zone, with_day=False)
            prefix = f"{when}: " if words.startswith(score.name) else f"{score.name}, {when}: "
            alert = badge(prefix + words, Grade.OVERRIDE)
            alert.setStyleSheet(alert.styleSheet() + " font-weight: 600;")
            row.addWidget(alert, 1)
            if may:
                button = QPushButton("Acknowledge")
                button.setAutoDefault(False)
                button.setToolTip("You have reviewed this answer with the patient.")
                button.clicked.connect(lambda _c=False, sid=score.id: self.acknowledge(sid))
                row.addWidget(button)
                self.acknowledge_buttons[score.id] = button
        if pending and not may:
            self.alerts_layout.addWidget(text_label("A nurse or a physician must review and acknowledge these.",
                                                    selectable=False, name="muted"))

    def _show_results(self, scores: tuple[ScoreEntry, ...]) -> None:
        clear_layout(self.results_layout)
        if not scores:
            self.results_layout.addWidget(text_label("No scores recorded in this session yet.", selectable=False,
                                                     name="muted"))
        for s in scores:
            state = ""
            if s.alert:
                state = "  ·  alert acknowledged" if s.acknowledged else "  ·  ALERT, not yet acknowledged"
            band = f" ({s.band})" if s.band else ""
            self.results_layout.addWidget(text_label(
                f"{formatting.local_time(s.taken_at, self._zone, with_day=False)}  {s.name}: {s.total}{band}"
                f"  ·  {s.timepoint.label.lower()}{state}"))

    # --- saving and acknowledging -------------------------------------------------------------------------
    def _record(self, code: str, answers: list, when: Timepoint) -> Callable[[], Saved]:
        """The save of a rating, to run in the background: the score and the checklist it may change."""
        services, actor, sid, patient_id = self.services, self.principal(), self.session_id, self.detail.patient_id

        def record() -> Saved:
            entry = services.monitoring.record_scale(actor, patient_id, code, answers, when, sid)
            return Saved(entry, with_score(entry, services.sessions.checklist(actor, sid)))
        return record

    def acknowledge(self, score_id: int) -> None:
        set_error(self.error, "")
        services, actor, sid = self.services, self.principal(), self.session_id

        def acknowledge() -> Saved:
            entry = services.monitoring.acknowledge(actor, score_id)
            return Saved(entry, with_score(entry, services.sessions.checklist(actor, sid)))

        def acknowledged(saved: Saved) -> None:
            self.message.emit(f"{saved.entry.name} alert acknowledged by {actor.signature_name}.")
            self.updated.emit(saved.update)

        def refused(exc: BaseException) -> None:
            if not isinstance(exc, ClinicError):
                ops.report_failure(self, exc)
                return
            set_error(self.error, exc.message)
            self.message.emit(exc.message)
        button = self.acknowledge_buttons.get(score_id)
        ops.Op(self, acknowledge).disable(*((button,) if button is not None else ())) \
            .success(acknowledged).failure(refused).run()

    # --- patient mode -------------------------------------------------------------------------------------
    def start_patient_form(self, code: str) -> PatientFormPage | None:
        """Hand the screen to the patient: the form alone fills the main window until staff end it."""
        if self.detail is None or self.patient_page is not None:
            return None
        page = PatientFormPage(get_scale(code), lambda answers: self._save_patient(code, answers),
                               self.verify_staff, self.principal().signature_name)
        page.closed.connect(lambda saved: self._end_patient_form(page, saved))
        self.patient_page = page
        host = self.window()
        if hasattr(host, "enter_patient_mode"):
            host.enter_patient_mode(page)
        else:  # not inside the main window (e.g. a screen on its own): a window covering the whole screen
            page.setWindowTitle(get_scale(code).name)
            page.showFullScreen()
        self.message.emit(f"{get_scale(code).name} handed to the patient.")
        return page

    def _save_patient(self, code: str, answers: list) -> None:
        # A questionnaire is given at its scale's first timepoint (PHQ-9, GAD-7: before the infusion).
        entry = self.services.monitoring.record_scale(self.principal(), self.detail.patient_id, code, answers,
                                                       get_scale(code).timepoints[0], self.session_id)
        line = f"{entry.name} recorded: {entry.total} ({entry.band})."
        if entry.alert:
            line += " Alert: a clinician must acknowledge it."
        self._last_saved = line

    def _end_patient_form(self, page: PatientFormPage, saved: bool) -> None:
        host = self.window()
        if hasattr(host, "exit_patient_mode"):
            host.exit_patient_mode()
        page.hide()
        page.deleteLater()
        self.patient_page = None
        if saved:
            self.message.emit(self._last_saved or "Questionnaire saved.")
            self.changed.emit()
        else:
            self.message.emit("The questionnaire was cancelled; nothing was saved.")

    def verify_staff(self, username: str, password: str) -> None:
        """The signed-in user's password (user name left empty or their own), or a nurse's or physician's."""
        if not password:
            raise ValidationError("Enter the staff password.", "password")
        actor = self.principal()
        if not username or username.casefold() == (actor.username or "").casefold():
            self.services.auth.confirm_password(actor, password, "patient_mode_exit")
            return
        other = self.services.auth.login(username, password)
        if other.role not in EXIT_ROLES:
            raise PermissionDenied("Only a nurse or a physician ends a patient's form for someone else.")

    def is_dirty(self) -> bool:
        return self.patient_page is not None or self.madrs.is_dirty() or self.cssrs.is_dirty()
