"""Reading a session back: its detail record, and the facts its pre-infusion checks look at."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.domain.checks import PreInfusionFacts
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import Timepoint, VitalsPhase
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.scales import PHQ9
from clinic_desktop.domain.session_records import (
    AmendmentEntry,
    DoseRecordEntry,
    NoteEntry,
    SessionDetail,
    VitalsEntry,
)
from clinic_desktop.domain.vitals import VitalSigns, assess
from clinic_desktop.services import signing
from clinic_desktop.services.chart import latest_weight, session_summary
from clinic_desktop.services.consents import patient_consent_status
from clinic_desktop.services.context import staff_names
from clinic_desktop.services.scoring import rise_baselines, score_entry
from clinic_desktop.storage import models
from clinic_desktop.storage.audit_chain import AuditKeyring

#: Scale findings that must be acknowledged by a clinician before an infusion goes ahead.
SUICIDE_FINDINGS = ("phq9_item9", "cssrs_high_risk")


def vital_signs(row: models.VitalSignsReading) -> VitalSigns:
    return VitalSigns(row.systolic, row.diastolic, row.heart_rate, row.spo2, row.resp_rate, row.temperature_c)


def session_vitals(session: Session, session_id: int) -> list[models.VitalSignsReading]:
    return list(session.execute(select(models.VitalSignsReading)
                                .where(models.VitalSignsReading.session_id == session_id)
                                .order_by(models.VitalSignsReading.taken_at, models.VitalSignsReading.id)).scalars())


def baseline_of(readings: list[models.VitalSignsReading]) -> VitalSigns | None:
    """The latest baseline reading (a repeat baseline replaces a first one taken too early or in error)."""
    baselines = [r for r in readings if r.phase is VitalsPhase.BASELINE]
    return vital_signs(baselines[-1]) if baselines else None


def build_session_detail(session: Session, ts: models.TreatmentSession, settings: ClinicSettings,
                         keyring: AuditKeyring) -> SessionDetail:
    series = ts.series
    patient = series.patient
    chairs = {c.id: c.name for c in session.execute(select(models.Chair)).scalars()}
    dose = ts.dose_record
    readings = session_vitals(session, ts.id)
    notes = _note_rows(session, ts.id)
    scores = list(session.execute(select(models.ScaleResponse).where(models.ScaleResponse.session_id == ts.id)
                                  .order_by(models.ScaleResponse.taken_at, models.ScaleResponse.id)).scalars())
    check_notes = ts.check_notes or {}
    ids = ({r.recorded_by_id for r in readings} | {n.recorded_by_id for n in notes}
           | {v.get("by") for v in check_notes.values()})
    if dose is not None:
        ids |= {dose.ordered_by_id, dose.administered_by_id, dose.waste_witness_id}
    names = staff_names(session, ids)
    baseline = baseline_of(readings)
    rises = rise_baselines(scores)
    return SessionDetail(
        summary=session_summary(ts, series.planned_sessions, chairs, dose.dose_mg if dose else None,
                                dose.mg_per_kg if dose else None),
        patient_id=patient.id, patient_name=f"{patient.family_name}, {patient.given_names}", mrn=patient.mrn,
        protocol=series.protocol, escort_name=ts.escort_name, escort_phone=ts.escort_phone,
        escort_confirmed=ts.escort_confirmed, npo_confirmed=ts.npo_confirmed, pregnancy_status=ts.pregnancy_status,
        checked_in_at=ts.checked_in_at,
        dose=_dose_entry(session, keyring, dose, names) if dose else None,
        vitals=tuple(_vitals_entry(r, baseline, settings, names) for r in readings),
        notes=tuple(note_entry(n, names) for n in notes),
        scores=tuple(score_entry(s, settings, rises.get(s.instrument)) for s in scores),
        row_version=ts.row_version,
        check_notes=_check_notes(check_notes, names),
        checks_override_reason=ts.checks_override_reason,
        checks_override_signature=next(iter(signing.signature_entries(
            session, keyring, "checks_override", ts, names)[-1:]), None) if ts.checks_override_reason else None,
    )


def _note_rows(session: Session, session_id: int) -> list[models.MonitoringNote]:
    return list(session.execute(select(models.MonitoringNote).where(models.MonitoringNote.session_id == session_id)
                                .order_by(models.MonitoringNote.noted_at, models.MonitoringNote.id)).scalars())


def note_entry(n: models.MonitoringNote, names: dict[int, str]) -> NoteEntry:
    """A note as the session shows it (`names`: staff names by id, as staff_names gives them)."""
    return NoteEntry(n.id, n.noted_at, n.kind, dict(n.values), n.text, names.get(n.recorded_by_id, ""))


def note_entries(session: Session, session_id: int) -> tuple[NoteEntry, ...]:
    """The session's monitoring notes in time order."""
    rows = _note_rows(session, session_id)
    names = staff_names(session, {n.recorded_by_id for n in rows})
    return tuple(note_entry(n, names) for n in rows)


