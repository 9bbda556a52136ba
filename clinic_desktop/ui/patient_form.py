"""Registering a patient, or editing one, on one page: every problem shown beside its field, all at once."""

from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Action, Principal, is_allowed
from clinic_desktop.domain.enums import Sex
from clinic_desktop.domain.errors import ClinicError, ConcurrentChange, ValidationError, ValidationErrors
from clinic_desktop.domain.patients import PatientInput, checked_weight_kg
from clinic_desktop.domain.records import PatientChart
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import formatting, ops
from clinic_desktop.ui.form_support import ErrorMap, ask_discard, enter_saves, save_in_background, snapshot
from clinic_desktop.ui.list_editors import ListEditor, allergies_editor, diagnoses_editor, medications_editor
from clinic_desktop.ui.measure_fields import height_field, weight_field
from clinic_desktop.ui.referrer_field import ReferrerField
from clinic_desktop.ui.widgets import FitScrollArea, add_field, error_label, section, text_label

#: Text fields of PatientInput, in form order: (field name, caption with mnemonic, hint).
IDENTITY = (("given_names", "&Given name(s)", ""), ("family_name", "&Family name", ""),
            ("preferred_name", "Preferred name", "What the patient likes to be called (optional)"))
CONTACT = (("phone", "&Phone", "e.g. (555) 010-2345"), ("email", "Email", "name@example.org"))
EMERGENCY = (("emergency_contact_name", "Name", ""), ("emergency_contact_relation", "Relationship", "e.g. sister"),
             ("emergency_contact_phone", "Phone", ""))
ESCORT = (("escort_name", "Name", "Who drives the patient home"), ("escort_phone", "Phone", ""))
NO_WEIGHT_RIGHTS = "A nurse or physician records the weight."
NOT_SAVED = "Nothing was saved: correct the marked fields."


