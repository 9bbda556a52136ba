"""Assembling a patient's chart from its tables, loading only what the chart shows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.domain.body import bmi
from clinic_desktop.domain.enums import Protocol, SeriesStatus
from clinic_desktop.domain.records import (
    AllergyEntry,
    ConsentEntry,
    DiagnosisEntry,
    MedicationEntry,
    PatientChart,
    ReferringClinician,
    ScreeningSummary,
    SeriesSummary,
    SessionSummary,
    WeightEntry,
)
from clinic_desktop.domain.schedule import parse_weekdays
from clinic_desktop.domain.screening import screening_findings
from clinic_desktop.services.context import load_settings, staff_names
from clinic_desktop.services.scoring import latest_scores, outcome_lines, outcome_points
from clinic_desktop.storage import models


def build_chart(session: Session, patient: models.Patient, today: date) -> PatientChart:
    """The chart in a fixed number of statements, however long the patient's history (tests/services count them)."""
    settings = load_settings(session)
    weight = latest_weight(session, patient.id)
    series = series_summaries(session, patient.id)
    screening_row = session.execute(
        select(models.ScreeningRecord).where(models.ScreeningRecord.patient_id == patient.id)
        .order_by(models.ScreeningRecord.screened_on.desc(), models.ScreeningRecord.id.desc()).limit(1)).scalar()
    consent_rows = consent_records(session, patient.id)
    # The screening's recorder and the consents' people in one look-up.
    names = staff_names(session, {r.witness_id for r in consent_rows} | {r.recorded_by_id for r in consent_rows}
                        | ({screening_row.recorded_by_id} if screening_row else set()))
    points = outcome_points(session, patient.id)
    return PatientChart(
        id=patient.id, mrn=patient.mrn, given_names=patient.given_names, family_name=patient.family_name,
        preferred_name=patient.preferred_name, date_of_birth=patient.date_of_birth, sex=patient.sex,
        phone=patient.phone, email=patient.email, address=patient.address,
        emergency_contact_name=patient.emergency_contact_name, emergency_contact_phone=patient.emergency_contact_phone,
        emergency_contact_relation=patient.emergency_contact_relation, escort_name=patient.escort_name,
        escort_phone=patient.escort_phone,
        referring_clinician=referring_clinician_record(patient.referring_clinician)
        if patient.referring_clinician else None,
        height_cm=patient.height_cm, rems_enrolled_on=patient.rems_enrolled_on, row_version=patient.row_version,
        diagnoses=tuple(DiagnosisEntry(d.description, d.code, d.is_primary) for d in patient.diagnoses),
        allergies=tuple(AllergyEntry(a.substance, a.reaction) for a in patient.allergies),
        medications=tuple(MedicationEntry(m.name, m.drug_class, m.dose, m.active) for m in patient.medications),
        latest_weight=weight,
        bmi=bmi(weight.weight_kg, patient.height_cm) if weight and patient.height_cm else None,
        screening=screening_summary(session, patient, screening_row, series, names) if screening_row else None,
        consents=tuple(consent_entry(r, names) for r in consent_rows),
        series=series,
        latest_scores=latest_scores(session, patient.id, settings),
        # From the points the chart draws, not read a second time.
        outcomes=outcome_lines(((s.series_id, p.instrument, p.taken_at, p.total) for s in points for p in s.points),
                               settings),
        outcome_points=points,
        outcome_settings=settings,
    )


def printed_name(patient: models.Patient) -> str:
    """The name as a person writes it on a form ("Given Family"); lists sort by "Family, Given" instead."""
    return f"{patient.given_names} {patient.family_name}".strip()


def consent_entries(session: Session, patient_id: int) -> tuple[ConsentEntry, ...]:
    """The patient's consents, newest first, with who signed, witnessed and recorded each."""
    rows = consent_records(session, patient_id)
    names = staff_names(session, {r.witness_id for r in rows} | {r.recorded_by_id for r in rows})
    return tuple(consent_entry(r, names) for r in rows)