def check_notes_of(session: Session, ts: models.TreatmentSession) -> dict[str, tuple[str, str, datetime]]:
    """The checklist's explanations by item key: (note, who, when)."""
    stored = ts.check_notes or {}
    return _check_notes(stored, staff_names(session, {v.get("by") for v in stored.values()}))


def _check_notes(stored: dict, names: dict[int, str]) -> dict[str, tuple[str, str, datetime]]:
    return {k: (v["note"], names.get(v.get("by"), ""), datetime.fromisoformat(v["at"])) for k, v in stored.items()}


def vitals_entry(session: Session, row: models.VitalSignsReading, baseline: VitalSigns | None,
                 settings: ClinicSettings) -> VitalsEntry:
    """One reading as the session shows it, its alerts judged against the session's `baseline`."""
    return _vitals_entry(row, baseline, settings, staff_names(session, {row.recorded_by_id}))


def _dose_entry(session: Session, keyring: AuditKeyring, d: models.DoseRecord,
                names: dict[int, str]) -> DoseRecordEntry:
    signatures = tuple(sig for kind in ("dose_order", "administration", "waste")
                       for sig in signing.signature_entries(session, keyring, kind, d, names))
    amendments = session.execute(select(models.Amendment).where(
        models.Amendment.record_type.in_(("dose_order", "administration")), models.Amendment.record_id == d.id)
        .order_by(models.Amendment.id)).scalars().all()
    amended_by = staff_names(session, {a.amended_by_id for a in amendments})
    return DoseRecordEntry(
        d.id, d.mg_per_kg, d.weight_basis, d.weight_kg_used, d.dose_mg, d.vial_mg_per_ml, d.drug_volume_ml,
        d.diluent_ml, d.total_volume_ml, d.duration_min, d.pump_rate_ml_per_h, names.get(d.ordered_by_id, ""),
        d.ordered_at, d.override_level, d.override_reason, tuple(c for c in d.finding_codes.split(",") if c),
        d.lot_number, d.lot_expiry, d.started_at, d.stopped_at, d.volume_given_ml, d.volume_wasted_ml,
        names.get(d.administered_by_id, ""), names.get(d.waste_witness_id, ""), signatures,
        tuple(AmendmentEntry(a.record_type, dict(a.changes), a.reason, amended_by.get(a.amended_by_id, ""),
                             a.amended_at) for a in amendments), row_version=d.row_version)


def _vitals_entry(r: models.VitalSignsReading, baseline: VitalSigns | None, settings: ClinicSettings,
                  names: dict[int, str]) -> VitalsEntry:
    reference = None if r.phase is VitalsPhase.BASELINE else baseline
    alerts = tuple(a.message for a in assess(vital_signs(r), reference, settings).alerts)
    return VitalsEntry(r.id, r.taken_at, r.phase, r.systolic, r.diastolic, r.heart_rate, r.spo2, r.resp_rate,
                       r.temperature_c, names.get(r.recorded_by_id, ""), r.alert_action, r.alert_note, alerts)


def gather_facts(session: Session, ts: models.TreatmentSession, settings: ClinicSettings,
                 today: date) -> PreInfusionFacts:
    series = ts.series
    patient = series.patient
    consent = patient_consent_status(session, patient.id, series.protocol)
    screening = session.execute(select(models.ScreeningRecord).where(models.ScreeningRecord.patient_id == patient.id)
                                .order_by(models.ScreeningRecord.screened_on.desc(),
                                          models.ScreeningRecord.id.desc()).limit(1)).scalar()
    weight = latest_weight(session, patient.id)
    pre_scores = session.execute(select(models.ScaleResponse).where(
        models.ScaleResponse.session_id == ts.id, models.ScaleResponse.timepoint == Timepoint.PRE)).scalars().all()
    pending = tuple(f for row in pre_scores if row.acknowledged_at is None
                    for f in score_entry(row, settings).findings if f.code in SUICIDE_FINDINGS)
    return PreInfusionFacts(
        protocol=series.protocol, sex=patient.sex, today=today, consent_on_file=consent.signed is not None,
        consent_outdated=consent.reason if consent.signed is not None else "",
        rems_enrolled=patient.rems_enrolled_on is not None,
        screening_answers=dict(screening.answers) if screening else None,
        screened_on=screening.screened_on if screening else None,
        medication_classes=tuple(m.drug_class for m in patient.medications if m.active),
        escort_name=ts.escort_name, escort_confirmed=ts.escort_confirmed, npo_confirmed=ts.npo_confirmed,
        pregnancy_status=ts.pregnancy_status, baseline_vitals=baseline_of(session_vitals(session, ts.id)),
        weight_measured_on=weight.measured_on if weight else None, dose_ordered=ts.dose_record is not None,
        phq9_taken=any(r.instrument == PHQ9.code for r in pre_scores),
        unacknowledged_suicide_findings=tuple(f for f in pending if f.grade >= Grade.OVERRIDE),
    )
