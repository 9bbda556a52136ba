"""Filling the printed sheets' records from the database (the printing layer turns them into PDF)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.domain.clinic_profile import ClinicProfile
from clinic_desktop.domain.clinical_time import session_start, session_window
from clinic_desktop.domain.consent import template_kind
from clinic_desktop.domain.enums import NoteKind, Protocol, Route, SessionStatus, VitalsPhase
from clinic_desktop.domain.errors import NotFound, ValidationError
from clinic_desktop.domain.monitoring import describe_note
from clinic_desktop.domain.paperwork import (
    ClinicLetterhead,
    ConsentSheet,
    DischargeSheet,
    GivenDose,
    InfusionRecordSheet,
    PatientIdent,
    PrintContext,
    SummaryLetter,
)
from clinic_desktop.domain.records import OutcomeLine, SeriesSummary
from clinic_desktop.domain.session_records import SessionDetail, VitalsEntry
from clinic_desktop.domain.schedule import WEEKDAY_NAMES
from clinic_desktop.domain.scales import CADSS, get_scale
from clinic_desktop.services.chart import printed_name, referring_clinician_record, series_summaries
from clinic_desktop.services.context import load_logo, load_profile, load_settings
from clinic_desktop.services.scoring import outcome_points, series_outcomes
from clinic_desktop.services.session_records import build_session_detail
from clinic_desktop.services.sheet_text_store import current_template
from clinic_desktop.storage import models
from clinic_desktop.storage.audit_chain import AuditKeyring


def letterhead(profile: ClinicProfile, logo: bytes | None = None) -> ClinicLetterhead:
    return ClinicLetterhead(profile.name, profile.address, profile.phone, profile.after_hours_phone, profile.email,
                            profile.paper, profile.emergency_number, profile.crisis_number, profile.crisis_line, logo)


def clinic_letterhead(session: Session) -> ClinicLetterhead:
    """The clinic's letterhead as stored now: its profile and its logo."""
    return letterhead(load_profile(session), load_logo(session))


def patient_ident(patient: models.Patient) -> PatientIdent:
    return PatientIdent(printed_name(patient), patient.date_of_birth, patient.mrn, patient.address)


def planned_course(series: SeriesSummary, settings_minutes: int) -> str:
    """The course in a sentence, as the consent names what it covers."""
    days = ", ".join(WEEKDAY_NAMES[d] for d in series.weekdays)
    if series.protocol.is_esketamine:
        each = f"{series.planned_sessions} nasal-spray sessions starting at {series.target_dose} mg"
    elif series.protocol.route is Route.IM:
        each = f"{series.planned_sessions} intramuscular injections of {series.target_dose} mg/kg"
    else:
        each = (f"{series.planned_sessions} infusions of {series.target_dose} mg/kg over about "
                f"{settings_minutes} minutes")
    return f"{each}, on {days}, from {series.start_date.isoformat()}"


def consent_sheet(session: Session, patient: models.Patient, series_id: int | None, protocol: Protocol | None,
                  context: PrintContext) -> ConsentSheet:
    series = None
    if series_id is not None:
        series = next((s for s in series_summaries(session, patient.id) if s.id == series_id), None)
        if series is None:
            raise NotFound(f"Series {series_id} is not one of this patient's series.")
        if protocol is not None and Protocol.parse(protocol, "protocol") is not series.protocol:
            raise ValidationError("The treatment does not match the series' treatment.", "protocol")
        protocol = series.protocol
    if protocol is None:
        raise ValidationError("Choose the treatment (or the series) the consent covers.", "protocol")
    protocol = Protocol.parse(protocol, "protocol")
    settings = load_settings(session)
    course = (planned_course(series, settings.iv_min_duration_min) if series is not None
              else "As planned with your physician; the sessions are booked separately.")
    return ConsentSheet(clinic_letterhead(session), patient_ident(patient), protocol, course,
                        current_template(session, template_kind(protocol)), context)


def discharge_sheet(session: Session, ts: models.TreatmentSession, keyring: AuditKeyring,
                    context: PrintContext) -> DischargeSheet:
    detail = build_session_detail(session, ts, load_settings(session), keyring)
    patient = ts.series.patient
    discharge_scores = [s for s in detail.scores if get_scale(s.instrument).discharge]
    return DischargeSheet(
        clinic_letterhead(session), patient_ident(patient), detail.summary, detail.protocol,
        detail.dose.dose_mg if detail.dose else None, detail.dose.mg_per_kg if detail.dose else None,
        detail.vitals[-1] if detail.vitals else None, discharge_scores[-1] if discharge_scores else None,
        detail.escort_name, next_appointment(session, patient.id, ts.scheduled_at),
        current_template(session, "discharge"), context)


