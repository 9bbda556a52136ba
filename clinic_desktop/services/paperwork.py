"""Printing patient paperwork: each sheet rendered from the record, and every print or save written to the audit.

Rendering is a read (previewing a sheet changes nothing); `record_print` is called once the sheet has gone to
a printer or a file, and records who printed what, when, on which template version, with the PDF's SHA-256.
The renderers are imported when first used: ReportLab is not needed to open the window.
"""

from __future__ import annotations

import hashlib
from types import ModuleType
from typing import Any, Callable
from decimal import Decimal

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.clinic_profile import ClinicProfile
from clinic_desktop.domain.consent import ConsentStatus
from clinic_desktop.domain.enums import Protocol, StaffRole
from clinic_desktop.domain.outcomes import STATUS_BASELINE_ONLY, STATUS_REMISSION, STATUS_RESPONSE
from clinic_desktop.domain.paperwork import ClinicLetterhead, PrintContext, PrintedSheet, SheetKind
from clinic_desktop.domain.records import OutcomeLine, StaffMember
from clinic_desktop.domain.scales import PHQ9
from clinic_desktop.domain.text import checked_text
from clinic_desktop.services import paperwork_sheets as sheets
from clinic_desktop.services.consents import patient_consent_status
from clinic_desktop.services.context import (
    ServiceContext,
    acting_staff,
    get_or_404,
    load_profile,
    requires,
    staff_member,
)
from clinic_desktop.services.sessions import load_session
from clinic_desktop.storage import models

#: Longest recommendations text a letter carries (about two pages).
MAX_RECOMMENDATIONS = 6000


class PaperworkService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- sheets -------------------------------------------------------------------------------------------------

    @requires(Action.PRINT)
    def consent(self, actor: StaffMember, patient_id: int, series_id: int | None = None,
                protocol: Protocol | None = None) -> PrintedSheet:
        """The consent form for a treatment: a series' (its planned course printed) or a protocol's alone."""
        with self._ctx.db.read() as uow:
            patient = get_or_404(uow.session, models.Patient, patient_id, "patient")
            sheet = sheets.consent_sheet(uow.session, patient, series_id, protocol, self._context(actor))
        self._ctx.audit_emergency_view(actor, "patient", patient_id, patient_id)
        return PrintedSheet(SheetKind.CONSENT, f"Consent form, {sheet.protocol.label}: {sheet.patient.name}",
                            sheet.template.version, patient_id, "series" if series_id else "patient",
                            series_id or patient_id, _renderers().render_consent(sheet),
                            self._filename("consent", sheet.patient.mrn), sheet.patient.mrn,
                            _gaps(sheet.clinic))

    @requires(Action.PRINT)
    def discharge(self, actor: StaffMember, session_id: int) -> PrintedSheet:
        sheet, patient_id = self._session_sheet(actor, session_id, sheets.discharge_sheet)
        return PrintedSheet(SheetKind.DISCHARGE, f"Discharge sheet, {sheet.session.label}: {sheet.patient.name}",
                            sheet.template.version, patient_id, "session", session_id,
                            _renderers().render_discharge(sheet), self._filename("discharge", sheet.patient.mrn),
                            sheet.patient.mrn, _gaps(sheet.clinic))

    @requires(Action.PRINT)
    def infusion_record(self, actor: StaffMember, session_id: int) -> PrintedSheet:
        sheet, patient_id = self._session_sheet(actor, session_id, sheets.infusion_record_sheet)
        return PrintedSheet(SheetKind.RECORD, f"Infusion record, {sheet.session.label}: {sheet.patient.name}", "",
                            patient_id, "session", session_id, _renderers().render_infusion_record(sheet),
                            self._filename("infusion-record", sheet.patient.mrn), sheet.patient.mrn,
                            _gaps(sheet.clinic))

    @requires(Action.PRINT)
    def summary_letter(self, actor: StaffMember, series_id: int, recommendations: str | None = None) -> PrintedSheet:
        """The course summary for the referring clinician; `None` recommendations take the default text.
        A physician printing it is named as the signer; anyone else leaves the signature line blank."""
        with self._ctx.db.read() as uow:
            staff = staff_member(acting_staff(uow.session, actor))
            series = get_or_404(uow.session, models.InfusionSeries, series_id, "series")
            text = (default_recommendations(sheets.series_outcome_lines(uow.session, series.patient_id, series_id),
                                            load_profile(uow.session))
                    if recommendations is None else checked_text(
                        recommendations, "recommendations", "Recommendations", max_length=MAX_RECOMMENDATIONS,
                        multiline=True))
            signer = staff.signature_name if staff.role is StaffRole.PHYSICIAN else ""
            sheet = sheets.summary_letter(uow.session, series, self._ctx.db.keyring, text, signer,
                                          self._context(actor))
            patient_id = series.patient_id
        self._ctx.audit_emergency_view(actor, "series", series_id, patient_id)
        return PrintedSheet(SheetKind.SUMMARY, f"Series summary letter: {sheet.patient.name}", "", patient_id,
                            "series", series_id, _renderers().render_summary_letter(sheet),
                            self._filename("summary-letter", sheet.patient.mrn), sheet.patient.mrn,
                            _gaps(sheet.clinic))

    @requires(Action.PRINT)
    def default_recommendations(self, actor: StaffMember, series_id: int) -> str:
        """The recommendations a letter starts from, for the physician to edit."""
        with self._ctx.db.read() as uow:
            series = get_or_404(uow.session, models.InfusionSeries, series_id, "series")
            return default_recommendations(sheets.series_outcome_lines(uow.session, series.patient_id, series_id),
                                           load_profile(uow.session))

    # -- the print record and the consent status ----------------------------------------------------------------

    @requires(Action.PRINT)
    def record_print(self, actor: StaffMember, sheet: PrintedSheet, destination: str) -> None:
        """Write to the audit that `sheet` went to `destination` ("printer: …" or "PDF file: …")."""
        where = checked_text(destination, "destination", "Destination", required=True, max_length=300)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            get_or_404(uow.session, models.Patient, sheet.patient_id, "patient")
            self._ctx.audit(uow.session, actor, "print", object_type=sheet.object_type, object_id=sheet.object_id,
                            patient_id=sheet.patient_id, details={
                                "sheet": sheet.kind.value, "title": sheet.title,
                                "template_version": sheet.template_version, "destination": where,
                                "sha256": hashlib.sha256(sheet.pdf).hexdigest()})
            uow.commit()

    @requires(Action.PATIENT_VIEW)
    def consent_status(self, actor: StaffMember, patient_id: int, protocol: Protocol) -> ConsentStatus:
        """Whether the patient's consent for `protocol` is on file and on the form in use now."""
        with self._ctx.db.read() as uow:
            get_or_404(uow.session, models.Patient, patient_id, "patient")
            return patient_consent_status(uow.session, patient_id, Protocol.parse(protocol, "protocol"))

    # -- helpers ------------------------------------------------------------------------------------------------

    def _session_sheet(self, actor: StaffMember, session_id: int, fill: Callable) -> tuple[Any, int]:
        """A session's sheet record filled by `fill`, and the session's patient."""
        with self._ctx.db.read() as uow:
            ts = load_session(uow.session, session_id)
            sheet = fill(uow.session, ts, self._ctx.db.keyring, self._context(actor))
            patient_id = ts.series.patient_id
        self._ctx.audit_emergency_view(actor, "session", session_id, patient_id)
        return sheet, patient_id

    def _context(self, actor: StaffMember) -> PrintContext:
        return PrintContext(self._ctx.now(), actor.signature_name, self._ctx.zone.key)

    def _filename(self, kind: str, mrn: str) -> str:
        return f"{kind}-{mrn}-{self._ctx.today().isoformat()}.pdf"


