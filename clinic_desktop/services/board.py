"""Today's board: every chair with its sessions for a day, their status, and when vital signs are next due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import Protocol, SessionStatus, VitalsPhase
from clinic_desktop.domain.records import Chair, StaffMember
from clinic_desktop.domain.vitals_schedule import due_rows, next_due
from clinic_desktop.services.context import ServiceContext, load_settings, requires
from clinic_desktop.storage import models


@dataclass(frozen=True)
class BoardEntry:
    session_id: int
    patient_id: int
    patient_name: str
    mrn: str
    sequence: int
    of_planned: int
    protocol: Protocol
    scheduled_at: datetime
    chair_id: int | None
    status: SessionStatus
    started_at: datetime | None
    stopped_at: datetime | None
    #: The next reading due (None when none is pending), and how many due readings are overdue now.
    next_vitals_due: datetime | None
    overdue_readings: int
    #: The session's version on show: a no-show marked from the board over a change made elsewhere is refused.
    row_version: int = 1


@dataclass(frozen=True)
class BoardDay:
    day: date
    chairs: tuple[Chair, ...]
    entries: tuple[BoardEntry, ...]

    def for_chair(self, chair_id: int | None) -> tuple[BoardEntry, ...]:
        return tuple(e for e in self.entries if e.chair_id == chair_id)


class BoardService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.PATIENT_VIEW)
    def day(self, actor: StaffMember, day: date | None = None) -> BoardDay:
        """The clinic's day (local midnight to midnight) in one read: sessions, patients, and recent vitals."""
        day = day or self._ctx.today()
        start = datetime.combine(day, time(0), tzinfo=self._ctx.zone)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self._ctx.zone)
        now = self._ctx.now()
        with self._ctx.db.read() as uow:
            settings = load_settings(uow.session)
            rows = uow.session.execute(
                select(models.TreatmentSession, models.InfusionSeries, models.Patient, models.DoseRecord)
                .join(models.InfusionSeries, models.TreatmentSession.series_id == models.InfusionSeries.id)
                .join(models.Patient, models.InfusionSeries.patient_id == models.Patient.id)
                .outerjoin(models.DoseRecord, models.DoseRecord.session_id == models.TreatmentSession.id)
                .where(models.TreatmentSession.scheduled_at >= start, models.TreatmentSession.scheduled_at < end)
                .order_by(models.TreatmentSession.scheduled_at, models.TreatmentSession.id)).all()
            monitored = [ts.id for ts, _s, _p, dose in rows
                         if ts.status in (SessionStatus.INFUSING, SessionStatus.RECOVERING) and dose is not None]
            readings: dict[int, list[tuple[datetime, VitalsPhase]]] = {sid: [] for sid in monitored}
            if monitored:
                for sid, taken_at, phase in uow.session.execute(
                        select(models.VitalSignsReading.session_id, models.VitalSignsReading.taken_at,
                               models.VitalSignsReading.phase)
                        .where(models.VitalSignsReading.session_id.in_(monitored))):
                    readings[sid].append((taken_at, phase))
            entries = tuple(_entry(ts, series, patient, dose, readings.get(ts.id), now, settings)
                            for ts, series, patient, dose in rows)
            chairs = _columns(uow.session, {ts.chair_id for ts, _s, _p, _d in rows})
        return BoardDay(day, chairs, entries)


def _columns(session: Session, used: set[int | None]) -> tuple[Chair, ...]:
    """The active chairs left to right, then any retired chair that has sessions on the day shown (a past day
    keeps its columns; a retired chair with nothing that day stays hidden)."""
    rows = session.execute(select(models.Chair).where(models.Chair.active.is_(True) | models.Chair.id.in_(
        sorted(i for i in used if i is not None))).order_by(models.Chair.position, models.Chair.name, models.Chair.id))
    ordered = sorted(rows.scalars(), key=lambda c: not c.active)  # stable: board order, retired ones after
    return tuple(Chair(c.id, c.name, c.active, i if c.active else 0) for i, c in enumerate(ordered, start=1))


def _entry(ts: models.TreatmentSession, series: models.InfusionSeries, patient: models.Patient,
           dose: models.DoseRecord | None, readings: list[tuple[datetime, VitalsPhase]] | None, now: datetime,
           settings: ClinicSettings) -> BoardEntry:
    due, overdue = None, 0
    if readings is not None:
        grid = due_rows(dose.started_at, dose.stopped_at, None, now, readings, settings.vitals_interval_during_min,
                        settings.vitals_interval_after_min)
        due, overdue = next_due(grid), sum(1 for r in grid if r.overdue)
    return BoardEntry(ts.id, patient.id, f"{patient.family_name}, {patient.given_names}", patient.mrn, ts.sequence,
                      series.planned_sessions, series.protocol, ts.scheduled_at, ts.chair_id, ts.status,
                      dose.started_at if dose else None, dose.stopped_at if dose else None, due, overdue,
                      ts.row_version)