class PatientForm(QWidget):
    """A new patient (no chart given) or an edit of `chart`; `saved` carries the chart after saving."""

    message = Signal(str, int)
    saved = Signal(object)
    closeRequested = Signal()

    def __init__(self, services: Services, actor: Callable[[], Principal], chart: PatientChart | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self.chart = chart
        self.edits: dict[str, QLineEdit] = {}
        self.title = text_label("", selectable=False, name="pageTitle")
        self.errors = ErrorMap(error_label("formError"))
        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setSpacing(16)
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self._identity(left)
        self._contacts(left)
        self._clinical(right)
        self.lists: dict[str, ListEditor] = {}
        for name, title, editor in (("diagnoses", "Diagnoses", diagnoses_editor()),
                                    ("allergies", "Allergies", allergies_editor()),
                                    ("medications", "Medications", medications_editor())):
            box, layout = section(title)
            layout.addWidget(editor)
            self.errors.add(name, error_label(), editor)
            layout.addWidget(self.errors.labels[name])
            right.addWidget(box)
            self.lists[name] = editor
        left.addStretch(1)
        right.addStretch(1)
        self.scroll = FitScrollArea(body)
        self.body = body

        self.reload_button = QPushButton("Reload the saved version")
        self.reload_button.setAutoDefault(False)
        self.reload_button.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.save_button = QPushButton()
        self.save_button.setObjectName("primary")
        bar = QHBoxLayout()
        bar.addWidget(self.reload_button)
        bar.addStretch(1)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.errors.form_error)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bar)
        self.save_button.clicked.connect(lambda: self.save())
        self.cancel_button.clicked.connect(self.closeRequested)
        self.reload_button.clicked.connect(self.reload)
        enter_saves(self, self.save, self.closeRequested.emit)
        self.first_field = self.edits["given_names"]
        self._load(chart)

    # --- building ------------------------------------------------------------------------------------
    def _line(self, layout: QVBoxLayout, name: str, caption: str, hint: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(hint)
        edit.setAccessibleName(caption.replace("&", ""))
        self.edits[name] = edit
        self.errors.add(name, add_field(layout, caption, edit), edit)
        return edit

    def _identity(self, column: QVBoxLayout) -> None:
        box, layout = section("Patient")
        for name, caption, hint in IDENTITY:
            self._line(layout, name, caption, hint)
        self._line(layout, "date_of_birth", "&Date of birth", "YYYY-MM-DD")
        self.age = text_label("", selectable=False, name="muted")
        layout.addWidget(self.age)
        self.sex = QComboBox()
        self.sex.setAccessibleName("Sex")
        self.sex.addItem("Choose…", "")
        for sex in Sex:
            self.sex.addItem("Other / not stated" if sex is Sex.OTHER else sex.label, sex.value)
        self.errors.add("sex", add_field(layout, "&Sex (for dosing formulas)", self.sex), self.sex)
        self.edits["date_of_birth"].textChanged.connect(self._show_age)
        column.addWidget(box)

    def _contacts(self, column: QVBoxLayout) -> None:
        box, layout = section("Contact")
        for name, caption, hint in CONTACT:
            self._line(layout, name, caption, hint)
        self.address = QPlainTextEdit()
        self.address.setAccessibleName("Address")
        self.address.setTabChangesFocus(True)
        self.address.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        self.errors.add("address", add_field(layout, "&Address", self.address), self.address)
        column.addWidget(box)
        for title, fields in (("Emergency contact", EMERGENCY), ("Usual escort / driver", ESCORT)):
            box, layout = section(title)
            for name, caption, hint in fields:
                self._line(layout, name, caption, hint)
            column.addWidget(box)

    def _clinical(self, column: QVBoxLayout) -> None:
        box, layout = section("Clinical")
        now = self._services.context.now()
        actor = self._actor()
        add = None
        if is_allowed(actor, Action.CLINICIAN_MANAGE, now):
            add = lambda n, p, ph: self._services.patients.add_referring_clinician(self._actor(), n, p, phone=ph)  # noqa: E731 (only for those who may)
        self.referrer = ReferrerField(add)
        self.errors.add("referring_clinician_id", add_field(layout, "&Referring clinician", self.referrer),
                        self.referrer)
        self.height = height_field()
        self.errors.add("height", add_field(layout, "&Height", self.height), self.height.value)
        self.weight = weight_field()
        self.can_weigh = is_allowed(actor, Action.WEIGHT_RECORD, now)
        self.errors.add("weight", add_field(layout, "&Weight today", self.weight), self.weight.value)
        self.weight_note = text_label("", selectable=False, name="muted")
        layout.addWidget(self.weight_note)
        self.weight.setEnabled(self.can_weigh)
        column.addWidget(box)

    # --- loading -------------------------------------------------------------------------------------
    def _load(self, chart: PatientChart | None) -> None:
        self.chart = chart
        self.errors.clear()
        self.reload_button.setVisible(False)
        try:
            clinicians = self._services.patients.referring_clinicians(self._actor())
        except ClinicError as exc:  # shown; the form still works without the list
            clinicians = []
            self.errors.message(exc.message)
        if chart is None:
            self.title.setText("New patient")
            self.save_button.setText("&Register patient")
            self.referrer.load(clinicians)
        else:
            self.title.setText(f"Edit patient — {chart.display_name} (MRN {chart.mrn})")
            self.save_button.setText("&Save changes")
            for name, edit in self.edits.items():
                value = getattr(chart, name)
                edit.setText(formatting.day(value) if name == "date_of_birth" else value)
            self.sex.setCurrentIndex(max(self.sex.findData(chart.sex.value), 0))
            self.address.setPlainText(chart.address)
            self.referrer.load(clinicians, chart.referring_clinician.id if chart.referring_clinician else None)
            self.height.set(chart.height_cm, "cm")
            for name, editor in self.lists.items():
                editor.set_entries(getattr(chart, name))
        latest = chart.latest_weight if chart else None
        note = f"Last recorded: {formatting.weight(latest)} on {formatting.day(latest.measured_on)}. " if latest else ""
        self.weight_note.setText(note + ("Leave empty to keep it." if latest and self.can_weigh else
                                         "" if self.can_weigh else NO_WEIGHT_RIGHTS))
        self._show_age()
        self._initial = self.input()
        self._clean = snapshot(self.body)

    def _show_age(self) -> None:
        try:
            born = date.fromisoformat(self.edits["date_of_birth"].text().strip())
        except ValueError:
            self.age.setText("")
            return
        today = self._services.context.today()
        self.age.setText(f"{formatting.age_on(born, today)} years old" if born <= today else "")

    # --- reading and saving ------------------------------------------------------------------------
    def input(self) -> PatientInput:
        """What is typed, as the service takes it (the service cleans and checks it)."""
        text = {name: edit.text() for name, edit in self.edits.items()}
        return PatientInput(**text, sex=self.sex.currentData(), address=self.address.toPlainText(),
                            referring_clinician_id=self.referrer.selected_id(),
                            height=self.height.text() or None, height_unit=self.height.unit_text(),
                            diagnoses=self.lists["diagnoses"].entries(), allergies=self.lists["allergies"].entries(),
                            medications=self.lists["medications"].entries())

    def is_dirty(self) -> bool:
        return snapshot(self.body) != self._clean

    def _check(self, data: PatientInput) -> list[ValidationError]:
        """Every problem at once, the weight's too, before anything is saved (so no half-registered patient)."""
        errors: list[ValidationError] = []
        try:
            data.validated(self._services.context.today())
        except ValidationErrors as exc:
            errors += exc.errors
        if self.can_weigh and self.weight.text():
            try:
                checked_weight_kg(self.weight.text(), self.weight.unit_text())
            except ValidationError as exc:
                errors.append(exc)
        return errors

    def save(self) -> PatientChart | None:
        """Register or update, then record the weight if one was typed, in the background; the chart saved when
        it finished at once (tests' inline operations), else None (`saved` says when it arrives)."""
        data = self.input()
        problems = self._check(data)
        if problems:
            self.errors.clear()
            self.errors.show(problems)
            self.errors.message(NOT_SAVED)
            self.message.emit(NOT_SAVED, 8000)
            return None
        actor, patients, chart = self._actor(), self._services.patients, self.chart
        weight = (self.weight.text(), self.weight.unit_text()) if self.can_weigh and self.weight.text() else None
        changed = chart is None or data != self._initial

        def call() -> tuple[PatientChart, ClinicError | None]:
            saved = chart
            if chart is None:
                saved = patients.register(actor, data)
            elif changed:
                saved = patients.update(actor, chart.id, data, expected_version=chart.row_version)
            if weight is None:
                return saved, None
            try:
                patients.record_weight(actor, saved.id, *weight)
            except ClinicError as exc:  # the patient is saved; only the weight is to retry
                return saved, exc
            return patients.chart(actor, saved.id), None

        result = save_in_background(self, call, self.errors, lambda result: self._saved(data, *result), self._refused)
        return result[0] if result is not None and result[1] is None else None

    def _saved(self, data: PatientInput, chart: PatientChart, weight_error: ClinicError | None) -> None:
        self.chart = chart
        if weight_error is not None:  # the form now edits the saved patient; the weight's error is shown
            self._initial = data
            self.title.setText(f"Edit patient — {chart.display_name} (MRN {chart.mrn})")
            self.save_button.setText("&Save changes")
            ops.report_failure(self, weight_error, self.errors)
            if not isinstance(weight_error, (ValidationError, ValidationErrors)):
                self._refused(weight_error)
            return
        self._clean = snapshot(self.body)
        self.saved.emit(chart)

    def _refused(self, exc: ClinicError) -> None:
        """A refusal (not a field's problem): said on the form and in the status bar; what was typed stays."""
        self.message.emit(exc.message, 10000)
        self.reload_button.setVisible(isinstance(exc, ConcurrentChange))

    def reload(self) -> None:
        """After a conflict: the version saved elsewhere, replacing what was typed (the person asked for it)."""
        if self.chart is None or (self.is_dirty() and not ask_discard(self, "this form")):
            return
        fresh = self.errors.attempt(lambda: self._services.patients.chart(self._actor(), self.chart.id))
        if fresh is not None:
            self._load(fresh)
            self.message.emit("Loaded the version saved on the other workstation.", 6000)

    def confirm_discard(self) -> bool:
        """Before closing: True when nothing was typed, or the person chose to discard it."""
        return not self.is_dirty() or ask_discard(self, "this patient form")