def _gaps(clinic: ClinicLetterhead) -> tuple[str, ...]:
    """What a sheet printed now leaves out for want of the clinic's details (its phone numbers, its address)."""
    missing = []
    if not clinic.phone:
        missing.append("the clinic's phone number (the sentences that would give it are left out)")
    if not clinic.address:
        missing.append("the clinic's address")
    return tuple(missing)


def _renderers() -> ModuleType:  # the module of the four render functions
    from clinic_desktop.printing import renderers

    return renderers


def default_recommendations(outcomes: tuple[OutcomeLine, ...], profile: ClinicProfile) -> str:
    """A starting text built from reference 11: maintenance or stop by the response, what to monitor with repeated
    dosing, the crisis plan, next contact. The physician edits it before signing."""
    phq9 = next((o for o in outcomes if o.instrument == PHQ9.code), None)
    if phq9 is None or phq9.status == STATUS_BASELINE_ONLY:
        course = ("Fewer than two PHQ-9 scores were recorded during the course, so the response cannot be judged "
                  "from scores; please review the clinical picture before deciding on maintenance treatment.")
    elif phq9.status in (STATUS_REMISSION, STATUS_RESPONSE):
        course = (f"PHQ-9 went from {phq9.baseline} to {phq9.latest}{_change(phq9.percent_change)}: "
                  f"{phq9.status}. We propose maintenance treatment at intervals guided by symptoms, "
                  "reviewing at each visit whether it is still needed.")
    else:
        course = (f"PHQ-9 went from {phq9.baseline} to {phq9.latest}{_change(phq9.percent_change)}: "
                  f"{phq9.status}, short of a response. We do not propose further ketamine treatment without a "
                  "review of the diagnosis and of other treatment options.")
    return "\n".join((
        course,
        "Monitoring with repeated treatment: blood pressure at each visit, liver function tests, and questions "
        "about urinary symptoms.",
        f"Crisis plan: the patient has been told to call or text {profile.crisis_number}, or call "
        f"{profile.emergency_number}, in a crisis.",
        "Please continue the patient's regular psychiatric care; ketamine treatment is not a substitute for it.",
    ))


def _change(percent: Decimal | None) -> str:
    return f" ({percent:+} %)" if percent is not None else ""
