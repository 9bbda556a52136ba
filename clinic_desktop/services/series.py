"""Planning an infusion series, moving or adding its sessions, and stopping it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.dosing import ESKETAMINE_FIRST_DOSE_MG
from clinic_desktop.domain.enums import Protocol, Route, SeriesStatus, SessionStatus
from clinic_desktop.domain.errors import RuleViolation, ValidationError
from clinic_desktop.domain.quantities import to_decimal
from clinic_desktop.domain.records import SeriesSummary, StaffMember
from clinic_desktop.domain.schedule import (
    MAX_PLANNED_SESSIONS,
    format_weekdays,
    parse_weekdays,
    plan_session_times,
)
from clinic_desktop.domain.text import checked_text
from clinic_desktop.domain.access import Action
from clinic_desktop.services.changes import refuse_if_changed, series_audit_objects, session_audit_objects
from clinic_desktop.services.chart import series_summaries
from clinic_desktop.services.context import ServiceContext, acting_staff, get_or_404, load_settings, requires
from clinic_desktop.storage import models


class SeriesService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.SERIES_PLAN)
    def plan(self, actor: StaffMember, patient_id: int, protocol: Protocol | str, start: date,
             weekdays: tuple[int, ...] | list[int], planned_sessions: int, session_time: time,
             target_dose: Decimal | str, chair_id: int | None = None) -> SeriesSummary:
        """Create the series and all its sessions: the first on or after `start`, on the chosen weekdays."""
        protocol = Protocol.parse(protocol, "protocol")
        if start < self._ctx.today():
            raise ValidationError("A series cannot start in the past.", "start_date")
        times = plan_session_times(start, weekdays, planned_sessions, session_time, self._ctx.zone)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            get_or_404(uow.session, models.Patient, patient_id, "patient")
            if chair_id is not None:
                _bookable_chair(uow.session, chair_id, "chair")
            dose = _checked_target_dose(protocol, target_dose, load_settings(uow.session))
            series = models.InfusionSeries(
                patient_id=patient_id, protocol=protocol, planned_sessions=planned_sessions, start_date=start,
                target_dose=dose, weekdays=format_weekdays(weekdays), session_time=session_time, chair_id=chair_id,
                status=SeriesStatus.PLANNED, stop_reason="", created_by_id=actor.id, created_at=self._ctx.now())
            uow.session.add(series)
            uow.flush()
            for k, at in enumerate(times, start=1):
                uow.session.add(models.TreatmentSession(series_id=series.id, sequence=k, scheduled_at=at,
                                                        chair_id=chair_id, status=SessionStatus.SCHEDULED,
                                                        created_at=self._ctx.now()))
            self._ctx.audit(uow.session, actor, "create", object_type="series", object_id=series.id,
                            patient_id=patient_id, details={"new": {
                                "protocol": protocol, "planned_sessions": planned_sessions, "start_date": start,
                                "weekdays": series.weekdays, "session_time": session_time.isoformat(),
                                "target_dose": dose, "chair_id": chair_id}})
            uow.commit()
            return self._summary(uow.session, series)

    @requires(Action.SERIES_STOP)
    def stop(self, actor: StaffMember, series_id: int, reason: str,
             expected_version: int | None = None) -> SeriesSummary:
        """Stop a series for a stated reason; its sessions that have not happened are cancelled. With
        `expected_version` (the series' row_version shown) a change saved elsewhere since is refused."""
        text = checked_text(reason, "reason", "Reason for stopping", required=True, max_length=1000, multiline=True)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            series = get_or_404(uow.session, models.InfusionSeries, series_id, "series")
            refuse_if_changed(uow.session, self._ctx, "series", series, expected_version,
                              also=series_audit_objects(series))
            if series.status in (SeriesStatus.STOPPED, SeriesStatus.COMPLETED):
                raise RuleViolation(f"This series is already {series.status.label.lower()}.")
            old = series.status
            series.status = SeriesStatus.STOPPED
            series.stop_reason = text
            cancelled = []
            for ts in series.sessions:
                if ts.status is SessionStatus.SCHEDULED:
                    ts.status = SessionStatus.CANCELLED
                    ts.status_reason = f"Series stopped: {text}"
                    cancelled.append(ts.id)
            self._ctx.audit(uow.session, actor, "update", object_type="series", object_id=series.id,
                            patient_id=series.patient_id, details={"status": {"old": old, "new": series.status},
                                                                   "reason": text, "cancelled_sessions": cancelled})
            uow.commit()
            return self._summary(uow.session, series)

    @requires(Action.SERIES_PLAN)
    def reschedule(self, actor: StaffMember, session_id: int, new_time: datetime, chair_id: int | None = None,
                   reason: str = "", expected_version: int | None = None) -> SeriesSummary:
        """Move one scheduled session (and perhaps its chair); the others stay where they are. With
        `expected_version` (the session's row_version shown) a change saved elsewhere since is refused."""
        text = checked_text(reason, "reason", "Reason for moving the session", max_length=1000, multiline=True)
        if new_time.tzinfo is None:
            raise ValidationError("The new time needs its time zone.", "new_time")
        if new_time < self._ctx.now():
            raise ValidationError("A session cannot be moved into the past.", "new_time")
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            ts = get_or_404(uow.session, models.TreatmentSession, session_id, "session")
            refuse_if_changed(uow.session, self._ctx, "session", ts, expected_version,
                              also=session_audit_objects(ts))
            if ts.status is not SessionStatus.SCHEDULED:
                raise RuleViolation(f"Only a scheduled session can be moved; this one is {ts.status.label.lower()}.")
            if chair_id is not None or ts.chair_id is not None:  # "same chair" too: it may have been retired
                _bookable_chair(uow.session, chair_id if chair_id is not None else ts.chair_id, "chair_id")
            old = {"scheduled_at": ts.scheduled_at, "chair_id": ts.chair_id}
            ts.scheduled_at = new_time
            if chair_id is not None:
                ts.chair_id = chair_id
            self._ctx.audit(uow.session, actor, "update", object_type="session", object_id=ts.id,
                            patient_id=ts.series.patient_id, details={
                                "scheduled_at": {"old": old["scheduled_at"], "new": ts.scheduled_at},
                                "chair_id": {"old": old["chair_id"], "new": ts.chair_id}, "reason": text})
            uow.commit()
            return self._summary(uow.session, ts.series)

    @requires(Action.SERIES_PLAN)
    def extend(self, actor: StaffMember, series_id: int, extra_sessions: int, reason: str,
               expected_version: int | None = None) -> SeriesSummary:
        """Add sessions after the last one, on the series' weekdays, time and chair; a reason is required. With
        `expected_version` (the series' row_version shown) a change saved elsewhere since is refused."""
        text = checked_text(reason, "reason", "Reason for extending", required=True, max_length=1000, multiline=True)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            series = get_or_404(uow.session, models.InfusionSeries, series_id, "series")
            refuse_if_changed(uow.session, self._ctx, "series", series, expected_version,
                              also=series_audit_objects(series))
            if series.status in (SeriesStatus.STOPPED, SeriesStatus.COMPLETED):
                raise RuleViolation(f"A {series.status.label.lower()} series cannot be extended; plan a new one.")
            last = max((ts.scheduled_at for ts in series.sessions), default=self._ctx.now())
            next_day = max(last.astimezone(self._ctx.zone).date() + timedelta(days=1), self._ctx.today())
            times = plan_session_times(next_day, parse_weekdays(series.weekdays), extra_sessions,
                                       series.session_time, self._ctx.zone)
            if series.planned_sessions + extra_sessions > MAX_PLANNED_SESSIONS:
                raise ValidationError(f"A series holds at most {MAX_PLANNED_SESSIONS} sessions.", "extra_sessions")
            first_new = len(series.sessions) + 1
            # A series planned in a chair retired since books its new sessions in no chair, for the desk to place.
            chair = uow.session.get(models.Chair, series.chair_id) if series.chair_id is not None else None
            chair_id = chair.id if chair is not None and chair.active else None
            for k, at in enumerate(times, start=first_new):
                uow.session.add(models.TreatmentSession(series_id=series.id, sequence=k, scheduled_at=at,
                                                        chair_id=chair_id, status=SessionStatus.SCHEDULED,
                                                        created_at=self._ctx.now()))
            old = series.planned_sessions
            series.planned_sessions = old + extra_sessions
            self._ctx.audit(uow.session, actor, "update", object_type="series", object_id=series.id,
                            patient_id=series.patient_id, details={
                                "planned_sessions": {"old": old, "new": series.planned_sessions}, "reason": text,
                                "new_sessions": [t.isoformat() for t in times], "chair_id": chair_id})
            uow.commit()
            uow.session.expire(series, ["sessions"])
            return self._summary(uow.session, series)

    @requires(Action.PATIENT_VIEW)
    def get(self, actor: StaffMember, series_id: int) -> SeriesSummary:
        with self._ctx.db.read() as uow:
            return self._summary(uow.session, get_or_404(uow.session, models.InfusionSeries, series_id, "series"))

    @staticmethod
    def _summary(session: Session, series: models.InfusionSeries) -> SeriesSummary:
        return next(s for s in series_summaries(session, series.patient_id) if s.id == series.id)


def _bookable_chair(session: Session, chair_id: int, field: str) -> models.Chair:
    """The chair a session is booked in: it must exist and still be on the board."""
    chair = get_or_404(session, models.Chair, chair_id, "chair")
    if not chair.active:
        raise ValidationError(f"{chair.name} is retired; choose another chair.", field)
    return chair


def _checked_target_dose(protocol: Protocol, value: Decimal | str, settings: ClinicSettings) -> Decimal:
    """A plausible plan: esketamine starts at 56 mg; racemic mg/kg within the clinic's hard limit."""
    dose = to_decimal(value, "target_dose", "Target dose")
    if protocol.is_esketamine:
        if dose != ESKETAMINE_FIRST_DOSE_MG:
            raise ValidationError("An esketamine series starts at 56 mg (SPRAVATO label); later doses may be 84 mg.",
                                  "target_dose")
        return dose
    limit = (settings.iv_refuse_above_mg_per_kg if protocol.route is Route.IV
             else settings.bolus_refuse_above_mg_per_kg)
    if not Decimal(0) < dose <= limit:
        raise ValidationError(f"Target dose must be above 0 and at most {limit} mg/kg.", "target_dose")
    return dose