def consent_records(session: Session, patient_id: int) -> list[models.ConsentRecord]:
    return list(session.execute(select(models.ConsentRecord).where(models.ConsentRecord.patient_id == patient_id)
                                .order_by(models.ConsentRecord.signed_at.desc(), models.ConsentRecord.id.desc())
                                ).scalars())


def consent_entry(row: models.ConsentRecord, names: dict[int, str]) -> ConsentEntry:
    return ConsentEntry(row.id, row.protocol, row.template_version, row.signed_at, row.withdrawn_at,
                        row.signer_name, row.signer_relation, names.get(row.witness_id, ""),
                        names.get(row.recorded_by_id, ""))


def latest_weight(session: Session, patient_id: int) -> WeightEntry | None:
    row = session.execute(select(models.WeightMeasurement).where(models.WeightMeasurement.patient_id == patient_id)
                          .order_by(models.WeightMeasurement.measured_on.desc(), models.WeightMeasurement.id.desc())
                          .limit(1)).scalar()
    return WeightEntry(row.measured_on, row.weight_kg, row.entered_unit) if row else None


def screening_summary(session: Session, patient: models.Patient, row: models.ScreeningRecord,
                      series: tuple[SeriesSummary, ...] | None = None,
                      names: dict[int, str] | None = None) -> ScreeningSummary:
    """Flags graded for the patient's current protocol (the latest open series), IV racemic otherwise."""
    if series is None:
        series = series_summaries(session, patient.id)
    current = next((s for s in series if s.status in (SeriesStatus.ACTIVE, SeriesStatus.PLANNED)), None)
    protocol = current.protocol if current else Protocol.IV_INDUCTION
    if names is None or row.recorded_by_id not in names:
        names = staff_names(session, {row.recorded_by_id})
    return ScreeningSummary(row.screened_on, names.get(row.recorded_by_id, ""), dict(row.answers),
                            screening_findings(row.answers, protocol), protocol)


def series_summaries(session: Session, patient_id: int) -> tuple[SeriesSummary, ...]:
    """Every series of the patient, newest first, with its sessions and their dose (two queries in all)."""
    series_rows = session.execute(select(models.InfusionSeries).where(models.InfusionSeries.patient_id == patient_id)
                                  .order_by(models.InfusionSeries.start_date.desc(), models.InfusionSeries.id.desc())
                                  ).scalars().all()
    if not series_rows:
        return ()
    chairs = {c.id: c.name for c in session.execute(select(models.Chair)).scalars()}
    rows = session.execute(
        select(models.TreatmentSession, models.DoseRecord.dose_mg, models.DoseRecord.mg_per_kg)
        .outerjoin(models.DoseRecord, models.DoseRecord.session_id == models.TreatmentSession.id)
        .where(models.TreatmentSession.series_id.in_([s.id for s in series_rows]))
        .order_by(models.TreatmentSession.sequence)).all()
    planned = {s.id: s.planned_sessions for s in series_rows}
    by_series: dict[int, list[SessionSummary]] = {s.id: [] for s in series_rows}
    for ts, dose_mg, mg_per_kg in rows:
        by_series[ts.series_id].append(session_summary(ts, planned[ts.series_id], chairs, dose_mg, mg_per_kg))
    return tuple(
        SeriesSummary(s.id, s.protocol, s.planned_sessions, s.start_date, s.target_dose, s.status, s.stop_reason,
                      chairs.get(s.chair_id, ""), parse_weekdays(s.weekdays), tuple(by_series[s.id]), s.row_version)
        for s in series_rows)


def session_summary(ts: models.TreatmentSession, of_planned: int, chairs: dict[int, str],
                    dose_mg: Decimal | None = None, mg_per_kg: Decimal | None = None) -> SessionSummary:
    return SessionSummary(ts.id, ts.series_id, ts.sequence, of_planned, ts.scheduled_at, chairs.get(ts.chair_id, ""),
                          ts.status, dose_mg, mg_per_kg, ts.discharged_at, ts.row_version)


def referring_clinician_record(row: models.ReferringClinician) -> ReferringClinician:
    return ReferringClinician(row.id, row.full_name, row.practice, row.address, row.phone, row.fax, row.email)
