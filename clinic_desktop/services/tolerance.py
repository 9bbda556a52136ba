"""What the previous dose was and how the patient tolerated it: shown beside a new order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desktop.domain.enums import NoteKind
from clinic_desktop.domain.monitoring import ADVERSE_EVENTS, SIDE_EFFECTS
from clinic_desktop.domain.scales import CADSS, MOAAS
from clinic_desktop.storage import models


@dataclass(frozen=True)
class PreviousDose:
    session_label: str
    started_at: datetime
    dose_mg: Decimal
    mg_per_kg: Decimal | None
    duration_min: Decimal | None
    peak_systolic: int | None
    peak_diastolic: int | None
    peak_heart_rate: int | None
    readings_with_alerts: int
    cadss_peak: int | None
    moaas_lowest: int | None
    side_effects: tuple[str, ...]
    adverse_events: tuple[str, ...]


def previous_dose(session: Session, ts: models.TreatmentSession) -> PreviousDose | None:
    """The patient's last dose actually given before this session, with its peaks and events (a few queries)."""
    prev = session.execute(
        select(models.TreatmentSession, models.DoseRecord, models.InfusionSeries.planned_sessions)
        .join(models.DoseRecord, models.DoseRecord.session_id == models.TreatmentSession.id)
        .join(models.InfusionSeries, models.TreatmentSession.series_id == models.InfusionSeries.id)
        .where(models.InfusionSeries.patient_id == ts.series.patient_id, models.TreatmentSession.id != ts.id,
               models.DoseRecord.started_at.is_not(None), models.DoseRecord.started_at < ts.scheduled_at)
        .order_by(models.DoseRecord.started_at.desc()).limit(1)).first()
    if prev is None:
        return None
    pts, dose, planned = prev
    vitals = models.VitalSignsReading
    peaks = session.execute(select(func.max(vitals.systolic), func.max(vitals.diastolic), func.max(vitals.heart_rate),
                                   func.count(vitals.alert_action))
                            .where(vitals.session_id == pts.id)).one()
    scores = dict(session.execute(
        select(models.ScaleResponse.instrument, func.max(models.ScaleResponse.total))
        .where(models.ScaleResponse.session_id == pts.id, models.ScaleResponse.instrument == CADSS.code)
        .group_by(models.ScaleResponse.instrument)).all())
    moaas = session.execute(select(func.min(models.ScaleResponse.total)).where(
        models.ScaleResponse.session_id == pts.id, models.ScaleResponse.instrument == MOAAS.code)).scalar()
    notes = session.execute(select(models.MonitoringNote).where(
        models.MonitoringNote.session_id == pts.id,
        models.MonitoringNote.kind.in_((NoteKind.SIDE_EFFECT, NoteKind.ADVERSE_EVENT)))).scalars().all()
    effects = sorted({SIDE_EFFECTS.get(e, e) for n in notes if n.kind is NoteKind.SIDE_EFFECT
                      for e in n.values.get("effects", [])})
    events = [ADVERSE_EVENTS.get(n.values.get("event"), "Adverse event") for n in notes
              if n.kind is NoteKind.ADVERSE_EVENT]
    return PreviousDose(f"Session {pts.sequence} of {planned}", dose.started_at, dose.dose_mg, dose.mg_per_kg,
                        dose.duration_min, peaks[0], peaks[1], peaks[2], peaks[3], scores.get(CADSS.code), moaas,
                        tuple(effects), tuple(events))