def next_appointment(session: Session, patient_id: int, after: datetime) -> datetime | None:
    """The patient's next booked session in any series (what the discharge sheet tells them to come back for)."""
    return session.execute(
        select(models.TreatmentSession.scheduled_at).join(models.InfusionSeries)
        .where(models.InfusionSeries.patient_id == patient_id, models.TreatmentSession.scheduled_at > after,
               models.TreatmentSession.status.in_((SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN)))
        .order_by(models.TreatmentSession.scheduled_at).limit(1)).scalar()


def infusion_record_sheet(session: Session, ts: models.TreatmentSession, keyring: AuditKeyring,
                          context: PrintContext) -> InfusionRecordSheet:
    settings = load_settings(session)
    detail = build_session_detail(session, ts, settings, keyring)
    window = session_window(session_start(ts.scheduled_at, ts.checked_in_at), settings, context.printed_at)
    return InfusionRecordSheet(
        clinic_letterhead(session), patient_ident(ts.series.patient), detail.summary, detail.protocol,
        detail.dose, detail.vitals, detail.notes, detail.scores, detail.checks_override_reason,
        detail.checks_override_signature, context, window)


def summary_letter(session: Session, series_row: models.InfusionSeries, keyring: AuditKeyring,
                   recommendations: str, signer_name: str, context: PrintContext) -> SummaryLetter:
    patient = series_row.patient
    settings = load_settings(session)
    series = next(s for s in series_summaries(session, patient.id) if s.id == series_row.id)
    doses = tuple(dose for ts in sorted(series_row.sessions, key=lambda t: t.sequence)
                  if ts.dose_record is not None and ts.dose_record.started_at is not None
                  for dose in [given_dose(build_session_detail(session, ts, settings, keyring))])
    scores = next((p for p in outcome_points(session, patient.id) if p.series_id == series.id), None)
    rems = (f"Enrolled in the SPRAVATO REMS on {patient.rems_enrolled_on.isoformat()}"
            if series.protocol.is_esketamine and patient.rems_enrolled_on else
            "Not enrolled in the SPRAVATO REMS" if series.protocol.is_esketamine else "")
    return SummaryLetter(
        clinic_letterhead(session), patient_ident(patient),
        referring_clinician_record(patient.referring_clinician) if patient.referring_clinician else None,
        tuple(d.description + (f" ({d.code})" if d.code else "") for d in patient.diagnoses), series, doses, scores,
        series_outcome_lines(session, patient.id, series.id), tuple(
            " ".join(part for part in (m.name, m.dose) if part) for m in patient.medications if m.active),
        recommendations, signer_name, context, rems)


def series_outcome_lines(session: Session, patient_id: int, series_id: int) -> tuple[OutcomeLine, ...]:
    return tuple(o for o in series_outcomes(session, patient_id, load_settings(session)) if o.series_id == series_id)


def given_dose(detail: SessionDetail) -> GivenDose:
    """One given dose as the summary letter lists it, with the session's tolerability in brief."""
    dose = detail.dose
    assert dose is not None and dose.started_at is not None  # callers pass sessions whose dose was started
    minutes = (Decimal((dose.stopped_at - dose.started_at).total_seconds() / 60).quantize(Decimal(1))
               if dose.stopped_at else None)
    cadss = [s.total for s in detail.scores if s.instrument == CADSS.code]
    return GivenDose(
        detail.summary.label, dose.started_at, dose.dose_mg, dose.mg_per_kg,
        dose.weight_basis.label if dose.weight_basis else "", minutes, peak_bp(detail.vitals),
        max(cadss) if cadss else None,
        tuple(describe_note(n).split("\n")[0] for n in detail.notes if n.kind is NoteKind.ADVERSE_EVENT))


def peak_bp(vitals: tuple[VitalsEntry, ...]) -> str:
    """The reading with the highest systolic pressure during or after the dose, as "162/91" ("" if none)."""
    readings = [v for v in vitals if v.systolic is not None and v.phase is not VitalsPhase.BASELINE]
    if not readings:
        return ""
    top = max(readings, key=lambda v: v.systolic)
    return f"{top.systolic}/{top.diastolic if top.diastolic is not None else '–'}"
