"""Planning an infusion series and stopping one."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.dosing import ESKETAMINE_FIRST_DOSE_MG
from clinic_desktop.domain.enums import Protocol, Route, SeriesStatus, SessionStatus
from clinic_desktop.domain.errors import RuleViolation, ValidationError
from clinic_desktop.domain.quantities import to_decimal
from clinic_desktop.domain.records import SeriesSummary, StaffMember
from clinic_desktop.domain.schedule import format_weekdays, plan_session_times
from clinic_desktop.domain.text import checked_text
from clinic_desktop.services.chart import series_summaries
from clinic_desktop.domain.access import Action
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
                get_or_404(uow.session, models.Chair, chair_id, "chair")
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
    def stop(self, actor: StaffMember, series_id: int, reason: str) -> SeriesSummary:
        """Stop a series for a stated reason; its sessions that have not happened are cancelled."""
        text = checked_text(reason, "reason", "Reason for stopping", required=True, max_length=1000, multiline=True)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            series = get_or_404(uow.session, models.InfusionSeries, series_id, "series")
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

    @requires(Action.PATIENT_VIEW)
    def get(self, actor: StaffMember, series_id: int) -> SeriesSummary:
        with self._ctx.db.read() as uow:
            return self._summary(uow.session, get_or_404(uow.session, models.InfusionSeries, series_id, "series"))

    @staticmethod
    def _summary(session, series: models.InfusionSeries) -> SeriesSummary:  # noqa: ANN001
        return next(s for s in series_summaries(session, series.patient_id) if s.id == series.id)


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

