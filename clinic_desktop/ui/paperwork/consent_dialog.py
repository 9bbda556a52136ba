"""Recording a consent form signed on paper: for which treatment and on which version of the form, signed by
the patient or a legal representative, witnessed by whom, and when."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.consent import ConsentStatus
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.domain.records import ConsentEntry, PatientChart, StaffMember
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap, enter_saves
from clinic_desktop.ui.widgets import add_field, error_label, text_label

#: record(protocol, template_version, signed_at=, witness_id=, signer_name=, signer_relation=) -> ConsentEntry
Record = Callable[..., ConsentEntry]


def printed_name(chart: PatientChart) -> str:
    """The name as the patient signs it: "Ada Lovelace" (lists use "Lovelace, Ada")."""
    return f"{chart.given_names} {chart.family_name}".strip()


class RecordConsentDialog(QDialog):
    """RecordConsentDialog(chart, protocol, status_for, staff, zone, now, record): `status_for(protocol)` says
    which form version is in use and what is on file; `record(...)` is the service call."""

    def __init__(self, chart: PatientChart, protocol: Protocol, status_for: Callable[[Protocol], ConsentStatus],
                 staff: list[StaffMember], zone: ZoneInfo, now: datetime, record: Record,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record signed consent")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 76)
        self._chart, self._status_for, self._zone, self._record = chart, status_for, zone, record
        self.status: ConsentStatus | None = None
        self.saved: ConsentEntry | None = None
        self.errors = ErrorMap(error_label("formError"), self.fit)
        form = QVBoxLayout(self)
        form.addWidget(text_label(chart.display_name, name="subheading"))
        form.addWidget(text_label(f"MRN {chart.mrn}   ·   Born {formatting.day(chart.date_of_birth)}", name="muted"))

        self.treatment = QComboBox()
        self.treatment.setAccessibleName("Treatment")
        for choice in Protocol:
            self.treatment.addItem(choice.label, choice)
        self.treatment.setCurrentIndex(self.treatment.findData(protocol))
        self.errors.add("protocol", add_field(form, "&Treatment the consent covers", self.treatment), self.treatment)
        self.form_version = text_label("", name="muted")
        form.addWidget(self.form_version)

        self.as_patient = QRadioButton("The &patient")
        self.as_representative = QRadioButton("A &legal representative")
        self.signer_kind = QButtonGroup(self)
        for button in (self.as_patient, self.as_representative):
            self.signer_kind.addButton(button)
        self.as_patient.setChecked(True)
        form.addSpacing(4)
        form.addWidget(text_label("Signed by", selectable=False))
        form.addWidget(self.as_patient)
        form.addWidget(self.as_representative)
        self.signer_name = QLineEdit(printed_name(chart))
        self.signer_name.setAccessibleName("Signer's name")
        self.errors.add("signer_name", add_field(form, "Signer's &name as written on the form", self.signer_name),
                        self.signer_name)
        self.relation = QLineEdit()
        self.relation.setAccessibleName("Representative's relation to the patient")
        self.relation.setPlaceholderText("e.g. legal guardian, health-care agent")
        self.errors.add("signer_relation", add_field(form, "Representative's &relation to the patient",
                                                     self.relation), self.relation)

        self.witness = QComboBox()
        self.witness.setAccessibleName("Witness")
        self.witness.addItem("None", None)
        for member in staff:
            self.witness.addItem(member.signature_name, member.id)
        self.errors.add("witness_id", add_field(form, "&Witness", self.witness), self.witness)

        local = now.astimezone(zone)
        self.signed_at = QDateTimeEdit(QDateTime(local.date(), local.time().replace(second=0, microsecond=0)))
        self.signed_at.setDisplayFormat("ddd yyyy-MM-dd HH:mm")
        self.signed_at.setCalendarPopup(True)
        self.signed_at.setAccessibleName("Signed on")
        self.errors.add("signed_at", add_field(form, "&Signed on (clinic's local time)", self.signed_at),
                        self.signed_at)
        form.addWidget(self.errors.form_error)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Record consent", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form.addWidget(buttons)
        enter_saves(self, self.submit, self.reject)
        self.treatment.currentIndexChanged.connect(lambda _index: self.show_status())
        self.signer_kind.buttonToggled.connect(lambda _button, _on: self._signer_changed())
        self._signer_changed()
        self.show_status()

    def fit(self) -> None:
        """Tall enough for every wrapped line at the current width (a dialog does not ask its wrapped labels for
        height-for-width by itself), e.g. after error lines appeared."""
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit()

    def protocol(self) -> Protocol:
        return self.treatment.currentData()

    def show_status(self) -> None:
        """The form version new consents for this treatment are signed on, and what is on file already."""
        self.errors.clear()
        try:
            self.status = self._status_for(self.protocol())
        except ClinicError as exc:
            self.status = None
            self.form_version.setText("")
            self.errors.message(exc.message)
            self.save_button.setEnabled(False)
            return
        self.save_button.setEnabled(True)
        s = self.status
        on_file = (f"On file: signed {self._day(s.signed.signed_at)} on form {s.signed.template_version}"
                   + (", an older form." if s.needs_consent else ".")) if s.signed else \
            "No consent on file for this treatment."
        self.form_version.setText(f"Form in use: version {s.current_version}. {on_file}")
        self.fit()

    def _signer_changed(self) -> None:
        """The representative's relation matters only for a representative; the patient's name is offered for
        the patient and taken away for a representative, so it is not recorded by mistake."""
        representative = self.as_representative.isChecked()
        self.relation.setEnabled(representative)
        name = printed_name(self._chart)
        if representative and self.signer_name.text().strip() == name:
            self.signer_name.clear()
        elif not representative and not self.signer_name.text().strip():
            self.signer_name.setText(name)

    def signed_time(self) -> datetime:
        """The time typed, in the clinic's zone, as UTC."""
        local = self.signed_at.dateTime().toPython().replace(tzinfo=self._zone)
        return local.astimezone(timezone.utc)

    def call(self) -> ConsentEntry:
        representative = self.as_representative.isChecked()
        relation = self.relation.text().strip() if representative else ""
        if representative:
            missing = []
            if not self.signer_name.text().strip():
                missing.append(ValidationError("Enter the representative's name as written on the form.",
                                               "signer_name"))
            if not relation:
                missing.append(ValidationError("Say how the representative is related to the patient.",
                                               "signer_relation"))
            if missing:
                raise ValidationErrors(missing)
        if self.status is None:
            raise ValidationError("The consent form in use could not be read; try again.", "protocol")
        return self._record(self.protocol(), self.status.current_version, signed_at=self.signed_time(),
                            witness_id=self.witness.currentData(), signer_name=self.signer_name.text().strip(),
                            signer_relation=relation)

    def submit(self) -> ConsentEntry | None:
        self.saved = self.errors.attempt(self.call)
        if self.saved is not None:
            self.accept()
        return self.saved

    def _day(self, moment: datetime) -> str:
        return formatting.day(moment.astimezone(self._zone).date())

    @classmethod
    def ask(cls, *args: Any, **kwargs: Any) -> ConsentEntry | None:  # the constructor's arguments
        """The consent recorded, or None when cancelled."""
        dialog = cls(*args, **kwargs)
        dialog.exec()
        return dialog.saved
